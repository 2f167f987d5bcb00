"""Two webhook replicas over one real PostgreSQL behave as one bot."""

import html

import pytest
from telegram_fakes import ADMIN_ID, TOKEN, callback_update, message_update, running_bot
from test_state import fresh_postgres

PRIZE = "Vem fick demokratipriset 2021?"


@pytest.fixture
def shared(postgres_url):
    store = fresh_postgres(postgres_url)
    yield store
    store.close()


def second_store(postgres_url):
    from bot.state import PostgresStateStore, state_key

    return PostgresStateStore(postgres_url, key=state_key(TOKEN))


async def test_a_conversation_alternating_between_replicas_keeps_its_state(
    engine, tmp_path, shared, postgres_url
):
    other = second_store(postgres_url)
    async with (
        running_bot(engine, tmp_path / "a", store=shared) as a,
        running_bot(engine, tmp_path / "b", store=other) as b,
    ):
        await a.say("/sprak en")
        suggestion = await b.say("demokrati")  # the language chosen on the other replica
        choices = [data[2:] for _, data in b.telegram.buttons()]
        picked = await a.say("2")  # the choice offered by the other replica
        await b.say("Who won the democracy prize?")
        token = next(d for _, d in b.telegram.buttons() if d.startswith("f:+:"))[4:]
        await a.send(callback_update(f"f:+:{token}"))  # the vote lands on the other one
        await b.send(callback_update(f"f:+:{token}"))  # and counts once
    other.close()
    assert html.unescape(suggestion).startswith("I'm not sure")
    assert picked.startswith(engine.answer_entry(choices[1], "en").answer[:30])
    assert shared.counts()["upvote"] == 1
    picks = [row["picked"] for row in shared.question_rows() if row["picked"]]
    assert picks == [choices[1]]


async def test_the_per_user_limit_holds_across_replicas(engine, tmp_path, shared, postgres_url):
    other = second_store(postgres_url)
    async with (
        running_bot(engine, tmp_path / "a", store=shared, questions_per_minute=3) as a,
        running_bot(engine, tmp_path / "b", store=other, questions_per_minute=3) as b,
    ):
        for replica in (a, b, a, b, a, b):
            await replica.send(message_update(PRIZE))
        texts = a.telegram.texts() + b.telegram.texts()
    other.close()
    answers = [t for t in texts if "Ganters" in t]
    notices = [t for t in texts if t.startswith("Du har ställt många frågor")]
    assert (len(answers), len(notices)) == (3, 1)


async def test_statistics_count_every_replica(engine, tmp_path, shared, postgres_url):
    other = second_store(postgres_url)
    async with (
        running_bot(engine, tmp_path / "a", store=shared) as a,
        running_bot(engine, tmp_path / "b", store=other) as b,
    ):
        await a.say(PRIZE)
        await b.say(PRIZE, user_id=99)
        await b.say("Hur gör man sylt?", user_id=98)
        stats = await a.say("/statistik", user_id=ADMIN_ID)
    other.close()
    assert "Besvarade frågor: 2" in stats
    assert "Obesvarade: 1" in stats
