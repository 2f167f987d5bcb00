"""False premises: what a question takes for granted that the answering entry contradicts.

Each check names one class of premise: the party that wrote a note, a signatory put under
another party's note, a stated figure, a named month, a year told, a named place, the
outcome of a decision, the direction of a change and who got or did something. A premise is
only corrected when the question states it (its asking part, not the context a message
gives before it: "Jag bor i Flemingsberg. Vem fick priset?" states nothing about
Flemingsberg). A correction is said before the answer, in the reply's
language.
A yes/no question with no premise to correct gets its "Ja." first, when nothing could make
the verdict a "no" (see `affirms`).
"""

from __future__ import annotations

import json
import re

from bot.models import Document
from bot.periods import MONTHS_EN, MONTHS_SV
from bot.query import COUNTED_THING, NUMBER_WORDS, Query, stated_figures
from bot.search import holds_term
from bot.text import (
    STOPWORDS,
    english_terms,
    fold,
    question_cues,
    question_years,
    terms,
    words,
)


def corrections(
    query: Query,
    row: dict,
    documents: dict[str, Document],
    lang: str,
    names: frozenset[str] = frozenset(),
) -> list[str]:
    """The corrections one answering entry makes to the question's premises (often none).
    `names`: the people, organisations and places the knowledge names (folded)."""
    found = [
        _party(query, row, documents, lang),
        _signer(query, documents, lang),
        _figure(query, row, lang),
        _month(query, row, lang),
        _year(query, row, lang),
        _place(query, row, lang),
        _outcome(query, row, lang),
        _dissent(query, row, documents, lang),
        _direction(query, row, lang),
        _actor(query, row, lang, names),
    ]
    return [text for text in found if text]


def _party(query: Query, row: dict, documents: dict[str, Document], lang: str) -> str | None:
    party = row["party"]
    if not party or not query.parties or party in query.parties:
        return None
    document = documents[row["document"]]
    name = (document.party_en if lang == "en" else None) or document.party or party
    claimed = ", ".join(sorted(query.parties))
    if lang == "sv":
        return f"Obs: det är {name}, inte {claimed}, som skriver detta."
    return f"Note: this was written by {name}, not {claimed}."


PARTY_CODE = re.compile(r"\((\w+)\)\s*$")


def _signer(query: Query, documents: dict[str, Document], lang: str) -> str | None:
    """A signatory put under another party's note ('Nujin Alacabek skrev för
    Miljöpartiet …', 'Did Nujin Alacabek co-sign the Social Democrats' note?'). A person's
    name counts among `query.parties`; here only the party's own name or code does."""
    notes = [d for d in documents.values() if PARTY_CODE.search(d.party or "")]
    claimed = [d for d in notes if _names_party(query, d)]
    for document in notes:
        if document in claimed:
            continue
        for person in document.signatories:
            name = person.split(" (")[0]
            if claimed and re.search(rf"\b{re.escape(fold(name).split()[-1])}\b", query.folded):
                party = (document.party_en if lang == "en" else None) or document.party
                others = ", ".join(_party_code(d) for d in claimed)
                # Who did sign the note asked about: the fact the question got wrong.
                codes = [(_party_code(d), d.signatories) for d in claimed]
                if lang == "sv":
                    signed = " ".join(
                        f"{c}:s anteckning undertecknades av {', '.join(n)}." for c, n in codes
                    )
                    told = f"{name} undertecknade anteckningen från {party}, inte {others}"
                    return f"Obs: {told}. {signed}"
                signed = " ".join(f"{c}'s note was signed by {', '.join(n)}." for c, n in codes)
                return f"Note: {name} signed the note of {party}, not {others}. {signed}"
    return None


def _names_party(query: Query, document: Document) -> bool:
    """The question names the note's party itself: its name ('Miljöpartiets', 'the Social
    Democrats'') or its code ('V', 'MP')."""
    code = _party_code(document)
    names = [document.party.split()[0], PARTY_CODE.sub("", document.party_en or "")]
    folded_names = [fold(n).removeprefix("the ").strip() for n in names if n.strip()]
    return any(n and n in query.folded for n in folded_names) or bool(
        re.search(rf"(?<![\w-]){code}(?![\w])", query.text)
    )


