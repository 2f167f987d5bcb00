"""The curators' browser view: Datasette, read-only, over a snapshot of the curator log and
the knowledge index, with canned queries named in Swedish and a chart of questions per day.

No web code of our own: this module writes a snapshot and a metadata file, and starts
Datasette. The log is always served from a SQLite snapshot (`export_log`), so the view is
the same whether the state store is SQLite or PostgreSQL, and it can never write to it.
The chart is datasette-dashboards: declared in the metadata and drawn with the Vega files
the plugin ships (nothing is fetched from the internet), ready to look at without clicks.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import sqlite_utils

LOG_DATABASE = "kuratorslogg"
LOG_COLUMNS = {
    "id": int,
    "asked_at": str,
    "status": str,
    "question": str,
    "entry_id": str,
    "choices": str,
    "picked": str,
    "vote": int,
    "voted_entry": str,
    "lang": str,
    "kind": str,  # entry, passage, listing, overview; for an abstention its reason (gap …)
    "passage": str,  # for an answer quoted from the source text: the passage (JSON)
    "grupp": str,  # the wording group (bot.curator_log), so SQL can count near-duplicates
}
# Canned queries over the snapshot, named in Swedish for the curators.
QUERIES = {
    "mest_fragade_obesvarade_denna_manad": {
        "title": "Mest frågade obesvarade frågor denna månad",
        "description": "Frågor utan svar eller med förslag som ingen valde, vanligast först.",
        "sql": """
            select max(question) as fraga, count(*) as antal, max(asked_at) as senast,
                   group_concat(distinct status) as status
            from questions
            where question is not null and picked is null and coalesce(vote, 0) <= 0
              and status in ('abstain', 'suggest')
              and asked_at >= strftime('%Y-%m-01', 'now')
            group by grupp order by antal desc, senast desc limit 100""",
    },
    "val_per_entry": {
        "title": "Val per entry (Menade du …)",
        "description": "Vilka entries användarna valde bland förslagen, och hur ofta.",
        "sql": """
            select picked as entry, entries.title as titel, count(*) as val
            from questions left join entries on entries.id = questions.picked
            where picked is not null group by picked order by val desc""",
    },
    "tummen_ner_per_entry": {
        "title": "👎 per entry",
        "description": "Svar som fick tummen ner, med frågorna som ledde dit.",
        "sql": """
            select voted_entry as entry, entries.title as titel, count(*) as tummen_ner,
                   group_concat(question, ' | ') as fragor
            from questions left join entries on entries.id = questions.voted_entry
            where vote = -1 group by voted_entry order by tummen_ner desc""",
    },
    "entries_som_aldrig_visats": {
        "title": "Entries som aldrig visats",
        "description": "Entries som inget svar, förslag eller val har visat under perioden.",
        "sql": """
            select id as entry, title as titel, kind as typ, file as fil from entries
            where kind != 'gap'
              and id not in (select entry_id from questions where entry_id is not null)
              and id not in (select picked from questions where picked is not null)
              and id not in (select value from questions, json_each(questions.choices)
                             where questions.choices is not null)
            order by file, id""",
    },
    "fragor_per_dag": {
        "title": "Frågor per dag och status",
        "description": "Hur många frågor som kom in varje dag, per status.",
        "sql": """
            select substr(asked_at, 1, 10) as dag, status, count(*) as antal
            from questions group by dag, status order by dag, status""",
    },
    "svar_ur_kalltexten": {
        "title": "Svar ur källtexten",
        "description": "Frågor som besvarades med dokumentets egna ord (ingen entry): "
        "kandidater för nya entries, med stycket och frågorna.",
        "sql": """
            select json_extract(passage, '$.document') as dokument,
                   json_extract(passage, '$.section') as avsnitt,
                   json_extract(passage, '$.text') as stycke, count(*) as antal,
                   group_concat(question, ' | ') as fragor
            from questions where kind = 'passage' and passage is not null
            group by passage order by antal desc limit 100""",
    },
    "sok_i_entries": {
        "title": "Sök i entries",
        "description": "Fritextsök i entries: titel, svar och frågor. Utan sökord visas alla.",
        # An empty search word lists every entry: FTS5 refuses an empty MATCH.
        "sql": """
            select id as entry, title as titel, answer as svar, file as fil from entries
            where trim(coalesce(:sok, '')) = ''
            union all
            select entries.id, entries.title, entries.answer, entries.file
            from entries_fts join entries on entries.rowid = entries_fts.rowid
            where trim(coalesce(:sok, '')) != ''
              and entries_fts match escape_fts(coalesce(nullif(trim(:sok), ''), 'x'))
            limit 50""",
    },
}
DASHBOARD = {
    "kuratorer": {
        "title": "Frågor till Beredningsboten",
        "description": "Frågor per dag, uppdelat på status.",
        "layout": [["fragor-per-dag"]],
        "charts": {
            "fragor-per-dag": {
                "title": "Frågor per dag och status",
                "db": LOG_DATABASE,
                "query": QUERIES["fragor_per_dag"]["sql"],
                "library": "vega-lite",
                "display": {
                    "mark": {"type": "bar", "tooltip": True},
                    "encoding": {
                        "x": {"field": "dag", "type": "ordinal", "title": "Dag"},
                        "y": {"field": "antal", "type": "quantitative", "title": "Frågor"},
                        "color": {"field": "status", "type": "nominal", "title": "Status"},
                    },
                },
            }
        },
    }
}


def export_log(rows: Iterable[Mapping], path: Path | str) -> Path:
    """The logged questions as a SQLite file (replacing one that is there), each with the
    near-duplicate group the curator report puts it in."""
    from bot.curator_log import folded, group_questions

    rows = list(rows)
    groups = {folded(w): g.key for g in group_questions(rows) for w in g.wordings}
    rows = [{**row, "grupp": groups.get(folded(row.get("question") or ""))} for row in rows]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Masked questions, but still the users' words: owner only, as the state store.
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    db = sqlite_utils.Database(path)
    table = db["questions"]
    table.create(LOG_COLUMNS, pk="id")
    table.insert_all(({k: row.get(k) for k in LOG_COLUMNS} for row in rows), batch_size=1000)
    table.create_index(["asked_at"])
    table.create_index(["status"])
    db.close()
    return path


def add_entries(snapshot: Path, index_path: Path) -> None:
    """The entries of the index beside the log, searchable in full text, so that every
    canned query runs in one database."""
    with sqlite3.connect(f"file:{index_path}?mode=ro", uri=True) as index:
        index.row_factory = sqlite3.Row
        rows = [
            dict(row)
            for row in index.execute(
                "select id, title, kind, file, line, answer, questions from entries order by n"
            )
        ]
    db = sqlite_utils.Database(snapshot)
    db["entries"].insert_all(rows, pk="id", replace=True)
    db["entries"].enable_fts(["title", "answer", "questions"], create_triggers=False)
    db.close()


def metadata() -> dict:
    return {
        "title": "Beredningsboten – kuratorernas vy",
        "description_html": index_html(),
        "databases": {
            LOG_DATABASE: {"queries": {name: dict(spec) for name, spec in QUERIES.items()}}
        },
        "plugins": {"datasette-dashboards": DASHBOARD},
    }


def index_html() -> str:
    """The index page's text: what the view is, and every canned query with its Swedish
    description and link (the queries live on the log database's page otherwise)."""
    from html import escape

    items = "".join(
        f'<li><a href="/{LOG_DATABASE}/{name}">{escape(spec["title"])}</a> – '
        f"{escape(spec['description'])}</li>"
        for name, spec in QUERIES.items()
    )
    return (
        "<p>Loggade frågor (utan användar-id) och kunskapsbasens entries. Läsläge: inget "
        f"här ändrar boten.</p><p>Färdiga frågor:</p><ul>{items}</ul>"
        '<p><a href="/-/dashboards/kuratorer">Frågor per dag (diagram)</a></p>'
    )


def prepare(rows: Iterable[Mapping], index_path: Path, folder: Path) -> tuple[Path, Path]:
    """The snapshot and the metadata file in `folder`; returns their paths."""
    snapshot = export_log(rows, folder / f"{LOG_DATABASE}.db")
    add_entries(snapshot, index_path)
    meta = folder / "metadata.json"
    meta.write_text(json.dumps(metadata(), ensure_ascii=False, indent=2), encoding="utf-8")
    return snapshot, meta


def datasette_command(
    snapshot: Path, index_path: Path, meta: Path, *, host: str, port: int
) -> list[str]:
    """Both files immutable (-i): Datasette opens them read-only."""
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(snapshot),
        "-i",
        str(index_path),
        "-m",
        str(meta),
        "-h",
        host,
        "-p",
        str(port),
        "--setting",
        "default_page_size",
        "50",
    ]


def serve(snapshot: Path, index_path: Path, meta: Path, *, host: str, port: int) -> None:
    """Becomes Datasette: a stop signal then reaches the server itself, leaving no orphan."""
    command = datasette_command(snapshot, index_path, meta, host=host, port=port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)
