"""Candidates and their features: FTS5/bm25 finds entries that share a term with the question,
then each candidate is described by a few numbers the fitted ranker weighs (bot.ranker).
Pure given an open index."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from bot.entries import sentences
from bot.query import Query, QueryAnalyser
from bot.text import fold, question_years, stem, words

CANDIDATE_LIMIT = 40  # bm25 keeps the right entry far above this on every question set
# Terms found in more than this share of entries are left out of the FTS query: they cost
# the most and decide the least (the features still count them).
FREQUENT_SHARE, FREQUENT_FLOOR = 0.02, 50
ENTRY_CACHE = 5000
HEAD, BODY, ENGLISH, PARTIAL = "head", "body", "en", "partial"
SIMILARITY_FLOOR = 0.3  # token_sort_ratio below this is noise between any two questions
REQUIRED_CUES = ("count", "share", "cost", "future", "when", "why")
# What an answer must hold, whatever else fits: a count, share, amount, name, date or
# reason question answered without a figure, name, date or cause is a wrong answer, and so
# is a question
# about a year the entry does not speak of ("year"). ("future" alone is too often a plain
# word - "vill gå på nästa" - to be more than a feature; with "when" it asks for the date of
# a coming occasion, which a past date does not answer.)
HARD_CUES = tuple("count share when name amount why actor person service winner".split())
# A detail that answers a practical question: a phone number, an address on the web or for
# e-mail, or opening hours ('kl. 9–16').
SERVICE_DETAIL = re.compile(
    r"\b0\d{1,3}[-\s]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}\b|\bwww\.|https?://|\w@\w|"
    r"\bkl\.?\s?\d{1,2}\b|\b\d{1,2}[.:]\d{2}\s?[-–]\s?\d{1,2}[.:]\d{2}\b"
)
AMOUNT = re.compile(
    r"\d[\d\s,.]*\s*(kr|kronor|mnkr|miljoner|miljarder|öre|mkr|tkr|sek)\b", re.IGNORECASE
)
NUMBER = re.compile(
    r"\b(?!(?:19|20)\d\d\b)\d|\b(två|tre|fyra|fem|sex|sju|åtta|nio|tio|tjugo|hundra|"
    r"one|two|three|four|five)\b"
)
# A day of a month ('11 februari 2021', '§ 12') is a date or a paragraph, not a count.
NOT_A_COUNT = re.compile(
    r"\b\d{1,2}(:e)? (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|"
    r"november|december|january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\b|§\s*\d+",
    re.IGNORECASE,
)


def holds_figure(text: str) -> bool:
    """A figure that can count something: a number that is not a year, a date or a §."""
    return bool(NUMBER.search(NOT_A_COUNT.sub(" ", text).casefold()))


# Vague quantities: the material speaks of a thing without counting it ("flera skjutningar").
VAGUE = frozenset({"flera", "manga", "nagra", "antal", "par", "several", "many", "some"})
# A name in running text: a quoted title, or a capitalised word that does not start a sentence.
NAMED = re.compile(r"[\"”“»]|(?<![.!?]\s)(?<!^)\b[A-ZÅÄÖ][a-zåäö]+")
CAUSE = re.compile(
    r"\b(eftersom|därför|på grund av|pga|orsak\w*|beror|förklar\w*|anledning\w*|tack vare|"
    r"för att|i syfte|syfte\w*|motiver\w*|bakgrund|med anledning|because|due to|reason\w*|"
    r"in order to|aim\w*|purpose\w*|påverka\w* av|drabba\w* av|till följd av|affected by|"
    r"as a result of|owing to)\b",
    re.IGNORECASE,
)
MONEY = re.compile(
    r"\b(kr|kronor|mnkr|öre|miljoner|mkr|tkr|sek|medel|ekonomisk\w*|budget\w*|belopp)\b",
    re.IGNORECASE,
)

# The features of one (question, entry) pair, in the order the ranker's weights use.
FEATURES = (
    "coverage_head",  # share of the question's weight found in title, questions, keywords
    "coverage_body",  # ... found only in the answer, quote and names
    "coverage_english",  # ... found only in the English text
    "coverage_partial",  # ... found only as a compound head ('kameror' in trygghetskameror)
    "title",  # share of the question's weight found in the title
    "similarity",  # best fuzzy match of the question's terms with a curated question
    "wording",  # best fuzzy match of the question's words as written with a curated question
    "question_cover",  # share of the question's weight one curated question holds (the best)
    "question_precision",  # share of that curated question's weight the question holds
    "missed_rarest",  # the rarest known word of the question is not in the entry
    "unknown",  # share of the question's weight that no entry knows
    "source_only",  # ... that only the source text knows: an asked detail no entry holds
    "cue_met",  # question words (when, how many, who …) the entry can answer
    "cue_missed",  # when/count/share/cost/future asked, and the entry has no such fact
    "year_mismatch",  # the question names a year the entry does not speak of
    "party_match",  # the question names the party whose note this is
    "party_unasked",  # a party's note, though the question names no party and asks no 'who'
    "party_wrong",  # the question names another party than the note's
    "place_match",  # the question names a place the entry names
    "place_mismatch",  # the question names a place, the entry names other places
    "gap",  # the entry says what the material does not contain
    "gap_coverage",  # gap × total coverage: a gap must be about just what is asked
    "gap_cue",  # gap whose curated questions ask what this question asks
    "gap_cue_missed",  # gap whose curated questions ask for a kind of fact this one does not
    "gap_unique",  # share of the question's weight a gap holds that no close fact entry holds
    "bm25",  # 1 / (1 + position in the bm25 order)
    "repaired_only",  # every word the entry matched was a guessed spelling
    "overview",  # the entry sums up a section or a note
    "broad_overview",  # ... and the question is broad ("vad handlar … om", "berätta om …")
    # The source passage that matches the question best (bot.passage_search), as evidence:
    "passage_quote",  # the entry's quote lies in that passage
    "passage_document",  # the entry is of that passage's document
    "passage_detail",  # share of the question's weight the passage holds and the entry lacks
    # Optional (bot.semantic): cosines relative to the best candidate's, in hundredths.
    "semantic_question",  # the closest curated question by meaning
    "semantic_passage",  # the entry's title and answer by meaning
    "semantic_rank",  # 1 / (1 + position when candidates are ordered by meaning)
)
SEMANTIC_FEATURES = ("semantic_question", "semantic_passage", "semantic_rank")
SEMANTIC_SCALE = 100.0  # e5 cosines of related texts differ in the second decimal


@dataclass
class IndexedEntry:
    """An entry row of the index with its term sets, decoded once."""

    row: dict

    @cached_property
    def head(self) -> frozenset[str]:
        return frozenset(self.row["head"].split())

    @cached_property
    def title(self) -> frozenset[str]:
        return frozenset(self.row["title_terms"].split())

    @cached_property
    def body(self) -> frozenset[str]:
        return frozenset(self.row["body"].split())

    @cached_property
    def english(self) -> frozenset[str]:
        return frozenset(self.row["en"].split())

    @cached_property
    def question_terms(self) -> list[str]:
        return [" ".join(sorted(q.split())) for q in json.loads(self.row["question_terms"])]

    @cached_property
    def question_term_sets(self) -> list[frozenset[str]]:
        return [frozenset(q.split()) for q in json.loads(self.row["question_terms"])]

    @cached_property
    def question_words(self) -> list[str]:
        return [" ".join(words(q)) for q in json.loads(self.row["questions"])]

    def listed(self, name: str) -> tuple[str, ...]:
        return tuple(json.loads(self.row[name] or "[]"))

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def kind(self) -> str:
        return self.row["kind"]

    @property
    def is_gap(self) -> bool:
        return self.row["kind"] == "gap"

    @cached_property
    def folded_places(self) -> frozenset[str]:
        return frozenset(fold(place) for place in self.listed("places"))

    @cached_property
    def asked_cues(self) -> frozenset[str]:
        return frozenset(self.listed("asked_cues"))

    @cached_property
    def asked_years(self) -> frozenset[str]:
        return frozenset(self.listed("asked_years"))

    @cached_property
    def years(self) -> frozenset[str]:
        """Every year the entry speaks of: in its answer, dates and curated questions."""
        stated = question_years(self.row["answer"]) | {d[:4] for d in self.listed("dates")}
        return stated | self.asked_years

    @cached_property
    def _sentence_terms(self) -> list[tuple[str, frozenset[str]]]:
        return sentence_terms(self.row["answer"])

    def month_only(self, day: str) -> bool:
        """Whether the entry dates the day's month ('2021-11') and no day at all: a day
        it does give elsewhere makes the question's day a premise to correct instead."""
        dates = self.listed("dates")
        return any(d[:7] == day[:7] for d in dates) and all(len(d) < 10 for d in dates)

    def counts(self, groups) -> bool:
        """A figure stands in a sentence that holds the counted thing ('415 klotterärenden'),
        not just anywhere ('tre tungt kriminella nätverk' counts no shootings)."""
        evidence = count_evidence(self._sentence_terms, groups)
        if evidence is None:
            return self.satisfies("count")
        if evidence == "vague":
            return False  # "flera skjutningar": the thing is there, its number is not
        return evidence == "figure" or len(self.listed("people")) >= 2

    def satisfies(self, cue: str) -> bool:
        """Whether the entry holds the kind of fact a question word asks for."""
        if self.is_gap:
            return cue in self.asked_cues
        answer = self.row["answer"]
        if cue == "when":
            return bool(self.listed("dates"))
        if cue == "count":  # a figure, or named people that can be counted
            return holds_figure(answer) or len(self.listed("people")) >= 2
        if cue == "share":
            return "%" in answer or "procent" in answer
        if cue == "cost":
            return bool(MONEY.search(answer))
        if cue in ("who", "winner"):
            return bool(self.listed("people") or self.listed("organisations"))
        if cue == "actor":
            return bool(self.listed("organisations"))
        if cue == "person":
            return bool(self.listed("people"))
        if cue == "name":  # something named: people, organisations, places, a quoted title
            names = self.listed("people") + self.listed("organisations") + self.listed("places")
            return bool(names) or bool(NAMED.search(answer))
        if cue == "amount":
            return bool(AMOUNT.search(answer))
        if cue == "service":
            return bool(SERVICE_DETAIL.search(answer))
        if cue == "where":
            return bool(self.listed("places"))
        if cue == "decision":
            return self.kind == "decision"
        if cue == "why":  # a cause or purpose, not a sentence saying that none is given
            from bot.premises import NOT_STATED

            said = [s for s in sentences(answer) if not NOT_STATED.search(fold(s))]
            return any(CAUSE.search(s) for s in said)
        if cue == "future":  # a plan, or a fact dated after the period its document covers
            period = self.row["period"] or ""
            return self.row["status"] == "planned" or any(
                date[:4] > period for date in self.listed("dates") if period
            )
        return True


