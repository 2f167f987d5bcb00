"""Passages of the source text as answers: candidates for a question and their features.

The entries are curated answers; the passages are the documents' own sentences (built by
bot.passages, indexed by bot.index). A question's passage candidates come from FTS5 (bm25)
and, with embeddings, from meaning; each is described by a few numbers that the fitted
passage model (bot.ranker, variant 'passage') weighs. Pure given an open index.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from bot.models import Document
from bot.query import Query
from bot.search import (
    AMOUNT,
    CAUSE,
    HARD_CUES,
    SERVICE_DETAIL,
    count_evidence,
    holds_figure,
    holds_term,
    sentence_terms,
    term_endings,
)
from bot.text import fold, question_years, words

PASSAGE_CANDIDATES = 30
SEMANTIC_EXTRA = 6  # the closest passages by meaning join the bm25 ones
SEMANTIC_SCALE = 100.0
MONTH = re.compile(
    r"\b(januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|"
    r"december|våren|hösten|sommaren|vintern|kvartal\w*|\d{4}-\d{2}(-\d{2})?)\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(19|20)\d\d\b")
SHARE = re.compile(r"%|\bprocent\b", re.IGNORECASE)
DECIDED = re.compile(
    r"\b(beslut\w*|godkänn\w*|antar|antogs|avslå\w*|avslog|bifall\w*|bordl\w*|"
    r"ställer sig bakom|fastställ\w*)\b",
    re.IGNORECASE,
)
# A name: a capitalised word that does not start the sentence, a party in parentheses, or a
# quoted title.
NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-ZÅÄÖ][a-zåäöé]+|\([A-ZÅÄÖ]{1,3}\)|[”\"]")
OWN_NAME = frozenset({"Huddinge", "Huddinges"})  # the municipality the material is about
# A person's name: a first name and a family name ('Eva Ganters').
PERSON = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+ [A-ZÅÄÖ][a-zåäöé]+\b")
ORGANISATION = re.compile(
    r"\b\w*(förvaltning\w*|myndighet\w*|polis\w*|förening\w*|förbund\w*|jour\w*|stiftelse\w*|"
    r"kår\w*|klubb\w*|AB|nämnd\w*|styrelse\w*|region\w*|institut\w*|länsstyrelse\w*)\b",
    re.IGNORECASE,
)

# The features of one (question, passage) pair, in the order the passage model's weights use.
PASSAGE_FEATURES = (
    "coverage",  # share of the question's weight found in the passage's own words
    "section_coverage",  # ... found only in its section heading
    "partial",  # ... found only as the head of a compound ('kameror' in trygghetskameror)
    "missed_rarest",  # the rarest known word of the question is not in the passage
    "unknown",  # share of the question's weight that neither entries nor passages know
    "entry_only",  # share the entries know but the source text does not (glossary words)
    "source_only",  # share only the source text knows: no entry holds it
    "uncurated",  # no entry quotes the passage's section (a new document's, say)
    "bm25",  # 1 / (1 + position in the bm25 order)
    "cue_met",  # question words (when, how many, who, why …) the passage can answer
    "cue_missed",  # when/count/share/cost asked, and the passage holds no such fact
    "year_mismatch",  # the question names a year the passage and its document do not
    "party_match",  # the question names the party whose note this passage is from
    "party_wrong",  # ... names another party than the note's
    "place_match",  # the question names a place the passage names
    "place_mismatch",  # the question names a place; the passage names another district
    "entry_quote",  # the best entry's quote lies in this passage
    "entry_gap",  # the best entry says what the material does not contain
    "entry_confidence",  # how sure the entry ranking is of its best entry
    "length",  # log of the passage's length in sentences' worth (100 characters)
    # Optional (embeddings): cosine relative to the best passage's, in hundredths; rank.
    "semantic",
    "semantic_rank",
)
PASSAGE_SEMANTIC_FEATURES = ("semantic", "semantic_rank")


@dataclass
class IndexedPassage:
    """A passage row of the index with its term sets and what facts it holds, decoded once."""

    row: dict
    _facts: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        return self.row["n"]

    @property
    def text(self) -> str:
        return self.row["text"]

    @cached_property
    def terms(self) -> frozenset[str]:
        return frozenset(self.row["terms"].split())

    @cached_property
    def endings(self) -> frozenset[str]:
        return term_endings(self.terms)

    @cached_property
    def word_text(self) -> str:
        """The folded words, one space apart: where a quote's run of words is looked for."""
        return " ".join(words(self.folded))

    def counts(self, groups) -> bool:
        """A figure of the counted thing, as an entry's count is checked (`IndexedEntry.
        counts`): 'flera skjutningar och våldsdåd' beside 'tre … nätverk' counts no shootings."""
        evidence = count_evidence(self._sentence_terms, groups)
        return self.satisfies("count") if evidence is None else evidence == "figure"

    @cached_property
    def _sentence_terms(self) -> list[tuple[str, frozenset[str]]]:
        return sentence_terms(self.text)

    @cached_property
    def section_terms(self) -> frozenset[str]:
        return frozenset(self.row["section_terms"].split())

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def years(self) -> frozenset[str]:
        return question_years(self.folded)

    def speaks_of_the_future(self, period: set[str]) -> bool:
        """A plan, or a year after the one its document covers."""
        return bool(PLAN.search(self.folded)) or any(y > max(period) for y in self.years if period)

    def satisfies(self, cue: str, districts: tuple[str, ...] = ()) -> bool:
        """Whether the passage holds the kind of fact a question word asks for (found once
        per cue: the same passages come up for question after question)."""
        key = (cue, districts)
        found = self._facts.get(key)
        if found is None:
            found = self._facts[key] = self._holds_fact(cue, districts)
        return found

    def _holds_fact(self, cue: str, districts: tuple[str, ...]) -> bool:
        text = self.text
        if cue == "count":
            return holds_figure(text)
        if cue == "share":
            return bool(SHARE.search(text))
        if cue in ("cost", "amount"):
            return bool(AMOUNT.search(text))
        if cue == "when":
            return bool(MONTH.search(text) or YEAR.search(text))
        if cue == "why":
            return bool(CAUSE.search(text))
        if cue == "service":
            return bool(SERVICE_DETAIL.search(text))
        if cue == "decision":
            return bool(DECIDED.search(text))
        # 'Huddinge kommun' names no one: it does not answer 'vad heter trygghetsvärdarna?'.
        named = [name for name in NAME.findall(text) if name not in OWN_NAME]
        if cue == "who":
            return bool(ORGANISATION.search(text) or named)
        if cue == "winner":  # a winner is named; a capitalised word ('Instagramtävling') is none
            return bool(ORGANISATION.search(text) or PERSON.search(text))
        if cue == "name":
            return bool(named)
        if cue == "person":
            return bool(PERSON.search(text))
        if cue == "actor":
            return bool(ORGANISATION.search(text))
        if cue == "where":
            return any(fold(d) in self.folded for d in districts) or bool(named)
        return True


