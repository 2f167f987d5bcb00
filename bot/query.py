"""Query analysis: a question's words -> index terms with weights, plus what it asks for.

Pure given the vocabulary tables of one index. Everything the ranker and the decision need to
know about the question itself lives in `Query`; nothing here looks at entries.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, replace
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.index import split_compound
from bot.periods import MONTH_NUMBERS, MONTHS_EN, MONTHS_SV, find_period
from bot.routing import LONG_MESSAGE
from bot.text import STOPWORDS, fold, question_cues, question_years, stem, stem_en, words

# The committee by its full name ('trygghets- och delaktighetsberedningen', 'the security
# and participation committee') is the committee, not the areas of safety and participation.
COMMITTEE_NAME = re.compile(
    r"\b(trygghets (och )?delaktighetsberedning\w*|trygghetsberedning\w*|"
    r"(safety|security) and participation (committee|board|council)|"
    r"committee (for|on) (safety|security) and participation)\b"
)
# 'i stora drag', 'in broad terms': how short the answer may be, not what it is about.
IN_BRIEF = re.compile(r"\b(i (stora|grova) drag|in (broad|general) terms|in short|kort sagt)\b")
NEGATED_ASIDE = re.compile(r"\(\s*(?:inte|ej|icke|not|no)\b[^)]*\)", re.IGNORECASE)
TYPO_PREFIX = 2  # letters a typo repair must keep at the start
TYPO_MIN_LENGTH = 6  # shorter words are too easily another word ('skämt' -> 'skatt')
# What was won: the words after 'vann'/'won' up to a year, a preposition or a conjunction
# ('vann allsvenskan 2021', 'won the ice hockey league in 2021', 'vann priset i fjol').
WIN_WORDS = frozenset({"vann", "vinner", "won", "wins"})
WON = re.compile(
    rf"\b(?:{'|'.join(sorted(WIN_WORDS))})\s+((?:(?!(?:19|20)\d\d\b|(?:i|in|och|and|pa|at|"
    r"for|under|ar|nar|var|when|where)\b)\w+\s*){1,5})"
)
UNKNOWN_WEIGHT = 2.2  # an unknown word weighs like a rare one: it may be the point
SHORT_UNKNOWN_WEIGHT = 0.5
REPAIR_FACTOR = 0.8  # a guessed spelling is weaker evidence than a written one
# A word found in this share of all entries says nothing about which topic is asked for
# ('beredningen', 'kommunen', 'trygghet', 'protokollsanteckning'): it names no topic.
GENERIC_SHARE = 0.15

# What kind of answer the question wants, beyond its topic words (folded text).
INTENTS = {
    "howto": re.compile(
        r"\bhur (soker|ansoker|nominerar|anmaler|foreslar|lamnar|gor|kan|ska|far) "
        r"(man|jag|vi|en)\b"
        r"|\bhow (do|can|should|would) (i|you|we|one|people)\b|\bhow to\b"
    ),
    "broad": re.compile(
        r"^(vad (handlar|gor|ar|var|innebar|betyder|sysslar|jobbar)\b"
        r"|beratta (om|lite)|what (is|are|was|were|does|do)\b|tell me about|whats\b)"
    ),
    "yesno": re.compile(
        r"^(finns|fanns|har|hade|ar|blev|fick|far|kommer|gjordes|gjorde|gor|stammer|kan|ska|"
        r"satsar|jobbar|arbetar|sker|ingick|deltog|namner|namnde|yttrade|skrev|ville|star|"
        r"stod|innebar|brukar|nadde|uppmarksammade|togs|holls|genomfordes|anordnades|"
        r"is|are|was|were|did|does|do|has|have|had|will|can|could)\b"
    ),
}
# Figures a question states: digits that are not a year, and number words.
NUMBER_WORDS = {
    "en": 1, "ett": 1, "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "atta": 8,
    "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tjugo": 20, "one": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
# At most 12 digits: no figure in the material is longer, and a longer run is no figure.
_REPORT = r"(?:report|rapport\w*|arsrapport\w*|verksamhetsberattelse\w*|berattelse\w*)"
REPORT_YEAR = re.compile(
    rf"\b((?:19|20)\d\d)(?:\s+ars)?\s+(?:\w+\s+)?{_REPORT}\b"
    rf"|\b{_REPORT}\s+(?:(?:for|om|of|on|fran|from|ar)\s+)?((?:19|20)\d\d)\b"
)
# Cues of the question only, beside bot.text.CUE_PATTERNS: the entries' asked cues, which
# the fitted ranker weighs, stay as fitted. A turnout asked for is a share ('What was the
# voter turnout in Vårby?'); what someone did to win is the reason they won.
QUESTION_ONLY_CUES = {
    "share": re.compile(
        r"\b(what (was|is|were) the (voter )?turnout|how (high|low) (was|is) (the )?(voter )?"
        r"turnout|hur (hogt|lagt|stort) (var |ar )?valdeltagande\w*|vad (var|ar) "
        r"valdeltagande\w*)\b"
    ),
    # Who won: only a named winner answers ('Vem vann Instagramtävlingen?'), where 'vem'
    # alone is often answered by the committee or the municipality.
    "winner": re.compile(
        r"\b(vem|vilka|vilken|vilket|who|which)\b (\w+ ){0,3}?(vann|vinner|har vunnit|won|wins|"
        r"has won)\b"
    ),
    "why": re.compile(
        r"\b(vad (hade|har) .{0,40}gjort for att (fa|vinna|fortjana)|"
        r"what did .{0,40}do to (get|win|earn|deserve))\b"
    ),
}
# What a count question counts: the words after 'hur många' ('hur många tungt kriminella
# nätverk … och varför skjutningarna?' counts networks, not shootings).
COUNTED_THING = re.compile(r"\b(?:hur manga|how many|antalet|number of)\s+((?:\w+\s+){0,2}\w+)")
FIGURE = re.compile(r"(?<![\d:.])(?!(?:19|20)\d\d\b)\d{1,12}(?:[.,]\d{1,6})?(?![\d:]|[.,]\d)")


@dataclass(frozen=True)
class TermGroup:
    """One word (or glossary phrase) of the question and every index term that counts as it."""

    word: str
    sv: frozenset[str]
    en: frozenset[str]
    weight: float
    repaired: bool = False  # found only by typo repair
    heads: frozenset[str] = frozenset()  # heads of compound glossary targets: partial matches
    topical: bool = True  # names a topic: not a generic word, a district or the material
    in_entries: bool = True  # some entry knows it (else only the source text does, or none)

    @property
    def known(self) -> bool:
        return bool(self.sv or self.en)


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    groups: tuple[TermGroup, ...]
    cues: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    parties: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    outside: tuple[str, ...] = ()
    intent: str | None = None
    figures: frozenset[int] = frozenset()  # numbers the question states ("fem vakter")
    plural_positions: frozenset[int] = frozenset()  # groups asked for as several ("vilka planer")
    compared: tuple[str, ...] = ()  # outside places it compares with ("… än Stockholm")

    @property
    def known_groups(self) -> tuple[TermGroup, ...]:
        return tuple(group for group in self.groups if group.known)

    @property
    def entry_groups(self) -> tuple[TermGroup, ...]:
        """The words some entry knows: what the entry ranking can match."""
        return tuple(group for group in self.groups if group.known and group.in_entries)

    @cached_property
    def total_weight(self) -> float:
        return sum(group.weight for group in self.groups)

    @cached_property
    def terms_text(self) -> str:
        """The question as sorted index terms, for fuzzy comparison with curated questions."""
        chosen = [min(group.sv) if group.sv else group.word for group in self.groups]
        return " ".join(sorted(chosen))

    @cached_property
    def folded(self) -> str:
        return " ".join(words(self.text))

    @cached_property
    def counted_groups(self) -> tuple[TermGroup, ...]:
        """The topic words of what a count question counts; all of them when it names none."""
        match = COUNTED_THING.search(self.folded)
        counted = set(match.group(1).split()) if match else set()
        found = tuple(g for g in self.topical_groups if g.word in counted)
        return found or self.topical_groups

    @cached_property
    def period(self):
        """The month, season, year or day the question names, if any (bot.periods)."""
        return find_period(self.folded)

    @cached_property
    def stated_day(self) -> str | None:
        """A day the question names ('hölls de den 18 november?'): '2021-11-18'."""
        period = self.period
        return period.label if period is not None and len(period.label) == 10 else None

    @cached_property
    def report_years(self) -> frozenset[str]:
        """Years that name a report ('the 2021 report', 'verksamhetsberättelsen för 2021'):
        the report's title, not the time the question asks about."""
        return frozenset(a or b for a, b in REPORT_YEAR.findall(self.folded))

    def years_asked(self, report_periods: frozenset[str]) -> frozenset[str]:
        """The years the question asks about, leaving out a year that names one of the
        material's own reports (`report_periods`: the years its reports cover)."""
        return self.years - (self.report_years & report_periods)

    @cached_property
    def districts_folded(self) -> frozenset[str]:
        return frozenset(fold(district) for district in self.districts)

    @cached_property
    def unknown_share(self) -> float:
        """The share of the question's weight in words neither entries nor source know."""
        unknown = sum(group.weight for group in self.groups if not group.known)
        return unknown / self.total_weight if self.total_weight else 0.0

    @cached_property
    def names_unknown_thing(self) -> bool:
        """Whether a short question names something the material never uses ('simhallen',
        'kommunalvalet', '2018'). A stated figure ('fem') or a month is a premise, checked
        as one; a long message's unknown words are mostly its context."""
        if len(self.text) > LONG_MESSAGE:
            return False
        return any(
            g.word not in NUMBER_WORDS and g.word not in MONTH_NUMBERS
            for g in self.groups
            if not g.known
        )

    @cached_property
    def unknown_prize(self) -> str | None:
        """What a question says was won, when the material never names it ('Vem vann
        allsvenskan?', 'Who won the ice hockey league?'): no prize of the material's. The
        word as the asker wrote it, else None."""
        match = WON.search(self.folded)
        if match is None:
            return None
        grouped = {g.word: g for g in self.groups}  # stopwords of either language are none
        won = [grouped[w] for w in match.group(1).split() if w in grouped]
        # The last word names it ('the Swedish ice hockey league', 'demokratipriset').
        if not won or won[-1].known:
            return None
        # 'Vem vann allsvenskan och demokratipriset?' also asks what the material knows.
        asked_too = [g for g in self.topical_groups if g not in won and g.word not in WIN_WORDS]
        return None if asked_too else self._written.get(won[-1].word, won[-1].word)

    @property
    def unknown_words(self) -> tuple[str, ...]:
        """Those words as the asker wrote them ('vädret', not the folded 'vadret')."""
        return tuple(self._written.get(g.word, g.word) for g in self.groups if not g.known)

    @cached_property
    def _written(self) -> dict[str, str]:
        """Each folded word of the question -> the word as the asker wrote it."""
        return {fold(token): token for token in re.findall(r"\w+", self.text)}

    @property
    def topical_groups(self) -> tuple[TermGroup, ...]:
        """The known words that name what is asked about (a district or 'rapporten' do not)."""
        return tuple(group for group in self.known_groups if group.topical)

    @cached_property
    def topical_positions(self) -> frozenset[int]:
        """Where the topical groups stand in `groups` (what a candidate's `matched` holds)."""
        return frozenset(i for i, g in enumerate(self.groups) if g.known and g.topical)


