"""The interactive terminal chat: a thin loop over the engine, usable with piped stdin."""

from __future__ import annotations

from typing import TextIO

WELCOME = (
    "Beredningsboten – frågor om trygghets- och delaktighetsberedningens arbete 2021.\n"
    "Skriv en fråga och tryck Enter. Siffra = välj ett förslag, 'citat <text>' = kolla ett "
    "citat, 'tidslinje', 'remisser', 'avsluta' för att sluta."
)
EXIT_WORDS = {"avsluta", "exit", "quit", "hejdå", "sluta"}


def run_chat(engine, stdin: TextIO, stdout: TextIO) -> None:
    interactive = stdin.isatty()
    if interactive:
        print(WELCOME, file=stdout)
    suggestions: list[str] = []
    lang = None
    while True:
        if interactive:
            print("\n> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.casefold() in EXIT_WORDS:
            break
        reply, suggestions, lang = respond(engine, text, suggestions, lang)
        print(reply, file=stdout, flush=True)
        if not interactive:
            print(file=stdout)


def respond(engine, text: str, suggestions: list[str], lang: str | None):
    """One chat turn -> (reply text, current suggestions, language of the conversation)."""
    from bot.render import render_quote_check

    if text.isdigit() and 1 <= int(text) <= len(suggestions):
        answer = engine.answer_entry(suggestions[int(text) - 1], lang)
        return answer.text, [], answer.lang
    lowered = text.casefold()
    if lowered.startswith(("citat ", "quote ")):
        check = engine.check_quote(text.split(" ", 1)[1])
        return render_quote_check(check, lang or "sv"), suggestions, lang
    if lowered in ("tidslinje", "timeline"):
        return engine.timeline(lang).text, [], lang
    if lowered in ("remisser", "referrals"):
        return engine.referrals(lang).text, [], lang
    answer = engine.answer(text)
    return answer.text, [s.entry_id for s in answer.suggestions], answer.lang
