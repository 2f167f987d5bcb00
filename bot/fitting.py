"""Fitting the ranking model: labels from question sets, a conditional logit, thresholds.

Used by `scripts/fit_ranker.py` (and its tests); needs numpy, which the bot itself does not.

An example is one question with its candidates' features and which candidates are right:
- a curated question (asked with itself left out of the index): its own entry;
- a question-set item: the non-gap candidates whose answer holds every expected fact, or,
  for an item the material cannot answer, "none of them" and any gap entry.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.decision import decide, new_document
from bot.entries import body_of
from bot.evaluation import missing_facts
from bot.query import Query
from bot.ranker import Ranking, RankingModel, Thresholds
from bot.search import Candidate

L2 = 0.001  # keeps weights of rare features from running off (chosen by cross-validation)
# What each outcome is worth to the person asking, against +1 for a right answer. A wrong
# answer is the worst outcome, and worst of all where the material has no answer; a runner-up
# offered beside a wrong answer ("Menade du hellre …?") recovers part of it; choices that hold
# the right entry cost a tap.
WRONG_ANSWER_COST = 2.0
WRONG_ANSWER_RECOVERED_COST = 0.5
ANSWER_ON_ABSTAIN_COST = 3.0
SUGGEST_HIT_GAIN = 0.3
SUGGEST_MISS_COST = 0.3


@dataclass
class Example:
    question: str
    query: Query
    candidates: list[Candidate]
    right: list[bool]  # per candidate
    none_right: bool  # "none of them" (an abstention) is right
    source: str = ""  # which set the question came from
    weight: float = 1.0
    partial: bool = False  # no single entry holds every expected fact
    extra: dict = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return not self.none_right


def label_item(item: dict, query: Query, candidates: list[Candidate]) -> Example:
    """An evaluation item as an example: which candidates answer it."""
    if item.get("abstain"):
        right = [c.entry.is_gap for c in candidates]
        return Example(item["q"], query, candidates, right, True)
    expect = item.get("expect") or []
    missing = [
        len(missing_facts(expect, body_of(c.entry.row, query.lang)))
        if not c.entry.is_gap
        else len(expect) + 1
        for c in candidates
    ]
    best = min(missing, default=len(expect) + 1)
    partial = best > 0
    if best > len(expect) - 1 and expect:
        best = -1  # not one expected fact in any candidate: no label
    right = [m == best for m in missing]
    return Example(
        item["q"], query, candidates, right, False, weight=0.5 if partial else 1.0, partial=partial
    )


def label_curated(question: str, entry_id: str, query: Query, candidates) -> Example:
    right = [c.entry.id == entry_id for c in candidates]
    return Example(question, query, candidates, right, False)


# -- the conditional logit ----------------------------------------------------------------


def _arrays(examples: Sequence[Example], names: Sequence[str]):
    """Padded arrays: features (question, option, feature + none), valid options, right ones.
    The last option of every question is "none of them", a one-hot extra feature."""
    import numpy as np

    width = max(len(e.candidates) for e in examples) + 1
    x = np.zeros((len(examples), width, len(names) + 1))
    valid = np.zeros((len(examples), width), dtype=bool)
    right = np.zeros((len(examples), width), dtype=bool)
    for q, example in enumerate(examples):
        for i, candidate in enumerate(example.candidates):
            x[q, i, :-1] = [candidate.features[name] for name in names]
        count = len(example.candidates)
        valid[q, : count + 1] = True
        right[q, :count] = example.right
        x[q, count, -1] = 1.0
        right[q, count] = example.none_right
    return x, valid, right


def fit_logit(
    examples: Sequence[Example], names: Sequence[str], *, l2: float = L2, steps: int = 100
) -> tuple[dict[str, float], float]:
    """Weights and the "none" score maximising the likelihood of the right candidates
    (or none), with an L2 penalty on the weights: damped Newton steps with backtracking."""
    import numpy as np

    usable = [e for e in examples if any(e.right) or e.none_right]
    x, valid, right = _arrays(usable, names)
    weights = np.asarray([e.weight for e in usable])
    penalty = l2 * weights.sum() * np.append(np.ones(len(names)), 0.0)  # none is not shrunk
    theta = np.zeros(len(names) + 1)

    def loss(t):
        s = np.where(valid, x @ t, -np.inf)
        total = _logsumexp(s) - _logsumexp(np.where(right, s, -np.inf))
        return float(weights @ total + 0.5 * penalty @ (t * t))

    current = loss(theta)
    for _ in range(steps):
        gradient, hessian = _derivatives(x, valid, right, weights, theta)
        gradient += penalty * theta
        hessian += np.diag(penalty) + 1e-8 * np.eye(len(theta))
        # The Newton step, else (where the likelihood is not convex and the step leads
        # nowhere) the steepest descent: stopping there left whole models half fitted.
        newton = np.linalg.solve(hessian, gradient)
        steepest = gradient / max(1.0, float(np.linalg.norm(gradient)))
        moved = _line_search(loss, theta, current, newton) or _line_search(
            loss, theta, current, steepest
        )
        if moved is None:
            break
        theta, value = moved
        improvement, current = current - value, value
        if improvement < 1e-6 * max(1.0, abs(current)):
            break
    return {name: float(w) for name, w in zip(names, theta[:-1], strict=True)}, float(theta[-1])


def _line_search(loss, theta, current: float, step):
    """(theta - scale * step, its loss) for the largest halved scale that does not raise
    the loss, or None."""
    scale = 1.0
    while scale > 1e-4:
        candidate = theta - scale * step
        value = loss(candidate)
        if value <= current:
            return candidate, value
        scale /= 2
    return None


def _logsumexp(s):
    import numpy as np

    peak = np.max(s, axis=1, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0)
    return (np.log(np.sum(np.exp(s - peak), axis=1, keepdims=True)) + peak)[:, 0]


def _derivatives(x, valid, right, weights, theta):
    """Gradient and Hessian of the weighted negative log-likelihood (Hessian kept positive:
    with several right options the likelihood is not convex)."""
    import numpy as np

    s = np.where(valid, x @ theta, -np.inf)
    p = np.exp(s - _logsumexp(s)[:, None])
    sr = np.where(right, s, -np.inf)
    r = np.exp(sr - _logsumexp(sr)[:, None])
    mean_p = np.einsum("qi,qif->qf", p, x)
    mean_r = np.einsum("qi,qif->qf", r, x)
    gradient = weights @ (mean_p - mean_r)
    second_p = np.einsum("q,qi,qif,qig->fg", weights, p, x, x)
    second_r = np.einsum("q,qi,qif,qig->fg", weights, r, x, x)
    hessian = (
        second_p
        - np.einsum("q,qf,qg->fg", weights, mean_p, mean_p)
        - second_r
        + np.einsum("q,qf,qg->fg", weights, mean_r, mean_r)
    )
    eigen, vectors = np.linalg.eigh(hessian)
    return gradient, (vectors * np.maximum(eigen, 1e-6)) @ vectors.T


def model_from(name, weights, none, thresholds, calibration=(1.0, 0.0)) -> RankingModel:
    return RankingModel(name, weights, none, thresholds, tuple(calibration))


def fit_calibration(pairs: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    """Platt scaling: (slope, intercept) of a logistic fit of "the top is right" on the
    logit of its probability."""
    import numpy as np

    p = np.clip(np.asarray([q for q, _ in pairs], dtype=float), 1e-9, 1 - 1e-9)
    x = np.log(p / (1 - p))
    y = np.asarray([r for _, r in pairs], dtype=float)
    theta = np.array([1.0, 0.0])
    for _ in range(100):
        z = 1 / (1 + np.exp(-(theta[0] * x + theta[1])))
        gradient = np.array([((z - y) * x).sum(), (z - y).sum()])
        w = z * (1 - z)
        hessian = np.array([[(w * x * x).sum(), (w * x).sum()], [(w * x).sum(), w.sum()]])
        step = np.linalg.solve(hessian + 1e-6 * np.eye(2), gradient)
        theta -= step
        if np.abs(step).max() < 1e-9:
            break
    return float(theta[0]), float(theta[1])


# -- outcomes and thresholds --------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: str  # the plan's kind
    right: bool  # an answer whose entry is right, or a non-answer on an abstain item
    confidence: float
    hit: bool = False  # for choices and runner-ups: the right entry was among them
    answerable: bool = True


def outcome(example: Example, ranking: Ranking, thresholds: Thresholds) -> Outcome:
    plan = decide(ranking, example.query, thresholds)
    right_ids = {c.entry.id for c, r in zip(example.candidates, example.right, strict=True) if r}
    answerable = example.answerable
    hit = any(r.entry.id in right_ids for r in plan.choices)
    if plan.kind == "answer":
        # Strictly, as a reader scores it: an entry with only some of the asked facts is the
        # best to rank first, but answering with it is a wrong answer.
        right = plan.chosen[0].entry.id in right_ids and not example.partial
        return Outcome("answer", right, plan.confidence, hit, answerable)
    if plan.kind == "suggest":
        return Outcome("suggest", example.none_right, plan.confidence, hit, answerable)
    if plan.kind == "gap":
        right = example.none_right or plan.chosen[0].entry.id in right_ids
        return Outcome("gap", right, plan.confidence, answerable=answerable)
    return Outcome(plan.kind, example.none_right, plan.confidence, answerable=answerable)


def utility(outcomes: Sequence[Outcome]) -> float:
    total = 0.0
    for o in outcomes:
        if o.kind == "answer":
            if o.right:
                total += 1.0
            elif not o.answerable:
                total -= ANSWER_ON_ABSTAIN_COST
            else:
                total -= WRONG_ANSWER_RECOVERED_COST if o.hit else WRONG_ANSWER_COST
        elif o.kind == "suggest":
            total += SUGGEST_HIT_GAIN if o.hit else -SUGGEST_MISS_COST
        elif o.right:  # an abstention where the material has no answer
            total += 1.0
    return total


def choose_thresholds(
    examples: Sequence[Example], ranking: Callable[[Example], Ranking]
) -> tuple[Thresholds, float]:
    """The bars with the best utility on (cross-validated) rankings, on a coarse grid."""
    rankings = [ranking(example) for example in examples]
    best = None
    for answer in [x / 100 for x in range(30, 96, 2)]:
        for option in (0.05, 0.1, 0.2):
            for alternative in (0.1, 0.2):
                for suggest in (0.3, 0.6):
                    thresholds = Thresholds(answer, option, alternative, suggest)
                    outcomes = [
                        outcome(e, r, thresholds) for e, r in zip(examples, rankings, strict=True)
                    ]
                    value = utility(outcomes)
                    if best is None or value > best[1]:
                        best = (thresholds, value)
    return best


def reliability(outcomes: Sequence[Outcome], edges=(0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)):
    """(low, high, answers, share right) per confidence bucket of the given answers."""
    answers = [o for o in outcomes if o.kind == "answer"]
    table = []
    for low, high in itertools.pairwise(edges):
        inside = [o for o in answers if low <= o.confidence < high]
        share = sum(o.right for o in inside) / len(inside) if inside else math.nan
        table.append((low, min(high, 1.0), len(inside), share))
    return table


# -- passages -----------------------------------------------------------------------------


@dataclass
class PassageExample:
    """One question-set item with its passage candidates, which of them hold every expected
    fact, and which of its entry candidates do (strictly: every fact, for the decision)."""

    entry: Example
    candidates: list  # PassageCandidate
    right: list[bool]
    entries_right: set[str]  # ids of entry candidates whose answer holds every fact

    @property
    def none_right(self) -> bool:
        return not any(self.right)


def label_passages(item: dict, entry: Example, candidates: list) -> PassageExample:
    """A passage is right when its text holds every expected fact of an answerable item."""
    expect = item.get("expect") or []
    answerable = not item.get("abstain") and bool(expect)
    right = [answerable and not missing_facts(expect, c.passage.text) for c in candidates]
    entries_right = {
        c.entry.id
        for c in entry.candidates
        if answerable
        and not c.entry.is_gap
        and not missing_facts(expect, body_of(c.entry.row, entry.query.lang))
    }
    return PassageExample(entry, candidates, right, entries_right)


def as_logit_example(example: PassageExample) -> Example:
    """The passage candidates as an example for fit_logit ("none" is right when no passage
    holds the facts: then a passage must not answer)."""
    return Example(
        example.entry.question,
        example.entry.query,
        example.candidates,
        example.right,
        example.none_right,
        source=example.entry.source,
        weight=example.entry.weight,
    )


def joint_outcome(
    example: PassageExample, plan, passages: Ranking, thresholds: Thresholds
) -> Outcome:
    """The reply the decision gives over both kinds, scored strictly: an answer is right
    only when its text holds every expected fact."""
    from bot.decision import with_passages

    final = with_passages(plan, passages, thresholds)
    answerable = not example.entry.extra.get("abstain")
    if final.kind == "passage":
        shown = {r.passage.n for r in final.passages}
        right = any(
            ok and c.passage.n in shown
            for c, ok in zip(example.candidates, example.right, strict=True)
        )
        if not right and len(final.passages) > 1:
            text = " ".join(r.passage.text for r in final.passages)
            right = answerable and not missing_facts(example.entry.extra.get("expect") or [], text)
        return Outcome("answer", right, final.confidence, False, answerable)
    if final.kind == "answer":
        right = final.chosen[0].entry.id in example.entries_right
        hit = any(r.entry.id in example.entries_right for r in final.choices)
        return Outcome("answer", right, final.confidence, hit, answerable)
    hit = any(r.entry.id in example.entries_right for r in final.choices)
    if final.kind == "suggest":
        return Outcome("suggest", not answerable, final.confidence, hit, answerable)
    return Outcome(final.kind, not answerable, final.confidence, answerable=answerable)


def choose_passage_bars(
    examples: Sequence[PassageExample],
    plans: Sequence,
    passages: Sequence[Ranking],
    thresholds: Thresholds,
) -> tuple[Thresholds, float]:
    """The passage bars (instead of choices or abstentions, of gaps, of entry answers) with
    the best utility on cross-validated rankings. Each example meets one bar only, the one
    of its plan's kind, so each bar is chosen on its own examples."""
    from dataclasses import replace

    bars = ("passage", "passage_over_gap", "passage_over_entry", "passage_uncurated")
    never = replace(thresholds, **dict.fromkeys(bars, 1.01))
    always = replace(thresholds, **dict.fromkeys(bars, 0.0))
    by_bar: dict[str, list[tuple[float, float, float]]] = {}
    for example, plan, ranking in zip(examples, plans, passages, strict=True):
        keep = utility([joint_outcome(example, plan, ranking, never)])
        take = utility([joint_outcome(example, plan, ranking, always)])
        confidence = ranking.calibrate(ranking.top.probability) if ranking.ranked else 0.0
        bar = {"answer": "passage_over_entry", "gap": "passage_over_gap"}.get(plan.kind, "passage")
        if ranking.ranked and new_document(ranking.top):
            bar = "passage_uncurated"
        by_bar.setdefault(bar, []).append((confidence, keep, take))
    grid = [x / 100 for x in range(30, 100, 2)] + [1.01]
    chosen, total = {}, 0.0
    for bar in bars:
        rows = by_bar.get(bar, [])
        # Ties go to the higher bar: no passage answer that does not pay for itself.
        values = [(sum(take if c >= g else keep for c, keep, take in rows), g) for g in grid]
        value, chosen[bar] = max(values)
        total += value
    return replace(thresholds, **chosen), total
