"""Quote check for journalists: does a pasted sentence occur in the sources, and where?"""

from __future__ import annotations

import bisect
import re
import sqlite3
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.knowledge import collapse_whitespace, document_span
from bot.models import Document, QuoteCheck

NEAR_SCORE = 82.0
MIN_QUOTE_CHARS = 12
QUOTE_MARKS = "\"'”“„»«’‘`"


@dataclass(frozen=True)
class _Place:
    start: int
    document: str
    section: str


class QuoteChecker:
    """Checks text against one source file, its document spans and the curated sections."""

    def __init__(
        self,
        raw: str,
        documents: dict[str, Document],
        spans: dict[str, tuple[int, int]],
        places: list[_Place],
    ):
        self.raw = raw
        self.text = collapse_whitespace(raw)
        self.lowered = self.text.lower()
        self.documents = documents
        self.spans = spans
        self.places = sorted(places, key=lambda place: place.start)
        self.token_starts, self.token_lines = _token_positions(raw)

    @classmethod
    def from_index(cls, db: sqlite3.Connection, documents: dict[str, Document]) -> QuoteChecker:
        (raw,) = db.execute("select text from sources order by file limit 1").fetchone()
        text = collapse_whitespace(raw)
        spans = {}
        for document in documents.values():
            span = document_span(raw, document.starts_with, document.ends_with) or ""
            start = text.find(span)
            spans[document.id] = (start, start + len(span))
        places = []
        for entry_document, section, quote in db.execute(
            "select document, section, quote from entries"
        ):
            start, end = spans.get(entry_document, (0, len(text)))
            position = text.find(quote, start, end)
            if position >= 0:
                places.append(_Place(position, entry_document, section))
        return cls(raw, documents, spans, places)

    def check(self, query: str) -> QuoteCheck:
        wanted = collapse_whitespace(query).strip(QUOTE_MARKS + " ")
        if len(wanted) < MIN_QUOTE_CHARS:
            return QuoteCheck(query=query, verdict="none", similarity=0.0)
        position = self.text.find(wanted)
        if position >= 0:
            return self._found(query, "exact", 1.0, position, len(wanted))
        alignment = fuzz.partial_ratio_alignment(
            wanted.lower(), self.lowered, score_cutoff=NEAR_SCORE
        )
        if alignment is None or len(wanted) > len(self.text):
            return QuoteCheck(query=query, verdict="none", similarity=0.0)
        start, end = _word_bounds(self.text, alignment.dest_start, alignment.dest_end)
        verdict = "exact" if self.text[start:end] == wanted else "near"
        return self._found(query, verdict, alignment.score / 100, start, end - start)

    def _found(self, query: str, verdict: str, similarity: float, start: int, length: int):
        document = self._document_at(start)
        section = self._section_at(start, document)
        return QuoteCheck(
            query=query,
            verdict=verdict,
            similarity=similarity,
            wording=self.text[start : start + length],
            document=document.id if document else None,
            title=document.title if document else None,
            section=section,
            line=self._line_at(start),
        )

    def _document_at(self, position: int) -> Document | None:
        for document_id, (start, end) in self.spans.items():
            if start <= position < end:
                return self.documents[document_id]
        # The appendix copy of the report lies outside every span: it is the report.
        return self.documents.get("verksamhetsberattelse")

    def _section_at(self, position: int, document: Document | None) -> str | None:
        candidates = [
            place
            for place in self.places
            if place.start <= position and (document is None or place.document == document.id)
        ]
        return candidates[-1].section if candidates else None

    def _line_at(self, position: int) -> int:
        index = bisect.bisect_right(self.token_starts, position) - 1
        return self.token_lines[max(index, 0)]


def _token_positions(raw: str) -> tuple[list[int], list[int]]:
    """Where each whitespace-separated token starts in the collapsed text, and its line."""
    starts, lines = [], []
    offset, line, last = 0, 1, 0
    for token in re.finditer(r"\S+", raw):
        line += raw.count("\n", last, token.start())
        last = token.start()
        starts.append(offset)
        lines.append(line)
        offset += len(token.group()) + 1
    return starts, lines


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end
