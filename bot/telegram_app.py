"""The Telegram layer: handlers, `build_application` and `run_bot`. With telegram_send and
telegram_run, the only modules importing telegram. It asks the engine, renders with
bot.render, takes fixed wording from chat_texts and keeps state in bot.state.

Every reply is sent first; the curator log is written after it, and a failing store is
reported to the operator, never to the user.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import queue
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import (
    BotCommand,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.chat_texts import (
    EXAMPLE_QUESTIONS,
    LANGUAGE_BUTTONS,
    chat_text,
    command_menu,
    normalise_lang,
)
from bot.config import ConfigError, Settings
from bot.logging_setup import redact
from bot.models import Answer, Suggestion
from bot.privacy import scrub
from bot.render import render_html, render_quote_check, split_message
from bot.state import ChatState, StateError, StateStore
from bot.telegram_send import ChatPacer, DeliveryError, send_with_retry
from bot.text import clean, fold

if TYPE_CHECKING:
    from bot.engine import Engine

logger = logging.getLogger(__name__)

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE

INLINE_RESULTS = 5
BUTTON_TITLE_CHARS = 80  # longer labels are cut off by the apps anyway
CALLBACK_DATA_BYTES = 64  # Telegram's limit for callback_data
MAX_BUTTON_NUMBER = 999  # callback numbers beyond this were never issued by this bot
ENTITY_ERROR = re.compile(r"can't parse entities|unsupported start tag|can't find end", re.I)
TAG = re.compile(r"<[^>]+>")


# --- services shared by the handlers --------------------------------------------------------


class EngineRunner:
    """Runs engine calls on worker threads, one engine (with its own read-only connection)
    per worker: a slow question in one chat (a long message, the embedding) does not hold
    up another chat's. The engine is synchronous; on the event loop it would block every
    chat."""

    def __init__(self, engine: Engine, workers: int = 1) -> None:
        self.engine = engine
        self._free: queue.SimpleQueue = queue.SimpleQueue()
        self._free.put(engine)
        for _ in range(workers - 1):
            self._free.put(engine.clone())
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engine")

    async def run(self, call: Callable[[Engine], T]) -> T:
        def work() -> T:
            engine = self._free.get()
            try:
                return call(engine)
            finally:
                self._free.put(engine)

        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@dataclass
class Services:
    settings: Settings
    engine: EngineRunner
    store: StateStore
    known_names: frozenset[str]  # the names the knowledge uses, never masked


def services(context: Context) -> Services:
    return context.bot_data["services"]


def services_of(application: Application) -> Services:
    return application.bot_data["services"]


async def stored(context: Context, default: T, call: Callable[..., T], *args: Any) -> T:
    """A state-store call on a worker thread; if the store fails, the operator is told and
    the user gets the default (a reply is never held up by the store)."""
    try:
        return await asyncio.to_thread(call, *args)
    except StateError as error:  # the store told the operator, once per outage
        logger.debug("State store call skipped: %s", error)
        return default


async def chat_state(update: Update, context: Context) -> ChatState:
    chat = update.effective_chat
    if chat is None:
        return ChatState()
    return await stored(context, ChatState(), services(context).store.chat, chat.id)


async def ui_lang(update: Update, context: Context) -> str:
    return normalise_lang((await chat_state(update, context)).lang)


# --- keyboards -------------------------------------------------------------------------------


def _button(title: str, data: str) -> InlineKeyboardButton | None:
    if len(data.encode()) > CALLBACK_DATA_BYTES:
        return None  # an id too long for Telegram: better no button than a failed message
    label = title if len(title) <= BUTTON_TITLE_CHARS else title[: BUTTON_TITLE_CHARS - 1] + "…"
    return InlineKeyboardButton(label, callback_data=data)


def _rows(buttons: list[InlineKeyboardButton | None]) -> list[list[InlineKeyboardButton]]:
    return [[button] for button in buttons if button is not None]


def entry_buttons(suggestions: tuple[Suggestion, ...] | list[Suggestion]) -> list:
    return _rows([_button(s.title, f"e:{s.entry_id}") for s in suggestions])


def answer_keyboard(answer: Answer, feedback_token: str | None) -> InlineKeyboardMarkup | None:
    """Buttons under a reply: choices; runner-ups, related entries and feedback; more of a
    listing; or, under an abstention, where to go next."""
    lang = answer.lang
    if answer.status == "suggest":
        return InlineKeyboardMarkup(entry_buttons(answer.suggestions[:3]))
    if answer.status == "abstain" and answer.reason != "gap":
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        chat_text("button_topics", lang), callback_data="m:topics"
                    ),
                    InlineKeyboardButton(chat_text("button_help", lang), callback_data="m:help"),
                ]
            ]
        )
    rows = entry_buttons([*answer.alternatives, *answer.related][:3])
    if answer.more:
        more = _button(chat_text("button_more", lang), f"n:{answer.more}")
        rows += _rows([more])
    if feedback_token is not None:
        up, down = chat_text("button_up", lang), chat_text("button_down", lang)
        rows.append(
            [
                InlineKeyboardButton(up, callback_data=f"f:+:{feedback_token}"),
                InlineKeyboardButton(down, callback_data=f"f:-:{feedback_token}"),
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def areas_keyboard(areas: list[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(a, callback_data=f"a:{i}")] for i, a in enumerate(areas)]
    )


def examples_keyboard(lang: str) -> InlineKeyboardMarkup:
    examples = EXAMPLE_QUESTIONS[normalise_lang(lang)]
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(q, callback_data=f"x:{i}")] for i, q in enumerate(examples)]
    )


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=f"l:{code}")
                for code, label in LANGUAGE_BUTTONS
            ]
        ]
    )


def back_row(lang: str, data: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(chat_text("button_back", lang), callback_data=data)]


# --- sending ---------------------------------------------------------------------------------


def html_to_plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


async def send_html(
    context: Context,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | ForceReply | None = None,
    reply_to: int | None = None,
) -> Message:
    """Sends HTML, retrying flood waits and outages until the configured deadline; if
    Telegram rejects the entities, sends the same text as plain text. When the deadline
    passes the user is told once, and DeliveryError tells the caller."""
    deadline = time.monotonic() + services(context).settings.send_deadline_seconds
    kwargs: dict[str, Any] = {"reply_markup": markup, "reply_to_message_id": reply_to}

    async def as_html() -> Message:
        return await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, **kwargs)

    async def as_plain() -> Message:
        return await context.bot.send_message(chat_id, html_to_plain(text), **kwargs)

    try:
        try:
            return await send_with_retry(as_html, deadline=deadline)
        except BadRequest as error:
            if not ENTITY_ERROR.search(str(error)):
                raise
            logger.warning("HTML rejected (%s); resending as plain text", error)
            return await send_with_retry(as_plain, deadline=deadline)
    except DeliveryError:
        logger.error("A reply could not be delivered within the deadline; telling the user")
        await tell_once(context, chat_id, chat_text("delivery_failed", "sv"))
        raise


async def tell_once(context: Context, chat_id: int, text: str) -> None:
    """One attempt, no retries: the last word when Telegram keeps refusing."""
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError as error:
        logger.warning("Could not tell the user either: %s", error)


async def send_answer(
    context: Context,
    chat_id: int,
    answer: Answer,
    *,
    reply_to: int | None = None,
    notice: str | None = None,
    feedback_token: str | None = None,
) -> None:
    """Renders, splits below Telegram's limit and sends; buttons go under the last part."""
    body = render_html(answer)
    if answer.status == "answer" and answer.alternatives:
        titles = "; ".join(html.escape(a.title) for a in answer.alternatives)
        body += f"\n\n<b>{chat_text('alternatives_header', answer.lang)}</b> {titles}"
    if answer.status == "answer" and answer.related:
        body += f"\n\n<b>{chat_text('related_header', answer.lang)}</b>"
    chunks = split_message(f"{notice}\n\n{body}" if notice else body, MessageLimit.MAX_TEXT_LENGTH)
    markup = answer_keyboard(answer, feedback_token)
    for number, chunk in enumerate(chunks, start=1):
        last = number == len(chunks)
        await send_html(context, chat_id, chunk, markup if last else None, reply_to)


