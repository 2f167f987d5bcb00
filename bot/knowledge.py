"""Load knowledge/*.yaml into validated models. Every problem names file, line and field."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.models import (
    DOCUMENT_KINDS,
    ENTRY_KINDS,
    ENTRY_STATUSES,
    Document,
    Draft,
    Entry,
    Glossary,
    KnowledgeBase,
    SourceRef,
)

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_PARTIAL = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-\d{2}-\d{2})?$")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
YEAR = re.compile(r"^\d{4}$")

DOCUMENT_FIELDS = {
    "id": str,
    "title": str,
    "kind": str,
    "date": str,
    "body": str,
    "reference": str,
    "source_file": str,
}
DOCUMENT_OPTIONAL = {
    "party": str,
    "signatories": list,
    "starts_with": str,
    "ends_with": str,
    "title_en": str,
    "party_en": str,
    "period": str,
    "areas": list,
}
ENTRY_FIELDS = {
    "id": str,
    "kind": str,
    "title": str,
    "answer": str,
    "answer_en": str,
    "questions": list,
    "source": dict,
}
ENTRY_OPTIONAL = {
    "title_en": str,
    "area": str,
    "priority": int,
    "keywords": list,
    "dates": list,
    "places": list,
    "people": list,
    "organisations": list,
    "party": str,
    "status": str,
    "summary": str,
    "summary_en": str,
    "overview": bool,
    "draft": bool,
}
SOURCE_FIELDS = {"document": str, "section": str, "quote": str}
GLOSSARY_FIELDS = {
    "synonyms": dict,
    "abbreviations": dict,
    "english": dict,
    "districts": list,
    "parties": dict,
    "outside_places": list,
    "generic": list,
}


class KnowledgeError(Exception):
    """One or more problems in the knowledge files; each line names file:line: field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    pass


def _construct_line_dict(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    seen: set = set()
    for key_node, _ in node.value:
        if key_node.value in seen:  # YAML would silently keep only the last value
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
            )
        seen.add(key_node.value)
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_line_dict)


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Problems:
    items: list[str]

    def add(self, path: Path, line: int, field: str, message: str) -> None:
        place = f"{_display(path)}:{line}"
        self.items.append(f"{place}: {field}: {message}" if field else f"{place}: {message}")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_yaml(path: Path, problems: _Problems) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.add(path, 1, "", f"cannot read file ({error.__class__.__name__})")
        return None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.add(path, line, "", f"YAML syntax error: {reason}")
        return None


def _line_of(mapping: Any, field: str) -> int:
    if isinstance(mapping, LineDict):
        return mapping.key_lines.get(field, mapping.line)
    return 1


def check_fields(
    record: Any,
    required: dict[str, type],
    optional: dict[str, type],
    path: Path,
    problems: _Problems,
    prefix: str = "",
) -> bool:
    """Type-check a mapping's fields; report missing, unknown and mistyped ones."""
    if not isinstance(record, dict):
        problems.add(path, getattr(record, "line", 1), prefix.rstrip("."), "must be a mapping")
        return False
    ok = True
    for field in required:
        if field not in record or record[field] in (None, ""):
            problems.add(path, _line_of(record, field), prefix + field, "required field missing")
            ok = False
    for field, value in record.items():
        expected = required.get(field) or optional.get(field)
        line = _line_of(record, field)
        if expected is None:
            problems.add(path, line, prefix + str(field), "unknown field")
            ok = False
        elif value is not None and not _has_type(value, expected):
            problems.add(path, line, prefix + field, f"must be {_type_name(expected)}")
            ok = False
    return ok


def _has_type(value: Any, expected: type) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is list:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, expected)


def _type_name(expected: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "true or false",
        list: 'a list of strings (quote numbers and dates: "2022")',
        dict: "a mapping",
    }[expected]


def document_span(source_text: str, starts_with: str | None, ends_with: str | None) -> str | None:
    """The part of a (whitespace-collapsed) source text that a document covers."""
    text = collapse_whitespace(source_text)
    start = text.find(collapse_whitespace(starts_with)) if starts_with else 0
    if start < 0:
        return None
    if not ends_with:
        return text[start:]
    marker = collapse_whitespace(ends_with)
    end = text.find(marker, start)
    return None if end < 0 else text[start : end + len(marker)]


