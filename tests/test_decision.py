"""The decision over made-up rankings: each rule of bot.decision on the class it serves."""

from types import SimpleNamespace

from bot.decision import decide
from bot.ranker import Ranked, Ranking, Thresholds
from bot.search import Candidate

BARS = Thresholds(answer=0.6, option=0.2, alternative=0.1, suggest=0.3)


def topic(word: str, known: bool = True, *, in_entries: bool | None = None) -> SimpleNamespace:
    terms = frozenset({word}) if known else frozenset()
    in_entries = known if in_entries is None else in_entries
    return SimpleNamespace(word=word, known=known, in_entries=in_entries, sv=terms, heads=terms)


def with_groups(*groups: SimpleNamespace) -> SimpleNamespace:
    """QUERY with these words (and, as Query derives them, the ones some entry knows)."""
    entry_groups = tuple(g for g in groups if g.known and g.in_entries)
    return SimpleNamespace(**{**vars(QUERY), "groups": groups, "entry_groups": entry_groups})


QUERY = SimpleNamespace(
    topical_groups=(topic("a"), topic("b")),
    cues=frozenset(),
    groups=(),
    total_weight=1.0,
    intent=None,
    plural_positions=frozenset(),
)


def ranked(entry_id: str, section: str, probability: float, *, gap: bool = False) -> Ranked:
    row = {"id": entry_id, "document": "report", "section": section}
    entry = SimpleNamespace(id=entry_id, row=row, is_gap=gap)
    features = {"gap_unique": 0.0, "gap_cue_missed": 0.0, "cue_missed": 0.0}
    return Ranked(Candidate(entry, features, frozenset({0})), 0.0, probability)


def test_siblings_sharing_the_probability_answer_with_the_best_of_them():
    ranking = Ranking(
        [ranked("pris-vinnare", "6", 0.35), ranked("pris-i-korthet", "6", 0.3),
         ranked("dagar", "5", 0.1)],
        none=0.0,
    )  # fmt: skip
    plan = decide(ranking, QUERY, BARS)
    assert plan.kind == "answer"
    assert [r.entry.id for r in plan.chosen] == ["pris-vinnare"]
    assert "pris-i-korthet" in [r.entry.id for r in plan.choices]


def test_entries_of_different_sections_sharing_the_probability_are_choices():
    ranking = Ranking(
        [ranked("pris", "6", 0.35), ranked("dagar", "5", 0.3), ranked("kameror", "3", 0.2)],
        none=0.0,
    )
    assert decide(ranking, QUERY, BARS).kind == "suggest"


def test_a_list_of_known_topics_spread_thin_gets_choices_and_a_sentence_does_not():
    # "demokratidagar demokratipris": each topic's entries share the probability, none
    # reaches the option bar; a sentence with unknown words spread the same way is no list.
    ranking = Ranking(
        [ranked("pris", "6", 0.15), ranked("dagar", "5", 0.12), ranked("gap-pris", "6", 0.14,
         gap=True)],
        none=0.2,
    )  # fmt: skip
    listed = with_groups(topic("pris"), topic("dagar"))
    sentence = with_groups(topic("pris"), topic("skriv", False))
    assert decide(ranking, listed, BARS).kind == "suggest"
    assert decide(ranking, sentence, BARS).kind != "suggest"


def test_an_entry_does_not_answer_a_question_whose_topic_only_the_source_text_knows():
    # "sista dag att söka lovbidrag?" after a new protocol: the prize entry matches "sista
    # dag" and would answer another question; the new document's passages may.
    ranking = Ranking([ranked("pris-nominering", "6", 0.9), ranked("dagar", "5", 0.05)], none=0.0)
    known = SimpleNamespace(**{**vars(QUERY), "topical_groups": (topic("sista"), topic("dag"))})
    new_word = SimpleNamespace(
        **{**vars(QUERY), "topical_groups": (topic("sista"), topic("lovbidrag", in_entries=False))}
    )
    assert decide(ranking, known, BARS).kind == "answer"
    assert decide(ranking, new_word, BARS).kind == "abstain"


def test_siblings_beside_a_gap_are_not_added_up():
    ranking = Ranking(
        [ranked("pris-vinnare", "6", 0.35), ranked("pris-i-korthet", "6", 0.3),
         ranked("gap-prispengar", "6", 0.25, gap=True)],
        none=0.0,
    )  # fmt: skip
    assert decide(ranking, QUERY, BARS).kind != "answer"


def test_siblings_that_lack_the_kind_of_fact_asked_are_not_added_up():
    # "When is the next prize?": the prize entries share the probability, but none holds a
    # future date; adding them up would answer with the wrong kind of fact.
    entries = [ranked("pris-vinnare", "6", 0.35), ranked("pris-nominering", "6", 0.3),
               ranked("dagar", "5", 0.1)]  # fmt: skip
    for entry in entries[:2]:
        entry.candidate.features["cue_missed"] = 1.0
    assert decide(Ranking(entries, none=0.0), QUERY, BARS).kind != "answer"