async def reply(update: Update, context: Context, text: str, markup: Any = None) -> None:
    await send_html(context, update.effective_chat.id, text, markup, _reply_to(update))


def _reply_to(update: Update) -> int | None:
    message = update.effective_message
    if message is None or message.chat.type == ChatType.PRIVATE:
        return None
    return message.message_id


# --- answering -------------------------------------------------------------------------------


async def answer_question(update: Update, context: Context, question: str) -> None:
    """The one path for a user's question: rate limit, length cap, a picked choice or the
    engine, the reply, then the curator log."""
    if not await within_rate_limit(update, context):
        return
    state = await chat_state(update, context)
    lang = normalise_lang(state.lang)
    question, notice = cap_question(update, context, clean(question), lang)
    picked = picked_choice(state, question)
    if picked is not None:
        await send_entry(update, context, picked, state.lang)
        if state.choices_log_id is not None:
            await stored(
                context, None, services(context).store.record_pick, state.choices_log_id, picked
            )
        return
    answer = await engine_call(context, "answer", question, state.lang)
    svc = services(context)
    text = scrub(question, known=svc.known_names)
    token = None
    if answer.status == "answer" and (answer.entry_id or answer.kind == "passage"):
        token = await stored(context, None, svc.store.issue_feedback, None, answer.entry_id, text)
    chat_id = update.effective_chat.id
    await send_answer(
        context, chat_id, answer, reply_to=_reply_to(update), notice=notice, feedback_token=token
    )
    await stored(context, None, svc.store.after_answer, chat_id, text, answer, token)


