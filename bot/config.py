"""Settings read from the environment in one place; everything else receives a `Settings`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
MODES = ("polling", "webhook")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A missing or malformed setting; the message names the environment variable."""


@dataclass(frozen=True)
class Settings:
    # repr=False: a Settings object may end up in a log line or a traceback.
    telegram_token: str | None = field(default=None, repr=False)
    telegram_base_url: str | None = None
    admin_ids: frozenset[int] = frozenset()
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    port: int = 8080
    webhook_listen: str = "127.0.0.1"
    webhook_max_body_bytes: int = 1_000_000
    index_path: str | None = None
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    state_db_path: str = "var/state.db"
    state_idle_days: int = 30
    log_retention_days: int = 90
    questions_per_minute: int = 10
    max_question_chars: int = 1000
    contact_text: str | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # "on": lexical, static vectors and e5, each only when the one before is unsure;
    # "fast": e5 only for the few questions where it changes outcomes most (bot.engine.
    # E5_WINDOW: quicker, less accurate); "static": without e5; "off": lexical only.
    semantic: str = "on"
    max_concurrent_updates: int = 64
    engine_workers: int = 2
    send_deadline_seconds: int = 60
    shutdown_grace_seconds: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        mode = _choice(env, "BOT_MODE", MODES, "polling")
        settings = cls(
            telegram_token=_token(env),
            telegram_base_url=_http_url(env, "TELEGRAM_BASE_URL"),
            admin_ids=_admin_ids(env),
            mode=mode,  # type: ignore[arg-type]
            webhook_url=_http_url(env, "WEBHOOK_URL"),
            webhook_secret=_webhook_secret(env),
            port=_int(env, "PORT", 8080, minimum=1, maximum=65535),
            webhook_listen=_optional(env, "WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_max_body_bytes=_int(
                env, "WEBHOOK_MAX_BODY_BYTES", 1_000_000, minimum=1024, maximum=100_000_000
            ),
            index_path=_optional(env, "BOT_INDEX_PATH"),
            database_url=_database_url(env),
            state_db_path=_optional(env, "BOT_STATE_DB") or "var/state.db",
            state_idle_days=_int(env, "BOT_STATE_IDLE_DAYS", 30, minimum=1),
            log_retention_days=_int(env, "BOT_LOG_RETENTION_DAYS", 90, minimum=1),
            questions_per_minute=_int(env, "BOT_QUESTIONS_PER_MINUTE", 10, minimum=1),
            max_question_chars=_int(env, "BOT_MAX_QUESTION_CHARS", 1000, minimum=20),
            contact_text=_optional(env, "BOT_CONTACT_TEXT"),
            log_level=_choice(env, "BOT_LOG_LEVEL", LOG_LEVELS, "INFO", upper=True),
            log_format=_choice(env, "BOT_LOG_FORMAT", LOG_FORMATS, "text"),  # type: ignore[arg-type]
            semantic=_choice(env, "BOT_SEMANTIC", ("on", "fast", "static", "off"), "on"),
            max_concurrent_updates=_int(env, "BOT_MAX_CONCURRENT_UPDATES", 64, minimum=1),
            engine_workers=_int(
                env, "BOT_ENGINE_WORKERS", min(2, os.cpu_count() or 1), minimum=1, maximum=32
            ),
            send_deadline_seconds=_int(env, "BOT_SEND_DEADLINE_SECONDS", 60, minimum=1),
            shutdown_grace_seconds=_int(env, "BOT_SHUTDOWN_GRACE_SECONDS", 20, minimum=0),
        )
        if settings.mode == "webhook" and not settings.webhook_url:
            raise ConfigError("WEBHOOK_URL must be set when BOT_MODE=webhook")
        if settings.mode == "webhook" and not settings.webhook_secret:
            raise ConfigError(
                "WEBHOOK_SECRET must be set when BOT_MODE=webhook: without it anyone can post "
                "updates; set 1-256 characters A-Z, a-z, 0-9, _ and -"
            )
        return settings

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line: the token and the webhook secret."""
        values = (self.telegram_token, self.webhook_secret, *_password(self.database_url))
        return tuple(dict.fromkeys(value for value in values if value))

    def require_token(self) -> str:
        """The token, for commands that talk to Telegram; a clear error if it is missing."""
        if not self.telegram_token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it"
            )
        return self.telegram_token


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _token(env: Mapping[str, str]) -> str | None:
    token = _optional(env, "TELEGRAM_BOT_TOKEN")
    if token is not None and not TOKEN_PATTERN.match(token):
        # Never echo the value: a near-miss token is still a secret.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<30+ letters, digits, _ or ->'"
        )
    return token


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    secret = _optional(env, "WEBHOOK_SECRET")
    # Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and - in secret_token.
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("WEBHOOK_SECRET may only hold 1-256 characters A-Z, a-z, 0-9, _ and -")
    return secret


def _database_url(env: Mapping[str, str]) -> str | None:
    """The URL, checked once so that libpq and our redaction read it alike (no message ever
    repeats it: it may hold a password)."""
    url = _optional(env, "DATABASE_URL")
    if url is None:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL (postgresql://user@host:port/db); "
            "leave it unset to keep the state in BOT_STATE_DB (SQLite)"
        )
    authority = url.split("://", 1)[1].split("/", 1)[0]
    if authority.count("@") > 1:
        raise ConfigError(
            "DATABASE_URL: the user name or password contains '@': write it percent-encoded "
            "as %40 (libpq would otherwise read part of the password as the host)"
        )
    try:
        parts = urlsplit(url)
        _ = parts.port, parts.hostname
    except ValueError:
        raise ConfigError(
            "DATABASE_URL is not a valid URL (check the host and the port): "
            "postgresql://user:password@host:5432/database"
        ) from None
    return url


def _http_url(env: Mapping[str, str], name: str) -> str | None:
    """An http(s) URL with a host, checked here rather than at the first request."""
    url = _optional(env, name)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(
            f"{name} is not a valid http(s) URL with a host (an IPv6 address goes in brackets: "
            "https://[2001:db8::1]:8443/path)"
        )
    return url


def _password(url: str | None) -> tuple[str, ...]:
    """The password in a database URL, as written and decoded: the logs show neither."""
    if not url:
        return ()
    password = urlsplit(url).password
    return (password, unquote(password)) if password else ()


def _admin_ids(env: Mapping[str, str]) -> frozenset[int]:
    raw = _optional(env, "BOT_ADMIN_IDS") or ""
    parts = [part.strip() for part in re.split(r"[,\s]+", raw) if part.strip()]
    try:
        return frozenset(int(part) for part in parts)
    except ValueError:
        raise ConfigError(
            "BOT_ADMIN_IDS must be Telegram user ids separated by commas, e.g. 12345,67890"
        ) from None


def _int(
    env: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    raw = _optional(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ConfigError(f"{name} must be {bounds}, got {value}")
    return value


def _choice(
    env: Mapping[str, str],
    name: str,
    choices: tuple[str, ...],
    default: str,
    *,
    upper: bool = False,
) -> str:
    raw = _optional(env, name)
    if raw is None:
        return default
    value = raw.upper() if upper else raw.lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def engine_signals(settings: Settings) -> dict:
    """The Engine's keyword arguments for BOT_SEMANTIC."""
    from bot.engine import E5_WINDOW

    return {
        "semantic": settings.semantic != "off",
        "e5": settings.semantic in ("on", "fast"),
        "e5_window": E5_WINDOW if settings.semantic == "fast" else None,
    }
