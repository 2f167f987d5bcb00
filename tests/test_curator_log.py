"""The curators' report: grouping, proposals from picks and 👍, gaps, 👎."""

import json

import yaml

from bot.curator_log import (
    build_report,
    format_json,
    format_text,
    format_yaml,
    frequent_unresolved,
    group_questions,
)


def row(question, status="abstain", entry=None, picked=None, vote=None, asked="2026-11-01"):
    return {
        "question": question,
        "status": status,
        "entry_id": entry,
        "picked": picked,
        "vote": vote,
        "voted_entry": entry if vote else None,
        "asked_at": asked,
    }


ROWS = [
    row("Hur många bor i Huddinge?"),
    row("hur manga bor i huddinge", asked="2026-11-03"),
    row("Hur många bor i Huddinge??", asked="2026-11-02"),
    row("vem vann priset för demokrati", "suggest", "a", picked="demokratipris-vinnare"),
    row("vem vann priset for demokrati", "suggest", "a", picked="demokratipris-vinnare"),
    row("vilka fick demokratipriset", "answer", "demokratipris-vinnare", vote=1),
    row("Vilka fick demokratipriset?", "answer", "demokratipris-vinnare"),
    row("vad kostar kamerorna", "answer", "trygghetskameror-fokus-2021", vote=-1),
    row(None, "answer", "klotter-antal-2021"),
]
EXISTING = {
    "demokratipris-vinnare": ["Vilka fick demokratipriset?"],
    "trygghetskameror-fokus-2021": [],
}
FILES = {"demokratipris-vinnare": "knowledge/entries/demokratipris.yaml"}


def test_near_identical_questions_are_counted_as_one_group():
    groups = group_questions(ROWS)
    assert groups[0].count == 3
    assert groups[0].wording == "Hur många bor i Huddinge??"  # the latest row's wording
    assert sum(g.count for g in groups) == 8  # rows without text are only counted


def test_groups_nobody_resolved_need_an_entry_or_a_gap():
    unresolved = frequent_unresolved(ROWS)
    assert [(g.key, g.count) for g in unresolved] == [
        ("hur manga bor i huddinge", 3),
        ("vad kostar kamerorna", 1),  # a 👎 resolves nothing
    ]


def test_picks_and_upvotes_propose_wordings_the_entry_lacks():
    report = build_report(ROWS, EXISTING, FILES, {})
    # One proposal per wording (the two spellings fold alike), none the entry already has.
    assert report.proposals == {"demokratipris-vinnare": ["vem vann priset för demokrati"]}


def test_the_yaml_snippet_pastes_under_an_entrys_questions():
    snippet = format_yaml(build_report(ROWS, EXISTING, FILES, {}))
    assert "# demokratipris-vinnare (knowledge/entries/demokratipris.yaml)" in snippet
    items = [line for line in snippet.splitlines() if line.startswith("    - ")]
    pasted = yaml.safe_load("questions:\n" + "\n".join(items))
    assert pasted["questions"] == ["vem vann priset för demokrati"]


def test_the_most_downvoted_entries_come_with_their_questions():
    report = build_report(ROWS, EXISTING, FILES, {})
    assert report.downvoted == [("trygghetskameror-fokus-2021", 1, ["vad kostar kamerorna"])]


def test_text_and_json_reports_hold_the_same_findings():
    report = build_report(ROWS, EXISTING, FILES, {"answer": 4, "abstain": 3})
    text = format_text(report, retention_days=90)
    assert "besvarade: 4" in text and "obesvarade: 3" in text
    assert "Behöver en entry eller en lucka" in text
    data = json.loads(format_json(report))
    assert data["proposals"][0]["entry"] == "demokratipris-vinnare"
    assert data["most_downvoted"][0]["entry"] == "trygghetskameror-fokus-2021"