async def within_rate_limit(update: Update, context: Context, *, notify: bool = True) -> bool:
    who = update.effective_user.id if update.effective_user else update.effective_chat.id
    svc = services(context)
    limit = await stored(context, None, svc.store.take, who, svc.settings.questions_per_minute)
    if limit is None or limit.allowed:
        return True  # a store that cannot count lets questions through
    if notify and limit.notice_wait is not None:
        lang = await ui_lang(update, context)
        await reply(update, context, chat_text("rate_limited", lang, seconds=limit.notice_wait))
    return False


def cap_question(
    update: Update, context: Context, question: str, lang: str
) -> tuple[str, str | None]:
    """The question cut to the configured length, and the notices to show above the answer."""
    limit = services(context).settings.max_question_chars
    notices = [chat_text("edited", lang)] if update.edited_message is not None else []
    if len(question) > limit:
        question = question[:limit]
        notices.append(chat_text("too_long", lang, limit=limit))
    return question, "\n".join(notices) or None


def picked_choice(state: ChatState, text: str) -> str | None:
    """After "Menade du …?", a reply of just "2" picks the second choice."""
    number = text.strip().rstrip(".")
    if number.isdigit() and len(number) <= 2 and 1 <= int(number) <= len(state.choices):
        return state.choices[int(number) - 1]
    return None


async def engine_call(context: Context, name: str, *args: Any, **kwargs: Any) -> Any:
    """Calls the engine method `name` (or reads the property) on the engine thread. A broken
    index is an operator error: it is logged as one and the user hears the bot is down."""
    from bot.engine import IndexUnavailableError

    def call(engine: Engine) -> Any:
        attribute = getattr(engine, name)
        return attribute(*args, **kwargs) if callable(attribute) else attribute

    try:
        return await services(context).engine.run(call)
    except IndexUnavailableError as error:
        logger.error("Knowledge index unavailable: %s (rebuild it: python -m bot build)", error)
        raise IndexDown from None


class IndexDown(Exception):
    """The knowledge index cannot be read; on_error tells the user the bot is down."""


async def send_entry(update: Update, context: Context, entry_id: str, lang: str | None) -> None:
    answer = await engine_call(context, "answer_entry", entry_id, lang)
    await send_answer(context, update.effective_chat.id, answer, reply_to=_reply_to(update))


