import io
import json
import logging

import pytest

from bot.logging_setup import configure_logging, redact

TOKEN = "123456789:AAEhBP0av28cDrwJr3ncjmMVyD0Dv1fWbHQ"


@pytest.fixture
def stream():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    output = io.StringIO()
    yield output
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_redact_replaces_every_token():
    text = f"POST https://api.telegram.org/bot{TOKEN}/getMe and {TOKEN}"
    assert redact(text) == "POST https://api.telegram.org/bot<token>/getMe and <token>"


def test_tokens_in_messages_and_arguments_are_redacted(stream):
    configure_logging("INFO", "text", stream=stream)
    logging.getLogger("bot.test").info("url %s", f"https://x/bot{TOKEN}/getUpdates")
    logging.getLogger("bot.test").warning(f"direct {TOKEN}")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "url https://x/bot<token>/getUpdates" in output
    assert "direct <token>" in output


def test_tokens_in_exception_text_are_redacted(stream):
    configure_logging("INFO", "text", stream=stream)
    try:
        raise RuntimeError(f"connect failed for /bot{TOKEN}/getMe")
    except RuntimeError:
        logging.getLogger("bot.test").exception("startup failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "RuntimeError: connect failed for /bot<token>/getMe" in output


def test_json_lines_carry_level_logger_message_and_exception(stream):
    configure_logging("DEBUG", "json", stream=stream)
    try:
        raise ValueError(TOKEN)
    except ValueError:
        logging.getLogger("bot.json").error("oops %d", 1, exc_info=True)
    record = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert record["level"] == "ERROR"
    assert record["logger"] == "bot.json"
    assert record["message"] == "oops 1"
    assert "ValueError: <token>" in record["exception"]
    assert TOKEN not in stream.getvalue()


def test_httpx_is_quieted_to_warning(stream):
    configure_logging("DEBUG", "text", stream=stream)
    logging.getLogger("httpx").info(f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/x")
    assert stream.getvalue() == ""
    assert logging.getLogger("httpx").level == logging.WARNING
