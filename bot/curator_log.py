"""The curators' report over the logged questions: it proposes, and never edits.

- Near-identical questions are grouped (rapidfuzz over the folded text) and counted.
- A group that users resolved, by picking a "Menade du" choice or by 👍 on an answer, is a
  proposal: its wordings as alternative questions for that entry, as a YAML snippet to paste
  under the entry's `questions:`, leaving out wordings the entry already has.
- A proposal is checked with the engine (`check`): a wording the entry cannot answer is not
  proposed, and its group "needs an entry or a gap" instead.
- Groups nobody resolved "need an entry or a gap"; a group answered by a gap reply (the
  material says it does not state the thing) is answered, unless 👎 says otherwise.
- Answers quoted from the source text (passages) are candidates for new entries: each
  passage with the questions that led to it.
- The entries with the most 👎, with the questions that led to them.

The rows come from the state store (bot.state.StateStore.question_rows); nothing here
touches a database, so the same functions serve the CLI, /statistik and the tests.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import yaml
from rapidfuzz import fuzz, process

from bot.text import words

# token_sort_ratio from which two folded questions count as one: fitted by
# scripts/fit_grouping.py on pairs of the blind questions (same asked fact or not).
SAME_QUESTION = 90


@dataclass
class QuestionGroup:
    """Questions worded nearly alike, and what happened when they were asked."""

    key: str  # the folded wording the group was founded on
    wordings: list[str] = field(default_factory=list)  # distinct, most recent last
    count: int = 0
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)  # entry, passage, gap, not_in_material …
    shown: Counter = field(default_factory=Counter)
    picked: Counter = field(default_factory=Counter)
    upvoted: Counter = field(default_factory=Counter)
    downvoted: Counter = field(default_factory=Counter)
    last_asked: str = ""

    @property
    def wording(self) -> str:
        return self.wordings[-1] if self.wordings else ""

    @property
    def resolved_entry(self) -> str | None:
        """The entry users said this wording means: the one picked or 👍'd most."""
        votes = self.picked + self.upvoted
        return votes.most_common(1)[0][0] if votes else None

    def to_dict(self) -> dict:
        return {
            "wording": self.wording,
            "wordings": self.wordings,
            "count": self.count,
            "statuses": dict(self.statuses),
            "shown": dict(self.shown),
            "picked": dict(self.picked),
            "upvoted": dict(self.upvoted),
            "downvoted": dict(self.downvoted),
            "resolved_entry": self.resolved_entry,
            "last_asked": self.last_asked,
        }


def folded(text: str) -> str:
    return " ".join(words(text))


def group_questions(rows: Iterable[Mapping]) -> list[QuestionGroup]:
    """Rows with a question text, grouped by wording; most asked first, then most recent."""
    groups: list[QuestionGroup] = []
    keys: list[str] = []
    for row in rows:
        text = row.get("question")
        if not text:
            continue
        key = folded(text)
        found = (
            process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=SAME_QUESTION)
            if keys
            else None
        )
        if found is None:
            groups.append(QuestionGroup(key=key))
            keys.append(key)
            group = groups[-1]
        else:
            group = groups[found[2]]
        _add(group, row, text)
    groups.sort(key=lambda g: g.last_asked, reverse=True)
    return sorted(groups, key=lambda g: g.count, reverse=True)


def _add(group: QuestionGroup, row: Mapping, text: str) -> None:
    group.count += 1
    if text in group.wordings:
        group.wordings.remove(text)
    group.wordings.append(text)
    group.statuses[row.get("status")] += 1
    if row.get("kind"):
        group.kinds[row["kind"]] += 1
    for counter, value in (
        (group.shown, row.get("entry_id")),
        (group.picked, row.get("picked")),
        (group.upvoted, row.get("voted_entry") if row.get("vote") == 1 else None),
        (group.downvoted, row.get("voted_entry") if row.get("vote") == -1 else None),
    ):
        if value:
            counter[value] += 1
    group.last_asked = max(group.last_asked, row.get("asked_at") or "")


def frequent_unresolved(rows: Iterable[Mapping], limit: int = 20) -> list[QuestionGroup]:
    """The most asked groups that no pick or 👍 resolved, gap replies included: what the
    bot could not answer (for /statistik)."""
    return [g for g in group_questions(rows) if g.resolved_entry is None][:limit]


def _unresolved(group: QuestionGroup) -> bool:
    """Nobody picked or 👍'd an entry for it, and no gap reply or passage answered it
    (a 👎 on such a reply makes it unresolved again)."""
    if group.resolved_entry is not None:
        return False
    answered = group.kinds["gap"] + group.kinds["passage"]
    return not answered or bool(group.downvoted)


def proposals(
    groups: Iterable[QuestionGroup],
    existing: Mapping[str, Iterable[str]],
    check: Callable[[str, str], bool] | None = None,
) -> tuple[dict[str, list[str]], list[QuestionGroup]]:
    """Entry id -> wordings users resolved to it that the entry does not already have, and
    the groups whose wordings the entry cannot answer (`check(wording, entry)`: a pick is
    not proof that the entry holds what was asked)."""
    have = {entry: {folded(q) for q in questions} for entry, questions in existing.items()}
    found: dict[str, list[str]] = {}
    refused: list[QuestionGroup] = []
    for group in groups:
        entry = group.resolved_entry
        if entry is None or entry not in have:
            continue
        wordings = [w for w in group.wordings if folded(w) not in have[entry] and "<" not in w]
        answerable = [w for w in wordings if check is None or check(w, entry)]
        if wordings and not answerable:
            refused.append(group)
        for wording in answerable:
            if folded(wording) not in have[entry]:
                have[entry].add(folded(wording))  # one proposal per folded wording
                found.setdefault(entry, []).append(wording)
    return found, refused


