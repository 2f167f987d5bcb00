"""Opening what the bot needs, with one clear line for each thing that can be wrong.

Each failure is a ConfigError naming the setting and the fix; the CLI prints it and exits
non-zero, without a traceback. A corrupt default index is rebuilt from the knowledge files.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from bot.config import ConfigError, Settings, engine_signals
from bot.index import DEFAULT_INDEX_PATH, build_index, knowledge_fingerprint, open_read_only
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeError, load_knowledge
from bot.state import StateError, StateStore, open_state_store, state_key

log = logging.getLogger(__name__)


def index_path(settings: Settings) -> Path:
    return Path(settings.index_path) if settings.index_path else DEFAULT_INDEX_PATH


def open_engine_for_bot(settings: Settings):
    """The engine over the configured index; the default index is (re)built when stale or
    corrupt, a configured one is only checked."""
    from bot.engine import Engine, IndexUnavailableError, ensure_index

    path = index_path(settings)
    default = settings.index_path is None
    try:
        if default:
            ensure_index(path, DEFAULT_KNOWLEDGE_DIR)
        engine = Engine(
            open_read_only(path), contact_text=settings.contact_text, **engine_signals(settings)
        )
        engine.self_check()
        return engine
    except KnowledgeError as error:
        raise ConfigError(
            f"the knowledge files have problems (run python -m bot validate):\n{error}"
        ) from None
    except (sqlite3.DatabaseError, IndexUnavailableError, KeyError) as error:
        if not default:
            raise ConfigError(
                f"BOT_INDEX_PATH={path}: the index cannot be read ({_reason(error)}); "
                f"rebuild it: python -m bot build --db {path}"
            ) from None
        log.warning("The index %s cannot be read (%s); rebuilding it", path, _reason(error))
        return _rebuilt(path, settings)


def _rebuilt(path: Path, settings: Settings):
    from bot.engine import Engine

    try:
        kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
        build_index(kb, path, fingerprint=knowledge_fingerprint(DEFAULT_KNOWLEDGE_DIR))
        return Engine(
            open_read_only(path), contact_text=settings.contact_text, **engine_signals(settings)
        )
    except OSError as error:
        raise ConfigError(
            f"the index {path} cannot be rebuilt ({error.strerror or error}): make its "
            "folder writable or set BOT_INDEX_PATH to a built index"
        ) from None


def store_threads(settings: Settings) -> int:
    """Threads for store calls (and PostgreSQL connections): enough for the updates in
    flight to make their calls at once, within what a database server gives one client."""
    return max(4, min(settings.max_concurrent_updates, 32))


def open_store_for_bot(settings: Settings, *, terminal: bool = False) -> StateStore:
    """The state store; for the terminal chat (no bot token) keyed by a key of its own."""
    key = state_key("terminal") if terminal else state_key(settings.require_token())
    try:
        return open_state_store(
            database_url=settings.database_url,
            sqlite_path=settings.state_db_path,
            key=key,
            pool_size=store_threads(settings),
            idle_days=settings.state_idle_days,
            retention_days=settings.log_retention_days,
        )
    except StateError as error:
        hint = "" if settings.database_url else ": make the folder writable or set BOT_STATE_DB"
        raise ConfigError(f"{error}{hint}") from None


def _reason(error: Exception) -> str:
    return str(error).split("\n")[0] or type(error).__name__
