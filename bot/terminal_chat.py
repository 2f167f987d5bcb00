"""The terminal chat: a thin loop over the engine with the Telegram bot's commands, usable
with piped stdin. It logs for curators as Telegram does (questions, picks by number and
votes), when given a state store.

Typed in the chat:
- a question; a number picks one of the choices offered ("2");
- "mer" (or "more") shows the next page of a listing;
- "+" or "-" (or 👍/👎) rates the last answer, once;
- the Telegram commands: /start, /hjalp, /amnen, /remisser, /demokratipris,
  /tidslinje [period], /kallor, /citat <text>, /fraga <fråga>, /sprak sv|en;
- "avsluta" (or "exit", "quit") ends the chat.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TextIO

from bot.chat_texts import chat_text
from bot.models import Answer
from bot.render import render_quote_check
from bot.routing import typed_command

EXIT_WORDS = {"avsluta", "exit", "quit", "hejdå", "sluta", "/avsluta", "/exit"}
MORE_WORDS = {"mer", "more", "visa fler", "fler"}
VOTES = {"+": True, "👍": True, "-": False, "👎": False}
TERMINAL_CHAT = 0  # the chat id the terminal logs under (stored only as a keyed hash)
TAGS = re.compile(r"<[^>]+>")
# The Telegram commands, by every name they answer to.
COMMANDS = {
    "start": "start",
    "hjalp": "help", "help": "help", "hjälp": "help",
    "amnen": "topics", "topics": "topics", "ämnen": "topics",
    "remisser": "referrals", "referrals": "referrals",
    "demokratipris": "prize", "prize": "prize",
    "tidslinje": "timeline", "timeline": "timeline",
    "kallor": "sources", "sources": "sources", "källor": "sources",
    "citat": "quote", "quote": "quote",
    "fraga": "ask", "ask": "ask", "fråga": "ask",
    "sprak": "language", "language": "language", "språk": "language",
}  # fmt: skip
TEXTS = {
    "no_choices": {
        "sv": "Det finns inga förslag att välja bland just nu. Ställ en fråga.",
        "en": "There are no choices to pick from right now. Ask a question.",
    },
    "no_more": {"sv": "Det finns inget mer att visa.", "en": "There is nothing more to show."},
    "voted": {"sv": "Tack för omdömet!", "en": "Thanks for the feedback!"},
    "no_vote": {
        "sv": "Det finns inget svar att betygsätta just nu.",
        "en": "There is no answer to rate right now.",
    },
    "terminal_help": {
        "sv": "I terminalen: en siffra väljer ett förslag, 'mer' visar nästa sida, "
        "'+' eller '-' betygsätter svaret, 'avsluta' avslutar.",
        "en": "In the terminal: a number picks a choice, 'more' shows the next page, '+' or "
        "'-' rates the answer, 'exit' quits.",
    },
}


def text_of(key: str, lang: str | None) -> str:
    return TEXTS[key]["en" if lang == "en" else "sv"]


def plain(markup: str) -> str:
    """Telegram HTML as terminal text."""
    return html.unescape(TAGS.sub("", markup))


@dataclass
class Conversation:
    """What one terminal conversation remembers between turns."""

    lang: str | None = None
    choices: list[str] = field(default_factory=list)
    choices_log_id: int | None = None
    more: str | None = None  # the continuation of the last listing
    token: str | None = None  # the 👍/👎 token of the last answer


class TerminalChat:
    """One conversation over the engine; `store` (a state store) gets the curator log."""

    def __init__(self, engine, store=None, known_names: frozenset[str] = frozenset()):
        self.engine = engine
        self.store = store
        self.known_names = known_names
        self.state = Conversation()

    def respond(self, text: str) -> str:
        """One turn: the reply to what was typed."""
        lowered = text.casefold().strip()
        if text.strip().isdigit():
            return self.pick(int(text.strip()))
        if lowered in MORE_WORDS:
            return self.page_on()
        if lowered in VOTES:
            return self.vote(VOTES[lowered])
        command = typed_command(text) or _bare_command(text)
        if command is not None and command[0] in COMMANDS:
            return self.command(COMMANDS[command[0]], command[1])
        if command is not None:
            return plain(chat_text("unknown_command", self.state.lang))
        return self.ask(text)

    # -- turns ------------------------------------------------------------------------------

    def ask(self, question: str) -> str:
        answer = self.engine.answer(question, self.state.lang)
        self.state.lang = answer.lang
        return self.show(answer, question)

    def show(self, answer: Answer, question: str = "") -> str:
        """The reply text, remembered for "mer", a number or a vote, and logged."""
        self.state.more = answer.more
        self.state.choices = [s.entry_id for s in answer.suggestions]
        self.state.choices_log_id = None
        self.state.token = None
        if question:
            self.log(question, answer)
        reply = answer.text
        if answer.more:
            more = "Skriv 'mer' för nästa sida." if answer.lang == "sv" else "Type 'more'."
            reply += f"\n{more}"
        return reply

    def pick(self, number: int) -> str:
        if not 1 <= number <= len(self.state.choices):
            return text_of("no_choices", self.state.lang)
        entry_id = self.state.choices[number - 1]
        log_id = self.state.choices_log_id
        answer = self.engine.answer_entry(entry_id, self.state.lang)
        reply = self.show(answer)
        if self.store is not None and log_id is not None:
            self.store.record_pick(log_id, entry_id)
        return reply

    def page_on(self) -> str:
        if not self.state.more:
            return text_of("no_more", self.state.lang)
        return self.show(self.engine.listing(self.state.more, self.state.lang))

    def vote(self, up: bool) -> str:
        token, self.state.token = self.state.token, None
        redeemed = self.store.redeem_feedback(token) if self.store and token else None
        if redeemed is None:
            return text_of("no_vote", self.state.lang)
        self.store.record_vote(redeemed, up)
        return text_of("voted", self.state.lang)

    def command(self, name: str, argument: str) -> str:
        lang = self.state.lang
        engine = self.engine
        if name == "start":
            areas = ", ".join(engine.areas())
            welcome = chat_text("welcome", lang, entry_count=engine.entry_count, areas=areas)
            return plain(welcome.rsplit("\n\n", 1)[0]) + "\n\n" + text_of("terminal_help", lang)
        if name == "help":
            return (
                plain(chat_text("help", lang, bot_username="botten"))
                + "\n\n"
                + text_of("terminal_help", lang)
            )
        if name == "topics":
            return "\n".join(
                [plain(chat_text("areas", lang))]
                + [
                    f"• {area}: {section}"
                    for area in engine.areas()
                    for _, section in engine.priorities(area)
                ]
            )
        if name == "referrals":
            return self.show(engine.referrals(lang))
        if name == "prize":
            prizes = engine.list_entries(kind="prize")
            return (
                self.show(engine.answer_entry(prizes[0].entry_id, lang))
                if prizes
                else (self.ask("demokratipriset"))
            )
        if name == "timeline":
            return self.show(engine.timeline(lang, argument[:40] or None))
        if name == "sources":
            lines = [plain(chat_text("documents", lang))]
            for document in engine.documents():
                title = (document.title_en if lang == "en" else None) or document.title
                line = chat_text(
                    "document_line", lang, title=title, date=document.date,
                    reference=document.reference,
                )  # fmt: skip
                lines.append(plain(line))
            return "\n".join(lines)
        if name == "quote":
            return render_quote_check(engine.check_quote(argument), lang or "sv")
        if name == "language":
            if argument in ("sv", "en"):
                self.state.lang = argument
            return "Svenska." if self.state.lang != "en" else "English."
        return self.ask(argument) if argument else plain(chat_text("help", lang, bot_username=""))

    # -- the curator log --------------------------------------------------------------------

    def log(self, question: str, answer: Answer) -> None:
        """As Telegram logs: the masked question, what was shown or offered, its kind; a
        token for a vote on an answer."""
        if self.store is None:
            return
        from bot.privacy import scrub

        text = scrub(question, known=self.known_names)
        token = None
        if answer.status == "answer" and (answer.entry_id or answer.kind == "passage"):
            token = self.store.issue_feedback(None, answer.entry_id, text)
        log_id = self.store.after_answer(TERMINAL_CHAT, text, answer, token)
        self.state.token = token
        if answer.suggestions:
            self.state.choices_log_id = log_id


def _bare_command(text: str) -> tuple[str, str] | None:
    """The chat's own words for commands, without a slash: 'tidslinje 2021-10',
    'citat <text>', 'remisser'."""
    word, _, rest = text.strip().partition(" ")
    word = word.casefold()
    if word in ("citat", "quote") and rest:
        return word, rest.strip()
    if word in ("tidslinje", "timeline", "remisser", "referrals", "kallor", "källor") and (
        len(rest.split()) <= 2
    ):
        return word, rest.strip()
    return None


def run_chat(engine, stdin: TextIO, stdout: TextIO, store=None) -> None:
    interactive = stdin.isatty()
    names = engine.known_names() if store is not None else frozenset()
    chat = TerminalChat(engine, store, names)
    print(
        chat.command("start", "") if interactive else "",
        file=stdout,
        end="\n" if interactive else "",
    )
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
        print(chat.respond(text), file=stdout, flush=True)
        if not interactive:
            print(file=stdout)
