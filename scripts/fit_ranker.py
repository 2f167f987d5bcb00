"""Refit the ranking model (bot/ranking_model.json) from data, in one command:

    python scripts/fit_ranker.py [--check] [--no-semantic]

Data:
- the curated questions, leave-one-out in folds: fold k removes the k-th curated question of
  every entry from the knowledge, builds an index without them and asks them;
- the training question sets: tests/data/dev-questions.yaml, tests/data/extra-questions.yaml
  and tests/data/blind/train-*.yaml. The frozen sets (tests/data/blind/frozen-*.yaml) are
  never read here.

- for the passages also the new-document case: each item asked of an index without the
  entries of the section that holds its answer, and the questions of the fictional
  protocols in NEW_DOCUMENTS, added as add-document adds them (drafts only).

Three variants, one per ranking stage (bot.engine): lexical, static (with the static word
vectors of bot.static) and semantic (with e5), each with its passage model.
Weights come from a conditional logit (bot.fitting); the decision thresholds from the best
utility on 5-fold cross-validated rankings; the passage bars from the joint decision over
both kinds of answer on the same cost matrix; the reliability tables from the same
rankings. `--check` fits and prints but does not write the model file. Then run
scripts/fit_new_document_bar.py: it refits the bar of a new document's passages.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import time
from dataclasses import replace
from pathlib import Path

import sqlite_utils

from bot import fitting, semantic
from bot.decision import decide
from bot.engine import Engine, entry_evidence
from bot.evaluation import load_eval_items, missing_facts
from bot.index import EMBEDDING_CACHE, write_tables
from bot.knowledge import load_knowledge
from bot.passage_search import PASSAGE_FEATURES, PASSAGE_SEMANTIC_FEATURES, with_evidence
from bot.ranker import MODEL_PATH, Ranking, Thresholds
from bot.search import FEATURES, SEMANTIC_FEATURES
from bot.static import StaticVectors

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TRAINING_SETS = [DATA / "dev-questions.yaml", DATA / "extra-questions.yaml"]
CV_FOLDS = 5
ITEM_WEIGHT = 2.0  # a question-set item counts twice a curated one: it is worded like users'
# An item asked without the entries of its section counts half an item: it stands for a
# new document, and there are as many of them as there are items.
SECTION_OUT_WEIGHT = 0.5
# Fictional protocols (tests/fixtures/new-documents/) fitted on; the others are held out to
# measure how a document nobody has fitted on is answered (scripts/benchmark.py).
NEW_DOCUMENTS = ("beredning-2022-10",)
PLACEHOLDER = Thresholds(answer=0.5, option=0.1, alternative=0.2)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def training_sets() -> list[Path]:
    return [*TRAINING_SETS, *sorted((DATA / "blind").glob("train-*.yaml"))]


def engine_for(kb, encode) -> Engine:
    db = sqlite_utils.Database(memory=True)
    write_tables(db, kb, "", encode=encode)
    connection = db.conn
    connection.row_factory = sqlite3.Row
    return Engine(connection)


def curated_examples(kb, encode, signal) -> list[fitting.Example]:
    """Each curated question asked of an index built without it (fold k drops question k of
    every entry)."""
    examples = []
    folds = max(len(entry.questions) for entry in kb.entries)
    for fold in range(folds):
        held = [(e.id, e.questions[fold]) for e in kb.entries if len(e.questions) > fold]
        entries = tuple(
            replace(e, questions=e.questions[:fold] + e.questions[fold + 1 :])
            if len(e.questions) > fold
            else e
            for e in kb.entries
        )
        engine = engine_for(replace(kb, entries=entries), encode)
        for entry_id, question in held:
            query = engine.ranking_query(question)
            if query is None:
                continue
            candidates = engine.entry_candidates(query, signal)
            example = fitting.label_curated(question, entry_id, query, candidates)
            example.source = "curated"
            examples.append(example)
        progress(f"fold {fold + 1}/{folds}: {len(held)} curated questions")
    return examples


def item_examples(engine: Engine, paths: list[Path], signal: str):
    """Each question-set item: its entry example, and its passage example (the passage
    candidates; their entry evidence is filled in once the entry ranking is known)."""
    examples, passage_examples = [], []
    for path in paths:
        for item in load_eval_items(path):
            query = engine.ranking_query(item["q"])
            if query is None:
                continue
            example = fitting.label_item(item, query, engine.entry_candidates(query, signal))
            example.source = path.stem
            example.extra = item
            example.weight *= ITEM_WEIGHT
            examples.append(example)
            candidates = engine.passage_candidates(query, signal)
            passage_examples.append(fitting.label_passages(item, example, candidates))
    return examples, passage_examples


def cross_validated(examples, names, model_name):
    """Each example ranked by a model fitted without it (CV_FOLDS folds)."""
    order = list(range(len(examples)))
    random.Random(7).shuffle(order)
    rankings: dict[int, Ranking] = {}
    for fold in range(CV_FOLDS):
        test = set(order[fold::CV_FOLDS])
        train = [e for i, e in enumerate(examples) if i not in test]
        weights, none = fitting.fit_logit(train, names)
        model = fitting.model_from(model_name, weights, none, PLACEHOLDER)
        for i in test:
            rankings[i] = model.rank(examples[i].candidates)
    return [rankings[i] for i in range(len(examples))]


def fit_variant(name: str, examples, names):
    """Weights on every example; calibration and thresholds on the question sets only, whose
    questions come, like real ones, from people who never saw the knowledge."""
    progress(f"{name}: fitting {len(names)} features on {len(examples)} examples")
    rankings = cross_validated(examples, names, name)
    # Calibration and bars on questions written like users' (the section-out variants of the
    # same questions only shape the weights and, later, the passage bars).
    written = [i for i, e in enumerate(examples) if e.source not in ("curated", "section-out")]
    pairs = [top_pair(examples[i], rankings[i]) for i in written]
    calibration = fitting.fit_calibration([p for p in pairs if p is not None])
    scaler = fitting.model_from(name, {}, 0.0, PLACEHOLDER, calibration)
    rankings = [replace(r, calibrate=scaler.calibrate) for r in rankings]
    chosen = [examples[i] for i in written]
    by_id = {id(examples[i]): rankings[i] for i in written}
    thresholds, value = fitting.choose_thresholds(chosen, lambda e: by_id[id(e)])
    outcomes = [fitting.outcome(e, r, thresholds) for e, r in zip(examples, rankings, strict=True)]
    weights, none = fitting.fit_logit(examples, names)
    report = summarise(name, examples, rankings, outcomes, thresholds, value)
    written_outcomes = [outcomes[i] for i in written]
    spec = {
        "weights": {k: round(v, 4) for k, v in weights.items()},
        "none": round(none, 4),
        "calibration": [round(v, 4) for v in calibration],
        "thresholds": thresholds.__dict__,
        "cross_validated": {
            "examples": len(examples),
            "top1": round(top1(examples, rankings), 4),
            "reliability_on_question_sets": [
                {"confidence": f"{low:.1f}-{high:.1f}", "answers": n, "right": round(share, 3)}
                for low, high, n, share in fitting.reliability(written_outcomes)
                if n
            ],
        },
    }
    return spec, report, {id(e): r for e, r in zip(examples, rankings, strict=True)}, thresholds


def with_plans(passage_examples, entry_rankings, thresholds) -> list:
    """Each passage example with the plan its (cross-validated) entry ranking gives, and
    that plan's evidence filled into its passage candidates."""
    plans = []
    for example in passage_examples:
        ranking = entry_rankings[id(example.entry)]
        plan = decide(ranking, example.entry.query, thresholds)
        plans.append(plan)
        example.candidates = with_evidence(example.candidates, entry_evidence(plan, ranking))
    return plans


