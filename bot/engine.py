"""answer(question) -> Answer: decide answer / suggest / abstain. Never raises on user input."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from bot.index import (
    DEFAULT_INDEX_PATH,
    build_index,
    index_is_stale,
    knowledge_fingerprint,
    open_read_only,
)
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from bot.models import AREAS, Answer, Document, QuoteCheck, Source, Suggestion
from bot.periods import Period, find_period, format_date, parse_iso
from bot.quotes import QuoteChecker
from bot.render import DEFAULT_CONTACT, abstain_text, compose_text, suggestion_text
from bot.search import Match, Query, Searcher, SearchTuning
from bot.text import clean, detect_language, fold, words

log = logging.getLogger(__name__)

LONG_QUESTION = 350
TIMELINE_CUE = re.compile(
    r"\b(vad hande|vad hander|vad gjordes|vad skedde|handelser\w*|tidslinje\w*|"
    r"what happened|what was done|events?|timeline)\b"
)
PLACE_CUE = re.compile(
    r"\b(vad har (gjorts|hant|skett)|vad gors|vad hander|what has been done|"
    r"what happened|what is being done)\b"
)
OPINION_CUE = re.compile(
    r"\b(tyckte|tycker|tyck|anser|ansag|asikt\w*|skrev|skriver|menar|sa|sade|think|thought|"
    r"say|said|wrote|write|position|opinion|view)\b"
)
REQUIRED_CUES = ("count", "share", "cost", "future")
QUESTION_WORDS = re.compile(r"\b(nar|vad|vilken|vilket|vilka|hur|vem|when|what|which|how|who)\b")
SAME_TOPIC_OVERLAP = 0.3
GREETING = re.compile(
    r"(hej|hejsan|hallå|halla|tjena|tja|hello|hi|hey|god (morgon|dag|kvall))( (pa dig|dar|bot))?"
)
THANKS = re.compile(
    r"(tack|tack sa mycket|tusen tack|tackar|thanks|thank you|thx)( (sa mycket|bot))?"
)
PARTY_NAMES = {
    "sv": {"S": "Socialdemokraterna (S)", "V": "Vänsterpartiet (V)", "MP": "Miljöpartiet (MP)"},
    "en": {
        "S": "the Social Democrats (S)",
        "V": "the Left Party (V)",
        "MP": "the Green Party (MP)",
    },
}


@dataclass(frozen=True)
class Thresholds:
    """Decision knobs, set on the whole public question set."""

    answer: float = 0.52
    suggest: float = 0.30
    margin: float = 0.02
    tie_margin: float = 0.1
    broad_entries: int = 4
    coverage_tie: float = 0.05
    specific_weight: float = 1.2
    gap: float = 0.40
    companion: float = 0.80
    multi_part_companion: float = 0.6
    asked_gap_margin: float = 0.13


class Engine:
    """The answering core over one read-only index."""

    def __init__(
        self,
        connection,
        *,
        contact_text: str | None = None,
        tuning: SearchTuning | None = None,
        thresholds: Thresholds | None = None,
    ):
        self.db = connection
        self.searcher = Searcher(connection, tuning)
        self.thresholds = thresholds or Thresholds()
        self.contact_text = contact_text
        self._documents = self._load_documents()
        self._quotes: QuoteChecker | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        db_path: Path | str | None = None,
        *,
        contact_text: str | None = None,
        knowledge_dir: Path | str | None = None,
    ) -> Engine:
        """Open an index read-only; the default index is (re)built first when stale."""
        if db_path is None:
            db_path = DEFAULT_INDEX_PATH
            ensure_index(db_path, knowledge_dir or DEFAULT_KNOWLEDGE_DIR)
        return cls(open_read_only(db_path), contact_text=contact_text)

    def _load_documents(self) -> dict[str, Document]:
        documents = {}
        for row in self.db.execute("select * from documents order by position"):
            data = dict(row)
            data.pop("position", None)
            data["signatories"] = tuple(json.loads(data["signatories"] or "[]"))
            documents[data["id"]] = Document(**data)
        return documents

    @property
    def entry_count(self) -> int:
        return self.searcher.entry_total

    # -- answering ------------------------------------------------------------------------

    def answer(self, question: str, lang: str | None = None) -> Answer:
        return self._answer_and_matches(question, lang)[0]

    def _answer_and_matches(self, question: str, lang: str | None) -> tuple[Answer, list[Match]]:
        try:
            with self._lock:
                return self._answer(question if isinstance(question, str) else "", lang)
        except Exception:  # the engine never fails a user; the log keeps the cause
            log.exception("answering failed")
            return self._abstain(str(question)[:200], lang or "sv", "not_understood"), []

    def _answer(self, question: str, lang: str | None) -> tuple[Answer, list[Match]]:
        """The reply, and the ranked entries it was decided from (none for early replies)."""
        text = clean(question)
        focus = focus_question(text)
        lang = lang or detect_language(focus)
        if not words(focus):
            return self._abstain(text, lang, "not_understood"), []
        small_talk = _small_talk(focus)
        if small_talk:
            return self._abstain(text, detect_language(focus), small_talk), []
        query = self.searcher.analyse(focus, lang)
        if query.outside:
            return self._abstain(text, lang, "outside_scope", place=query.outside[0]), []
        structured = self._structured(query, text, lang)
        if structured is not None:
            return structured, []
        if not query.known_groups:
            # A real question about something else is outside the material; anything
            # else (gibberish, instructions to the bot) was not understood.
            asks = "?" in focus or QUESTION_WORDS.search(" ".join(words(focus)))
            reason = "not_in_material" if asks and query.groups else "not_understood"
            return self._abstain(text, lang, reason), []
        matches = self.searcher.rank(query)
        return self._decide(query, text, lang, matches), matches

    def _decide(self, query: Query, text: str, lang: str, matches: list[Match]) -> Answer:
        limits = self.thresholds
        if not matches or matches[0].score < limits.suggest:
            return self._abstain(text, lang, "not_in_material", matches=matches)
        top = matches[0]
        if top.entry.kind == "gap" and top.score >= limits.gap:
            return self._gap(text, lang, top)
        missing = self._asked_gap(query, top, matches)
        if missing is not None:
            return self._gap(text, lang, missing)
        if self._confident(query, [self._with_companion(query, matches), *matches[1:]]):
            return self._entry_answer(text, lang, top, query, matches)
        options = [m for m in matches if m.entry.kind != "gap" and m.score >= limits.suggest]
        if not options:
            if top.entry.kind == "gap":
                return self._gap(text, lang, top)
            return self._abstain(text, lang, "not_in_material", matches=matches)
        return self._suggest(text, lang, _diverse(options, 3), top.score)

    def _with_companion(self, query: Query, matches: list[Match]) -> Match:
        """The top match, credited with the words its same-section companion answers."""
        top = matches[0]
        companions = self._companions(top, matches, query)
        if not companions or not query.total_weight:
            return top
        extra = companions[0].matched - top.matched
        gained = sum(query.groups[i].weight for i in extra) / query.total_weight
        score = min(1.0, top.score + self.searcher.tuning.coverage_share * gained)
        return replace(top, score=score, coverage=min(1.0, top.coverage + gained))

    def _asked_gap(self, query: Query, top: Match, matches: list[Match]) -> Match | None:
        """A gap of the top entry's section that is about just what the question asks
        ('hur många …?' where the section says the number is not given)."""
        for match in matches[1:4]:
            if (
                match.entry.kind == "gap"
                and _same_section(match, top)
                and match.entry.asked_cues & query.cues
                and top.score - match.score <= self.thresholds.asked_gap_margin
            ):
                return match
        return None

    def _confident(self, query: Query, matches: list[Match]) -> bool:
        top, limits = matches[0], self.thresholds
        if top.score < limits.answer or top.best_weight < limits.specific_weight:
            return False
        if query.years and top.entry.kind != "gap" and not query.years & top.entry.years:
            return False  # asked about another year than the entry speaks of
        if len(top.matched) == 1 and query.groups[next(iter(top.matched))].repaired:
            return False  # one guessed spelling is all the evidence: ask instead
        if self._broad(query, matches):
            return False  # one word found in many entries: offer choices instead
        year = self.searcher.tuning.report_year
        if any(cue in query.cues and not top.entry.satisfies(cue, year) for cue in REQUIRED_CUES):
            return False  # a count or cost question answered without a figure is a wrong answer
        rivals = [m for m in matches[1:] if not _same_topic(m, top)]
        if not query.parties and not top.entry.row["party"]:
            # A party's note on the same facts is another view, not another answer.
            rivals = [m for m in rivals if not m.entry.row["party"]]
        if not rivals:
            return True
        rival = rivals[0]
        # When a rival holds as many of the question's words, only a clear lead decides.
        tied = rival.coverage >= top.coverage - limits.coverage_tie
        if query.parties and top.entry.row["party"] in query.parties:
            tied = tied and rival.entry.row["party"] in query.parties  # the named party decides
        return top.score - rival.score >= (limits.tie_margin if tied else limits.margin)

    def _broad(self, query: Query, matches: list[Match]) -> bool:
        """A one-word question whose word occurs in many entries of different sections."""
        known = query.known_groups
        if len(known) != 1 or len(query.groups) != 1 or query.parties or query.cues:
            return False  # a party, or a question word, says more than the one word
        group = known[0]
        spread = min(self.searcher.sv_df.get(term, 0) for term in group.sv) if group.sv else 0
        top = matches[0].coverage
        sections = {
            (m.entry.row["document"], m.entry.row["section"])
            for m in matches
            if m.coverage >= top - self.thresholds.coverage_tie and m.entry.kind != "gap"
        }
        return spread > self.thresholds.broad_entries and len(sections) > 1

    def _entry_answer(
        self, text: str, lang: str, top: Match, query: Query, matches: list[Match]
    ) -> Answer:
        chosen = [top, *self._companions(top, matches, query)]
        bodies = [self._body(match.entry.row, lang) for match in chosen]
        notice = self._party_notice(query, top, lang)
        body = " ".join(([notice] if notice else []) + bodies)
        sources = tuple(self._source(match.entry.row) for match in chosen)
        return Answer(
            question=text,
            status="answer",
            answer=body,
            text=compose_text(body, sources, lang),
            confidence=min(top.score, 1.0),
            entry_id=top.entry.id,
            lang=lang,
            sources=sources,
            related=self._related(top.entry.row, exclude={m.entry.id for m in chosen}),
            notice=notice,
        )

    def _companions(self, top: Match, matches: list[Match], query: Query) -> list[Match]:
        """A second entry of the same section that covers words the first one does not."""
        share = self.thresholds.companion
        if len(QUESTION_WORDS.findall(" ".join(words(query.text)))) >= 2:
            share = self.thresholds.multi_part_companion  # "när …, och vad …?"
        for match in matches[1:3]:
            if (
                match.entry.kind != "gap"
                and _same_section(match, top)
                and match.score >= share * top.score
                and match.matched - top.matched
            ):
                return [match]
        return []

    def _party_notice(self, query: Query, top: Match, lang: str) -> str | None:
        party = top.entry.row["party"]
        if not party or not query.parties or party in query.parties:
            return None
        names = PARTY_NAMES[lang]
        claimed = ", ".join(names.get(p, p) for p in sorted(query.parties))
        if lang == "sv":
            return f"Obs: det är {names[party]}, inte {claimed}, som skriver detta."
        return f"Note: this was written by {names[party]}, not {claimed}."

    def _gap(self, text: str, lang: str, match: Match) -> Answer:
        row = match.entry.row
        source = self._source(row)
        body = self._body(row, lang)
        contact = self.contact_text or DEFAULT_CONTACT[lang]
        reply = compose_text(body, (source,), lang) + f"\n\n{contact}"
        return Answer(
            question=text,
            status="abstain",
            answer=None,
            text=reply,
            confidence=min(match.score, 1.0),
            entry_id=row["id"],
            lang=lang,
            sources=(source,),
            reason="gap",
            detail=body,
            contact=contact,
        )

    def _suggest(self, text: str, lang: str, options: list[Match], confidence: float) -> Answer:
        suggestions = tuple(
            Suggestion(m.entry.id, self._title(m.entry.row, lang)) for m in options
        )
        return Answer(
            question=text,
            status="suggest",
            answer=None,
            text=suggestion_text(suggestions, lang),
            confidence=min(confidence, 1.0),
            entry_id=None,
            lang=lang,
            suggestions=suggestions,
        )

    def _abstain(
        self, text: str, lang: str, reason: str, *, place: str = "", matches: list[Match] = ()
    ) -> Answer:
        confidence = matches[0].score if matches else 0.0
        return Answer(
            question=text,
            status="abstain",
            answer=None,
            text=abstain_text(reason, lang, self.contact_text, place),
            confidence=min(confidence, 1.0),
            entry_id=None,
            lang=lang,
            reason=reason,
        )

    # -- structured questions -------------------------------------------------------------

    def _structured(self, query: Query, text: str, lang: str) -> Answer | None:
        folded = " ".join(words(query.text))
        if TIMELINE_CUE.search(folded):
            period = find_period(folded)
            if period is not None or "tidslinje" in folded or "timeline" in folded:
                return self.timeline(lang, period=period, question=text)
        if query.districts and PLACE_CUE.search(folded) and len(query.known_groups) <= 2:
            return self.place_overview(sorted(query.districts)[0], lang, question=text)
        if query.parties and OPINION_CUE.search(folded) and len(query.known_groups) <= 1:
            return self.party_overview(sorted(query.parties)[0], lang, question=text)
        return None

    def timeline(
        self, lang: str | None = None, period: Period | str | None = None, question: str = ""
    ) -> Answer:
        lang = lang or "sv"
        if isinstance(period, str):  # "2021-10", "2022-Q1" or words: "december 2021"
            period = parse_iso(period.strip()) or find_period(" ".join(words(period)))
        events = self._events(period)
        if not events:
            return self._abstain(question, lang, "not_in_material")
        by_date: dict[str, list[str]] = {}
        for date, row in events:
            by_date.setdefault(date, []).append(self._title(row, lang))
        lines = [
            f"• {format_date(date, lang)}: {'; '.join(titles)}" for date, titles in by_date.items()
        ]
        heading = _timeline_heading(period, lang)
        rows = [row for _, row in events]
        return self._listing(question, lang, heading, lines, rows)

    def _events(self, period: Period | None) -> list[tuple[str, dict]]:
        """Dated facts inside the period (whole-year dates only when a year is asked),
        one line per entry, in date order; gaps are no events."""
        events = []
        for entry_id, value in self.db.execute("select entry, date from dates"):
            span = parse_iso(value)
            if span is None or not _within(span, period):
                continue
            events.append((span.start, value, entry_id))
        events.sort()
        result, seen = [], set()
        for _, value, entry_id in events:
            row = self.searcher.entry_by_id(entry_id).row
            if entry_id in seen or row["kind"] == "gap":
                continue
            seen.add(entry_id)
            result.append((value, row))
        return result

    def place_overview(self, place: str, lang: str | None = None, question: str = "") -> Answer:
        lang = lang or "sv"
        sql = (
            "select entries.* from places join entries on entries.id = places.entry "
            "where places.folded = ? and entries.kind != 'gap' order by entries.n"
        )
        rows = [dict(row) for row in self.db.execute(sql, (fold(place),))]
        if not rows:
            return self._abstain(question, lang, "not_in_material")
        heading = (
            f"Det här säger materialet om {place}:"
            if lang == "sv"
            else (f"What the material says about {place}:")
        )
        lines = [f"• {self._title(row, lang)}" for row in rows]
        return self._listing(question, lang, heading, lines, rows)

    def party_overview(self, party: str, lang: str | None = None, question: str = "") -> Answer:
        rows = self.db.execute("select * from entries where party = ?", (party,)).fetchall()
        best = self._best_of(rows, "protokollsanteckning översikt i korthet")
        if best is None:
            return self._abstain(question, lang or "sv", "not_in_material")
        return self.answer_entry(best, lang, question=question)

    def referrals(self, lang: str | None = None) -> Answer:
        """The entry that lists all remisser (the best match for such a question)."""
        rows = self.db.execute("select * from entries where kind = 'referral'").fetchall()
        best = self._best_of(rows, "vilka remisser mottog beredningen lista alla remisser")
        if best is None:
            return self._abstain("", lang or "sv", "not_in_material")
        return self.answer_entry(best, lang)

    def _best_of(self, rows, question: str) -> str | None:
        """Among some entries, the id of the one that best answers a fixed question."""
        query = self.searcher.analyse(question, "sv")
        scored = [
            (self.searcher.score(query, self.searcher.entry(r["n"])).score, r["id"]) for r in rows
        ]
        return max(scored)[1] if scored else None

    def _listing(
        self, question: str, lang: str, heading: str, lines: list[str], rows: list[dict]
    ) -> Answer:
        body = "\n".join([heading, *lines])
        sources = tuple(self._source(row) for row in rows)
        return Answer(
            question=question,
            status="answer",
            answer=body,
            text=compose_text(body, sources, lang),
            confidence=1.0,
            entry_id=None,
            lang=lang,
            sources=sources,
        )

    # -- browsing -------------------------------------------------------------------------

    def answer_entry(self, entry_id: str, lang: str | None = None, question: str = "") -> Answer:
        lang = lang or "sv"
        entry = self.searcher.entry_by_id(str(entry_id))
        if entry is None:
            return self._abstain(question, lang, "unknown_entry")
        match = Match(entry, 1.0, 1.0, 1.0)
        if entry.kind == "gap":
            return self._gap(question or entry.row["title"], lang, match)
        empty = self.searcher.analyse("", lang)
        return self._entry_answer(question or entry.row["title"], lang, match, empty, [match])

    def search(self, question: str, limit: int = 5, lang: str | None = None) -> list[Answer]:
        """Up to `limit` sourced answers for inline mode, best first."""
        first, matches = self._answer_and_matches(question, lang)
        if first.status == "abstain":
            return []
        if first.status == "answer" and first.entry_id is None:
            return [first]  # a composed answer: a timeline, a place or a list
        ids = [first.entry_id] if first.status == "answer" and first.entry_id else []
        ids += [s.entry_id for s in first.suggestions]
        ids += [m.entry.id for m in matches if m.entry.kind != "gap"]
        answers, seen = [], set()
        for entry_id in ids:
            if entry_id in seen:
                continue
            seen.add(entry_id)
            answers.append(self.answer_entry(entry_id, first.lang, question=question))
            if len(answers) == limit:
                break
        return answers

    def areas(self) -> list[str]:
        return list(AREAS)

    def priorities(self, area: str) -> list[tuple[int, str]]:
        """(number, section heading) of an area's priorities, e.g. (3, '3. Ren och trygg …')."""
        sql = (
            "select priority, min(section) from entries where area = ? and priority is not null "
            "and section glob '[0-9]*' group by priority order by priority"
        )
        return [(number, section) for number, section in self.db.execute(sql, (area,))]

    def list_entries(
        self, *, kind: str | None = None, area: str | None = None, priority: int | None = None
    ) -> list[Suggestion]:
        sql = (
            "select id, title from entries where (? is null or kind = ?) "
            "and (? is null or area = ?) and (? is null or priority = ?) order by n"
        )
        rows = self.db.execute(sql, (kind, kind, area, area, priority, priority))
        return [Suggestion(entry_id, title) for entry_id, title in rows]

    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def check_quote(self, text: str) -> QuoteCheck:
        with self._lock:
            if self._quotes is None:
                self._quotes = QuoteChecker.from_index(self.db, self._documents)
            return self._quotes.check(text if isinstance(text, str) else "")

    # -- helpers --------------------------------------------------------------------------

    def _related(self, row: dict, exclude: set[str]) -> tuple[Suggestion, ...]:
        sql = (
            "select id, title from entries where document = ? and section = ? and kind != 'gap' "
            "order by n"
        )
        siblings = self.db.execute(sql, (row["document"], row["section"])).fetchall()
        related = [Suggestion(r["id"], r["title"]) for r in siblings if r["id"] not in exclude]
        return tuple(related[:3])

    def _body(self, row: dict, lang: str) -> str:
        return row["answer_en"] if lang == "en" else row["answer"]

    def _title(self, row: dict, lang: str) -> str:
        return (row["title_en"] or row["title"]) if lang == "en" else row["title"]

    def _source(self, row: dict) -> Source:
        document = self._documents[row["document"]]
        return Source(
            document=document.id,
            title=document.title,
            section=row["section"],
            date=document.date,
            reference=document.reference,
            quote=row["quote"],
        )


