"""answer(question) -> Answer. The answering core; never raises on user input.

The path of one question (each step a module of its own):
1. bot.routing: what the message is: small talk, a typed command, the asking part of a
   long message.
2. early replies: places outside the material, listings (timeline, place, party, an area
   as a whole), a curated question word for word.
3. bot.search + bot.ranker: the candidate entries, ranked by the fitted model (the lexical
   model first; the embedding only when it is not sure); bot.decision decides.
4. bot.passage_search: the source passages, ranked by their own fitted model; the same
   decision may answer with the document's own words instead (decision.with_passages).
5. bot.replies words the reply. Two-part questions are answered part by part.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import sys
import threading
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from bot.decision import Plan, decide, diverse, is_topic_list, with_passages
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
from bot.passage_search import (
    EntryEvidence,
    PassageSearcher,
    best_passage,
    with_best_passage,
    with_evidence,
)
from bot.periods import find_period, parse_iso
from bot.premises import states_it_is_missing
from bot.query import Query, question_parts
from bot.quotes import QuoteChecker
from bot.ranker import Ranked, Ranking, RankingModel, Thresholds, load_models
from bot.replies import Replies
from bot.routing import (
    ABOUT_A_NOTE,
    BROAD_REQUEST,
    OPINION_CUE,
    OTHER_THAN_TOLD,
    SENTENCE_BREAK,
    TIMELINE_WORD,
    asks_own_view,
    asks_something,
    clean_message,
    focus_question,
    small_talk,
    typed_command,
)
from bot.search import Searcher
from bot.text import detect_language, fold, words
from bot.timing import StageClock

log = logging.getLogger(__name__)

# From this calibrated confidence on, a stage's answers are right at least 95 % of the time
# (the reliability tables of scripts/benchmark.py): the next, costlier signal is then not
# worth its cost (e5's embedding is most of an answer's time).
SURE = 0.8
# A report entry this likely against a party's note on top answers a question that asks no
# party's view (fitted on training over 0.05-0.35).
REPORT_SHARE = 0.1
# Words that ask what the politicians or parties said, as a note does.
POLITICS = re.compile(r"\b(politiker\w*|parti\w*|opposition\w*|skrivit|written|politician\w*)\b")
# No e5 either after a gap the static stage is this sure of, or below this top confidence:
# on the training questions e5 changed no right answer there (-10 % encodes; chosen over
# 0.7-0.9 and 0.2-0.4).
GAP_SETTLED, HOPELESS = 0.9, 0.3
# BOT_SEMANTIC=fast: e5 (about 2.5 ms a token on one core) only where the static stage is
# neither sure nor clearly unsure of a fact entry on top. On the training part that is 5 %
# of questions and keeps half of e5's gain; on a frozen part it kept little of it
# (README, "Quality and speed"), so the default asks e5 whenever the static stage is unsure.
E5_WINDOW = (0.4, 0.6)
# A broad request is answered over the entries from this probability on, at most this many
# lines.
BROAD_SHARE, BROAD_LINES = 0.02, 5
# A question whose unknown words (after typo repair) carry this share of its weight asks
# about something the material never mentions: all such answers on the training part were
# wrong (the weather, the mayor, a district it does not name); below it, most were right.
MOSTLY_UNKNOWN = 0.65
BROAD_WORD_ENTRIES = 3  # a lone topic word in more entries than this names a whole topic
# What happened, was done or is planned somewhere, as a whole.
HAPPENED = re.compile(
    r"\b(hant|hander|hande|gjorts|gjordes|gang|planer\w*|planerat|planeras|happened|happening|"
    r"done|planned)\b"
)
# An area's word with a generic tail names the area: 'trygghetsområdet', 'trygghetsarbetet',
# 'trygghetsfronten'.
AREA_TAIL = r"(?:omrad|arbet|fragor|front|jobb)\w*"
AREA_COMPOUND = re.compile(rf"\w{{4}}{AREA_TAIL}$")


class IndexUnavailableError(Exception):
    """The knowledge index cannot be read: an operator error, not a question the bot missed."""


@dataclass(frozen=True)
class EntryRanking:
    """A ranking with the decision bars of the model that made it."""

    ranking: Ranking
    thresholds: Thresholds
    stage: Stage  # the stage that ranked it (lexical, static or e5)
    passages: list = field(default_factory=list)  # the lexical passage candidates


@dataclass(frozen=True)
class Stage:
    """One ranking stage: its signal, its entry model, its meaning index (None for the
    lexical stage) and its passage model."""

    signal: str
    model: RankingModel
    meaning: object | None = None
    passage_model: RankingModel | None = None


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
        e5: bool = True,
        e5_window: tuple[float, float] | None = None,
    ):
        self.db = connection
        self.e5_window = e5_window  # None: e5 whenever the static stage is unsure
        self._documents = self._load_documents()
        models = load_models()
        # The ranking stages, cheapest first: each is asked only when the one before it is
        # not sure (SURE); a stage without its model or its index is left out.
        meanings = {
            "lexical": None,
            "static": _static_index(connection) if semantic else None,
            "e5": _semantic_index(connection) if semantic and e5 else None,
        }
        self.meanings = meanings
        variants = {"lexical": "lexical", "static": "static", "e5": "semantic"}
        self.stages = [
            Stage(
                signal,
                models[variants[signal]],
                meanings[signal],
                models.get(f"passage-{variants[signal]}"),
            )
            for signal in ("lexical", "static", "e5")
            if variants[signal] in models and (signal == "lexical" or meanings[signal])
        ]
        if model is not None:  # one model only (benchmarks, fitting)
            self.stages = [s for s in self.stages if s.model.name == model.name] or self.stages
        self.searcher = Searcher(connection, meanings["e5"] or meanings["static"])
        self.passages = PassageSearcher(connection, self._documents)
        self.listings = Listings(connection, self._documents)
        self.replies = Replies(connection, self._documents, self.listings, contact_text)
        self._quotes: QuoteChecker | None = None
        self._lock = threading.Lock()
        self.clock = StageClock()  # where an answer's time goes (the benchmark reads it)

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

    def clone(self) -> Engine:
        """Another engine over the same index file, with a connection of its own (for a
        pool of workers); an in-memory index has no file to open again: itself."""
        path = self.db.execute("PRAGMA database_list").fetchone()[2]
        if not path:
            return self
        return Engine(
            open_read_only(path),
            contact_text=self.contact_text,
            semantic=self.meanings["static"] is not None,
            e5=self.meanings["e5"] is not None,
            e5_window=self.e5_window,
        )

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
    def contact_text(self) -> str | None:
        return self.replies.contact_text

    @property
    def entry_count(self) -> int:
        return self.searcher.entry_total

    def known_words(self) -> frozenset[str]:
        """Every word form the knowledge uses, folded."""
        return frozenset(word for (word,) in self.db.execute("select word from surface"))

    def known_names(self) -> frozenset[str]:
        """The names the knowledge itself uses (people, organisations, places, signatories),
        folded: a question naming them is not masked (bot.privacy)."""
        names = set(self.replies.names)
        for document in self._documents.values():
            names.update(fold(name.split(" (")[0]) for name in document.signatories)
        return frozenset(names)

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
            return _Reply(self.replies.abstain(str(question)[:200], lang or "sv", "engine_error"))

    def _answer(self, question: str, lang: str | None) -> _Reply:
        clock = self.clock
        with clock.stage("analysis"):
            routed = self._route(question, lang)
        if isinstance(routed, Answer):
            return _Reply(routed)
        text, focus, query = routed
        result = self.rank(query)
        with clock.stage("decision"):
            plan = self._report_before_note(
                decide(result.ranking, query, result.thresholds), query
            )
        ranked = tuple(result.ranking.ranked)
        if asks_own_view(query.folded):
            found = next((r for r in (*plan.chosen, *plan.choices) if not r.entry.is_gap), None)
            return _Reply(
                self.replies.no_opinion(found, text, query.lang, plan.confidence), ranked
            )
        # 'Vad heter samordnaren som jobbar för …?' asks for a name, not what was done.
        broad = BROAD_REQUEST.search(query.folded) and not query.cues & {"person", "name"}
        overview = self._broad(query, result.ranking, text) if broad else None
        if overview is not None:
            return _Reply(overview, ranked)
        parts = self._parts(focus, query.lang, plan)
        if parts is not None:
            return _Reply(self.replies.combined(parts, text, query.lang), ranked)
        with clock.stage("passages"):
            passages = self.rank_passages(query, plan, result)
            plan = with_passages(plan, passages, result.thresholds)
        with clock.stage("rendering"):
            return _Reply(self.replies.for_plan(plan, query, text, query.lang), ranked)

    def _route(self, question: str, lang: str | None):
        """The early replies (empty input, small talk, commands, other places, listings, a
        curated question word for word), or (text, focus, query) for a question to rank."""
        text = clean_message(question)
        focus = focus_question(text)
        lang = lang or detect_language(focus)
        if not words(focus):
            return self.replies.abstain(text, lang, "not_understood")
        talk = small_talk(focus)
        if talk:
            return self.replies.abstain(text, detect_language(focus), talk)
        command = typed_command(text)
        if command is not None:  # '/hjalp' typed into a question: a command, not a question
            return self.replies.abstain(text, lang, "command", place=f"/{command[0]}")
        query = self.searcher.analyse(focus, lang)
        if not query.districts and focus != text:
            # 'Jag bor i Skogås sen 15 år. … Vad har kommunen gjort för tryggheten här?': the
            # place told before the question is the place asked about.
            told = self.searcher.analyser.places_in(text)
            if len(told) == 1 and not OTHER_THAN_TOLD.search(query.folded):
                # The place joins the question's words; what it asks stays as asked.
                placed = self.searcher.analyse(f"{focus} {told[0]}", lang)
                query = replace(placed, cues=query.cues, figures=query.figures)
        # A comparison ('fler … än Stockholm') asks for the other place's figures, which a
        # passage naming that place in passing does not give.
        outside = [
            p
            for p in self._outside_asked(query, focus)
            if p in query.compared or not self._source_mentions(p, query)
        ]
        if outside:
            return self.replies.abstain(text, lang, "outside_scope", place=outside[0])
        if query.unknown_share >= MOSTLY_UNKNOWN:
            # 'Blir det regn i Flemingsberg i morgon?': what it asks about is never mentioned.
            named = ", ".join(f"”{word}”" for word in query.unknown_words[:3])
            return self.replies.abstain(text, lang, "unknown_words", place=named)
        if query.unknown_prize:
            # 'Vem vann allsvenskan 2021?' is not about the democracy prize's winners.
            named = f"”{query.unknown_prize}”"
            return self.replies.abstain(text, lang, "unknown_words", place=named)
        no_note = self.replies.no_note(query, text, lang)
        if no_note is not None:
            return no_note
        listing = self._listing_for(query, text, lang) if len(words(focus)) > 1 else None
        if listing is not None:
            return listing
        curated = self.searcher.curated_match(focus)
        if curated is not None:  # asked exactly as a curated question: that entry
            ranked = Ranked(self.searcher.describe(query, curated), 0.0, 1.0)
            plan = Plan(_kind(ranked), 1.0, (ranked,))
            return self.replies.for_plan(plan, query, text, lang)
        if not any(_telling(group.word) for group in query.known_groups):
            # A real question about something else is outside the material; anything
            # else (gibberish, bare numbers, instructions to the bot) was not understood.
            asks = asks_something(focus, query.folded)
            reason = "not_in_material" if asks and query.groups else "not_understood"
            return self.replies.abstain(text, lang, reason)
        return text, focus, query

    def _outside_asked(self, query: Query, focus: str) -> tuple[str, ...]:
        """The places outside Huddinge the question asks about. Context that names one
        ('I have plenty on Botkyrka but not much on Huddinge. … what does Huddinge
        describe?') does not, when the asking sentence names Huddinge or a part of it."""
        asking = [s for s in SENTENCE_BREAK.split(focus) if s.strip()][-1:]
        if not query.outside or not asking or asking[0] == focus:
            return query.outside
        asked = " ".join(words(asking[0]))
        if "huddinge" not in asked.split() and not self.searcher.analyser.places_in(asked):
            return query.outside
        return tuple(p for p in query.outside if fold(p) in asked)

    def _source_mentions(self, place: str, query: Query) -> bool:
        """Whether a passage names this place together with a topic word of the question:
        then the material does speak of it (a joint project with a neighbour municipality)."""
        place = fold(place)
        for candidate in self.passages.candidates(query):
            if place in candidate.passage.folded and candidate.features["coverage"] > 0:
                others = (candidate.matched & query.topical_positions) - {
                    i for i, g in enumerate(query.groups) if g.word in place.split()
                }
                if others:
                    return True
        return False

    def can_answer(self, question: str, entry_id: str) -> bool:
        """Whether an entry answers what a wording asks (before a curator is told to paste
        it under the entry): it holds a topic word of it that few entries share, the kind of
        fact asked for (a figure, date, name, reason), the place asked about, and does not
        say that the asked thing is not stated."""
        entry = self.searcher.entry_by_id(entry_id)
        focus = focus_question(clean_message(question))
        query = self.searcher.analyse(focus, detect_language(focus))
        if entry is None or not query.topical_groups:
            return False
        candidate = self.searcher.describe(query, entry)
        held = candidate.matched & query.topical_positions
        if not held or candidate.unmet or states_it_is_missing(query, entry.row):
            return False
        said = fold(entry.row["answer"])
        if (
            query.districts
            and not candidate.features["place_match"]
            and not any(fold(district) in said for district in query.districts)
        ):
            return False  # 'Finns det kameror i Vårby?' is not answered by Grantorp's cameras
        # One broad word ('demokrati'), no question word, that many entries share: it asks
        # for more than one entry.
        if len(query.topical_groups) > 1 or query.cues:
            return True
        shared = [self.searcher.sv_df.get(t, 0) for i in held for t in query.groups[i].sv]
        return min(shared, default=0) <= BROAD_WORD_ENTRIES

    def ranking_query(self, question: str, lang: str | None = None) -> Query | None:
        """The analysed question when it is answered by ranking (None for early replies);
        what the ranking model is fitted on."""
        routed = self._route(question, lang)
        return None if isinstance(routed, Answer) else routed[2]

    @property
    def model(self) -> RankingModel:
        """The last (fullest) ranking model."""
        return self.stages[-1].model

    def rank(self, query: Query) -> EntryRanking:
        """The ranking and the decision bars of the stage that made it: lexical first, then
        the static word vectors, then e5, each only when the one before is not sure of a
        fact entry (the costly embedding is needed least)."""
        clock = self.clock
        with clock.stage("candidates"):
            passages = self.passages.candidates(query)
            best = best_passage(passages)
            lexical = with_best_passage(query, self.searcher.lexical_candidates(query), best)
        ranking = None
        for number, stage in enumerate(self.stages):
            last = number == len(self.stages) - 1
            if ranking is not None and stage.signal == "e5" and not self._needs_e5(ranking):
                previous = self.stages[number - 1]
                return EntryRanking(ranking, previous.model.thresholds, previous, passages)
            candidates = lexical
            if stage.meaning is not None:
                if stage.signal == "e5":
                    with clock.stage("encode"):
                        stage.meaning.query_vector(query.text)  # cached for what follows
                with clock.stage("meaning"):
                    meant = self.searcher.with_meaning(query, lexical, stage.meaning)
                    candidates = with_best_passage(query, meant, best)
            with clock.stage("model" if last else f"{stage.signal} model"):
                ranking = stage.model.rank(candidates)
            if last or _sure(ranking) or _settled(ranking):
                return EntryRanking(ranking, stage.model.thresholds, stage, passages)
        raise AssertionError("the last stage always returns")

    def _needs_e5(self, ranking: Ranking) -> bool:
        if self.e5_window is None:
            return True
        low, high = self.e5_window
        top = ranking.top
        return (
            top is not None
            and not top.entry.is_gap
            and low <= ranking.calibrate(top.probability) < high
        )

    def entry_candidates(self, query: Query, signal: str | None = None) -> list:
        """The entry candidates with every feature a fitted model sees: lexical, meaning
        (`signal`: "static" or "e5"; the last stage's by default) and the best passage's
        evidence."""
        meaning = self._meaning(signal)
        best = best_passage(self.passages.candidates(query))
        if meaning is None:
            return with_best_passage(query, self.searcher.lexical_candidates(query), best)
        return with_best_passage(query, self.searcher.candidates(query, meaning), best)

    def passage_candidates(self, query: Query, signal: str | None = None) -> list:
        """The passage candidates as the passage model of `signal`'s stage sees them."""
        return self.passages.candidates(query, meaning=self._meaning(signal))

    def _meaning(self, signal: str | None):
        return self.stages[-1].meaning if signal is None else self.meanings.get(signal)

    def rank_passages(self, query: Query, plan: Plan, result: EntryRanking) -> Ranking | None:
        """The source passages ranked by the passage model of the same stage as the entry
        ranking, knowing what that ranking concluded."""
        stage = result.stage
        if stage.passage_model is None or not self.passages.available:
            return None
        evidence = entry_evidence(plan, result.ranking)
        if stage.meaning is None:
            return stage.passage_model.rank(with_evidence(result.passages, evidence))
        found = self.passages.candidates(query, evidence, meaning=stage.meaning)
        return stage.passage_model.rank(found)

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
            result = self.rank(query)
            plan = decide(result.ranking, query, result.thresholds)
            if plan.kind in ("answer", "gap"):
                parts.append((query, plan))
        tops = {plan.chosen[0].entry.id for _, plan in parts}
        answered = [plan for _, plan in parts if plan.kind == "answer"]
        if len(tops) < 2 or not answered:
            return None
        if whole.kind == "answer" and {r.entry.id for r in whole.chosen} >= tops:
            return None  # the whole question's answer already covers every part
        return parts

    def _report_before_note(self, plan: Plan, query: Query) -> Plan:
        """A plain question about what was done ('Var demokratidagarna helt digitala?') is
        answered by the report when a report entry is nearly as likely as the party's note
        on top: a note gives the party's view of it, and the question asked for no view."""
        if plan.kind != "answer" or not plan.chosen[0].entry.row["party"]:
            return plan
        folded = query.folded
        if query.parties or any(p.search(folded) for p in (OPINION_CUE, ABOUT_A_NOTE, POLITICS)):
            return plan
        if not query.cues and query.intent is None and is_topic_list(query):
            # 'feministisk stadsplanering': bare topic words, whoever wrote of them
            return plan
        top = plan.chosen[0]
        for other in (*plan.choices, *plan.facts):
            row = other.entry.row
            if not other.entry.is_gap and not row["party"] and not other.candidate.unmet:
                if other.probability >= REPORT_SHARE * top.probability:
                    return replace(plan, chosen=(other,), choices=(top,))
                break
        return plan

    def _broad(self, query: Query, ranking: Ranking, text: str) -> Answer | None:
        """A broad request ('Vad har gjorts för unga?', 'What was done about safety?') whose
        entries spread over several sections: one line per priority of the area it names,
        else one per section of the best entries that name what it asks about (a group:
        'unga'). A request that one section answers is answered by the ranking as usual."""
        # 'Vad har gjorts här i Stuvsta?' asks about a place the material never names: the
        # municipality's other work is no answer to it.
        unnamed = [d for d in sorted(query.districts) if not self.listings.place(d, "sv")[1]]
        if unnamed and len(unnamed) == len(query.districts):
            return self.replies.abstain(text, query.lang, "unknown_words", place=unnamed[0])
        facts = [r for r in ranking.ranked if not r.entry.is_gap and r.probability >= BROAD_SHARE]
        sections = diverse(facts)
        if len({(r.entry.row["document"], r.entry.row["section"]) for r in sections}) < 2:
            return None
        # A place asked about ('i Skogås') is answered with what was done there, not the area.
        area = None if query.districts else self._area_of(query)
        if area:
            heading, lines = self.listings.area(area, query.lang, [r.entry.id for r in facts])
        else:  # a group ('unga'): the entries that name it, one per section
            named = diverse([r for r in facts if r.candidate.matched & query.topical_positions])
            if len(named) < 2:
                return None
            rows = [r.entry.row for r in named[:BROAD_LINES]]
            heading, lines = self.listings.spread(rows, query.lang)
        return self.listings.page(
            heading, lines, lang=query.lang, question=text, more=None, kind="overview"
        )

    def _place_as_a_whole(self, query: Query) -> bool:
        """'Vad har hänt i Vårby på trygghetsområdet och vad är på gång?': what happened or
        is planned in a place, in no words but those and an area's ('trygghet',
        'trygghetsarbetet'); no figure or date asked."""
        if query.cues & {"count", "share", "when"} or not HAPPENED.search(query.folded):
            return False
        area_word = self._area_word
        return area_word is not None and all(
            HAPPENED.fullmatch(g.word) or area_word.fullmatch(g.word) for g in query.topical_groups
        )

    @cached_property
    def _area_word(self) -> re.Pattern | None:
        """An area's word, alone or with a generic tail: 'trygghetsarbetet', not
        'trygghetsanalys'; None when no report has areas."""
        own = [term for terms in self._area_terms.values() for term in terms]
        return re.compile(rf"({'|'.join(own)})\w{{0,5}}?({AREA_TAIL})?") if own else None

    @cached_property
    def _area_terms(self) -> dict[str, frozenset[str]]:
        """Each area's own word as the index knows it ('Ökad trygghet' -> {'trygg'})."""
        return {area: self.searcher.analyse(area, "sv").groups[-1].sv for area in self.areas()}

    def _area_of(self, query: Query) -> str | None:
        """The area the question names ('trygghet', 'safety' -> Ökad trygghet). Every word
        counts: an area's own word is too common to be topical."""
        asked = {t for g in query.groups for t in g.sv}
        # 'trygghetsområdet', 'trygghetsarbetet': the area's word with a generic tail.
        # The words as written count too: a compound split for search keeps only its head
        # ('jämlikhetsområdet' -> 'område'), since the stem 'jamlik' is no known modifier.
        compounds = [t for t in {*asked, *query.folded.split()} if AREA_COMPOUND.search(t)]
        named = []
        for area, own in self._area_terms.items():
            if asked & own or any(t.startswith(o) for t in compounds for o in own):
                named.append(area)
        return named[0] if len(named) == 1 else None

    # -- listings -------------------------------------------------------------------------

    def _listing_for(self, query: Query, text: str, lang: str) -> Answer | None:
        """A question about a period, a place or a party as a whole (it names no topic of
        its own) is answered with the listing of what the material says about it."""
        folded = query.folded
        # No topic of its own, and no question word asking for a figure or a date.
        general = not query.topical_groups and not query.cues & {"count", "share", "when"}
        period = find_period(folded)
        about_time = period is not None or TIMELINE_WORD.search(folded)
        if general and not query.districts and not query.parties and BROAD_REQUEST.search(folded):
            # 'Sammanfatta vad beredningen gjorde 2021': what was done, priority by priority;
            # 'Sammanfatta … för tryggheten' names an area: its overview (`_broad`).
            return None if self._area_of(query) else self.work_overview(lang, question=text)
        if general and not query.districts and not query.parties and about_time:
            return self.timeline(lang, period=period, question=text)
        if query.districts and not query.parties and (general or self._place_as_a_whole(query)):
            return self.place_overview(sorted(query.districts)[0], lang, question=text)
        # One party as a whole: its listing. Several ('vad skrev S, V och MP?'): each
        # party's note in brief, side by side.
        if query.parties and (
            general or (OPINION_CUE.search(folded) and len(query.topical_groups) == 0)
        ):
            if len(query.parties) > 1:
                heading, lines = self.listings.parties(sorted(query.parties), lang)
                return self.listings.page(heading, lines, lang=lang, question=text, more=None)
            return self.party_overview(sorted(query.parties)[0], lang, question=text)
        return None

    def timeline(self, lang: str | None = None, period=None, question: str = "", offset=0):
        lang = lang or "sv"
        if isinstance(period, str):  # "2021-10", "2022-Q1" or words: "december 2021"
            period = parse_iso(period.strip()) or find_period(" ".join(words(period)))
        heading, lines = self.listings.timeline(period, lang)
        key = f"t:{period.label if period else ''}"
        return self._page(heading, lines, lang, question, key, offset)

    def work_overview(self, lang: str | None = None, question: str = "", offset=0):
        """What was done in every priority of every area: the summary of a whole report."""
        lang = lang or "sv"
        areas = self.areas()
        lines = [line for area in areas for line in self.listings.area(area, lang, [])[1]]
        # The areas named first: the shape of the whole report, whatever the page shows.
        joined = " och " if lang == "sv" else " and "
        named = joined.join([", ".join(areas[:-1]), areas[-1]] if len(areas) > 1 else areas)
        within = ""
        if areas:
            within = f", i områdena {named}," if lang == "sv" else f", in the areas {named},"
        heading = (
            f"Det här gjordes inom beredningens prioriteringar{within} enligt materialet:"
            if lang == "sv"
            else f"What was done in the committee's priorities{within} according to the material:"
        )
        page = self.listings.page(
            heading, lines, lang=lang, question=question, more="w:", offset=offset, kind="overview"
        )
        return page or self.replies.abstain(question, lang, "not_in_material")

    def place_overview(self, place: str, lang: str | None = None, question: str = "", offset=0):
        lang = lang or "sv"
        heading, lines = self.listings.place(place, lang)
        if not lines:  # a district the material never names: say which
            return self.replies.abstain(question, lang, "unknown_words", place=place)
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
        pages = {
            "t": lambda: self.timeline(lang, key or None, offset=offset),
            "w": lambda: self.work_overview(lang, offset=offset),
            "p": lambda: self.place_overview(key, lang, offset=offset),
            "a": lambda: self.party_overview(key, lang, offset=offset),
        }
        if kind not in pages:
            return self.replies.abstain("", lang or "sv", "unknown_entry")
        return pages[kind]()

    def _page(self, heading, lines, lang, question, key, offset) -> Answer:
        page = self.listings.page(
            heading, lines, lang=lang, question=question, more=key, offset=offset
        )
        return page or self.replies.abstain(question, lang, "not_in_material")

    def referrals(self, lang: str | None = None) -> Answer:
        """The entry that lists all remisser: the overview among the referral entries."""
        row = self.db.execute(
            "select id from entries where kind = 'referral' order by overview desc, n limit 1"
        ).fetchone()
        if row is None:
            return self.replies.abstain("", lang or "sv", "not_in_material")
        return self.answer_entry(row[0], lang)

    # -- browsing -------------------------------------------------------------------------

    def answer_entry(self, entry_id: str, lang: str | None = None, question: str = "") -> Answer:
        lang = lang or "sv"
        entry = self.searcher.entry_by_id(str(entry_id))
        if entry is None:
            return self.replies.abstain(question, lang, "unknown_entry")
        query = self.searcher.analyse("", lang)
        ranked = Ranked(self.searcher.describe(query, entry), 0.0, 1.0)
        plan = Plan(_kind(ranked), 1.0, (ranked,))
        return self.replies.for_plan(plan, query, question or entry.row["title"], lang)

    def search(self, question: str, limit: int = 5, lang: str | None = None) -> list[Answer]:
        """Up to `limit` sourced answers for inline mode, best first."""
        reply = self._reply(question, lang)
        first = reply.answer
        if first.status == "abstain":
            return []
        if first.status == "answer" and first.entry_id is None:
            return [first]  # a composed answer or a passage: a timeline, a list, a quote
        ids = [first.entry_id] if first.status == "answer" and first.entry_id else []
        ids += [s.entry_id for s in (*first.alternatives, *first.suggestions)]
        ids += [r.entry.id for r in reply.ranked if not r.entry.is_gap]
        answers = []
        for entry_id in dict.fromkeys(ids):
            answers.append(self.answer_entry(entry_id, first.lang, question=question))
            if len(answers) == limit:
                break
        return answers

    def scope(self, lang: str) -> str:
        return self.replies.scope(lang)

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


def entry_evidence(plan: Plan, ranking: Ranking) -> EntryEvidence:
    """What the entry ranking concluded, for the passages: the best entry's quote, whether
    the decision is a gap (the material is said not to state the thing), and how sure it
    is."""
    top = (plan.chosen or tuple(ranking.ranked[:1]) or (None,))[0]
    if top is None:
        return EntryEvidence()
    return EntryEvidence(fold(top.entry.row["quote"]), plan.kind == "gap", plan.confidence)


def _telling(word: str) -> bool:
    """A word that can say what a question is about: not a bare number or a short token."""
    return len(word) > 2 and not word.isdigit()


def _kind(ranked: Ranked) -> str:
    return "gap" if ranked.entry.is_gap else "answer"


def _sure(ranking: Ranking) -> bool:
    top = ranking.top
    return top is not None and not top.entry.is_gap and ranking.calibrate(top.probability) >= SURE


def _settled(ranking: Ranking) -> bool:
    """A gap the stage is sure of, or a top so unlikely that nothing will answer: on the
    training questions e5 changed no outcome of either."""
    top = ranking.top
    if top is None:
        return True
    calibrated = ranking.calibrate(top.probability)
    return (top.entry.is_gap and calibrated >= GAP_SETTLED) or calibrated < HOPELESS


def _static_index(connection: sqlite3.Connection):
    from bot.static import StaticIndex

    return StaticIndex.open(connection)


def _semantic_index(connection: sqlite3.Connection):
    from bot.semantic import SemanticIndex

    return SemanticIndex.open(connection)


def ensure_index(db_path: Path | str, knowledge_dir: Path | str = DEFAULT_KNOWLEDGE_DIR) -> bool:
    """Build the index when it is missing or older than the knowledge files."""
    if not index_is_stale(db_path, knowledge_dir):
        return False
    print(f"Building the knowledge index {db_path} …", file=sys.stderr)
    kb = load_knowledge(knowledge_dir)
    build_index(kb, db_path, fingerprint=knowledge_fingerprint(knowledge_dir))
    return True
