"""committee-bot: validate, build, ask, chat, eval, report, run."""

from __future__ import annotations

from pathlib import Path

import click

from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeError, load_knowledge


@click.group()
def main() -> None:
    """Beredningsboten: sourced answers about Huddinge kommun's trygghets- och
    delaktighetsberedning."""


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