class QueryAnalyser:
    """Turns question text into a `Query` using one index's vocabulary and glossary."""

    def __init__(
        self,
        *,
        entry_total: int,
        sv_df: dict[str, int],
        en_df: dict[str, int],
        aliases: dict[str, str],
        source_df: dict[str, int] | None = None,
        surface: dict[str, str],
        glossary: dict[str, dict[str, list[str]]],
    ):
        self.entry_total = entry_total
        self.sv_df, self.en_df = sv_df, en_df
        # Terms of the source passages: a word no entry has may still be in the text.
        self.source_df = source_df or {}
        self.sv_sorted = sorted(sv_df.keys() | self.source_df.keys())
        self.aliases = aliases
        self.surface = {**surface, **{word: "" for word in STOPWORDS}}
        self.surface_by_prefix = _group_by_prefix(sorted(self.surface), TYPO_PREFIX)
        self.glossary = glossary
        self.party_words = {fold(alias) for alias in glossary.get("party", {})}
        self.generic_words = set(glossary.get("generic", {}))
        self.district_words = {
            w for phrase in glossary.get("district", {}) for w in phrase.split()
        }
        self.phrases = {
            kind: [(phrase, targets) for phrase, targets in glossary.get(kind, {}).items()]
            for kind in ("synonym", "english")
        }

    def idf(self, df: int) -> float:
        return math.log((self.entry_total + 1) / (df + 0.5))

    def analyse(self, text: str, lang: str) -> Query:
        # "(inte digitalt)": an aside that rules something out is no evidence for it.
        folded = " ".join(words(NEGATED_ASIDE.sub(" ", text)))
        folded = COMMITTEE_NAME.sub("beredningen" if lang == "sv" else "committee", folded)
        folded = IN_BRIEF.sub(" ", folded)
        consumed, groups = self._glossary_phrases(folded, lang)
        for word in folded.split():
            if word in consumed or word in self.party_words or word in STOPWORDS:
                continue
            group = self._expand(word, lang)
            if group is not None:
                groups.append(replace(group, topical=self._topical(word, group)))
        groups = tuple(_dedupe(groups))
        compared = compared_places(folded)
        return Query(
            text=text,
            lang=lang,
            groups=groups,
            cues=question_cues(folded)
            | {cue for cue, asked in QUESTION_ONLY_CUES.items() if asked.search(folded)},
            years=question_years(folded),
            parties=frozenset(self._find_parties(text, folded)),
            districts=frozenset(self._phrases_in(folded, "district")),
            outside=tuple(self._phrases_in(folded, "outside")) + compared,
            compared=compared,
            intent=question_intent(folded),
            figures=stated_figures(folded),
            plural_positions=asked_plurals(folded, groups),
        )

    def _topical(self, word: str, group: TermGroup) -> bool:
        if word in self.district_words or word in self.generic_words:
            return False
        limit = GENERIC_SHARE * self.entry_total
        dfs = [self.sv_df.get(t, 0) for t in group.sv] + [self.en_df.get(t, 0) for t in group.en]
        return not dfs or min(dfs) < limit

    def _find_parties(self, text: str, folded: str) -> set[str]:
        found = set()
        for alias, codes in self.glossary.get("party", {}).items():
            if len(alias) <= 2:  # 'S', 'V': only as capitalised abbreviations
                if alias in text and re.search(rf"(?<![\w]){re.escape(alias)}(?![\w])", text):
                    found.update(codes)
            elif alias in folded and re.search(rf"\b{re.escape(alias)}s?\b", folded):
                found.update(codes)  # also 'vänsterpartiets'
        return found

    def places_in(self, text: str) -> list[str]:
        """The districts a text names ('Jag bor i Skogås sedan 15 år.' -> ['Skogås'])."""
        return self._phrases_in(" ".join(words(text)), "district")

    def _phrases_in(self, folded: str, kind: str) -> list[str]:
        # A genitive counts too: 'Stockholms stads demokratipris', 'Botkyrkas kameror'.
        return [
            targets[0]
            for phrase, targets in self.glossary.get(kind, {}).items()
            if phrase in folded and re.search(rf"\b{re.escape(phrase)}s?\b", folded)
        ]

    def _glossary_phrases(self, folded: str, lang: str) -> tuple[set[str], list[TermGroup]]:
        """Multi-word glossary phrases ('opening hours', 'hur långt') become one group each."""
        consumed: set[str] = set()
        groups = []
        for kind in ("english", "synonym") if lang == "en" else ("synonym",):
            for phrase, targets in self.phrases[kind]:
                if " " not in phrase or phrase in self.party_words:
                    continue  # a party is found as a party, not as a topic
                if phrase not in folded or not re.search(rf"\b{re.escape(phrase)}\b", folded):
                    continue
                consumed.update(phrase.split())
                target_terms = frozenset(t for target in targets for t in target.split())
                group = self._group(phrase, target_terms, frozenset())
                groups.append(replace(group, heads=self._compound_heads(target_terms)))
        return consumed, groups

    def _expand(self, word: str, lang: str) -> TermGroup | None:
        """The index terms a word stands for; None for a misspelt stopword."""
        sv: set[str] = set()
        stemmed = self.aliases.get(stem(word), stem(word))
        if stemmed in self.sv_df or stemmed in self.source_df:
            sv.add(stemmed)
        meaning: set[str] = set()
        for kind in ("synonym", "abbreviation", "english"):
            if kind == "english" and lang != "en" and sv:
                continue
            for target in self.glossary.get(kind, {}).get(word, ()):
                meaning.update(target.split())
        sv.update(meaning)
        en = frozenset({stem_en(word)} & self.en_df.keys()) if lang == "en" else frozenset()
        repaired = False
        if not sv and not en:
            neighbour = self._typo_neighbour(word)
            if neighbour == "":
                return None
            if neighbour:
                sv.add(neighbour)
                repaired = True
        if not sv and not en:
            sv.update(self._near_terms(stemmed))
        # A word the glossary explains weighs as much as what it means ('info' = information).
        basis = [self.sv_df[t] for t in meaning if t in self.sv_df]
        if not basis and en:
            basis = [self.en_df[t] for t in en]  # an English word weighs as in English text
        group = self._group(word, frozenset(sv), en, basis=basis)
        if repaired:
            group = replace(group, weight=group.weight * REPAIR_FACTOR, repaired=True)
        return replace(group, heads=self._compound_heads(meaning))

    def _compound_heads(self, targets) -> frozenset[str]:
        """Heads of compound glossary targets: 'security cameras' -> trygghetskameror, and
        (as a partial match) any kameror."""
        heads = set()
        for term in targets:
            parts = split_compound(term, self.sv_df.keys())
            if parts and parts[-1] not in targets:
                heads.add(parts[-1])
        return frozenset(heads)

    def _near_terms(self, stemmed: str) -> set[str]:
        """Compound parts and longer inflections of an unknown stem."""
        parts = split_compound(stemmed, self.sv_df.keys() | self.source_df.keys())
        if parts:
            return set(parts)
        if len(stemmed) >= 5:
            start = bisect.bisect_left(self.sv_sorted, stemmed)
            return {t for t in self.sv_sorted[start : start + 4] if t.startswith(stemmed)}
        return set()

    def _typo_neighbour(self, word: str) -> str | None:
        """The stem of the closest known word form ('' for a stopword), or None."""
        if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return None
        allowed = 1 if len(word) < 9 else 2
        # Typos keep the first two letters far more often than not; requiring that keeps
        # real but unknown words ('simhallen') from being 'corrected' into known ones.
        choices = self.surface_by_prefix.get(word[:TYPO_PREFIX], ())
        best = process.extractOne(word, choices, scorer=Levenshtein.distance, score_cutoff=allowed)
        return self.surface[best[0]] if best else None

    def _group(
        self, word: str, sv: frozenset[str], en: frozenset[str], basis: list[int] | None = None
    ) -> TermGroup:
        """Weight = idf of the rarest alternative, or of `basis` (document frequencies)."""
        if basis:
            dfs = basis
        else:
            dfs = [self.sv_df[t] for t in sv if t in self.sv_df]
            dfs += [self.en_df[t] for t in en if t in self.en_df]
        unknown = UNKNOWN_WEIGHT if len(word) > 2 else SHORT_UNKNOWN_WEIGHT
        weight = self.idf(min(dfs)) if dfs else unknown
        if word.isdigit() and dfs:
            weight = min(weight, UNKNOWN_WEIGHT)
        in_entries = bool(en) or any(t in self.sv_df for t in sv)
        return TermGroup(word=word, sv=sv, en=en, weight=max(weight, 0.1), in_entries=in_entries)


