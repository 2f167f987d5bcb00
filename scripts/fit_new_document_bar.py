"""Fit the bar a passage of a new document must clear (`passage_uncurated`), in one command:

    python scripts/fit_new_document_bar.py [--check]

Run it after scripts/fit_ranker.py, which writes the other bars. The fictional protocol fitted
on (fit_ranker.NEW_DOCUMENTS) is added as `add-document` adds it (drafts only, no entry
written) and its questions are asked at each bar of a grid. The bar kept is the lowest at
which every question that document cannot answer is still declined and no more answers are
confidently wrong than with no passage answering at all: a new document answers what its
text says, and nothing it does not. The other fictional protocols are never read here; the
benchmark measures them (scripts/benchmark.py, part F). One bar serves every stage.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.add_document import add_described_document
from bot.engine import Engine
from bot.evaluation import load_eval_items, score_item
from bot.index import build_index, open_read_only
from bot.knowledge import load_knowledge
from bot.ranker import MODEL_PATH

ROOT = Path(__file__).resolve().parent.parent

FITTED_DOCUMENT = "beredning-2022-10"  # as in scripts/fit_ranker.py NEW_DOCUMENTS
GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)  # 1.01: never


def outcomes(engine: Engine, items: list[dict], bar: float) -> tuple[int, int, int]:
    """(answerable right, unanswerable answered, confident wrong) with every stage's bar."""
    for stage in engine.stages:
        thresholds = replace(stage.model.thresholds, passage_uncurated=bar)
        object.__setattr__(stage.model, "thresholds", thresholds)  # frozen: a trial value
    results = [score_item(item, engine.answer(item["q"])) for item in items]
    right = sum(r.correct for r in results if not r.item.get("abstain"))
    answered = sum(not r.correct for r in results if r.item.get("abstain"))
    wrong = sum(r.answer.status == "answer" and not r.correct for r in results)
    return right, answered, wrong


def fitted_bar(rows: dict[float, tuple[int, int, int]]) -> float:
    _, _, baseline_wrong = rows[GRID[-1]]
    kept = [bar for bar, (_, answered, wrong) in rows.items() if not answered]
    kept = [bar for bar in kept if rows[bar][2] <= baseline_wrong]
    return min(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print, do not write the model")
    args = parser.parse_args()
    folder = ROOT / "tests" / "fixtures" / "new-documents" / FITTED_DOCUMENT
    items = load_eval_items(folder / "questions.yaml")
    with tempfile.TemporaryDirectory() as temporary:
        knowledge = Path(temporary) / "knowledge"
        shutil.copytree(ROOT / "knowledge", knowledge)
        add_described_document(knowledge, folder)
        index = build_index(load_knowledge(knowledge), Path(temporary) / "index.db")
        engine = Engine(open_read_only(index))
        rows = {bar: outcomes(engine, items, bar) for bar in GRID}
    answerable = sum(not item.get("abstain") for item in items)
    for bar, (right, answered, wrong) in rows.items():
        print(f"bar {bar:.2f}: right {right}/{answerable}, unanswerable answered {answered}, "
              f"confident wrong {wrong}/{len(items)}")  # fmt: skip
    bar = fitted_bar(rows)
    print(f"kept: {bar:.2f}")
    if args.check:
        return
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    for spec in data["variants"].values():
        if "cross_validated" in spec:  # an entry stage's spec, with its decision bars
            spec["thresholds"]["passage_uncurated"] = bar
    MODEL_PATH.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