def entry_figures(text: str) -> frozenset[int]:
    return stated_figures(" ".join(words(text)))


# A figure is claimed in a check ("… eller hur?", "stämmer det att …", "varför anställdes
# fem …?"), not in a question that only counts what it asks for ("vilka fyra områden …?").
CLAIMING = re.compile(
    r"\b(eller hur|va|val|visst|ju|stammer det|ar det sant|right|isnt it|didnt they|correct)\b"
    r"|^(varfor|why|stammer|ar det sant|is it true|hur kommer det sig|how come)\b"
    r"|\b(rapporten|materialet|verksamhetsberattelsen|anteckningen|protokollet|the report|"
    r"the note|the minutes|it) (says|sager|skriver|states|anger|shows|visar)\b"
    r"|\b(jag (har )?(hort|last|sett)|i (heard|read|saw)|enligt|according to)\b"
)
COUNTED = re.compile(r"\b(vilka|vilken|vilket|which|what|de|dom|the|alla|all|these|those)$")


def _figure(query: Query, row: dict, lang: str) -> str | None:
    """The question states a figure ('fem trygghetsvärdar') the entry has another one for."""
    asked = {n for n in query.figures if n > 1}
    if not asked or not (query.intent == "yesno" or CLAIMING.search(query.folded)):
        return None
    asked = {n for n in asked if not _counted(query.folded, n)}
    if not asked:
        return None
    stated = entry_figures(row["answer"])
    if not stated or asked & stated:
        return None
    # Only figures of the same order of magnitude can be the same fact miscounted.
    rivals = sorted(n for n in stated if any(_comparable(n, a) for a in asked))
    if not rivals:
        return None
    told = ", ".join(_spelled(n, lang) for n in rivals)
    claimed = ", ".join(_spelled(n, lang) for n in sorted(asked))
    if lang == "sv":
        return f"Obs: materialet anger {told}, inte {claimed}."
    return f"Note: the material says {told}, not {claimed}."


def _spelled(figure: int, lang: str) -> str:
    """A figure as the reply's language groups it: '14 000', '14,000'."""
    grouped = f"{figure:,}"
    return grouped.replace(",", " ") if lang == "sv" else grouped


def _counted(folded: str, figure: int) -> bool:
    """'vilka fyra områden': the figure belongs to what is asked for, not to a claim."""
    for match in re.finditer(r"\b(\w+)\b", folded):
        token = match.group(1)
        value = int(token) if token.isdigit() else NUMBER_WORDS.get(token)
        if value == figure and COUNTED.search(folded[: match.start()].rstrip()):
            return True
    return False


NOT_STATED = re.compile(
    r"\b(anges inte|framgar inte|finns inte i materialet|namnges inte|namns inte|beskrivs inte|"
    r"redovisas inte|aterges inte|preciseras inte|forklaras inte|anger (inte|inga|ingen|inget)|"
    r"finns inte i (verksamhetsberattelsen|protokollet|rapporten)|"
    r"innehaller (inga|inte|ingen|inget)|"
    r"beskriver inte|sager inte|namnger inte|redovisar inte|is not given|are not given|"
    r"not stated|does not say|do not say|not named|not described|gives no|names no)\b"
)


