"""Query analysis and hybrid ranking: FTS5/bm25 candidates re-ranked by weighted term coverage
and rapidfuzz similarity to each entry's curated questions. Pure given an open index."""

from __future__ import annotations

import bisect
import json
import math
import re
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.index import split_compound
from bot.text import (
    STOPWORDS,
    fold,
    question_cues,
    question_years,
    stem,
    stem_en,
    words,
)

# A figure that can answer "how many": digits that are not a year, or a number word.
NUMBER_WORDS = re.compile(
    r"\b(?!(?:19|20)\d\d\b)\d|"
    r"\b(två|tre|fyra|fem|sex|sju|åtta|nio|tio|tjugo|hundra|one|two|three|four|five)\b"
)
NEGATED_ASIDE = re.compile(r"\(\s*(?:inte|ej|icke|not|no)\b[^)]*\)", re.IGNORECASE)
MONEY = re.compile(r"\b(kr|kronor|mnkr|öre|miljoner|mkr|tkr|sek)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SearchTuning:
    """Ranking knobs; defaults were set on the whole public question set, not per question."""

    candidate_limit: int = 40
    head_weight: float = 1.0
    body_weight: float = 0.7
    english_weight: float = 0.9
    unknown_weight: float = 2.2
    coverage_share: float = 0.65
    similarity_share: float = 0.35
    cue_bonus: float = 0.05
    cue_penalty: float = 0.08
    party_bonus: float = 0.1
    frequent_share: float = 0.02
    frequent_floor: int = 50
    repair_factor: float = 0.8
    gap_mismatch_penalty: float = 0.15
    cost_penalty: float = 0.2
    decision_bonus: float = 0.12
    title_share: float = 0.1
    partial_weight: float = 0.5
    typo_prefix: int = 2  # letters a typo repair must keep at the start
    typo_min_length: int = 6
    note_penalty: float = 0.05
    year_mismatch_penalty: float = 0.1
    short_unknown_weight: float = 0.5
    similarity_floor: float = 0.3
    report_year: str = "2021"  # facts dated later are plans: what "next"/"snart" asks for


@dataclass(frozen=True)
class TermGroup:
    """One word of the question and every index term that counts as it."""

    word: str
    sv: frozenset[str]
    en: frozenset[str]
    weight: float
    repaired: bool = False  # found only by typo repair
    heads: frozenset[str] = frozenset()  # heads of compound glossary targets: partial matches

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

    @property
    def known_groups(self) -> tuple[TermGroup, ...]:
        return tuple(group for group in self.groups if group.known)

    @cached_property
    def total_weight(self) -> float:
        return sum(group.weight for group in self.groups)

    @cached_property
    def terms_text(self) -> str:
        chosen = [min(group.sv) if group.sv else group.word for group in self.groups]
        return " ".join(sorted(chosen))


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

    def listed(self, name: str) -> tuple[str, ...]:
        return tuple(json.loads(self.row[name] or "[]"))

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def kind(self) -> str:
        return self.row["kind"]

    @cached_property
    def has_number(self) -> bool:
        return bool(NUMBER_WORDS.search(self.row["answer"].casefold()))

    @cached_property
    def has_money(self) -> bool:
        return bool(MONEY.search(self.row["answer"]))

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

    def satisfies(self, cue: str, report_year: str) -> bool:
        if self.kind == "gap":
            return cue in self.asked_cues
        if cue == "when":
            return bool(self.listed("dates"))
        if cue == "count":  # a figure, or named people that can be counted
            return self.has_number or len(self.listed("people")) >= 2
        if cue == "share":
            return "%" in self.row["answer"] or "procent" in self.row["answer"]
        if cue == "cost":
            return self.has_money
        if cue == "who":
            return bool(self.listed("people") or self.listed("organisations"))
        if cue == "where":
            return bool(self.listed("places"))
        if cue == "decision":
            return self.kind == "decision"
        if cue == "future":
            return self.row["status"] == "planned" or any(
                date[:4] > report_year for date in self.listed("dates")
            )
        return True


@dataclass(frozen=True)
class Match:
    entry: IndexedEntry
    score: float
    coverage: float
    similarity: float
    matched: frozenset[int] = field(default_factory=frozenset)
    best_weight: float = 0.0


class Searcher:
    """Analyses questions and ranks entries of one open index."""

    def __init__(self, connection: sqlite3.Connection, tuning: SearchTuning | None = None):
        self.db = connection
        self.tuning = tuning or SearchTuning()
        self.entry_total = connection.execute("select count(*) from entries").fetchone()[0]
        self.sv_df, self.en_df = self._load_vocabulary()
        self.sv_sorted = sorted(self.sv_df)
        self.aliases = dict(connection.execute("select term, base from aliases"))
        self.surface = dict(connection.execute("select word, term from surface"))
        self.surface.update({word: "" for word in STOPWORDS})
        self.surface_by_prefix = _group_by_prefix(sorted(self.surface), self.tuning.typo_prefix)
        self.glossary = self._load_glossary()
        self._entries: OrderedDict[int, IndexedEntry] = OrderedDict()

    def _load_vocabulary(self) -> tuple[dict[str, int], dict[str, int]]:
        sv, en = {}, {}
        for term, lang, df in self.db.execute("select term, lang, df from vocabulary"):
            (sv if lang == "sv" else en)[term] = df
        return sv, en

    def _load_glossary(self) -> dict[str, dict[str, list[str]]]:
        glossary: dict[str, dict[str, list[str]]] = {}
        for kind, phrase, target in self.db.execute("select kind, phrase, target from glossary"):
            glossary.setdefault(kind, {}).setdefault(phrase, []).append(target)
        return glossary

    # -- query analysis -------------------------------------------------------------------

    def idf(self, df: int) -> float:
        return math.log((self.entry_total + 1) / (df + 0.5))

    def analyse(self, text: str, lang: str) -> Query:
        # "(inte digitalt)": an aside that rules something out is no evidence for it.
        folded = " ".join(words(NEGATED_ASIDE.sub(" ", text)))
        parties = self._find_parties(text, folded)
        consumed, phrase_groups = self._glossary_phrases(folded, lang)
        groups = list(phrase_groups)
        party_words = {fold(alias) for alias in self.glossary.get("party", {})}
        for word in folded.split():
            if word in consumed or word in party_words or word in STOPWORDS:
                continue
            group = self._expand(word, lang)
            if group is not None:
                groups.append(group)
        return Query(
            text=text,
            lang=lang,
            groups=tuple(_dedupe(groups)),
            cues=question_cues(folded),
            years=question_years(folded),
            parties=frozenset(parties),
            districts=frozenset(self._phrases_in(folded, "district")),
            outside=tuple(self._phrases_in(folded, "outside")),
        )

    def _find_parties(self, text: str, folded: str) -> set[str]:
        found = set()
        for alias, codes in self.glossary.get("party", {}).items():
            if len(alias) <= 2:
                pattern = rf"(?<![\w]){re.escape(alias)}(?![\w])"
                if re.search(pattern, text):
                    found.update(codes)
            elif re.search(rf"\b{re.escape(alias)}\b", folded):
                found.update(codes)
        return found

    def _phrases_in(self, folded: str, kind: str) -> list[str]:
        return [
            targets[0]
            for phrase, targets in self.glossary.get(kind, {}).items()
            if re.search(rf"\b{re.escape(phrase)}\b", folded)
        ]

    def _glossary_phrases(self, folded: str, lang: str) -> tuple[set[str], list[TermGroup]]:
        """Multi-word glossary phrases ('opening hours', 'hur långt') become one group each."""
        consumed: set[str] = set()
        groups = []
        kinds = ("english", "synonym") if lang == "en" else ("synonym",)
        for kind in kinds:
            for phrase, targets in self.glossary.get(kind, {}).items():
                if " " not in phrase or not re.search(rf"\b{re.escape(phrase)}\b", folded):
                    continue
                consumed.update(phrase.split())
                target_terms = frozenset(t for target in targets for t in target.split())
                group = self._group(phrase, target_terms, frozenset())
                groups.append(replace(group, heads=self._compound_heads(target_terms)))
        return consumed, groups

    def _expand(self, word: str, lang: str) -> TermGroup | None:
        """The index terms a word stands for; None for a misspelt stopword."""
        sv: set[str] = set()
        stemmed = stem(word)
        stemmed = self.aliases.get(stemmed, stemmed)
        if stemmed in self.sv_df:
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
            group = replace(group, weight=group.weight * self.tuning.repair_factor, repaired=True)
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
        parts = split_compound(stemmed, self.sv_df.keys())
        if parts:
            return set(parts)
        if len(stemmed) >= 5:
            start = bisect.bisect_left(self.sv_sorted, stemmed)
            longer = [t for t in self.sv_sorted[start : start + 4] if t.startswith(stemmed)]
            return set(longer)
        return set()

    def _typo_neighbour(self, word: str) -> str | None:
        """The stem of the closest known word form ('' for a stopword), or None."""
        if len(word) < self.tuning.typo_min_length or not word.isalpha():
            return None  # a short word is too easily another word ('skämt' -> 'skatt')
        allowed = 1 if len(word) < 9 else 2
        # Typos keep the first two letters far more often than not; requiring that keeps
        # real but unknown words ('simhallen') from being 'corrected' into known ones.
        choices = self.surface_by_prefix.get(word[: self.tuning.typo_prefix], ())
        best = process.extractOne(word, choices, scorer=Levenshtein.distance, score_cutoff=allowed)
        return self.surface[best[0]] if best else None

    def _group(
        self,
        word: str,
        sv: frozenset[str],
        en: frozenset[str],
        basis: list[int] | None = None,
    ) -> TermGroup:
        """Weight = idf of the rarest alternative, or of `basis` (document frequencies)."""
        if basis:
            dfs = basis
        else:
            dfs = [self.sv_df[t] for t in sv if t in self.sv_df]
            dfs += [self.en_df[t] for t in en if t in self.en_df]
        unknown = self.tuning.unknown_weight if len(word) > 2 else self.tuning.short_unknown_weight
        weight = self.idf(min(dfs)) if dfs else unknown
        if word.isdigit() and dfs:
            weight = min(weight, self.tuning.unknown_weight)
        return TermGroup(word=word, sv=sv, en=en, weight=max(weight, 0.1))

    # -- ranking --------------------------------------------------------------------------

    def candidates(self, query: Query) -> list[int]:
        """Entry numbers whose text shares a term with the question, best bm25 first.

        Terms found in very many entries are left out of the FTS query (they cost the most
        and decide the least); the re-ranking still counts them."""
        limit = max(self.tuning.frequent_floor, self.entry_total * self.tuning.frequent_share)
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
        rows = self.db.execute(sql, (expression, self.tuning.candidate_limit))
        return [row[0] for row in rows]

    def entry(self, number: int) -> IndexedEntry:
        cached = self._entries.get(number)
        if cached is None:
            row = self.db.execute("select * from entries where n = ?", (number,)).fetchone()
            cached = IndexedEntry(dict(row))
            self._entries[number] = cached
            if len(self._entries) > 5000:
                self._entries.popitem(last=False)
        return cached

    def entry_by_id(self, entry_id: str) -> IndexedEntry | None:
        row = self.db.execute("select n from entries where id = ?", (entry_id,)).fetchone()
        return self.entry(row[0]) if row else None

    def rank(self, query: Query, limit: int = 10) -> list[Match]:
        matches = [self.score(query, self.entry(number)) for number in self.candidates(query)]
        matches.sort(key=lambda m: (-m.score, m.entry.kind == "gap", m.entry.id))
        return matches[:limit]

    def score(self, query: Query, entry: IndexedEntry) -> Match:
        tuning = self.tuning
        total = query.total_weight or 1.0
        gained, matched, best, titled = 0.0, set(), 0.0, 0.0
        for position, group in enumerate(query.groups):
            if group.sv & entry.title:
                titled += group.weight
            level = 0.0
            if group.sv & entry.head:
                level = tuning.head_weight
            elif group.sv & entry.body:
                level = tuning.body_weight
            if group.en & entry.english:
                level = max(level, tuning.english_weight)
            if not level and group.heads & (entry.head | entry.body):
                level = tuning.partial_weight
            if level:
                gained += group.weight * level
                matched.add(position)
                best = max(best, group.weight)
        coverage = gained / total
        similarity = self._similarity(query, entry)
        score = tuning.coverage_share * coverage + tuning.similarity_share * similarity
        score += tuning.title_share * titled / total  # an entry about the asked word
        score += self._cue_adjustment(query, entry)
        if query.parties and entry.row["party"] in query.parties:
            score += tuning.party_bonus
        elif entry.row["party"] and not query.parties and not query.cues & {"who"}:
            score -= tuning.note_penalty  # facts come from the report before party notes
        return Match(entry, max(0.0, score), coverage, similarity, frozenset(matched), best)

    def _similarity(self, query: Query, entry: IndexedEntry) -> float:
        text = query.terms_text
        if not text or not entry.question_terms:
            return 0.0
        best = process.extractOne(text, entry.question_terms, scorer=fuzz.token_sort_ratio)
        if not best:
            return 0.0
        floor = self.tuning.similarity_floor
        return max(0.0, (best[1] / 100 - floor) / (1 - floor))

    def _cue_adjustment(self, query: Query, entry: IndexedEntry) -> float:
        """Reward entries that hold what the question word asks for; a gap entry only
        stands for the kind of question its curated questions ask."""
        adjustment = 0.0
        if entry.kind == "gap" and entry.asked_cues and not entry.asked_cues & query.cues:
            adjustment -= self.tuning.gap_mismatch_penalty
        # A gap is about the years its questions name; an entry about the years it states.
        years = entry.asked_years if entry.kind == "gap" else entry.years
        if query.years and (years or entry.kind != "gap") and not query.years & years:
            adjustment -= self.tuning.year_mismatch_penalty
        for cue in query.cues:
            if entry.satisfies(cue, self.tuning.report_year):
                if cue == "decision" and entry.kind == "decision":
                    adjustment += self.tuning.decision_bonus
                elif cue != "cost":
                    adjustment += self.tuning.cue_bonus
            elif cue == "cost":
                adjustment -= self.tuning.cost_penalty
            elif cue in ("when", "count", "share", "future"):
                adjustment -= self.tuning.cue_penalty
        return adjustment


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
