import sqlite3

import pytest

from bot.index import (
    build_index,
    index_is_stale,
    open_read_only,
    semantic_encoder,
    split_compound,
    term_aliases,
)
from bot.text import fold, stem, terms


def dump(path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_building_twice_gives_the_same_content(knowledge, tmp_path):
    first = build_index(knowledge, tmp_path / "a.db")
    second = build_index(knowledge, tmp_path / "b.db")
    assert dump(first) == dump(second)


def test_the_index_opens_read_only(index_path):
    connection = open_read_only(index_path)
    assert connection.execute("select count(*) from entries").fetchone()[0] > 100
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("delete from entries")


def test_a_missing_index_is_an_error_not_an_empty_database(tmp_path):
    with pytest.raises(sqlite3.OperationalError):
        open_read_only(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_an_index_older_than_the_knowledge_is_stale(index_path, tmp_path):
    assert index_is_stale(tmp_path / "missing.db")
    assert not index_is_stale(index_path)


def test_compounds_split_into_known_parts():
    vocabulary = {"trygghet", "kamer", "klotter", "arend", "pris"}
    assert split_compound("trygghetskamer", vocabulary) == ["trygghet", "kamer"]
    assert split_compound("klotterarend", vocabulary) == ["klotter", "arend"]
    assert split_compound("annerstaskolan", vocabulary | {"skolan"}) == ["skolan"]
    assert split_compound("demokratidag", vocabulary | {"idag"}) == []  # not demokrat+idag
    assert split_compound("kamer", vocabulary) == []


def test_definite_forms_alias_to_their_base_but_not_other_words():
    aliases = term_aliases({"arendet", "arend", "demokratin", "demokrati", "miljon", "miljo"})
    assert aliases == {"arendet": "arend", "demokratin": "demokrati"}


def test_folding_and_stemming_meet_in_the_middle():
    assert fold("Trångsund ÖSTERHAGEN") == "trangsund osterhagen"
    assert stem(fold("trygghetskamerorna")) == stem(fold("trygghetskameror"))
    assert terms("Vad är det för klotter?") == [stem("klotter")]


def test_places_are_indexed_for_lookup(index_path):
    connection = open_read_only(index_path)
    rows = connection.execute("select entry from places where folded = 'varby'").fetchall()
    assert len(rows) >= 3


def test_men_is_a_word_not_the_pronoun_man():
    assert terms("mäns våld mot kvinnor") == [stem("maens"), stem("vald"), stem("kvinnor")]
    assert terms("man kan fråga") == []


def test_an_unusable_embedding_cache_falls_back_to_plain_encoding(tmp_path, caplog):
    from bot import semantic

    if not semantic.available():
        pytest.skip("the semantic extra is not installed")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    encode = semantic_encoder(blocker / "embedding-cache.db")
    assert encode is semantic.encode_texts
    assert "embedding cache" in caplog.text