def question_intent(folded: str) -> str | None:
    """'howto', 'broad' or 'yesno' when the question's form says so, else None."""
    for name, pattern in INTENTS.items():
        if pattern.search(folded):
            return name
    return None


_NUMBER = r"(?:\d{1,2}|" + "|".join(NUMBER_WORDS) + ")"
_MONTH = "|".join(sorted({*MONTHS_SV, *MONTHS_EN}))
# A time of day, an age or a date is no figure the material could state ("när hon tar bussen hem
# vid tio", "min dotter är 15 år"): read as one, it was "corrected" to a count.
TIME_OR_AGE = re.compile(
    r"\b(?:kl|klockan)\s+\S+"
    rf"|\b(?:vid|at|around|runt|efter|fore|fram till|until|till)\s+{_NUMBER}(?=\s*(?:$|tiden\b|"
    r"pa (?:kvallen|natten|morgonen|eftermiddagen)|i kvall|pm\b|am\b|o clock|at night|"
    r"in the (?:evening|morning)))"
    rf"|\b{_NUMBER}\s+(?:ar gammal\w*|years? old|arig\w*|aring\w*)\b"
    # A day of a month ('den 17 februari', 'February 17', '18 and 19 November'): a date,
    # which the month check weighs, not a count to correct.
    rf"|\b\d{{1,2}}(?:e|st|nd|rd|th)?(?:\s*(?:och|and|to|till|-|–)\s*\d{{1,2}}(?:e|st|nd|rd|th)?)?"
    rf"\s+(?:{_MONTH})\b|\b(?:{_MONTH})\s+\d{{1,2}}(?:\s*(?:och|and|to|till|-|–)\s*\d{{1,2}})?\b"
    # The number of a case or a paragraph ('ärende 12', '§ 12'): a reference, not a count.
    r"|\b(?:arende|arendet|paragraf|paragrafen|punkt|item|case|agenda item)\s+\d+\b"
)