def load_documents(
    directory: Path, problems: _Problems
) -> tuple[dict[str, Document], dict[str, str], dict[str, str]]:
    """documents.yaml -> (documents by id, document spans by id, raw source files by name)."""
    path = directory / "documents.yaml"
    records = read_yaml(path, problems)
    documents: dict[str, Document] = {}
    spans: dict[str, str] = {}
    sources: dict[str, str] = {}
    if not isinstance(records, list):
        if records is not None or path.exists():
            problems.add(path, 1, "", "must be a list of documents")
        return documents, spans, sources
    for record in records:
        if not check_fields(record, DOCUMENT_FIELDS, DOCUMENT_OPTIONAL, path, problems):
            continue
        line = _line_of(record, "id")
        if record["id"] in documents:
            problems.add(path, line, "id", f"duplicate document id {record['id']!r}")
            continue
        if not ISO_DAY.match(str(record["date"])):
            problems.add(path, _line_of(record, "date"), "date", "must be an ISO date YYYY-MM-DD")
        if record["kind"] not in DOCUMENT_KINDS:
            kinds = ", ".join(DOCUMENT_KINDS)
            problems.add(path, _line_of(record, "kind"), "kind", f"must be one of {kinds}")
        if record.get("period") is not None and not YEAR.match(record["period"]):
            problems.add(path, _line_of(record, "period"), "period", 'must be a year: "2021"')
        source_file = directory / record["source_file"]
        if record["source_file"] not in sources:
            try:
                sources[record["source_file"]] = source_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                problems.add(path, _line_of(record, "source_file"), "source_file", "not found")
                continue
        span = document_span(
            sources[record["source_file"]], record.get("starts_with"), record.get("ends_with")
        )
        if span is None:
            field = "starts_with/ends_with"
            problems.add(path, line, field, "markers not found in the source file")
            continue
        spans[record["id"]] = span
        fields = {k: v for k, v in record.items() if k not in ("signatories", "areas")}
        documents[record["id"]] = Document(
            **fields,
            signatories=tuple(record.get("signatories") or ()),
            areas=tuple(record.get("areas") or ()),
        )
    return documents, spans, sources


@dataclass(frozen=True)
class _Context:
    """What entries are checked against: the documents, their spans, areas and parties."""

    documents: dict[str, Document]
    spans: dict[str, str]
    areas: tuple[str, ...]
    parties: tuple[str, ...]
    sources: dict[str, str] = dataclasses.field(default_factory=dict)  # raw files by name
    _sections: dict = dataclasses.field(default_factory=dict)

    def sections(self, document_id: str) -> dict[str, str]:
        """A document's sections, heading -> heading and text ('' -> the header before the
        first heading and every heading), as the passages cut them; {} when its source is
        unknown."""
        if document_id not in self._sections:
            from bot.passages import raw_span, split_sections

            document = self.documents[document_id]
            raw = self.sources.get(document.source_file)
            span = raw_span(raw, document.starts_with, document.ends_with) if raw else None
            found = split_sections(span or "", title="") if span else []
            texts = {s.heading: f"{s.heading} {s.text}" for s in found}
            # The header (the sections before the first running text, a sentence) and every
            # heading: the meeting's date and §, the priorities' numbers.
            first = next((i for i, s in enumerate(found) if "." in s.text), len(found))
            header = [f"{s.heading} {s.text}" for s in found[:first]]
            texts[""] = " ".join([*header, *(s.heading for s in found)])
            self._sections[document_id] = texts
        return self._sections[document_id]


def load_entries(
    directory: Path, context: _Context, problems: _Problems, drafts: list[Draft] | None = None
) -> list[Entry]:
    """Every complete entry. Entries marked `draft: true` are checked the same way, but
    what they lack goes to `drafts` as notes, and they are left out of the index."""
    drafts = drafts if drafts is not None else []
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    files = sorted((directory / "entries").glob("*.yaml"))
    if not files:
        problems.add(directory / "entries", 1, "", "no entry files (*.yaml) found")
    for path in files:
        records = read_yaml(path, problems)
        if records is None:
            continue
        if not isinstance(records, list):
            problems.add(path, 1, "", "must be a list of entries")
            continue
        for record in records:
            if isinstance(record, dict) and record.get("draft") is True:
                drafts.append(_check_draft(record, path, context))
                continue
            entry = _load_entry(record, path, context, problems)
            if entry is None:
                continue
            if entry.id in seen:
                problems.add(path, entry.line, "id", f"duplicate id, first in {seen[entry.id]}")
                continue
            seen[entry.id] = _display(path)
            entries.append(entry)
    return entries


def _check_draft(record: dict, path: Path, context: _Context) -> Draft:
    """One note per thing a draft still lacks, each naming its line; or that it is ready."""
    notes = _Problems([])
    if _load_entry(record, path, context, notes) is None:
        _check_draft_values(record, path, notes)
    entry_id = str(record.get("id") or "?")
    if not notes.items:
        message = "complete: remove 'draft: true' to publish it"
        notes.add(path, getattr(record, "line", 1), "draft", message)
        return Draft(entry_id, tuple(notes.items), complete=True)
    marked = tuple(f"{item} (draft {entry_id}, not indexed)" for item in notes.items)
    return Draft(entry_id, marked, complete=False)