# --- command handlers ------------------------------------------------------------------------


async def on_start(update: Update, context: Context) -> None:
    if update.effective_chat is not None:
        await stored(
            context, None, services(context).store.mark_unblocked, update.effective_chat.id
        )
    state = await chat_state(update, context)
    if context.args:  # deep link t.me/<bot>?start=<entry-id>
        await send_entry(update, context, context.args[0][:64], state.lang)
        return
    lang = normalise_lang(state.lang)
    areas = await engine_call(context, "areas")
    count = await engine_call(context, "entry_count")
    text = chat_text("welcome", lang, entry_count=count, areas=", ".join(areas))
    await reply(update, context, text, examples_keyboard(lang))


async def on_help(update: Update, context: Context) -> None:
    lang = await ui_lang(update, context)
    await reply(update, context, chat_text("help", lang, bot_username=context.bot.username))


async def on_topics(update: Update, context: Context) -> None:
    areas = await engine_call(context, "areas")
    lang = await ui_lang(update, context)
    await reply(update, context, chat_text("areas", lang), areas_keyboard(areas))


async def on_referrals(update: Update, context: Context) -> None:
    state = await chat_state(update, context)
    answer = await engine_call(context, "referrals", state.lang)
    await send_answer(context, update.effective_chat.id, answer, reply_to=_reply_to(update))


async def on_prize(update: Update, context: Context) -> None:
    entries = await engine_call(context, "list_entries", kind="prize")
    if not entries:
        await answer_question(update, context, "demokratipriset")
        return
    state = await chat_state(update, context)
    await send_entry(update, context, entries[0].entry_id, state.lang)


async def on_timeline(update: Update, context: Context) -> None:
    period = " ".join(context.args or [])[:40] or None
    state = await chat_state(update, context)
    answer = await engine_call(context, "timeline", state.lang, period)
    await send_answer(context, update.effective_chat.id, answer, reply_to=_reply_to(update))


async def on_sources(update: Update, context: Context) -> None:
    lang = await ui_lang(update, context)
    documents = await engine_call(context, "documents")
    lines = [chat_text("documents", lang)]
    for document in documents:
        title = (document.title_en if lang == "en" else None) or document.title
        lines.append(
            chat_text(
                "document_line",
                lang,
                title=title,
                date=document.date,
                reference=document.reference,
            )
        )
    await reply(update, context, "\n\n".join(lines))


async def on_quote(update: Update, context: Context) -> None:
    text = command_argument(update)
    lang = await ui_lang(update, context)
    if not text:
        await reply(update, context, chat_text("empty_quote", lang))
        return
    text = text[: services(context).settings.max_question_chars]
    check = await engine_call(context, "check_quote", text)
    await reply(update, context, render_quote_check(check, lang, html_output=True))


async def on_ask(update: Update, context: Context) -> None:
    question = command_argument(update)
    if not question:
        lang = await ui_lang(update, context)
        placeholder = EXAMPLE_QUESTIONS[lang][0]
        markup = ForceReply(selective=True, input_field_placeholder=placeholder)
        await reply(update, context, chat_text("empty_question", lang), markup)
        return
    await answer_question(update, context, question)


async def on_language(update: Update, context: Context) -> None:
    choice = (context.args or [""])[0].lower()
    if choice in ("sv", "en"):
        await stored(
            context, None, services(context).store.set_language, update.effective_chat.id, choice
        )
        await reply(update, context, chat_text("language_set", choice))
        return
    lang = await ui_lang(update, context)
    await reply(update, context, chat_text("choose_language", lang), language_keyboard())


async def on_stats(update: Update, context: Context) -> None:
    lang = await ui_lang(update, context)
    user = update.effective_user
    if user is None or user.id not in services(context).settings.admin_ids:
        await reply(update, context, chat_text("admin_only", lang))
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        # Logged questions are other residents' words: never shown to a whole group.
        await reply(update, context, chat_text("stats_private_only", lang))
        return
    await reply(update, context, await stats_text(context, lang))