def states_it_is_missing(query: Query, row: dict) -> bool:
    """The entry's own words say the asked thing is not stated: some of the question's topic
    words occur in the answer only in a sentence like '… anges inte', and not in the title;
    or such a sentence names what the question asks for: the thing after 'vilken' as what
    is not stated ('Vilken leverantör …?' and 'Leverantörens namn anges inte', not '… anges
    inte i studien'), what someone said ('Protokollet anger inte vad hon sa'), or the kind
    of fact asked ('Hur många …?' and 'Materialet anger inte hur många …')."""
    from bot.entries import sentences

    told, untold = set(), set()
    asked, anywhere = _asked_thing(query.folded)
    kinds = _asked_kinds(query)
    counted = _counted_thing(query)
    results = {i for i, g in enumerate(query.topical_groups) if RESULT.search(g.word)}
    clauses = [row["title"], *_clauses(sentences(row["answer"]))]
    told_terms = {
        term for c in clauses if not NOT_STATED.search(" ".join(words(c))) for term in terms(c)
    }
    for sentence in clauses:
        held = set(terms(sentence))
        shared = {i for i, g in enumerate(query.topical_groups) if holds_term(held, g.sv)}
        found = shared - results  # 'resultatet' names the kind of fact asked, not its topic
        said = " ".join(words(sentence))
        missing = NOT_STATED.search(said)
        if missing:
            named = said if anywhere else said[: missing.start()]  # the subject of 'anges inte'
            if asked & {*named.split(), *terms(named)} or _names_asked_kinds(
                said, kinds, shared, counted
            ):
                return True
            if (
                asked
                and not anywhere
                and not asked <= told_terms  # 'Vilket museum …?' and the museum is told
                and NAMES_IT.search(named)
                and _names_topic(named, query)
            ):
                return True  # 'Vilket företag blev leverantör?': 'Leverantörens namn anges inte
            untold.update(found)
        else:
            told.update(found)
    return bool(untold - told)


def told_part_answers(query: Query, row: dict) -> bool:
    """A gap entry whose told part gives what is asked: "Vem utnämnde biblioteken?" and
    'Materialet säger att två bibliotek har utnämnts av Statens kulturråd … Vilka bibliotek
    det är anges inte.' Every topic word of the question is in a told sentence, the
    question names nothing the entry says is not given, and it asks who, or for a thing by
    its kind ('Vilket museum …?'), and the told part names someone the entry knows; or it
    asks for a body ('Till vilket organ …?') and the told part names an organisation."""
    from bot.entries import sentences

    if not query.topical_groups or states_it_is_missing(query, row):
        return False
    kind = ASKED_KIND.search(query.folded)
    body = kind is not None and kind.group(1) in ORGANISATION_KINDS
    clauses = _clauses(sentences(row["answer"]))
    told_clauses = [c for c in clauses if not NOT_STATED.search(" ".join(words(c)))]
    told = [set(terms(clause)) for clause in told_clauses]
    topics = [g for g in query.topical_groups if not (body and g.word == kind.group(1))]
    if not all(any(holds_term(held, g.sv) for held in told) for g in topics):
        return False
    told_text = " ".join(told_clauses)
    if any(fold(district) not in fold(told_text) for district in query.districts):
        return False  # 'Jobbar de i Sjödalen?': a place the told part does not name
    organisations = json.loads(row.get("organisations") or "[]")
    if body and query.cues <= {"decision", "actor"}:
        return any(name in told_text for name in organisations)
    asked, _ = _asked_thing(query.folded)
    by_kind = not query.cues and asked and asked <= set(terms(told_text))
    if not (by_kind or query.cues == {"who"}):
        return False
    names = organisations + json.loads(row.get("people") or "[]")
    return any(name in told_text for name in names)


# A thing asked for by the kind of body it is ('vilket organ', 'which authority'): any
# organisation the told part names is the answer.
ORGANISATION_KINDS = frozenset(
    "organ organet instans instansen organisation organisationen myndighet myndigheten namnd "
    "namnden body bodies authority authorities organisations organization".split()
)


# What a question asks for by name: the word after 'vilken' / 'which' / 'what', or what
# someone said ('vad sa …', 'what did … say'), folded.
ASKED_KIND = re.compile(
    r"\b(?:vilken|vilket|vilka|which|what)\s+(?:(?:ar|var|is|are|was|were)\s+)?"
    r"(?:(?:de|dom|den|det|the|those)\s+)?(?:(?:tva|tre|fyra|fem|two|three|four|five)\s+)?"
    r"(\w+)"
)  # 'vilka (är de) två bibliotek': the libraries are asked for, not their number
# 'Vad var det Ingalill Söderberg (DP) sa …?', 'vad stod i yttrandet', 'What exactly did
# … tell the committee?': what someone said, wrote or answered.
ASKED_SAYING = re.compile(
    r"\bvad (?!heter|hette|kallas)(?:\w+ ){0,5}?"
    r"(?:sa|sade|sagt|tyckte|yttrade|berattade|framforde|svarade|stod)\b"
    r"|\bwhat (?:exactly |precisely )?did (?:\w+ ){1,6}?(?:say|tell|argue|answer|reply)\b"
)


