"""What a message is, before anything is ranked: small talk, a command, a request for the
bot's own view, the asking part of a long message. Pure functions over text; each rule
names the class of messages it serves.
"""

from __future__ import annotations

import re

from bot.text import words

# A long message: its asking sentences are what is ranked (context before the question
# must not drown it). From this length on, and for any message of several sentences whose
# last ones ask while the first ones tell.
LONG_MESSAGE = 200
FOCUS_CHARS = 400
SHORT_QUESTION = 3  # words: 'Och sen?' stands on the sentence before it
# A sentence that asks: it ends in a question mark or opens with a question word.
ASKING_START = re.compile(
    r"^(nar|var|vart|vem|vems|vilka|vilken|vilket|hur|vad|varfor|finns|fanns|har|hade|kan|"
    r"ar|blev|fick|gjorde|gor|stammer|when|where|who|which|how|what|why|is|are|was|were|"
    r"did|does|do|has|have|can|could)\b"
)
# "Finns det … i <kommundel>?": a question whether something exists in a place.
EXISTENCE = re.compile(
    r"^(finns|fanns|kommer det|blir det|har (det|ni|man|kommunen|dom|de) (satt|installerat|"
    r"byggt|infort|ordnat|fatt)|are there|is there|will there)\b"
)
TIMELINE_WORD = re.compile(r"\b(tidslinje\w*|timeline|handelser\w*|events)\b")
# 'What other camera projects …?' after a sentence about Grantorp: the place told is the one
# the question looks past, not the one it asks about.
OTHER_THAN_TOLD = re.compile(r"\b(andra|annan|annat|ovriga|other|else)\b")
# Words that ask what someone thought or wrote: a party named with them asks for its note.
OPINION_CUE = re.compile(
    r"\b(tyckte|tycker|tyck|anser|ansag|asikt\w*|skrev|skriver|menar|sa|sade|think|thought|"
    r"say|said|wrote|write|position|opinion|view)\b"
)
# A question about a party's protocol note (or what it wrote, thought or reserved).
ABOUT_A_NOTE = re.compile(
    r"\b(protokollsanteckning\w*|anteckning\w*|reservation\w*|reserverade|note|notes|"
    r"reserv\w*)\b"
)
# A broad request: what was done in a whole area or for a whole group.
BROAD_REQUEST = re.compile(
    r"\b(vad|vilka (insatser|atgarder|satsningar)|what|which (measures|steps))\b.{0,40}\b("
    r"gjort|gjorts|gjordes|gjorde|gor|gors|jobbat|jobbar|arbetat|arbetar|satsat|"
    r"do|did|done|doing|taken)\b.{0,30}\b(for|mot|at|inom|kring|med|about|for|against|on|"
    r"to (counter|reduce|fight|tackle|improve|increase))\b"
    r"|\b(sammanfatta|summera|summari[sz]e|sum up|overview of|oversikt|overblick|"
    r"i stora drag|in broad terms)\b"
    r"|\b(vad|what)\b.{0,40}\b(hallit pa med|sysslat med|pysslat med|been up to|worked on)\b"
)
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
# Words that point back to what the message said before the question.
LEANING = re.compile(
    r"\b(de|dom|dem|dessa|dar|dit|han|hon|deras|dess|den|denna|detta|they|them|those|these|there|"
    r"he|she|their|its|it|that|this)\b|\bdet( om)?$"
)
# 'Så min fråga är: vilka områden … och när var det?': what follows the words that
# announce the question is the whole question, whatever its pronouns point to.
ASKING_MARKER = re.compile(r"\b(min fraga ar|mina fragor ar|fragan ar|my question is)\b")
QUESTION_WORDS = re.compile(r"\b(nar|vad|vilken|vilket|vilka|hur|vem|when|what|which|how|who)\b")
GREETING = re.compile(
    r"(hej|hejsan|hallå|halla|tjena|tja|hello|hi|hey|god (morgon|dag|kvall))( (pa dig|dar|bot))?"
)
THANKS = re.compile(
    r"(tack|tack sa mycket|tusen tack|tackar|thanks|thank you|thx)( (sa mycket|bot))?"
)
# A command typed where a question is expected ('/hjalp', '/start@Beredningsboten 12').
COMMAND = re.compile(r"^/([A-Za-zÅÄÖåäö_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
# The bot's own view or advice asked for: what to think, choose, vote for or trust. The
# material has facts, not views: such a question gets the opinion reply, never a fact as
# its answer.
OWN_VIEW = re.compile(
    r"\b(tycker du|tycker ni|anser du|tror du|din asikt|din bedomning|vad skulle du|"
    r"do you think|your (opinion|view|advice)|would you|what would you)\b"
    r"|\b(ska|bor|borde|maste|kan) (jag|vi|man) (rosta|valja|lita|tro|flytta|satsa|stodja|"
    r"oroa|vara orolig|kanna mig)\b"
    r"|\b(should|shall|can|could) (i|we|one) (vote|choose|trust|believe|move|worry|support|"
    r"be worried|feel)\b"
    r"|\b(rosta pa|vote for)\b.*\?"
    r"|\b(vem|vilka|vilket parti) (har|hade) (ratt|fel)\b"
    r"|\b(vilket|vilka|vem|which|who)\b.{0,40}\b(bast|samst|battre|rattast|best|worst|"
    r"better|right|wrong|mest trovardig\w*|most (credible|trustworthy))\b"
    r"|\b(var det|ar det|was it|is it)( (ratt|fel|bra|dumt|klokt|right|wrong|good|wise|"
    r"smart|a good idea|worth it|vart det))\b"
    r"|\b(rekommendera\w*|recommend\w*|rad mig|ge mig (ett )?rad|advise me|give me advice|"
    r"kan man lita|lita pa|trust (the|them|it)|is it safe to live|ar det (tryggt|sakert) att bo)\b"
)


# Search-engine and database syntax typed around a question ('romska NEAR/5 … OR "*',
# 'SELECT datum FROM … WHERE …; --'): operators in capitals, proximity and comment marks are
# never words the asker means: 'NEAR/5' or '1=1' would make a number a topic, 'WHERE' a
# question word.
QUERY_OPERATOR = re.compile(
    r"\bNEAR/\d+\b|\b(\d+) ?= ?\1\b|"
    r"\b(?:SELECT|FROM|WHERE|AND|OR|NOT|NEAR|UNION|DROP|TABLE|INSERT|DELETE|UPDATE|LIMIT|LIKE|"
    r"MATCH)\b|--+|/\*|\*/|[*;=]"
)

SHOUTED_LETTERS = 12  # a shorter text in capitals ('OR 1=1; --') is syntax, not shouting


def without_query_syntax(text: str) -> str:
    """The message without query syntax; a message in capitals keeps its words."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= SHOUTED_LETTERS and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return text
    return " ".join(QUERY_OPERATOR.sub(" ", text).split())


# Whose view a judgement is ('Vilket parti menade att det lönar sig bättre att förebygga?',
# 'Who said prevention pays off better?'): a fact about a note, not the bot's view asked.
HELD_VIEW = re.compile(
    r"\b(vilket parti|vilka partier|vem|vilka|which party|which parties|who)\b.{0,20}\b("
    r"menade|menar|tyckte|tycker|ansag|anser|skrev|skriver|sa|sade|havdade|framholl|"
    r"said|says|thought|thinks|wrote|writes|argued|argues|believed|believes|"
    r"claimed|claims|meant)\b(?! (du|ni|you)\b)"
)


def clean_message(text: str) -> str:
    from bot.text import clean

    return clean(text if isinstance(text, str) else "")


def focus_question(text: str) -> str:
    """The part of a message that asks (`asking_sentences`), without the query syntax typed
    around it."""
    return without_query_syntax(asking_sentences(text))


def asking_sentences(text: str) -> str:
    """The sentences of a message that ask. A message of one sentence is all question; in one
    of several, the asking sentences (usually the last; a long message's last three at
    most), with the telling sentence right before them only when the question leans on it
    ('Trygghetsvärdarna anställdes i september. Vad ska de göra?') or is too short to stand
    alone. A telling sentence the question does not lean on is what the asker already
    knows ('Verksamhetsberättelsen godkändes. Vart skickas beslutet sedan?'): ranked with
    it, the entry that repeats it wins. Context further back is left out."""
    sentences = [s.strip() for s in SENTENCE_BREAK.split(text) if s.strip()]
    if len(sentences) < 2:
        return text
    asking = [i for i, sentence in enumerate(sentences) if _asks(sentence)]
    if not asking:
        return " ".join(sentences[-2:])[-FOCUS_CHARS:] if len(text) > LONG_MESSAGE else text
    first, last = asking[0], asking[-1]
    first = max(first, last - 2)
    question = " ".join(sentences[first : last + 1])[-FOCUS_CHARS:]
    asked = words(question)
    introduced = ASKING_MARKER.search(" ".join(asked))  # it says in full what it asks
    leans = (LEANING.search(" ".join(asked)) and not introduced) or len(asked) <= SHORT_QUESTION
    if first > 0 and leans:
        return f"{sentences[first - 1]} {question}"[-FOCUS_CHARS:]
    return question


def _asks(sentence: str) -> bool:
    return sentence.endswith("?") or bool(ASKING_START.match(" ".join(words(sentence[:40]))))


def small_talk(text: str) -> str | None:
    """'greeting' or 'thanks' when that is all the message says."""
    folded = " ".join(words(text))
    if GREETING.fullmatch(folded):
        return "greeting"
    if THANKS.fullmatch(folded):
        return "thanks"
    return None


def typed_command(text: str) -> tuple[str, str] | None:
    """('hjalp', '') for '/hjalp', ('tidslinje', '2021-10') for '/tidslinje 2021-10'."""
    match = COMMAND.match(text.strip())
    if match is None:
        return None
    return match.group(1).casefold(), (match.group(2) or "").strip()


def asks_own_view(folded: str) -> bool:
    """The bot's own view, a judgement or advice is asked for ('Tycker du …', 'vilket parti
    ska jag rösta på', 'kan man lita på kamerorna?'), not whose view it was."""
    return bool(OWN_VIEW.search(folded)) and not HELD_VIEW.search(folded)


def asks_something(focus: str, folded: str) -> bool:
    """A question, not just words: a question mark or a question word."""
    return "?" in focus or bool(QUESTION_WORDS.search(folded))