async def stats_text(context: Context, lang: str) -> str:
    from bot.curator_log import frequent_unresolved

    store = services(context).store
    counts = await stored(context, {}, store.counts)
    rows = await stored(context, [], store.question_rows)
    gaps = frequent_unresolved(rows, limit=5)
    gap_lines = "\n".join(f"{group.count} × {group.wording}" for group in gaps)
    entry_count = await engine_call(context, "entry_count")
    blocked = await stored(context, 0, store.blocked_count)
    return chat_text(
        "stats",
        lang,
        days=services(context).settings.log_retention_days,
        entry_count=entry_count,
        gaps=gap_lines or chat_text("stats_no_gaps", lang),
        blocked=blocked,
        **{
            key: counts.get(key, 0)
            for key in ("answer", "suggest", "abstain", "upvote", "downvote")
        },
    )


def command_argument(update: Update) -> str:
    """The text after `/command` (or `/command@bot`), stripped; "" if none."""
    text = clean(update.effective_message.text or "")
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


COMMAND_HANDLERS = (
    (("start",), on_start),
    (("hjalp", "help"), on_help),
    (("amnen", "topics"), on_topics),
    (("remisser", "referrals"), on_referrals),
    (("demokratipris", "prize"), on_prize),
    (("tidslinje", "timeline"), on_timeline),
    (("kallor", "sources"), on_sources),
    (("citat", "quote"), on_quote),
    (("fraga", "ask"), on_ask),
    (("sprak", "language"), on_language),
    (("statistik", "stats"), on_stats),
)
COMMANDS_BY_NAME = {name: handler for names, handler in COMMAND_HANDLERS for name in names}


async def on_other_command(update: Update, context: Context) -> None:
    """A command no handler took: a Swedish spelling ('/hjälp', '/språk') runs its alias,
    anything else gets a short help."""
    first = (update.effective_message.text or "").split(maxsplit=1)[0]
    command, _, addressee = first[1:].partition("@")
    chat = update.effective_chat
    in_group = chat is not None and chat.type != ChatType.PRIVATE
    if in_group and addressee.casefold() != (context.bot.username or "").casefold():
        return  # another bot's command in a group ("/start@OtherBot", or "/weather")
    handler = COMMANDS_BY_NAME.get(fold(command))
    if handler is not None:
        rest = (update.effective_message.text or "").split(maxsplit=1)[1:]
        context.args = rest[0].split() if rest else []
        await handler(update, context)
        return
    lang = await ui_lang(update, context)
    await reply(update, context, chat_text("unknown_command", lang))


# --- message handlers ------------------------------------------------------------------------


async def on_private_text(update: Update, context: Context) -> None:
    await answer_question(update, context, update.effective_message.text)


async def on_group_text(update: Update, context: Context) -> None:
    question = addressed_question(update.effective_message, context.bot.username, context.bot.id)
    if question is None:
        return  # privacy mode off or chatter between members: not for us
    if not question:
        await on_ask(update, context)
        return
    await answer_question(update, context, question)


def addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message that mentions or replies to the bot, else None."""
    text = message.text or ""
    mention = f"@{username}"
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text.replace(mention, " ").strip()
    if mention.casefold() in text.casefold():
        return re.sub(re.escape(mention), " ", text, flags=re.I).strip()
    return None


async def on_non_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message.chat.type != ChatType.PRIVATE:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
            return
    lang = await ui_lang(update, context)
    await reply(update, context, chat_text("non_text", lang))


# --- buttons ---------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    kind, _, value = (query.data or "").partition(":")
    handler = BUTTONS.get(kind)
    if query.message is None:
        # A button under an inline-mode message: there is no chat to answer in.
        lang = normalise_lang(query.from_user.language_code if query.from_user else None)
        await query.answer(chat_text("inline_open_bot", lang), show_alert=True)
        return
    if handler is None:
        lang = await ui_lang(update, context)
        await query.answer(chat_text("button_expired", lang), show_alert=True)
        return
    await handler(update, context, query, value)


def _number(value: str, limit: int) -> int | None:
    """A small index from callback data; None when it was never issued ('99999999999…')."""
    if value.isdigit() and len(value) <= 3 and int(value) < min(limit, MAX_BUTTON_NUMBER):
        return int(value)
    return None


async def press_entry(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    await query.answer()
    state = await chat_state(update, context)
    await send_entry(update, context, value[:64], state.lang)
    if value in state.choices and state.choices_log_id is not None:
        await stored(
            context, None, services(context).store.record_pick, state.choices_log_id, value
        )


async def press_more(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    """The next page of a listing."""
    await query.answer()
    state = await chat_state(update, context)
    answer = await engine_call(context, "listing", value[:60], state.lang)
    await send_answer(context, update.effective_chat.id, answer, reply_to=_reply_to(update))


async def press_example(
    update: Update, context: Context, query: CallbackQuery, value: str
) -> None:
    await query.answer()
    examples = EXAMPLE_QUESTIONS[await ui_lang(update, context)]
    number = _number(value, len(examples))
    await answer_question(update, context, examples[number or 0])


async def press_area(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    lang = await ui_lang(update, context)
    areas = await engine_call(context, "areas")
    number = _number(value, len(areas))
    if number is None:
        await press_topics(update, context, query, "")
        return
    area = areas[number]
    priorities = await engine_call(context, "priorities", area)
    rows = _rows([_button(title, f"p:{number}:{n}") for n, title in priorities])
    key = "priorities" if rows else "no_priorities"
    await edit_menu(query, chat_text(key, lang, area=area), [*rows, back_row(lang, "m:topics")])


async def press_priority(
    update: Update, context: Context, query: CallbackQuery, value: str
) -> None:
    lang = await ui_lang(update, context)
    area_value, _, priority_value = value.partition(":")
    areas = await engine_call(context, "areas")
    area_number = _number(area_value, len(areas))
    priority = _number(priority_value, MAX_BUTTON_NUMBER)
    if area_number is None or priority is None:
        await press_topics(update, context, query, "")
        return
    area = areas[area_number]
    entries = await engine_call(context, "list_entries", area=area, priority=priority)
    titles = dict(await engine_call(context, "priorities", area))
    text = chat_text(
        "entries" if entries else "no_entries", lang, title=titles.get(priority, area)
    )
    await edit_menu(query, text, [*entry_buttons(entries), back_row(lang, f"a:{area_number}")])


async def press_topics(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    areas = await engine_call(context, "areas")
    keyboard = areas_keyboard(areas)
    lang = await ui_lang(update, context)
    await edit_menu(query, chat_text("areas", lang), list(keyboard.inline_keyboard))


async def edit_menu(query: CallbackQuery, text: str, rows: list) -> None:
    await query.answer()
    markup = InlineKeyboardMarkup(rows)
    if query.message is not None and query.message.is_accessible:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    else:  # a menu older than 48 hours cannot be edited: send a fresh one
        await query.get_bot().send_message(
            query.from_user.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )


async def press_menu(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    """The buttons under an abstention: browse the topics, or read the help."""
    await query.answer()
    await (on_topics if value == "topics" else on_help)(update, context)


async def press_feedback(
    update: Update, context: Context, query: CallbackQuery, value: str
) -> None:
    vote, _, token = value.partition(":")
    lang = await ui_lang(update, context)
    store = services(context).store
    redeemed = await stored(context, None, store.redeem_feedback, token[:32])
    if vote not in "+-" or redeemed is None:
        # Pressed twice, from another bot, or forged: nothing to count.
        await query.answer(chat_text("button_expired", lang), show_alert=False)
        await drop_feedback_row(query)
        return
    await query.answer(
        chat_text("feedback_thanks_up" if vote == "+" else "feedback_thanks_down", lang)
    )
    await drop_feedback_row(query)
    await stored(context, None, store.record_vote, redeemed, vote == "+")


async def drop_feedback_row(query: CallbackQuery) -> None:
    """Removes the 👍/👎 row so a vote counts once; keeps the other buttons."""
    message = query.message
    if message is None or not message.is_accessible or message.reply_markup is None:
        return
    rows = [
        row
        for row in message.reply_markup.inline_keyboard
        if not any((b.callback_data or "").startswith("f:") for b in row)
    ]
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)


async def press_language(
    update: Update, context: Context, query: CallbackQuery, value: str
) -> None:
    lang = normalise_lang(value)
    await stored(
        context, None, services(context).store.set_language, update.effective_chat.id, lang
    )
    await query.answer()
    await query.edit_message_text(chat_text("language_set", lang))


BUTTONS = {
    "e": press_entry,
    "n": press_more,
    "x": press_example,
    "a": press_area,
    "p": press_priority,
    "m": press_menu,
    "f": press_feedback,
    "l": press_language,
}


# --- inline mode -----------------------------------------------------------------------------


async def on_inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if not await within_rate_limit(update, context, notify=False):
        await query.answer([], cache_time=5)  # inline queries count like questions
        return
    text = clean(query.query)[: services(context).settings.max_question_chars]
    answers = await engine_call(context, "search", text, INLINE_RESULTS) if text else []
    results = [inline_result(answer, context.bot.username) for answer in answers]
    lang = normalise_lang(query.from_user.language_code if query.from_user else None)
    fallback = inline_fallback(text, context.bot.username, lang)
    await query.answer(results or [fallback], cache_time=60)


def inline_result(answer: Answer, username: str) -> InlineQueryResultArticle:
    body = split_message(render_html(answer), MessageLimit.MAX_TEXT_LENGTH)[0]
    source = answer.sources[0] if answer.sources else None
    title = (answer.answer or answer.text).split("\n")[0]
    button = InlineKeyboardButton(
        "Beredningsboten", url=f"https://t.me/{username}?start={answer.entry_id}"
    )
    return InlineQueryResultArticle(
        id=(answer.entry_id or str(abs(hash(title))))[:64],
        title=title[: BUTTON_TITLE_CHARS * 2],
        description=f"{source.title}, {source.reference}" if source else None,
        input_message_content=InputTextMessageContent(body, parse_mode=ParseMode.HTML),
        reply_markup=InlineKeyboardMarkup([[button]]) if answer.entry_id else None,
    )


def inline_fallback(text: str, username: str, lang: str) -> InlineQueryResultArticle:
    title_key, text_key = (
        ("inline_none_title", "inline_none_text")
        if text
        else ("inline_help_title", "inline_help_text")
    )
    return InlineQueryResultArticle(
        id="none" if text else "help",
        title=chat_text(title_key, lang),
        input_message_content=InputTextMessageContent(
            chat_text(text_key, lang, query=text[:200], bot_username=username),
            parse_mode=ParseMode.HTML,
        ),
    )


# --- errors ----------------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """One place for errors, most specific first: BadRequest and TimedOut are NetworkErrors.
    Chat ids and user text never reach these log lines."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, DeliveryError):
        return  # logged and told where it happened
    if isinstance(error, IndexDown):
        await apologise(chat.id if chat else None, context, "unavailable")
        return
    if isinstance(error, Forbidden):
        if chat is not None:
            await stored(context, None, services(context).store.mark_blocked, chat.id)
        logger.info("A chat blocked the bot or removed it (%s)", type(error).__name__)
        return
    if isinstance(error, BadRequest):
        logger.warning("Telegram rejected a request: %s", error, exc_info=error)
    elif isinstance(error, NetworkError):
        logger.warning("Network error: %s", error)
    else:
        logger.error("Unexpected error while handling an update", exc_info=error)
    await apologise(chat.id if chat else None, context, "error")


