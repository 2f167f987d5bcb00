"""The Telegram layer: handlers, `build_application` and `run_bot`. The only module importing
telegram. It asks the engine, renders with bot.render and takes fixed wording from chat_texts.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

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
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
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
from bot.config import Settings
from bot.curator_log import CuratorLog
from bot.models import Answer, Suggestion
from bot.render import render_html, render_quote_check, split_message

if TYPE_CHECKING:
    from bot.engine import Engine

logger = logging.getLogger(__name__)

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE

INLINE_RESULTS = 5
BUTTON_TITLE_CHARS = 80  # longer labels are cut off by the apps anyway
CALLBACK_DATA_BYTES = 64  # Telegram's limit for callback_data
REMEMBERED_QUESTIONS = 30  # per chat, for 👎 feedback; kept in memory only
ENTITY_ERROR = re.compile(r"can't parse entities|unsupported start tag|can't find end", re.I)
TAG = re.compile(r"<[^>]+>")


# --- services shared by the handlers --------------------------------------------------------


class EngineRunner:
    """Runs engine calls on one dedicated worker thread.

    The engine is synchronous and reads SQLite; calling it on the event loop would block every
    chat. One worker serialises the calls, so the engine's connection is never used by two
    threads at once, and answers take milliseconds, so a queue of one is enough.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine")

    async def run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@dataclass
class QuestionLimiter:
    """At most `per_minute` questions per user in any 60 seconds; one notice per burst."""

    per_minute: int
    window: float = 60.0
    _asked: dict[int, deque[float]] = field(default_factory=dict)
    _noticed: dict[int, float] = field(default_factory=dict)

    def check(self, user_id: int, now: float | None = None) -> tuple[bool, int | None]:
        """(allowed, seconds to wait if a notice should be sent now, else None)."""
        now = time.monotonic() if now is None else now
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= self.window:
            asked.popleft()
        if len(asked) < self.per_minute:
            asked.append(now)
            return True, None
        wait = max(1, round(self.window - (now - asked[0])))
        if now - self._noticed.get(user_id, -self.window) < self.window:
            return False, None  # already told during this burst: stay quiet, don't feed a flood
        self._noticed[user_id] = now
        return False, wait


@dataclass
class Services:
    settings: Settings
    engine: EngineRunner
    curator_log: CuratorLog
    limiter: QuestionLimiter
    blocked_chats: set[int] = field(default_factory=set)


def services(context: Context) -> Services:
    return context.bot_data["services"]


def chat_lang(context: Context) -> str | None:
    """The language chosen with /sprak, or None to let the engine detect it per question."""
    return context.chat_data.get("lang") if context.chat_data is not None else None


def ui_lang(context: Context) -> str:
    return normalise_lang(chat_lang(context))


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
    """Buttons under a reply: suggestions, related entries + feedback, or where to go next."""
    lang = answer.lang
    if answer.status == "suggest":
        return InlineKeyboardMarkup(entry_buttons(answer.suggestions[:3]))
    if answer.status == "abstain":
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
    rows = entry_buttons(answer.related[:3])
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
    """Sends HTML; if Telegram rejects the entities, sends the same text as plain text."""
    kwargs: dict[str, Any] = {"reply_markup": markup, "reply_to_message_id": reply_to}
    try:
        return await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, **kwargs)
    except BadRequest as error:
        if not ENTITY_ERROR.search(str(error)):
            raise
        logger.warning("HTML rejected (%s); resending as plain text", error)
        return await context.bot.send_message(chat_id, html_to_plain(text), **kwargs)


async def send_answer(
    context: Context,
    chat_id: int,
    answer: Answer,
    *,
    reply_to: int | None = None,
    notice: str | None = None,
) -> None:
    """Renders, splits below Telegram's limit and sends; buttons go under the last part."""
    body = render_html(answer)
    if answer.status == "answer" and answer.related:
        body += f"\n\n<b>{chat_text('related_header', answer.lang)}</b>"
    chunks = split_message(f"{notice}\n\n{body}" if notice else body, MessageLimit.MAX_TEXT_LENGTH)
    markup = answer_keyboard(answer, remember_question(context, answer))
    for number, chunk in enumerate(chunks, start=1):
        last = number == len(chunks)
        await send_html(context, chat_id, chunk, markup if last else None, reply_to)


def remember_question(context: Context, answer: Answer) -> str | None:
    """A short token for the 👍/👎 buttons: the question stays in memory, not in callback data."""
    if answer.status != "answer" or context.chat_data is None:
        return None
    remembered: dict[str, tuple[str, str | None]] = context.chat_data.setdefault("asked", {})
    token = str(context.chat_data.get("asked_counter", 0) + 1)
    context.chat_data["asked_counter"] = int(token)
    remembered[token] = (answer.question, answer.entry_id)
    for old in list(remembered)[:-REMEMBERED_QUESTIONS]:
        del remembered[old]
    return token


