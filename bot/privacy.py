"""What may be stored of a question: personal data and secrets masked, one line, capped.

Masked, in this order (secrets first, so that a pasted bot token is masked whole and not
left as "<nummer>:<rest>"): anything shaped like a token or key, e-mail addresses,
personnummer, phone numbers, street addresses, other long digit runs, and people's names
(a first and a last name, or the words after "jag heter").
"""

from __future__ import annotations

import re

MAX_CHARS = 300

PATTERNS = (
    ("<hemligt>", re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")),  # a Telegram bot token
    # A long run of letters and digits mixed, as keys, passwords and secrets look.
    (
        "<hemligt>",
        re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}"),
    ),
    ("<e-post>", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("<personnummer>", re.compile(r"\b(?:19|20)?\d{6}[-+ ]?\d{4}\b")),
    ("<telefon>", re.compile(r"(?:\+\d{2}|\b0)[\d\s()-]{6,}\d")),
    (
        "<adress>",
        re.compile(
            r"\b[A-ZÅÄÖ][a-zåäöé]+(?:gatan|gata|vägen|väg|gränd|gränden|torget|torg|backen|"
            r"stigen|allén|allé|plan|leden|slingan|stråket|vägen|gärdet|platsen)"
            r"\s+\d+\s?[A-Za-z]?\b"
        ),
    ),
    ("<nummer>", re.compile(r"\d[\d\s-]{6,}\d")),
)
# The words after "jag heter" are a name, whatever they are.
INTRODUCED = re.compile(
    r"(?i)\b(jag heter|mitt namn är|my name is|i am called)\s+\S+(?:\s+[A-ZÅÄÖ]\S*)?"
)
# Two capitalised words in a row, not at the start of a sentence: a first and a last name.
FULL_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÅÄÖ][a-zåäöéü]+)\s+([A-ZÅÄÖ][a-zåäöéü]+)\b")


def scrub(text: str, *, known=frozenset(), limit: int = MAX_CHARS) -> str:
    """The question as it may be stored. `known` holds the folded words the knowledge
    itself uses ('kungens kurva', 'eva ganters'): those are never taken for a person."""
    text = " ".join(text.split())
    for mask, pattern in PATTERNS:
        text = pattern.sub(mask, text)
    text = INTRODUCED.sub(lambda m: f"{m.group(1)} <namn>", text)
    text = FULL_NAME.sub(lambda m: m.group(0) if _is_known(m.group(0), known) else "<namn>", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_known(words: str, known) -> bool:
    from bot.text import fold

    return all(fold(word) in known for word in words.split())