def _check_draft_values(record: dict, path: Path, notes: _Problems) -> None:
    """What a draft lacks beyond missing fields (the full checks stop at the first missing
    one): too few questions, most often."""
    questions = record.get("questions")
    if isinstance(questions, list) and len(questions) < 3:
        notes.add(
            path,
            _line_of(record, "questions"),
            "questions",
            f"needs at least 3 questions (has {len(questions)})",
        )


def _load_entry(record: Any, path: Path, context: _Context, problems: _Problems) -> Entry | None:
    if not check_fields(record, ENTRY_FIELDS, ENTRY_OPTIONAL, path, problems):
        return None
    source = record["source"]
    if not check_fields(source, SOURCE_FIELDS, {}, path, problems, prefix="source."):
        return None
    before = len(problems.items)
    _check_entry_values(record, path, context, problems)
    _check_source(record, path, context, problems)
    if len(problems.items) > before:
        return None
    lists = ("keywords", "dates", "places", "people", "organisations")
    return Entry(
        id=record["id"],
        kind=record["kind"],
        title=record["title"].strip(),
        answer=collapse_whitespace(record["answer"]),
        answer_en=collapse_whitespace(record["answer_en"]),
        questions=tuple(record["questions"]),
        source=SourceRef(
            document=source["document"],
            section=source["section"].strip(),
            quote=collapse_whitespace(source["quote"]),
        ),
        area=record.get("area"),
        priority=record.get("priority"),
        party=record.get("party"),
        status=record.get("status"),
        title_en=record.get("title_en"),
        overview=bool(record.get("overview")),
        summary=_collapsed(record.get("summary")),
        summary_en=_collapsed(record.get("summary_en")),
        file=_display(path),
        line=record.line,
        **{name: tuple(record.get(name) or ()) for name in lists},
    )


def _collapsed(text: str | None) -> str | None:
    return collapse_whitespace(text) if text else None


def _check_entry_values(
    record: LineDict, path: Path, context: _Context, problems: _Problems
) -> None:
    def bad(field: str, message: str) -> None:
        problems.add(path, _line_of(record, field), field, message)

    if not KEBAB.match(record["id"]):
        bad("id", f"{record['id']!r} is not kebab-case (a-z, 0-9, -)")
    if record["kind"] not in ENTRY_KINDS:
        bad("kind", f"{record['kind']!r} is not one of {', '.join(ENTRY_KINDS)}")
    if len(record["questions"]) < 3:
        bad("questions", "needs at least 3 questions")
    if record.get("area") is not None and record["area"] not in context.areas:
        known = ", ".join(context.areas) or "none (documents.yaml declares no areas)"
        bad("area", f"{record['area']!r} is not one of the documents' areas: {known}")
    if record.get("priority") is not None and record["priority"] < 1:
        bad("priority", "must be a positive number, as in the report")
    if record.get("status") is not None and record["status"] not in ENTRY_STATUSES:
        bad("status", f"{record['status']!r} is not one of {', '.join(ENTRY_STATUSES)}")
    if record.get("party") is not None and record["party"] not in context.parties:
        known = ", ".join(context.parties) or "none"
        bad("party", f"{record['party']!r} is not a party of the glossary: {known}")
    for date in record.get("dates") or ():
        if not ISO_PARTIAL.match(date):
            bad("dates", f"{date!r} is not ISO (YYYY, YYYY-MM, YYYY-Qn or YYYY-MM-DD)")


def _check_source(record: LineDict, path: Path, context: _Context, problems: _Problems) -> None:
    source = record["source"]
    document_id = source["document"]
    if document_id not in context.documents:
        line = _line_of(source, "document")
        problems.add(path, line, "source.document", f"unknown document id {document_id!r}")
        return
    span = context.spans[document_id]
    quote = collapse_whitespace(source["quote"])
    if quote not in span:
        line = _line_of(source, "quote")
        message = f"quote not found verbatim in document {document_id!r}"
        nearest = nearest_wording(quote, span)
        if nearest:
            message += f"; the nearest wording there is: {nearest!r}"
        problems.add(path, line, "source.quote", message)
        return
    for message in _unsupported_numbers(
        record["answer"], quote, source["section"], document_id, context
    ):
        problems.add(path, _line_of(record, "answer"), "answer", message)


NEAREST_SCORE = 60  # below this share of matching characters there is no nearest wording


