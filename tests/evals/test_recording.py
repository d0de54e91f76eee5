"""The recorded model runs replay with no server, through the real plan graph, and a
recording that no longer matches what the graph asks is reported stale, never replayed."""

from __future__ import annotations

from dataclasses import replace

from evals.cases import load_cases
from evals.graders import PLAN_GRADERS
from evals.recording import RECORDED, model_results
from evals.run import offline_suite


def test_recorded_cases_replay_and_are_graded_and_a_changed_brief_is_stale() -> None:
    cases = {c.gold.id: c for c in load_cases()}
    assert len(RECORDED()) >= 10
    case = cases["01-postgres-to-rds"]
    changed = replace(case, text=case.text + "\nOne more thing: the DBA team moves offices.\n")
    with offline_suite() as suite:
        played, stale = model_results(suite, [case, changed])
    assert played.error == ""
    assert played.drafted is not None
    engine = played.drafted.assessment.engine
    assert engine.llm_calls >= 2
    assert engine.tokens > 0
    assert set(played.grades) == set(PLAN_GRADERS)
    assert any(wp.source.kind == "model" for wp in played.drafted.plan.wbs)
    assert stale.error.startswith("stale recording")
    assert stale.grades == {}
    assert stale.drafted is None
