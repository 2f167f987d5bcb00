"""The state store: everything that must outlive a process or be shared between replicas.

- each chat's language and its pending "Menade du" choices;
- feedback tokens (random, so unique across processes), tied to the question and entry;
- per-user rate-limit buckets and the chats that blocked the bot;
- the curator log (bot.curator_log reads it).

One schema, two backends: an embedded SQLite file (the default) and PostgreSQL when
`DATABASE_URL` says so. Chats and users are stored only as keyed hashes, never as ids.
The schema is created on start, with a version table. Callers run these methods in a worker
thread (they block on I/O).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
PRUNE_EVERY_SECONDS = 3600
SQLITE_BUSY_SECONDS = 0.5  # a locked file must not hold a reply up for long
# PostgreSQL: a statement or lock wait longer than this is given up, and so is waiting for
# a connection from the pool (a reply must not wait on the store).
PG_STATEMENT_MS, PG_LOCK_MS, PG_POOL_WAIT_SECONDS = 1500, 1000, 1.5
OUTAGE_RETRY = (0.5, 1.0, 2.0, 5.0, 10.0)  # seconds before a failing store is tried again
TABLES = (
    """CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS chats (
        chat_key TEXT PRIMARY KEY,
        lang TEXT,
        choices TEXT,
        choices_log_id BIGINT,
        updated_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS feedback (
        token TEXT PRIMARY KEY,
        log_id BIGINT,
        entry_id TEXT,
        question TEXT,
        created_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS limits (
        user_key TEXT PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        allowed INTEGER NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL,
        noticed_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS blocked (
        chat_key TEXT PRIMARY KEY,
        blocked_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS questions (
        id {serial},
        asked_at TEXT NOT NULL,
        status TEXT NOT NULL,
        question TEXT,
        entry_id TEXT,
        choices TEXT,
        picked TEXT,
        vote INTEGER,
        voted_entry TEXT,
        lang TEXT,
        kind TEXT,
        passage TEXT)""",
    """CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at)""",
    # Updates accepted from Telegram: recorded before they are acknowledged, so that none
    # is lost (a stopped process's are answered by the next) and none is answered twice
    # (a redelivered one is already here). The payload is kept only until answered.
    """CREATE TABLE IF NOT EXISTS updates (
        update_id BIGINT PRIMARY KEY,
        chat_key TEXT,
        payload TEXT,
        received_at DOUBLE PRECISION NOT NULL,
        claimed_at DOUBLE PRECISION,
        done_at DOUBLE PRECISION)""",
    """CREATE INDEX IF NOT EXISTS updates_chat ON updates (chat_key, update_id)""",
)
# An update claimed this long ago and not answered was left by a process that stopped.
UPDATE_LEASE_SECONDS = 120
# Answered update ids are remembered this long: Telegram redelivers within a day at most.
UPDATE_MEMORY_SECONDS = 86400
# Columns added since version 1, by the version that added them.
ADDED_COLUMNS = {2: (("questions", "kind", "TEXT"), ("questions", "passage", "TEXT"))}
# Statuses whose question text is kept from the start: the ones that tell curators what is
# missing. Answered questions are only counted, unless a vote or a pick resolves them.
KEPT_STATUSES = ("abstain", "suggest")


class StateError(Exception):
    """The state store cannot be reached or written; the message names the setting."""


@dataclass(frozen=True)
class ChatState:
    lang: str | None = None
    choices: tuple[str, ...] = ()
    choices_log_id: int | None = None


@dataclass(frozen=True)
class Vote:
    """A feedback token that was issued: the question and entry it rates."""

    log_id: int | None
    entry_id: str | None
    question: str


@dataclass(frozen=True)
class Limit:
    allowed: bool
    notice_wait: int | None  # seconds to tell the user to wait, when a notice is due


class StateStore:
    """The operations; a backend supplies `_connect`, the id column and the placeholder."""

    serial = "INTEGER PRIMARY KEY"
    placeholder = "?"
    where = ""  # shown in errors: the setting that names this store

    def __init__(self, *, key: bytes, idle_days: int = 30, retention_days: int = 90):
        self.key = key
        self.idle_seconds = idle_days * 86400
        self.retention_days = retention_days
        self._last_prune = 0.0
        self._prune_lock = threading.Lock()
        self._outage_since: float | None = None  # monotonic time the store began failing
        self._retry_at = 0.0
        self._failures = 0
        self._outage_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator:
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _execute(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """One statement. In an outage the store is not tried again for a moment (with
        back-off), so that no reply waits on it; the operator is told once per outage."""
        if self._resting():
            raise StateError(f"{self.where}: unavailable (tried again shortly)")
        try:
            with self._connect() as db:
                cursor = db.execute(self._sql(sql), tuple(params))
                rows = cursor.fetchall() if cursor.description else []
        except StateError as error:
            self._failed(error)
            raise
        if self._outage_since is not None:
            self._recovered()
        return rows

    def _resting(self) -> bool:
        return self._outage_since is not None and time.monotonic() < self._retry_at

    def _failed(self, error: StateError) -> None:
        with self._outage_lock:
            now = time.monotonic()
            if self._outage_since is None:
                self._outage_since, self._failures = now, 0
                log.error(
                    "State store unavailable: %s. Answers go on without it (no language, "
                    "choices, limits or log) until it is back; you are told when it is.",
                    error,
                )
            self._retry_at = now + OUTAGE_RETRY[min(self._failures, len(OUTAGE_RETRY) - 1)]
            self._failures += 1

    def _recovered(self) -> None:
        with self._outage_lock:
            if self._outage_since is not None:
                log.warning("State store back after %.0f s", time.monotonic() - self._outage_since)
                self._outage_since = None

    def create_schema(self) -> None:
        with self._connect() as db:
            self._create_tables(db)
            [(version,)] = db.execute("SELECT max(version) FROM schema_version").fetchall()
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"{self.where}: the state store has schema version {version}, newer "
                    f"than this bot's {SCHEMA_VERSION}: upgrade the bot"
                )
            if version < SCHEMA_VERSION:
                self._upgrade(db, version)

    def _create_tables(self, db) -> None:
        for statement in TABLES:
            db.execute(statement.format(serial=self.serial))
        if not db.execute("SELECT version FROM schema_version").fetchall():
            db.execute(
                self._sql("INSERT INTO schema_version (version) VALUES (?)"), (SCHEMA_VERSION,)
            )

    def _upgrade(self, db, version: int) -> None:
        """Adds the columns of later versions (a column another replica added is kept)."""
        for later in range(version + 1, SCHEMA_VERSION + 1):
            for table, column, kind in ADDED_COLUMNS.get(later, ()):
                cursor = db.execute(f"SELECT * FROM {table} LIMIT 0")
                if column not in {d[0] for d in cursor.description}:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        db.execute(self._sql("UPDATE schema_version SET version = ?"), (SCHEMA_VERSION,))

    def hashed(self, kind: str, value: int | str) -> str:
        """A keyed hash of a chat or user id: stable across replicas, not reversible."""
        digest = hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    # -- chats ------------------------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatState:
        rows = self._execute(
            "SELECT lang, choices, choices_log_id FROM chats WHERE chat_key = ?",
            (self.hashed("chat", chat_id),),
        )
        if not rows:
            return ChatState()
        lang, choices, log_id = rows[0]
        return ChatState(lang, tuple(json.loads(choices or "[]")), log_id)

    def set_language(self, chat_id: int, lang: str) -> None:
        self._upsert_chat(chat_id, "lang", lang)

    def set_choices(self, chat_id: int, choices: Sequence[str], log_id: int | None) -> None:
        key = self.hashed("chat", chat_id)
        self._execute(
            "INSERT INTO chats (chat_key, choices, choices_log_id, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (chat_key) DO UPDATE SET "
            "choices = excluded.choices, choices_log_id = excluded.choices_log_id, "
            "updated_at = excluded.updated_at",
            (key, json.dumps(list(choices)), log_id, time.time()),
        )

    def _upsert_chat(self, chat_id: int, column: str, value: str) -> None:
        key = self.hashed("chat", chat_id)
        self._execute(
            f"INSERT INTO chats (chat_key, {column}, updated_at) VALUES (?, ?, ?) "
            f"ON CONFLICT (chat_key) DO UPDATE SET {column} = excluded.{column}, "
            "updated_at = excluded.updated_at",
            (key, value, time.time()),
        )

    # -- feedback ---------------------------------------------------------------------------

    def issue_feedback(self, log_id: int | None, entry_id: str | None, question: str) -> str:
        """A new token for the 👍/👎 buttons of one answer (fits in callback data)."""
        token = secrets.token_urlsafe(9)
        self._execute(
            "INSERT INTO feedback (token, log_id, entry_id, question, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (token, log_id, entry_id, question, time.time()),
        )
        return token

    def redeem_feedback(self, token: str) -> Vote | None:
        """The answer a token rates, once: a second press, or a token never issued, is None."""
        rows = self._execute(
            "DELETE FROM feedback WHERE token = ? RETURNING log_id, entry_id, question",
            (token,),
        )
        return Vote(*rows[0]) if rows else None

    # -- limits and blocks ------------------------------------------------------------------

    def take(self, user_id: int | str, per_minute: int, now: float | None = None) -> Limit:
        """One question from the user's bucket (`per_minute` capacity, refilled evenly),
        atomically, so that replicas share one limit."""
        now = time.time() if now is None else now
        rate = per_minute / 60.0
        refill = (
            f"CASE WHEN limits.tokens + (excluded.updated_at - limits.updated_at) * {rate!r} "
            f"> {per_minute} THEN {per_minute} "
            f"ELSE limits.tokens + (excluded.updated_at - limits.updated_at) * {rate!r} END"
        )
        rows = self._execute(
            "INSERT INTO limits (user_key, tokens, allowed, updated_at, noticed_at) "
            "VALUES (?, ?, 1, ?, 0) ON CONFLICT (user_key) DO UPDATE SET "
            f"allowed = CASE WHEN {refill} >= 1 THEN 1 ELSE 0 END, "
            f"tokens = CASE WHEN {refill} >= 1 THEN {refill} - 1 ELSE {refill} END, "
            "updated_at = excluded.updated_at RETURNING allowed, tokens, noticed_at",
            (self.hashed("user", user_id), per_minute - 1, now),
        )
        allowed, tokens, noticed_at = rows[0]
        if allowed:
            return Limit(True, None)
        if now - noticed_at < 60:
            return Limit(False, None)  # told during this burst already: stay quiet
        self._execute(
            "UPDATE limits SET noticed_at = ? WHERE user_key = ?",
            (now, self.hashed("user", user_id)),
        )
        return Limit(False, max(1, round((1 - tokens) / rate)))

    def mark_blocked(self, chat_id: int) -> None:
        self._execute(
            "INSERT INTO blocked (chat_key, blocked_at) VALUES (?, ?) "
            "ON CONFLICT (chat_key) DO UPDATE SET blocked_at = excluded.blocked_at",
            (self.hashed("chat", chat_id), time.time()),
        )

    def mark_unblocked(self, chat_id: int) -> None:
        self._execute("DELETE FROM blocked WHERE chat_key = ?", (self.hashed("chat", chat_id),))

    def blocked_count(self) -> int:
        return self._execute("SELECT count(*) FROM blocked")[0][0]

    # -- the curator log --------------------------------------------------------------------

    def log_question(
        self,
        question: str,
        status: str,
        entry_id: str | None,
        choices: Sequence[str] = (),
        lang: str | None = None,
        kind: str | None = None,
        passage: dict | None = None,
    ) -> int:
        """One asked question; returns the row id (for a later pick or vote). The text is
        kept only for statuses that tell curators what is missing (see KEPT_STATUSES) and
        for answers from a passage (candidates for new entries); `passage` is the quoted
        source text (document, section, text: public record, no personal data)."""
        # A failure of the bot is the operator's (the log has it), not a gap for curators.
        kept = (status in KEPT_STATUSES and kind != "engine_error") or kind == "passage"
        text = question if kept else None
        rows = self._execute(
            "INSERT INTO questions (asked_at, status, question, entry_id, choices, lang, kind, "
            "passage) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                _now_iso(),
                status,
                text,
                entry_id,
                json.dumps(list(choices)) if choices else None,
                lang,
                kind,
                json.dumps(passage, ensure_ascii=False) if passage else None,
            ),
        )
        self.prune_if_due()
        return rows[0][0]

    def after_reply(
        self,
        chat_id: int,
        question: str,
        status: str,
        entry_id: str | None,
        choices: Sequence[str],
        lang: str | None,
        token: str | None,
        kind: str | None = None,
        passage: dict | None = None,
    ) -> int:
        """What is written once a reply has gone out: the log row, the feedback token's link
        to it, and the chat's pending choices (cleared by any other reply)."""
        log_id = self.log_question(question, status, entry_id, choices, lang, kind, passage)
        if token:
            self._execute("UPDATE feedback SET log_id = ? WHERE token = ?", (log_id, token))
        self.set_choices(chat_id, choices, log_id if choices else None)
        return log_id

    def after_answer(self, chat_id: int, question: str, answer, token: str | None) -> int:
        """after_reply for an engine Answer: what it showed, offered, and of what kind."""
        choices = [s.entry_id for s in answer.suggestions]
        shown = answer.entry_id or (choices[0] if choices else None)
        passage = None
        if answer.kind == "passage" and answer.sources:
            source = answer.sources[0]
            passage = {
                "document": source.document,
                "section": source.section,
                "text": source.quote,
            }
        # An abstention's kind is its reason: a gap is an honest answer, not a miss.
        kind = answer.kind or (answer.reason if answer.status == "abstain" else None)
        return self.after_reply(
            chat_id, question, answer.status, shown, choices, answer.lang, token, kind, passage
        )

    def record_pick(self, log_id: int, entry_id: str) -> None:
        self._execute("UPDATE questions SET picked = ? WHERE id = ?", (entry_id, log_id))

    def record_vote(self, vote: Vote, up: bool) -> None:
        """A 👍/👎 on an answer: the vote, the entry it rates, and now the question's text."""
        if vote.log_id is None:
            return
        self._execute(
            "UPDATE questions SET vote = ?, voted_entry = ?, "
            "question = COALESCE(question, ?) WHERE id = ?",
            (1 if up else -1, vote.entry_id, vote.question, vote.log_id),
        )

    def counts(self) -> dict[str, int]:
        """Questions per status, and votes, within the retention period."""
        rows = self._execute("SELECT status, count(*) FROM questions GROUP BY status")
        found = dict(rows)
        votes = dict(
            self._execute(
                "SELECT vote, count(*) FROM questions WHERE vote IS NOT NULL GROUP BY vote"
            )
        )
        return {
            "answer": found.get("answer", 0),
            "suggest": found.get("suggest", 0),
            "abstain": found.get("abstain", 0),
            "upvote": votes.get(1, 0),
            "downvote": votes.get(-1, 0),
        }

    def question_rows(self) -> list[dict]:
        """Every logged question within the retention period (for reports and exports),
        oldest first."""
        columns = (
            "id",
            "asked_at",
            "status",
            "question",
            "entry_id",
            "choices",
            "picked",
            "vote",
            "voted_entry",
            "lang",
            "kind",
            "passage",
        )
        # Within the retention period even when the pruning has not run yet.
        oldest = _iso(datetime.now(UTC) - timedelta(days=self.retention_days))
        rows = self._execute(
            f"SELECT {', '.join(columns)} FROM questions WHERE asked_at >= ? ORDER BY id",
            (oldest,),
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]

    # -- the update inbox -------------------------------------------------------------------

    def accept_update(self, update_id: int, chat_id: int | None, payload: str) -> bool:
        """Records an update before it is acknowledged; False when it was already here (a
        redelivery, to this replica or another): then it must not be answered again."""
        chat_key = self.hashed("chat", chat_id) if chat_id is not None else None
        now = time.time()
        rows = self._execute(
            "INSERT INTO updates (update_id, chat_key, payload, received_at, claimed_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, chat_key, payload, now, now),
        )
        return bool(rows)

    def finish_update(self, update_id: int) -> None:
        """The update is answered: its payload goes, its id stays to refuse a redelivery."""
        self._execute(
            "UPDATE updates SET payload = NULL, done_at = ? WHERE update_id = ?",
            (time.time(), update_id),
        )

    def release_updates(self, update_ids: Sequence[int]) -> None:
        """A stopping process's unanswered updates, released for the next one at once."""
        for update_id in update_ids:
            self._execute(
                "UPDATE updates SET claimed_at = 0 WHERE update_id = ? AND done_at IS NULL",
                (update_id,),
            )

    def claim_abandoned(self, limit: int = 100) -> list[tuple[int, str]]:
        """(update id, payload) of updates a stopped process accepted and did not answer,
        each claimed for this process (another replica gets the others)."""
        now = time.time()
        rows = self._execute(
            "SELECT update_id, payload FROM updates WHERE done_at IS NULL "
            "AND payload IS NOT NULL AND claimed_at < ? ORDER BY update_id LIMIT ?",
            (now - UPDATE_LEASE_SECONDS, limit),
        )
        claimed = []
        for update_id, payload in rows:
            taken = self._execute(
                "UPDATE updates SET claimed_at = ? WHERE update_id = ? AND claimed_at < ? "
                "RETURNING update_id",
                (now, update_id, now - UPDATE_LEASE_SECONDS),
            )
            if taken:
                claimed.append((update_id, payload))
        return claimed

    def earlier_unanswered(self, chat_id: int, update_id: int) -> bool:
        """Whether an earlier update of the chat is still being answered (by any replica):
        one chat's updates are answered in order."""
        rows = self._execute(
            "SELECT 1 FROM updates WHERE chat_key = ? AND update_id < ? AND done_at IS NULL "
            "AND claimed_at > ? LIMIT 1",
            (self.hashed("chat", chat_id), update_id, time.time() - UPDATE_LEASE_SECONDS),
        )
        return bool(rows)

    # -- expiry -----------------------------------------------------------------------------

    def prune_if_due(self) -> None:
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        with self._prune_lock:
            if time.monotonic() - self._last_prune >= PRUNE_EVERY_SECONDS:
                self.prune()

    def prune(self, now: float | None = None) -> None:
        """Idle chat state and old log rows go: any replica may run this, it is idempotent."""
        self._last_prune = time.monotonic()
        now = time.time() if now is None else now
        cutoff = now - self.idle_seconds
        for table, column in (
            ("chats", "updated_at"),
            ("feedback", "created_at"),
            ("limits", "updated_at"),
            ("blocked", "blocked_at"),
        ):
            self._execute(f"DELETE FROM {table} WHERE {column} < ?", (cutoff,))
        oldest = datetime.fromtimestamp(now, UTC) - timedelta(days=self.retention_days)
        self._execute("DELETE FROM questions WHERE asked_at < ?", (_iso(oldest),))
        # An update nobody answered within a day is not answered any more (Telegram has
        # given up on it too): its payload goes with its id.
        self._execute("DELETE FROM updates WHERE received_at < ?", (now - UPDATE_MEMORY_SECONDS,))


class SqliteStateStore(StateStore):
    where = "BOT_STATE_DB"

    def __init__(self, path: str | Path, **options):
        super().__init__(**options)
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(f"BOT_STATE_DB={path}: cannot create the folder ({error})") from None
        # One connection for the process, one call at a time: writers in this process never
        # wait on each other's locks; the busy timeout is for other processes.
        self._db: sqlite3.Connection | None = None
        self._inode: int | None = None  # of the file the connection has open
        self._lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        # Hashed ids and masked questions are still nobody else's business: owner only.
        # SQLite gives its -wal and -shm files the main file's mode.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        db = sqlite3.connect(
            self.path, timeout=SQLITE_BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        self._inode = os.stat(self.path).st_ino
        return db

    def _replaced(self) -> bool:
        """The file was deleted or replaced under the open connection: its writes would go
        nowhere."""
        try:
            return os.stat(self.path).st_ino != self._inode
        except FileNotFoundError:
            return True

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                if self._db is not None and self._replaced():
                    log.error(
                        "BOT_STATE_DB=%s was deleted or replaced while the bot ran: starting "
                        "it again empty (chat state and the curator log so far are gone)",
                        self.path,
                    )
                    self._db.close()
                    self._db = None
                    fresh = True
                else:
                    fresh = False
                if self._db is None:
                    self._db = self._open()
                    if fresh:
                        self._create_tables(self._db)
                yield self._db
            except sqlite3.Error as error:
                if self._db is not None and not self._db.in_transaction:
                    self._db.close()  # opened again on the next call: the file may be back
                    self._db = None
                raise StateError(f"BOT_STATE_DB={self.path}: {error}") from error
            except OSError as error:
                raise StateError(f"BOT_STATE_DB={self.path}: {error.strerror}") from error

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class PostgresStateStore(StateStore):
    """PostgreSQL through psycopg 3 and its connection pool (for replicas)."""

    serial = "BIGSERIAL PRIMARY KEY"
    placeholder = "%s"
    where = "DATABASE_URL"

    def __init__(self, url: str, *, pool_size: int = 8, **options):
        super().__init__(**options)
        try:
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise StateError(
                "DATABASE_URL is set but psycopg is not installed: "
                "pip install 'beredningsboten[postgres]'"
            ) from None
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=PG_POOL_WAIT_SECONDS,
            kwargs={
                "options": f"-c statement_timeout={PG_STATEMENT_MS} -c lock_timeout={PG_LOCK_MS}",
                "connect_timeout": 3,
            },
        )
        try:
            self.pool.open(wait=True, timeout=5)
        except Exception as error:
            raise StateError(
                f"DATABASE_URL: cannot reach PostgreSQL ({type(error).__name__}): check the "
                "host, port, user and database in the URL"
            ) from None

    @contextmanager
    def _connect(self) -> Iterator:
        import psycopg
        import psycopg_pool

        try:
            with self.pool.connection() as db:
                yield db
        except (psycopg.Error, psycopg_pool.PoolTimeout, psycopg_pool.PoolClosed) as error:
            raise StateError(f"DATABASE_URL: {type(error).__name__}: {error}") from error

    def close(self) -> None:
        self.pool.close()


def open_state_store(
    *,
    database_url: str | None,
    sqlite_path: str | Path,
    key: bytes,
    pool_size: int = 8,
    **options,
) -> StateStore:
    """The configured store with its schema in place; `pool_size` connections to
    PostgreSQL (as many as store calls run at once)."""
    if database_url:
        store: StateStore = PostgresStateStore(
            database_url, key=key, pool_size=pool_size, **options
        )
    else:
        store = SqliteStateStore(sqlite_path, key=key, **options)
    store.create_schema()
    return store


def state_key(token: str) -> bytes:
    """The hashing key for chat and user ids, derived from the bot token: replicas of one
    bot share it, and nothing else can recompute the hashes."""
    return hashlib.sha256(b"beredningsboten state\0" + token.encode()).digest()


def _now_iso() -> str:
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
