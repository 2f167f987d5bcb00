import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeError, load_knowledge

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
ENTRY_FILE = "entries/kameror.yaml"


@pytest.fixture
def kb_dir(tmp_path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE, target)
    return target


def edit(kb_dir: Path, name: str, old: str, new: str) -> None:
    path = kb_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(kb_dir: Path) -> str:
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(kb_dir)
    return str(raised.value)


def test_the_fixture_knowledge_is_valid(kb_dir):
    kb = load_knowledge(kb_dir)
    assert [entry.id for entry in kb.entries] == ["kameror-plan"]
    assert kb.entries[0].line == 1
    assert kb.entries[0].source.quote.startswith("Beredningen beslutade den 3 mars 2021 att godk")


BROKEN = [
    (
        "missing answer_en",
        ENTRY_FILE,
        "  answer_en: On 3 March",
        "  notes: On 3 March",
        "entries/kameror.yaml:1: answer_en: required field missing",
    ),
    (
        "unknown field",
        ENTRY_FILE,
        "  status: decided",
        "  status: decided\n  colour: red",
        "entries/kameror.yaml:18: colour: unknown field",
    ),
    (
        "quote not verbatim",
        ENTRY_FILE,
        "planen för 12 trygghetskameror\n",
        "planen för 13 trygghetskameror\n",
        "entries/kameror.yaml:13: source.quote: quote not found verbatim in document 'protokoll'; "
        "the nearest wording there is: 'Beredningen beslutade den 3 mars 2021 att godkänna "
        "planen för 12 trygghetskameror'",
    ),
    (
        "unknown document",
        ENTRY_FILE,
        "    document: protokoll",
        "    document: protocol",
        "entries/kameror.yaml:11: source.document: unknown document id 'protocol'",
    ),
    (
        "bad kind",
        ENTRY_FILE,
        "  kind: decision",
        "  kind: decree",
        "entries/kameror.yaml:2: kind: 'decree' is not one of",
    ),
    (
        "bad id",
        ENTRY_FILE,
        "- id: kameror-plan",
        "- id: Kameror_Plan",
        "entries/kameror.yaml:1: id: 'Kameror_Plan' is not kebab-case",
    ),
    (
        "bad date",
        ENTRY_FILE,
        '  dates: ["2021-03-03"]',
        '  dates: ["3 mars 2021"]',
        "entries/kameror.yaml:15: dates: '3 mars 2021' is not ISO",
    ),
    (
        "too few questions",
        ENTRY_FILE,
        "    - How many cameras are planned?\n",
        "",
        "entries/kameror.yaml:6: questions: needs at least 3 questions",
    ),
    (
        "invented number",
        ENTRY_FILE,
        "planen för 12 trygghetskameror i Exempelby.",
        "planen för 14 trygghetskameror i Exempelby.",
        "entries/kameror.yaml:4: answer: number 14 occurs neither in the quote nor in its section",
    ),
    (
        "decimal number",
        ENTRY_FILE,
        "planen för 12 trygghetskameror i Exempelby.",
        "planen för 1,5 trygghetskameror i Exempelby.",
        "entries/kameror.yaml:4: answer: number 1,5 occurs neither in the quote nor in its "
        "section",
    ),
    (
        "invented date",
        ENTRY_FILE,
        "Beredningen godkände den 3 mars 2021",
        "Beredningen godkände den 4 mars 2021",
        "entries/kameror.yaml:4: answer: date 4 mars occurs nowhere in 'protokoll'",
    ),
    (
        "wrong type",
        ENTRY_FILE,
        "  places: [Exempelby]",
        "  places: Exempelby",
        "entries/kameror.yaml:16: places: must be a list of strings",
    ),
    (
        "bad area",
        ENTRY_FILE,
        "  area: Ökad trygghet",
        "  area: Trygghet",
        "entries/kameror.yaml:14: area: 'Trygghet' is not one of",
    ),
    (
        "broken YAML",
        ENTRY_FILE,
        "  kind: decision",
        "  kind: [decision",
        "entries/kameror.yaml:3: YAML syntax error",
    ),
    (
        "duplicate key",
        ENTRY_FILE,
        "  status: decided",
        "  status: decided\n  kind: gap",
        "entries/kameror.yaml:18: YAML syntax error: duplicate key 'kind'",
    ),
    (
        "document date",
        "documents.yaml",
        'date: "2021-03-03"',
        "date: 3 mars 2021",
        "documents.yaml:4: date: must be an ISO date YYYY-MM-DD",
    ),
    (
        "span markers",
        "documents.yaml",
        "ends_with: SLUT",
        "ends_with: FINIS",
        "documents.yaml:1: starts_with/ends_with: markers not found in the source file",
    ),
]