def section_out_examples(kb, encode, paths, signal):
    """The new-document case, simulated: each item asked of an index without the entries of
    the section that holds its answer (for an item the material cannot answer: of the
    section of its best passage), so that only the passages know the asked thing. For the
    entries "none of them" is then right, unless another entry holds every fact."""
    full = engine_for(kb, encode)
    passages = [full.passages.passage(n) for (n,) in full.db.execute("select n from passages")]
    by_section: dict[tuple[str, str], list[dict]] = {}
    for path in paths:
        for item in load_eval_items(path):
            section = answering_section(full, passages, item)
            if section is not None:
                item = {**item, "source_set": path.stem}
                by_section.setdefault(section, []).append(item)
    entries, examples = [], []
    for (document, section), items in sorted(by_section.items()):
        kept = tuple(
            e
            for e in kb.entries
            if (e.source.document, passage_section(full, document, e.source.section))
            != (document, section)
        )
        engine = engine_for(replace(kb, entries=kept), encode)
        for item in items:
            query = engine.ranking_query(item["q"])
            if query is None:
                continue
            candidates = engine.entry_candidates(query, signal)
            entry = fitting.label_item(item, query, candidates)
            if entry.partial or not any(entry.right):
                entry.right, entry.none_right, entry.partial = (
                    [False] * len(candidates),
                    True,
                    False,
                )
            entry.source, entry.extra = "section-out", item
            entry.weight = ITEM_WEIGHT * SECTION_OUT_WEIGHT
            entries.append(entry)
            found = engine.passage_candidates(query, signal)
            examples.append(fitting.label_passages(item, entry, found))
    progress(f"section-out: {len(examples)} items over {len(by_section)} sections")
    return entries, examples


