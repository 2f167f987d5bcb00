"""Every command, through the fake transport, against the real engine and knowledge."""

import pytest
from telegram_fakes import (
    ADMIN_ID,
    BOT_USERNAME,
    TOKEN,
    callback_update,
    message_update,
)


async def test_start_welcomes_and_offers_three_example_questions(bot, engine):
    reply = await bot.say("/start")
    assert reply.startswith("Hej! Jag är <b>Beredningsboten</b>.")
    assert f"Jag känner till {engine.entry_count} fakta" in reply
    assert "Ökad trygghet, Ökad delaktighet, Ökad jämlikhet, God omsorg för individen" in reply
    assert bot.telegram.buttons() == [
        ("Vem fick demokratipriset 2021?", "x:0"),
        ("Hur många klotterärenden hanterades 2021?", "x:1"),
        ("Vilka remisser fick beredningen 2021?", "x:2"),
    ]


async def test_an_example_button_answers_its_question_with_a_source(bot):
    await bot.send(callback_update("x:0"))
    assert bot.telegram.sent("answerCallbackQuery")
    reply = bot.telegram.last_text()
    assert "Ganters" in reply
    assert "<i>Källa: " in reply


async def test_a_deep_link_opens_that_answer(bot):
    reply = await bot.say("/start demokratipris-utdelning")
    assert "Kungens kurvas shoppingcenter" in reply
    assert "<i>Källa: Verksamhetsberättelse" in reply


async def test_a_stale_deep_link_says_so_and_shows_where_to_go(bot):
    reply = await bot.say("/start no-such-entry")
    assert reply.startswith("Det svaret finns inte (längre).")
    assert "kontaktcenter" in reply
    assert bot.telegram.buttons() == [
        ("📚 Bläddra bland ämnen", "m:topics"),
        ("❓ Hjälp", "m:help"),
    ]


@pytest.mark.parametrize("command", ["/hjalp", "/help", f"/hjalp@{BOT_USERNAME}"])
async def test_help_lists_the_commands(bot, command):
    reply = await bot.say(command)
    assert reply.startswith("<b>Så använder du Beredningsboten</b>")
    assert "/amnen – bläddra" in reply
    assert f"<code>@{BOT_USERNAME} fråga</code>" in reply


async def test_topics_browse_areas_then_priorities_then_answers(bot):
    assert await bot.say("/amnen") == (
        "Beredningens arbete 2021 är uppdelat i fyra områden. Välj ett:"
    )
    assert bot.telegram.buttons()[0] == ("Ökad trygghet", "a:0")
    assert len(bot.telegram.buttons()) == 4

    await bot.send(callback_update("a:0"))
    edit = bot.telegram.sent("editMessageText")[-1]
    assert edit["text"] == "<b>Ökad trygghet</b> – välj en prioritering:"
    priorities = bot.telegram.buttons(edit)
    assert priorities[-1] == ("⬅️ Tillbaka", "m:topics")
    assert [data for _, data in priorities[:-1]] == ["p:0:1", "p:0:2", "p:0:3", "p:0:4"]

    await bot.send(callback_update("p:0:3"))
    edit = bot.telegram.sent("editMessageText")[-1]
    assert edit["text"].startswith("<b>3. Ren och trygg utemiljö</b>")
    entries = dict((data, label) for label, data in bot.telegram.buttons(edit))
    assert "e:klotter-antal-2021" in entries
    assert entries["a:0"] == "⬅️ Tillbaka"

    await bot.send(callback_update("e:klotter-antal-2021"))
    assert "415 klotterärenden" in bot.telegram.last_text()


async def test_topics_english_alias(bot):
    assert (await bot.say("/topics")).startswith("Beredningens arbete 2021")


async def test_referrals_lists_the_seven_with_a_source(bot):
    reply = await bot.say("/remisser")
    assert "sju remisser" in reply
    assert "Fler hjärtstartare till kommunens centrum" in reply
    assert "KS-2022/176.915" in reply


async def test_democracy_prize_names_the_winners(bot):
    reply = await bot.say("/demokratipris")
    assert "Eva Ganters och Stefan Karlsson" in reply
    assert "<i>Källa: " in reply


async def test_timeline_lists_dated_events_and_filters_by_period(bot):
    assert "11 februari 2021" in await bot.say("/tidslinje")
    october = await bot.say("/tidslinje 2021-10")
    assert "23 oktober 2021" in october
    assert "11 februari 2021" not in october


async def test_sources_list_the_documents_with_date_and_reference(bot, engine):
    reply = await bot.say("/kallor")
    assert reply.startswith("<b>Dokumenten som svaren bygger på</b>")
    for document in engine.documents():
        assert f"{document.date}, {document.reference}" in reply
    assert reply.count("• <b>") == len(engine.documents())


async def test_quote_check_confirms_an_exact_quote(bot):
    reply = await bot.say("/citat Priset delades ut 23 oktober")
    assert reply.startswith("Ja, meningen finns ordagrant i källan.")
    assert "6. Demokratipris 2021" in reply


async def test_quote_check_without_text_explains_how(bot):
    reply = await bot.say("/citat")
    assert reply.startswith("Skriv citatet efter kommandot")


async def test_ask_answers_in_a_group_as_a_reply(bot):
    await bot.send(message_update("/fraga Vem fick demokratipriset 2021?", chat_type="group"))
    sent = bot.telegram.sent()[-1]
    assert "Ganters" in sent["text"]
    assert sent["chat_id"] < 0
    assert sent["reply_parameters"]["message_id"] > 0


async def test_ask_without_a_question_asks_for_one_with_force_reply(bot):
    reply = await bot.say("/ask@BeredningsBot", chat_type="supergroup")
    assert reply.startswith("Vad vill du fråga?")
    markup = bot.telegram.sent()[-1]["reply_markup"]
    assert markup["force_reply"] is True
    assert markup["selective"] is True


async def test_language_switch_by_button_and_by_argument(bot):
    assert await bot.say("/sprak") == "Vilket språk vill du att jag svarar på?"
    assert bot.telegram.buttons() == [("🇸🇪 Svenska", "l:sv"), ("🇬🇧 English", "l:en")]
    await bot.send(callback_update("l:en"))
    assert bot.telegram.sent("editMessageText")[-1]["text"] == (
        "Done! I will answer in English in this chat."
    )
    assert (await bot.say("/help")).startswith("<b>How to use Beredningsboten</b>")
    assert "<i>Source: " in await bot.say("Vem fick demokratipriset 2021?")
    assert await bot.say("/language sv") == "Klart! Jag svarar på svenska i den här chatten."


async def test_statistics_are_for_admins_only(bot):
    reply = await bot.say("/statistik")
    assert reply.startswith("Statistiken är bara tillgänglig för administratörer.")
    assert "Besvarade" not in reply


async def test_statistics_show_counts_and_escaped_gaps_to_admins(bot):
    await bot.say("Vem fick demokratipriset 2021?")
    await bot.say("Vad heter kommunens ordförande <script>?")
    reply = await bot.say("/statistik", user_id=ADMIN_ID)
    assert reply.startswith("<b>Statistik</b> (senaste 90 dagarna)")
    assert "Besvarade frågor: 1\n" in reply
    assert "Obesvarade: 1\n" in reply
    assert "1 × Vad heter kommunens ordförande &lt;script&gt;?" in reply
    assert TOKEN not in reply
