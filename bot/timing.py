"""Where the time of one answer goes, stage by stage (for scripts/benchmark.py).

The engine runs every stage inside `clock.stage(name)`; a clock that is not recording costs
one attribute lookup per stage.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager

STAGES = (
    "analysis",  # cleaning, the asking part, early replies, query analysis
    "candidates",  # lexical entry and passage candidates and their features
    "lexical model",  # the lexical ranking that may make the rest unnecessary
    "static model",  # the ranking with the static word vectors (when lexical is not sure)
    "encode",  # embedding the question with e5 (only when neither is sure)
    "meaning",  # semantic features of the candidates (static or e5)
    "model",  # the last stage's ranking model
    "decision",  # the plan, two-part questions, overviews
    "passages",  # passage candidates, their model, the joint decision
    "rendering",  # wording the reply
)


class StageClock:
    """Milliseconds per stage of the answer being timed; `recording` turns it on."""

    def __init__(self) -> None:
        self.recording = False
        self.spent: dict[str, float] = defaultdict(float)

    def reset(self) -> None:
        self.spent = defaultdict(float)

    @contextmanager
    def stage(self, name: str):
        if not self.recording:
            yield
            return
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] += (time.perf_counter() - started) * 1000