def new_document_examples(kb, encode, signal):
    """The fictional protocols of NEW_DOCUMENTS, each added to a copy of the knowledge as
    add-document does (drafts only, so only its passages know it), with their questions:
    the new-document case as it really comes. For the entries "none of them" is right."""
    import tempfile

    from bot.add_document import add_described_document

    entries, passages = [], []
    for name in NEW_DOCUMENTS:
        folder = DATA.parent / "fixtures" / "new-documents" / name
        with tempfile.TemporaryDirectory() as temporary:
            knowledge = Path(temporary) / "knowledge"
            shutil.copytree(ROOT / "knowledge", knowledge)
            add_described_document(knowledge, folder)
            engine = engine_for(load_knowledge(knowledge), encode)
        items, found = item_examples(engine, [folder / "questions.yaml"], signal)
        for example in items:
            example.source = "new-document"
            if example.partial or not any(example.right):
                example.right = [False] * len(example.candidates)
                example.none_right, example.partial = True, False
        entries += items
        passages += found
    progress(f"new documents: {len(entries)} questions")
    return entries, passages


def answering_section(engine, passages, item) -> tuple[str, str] | None:
    """(document, section) of the first passage holding every expected fact; for an item the
    material cannot answer, of its best passage candidate."""
    if item.get("abstain"):
        query = engine.ranking_query(item["q"])
        found = engine.passages.candidates(query) if query else []
        best = max(found, key=lambda c: c.features["coverage"], default=None)
        return (best.passage.row["document"], best.passage.row["section"]) if best else None
    expect = item.get("expect") or []
    for passage in passages:
        if expect and not missing_facts(expect, passage.text):
            return passage.row["document"], passage.row["section"]
    return None


def passage_section(engine, document: str, section: str) -> str:
    """An entry's section as its passages name it (the same heading, or the § it is under)."""
    rows = engine.db.execute(
        "select section from passages where document = ? and (section = ? or section like ?) "
        "limit 1",
        (document, section, f"%, {section}"),
    ).fetchone()
    return rows[0] if rows else section


