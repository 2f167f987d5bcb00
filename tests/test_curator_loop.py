"""The curator loop, end to end: a scripted session (questions, a pick, a 👎) gives a report
whose YAML snippet, pasted under the entry's questions, validates and is then answered."""

import json
import shutil
from pathlib import Path

from telegram_fakes import callback_update, running_bot

from bot.curator_log import build_report, format_yaml
from bot.engine import Engine
from bot.index import build_index, open_read_only
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge

VAGUE = "demokrati"
# Wordings that name two things at once (a choice between entries); which of them the
# fitted model answers with choices depends on the fit, so the test takes the first.
TWO_TOPICS = (
    "Grantorp detaljplan kameror",
    "kameror skolan garage",
    "demokratidagar demokratipris",
    "remiss detaljplan Grantorp Österhagen",
    "klotter kameror Grantorp",
    "Huddingeförslag demokratidagar",
)


def choice_question(engine) -> tuple[str, str]:
    """A wording answered with choices, one of which answers it (the curator's pick)."""
    for question in TWO_TOPICS:
        answer = engine.answer(question)
        for number, suggestion in enumerate(answer.suggestions, start=1):
            if engine.can_answer(question, suggestion.entry_id):
                return question, str(number)
    raise AssertionError("no wording of TWO_TOPICS gets choices any more: add one")


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


def test_the_loop_in_the_terminal_ask_report_paste_validate_answered(engine, index_path, tmp_path):
    from click.testing import CliRunner

    from bot.cli import main

    env = {"BOT_STATE_DB": str(tmp_path / "state.db")}
    runner = CliRunner()
    asked, pick = choice_question(engine)
    session = f"{asked}\n{pick}\n"
    chat = runner.invoke(main, ["chat", "--db", str(index_path)], input=session, env=env)
    assert chat.exit_code == 0, chat.output
    assert "Menade du" in chat.output
    report = runner.invoke(main, ["report", "--format", "yaml"], env=env)
    assert report.exit_code == 0, report.output
    snippet = report.output
    assert f"    - {asked}" in snippet
    picked = next(line for line in snippet.splitlines() if line.startswith("# ")).split()[1]

    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    files = {e.id: e.file for e in load_knowledge(knowledge).entries}
    paste(snippet, knowledge / "entries" / Path(files[picked]).name, picked)
    validated = runner.invoke(main, ["validate", str(knowledge)])
    assert validated.exit_code == 0, validated.output

    db = tmp_path / "kb.db"
    built = runner.invoke(main, ["build", str(knowledge), "--db", str(db), "--no-semantic"])
    assert built.exit_code == 0, built.output
    answered = runner.invoke(main, ["ask", "--json", "--db", str(db), asked], env=env)
    assert json.loads(answered.output)["entry_id"] == picked


def test_batch_ask_and_eval_never_write_the_curator_log(index_path, tmp_path):
    from click.testing import CliRunner

    from bot.cli import main

    env = {"BOT_STATE_DB": str(tmp_path / "state.db")}
    runner = CliRunner()
    runner.invoke(main, ["ask", "--json", "--db", str(index_path)], input='"demokrati"\n', env=env)
    data = Path(__file__).parent / "data" / "dev-questions.yaml"
    runner.invoke(main, ["eval", "--db", str(index_path), str(data)], env=env)
    assert not (tmp_path / "state.db").exists()


def test_the_terminal_chat_logs_questions_picks_and_votes(engine, tmp_path):
    from bot.state import open_state_store
    from bot.terminal_chat import TerminalChat

    store = open_state_store(database_url=None, sqlite_path=tmp_path / "s.db", key=b"k")
    chat = TerminalChat(engine, store)
    assert "Menade du" in chat.respond(VAGUE)
    chat.respond("1")
    chat.respond(PRIZE)
    assert chat.respond("-") == "Tack för omdömet!"
    assert chat.respond("-").startswith("Det finns inget svar att betygsätta")
    rows = store.question_rows()
    assert [row["status"] for row in rows] == ["suggest", "answer"]
    assert rows[0]["picked"] and rows[0]["question"] == VAGUE
    assert rows[1]["vote"] == -1 and rows[1]["question"] == PRIZE
    assert chat.respond("7").startswith("Det finns inga förslag")


def test_a_pick_the_entry_cannot_answer_is_not_proposed(engine):
    rows = [
        {"id": 1, "asked_at": "2026-01-01", "status": "suggest", "question": VAGUE,
         "picked": "demokratidagar-2021-i-korthet"},
        {"id": 2, "asked_at": "2026-01-02", "status": "suggest",
         "question": "Finns det kameror i Vårby?", "picked": "trygghetskameror-i-korthet"},
    ]  # fmt: skip
    existing = {"demokratidagar-2021-i-korthet": (), "trygghetskameror-i-korthet": ()}
    report = build_report(rows, existing, {}, {}, check=engine.can_answer)
    assert report.proposals == {}
    assert {g.wording for g in report.unresolved} == {VAGUE, "Finns det kameror i Vårby?"}


def test_a_question_answered_by_a_gap_counts_as_answered_and_passages_are_candidates():
    passage = {
        "document": "protokoll",
        "section": "Överläggning",
        "text": "I ärendet yttrar sig …",
    }
    rows = [
        {"id": 1, "asked_at": "2026-01-01", "status": "abstain", "kind": "gap",
         "question": "vad kostade kamerorna?"},
        {"id": 2, "asked_at": "2026-01-02", "status": "answer", "kind": "passage",
         "question": "vilka yttrade sig?", "passage": json.dumps(passage)},
    ]  # fmt: skip
    report = build_report(rows, {}, {}, {})
    assert report.unresolved == []
    assert report.passages == [{**passage, "questions": ["vilka yttrade sig?"], "count": 1}]
