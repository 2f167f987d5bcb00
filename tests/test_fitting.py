"""The fitting's labels and outcomes: what counts as a right answer when the bars and the
calibration are chosen."""

from dataclasses import replace

from bot import fitting


def example_for(engine, item):
    query = engine._route(item["q"], None)[2]
    candidates = engine.entry_candidates(query)
    example = fitting.label_item(item, query, candidates)
    return example, engine.stages[-1].model.rank(candidates)


def test_an_answer_holding_only_some_of_the_asked_facts_is_a_wrong_answer(engine):
    # The prize's winners and the graffiti share: no single entry holds both.
    item = {
        "q": "Vilka fick demokratipriset och hur många klotterärenden var det?",
        "expect": ["Ganters", "415"],
    }
    example, ranking = example_for(engine, item)
    assert example.partial and any(example.right)  # the best entry is still the one to rank first
    always = replace(engine.stages[-1].model.thresholds, answer=0.0)
    outcome = fitting.outcome(example, ranking, always)
    assert outcome.kind == "answer" and not outcome.right


def test_an_answer_holding_every_asked_fact_is_right(engine):
    item = {"q": "Vilka fick demokratipriset 2021?", "expect": ["Ganters", "Karlsson"]}
    example, ranking = example_for(engine, item)
    assert not example.partial
    always = replace(engine.stages[-1].model.thresholds, answer=0.0)
    assert fitting.outcome(example, ranking, always).right


def test_the_fit_goes_on_downhill_where_the_newton_step_leads_nowhere(monkeypatch):
    # Several right options make the likelihood non-convex; where the Newton step does
    # not lower the loss, the steepest descent must, or the model stays half fitted.
    from types import SimpleNamespace

    candidates = [SimpleNamespace(features={"good": 1.0}), SimpleNamespace(features={"good": 0.0})]
    examples = [
        fitting.Example("q", None, candidates, right=[True, False], none_right=False)
        for _ in range(20)
    ]
    derivatives = fitting._derivatives

    def misleading(*args):
        gradient, hessian = derivatives(*args)
        return gradient, -hessian  # a Newton step uphill

    monkeypatch.setattr(fitting, "_derivatives", misleading)
    weights, _ = fitting.fit_logit(examples, ["good"])
    assert weights["good"] > 1.0
