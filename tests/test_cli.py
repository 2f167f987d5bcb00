import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, stdin: str = "", env: dict | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, env=env or {})


def test_ask_prints_a_sourced_answer(index_path):
    result = run_cli("ask", "--db", str(index_path), "När", "godkändes", "verksamhetsberättelsen?")
    assert result.exit_code == 0
    assert "17 februari 2022" in result.output
    assert "Källa:" in result.output


def test_ask_json_reads_json_lines_and_keeps_their_order(index_path):
    lines = [
        json.dumps(q) for q in ("Vilka fick demokratipriset 2021?", "🙂", "vad kostade kamerorna?")
    ]
    result = run_cli("ask", "--json", "--db", str(index_path), stdin="\n".join(lines) + "\n")
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["question"] for o in objects] == [
        "Vilka fick demokratipriset 2021?",
        "🙂",
        "vad kostade kamerorna?",
    ]
    assert [o["status"] for o in objects] == ["answer", "abstain", "abstain"]
    assert objects[0]["sources"][0]["reference"].startswith("KS-2022/176.915")


def test_ask_json_reports_lines_that_are_not_json_strings(index_path):
    result = run_cli("ask", "--json", "--db", str(index_path), stdin='{"q": 1}\nnot json\n')
    assert result.exit_code == 0
    errors = [json.loads(line) for line in result.output.splitlines()]
    assert [e["line"] for e in errors] == [1, 2]


def test_build_writes_an_index_atomically(tmp_path):
    target = tmp_path / "kb.db"
    # --no-semantic: a fresh embedding cache beside the target would take a minute to fill.
    result = run_cli("build", "--db", str(target), "--no-semantic")
    assert result.exit_code == 0, result.output
    assert target.exists() and "entries" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["kb.db"]  # no half-written file beside it


def test_chat_answers_piped_questions_and_picks_suggestions(index_path):
    result = run_cli("chat", "--db", str(index_path), stdin="demokrati\n1\n")
    assert result.exit_code == 0
    assert "Menade du" in result.output
    assert result.output.count("Källa:") == 1


def test_eval_prints_the_accuracy_line(index_path):
    data = ROOT / "tests" / "data" / "extra-questions.yaml"
    result = run_cli("eval", "--db", str(index_path), str(data))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].startswith("accuracy=")


def test_a_missing_index_gives_a_clean_error(tmp_path):
    result = run_cli("ask", "--db", str(tmp_path / "none" / "x.db"), "klotter")
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output


def test_a_malformed_token_is_a_one_line_error_without_the_token():
    token = "not-a-token-secret-value"
    result = run_cli("run", env={"TELEGRAM_BOT_TOKEN": token})
    assert result.exit_code == 1
    assert "TELEGRAM_BOT_TOKEN" in result.output
    assert token not in result.output


def test_a_stale_index_is_rebuilt_with_a_notice(tmp_path, index_path):
    target = tmp_path / "stale.db"
    target.write_bytes(index_path.read_bytes())
    old = time.time() - 10 * 365 * 24 * 3600
    os.utime(target, (old, old))
    env = {**os.environ, "BOT_INDEX_PATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "klotter 2021"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0
    assert "Building the knowledge index" in result.stderr
    assert target.stat().st_mtime > old + 1


def test_the_readme_commands_work_as_typed_with_the_system_python():
    system = Path(sys.base_prefix) / "bin" / "python3"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run(
        [str(system), "-m", "bot", "validate"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: ")


def test_curate_warns_before_serving_on_a_non_loopback_address(index_path, tmp_path, monkeypatch):
    import bot.curator_view

    served = []
    monkeypatch.setattr(bot.curator_view, "serve", lambda *args, **kw: served.append(kw["host"]))
    env = {"BOT_STATE_DB": str(tmp_path / "state.db"), "TELEGRAM_BOT_TOKEN": ""}
    for host, warned in (
        ("0.0.0.0", True),
        ("192.168.1.5", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("localhost", False),
    ):
        result = CliRunner().invoke(
            main, ["curate", "--db", str(index_path), "--host", host], env=env
        )
        assert result.exit_code == 0, result.output
        assert ("reachable from other machines" in result.output) is warned, host
    assert served == ["0.0.0.0", "192.168.1.5", "127.0.0.1", "::1", "localhost"]


def test_the_exported_log_is_readable_by_the_owner_only(tmp_path):
    from bot.curator_view import export_log

    target = tmp_path / "export.db"
    target.write_text("older export")
    target.chmod(0o644)
    export_log(
        [{"id": 1, "asked_at": "2026-01-01T00:00:00+00:00", "status": "abstain", "question": "q"}],
        target,
    )
    assert target.stat().st_mode & 0o777 == 0o600
