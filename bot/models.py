"""Plain data shared by every layer. Imports nothing from bot/."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["answer", "suggest", "abstain"]

ENTRY_KINDS = (
    "decision",
    "priority",
    "activity",
    "figure",
    "referral",
    "prize",
    "note",
    "information",
    "event",
    "gap",
)
# What a document is: the kinds documents.yaml and add-document accept.
DOCUMENT_KINDS = (
    "protocol",
    "protocol-note",
    "annual-report",
    "tjansteutlatande",
    "report",
    "plan",
    "decision",
    "other",
)
ENTRY_STATUSES = ("decided", "done", "ongoing", "planned", "informed")


@dataclass(frozen=True)
class Document:
    """One part of the protocol extract: the decision, a note, the tjänsteutlåtande, the report."""

    id: str
    title: str
    kind: str
    date: str
    body: str
    reference: str
    source_file: str
    party: str | None = None
    signatories: tuple[str, ...] = ()
    starts_with: str | None = None
    ends_with: str | None = None
    title_en: str | None = None
    party_en: str | None = None
    period: str | None = None  # the year a report covers; facts dated later are plans
    areas: tuple[str, ...] = ()  # the areas a report groups its priorities in

    @property
    def covered_year(self) -> str:
        return self.period or self.date[:4]


@dataclass(frozen=True)
class SourceRef:
    """Where an entry's facts stand: a document id, its section and a verbatim quote."""

    document: str
    section: str
    quote: str


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    title: str
    answer: str
    answer_en: str
    questions: tuple[str, ...]
    source: SourceRef
    area: str | None = None
    priority: int | None = None
    keywords: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    party: str | None = None
    status: str | None = None
    title_en: str | None = None
    overview: bool = False  # sums up a section or a note; broad questions want these
    summary: str | None = None  # one short line for listings; else the answer's first sentence
    summary_en: str | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Glossary:
    """Synonyms and abbreviations (to Swedish terms), English terms and districts."""

    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)
    districts: tuple[str, ...] = ()
    parties: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outside_places: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()  # words that name the material, not a topic ('rapporten')


@dataclass(frozen=True)
class Draft:
    """An entry marked `draft: true`: not indexed; `notes` say what it lacks (file:line)."""

    id: str
    notes: tuple[str, ...]
    complete: bool


@dataclass(frozen=True)
class KnowledgeBase:
    documents: dict[str, Document]
    entries: tuple[Entry, ...]
    glossary: Glossary
    sources: dict[str, str]
    drafts: tuple[Draft, ...] = ()  # entries marked draft: true, with what they still lack


@dataclass(frozen=True)
class Source:
    """A source as shown to users: enough to cite the answer."""

    document: str
    title: str
    section: str
    date: str
    reference: str
    quote: str


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    title: str


@dataclass(frozen=True)
class Answer:
    """The engine's reply to one question. `text` is the full reply as a user sees it."""

    question: str
    status: Status
    answer: str | None
    text: str
    confidence: float
    entry_id: str | None
    lang: str
    sources: tuple[Source, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    alternatives: tuple[Suggestion, ...] = ()  # runner-ups beside an answer: "Menade du hellre"
    related: tuple[Suggestion, ...] = ()
    reason: str | None = None
    notice: str | None = None
    detail: str | None = None  # for a gap: what the material does and does not say
    contact: str | None = None  # for an abstention: where to turn instead
    more: str | None = None  # a listing's continuation token ("t:2021-10:10")
    # What kind of answer this is: "entry" (a curated entry), "passage" (the source text
    # itself), "listing" or "overview" (composed from entries); None when not an answer.
    kind: str | None = None
    passage_id: int | None = None  # for a passage answer: the passage's number in the index
    missing: tuple[str, ...] = ()  # parts of the question the answer says are not stated

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "entry_id": self.entry_id,
            "lang": self.lang,
            "reason": self.reason,
            "kind": self.kind,
            "missing": list(self.missing),
            "sources": [asdict(source) for source in self.sources],
            "suggestions": [asdict(suggestion) for suggestion in self.suggestions],
            "alternatives": [asdict(alternative) for alternative in self.alternatives],
        }


@dataclass(frozen=True)
class QuoteCheck:
    """Whether a pasted sentence occurs in the sources: exact, near (with real wording) or none."""

    query: str
    verdict: Literal["exact", "near", "none"]
    similarity: float
    wording: str | None = None
    document: str | None = None
    title: str | None = None
    section: str | None = None
    line: int | None = None