@dataclass(frozen=True)
class Candidate:
    """One entry as a possible answer to one question, with the numbers that describe the fit."""

    entry: IndexedEntry
    features: dict[str, float]
    matched: frozenset[int]  # positions of the query groups the entry holds
    unmet: frozenset[str] = frozenset()  # hard cues of the question the entry cannot answer

    def with_features(self, features: dict[str, float]) -> Candidate:
        """The same candidate with some features set (a direct copy: `replace` is slow)."""
        return Candidate(self.entry, {**self.features, **features}, self.matched, self.unmet)

    @property
    def sort_key(self) -> tuple:
        """Ties between equal scores: facts before gaps, then by id (stable output)."""
        return (self.entry.is_gap, self.entry.id)


class Searcher:
    """Finds and describes candidate entries for questions, over one open index."""

    def __init__(self, connection: sqlite3.Connection, semantic=None):
        self.db = connection
        self.entry_total = connection.execute("select count(*) from entries").fetchone()[0]
        sv_df, en_df, source_df = self._load_vocabulary()
        self.sv_df = sv_df
        self.analyser = QueryAnalyser(
            entry_total=self.entry_total,
            sv_df=sv_df,
            en_df=en_df,
            source_df=source_df,
            aliases=dict(connection.execute("select term, base from aliases")),
            surface=dict(connection.execute("select word, term from surface")),
            glossary=self._load_glossary(),
        )
        self.en_df = en_df
        self.semantic = semantic
        self.report_periods = frozenset(
            period for (period,) in connection.execute("select period from documents") if period
        )
        self._entries: OrderedDict[int, IndexedEntry] = OrderedDict()

    def _load_vocabulary(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Document frequencies: in entries (Swedish, English) and in the source passages."""
        found: dict[str, dict[str, int]] = {"sv": {}, "en": {}, "source": {}}
        for term, lang, df in self.db.execute("select term, lang, df from vocabulary"):
            found.setdefault(lang, {})[term] = df
        return found["sv"], found["en"], found["source"]

    def _load_glossary(self) -> dict[str, dict[str, list[str]]]:
        glossary: dict[str, dict[str, list[str]]] = {}
        for kind, phrase, target in self.db.execute("select kind, phrase, target from glossary"):
            glossary.setdefault(kind, {}).setdefault(phrase, []).append(target)
        return glossary

    def analyse(self, text: str, lang: str) -> Query:
        return self.analyser.analyse(text, lang)

    # -- entries ----------------------------------------------------------------------------

    def entry(self, number: int) -> IndexedEntry:
        cached = self._entries.get(number)
        if cached is None:
            row = self.db.execute("select * from entries where n = ?", (number,)).fetchone()
            cached = IndexedEntry(dict(row))
            self._entries[number] = cached
            if len(self._entries) > ENTRY_CACHE:
                self._entries.popitem(last=False)
        return cached

    def entry_by_id(self, entry_id: str) -> IndexedEntry | None:
        row = self.db.execute("select n from entries where id = ?", (entry_id,)).fetchone()
        return self.entry(row[0]) if row else None

    def curated_match(self, text: str) -> IndexedEntry | None:
        """The one entry that has this question, word for word (folded), among its curated
        questions; None when no entry or several have it."""
        key = " ".join(words(text))
        rows = self.db.execute("select entry from curated where folded = ?", (key,)).fetchall()
        return self.entry(rows[0][0]) if len(rows) == 1 else None

    # -- candidates -------------------------------------------------------------------------

    def candidates(self, query: Query, meaning=None) -> list[Candidate]:
        """Entries that share a term with the question (bm25 order), plus the closest ones by
        meaning (`meaning`: a static or an e5 index; the searcher's own by default), each
        with its features."""
        return self.with_meaning(query, self.lexical_candidates(query), meaning)

    def lexical_candidates(self, query: Query) -> list[Candidate]:
        """Entries that share a term with the question, in bm25 order, without meaning."""
        numbers = self._fts_candidates(query)
        described = [self.describe(query, self.entry(n), rank) for rank, n in enumerate(numbers)]
        return _with_gap_contrast(query, described)

    def with_meaning(
        self, query: Query, lexical: list[Candidate], meaning=None
    ) -> list[Candidate]:
        """The lexical candidates with their semantic features, plus the closest entries by
        meaning that share no term; unchanged when embeddings are not available."""
        meaning = meaning or self.semantic
        scores = meaning.scores(query.text) if meaning else {}
        if not scores:
            return lexical
        numbers = [c.entry.row["n"] for c in lexical]
        by_meaning = sorted(scores, key=lambda n: -sum(scores[n]))
        numbers += [n for n in by_meaning[: meaning.extra] if n not in numbers]
        best_q = max(scores[n][0] for n in numbers)
        best_p = max(scores[n][1] for n in numbers)
        order = {n: i for i, n in enumerate(sorted(numbers, key=lambda n: -sum(scores[n])))}

        def relative(n: int) -> tuple[float, float, float]:
            return (
                SEMANTIC_SCALE * (scores[n][0] - best_q),
                SEMANTIC_SCALE * (scores[n][1] - best_p),
                1.0 / (1 + order[n]),
            )

        described = [
            c.with_features(dict(zip(SEMANTIC_FEATURES, relative(n), strict=True)))
            for c, n in zip(lexical, numbers, strict=False)
        ]
        described += [  # the closest by meaning that share no term: after the bm25 ones
            self.describe(query, self.entry(n), rank, semantic=relative(n))
            for rank, n in enumerate(numbers[len(lexical) :], start=len(lexical))
        ]
        return _with_gap_contrast(query, described)

    def _fts_candidates(self, query: Query) -> list[int]:
        limit = max(FREQUENT_FLOOR, self.entry_total * FREQUENT_SHARE)
        pairs = [(self.sv_df.get(t, 0), t, "") for g in query.groups for t in g.sv | g.heads]
        pairs += [(self.en_df.get(t, 0), t, "en : ") for g in query.groups for t in g.en]
        chosen = sorted({pair for pair in pairs if pair[0] <= limit})
        ranked = bool(chosen)
        if not chosen and pairs:
            # Only common words: any few entries with the rarest of them will do, and
            # ranking a huge posting list by bm25 would cost the most for the least.
            chosen = [min(pairs)]
        if not chosen:
            return []
        expression = " OR ".join(f'{column}"{term}"' for _, term, column in chosen)
        order = "order by bm25(entries_fts, 3.0, 1.0, 1.5) " if ranked else ""
        sql = f"select rowid from entries_fts where entries_fts match ? {order}limit ?"
        return [row[0] for row in self.db.execute(sql, (expression, CANDIDATE_LIMIT))]

    # -- features ---------------------------------------------------------------------------

    def describe(
        self,
        query: Query,
        entry: IndexedEntry,
        rank: int = 0,
        semantic: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> Candidate:
        """The features of one entry as the answer to one question (see FEATURES)."""
        total = query.total_weight or 1.0
        shares = dict.fromkeys((HEAD, BODY, ENGLISH, PARTIAL), 0.0)
        matched, titled, unknown = set(), 0.0, 0.0
        rarest = max(query.entry_groups, key=lambda g: g.weight, default=None)
        source_only = 0.0
        for position, group in enumerate(query.groups):
            if not group.known:
                unknown += group.weight
            elif not group.in_entries:
                source_only += group.weight
            if group.sv & entry.title:
                titled += group.weight
            level = _match_level(group, entry)
            if level:
                shares[level] += group.weight / total
                matched.add(position)
        repaired_only = bool(matched) and all(query.groups[i].repaired for i in matched)
        coverage = sum(shares.values())
        cue_met = sum(entry.satisfies(c) for c in query.cues if c != "cost")
        cue_missed = sum(not entry.satisfies(c) for c in query.cues if c in REQUIRED_CUES)
        party = entry.row["party"]
        features = {
            "coverage_head": shares[HEAD],
            "coverage_body": shares[BODY],
            "coverage_english": shares[ENGLISH],
            "coverage_partial": shares[PARTIAL],
            "title": titled / total,
            "similarity": self._similarity(query, entry),
            "wording": self._wording(query, entry),
            **self._question_overlap(query, entry),
            "missed_rarest": float(
                rarest is not None and query.groups.index(rarest) not in matched
            ),
            "unknown": unknown / total,
            "source_only": source_only / total,
            "cue_met": float(min(cue_met, 2)),
            "cue_missed": float(min(cue_missed, 2)),
            "year_mismatch": float(self._year_mismatch(query, entry)),
            "party_match": float(bool(party) and party in query.parties),
            "party_unasked": float(bool(party) and not query.parties and "who" not in query.cues),
            "party_wrong": float(
                bool(party) and bool(query.parties) and party not in query.parties
            ),
            "place_match": float(bool(query.districts_folded & entry.folded_places)),
            "place_mismatch": float(
                bool(query.districts)
                and bool(entry.folded_places)
                and not query.districts_folded & entry.folded_places
            ),
            "gap": float(entry.is_gap),
            "gap_coverage": coverage if entry.is_gap else 0.0,
            "gap_cue": float(entry.is_gap and bool(entry.asked_cues & query.cues)),
            "gap_cue_missed": float(
                entry.is_gap and bool(entry.asked_cues) and not entry.asked_cues & query.cues
            ),
            "gap_unique": 0.0,  # set by _with_gap_contrast: it needs the other candidates
            "bm25": 1.0 / (1 + rank),
            "repaired_only": float(repaired_only),
            "overview": float(entry.row["overview"]),
            "broad_overview": float(entry.row["overview"] and query.intent == "broad"),
            "passage_quote": 0.0,  # set by passage_search.with_best_passage
            "passage_document": 0.0,
            "passage_detail": 0.0,
            **dict(zip(SEMANTIC_FEATURES, semantic, strict=True)),
        }
        cues = set(query.cues) | ({"amount"} if {"count", "cost"} <= query.cues else set())
        unmet = {c for c in cues if c in HARD_CUES and not entry.satisfies(c)}
        if "count" in cues and "count" not in unmet and not entry.counts(query.counted_groups):
            unmet.add("count")
        if features["year_mismatch"] and not entry.is_gap:
            unmet.add("year")
        if query.stated_day and not entry.is_gap and entry.month_only(query.stated_day):
            unmet.add("when")  # 'den 18 november?' and the entry knows only 'i november
        if {"when", "future"} <= cues and not entry.satisfies("future"):
            unmet.add("future")  # the date of a coming occasion: a past date does not answer
        return Candidate(entry, features, frozenset(matched), frozenset(unmet))

    def _year_mismatch(self, query: Query, entry: IndexedEntry) -> bool:
        # A gap is about the years its questions name; an entry about the years it states.
        years = entry.asked_years if entry.is_gap else entry.years
        # A year naming the report ('the 2021 report') does not ask about a time; it still
        # tells a gap about another year ('the motion of 2017') apart.
        asked = query.years if entry.is_gap else query.years_asked(self.report_periods)
        return bool(asked) and (bool(years) or not entry.is_gap) and not asked & years

    def _similarity(self, query: Query, entry: IndexedEntry) -> float:
        text = query.terms_text
        if not text or not entry.question_terms:
            return 0.0
        best = process.extractOne(text, entry.question_terms, scorer=fuzz.token_sort_ratio)
        if not best:
            return 0.0
        return max(0.0, (best[1] / 100 - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR))

    def _question_overlap(self, query: Query, entry: IndexedEntry) -> dict[str, float]:
        """How well the single closest curated question and the question cover each other,
        both ways, weighted by how rare each word is."""
        total = query.total_weight or 1.0
        questions, holding = self._question_weights(entry)
        held_by: dict[int, list] = {}  # curated question -> the query groups it holds
        for group in query.groups:
            found = {i for t in group.sv | group.heads for i in holding.get(t, ())}
            for i in found:
                held_by.setdefault(i, []).append(group)
        best = (0.0, 0.0)
        for i in sorted(held_by):
            held = held_by[i]
            terms, weights, weight_sum = questions[i]
            cover = sum(g.weight for g in held) / total
            found = set().union(*(g.sv | g.heads for g in held)) & terms
            precision = sum(weights[t] for t in found) / weight_sum
            if cover + precision > sum(best):
                best = (cover, precision)
        return {"question_cover": best[0], "question_precision": best[1]}

    def _question_weights(self, entry: IndexedEntry) -> tuple[list, dict[str, list[int]]]:
        """Per curated question: its terms, their idf and the sum; and which questions hold
        each term (computed once per entry)."""
        cached = entry.__dict__.get("_question_weights")
        if cached is None:
            questions: list[tuple[frozenset, dict, float]] = []
            holding: dict[str, list[int]] = {}
            for terms in entry.question_term_sets:
                if terms:
                    weights = {t: self.analyser.idf(self.sv_df.get(t, 0)) for t in terms}
                    for term in terms:
                        holding.setdefault(term, []).append(len(questions))
                    questions.append((terms, weights, sum(weights.values()) or 1.0))
            cached = entry.__dict__["_question_weights"] = (questions, holding)
        return cached

    def _wording(self, query: Query, entry: IndexedEntry) -> float:
        if not query.folded or not entry.question_words:
            return 0.0
        best = process.extractOne(query.folded, entry.question_words, scorer=fuzz.ratio)
        return best[1] / 100 if best else 0.0


def sentence_terms(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each sentence of a text with its terms: where a count is looked for."""
    from bot.text import terms

    return [(s, frozenset(terms(s))) for s in sentences(text)]


def count_evidence(sentence_terms: list[tuple[str, frozenset[str]]], groups) -> str | None:
    """How the sentences that hold the counted thing count it: "figure", "vague" ('flera
    skjutningar') or "none"; None when no sentence holds the thing."""
    relevant = [
        sentence
        for sentence, held in sentence_terms
        if any(holds_term(held, g.sv) for g in groups)
    ]
    if not relevant:
        return None
    if any(_vaguely_counted(sentence, groups) for sentence in relevant):
        return "vague"
    return "figure" if any(holds_figure(s) for s in relevant) else "none"


def _vaguely_counted(sentence: str, groups) -> bool:
    """A word of the question right after a vague quantity: 'flera skjutningar'."""
    tokens = words(sentence)
    for before, token in itertools.pairwise(tokens):
        if before in VAGUE and any(holds_term({stem(token)}, g.sv) for g in groups):
            return True
    return False


def holds_term(
    held: set[str] | frozenset[str],
    wanted: frozenset[str],
    endings: frozenset[str] | None = None,
) -> bool:
    """A set of terms holds a word, also as the head of a compound ('trygghetskamer' holds
    'kamer'). `endings` (term_endings of `held`) makes the compound check one lookup."""
    for term in wanted:
        if term in held:
            return True
        if len(term) >= 4:
            if endings is not None:
                if term in endings:
                    return True
            elif any(h.endswith(term) for h in held):
                return True
    return False


def term_endings(held: frozenset[str]) -> frozenset[str]:
    """Every ending of four letters or more of the terms: where a compound's head is found."""
    return frozenset(term[i:] for term in held for i in range(len(term) - 3))


CONTRAST_FACTS = 3  # the fact entries a gap is held against: those holding most of the words


def _with_gap_contrast(query: Query, candidates: list[Candidate]) -> list[Candidate]:
    """Each gap's share of the question's weight that the closest fact entries do not hold:
    a gap stands for a missing fact, so it must explain words the facts cannot."""
    if not any(c.entry.is_gap for c in candidates):
        return candidates
    total = query.total_weight or 1.0

    def held(candidate: Candidate) -> float:
        return sum(query.groups[i].weight for i in candidate.matched)

    facts = sorted((c for c in candidates if not c.entry.is_gap), key=held, reverse=True)
    covered = set().union(*(c.matched for c in facts[:CONTRAST_FACTS])) if facts else set()
    result = []
    for candidate in candidates:
        if candidate.entry.is_gap:
            unique = sum(query.groups[i].weight for i in candidate.matched - covered) / total
            candidate = candidate.with_features({"gap_unique": unique})
        result.append(candidate)
    return result


def _match_level(group, entry: IndexedEntry) -> str | None:
    if group.sv & entry.head:
        return HEAD
    if group.sv & entry.body:
        return BODY
    if group.en & entry.english:
        return ENGLISH
    if group.heads & (entry.head | entry.body):
        return PARTIAL
    return None
