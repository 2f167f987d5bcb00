"""End-to-end smoke test: `python -m bot run` polls a local Bot API emulator over real HTTP.

Bot process -> loopback bridge (patches the emulator's gaps) -> telegram-test-api (Node).
The test plays the user through the emulator's client API. Everything is on 127.0.0.1 with
ports chosen by the OS; every process is stopped at the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_bridge import EmulatorMissingError, start_bridge, start_emulator, stop_process

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TOKEN = "987654321:E2EtestTokenE2EtestTokenE2Etest12345"
USER = {"id": 501, "is_bot": False, "first_name": "Anna", "language_code": "sv"}
CHAT = {"id": 501, "type": "private", "first_name": "Anna"}
REPLY_TIMEOUT = 15.0


class User:
    """The emulator's client API, playing one user in a private chat."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, text: str) -> None:
        payload: dict[str, Any] = {
            "botToken": TOKEN,
            "from": USER,
            "chat": CHAT,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            await self.client.post("/sendCommand", json=payload)
        else:
            await self.client.post("/sendMessage", json=payload)

    async def press(self, message_id: int, data: str) -> None:
        message = {"message_id": message_id, "date": int(time.time()), "chat": CHAT, "text": "…"}
        await self.client.post(
            "/sendCallback",
            json={"botToken": TOKEN, "from": USER, "message": message, "data": data},
        )

    async def replies(self) -> list[dict[str, Any]]:
        """The bot's next message(s): waits until at least one arrives."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            response = await self.client.post(
                "/getUpdates", json={"token": TOKEN, "chatId": CHAT["id"]}
            )
            if result := response.json()["result"]:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot did not reply within {REPLY_TIMEOUT} s")


def callback_buttons(stored: dict[str, Any]) -> list[str]:
    markup = stored["message"].get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture
async def emulator_url() -> AsyncIterator[str]:
    missing = None
    try:
        process, port = start_emulator()
    except EmulatorMissingError as error:
        missing = str(error)
    if missing is not None:
        pytest.fail(missing, pytrace=False)
    yield f"http://127.0.0.1:{port}"
    stop_process(process)


@pytest.fixture
async def bridge_url(emulator_url: str) -> AsyncIterator[str]:
    server, port, client = await start_bridge(emulator_url)
    yield f"http://127.0.0.1:{port}"
    server.stop()
    await client.aclose()


@pytest.fixture
async def bot_process(
    bridge_url: str, tmp_path: Path, index_path: Path
) -> AsyncIterator[tuple[Any, Path]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "TELEGRAM_", "WEBHOOK"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=f"{bridge_url}/bot",
        BOT_STATE_DB=str(tmp_path / "state.db"),
        BOT_INDEX_PATH=str(index_path),  # the session's index: the test leaves var/ alone
        BOT_LOG_LEVEL="DEBUG",
    )
    log_path = tmp_path / "bot.log"
    with log_path.open("w") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=REPO,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        yield process, log_path
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def user(emulator_url: str) -> AsyncIterator[User]:
    async with httpx.AsyncClient(base_url=emulator_url, timeout=5) as client:
        yield User(client)


async def test_polling_bot_answers_abstains_suggests_and_shuts_down_cleanly(
    bot_process: tuple[Any, Path], user: User
) -> None:
    process, log_path = bot_process

    await user.send("/start")
    [welcome] = await user.replies()
    assert "Beredningsboten" in welcome["message"]["text"]
    assert callback_buttons(welcome) == ["x:0", "x:1", "x:2"]

    await user.send("Vem fick demokratipriset 2021?")
    [answer] = await user.replies()
    assert "Eva Ganters och Stefan Karlsson" in answer["message"]["text"]
    assert "Källa: Verksamhetsberättelse" in answer["message"]["text"]

    await user.send("Hur många klotterärenden hanterades i Göteborg 2021?")
    [abstention] = await user.replies()
    assert "säger inget om" in abstention["message"]["text"]
    assert "kontaktcenter" in abstention["message"]["text"]
    assert callback_buttons(abstention) == ["m:topics", "m:help"]

    await user.send("demokrati")  # one broad topic: a choice of its sections
    [suggestion] = await user.replies()
    assert "Menade du" in suggestion["message"]["text"]
    first = callback_buttons(suggestion)[0]
    assert first.startswith("e:")
    await user.press(suggestion["messageId"], first)
    [chosen] = await user.replies()
    assert "Källa: " in chosen["message"]["text"]

    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=15) == 0
    log = log_path.read_text()
    assert "Beredningsboten stopped" in log
    assert TOKEN not in log
    assert "Vem fick demokratipriset" not in log  # DEBUG never dumps users' updates
    assert "Anna" not in log