# A comparison with a place the material names only in passing ('Region Stockholm', 'söder
# om Stockholm'): 'fler skjutningar än Stockholm' asks for Stockholm's figures too.
COMPARED_PLACE = re.compile(
    r"\b(?:an|than|jamfort med|jamfor med|compared (?:to|with)|versus|vs)\s+(?:i\s+|in\s+)?"
    r"(stockholms lan|stockholm|sverige|sweden|riket|resten av landet|the rest of the country)\b"
)


def compared_places(folded: str) -> tuple[str, ...]:
    """The places outside Huddinge a question compares with."""
    return tuple(match.group(1) for match in COMPARED_PLACE.finditer(folded))


# 'vilka detaljplaner', 'which (two) plans': the words right after the question word.
ASKED_MANY = re.compile(r"\b(?:vilka|which|what)\s+(\w+)(?:\s+(\w+))?")
PLURAL_ENDINGS = ("er", "ar", "or", "s")


def asked_plurals(folded: str, groups: tuple[TermGroup, ...]) -> frozenset[int]:
    """Positions of the groups a question asks for several of: a plural noun right after
    vilka/which/what ('Vilka detaljplaner …?'), not a verb ('Vilka fick …?')."""
    asked = {w for match in ASKED_MANY.finditer(folded) for w in match.groups() if w}
    return frozenset(
        i
        for i, group in enumerate(groups)
        if group.word in asked
        and group.word.endswith(PLURAL_ENDINGS)
        and all(len(term) < len(group.word) for term in group.sv | group.en)
    )


