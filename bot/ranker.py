"""The fitted ranking model: candidate features -> calibrated probabilities.

A conditional logit over the candidates of one question plus a "none of them" option: each
candidate scores w·features, "none" scores a fitted constant, and a softmax turns the scores
into probabilities that sum to one. The weights and the decision thresholds are data
(`bot/ranking_model.json`), fitted by `scripts/fit_ranker.py` on the curated questions
(leave-one-out) and the training question sets; nothing here is set by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.search import SEMANTIC_FEATURES, Candidate

MODEL_PATH = Path(__file__).resolve().parent / "ranking_model.json"


class ModelError(Exception):
    """The model file is missing, malformed or does not match the engine's features."""


@dataclass(frozen=True)
class Thresholds:
    """Decision bars (fitted; see the model file)."""

    answer: float  # the top entry is answered from this calibrated confidence on
    option: float  # an entry is worth offering as a choice from this probability on
    alternative: float  # a runner-up beside an answer is offered ("Menade du hellre") from here
    suggest: float = 0.5  # choices are offered when the candidates hold this much probability
    # Passage answers (a passage model's bars): instead of choices or an abstention, instead
    # of a gap, and instead of an entry answer whose quote is not in the passage.
    passage: float = 1.01
    passage_over_gap: float = 1.01
    passage_over_entry: float = 1.01
    passage_uncurated: float = 1.01  # a passage of a document no entry covers (a new one)


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate  # an entry's, or a passage's (bot.passage_search)
    score: float
    probability: float

    @property
    def entry(self):
        return self.candidate.entry

    @property
    def passage(self):
        return self.candidate.passage


@dataclass(frozen=True)
class Ranking:
    """The candidates of one question best first, with the probability that none is meant;
    `calibrate` turns a candidate's probability into the confidence that it is right."""

    ranked: list[Ranked]
    none: float
    calibrate: Callable[[float], float] = field(default=lambda p: p, compare=False)

    @property
    def top(self) -> Ranked | None:
        return self.ranked[0] if self.ranked else None

    @property
    def confidence(self) -> float:
        return self.calibrate(self.ranked[0].probability) if self.ranked else 0.0


@dataclass(frozen=True)
class RankingModel:
    name: str
    weights: dict[str, float]
    none: float
    thresholds: Thresholds
    # Platt scaling of the softmax probabilities, fitted on questions written by people who
    # never saw the knowledge: the curated questions alone make the softmax overconfident.
    calibration: tuple[float, float] = (1.0, 0.0)

    @property
    def uses_semantic(self) -> bool:
        return any(self.weights.get(name) for name in SEMANTIC_FEATURES)

    def score(self, candidate: Candidate) -> float:
        features = candidate.features
        return sum(weight * features[name] for name, weight in self.weights.items())

    def rank(self, candidates: list[Candidate]) -> Ranking:
        scores = [self.score(candidate) for candidate in candidates]
        peak = max([self.none, *scores])
        exps = [math.exp(score - peak) for score in scores]
        none = math.exp(self.none - peak)
        total = none + sum(exps)
        ranked = [
            Ranked(candidate, score, e / total)
            for candidate, score, e in zip(candidates, scores, exps, strict=True)
        ]
        ranked.sort(key=lambda r: (-r.score, *r.candidate.sort_key))
        return Ranking(ranked, none / total, self.calibrate)

    def calibrate(self, probability: float) -> float:
        slope, intercept = self.calibration
        if (slope, intercept) == (1.0, 0.0):
            return probability
        p = min(max(probability, 1e-9), 1 - 1e-9)
        return 1 / (1 + math.exp(-(slope * math.log(p / (1 - p)) + intercept)))


def load_models(path: Path | str = MODEL_PATH) -> dict[str, RankingModel]:
    """The model variants in the file, by name: 'lexical' and 'semantic' rank entries,
    'passage-lexical' and 'passage-semantic' rank passages of the source text."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {name: _model(name, spec) for name, spec in data["variants"].items()}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelError(f"{path}: cannot load the ranking model ({error})") from None


def _model(name: str, spec: dict) -> RankingModel:
    from bot.passage_search import PASSAGE_FEATURES
    from bot.search import FEATURES

    known = PASSAGE_FEATURES if name.startswith("passage") else FEATURES
    unknown = set(spec["weights"]) - set(known)
    if unknown:
        raise KeyError(f"unknown features {sorted(unknown)}")
    return RankingModel(
        name=name,
        weights={key: float(value) for key, value in spec["weights"].items()},
        none=float(spec["none"]),
        thresholds=Thresholds(**{k: float(v) for k, v in spec["thresholds"].items()}),
        calibration=tuple(float(v) for v in spec.get("calibration", (1.0, 0.0))),
    )
