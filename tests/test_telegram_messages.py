"""Free text, groups, edits, non-text, suggestions, abstentions, limits, splitting, escaping."""

import sqlite3

import pytest
from telegram_fakes import (
    BOT_USERNAME,
    callback_update,
    edited_message_update,
    message_update,
    photo_update,
    running_bot,
    sticker_update,
    voice_update,
)

from bot.models import Answer, Source

PRIZE = "Vem fick demokratipriset 2021?"
UNKNOWN = "Hur många klotterärenden hanterades i Göteborg 2021?"
VAGUE = "demokrati"


def logged(bot):
    with sqlite3.connect(bot.services.store.path) as db:
        return db.execute(
            "SELECT status, question, entry_id FROM questions ORDER BY id"
        ).fetchall()


async def test_a_private_question_gets_a_sourced_answer_related_buttons_and_feedback(bot, engine):
    expected = engine.answer(PRIZE)
    assert expected.status == "answer" and "Eva Ganters" in expected.answer
    reply = await bot.say(PRIZE)
    assert reply.startswith(expected.answer[:40])
    assert "<i>Källa: Verksamhetsberättelse för trygghets- och delaktighetsberedningen" in reply
    assert "<blockquote>" in reply
    assert reply.endswith("\n\n<b>Relaterat:</b>")
    buttons = bot.telegram.buttons()
    shown = [*expected.alternatives, *expected.related]
    assert [data for _, data in buttons[:-2]] == [f"e:{s.entry_id}" for s in shown][:3]
    (up, up_data), (down, down_data) = buttons[-2:]
    assert (up, down) == ("👍", "👎")
    assert up_data.startswith("f:+:") and down_data == "f:-:" + up_data[4:]
    assert bot.telegram.sent()[-1]["parse_mode"] == "HTML"
    assert logged(bot) == [("answer", None, expected.entry_id)]


async def test_an_english_question_is_answered_in_english(bot):
    reply = await bot.say("Who won the democracy prize?")
    assert "Eva Ganters and Stefan Karlsson" in reply
    assert "<i>Source: " in reply


async def test_an_unknown_question_abstains_and_says_where_to_turn(bot):
    reply = await bot.say(UNKNOWN)
    assert reply.startswith("Materialet handlar bara om Huddinge kommun och säger inget om")
    assert "kontaktcenter" in reply
    assert bot.telegram.buttons() == [
        ("📚 Bläddra bland ämnen", "m:topics"),
        ("❓ Hjälp", "m:help"),
    ]
    assert logged(bot) == [("abstain", UNKNOWN, None)]


async def test_abstention_buttons_lead_on_to_topics_and_help(bot):
    await bot.send(callback_update("m:topics"))
    assert bot.telegram.last_text().startswith("Beredningens arbete 2021 är uppdelat")
    await bot.send(callback_update("m:help"))
    assert bot.telegram.last_text().startswith("<b>Så använder du Beredningsboten</b>")


async def test_a_vague_question_suggests_entries_by_id_not_by_text(bot, engine):
    expected = engine.answer(VAGUE)
    assert expected.status == "suggest"
    reply = await bot.say(VAGUE)
    assert reply.startswith("Jag är inte säker på vad du menar. Menade du:")
    buttons = bot.telegram.buttons()
    assert [data for _, data in buttons] == [f"e:{s.entry_id}" for s in expected.suggestions]
    assert [label[:40] for label, _ in buttons] == [s.title[:40] for s in expected.suggestions]
    assert 1 <= len(expected.suggestions) <= 3
    assert logged(bot) == [("suggest", VAGUE, expected.suggestions[0].entry_id)]

    await bot.send(callback_update(f"e:{expected.suggestions[0].entry_id}"))
    chosen = engine.answer_entry(expected.suggestions[0].entry_id)
    assert bot.telegram.last_text().startswith(chosen.answer[:40])
    assert "<i>Källa: " in bot.telegram.last_text()


async def test_a_number_after_suggestions_picks_that_suggestion(bot, engine):
    second = engine.answer(VAGUE).suggestions[1].entry_id
    await bot.say(VAGUE)
    reply = await bot.say("2")
    assert reply.startswith(engine.answer_entry(second).answer[:40])
    assert "<i>Källa: " in reply