@dataclass(frozen=True)
class PassageCandidate:
    passage: IndexedPassage
    features: dict[str, float]
    matched: frozenset[int]  # positions of the query groups the passage holds
    unmet: frozenset[str] = frozenset()  # what the question demands and the passage lacks

    def with_features(self, features: dict[str, float]) -> PassageCandidate:
        """The same candidate with some features set (a direct copy: `replace` is slow)."""
        features = {**self.features, **features}
        return PassageCandidate(self.passage, features, self.matched, self.unmet)

    @property
    def sort_key(self) -> tuple:
        return (False, self.passage.n)


@dataclass(frozen=True)
class EntryEvidence:
    """What the entry ranking concluded, as the passages see it."""

    quote: str = ""  # the best entry's quote, folded ('' when no entry)
    gap: bool = False
    confidence: float = 0.0


REQUIRED = ("count", "share", "cost", "when")
# The question words a passage must answer, as an entry must: a passage without a number,
# date, cause or name does not answer "how many", "when", "why" or "what is it called",
# however well its words match; nor one without an amount "what did it cost".
HARD = (*HARD_CUES, "cost")
# Words of a plan in a passage (folded): what is to happen, not what happened.
PLAN = re.compile(
    r"\b(ska|skall|kommer att|planer\w*|planera\w*|avser|nasta|kommande|framover|tillkommer)\b"
)


