"""Start-up problems end with one line naming the setting and the fix, a non-zero exit and
no traceback; a corrupt default index is rebuilt."""

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings

TOKEN = "123456789:AAEhBP0av28cDrwJr3ncjmMVyD0Dv1fWbHQ"
ROOT = Path(__file__).resolve().parent.parent


def run_bot(env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    full = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "BOT_STATE_DB": str(tmp_path / "state.db"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=full,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def bot_api(status: int, reply) -> http.server.ThreadingHTTPServer:
    """A Bot API stand-in answering every method with `reply(method)` and `status`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.dumps(reply(self.path.rsplit("/", 1)[-1]))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def rejecting_telegram():
    """Rejects every token, as Telegram does with a revoked one."""
    server = bot_api(
        401, lambda method: {"ok": False, "error_code": 401, "description": "Unauthorized"}
    )
    yield f"http://127.0.0.1:{server.server_port}/bot"
    server.shutdown()


@pytest.fixture
def accepting_telegram():
    """Accepts the token and every call."""
    me = {"id": 1, "is_bot": True, "first_name": "Beredningsboten", "username": "BeredningsBot"}
    server = bot_api(200, lambda method: {"ok": True, "result": me if method == "getMe" else True})
    yield f"http://127.0.0.1:{server.server_port}/bot"
    server.shutdown()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


def test_a_rejected_token_is_one_line_without_the_token(rejecting_telegram, tmp_path, index_path):
    result = run_bot(
        {"TELEGRAM_BASE_URL": rejecting_telegram, "BOT_INDEX_PATH": str(index_path)}, tmp_path
    )
    assert_one_line_error(result, "TELEGRAM_BOT_TOKEN was rejected", "@BotFather")


def test_a_corrupt_configured_index_names_the_setting_and_the_fix(tmp_path):
    broken = tmp_path / "kb.db"
    broken.write_bytes(b"this is not sqlite" * 100)
    result = run_bot({"BOT_INDEX_PATH": str(broken)}, tmp_path)
    assert_one_line_error(result, "BOT_INDEX_PATH=", "python -m bot build")


def test_an_unwritable_state_store_names_the_setting(tmp_path, index_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run_bot(
        {"BOT_INDEX_PATH": str(index_path), "BOT_STATE_DB": str(blocker / "state.db")}, tmp_path
    )
    assert_one_line_error(result, "BOT_STATE_DB=")


def test_an_unreachable_postgresql_names_the_setting(tmp_path, index_path):
    result = run_bot(
        {
            "BOT_INDEX_PATH": str(index_path),
            "DATABASE_URL": f"postgresql://bot@127.0.0.1:{closed_port()}/x",
        },
        tmp_path,
    )
    assert_one_line_error(result, "DATABASE_URL", "cannot reach PostgreSQL")


def test_webhook_mode_without_a_secret_does_not_start(tmp_path):
    result = run_bot({"BOT_MODE": "webhook", "WEBHOOK_URL": "https://x.example/hook"}, tmp_path)
    assert_one_line_error(result, "WEBHOOK_SECRET must be set")


def test_a_corrupt_default_index_is_rebuilt(tmp_path, monkeypatch):
    import bot.startup as startup

    default = tmp_path / "var" / "knowledge.db"
    default.parent.mkdir()
    default.write_bytes(b"\0" * 4096)
    monkeypatch.setattr(startup, "DEFAULT_INDEX_PATH", default)
    engine = startup.open_engine_for_bot(Settings(telegram_token=TOKEN))
    assert engine.self_check()


def test_config_errors_name_the_variable():
    with pytest.raises(ConfigError, match="BOT_QUESTIONS_PER_MINUTE"):
        Settings.from_env({"BOT_QUESTIONS_PER_MINUTE": "many"})


def test_telegram_unreachable_at_start_is_one_line(tmp_path, index_path):
    base = f"http://127.0.0.1:{closed_port()}/bot"
    result = run_bot({"TELEGRAM_BASE_URL": base, "BOT_INDEX_PATH": str(index_path)}, tmp_path)
    assert_one_line_error(result, "Cannot reach Telegram", "TELEGRAM_BASE_URL")


def test_a_webhook_port_in_use_names_the_setting(accepting_telegram, tmp_path, index_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "TELEGRAM_BASE_URL": accepting_telegram,
            "BOT_INDEX_PATH": str(index_path),
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://bot.example/hook",
            "WEBHOOK_SECRET": "s3cret-value",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "PORT": str(port),
        }
        result = run_bot(env, tmp_path)
    assert_one_line_error(result, f"PORT={port}", "cannot listen")
    assert "s3cret-value" not in result.stderr


@pytest.mark.parametrize("name", ["WEBHOOK_URL", "TELEGRAM_BASE_URL"])
@pytest.mark.parametrize(
    "url", ["https://[::1/hook", "https://[::1]:99999/x", "ftp://x/y", "hook"]
)
def test_a_malformed_url_setting_is_named(name, url):
    with pytest.raises(ConfigError, match=f"{name} is not a valid"):
        Settings.from_env({name: url})