async def test_group_chatter_is_ignored(bot):
    await bot.send(message_update(PRIZE, chat_type="group"))
    assert bot.telegram.calls == []


async def test_group_mentions_and_replies_to_the_bot_are_answered(bot):
    await bot.send(message_update(f"@{BOT_USERNAME} {PRIZE}", chat_type="supergroup"))
    assert "Ganters" in bot.telegram.last_text()
    await bot.send(message_update(PRIZE, chat_type="group", reply_to_bot=True))
    assert len(bot.telegram.sent()) == 2
    assert "Ganters" in bot.telegram.last_text()


async def test_an_edited_question_is_answered_again(bot):
    await bot.send(edited_message_update("Hur många klotterärenden hanterades 2021?"))
    reply = bot.telegram.last_text()
    assert reply.startswith("<i>Du ändrade din fråga – här är svaret på den nya versionen.</i>")
    assert "415" in reply


@pytest.mark.parametrize("update", [photo_update, sticker_update, voice_update])
async def test_non_text_gets_a_short_hint(bot, update):
    await bot.send(update())
    assert bot.telegram.last_text().startswith("Jag kan bara läsa text.")


async def test_non_text_in_a_group_is_ignored_unless_replying_to_the_bot(bot):
    await bot.send(photo_update(chat_type="group"))
    assert bot.telegram.calls == []
    await bot.send(sticker_update(chat_type="group", reply_to_bot=True))
    assert bot.telegram.last_text().startswith("Jag kan bara läsa text.")


async def test_a_long_question_is_still_answered_with_a_notice(engine, tmp_path):
    async with running_bot(engine, tmp_path, max_question_chars=100) as bot:
        reply = await bot.say(PRIZE + " " + "och så vidare " * 200)
    assert reply.startswith("<i>Din fråga var lång, så jag läste de första 100 tecknen.</i>")
    assert "Ganters" in reply


async def test_too_many_questions_get_one_polite_notice_then_quiet(engine, tmp_path):
    async with running_bot(engine, tmp_path, questions_per_minute=3) as bot:
        for _ in range(3):
            assert "Ganters" in await bot.say(PRIZE)
        notice = await bot.say(PRIZE)
        await bot.send(message_update(PRIZE))
        await bot.send(message_update(PRIZE, user_id=999))
    assert notice.startswith("Du har ställt många frågor på kort tid. Vänta ungefär")
    texts = bot.telegram.texts()
    assert len(texts) == 5
    assert "Ganters" in texts[-1]


async def test_long_answers_are_split_below_the_limit_with_buttons_on_the_last_part(bot):
    from bot.telegram_app import send_answer

    source = Source(
        "verksamhetsberattelse",
        "Verksamhetsberättelse",
        "6. Demokratipris 2021",
        "2022-02-17",
        "KS-2022/176.915",
        "Priset delades ut 23 oktober.",
    )
    body = "\n\n".join(f"Stycke {n} om <demokrati> & delaktighet. " * 12 for n in range(40))
    answer = Answer(
        "fråga", "answer", body, body, 1.0, "demokratipris-utdelning", "sv", sources=(source,)
    )
    context = type("Context", (), {"bot": bot.app.bot, "bot_data": bot.app.bot_data})()
    await send_answer(context, 4711, answer, feedback_token="token")
    sent = bot.telegram.sent()
    assert len(sent) > 1
    assert all(len(params["text"]) <= 4096 for params in sent)
    assert all("<demokrati>" not in params["text"] for params in sent)
    assert "&lt;demokrati&gt; &amp; delaktighet" in sent[0]["text"]
    assert [("reply_markup" in params) for params in sent] == [False] * (len(sent) - 1) + [True]
    assert "<i>Källa: Verksamhetsberättelse" in sent[-1]["text"]


async def test_user_text_is_escaped_in_replies(bot):
    await bot.say("/citat <b>fet</b> & <i>falsk</i>")
    assert "<b>fet" not in bot.telegram.last_text()
