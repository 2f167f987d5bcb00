"""Logging for the bot: readable lines or JSON lines, and never a secret in the output.

Secrets are the bot token (and anything shaped like one), the webhook secret and a database
password. They are redacted from every record, from tracebacks logged with exc_info and
from the traceback of an exception that ends the process. Telegram's own loggers stay at
INFO or above even at DEBUG: at DEBUG they print whole updates, with users' names and text.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

TOKEN_IN_TEXT = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
REDACTED = "<token>"
SECRET = "<secret>"
_SECRETS: list[str] = []  # the configured secrets, set by configure_logging
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log request URLs, and with them the token, at INFO.
NOISY_LOGGERS = ("httpx", "httpcore")
# Loggers that dump updates (user ids, names, text) or request parameters at DEBUG.
PRIVATE_AT_DEBUG = ("telegram", "tornado.access")


def redact(text: str) -> str:
    text = TOKEN_IN_TEXT.sub(REDACTED, text)
    for secret in _SECRETS:
        text = text.replace(secret, SECRET)
    return text


class RedactTokenFilter(logging.Filter):
    """Rewrites a record so that its message and exception text carry no bot token.

    The record is rendered once here (args merged, traceback formatted) because a token can
    hide in any argument or in an exception raised by httpx with the request URL in it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and, when present, exception."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(
    level: str = "INFO", fmt: str = "text", *, stream=None, secrets: tuple[str, ...] = ()
) -> logging.Handler:
    """Installs one root handler with the redaction filter; returns it (tests inspect it)."""
    _SECRETS[:] = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
    sys.excepthook = _redacting_excepthook
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    # On the handler, not a logger: handler filters also see records propagated from children.
    handler.addFilter(RedactTokenFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in PRIVATE_AT_DEBUG:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    return handler


def _redacting_excepthook(kind, value, traceback) -> None:
    """An exception that ends the process is printed redacted, like every log record."""
    import traceback as tb

    text = "".join(tb.format_exception(kind, value, traceback))
    sys.stderr.write(redact(text))
