"""add-document: the text is copied verbatim, the record appended and drafts written that
validate explains line by line; a completed draft is then answered."""

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.engine import Engine
from bot.index import build_index, open_read_only
from bot.knowledge import load_knowledge

FIXTURES = Path(__file__).parent / "fixtures"
NEW = FIXTURES / "new-protocol.txt"
OPTIONS = [
    "--id", "ks-2023-99-1", "--title", "Protokoll 3 december 2023", "--kind", "protocol",
    "--date", "2023-12-03", "--reference", "KS-2023/99.1, § 4",
]  # fmt: skip


def added(tmp_path: Path) -> tuple[Path, object]:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb", knowledge)
    result = CliRunner().invoke(
        main, ["add-document", str(NEW), *OPTIONS, "--knowledge", str(knowledge)]
    )
    return knowledge, result


def test_the_text_is_copied_verbatim_and_the_record_appended(tmp_path):
    knowledge, result = added(tmp_path)
    assert result.exit_code == 0, result.output
    assert (knowledge / "sources" / "ks-2023-99-1.txt").read_bytes() == NEW.read_bytes()
    records = yaml.safe_load((knowledge / "documents.yaml").read_text(encoding="utf-8"))
    assert records[-1]["id"] == "ks-2023-99-1"
    assert records[-1]["reference"] == "KS-2023/99.1, § 4"
    assert "Wrote 3 draft entries" in result.output


def test_validate_explains_each_draft_line_by_line_and_indexes_none(tmp_path):
    knowledge, _ = added(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(knowledge)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.endswith(", not indexed)")]
    drafts = knowledge / "entries" / "ks-2023-99-1.yaml"
    assert any(
        line.startswith(f"{drafts}:") and ": answer_en: required field missing" in line
        for line in lines
    ), result.output
    assert any(": questions: needs at least 3 questions" in line for line in lines)
    assert all("(draft ks-2023-99-1-" in line for line in lines)
    assert result.output.splitlines()[-1].endswith("3 draft(s) not indexed")
    assert [e.id for e in load_knowledge(knowledge).entries] == ["kameror-plan"]


def test_a_completed_draft_is_published_and_answered(tmp_path):
    knowledge, _ = added(tmp_path)
    path = knowledge / "entries" / "ks-2023-99-1.yaml"
    drafts = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = drafts[0]
    assert first["source"]["quote"].startswith("Beredningen beslutar att ge förvaltningen")
    first.pop("draft")
    first.update(
        answer="Beredningen gav förvaltningen i uppdrag att förbättra belysningen i "
        "Exempelparken före årsskiftet; arbetet redovisas i mars 2024.",
        answer_en="The committee asked the administration to improve the lighting in "
        "Exempelparken before the new year; the work is reported in March 2024.",
        questions=[
            "Vad beslutade beredningen om belysningen?",
            "blir det bättre belysning i exempelparken",
            "What was decided about the lighting in the park?",
        ],
        kind="decision",
    )
    path.write_text(yaml.safe_dump(drafts, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(knowledge)])
    assert result.exit_code == 0, result.output
    assert "2 draft(s) not indexed" in result.output
    db = build_index(load_knowledge(knowledge), tmp_path / "kb.db", semantic=False)
    answer = Engine(open_read_only(db), semantic=False).answer(
        "Vad beslutade beredningen om belysningen i Exempelparken?"
    )
    assert answer.status == "answer" and answer.entry_id == first["id"]
    assert answer.sources[0].reference == "KS-2023/99.1, § 4"


def test_drafts_get_a_kind_from_their_heading_and_start_from_their_sections_text(tmp_path):
    knowledge, _ = added(tmp_path)
    drafts = yaml.safe_load((knowledge / "entries" / "ks-2023-99-1.yaml").read_text("utf-8"))
    by_title = {draft["title"]: draft for draft in drafts}
    assert by_title["Beslut om belysning"]["kind"] == "decision"
    assert by_title["Information om simhallen"]["kind"] == "information"
    assert by_title["Information om simhallen"]["answer"].startswith(
        "Beredningen fick information om att simhallen i Exempelby"
    )


def test_the_body_is_found_in_the_document_not_taken_from_the_title(tmp_path):
    knowledge, _ = added(tmp_path)
    records = yaml.safe_load((knowledge / "documents.yaml").read_text(encoding="utf-8"))
    assert records[-1]["body"] == "Exempelberedningen"


def test_a_mistyped_kind_is_refused_with_the_allowed_ones(tmp_path):
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb", knowledge)
    options = [*OPTIONS]
    options[options.index("protocol")] = "protokol"
    result = CliRunner().invoke(
        main, ["add-document", str(NEW), *options, "--knowledge", str(knowledge)]
    )
    assert result.exit_code == 2
    assert "'protokol' is not one of" in result.output and "protocol-note" in result.output


def test_an_id_already_in_use_is_refused(tmp_path):
    knowledge, _ = added(tmp_path)
    again = CliRunner().invoke(
        main, ["add-document", str(NEW), *OPTIONS, "--knowledge", str(knowledge)]
    )
    assert again.exit_code == 1
    assert "already has it" in again.output
