"""The source text itself, cut into passages: a sentence or a few, within one section of one
document, never across a section or a document part.

Used when the index is built (every document's span of its source file) and by
add-document (the sections of a new file). Pure text handling; nothing here reads files.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.knowledge import collapse_whitespace

HEADING_CHARS = 90
HEADING_WORDS = 12
# An unnumbered heading is shorter than a wrapped line of running text.
SHORT_HEADING_CHARS, SHORT_HEADING_WORDS = 65, 8
NUMBERED = re.compile(r"^(?:§\s*)?\d{1,2}\s*[.)]?\s+[A-ZÅÄÖ]")
PARAGRAPH_MARK = re.compile(r"^§\s*\d+")
PAGE_NUMBER = re.compile(r"\b\d+\s*\(\d+\)|\bsida\s+\d+", re.IGNORECASE)
COLUMNS = re.compile(r"\S {3,}\S")
APPENDIX = re.compile(r"^(bilaga|appendix)\b", re.IGNORECASE)
SIGNATURE = re.compile(r"^För [A-ZÅÄÖ]")
BARE_PARAGRAPH = re.compile(r"^§\s*\d+\s*$")
BULLET = re.compile(r"^\s*(?:[•\-–*]|\d{1,2}\))\s+")
# A line that ends like this continues on the next one: a wrapped title, not a heading.
CONTINUES = re.compile(
    r"(?:\b(?:och|eller|för|av|i|på|med|till|om|att|som|den|det|de|en|ett|samt|från|"
    r"mot|vid|efter|under|inom|enligt)|[-–,(])$",
    re.IGNORECASE,
)
# Abbreviations that end in a full stop inside a sentence.
ABBREVIATIONS = (
    "bl.a.", "bitr.", "t.ex.", "m.fl.", "ca.", "pga.", "p.g.a.", "dvs.", "d.v.s.", "jfr.",
    "nr.", "kl.", "resp.", "s.k.", "o.s.v.", "osv.", "mnkr.", "kr.", "st.", "e.g.", "i.e.", "tel.",
)  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"”“(]?[A-ZÅÄÖ0-9•])")
# A sentence that leans on the one before ("Det är en ökning …") is shown with it.
LEANING = re.compile(
    r"^(det|detta|dessa|denna|den|de|där|då|därför|dessutom|även|också|totalt|sammanlagt|"
    r"it|this|these|they)\b",
    re.IGNORECASE,
)
SHORT_SENTENCE = 60
SIGNATURE_LINES = 8  # a signature block: "För <party>" and the names after it
SUSPENDED = re.compile(r"^(och|eller|samt|till|resp|and|or)\b", re.IGNORECASE)
PASSAGE_CHARS = 480


@dataclass(frozen=True)
class Section:
    heading: str
    parent: str | None  # the area ('Ökad trygghet') or the § a heading stands under
    lines: tuple[str, ...]  # the section's own text, line by line as in the source

    @property
    def label(self) -> str:
        """How a source names the section: '§ 37 Belysning …, Sammanfattning' under a §,
        'Bilaga 1, Reservation' for an appendix with a title line."""
        if self.parent and PARAGRAPH_MARK.match(self.parent):
            return f"{self.parent}, {self.heading}"
        if APPENDIX.match(self.heading) and self.lines and _heading_like(self.lines[0]):
            return f"{self.heading}, {self.lines[0]}"
        return self.heading

    @property
    def signed(self) -> str | None:
        """Who signed the section ('För Vänsterpartiet Yasmin Farah'), when it ends so."""
        for index, line in enumerate(self.lines):
            if SIGNATURE.match(line) and len(self.lines) - index <= SIGNATURE_LINES:
                return joined_lines(self.lines[index:])
        return None

    @property
    def text(self) -> str:
        return joined_lines(self.lines)


@dataclass(frozen=True)
class Passage:
    section: str  # the section's label
    parent: str | None
    text: str  # verbatim, whitespace collapsed
    position: int  # order within its document
    signed: str | None = None  # the section's signature block, for attribution


def joined_lines(lines: tuple[str, ...] | list[str]) -> str:
    """Lines as running text: a word broken at a line end ('100-' + 'årsjubileet',
    '2019–' + '2023') is joined again; a suspended compound ('barn-' + 'och') is not."""
    text = ""
    for line in lines:
        line = collapse_whitespace(line)
        if text.endswith(("-", "–")) and not SUSPENDED.match(line) and text[-2:-1].isalnum():
            text += line
        else:
            text = f"{text} {line}" if text else line
    return text


def page_headers(lines: list[str]) -> set[str]:
    """Lines repeated at the top of pages: a heading-like line that occurs more than once
    (digits disregarded) and looks like a page header: it holds a page number ('2 (7)',
    'Sida 2'), columns (a run of spaces), or it is the document's first line (its title)."""
    first = next((line for line in lines if line.strip()), "")
    counts = Counter(_header_key(line) for line in lines if _heading_like(line))
    headers = set()
    for line in lines:
        key = _header_key(line)
        if counts.get(key, 0) > 1 and (
            PAGE_NUMBER.search(line) or COLUMNS.search(line.strip()) or line == first
        ):
            headers.add(key)
    return headers


