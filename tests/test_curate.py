"""`python -m bot curate`: Datasette serves every canned query, the chart and the pages."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.curator_view import QUERIES
from bot.state import SqliteStateStore

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def curator_view(index_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("curate")
    store = SqliteStateStore(folder / "state.db", key=b"test")
    store.create_schema()
    store.log_question("hur många bor i huddinge", "abstain", None)
    store.log_question("hur manga bor i huddinge", "abstain", None)
    suggested = store.log_question(
        "priset",
        "suggest",
        "demokratipris-vinnare",
        ["demokratipris-vinnare", "demokratipris-utdelning"],
    )
    store.record_pick(suggested, "demokratipris-utdelning")
    store.log_question(
        "vilka yttrade sig",
        "answer",
        None,
        kind="passage",
        passage={"document": "protokoll", "section": "Överläggning", "text": "I ärendet …"},
    )
    answered = store.log_question("Vad kostar kamerorna?", "answer", "trygghetskameror-fokus-2021")
    token = store.issue_feedback(answered, "trygghetskameror-fokus-2021", "Vad kostar kamerorna?")
    store.record_vote(store.redeem_feedback(token), up=False)
    store.close()
    port = free_port()
    env = {**os.environ, "BOT_STATE_DB": str(folder / "state.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "curate", "--port", str(port), "--db", str(index_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/.json", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"curate did not start: {process.stderr.read()}")
    yield base
    process.terminate()
    process.wait(timeout=10)


def query(base: str, name: str, **params) -> list[dict]:
    response = httpx.get(
        f"{base}/kuratorslogg/{name}.json", params={"_shape": "objects", **params}
    )
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def test_every_canned_query_is_listed(curator_view):
    listed = {q["name"] for q in httpx.get(f"{curator_view}/kuratorslogg.json").json()["queries"]}
    assert listed == set(QUERIES)


def test_the_most_asked_unresolved_questions_this_month(curator_view):
    rows = query(curator_view, "mest_fragade_obesvarade_denna_manad")
    assert rows[0]["antal"] == 2 and rows[0]["fraga"].startswith("hur m")
    assert all(row["fraga"] != "priset" for row in rows)  # resolved by a pick


def test_picks_and_downvotes_per_entry(curator_view):
    [pick] = query(curator_view, "val_per_entry")
    assert (pick["entry"], pick["val"]) == ("demokratipris-utdelning", 1)
    assert pick["titel"]
    [down] = query(curator_view, "tummen_ner_per_entry")
    assert (down["entry"], down["tummen_ner"]) == ("trygghetskameror-fokus-2021", 1)
    assert down["fragor"] == "Vad kostar kamerorna?"


def test_entries_never_shown_leave_out_the_shown_and_the_offered_ones(curator_view):
    never = {row["entry"] for row in query(curator_view, "entries_som_aldrig_visats")}
    assert "demokratipris-utdelning" not in never
    assert "demokratipris-vinnare" not in never  # offered as a choice
    assert "trygghetskameror-fokus-2021" not in never
    assert "klotter-antal-2021" in never


def test_passage_answers_are_listed_with_their_passage(curator_view):
    [row] = query(curator_view, "svar_ur_kalltexten")
    assert (row["avsnitt"], row["fragor"]) == ("Överläggning", "vilka yttrade sig")


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_each_query_answers_as_json_without_parameters(curator_view, name):
    response = httpx.get(f"{curator_view}/kuratorslogg/{name}.json", params={"_shape": "objects"})
    assert response.status_code == 200, response.text


def test_the_entry_search_shows_its_form_and_every_entry_when_empty(curator_view):
    page = httpx.get(f"{curator_view}/kuratorslogg/sok_i_entries")
    assert page.status_code == 200 and 'name="sok"' in page.text
    assert len(query(curator_view, "sok_i_entries", sok="")) == 50


def test_the_index_page_lists_the_queries_with_their_descriptions(curator_view):
    page = httpx.get(curator_view + "/").text
    for name, spec in QUERIES.items():
        assert f'href="/kuratorslogg/{name}"' in page
        assert spec["description"].split(":")[0] in page


def test_questions_per_day_and_full_text_search(curator_view):
    per_day = query(curator_view, "fragor_per_dag")
    assert sum(row["antal"] for row in per_day) == 5
    assert {row["status"] for row in per_day} == {"abstain", "suggest", "answer"}
    found = query(curator_view, "sok_i_entries", sok="Grantorp")
    assert any("grantorp" in row["entry"] for row in found)
    assert query(curator_view, "sok_i_entries", sok='kameror AND "') is not None


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/kuratorslogg",
        "/kuratorslogg/questions",
        "/knowledge/entries",
        *(f"/kuratorslogg/{name}" for name in sorted(QUERIES)),
        "/-/dashboards/kuratorer",
    ],
)
def test_the_pages_render_as_html(curator_view, path):
    response = httpx.get(curator_view + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


def test_the_chart_is_declared_on_the_dashboard(curator_view):
    page = httpx.get(f"{curator_view}/-/dashboards/kuratorer").text
    assert "Frågor per dag och status" in page
    assert "vega-lite.min.js" in page


def test_the_view_is_read_only(curator_view):
    response = httpx.get(
        f"{curator_view}/kuratorslogg.json",
        params={"sql": "delete from questions", "_shape": "objects"},
    )
    assert response.status_code in (400, 403)
