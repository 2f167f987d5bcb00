"""Swedish-aware normalisation: case and diacritic folding, stemming, stopwords, language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[^\W_]+(?:[:.]\d+)*", re.UNICODE)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff\ud800-\udfff]")

# Function words and chat filler: they carry no topic, so they never count as evidence.
SWEDISH_STOPWORDS = frozenset(
    """
    och det att i en jag hon som han pa den med var sig for sa till ar men ett om hade de av
    icke mig du henne da sin nu har inte hans honom skulle hennes dar min man ej vid kunde
    nagot fran ut nar efter upp vi dem vara vad over an dig kan sina har ha mot alla under
    nagon eller allt mycket sedan ju denna sjalv detta at utan varit hur ingen mitt ni bli
    blev oss din dessa nagra deras blir mina samma vilken er sadan var blivit dess inom
    mellan sadant varfor varje vilka ditt vem vilket sitta sadana vart dina vars vart vara
    ert era vilkas dom nan nat nagonting nanting sana san sant typ liksom asså assa alltsa
    ba bara ens egentligen juste visst val nog ocksa aven eg ok okej hej hallo tack snalla
    kanske typ fatt fa far fick finns fanns gor gjorde gjort gora gjordes ska skall vill
    ville kommer kom nagonstans nanstans vart hit dit sen sedan redan just pa riktigt
    berattar beratta veta vet undrar fraga fragor svar sta star stod stand haft va ga
    ta tar tog tagit bort innan sett se ser sag ge ger gav gett alltid aldrig ofta lite
    gora borde maste behover overhuvudtaget forresten annat hela galler handlar namns namnt
    namnd omnamns sags kallas igen dar hur hurdan hurdant sitt sina nagot nagra
    hande hander hant skedde sker ske organisationer aktorer personer inga inget ingenting
    forra fragan fragorna undra undrade iaf ngn ngt nagonsin liksom sant stammer manga o
    rakna upp lista namn namna hurdana vidare osv etc hos faktiskt verkligen forhand arligt
    talat sammanhang hallit haller hallt
    """.split()
)
ENGLISH_STOPWORDS = frozenset(
    """
    a an the and or but if of at by for with about against between into through during
    before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no
    nor not only own same so than too very s t can will just don should now i me my myself
    we our ours you your yours he him his she her hers it its they them their what which who
    whom this that these those am is are was were be been being have has had having do does
    did doing would could also please tell know any anything there's what's it's is there
    mentioned mention mentions take takes took part get got people thing things say says
    said does doing done make made give given yet whole actually really anyway thanks thank
    hi hello
    """.split()
)
STOPWORDS = SWEDISH_STOPWORDS | ENGLISH_STOPWORDS

ENGLISH_MARKERS = frozenset(
    """
    the what which who whom when where why how is are was were did does do has have had of
    and in on for with about there any this that many much did committee report municipality
    english please were will would could should hello hi hey thanks thank
    """.split()
)
SWEDISH_MARKERS = frozenset(
    """
    och det att som pa ar av for med till den har inte om ett var vad nar hur vilka vilken
    vem kommunen beredningen fick blev under eller nagon nan dom finns gjorde manga
    """.split()
)

# Question-word cues, matched on folded text; each says what a good answer must contain.
CUE_PATTERNS = {
    # 'när' asks when at the start ("När delades …?"); later it is mostly a conjunction
    # ("… när ärendet diskuterades"). Other forms ask for a date anywhere.
    "when": r"^(nar|when)\b|\b((och|men|samt|and) (nar|when)|vilket datum|vilken dag|vilken manad|"
    r"vilket ar|datum|what date|"
    r"which date|what day|what month|sista dag\w*|deadline)\b",
    "future": r"\b(nasta|kommande|framtid\w*|snart|framover|next|upcoming|soon|future)\b",
    "count": r"\b(hur manga|hur mycket|antal\w*|how many|how much|number of|siffr\w*|"
    r"vad kosta\w*|kostnaden|belopp\w*|summa|summan|summor\w*|"
    r"what (did|does|do|will) .{0,40}cost|"
    r"vad tjana\w*|hur mycket tjana\w*|lonen|hur hog lon|what .{0,20}earn\w*|salary)\b",
    "share": r"\b(hur stor andel|andel\w*|procent\w*|what share|what percentage|"
    r"percent\w*|proportion)\b",
    # Money named without asking how much ('vad ville V lägga pengarna på?') asks what it
    # went to, not what it cost.
    "cost": r"\b(kosta\w*|kostnad\w*|belopp\w*|kronor|miljoner|cost\w*|spent|price|"
    r"(hur mycket|hur mycke|hur mkt|how much) (\w+ ){0,2}?\w*(pengar|money)\w*|"
    r"tjana\w*|lon|lonen|loner|salary|salaries|earn\w*|paid)\b",
    "name": r"\b(vad heter|vilka heter|vad hette|heter (dom|de|han|hon)|namn\w*|names?|"
    r"what (is|are|was|were) .{0,30}called|vad kallas)\b",
    "who": r"\b(vem|vems|vilka (personer|organisationer|aktorer|foreningar)|who|whom|whose|"
    r"which (people|organi[sz]ations))\b",
    # A person asked for by role ('vad heter samordnaren?'): only a person's name answers.
    "person": r"\b(vad heter|vad hette|vilka heter|vem ar|vem var|namnet pa|namnen pa|"
    r"what (is|s|are) the names? of|whats the names? of|names of|who is|who was|vilken|which) "
    r"(den |det |de |the )?(\w+ ){0,2}?"
    r"(samordnare\w*|ordforande\w*|chef\w*|handlaggar\w*|tjansteperson\w*|kontaktperson\w*|"
    r"tjansteman\w*|person\w*|trygghetsvard\w*|ledamot\w*|ledamoter\w*|safety hosts?|hosts|"
    r"kommunpolis\w*|polisen|polis|police officer|community police officer|"
    r"people|persons|coordinator\w*|chair\w*|manager\w*|officer\w*|official\w*|head)\b"
    # who signed: only the names of the signatories answer
    r"|\b(vem|vilka) (har |hade )?(signera\w*|underteckna\w*|skrev under|skrivit under)|"
    r"\bwho (has |had )?signed\b",
    # Organisations asked for by kind ('vilka organisationer …', 'med vilka …'): a group of
    # people reached ('who did the film reach?') is no actor.
    "actor": r"\b(vilka (organisationer|aktorer|foreningar|myndigheter)|med vilka|"
    r"which (organi[sz]ations|partners)|with (which|whom))\b",
    "decision": r"\b(beslut\w*|besluta\w*|decide\w*|decision\w*|godkan\w*|approv\w*|"
    r"avslog\w*|avsla\w*|reject\w*|aterremitt\w*|sent back|turned down|bordla\w*)\b",
    "why": r"\b(varfor|why|orsak\w*|anledning\w*|skal(et|en)?|reason\w*|how come|"
    r"hur kommer det sig|vad beror|beror (det|detta) pa|motiver\w*)\b",
    # A practical detail of a service: how to reach, book or use it. A report has none of
    # these; hours a party wants longer ('längre öppettider') are a proposal, not a service.
    "service": r"\b(telefonnummer\w*|telefonnr|telefon|phone|ringa|ringer|vem ringer|"
    r"who (do|should|can) i (call|contact)|(call|contact) (them|someone)|kontaktuppgift\w*|"
    r"contact details|mejla|maila|mejladress|e ?postadress|email address|"
    r"(?<!langre )(?<!utokade )(?<!longer )(?<!extended )(oppettid\w*|opening hours)|"
    r"har (\w+ ){1,3}oppet|open on|boka|bokar|bokning\w*|book (a|an|tid|time)|"
    r"how (do|can) i book|parkera|parking (permit|fee|space)|where (can|do) i park|"
    r"fortidsrost\w*|vote early|formular\w*|blankett\w*|application form|nasta buss|"
    r"next bus|busstider|bus times|vilka tider|what times|arbetstider|working hours|toms|"
    r"tommer|tomning\w*|emptied)\b",
    "where": r"^(var|vart)\b|\b(var nanstans|vart nanstans|nanstans|nagonstans|vilken plats|"
    r"vilka platser|where|which place|what place)\b",
}
CUES = {name: re.compile(pattern) for name, pattern in CUE_PATTERNS.items()}
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def question_cues(folded: str) -> frozenset[str]:
    """What a (folded) question asks for: when, count, cost, who, where, decision."""
    return frozenset(name for name, cue in CUES.items() if cue.search(folded))


def question_years(folded: str) -> frozenset[str]:
    return frozenset(YEAR.findall(folded))


_SWEDISH = snowballstemmer.stemmer("swedish")
_ENGLISH = snowballstemmer.stemmer("english")


def clean(text: str) -> str:
    """Drop control and invisible characters; normalise Unicode and whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = CONTROL.sub(" ", text)
    return " ".join(text.split())


