"""Adding a document to the knowledge: its verbatim text, its record and draft entries.

`add_document` copies the text into knowledge/sources/, appends the record to
documents.yaml and writes knowledge/entries/<id>.yaml with one draft entry per section (as
bot.passages cuts the text): its kind guessed from the heading, its answer started from the
section's own text, and a verbatim candidate quote (the section's first sentence). Drafts
are left out of the index (the document's passages answer meanwhile); `validate` says what
each draft still lacks, line by line.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from bot.knowledge import ISO_DAY, KEBAB
from bot.models import DOCUMENT_KINDS
from bot.passages import Section, sentences, split_sections

DRAFT_ANSWER_CHARS = 400
RUNNING_WORDS = 4  # a sentence of running text has at least this many words
# A draft's entry kind from words of its section heading; the first that matches wins.
HEADING_KINDS = (
    (re.compile(r"beslut|decision", re.IGNORECASE), "decision"),
    (re.compile(r"remiss|yttrande", re.IGNORECASE), "referral"),
    (re.compile(r"protokollsanteckning|reservation", re.IGNORECASE), "note"),
    (re.compile(r"pris\b|priset|utmärkelse", re.IGNORECASE), "prize"),
    (re.compile(r"uppföljning|statistik|budget|ekonomi", re.IGNORECASE), "figure"),
)
# The body (committee or board) a protocol names near its top.
BODY = re.compile(r"^[A-ZÅÄÖ][\w\- ]*(beredning\w*|nämnd\w*|styrelse\w*|fullmäktige|utskott\w*)$")


class AddDocumentError(Exception):
    """The document cannot be added; the message says which option or file is wrong."""


def draft_sections(text: str, title: str) -> list[Section]:
    """The sections worth a draft: those with running text of their own (a letterhead of
    dates and numbers is none)."""
    return [s for s in split_sections(text, title=title) if any(map(_running, sentences(s.text)))]


def _running(sentence: str) -> bool:
    return sentence.endswith((".", "!", "?")) and len(sentence.split()) >= RUNNING_WORDS


def guess_kind(heading: str) -> str:
    for pattern, kind in HEADING_KINDS:
        if pattern.search(heading):
            return kind
    return "information"


def guess_body(text: str) -> str | None:
    """The committee or board a document comes from, when a line near its top names one."""
    for line in text.splitlines()[:40]:
        line = " ".join(line.split())
        if BODY.match(line):
            return line
    return None


def add_document(
    knowledge: Path,
    file: Path,
    *,
    document_id: str,
    title: str,
    kind: str,
    date: str,
    reference: str,
    body: str | None = None,
    period: str | None = None,
) -> tuple[Path, Path, int]:
    """Copies the text, appends the record, writes the drafts; returns (source file,
    drafts file, number of drafts)."""
    if not KEBAB.match(document_id):
        raise AddDocumentError(f"--id {document_id!r} must be kebab-case (a-z, 0-9, -)")
    if kind not in DOCUMENT_KINDS:
        raise AddDocumentError(f"--kind {kind!r} is not one of {', '.join(DOCUMENT_KINDS)}")
    if not ISO_DAY.match(date):
        raise AddDocumentError(f"--date {date!r} must be an ISO date YYYY-MM-DD")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AddDocumentError(f"{file}: cannot read it as UTF-8 text ({error})") from None
    body = body or guess_body(text)
    if not body:
        raise AddDocumentError(
            "--body: the committee or board the document comes from was not found in its "
            "first lines; give it, e.g. --body 'Kultur- och fritidsnämnden'"
        )
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
        "body": body,
        "reference": reference,
        "source_file": f"sources/{source.name}",
    }
    if period:
        record["period"] = period
    with documents.open("a", encoding="utf-8") as handle:
        handle.write("\n" + _dump([record]))
    sections = draft_sections(text, title)
    drafts.write_text(_draft_file(document_id, title, sections), encoding="utf-8")
    return source, drafts, len(sections)


def add_described_document(knowledge: Path, folder: Path) -> tuple[Path, Path, int]:
    """`add_document` for a folder that describes the document: its text in protocol.txt,
    the options in meta.yaml (id, title, kind, date, reference, body), as the fictional
    protocols of tests/fixtures/new-documents/ are kept."""
    meta = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8"))
    return add_document(
        knowledge, folder / "protocol.txt", document_id=meta["id"], title=meta["title"],
        kind=meta["kind"], date=str(meta["date"]), reference=meta["reference"],
        body=meta.get("body"),
    )  # fmt: skip


def _draft_file(document_id: str, title: str, sections: list[Section]) -> str:
    entries = []
    used: set[str] = set()
    for section in sections:
        slug = _slug(section.label) or "avsnitt"
        entry_id = f"{document_id}-{slug}"
        while entry_id in used:
            entry_id += "-2"
        used.add(entry_id)
        said = [s for s in sentences(section.text) if _running(s)] or sentences(section.text)
        entries.append(
            {
                "id": entry_id,
                "draft": True,
                "kind": guess_kind(section.label),
                "title": section.label,
                # The section's own words to start from: rewrite them as an answer.
                "answer": _shortened(" ".join(said)),
                "answer_en": "",
                "questions": [],
                "source": {
                    "document": document_id,
                    "section": section.label,
                    "quote": said[0],
                },
            }
        )
    header = (
        f"# Drafts for {title}: one per section found, each with the section's own text as\n"
        "# the start of its answer. Write the answer in our own words (Swedish and English),\n"
        "# at least three ways to ask, check the quote, then remove `draft: true`.\n"
        "# `python -m bot validate` says what each draft still lacks. Until then the\n"
        "# document's passages answer questions about it.\n"
    )
    return header + _dump(entries)


def _shortened(text: str) -> str:
    if len(text) <= DRAFT_ANSWER_CHARS:
        return text
    return text[:DRAFT_ANSWER_CHARS].rsplit(" ", 1)[0] + " …"


def _slug(text: str) -> str:
    from bot.text import fold

    words = re.findall(r"[a-z0-9]+", fold(text))
    return "-".join(words[:6])


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=99)
