"""committee-bot: validate, build, ask, chat, eval, report, run. Thin layer over the library."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from bot.config import ConfigError, Settings
from bot.index import DEFAULT_INDEX_PATH, build_index, knowledge_fingerprint
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeError, load_knowledge
from bot.logging_setup import configure_logging

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Index file (default: BOT_INDEX_PATH or var/knowledge.db).",
)


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def open_engine(db_path: Path | None, settings: Settings):
    """Open the engine; rebuild a stale index first (with a notice on stderr)."""
    from bot.engine import Engine, ensure_index

    path = db_path or (Path(settings.index_path) if settings.index_path else DEFAULT_INDEX_PATH)
    try:
        ensure_index(path, DEFAULT_KNOWLEDGE_DIR)
        return Engine(_connect(path), contact_text=settings.contact_text)
    except KnowledgeError as error:
        raise click.ClickException(f"the knowledge base has problems:\n{error}") from None


def _connect(path: Path):
    from bot.index import open_read_only

    try:
        return open_read_only(path)
    except Exception as error:
        raise click.ClickException(f"{path}: cannot open the index ({error})") from None


@click.group()
@click.version_option(package_name="beredningsboten")
def main() -> None:
    """Beredningsboten: sourced answers about Huddinge kommun's trygghets- och
    delaktighetsberedning."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)


@main.command()
@click.argument("knowledge_dir", required=False, type=click.Path(path_type=Path))
def validate(knowledge_dir: Path | None) -> None:
    """Check the knowledge files: schema, ids, dates and that every quote is verbatim."""
    try:
        kb = load_knowledge(knowledge_dir or DEFAULT_KNOWLEDGE_DIR)
    except KnowledgeError as error:
        raise click.ClickException(f"{len(error.problems)} problem(s)\n{error}") from None
    counts = f"{len(kb.documents)} documents, {len(kb.entries)} entries"
    click.echo(f"OK: {counts}, all quotes verified")


@main.command()
@click.argument("knowledge_dir", required=False, type=click.Path(path_type=Path))
@DB_OPTION
def build(knowledge_dir: Path | None, db_path: Path | None) -> None:
    """Build the SQLite index from the knowledge files (atomically replaces the old one)."""
    directory = knowledge_dir or DEFAULT_KNOWLEDGE_DIR
    started = time.perf_counter()
    try:
        kb = load_knowledge(directory)
    except KnowledgeError as error:
        raise click.ClickException(f"{len(error.problems)} problem(s)\n{error}") from None
    path = build_index(
        kb, db_path or DEFAULT_INDEX_PATH, fingerprint=knowledge_fingerprint(directory)
    )
    elapsed = time.perf_counter() - started
    click.echo(f"Built {path} with {len(kb.entries)} entries in {elapsed:.2f} s")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON output; JSON Lines from stdin.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None, help="Answer language.")
@DB_OPTION
@click.argument("question", nargs=-1)
def ask(as_json: bool, lang: str | None, db_path: Path | None, question: tuple[str, ...]) -> None:
    """Answer one question. With --json and no QUESTION: one JSON string per stdin line."""
    engine = open_engine(db_path, load_settings())
    if question:
        answer = engine.answer(" ".join(question), lang)
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else answer.text)
        return
    if not as_json:
        raise click.UsageError("give a QUESTION, or use --json to read JSON Lines from stdin")
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            text = json.loads(line)
        except json.JSONDecodeError:
            text = None
        if not isinstance(text, str):
            error = {"line": number, "error": "each line must be a JSON string"}
            click.echo(json.dumps(error))
            continue
        click.echo(json.dumps(engine.answer(text, lang).to_dict(), ensure_ascii=False))


@main.command()
@DB_OPTION
def chat(db_path: Path | None) -> None:
    """Interactive chat in the terminal (also reads questions piped on stdin)."""
    from bot.terminal_chat import run_chat

    settings = load_settings()
    run_chat(open_engine(db_path, settings), sys.stdin, sys.stdout)


@main.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB_OPTION
def evaluate(file: Path, db_path: Path | None) -> None:
    """Score a question file; prints the breakdown and an accuracy line."""
    from bot.evaluation import EvalFileError, format_report, load_eval_items, run_eval

    engine = open_engine(db_path, load_settings())
    try:
        items = load_eval_items(file)
    except EvalFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_report(run_eval(items, engine.answer)))


@main.command()
@click.option("--limit", default=20, show_default=True, help="How many questions to list.")
def report(limit: int) -> None:
    """The most frequent unanswered questions from the curator log (no user data)."""
    from bot.curator_log import format_report

    settings = load_settings()
    click.echo(
        format_report(
            settings.log_db_path, limit=limit, retention_days=settings.log_retention_days
        )
    )


@main.command()
@DB_OPTION
def run(db_path: Path | None) -> None:
    """Start the Telegram bot when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat."""
    settings = load_settings()
    if not settings.telegram_token:
        click.echo("TELEGRAM_BOT_TOKEN is not set: starting the terminal chat.", err=True)
        from bot.terminal_chat import run_chat

        run_chat(open_engine(db_path, settings), sys.stdin, sys.stdout)
        return
    if db_path is not None:
        settings = Settings(**{**settings.__dict__, "index_path": str(db_path)})
    from bot.engine import ensure_index
    from bot.telegram_app import run_bot

    ensure_index(Path(settings.index_path) if settings.index_path else DEFAULT_INDEX_PATH)
    try:
        run_bot(settings)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
