"""How an indexed entry row is shown: its title, answer, one-line summary and source."""

from __future__ import annotations

import re

from bot.models import Document, Source

SUMMARY_CHARS = 180
# Abbreviations that end in a full stop inside a sentence ("bitr. säkerhetschef").
ABBREVIATIONS = ("bitr.", "bl.a.", "t.ex.", "m.fl.", "ca.", "pga.", "dvs.", "jfr.", "nr.", "e.g.")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”“(])")


def title_of(row: dict, lang: str) -> str:
    return (row["title_en"] or row["title"]) if lang == "en" else row["title"]


def body_of(row: dict, lang: str) -> str:
    return row["answer_en"] if lang == "en" else row["answer"]


def summary_of(row: dict, lang: str) -> str:
    """One short line for listings: the curated summary, else the answer's first sentence."""
    return row_summary(row, lang)


def row_summary(row: dict, lang: str, shorten=None) -> str:
    """The summary line, with `shorten` applied to the answer before it is cut."""
    curated = row.get("summary_en") if lang == "en" else row.get("summary")
    body = body_of(row, lang)
    return curated or first_sentence(shorten(body) if shorten else body)


def sentences(text: str) -> list[str]:
    """The sentences of an answer (abbreviations like 'bitr.' do not end one)."""
    found, start = [], 0
    for match in SENTENCE_END.finditer(text):
        before = text[start : match.start()].rsplit(" ", 1)[-1]
        if before.casefold() not in ABBREVIATIONS:
            found.append(text[start : match.start()])
            start = match.end()
    found.append(text[start:])
    return [sentence for sentence in found if sentence.strip()]


def first_sentence(text: str, limit: int = SUMMARY_CHARS) -> str:
    start = 0
    for match in SENTENCE_END.finditer(text):
        before = text[start : match.start()].rsplit(" ", 1)[-1]
        if before.casefold() not in ABBREVIATIONS:
            text = text[: match.start()]
            break
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def source_of(row: dict, documents: dict[str, Document]) -> Source:
    document = documents[row["document"]]
    return Source(
        document=document.id,
        title=document.title,
        section=row["section"],
        date=document.date,
        reference=document.reference,
        quote=row["quote"],
    )