class PassageSearcher:
    """Finds and describes the passages that may answer a question, over one open index."""

    def __init__(self, connection: sqlite3.Connection, documents: dict[str, Document]):
        self.db = connection
        self.documents = documents
        self.source_df = dict(
            connection.execute("select term, df from vocabulary where lang = 'source'")
        )
        self.districts = tuple(
            phrase
            for (phrase,) in connection.execute(
                "select target from glossary where kind = 'district'"
            )
        )
        self.folded_districts = tuple(fold(d) for d in self.districts)
        self.report_periods = frozenset(d.period for d in documents.values() if d.period)
        self._passages: dict[int, IndexedPassage] = {}

    @property
    def available(self) -> bool:
        return bool(self.source_df)

    def passage(self, number: int) -> IndexedPassage:
        found = self._passages.get(number)
        if found is None:
            row = self.db.execute("select * from passages where n = ?", (number,)).fetchone()
            found = self._passages[number] = IndexedPassage(dict(row))
        return found

    def neighbours(self, passage: IndexedPassage) -> list[IndexedPassage]:
        """The passages of the same section, in order."""
        sql = "select n from passages where document = ? and section = ? order by position"
        rows = self.db.execute(sql, (passage.row["document"], passage.row["section"]))
        return [self.passage(n) for (n,) in rows]

    def candidates(
        self, query: Query, evidence: EntryEvidence = EntryEvidence(), meaning=None
    ) -> list[PassageCandidate]:
        """The passages that share a term with the question (bm25), plus the closest by
        meaning when `meaning` (a static or an e5 index) is given, each with features."""
        numbers = self._fts(query)
        meaning = meaning if meaning is not None and meaning.passages else None
        scores = meaning.passage_scores(query.text) if meaning else {}
        if scores:
            by_meaning = sorted(scores, key=scores.get, reverse=True)
            numbers += [n for n in by_meaning[:SEMANTIC_EXTRA] if n not in numbers]
        described = [
            self.describe(query, self.passage(n), rank, evidence) for rank, n in enumerate(numbers)
        ]
        if scores and described:
            best = max(scores[c.passage.n] for c in described)
            order = sorted(described, key=lambda c: -scores[c.passage.n])
            ranks = {c.passage.n: i for i, c in enumerate(order)}
            described = [
                c.with_features(
                    {
                        "semantic": SEMANTIC_SCALE * (scores[c.passage.n] - best),
                        "semantic_rank": 1.0 / (1 + ranks[c.passage.n]),
                    }
                )
                for c in described
            ]
        return described

    def _fts(self, query: Query) -> list[int]:
        chosen = sorted({t for g in query.groups for t in g.sv | g.heads if t in self.source_df})
        if not chosen:
            return []
        expression = " OR ".join(f'"{term}"' for term in chosen)
        sql = (
            "select rowid from passages_fts where passages_fts match ? "
            "order by bm25(passages_fts, 1.0, 2.0) limit ?"
        )
        return [row[0] for row in self.db.execute(sql, (expression, PASSAGE_CANDIDATES))]

    def describe(
        self,
        query: Query,
        passage: IndexedPassage,
        rank: int = 0,
        evidence: EntryEvidence = EntryEvidence(),
    ) -> PassageCandidate:
        total = query.total_weight or 1.0
        own = section = partial = unknown = entry_only = source_only = 0.0
        matched = set()
        for position, group in enumerate(query.groups):
            if not group.known:
                unknown += group.weight
                continue
            if not any(t in self.source_df for t in group.sv | group.heads):
                entry_only += group.weight
            elif not group.in_entries:
                source_only += group.weight
            if holds_term(passage.terms, group.sv, passage.endings):
                own += group.weight
            elif group.sv & passage.section_terms:
                section += group.weight
            elif group.heads & passage.terms:
                partial += group.weight
            else:
                continue
            matched.add(position)
        rarest = max(query.known_groups, key=lambda g: g.weight, default=None)
        cues = set(query.cues)
        met = sum(passage.satisfies(c, self.districts) for c in cues)
        missed = sum(not passage.satisfies(c, self.districts) for c in cues if c in REQUIRED)
        document = self.documents.get(passage.row["document"])
        party = document.party if document else None
        period = {document.covered_year} if document else set()
        asked_years = query.years_asked(self.report_periods)
        features = {
            "coverage": own / total,
            "section_coverage": section / total,
            "partial": partial / total,
            "missed_rarest": float(
                rarest is not None and query.groups.index(rarest) not in matched
            ),
            "unknown": unknown / total,
            "entry_only": entry_only / total,
            "source_only": source_only / total,
            "uncurated": float(not passage.row.get("curated")),
            "bm25": 1.0 / (1 + rank),
            "cue_met": float(min(met, 2)),
            "cue_missed": float(min(missed, 2)),
            "year_mismatch": float(
                bool(asked_years) and not asked_years & (passage.years | period)
            ),
            "party_match": float(bool(party) and party in query.parties),
            "party_wrong": float(
                bool(party) and bool(query.parties) and party not in query.parties
            ),
            "place_match": float(any(d in passage.folded for d in query.districts_folded)),
            "place_mismatch": float(
                bool(query.districts)
                and not any(d in passage.folded for d in query.districts_folded)
                and any(d in passage.folded for d in self.folded_districts)
            ),
            "entry_quote": float(bool(evidence.quote) and _overlaps(evidence.quote, passage)),
            "entry_gap": float(evidence.gap),
            "entry_confidence": evidence.confidence,
            "length": math.log(1 + len(passage.text) / 100),
            "semantic": 0.0,
            "semantic_rank": 0.0,
        }
        # The date of a coming occasion ("när är nästa …"): only a plan or a later date says it.
        coming = {"when", "future"} <= cues and not passage.speaks_of_the_future(period)
        unmet = {c for c in cues if c in HARD and not passage.satisfies(c, self.districts)}
        if coming:
            unmet.add("future")
        if "count" in cues and "count" not in unmet and not passage.counts(query.counted_groups):
            unmet.add("count")
        if features["year_mismatch"]:
            unmet.add("year")  # 'anställdes 2022?': what it says of 2021 does not answer it
        if query.topical_positions and not matched & query.topical_positions:
            unmet.add("topic")  # only the place or generic words: it is about something else
        if query.names_unknown_thing:
            unmet.add("unknown")  # the text never names it: no passage is about it
        return PassageCandidate(passage, features, frozenset(matched), frozenset(unmet))