def fit_passages(name, passage_examples, plans, thresholds):
    """The passage model of one variant: a conditional logit over passage candidates that
    know the entry plan's conclusions, Platt calibration and the passage bars of the joint
    decision."""
    names = list(PASSAGE_FEATURES)
    if name == "lexical":
        names = [f for f in names if f not in PASSAGE_SEMANTIC_FEATURES]
    logit = [fitting.as_logit_example(e) for e in passage_examples]
    progress(f"passage-{name}: fitting {len(names)} features on {len(logit)} examples")
    rankings = cross_validated(logit, names, f"passage-{name}")
    pairs = [passage_top_pair(e, r) for e, r in zip(logit, rankings, strict=True)]
    calibration = fitting.fit_calibration([p for p in pairs if p is not None])
    scaler = fitting.model_from(name, {}, 0.0, PLACEHOLDER, calibration)
    rankings = [replace(r, calibrate=scaler.calibrate) for r in rankings]
    chosen, value = fitting.choose_passage_bars(passage_examples, plans, rankings, thresholds)
    weights, none = fitting.fit_logit(logit, names)
    outcomes = [
        fitting.joint_outcome(e, p, r, chosen)
        for e, p, r in zip(passage_examples, plans, rankings, strict=True)
    ]
    spec = {
        "weights": {k: round(v, 4) for k, v in weights.items()},
        "none": round(none, 4),
        "calibration": [round(v, 4) for v in calibration],
        "thresholds": PLACEHOLDER.__dict__,
    }
    report = [
        f"== passage-{name}: bars passage {chosen.passage}, over gap {chosen.passage_over_gap}, "
        f"over entry {chosen.passage_over_entry}; joint utility {value:.1f}",
        *joint_summary(passage_examples, plans, rankings, outcomes, chosen),
    ]
    return spec, chosen, report


def joint_summary(examples, plans, rankings, outcomes, thresholds) -> list[str]:
    # "section-out" rows: the new-document case (no entry for the asked section).
    """Per set: right, confident wrong, and how many answers are passages."""
    from bot.decision import with_passages

    lines = []
    kinds = [with_passages(p, r, thresholds).kind for p, r in zip(plans, rankings, strict=True)]
    for source in sorted({e.entry.source for e in examples}):
        rows = [
            (o, k)
            for e, o, k in zip(examples, outcomes, kinds, strict=True)
            if e.entry.source == source
        ]
        answerable = [(o, k) for o, k in rows if o.answerable]
        right = sum(o.kind == "answer" and o.right for o, _ in answerable)
        wrong = sum(o.kind == "answer" and not o.right for o, _ in rows)
        passages = sum(k == "passage" for _, k in rows)
        lines.append(
            f"   {source:<18} answerable right {right}/{len(answerable)}, confident wrong "
            f"{wrong}/{len(rows)}, passage answers {passages}"
        )
    lines.append("   reliability by kind (confidence -> answers, share right):")
    for kind in ("answer", "passage"):
        chosen = [o for o, k in zip(outcomes, kinds, strict=True) if k == kind]
        cells = "  ".join(
            f"{low:.1f}-{high:.1f}: {n} {share:.2f}"
            for low, high, n, share in fitting.reliability(chosen)
            if n
        )
        lines.append(f"     {'entry' if kind == 'answer' else kind:<8} {cells}")
    return lines


def passage_top_pair(example, ranking: Ranking) -> tuple[float, bool] | None:
    """(probability of the top passage, whether it holds every expected fact)."""
    if not ranking.ranked:
        return None
    right = {c.passage.n for c, ok in zip(example.candidates, example.right, strict=True) if ok}
    return ranking.top.probability, ranking.top.passage.n in right


def top_pair(example, ranking: Ranking) -> tuple[float, bool] | None:
    """(probability of the top candidate, whether it is right), for calibration: an entry
    with only some of the asked facts is not right, so confidence means the whole answer."""
    if not ranking.ranked or not (any(example.right) or example.none_right):
        return None
    top = ranking.top
    right = {c.entry.id for c, ok in zip(example.candidates, example.right, strict=True) if ok}
    if top.entry.is_gap:
        return top.probability, example.none_right or top.entry.id in right
    return top.probability, top.entry.id in right and not example.partial