def _names_topic(named: str, query: Query) -> bool:
    """The subject of a not-stated sentence is a topic word of the question, compared by
    stem prefix: a question's 'leverantör' and the entry's 'leverantörens' stem apart."""
    held = [term for term in terms(named) if len(term) >= 5]
    return any(
        h.startswith(t) or t.startswith(h)
        for g in query.topical_groups
        for t in g.sv
        if len(t) >= 5
        for h in held
    )


# A not-stated sentence about a name: what a 'vilket …' question asks for.
NAMES_IT = re.compile(r"\b(namn\w*|names?)\b")
SAYING = frozenset(
    {"sa", "sade", "sagt", "tyckte", "yttrade", "svarade", "said", "say", "told", "answered"}
)


def _asked_thing(folded: str) -> tuple[set[str], bool]:
    """The terms of what the question asks for, and whether a not-stated sentence may name
    it anywhere (what was said) rather than as its subject (a kind of thing)."""
    if ASKED_SAYING.search(folded):
        return set(SAYING), True
    match = ASKED_KIND.search(folded)
    if match is None or not match.group(1).isalpha() or match.group(1) in STOPWORDS:
        return set(), False  # 'vilka var de?' asks for no thing by name
    return {*terms(match.group(1)), *english_terms(match.group(1))}, False


# The kinds of fact a not-stated sentence can name as missing, as the question cues name
# them ('how much' and 'pengar' are left out: 'beloppet anges inte' does not make "Får
# Huddinge pengar …?" unanswered), and the result of a study or an analysis.
KINDS_NAMED_MISSING = frozenset({"count", "when", "name", "who", "where", "why"})
RESULT = re.compile(
    r"\b(vad (visade|gav|kom) \w*|vilka \w+ (hittade|visade|upptackte)|resultat\w*|"
    r"kom (de |den |dom )?fram till|"
    r"what did .{0,40}(show|find|conclude)|findings?|results?|outcome)\b"
)


# Details of a finding ('vilka platser upplevs som mest otrygga?'): a missing result names them.
FINDINGS = frozenset({"where", "who", "count"})


def _asked_kinds(query: Query) -> set[str]:
    result = {"result"} if RESULT.search(query.folded) else set()
    return (query.cues & KINDS_NAMED_MISSING) | result


def _names_asked_kinds(
    sentence: str, kinds: set[str], shared: set[int], counted: tuple = ()
) -> bool:
    """A folded not-stated sentence names every kind of fact asked, of a thing the question
    names ('Något antal skjutningar anges inte' leaves "hur många nätverk" answered, even
    when the question also names the shootings: the count is of what follows 'hur många');
    a result is named by the word itself."""
    if "result" in kinds and RESULT.search(sentence):
        return kinds - {"result"} <= FINDINGS  # the findings missing: where, whom, how many
    named = set(question_cues(sentence)) & KINDS_NAMED_MISSING
    named |= {"result"} if RESULT.search(sentence) else set()
    held = set(terms(sentence))
    if "count" in kinds and counted and not any(holds_term(held, g.sv) for g in counted):
        return False
    return bool(kinds) and kinds <= named and (bool(shared) or kinds == {"result"})


def _counted_thing(query: Query) -> tuple:
    """The word groups of what a count question counts ('hur många tungt kriminella
    nätverk', 'how many shootings': their Swedish terms too); none without 'hur många'."""
    return query.counted_groups if COUNTED_THING.search(query.folded) else ()


PARENTHESIS = re.compile(r"\(([^()]*)\)")


def _clauses(found: list[str]) -> list[str]:
    """Each sentence, with a remark in parentheses or after a semicolon as a clause of its
    own: "Huddinge fick medel (beloppet anges inte)" states the funding, and only the remark
    says what is not."""
    clauses = []
    for sentence in found:
        clauses += PARENTHESIS.sub(" ", sentence).split("; ")
        clauses += PARENTHESIS.findall(sentence)
    return clauses


