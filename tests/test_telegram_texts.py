"""The fixed wording: both languages complete, values escaped, menus match the handlers."""

import re

from bot.chat_texts import COMMANDS, EXAMPLE_QUESTIONS, TEXTS, chat_text, command_menu
from bot.telegram_app import COMMAND_HANDLERS


def test_swedish_and_english_have_the_same_texts_and_placeholders():
    assert TEXTS["sv"].keys() == TEXTS["en"].keys()
    for key, swedish in TEXTS["sv"].items():
        placeholders = set(re.findall(r"{(\w+)}", swedish))
        assert placeholders == set(re.findall(r"{(\w+)}", TEXTS["en"][key])), key


def test_values_are_escaped_and_unknown_languages_fall_back_to_swedish():
    text = chat_text("rate_limited", "de", seconds="<b>5</b>")
    assert text.startswith("Du har ställt många frågor")
    assert "&lt;b&gt;5&lt;/b&gt;" in text


def test_every_menu_command_has_a_handler_under_both_names():
    handled = {name for names, _ in COMMAND_HANDLERS for name in names}
    for swedish, english, _, _ in COMMANDS:
        assert {swedish, english} <= handled
    assert [name for name, _ in command_menu("sv")][-1] == "hjalp"
    assert [name for name, _ in command_menu("en")][-1] == "help"


def test_there_are_three_example_questions_per_language():
    assert [len(questions) for questions in EXAMPLE_QUESTIONS.values()] == [3, 3]
