"""A cheap semantic signal: static word vectors distilled from the bundled e5 model
(scripts/distill_static.py), shipped as data in bot/static_vectors.npz.

A text's vector is the weighted mean of its words' vectors (rare words weigh more), so a
question costs a table lookup instead of a model run. It serves as the first semantic
stage: e5 (bot.semantic) is asked only when the ranking is still unsure. Same interface as
bot.semantic.SemanticIndex; absent (None) without numpy or without the data file.
"""

from __future__ import annotations

import json
import re
import sqlite3
from functools import lru_cache
from pathlib import Path

from bot.numeric import import_numpy

STATIC_PATH = Path(__file__).resolve().parent / "static_vectors.npz"
SIF_A = 1e-4  # smooth-inverse-frequency constant: a word as common as this weighs half
EXTRA_CANDIDATES = 10
LETTERS = re.compile(r"[^\W\d_]+")
MIN_PART = 4  # compound parts shorter than this are not looked up on their own


def fold_word(word: str) -> str:
    return word.casefold()


def raw_words(text: str) -> list[str]:
    """Words as written (casefolded, diacritics kept: e5 saw them so)."""
    return LETTERS.findall(text.casefold())


class StaticVectors:
    """The word table: vectors (int8, scaled) and weights, looked up by word."""

    def __init__(self, numpy, words: list[str], vectors, scale, weights):
        from bot.text import fold

        self.numpy = numpy
        self.matrix = vectors.astype(numpy.float32) * scale
        self.weights = weights
        self.index = {word: i for i, word in enumerate(words)}
        self.folded: dict[str, int] = {}
        for i, word in enumerate(words):
            self.folded.setdefault(fold(word), i)  # 'trygghetsvardar' finds 'trygghetsvärdar'
        self._vector = lru_cache(maxsize=2048)(self._text_vector)

    @classmethod
    def load(cls, path: Path = STATIC_PATH) -> StaticVectors | None:
        numpy = import_numpy()
        if numpy is None or not path.exists():
            return None
        data = numpy.load(path)
        words = str(data["words"]).split("\n")
        return cls(numpy, words, data["vectors"], data["scale"], data["weights"])

    def rows(self, word: str) -> list[int]:
        """The table rows standing for a word: itself, its spelling without å/ä/ö, or the
        known parts of a compound ('kameraövervakning' -> kamera, övervakning)."""
        from bot.text import fold

        found = self.index.get(word)
        if found is None:
            found = self.folded.get(fold(word))
        if found is not None:
            return [found]
        for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, tail = word[:cut], word[cut:]
            head = head[:-1] if head.endswith("s") and head[:-1] in self.index else head
            if head in self.index and tail in self.index:
                return [self.index[head], self.index[tail]]
        return []

    def vector(self, text: str):
        return self._vector(text)

    def _text_vector(self, text: str):
        rows = [row for word in raw_words(text) for row in self.rows(word)]
        numpy = self.numpy
        if not rows:
            return numpy.zeros(self.matrix.shape[1], dtype=numpy.float32)
        weights = self.weights[rows]
        vector = (self.matrix[rows] * weights[:, None]).sum(axis=0)
        norm = numpy.linalg.norm(vector)
        return vector / norm if norm else vector


class StaticIndex:
    """The entries and passages of one index as static vectors, scored like
    bot.semantic.SemanticIndex (best cosine with a curated question, with the answer)."""

    extra = EXTRA_CANDIDATES

    def __init__(self, table: StaticVectors, entries, passages):
        self.table = table
        self.numpy = table.numpy
        self.parts = entries  # [(matrix, entry numbers, starts)] for questions and answers
        self.passages = passages

    @classmethod
    def open(cls, db: sqlite3.Connection, table: StaticVectors | None = None):
        table = table or _shared_table()
        if table is None:
            return None
        numpy = table.numpy
        answers, questions = [], []
        for n, title, answer, asked in db.execute(
            "select n, title, answer, questions from entries order by n"
        ):
            answers.append((n, table.vector(f"{title}. {answer}")))
            questions += [(n, table.vector(q)) for q in json.loads(asked)]
        parts = []
        for rows in (questions, answers):
            if not rows:
                parts.append((numpy.zeros((0, table.matrix.shape[1])), [], []))
                continue
            numbers = numpy.asarray([n for n, _ in rows])
            entries, starts = numpy.unique(numbers, return_index=True)
            parts.append((numpy.vstack([v for _, v in rows]), entries.tolist(), starts))
        try:
            found = db.execute("select n, text from passages order by n").fetchall()
        except sqlite3.OperationalError:
            found = []
        passages = None
        if found:
            matrix = numpy.vstack([table.vector(text) for _, text in found])
            passages = ([n for n, _ in found], matrix)
        return cls(table, parts, passages)

    def query_vector(self, text: str):
        return self.table.vector(text)

    def scores(self, text: str) -> dict[int, tuple[float, float]]:
        vector = self.query_vector(text)
        best: dict[int, list[float]] = {}
        for slot, (matrix, entries, starts) in enumerate(self.parts):
            if not entries:
                continue
            maxima = self.numpy.maximum.reduceat(matrix @ vector, starts).tolist()
            for number, value in zip(entries, maxima, strict=True):
                best.setdefault(number, [-1.0, -1.0])[slot] = value
        return {number: (q, p) for number, (q, p) in best.items()}

    def passage_scores(self, text: str) -> dict[int, float]:
        if self.passages is None:
            return {}
        numbers, matrix = self.passages
        return dict(zip(numbers, (matrix @ self.query_vector(text)).tolist(), strict=True))


@lru_cache(maxsize=1)
def _shared_table() -> StaticVectors | None:
    """The word table, loaded once per process (every engine of a pool shares it)."""
    return StaticVectors.load()
