"""A document added with add-document answers from its own text on day one, before anyone
has written its entries, and declines what its text does not say. The fixture is a fictional
protocol no bar or model was fitted on (scripts/fit_new_document_bar.py fits on another)."""

import shutil
from pathlib import Path

import pytest

from bot.add_document import add_described_document
from bot.engine import Engine
from bot.evaluation import load_eval_items, score_item
from bot.index import build_index, open_read_only
from bot.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "fixtures" / "new-documents" / "fritidsnamnd-2023-05"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("day-one")
    knowledge = folder / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    source, _, _ = add_described_document(knowledge, UNSEEN)
    engine = Engine(open_read_only(build_index(load_knowledge(knowledge), folder / "index.db")))
    items = load_eval_items(UNSEEN / "questions.yaml")
    return source.stem, [score_item(item, engine.answer(item["q"])) for item in items]


def test_questions_about_a_new_document_are_answered_from_its_passages(results):
    document, scored = results
    from_passages = [r for r in scored if r.correct and r.answer.kind == "passage"]
    assert len(from_passages) >= 5, [r.item["q"] for r in from_passages]
    assert {r.answer.sources[0].document for r in from_passages} == {document}


def test_what_the_new_document_does_not_say_is_still_declined(results):
    _, scored = results
    answered = [r.item["q"] for r in scored if r.item.get("abstain") and not r.correct]
    assert not answered