def with_evidence(candidates: list[PassageCandidate], evidence: EntryEvidence) -> list:
    """Passage candidates with the entry ranking's conclusions filled in."""
    return [
        candidate.with_features(
            {
                "entry_quote": float(
                    bool(evidence.quote) and _overlaps(evidence.quote, candidate.passage)
                ),
                "entry_gap": float(evidence.gap),
                "entry_confidence": evidence.confidence,
            }
        )
        for candidate in candidates
    ]


def best_passage(candidates: list[PassageCandidate]) -> PassageCandidate | None:
    """The passage that holds most of the question (its own words first, then its
    heading's), bm25 breaking ties: evidence for ranking the entries."""

    def held(candidate: PassageCandidate) -> tuple[float, float]:
        f = candidate.features
        return (f["coverage"] + 0.5 * f["section_coverage"] + 0.3 * f["partial"], f["bm25"])

    return max(candidates, key=held, default=None)


def with_best_passage(query: Query, entries: list, best: PassageCandidate | None) -> list:
    """Entry candidates with what the best passage says of them: whether their quote lies in
    it, whether they are of its document, and how much of the question it holds that they
    do not (the asked detail stands in the text, not in the entry)."""
    if best is None:
        return entries
    total = query.total_weight or 1.0
    document = best.passage.row["document"]
    updated = []
    for candidate in entries:
        row = candidate.entry.row
        detail = best.matched - candidate.matched
        features = {
            "passage_quote": float(_overlaps(_folded_quote(row["quote"]), best.passage)),
            "passage_document": float(row["document"] == document),
            "passage_detail": sum(query.groups[i].weight for i in detail) / total,
        }
        updated.append(candidate.with_features(features))
    return updated


@lru_cache(maxsize=8192)
def _folded_quote(quote: str) -> str:
    return fold(quote)


def _overlaps(quote: str, passage: IndexedPassage) -> bool:
    """The entry's quote and the passage share a stretch of text: one holds the other, or
    they share a run of eight words."""
    text = passage.folded
    if quote in text or text in quote:
        return True
    said = passage.word_text
    return any(run in said for run in _word_runs(quote))


@lru_cache(maxsize=8192)
def _word_runs(quote: str) -> tuple[str, ...]:
    """The quote's runs of eight words, every fourth word on."""
    quoted = words(quote)
    return tuple(" ".join(quoted[i : i + 8]) for i in range(0, max(1, len(quoted) - 7), 4))