def _header_key(line: str) -> str:
    return re.sub(r"\d+", "#", collapse_whitespace(line))


def _heading_like(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > HEADING_CHARS or len(line.split()) > HEADING_WORDS:
        return False
    if BULLET.match(line) or line.endswith((".", ",", ";", ":", "?", "!")):
        return False
    return line[:1].isupper() or bool(NUMBERED.match(line)) or line.startswith("§")


def split_sections(text: str, *, title: str | None = None) -> list[Section]:
    """A document's text as sections: a heading and the text after it up to the next one.

    A heading is a short line standing on its own after a finished sentence or a blank
    line, or a numbered one ('3. Ren och trygg utemiljö', '§ 4 Belysning'; a bare '§ 4'
    takes the next line as its title). Page headers are dropped, a line right after a
    heading or inside a list is text, and text before the first heading goes under
    `title`. A numbered heading stands under the bare heading before it (an area: 'Ökad
    trygghet'); the sub-headings of a § ('Sammanfattning', 'Omröstning') under the §."""
    lines = _content_lines(text)
    found: list[list] = [[title or "", []]]
    in_list = in_appendix = False
    index = 0
    while index < len(lines):
        line, blank_before = lines[index]
        previous = lines[index - 1][0] if index else ""
        following = lines[index + 1] if index + 1 < len(lines) else ("", True)
        after_heading = index > 0 and not blank_before and not found[-1][1] and found[-1][0]
        if blank_before:
            in_list = False
        # In an appendix a '§ 42' refers to a paragraph; it does not start one.
        reference = in_appendix and PARAGRAPH_MARK.match(line)
        if (
            not in_list
            and not after_heading
            and not reference
            and _is_heading(line, previous, blank_before, following)
        ):
            in_appendix = in_appendix or bool(APPENDIX.match(line))
            if BARE_PARAGRAPH.match(line) and following[0] and not following[1]:
                line = f"{line} {following[0]}"  # '§ 37' + 'Belysning i Solfagraparken'
                index += 1
            found.append([line, []])
        else:
            found[-1][1].append(line)
            in_list = in_list or line.endswith(":")
        index += 1
    return _with_parents(found)


def _content_lines(text: str) -> list[tuple[str, bool]]:
    """(line, whether a blank line precedes it), without blank lines and page headers."""
    raw = text.splitlines()
    repeated = page_headers(raw)
    result, blank = [], True
    for line in (line.strip() for line in raw):
        if not line:
            blank = True
        elif _header_key(line) not in repeated:
            result.append((line, blank))
            blank = False
    return result


def _numbered(line: str) -> bool:
    return bool(NUMBERED.match(line) or PARAGRAPH_MARK.match(line))


def _is_heading(line: str, previous: str, blank_before: bool, following: tuple[str, bool]) -> bool:
    if not _heading_like(line) or CONTINUES.search(line):
        return False
    next_line, blank_after = following
    # The rest of its sentence on the next line: a wrapped line, not a heading.
    runs_on = not blank_after and (
        next_line[:1].islower() or (next_line[:1].isdigit() and not _numbered(next_line))
    )
    if runs_on and not BARE_PARAGRAPH.match(line):
        return False
    ended = blank_before or not previous or previous.endswith((".", "!", "?"))
    if _numbered(line):
        return ended or (not previous.endswith(":") and _heading_like(previous))
    return ended and len(line) <= SHORT_HEADING_CHARS and len(line.split()) <= SHORT_HEADING_WORDS


def _with_parents(found: list[list]) -> list[Section]:
    sections: list[Section] = []
    area = paragraph = None
    for index, (heading, body) in enumerate(found):
        next_heading = found[index + 1][0] if index + 1 < len(found) else ""
        if SIGNATURE.match(heading) and sections:
            last = sections[-1]  # 'För Vänsterpartiet' and the names: who signed the text
            sections[-1] = Section(last.heading, last.parent, (*last.lines, heading, *body))
        elif PARAGRAPH_MARK.match(heading) or APPENDIX.match(heading):
            paragraph, area = (heading if PARAGRAPH_MARK.match(heading) else None), None
            sections.append(Section(heading, None, tuple(body)))
        elif _numbered(heading):
            sections.append(Section(heading, area, tuple(body)))
        elif not body and heading and _numbered(next_heading) and index:
            area = heading  # an area heading: a section without passages of its own
            sections.append(Section(heading, None, ()))
        elif not body and index and sections:
            last = sections[-1]  # a line on its own (a signature): text of the one before
            sections[-1] = Section(last.heading, last.parent, (*last.lines, heading))
        else:
            sections.append(Section(heading, paragraph, tuple(body)))
    return sections


def sentences(text: str) -> list[str]:
    """Sentences of collapsed text; abbreviations ('bl.a.', 'bitr.') do not end one, and
    bullets ('•') start one."""
    text = re.sub(r"\s*•\s*", "\n• ", text).strip()
    found: list[str] = []
    for chunk in text.split("\n"):
        start = 0
        for match in SENTENCE_END.finditer(chunk):
            before = chunk[start : match.start()].rsplit(" ", 1)[-1].casefold()
            if before.rstrip('"”’)') in ABBREVIATIONS:
                continue
            found.append(chunk[start : match.start()].strip())
            start = match.end()
        found.append(chunk[start:].strip())
    return [sentence for sentence in found if sentence and sentence != "•"]


def passages_of(section: Section) -> list[str]:
    """A section's text as passages: each sentence, with a sentence that leans on the one
    before ('Det är en ökning …') or a very short one joined to its neighbour."""
    grouped: list[str] = []
    for sentence in sentences(section.text):
        joins = (
            grouped
            and (LEANING.match(sentence) or len(grouped[-1]) < SHORT_SENTENCE)
            and not sentence.startswith("•")
        )
        if joins and len(grouped[-1]) + len(sentence) < PASSAGE_CHARS:
            grouped[-1] = f"{grouped[-1]} {sentence}"
        else:
            grouped.append(sentence)
    return grouped


def document_passages(text: str, *, title: str) -> list[Passage]:
    """Every passage of one document part, in order; a passage repeated in the part (the
    report's appendix copy) is kept once."""
    seen: set[str] = set()
    result: list[Passage] = []
    for section in split_sections(text, title=title):
        for passage in passages_of(section):
            key = collapse_whitespace(passage).casefold()
            if key in seen or len(key) < 3 or _letterhead(passage):
                continue
            seen.add(key)
            result.append(
                Passage(section.label, section.parent, passage, len(result), section.signed)
            )
    return result


def _letterhead(passage: str) -> bool:
    """Capitals only, no figure ('PROTOKOLLSUTDRAG KOMMUNSTYRELSEN'): the document's
    letterhead, which states nothing a question could be answered with."""
    return passage.isupper() and not any(c.isdigit() for c in passage)


def raw_span(source_text: str, starts_with: str | None, ends_with: str | None) -> str | None:
    """The part of a source file's raw text (its lines kept) that a document covers: from
    the first occurrence of `starts_with` to the next of `ends_with`, whitespace-tolerant."""
    start = 0
    if starts_with:
        found = _loose(starts_with).search(source_text)
        if found is None:
            return None
        start = found.start()
    if not ends_with:
        return source_text[start:]
    found = _loose(ends_with).search(source_text, start)
    return None if found is None else source_text[start : found.end()]


def _loose(marker: str) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(word) for word in marker.split()))