def top1(examples, rankings) -> float:
    scored = [
        (e, r) for e, r in zip(examples, rankings, strict=True) if e.answerable and any(e.right)
    ]
    right = 0
    for example, ranking in scored:
        ids = {c.entry.id for c, ok in zip(example.candidates, example.right, strict=True) if ok}
        right += bool(ranking.ranked) and ranking.top.entry.id in ids
    return right / len(scored) if scored else 0.0


def summarise(name, examples, rankings, outcomes, thresholds, value) -> list[str]:
    lines = [f"== {name}: thresholds {thresholds}, utility {value:.1f}"]
    lines.append(f"   ranker top-1 (answerable, cross-validated): {top1(examples, rankings):.3f}")
    for source in sorted({e.source for e in examples}):
        chosen = [(e, o) for e, o in zip(examples, outcomes, strict=True) if e.source == source]
        answerable = [o for e, o in chosen if e.answerable]
        abstain = [o for e, o in chosen if not e.answerable]
        right = sum(o.kind == "answer" and o.right for o in answerable)
        wrong = sum(o.kind == "answer" and not o.right for o in answerable)
        answered_abstain = sum(o.kind == "answer" for o in abstain)
        lines.append(
            f"   {source:<18} answerable {right}/{len(answerable)} right, {wrong} wrong; "
            f"abstain items answered {answered_abstain}/{len(abstain)}"
        )
    lines.append("   reliability on the question sets (confidence -> answers, share right):")
    written = [o for e, o in zip(examples, outcomes, strict=True) if e.source != "curated"]
    for low, high, n, share in fitting.reliability(written):
        lines.append(f"     {low:.1f}-{high:.1f}  {n:>5}  {share:.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print, do not write the model")
    parser.add_argument("--no-semantic", action="store_true", help="fit the lexical model only")
    args = parser.parse_args()
    kb = load_knowledge()
    lexical = [f for f in FEATURES if f not in SEMANTIC_FEATURES]
    # name: (e5 embeddings for the index, the features, the meaning signal of the stage)
    variants = {"lexical": (None, lexical, "lexical")}
    if StaticVectors.load() is not None and not args.no_semantic:
        variants["static"] = (None, list(FEATURES), "static")
    if semantic.available() and not args.no_semantic:
        variants["semantic"] = (semantic.EmbeddingCache(EMBEDDING_CACHE), list(FEATURES), "e5")
    specs, reports = {}, []
    for name, (encode, names, signal) in variants.items():
        examples = curated_examples(kb, encode, signal)
        items, passage_examples = item_examples(engine_for(kb, encode), training_sets(), signal)
        specs[name], report, rankings, thresholds = fit_variant(name, examples + items, names)
        # The new-document cases shape the passages only: the entry model is fitted on the
        # knowledge as it is, and ranks them as it would at run time.
        spec = specs[name]
        model = fitting.model_from(
            name, spec["weights"], spec["none"], thresholds, spec["calibration"]
        )
        out_items, out_passages = section_out_examples(kb, encode, training_sets(), signal)
        new_items, new_passages = new_document_examples(kb, encode, signal)
        for entry in out_items + new_items:
            rankings[id(entry)] = model.rank(entry.candidates)
        passage_examples += out_passages + new_passages
        plans = with_plans(passage_examples, rankings, thresholds)
        passage_spec, thresholds, passage_report = fit_passages(
            name, passage_examples, plans, thresholds
        )
        specs[name]["thresholds"] = thresholds.__dict__
        specs[f"passage-{name}"] = passage_spec
        reports += report + passage_report
    print("\n".join(reports))
    if args.check:
        return
    data = {
        "about": "Fitted by scripts/fit_ranker.py; see bot/ranker.py. Do not edit by hand.",
        "training_sets": [str(p.relative_to(ROOT)) for p in training_sets()],
        "variants": specs,
    }
    MODEL_PATH.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    progress(f"wrote {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
