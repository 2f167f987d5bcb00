"""Running the bot: updates processed concurrently but in order within each chat, by polling
or by a hardened webhook server, exactly once, with a graceful stop that loses none.

- Every update is first recorded in the state store's inbox (shared by replicas). A
  redelivered one (Telegram retries a request held too long, or posts it to another
  replica) is already there and is not answered again.
- Polling confirms an update to Telegram as soon as it is recorded, so one slow chat never
  holds the offset back for the others; an update the store could not record is confirmed
  only once answered, as without a store.
- The webhook answers Telegram's POST as soon as the update is recorded, and answers it
  from the inbox. The server checks the secret before it reads a body, caps the body size,
  answers 400 to malformed bodies, 503 while stopping, and serves /healthz (liveness) and
  /readyz (a cached self-check) for load balancers.
- On SIGTERM the bot stops taking updates and finishes what is in flight within the grace
  period; what is left stays in the inbox, and the next process (or another replica, once
  its claim has lapsed) answers it.
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

from bot.state import StateError

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates call open
POLL_RETRY_MAX = 30.0
ORDER_WAIT_SECONDS = 10.0  # a chat's update waits at most this for the one before it
ORDER_POLL_SECONDS = 0.05
RECOVER_EVERY_SECONDS = 60.0  # how often updates left by a stopped replica are looked for
HEALTH_REFRESH_SECONDS = 30.0  # how often the readiness self-check runs
CANCEL_WAIT_SECONDS = 1.0  # how long stopped updates get to unwind
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Inbox:
    """The state store's update inbox, used from the event loop (its calls run on worker
    threads). Without a store, or while it fails, updates are handled in memory: `accept`
    then says None, and the caller confirms the update only once it is answered."""

    def __init__(self, store=None):
        self.store = store

    async def accept(self, update: Update) -> bool | None:
        """True for a new update, False for one recorded before, None when not recorded."""
        if self.store is None:
            return None
        chat = update.effective_chat
        payload = json.dumps(update.to_dict())  # ASCII: a lone surrogate stays an escape
        try:
            return await asyncio.to_thread(
                self.store.accept_update, update.update_id, chat.id if chat else None, payload
            )
        except StateError as error:
            log.debug("Inbox unavailable, update handled in memory: %s", error)
            return None

    async def finish(self, update: Update) -> None:
        if self.store is None:
            return
        try:
            await asyncio.to_thread(self.store.finish_update, update.update_id)
        except StateError as error:
            log.debug("Inbox unavailable; an answered update may come again: %s", error)

    async def wait_for_turn(self, update: Update) -> None:
        """Until no earlier update of the chat is being answered, by any replica (at most
        ORDER_WAIT_SECONDS: a stuck replica must not silence a chat)."""
        chat = update.effective_chat
        if self.store is None or chat is None:
            return
        deadline = time.monotonic() + ORDER_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                earlier = await asyncio.to_thread(
                    self.store.earlier_unanswered, chat.id, update.update_id
                )
            except StateError:
                return
            if not earlier:
                return
            await asyncio.sleep(ORDER_POLL_SECONDS)

    async def release(self, update_ids: list[int]) -> None:
        if self.store is None or not update_ids:
            return
        with contextlib.suppress(StateError):
            await asyncio.to_thread(self.store.release_updates, update_ids)

    async def abandoned(self, bot) -> list[Update]:
        """Updates a stopped process recorded and did not answer, claimed for this one."""
        if self.store is None:
            return []
        try:
            rows = await asyncio.to_thread(self.store.claim_abandoned)
        except StateError:
            return []
        found = []
        for _, payload in rows:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                found.append(Update.de_json(json.loads(payload), bot))
        return found


class Dispatcher:
    """Processes updates concurrently, one at a time per chat, at most `limit` at once; an
    update recorded in the inbox waits for the chat's earlier ones on other replicas, and is
    marked answered when done."""

    def __init__(self, application: Application, limit: int = 64, inbox: Inbox | None = None):
        self.application = application
        self.inbox = inbox or Inbox()
        self._semaphore = asyncio.Semaphore(limit)
        self._locks: dict[Any, list] = {}  # chat -> [lock, users]
        self._tasks: set[asyncio.Task] = set()
        self._recorded: set[int] = set()  # recorded updates in flight

    async def run(self, update: Update, *, recorded: bool = False) -> None:
        key = _chat_key(update)
        entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0], self._semaphore:
                if recorded:
                    await self.inbox.wait_for_turn(update)
                await self.application.process_update(update)
                if recorded:
                    await self.inbox.finish(update)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(key, None)  # no state kept for chats that are quiet

    def submit(
        self,
        update: Update,
        done: Callable[[Update], None] | None = None,
        *,
        recorded: bool = False,
    ) -> None:
        task = asyncio.create_task(self.run(update, recorded=recorded))
        self._tasks.add(task)
        if recorded:
            self._recorded.add(update.update_id)

        def finished(task: asyncio.Task) -> None:
            self._tasks.discard(task)
            self._recorded.discard(update.update_id)
            if done is not None and not task.cancelled():
                done(update)  # a stopped update is not done: it must come again

        task.add_done_callback(finished)

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float) -> bool:
        """Waits up to `grace` seconds for the updates in flight; True when all finished.
        The recorded ones left are released in the inbox for the next process."""
        if not self._tasks:
            return True
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        if pending:
            # Stopped, not left running: an update answered after its release would be
            # answered again by the process that takes it over.
            left = sorted(self._recorded)
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=CANCEL_WAIT_SECONDS)
            await self.inbox.release(left)  # (those finished meanwhile stay finished)
        return not pending


def _chat_key(update: Update) -> Any:
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return ("update", update.update_id)


class Poller:
    """getUpdates in a loop. An update recorded in the inbox is confirmed at once; one the
    store could not record only after it has been handled."""

    def __init__(self, application: Application, dispatcher: Dispatcher):
        self.application = application
        self.dispatcher = dispatcher
        self._in_flight: set[int] = set()  # handled in memory only: not to be confirmed yet
        self._highest = -1

    @property
    def offset(self) -> int | None:
        """Telegram forgets every update below the offset: never one that only this
        process's memory holds and has not answered."""
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
                await self.take(update)

    async def take(self, update: Update) -> None:
        accepted = await self.dispatcher.inbox.accept(update)
        if accepted is False:
            return  # recorded before: answered, or being answered, elsewhere
        if accepted:
            self.dispatcher.submit(update, recorded=True)
            return
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
        self.ready = False  # the last self-check's verdict (refreshed in the background)
        self._checking: asyncio.Task | None = None

    def app(self) -> tornado.web.Application:
        return tornado.web.Application(
            [
                (self.path, _UpdateHandler, {"server": self}),
                (r"/healthz", _HealthHandler, {"server": self}),
                (r"/livez", _LiveHandler, {"server": self}),
            ]
        )

    async def start(self, listen: str, port: int) -> None:
        await self.check()
        self._checking = asyncio.create_task(self._keep_checking())
        self.server = tornado.httpserver.HTTPServer(
            self.app(), max_body_size=self.max_body, idle_connection_timeout=60
        )
        self.server.listen(port, address=listen)

    async def check(self) -> None:
        """The self-check, off the event loop; an unreadable index is 'not ready'."""
        try:
            self.ready = bool(await asyncio.to_thread(self.health))
        except Exception as error:  # an operator error: say it, serve 503
            if self.ready:
                log.error("Readiness check failed: %s", error)
            self.ready = False

    async def _keep_checking(self) -> None:
        while not self.stopping:
            await asyncio.sleep(HEALTH_REFRESH_SECONDS)
            await self.check()

    async def stop(self, grace: float) -> bool:
        """New POSTs get 503 (Telegram retries them elsewhere or later); what was accepted
        is answered within the grace period, the rest stays in the inbox."""
        self.stopping = True
        if self._checking is not None:
            self._checking.cancel()
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
        dispatcher = self.server.dispatcher
        accepted = await dispatcher.inbox.accept(update)
        if accepted is None:
            await dispatcher.run(update)  # not recorded: answered before Telegram's 200
        elif accepted:
            dispatcher.submit(update, recorded=True)  # recorded: acknowledged at once
        self.set_status(200)
        self.finish({"ok": True})

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"ok": False, "status": status_code})

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, tornado.web.HTTPError):
            return  # a refused request is not an error of ours; its status says enough
        super().log_exception(typ, value, tb)


