"""What may be stored of a question: personal data and secrets masked, one line, capped.

Masked, in this order (secrets first, so that a pasted bot token is masked whole and not
left as "<nummer>:<rest>"): anything shaped like a token, key or password, e-mail
addresses (also written "(at)" or " at … dot "), personnummer, phone numbers, street
addresses (with or without capitals, of one or two words), other long digit runs, and
people's names: two or three capitalised words (or words in capitals) that are not a name
the knowledge itself uses, wherever they stand, and the words after "jag heter".
"""

from __future__ import annotations

import re

MAX_CHARS = 300
STREETS = (
    r"gatan|gata|vägen|väg|gränd|gränden|torget|torg|backen|backe|stigen|stig|allén|allé|"
    r"plan|leden|led|slingan|stråket|gärdet|platsen|parken|vägen|street|st|road|rd|avenue"
)

PATTERNS = (
    ("<hemligt>", re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")),  # a Telegram bot token
    # A long run of letters and digits mixed, as keys and secrets look.
    (
        "<hemligt>",
        re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}"),
    ),
    # A long word of mixed case without digits (a generated key): three capitals inside.
    ("<hemligt>", re.compile(r"\b(?=\w*[a-z])(?:\w*[A-Z]){3}\w*\b(?<=\w{20})")),
    ("<e-post>", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "<e-post>",
        re.compile(
            r"(?i)[\w.+-]+\s?(?:\(at\)|\[at\]|\{at\}|\sat\s|\s?@\s?)\s?[\w-]+"
            r"(?:\s?(?:\.|\(dot\)|\[dot\]|\sdot\s|\spunkt\s)\s?[\w-]+)+"
        ),
    ),
    ("<personnummer>", re.compile(r"\b(?:19|20)?\d{6}[-+ ]?\d{4}\b")),
    ("<telefon>", re.compile(r"(?:\+\d{2}|\b0)[\d\s()-]{6,}\d")),
    (
        "<adress>",
        re.compile(
            rf"(?i)\b(?:[a-zåäöé]+\s)?[a-zåäöé]*(?:{STREETS})\s+\d+\s?[a-z]?\b(?:,?\s\d{{3}}\s?\d{{2}})?"
        ),
    ),
    ("<nummer>", re.compile(r"\d[\d\s-]{6,}\d")),
)
# Whatever follows a word that introduces a secret: "lösenord: hunter", "password is x";
# words that are often something else ("kod", "key") only with a colon or an equals sign.
SECRET_AFTER = re.compile(
    r"\b((?:lösen|lösenord|lösenordet|password|passwd|pwd|pinkod|pin|kod|koden|nyckel|"
    r"nyckeln|api-nyckel|apinyckel|key|token|secret|hemlighet)\s?[:=]\s?"
    r"|(?:lösenord|lösenordet|password|passwd|pinkod)\s(?:är\s|is\s)?)(\S+)",
    re.IGNORECASE,
)
# The words after "jag heter" are a name, whatever they are.
INTRODUCED = re.compile(
    r"(?i)\b(jag heter|mitt namn är|my name is|i am called|hälsningar|mvh)\s+\S+"
    r"(?:\s+[A-ZÅÄÖ]\S*)?"
)
# Two or three capitalised words in a row (or in capitals): a first and a last name.
NAME_WORD = r"(?:[A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?|[A-ZÅÄÖ]{2,})"
FULL_NAME = re.compile(rf"\b{NAME_WORD}(?:\s+{NAME_WORD}){{1,2}}\b")


def scrub(text: str, *, known=frozenset(), limit: int = MAX_CHARS) -> str:
    """The question as it may be stored. `known` holds the names the knowledge itself
    uses, folded ('kungens kurva', 'eva ganters'): those are kept; any other name is
    masked, even when its words occur in the knowledge one by one."""
    text = " ".join(text.split())
    text = SECRET_AFTER.sub(lambda m: f"{m.group(1)}<hemligt>", text)
    for mask, pattern in PATTERNS:
        text = pattern.sub(mask, text)
    text = INTRODUCED.sub(lambda m: f"{m.group(1)} <namn>", text)
    text = FULL_NAME.sub(lambda m: _masked_name(m.group(0), known), text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _masked_name(words: str, known) -> str:
    """A run of capitalised words: kept when the knowledge names it, or when it is no name
    (a question word or a function word begins or ends it: "Vad Hände", "Var Är")."""
    from bot.text import STOPWORDS, fold

    folded = fold(words)
    parts = folded.split()
    if folded in known or any(folded in name for name in known if " " in name):
        return words
    if parts[0] in STOPWORDS or parts[-1] in STOPWORDS:
        # "Vad Hände Med Anna Svensson" is not one name, but may hold one.
        head, _, rest = words.partition(" ")
        return f"{head} {_masked_name(rest, known)}" if " " in rest else words
    if words.isupper() and len(parts) == 2 and all(len(p) <= 3 for p in parts):
        return words  # abbreviations ("KS DP")
    return "<namn>"