async def reply(update: Update, context: Context, text: str, markup: Any = None) -> None:
    message = update.effective_message
    reply_to = message.message_id if message and message.chat.type != ChatType.PRIVATE else None
    await send_html(context, update.effective_chat.id, text, markup, reply_to)


# --- answering -------------------------------------------------------------------------------


async def answer_question(update: Update, context: Context, question: str) -> None:
    """The one path for a user's question: rate limit, length cap, engine, log, reply."""
    if not await within_rate_limit(update, context):
        return
    question, notice = cap_question(update, context, question)
    picked = picked_suggestion(context, question)
    if picked is not None:
        await send_entry(update, context, picked)
        return
    answer = await engine_call(context, "answer", question, chat_lang(context))
    if context.chat_data is not None:
        context.chat_data["suggested"] = [s.entry_id for s in answer.suggestions]
    await log_answer(context, answer)
    chat_id = update.effective_chat.id
    await send_answer(context, chat_id, answer, reply_to=_reply_to(update), notice=notice)


async def within_rate_limit(update: Update, context: Context) -> bool:
    allowed, wait = services(context).limiter.check(update.effective_user.id)
    if not allowed and wait is not None:
        await reply(update, context, chat_text("rate_limited", ui_lang(context), seconds=wait))
    return allowed


def cap_question(update: Update, context: Context, question: str) -> tuple[str, str | None]:
    """The question cut to the configured length, and the notices to show above the answer."""
    lang, limit = ui_lang(context), services(context).settings.max_question_chars
    notices = [chat_text("edited", lang)] if update.edited_message is not None else []
    if len(question) > limit:
        question = question[:limit]
        notices.append(chat_text("too_long", lang, limit=limit))
    return question, "\n".join(notices) or None


def picked_suggestion(context: Context, text: str) -> str | None:
    """After "Menade du …?", a reply of just "2" picks the second suggestion."""
    suggested = context.chat_data.get("suggested", []) if context.chat_data is not None else []
    number = text.strip().rstrip(".")
    if number.isdigit() and 1 <= int(number) <= len(suggested):
        return suggested[int(number) - 1]
    return None


def _reply_to(update: Update) -> int | None:
    message = update.effective_message
    if message is None or message.chat.type == ChatType.PRIVATE:
        return None
    return message.message_id


async def log_answer(context: Context, answer: Answer) -> None:
    first_suggestion = answer.suggestions[0].entry_id if answer.suggestions else None
    entry_id = answer.entry_id or first_suggestion
    await asyncio.to_thread(
        services(context).curator_log.record, answer.question, answer.status, entry_id
    )


async def engine_call(context: Context, name: str, *args: Any, **kwargs: Any) -> Any:
    """Calls the engine method `name` (or reads the property) on the engine thread."""
    engine = services(context).engine

    def call() -> Any:
        attribute = getattr(engine.engine, name)
        return attribute(*args, **kwargs) if callable(attribute) else attribute

    return await engine.run(call)


async def send_entry(update: Update, context: Context, entry_id: str) -> None:
    answer = await engine_call(context, "answer_entry", entry_id, chat_lang(context))
    await send_answer(context, update.effective_chat.id, answer, reply_to=_reply_to(update))


# --- command handlers ------------------------------------------------------------------------


async def on_start(update: Update, context: Context) -> None:
    if context.args:  # deep link t.me/<bot>?start=<entry-id>
        await send_entry(update, context, context.args[0])
        return
    lang = ui_lang(context)
    areas = await engine_call(context, "areas")
    count = await engine_call(context, "entry_count")
    text = chat_text("welcome", lang, entry_count=count, areas=", ".join(areas))
    await reply(update, context, text, examples_keyboard(lang))


async def on_help(update: Update, context: Context) -> None:
    await reply(
        update, context, chat_text("help", ui_lang(context), bot_username=context.bot.username)
    )


async def on_topics(update: Update, context: Context) -> None:
    areas = await engine_call(context, "areas")
    await reply(update, context, chat_text("areas", ui_lang(context)), areas_keyboard(areas))


async def on_referrals(update: Update, context: Context) -> None:
    answer = await engine_call(context, "referrals", chat_lang(context))
    await send_answer(context, update.effective_chat.id, answer, reply_to=_reply_to(update))


async def on_prize(update: Update, context: Context) -> None:
    entries = await engine_call(context, "list_entries", kind="prize")
    if not entries:
        await answer_question(update, context, "demokratipriset 2021")
        return
    await send_entry(update, context, entries[0].entry_id)


