"""Change freezes: production-facing work waits for a freeze to end; other work goes on."""

from __future__ import annotations

from datetime import date

import pytest

from tools.assessment import assess
from tools.domain import BriefDate, Dependency, Estimate, Plan, ProjectBrief, WorkPackage
from tools.freezes import production_facing


def leaf(code: str, name: str, days: float, after: str = "") -> WorkPackage:
    return WorkPackage(
        code=code,
        name=name,
        estimate=Estimate(optimistic=days, likely=days, pessimistic=days),
        depends_on=[Dependency(predecessor=after)] if after else [],
    )


@pytest.mark.parametrize(
    ("name", "facing"),
    [
        ("Production cut-over in the agreed window", True),
        ("Go-live", True),
        ("Wave 2 roll-out (120 users)", True),
        ("Decommission the old cluster", True),
        ("Cut-over rehearsal with timed restore", False),
        ("Build the adapters", False),
        ("User acceptance testing", False),
    ],
)
def test_which_work_changes_production(name: str, facing: bool) -> None:
    assert production_facing(WorkPackage(code="1", name=name)) is facing


def test_a_cut_over_waits_for_the_freeze_and_what_follows_moves_with_it() -> None:
    plan = Plan(
        brief=ProjectBrief(
            title="Billing move",
            freezes=[
                BriefDate(
                    what="quarter-end close", start=date(2027, 3, 22), finish=date(2027, 4, 2)
                )
            ],
        ),
        start=date(2027, 3, 1),
        wbs=[
            leaf("1", "Build and test", 15),  # 1-19 Mar
            leaf("2", "Cut-over rehearsal", 5, after="1"),  # 22-26 Mar: in the freeze, allowed
            leaf("3", "Production cut-over", 2, after="2"),  # would be 29-30 Mar
            leaf("4", "Hypercare", 5, after="3"),
        ],
    )
    a = assess(plan, iterations=200)
    assert a.schedule is not None
    spans = {t.code: (t.early_start, t.early_finish) for t in a.schedule.tasks}
    assert spans["2"][0] == date(2027, 3, 22)
    assert spans["3"][0] == date(2027, 4, 5)  # the first working day after the freeze
    assert spans["4"][0] > spans["3"][1]
    assert any("held after a change freeze" in n and "3 Production cut-over" in n for n in a.notes)
    held = {r.code: r for r in a.wbs}
    assert held["3"].start_no_earlier_than == date(2027, 4, 5)