@pytest.mark.parametrize(
    ("name", "file", "old", "new", "expected"), BROKEN, ids=[case[0] for case in BROKEN]
)
def test_broken_knowledge_names_file_line_and_field(kb_dir, name, file, old, new, expected):
    edit(kb_dir, file, old, new)
    assert expected in problems_of(kb_dir)


def test_duplicate_ids_across_files_are_reported(kb_dir):
    shutil.copy(kb_dir / ENTRY_FILE, kb_dir / "entries" / "zz-copy.yaml")
    assert "entries/zz-copy.yaml:1: id: duplicate id, first in" in problems_of(kb_dir)


def test_validate_command_fails_with_the_message_and_exit_status(kb_dir):
    edit(kb_dir, ENTRY_FILE, "  kind: decision", "  kind: decree")
    result = CliRunner().invoke(main, ["validate", str(kb_dir)])
    assert result.exit_code == 1
    assert "kind: 'decree' is not one of" in result.output


def test_validate_command_passes_on_the_shipped_knowledge():
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    assert result.output.startswith(
        f"OK: {len(kb.documents)} documents, {len(kb.entries)} entries"
    )


# -- the shipped knowledge base ------------------------------------------------------------


def test_every_priority_has_an_entry_with_its_area(knowledge):
    by_priority = {}
    for entry in knowledge.entries:
        if entry.priority:
            by_priority.setdefault(entry.priority, set()).add(entry.area)
    assert sorted(by_priority) == list(range(1, 14))
    declared = set(knowledge.documents["verksamhetsberattelse"].areas)
    assert len(declared) == 4
    assert all(areas <= declared and areas for areas in by_priority.values())


def test_every_referral_and_protocol_note_has_entries(knowledge):
    referrals = [entry for entry in knowledge.entries if entry.kind == "referral"]
    assert len(referrals) >= 8  # seven remisser and the list of all
    parties = {
        entry.party
        for entry in knowledge.entries
        if entry.source.document.startswith("anteckning-")
    }
    assert parties == {"S", "V", "MP"}


def test_note_entries_name_their_party_and_a_signatory(knowledge):
    for entry in knowledge.entries:
        if not entry.source.document.startswith("anteckning-"):
            continue
        document = knowledge.documents[entry.source.document]
        surnames = [name.split()[1] for name in document.signatories]
        assert entry.party, entry.id
        assert any(surname in entry.answer for surname in surnames), entry.id


def test_every_other_information_point_has_an_entry(knowledge):
    quotes = " ".join(e.source.quote for e in knowledge.entries if e.kind == "information")
    for point in (
        "kommunpolisen",
        "programmet för trygghet och säkerhet",
        "Utvecklingsplaner",
        "Segeltorps scoutkår",
        "Socialtjänstens roll",
        "Handlingsplan för ökat",
        "återvinningsstationer",
    ):
        assert point in quotes, point


def test_numbers_in_answers_occur_in_their_quote_or_document(knowledge):
    for entry in knowledge.entries:
        document = knowledge.documents[entry.source.document]
        source = " ".join(knowledge.sources[document.source_file].split())
        for number in re.findall(r"\d+", entry.answer):
            assert number in entry.source.quote or number in source, (entry.id, number)


def test_answers_are_short_and_bilingual(knowledge):
    for entry in knowledge.entries:
        assert entry.answer_en, entry.id
        assert len(entry.answer) <= 700, entry.id