# A yes/no question is affirmed only when nothing in it or in the answer could turn the
# verdict: a negation, a universal ("alla"), a stated figure, "now" (the material is of its
# own time), asking leave ("kan jag …") or an answer about plans rather than deeds.
UNAFFIRMABLE_QUESTION = re.compile(
    r"\b(inte|ej|inga|ingen|inget|aldrig|alla|allt|samtliga|alltid|klar|klart|fardig\w*|"
    r"nu|idag|i ar|iar|fortfarande|annu|nasta|not|no|never|all|every|always|finished|done|"
    r"now|today|yet|still|this year|currently|next)\b|n't\b"
    r"|^(kan|ska|can|could|may|should|shall)\b|^far (man|jag|vi|en|du)\b"
)
UNSURE_ANSWER = re.compile(
    r"\b(inte|ej|inga|ingen|inget|aldrig|saknas|saknar|varken|utan|planer\w*|planera\w*|"
    r"projekter\w*|ska|skall|kommer att|avser|bara|endast|not|no|never|none|nor|without|"
    r"plan\w*|will|only)\b"
)


def affirms(query: Query, answer: str, matched: frozenset[int]) -> bool:
    """A yes/no question that the answering entry confirms as asked: every topic word of the
    question is in the entry, and neither side holds a word that could make it a 'no'."""
    if query.intent != "yesno" or UNAFFIRMABLE_QUESTION.search(query.folded):
        return False
    if query.figures or not all(year in answer for year in query.years):
        return False  # a count or year the verdict could get wrong: the answer says it
    topical = query.topical_positions
    if not topical or not topical <= matched:
        return False
    from bot.entries import sentences

    # A sentence on what the material leaves out says nothing against the verdict.
    said = [" ".join(words(sentence)) for sentence in sentences(answer)]
    return not any(UNSURE_ANSWER.search(s) for s in said if not NOT_STATED.search(s))


def _comparable(stated: int, asked: int) -> bool:
    low, high = sorted((stated, asked))
    return low > 0 and high / low <= 10


def _month(query: Query, row: dict, lang: str) -> str | None:
    """The question places the fact in a month the entry's dates do not include."""
    period = query.period
    if period is None:
        return None
    if len(period.label) == 10:  # a day: a wrong day of a month the entry dates, or its month
        found = _day(query, row, lang)
        if found:
            return found
    elif not re.fullmatch(r"\d{4}-\d{2}", period.label):
        return None  # a season, quarter or year: too loose to contradict
    months = {d[:7] for d in json.loads(row["dates"] or "[]") if len(d) >= 7 and d[4] == "-"}
    months = {m for m in months if not m.endswith(("Q1", "Q2", "Q3", "Q4"))}
    if not months or any(m.endswith(period.label[4:7]) for m in months):
        return None
    names = MONTHS_SV if lang == "sv" else [m.capitalize() for m in MONTHS_EN]
    told = " / ".join(f"{names[int(m[5:7]) - 1]} {m[:4]}" for m in sorted(months))
    claimed = names[period.start.month - 1]
    if lang == "sv":
        return f"Obs: enligt materialet gäller det {told}, inte {claimed}."
    return f"Note: according to the material this was {told}, not {claimed}."


def _day(query: Query, row: dict, lang: str) -> str | None:
    """The question names a day of a month the entry dates, not a day it holds ('den 25
    oktober' and '2021-10-23')."""
    day = query.stated_day or ""
    told = [d for d in json.loads(row["dates"] or "[]") if len(d) == 10 and d[:7] == day[:7]]
    if not told or day in told:
        return None
    names = MONTHS_SV if lang == "sv" else [m.capitalize() for m in MONTHS_EN]
    said = " / ".join(f"{int(d[8:])} {names[int(d[5:7]) - 1]} {d[:4]}" for d in sorted(told))
    claimed = f"{int(day[8:])} {names[int(day[5:7]) - 1]}"
    if lang == "sv":
        return f"Obs: enligt materialet gäller det {said}, inte {claimed}."
    return f"Note: according to the material this was {said}, not {claimed}."


