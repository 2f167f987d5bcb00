"""Sending to Telegram without losing an answer: pacing per chat, retries with back-off.

- `ChatPacer` keeps within Telegram's limits (about 30 messages a second in all, one a
  second per chat, 20 a minute per group). Unlike PTB's AIORateLimiter it never pauses other
  chats when one chat is told to wait (429).
- `send_with_retry` retries flood waits (429), server errors and timeouts with back-off until
  a deadline; then it tells the user once, and the caller logs the loss for the operator.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

T = TypeVar("T")
BACKOFF_START = 0.5
BACKOFF_MAX = 8.0


class DeliveryError(Exception):
    """An answer could not be delivered before the deadline."""


class ChatPacer(BaseRateLimiter[int]):
    """Spaces requests per chat and overall; a flood wait holds only its own chat."""

    def __init__(self, overall_per_second: float = 30.0, group_per_minute: int = 20):
        self.overall_interval = 1.0 / overall_per_second
        self.group_interval = 60.0 / group_per_minute
        self._next_overall = 0.0
        self._next_by_chat: dict[int | str, float] = {}
        self._lock = asyncio.Lock()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        self._next_by_chat.clear()

    async def process_request(
        self,
        callback: Callable[..., Awaitable[Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat = data.get("chat_id")
        if endpoint in ("sendMessage", "editMessageText", "editMessageReplyMarkup") and chat:
            await self._wait_turn(chat)
        return await callback(*args, **kwargs)

    async def _wait_turn(self, chat: int | str) -> None:
        group = isinstance(chat, str) or int(chat) < 0
        interval = self.group_interval if group else 1.0
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_overall, self._next_by_chat.get(chat, 0.0))
            self._next_overall = start + self.overall_interval
            self._next_by_chat[chat] = start + interval
            if len(self._next_by_chat) > 10_000:  # forget chats that have long been quiet
                self._next_by_chat = {c: t for c, t in self._next_by_chat.items() if t > now}
        if start > now:
            await asyncio.sleep(start - now)


async def send_with_retry(call: Callable[[], Awaitable[T]], *, deadline: float) -> T:
    """Awaits `call()`, retrying flood waits, timeouts and server errors until `deadline`
    (a time.monotonic() value). Errors that a retry cannot mend (400, 403) pass through."""
    delay = BACKOFF_START
    while True:
        try:
            return await call()
        except (BadRequest, Forbidden):
            raise
        except RetryAfter as error:
            wait = _seconds(error.retry_after) + 0.1
        except (TimedOut, NetworkError):
            wait = delay * (1 + random.random() / 2)
            delay = min(delay * 2, BACKOFF_MAX)
        if time.monotonic() + wait > deadline:
            raise DeliveryError("gave up before the deadline") from None
        await asyncio.sleep(wait)


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
