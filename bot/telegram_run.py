"""Running the bot: updates processed concurrently but in order within each chat, by polling
or by a hardened webhook server, with a graceful stop that loses no acknowledged update.

- Polling confirms an update to Telegram only once it has been answered; on SIGTERM the bot
  stops fetching, finishes what is in flight within the grace period, and confirms only
  what was finished (the rest is delivered again, to this or another process).
- The webhook answers Telegram's POST only after the update has been handled, so an update
  that a stopping replica does not finish is retried by Telegram. The server checks the
  secret before it reads a body, caps the body size, answers 400 to malformed bodies, 503
  while stopping, and serves /healthz for load balancers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates call open
POLL_RETRY_MAX = 30.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Dispatcher:
    """Processes updates concurrently, one at a time per chat, at most `limit` at once."""

    def __init__(self, application: Application, limit: int = 64):
        self.application = application
        self._semaphore = asyncio.Semaphore(limit)
        self._locks: dict[Any, list] = {}  # chat -> [lock, users]
        self._tasks: set[asyncio.Task] = set()

    async def run(self, update: Update) -> None:
        key = _chat_key(update)
        entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0], self._semaphore:
                await self.application.process_update(update)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(key, None)  # no state kept for chats that are quiet

    def submit(self, update: Update, done: Callable[[Update], None] | None = None) -> None:
        task = asyncio.create_task(self.run(update))
        self._tasks.add(task)

        def finished(task: asyncio.Task) -> None:
            self._tasks.discard(task)
            if done is not None:
                done(update)

        task.add_done_callback(finished)

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float) -> bool:
        """Waits up to `grace` seconds for the updates in flight; True when all finished."""
        if not self._tasks:
            return True
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        return not pending


def _chat_key(update: Update) -> Any:
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return ("update", update.update_id)


class Poller:
    """getUpdates in a loop, confirming an update only after it has been handled."""

    def __init__(self, application: Application, dispatcher: Dispatcher):
        self.application = application
        self.dispatcher = dispatcher
        self._in_flight: set[int] = set()
        self._highest = -1

    @property
    def offset(self) -> int | None:
        """Telegram forgets every update below the offset: never one still in flight."""
        if self._in_flight:
            return min(self._in_flight)
        return self._highest + 1 if self._highest >= 0 else None

    async def run(self, stopping: asyncio.Event) -> None:
        delay = 1.0
        while not stopping.is_set():
            try:
                updates = await self._fetch(stopping)
                delay = 1.0
            except RetryAfter as error:
                await _sleep_or_stop(stopping, _seconds(error.retry_after))
                continue
            except (NetworkError, TelegramError) as error:
                log.warning("getUpdates failed (%s); retrying in %.0f s", error, delay)
                await _sleep_or_stop(stopping, delay)
                delay = min(delay * 2, POLL_RETRY_MAX)
                continue
            for update in updates:
                if update.update_id <= self._highest:
                    continue  # fetched again while an older one was in flight
                self._highest = update.update_id
                self._in_flight.add(update.update_id)
                self.dispatcher.submit(update, lambda u: self._in_flight.discard(u.update_id))

    async def _fetch(self, stopping: asyncio.Event) -> tuple[Update, ...]:
        fetch = asyncio.ensure_future(
            self.application.bot.get_updates(
                offset=self.offset, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
            )
        )
        stop = asyncio.ensure_future(stopping.wait())
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            return ()
        stop.cancel()
        return fetch.result()

    async def confirm(self) -> None:
        """Tells Telegram which updates are done; the unfinished ones come again later."""
        if self.offset is None:
            return
        try:
            await self.application.bot.get_updates(offset=self.offset, timeout=0)
        except TelegramError as error:
            log.warning("Could not confirm the handled updates (%s); some may come again", error)


class WebhookServer:
    """A small tornado server for Telegram's webhook POSTs and the health check."""

    def __init__(
        self,
        application: Application,
        dispatcher: Dispatcher,
        *,
        path: str,
        secret: str,
        max_body: int,
        health: Callable[[], bool],
    ):
        self.application = application
        self.dispatcher = dispatcher
        self.path = "/" + path.strip("/")
        self.secret = secret
        self.max_body = max_body
        self.health = health
        self.stopping = False
        self.server = None

    def app(self) -> tornado.web.Application:
        return tornado.web.Application(
            [
                (self.path, _UpdateHandler, {"server": self}),
                (r"/healthz", _HealthHandler, {"server": self}),
            ]
        )

    async def start(self, listen: str, port: int) -> None:
        self.server = tornado.httpserver.HTTPServer(
            self.app(), max_body_size=self.max_body, idle_connection_timeout=60
        )
        self.server.listen(port, address=listen)

    async def stop(self, grace: float) -> bool:
        self.stopping = True  # new POSTs get 503: Telegram retries them elsewhere or later
        finished = await self.dispatcher.drain(grace)
        if self.server is not None:
            self.server.stop()
            await self.server.close_all_connections()
        return finished


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    """POST <webhook path>: one update, answered 200 once it has been handled."""

    def initialize(self, server: WebhookServer) -> None:
        self.server = server
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        # The secret is checked on the headers, before a byte of the body is read.
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.server.secret.encode()):
            raise tornado.web.HTTPError(403)
        if self.request.method != "POST":
            raise tornado.web.HTTPError(405)
        if self.server.stopping:
            raise tornado.web.HTTPError(503)
        declared = self.request.headers.get("Content-Length", "0")
        if declared.isdigit() and int(declared) > self.server.max_body:
            raise tornado.web.HTTPError(413)
        self.request.connection.set_max_body_size(self.server.max_body)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.server.max_body:
            raise tornado.web.HTTPError(413)
        self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            data = json.loads(b"".join(self.chunks))
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.server.application.bot)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            raise tornado.web.HTTPError(400) from None
        await self.server.dispatcher.run(update)
        self.set_status(200)
        self.finish({"ok": True})

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"ok": False, "status": status_code})

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, tornado.web.HTTPError):
            return  # a refused request is not an error of ours; its status says enough
        super().log_exception(typ, value, tb)