# A question that opens with a question word names a year as the time it asks about ('Hur
# många klotterärenden var det 2020?', 'Who got the award the year before, in 2020?'); one
# that tells first ('V lade en motion 2019, eller hur?', 'V:s motion från 2019 – vad
# föreslog den?') states the year as a premise. Only the question itself: a year in the
# sentences before it is what the asker read or did ('… diskuterat i februari 2022.').
QUESTION_WORD_FIRST = re.compile(
    r"^(vad|vilka|vilken|vilket|hur|nar|vem|vems|varfor|what|which|how|when|who|whose|why)\b"
)
SENTENCE = re.compile(r"[^.?!]+[.?!]*")


def _year(query: Query, row: dict, lang: str) -> str | None:
    """The question tells of the fact in a year other than the one the entry dates it and
    says ('V lade sin motion 2019' and 'V lade redan 2017 en motion')."""
    told_years = {
        year
        for sentence in SENTENCE.findall(fold(query.text))
        if sentence.rstrip().endswith("?")
        and not QUESTION_WORD_FIRST.match(" ".join(words(sentence)))
        for year in question_years(sentence)
    } - query.report_years
    dated = {d[:4] for d in json.loads(row["dates"] or "[]")}
    said = question_years(fold(row["answer"]))
    if len(told_years) != 1 or len(dated) != 1 or told_years & said or not dated <= said:
        return None
    [claimed], [told] = told_years, dated
    if row.get("period") and told > row["period"]:
        return None  # a date of what is to come ('ska presenteras 2022'), not of the fact asked
    if lang == "sv":
        return f"Obs: enligt materialet var det {told}, inte {claimed}."
    return f"Note: according to the material this was in {told}, not {claimed}."


# A place is claimed when the question puts the fact there ('i Skogås', 'in Vårby'), not
# when it says where the asker lives ('jag bor i Flemingsberg').
LOCATED = re.compile(r"\b(i|in|pa|vid|at|near|nara|runt|around|fran|from)$")
RESIDING = re.compile(r"\b(bor|bodde|boende|lives?|living|uppvuxen|grew up|kommer)\s+\w+$")


def _claims_place(folded: str, district: str) -> bool:
    for match in re.finditer(rf"\b{re.escape(fold(district))}\b", folded):
        before = folded[: match.start()].rstrip()
        if LOCATED.search(before) and not RESIDING.search(before):
            return True
    return False


def _place(query: Query, row: dict, lang: str) -> str | None:
    """The question places the fact in a district the entry does not name (it names others)."""
    if not any(_claims_place(query.folded, d) for d in query.districts):
        return None
    places = json.loads(row["places"] or "[]")
    folded = {fold(place) for place in places}
    if not places or query.districts_folded & folded:
        return None
    text = fold(row["answer"])
    if any(fold(d) in text for d in query.districts):
        return None
    told = ", ".join(places)
    claimed = ", ".join(sorted(query.districts))
    if lang == "sv":
        return f"Obs: materialet nämner {told} här, inte {claimed}."
    return f"Note: the material names {told} here, not {claimed}."


# The outcome of a decision: rejected, sent back or postponed against approved.
REJECTED = re.compile(
    r"\b(avslog\w*|avslag\w*|avsla\w*|underkand\w*|inte godkan\w*|aterremitt\w*|rejected|"
    r"rostade(s)? (\w+ ){0,3}(ner|bort|emot|nej)|forkasta\w*|sa nej|sade nej|blev (det )?nej|"
    r"rejects?|turned down|sent back|refused|not approved|voted (it )?down)\b"
)
APPROVED = re.compile(r"\b(godkan\w*|godkande|approv\w*|antogs|antagits|biföll\w*|bifoll\w*)\b")
POSTPONED = re.compile(r"\b(bordla\w*|postpon\w*|tabled)\b")
SENT_BACK = re.compile(r"\b(aterremitt\w*|sent back|referred back)\b")
# A member said to have entered a reservation against the decision ('Varför reserverade sig
# V …?'), and an entry saying that none was entered.
DISSENTED = re.compile(r"\b(reserverade|reserverat|reservera\w*|reservation\w*|dissent\w*)\b")
NO_DISSENT = re.compile(r"\b(ingen reservation|no dissent)\b")
ASKS_WHETHER_ANY = re.compile(r"\b(nagon|nagot|nagra|nan|nat|any|anyone|anybody)\b")


