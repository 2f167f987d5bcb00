"""Plans -> answers: the reply for each kind of decision, worded by bot.render.

An entry answer gives the curated answer with its source and quote; a passage answer quotes
the document's own words and says that it does; a gap says what the material does and does
not state; choices offer entries; an abstention says why and where to turn instead.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cached_property

from bot.decision import Plan
from bot.entries import body_of, source_of, title_of
from bot.listings import Listings
from bot.models import Answer, Document, Source, Suggestion
from bot.premises import (
    affirms,
    claims_outcome,
    corrections,
    states_it_is_missing,
    told_part_answers,
)
from bot.query import Query
from bot.ranker import Ranked
from bot.render import (
    ABSTAIN_LEAD,
    DEFAULT_CONTACT,
    YES,
    abstain_text,
    compose_text,
    not_stated_text,
    passage_body,
    suggestion_text,
    unsaid_dates_text,
    unstated_text,
)
from bot.text import fold

# A correction stands in for an answer only with an entry this likely to be the topic.
PREMISE_FACT = 0.1


class Replies:
    """Answers for one index's documents and entries."""

    def __init__(
        self,
        db: sqlite3.Connection,
        documents: dict[str, Document],
        listings: Listings,
        contact_text: str | None = None,
    ):
        self.db = db
        self.documents = documents
        self.listings = listings
        self.contact_text = contact_text

    def for_plan(self, plan: Plan, query: Query, text: str, lang: str) -> Answer:
        about = [
            r for r in plan.chosen or plan.choices if r.candidate.matched & query.topical_positions
        ]
        if (
            plan.kind in ("answer", "suggest")
            and about
            and all(asks_existence_elsewhere(query, r) for r in about)
        ):
            # Whether the topic is close to certain or spread over its entries, none of
            # them names the place: say so, with the best entry and what the place has.
            return self.not_in_place(query, text, lang, about[0], plan.confidence)
        corrected = self.corrected(plan, query, lang)
        if corrected is not None:
            return self.entry(corrected, query, text, lang)
        if plan.kind == "answer":
            top = plan.chosen[0]
            if states_it_is_missing(query, top.entry.row):
                # The entry itself says the asked thing is not stated: an honest abstention.
                return self.gap(text, lang, top, plan.confidence)
            return self.entry(plan, query, text, lang)
        if plan.kind == "passage":
            return self.passage(plan, query, text, lang)
        if plan.kind == "gap":
            if told_part_answers(query, plan.chosen[0].entry.row):
                return self.entry(plan, query, text, lang)
            return self.gap(text, lang, plan.chosen[0], plan.confidence)
        if plan.kind == "unstated":
            row = plan.chosen[0].entry.row
            body = f"{unstated_text(plan.unmet, lang)} {body_of(row, lang)}"
            sources = (source_of(row, self.documents),)
            return self.gap_answer(text, lang, body, sources, None, plan.confidence)
        if plan.kind == "suggest":
            return self.suggest(text, lang, plan.choices, plan.confidence)
        return self.abstain(text, lang, "not_in_material", confidence=plan.confidence)

    @cached_property
    def names(self) -> frozenset[str]:
        """Every person, organisation and place the entries name, folded."""
        found = set()
        for row in self.db.execute("select people, organisations, places from entries"):
            found.update(fold(name) for column in row for name in json.loads(column or "[]"))
        return frozenset(found)

    def corrections(self, query: Query, row: dict, lang: str) -> list[str]:
        return corrections(query, row, self.documents, lang, self.names)

    def corrected(self, plan: Plan, query: Query, lang: str) -> Plan | None:
        """A question built on a wrong premise ('Varför avslog beredningen …?') is answered
        with the correction and the fact, even where the plan would not answer (the asked
        reason does not exist, so no entry gives it): the correction is the answer."""
        outcome = self.outcome_corrected(plan, query, lang)
        if outcome is not None or plan.kind == "answer":
            return outcome  # a passage quotes the source and corrects nothing: an entry may
        for fact in plan.facts:
            if fact.probability < PREMISE_FACT:
                break
            if not fact.candidate.matched:
                continue
            if self.corrections(query, fact.entry.row, lang):
                return Plan("answer", plan.confidence, (fact,), facts=plan.facts)
        return None

    def outcome_corrected(self, plan: Plan, query: Query, lang: str) -> Plan | None:
        """'Varför återremitterade beredningen verksamhetsberättelsen?' is answered by the
        decision it gets wrong, with the correction, though the question's other words
        rank an entry about the report's content first: the premise is the answer."""
        if not claims_outcome(query.folded):
            return None
        if plan.kind == "answer" and self.corrections(query, plan.chosen[0].entry.row, lang):
            return None  # the answer corrects the premise itself
        for fact in plan.facts:
            row = fact.entry.row
            about = fact.candidate.matched & query.topical_positions  # not another decision
            if about and row["kind"] == "decision" and self.corrections(query, row, lang):
                return Plan("answer", plan.confidence, (fact,), facts=plan.facts)
        return None

    def entry(self, plan: Plan, query: Query, text: str, lang: str) -> Answer:
        rows = [r.entry.row for r in plan.chosen]
        # The first of the entries shown that contradicts the question's premise says so.
        notices = next(
            (found for row in rows if (found := self.corrections(query, row, lang))),
            [],
        )
        top = plan.chosen[0]
        verdict = not notices and affirms(query, body_of(rows[0], lang), top.candidate.matched)
        bodies = [body_of(row, lang) for row in rows]
        if "when" in query.cues:  # the time asked: the curated dates the answers do not say
            said = " ".join(bodies)
            dates = [d for row in rows for d in json.loads(row["dates"] or "[]")]
            bodies += [told] if (told := unsaid_dates_text(said, dates, lang)) else []
        body = " ".join([*notices, *([YES[lang]] if verdict else []), *bodies])
        sources = tuple(source_of(row, self.documents) for row in rows)
        shown = {row["id"] for row in rows}
        alternatives = tuple(
            Suggestion(r.entry.id, title_of(r.entry.row, lang)) for r in plan.choices
        )
        shown |= {a.entry_id for a in alternatives}
        return Answer(
            question=text,
            status="answer",
            answer=body,
            text=compose_text(body, sources, lang, alternatives),
            confidence=min(plan.confidence, 1.0),
            entry_id=rows[0]["id"],
            lang=lang,
            sources=sources,
            alternatives=alternatives,
            related=self.related(rows[0], exclude=shown),
            notice=" ".join(notices) or None,
            kind="entry",
        )

    def passage(self, plan: Plan, query: Query, text: str, lang: str) -> Answer:
        """The document's own words, said to be so, with the source to cite."""
        rows = [r.passage.row for r in plan.passages]
        document = self.documents[rows[0]["document"]]
        quote = " ".join(row["text"] for row in rows)
        body = passage_body(quote, document, rows[0], lang)
        source = Source(
            document=document.id,
            title=document.title,
            section=rows[0]["section"],
            date=document.date,
            reference=document.reference,
            quote=quote,
        )
        return Answer(
            question=text,
            status="answer",
            answer=body,
            text=compose_text(body, (source,), lang, quoted=False),
            confidence=min(plan.confidence, 1.0),
            entry_id=None,
            lang=lang,
            sources=(source,),
            kind="passage",
            passage_id=rows[0]["n"],
        )

    def combined(self, parts: list[tuple[Query, Plan]], text: str, lang: str) -> Answer:
        """One reply to a two-part question: each answered part with its source, and plainly
        what the material does not state for the others."""
        bodies, sources, stated, confidence = [], [], [], 1.0
        for part_query, plan in parts:
            row = plan.chosen[0].entry.row
            if row["id"] in stated:
                continue
            stated.append(row["id"])
            if plan.kind == "gap":
                bodies.append(not_stated_text(title_of(row, lang), lang))
                continue
            notices = self.corrections(part_query, row, lang)
            bodies.append(" ".join([*notices, body_of(row, lang)]))
            sources.append(source_of(row, self.documents))
            confidence = min(confidence, plan.confidence)
        body = "\n\n".join(bodies)
        missing = tuple(
            title_of(plan.chosen[0].entry.row, lang) for _, plan in parts if plan.kind == "gap"
        )
        return Answer(
            question=text,
            status="answer",
            answer=body,
            text=compose_text(body, tuple(sources), lang),
            confidence=confidence,
            entry_id=stated[0],
            lang=lang,
            sources=tuple(sources),
            related=self.related(parts[0][1].chosen[0].entry.row, exclude=set(stated)),
            kind="entry",
            missing=missing,
        )

    def not_in_place(
        self, query: Query, text: str, lang: str, found: Ranked, confidence: float
    ) -> Answer:
        """'Finns det X i P?' where the material tells of X elsewhere: say so, with where X
        is and what the material says about P. The asked thing is not stated, so this is an
        abstention (gap) that the curators see."""
        place = sorted(query.districts)[0]
        row = found.entry.row
        lead = not_stated_text(f"{title_of(row, lang)} – {place}", lang, place=place)
        heading, lines = self.listings.place(place, lang)
        about = [heading, *(f"• {line.text}" for line in lines[:3])] if lines else []
        body = "\n".join([lead, body_of(row, lang), *about])
        sources = (
            source_of(row, self.documents),
            *(source_of(line.row, self.documents) for line in lines[:3]),
        )
        return self.gap_answer(text, lang, body, sources, row["id"], confidence)

    def no_note(self, query: Query, text: str, lang: str) -> Answer | None:
        """A question about a party that wrote no note. When it takes a note for granted
        ('Vad skrev Moderaterna i sin protokollsanteckning?') the premise is wrong: the
        answer says so and names the parties that did write notes, with their signatories.
        When it asks what the party thought ('Vad tyckte SD?'), that is not stated: the
        same words are a gap."""
        from bot.routing import ABOUT_A_NOTE, OPINION_CUE

        writers = self.note_writers()
        if not writers or query.parties & writers.keys():
            return None
        presumes = bool(ABOUT_A_NOTE.search(query.folded))
        if query.parties:
            named = ", ".join(self.party_name(code) for code in sorted(query.parties))
        else:
            # 'Ingalill Söderberg anmälde väl också en protokollsanteckning?': a person who
            # signed no note, said to have written one.
            named = self.non_signer(query, writers) if presumes else None
            if named is None:
                return None
        if not (presumes or OPINION_CUE.search(query.folded)):
            return None
        notes = [self.documents[document] for document in writers.values()]
        listed = "; ".join(
            f"{(d.party_en if lang == 'en' else None) or d.party} ({', '.join(d.signatories)})"
            for d in notes
        )
        if lang == "sv":
            body = (
                f"Obs: {named} lämnade ingen protokollsanteckning i ärendet. "
                f"Protokollsanteckningar lämnades av: {listed}."
            )
        else:
            body = f"Note: {named} submitted no protocol note. Protocol notes came from: {listed}."
        sources = tuple(self.note_source(d) for d in notes)
        if not presumes:
            return self.gap_answer(text, lang, body, sources, None, 1.0)
        return Answer(
            question=text,
            status="answer",
            answer=body,
            text=compose_text(body, sources, lang),
            confidence=1.0,
            entry_id=None,
            lang=lang,
            sources=sources,
            notice=body.split(". ")[0] + ".",
            kind="overview",
        )

    def non_signer(self, query: Query, writers: dict[str, str]) -> str | None:
        """A person the question names who signed none of the notes, as the entries spell
        the name; None when it names no such person or also names a signatory."""
        notes = [self.documents[document] for document in writers.values()]
        signed = {fold(name) for note in notes for name in note.signatories}
        named = [name for key, name in self.people.items() if key in query.folded]
        if not named or any(fold(name) in signed for name in named):
            return None
        return named[0]

    @cached_property
    def people(self) -> dict[str, str]:
        """Every person the entries name: folded -> as the entries spell the name."""
        rows = self.db.execute("select people from entries")
        return {fold(name): name for (column,) in rows for name in json.loads(column or "[]")}

    def note_writers(self) -> dict[str, str]:
        """Party code -> the document of its protocol note."""
        sql = "select party, min(document) from entries where party is not null group by party"
        return {party: document for party, document in self.db.execute(sql)}

    def party_name(self, code: str) -> str:
        """A party's name as the glossary spells it first ('Moderaterna'), else its code."""
        rows = self.db.execute(
            "select phrase from glossary where kind = 'party' and target = ? order by rowid",
            (code,),
        ).fetchall()
        names = [phrase for (phrase,) in rows if len(phrase) > 2]
        return f"{names[0].capitalize()} ({code})" if names else code

    def note_source(self, document: Document) -> Source:
        row = self.db.execute(
            "select * from entries where document = ? order by overview desc, n limit 1",
            (document.id,),
        ).fetchone()
        return source_of(dict(row), self.documents)

    def gap(self, text: str, lang: str, gap: Ranked, confidence: float) -> Answer:
        row = gap.entry.row
        sources = (source_of(row, self.documents),)
        return self.gap_answer(text, lang, body_of(row, lang), sources, row["id"], confidence)

    def no_opinion(self, found: Ranked | None, text: str, lang: str, confidence: float):
        """The bot's own view was asked for: it has none, and says what the material says."""
        if found is None:
            return self.abstain(text, lang, "opinion", confidence=confidence)
        row = found.entry.row
        body = f"{ABSTAIN_LEAD['opinion', lang]} {body_of(row, lang)}"
        sources = (source_of(row, self.documents),)
        return self.gap_answer(text, lang, body, sources, row["id"], confidence, reason="opinion")

    def gap_answer(
        self, text, lang, body, sources, entry_id, confidence, reason: str = "gap"
    ) -> Answer:
        contact = self.contact_text or DEFAULT_CONTACT[lang]
        return Answer(
            question=text,
            status="abstain",
            answer=None,
            text=compose_text(body, sources, lang) + f"\n\n{contact}",
            confidence=min(confidence, 1.0),
            entry_id=entry_id,
            lang=lang,
            sources=sources,
            reason=reason,
            detail=body,
            contact=contact,
        )

    def suggest(self, text: str, lang: str, options, confidence: float) -> Answer:
        suggestions = tuple(Suggestion(r.entry.id, title_of(r.entry.row, lang)) for r in options)
        return Answer(
            question=text,
            status="suggest",
            answer=None,
            text=suggestion_text(suggestions, lang),
            confidence=min(confidence, 1.0),
            entry_id=None,
            lang=lang,
            suggestions=suggestions,
        )

    def abstain(
        self, text: str, lang: str, reason: str, *, place: str = "", confidence: float = 0.0
    ) -> Answer:
        return Answer(
            question=text,
            status="abstain",
            answer=None,
            text=abstain_text(reason, lang, self.contact_text, place, self.scope(lang)),
            confidence=min(confidence, 1.0),
            entry_id=None,
            lang=lang,
            reason=reason,
        )

    def scope(self, lang: str) -> str:
        """What the bot answers from, named from the documents themselves."""
        roots = [d for d in self.documents.values() if not d.party] or list(self.documents)
        names = "; ".join(
            f"{(d.title_en if lang == 'en' else None) or d.title} ({d.reference})"
            for d in roots
            if d.kind != "tjansteutlatande"
        )
        return f"Jag svarar utifrån: {names}." if lang == "sv" else f"I answer from: {names}."

    def related(self, row: dict, exclude: set[str]) -> tuple[Suggestion, ...]:
        sql = (
            "select id, title from entries where document = ? and section = ? and kind != 'gap' "
            "order by n"
        )
        siblings = self.db.execute(sql, (row["document"], row["section"])).fetchall()
        related = [Suggestion(r["id"], r["title"]) for r in siblings if r["id"] not in exclude]
        return tuple(related[:3])


def asks_existence_elsewhere(query: Query, top: Ranked) -> bool:
    """'Finns det kameror i Vårby?' answered by an entry that does not name Vårby."""
    from bot.routing import EXISTENCE

    if not query.districts or not EXISTENCE.search(query.folded):
        return False
    return not top.candidate.features["place_match"] and not any(
        district.casefold() in top.entry.row["answer"].casefold() for district in query.districts
    )
