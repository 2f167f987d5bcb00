"""All wording of answers: Answer -> plain text or Telegram HTML. Pure; imports only models."""

from __future__ import annotations

import html
import re

from bot.models import Answer, QuoteCheck, Source, Suggestion
from bot.periods import format_date

QUOTE_LIMIT = 400
DEFAULT_CONTACT = {
    "sv": "Har du frågor om annat än det här materialet kan du vända dig till Huddinge kommuns "
    "kontaktcenter.",
    "en": "For questions beyond this material, please contact Huddinge kommun's contact centre "
    "(kontaktcenter).",
}
ABSTAIN_LEAD = {
    ("not_in_material", "sv"): "Det framgår inte av materialet jag har.",
    ("not_in_material", "en"): "The material I have does not say this.",
    ("not_understood", "sv"): "Jag förstod tyvärr inte frågan.",
    ("not_understood", "en"): "Sorry, I did not understand the question.",
    (
        "outside_scope",
        "sv",
    ): "Materialet handlar bara om Huddinge kommun och säger inget om {place}.",
    ("outside_scope", "en"): "The material covers Huddinge kommun only and says nothing about "
    "{place}.",
    ("unknown_words", "sv"): "Det framgår inte av materialet: {place} nämns inte där.",
    ("unknown_words", "en"): "The material does not say: it never mentions {place}.",
    ("greeting", "sv"): "Hej! Jag svarar på frågor om trygghets- och delaktighetsberedningens "
    "arbete 2021, med källa till varje svar.",
    ("greeting", "en"): "Hello! I answer questions about the work of Huddinge's committee for "
    "safety and participation in 2021, with a source for every answer.",
    ("thanks", "sv"): "Varsågod! Fråga gärna mer.",
    ("thanks", "en"): "You're welcome! Feel free to ask more.",
    ("opinion", "sv"): "Jag har inga egna åsikter, bara det som står i materialet.",
    ("opinion", "en"): "I have no views of my own, only what the material says.",
    ("command", "sv"): "{place} är ett kommando, ingen fråga. Kommandon fungerar i chatten; "
    "här svarar jag på frågor.",
    ("command", "en"): "{place} is a command, not a question. Commands work in the chat; here "
    "I answer questions.",
    ("engine_error", "sv"): "Något gick fel när jag skulle svara på den frågan.",
    ("engine_error", "en"): "Something went wrong while I was answering that question.",
    ("unknown_entry", "sv"): "Det svaret finns inte (längre). Ställ gärna frågan igen.",
    ("unknown_entry", "en"): "That answer does not exist (any more). Please ask again.",
}
REPHRASE = {
    "sv": "Skriv en fråga om beredningens arbete, till exempel: ”Vilka fick demokratipriset "
    "2021?”, ”Hur många klotterärenden hanterades 2021?” eller ”Vilka remisser fick "
    "beredningen?”.",
    "en": "Ask about the committee's work, for example: “Who received the democracy prize in "
    "2021?”, “How many graffiti cases were handled in 2021?” or “Which referrals did the "
    "committee receive?”.",
}
SUGGEST_LEAD = {
    "sv": "Jag är inte säker på vad du menar. Menade du:",
    "en": "I'm not sure what you mean. Did you mean:",
}
YES = {"sv": "Ja.", "en": "Yes."}
ALTERNATIVES_LEAD = {"sv": "Menade du hellre:", "en": "Or did you mean:"}
SUGGEST_TAIL = {
    "sv": "Svara med en siffra, eller formulera om frågan.",
    "en": "Reply with a number, or rephrase the question.",
}
LABELS = {
    "sv": {"source": "Källa", "quote": "Citat", "sources": "Källor", "section": "avsnitt"},
    "en": {"source": "Source", "quote": "Quote", "sources": "Sources", "section": "section"},
}
MORE = {
    "sv": "… och {count} till.",
    "en": "… and {count} more.",
}
VERDICTS = {
    ("exact", "sv"): "Ja, meningen finns ordagrant i källan.",
    ("exact", "en"): "Yes, the sentence occurs verbatim in the source.",
    ("near", "sv"): "Nästan: källan har en liknande men inte identisk formulering.",
    ("near", "en"): "Nearly: the source has similar but not identical wording.",
    ("none", "sv"): "Nej, jag hittar inte meningen i källorna.",
    ("none", "en"): "No, I cannot find the sentence in the sources.",
}


def source_line(source: Source, lang: str) -> str:
    labels = LABELS[lang]
    when = format_date(source.date, lang)
    return f"{labels['source']}: {source.title}, {source.section}, {when}, {source.reference}."


def short_quote(quote: str) -> str:
    if len(quote) <= QUOTE_LIMIT:
        return quote
    cut = quote[:QUOTE_LIMIT].rsplit(" ", 1)[0]
    return f"{cut} …"