def claims_outcome(folded: str) -> bool:
    """The question says how a decision went ('Varför återremitterade beredningen …?')."""
    return any(p.search(folded) for p in (REJECTED, APPROVED, POSTPONED, DISSENTED))


def _dissent(query: Query, row: dict, documents: dict[str, Document], lang: str) -> str | None:
    """A party said to have entered a reservation ('Varför reserverade sig V …?') where the
    entry says none was entered: what the party did instead, a protocol note, when it did."""
    if not DISSENTED.search(query.folded) or ASKS_WHETHER_ANY.search(query.folded):
        return None  # 'Reserverade sig något parti?' asks; the entry answers it
    if not NO_DISSENT.search(" ".join(words(row["answer"]))):
        return None
    notes = [d for d in documents.values() if d.party and _party_code(d) in query.parties]
    names = [(d.party_en if lang == "en" else None) or d.party for d in notes]
    if lang == "sv":
        wrote = f" {' och '.join(names)} anmälde en protokollsanteckning." if names else ""
        return f"Obs: enligt materialet reserverade sig ingen; beslutet godkändes.{wrote}"
    wrote = f" {' and '.join(names)} registered a protocol note." if names else ""
    return f"Note: according to the material no one dissented; the decision was approved.{wrote}"


def _party_code(document: Document) -> str | None:
    found = PARTY_CODE.search(document.party or "")
    return found.group(1) if found else None


def _outcome(query: Query, row: dict, lang: str) -> str | None:
    """The question says a decision went one way ('Varför avslog beredningen …?'); the
    entry says it went the other."""
    said = " ".join(words(row["answer"]))
    asked = query.folded
    if DISSENTED.search(asked) and NO_DISSENT.search(said):
        return None  # said by `_dissent`, which names the party's note
    if REJECTED.search(asked) and APPROVED.search(said) and not REJECTED.search(said):
        told, claimed = ("godkändes", "avslogs") if lang == "sv" else ("approved", "rejected")
        if SENT_BACK.search(asked):
            claimed = "återremitterades" if lang == "sv" else "sent back"
    elif POSTPONED.search(asked) and APPROVED.search(said) and not POSTPONED.search(said):
        told, claimed = ("godkändes", "bordlades") if lang == "sv" else ("approved", "postponed")
    elif APPROVED.search(asked) and POSTPONED.search(said) and not APPROVED.search(said):
        told, claimed = ("bordlades", "godkändes") if lang == "sv" else ("postponed", "approved")
    elif APPROVED.search(asked) and REJECTED.search(said) and not APPROVED.search(said):
        told, claimed = ("avslogs", "godkändes") if lang == "sv" else ("rejected", "approved")
    else:
        return None
    if lang == "sv":
        return f"Obs: enligt materialet {told} det, det {claimed} inte."
    return f"Note: according to the material it was {told}, not {claimed}."


RISE = re.compile(
    r"\b(okade|okat|okar|okning\w*|fler|flera an|mer an|steg|hogre|forbattr\w*|rose|risen|"
    r"increas\w*|went up|grew|grown|higher|more than|improv\w*)\b"
)
FALL = re.compile(
    r"\b(minskade|minskat|minskar|minskning\w*|farre|mindre|sjonk|sjunkit|lagre|forsamr\w*|"
    r"fell|fallen|decreas\w*|went down|dropped|declin\w*|fewer|lower|less|worse\w*)\b"
)
# Two figures compared: "415 …, jämfört med 474 år 2020" or "415 … (474 år 2020)"; years
# are no figures.
FIGURE_NOT_YEAR = r"(?<![\d])(?!(?:19|20)\d\d\b)(\d[\d ]*(?:[.,]\d+)?)"
COMPARED = re.compile(
    FIGURE_NOT_YEAR
    + r"\s*%?[^.;]*?(?:jämfört med "
    + FIGURE_NOT_YEAR
    + r"|\("
    + FIGURE_NOT_YEAR
    + r"\s*%?\s*år (?:19|20)\d\d)"
)


