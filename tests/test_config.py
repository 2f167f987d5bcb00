import re

import pytest

from bot.config import ConfigError, Settings, engine_signals
from bot.engine import E5_WINDOW

TOKEN = "123456789:AAEhBP0av28cDrwJr3ncjmMVyD0Dv1fWbHQ"


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.mode == "polling"
    assert settings.port == 8080
    assert settings.state_db_path == "var/state.db"
    assert settings.database_url is None
    assert settings.webhook_listen == "127.0.0.1"
    assert settings.log_retention_days == 90
    assert settings.state_idle_days == 30
    assert settings.questions_per_minute == 10
    assert settings.max_question_chars == 1000
    assert settings.index_path is None


def test_every_variable_is_read():
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": "http://127.0.0.1:9000/bot",
        "BOT_ADMIN_IDS": "42, 7 99",
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": "https://bot.example.org/hook",
        "WEBHOOK_SECRET": "s3cret_-",
        "PORT": "8443",
        "WEBHOOK_LISTEN": "0.0.0.0",
        "WEBHOOK_MAX_BODY_BYTES": "65536",
        "BOT_INDEX_PATH": "var/kb.db",
        "DATABASE_URL": "postgresql://bot:pw@db:5432/bot",
        "BOT_STATE_DB": "var/s.db",
        "BOT_STATE_IDLE_DAYS": "7",
        "BOT_LOG_RETENTION_DAYS": "30",
        "BOT_QUESTIONS_PER_MINUTE": "5",
        "BOT_MAX_QUESTION_CHARS": "500",
        "BOT_CONTACT_TEXT": "Ring Huddinge kommun.",
        "BOT_LOG_LEVEL": "debug",
        "BOT_LOG_FORMAT": "JSON",
        "BOT_MAX_CONCURRENT_UPDATES": "16",
        "BOT_SEND_DEADLINE_SECONDS": "30",
        "BOT_SHUTDOWN_GRACE_SECONDS": "25",
    }
    assert Settings.from_env(env) == Settings(
        telegram_token=TOKEN,
        telegram_base_url="http://127.0.0.1:9000/bot",
        admin_ids=frozenset({42, 7, 99}),
        mode="webhook",
        webhook_url="https://bot.example.org/hook",
        webhook_secret="s3cret_-",
        port=8443,
        webhook_listen="0.0.0.0",
        webhook_max_body_bytes=65536,
        index_path="var/kb.db",
        database_url="postgresql://bot:pw@db:5432/bot",
        state_db_path="var/s.db",
        state_idle_days=7,
        log_retention_days=30,
        questions_per_minute=5,
        max_question_chars=500,
        contact_text="Ring Huddinge kommun.",
        log_level="DEBUG",
        log_format="json",
        max_concurrent_updates=16,
        send_deadline_seconds=30,
        shutdown_grace_seconds=25,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TELEGRAM_BOT_TOKEN": "12345:short"}, "TELEGRAM_BOT_TOKEN is malformed"),
        ({"TELEGRAM_BOT_TOKEN": "abc:" + "x" * 35}, "TELEGRAM_BOT_TOKEN is malformed"),
        ({"BOT_ADMIN_IDS": "42,alice"}, "BOT_ADMIN_IDS must be Telegram user ids"),
        ({"BOT_MODE": "push"}, "BOT_MODE must be one of polling, webhook"),
        ({"BOT_MODE": "webhook"}, "WEBHOOK_URL must be set when BOT_MODE=webhook"),
        ({"PORT": "eighty"}, "PORT must be a whole number"),
        ({"PORT": "70000"}, "PORT must be between 1 and 65535"),
        ({"BOT_LOG_RETENTION_DAYS": "0"}, "BOT_LOG_RETENTION_DAYS must be at least 1"),
        ({"BOT_LOG_FORMAT": "xml"}, "BOT_LOG_FORMAT must be one of text, json"),
        ({"WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET may only hold"),
        ({"BOT_SEMANTIC": "quick"}, "BOT_SEMANTIC must be one of on, fast, static, off"),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("value", "signals"),
    [
        ("on", {"semantic": True, "e5": True, "e5_window": None}),
        ("fast", {"semantic": True, "e5": True, "e5_window": E5_WINDOW}),
        ("static", {"semantic": True, "e5": False, "e5_window": None}),
        ("off", {"semantic": False, "e5": False, "e5_window": None}),
    ],
)
def test_bot_semantic_chooses_the_engines_meaning_signals(value, signals):
    assert engine_signals(Settings.from_env({"BOT_SEMANTIC": value})) == signals


def test_the_fast_path_ranks_without_e5(index_path):
    from bot.engine import Engine
    from bot.index import open_read_only

    settings = Settings.from_env({"BOT_SEMANTIC": "static"})
    engine = Engine(open_read_only(index_path), **engine_signals(settings))
    assert [stage.signal for stage in engine.stages] == ["lexical", "static"]
    # a worker's engine (the Telegram pool) ranks as the one it was cloned from
    assert [stage.signal for stage in engine.clone().stages] == ["lexical", "static"]


def test_a_malformed_token_is_not_echoed():
    secret = "123456789:" + "x" * 20
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": secret})
    assert secret not in str(raised.value)
    assert "x" * 20 not in str(raised.value)


def test_repr_hides_the_token_and_webhook_secret():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": "hushhush"})
    assert TOKEN not in repr(settings)
    assert "hushhush" not in repr(settings)
    assert "admin_ids=frozenset()" in repr(settings)


def test_a_missing_token_gives_a_one_line_error():
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({}).require_token()
    assert str(raised.value) == (
        "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it"
    )
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}).require_token() == TOKEN


def test_blank_values_count_as_unset():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "  ", "BOT_STATE_DB": "", "PORT": ""})
    assert settings.telegram_token is None
    assert settings.state_db_path == "var/state.db"
    assert settings.port == 8080


def test_webhook_mode_refuses_to_start_without_a_secret():
    env = {"BOT_MODE": "webhook", "WEBHOOK_URL": "https://bot.example.org/hook"}
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET must be set when BOT_MODE=webhook"):
        Settings.from_env(env)


def test_the_secrets_to_redact_include_the_database_password():
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "WEBHOOK_SECRET": "hook-secret",
            "DATABASE_URL": "postgresql://bot:hunter22@db/bot",
        }
    )
    assert set(settings.secrets) == {TOKEN, "hook-secret", "hunter22"}
    assert "hunter22" not in repr(settings) and TOKEN not in repr(settings)


def test_a_database_url_must_be_postgresql():
    with pytest.raises(ConfigError, match="DATABASE_URL must be a PostgreSQL URL"):
        Settings.from_env({"DATABASE_URL": "mysql://x"})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://bot:p@ss@db/bot", "contains '@': write it percent-encoded as %40"),
        ("postgresql://bot:pw@[::1/bot", "not a valid URL"),
        ("postgresql://bot:pw@db:port/bot", "not a valid URL"),
    ],
)
def test_a_database_url_libpq_would_read_otherwise_is_refused_without_echoing_it(url, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        Settings.from_env({"DATABASE_URL": url})
    assert "p@ss" not in str(caught.value) and ":pw@" not in str(caught.value)


def test_an_encoded_password_is_a_secret_as_written_and_decoded():
    settings = Settings.from_env({"DATABASE_URL": "postgresql://bot:p%40ss%21@db/bot"})
    assert {"p%40ss%21", "p@ss!"} <= set(settings.secrets)
