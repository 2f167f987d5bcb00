"""Listings: the timeline, what was done in a place, what a party wrote, the remisser.

Each gives one short fact per line (with its date where it has one), at most `PAGE` lines
with a continuation for the rest, and groups the sources instead of repeating them.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.entries import body_of, first_sentence, row_summary, sentences, source_of, summary_of
from bot.models import Answer, Document
from bot.periods import Period, format_date, parse_iso
from bot.render import listing_text

PAGE = 10
# A composed answer's confidence: the share of such answers right on the blind questions
# when first scored (frozen parts 9 and 10): listings 8 of 9, overviews 12 of 17. A listing
# holds what was asked of a date, place or party; an overview's lines may miss the detail.
COMPOSED_CONFIDENCE = {"listing": 0.9, "overview": 0.7}
OVERVIEW_CHARS = 320  # an overview line may be longer than a listing's: it sums up a priority
SUMMARY_DATES = 3  # an entry with this many dates sums up a period
CLAIM_VERB = re.compile(r"^(?:skriver att|writes? that|says? that) ")


@dataclass(frozen=True)
class Line:
    text: str
    row: dict


class Listings:
    def __init__(self, db: sqlite3.Connection, documents: dict[str, Document]):
        self.db = db
        self.documents = documents

    # -- the three kinds ------------------------------------------------------------------

    def timeline(self, period: Period | None, lang: str) -> tuple[str, list[Line]]:
        """Dated facts inside the period, in date order, the most specific one per date."""
        rows = {row["id"]: row for row in self._rows("kind != 'gap'")}
        by_date: dict[str, list[dict]] = {}
        for entry_id, value in self.db.execute("select entry, date from dates order by date"):
            span = parse_iso(value)
            if entry_id in rows and span is not None and _within(span, period):
                by_date.setdefault(value, []).append(rows[entry_id])
        lines, used = [], set()
        for value in sorted(by_date, key=lambda v: (parse_iso(v).start, v)):
            when = format_date(value, lang)
            fresh = [r for r in by_date[value] if r["id"] not in used]
            for row in _one_per_section(fresh, when, lang):
                used.add(row["id"])
                lines.append(Line(f"{when}: {summary_of(row, lang)}", row))
        return _timeline_heading(period, lang), lines

    def place(self, place: str, lang: str) -> tuple[str, list[Line]]:
        from bot.text import fold

        # Entries that list the place, or name it in their answer ('Segeltorpsskolan').
        sql = (
            "select * from entries where kind != 'gap' and (answer like ? or id in "
            "(select entry from places where folded = ?)) order by n"
        )
        rows = [dict(row) for row in self.db.execute(sql, (f"%{place}%", fold(place)))]
        heading = (
            f"Det här säger materialet om {place}:"
            if lang == "sv"
            else f"What the material says about {place}:"
        )
        lines = [Line(_about_place(row, place, lang), row) for row in _details(rows)]
        return heading, _without_repeats(lines, place, lang)

    def party(self, party: str, lang: str) -> tuple[str, list[Line]]:
        rows = self._rows("party = ? and kind != 'gap'", (party,))
        if not rows:
            return "", []
        document = self.documents[rows[0]["document"]]
        name = (document.party_en if lang == "en" else None) or document.party or party
        signed = ", ".join(document.signatories)
        heading = (
            f"{name} skriver i sin protokollsanteckning (undertecknad av {signed}):"
            if lang == "sv"
            else f"{name} write in their protocol note (signed by {signed}):"
        )
        lines = [
            Line(row_summary(row, lang, lambda t: _claim(t, name, document.signatories)), row)
            for row in _details(rows)
        ]
        return heading, lines

    def parties(self, parties: list[str], lang: str) -> tuple[str, list[Line]]:
        """Several parties' notes side by side: each party's note in brief, one line each,
        in the material's order."""
        rows = [
            found[0]
            for party in parties
            if (found := self._rows("party = ? and kind != 'gap' and overview = 1", (party,)))
        ]
        lines = [Line(body_of(row, lang), row) for row in sorted(rows, key=lambda r: r["n"])]
        if lang == "sv":
            return "Partiernas protokollsanteckningar i korthet:", lines
        return "The parties' protocol notes in brief:", lines

    def area(self, area: str, lang: str, preferred: list[str]) -> tuple[str, list[Line]]:
        """What was done in an area, one line per priority: its overview entry (the one
        ranked best for the question among several)."""
        rows = self._rows("area = ? and overview = 1 and priority is not null", (area,))
        rank = {entry_id: i for i, entry_id in enumerate(preferred)}
        by_priority: dict[int, dict] = {}

        # The priority's own summary first: a sub-topic's (cameras) leaves out the rest.
        def order(row: dict) -> tuple:
            return (row["kind"] != "priority", rank.get(row["id"], len(rank)), row["n"])

        for row in sorted(rows, key=order):
            if not row["section"].startswith(f"{row['priority']}."):
                continue  # the area's own overview, not a priority's
            by_priority.setdefault(row["priority"], row)
        heading = (
            f"Det här gjordes inom {area} enligt materialet:"
            if lang == "sv"
            else f"What was done in the area {area} according to the material:"
        )
        lines = [Line(_whole_summary(row, lang), row) for _, row in sorted(by_priority.items())]
        return heading, lines

    def spread(self, rows: list[dict], lang: str) -> tuple[str, list[Line]]:
        """A broad question's answer over several sections: one line per entry."""
        heading = "Det här säger materialet:" if lang == "sv" else "What the material says:"
        return heading, [Line(_whole_summary(row, lang), row) for row in rows]

    # -- paging -----------------------------------------------------------------------------

    def page(
        self,
        heading: str,
        lines: list[Line],
        *,
        lang: str,
        question: str,
        more: str | None,
        offset: int = 0,
        kind: str = "listing",
    ) -> Answer | None:
        """One page of a listing as an answer; `more` names the continuation ('kind:key')."""
        shown = lines[offset : offset + PAGE]
        if not shown:
            return None
        rest = len(lines) - offset - len(shown)
        body = "\n".join([heading, *(f"• {line.text}" for line in shown)])
        sources = tuple(dict.fromkeys(source_of(line.row, self.documents) for line in shown))
        return Answer(
            question=question,
            status="answer",
            answer=body,
            text=listing_text(body, sources, lang, rest),
            confidence=COMPOSED_CONFIDENCE[kind],
            entry_id=None,
            lang=lang,
            sources=sources,
            more=f"{more}:{offset + PAGE}" if more and rest > 0 else None,
            kind=kind,
        )

    def _rows(self, where: str, params: tuple = ()) -> list[dict]:
        sql = f"select * from entries where {where} order by n"
        return [dict(row) for row in self.db.execute(sql, params)]


