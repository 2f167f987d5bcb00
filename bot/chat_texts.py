"""All fixed wording of the Telegram bot, in Swedish and English.

Texts are Telegram HTML. Values filled in through `chat_text(...)` are escaped there, so a
caller can pass user or engine text safely. Answers themselves are worded by the engine.
"""

from __future__ import annotations

import html
from typing import Final

LANGS: Final = ("sv", "en")
DEFAULT_LANG: Final = "sv"

# Three questions offered as buttons under the welcome text.
EXAMPLE_QUESTIONS: Final[dict[str, tuple[str, ...]]] = {
    "sv": (
        "Vem fick demokratipriset 2021?",
        "Hur många klotterärenden hanterades 2021?",
        "Vilka remisser fick beredningen 2021?",
    ),
    "en": (
        "Who won the 2021 democracy prize?",
        "How many graffiti cases were handled in 2021?",
        "Which consultations did the committee receive in 2021?",
    ),
}

# (Swedish command, English alias, Swedish description, English description)
COMMANDS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("start", "start", "Börja här: vad jag kan svara på", "Start here: what I can answer"),
    ("fraga", "ask", "Ställ en fråga (i grupper)", "Ask a question (in groups)"),
    ("amnen", "topics", "Bläddra bland områden och prioriteringar", "Browse areas and priorities"),
    (
        "remisser",
        "referrals",
        "Remisserna beredningen fick 2021",
        "Consultations received in 2021",
    ),
    ("demokratipris", "prize", "Demokratipriset 2021", "The 2021 democracy prize"),
    ("tidslinje", "timeline", "Händelser med datum", "Dated events"),
    ("kallor", "sources", "Dokumenten svaren bygger på", "The documents behind the answers"),
    ("citat", "quote", "Kontrollera ett citat mot källan", "Check a quote against the source"),
    ("sprak", "language", "Svenska eller engelska", "Swedish or English"),
    ("hjalp", "help", "Hjälp och tips", "Help and tips"),
)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "sv": {
        "welcome": (
            "Hej! Jag är <b>Beredningsboten</b>. Jag svarar på frågor om Huddinge kommuns "
            "trygghets- och delaktighetsberedning och dess verksamhetsberättelse för 2021 "
            "– och visar alltid källan.\n\n"
            "Jag känner till {entry_count} fakta ur protokollet från den 17 februari 2022 "
            "(KS-2022/176.915): de fyra områdena {areas}, remisserna, demokratipriset och "
            "partiernas protokollsanteckningar.\n\n"
            "Skriv en fråga med egna ord, eller tryck på ett exempel:"
        ),
        "help": (
            "<b>Så använder du Beredningsboten</b>\n"
            "Skriv en fråga, till exempel <i>När delades demokratipriset ut?</i> "
            "Varje svar visar vilket dokument det bygger på.\n\n"
            "/amnen – bläddra bland områden och prioriteringar\n"
            "/remisser – remisserna beredningen fick 2021\n"
            "/demokratipris – demokratipriset 2021\n"
            "/tidslinje – händelser med datum (t.ex. <code>/tidslinje 2021-10</code>)\n"
            "/kallor – dokumenten med datum och diarienummer\n"
            "/citat <i>text</i> – kontrollera om ett citat finns i källan\n"
            "/fraga <i>fråga</i> – ställ en fråga i en grupp\n"
            "/sprak – svenska eller engelska\n\n"
            "I grupper svarar jag på /fraga, när någon nämner mig och på svar till mina "
            "meddelanden. I andra chattar kan du skriva <code>@{bot_username} fråga</code>.\n\n"
            "Jag kan bara svara på det som står i materialet. För annat, kontakta "
            "Huddinge kommun."
        ),
        "non_text": (
            "Jag kan bara läsa text. Skriv din fråga med ord, till exempel "
            "<i>Vem fick demokratipriset 2021?</i> – eller skicka /hjalp för tips."
        ),
        "rate_limited": (
            "Du har ställt många frågor på kort tid. Vänta ungefär {seconds} sekunder och "
            "fråga sedan igen – jag svarar gärna då."
        ),
        "too_long": ("<i>Din fråga var lång, så jag läste de första {limit} tecknen.</i>"),
        "edited": "<i>Du ändrade din fråga – här är svaret på den nya versionen.</i>",
        "empty_question": (
            "Vad vill du fråga? Skriv frågan efter kommandot, till exempel "
            "<code>/fraga Vem fick demokratipriset 2021?</code>"
        ),
        "empty_quote": (
            "Skriv citatet efter kommandot, till exempel "
            "<code>/citat Priset delades ut 23 oktober</code>. "
            "Jag säger om det står så i källan och visar i så fall den exakta lydelsen."
        ),
        "choose_language": "Vilket språk vill du att jag svarar på?",
        "language_set": "Klart! Jag svarar på svenska i den här chatten.",
        "areas": "Beredningens arbete 2021 är uppdelat i fyra områden. Välj ett:",
        "priorities": "<b>{area}</b> – välj en prioritering:",
        "no_priorities": "Jag hittar inga prioriteringar för <b>{area}</b>. Välj ett annat:",
        "entries": "<b>{title}</b> – välj vad du vill veta:",
        "no_entries": "Jag har inga svar om det här ännu. Prova /amnen eller skriv en fråga.",
        "documents": "<b>Dokumenten som svaren bygger på</b>",
        "document_line": "• <b>{title}</b>\n  {date}, {reference}",
        "stats": (
            "<b>Statistik</b> (senaste {days} dagarna)\n"
            "Besvarade frågor: {answer}\n"
            "Förslag (”Menade du”): {suggest}\n"
            "Obesvarade: {abstain}\n"
            "👍 {upvote} · 👎 {downvote}\n"
            "Chattar som blockerat boten: {blocked}\n"
            "Fakta i kunskapsbasen: {entry_count}\n\n"
            "Vanligaste luckorna:\n{gaps}"
        ),
        "stats_no_gaps": "inga ännu",
        "admin_only": "Statistiken är bara tillgänglig för administratörer. Skicka /hjalp för "
        "det du kan göra.",
        "feedback_thanks_up": "Tack! Skönt att svaret hjälpte.",
        "feedback_thanks_down": (
            "Tack för att du säger till. Frågan sparas utan namn så att svaren kan förbättras."
        ),
        "button_expired": "Den knappen fungerar inte längre. Skriv din fråga igen eller skicka "
        "/amnen.",
        "error": (
            "Något gick fel hos mig. Försök igen om en stund, eller skicka /hjalp. "
            "Du kan alltid vända dig direkt till Huddinge kommun."
        ),
        "inline_none_title": "Inget svar i materialet",
        "inline_none_text": (
            "Beredningsboten hittade inget svar på ”{query}” i materialet om trygghets- och "
            "delaktighetsberedningen 2021. Fråga boten direkt: @{bot_username}"
        ),
        "inline_help_title": "Skriv en fråga om beredningen",
        "inline_help_text": (
            "Beredningsboten svarar på frågor om Huddinge kommuns trygghets- och "
            "delaktighetsberedning 2021, med källa: @{bot_username}"
        ),
        "button_topics": "📚 Bläddra bland ämnen",
        "button_help": "❓ Hjälp",
        "button_back": "⬅️ Tillbaka",
        "button_up": "👍",
        "button_down": "👎",
        "button_more": "Visa fler",
        "alternatives_header": "Menade du hellre:",
        "delivery_failed": (
            "Förlåt, jag kunde inte skicka svaret just nu. Ställ gärna frågan igen om en stund."
        ),
        "unavailable": (
            "Jag är tillfälligt ur funktion och kan inte svara just nu. Försök igen om en stund."
        ),
        "stats_private_only": (
            "Statistiken visar andras frågor och skickas bara i en privat chatt med mig."
        ),
        "unknown_command": (
            "Det kommandot känner jag inte till. Skriv en fråga, eller prova /hjalp, /amnen "
            "eller /tidslinje."
        ),
        "inline_open_bot": "Öppna chatten med Beredningsboten för att läsa mer.",
        "related_header": "Relaterat:",
        "suggest_header": "Menade du …?",
    },
    "en": {
        "welcome": (
            "Hi! I am <b>Beredningsboten</b>. I answer questions about Huddinge municipality's "
            "committee for safety and participation (trygghets- och delaktighetsberedningen) "
            "and its 2021 annual report – always with the source.\n\n"
            "I know {entry_count} facts from the minutes of 17 February 2022 "
            "(KS-2022/176.915): the four areas {areas}, the consultations, the democracy "
            "prize and the parties' notes to the minutes.\n\n"
            "Ask a question in your own words, or tap an example:"
        ),
        "help": (
            "<b>How to use Beredningsboten</b>\n"
            "Ask a question, e.g. <i>When was the democracy prize awarded?</i> "
            "Every answer shows the document it is based on.\n\n"
            "/topics – browse areas and priorities\n"
            "/referrals – the consultations received in 2021\n"
            "/prize – the 2021 democracy prize\n"
            "/timeline – dated events (e.g. <code>/timeline 2021-10</code>)\n"
            "/sources – the documents with date and reference number\n"
            "/quote <i>text</i> – check whether a quote is in the source\n"
            "/ask <i>question</i> – ask a question in a group\n"
            "/language – Swedish or English\n\n"
            "In groups I answer /ask, mentions of me and replies to my messages. In other "
            "chats you can type <code>@{bot_username} question</code>.\n\n"
            "I can only answer what the material says. For anything else, contact "
            "Huddinge municipality."
        ),
        "non_text": (
            "I can only read text. Type your question in words, e.g. "
            "<i>Who won the 2021 democracy prize?</i> – or send /help for tips."
        ),
        "rate_limited": (
            "You have asked many questions in a short time. Please wait about {seconds} "
            "seconds and ask again – I will gladly answer then."
        ),
        "too_long": "<i>Your question was long, so I read the first {limit} characters.</i>",
        "edited": "<i>You edited your question – here is the answer to the new version.</i>",
        "empty_question": (
            "What would you like to ask? Type the question after the command, e.g. "
            "<code>/ask Who won the 2021 democracy prize?</code>"
        ),
        "empty_quote": (
            "Type the quote after the command, e.g. "
            "<code>/quote Priset delades ut 23 oktober</code>. "
            "I will tell you whether the source says so and show its exact wording."
        ),
        "choose_language": "Which language would you like me to answer in?",
        "language_set": "Done! I will answer in English in this chat.",
        "areas": "The committee's 2021 work is divided into four areas. Choose one:",
        "priorities": "<b>{area}</b> – choose a priority:",
        "no_priorities": "I find no priorities for <b>{area}</b>. Choose another area:",
        "entries": "<b>{title}</b> – choose what you want to know:",
        "no_entries": "I have no answers about this yet. Try /topics or ask a question.",
        "documents": "<b>The documents behind the answers</b>",
        "document_line": "• <b>{title}</b>\n  {date}, {reference}",
        "stats": (
            "<b>Statistics</b> (last {days} days)\n"
            "Answered questions: {answer}\n"
            "Suggestions (“Did you mean”): {suggest}\n"
            "Unanswered: {abstain}\n"
            "👍 {upvote} · 👎 {downvote}\n"
            "Chats that blocked the bot: {blocked}\n"
            "Facts in the knowledge base: {entry_count}\n\n"
            "Most frequent gaps:\n{gaps}"
        ),
        "stats_no_gaps": "none yet",
        "admin_only": "Statistics are only available to administrators. Send /help to see what "
        "you can do.",
        "feedback_thanks_up": "Thank you! Glad the answer helped.",
        "feedback_thanks_down": (
            "Thank you for telling me. The question is saved without your name so the answers "
            "can be improved."
        ),
        "button_expired": "That button no longer works. Ask your question again or send /topics.",
        "error": (
            "Something went wrong on my side. Please try again shortly, or send /help. "
            "You can always contact Huddinge municipality directly."
        ),
        "inline_none_title": "No answer in the material",
        "inline_none_text": (
            "Beredningsboten found no answer to “{query}” in the material about the "
            "committee for safety and participation 2021. Ask the bot directly: "
            "@{bot_username}"
        ),
        "inline_help_title": "Type a question about the committee",
        "inline_help_text": (
            "Beredningsboten answers questions about Huddinge municipality's committee for "
            "safety and participation 2021, with sources: @{bot_username}"
        ),
        "button_topics": "📚 Browse topics",
        "button_help": "❓ Help",
        "button_back": "⬅️ Back",
        "button_up": "👍",
        "button_down": "👎",
        "button_more": "Show more",
        "alternatives_header": "Or did you mean:",
        "delivery_failed": (
            "Sorry, I could not send the answer just now. Please ask again in a moment."
        ),
        "unavailable": (
            "I am temporarily out of service and cannot answer right now. Please try again "
            "shortly."
        ),
        "stats_private_only": (
            "The statistics show other people's questions and are only sent in a private chat "
            "with me."
        ),
        "unknown_command": (
            "I don't know that command. Ask a question, or try /help, /topics or /timeline."
        ),
        "inline_open_bot": "Open the chat with Beredningsboten to read more.",
        "related_header": "Related:",
        "suggest_header": "Did you mean …?",
    },
}

LANGUAGE_BUTTONS: Final = (("sv", "🇸🇪 Svenska"), ("en", "🇬🇧 English"))


def normalise_lang(lang: str | None) -> str:
    """A supported language code from a setting or a Telegram language_code ("en-GB")."""
    code = (lang or "").split("-")[0].lower()
    return code if code in LANGS else DEFAULT_LANG


def chat_text(key: str, lang: str | None = None, **values: object) -> str:
    """The text `key` in `lang` (Swedish if unknown), with `values` HTML-escaped and filled in."""
    template = TEXTS[normalise_lang(lang)][key]
    escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
    return template.format(**escaped) if escaped else template


def command_menu(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands in `lang`."""
    if normalise_lang(lang) == "en":
        return [(english, en_description) for _, english, _, en_description in COMMANDS]
    return [(swedish, sv_description) for swedish, _, sv_description, _ in COMMANDS]
