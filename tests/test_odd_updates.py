"""Updates a real bot meets now and then: each gets a proper reply or is ignored, never the
apology, and nothing is counted that the bot did not issue."""

import pytest
from telegram_fakes import (
    GROUP_ID,
    callback_update,
    message_update,
    user,
)

APOLOGY = "Något gick fel hos mig."


def inline_button_update(data: str) -> dict:
    """A press on a button under a message sent in inline mode: no message, no chat."""
    return {
        "update_id": 900_001,
        "callback_query": {
            "id": "cb-inline",
            "from": user(),
            "chat_instance": "-7",
            "inline_message_id": "AAIinline",
            "data": data,
        },
    }


def no_apology(bot) -> bool:
    return not any(t.startswith(APOLOGY) for t in bot.telegram.texts())


async def test_buttons_under_inline_mode_messages_get_a_pointer_to_the_bot(bot):
    await bot.send(inline_button_update("e:demokratipris-vinnare"))
    answered = bot.telegram.sent("answerCallbackQuery")[-1]
    assert answered["text"].startswith("Öppna chatten med Beredningsboten")
    assert bot.telegram.sent() == []


async def test_a_message_without_a_sender_is_answered_by_its_chat(bot):
    update = message_update("@BeredningsBot Vem fick demokratipriset 2021?", chat_type="group")
    del update["message"]["from"]  # sent on behalf of the group
    await bot.send(update)
    assert "Ganters" in bot.telegram.last_text()
    assert bot.telegram.sent()[-1]["chat_id"] == GROUP_ID


async def test_lone_surrogates_are_dropped_from_questions(bot):
    reply = await bot.say("\ud800Vem fick demokratipriset 2021?\udcff")
    assert "Ganters" in reply
    assert no_apology(bot)


@pytest.mark.parametrize(
    "data", ["a:99999999999999999999", "p:0:99999999999999999999", "p:x:1", "x:99999999999"]
)
async def test_oversized_or_forged_numbers_in_buttons_lead_to_a_menu(bot, data):
    await bot.send(callback_update(data))
    assert no_apology(bot)
    edited = bot.telegram.sent("editMessageText") + bot.telegram.sent()
    assert edited, "the press got no reply"


async def test_forged_feedback_buttons_are_not_counted(bot):
    await bot.send(callback_update("f:+:" + "Z" * 58))
    await bot.send(callback_update("f:?:abc"))
    assert bot.services.store.counts()["upvote"] == 0
    assert bot.telegram.sent("answerCallbackQuery")[-1]["text"].startswith("Den knappen")


async def test_unknown_commands_get_a_short_help(bot):
    reply = await bot.say("/foo")
    assert reply.startswith("Det kommandot känner jag inte till.")


@pytest.mark.parametrize(
    ("command", "start"),
    [
        ("/hjälp", "<b>Så använder du Beredningsboten</b>"),
        ("/språk", "Vilket språk vill du att jag svarar på?"),
        ("/ämnen", "Beredningens arbete 2021 är uppdelat"),
    ],
)
async def test_swedish_spellings_of_commands_work_as_their_aliases(bot, command, start):
    assert (await bot.say(command)).startswith(start)


async def test_statistics_are_never_posted_to_a_group(bot):
    from telegram_fakes import ADMIN_ID

    await bot.say("/statistik", chat_type="group", user_id=ADMIN_ID)
    assert bot.telegram.last_text().startswith("Statistiken visar andras frågor")


async def test_another_bots_command_in_a_group_is_ignored(bot):
    await bot.send(message_update("/weather", chat_type="group"))
    assert bot.telegram.sent() == []


@pytest.mark.parametrize("command", ["/start@OtherBot", "/hjalp@OtherBot", "/start@OtherBot ask"])
async def test_a_command_addressed_to_another_bot_in_a_group_is_ignored(bot, command):
    await bot.send(message_update(command, chat_type="group"))
    assert bot.telegram.sent() == []


@pytest.mark.parametrize("text", ["/start \ud800", "/start ask_\udcff", "/fraga \ud800 priset"])
async def test_lone_surrogates_in_commands_get_a_reply_without_the_apology(bot, text):
    await bot.send(message_update(text))
    assert bot.telegram.sent(), "the command got no reply"
    assert no_apology(bot)


@pytest.mark.parametrize("data", ["e:\ud800", "f:+:\udcff" + "a" * 20, "a:\ud800", "\udcff"])
async def test_lone_surrogates_in_button_data_get_a_reply_without_the_apology(bot, data):
    await bot.send(callback_update(data))
    assert bot.telegram.sent("answerCallbackQuery") or bot.telegram.sent("editMessageText")
    assert no_apology(bot)
    assert bot.services.store.counts()["upvote"] == 0


async def test_a_question_with_a_huge_number_is_answered_not_crashed(bot, caplog):
    reply = await bot.say("Kostade kamerorna " + "9" * 309 + " kronor?")
    assert reply and not reply.startswith(APOLOGY)
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the log"