# The common accented letters, folded without the slower Unicode decomposition.
_FOLD_COMMON = str.maketrans("åäöéèêëüûúùáàâíìîïóòôç", "aaoeeeeuuuuaaaiiiioooc")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Casefold and strip diacritics: 'Trångsund' -> 'trangsund'."""
    folded = text.casefold().translate(_FOLD_COMMON)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Content words that folding would turn into stopwords ('män' -> 'man', "one").
_KEEP = {"män": "maen", "mäns": "maens"}
_KEEP_RE = re.compile(r"\b(?:män|mäns)\b")


def words(text: str) -> list[str]:
    """Folded word tokens (letters and digits; '2021:46' and '4:168' stay whole)."""
    return list(_words(text))


# The same entry and passage texts are tokenised for question after question.
@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    lowered = text.casefold()
    if "män" in lowered:
        lowered = _KEEP_RE.sub(lambda match: _KEEP[match.group()], lowered)
    return tuple(WORD.findall(fold(lowered)))


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """Swedish stem of a folded word; digits and short words are kept as they are."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return _SWEDISH.stemWord(word)


@lru_cache(maxsize=65536)
def stem_en(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    return _ENGLISH.stemWord(word)


def content_words(text: str) -> list[str]:
    """Folded words without stopwords, in order."""
    return [word for word in words(text) if word not in STOPWORDS]


def terms(text: str) -> list[str]:
    """Swedish index terms of a text: folded, stopwords removed, stemmed."""
    return [stem(word) for word in content_words(text)]


def english_terms(text: str) -> list[str]:
    return [stem_en(word) for word in words(text) if word not in ENGLISH_STOPWORDS]


# Search syntax typed in capitals ("kameror AND trygghet") is not English prose.
QUERY_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b")


def detect_language(text: str) -> str:
    """'en' when English function words clearly outnumber Swedish ones, else 'sv'."""
    tokens = words(QUERY_OPERATORS.sub(" ", text))
    english = sum(token in ENGLISH_MARKERS for token in tokens)
    swedish = sum(token in SWEDISH_MARKERS for token in tokens)
    if any(char in text.casefold() for char in "åäö"):
        swedish += 1
    return "en" if english > swedish and english >= 1 else "sv"
