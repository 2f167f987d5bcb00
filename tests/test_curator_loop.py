"""The curator loop, end to end: a scripted session (questions, a pick, a 👎) gives a report
whose YAML snippet, pasted under the entry's questions, validates and is then answered."""

import shutil
from pathlib import Path

from telegram_fakes import callback_update, running_bot

from bot.curator_log import build_report, format_yaml
from bot.engine import Engine
from bot.index import build_index, open_read_only
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge

VAGUE = "demokrati"
PRIZE = "Vem fick demokratipriset 2021?"


def paste(snippet: str, entry_file: Path, entry_id: str) -> None:
    """What a curator does: the snippet's list items go under the entry's questions:."""
    items = [line for line in snippet.splitlines() if line.startswith("    - ")]
    lines = entry_file.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"- id: {entry_id}")
    at = next(i for i in range(start, len(lines)) if lines[i].strip() == "questions:")
    indent = lines[at + 1][: len(lines[at + 1]) - len(lines[at + 1].lstrip())]
    pasted = [indent + item.strip() for item in items]
    entry_file.write_text("\n".join([*lines[: at + 1], *pasted, *lines[at + 1 :]]) + "\n")


async def test_a_pick_becomes_a_pasteable_wording_that_is_then_answered(engine, tmp_path):
    async with running_bot(engine, tmp_path) as bot:
        await bot.say(VAGUE)
        picked = bot.telegram.buttons()[1][1][2:]  # the second choice
        await bot.send(callback_update(f"e:{picked}"))
        await bot.say(PRIZE)
        token = next(d for _, d in bot.telegram.buttons() if d.startswith("f:-:"))[4:]
        await bot.send(callback_update(f"f:-:{token}"))
        rows = bot.services.store.question_rows()

    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    kb = load_knowledge(knowledge)
    existing = {e.id: e.questions for e in kb.entries}
    files = {e.id: e.file for e in kb.entries}
    report = build_report(rows, existing, files, {})
    assert report.downvoted[0][0] == engine.answer(PRIZE).entry_id
    snippet = format_yaml(report)
    assert f"# {picked} (" in snippet and f"    - {VAGUE}" in snippet

    entry_file = knowledge / "entries" / Path(files[picked]).name
    paste(snippet, entry_file, picked)
    pasted = load_knowledge(knowledge)  # validates, or raises naming file:line
    assert VAGUE in next(e for e in pasted.entries if e.id == picked).questions

    db = build_index(pasted, tmp_path / "kb.db", semantic=False)
    answer = Engine(open_read_only(db), semantic=False).answer(VAGUE)
    assert (answer.status, answer.entry_id) == ("answer", picked)
