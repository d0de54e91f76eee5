"""Project management as level of effort: it spans the work, never sets the finish, and costs
its effort; and the team's mix of roles leans the work (tools.sizing.rebalance)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tools.assessment import assess
from tools.domain import (
    Budget,
    Dependency,
    Estimate,
    Member,
    Plan,
    ProjectBrief,
    RateCard,
    RoleDemand,
    Team,
    WorkPackage,
)
from tools.estimating import role_hours
from tools.money import Money
from tools.sizing import rebalance, role_demand, role_factors
from tools.wbs import mark_level_of_effort


def leaf(
    code: str, name: str, days: float, *demands: tuple[str, float], after: str = ""
) -> WorkPackage:
    return WorkPackage(
        code=code,
        name=name,
        estimate=Estimate(optimistic=days, likely=days, pessimistic=days),
        role_demands=[RoleDemand(role=r, units=u) for r, u in demands],
        depends_on=[Dependency(predecessor=after)] if after else [],
    )


WBS = [
    leaf("1", "Design", 10, ("developer", 1.0)),
    leaf("2", "Build", 20, ("developer", 1.0), after="1"),
    leaf("3", "Project management and governance", 40, ("project manager", 1.0)),
    leaf("4", "Stakeholder plan", 5, ("project manager", 1.0)),
]


def plan(wbs: list[WorkPackage]) -> Plan:
    return Plan(
        brief=ProjectBrief(title="Portal"),
        start=date(2027, 1, 4),
        wbs=wbs,
        team=Team(
            members=[
                Member(id="dev", name="Dev", roles=["developer"]),
                Member(id="pm", name="Priya", roles=["project manager"]),
            ]
        ),
        rate_card=RateCard(hourly={"developer": Decimal("100"), "project manager": Decimal("120")}),
        budget=Budget(limit=Money.of("100000", "USD")),
    )


def test_only_a_management_package_for_project_managers_is_level_of_effort() -> None:
    marked = {wp.code: wp.level_of_effort for wp in mark_level_of_effort(WBS)}
    assert marked == {"1": False, "2": False, "3": True, "4": False}


def test_level_of_effort_spans_the_work_and_is_never_critical() -> None:
    wbs = mark_level_of_effort(WBS)
    a = assess(plan(wbs), iterations=200)
    assert a.schedule is not None
    tasks = {t.code: t for t in a.schedule.tasks}
    # Design and build: 30 working days; the 40 days of management do not make it longer.
    assert a.schedule.finish == date(2027, 2, 12)
    assert (tasks["3"].early_start, tasks["3"].early_finish) == (
        a.schedule.start,
        a.schedule.finish,
    )
    assert "3" not in a.schedule.critical_path and not tasks["3"].critical
    assert any(x.code == "3" and x.member_id == "pm" for x in a.schedule.assignments)
    # ...and it costs its effort: 40 days x 8 h x 120
    assert a.budget_check is not None
    assert a.budget_check.labour.amount == Decimal(30 * 8 * 100 + 40 * 8 * 120 + 5 * 8 * 120)
    assert a.forecast is not None
    assert a.forecast.base_cost == a.budget_check.labour


def test_without_the_flag_management_is_a_task_that_can_set_the_finish() -> None:
    a = assess(plan(WBS), iterations=200)
    assert a.schedule is not None and a.schedule.finish > date(2027, 2, 12)


def test_the_work_leans_toward_the_team_but_its_total_and_durations_stay() -> None:
    wbs = [
        leaf("1", "Build", 80, ("developer", 1.0)),
        leaf("2", "Test", 20, ("tester", 1.0)),
        leaf("3", "Security", 10, ("security engineer", 1.0)),
    ]
    capacity = {"developer": 1.0, "tester": 1.0}
    demand = role_demand(wbs, 8.0, keep=set())
    factors = role_factors(demand, capacity)
    assert factors["developer"] < 1 < factors["tester"]
    assert "security engineer" not in factors  # bought in: keeps its work
    moved = rebalance(wbs, factors, set(), capacity)
    after = role_demand(moved, 8.0, keep=set())
    assert after["developer"] + after["tester"] == pytest.approx(100, rel=1e-3)
    assert after["security engineer"] == demand["security engineer"]
    cal = plan(wbs).calendar
    # the developer's package keeps its length; the tester's is capped at the one tester
    assert role_hours(moved[0], cal)["developer"] < role_hours(wbs[0], cal)["developer"]
    assert moved[1].role_demands[0].units == 1.0


def test_a_late_plan_gets_options_each_rescheduled_by_the_engine() -> None:
    wbs = [
        leaf("1", "Build the API", 20, ("developer", 1.0)),
        leaf("2", "Build the portal", 20, ("developer", 1.0)),
        leaf("3", "Project management", 10, ("project manager", 1.0)),
    ]
    late = plan(mark_level_of_effort(wbs)).model_copy(
        update={"brief": ProjectBrief(title="Portal", deadline=date(2027, 2, 5))}
    )
    a = assess(late, iterations=200)
    assert a.schedule is not None and a.forecast is not None
    assert a.schedule.finish == date(2027, 2, 26)  # one developer: 40 working days
    kinds = {o.kind: o for o in a.schedule_options}
    assert kinds["move_deadline"].finish == a.forecast.p80_finish
    more = kinds["add_person"]
    assert more.role == "developer" and more.finish == date(2027, 1, 29)  # two in parallel
    assert "deadline is met" in more.description


def test_a_plan_on_time_has_no_options() -> None:
    a = assess(plan(mark_level_of_effort(WBS)), iterations=200)
    assert a.schedule_options == []
