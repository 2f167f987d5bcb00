"""answer(question) -> Answer. The answering core; never raises on user input.

The path of one question: clean it, pick the asking sentences of a long message, handle
greetings, places outside the material and listings (timeline, place, party); then rank the
candidate entries with the fitted model (bot.ranker), decide (bot.decision) and word the
reply (bot.render). Two-part questions are answered part by part.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.decision import Plan, decide
from bot.entries import body_of, source_of, title_of
from bot.index import (
    DEFAULT_INDEX_PATH,
    build_index,
    index_is_stale,
    knowledge_fingerprint,
    open_read_only,
)
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from bot.listings import Listings
from bot.models import Answer, Document, QuoteCheck, Suggestion
from bot.periods import find_period, parse_iso
from bot.premises import affirms, corrections, states_it_is_missing
from bot.query import Query, question_parts
from bot.quotes import QuoteChecker
from bot.ranker import Ranked, Ranking, RankingModel, Thresholds, load_models
from bot.render import (
    ABSTAIN_LEAD,
    DEFAULT_CONTACT,
    YES,
    abstain_text,
    compose_text,
    not_stated_text,
    suggestion_text,
    unstated_text,
)
from bot.search import Searcher
from bot.text import clean, detect_language, words

log = logging.getLogger(__name__)

LONG_QUESTION = 350
# From this calibrated confidence on, the lexical model's answers are right at least 95 %
# of the time (the reliability table of scripts/benchmark.py): the semantic signal is
# then not worth its cost, which is most of an answer's time.
SURE_LEXICAL = 0.8
TIMELINE_WORD = re.compile(r"\b(tidslinje\w*|timeline|handelser\w*|events)\b")
OPINION_CUE = re.compile(
    r"\b(tyckte|tycker|tyck|anser|ansag|asikt\w*|skrev|skriver|menar|sa|sade|think|thought|"
    r"say|said|wrote|write|position|opinion|view)\b"
)
# "Finns det … i <kommundel>?": a question whether something exists in a place.
EXISTENCE = re.compile(
    r"^(finns|fanns|kommer det|blir det|har (det|ni|man|kommunen|dom|de) (satt|installerat|"
    r"byggt|infort|ordnat|fatt)|are there|is there|will there)\b"
)
# The bot's own view asked for ("tycker du …?"): it answers from the material, not a view.
BOT_OPINION = re.compile(
    r"\b(tycker du|anser du|tror du|din asikt|do you think|your (opinion|view))\b"
)
QUESTION_WORDS = re.compile(r"\b(nar|vad|vilken|vilket|vilka|hur|vem|when|what|which|how|who)\b")
GREETING = re.compile(
    r"(hej|hejsan|hallå|halla|tjena|tja|hello|hi|hey|god (morgon|dag|kvall))( (pa dig|dar|bot))?"
)
THANKS = re.compile(
    r"(tack|tack sa mycket|tusen tack|tackar|thanks|thank you|thx)( (sa mycket|bot))?"
)


class IndexUnavailableError(Exception):
    """The knowledge index cannot be read: an operator error, not a question the bot missed."""


@dataclass(frozen=True)
class _Reply:
    answer: Answer
    ranked: tuple[Ranked, ...] = ()


class Engine:
    """The answering core over one read-only index."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        contact_text: str | None = None,
        model: RankingModel | None = None,
        semantic: bool = True,
    ):
        self.db = connection
        self.contact_text = contact_text
        self._documents = self._load_documents()
        encoder = _semantic_index(connection) if semantic else None
        self.searcher = Searcher(connection, encoder)
        models = load_models()
        if model is None:
            model = models["semantic"] if encoder and "semantic" in models else models["lexical"]
        self.model = model
        # A question the lexical model answers with SURE_LEXICAL confidence is not encoded.
        self.fast_model = models.get("lexical") if model.uses_semantic else None
        self.listings = Listings(connection, self._documents)
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
            data["areas"] = tuple(json.loads(data.get("areas") or "[]"))
            documents[data["id"]] = Document(**data)
        return documents

    @property
    def entry_count(self) -> int:
        return self.searcher.entry_total

    def known_words(self) -> frozenset[str]:
        """Every word form the knowledge uses, folded: never taken for a person's name."""
        return frozenset(word for (word,) in self.db.execute("select word from surface"))

    def self_check(self) -> bool:
        """Whether the index answers: the first curated question gets its own entry. For
        health checks; raises IndexUnavailableError when the index cannot be read."""
        try:
            row = self.db.execute(
                "select curated.folded, entries.id from curated join entries "
                "on entries.n = curated.entry order by curated.entry limit 1"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise IndexUnavailableError(f"the knowledge index cannot be read: {error}") from None
        return row is not None and self.answer(row[0]).entry_id == row[1]

    # -- answering ------------------------------------------------------------------------

    def answer(self, question: str, lang: str | None = None) -> Answer:
        return self._reply(question, lang).answer

    def _reply(self, question: str, lang: str | None) -> _Reply:
        try:
            with self._lock:
                return self._answer(question if isinstance(question, str) else "", lang)
        except sqlite3.DatabaseError as error:
            raise IndexUnavailableError(f"the knowledge index cannot be read: {error}") from None
        except Exception:  # the engine never fails a user; the log keeps the cause
            log.exception("answering failed")
            return _Reply(self._abstain(str(question)[:200], lang or "sv", "not_understood"))

    def _answer(self, question: str, lang: str | None) -> _Reply:
        routed = self._route(question, lang)
        if isinstance(routed, Answer):
            return _Reply(routed)
        text, focus, query = routed
        ranking, thresholds = self.rank(query)
        plan = decide(ranking, query, thresholds)
        ranked = tuple(ranking.ranked)
        if BOT_OPINION.search(query.folded):
            return _Reply(self._no_opinion(plan, text, query.lang), ranked)
        parts = self._parts(focus, query.lang, plan)
        if parts is not None:
            return _Reply(self._combined(parts, query, text, query.lang), ranked)
        return _Reply(self._reply_for(plan, query, text, query.lang), ranked)

    def _route(self, question: str, lang: str | None) -> Answer | tuple[str, str, Query]:
        """The early replies (empty input, small talk, other places, listings, a curated
        question word for word), or (text, asking part, query) for a question to rank."""
        text = clean(question)
        focus = focus_question(text)
        lang = lang or detect_language(focus)
        if not words(focus):
            return self._abstain(text, lang, "not_understood")
        small_talk = _small_talk(focus)
        if small_talk:
            return self._abstain(text, detect_language(focus), small_talk)
        query = self.searcher.analyse(focus, lang)
        if query.outside:
            return self._abstain(text, lang, "outside_scope", place=query.outside[0])
        listing = self._listing_for(query, text, lang) if len(words(focus)) > 1 else None
        if listing is not None:
            return listing
        curated = self.searcher.curated_match(focus)
        if curated is not None:  # asked exactly as a curated question: that entry
            ranked = Ranked(self.searcher.describe(query, curated), 0.0, 1.0)
            return self._reply_for(Plan(_kind(ranked), 1.0, (ranked,)), query, text, lang)
        if not any(_telling(group.word) for group in query.known_groups):
            # A real question about something else is outside the material; anything
            # else (gibberish, bare numbers, instructions to the bot) was not understood.
            asks = "?" in focus or QUESTION_WORDS.search(query.folded)
            reason = "not_in_material" if asks and query.groups else "not_understood"
            return self._abstain(text, lang, reason)
        return text, focus, query

    def ranking_query(self, question: str, lang: str | None = None) -> Query | None:
        """The analysed question when it is answered by ranking (None for early replies);
        what the ranking model is fitted on."""
        routed = self._route(question, lang)
        return None if isinstance(routed, Answer) else routed[2]

    def rank(self, query: Query) -> tuple[Ranking, Thresholds]:
        """The ranking and the decision bars of the model that made it: the lexical one when
        it is sure of a fact entry, else the full model."""
        candidates = self.searcher.lexical_candidates(query)
        if self.fast_model is not None:
            lexical = self.fast_model.rank(candidates)
            top = lexical.top
            if top and not top.entry.is_gap and lexical.calibrate(top.probability) >= SURE_LEXICAL:
                return lexical, self.fast_model.thresholds
        candidates = self.searcher.with_meaning(query, candidates)  # the described ones reused
        return self.model.rank(candidates), self.model.thresholds

    def _parts(self, focus: str, lang: str, whole: Plan) -> list[tuple[Query, Plan]] | None:
        """Each part of a two-part question with its own plan, when the parts are answered
        by different entries (else the question is answered as a whole)."""
        texts = question_parts(focus)
        if len(texts) < 2:
            return None
        parts = []
        for part in texts:
            query = self.searcher.analyse(part, lang)
            if not query.known_groups:
                continue
            ranking, thresholds = self.rank(query)
            plan = decide(ranking, query, thresholds)
            if plan.kind in ("answer", "gap"):
                parts.append((query, plan))
        tops = {plan.chosen[0].entry.id for _, plan in parts}
        answered = [plan for _, plan in parts if plan.kind == "answer"]
        if len(tops) < 2 or not answered:
            return None
        if whole.kind == "answer" and {r.entry.id for r in whole.chosen} >= tops:
            return None  # the whole question's answer already covers every part
        return parts

    # -- replies --------------------------------------------------------------------------

    def _reply_for(self, plan: Plan, query: Query, text: str, lang: str) -> Answer:
        about = _about_the_topic(query, plan.chosen or plan.choices)
        if (
            plan.kind in ("answer", "suggest")
            and about
            and all(_asks_existence_elsewhere(query, r) for r in about)
        ):
            # Whether the topic is close to certain or spread over its entries, none of
            # them names the place: say so, with the best entry and what the place has.
            return self._not_in_place(query, text, lang, about[0], plan.confidence)
        if plan.kind == "answer":
            top = plan.chosen[0]
            if states_it_is_missing(query, top.entry.row):
                # The entry itself says the asked thing is not stated: an honest abstention.
                return self._gap(text, lang, top, plan.confidence)
            return self._entry_answer(text, lang, plan, query)
        if plan.kind == "gap":
            return self._gap(text, lang, plan.chosen[0], plan.confidence)
        if plan.kind == "unstated":
            row = plan.chosen[0].entry.row
            body = f"{unstated_text(plan.unmet, lang)} {body_of(row, lang)}"
            sources = (source_of(row, self._documents),)
            return self._gap_answer(text, lang, body, sources, None, plan.confidence)
        if plan.kind == "suggest":
            return self._suggest(text, lang, plan.choices, plan.confidence)
        return self._abstain(text, lang, "not_in_material", confidence=plan.confidence)

    def _entry_answer(self, text: str, lang: str, plan: Plan, query: Query) -> Answer:
        rows = [r.entry.row for r in plan.chosen]
        notices = [c for row in rows[:1] for c in corrections(query, row, self._documents, lang)]
        top = plan.chosen[0]
        verdict = not notices and affirms(query, body_of(rows[0], lang), top.candidate.matched)
        body = " ".join(
            [*notices, *([YES[lang]] if verdict else []), *(body_of(row, lang) for row in rows)]
        )
        sources = tuple(source_of(row, self._documents) for row in rows)
        shown = {row["id"] for row in rows}
        alternatives = tuple(
            Suggestion(r.entry.id, title_of(r.entry.row, lang)) for r in plan.choices
        )
        shown |= {a.entry_id for a in alternatives}
        return Answer(
            question=text,
            status="answer",
            answer=body,
            text=compose_text(body, sources, lang, alternatives),
            confidence=min(plan.confidence, 1.0),
            entry_id=rows[0]["id"],
            lang=lang,
            sources=sources,
            alternatives=alternatives,
            related=self._related(rows[0], exclude=shown),
            notice=" ".join(notices) or None,
        )

    def _combined(self, parts: list[tuple[Query, Plan]], query: Query, text: str, lang: str):
        """One reply to a two-part question: each answered part with its source, and plainly
        what the material does not state for the others."""
        bodies, sources, stated, confidence = [], [], [], 1.0
        for part_query, plan in parts:
            row = plan.chosen[0].entry.row
            if row["id"] in stated:
                continue
            stated.append(row["id"])
            if plan.kind == "gap":
                bodies.append(not_stated_text(title_of(row, lang), lang))
                continue
            notices = corrections(part_query, row, self._documents, lang)
            bodies.append(" ".join([*notices, body_of(row, lang)]))
            sources.append(source_of(row, self._documents))
            confidence = min(confidence, plan.confidence)
        body = "\n\n".join(bodies)
        return Answer(
            question=text,
            status="answer",
            answer=body,
            text=compose_text(body, tuple(sources), lang),
            confidence=confidence,
            entry_id=stated[0],
            lang=lang,
            sources=tuple(sources),
            related=self._related(parts[0][1].chosen[0].entry.row, exclude=set(stated)),
        )

    def _not_in_place(
        self, query: Query, text: str, lang: str, found: Ranked, confidence: float
    ) -> Answer:
        """'Finns det X i P?' where the material tells of X elsewhere: say so, with where X
        is and what the material says about P. The asked thing is not stated, so this is an
        abstention (gap) that the curators see."""
        place = sorted(query.districts)[0]
        row = found.entry.row
        lead = not_stated_text(f"{title_of(row, lang)} – {place}", lang, place=place)
        heading, lines = self.listings.place(place, lang)
        about = [heading, *(f"• {line.text}" for line in lines[:3])] if lines else []
        body = "\n".join([lead, body_of(row, lang), *about])
        sources = (
            source_of(row, self._documents),
            *(source_of(line.row, self._documents) for line in lines[:3]),
        )
        return self._gap_answer(text, lang, body, sources, row["id"], confidence)

    def _gap(self, text: str, lang: str, gap: Ranked, confidence: float) -> Answer:
        row = gap.entry.row
        sources = (source_of(row, self._documents),)
        return self._gap_answer(text, lang, body_of(row, lang), sources, row["id"], confidence)

    def _no_opinion(self, plan: Plan, text: str, lang: str) -> Answer:
        """The bot's own view was asked for: it has none, and says what the material says."""
        found = next((r for r in (*plan.chosen, *plan.choices) if not r.entry.is_gap), None)
        if found is None:
            return self._abstain(text, lang, "opinion", confidence=plan.confidence)
        row = found.entry.row
        body = f"{ABSTAIN_LEAD['opinion', lang]} {body_of(row, lang)}"
        sources = (source_of(row, self._documents),)
        return self._gap_answer(
            text, lang, body, sources, row["id"], plan.confidence, reason="opinion"
        )

    def _gap_answer(
        self, text, lang, body, sources, entry_id, confidence, reason: str = "gap"
    ) -> Answer:
        contact = self.contact_text or DEFAULT_CONTACT[lang]
        return Answer(
            question=text,
            status="abstain",
            answer=None,
            text=compose_text(body, sources, lang) + f"\n\n{contact}",
            confidence=min(confidence, 1.0),
            entry_id=entry_id,
            lang=lang,
            sources=sources,
            reason=reason,
            detail=body,
            contact=contact,
        )

    def _suggest(self, text: str, lang: str, options, confidence: float) -> Answer:
        suggestions = tuple(Suggestion(r.entry.id, title_of(r.entry.row, lang)) for r in options)
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
        self, text: str, lang: str, reason: str, *, place: str = "", confidence: float = 0.0
    ) -> Answer:
        return Answer(
            question=text,
            status="abstain",
            answer=None,
            text=abstain_text(reason, lang, self.contact_text, place, self.scope(lang)),
            confidence=min(confidence, 1.0),
            entry_id=None,
            lang=lang,
            reason=reason,
        )

    def scope(self, lang: str) -> str:
        """What the bot answers from, named from the documents themselves."""
        roots = [d for d in self._documents.values() if not d.party] or list(self._documents)
        names = "; ".join(
            f"{(d.title_en if lang == 'en' else None) or d.title} ({d.reference})"
            for d in roots
            if d.kind != "tjansteutlatande"
        )
        return f"Jag svarar utifrån: {names}." if lang == "sv" else f"I answer from: {names}."

    # -- listings -------------------------------------------------------------------------

    def _listing_for(self, query: Query, text: str, lang: str) -> Answer | None:
        """A question about a period, a place or a party as a whole (it names no topic of
        its own) is answered with the listing of what the material says about it."""
        folded = query.folded
        # No topic of its own, and no question word asking for a figure or a date.
        general = not query.topical_groups and not query.cues & {"count", "share", "when"}
        period = find_period(folded)
        about_time = period is not None or TIMELINE_WORD.search(folded)
        if general and not query.districts and not query.parties and about_time:
            return self.timeline(lang, period=period, question=text)
        if query.districts and general and not query.parties:
            return self.place_overview(sorted(query.districts)[0], lang, question=text)
        if query.parties and (
            general or (OPINION_CUE.search(folded) and len(query.topical_groups) == 0)
        ):
            return self.party_overview(sorted(query.parties)[0], lang, question=text)
        return None

    def timeline(self, lang: str | None = None, period=None, question: str = "", offset=0):
        lang = lang or "sv"
        if isinstance(period, str):  # "2021-10", "2022-Q1" or words: "december 2021"
            period = parse_iso(period.strip()) or find_period(" ".join(words(period)))
        heading, lines = self.listings.timeline(period, lang)
        key = f"t:{period.label if period else ''}"
        return self._page(heading, lines, lang, question, key, offset)

    def place_overview(self, place: str, lang: str | None = None, question: str = "", offset=0):
        lang = lang or "sv"
        heading, lines = self.listings.place(place, lang)
        return self._page(heading, lines, lang, question, f"p:{place}", offset)

    def party_overview(self, party: str, lang: str | None = None, question: str = "", offset=0):
        lang = lang or "sv"
        heading, lines = self.listings.party(party, lang)
        return self._page(heading, lines, lang, question, f"a:{party}", offset)

    def listing(self, token: str, lang: str | None = None) -> Answer:
        """The next page of a listing, from the continuation token of the page before."""
        kind, _, rest = token.partition(":")
        key, _, offset_text = rest.rpartition(":")
        offset = int(offset_text) if offset_text.isdigit() else 0
        show = {"t": self.timeline, "p": self.place_overview, "a": self.party_overview}.get(kind)
        if show is None:
            return self._abstain("", lang or "sv", "unknown_entry")
        if kind == "t":
            return self.timeline(lang, key or None, offset=offset)
        return show(key, lang, offset=offset)

    def _page(self, heading, lines, lang, question, key, offset) -> Answer:
        page = self.listings.page(
            heading, lines, lang=lang, question=question, more=key, offset=offset
        )
        return page or self._abstain(question, lang, "not_in_material")

    def referrals(self, lang: str | None = None) -> Answer:
        """The entry that lists all remisser: the overview among the referral entries."""
        row = self.db.execute(
            "select id from entries where kind = 'referral' order by overview desc, n limit 1"
        ).fetchone()
        if row is None:
            return self._abstain("", lang or "sv", "not_in_material")
        return self.answer_entry(row[0], lang)

    # -- browsing -------------------------------------------------------------------------

    def answer_entry(self, entry_id: str, lang: str | None = None, question: str = "") -> Answer:
        lang = lang or "sv"
        entry = self.searcher.entry_by_id(str(entry_id))
        if entry is None:
            return self._abstain(question, lang, "unknown_entry")
        query = self.searcher.analyse("", lang)
        ranked = Ranked(self.searcher.describe(query, entry), 0.0, 1.0)
        plan = Plan(_kind(ranked), 1.0, (ranked,))
        return self._reply_for(plan, query, question or entry.row["title"], lang)

    def search(self, question: str, limit: int = 5, lang: str | None = None) -> list[Answer]:
        """Up to `limit` sourced answers for inline mode, best first."""
        reply = self._reply(question, lang)
        first = reply.answer
        if first.status == "abstain":
            return []
        if first.status == "answer" and first.entry_id is None:
            return [first]  # a composed answer: a timeline, a place or a list
        ids = [first.entry_id] if first.status == "answer" and first.entry_id else []
        ids += [s.entry_id for s in (*first.alternatives, *first.suggestions)]
        ids += [r.entry.id for r in reply.ranked if not r.entry.is_gap]
        answers = []
        for entry_id in dict.fromkeys(ids):
            answers.append(self.answer_entry(entry_id, first.lang, question=question))
            if len(answers) == limit:
                break
        return answers

    def areas(self) -> list[str]:
        return list(dict.fromkeys(a for d in self._documents.values() for a in d.areas))

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

    def _related(self, row: dict, exclude: set[str]) -> tuple[Suggestion, ...]:
        sql = (
            "select id, title from entries where document = ? and section = ? and kind != 'gap' "
            "order by n"
        )
        siblings = self.db.execute(sql, (row["document"], row["section"])).fetchall()
        related = [Suggestion(r["id"], r["title"]) for r in siblings if r["id"] not in exclude]
        return tuple(related[:3])


def _telling(word: str) -> bool:
    """A word that can say what a question is about: not a bare number or a short token."""
    return len(word) > 2 and not word.isdigit()


def _kind(ranked: Ranked) -> str:
    return "gap" if ranked.entry.is_gap else "answer"


def _asks_existence_elsewhere(query: Query, top: Ranked) -> bool:
    """'Finns det kameror i Vårby?' answered by an entry that does not name Vårby."""
    if not query.districts or not EXISTENCE.search(query.folded):
        return False
    return not top.candidate.features["place_match"] and not any(
        district.casefold() in top.entry.row["answer"].casefold() for district in query.districts
    )


def _about_the_topic(query: Query, ranked: tuple[Ranked, ...]) -> list[Ranked]:
    """The entries that hold a topic word of the question, not just the place it names."""
    return [r for r in ranked if r.candidate.matched & query.topical_positions]


def _semantic_index(connection: sqlite3.Connection):
    from bot.semantic import SemanticIndex

    return SemanticIndex.open(connection)


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