async def on_timeline(update: Update, context: Context) -> None:
    period = " ".join(context.args or []) or None
    answer = await engine_call(context, "timeline", chat_lang(context), period)
    await send_answer(context, update.effective_chat.id, answer, reply_to=_reply_to(update))


async def on_sources(update: Update, context: Context) -> None:
    lang = ui_lang(context)
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
    lang = ui_lang(context)
    if not text:
        await reply(update, context, chat_text("empty_quote", lang))
        return
    text = text[: services(context).settings.max_question_chars]
    check = await engine_call(context, "check_quote", text)
    await reply(update, context, render_quote_check(check, lang, html_output=True))


async def on_ask(update: Update, context: Context) -> None:
    question = command_argument(update)
    if not question:
        placeholder = EXAMPLE_QUESTIONS[ui_lang(context)][0]
        markup = ForceReply(selective=True, input_field_placeholder=placeholder)
        await reply(update, context, chat_text("empty_question", ui_lang(context)), markup)
        return
    await answer_question(update, context, question)


async def on_language(update: Update, context: Context) -> None:
    choice = (context.args or [""])[0].lower()
    if choice in ("sv", "en"):
        context.chat_data["lang"] = choice
        await reply(update, context, chat_text("language_set", choice))
        return
    await reply(
        update, context, chat_text("choose_language", ui_lang(context)), language_keyboard()
    )


async def on_stats(update: Update, context: Context) -> None:
    lang = ui_lang(context)
    if update.effective_user.id not in services(context).settings.admin_ids:
        await reply(update, context, chat_text("admin_only", lang))
        return
    await reply(update, context, await stats_text(context, lang))


async def stats_text(context: Context, lang: str) -> str:
    log = services(context).curator_log
    counts = await asyncio.to_thread(log.counts)
    gaps = await asyncio.to_thread(log.frequent_gaps, 5)
    gap_lines = "\n".join(f"{gap.count} × {gap.question}" for gap in gaps)
    entry_count = await engine_call(context, "entry_count")
    return chat_text(
        "stats",
        lang,
        days=log.retention_days,
        entry_count=entry_count,
        gaps=gap_lines or chat_text("stats_no_gaps", lang),
        **counts,
    )


def command_argument(update: Update) -> str:
    """The text after `/command` (or `/command@bot`), stripped; "" if none."""
    text = update.effective_message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


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
    await reply(update, context, chat_text("non_text", ui_lang(context)))


# --- buttons ---------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    kind, _, value = (query.data or "").partition(":")
    handler = BUTTONS.get(kind)
    if handler is None:
        await query.answer(chat_text("button_expired", ui_lang(context)), show_alert=True)
        return
    await handler(update, context, query, value)


