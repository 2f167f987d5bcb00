"""A second annual report works without code changes: years, plans, areas and the scope
come from the knowledge files (a small fictional pair of reports)."""

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.index import build_index, open_read_only
from bot.knowledge import load_knowledge

FIXTURE = Path(__file__).parent / "fixtures" / "two-reports"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("two") / "kb.db"
    build_index(load_knowledge(FIXTURE), path, semantic=False)
    return Engine(open_read_only(path), semantic=False)


def test_each_year_is_answered_from_its_own_report(engine):
    later = engine.answer("Hur många trygghetskameror installerades 2022?")
    earlier = engine.answer("Hur många trygghetskameror installerades 2021?")
    assert (later.status, later.sources[0].document) == ("answer", "rapport-2022")
    assert "20 trygghetskameror" in later.answer
    assert (earlier.status, earlier.sources[0].document) == ("answer", "rapport-2021")


def test_a_plan_is_future_relative_to_the_year_its_report_covers(engine):
    plan_2021 = engine.searcher.entry_by_id("parklek-plan")
    done_2022 = engine.searcher.entry_by_id("parklek-invigd")
    assert plan_2021.satisfies("future")  # 2022 is after the 2021 report's period
    assert not done_2022.satisfies("future")  # and the 2022 report tells it as done


def test_areas_and_the_scope_come_from_the_documents(engine):
    assert engine.areas() == ["Ökad trygghet", "Bättre miljö"]
    scope = engine.scope("sv")
    assert "Verksamhetsberättelse 2021 för Exempelberedningen" in scope
    assert "Verksamhetsberättelse 2022 för Exempelberedningen" in scope
    assert "Huddinge" not in scope


def test_the_timeline_spans_both_reports(engine):
    text = engine.timeline("sv").answer
    assert "oktober 2021" in text and "maj 2022" in text
