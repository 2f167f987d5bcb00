"""Accuracy, latency, cold start and scale of the engine against two simple baselines.

    python scripts/benchmark.py [--questions ../shared/eval/dev-questions.yaml]
                                [--sizes 1000,10000,100000] [--skip-scale]

Tables go to stdout, progress to stderr. The last line is a one-line summary.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.engine import Engine
from bot.evaluation import accuracy, load_eval_items, score_item
from bot.index import build_index
from bot.knowledge import load_knowledge
from bot.models import Answer
from bot.text import terms

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_synthetic import ONSETS, generate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev-questions.yaml"
COLD_QUESTION = "Vilka fick demokratipriset 2021?"
REPETITIONS = 5
COLD_RUNS = 5
SCALE_QUESTIONS = 200
# At 100k entries one naive extractOne takes about a second; cap its share of the run.
NAIVE_BUDGET_S = 60.0

Ask = Callable[[str, str | None], Answer]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def reply(question: str, lang: str | None, text: str | None, entry_id: str | None) -> Answer:
    """A baseline's reply in the engine's type, so one scorer serves all three systems."""
    status = "answer" if text is not None else "abstain"
    return Answer(question, status, text, text or "", 0.0, entry_id, lang or "sv")


# -- baselines ----------------------------------------------------------------------------


class NaiveBaseline:
    """rapidfuzz extractOne over every curated question and title; always answers.

    The choices are run through default_process once here instead of on every call
    (processor=default_process would redo it per call); the scores are the same.
    """

    def __init__(self, db: sqlite3.Connection):
        self.rows: list[tuple[str, str, str]] = []
        self.choices: list[str] = []
        self.owners: list[int] = []
        sql = "select id, title, questions, answer, answer_en from entries order by n"
        for entry_id, title, questions, answer, answer_en in db.execute(sql):
            for text in (title, *json.loads(questions)):
                self.choices.append(default_process(text))
                self.owners.append(len(self.rows))
            self.rows.append((entry_id, answer, answer_en))

    def answer(self, question: str, lang: str | None = None) -> Answer:
        best = process.extractOne(
            default_process(question), self.choices, scorer=fuzz.WRatio, processor=None
        )
        if best is None:
            return reply(question, lang, None, None)
        entry_id, answer, answer_en = self.rows[self.owners[best[2]]]
        return reply(question, lang, answer_en if lang == "en" else answer, entry_id)


def fts_top_hit(db: sqlite3.Connection) -> Ask:
    """The FTS5 bm25 top hit for the question's stems, OR-ed; abstains only without a hit."""
    sql = (
        "select e.id, e.answer, e.answer_en from entries_fts join entries e "
        "on e.n = entries_fts.rowid where entries_fts match ? order by bm25(entries_fts) limit 1"
    )

    def answer(question: str, lang: str | None = None) -> Answer:
        stems = list(dict.fromkeys(terms(question)))
        if not stems:
            return reply(question, lang, None, None)
        expression = " OR ".join(f'"{stem}"' for stem in stems)
        try:
            row = db.execute(sql, (expression,)).fetchone()
        except sqlite3.OperationalError:
            row = None
        if row is None:
            return reply(question, lang, None, None)
        return reply(question, lang, row[2] if lang == "en" else row[1], row[0])

    return answer


# -- measuring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    p50: float
    p95: float
    max: float
    count: int


def latency(samples_ms: Sequence[float]) -> Latency:
    ordered = sorted(samples_ms)
    p95 = statistics.quantiles(ordered, n=100)[94] if len(ordered) > 1 else ordered[0]
    return Latency(statistics.median(ordered), p95, ordered[-1], len(ordered))


def time_calls(
    ask: Ask, questions: Sequence[tuple[str, str | None]], budget_s: float | None = None
) -> list[float]:
    """Milliseconds per call, in order; stops early once budget_s is spent."""
    samples = []
    started = time.perf_counter()
    for question, lang in questions:
        before = time.perf_counter()
        ask(question, lang)
        samples.append((time.perf_counter() - before) * 1000)
        if budget_s is not None and time.perf_counter() - started > budget_s:
            break
    return samples


def evaluate_system(name: str, ask: Ask, items: list[dict]) -> dict:
    """Accuracy scored as bot/evaluation.py does, then latency after one warm-up pass."""
    progress(f"shipped knowledge: {name}")
    questions = [(item["q"], item.get("lang")) for item in items]
    results = [
        score_item(item, ask(q, lang)) for item, (q, lang) in zip(items, questions, strict=True)
    ]
    samples = []
    for _ in range(REPETITIONS):
        samples += time_calls(ask, questions)
    correct = sum(result.correct for result in results)
    return {
        "name": name,
        "accuracy": accuracy(results),
        "correct": f"{correct}/{len(results)}",
        "latency": latency(samples),
    }