async def press_entry(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    await query.answer()
    await send_entry(update, context, value)


async def press_example(
    update: Update, context: Context, query: CallbackQuery, value: str
) -> None:
    await query.answer()
    examples = EXAMPLE_QUESTIONS[ui_lang(context)]
    question = examples[int(value)] if value.isdigit() and int(value) < len(examples) else None
    await answer_question(update, context, question or examples[0])


async def press_area(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    lang = ui_lang(context)
    areas = await engine_call(context, "areas")
    if not value.isdigit() or int(value) >= len(areas):
        await press_topics(update, context, query, "")
        return
    area = areas[int(value)]
    priorities = await engine_call(context, "priorities", area)
    rows = _rows([_button(title, f"p:{value}:{n}") for n, title in priorities])
    key = "priorities" if rows else "no_priorities"
    await edit_menu(query, chat_text(key, lang, area=area), [*rows, back_row(lang, "m:topics")])


async def press_priority(
    update: Update, context: Context, query: CallbackQuery, value: str
) -> None:
    lang = ui_lang(context)
    area_index, _, number = value.partition(":")
    areas = await engine_call(context, "areas")
    if not (area_index.isdigit() and number.isdigit() and int(area_index) < len(areas)):
        await press_topics(update, context, query, "")
        return
    area = areas[int(area_index)]
    entries = await engine_call(context, "list_entries", area=area, priority=int(number))
    titles = dict(await engine_call(context, "priorities", area))
    text = chat_text(
        "entries" if entries else "no_entries",
        lang,
        title=titles.get(int(number), area),
    )
    await edit_menu(query, text, [*entry_buttons(entries), back_row(lang, f"a:{area_index}")])


async def press_topics(update: Update, context: Context, query: CallbackQuery, value: str) -> None:
    areas = await engine_call(context, "areas")
    keyboard = areas_keyboard(areas)
    await edit_menu(query, chat_text("areas", ui_lang(context)), list(keyboard.inline_keyboard))


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
    question, entry_id = context.chat_data.get("asked", {}).pop(token, ("", None))
    lang = ui_lang(context)
    status, thanks = FEEDBACK["up" if vote == "+" else "down"]
    await asyncio.to_thread(services(context).curator_log.record, question, status, entry_id)
    await query.answer(chat_text(thanks, lang))
    await drop_feedback_row(query)


FEEDBACK = {"up": ("upvote", "feedback_thanks_up"), "down": ("downvote", "feedback_thanks_down")}


async def drop_feedback_row(query: CallbackQuery) -> None:
    """Removes the 👍/👎 row so a vote counts once; keeps the related buttons."""
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
    context.chat_data["lang"] = lang
    await query.answer()
    await query.edit_message_text(chat_text("language_set", lang))


BUTTONS = {
    "e": press_entry,
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
    text = query.query.strip()[: services(context).settings.max_question_chars]
    answers = await engine_call(context, "search", text, INLINE_RESULTS) if text else []
    results = [inline_result(answer, context.bot.username) for answer in answers]
    lang = normalise_lang(query.from_user.language_code)
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
        id=(answer.entry_id or str(hash(title)))[:64],
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


# --- updates seen by every handler, and errors -----------------------------------------------


async def on_any_update(update: Update, context: Context) -> None:
    """A chat that writes to us again has unblocked us."""
    if update.effective_chat is not None:
        services(context).blocked_chats.discard(update.effective_chat.id)


async def on_error(update: object, context: Context) -> None:
    """One place for errors, most specific first: BadRequest and TimedOut are NetworkErrors."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        if chat is not None:
            services(context).blocked_chats.add(chat.id)
        logger.info("Chat %s blocked the bot or removed it: %s", chat and chat.id, error)
        return
    if isinstance(error, BadRequest):
        logger.warning("Telegram rejected a request: %s", error, exc_info=error)
    elif isinstance(error, RetryAfter):
        logger.warning("Flood control: %s", error)
        return  # telling the user would add to the flood
    elif isinstance(error, TimedOut):
        logger.warning("Telegram timed out: %s", error)
    elif isinstance(error, NetworkError):
        logger.warning("Network error: %s", error)
    else:
        logger.error("Unexpected error while handling an update", exc_info=error)
    await apologise(chat.id if chat else None, context)


async def apologise(chat_id: int | None, context: Context) -> None:
    """Never silent: tell the user something went wrong (best effort, errors ignored here)."""
    if chat_id is None:
        return
    try:
        await context.bot.send_message(chat_id, chat_text("error", ui_lang(context)))
    except TelegramError as error:
        logger.info("Could not send the apology to chat %s: %s", chat_id, error)


# --- building and running --------------------------------------------------------------------

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


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:
    """The configured Application; tests pass a fake `request` transport."""
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .defaults(
            Defaults(
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(on_post_init)
        .post_shutdown(on_post_shutdown)
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
        engine=EngineRunner(engine),
        curator_log=CuratorLog(settings.log_db_path, settings.log_retention_days),
        limiter=QuestionLimiter(settings.questions_per_minute),
    )
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    application.add_handler(TypeHandler(Update, on_any_update), group=-1)
    for names, callback in COMMAND_HANDLERS:
        application.add_handler(CommandHandler(names, callback))
    text = filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, on_private_text))
    application.add_handler(MessageHandler(text & filters.ChatType.GROUPS, on_group_text))
    non_text = filters.UpdateType.MESSAGES & ~filters.TEXT & ~filters.StatusUpdate.ALL
    application.add_handler(MessageHandler(non_text, on_non_text))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_error_handler(on_error)


async def on_post_init(application: Application) -> None:
    """Registers the command menus; a failure here must not stop the bot from answering."""
    for lang, language_code in (("sv", None), ("en", "en")):
        commands = [BotCommand(name, description) for name, description in command_menu(lang)]
        try:
            await application.bot.set_my_commands(commands, language_code=language_code)
        except TelegramError as error:
            logger.warning("Could not register the command menu (%s): %s", lang, error)


async def on_post_shutdown(application: Application) -> None:
    application.bot_data["services"].engine.close()


def run_bot(settings: Settings) -> None:
    """Opens the engine and serves until SIGINT/SIGTERM, by polling or by webhook."""
    from bot.engine import Engine  # late: opening the engine may build the index

    engine = Engine.open(db_path=settings.index_path, contact_text=settings.contact_text)
    application = build_application(settings, engine)
    logger.info("Beredningsboten starting (%s, %d entries)", settings.mode, engine.entry_count)
    # bootstrap_retries=-1: keep retrying getMe/deleteWebhook through a network blip at startup.
    if settings.mode == "webhook":
        application.run_webhook(
            listen="0.0.0.0",
            port=settings.port,
            url_path=urlparse(settings.webhook_url or "").path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=-1,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
    logger.info("Beredningsboten stopped")
