"""The README must not drift from the CLI, the configuration or the Telegram commands."""

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.telegram_app import COMMAND_HANDLERS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIG = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
SETTING_NAME = r'"((?:TELEGRAM|BOT|WEBHOOK)_[A-Z_]+|PORT|DATABASE_URL)"'
ENV_VARS = sorted(set(re.findall(SETTING_NAME, CONFIG)))


def test_the_configuration_reads_the_documented_variables():
    assert "TELEGRAM_BOT_TOKEN" in ENV_VARS and len(ENV_VARS) >= 10


@pytest.mark.parametrize("name", ENV_VARS)
def test_every_environment_variable_is_documented(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_cli_command_is_documented(command):
    assert f"python -m bot {command}" in README


@pytest.mark.parametrize("names", [names for names, _ in COMMAND_HANDLERS])
def test_every_telegram_command_is_documented(names):
    for name in names:
        assert f"`/{name}" in README, name


def test_the_two_setup_commands_are_documented():
    assert "make run" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def example_exchange() -> list[tuple[str, str]]:
    """(question, reply) pairs of the README's first text block."""
    block = README.split("```text\n", 1)[1].split("```", 1)[0]
    pairs = []
    for chunk in block.split("> ")[1:]:
        question, reply = chunk.split("\n", 1)
        pairs.append((question, reply.strip()))
    return pairs


def test_the_readme_example_exchange_is_what_the_bot_answers(engine):
    pairs = example_exchange()
    assert len(pairs) >= 2
    for question, reply in pairs:
        assert engine.answer(question).text == reply