# A figure grouped in thousands ('14 000', '1 400'): one number, not two.
THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d]|[.,]\d)")


def stated_figures(folded: str) -> frozenset[int]:
    """Numbers a question states as facts ("fem vakter", "30 procent"); years, times of
    day and ages are not figures."""
    folded = TIME_OR_AGE.sub(" ", folded)
    folded = THOUSANDS.sub(lambda match: match.group(0).replace(" ", ""), folded)
    found = {int(float(match.replace(",", "."))) for match in FIGURE.findall(folded)}
    tokens = folded.split()
    # 'en'/'ett' are articles far more often than numbers: never a stated figure.
    found |= {NUMBER_WORDS[t] for t in tokens if t in NUMBER_WORDS and t not in ("en", "ett")}
    return frozenset(found)


PART_SPLIT = re.compile(
    r"\?\s+|\s*[,;]?\s+(?:och|samt|and|plus|men|but)\s+(?=(?:nar|var|vart|vem|vilka|vilken|"
    r"vilket|hur|vad|varfor|finns|har|when|where|who|which|how|what|why|is|are|did|does)\b)"
)


def question_parts(text: str) -> list[str]:
    """A two-part question split into its parts ("När …, och var …?"); else the whole text."""
    folded = " ".join(words(text))
    parts = [part.strip() for part in PART_SPLIT.split(folded) if part and part.strip()]
    parts = [part for part in parts if len(part.split()) >= 2]
    return parts if len(parts) >= 2 else [text]


def _group_by_prefix(sorted_terms: list[str], length: int) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for term in sorted_terms:
        groups.setdefault(term[:length], []).append(term)
    return groups


def _dedupe(groups: list[TermGroup]) -> list[TermGroup]:
    seen, unique = set(), []
    for group in groups:
        key = (group.sv, group.en) if group.known else group.word
        if key not in seen:
            seen.add(key)
            unique.append(group)
    return unique
