"""Score a question file (the public eval format) against the engine."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.models import Answer

SPACES = re.compile(r"[\s\u00a0\u202f]+")


class EvalFileError(Exception):
    pass


@dataclass(frozen=True)
class EvalResult:
    item: dict
    answer: Answer
    correct: bool
    missing: tuple[str, ...]


def load_eval_items(path: Path | str) -> list[dict]:
    try:
        items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise EvalFileError(f"{path}: cannot read question file: {error}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) and "q" in i for i in items):
        raise EvalFileError(f"{path}: expected a list of mappings with a 'q' field")
    return items


def _normal(text: str) -> str:
    return SPACES.sub(" ", text).casefold()


def missing_facts(expect: list, answer_text: str) -> tuple[str, ...]:
    """Expected elements (a string, or a list of alternatives) not found in the answer."""
    haystack = _normal(answer_text)
    missing = []
    for element in expect or []:
        options = element if isinstance(element, list) else [element]
        if not any(_normal(str(option)) in haystack for option in options):
            missing.append(" | ".join(str(option) for option in options))
    return tuple(missing)


def score_item(item: dict, answer: Answer) -> EvalResult:
    if item.get("abstain"):
        return EvalResult(item, answer, answer.status != "answer", ())
    if answer.status != "answer":
        return EvalResult(item, answer, False, ("(no answer)",))
    missing = missing_facts(item.get("expect") or [], answer.answer or "")
    return EvalResult(item, answer, not missing, missing)


def run_eval(items: list[dict], ask: Callable[[str, str | None], Answer]) -> list[EvalResult]:
    return [score_item(item, ask(item["q"], item.get("lang"))) for item in items]


def accuracy(results: list[EvalResult]) -> float:
    return sum(r.correct for r in results) / len(results) if results else 0.0


def format_report(results: list[EvalResult]) -> str:
    lines = []
    for field in ("persona", "style", "lang"):
        groups: dict[str, list[EvalResult]] = defaultdict(list)
        for result in results:
            groups[str(result.item.get(field, "-"))].append(result)
        lines.append(f"by {field}:")
        for name, group in sorted(groups.items()):
            lines.append(f"  {name:<14} {accuracy(group):6.1%}  ({len(group)})")
    answerable = [r for r in results if not r.item.get("abstain")]
    abstain = [r for r in results if r.item.get("abstain")]
    wrong_answers = [r for r in abstain if not r.correct]
    false_abstentions = [r for r in answerable if r.answer.status != "answer"]
    incomplete = [r for r in answerable if r.answer.status == "answer" and not r.correct]
    lines.append(f"answers on abstain items: {len(wrong_answers)}")
    lines += [
        f"  - {r.item.get('id')}: {r.item['q'][:70]!r} -> {r.answer.entry_id}"
        for r in wrong_answers
    ]
    lines.append(f"false abstentions: {len(false_abstentions)}")
    lines += [
        f"  - {r.item.get('id')}: {r.item['q'][:70]!r} ({r.answer.status})"
        for r in false_abstentions
    ]
    lines.append(f"answers missing expected facts: {len(incomplete)}")
    lines += [
        f"  - {r.item.get('id')}: {r.answer.entry_id} lacks {', '.join(r.missing)}"
        for r in incomplete
    ]
    lines.append(
        f"accuracy={accuracy(results):.3f} answerable={accuracy(answerable):.3f} "
        f"abstain={accuracy(abstain):.3f}"
    )
    return "\n".join(lines)