def passage_candidates(rows: Iterable[Mapping], limit: int = 20) -> list[dict]:
    """Answers quoted from the source text, by passage: the passage and the questions that
    led to it, most asked first. Each is a candidate for a new entry."""
    by_passage: dict[tuple, dict] = {}
    for row in rows:
        if row.get("kind") != "passage" or not row.get("passage"):
            continue
        passage = json.loads(row["passage"])
        key = (passage.get("document"), passage.get("section"), passage.get("text"))
        found = by_passage.setdefault(key, {**passage, "questions": [], "count": 0})
        found["count"] += 1
        if row.get("question") and row["question"] not in found["questions"]:
            found["questions"].append(row["question"])
    return sorted(by_passage.values(), key=lambda p: -p["count"])[:limit]


def most_downvoted(
    groups: Iterable[QuestionGroup], limit: int = 10
) -> list[tuple[str, int, list]]:
    """(entry id, 👎 count, the questions that led there), most 👎 first."""
    totals: Counter = Counter()
    questions: dict[str, list[str]] = {}
    for group in groups:
        for entry, count in group.downvoted.items():
            totals[entry] += count
            questions.setdefault(entry, []).append(group.wording)
    return [(entry, count, questions[entry]) for entry, count in totals.most_common(limit)]


@dataclass(frozen=True)
class Report:
    counts: dict[str, int]
    proposals: dict[str, list[str]]
    unresolved: list[QuestionGroup]
    downvoted: list[tuple[str, int, list]]
    files: dict[str, str]  # entry id -> knowledge file, to say where to paste
    passages: list[dict] = field(default_factory=list)  # candidates for new entries

    def to_dict(self) -> dict:
        return {
            "counts": self.counts,
            "proposals": [
                {"entry": entry, "file": self.files.get(entry), "questions": questions}
                for entry, questions in self.proposals.items()
            ],
            "needs_an_entry_or_a_gap": [group.to_dict() for group in self.unresolved],
            "most_downvoted": [
                {"entry": entry, "downvotes": count, "questions": questions}
                for entry, count, questions in self.downvoted
            ],
            "passage_answers": self.passages,
        }


def build_report(
    rows: list[Mapping],
    existing: Mapping[str, Iterable[str]],
    files: Mapping[str, str],
    counts: Mapping[str, int],
    *,
    limit: int = 20,
    check: Callable[[str, str], bool] | None = None,
) -> Report:
    """The report; `check(wording, entry_id)` says whether an entry answers a wording (the
    engine's judgement; without it every resolved wording is proposed)."""
    groups = group_questions(rows)
    found, refused = proposals(groups, existing, check)
    unresolved = [g for g in groups if _unresolved(g) or g in refused]
    return Report(
        counts=dict(counts),
        proposals=found,
        unresolved=unresolved[:limit],
        downvoted=most_downvoted(groups, limit),
        files=dict(files),
        passages=passage_candidates(rows, limit),
    )


def format_yaml(report: Report) -> str:
    """Per entry, the lines to paste under its `questions:` (4-space list items)."""
    if not report.proposals:
        return "# Inga förslag: inga frågor har lösts med ett val eller 👍 ännu.\n"
    parts = []
    for entry, questions in report.proposals.items():
        place = report.files.get(entry, "?")
        parts.append(f"# {entry} ({place}): klistra in under entryns questions:")
        for question in questions:
            item = yaml.safe_dump([question], allow_unicode=True, width=1000).strip()
            parts.append(f"    {item}")
        parts.append("")
    return "\n".join(parts)


def format_text(report: Report, *, retention_days: int) -> str:
    lines = [f"Kuratorsrapport (senaste {retention_days} dagarna)"]
    counts = report.counts
    lines.append(
        "  " + ", ".join(f"{STATUS_LABELS[key]}: {counts.get(key, 0)}" for key in STATUS_LABELS)
    )
    lines += ["", "Förslag på nya frågeformuleringar (från val och 👍):"]
    if report.proposals:
        for entry, questions in report.proposals.items():
            lines.append(f"  {entry} ({report.files.get(entry, '?')}):")
            lines += [f"    - {question}" for question in questions]
    else:
        lines.append("  inga ännu")
    lines += ["", "Behöver en entry eller en lucka (ingen har fått svar):"]
    if report.unresolved:
        for group in report.unresolved:
            shown = ", ".join(group.shown) or "–"
            statuses = "/".join(STATUS_LABELS.get(s, s) for s in group.statuses)
            lines.append(f"  {group.count:>4}  {group.wording}  [{statuses}] visat: {shown}")
    else:
        lines.append("  inga")
    lines += ["", "Svar ur källtexten (kandidater för nya entries):"]
    if report.passages:
        for passage in report.passages:
            lines.append(
                f"  {passage['count']:>4}  {passage['document']}, {passage['section']}: "
                f"”{passage['text'][:160]}”"
            )
            lines += [f"          - {question}" for question in passage["questions"][:5]]
    else:
        lines.append("  inga")
    lines += ["", "Flest 👎:"]
    if report.downvoted:
        for entry, count, questions in report.downvoted:
            lines.append(f"  {count:>4}  {entry}: " + " | ".join(questions[:5]))
    else:
        lines.append("  inga")
    return "\n".join(lines)


def format_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


STATUS_LABELS = {
    "answer": "besvarade",
    "suggest": "förslag",
    "abstain": "obesvarade",
    "upvote": "👍",
    "downvote": "👎",
}
