"""Fit the curator report's near-duplicate threshold (bot.curator_log.SAME_QUESTION):

    python scripts/fit_grouping.py

Examples are pairs built from the blind training questions. Near-duplicates: a question and
the same question as people retype it (a typo, no å/ä/ö, no punctuation, a filler word, the
words reordered). Not duplicates: two different questions, half of them about the same
place in the source (the hard case: same topic, another fact). Prints precision, recall
and F1 of token_sort_ratio over the folded text at each threshold, and the threshold with
the best F1 among those whose precision is at least PRECISION (a wrong group merges
questions curators must see apart, which costs more than a missed one).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from rapidfuzz import fuzz

from bot.curator_log import folded
from bot.evaluation import load_eval_items

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "blind"
PRECISION = 0.9


def retyped(question: str, rng: random.Random) -> str:
    """The question as someone retypes it: one or two of the usual differences."""
    edits = [_typo, _no_diacritics, _no_punctuation, _filler, _reordered]
    for edit in rng.sample(edits, rng.choice((1, 2))):
        question = edit(question, rng)
    return question


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) > 4]
    if not long:
        return text
    i = rng.choice(long)
    j = rng.randrange(1, len(words[i]) - 1)
    words[i] = words[i][:j] + words[i][j + 1 :]
    return " ".join(words)


def _no_diacritics(text: str, rng: random.Random) -> str:
    return text.translate(str.maketrans("åäöÅÄÖé", "aaoAAOe"))


def _no_punctuation(text: str, rng: random.Random) -> str:
    return "".join(c for c in text if c.isalnum() or c.isspace()).lower()


def _filler(text: str, rng: random.Random) -> str:
    return f"{rng.choice(('hej', 'typ', 'alltså', 'undrar', 'snälla'))} {text}"


def _reordered(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def pairs() -> list[tuple[str, str, bool]]:
    items = [
        item
        for path in sorted(DATA.glob("train-*.yaml"))
        for item in load_eval_items(path)
        if item.get("lang") == "sv"
    ]
    rng = random.Random(3)
    same = [(folded(i["q"]), folded(retyped(i["q"], rng)), True) for i in items]
    by_source: dict[str, list[str]] = {}
    for item in items:
        by_source.setdefault(str(item.get("source")), []).append(item["q"])
    near = [
        (folded(a), folded(b), False)
        for group in by_source.values()
        for a, b in itertools.combinations(group, 2)
        if folded(a) != folded(b)
    ]
    far = [
        (folded(a["q"]), folded(b["q"]), False)
        for a, b in (rng.sample(items, 2) for _ in range(len(near)))
    ]
    return same + near + far


def main() -> None:
    scored = [(fuzz.token_sort_ratio(a, b), same) for a, b, same in pairs()]
    best = None
    print("threshold precision recall f1")
    for threshold in range(50, 100, 5):
        grouped = [same for score, same in scored if score >= threshold]
        positives = sum(same for _, same in scored)
        true = sum(grouped)
        precision = true / len(grouped) if grouped else 1.0
        recall = true / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if true else 0.0
        print(f"{threshold:>9} {precision:>9.3f} {recall:>6.3f} {f1:.3f}")
        if precision >= PRECISION and (best is None or f1 > best[1]):
            best = (threshold, f1)
    print(f"best threshold with precision >= {PRECISION}: {best[0] if best else None}")


if __name__ == "__main__":
    main()
