"""A bounded soak: many distinct chats through the real application over a fake Bot API.

    python scripts/soak.py [--chats 100000] [--concurrency 64] [--store var/soak-state.db]
    python scripts/soak.py --scenario stuck-chat [--chats 300] [--burst 1000]
    python scripts/soak.py --scenario duplicates [--chats 200] [--copies 5]

steady (the default): each chat asks one question (drawn from the public question sets),
through the dispatcher that production uses, with the state store on disk. Prints
throughput, answer latency percentiles and the process's resident memory every 10% of the
chats, so that growth with the number of chats shows (it should stay flat: per-chat state
lives in the store).

stuck-chat: one chat held by Telegram in a 429 back-off, then a burst of updates (the chats'
questions and inline queries) fetched by the poller; prints when the other chats were
answered (p50/p95/max against the time Telegram's 30 messages a second need) and how
often updates were fetched.

duplicates: every update delivered `copies` times, by polling to one replica and by webhook
posts alternating between two replicas on one store; prints how many answers each got.
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
from telegram_fakes import (  # noqa: E402
    TOKEN,
    USER_ID,
    FakeTelegram,
    inline_query_update,
    message_update,
)

from bot.config import Settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import load_eval_items  # noqa: E402
from bot.state import SqliteStateStore, state_key  # noqa: E402
from bot.telegram_app import build_application  # noqa: E402
from bot.telegram_run import Dispatcher, Inbox, Poller  # noqa: E402
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


def bot_on(store_path: Path, fake: FakeTelegram):
    """The production application over the fake wire, with its store on disk."""
    store = SqliteStateStore(store_path, key=state_key(TOKEN))
    store.create_schema()
    settings = Settings(
        telegram_token=TOKEN, state_db_path=str(store_path), questions_per_minute=1_000_000
    )
    app = build_application(settings, Engine.open(), store, request=fake, get_updates_request=fake)
    return app, store


async def stuck_chat(chats: int, burst: int, store_path: Path) -> None:
    fake = FakeTelegram()
    others = [2_000_000 + n for n in range(chats)]
    fake.updates = [message_update("Vem fick demokratipriset 2021?")]  # the chat held back
    fake.updates += [message_update("hej", user_id=chat) for chat in others]
    fake.updates += [
        inline_query_update("hej", user_id=others[n % chats]) for n in range(burst - chats)
    ]
    app, store = bot_on(store_path, fake)
    paced = chats / 30.0  # what Telegram's overall limit alone needs
    async with app:
        fake.fail_flood(retry_after=20, chat=USER_ID, times=1)
        dispatcher = Dispatcher(app, 64, Inbox(store))
        poller, stopping = Poller(app, dispatcher), asyncio.Event()
        started = time.monotonic()
        polling = asyncio.create_task(poller.run(stopping))
        done_at: dict[int, float] = {}
        while len(done_at) < chats and time.monotonic() - started < paced + 60:
            for chat in {c for c, _ in fake.delivered_texts()} & set(others) - done_at.keys():
                done_at[chat] = time.monotonic() - started
            await asyncio.sleep(0.05)
        stopping.set()
        await polling
        await dispatcher.drain(grace=0.1)
    waits = sorted(done_at.values())
    fetches = len(fake.offsets)
    print(f"{burst} updates behind one chat in a 20 s flood back-off")
    print(f"other chats answered: {len(waits)}/{chats}")
    print(
        f"answered after (s): p50 {_ms(waits, 0.5) / 1000:.2f}  p95 {_ms(waits, 0.95) / 1000:.2f}"
        f"  max {waits[-1] if waits else 0:.2f}  (30 messages/s alone needs {paced:.1f} s)"
    )
    print(f"inline queries answered: {len(fake.sent('answerInlineQuery'))}/{burst - chats}")
    print(f"getUpdates calls: {fetches}")


async def duplicates(chats: int, copies: int, folder: Path) -> None:
    updates = [
        message_update("Vem fick demokratipriset 2021?", user_id=3_000_000 + n)
        for n in range(chats)
    ]
    # Polling, one replica: every page holds each update `copies` times.
    fake = FakeTelegram()
    fake.updates = [dict(u) for u in updates for _ in range(copies)]
    app, store = bot_on(folder / "one.db", fake)
    async with app:
        dispatcher = Dispatcher(app, 64, Inbox(store))
        poller, stopping = Poller(app, dispatcher), asyncio.Event()
        polling = asyncio.create_task(poller.run(stopping))
        while fake.updates and len(fake.delivered_texts()) < chats:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        stopping.set()
        await polling
        await dispatcher.drain(grace=10)
    report("polling, one replica", fake, updates, copies)
    # Webhook posts, alternating between two replicas on one store.
    fakes = [FakeTelegram(), FakeTelegram()]
    bots = [bot_on(folder / "shared.db", fake) for fake in fakes]
    async with bots[0][0], bots[1][0]:
        dispatchers = [Dispatcher(app, 64, Inbox(store)) for app, store in bots]
        for data in updates:
            for copy in range(copies):
                app, _ = bots[copy % 2]
                dispatcher = dispatchers[copy % 2]
                parsed = Update.de_json(data, app.bot)
                if await dispatcher.inbox.accept(parsed):
                    dispatcher.submit(parsed, recorded=True)
        for dispatcher in dispatchers:
            await dispatcher.drain(grace=30)
    merged = FakeTelegram()
    merged.delivered = fakes[0].delivered + fakes[1].delivered
    report("webhook, two replicas", merged, updates, copies)


def report(how: str, fake: FakeTelegram, updates: list[dict], copies: int) -> None:
    per_chat = {u["message"]["chat"]["id"]: 0 for u in updates}
    for chat, _ in fake.delivered_texts():
        if chat in per_chat:
            per_chat[chat] += 1
    counts = {n: list(per_chat.values()).count(n) for n in sorted(set(per_chat.values()))}
    print(f"{how}: {len(updates)} updates x {copies} deliveries -> answers per update {counts}")


def _ms(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] * 1000 if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", choices=("steady", "stuck-chat", "duplicates"), default="steady"
    )
    parser.add_argument(
        "--chats", type=int, default=None, help="steady 100000, stuck-chat 300, duplicates 200"
    )
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--burst", type=int, default=1000, help="stuck-chat: updates in the burst")
    parser.add_argument(
        "--copies", type=int, default=5, help="duplicates: deliveries of each update"
    )
    parser.add_argument("--store", type=Path, default=None, help="state file (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.store or Path(folder) / "soak-state.db"
        if args.scenario == "stuck-chat":
            asyncio.run(stuck_chat(args.chats or 300, max(args.burst, args.chats or 300), path))
        elif args.scenario == "duplicates":
            asyncio.run(duplicates(args.chats or 200, args.copies, Path(folder)))
        else:
            asyncio.run(soak(args.chats or 100_000, args.concurrency, path))


if __name__ == "__main__":
    main()
