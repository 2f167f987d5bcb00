"""Dates and periods: ISO (partial) dates to day ranges, and periods named in questions."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS_SV = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
MONTHS_EN = (
    "january february march april may june july august september october november december"
).split()
MONTH_NUMBERS = {name: n for names in (MONTHS_SV, MONTHS_EN) for n, name in enumerate(names, 1)}
MONTH_NUMBERS.update({name[:3]: n for n, name in enumerate(MONTHS_EN, 1) if name != "may"})
SEASONS = {
    "varen": (3, 5),
    "spring": (3, 5),
    "sommaren": (6, 8),
    "summer": (6, 8),
    "hosten": (9, 11),
    "autumn": (9, 11),
    "fall": (9, 11),
    "vintern": (12, 2),
    "winter": (12, 2),
    "borjan av": (1, 3),
    "beginning of": (1, 3),
    "early": (1, 3),
    "mitten av": (5, 8),
    "slutet av": (10, 12),
    "end of": (10, 12),
    "late": (10, 12),
}
QUARTERS = {
    "forsta kvartalet": 1,
    "first quarter": 1,
    "q1": 1,
    "andra kvartalet": 2,
    "second quarter": 2,
    "q2": 2,
    "tredje kvartalet": 3,
    "third quarter": 3,
    "q3": 3,
    "fjarde kvartalet": 4,
    "fourth quarter": 4,
    "q4": 4,
}
YEAR = re.compile(r"\b(20\d\d)\b")
DAY = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTH_NUMBERS) + r")\b")
DEFAULT_YEAR = 2021


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


def _month_range(year: int, first: int, last: int) -> tuple[date, date]:
    if last < first:  # winter runs over new year
        return date(year, first, 1), date(year + 1, last, calendar.monthrange(year + 1, last)[1])
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def parse_iso(value: str) -> Period | None:
    """'2021', '2021-06', '2022-Q1' or '2021-10-23' as a day range."""
    try:
        if re.fullmatch(r"\d{4}", value):
            year = int(value)
            return Period(date(year, 1, 1), date(year, 12, 31), value)
        if match := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            year, quarter = int(match[1]), int(match[2])
            start, end = _month_range(year, 3 * quarter - 2, 3 * quarter)
            return Period(start, end, value)
        if match := re.fullmatch(r"(\d{4})-(\d{2})", value):
            start, end = _month_range(int(match[1]), int(match[2]), int(match[2]))
            return Period(start, end, value)
        day = date.fromisoformat(value)
        return Period(day, day, value)
    except ValueError:
        return None


def find_period(folded: str) -> Period | None:
    """The period a (folded) question names: a month, season, quarter or year."""
    years = [int(year) for year in YEAR.findall(folded)]
    year = years[0] if years else DEFAULT_YEAR
    if match := DAY.search(folded):  # "den 22 april 2021"
        try:
            day = date(year, MONTH_NUMBERS[match[2]], int(match[1]))
        except ValueError:
            day = None
        if day is not None:
            return Period(day, day, day.isoformat())
    for phrase, quarter in QUARTERS.items():
        if re.search(rf"\b{phrase}\b", folded):
            start, end = _month_range(year, 3 * quarter - 2, 3 * quarter)
            return Period(start, end, f"{year}-Q{quarter}")
    for word in re.findall(r"[a-z]+", folded):
        if word in MONTH_NUMBERS:
            month = MONTH_NUMBERS[word]
            start, end = _month_range(year, month, month)
            return Period(start, end, f"{year}-{month:02d}")
    for phrase, (first, last) in SEASONS.items():
        if re.search(rf"\b{phrase.strip()}\b", folded):
            start, end = _month_range(year, first, last)
            return Period(start, end, f"{phrase.strip()} {year}")
    if years:
        return Period(date(year, 1, 1), date(year, 12, 31), str(year))
    return None


def format_date(value: str, lang: str) -> str:
    """'2021-10-23' -> '23 oktober 2021' / '23 October 2021'; partial dates likewise."""
    months = MONTHS_SV if lang == "sv" else [m.capitalize() for m in MONTHS_EN]
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
        return f"{int(match[3])} {months[int(match[2]) - 1]} {match[1]}"
    if match := re.fullmatch(r"(\d{4})-(\d{2})", value):
        return f"{months[int(match[2]) - 1]} {match[1]}"
    if match := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        ordinal = (
            ("första", "andra", "tredje", "fjärde")
            if lang == "sv"
            else ("first", "second", "third", "fourth")
        )
        quarter = ordinal[int(match[2]) - 1]
        word = "kvartalet" if lang == "sv" else "quarter of"
        return f"{quarter} {word} {match[1]}"
    return value