def _direction(query: Query, row: dict, lang: str) -> str | None:
    """The question says a figure rose where the entry says it fell, or the other way."""
    asked = query.folded
    claimed = _trend(asked)
    if claimed is None:
        return None
    told = _entry_trend(row["answer"], query.years)
    if told is None or told == claimed:
        return None
    if lang == "sv":
        words_sv = {"up": "en ökning", "down": "en minskning"}
        return f"Obs: enligt materialet var det {words_sv[told]}, inte {words_sv[claimed]}."
    words_en = {"up": "an increase", "down": "a decrease"}
    return f"Note: according to the material this was {words_en[told]}, not {words_en[claimed]}."


def _trend(folded: str) -> str | None:
    up, down = bool(RISE.search(folded)), bool(FALL.search(folded))
    if up == down:
        return None  # neither, or both ("ökade eller minskade?"): nothing is claimed
    return "up" if up else "down"


def _entry_trend(answer: str, years: frozenset[str]) -> str | None:
    """What the entry says the change was: explicit words in the clause about the asked
    year, else two figures compared ('415 …, jämfört med 474 år 2020')."""
    clauses = [c for c in re.split(r"[.;]| men | but ", answer) if c.strip()]
    about = [c for c in clauses if any(year in c for year in years)] or clauses
    trends = {_trend(" ".join(words(c))) for c in about} - {None}
    if len(trends) == 1:
        return trends.pop()
    if trends:
        return None
    match = COMPARED.search(answer)
    if match is None:
        return None
    now, compared, bracketed = match.groups()
    now, then = (
        float(g.replace(" ", "").replace(",", ".") or 0) for g in (now, compared or bracketed)
    )
    return None if now == then else ("up" if now > then else "down")


# Who got or did something, stated in the question: a name the answering entry does not
# have, where the entry names its own people or organisations.
ACTING = re.compile(
    r"\b(fick|vann|won|got|received|tilldelades|belonades|ledde|leder|led|leads|arrangerade|"
    r"ordnade|organi[sz]ed|hold|held|holl|utsag|utnamnde|named|appointed|skrev|wrote|"
    r"genomforde|carried out|ansvarade|ansvarar)\b"
)
CAPITALISED = re.compile(r"\b([A-ZÅÄÖ][a-zåäöé]+(?:\s+[A-ZÅÄÖ][a-zåäöé]+)*)")


def _actor(query: Query, row: dict, lang: str, names: frozenset[str]) -> str | None:
    if not ACTING.search(query.folded) or row["party"]:
        return None  # a party's note is the party and signatory checks' (a signatory's name
        # also names the party: 'Pran Malhotra fick väl priset?' is still about the prize)
    actors = [*json.loads(row["people"] or "[]"), *json.loads(row["organisations"] or "[]")]
    if not actors:
        return None
    said = set(terms(row["answer"]))
    named = [
        name
        for name in CAPITALISED.findall(query.text)
        if not _common_name(name)
        and not set(terms(name)) <= said
        and fold(name) not in query.districts_folded
        and _named_in(names, name)
    ]
    if not named:
        return None
    told = ", ".join(actors)
    claimed = ", ".join(named)
    if lang == "sv":
        return f"Obs: enligt materialet gäller det {told}, inte {claimed}."
    return f"Note: according to the material this was {told}, not {claimed}."


def _named_in(names: frozenset[str], name: str) -> bool:
    """A name the knowledge gives to a person, an organisation or a place: one the question
    can be wrong about ('Allsvenskan' is another subject, 'Skrev' a verb)."""
    folded = fold(name)
    return any(folded == known or folded in known.split() for known in names)


def _common_name(name: str) -> bool:
    """Capitalised words that name no actor: the municipality, months, the material."""
    folded = " ".join(words(name))
    return folded in COMMON_NAMES or folded.split()[0] in COMMON_NAMES


COMMON_NAMES = frozenset(
    """huddinge huddinges kommun kommunen sverige sweden swedish i jag vi the a what who
    why when how which is was did does english svenska januari februari mars april maj juni
    juli augusti september oktober november december january february march may june july
    august october""".split()
)
