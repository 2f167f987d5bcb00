"""Adding a document to the knowledge: its verbatim text, its record and draft entries.

`add_document` copies the text into knowledge/sources/, appends the record to
documents.yaml and writes knowledge/entries/<id>.yaml with one draft entry per section it
detects, each with a verbatim candidate quote (the section's first sentence). Drafts are
left out of the index; `validate` says what each still lacks, line by line.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge import ISO_DAY, KEBAB, collapse_whitespace

HEADING_CHARS = 90
NUMBERED = re.compile(r"^\d{1,2}\.\s+\S")
SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")


class AddDocumentError(Exception):
    """The document cannot be added; the message says which option or file is wrong."""


@dataclass(frozen=True)
class Section:
    heading: str
    quote: str  # the first sentence under the heading, verbatim


def detect_sections(text: str) -> list[Section]:
    """Sections: a heading (a short line without a full stop, or a numbered one like
    "3. Ren och trygg utemiljö") followed by running text, in the same paragraph or the
    next. The quote is the first sentence of that text, verbatim."""
    blocks = _paragraphs(text)
    sections, seen = [], set()
    for number, block in enumerate(blocks):
        heading = block[0]
        if not _looks_like_heading(heading) or heading in seen:
            continue
        body = block[1:] or (blocks[number + 1] if number + 1 < len(blocks) else [])
        # A next line in lower case continues a wrapped sentence: that was no heading.
        if not body or _looks_like_heading(body[0]) or body[0][:1].islower():
            continue
        match = SENTENCE.match(collapse_whitespace(" ".join(body)))
        if match is None:
            continue
        seen.add(heading)
        sections.append(Section(heading, match.group(1)))
    return sections


def _paragraphs(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _looks_like_heading(line: str) -> bool:
    if not line or len(line) > HEADING_CHARS or len(line.split()) > 12:
        return False
    if NUMBERED.match(line):
        return True
    return line[:1].isupper() and not line.endswith((".", ",", ":", ";", "?"))


def add_document(
    knowledge: Path,
    file: Path,
    *,
    document_id: str,
    title: str,
    kind: str,
    date: str,
    reference: str,
    period: str | None = None,
) -> tuple[Path, Path, int]:
    """Copies the text, appends the record, writes the drafts; returns (source file,
    drafts file, number of drafts)."""
    if not KEBAB.match(document_id):
        raise AddDocumentError(f"--id {document_id!r} must be kebab-case (a-z, 0-9, -)")
    if not ISO_DAY.match(date):
        raise AddDocumentError(f"--date {date!r} must be an ISO date YYYY-MM-DD")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AddDocumentError(f"{file}: cannot read it as UTF-8 text ({error})") from None
    documents = knowledge / "documents.yaml"
    existing = yaml.safe_load(documents.read_text(encoding="utf-8")) or []
    if any(record.get("id") == document_id for record in existing):
        raise AddDocumentError(f"--id {document_id!r}: documents.yaml already has it")
    source = knowledge / "sources" / f"{document_id}.txt"
    drafts = knowledge / "entries" / f"{document_id}.yaml"
    for path in (source, drafts):
        if path.exists():
            raise AddDocumentError(f"{path} exists already: choose another --id")
    source.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, source)
    record = {
        "id": document_id,
        "title": title,
        "kind": kind,
        "date": date,
        "body": title,
        "reference": reference,
        "source_file": f"sources/{source.name}",
    }
    if period:
        record["period"] = period
    with documents.open("a", encoding="utf-8") as handle:
        handle.write("\n" + _dump([record]))
    sections = detect_sections(text) or [Section(title, _first_sentence(text))]
    drafts.write_text(_draft_file(document_id, title, sections), encoding="utf-8")
    return source, drafts, len(sections)


def _first_sentence(text: str) -> str:
    match = SENTENCE.match(collapse_whitespace(text))
    return match.group(1) if match else collapse_whitespace(text)[:200]


def _draft_file(document_id: str, title: str, sections: list[Section]) -> str:
    entries = []
    used: set[str] = set()
    for section in sections:
        slug = _slug(section.heading) or "avsnitt"
        entry_id = f"{document_id}-{slug}"
        while entry_id in used:
            entry_id += "-2"
        used.add(entry_id)
        entries.append(
            {
                "id": entry_id,
                "draft": True,
                "kind": "information",
                "title": section.heading,
                "answer": "",
                "answer_en": "",
                "questions": [],
                "source": {
                    "document": document_id,
                    "section": section.heading,
                    "quote": section.quote,
                },
            }
        )
    header = (
        f"# Drafts for {title}: one per section found. Write the answer (Swedish and\n"
        "# English, our own words), at least three ways to ask, check the quote, then remove\n"
        "# `draft: true`. `python -m bot validate` says what each draft still lacks.\n"
    )
    return header + _dump(entries)


def _slug(text: str) -> str:
    from bot.text import fold

    words = re.findall(r"[a-z0-9]+", fold(text))
    return "-".join(words[:6])


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=99)