def shipped_benchmark(questions_file: Path) -> list[dict]:
    items = load_eval_items(questions_file)
    engine = Engine.open()
    systems: list[tuple[str, Ask]] = [
        ("engine", engine.answer),
        ("naive rapidfuzz", NaiveBaseline(engine.db).answer),
        ("fts5 bm25 top hit", fts_top_hit(engine.db)),
    ]
    return [evaluate_system(name, ask, items) for name, ask in systems]


def cold_start() -> list[float]:
    """Seconds from process start to exit of one `python -m bot ask`, COLD_RUNS times."""
    progress("cold start")
    runs = []
    for _ in range(COLD_RUNS):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", COLD_QUESTION],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        runs.append(time.perf_counter() - started)
    return runs


# -- scale --------------------------------------------------------------------------------


def build_child(knowledge_dir: str, db_path: str) -> None:
    """Run in a child process: build, then report seconds and this process's peak RSS."""
    started = time.perf_counter()
    build_index(load_knowledge(knowledge_dir), db_path)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_kb": peak_kb}))


def build_in_child(knowledge_dir: Path, db_path: Path) -> dict:
    command = [sys.executable, __file__, "--build-child", str(knowledge_dir), str(db_path)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def typo(word: str, rng: random.Random) -> str:
    """One edit (swap, drop or replace) inside a word of five letters or more."""
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    edit = rng.choice(("swap", "drop", "replace"))
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiknrst") + word[i + 1 :]


def out_of_vocabulary(db: sqlite3.Connection, rng: random.Random) -> str:
    """A nonsense word that no entry contains (checked against the index's word forms)."""
    while True:
        word = "".join(rng.choice(ONSETS) + rng.choice("aeiouy") + "x" for _ in range(2))
        if db.execute("select 1 from surface where word = ?", (word,)).fetchone() is None:
            return word


def scale_questions(
    db: sqlite3.Connection, count: int, seed: int
) -> list[tuple[str, str | None, str | None]]:
    """(question, lang, expected entry id or None for out-of-vocabulary) triples."""
    rng = random.Random(seed)
    total = db.execute("select count(*) from entries").fetchone()[0]
    questions = []
    for number in range(count):
        if number % 5 == 4:
            first, second = out_of_vocabulary(db, rng), out_of_vocabulary(db, rng)
            questions.append((f"Vad hände med {first} och {second}?", None, None))
            continue
        entry_id, title = db.execute(
            "select id, title from entries where n = ?", (rng.randint(1, total),)
        ).fetchone()
        words = title.split()
        if number % 2:
            words = [typo(word, rng) for word in words]
        template = rng.choice(("Vad vet ni om {}?", "berätta om {}", "{}"))
        questions.append((template.format(" ".join(words).lower()), None, entry_id))
    return questions


def hits(
    ask: Ask, questions: Sequence[tuple[str, str | None, str | None]]
) -> tuple[int, int, int]:
    """(answered with the source entry, answered with another entry, abstained on
    out-of-vocabulary) counts; the rest were suggestions or abstentions."""
    found = wrong = abstained = 0
    for question, lang, expected in questions:
        answer = ask(question, lang)
        if expected is None:
            abstained += answer.status != "answer"
        elif answer.status == "answer":
            found += answer.entry_id == expected
            wrong += answer.entry_id != expected
    return found, wrong, abstained


def count_rows(db: sqlite3.Connection, sql: str) -> int:
    return db.execute(sql).fetchone()[0]


def scale_row(size: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bot-scale-") as temporary:
        knowledge_dir, db_path = Path(temporary) / "knowledge", Path(temporary) / "index.db"
        progress(f"scale {size}: generating")
        generate(size, knowledge_dir, seed)
        progress(f"scale {size}: building in a child process")
        built = build_in_child(knowledge_dir, db_path)
        engine = Engine.open(db_path)
        asked = scale_questions(engine.db, SCALE_QUESTIONS, seed)
        pairs = [(question, lang) for question, lang, _ in asked]
        progress(f"scale {size}: engine latency")
        time_calls(engine.answer, pairs)  # warm-up: page cache and the entry cache
        engine_ms = latency(time_calls(engine.answer, pairs))
        found, wrong, abstained = hits(engine.answer, asked)
        progress(f"scale {size}: naive latency (budget {NAIVE_BUDGET_S:.0f} s)")
        naive = NaiveBaseline(engine.db)
        naive_ms = latency(time_calls(naive.answer, pairs, budget_s=NAIVE_BUDGET_S))
        return {
            "size": size,
            "build_s": built["seconds"],
            "peak_mb": built["peak_kb"] / 1024,
            "index_mb": os.path.getsize(db_path) / 2**20,
            "forms": count_rows(engine.db, "select count(*) from surface"),
            "stems": count_rows(engine.db, "select count(*) from vocabulary where lang = 'sv'"),
            "engine": engine_ms,
            "naive": naive_ms,
            "found": f"{found}/{sum(1 for *_, e in asked if e)}",
            "wrong": str(wrong),
            "oov": f"{abstained}/{sum(1 for *_, e in asked if e is None)}",
        }


# -- reporting ----------------------------------------------------------------------------


def print_shipped(rows: list[dict], questions_file: Path) -> None:
    print(f"\nA. Shipped knowledge, {questions_file} (latency: {REPETITIONS} reps, warm)")
    print(
        f"{'system':<20} {'accuracy':>8} {'correct':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    )
    for row in rows:
        ms = row["latency"]
        print(
            f"{row['name']:<20} {row['accuracy']:>8.3f} {row['correct']:>8} "
            f"{ms.p50:>8.2f} {ms.p95:>8.2f} {ms.max:>8.2f}"
        )


def print_cold(runs: list[float]) -> None:
    print(f"\nB. Cold start: python -m bot ask {COLD_QUESTION!r} ({len(runs)} runs)")
    print(f"best {min(runs) * 1000:.0f} ms, median {statistics.median(runs) * 1000:.0f} ms")


SCALE_LEGEND = """
C. Scale, synthetic knowledge (scripts/generate_synthetic.py)
   forms/stems: distinct Swedish word forms / index terms
   build: load_knowledge + build_index in a child process; peak: that child's ru_maxrss
   questions: 200; 80% from a random entry's title (half with a typo), 20% out of vocabulary
   found: engine answered with the source entry; wrong: answered with another entry
   (the rest: offered choices or declined); oov abst: abstained on out-of-vocabulary
   naive n: questions timed within the naive baseline's time budget"""
SCALE_COLUMNS = (
    ("entries", 8), ("forms", 7), ("stems", 7), ("build s", 8), ("peak MB", 8),
    ("index MB", 9), ("eng p50", 8), ("eng p95", 8), ("found", 8), ("wrong", 6), ("oov abst", 8),
    ("naive p50", 9), ("naive p95", 9), ("naive n", 7),
)  # fmt: skip


def print_scale_header() -> None:
    print(SCALE_LEGEND)
    print(" ".join(f"{name:>{width}}" for name, width in SCALE_COLUMNS), flush=True)


def print_scale_row(row: dict) -> None:
    engine, naive = row["engine"], row["naive"]
    values = (
        row["size"], row["forms"], row["stems"], f"{row['build_s']:.1f}",
        f"{row['peak_mb']:.0f}", f"{row['index_mb']:.1f}", f"{engine.p50:.2f}",
        f"{engine.p95:.2f}", row["found"], row["wrong"], row["oov"], f"{naive.p50:.2f}",
        f"{naive.p95:.2f}", naive.count,
    )  # fmt: skip
    cells = (f"{value:>{width}}" for value, (_, width) in zip(values, SCALE_COLUMNS, strict=True))
    print(" ".join(cells), flush=True)


def print_summary(rows: list[dict]) -> None:
    by_name = {row["name"]: row for row in rows}
    engine = by_name["engine"]
    print(
        f"\nengine accuracy={engine['accuracy']:.3f} "
        f"naive={by_name['naive rapidfuzz']['accuracy']:.3f} "
        f"fts={by_name['fts5 bm25 top hit']['accuracy']:.3f} "
        f"p50={engine['latency'].p50:.2f}ms p95={engine['latency'].p95:.2f}ms"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated sizes")
    parser.add_argument("--skip-scale", action="store_true", help="skip the synthetic runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--build-child", nargs=2, metavar=("KNOWLEDGE", "DB"), help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.build_child:
        build_child(*args.build_child)
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    shipped = shipped_benchmark(args.questions)
    print_shipped(shipped, args.questions)
    print_cold(cold_start())
    sys.stdout.flush()
    if not args.skip_scale:
        print_scale_header()
        for size in sizes:
            print_scale_row(scale_row(size, args.seed))
    print_summary(shipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