def nearest_wording(quote: str, text: str) -> str | None:
    """The stretch of `text` closest to `quote` (whole words), when it is close at all."""
    from rapidfuzz import fuzz

    if not quote or not text:
        return None
    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=NEAREST_SCORE)
    if found is None:
        return None
    start = text.rfind(" ", 0, found.dest_start) + 1
    end = text.find(" ", found.dest_end)
    wording = text[start : end if end >= 0 else len(text)].strip()
    # Whole sentences where the quote is one: not the tail of the sentence before it.
    head = wording.find(". ")
    if 0 <= head < len(wording) // 4 and quote[:1].isupper():
        wording = wording[head + 2 :]
    tail = wording.rfind(". ")
    if tail > 3 * len(wording) // 4 and quote.endswith("."):
        wording = wording[: tail + 1]
    return wording


# A number as written: decimals ('1,5'), thousands ('14 000') and ranges read whole.
NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?:\s\d{3}(?!\d))*")
WRITTEN_DATE = re.compile(
    r"\b(\d{1,2}) (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|"
    r"november|december)\b",
    re.IGNORECASE,
)
YEAR_NUMBER = re.compile(r"(?:19|20)\d\d")
LIST_MARKER = re.compile(r"(?<![\w,.])\d{1,2}\)")


def _unsupported_numbers(
    answer: str, quote: str, section: str, document_id: str, context: _Context
) -> list[str]:
    """Each number of an answer must stand in its quote or the quote's section, the document's
    header or a heading (a § or priority number); a date ('11 februari') or a year anywhere
    in the document. List markers ('1)') are the answer's own."""
    span = context.spans[document_id]
    sections = context.sections(document_id)
    allowed = (
        _numbers(quote) | _numbers(sections.get(section, "")) | _numbers(sections.get("", ""))
    )
    everywhere = _numbers(span)
    text = LIST_MARKER.sub(" ", answer)
    messages = []
    for day, month in WRITTEN_DATE.findall(text):
        if f"{day} {month}".casefold() not in span.casefold():
            messages.append(f"date {day} {month} occurs nowhere in {document_id!r}")
    text = WRITTEN_DATE.sub(" ", text)
    for number in sorted(_numbers(text)):
        if YEAR_NUMBER.fullmatch(number):
            ok = number in everywhere
        else:
            # A section the document's headings do not name (a note as a whole): the document.
            ok = number in allowed or (section not in sections and number in everywhere)
        if not ok:
            messages.append(f"number {number} occurs neither in the quote nor in its section")
    return messages


@lru_cache(maxsize=4096)
def _numbers(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"\s", " ", n) for n in NUMBER.findall(text))


def load_glossary(directory: Path, problems: _Problems) -> Glossary:
    path = directory / "glossary.yaml"
    if not path.exists():
        return Glossary()
    data = read_yaml(path, problems)
    if data is None:
        return Glossary()
    if not check_fields(data, {}, GLOSSARY_FIELDS, path, problems):
        return Glossary()

    def mapping_of_lists(name: str) -> dict[str, tuple[str, ...]]:
        result = {}
        for key, value in (data.get(name) or {}).items():
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                problems.add(path, _line_of(data[name], key), f"{name}.{key}", "must be text")
                continue
            result[str(key)] = tuple(values)
        return result

    def mapping_of_text(name: str) -> dict[str, str]:
        result = {}
        for key, value in (data.get(name) or {}).items():
            if not isinstance(value, str):
                problems.add(path, _line_of(data[name], key), f"{name}.{key}", "must be text")
                continue
            result[str(key)] = value
        return result

    return Glossary(
        synonyms=mapping_of_lists("synonyms"),
        abbreviations=mapping_of_text("abbreviations"),
        english=mapping_of_text("english"),
        districts=tuple(data.get("districts") or ()),
        parties=mapping_of_lists("parties"),
        outside_places=tuple(data.get("outside_places") or ()),
        generic=tuple(data.get("generic") or ()),
    )


def load_knowledge(directory: Path | str = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Read and validate a knowledge directory; raise KnowledgeError listing every problem."""
    directory = Path(directory)
    problems = _Problems([])
    if not directory.is_dir():
        raise KnowledgeError([f"{directory}: knowledge directory not found"])
    documents, spans, sources = load_documents(directory, problems)
    glossary = load_glossary(directory, problems)
    areas = tuple(dict.fromkeys(area for d in documents.values() for area in d.areas))
    context = _Context(documents, spans, areas, tuple(glossary.parties), sources)
    drafts: list[Draft] = []
    entries = load_entries(directory, context, problems, drafts)
    if problems.items:
        raise KnowledgeError(problems.items)
    return KnowledgeBase(
        documents=documents,
        entries=tuple(entries),
        glossary=glossary,
        sources=sources,
        drafts=tuple(drafts),
    )


def knowledge_files(directory: Path | str = DEFAULT_KNOWLEDGE_DIR) -> list[Path]:
    """Every file whose change makes a built index stale."""
    directory = Path(directory)
    patterns = ("documents.yaml", "glossary.yaml", "entries/*.yaml", "sources/*")
    return sorted(path for pattern in patterns for path in directory.glob(pattern))
