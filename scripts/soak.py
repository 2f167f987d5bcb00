"""A bounded soak: many distinct chats through the real application over a fake Bot API.

    python scripts/soak.py [--chats 100000] [--concurrency 64] [--store var/soak-state.db]

Each chat asks one question (drawn from the public question sets), through the dispatcher
that production uses, with the state store on disk. Prints throughput, answer latency
percentiles and the process's resident memory every 10% of the chats, so that growth with
the number of chats shows (it should stay flat: per-chat state lives in the store).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from telegram import Update  # noqa: E402
from telegram_fakes import TOKEN, FakeTelegram, message_update  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import load_eval_items  # noqa: E402
from bot.state import SqliteStateStore, state_key  # noqa: E402
from bot.telegram_app import build_application  # noqa: E402
from bot.telegram_run import Dispatcher  # noqa: E402
from bot.telegram_send import ChatPacer  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * 4096 / 1e6


class QuietTelegram(FakeTelegram):
    """The fake transport without its call log, which would itself grow with the run."""

    async def do_request(self, url, method, request_data=None, **kwargs):
        status, body = await super().do_request(url, method, request_data, **kwargs)
        self.calls.clear()
        self.delivered.clear()
        return status, body


async def soak(chats: int, concurrency: int, store_path: Path) -> None:
    questions = [
        item["q"]
        for name in ("dev-questions.yaml", "extra-questions.yaml")
        for item in load_eval_items(ROOT / "tests" / "data" / name)
    ]
    store = SqliteStateStore(store_path, key=state_key(TOKEN))
    store.create_schema()
    # Every chat is new, but all come from one process: no user limit gets in the way.
    settings = Settings(
        telegram_token=TOKEN, state_db_path=str(store_path), questions_per_minute=1_000_000
    )
    fake = QuietTelegram()
    pacer = ChatPacer(overall_per_second=1e9)  # Telegram's 30/s would be all this measures
    app = build_application(
        settings, Engine.open(), store, request=fake, get_updates_request=fake, pacer=pacer
    )
    random.seed(7)
    latencies: list[float] = []
    async with app:
        dispatcher = Dispatcher(app, concurrency)
        semaphore = asyncio.Semaphore(concurrency)
        started = time.monotonic()
        print(
            f"{'chats':>8} {'answers/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'RSS MB':>8}",
            flush=True,
        )

        async def one(number: int) -> None:
            async with semaphore:
                text = random.choice(questions)
                update = Update.de_json(message_update(text, user_id=1_000_000 + number), app.bot)
                begun = time.monotonic()
                await dispatcher.run(update)
                latencies.append(time.monotonic() - begun)

        step = max(1, chats // 10)
        for first in range(0, chats, step):
            await asyncio.gather(*(one(n) for n in range(first, min(first + step, chats))))
            done = min(first + step, chats)
            elapsed = time.monotonic() - started
            window = sorted(latencies[-step:])
            print(
                f"{done:>8} {done / elapsed:>10.1f} {_ms(window, 0.5):>8.1f} "
                f"{_ms(window, 0.95):>8.1f} {_ms(window, 0.99):>8.1f} {rss_mb():>8.1f}",
                flush=True,
            )
    print(f"median latency over the run: {statistics.median(latencies) * 1000:.1f} ms")


def _ms(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] * 1000 if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--store", type=Path, default=None, help="state file (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.store or Path(folder) / "soak-state.db"
        asyncio.run(soak(args.chats, args.concurrency, path))


if __name__ == "__main__":
    main()
