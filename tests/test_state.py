"""The state store: every behaviour on both backends (SQLite file and a real PostgreSQL)."""

import sqlite3
import time

import pytest

from bot.state import (
    SCHEMA_VERSION,
    Limit,
    PostgresStateStore,
    SqliteStateStore,
    StateError,
    state_key,
)

TOKEN = "123456789:AAEhBP0av28cDrwJr3ncjmMVyD0Dv1fWbHQ"


TABLES = ("schema_version", "chats", "feedback", "limits", "blocked", "questions")


def fresh_postgres(url: str) -> PostgresStateStore:
    store = PostgresStateStore(url, key=state_key(TOKEN))
    with store._connect() as db:
        for table in TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}")
    store.create_schema()
    return store


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path):
    if request.param == "sqlite":
        store = SqliteStateStore(tmp_path / "state.db", key=state_key(TOKEN))
        store.create_schema()
        yield store
    else:
        store = fresh_postgres(request.getfixturevalue("postgres_url"))
        yield store
        store.close()


@pytest.fixture
def store(tmp_path):
    store = SqliteStateStore(tmp_path / "state.db", key=state_key(TOKEN))
    store.create_schema()
    return store


def dump(store) -> str:
    return str([store._execute(f"SELECT * FROM {t}") for t in ("chats", "limits")])


def test_the_schema_is_created_once_with_its_version(any_store):
    any_store.create_schema()
    assert any_store._execute("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


def test_a_newer_schema_is_refused_with_the_setting_named(store):
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StateError, match=r"BOT_STATE_DB.*newer than this bot's"):
        store.create_schema()


def test_language_and_choices_outlive_the_store_object(store, tmp_path):
    store.set_language(4711, "en")
    store.set_choices(4711, ["a", "b"], log_id=7)
    again = SqliteStateStore(tmp_path / "state.db", key=state_key(TOKEN))
    state = again.chat(4711)
    assert (state.lang, state.choices, state.choices_log_id) == ("en", ("a", "b"), 7)
    assert again.chat(4712).lang is None


def test_ids_are_stored_only_as_keyed_hashes(any_store):
    any_store.set_language(4711, "sv")
    any_store.take(4711, per_minute=10)
    assert "4711" not in dump(any_store)
    assert any_store.hashed("chat", 4711) != any_store.hashed("user", 4711)


def test_another_token_cannot_find_the_chats(store):
    store.set_language(4711, "sv")
    other = SqliteStateStore(store.path, key=state_key("987654321:" + "x" * 35))
    assert other.chat(4711).lang is None


def test_feedback_tokens_are_unique_and_count_once(any_store):
    tokens = {any_store.issue_feedback(None, "entry", "fråga") for _ in range(200)}
    assert len(tokens) == 200
    token = tokens.pop()
    assert any_store.redeem_feedback(token).entry_id == "entry"
    assert any_store.redeem_feedback(token) is None
    assert any_store.redeem_feedback("never-issued") is None


def test_the_rate_limit_allows_a_burst_then_one_notice_then_quiet(any_store):
    now = 1_000_000.0
    assert any_store.take(1, per_minute=2, now=now).allowed
    assert any_store.take(1, per_minute=2, now=now + 1).allowed
    denied = any_store.take(1, per_minute=2, now=now + 2)
    assert not denied.allowed and 1 <= denied.notice_wait <= 30
    assert any_store.take(1, per_minute=2, now=now + 3) == Limit(False, None)  # told once a burst
    assert any_store.take(2, per_minute=2, now=now + 3).allowed
    assert any_store.take(1, per_minute=2, now=now + 70).allowed


def test_questions_are_logged_with_choices_picks_and_votes(any_store):
    answered = any_store.log_question("Vem fick priset?", "answer", "vinnare", lang="sv")
    suggested = any_store.log_question("priset", "suggest", "a", ["a", "b"], lang="sv")
    any_store.record_pick(suggested, "b")
    token = any_store.issue_feedback(answered, "vinnare", "Vem fick priset?")
    any_store.record_vote(any_store.redeem_feedback(token), up=True)
    rows = any_store.question_rows()
    assert [(r["status"], r["question"], r["picked"], r["vote"]) for r in rows] == [
        ("answer", "Vem fick priset?", None, 1),  # the text is kept once a vote resolves it
        ("suggest", "priset", "b", None),
    ]
    assert any_store.counts()["upvote"] == 1


def test_answered_questions_without_feedback_are_only_counted(any_store):
    any_store.log_question("Vem fick priset?", "answer", "vinnare")
    assert any_store.question_rows()[0]["question"] is None
    assert any_store.counts()["answer"] == 1


def test_idle_state_and_old_log_rows_expire(any_store):
    any_store.set_language(1, "en")
    any_store.issue_feedback(None, "e", "q")
    any_store.log_question("gammal fråga", "abstain", None)
    any_store.prune(now=time.time() + 100 * 86400)
    assert any_store.chat(1).lang is None
    assert any_store.question_rows() == []


def test_a_folder_that_cannot_be_created_names_the_setting(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError, match="BOT_STATE_DB="):
        SqliteStateStore(blocker / "state.db", key=b"k")


def test_a_locked_database_fails_fast_with_the_setting_named(store):
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    with pytest.raises(StateError, match="BOT_STATE_DB"):
        store.log_question("fråga", "abstain", None)
    assert time.monotonic() - started < 3
    holder.execute("ROLLBACK")


def test_the_state_file_and_its_journal_are_readable_by_the_owner_only(store):
    store.log_question("fråga", "abstain", None)
    files = [store.path, *store.path.parent.glob("state.db-*")]
    assert len(files) >= 2  # the database and its write-ahead log
    assert {oct(path.stat().st_mode & 0o777) for path in files} == {"0o600"}


def test_a_wider_state_file_is_narrowed_when_opened(tmp_path):
    path = tmp_path / "state.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    SqliteStateStore(path, key=state_key(TOKEN)).create_schema()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_state_file_deleted_while_running_is_started_again_and_said(store, caplog):
    store.set_language(1, "en")
    store.path.unlink()
    for journal in store.path.parent.glob("state.db-*"):
        journal.unlink()
    store.set_language(2, "sv")
    assert store.path.is_file(), "the writes go to a file again, not to a deleted one"
    again = SqliteStateStore(store.path, key=state_key(TOKEN))
    assert (again.chat(1).lang, again.chat(2).lang) == (None, "sv")
    assert any("deleted or replaced" in r.getMessage() for r in caplog.records)


def test_reports_and_exports_hold_only_rows_within_the_retention(store):
    store.log_question("ny fråga", "abstain", None)
    store._execute(
        "INSERT INTO questions (asked_at, status, question) VALUES (?, ?, ?)",
        ("2020-01-01T00:00:00+00:00", "abstain", "gammal fråga"),
    )
    assert [row["question"] for row in store.question_rows()] == ["ny fråga"]


def test_a_failure_of_the_bot_is_not_logged_as_a_question_for_curators(store):
    store.log_question("Kostade det 999 kr?", "abstain", None, kind="engine_error")
    store.log_question("Vad kostade det?", "abstain", None, kind="not_in_material")
    assert [row["question"] for row in store.question_rows()] == [None, "Vad kostade det?"]