async def apologise(chat_id: int | None, context: Context, key: str) -> None:
    """Never silent: tell the user something went wrong (one attempt, errors ignored)."""
    if chat_id is None:
        return
    await tell_once(context, chat_id, html_to_plain(chat_text(key, "sv")))


# --- building and running --------------------------------------------------------------------


def without_lone_surrogates(update: Update, bot) -> Update:
    """The update with lone surrogates dropped from every field: broken clients send them as
    JSON escapes, and no text holding one can be encoded, stored or sent."""
    data = json.dumps(update.to_dict(), ensure_ascii=False)
    try:
        data.encode("utf-8")
    except UnicodeEncodeError:
        return Update.de_json(json.loads(data.encode("utf-8", "ignore")), bot)
    return update


class BotApplication(Application):
    """Every update, however it arrives (polling, webhook, recovery), is cleaned first."""

    async def process_update(self, update: object) -> None:
        if isinstance(update, Update):
            update = without_lone_surrogates(update, self.bot)
        await super().process_update(update)


def build_application(
    settings: Settings,
    engine: Engine,
    store: StateStore,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    pacer: ChatPacer | None = None,
) -> Application:
    """The configured Application; tests pass a fake `request` transport (and the soak a
    pacer without Telegram's overall limit, to measure the bot rather than the limit)."""
    builder = (
        ApplicationBuilder()
        .application_class(BotApplication)
        .token(settings.require_token())
        .defaults(
            Defaults(
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(pacer or ChatPacer())
        .updater(None)  # bot.telegram_run fetches updates and confirms them once handled
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data["services"] = Services(
        settings=settings,
        engine=EngineRunner(engine, settings.engine_workers),
        store=store,
        known_names=engine.known_names(),
    )
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    for names, callback in COMMAND_HANDLERS:
        application.add_handler(CommandHandler(names, callback))
    text = filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, on_private_text))
    application.add_handler(MessageHandler(text & filters.ChatType.GROUPS, on_group_text))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGES & filters.COMMAND, on_other_command)
    )
    non_text = filters.UpdateType.MESSAGES & ~filters.TEXT & ~filters.StatusUpdate.ALL
    application.add_handler(MessageHandler(non_text, on_non_text))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_error_handler(on_error)