def abstain_text(
    reason: str, lang: str, contact: str | None, place: str = "", scope: str = ""
) -> str:
    """An abstention: why, what the bot answers from (`scope`) and where to turn instead."""
    lead = ABSTAIN_LEAD.get((reason, lang), ABSTAIN_LEAD[("not_in_material", lang)])
    lead = lead.format(place=place)
    if reason in ("not_understood", "greeting", "command", "engine_error"):
        return f"{lead} {REPHRASE[lang]}"
    if reason == "thanks":
        return lead
    return " ".join(part for part in (lead, scope, contact or DEFAULT_CONTACT[lang]) if part)


UNSTATED = {
    "sv": {
        "count": "något antal",
        "share": "någon andel",
        "cost": "några belopp eller kostnader",
        "when": "något datum",
        "future": "några planer eller kommande tillfällen",
        "year": "något om det året",
        "name": "några namn",
        "amount": "några belopp",
        "why": "något skäl",
        "actor": "några organisationer",
        "person": "några namn på personer",
        "service": "några praktiska uppgifter som kontaktvägar, öppettider eller bokning",
        "winner": "någon vinnare",
    },
    "en": {
        "count": "a number",
        "share": "a share",
        "cost": "amounts or costs",
        "when": "a date",
        "future": "plans or coming dates",
        "year": "anything about that year",
        "name": "names",
        "amount": "amounts",
        "why": "a reason",
        "actor": "organisations",
        "person": "the names of people",
        "service": "practical details such as contact details, opening hours or booking",
        "winner": "a winner",
    },
}


PASSAGE_LEAD = {
    "sv": "Så här står det i dokumentet (dess egna ord, inget sammanfattat svar):",
    "en": "This is what the document says, in its own words (Swedish; not a curated answer):",
}
NOTE_LEAD = {
    "sv": "Så här skriver {party} i sin protokollsanteckning, undertecknad av {signed} "
    "(dokumentets egna ord, inget sammanfattat svar):",
    "en": "This is what {party} write in their protocol note, signed by {signed} (the "
    "document's own words, in Swedish; not a curated answer):",
}
SIGNED = {"sv": "Undertecknat: {signed}.", "en": "Signed: {signed}."}


def passage_body(quote: str, document, row: dict, lang: str) -> str:
    """A passage answer: the passage verbatim, said to be the document's own words, with
    the party and signatories when it is a party's note or signed by one."""
    if document.party:
        party = (document.party_en if lang == "en" else None) or document.party
        signed = ", ".join(document.signatories) or party
        lead = NOTE_LEAD[lang].format(party=party, signed=signed)
    else:
        lead = PASSAGE_LEAD[lang]
    body = f"{lead} ”{quote}”"
    if not document.party and row.get("signed") and row["signed"] not in quote:
        body += " " + SIGNED[lang].format(signed=row["signed"])
    return body


def unstated_text(cues, lang: str) -> str:
    """The figure, date, plan or year a question asks for that the material does not give."""
    what = " eller " if lang == "sv" else " or "
    if "person" in cues:  # a person's name is the name asked for
        cues = set(cues) - {"name"}
    missing = what.join(UNSTATED[lang][cue] for cue in sorted(cues) if cue in UNSTATED[lang])
    if not missing:  # a cue without words of its own: say it plainly
        if lang == "sv":
            return "Materialet anger inte just det du frågar om. Det här står:"
        return "The material does not give exactly what you ask. This is what it says:"
    if lang == "sv":
        return f"Materialet anger inte {missing} för det du frågar om. Det här står:"
    return f"The material does not give {missing} for what you ask. This is what it says:"


def unsaid_dates_text(body: str, dates: list[str], lang: str) -> str:
    """The entry's curated dates that its answer does not say ('När hölls demokratidagarna?'
    and an answer that tells where but not that it was in November 2021), as a sentence;
    empty when the answer says them all (a month by its name, a day with its month)."""
    folded = body.casefold()
    unsaid = [
        date
        for date in dates
        if not all(part.casefold() in folded for part in format_date(date, lang).split())
    ]
    if not unsaid:
        return ""
    told = ", ".join(format_date(date, lang) for date in unsaid)
    return (
        f"Tid enligt materialet: {told}." if lang == "sv" else f"When, per the material: {told}."
    )


def not_stated_text(what: str, lang: str, *, place: str = "") -> str:
    """One part of a question the material does not answer, said plainly."""
    if place:
        if lang == "sv":
            return f"Materialet säger inget om detta i {place}. Det här står på annat håll:"
        return f"The material says nothing about this for {place}. This is what it says elsewhere:"
    return f"Obs: {what}." if lang == "sv" else f"Note: {what}."


