"""A fake Bot API transport and builders of raw Bot API update JSON, for handler tests.

`FakeTelegram` replaces PTB's HTTP transport: every call is recorded with its parameters, and
replies can be queued per method (e.g. a 400 for entity errors, 403, 429 with retry_after).
Nothing touches the network.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:AAEhBP0av28cDrwJr3ncjmMVyD0Dv1fWbHQ"
BOT_ID = 123456789
BOT_USERNAME = "BeredningsBot"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Beredningsboten",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
USER_ID = 4711
ADMIN_ID = 42
GROUP_ID = -100123


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeTelegram(BaseRequest):
    """Records calls; replies from queues: per method, or per (method, chat) for faults that
    hit one chat only; `hangs` makes calls wait and then time out; `updates` is what
    getUpdates hands out (confirmed by the offset, as Telegram does)."""

    calls: list[Call] = field(default_factory=list)
    replies: dict[str, deque[tuple[int, dict]]] = field(default_factory=lambda: defaultdict(deque))
    chat_replies: dict[tuple[str, int], deque] = field(default_factory=lambda: defaultdict(deque))
    hangs: dict[tuple[str, int | None], deque[float]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    updates: list[dict] = field(default_factory=list)
    offsets: list[int | None] = field(default_factory=list)
    delivered: list[Call] = field(default_factory=list)  # calls answered with success
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(api_method, params))
        if api_method == "getUpdates":
            return 200, json.dumps(
                {"ok": True, "result": await self._get_updates(params)}
            ).encode()
        chat = params.get("chat_id")
        for key in ((api_method, chat), (api_method, None)):
            if self.hangs.get(key):
                await asyncio.sleep(self.hangs[key].popleft())
                raise TimedOut("Timed out")
        queued = self.chat_replies.get((api_method, chat)) or self.replies[api_method]
        if queued:
            status, body = queued.popleft()
            return status, json.dumps(body).encode()
        self.delivered.append(Call(api_method, params))
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        offset = params.get("offset")
        self.offsets.append(offset)
        if offset is not None:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            await asyncio.sleep(0.02)  # a long poll with nothing new
        return self.updates[:100]

    def _result(self, api_method: str, params: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return BOT_USER
        if api_method in ("sendMessage", "editMessageText"):
            return self._message(params)
        return True

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": params.get("message_id") or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": params.get("chat_id", USER_ID), "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if "inline_keyboard" in (params.get("reply_markup") or {}):
            message["reply_markup"] = params["reply_markup"]
        return message

    # --- queueing failures ---

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        chat: int | None = None,
        times: int = 1,
        **parameters: Any,
    ) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        queue = self.chat_replies[(method, chat)] if chat is not None else self.replies[method]
        queue.extend([(status, body)] * times)

    def hang(
        self,
        seconds: float,
        *,
        method: str = "sendMessage",
        chat: int | None = None,
        times: int = 1,
    ) -> None:
        """The next calls wait `seconds`, then time out as a stuck connection would."""
        self.hangs[(method, chat)].extend([seconds] * times)

    def fail_entities(self, method: str = "sendMessage") -> None:
        self.fail(method, 400, "Bad Request: can't parse entities: unsupported start tag")

    def fail_forbidden(self, method: str = "sendMessage") -> None:
        self.fail(method, 403, "Forbidden: bot was blocked by the user")

    def fail_flood(
        self,
        method: str = "sendMessage",
        retry_after: int = 0,
        *,
        chat: int | None = None,
        times: int = 1,
    ) -> None:
        self.fail(
            method,
            429,
            f"Too Many Requests: retry after {retry_after}",
            chat=chat,
            times=times,
            retry_after=retry_after,
        )

    # --- reading what was sent ---

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]

    def delivered_texts(self) -> list[tuple[Any, str]]:
        """(chat id, text) of each message Telegram accepted."""
        return [
            (call.params.get("chat_id"), call.params.get("text", ""))
            for call in self.delivered
            if call.method == "sendMessage"
        ]

    def texts(self, chat: int | None = None) -> list[str]:
        return [
            params["text"]
            for params in self.sent("sendMessage")
            if chat is None or params.get("chat_id") == chat
        ]

    def last_text(self) -> str:
        return self.texts()[-1]

    def buttons(self, params: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(label, callback_data or url) of the last sent message's inline keyboard."""
        params = params if params is not None else self.sent("sendMessage")[-1]
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (button["text"], button.get("callback_data") or button.get("url", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    def reset(self) -> None:
        self.calls.clear()


# --- raw Bot API update JSON -----------------------------------------------------------------

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user(user_id: int = USER_ID, language_code: str = "sv") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": language_code}


def chat(chat_type: str = "private", chat_id: int | None = None) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id or USER_ID, "type": "private", "first_name": "Anna"}
    return {"id": chat_id or GROUP_ID, "type": chat_type, "title": "Huddinge grannar"}


def message(
    text: str | None = None,
    *,
    chat_type: str = "private",
    user_id: int = USER_ID,
    reply_to_bot: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A message; a leading /command gets its bot_command entity as Telegram sends it."""
    chat_json = chat(chat_type, user_id if chat_type == "private" else None)
    data: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat_json,
        "from": user(user_id),
        **extra,
    }
    if text is not None:
        data["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    if reply_to_bot:
        data["reply_to_message"] = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": chat_json,
            "from": BOT_USER,
            "text": "Tidigare svar",
        }
    return data


def message_update(text: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), "message": message(text, **kwargs)}


def edited_message_update(text: str, **kwargs: Any) -> dict[str, Any]:
    edited = message(text, **kwargs)
    edited["edit_date"] = edited["date"] + 5
    return {"update_id": next(_update_ids), "edited_message": edited}


def photo_update(**kwargs: Any) -> dict[str, Any]:
    photo = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
    return message_update(None, photo=photo, **kwargs)


def sticker_update(**kwargs: Any) -> dict[str, Any]:
    sticker = {
        "file_id": "CAAD",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return message_update(None, sticker=sticker, **kwargs)


def voice_update(**kwargs: Any) -> dict[str, Any]:
    voice = {"file_id": "AwAD", "file_unique_id": "v1", "duration": 3}
    return message_update(None, voice=voice, **kwargs)


def callback_update(
    data: str,
    *,
    user_id: int = USER_ID,
    chat_type: str = "private",
    reply_markup: dict | None = None,
) -> dict[str, Any]:
    """A button press on a message the bot sent earlier."""
    bot_message = message("Tidigare meddelande", chat_type=chat_type, user_id=user_id)
    bot_message["from"] = BOT_USER
    if reply_markup is not None:
        bot_message["reply_markup"] = reply_markup
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": user(user_id),
            "chat_instance": "-42",
            "message": bot_message,
            "data": data,
        },
    }


def inline_query_update(query: str, *, user_id: int = USER_ID) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "inline_query": {
            "id": str(next(_update_ids)),
            "from": user(user_id),
            "query": query,
            "offset": "",
        },
    }


# --- a running Application over the fake transport -------------------------------------------


@dataclass
class BotHarness:
    app: Any
    telegram: FakeTelegram

    async def send(self, update_json: dict[str, Any]) -> None:
        from telegram import Update

        await self.app.process_update(Update.de_json(update_json, self.app.bot))

    async def say(self, text: str, **kwargs: Any) -> str:
        """Sends a message and returns the text of the last reply."""
        await self.send(message_update(text, **kwargs))
        return self.telegram.last_text()

    @property
    def services(self) -> Any:
        return self.app.bot_data["services"]


@asynccontextmanager
async def running_bot(
    engine: Any,
    tmp_path: Path,
    *,
    store: Any = None,
    fake: FakeTelegram | None = None,
    **overrides: Any,
) -> AsyncIterator[BotHarness]:
    """An initialised Application with the real engine, a state store (a fresh SQLite file
    unless one is given, e.g. a shared PostgreSQL store) and a fake wire."""
    from bot.config import Settings
    from bot.state import SqliteStateStore, state_key
    from bot.telegram_app import build_application

    options: dict[str, Any] = {
        "telegram_token": TOKEN,
        "admin_ids": frozenset({ADMIN_ID}),
        "state_db_path": str(tmp_path / "state.db"),
        # Long enough for the back-off of two 500s and a timeout at its most jittered
        # (0.75 + 1.5 + 3 s); tests of giving up set their own, shorter deadline.
        "send_deadline_seconds": 15,
    }
    settings = Settings(**{**options, **overrides})
    if store is None:
        store = SqliteStateStore(settings.state_db_path, key=state_key(TOKEN))
        store.create_schema()
    fake = fake or FakeTelegram()
    app = build_application(settings, engine, store, request=fake, get_updates_request=fake)
    async with app:
        fake.reset()  # drop getMe from initialize()
        yield BotHarness(app, fake)
    app.bot_data["services"].engine.close()