async def register_commands(application: Application) -> None:
    """Registers the command menus; a failure here must not stop the bot from answering."""
    for lang, language_code in (("sv", None), ("en", "en")):
        commands = [BotCommand(name, description) for name, description in command_menu(lang)]
        try:
            await application.bot.set_my_commands(commands, language_code=language_code)
        except TelegramError as error:
            logger.warning("Could not register the command menu (%s): %s", lang, error)


def run_bot(settings: Settings) -> None:
    """Opens the engine and the store, then serves until SIGINT/SIGTERM. Start-up problems
    end with one line naming the setting and the fix (ConfigError), never a traceback."""
    from bot.startup import open_engine_for_bot, open_store_for_bot

    engine = open_engine_for_bot(settings)
    store = open_store_for_bot(settings)
    application = build_application(settings, engine, store)
    try:
        asyncio.run(_serve(application, settings, engine))
    except InvalidToken:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN was rejected by Telegram: check the token with @BotFather"
        ) from None
    except NetworkError as error:  # only at start-up: later, sends and fetches retry
        where = "TELEGRAM_BASE_URL" if settings.telegram_base_url else "api.telegram.org"
        raise ConfigError(
            f"Cannot reach Telegram ({where}): {redact(str(error))}. Check "
            "the network (a restart policy starts the bot again)"
        ) from None
    except OSError as error:
        raise ConfigError(
            f"PORT={settings.port}: cannot listen on {settings.webhook_listen}:{settings.port} "
            f"({error.strerror or error}): another process has it, or set PORT / WEBHOOK_LISTEN"
        ) from None
    finally:
        application.bot_data["services"].engine.close()


async def _serve(application: Application, settings: Settings, engine: Engine) -> None:
    from bot.startup import store_threads
    from bot.telegram_run import serve

    # Store calls run on the default executor: as many threads as updates make calls at once.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=store_threads(settings), thread_name_prefix="store")
    )
    async with application:
        await register_commands(application)
        mode = settings.mode
        logger.info("Beredningsboten starting (%s, %d entries)", mode, engine.entry_count)
        store = services_of(application).store
        finished = await serve(application, settings, health=engine.self_check, store=store)
    logger.info("Beredningsboten stopped")
    if not finished:
        sys.exit(3)  # updates left for the next start: in the inbox, or with Telegram