def _same_section(first: Match, second: Match) -> bool:
    a, b = first.entry.row, second.entry.row
    return a["document"] == b["document"] and a["section"] == b["section"]


def _same_topic(first: Match, second: Match) -> bool:
    """Same section, or two entries telling largely the same facts (no real choice)."""
    if _same_section(first, second):
        return True
    a, b = first.entry.body, second.entry.body
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_TOPIC_OVERLAP


def _within(span: Period, period: Period | None) -> bool:
    if period is None:
        return span.start != span.end.replace(month=1, day=1) or span.end.month != 12
    return period.start <= span.start and span.end <= period.end


def _timeline_heading(period: Period | None, lang: str) -> str:
    if period is None:
        return "Tidslinje:" if lang == "sv" else "Timeline:"
    start = format_date(period.start.isoformat(), lang)
    end = format_date(period.end.isoformat(), lang)
    if lang == "sv":
        return f"Det här hände {start} – {end} enligt materialet:"
    return f"What happened {start} – {end} according to the material:"


def _diverse(options: list[Match], limit: int) -> list[Match]:
    """The best option of each section first, so that choices really differ."""
    firsts, rest, sections = [], [], set()
    for match in options:
        section = (match.entry.row["document"], match.entry.row["section"])
        (rest if section in sections else firsts).append(match)
        sections.add(section)
    return (firsts + rest)[:limit]


def _small_talk(text: str) -> str | None:
    """'greeting' or 'thanks' when that is all the message says."""
    folded = " ".join(words(text))
    if GREETING.fullmatch(folded):
        return "greeting"
    if THANKS.fullmatch(folded):
        return "thanks"
    return None


def focus_question(text: str) -> str:
    """In a long message, the sentences that ask something (usually the last ones)."""
    if len(text) <= LONG_QUESTION:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    asking = [sentence for sentence in sentences if sentence.rstrip().endswith("?")]
    chosen = asking[-2:] if asking else sentences[-2:]
    return " ".join(chosen)[-LONG_QUESTION * 2 :]


def ensure_index(db_path: Path | str, knowledge_dir: Path | str = DEFAULT_KNOWLEDGE_DIR) -> bool:
    """Build the index when it is missing or older than the knowledge files."""
    if not index_is_stale(db_path, knowledge_dir):
        return False
    print(f"Building the knowledge index {db_path} …", file=sys.stderr)
    kb = load_knowledge(knowledge_dir)
    build_index(kb, db_path, fingerprint=knowledge_fingerprint(knowledge_dir))
    return True
