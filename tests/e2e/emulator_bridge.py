"""Test-side helpers for the end-to-end smoke test: the npm Bot API emulator and a loopback
proxy that bridges the emulator's known gaps against python-telegram-bot 22.

The bot talks to the proxy exactly as it would talk to api.telegram.org; the proxy forwards to
the emulator and patches replies. Nothing here is used by the bot's production code.

Gaps bridged (see telegram-test-api 4.2.1):
1. getMe lacks `is_bot`                          -> added.
2. sendMessage returns `date` in milliseconds     -> a clean Message with `date` in seconds.
3. callback queries lack `chat_instance`          -> added to getUpdates results.
4. unimplemented methods answer HTTP 500          -> `{"ok": true, "result": true}`.
5. getUpdates ignores `timeout` (returns at once) -> held here like a real long poll.
   Also: editMessageText answers `result: null`   -> `true`.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

E2E_DIR = Path(__file__).resolve().parent
EMULATOR_PACKAGE = E2E_DIR / "node_modules" / "telegram-test-api"
LONG_POLL_CAP = 1.0  # seconds a getUpdates is held at most; keeps shutdown quick
LONG_POLL_STEP = 0.05


class EmulatorMissingError(RuntimeError):
    pass


def start_emulator() -> tuple[subprocess.Popen, int]:
    """Starts `node emulator.js`; returns the process and the port it listens on."""
    if not EMULATOR_PACKAGE.is_dir():
        raise EmulatorMissingError(
            f"{EMULATOR_PACKAGE} is missing: run `make test` (it runs `npm install` in tests/e2e)"
        )
    process = subprocess.Popen(
        ["node", "emulator.js"],
        cwd=E2E_DIR,
        stdin=subprocess.PIPE,  # closing it stops the emulator, even if this test dies
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError(f"emulator did not start: {process.stderr.read()}")
    return process, json.loads(line)["port"]


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class BridgeHandler(RequestHandler):
    """Forwards /bot<token>/<method> to the emulator and patches the reply."""

    def initialize(self, upstream: str, client: httpx.AsyncClient) -> None:
        self.upstream = upstream
        self.client = client

    async def post(self, path: str) -> None:
        method = path.rsplit("/", 1)[-1]
        params = self._params()
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        while True:
            status, body = await self._forward(path)
            if method != "getUpdates" or body.get("result") or time.monotonic() >= deadline:
                break
            await asyncio.sleep(LONG_POLL_STEP)
        self.set_status(200 if status == 500 and _unsupported(body) else status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(patch_reply(method, body, status)))

    get = post

    def _params(self) -> dict[str, str]:
        content_type = self.request.headers.get("Content-Type", "")
        if "json" in content_type and self.request.body:
            return json.loads(self.request.body)
        pairs = parse_qs(self.request.body.decode(), keep_blank_values=True)
        return {key: values[-1] for key, values in pairs.items()}

    async def _forward(self, path: str) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": self.request.headers.get("Content-Type", "")}
        response = await self.client.post(
            f"{self.upstream}/{path}", content=self.request.body, headers=headers
        )
        return response.status_code, response.json()


def _unsupported(body: dict[str, Any]) -> bool:
    return "is not supported" in str(body.get("message", ""))


def patch_reply(method: str, body: dict[str, Any], status: int) -> dict[str, Any]:
    if status == 500 and _unsupported(body):
        return {"ok": True, "result": True}
    result = body.get("result")
    if method == "getMe":
        result = {
            **result,
            "is_bot": True,
            "can_join_groups": True,
            "supports_inline_queries": True,
        }
    elif method == "sendMessage" and isinstance(result, dict):
        result = clean_message(result)
    elif method == "getUpdates":
        result = [patch_update(update) for update in result or []]
    elif result is None and body.get("ok"):
        result = True
    return {**body, "result": result}


def clean_message(message: dict[str, Any]) -> dict[str, Any]:
    """The emulator echoes the request fields; keep what a real Message has, date in seconds."""
    markup = message.get("reply_markup")
    clean = {
        "message_id": message["message_id"],
        "date": message["date"] // 1000 if message["date"] > 10**11 else message["date"],
        "chat": message["chat"],
        "from": {
            "id": 666,
            "is_bot": True,
            "first_name": "Test First name",
            "username": "TestNameBot",
        },
        "text": message.get("text", ""),
    }
    if isinstance(markup, dict):
        clean["reply_markup"] = markup
    return clean


def patch_update(update: dict[str, Any]) -> dict[str, Any]:
    query = update.get("callback_query")
    if query is not None:
        update = {**update, "callback_query": {"chat_instance": "e2e", **query}}
    return update


async def start_bridge(upstream: str) -> tuple[HTTPServer, int, httpx.AsyncClient]:
    """A loopback proxy on a free port in front of `upstream` (the emulator)."""
    client = httpx.AsyncClient(timeout=10)
    app = Application(
        [(r"/(.*)", BridgeHandler, {"upstream": upstream, "client": client})],
        log_function=lambda handler: None,
    )
    sockets = bind_sockets(0, "127.0.0.1")
    server = HTTPServer(app)
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1], client
