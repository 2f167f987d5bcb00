"""Inline mode, feedback, errors (entity fallback, Forbidden, 429, timeouts), menus, logging."""

import asyncio
import io
import json
import logging
import sqlite3
import threading
import time

from telegram.error import NetworkError
from telegram_fakes import (
    TOKEN,
    USER_ID,
    callback_update,
    inline_query_update,
    message_update,
)

from bot.logging_setup import configure_logging
from bot.telegram_app import EngineRunner, register_commands

PRIZE = "Vem fick demokratipriset 2021?"


def inline_results(bot):
    results = bot.telegram.sent("answerInlineQuery")[-1]["results"]
    return results if isinstance(results, list) else json.loads(results)


async def test_inline_mode_offers_up_to_five_sourced_answers(bot):
    await bot.send(inline_query_update("demokratipriset"))
    results = inline_results(bot)
    assert 1 <= len(results) <= 5
    for result in results:
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML"
        assert "<i>Källa: " in content["message_text"]
        assert len(content["message_text"]) <= 4096
        assert result["reply_markup"]["inline_keyboard"][0][0]["url"].startswith(
            "https://t.me/BeredningsBot?start="
        )
    assert any("Ganters" in r["input_message_content"]["message_text"] for r in results)


async def test_inline_mode_without_an_answer_offers_an_escaped_pointer_to_the_bot(bot):
    await bot.send(inline_query_update("<b>xyzzy</b> qwfp"))
    [result] = inline_results(bot)
    assert result["title"] == "Inget svar i materialet"
    text = result["input_message_content"]["message_text"]
    assert "”&lt;b&gt;xyzzy&lt;/b&gt; qwfp”" in text
    assert "@BeredningsBot" in text


async def test_an_empty_inline_query_explains_what_to_type(bot):
    await bot.send(inline_query_update(""))
    [result] = inline_results(bot)
    assert result["title"] == "Skriv en fråga om beredningen"


def feedback_token(bot) -> str:
    ((_, data),) = [b for b in bot.telegram.buttons() if b[1].startswith("f:+:")]
    return data.split(":", 2)[2]


async def test_thumbs_down_logs_the_question_without_ids_and_removes_the_vote_buttons(bot, engine):
    await bot.say(PRIZE)
    token = feedback_token(bot)
    markup = bot.telegram.sent()[-1]["reply_markup"]
    await bot.send(callback_update(f"f:-:{token}", reply_markup=markup))
    assert bot.telegram.sent("answerCallbackQuery")[-1]["text"].startswith("Tack för att du")
    edited = bot.telegram.sent("editMessageReplyMarkup")[-1]["reply_markup"]
    assert all(
        not b["callback_data"].startswith("f:") for row in edited["inline_keyboard"] for b in row
    )
    with sqlite3.connect(bot.services.store.path) as db:
        rows = db.execute("SELECT status, question, entry_id, vote, voted_entry FROM questions")
        rows = rows.fetchall()
    entry = engine.answer(PRIZE).entry_id
    assert rows[-1] == ("answer", PRIZE, entry, -1, entry)
    assert str(USER_ID) not in str(rows)


async def test_thumbs_up_is_counted_once(bot):
    await bot.say(PRIZE)
    token = feedback_token(bot)
    await bot.send(callback_update(f"f:+:{token}"))
    await bot.send(callback_update(f"f:+:{token}"))  # the same button again
    assert bot.services.store.counts()["upvote"] == 1


async def test_feedback_tokens_the_bot_never_issued_are_not_counted(bot):
    await bot.send(callback_update("f:+:forged-token"))
    await bot.send(callback_update("f:-:1"))
    assert bot.services.store.counts()["upvote"] == 0
    assert bot.services.store.counts()["downvote"] == 0
    assert bot.telegram.sent("answerCallbackQuery")[-1]["text"].startswith("Den knappen")


async def test_unknown_buttons_say_they_have_expired(bot):
    await bot.send(callback_update("zz:old"))
    answer = bot.telegram.sent("answerCallbackQuery")[-1]
    assert answer["text"].startswith("Den knappen fungerar inte längre.")
    assert answer["show_alert"] is True


async def test_rejected_html_is_resent_as_plain_text(bot):
    bot.telegram.fail_entities()
    await bot.say(PRIZE)
    first, second = bot.telegram.sent()
    assert first["parse_mode"] == "HTML"
    assert "parse_mode" not in second
    assert "<i>" not in second["text"]
    assert "Källa: Verksamhetsberättelse" in second["text"]
    assert "reply_markup" in second


