import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.curator_log import CuratorLog, format_report, scrub_question


@pytest.fixture
def log(tmp_path):
    return CuratorLog(tmp_path / "log.db", retention_days=90)


def rows(log):
    with sqlite3.connect(log.path) as db:
        return db.execute(
            "SELECT status, question, entry_id FROM questions ORDER BY id"
        ).fetchall()


def test_gap_questions_are_kept_and_answered_ones_only_counted(log):
    log.record("Vem fick demokratipriset?", "answer", "demokratipris-vinnare")
    log.record("Hur mycket kostade demokratidagarna?", "abstain")
    log.record("klotter", "suggest", "klotter-antal-2021")
    log.record("Vem fick priset?", "downvote", "demokratipris-vinnare")
    assert rows(log) == [
        ("answer", None, "demokratipris-vinnare"),
        ("abstain", "Hur mycket kostade demokratidagarna?", None),
        ("suggest", "klotter", "klotter-antal-2021"),
        ("downvote", "Vem fick priset?", "demokratipris-vinnare"),
    ]
    assert log.counts() == {"answer": 1, "abstain": 1, "suggest": 1, "downvote": 1, "upvote": 0}


def test_the_table_has_no_user_or_chat_columns(log):
    with sqlite3.connect(log.path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(questions)")]
    assert columns == ["id", "asked_at", "status", "question", "entry_id"]


def test_questions_are_capped_and_scrubbed_of_contact_details():
    assert scrub_question("Ring mig på 070-123 45 67 eller anna@example.se!") == (
        "Ring mig på <nummer> eller <e-post>!"
    )
    assert scrub_question("Mitt personnummer är 19800101-1234") == "Mitt personnummer är <nummer>"
    assert scrub_question("Vad hände 2021?") == "Vad hände 2021?"
    long = scrub_question("a" * 1000)
    assert len(long) == 300
    assert long.endswith("…")


def test_unknown_status_is_refused(log):
    with pytest.raises(ValueError, match="unknown status 'maybe'"):
        log.record("x", "maybe")


def test_old_rows_are_pruned(log):
    old = (datetime.now(UTC) - timedelta(days=91)).isoformat(timespec="seconds")
    with sqlite3.connect(log.path) as db:
        db.execute(
            "INSERT INTO questions (asked_at, status, question) VALUES (?, 'abstain', 'gammal')",
            (old,),
        )
    log.record("ny", "abstain")
    assert log.prune() == 1
    assert rows(log) == [("abstain", "ny", None)]


def test_frequent_gaps_group_case_insensitively_most_frequent_first(log):
    for question in ["Öppettider?", "öppettider?", "ÖPPETTIDER?", "Kostnad?", "Kostnad?"]:
        log.record(question, "abstain")
    log.record("Vem fick priset?", "suggest", "demokratipris-vinnare")
    gaps = log.frequent_gaps(limit=2)
    assert [(gap.question, gap.count, gap.statuses) for gap in gaps] == [
        ("ÖPPETTIDER?", 3, ("abstain",)),
        ("Kostnad?", 2, ("abstain",)),
    ]


def test_report_lists_counts_and_gaps(log):
    log.record("Kostnad?", "abstain")
    log.record("Kostnad?", "downvote", "demokratidagar-2021")
    log.record("Vem fick priset?", "answer", "demokratipris-vinnare")
    report = format_report(str(log.path), limit=5, retention_days=90)
    assert report.splitlines()[1:] == [
        "  besvarade: 1, obesvarade: 1, förslag: 0, 👎: 1, 👍: 0",
        "",
        "Vanligaste luckorna (högst 5):",
        "   2  Kostnad?  [obesvarade/👎] -> demokratidagar-2021",
    ]


def test_report_on_a_missing_log_says_so(tmp_path):
    path = str(tmp_path / "none.db")
    assert format_report(path) == f"Inga frågor loggade ännu ({path} finns inte)."
    assert not (tmp_path / "none.db").exists()