def suggestion_text(suggestions: tuple[Suggestion, ...], lang: str) -> str:
    lines = [SUGGEST_LEAD[lang]]
    lines += [f"{number}. {item.title}" for number, item in enumerate(suggestions, 1)]
    lines.append(SUGGEST_TAIL[lang])
    return "\n".join(lines)


def compose_text(
    body: str,
    sources: tuple[Source, ...],
    lang: str,
    alternatives: tuple[Suggestion, ...] = (),
    *,
    quoted: bool = True,
) -> str:
    """Answer body, one source line and the quote for each source, then any runner-ups.
    A body that is itself the quote (a passage answer) is not quoted twice."""
    parts = [body]
    for source in sources[:3]:
        parts.append(source_line(source, lang))
        if quoted:
            parts.append(f"{LABELS[lang]['quote']}: ”{short_quote(source.quote)}”")
    if len(sources) > 3:
        parts.append(f"(+{len(sources) - 3} {LABELS[lang]['sources'].lower()})")
    text = body if len(parts) == 1 else f"{body}\n\n" + "\n".join(parts[1:])
    if alternatives:
        titles = "; ".join(item.title for item in alternatives)
        text += f"\n\n{ALTERNATIVES_LEAD[lang]} {titles}"
    return text


def listing_text(body: str, sources: tuple[Source, ...], lang: str, rest: int = 0) -> str:
    """A listing, then its sources grouped by document: each document once, its sections
    after it (quotes stay in `sources`; a listing line is a summary, not a quotation)."""
    parts = [body]
    if rest:
        parts.append(MORE[lang].format(count=rest))
    parts.append(grouped_sources(sources, lang))
    return "\n\n".join(parts)


def grouped_sources(sources: tuple[Source, ...], lang: str) -> str:
    labels = LABELS[lang]
    documents: dict[tuple, list[str]] = {}
    for source in sources:
        key = (source.title, source.date, source.reference)
        sections = documents.setdefault(key, [])
        if source.section not in sections:
            sections.append(source.section)
    label = labels["sources"] if len(documents) > 1 else labels["source"]
    lines = [
        f"{title} ({format_date(date, lang)}, {reference}): {'; '.join(sections)}."
        for (title, date, reference), sections in documents.items()
    ]
    return (
        f"{label}: " + "\n".join(lines)
        if len(lines) == 1
        else f"{label}:\n" + "\n".join(f"– {line}" for line in lines)
    )


def render_html(answer: Answer) -> str:
    """Telegram HTML: every dynamic piece escaped; sources in italics, quotes as blockquote."""
    lang = answer.lang
    if answer.status == "suggest":
        lines = [html.escape(SUGGEST_LEAD[lang])]
        lines += [
            f"{n}. {html.escape(item.title)}" for n, item in enumerate(answer.suggestions, 1)
        ]
        return "\n".join(lines)
    if answer.reason == "gap" and answer.detail:
        parts = [html.escape(answer.detail), *_html_sources(answer)]
        return "\n".join([*parts, html.escape(answer.contact or "")]).rstrip()
    if answer.status == "abstain" or answer.answer is None:
        return html.escape(answer.text)
    return "\n".join([html.escape(answer.answer), *_html_sources(answer)])


def _html_sources(answer: Answer) -> list[str]:
    parts = []
    for source in answer.sources[:3]:
        parts.append(f"<i>{html.escape(source_line(source, answer.lang))}</i>")
        parts.append(f"<blockquote>{html.escape(short_quote(source.quote))}</blockquote>")
    return parts


def render_quote_check(check: QuoteCheck, lang: str, *, html_output: bool = False) -> str:
    escape = html.escape if html_output else (lambda text: text)
    lines = [escape(VERDICTS[(check.verdict, lang)])]
    if check.verdict != "none" and check.wording:
        label = "Källans lydelse" if lang == "sv" else "Wording in the source"
        lines.append(f"{label}: ”{escape(check.wording)}”")
        where = f"{check.title}, {check.section}" if check.section else f"{check.title}"
        place = "rad" if lang == "sv" else "line"
        lines.append(escape(f"{where} ({place} {check.line})"))
    return "\n".join(lines)


def split_message(text: str, limit: int = 4096) -> list[str]:
    """Split below `limit` at a paragraph, line or space, never inside an HTML tag or entity."""
    chunks = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        cut = _outside_markup(text, cut)
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def _outside_markup(text: str, cut: int) -> int:
    """Move a cut point back so it does not fall inside <tag> or &entity;."""
    opening = text.rfind("<", 0, cut)
    if opening > text.rfind(">", 0, cut):
        cut = opening
    ampersand = text.rfind("&", 0, cut)
    if ampersand > text.rfind(";", 0, cut) and re.match(r"&#?\w+;", text[ampersand:]):
        cut = ampersand
    return max(cut, 1)
