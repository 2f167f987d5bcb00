"""The decision: ranked candidates with calibrated probabilities -> what to reply.

- Answer the top entry when its probability clears the fitted bar. A close runner-up is
  still offered beside the answer ("Menade du hellre …?").
- Offer choices only when no entry stands out, and then at least two of them.
- A gap entry on top is an honest abstention: the material does not state what was asked.
- A count, share, cost or date question is never answered by an entry without such a fact:
  the reply says the material does not state it, with the related fact it does state.
- Abstain only when nothing fits.
Pure: no index, no wording.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bot.query import Query
from bot.ranker import Ranked, Ranking, Thresholds
from bot.text import words

MAX_CHOICES = 3
BROAD_OPTION = 0.02  # below this share an entry is noise even among a topic's many entries
# A second entry of the same section joins the answer when it holds at least this share of
# the question's weight that the first one lacks ("när … och var …?" answered by siblings).
COMPANION_SHARE = 0.2
COMPANION_PASSAGE = 0.5  # a runner-up passage joins when at least this likely next to the top


@dataclass(frozen=True)
class Plan:
    kind: Literal["answer", "passage", "suggest", "gap", "unstated", "abstain"]
    confidence: float
    chosen: tuple[Ranked, ...] = ()  # the entries whose facts the reply gives
    choices: tuple[Ranked, ...] = ()  # suggestions, or runner-ups beside an answer
    unmet: frozenset[str] = frozenset()  # for "unstated": what kind of fact is missing
    passages: tuple[Ranked, ...] = ()  # for "passage": the passages quoted
    facts: tuple[Ranked, ...] = ()  # the best fact entries, whatever was decided (premises)


def with_passages(plan: Plan, passages: Ranking | None, thresholds: Thresholds) -> Plan:
    """One decision over both kinds of answer: the passage model's calibrated confidence
    against the entry plan's, with fitted bars. A passage answers instead of choices, an
    abstention or an entry lacking the asked figure when it clears `passage`; instead of a
    gap only from the higher `passage_over_gap` (the gap says the thing is not stated);
    instead of an entry answer only from `passage_over_entry`, when it is surer than the
    entry and does not hold the entry's own quote (then the entry says the same). A passage
    of a document no entry covers yet (a new one) has a bar of its own, whatever the plan:
    no entry can give what that document says."""
    if passages is None or not passages.ranked:
        return plan
    top = passages.ranked[0]
    if top.candidate.unmet:
        return plan  # it lacks what the question demands, as an entry would
    confidence = passages.calibrate(top.probability)
    if new_document(top):
        bar = thresholds.passage_uncurated
    elif plan.kind == "answer":
        bar = thresholds.passage_over_entry
        if top.candidate.features["entry_quote"] or confidence <= plan.confidence:
            return plan
    else:
        bar = thresholds.passage_over_gap if plan.kind == "gap" else thresholds.passage
    if confidence < bar:
        return plan
    chosen = (top, *passage_companions(top, passages))
    return Plan("passage", confidence, passages=chosen, facts=plan.facts)


def new_document(passage: Ranked) -> bool:
    """A passage of a document that has no entries yet (added, its drafts not written)."""
    return not passage.passage.row.get("document_entries")


def passage_companions(top: Ranked, passages: Ranking) -> tuple[Ranked, ...]:
    """The runner-up passage of the same document when it is nearly as likely ('… 14 nya
    armaturer' and '… kostnaden 1,35 mnkr'): the answer may stand in either, and both are
    the document's own words, each short."""
    for other in passages.ranked[1:MAX_CHOICES]:
        same = other.passage.row["document"] == top.passage.row["document"]
        if same and other.probability >= COMPANION_PASSAGE * top.probability:
            return (other,)
    return ()


def decide(ranking: Ranking, query: Query, thresholds: Thresholds) -> Plan:
    plan = _decide(ranking, query, thresholds)
    if plan.kind == "answer" and names_what_only_the_source_holds(query):
        # "sista dag att söka lovbidrag?" after a new protocol: no entry knows its main
        # word, so an entry that matches the rest answers another question. The source
        # text may (its passages decide next); else the material does not say.
        plan = Plan("abstain", plan.confidence)
    facts = tuple(r for r in ranking.ranked[:MAX_CHOICES] if not r.entry.is_gap)
    return replace(plan, facts=facts)


def _decide(ranking: Ranking, query: Query, thresholds: Thresholds) -> Plan:
    ranked = ranking.ranked
    if not asks_for_something(query):
        # One topic word and no question word names a topic, not a missing fact: no gap.
        ranked = [r for r in ranked if not r.entry.is_gap]
    if not ranked:
        return Plan("abstain", 0.0)
    first = ranked[0]
    ranked, absorbed = facts_before_redundant_gaps(ranked)
    top = ranked[0]
    demoted = first if first is not top else None  # a gap that yielded its place
    confidence = ranking.calibrate(top.probability + absorbed)
    if not top.entry.is_gap and top.candidate.unmet:
        return _unstated(ranking, ranked, thresholds, confidence)
    facts = [r for r in ranked if not r.entry.is_gap and not r.candidate.unmet]
    if confidence < thresholds.answer:
        confidence = max(confidence, section_confidence(ranking, ranked))
    if confidence >= thresholds.answer:
        if top.entry.is_gap:
            return Plan("gap", confidence, (top,))
        chosen = (top, *companions(top, ranked, query, thresholds))
        rest = [r for r in facts if r not in chosen]
        runners = tuple(r for r in rest[:MAX_CHOICES] if r.probability >= thresholds.alternative)
        return Plan("answer", confidence, chosen, runners)
    if 1 - ranking.none >= thresholds.suggest:  # something fits, nothing stands out
        # A one-topic question ("demokrati") spreads over the topic's entries, and a bare
        # list of topics ("demokratidagar demokratipris") over several topics': their best
        # entries of different sections are the choices, however the probability spreads.
        bare = not query.cues and query.intent is None and is_topic_list(query)
        bar = BROAD_OPTION if len(query.topical_groups) <= 1 or bare else thresholds.option
        options = diverse([r for r in facts if r.probability >= bar])[:MAX_CHOICES]
        if len(options) >= 2:
            return Plan("suggest", confidence, choices=tuple(options))
    if top.entry.is_gap and top.probability >= thresholds.option:
        return Plan("gap", confidence, (top,))
    if demoted is not None and demoted.probability >= thresholds.option:
        # The fact that took the gap's place is not sure enough to answer: the gap still
        # says what the material does and does not state, which beats saying nothing.
        return Plan("gap", ranking.calibrate(demoted.probability), (demoted,))
    return Plan("abstain", confidence)


def _unstated(
    ranking: Ranking, ranked: list[Ranked], thresholds: Thresholds, confidence: float
) -> Plan:
    """The best entry lacks the figure, date or reason asked for. A sibling of its section
    that holds it answers with it ('När och var hölls demokratidagarna?': the place and
    the month stand in two entries); else a gap entry near the top says it is not stated,
    in its own words; else the reply says so with the related fact."""
    top = ranked[0]
    for other in ranked[1:MAX_CHOICES]:
        if other.entry.is_gap or other.candidate.unmet or not same_section(top, other):
            continue
        together = ranking.calibrate(top.probability + other.probability)
        if together >= thresholds.answer and other.probability >= thresholds.alternative:
            return Plan("answer", together, (other, top))
    for other in ranked[1:MAX_CHOICES]:
        if other.entry.is_gap and other.probability >= thresholds.option:
            return Plan("gap", confidence, (other,))
    return Plan("unstated", confidence, (top,), unmet=top.candidate.unmet)


def facts_before_redundant_gaps(ranked: list[Ranked]) -> tuple[list[Ranked], float]:
    """A gap entry never wins over an entry that holds the asked fact: a gap on top that
    holds no word of the question a close fact entry lacks yields its place to that fact.
    Returns the ranking and the probability the gap hands over: when the gap's own curated
    questions ask for another kind of fact than this question does, both entries name the
    same topic and belief in the gap is belief in the fact."""
    top = ranked[0]
    if not top.entry.is_gap or top.candidate.features["gap_unique"] > 0:
        return ranked, 0.0
    for other in ranked[1:MAX_CHOICES]:
        if not other.entry.is_gap and top.candidate.matched <= other.candidate.matched:
            if other.candidate.unmet:
                return ranked, 0.0  # the fact lacks what is asked: the gap says so
            handed = top.probability if top.candidate.features["gap_cue_missed"] else 0.0
            return [other, *(r for r in ranked if r is not other)], handed
    return ranked, 0.0


def section_confidence(ranking: Ranking, ranked: list[Ranked]) -> float:
    """Siblings of one section sharing the probability: the question is about that section
    for sure, and its best entry answers (the siblings are offered beside it). Only siblings
    that hold the kind of fact asked (when, who, how many …) count, and not when a gap is
    near the top: then the asked fact may be the one the section lacks."""
    top = ranked[0]
    near = ranked[:MAX_CHOICES]
    if top.entry.is_gap or any(r.entry.is_gap for r in near) or not _holds_asked_kind(top):
        return 0.0
    siblings = [r for r in near if same_section(top, r) and _holds_asked_kind(r)]
    return ranking.calibrate(sum(r.probability for r in siblings))


def _holds_asked_kind(ranked: Ranked) -> bool:
    return not ranked.candidate.features["cue_missed"] and not ranked.candidate.unmet


def names_what_only_the_source_holds(query: Query) -> bool:
    """A topic word of the question is in the source text but in no entry."""
    return any(not group.in_entries for group in query.topical_groups)


def is_topic_list(query: Query) -> bool:
    """Every word names a topic the entries know ("demokratidagar demokratipris"): a list
    of topics, not a sentence."""
    return bool(query.groups) and len(query.entry_groups) == len(query.groups)


def asks_for_something(query: Query) -> bool:
    """More than one topic word, or a question word (when, how many …): a question that can
    ask for a fact the material lacks."""
    return len(query.topical_groups) >= 2 or bool(query.cues)


def companions(top: Ranked, ranked: list[Ranked], query: Query, thresholds: Thresholds):
    """A sibling entry (same section) that answers words of the question the top one lacks;
    or, for a question asking for several of a kind, every sibling that is one of them."""
    many = instances(top, ranked, query, thresholds)
    if many:
        return many
    total = query.total_weight or 1.0
    for other in ranked[1:MAX_CHOICES]:
        if other.entry.is_gap or not same_section(top, other):
            continue
        extra = other.candidate.matched - top.candidate.matched
        share = sum(query.groups[i].weight for i in extra) / total
        if share >= COMPANION_SHARE and other.probability >= thresholds.alternative:
            return (other,)
    return ()


def instances(top: Ranked, ranked: list[Ranked], query: Query, thresholds: Thresholds):
    """'Vilka detaljplaner fick beredningen på remiss?': the asked word is a plural, and the
    top entry and its siblings each hold one of them in their title (one entry per
    detaljplan): each sibling that is one joins, since one of them alone is not the answer."""
    kinds = [query.groups[i] for i in query.plural_positions]
    if not kinds or top.entry.is_gap:
        return ()

    def one_of_them(candidate: Ranked) -> bool:
        title = " ".join(words(candidate.entry.row["title"]))
        return any(term in title for group in kinds for term in group.sv)

    if not one_of_them(top):
        return ()
    return tuple(
        other
        for other in ranked[1:MAX_CHOICES]
        if not other.entry.is_gap
        and same_section(top, other)
        and other.probability >= thresholds.alternative
        and one_of_them(other)
    )


def diverse(options: list[Ranked]) -> list[Ranked]:
    """The best option of each section, so that choices really differ; options of the same
    section only when fewer than two sections are left to choose from."""
    firsts, rest, sections = [], [], set()
    for option in options:
        section = (option.entry.row["document"], option.entry.row["section"])
        (rest if section in sections else firsts).append(option)
        sections.add(section)
    return firsts if len(firsts) >= 2 else firsts + rest


def same_section(first: Ranked, second: Ranked) -> bool:
    a, b = first.entry.row, second.entry.row
    return a["document"] == b["document"] and a["section"] == b["section"]
