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


def inbox_of(bot):
    from bot.telegram_run import Dispatcher, Inbox

    return Dispatcher(bot.app, 64, Inbox(bot.services.store))


async def test_an_update_delivered_to_both_replicas_is_answered_once(
    engine, tmp_path, shared, postgres_url
):
    from telegram import Update

    other = second_store(postgres_url)
    update = message_update(PRIZE)
    async with (
        running_bot(engine, tmp_path / "a", store=shared) as a,
        running_bot(engine, tmp_path / "b", store=other) as b,
    ):
        replicas = [(a, inbox_of(a)), (b, inbox_of(b))] * 3  # six deliveries, alternating
        for bot, dispatcher in replicas:
            parsed = Update.de_json(update, bot.app.bot)
            if await dispatcher.inbox.accept(parsed):
                dispatcher.submit(parsed, recorded=True)
        for _, dispatcher in replicas:
            await dispatcher.drain(grace=10)
        answered = a.telegram.delivered_texts() + b.telegram.delivered_texts()
    other.close()
    assert len([text for _, text in answered if "Ganters" in text]) == 1


async def test_one_chats_order_holds_across_replicas(engine, tmp_path, shared, postgres_url):
    import asyncio

    from telegram import Update

    other = second_store(postgres_url)
    first, second = message_update(PRIZE), message_update("Hur många klotterärenden 2021?")
    async with (
        running_bot(engine, tmp_path / "a", store=shared) as a,
        running_bot(engine, tmp_path / "b", store=other) as b,
    ):
        a.telegram.hang(1.0)  # the first answer is slow to go out from replica a
        on_a, on_b = inbox_of(a), inbox_of(b)
        one, two = Update.de_json(first, a.app.bot), Update.de_json(second, b.app.bot)
        assert await on_a.inbox.accept(one) and await on_b.inbox.accept(two)
        on_a.submit(one, recorded=True)
        await asyncio.sleep(0.05)
        on_b.submit(two, recorded=True)  # the later update, on the other replica
        await on_b.drain(grace=15)
        first_out = list(a.telegram.delivered_texts())  # what a had sent when b was done
        await on_a.drain(grace=15)
        second_out = list(b.telegram.delivered_texts())
    other.close()
    assert any("Ganters" in text for _, text in first_out)  # the first answer came first
    assert any("415" in text for _, text in second_out)