async def test_a_blocked_chat_is_marked_without_its_id_and_gets_no_apology(bot):
    bot.telegram.fail_forbidden()
    await bot.say(PRIZE)
    assert bot.services.store.blocked_count() == 1
    assert len(bot.telegram.sent()) == 1  # no apology into a chat that blocked us
    with sqlite3.connect(bot.services.store.path) as db:
        assert str(USER_ID) not in str(db.execute("SELECT * FROM blocked").fetchall())
    await bot.say("/start")  # coming back means unblocked
    assert bot.services.store.blocked_count() == 0


async def test_flood_control_is_waited_out_and_retried(bot):
    bot.telegram.fail_flood(retry_after=1)
    reply = await bot.say(PRIZE)
    sent = bot.telegram.sent()
    assert len(sent) == 2
    assert sent[0]["text"] == sent[1]["text"] == reply


async def test_other_bad_requests_get_an_apology(bot):
    bot.telegram.fail("sendMessage", 400, "Bad Request: message is too long")
    await bot.say(PRIZE)
    assert bot.telegram.last_text().startswith("Något gick fel hos mig.")


async def test_a_network_error_mentioning_the_token_is_logged_redacted(bot):
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("DEBUG", "text", stream=stream)
    try:
        original = bot.telegram.do_request

        async def failing(url, *args, **kwargs):
            if url.endswith("/sendMessage") and not failing.done:
                failing.done = True
                raise NetworkError(f"connection reset: POST {url}")
            return await original(url, *args, **kwargs)

        failing.done = False
        bot.telegram.do_request = failing
        bot.telegram.fail("sendMessage", 400, f"Bad Request: chat not found for /bot{TOKEN}/x")
        await bot.say(PRIZE)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    output = stream.getvalue()
    assert "/bot<token>/x" in output
    assert TOKEN not in output
    assert bot.telegram.last_text().startswith("Något gick fel hos mig.")


async def test_command_menus_are_registered_in_swedish_and_english(bot):
    await register_commands(bot.app)
    swedish, english = bot.telegram.sent("setMyCommands")
    assert [c["command"] for c in swedish["commands"]][:3] == ["start", "fraga", "amnen"]
    assert "language_code" not in swedish
    assert english["language_code"] == "en"
    assert "help" in [c["command"] for c in english["commands"]]


async def test_a_failing_command_menu_does_not_stop_the_bot(bot):
    bot.telegram.fail("setMyCommands", 500, "Internal Server Error")
    bot.telegram.fail("setMyCommands", 400, "Bad Request: bad command")
    await register_commands(bot.app)
    assert "Ganters" in await bot.say(PRIZE)


async def test_the_engine_runs_off_the_event_loop_on_its_worker_threads(engine):
    runner = EngineRunner(engine)
    names = {await runner.run(lambda _: threading.current_thread().name) for _ in range(3)}
    runner.close()
    assert len(names) == 1
    assert names.pop().startswith("engine")
    assert threading.current_thread().name == "MainThread"


async def test_a_slow_question_in_one_chat_does_not_hold_up_another_chats(index_path):
    """Two workers, each with an engine of its own: while one is busy with a heavy
    question (here: held for a second), the other answers."""
    from bot.engine import Engine
    from bot.index import open_read_only

    runner = EngineRunner(Engine(open_read_only(index_path)), workers=2)

    def slow(engine):
        time.sleep(1.0)
        return engine.answer("hur många klotterärenden 2021?")

    held = asyncio.ensure_future(runner.run(slow))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    quick = await runner.run(lambda engine: engine.answer("Vem fick demokratipriset 2021?"))
    waited = time.monotonic() - started
    assert "Ganters" in quick.answer and waited < 0.5
    assert "415" in (await held).answer
    runner.close()


async def test_group_commands_work_with_the_bot_name(bot):
    await bot.send(message_update("/remisser@BeredningsBot", chat_type="group"))
    assert "sju remisser" in bot.telegram.last_text()


async def test_inline_queries_count_toward_the_per_user_limit(engine, tmp_path):
    from telegram_fakes import running_bot

    async with running_bot(engine, tmp_path, questions_per_minute=3) as bot:
        for _ in range(5):
            await bot.send(inline_query_update("Vem fick demokratipriset 2021?"))
        answered = [call["results"] for call in bot.telegram.sent("answerInlineQuery")]
    assert [bool(results) for results in answered] == [True, True, True, False, False]
