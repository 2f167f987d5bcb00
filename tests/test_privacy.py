"""What may be stored of a question: personal data and secrets masked."""

from pathlib import Path

import pytest
import yaml

from bot.privacy import scrub

TOKEN = "123456789:AAEhBP0av28cDrwJr3ncjmMVyD0Dv1fWbHQ"


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("ring mig på 070-123 45 67", "<telefon>", "070"),
        ("+46 70 123 45 67 efter fem", "<telefon>", "123"),
        ("mitt personnummer är 19800101-1234", "<personnummer>", "1234"),
        ("mejla anna.svensson@example.se tack", "<e-post>", "anna"),
        ("jag bor på Storgatan 12B i Flemingsberg", "<adress>", "Storgatan"),
        (f"här är token {TOKEN} ok", "<hemligt>", "AAEh"),
        ("lösen Xy7kQ2mZp9LwR4tV8nBc1dFg", "<hemligt>", "Xy7kQ2"),
        ("Jag heter Anna Svensson och undrar om kameror", "Jag heter <namn>", "Svensson"),
        ("Min granne Per Olsson säger att det är otryggt", "<namn>", "Olsson"),
    ],
)
def test_personal_data_and_secrets_are_masked(text, kept, gone):
    masked = scrub(text)
    assert kept in masked
    assert gone not in masked


def test_a_pasted_token_is_masked_whole_not_as_a_number():
    assert scrub(TOKEN) == "<hemligt>"


def test_names_the_knowledge_uses_are_kept():
    known = {"eva ganters", "kungens kurva"}
    text = "Varför fick Eva Ganters priset i Kungens Kurva?"
    assert scrub(text, known=known) == text


def test_questions_are_one_line_and_capped():
    assert scrub("a\n\nb  c") == "a b c"
    assert len(scrub("x" * 1000)) == 300


CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "personal-data.yaml").read_text("utf-8"))


@pytest.mark.parametrize("item", CORPUS, ids=[item["text"][:30] for item in CORPUS])
def test_the_personal_data_corpus_is_masked(item, engine):
    masked = scrub(item["text"], known=engine.known_names())
    for gone in item.get("gone", []):
        assert gone not in masked, masked
    for kept in item.get("kept", []):
        assert kept in masked, masked
