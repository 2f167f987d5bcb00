"""The curator log: which questions the bot could not answer well, so curators can fill gaps.

Privacy first: a separate SQLite file, no user or chat ids, question text capped and scrubbed
of e-mail addresses and long digit runs (phone and personal identity numbers), and rows older
than the retention period deleted. Answered questions are only counted, their text is not kept.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Statuses whose question text is kept: the ones that tell curators what is missing.
GAP_STATUSES = ("abstain", "suggest", "downvote")
STATUSES = ("answer", *GAP_STATUSES, "upvote")
MAX_QUESTION_CHARS = 300
PRUNE_EVERY_SECONDS = 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,
    status TEXT NOT NULL,
    question TEXT,
    entry_id TEXT
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
"""

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
LONG_NUMBER = re.compile(r"\+?\d[\d\s-]{6,}\d")


class CuratorLogError(Exception):
    """The log file cannot be opened or has an unexpected shape."""


@dataclass(frozen=True)
class Gap:
    question: str
    count: int
    statuses: tuple[str, ...]
    entry_ids: tuple[str, ...]
    last_asked: str


def scrub_question(question: str, *, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question as it may be stored: one line, no contact details, at most `limit` chars."""
    text = " ".join(question.split())
    text = EMAIL.sub("<e-post>", text)
    text = LONG_NUMBER.sub("<nummer>", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CuratorLog:
    """One connection per call, so any thread may use the same instance."""

    def __init__(self, path: str | Path, retention_days: int = 90) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self._last_prune = 0.0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)
        self.prune()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=5)) as db, db:
                yield db
        except sqlite3.DatabaseError as error:
            raise CuratorLogError(f"{self.path}: {error}") from error

    def record(self, question: str, status: str, entry_id: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
        text = scrub_question(question) if status in GAP_STATUSES else None
        with self._connect() as db:
            db.execute(
                "INSERT INTO questions (asked_at, status, question, entry_id) VALUES (?, ?, ?, ?)",
                (_now().isoformat(timespec="seconds"), status, text, entry_id),
            )
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self.prune()

    def prune(self) -> int:
        """Deletes rows older than the retention period; returns how many went."""
        self._last_prune = time.monotonic()
        cutoff = (_now() - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        with self._connect() as db:
            return db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount

    def counts(self) -> dict[str, int]:
        """Rows per status within the retention period, every status present (0 if none)."""
        with self._connect() as db:
            rows = db.execute("SELECT status, count(*) FROM questions GROUP BY status").fetchall()
        found = dict(rows)
        return {status: found.get(status, 0) for status in STATUSES}

    def frequent_gaps(self, limit: int = 20) -> list[Gap]:
        """The most often logged gap questions, grouped case-insensitively, most frequent first."""
        placeholders = ", ".join("?" for _ in GAP_STATUSES)
        query = f"""
            SELECT question, status, entry_id, asked_at FROM questions
            WHERE status IN ({placeholders}) AND question IS NOT NULL
            ORDER BY asked_at
        """
        with self._connect() as db:
            rows = db.execute(query, GAP_STATUSES).fetchall()
        return _group_gaps(rows)[:limit]


def _group_gaps(rows: list[tuple[str, str, str | None, str]]) -> list[Gap]:
    groups: dict[str, dict] = {}
    for question, status, entry_id, asked_at in rows:
        # Later rows overwrite `question`, so a group shows its most recent wording.
        group = groups.setdefault(question.casefold(), {"count": 0, "statuses": {}, "entries": {}})
        group.update(question=question, last=asked_at)
        group["count"] += 1
        group["statuses"][status] = None
        if entry_id:
            group["entries"][entry_id] = None
    gaps = [
        Gap(g["question"], g["count"], tuple(g["statuses"]), tuple(g["entries"]), g["last"])
        for g in groups.values()
    ]
    # Two stable sorts: most frequent first, and among equals the most recently asked.
    gaps.sort(key=lambda gap: gap.last_asked, reverse=True)
    return sorted(gaps, key=lambda gap: gap.count, reverse=True)


def format_report(log_path: str, *, limit: int = 20, retention_days: int = 90) -> str:
    """A plain-text report for curators: counts per status, then the most frequent gaps."""
    if not Path(log_path).exists():
        return f"Inga frågor loggade ännu ({log_path} finns inte)."
    log = CuratorLog(log_path, retention_days)
    counts = log.counts()
    lines = [
        f"Kuratorslogg: {log_path} (senaste {retention_days} dagarna)",
        "  " + ", ".join(f"{STATUS_LABELS[status]}: {n}" for status, n in counts.items()),
        "",
    ]
    gaps = log.frequent_gaps(limit)
    if not gaps:
        lines.append("Inga obesvarade, osäkra eller nedröstade frågor.")
        return "\n".join(lines)
    lines.append(f"Vanligaste luckorna (högst {limit}):")
    for gap in gaps:
        detail = "/".join(STATUS_LABELS[status] for status in gap.statuses)
        entries = f" -> {', '.join(gap.entry_ids)}" if gap.entry_ids else ""
        lines.append(f"{gap.count:>4}  {gap.question}  [{detail}]{entries}")
    return "\n".join(lines)


STATUS_LABELS = {
    "answer": "besvarade",
    "abstain": "obesvarade",
    "suggest": "förslag",
    "downvote": "👎",
    "upvote": "👍",
}


def _now() -> datetime:
    return datetime.now(UTC)