def _one_per_section(rows, when: str, lang: str) -> list[dict]:
    """For one date, one entry per section: the one whose summary names the date's month
    (that line tells what happened then), else the one with the fewest dates (an event of
    that day says more than a summary of the year)."""
    month = when.split()[-2].casefold() if len(when.split()) >= 2 else ""
    by_section: dict[tuple, list[dict]] = {}
    for row in rows:
        by_section.setdefault((row["document"], row["section"]), []).append(row)

    def fit(row: dict) -> tuple:
        names_it = bool(month) and month in summary_of(row, lang).casefold()
        return (not names_it, len(json.loads(row["dates"])), row["n"])

    chosen = [min(group, key=fit) for group in by_section.values()]
    # A summary of many dates adds nothing to a date that has a line of its own.
    specific = [row for row in chosen if len(json.loads(row["dates"])) < SUMMARY_DATES]
    return sorted(specific or chosen, key=lambda r: r["n"])


def _claim(text: str, party_name: str, signatories: tuple[str, ...]) -> str:
    """A note's claim without the attribution the listing's heading already gives:
    'Vänsterpartiet (V), i en protokollsanteckning av Nujin Alacabek, skriver att det finns …'
    -> 'Det finns …'."""
    if not text.startswith(party_name):
        return text
    names = [n.split(" (")[0] for n in signatories]
    ends = [text.find(n) + len(n) for n in names if text.find(n) >= 0]
    comma = text.find(", ", max(ends, default=len(party_name)))
    if comma < 0:
        return text
    rest = CLAIM_VERB.sub("", text[comma + 2 :], count=1)
    return rest[:1].upper() + rest[1:]


def _whole_summary(row: dict, lang: str) -> str:
    """The summary line of an overview: its first sentence, whole (up to a limit)."""
    curated = row.get("summary_en") if lang == "en" else row.get("summary")
    return curated or first_sentence(body_of(row, lang), OVERVIEW_CHARS)


def _details(rows: list[dict]) -> list[dict]:
    """The entries themselves, without the overviews that repeat them (unless that is all)."""
    return [row for row in rows if not row["overview"]] or rows


# Lines of one section this alike say the same about a place (three entries on the
# democracy days each name its venue in Flemingsberg): one of them stands for them all.
REPEATED_LINE = 75


def _without_repeats(lines: list[Line], place: str, lang: str) -> list[Line]:
    """One line of each set of alike lines: an entry's own summary before a sentence taken
    from its answer ('De som genomfördes var …' leans on the sentence before it)."""
    kept: list[Line] = []
    for line in lines:
        section = (line.row["document"], line.row["section"])
        alike = next(
            (
                i
                for i, other in enumerate(kept)
                if (other.row["document"], other.row["section"]) == section
                and fuzz.token_set_ratio(line.text, other.text) >= REPEATED_LINE
            ),
            None,
        )
        if alike is None:
            kept.append(line)
        elif _is_summary(line, place, lang) and not _is_summary(kept[alike], place, lang):
            kept[alike] = line
    return kept


def _is_summary(line: Line, place: str, lang: str) -> bool:
    return place.casefold() in summary_of(line.row, lang).casefold()


def _about_place(row: dict, place: str, lang: str) -> str:
    """An entry's line in a place's listing: the summary when it names the place, else the
    entry's first sentence that does ('… anläggningen i Grantorp, Flemingsberg kunde
    startas …', not 'Arbetet med trygghetskameror har pågått i ett par år')."""
    line = _dated(row, lang)
    if place.casefold() in line.casefold():
        return line
    naming = (s for s in sentences(body_of(row, lang)) if place.casefold() in s.casefold())
    return next(naming, line).strip()


def _dated(row: dict, lang: str) -> str:
    dates = [d for d in json.loads(row["dates"]) if len(d) > 4]
    summary = summary_of(row, lang)
    return f"{format_date(dates[0], lang)}: {summary}" if len(dates) == 1 else summary


def _within(span: Period, period: Period | None) -> bool:
    """Inside the period; without one, everything dated more precisely than a whole year."""
    if period is None:
        return span.start != span.end.replace(month=1, day=1) or span.end.month != 12
    return period.start <= span.start and span.end <= period.end


def _timeline_heading(period: Period | None, lang: str) -> str:
    if period is None:
        return "Tidslinje:" if lang == "sv" else "Timeline:"
    start = format_date(period.start.isoformat(), lang)
    end = format_date(period.end.isoformat(), lang)
    if lang == "sv":
        return f"Det här hände {start} – {end} enligt materialet:"
    return f"What happened {start} – {end} according to the material:"
