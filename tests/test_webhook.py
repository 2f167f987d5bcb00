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
