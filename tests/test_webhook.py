"""The webhook server: secret first, bounded bodies, 400 for junk, 200 only once answered."""

import asyncio
import json
import socket

import httpx
import pytest
from telegram_fakes import message_update, running_bot

from bot.telegram_run import Dispatcher, WebhookServer, serve

SECRET = "hook-secret_1"
PRIZE = "Vem fick demokratipriset 2021?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def hook(engine, tmp_path):
    async with running_bot(engine, tmp_path) as bot:
        port = free_port()
        server = WebhookServer(
            bot.app,
            Dispatcher(bot.app),
            path="/telegram",
            secret=SECRET,
            max_body=64_000,
            health=engine.self_check,
        )
        await server.start("127.0.0.1", port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield bot, server, client
        await server.stop(grace=1)


def post(client, body, secret=SECRET, **headers):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, **headers} if secret else headers
    return client.post("/telegram", content=content, headers=headers)


async def test_an_update_is_answered_before_telegram_gets_its_200(hook):
    bot, _, client = hook
    response = await post(client, message_update(PRIZE))
    assert response.status_code == 200
    assert "Ganters" in bot.telegram.last_text()


async def test_a_wrong_or_missing_secret_is_refused_before_the_body_is_read(hook):
    bot, _, client = hook
    assert (await post(client, message_update(PRIZE), secret="wrong")).status_code == 403
    assert (await post(client, message_update(PRIZE), secret=None)).status_code == 403
    assert bot.telegram.calls == []


async def test_bodies_over_the_limit_are_refused(hook):
    _, _, client = hook
    big = b'{"update_id": 1, "x": "' + b"a" * 100_000 + b'"}'
    assert (await post(client, big)).status_code == 413


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"message": {}}', b"\xff\xfe", b'{"update_id": "7"}']
)
async def test_malformed_bodies_get_400(hook, body):
    bot, _, client = hook
    assert (await post(client, body)).status_code == 400
    assert bot.telegram.calls == []


async def test_the_health_endpoint_reports_this_replica(hook):
    _, server, client = hook
    assert (await client.get("/healthz")).json()["ok"] is True
    server.stopping = True
    assert (await client.get("/healthz")).status_code == 503
    assert (await post(client, message_update(PRIZE))).status_code == 503  # Telegram retries


async def test_serve_registers_the_webhook_with_its_secret_and_stops_on_request(engine, tmp_path):
    async with running_bot(
        engine,
        tmp_path,
        mode="webhook",
        webhook_url="https://bot.example.org/telegram",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        port=free_port(),
    ) as bot:
        stopping = asyncio.Event()
        task = asyncio.create_task(
            serve(bot.app, bot.services.settings, health=engine.self_check, stopping=stopping)
        )
        await asyncio.sleep(0.3)
        stopping.set()
        assert await asyncio.wait_for(task, 10) is True
    [registered] = bot.telegram.sent("setWebhook")
    assert registered["url"] == "https://bot.example.org/telegram"
    assert registered["secret_token"] == SECRET


@pytest.fixture
async def inbox_hook(engine, tmp_path):
    """A webhook server whose updates go through the state store's inbox."""
    from bot.telegram_run import Inbox

    async with running_bot(engine, tmp_path) as bot:
        port = free_port()
        server = WebhookServer(
            bot.app,
            Dispatcher(bot.app, 64, Inbox(bot.services.store)),
            path="/telegram",
            secret=SECRET,
            max_body=64_000,
            health=engine.self_check,
        )
        await server.start("127.0.0.1", port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield bot, server, client
        await server.stop(grace=5)


def delivered(bot, chat) -> int:
    return len([c for c, _ in bot.telegram.delivered_texts() if c == chat])


async def test_an_update_posted_five_times_is_answered_once(inbox_hook):
    bot, server, client = inbox_hook
    update = message_update(PRIZE)
    responses = await asyncio.gather(*(post(client, update) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    await server.dispatcher.drain(grace=5)
    assert delivered(bot, update["message"]["chat"]["id"]) == 1


async def test_a_recorded_update_is_acknowledged_at_once_and_answered_after(inbox_hook):
    bot, server, client = inbox_hook
    bot.telegram.hang(1.5)  # Telegram slow to take the answer
    started = asyncio.get_running_loop().time()
    response = await post(client, message_update(PRIZE))
    assert response.status_code == 200
    assert asyncio.get_running_loop().time() - started < 1.0  # no request held open
    await server.dispatcher.drain(grace=10)
    assert "Ganters" in bot.telegram.delivered_texts()[-1][1]


async def test_sigterm_with_50_requests_in_flight_loses_none_and_answers_none_twice(
    engine, tmp_path
):
    from telegram_fakes import TOKEN, FakeTelegram

    from bot.state import SqliteStateStore, state_key
    from bot.telegram_run import Inbox, _recover

    store = SqliteStateStore(tmp_path / "shared.db", key=state_key(TOKEN))
    store.create_schema()
    fake = FakeTelegram()
    chats = [40_000 + n for n in range(50)]
    async with running_bot(engine, tmp_path, store=store, fake=fake) as bot:
        for chat in chats[25:]:
            fake.hang(4.0, chat=chat)  # these will not finish within the grace period
        port = free_port()
        dispatcher = Dispatcher(bot.app, 64, Inbox(store))
        server = WebhookServer(
            bot.app, dispatcher, path="/telegram", secret=SECRET, max_body=64_000,
            health=engine.self_check,
        )  # fmt: skip
        await server.start("127.0.0.1", port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            updates = [message_update(PRIZE, user_id=chat) for chat in chats]
            responses = await asyncio.gather(*(post(client, u) for u in updates))
            assert {r.status_code for r in responses} == {200}
            assert not await server.stop(grace=1.0)  # SIGTERM: 25 still in flight
    async with running_bot(engine, tmp_path, store=store, fake=fake) as bot:
        dispatcher = Dispatcher(bot.app, 64, Inbox(store))
        stopping = asyncio.Event()
        recovering = asyncio.create_task(_recover(bot.app, dispatcher, stopping))
        await asyncio.sleep(0.5)
        stopping.set()
        await recovering
        await dispatcher.drain(grace=10)
    assert [len([c for c, _ in fake.delivered_texts() if c == chat]) for chat in chats] == (
        [1] * 50
    )


async def test_liveness_needs_no_answer_and_readiness_is_cached(inbox_hook, monkeypatch):
    _, server, client = inbox_hook
    calls = []
    monkeypatch.setattr(server, "health", lambda: calls.append(1) or True)
    for _ in range(20):
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/livez")).status_code == 200
    assert calls == []  # no self-check per request

    def broken():
        raise RuntimeError("the knowledge index cannot be read")

    monkeypatch.setattr(server, "health", broken)
    await server.check()
    assert (await client.get("/healthz")).status_code == 503
    assert (await client.get("/livez")).status_code == 200
