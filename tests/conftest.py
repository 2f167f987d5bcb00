"""Shared fixtures: one index built from the shipped knowledge per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.index import build_index, open_read_only
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge(DEFAULT_KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def index_path(knowledge, tmp_path_factory) -> Path:
    return build_index(knowledge, tmp_path_factory.mktemp("index") / "knowledge.db")


@pytest.fixture(scope="session")
def engine(index_path) -> Engine:
    return Engine(open_read_only(index_path))


@pytest.fixture
async def bot(engine, tmp_path):
    """A running Telegram application over the engine, behind the fake transport."""
    from telegram_fakes import running_bot

    async with running_bot(engine, tmp_path) as harness:
        yield harness


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server on 127.0.0.1 for the session (see tests/postgres_server.py)."""
    from postgres_server import PostgresServer

    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()