class _HealthHandler(tornado.web.RequestHandler):
    """GET /healthz (readiness) for load balancers: 200 while this replica answers, by its
    last self-check (no answer is computed per request), else 503."""

    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    def get(self) -> None:
        ready = not self.server.stopping and self.server.ready
        self.set_status(200 if ready else 503)
        self.finish({"ok": ready, "in_flight": self.server.dispatcher.in_flight})


class _LiveHandler(tornado.web.RequestHandler):
    """GET /livez (liveness): 200 while the process serves, 503 while it stops."""

    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    def get(self) -> None:
        self.set_status(503 if self.server.stopping else 200)
        self.finish({"ok": not self.server.stopping})


async def serve(
    application: Application,
    settings,
    *,
    health: Callable[[], bool],
    stopping: asyncio.Event | None = None,
    store=None,
) -> bool:
    """Runs until SIGTERM/SIGINT (or `stopping` is set); returns whether every update in
    flight was finished within the grace period. `store` holds the update inbox."""
    stopping = stopping or asyncio.Event()
    _stop_on_signals(stopping)
    dispatcher = Dispatcher(application, settings.max_concurrent_updates, Inbox(store))
    recovering = asyncio.create_task(_recover(application, dispatcher, stopping))
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
    recovering.cancel()
    left = "every update in flight was answered"
    if not finished:
        left = (
            "updates still in flight were left in the inbox for the next start"
            if store is not None
            else "updates still in flight were left unconfirmed"
        )
    log.info("Stopped after %.1f s: %s", time.monotonic() - started, left)
    return finished


async def _recover(application: Application, dispatcher: Dispatcher, stopping: asyncio.Event):
    """Answers the updates a stopped process (this bot's last run, or another replica that
    died) recorded and did not answer: at start, then every RECOVER_EVERY_SECONDS."""
    while not stopping.is_set():
        for update in await dispatcher.inbox.abandoned(application.bot):
            dispatcher.submit(update, recorded=True)
        await _sleep_or_stop(stopping, RECOVER_EVERY_SECONDS)


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