class _HealthHandler(tornado.web.RequestHandler):
    """GET /healthz for load balancers: 200 while this replica answers, else 503."""

    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    def get(self) -> None:
        healthy = not self.server.stopping and self.server.health()
        self.set_status(200 if healthy else 503)
        self.finish({"ok": healthy, "in_flight": self.server.dispatcher.in_flight})


async def serve(
    application: Application,
    settings,
    *,
    health: Callable[[], bool],
    stopping: asyncio.Event | None = None,
) -> bool:
    """Runs until SIGTERM/SIGINT (or `stopping` is set); returns whether every update in
    flight was finished within the grace period."""
    stopping = stopping or asyncio.Event()
    _stop_on_signals(stopping)
    dispatcher = Dispatcher(application, settings.max_concurrent_updates)
    grace = settings.shutdown_grace_seconds
    if settings.mode == "webhook":
        server = WebhookServer(
            application,
            dispatcher,
            path=urlparse(settings.webhook_url or "").path or "/",
            secret=settings.webhook_secret or "",
            max_body=settings.webhook_max_body_bytes,
            health=health,
        )
        await server.start(settings.webhook_listen, settings.port)
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            max_connections=settings.max_concurrent_updates,
        )
        log.info("Webhook server listening on %s:%d", settings.webhook_listen, settings.port)
        await stopping.wait()
        started = time.monotonic()
        finished = await server.stop(grace)
    else:
        await application.bot.delete_webhook()
        poller = Poller(application, dispatcher)
        log.info("Polling for updates")
        await poller.run(stopping)
        started = time.monotonic()
        finished = await dispatcher.drain(grace)
        await poller.confirm()
    log.info(
        "Stopped after %.1f s: %s",
        time.monotonic() - started,
        "every update in flight was answered"
        if finished
        else "updates still in flight were left unconfirmed",
    )
    return finished


def _stop_on_signals(stopping: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stopping.set)


async def _sleep_or_stop(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
