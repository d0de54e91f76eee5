"""A plan's schedule on its calendar. Dates are read off a 2026 wall calendar."""

from datetime import date

import pytest

from tools.critical_path import CycleError
from tools.domain import (
    Calendar,
    Dependency,
    Estimate,
    Plan,
    ProjectBrief,
    RoleDemand,
    WorkPackage,
)
from tools.scheduling import project_days, schedule


def days(n: float) -> Estimate:
    return Estimate(optimistic=n, likely=n, pessimistic=n)


def make_plan(wbs: list[WorkPackage], **kw: object) -> Plan:
    return Plan(brief=ProjectBrief(title="Test"), start=date(2026, 12, 21), wbs=wbs, **kw)


WBS = [
    WorkPackage(code="1", name="Build"),
    WorkPackage(code="1.1", name="Design", parent="1", estimate=days(3)),
    WorkPackage(
        code="1.2",
        name="Develop",
        parent="1",
        estimate=days(4),  # 4 person-days by two developers: 2 days
        role_demands=[RoleDemand(role="developer", units=2)],
        depends_on=[Dependency(predecessor="1.1")],
    ),
    WorkPackage(code="1.3", name="Docs", parent="1", estimate=days(1)),
    WorkPackage(
        code="2", name="Go-live", estimate=days(0), depends_on=[Dependency(predecessor="1")]
    ),
]


def test_schedule_on_a_holiday_calendar() -> None:
    plan = make_plan(WBS, calendar=Calendar(holidays=[date(2026, 12, 25)]))
    s = schedule(plan)
    t = {x.code: x for x in s.tasks}
    # Design Mon 21 - Wed 23; Develop Thu 24 and (Fri 25 holiday) Mon 28.
    assert (t["1.1"].early_start, t["1.1"].early_finish) == (date(2026, 12, 21), date(2026, 12, 23))
    assert (t["1.2"].early_start, t["1.2"].early_finish) == (date(2026, 12, 24), date(2026, 12, 28))
    # Docs float: 5 days of work in the phase, 1 used; late start Mon 28.
    assert t["1.3"].total_float_days == 4.0
    assert t["1.3"].late_start == date(2026, 12, 28)
    # The milestone sits on the day the phase ends; the phase spans its leaves.
    assert t["2"].early_start == date(2026, 12, 28)
    assert (t["1"].early_start, t["1"].early_finish) == (date(2026, 12, 21), date(2026, 12, 28))
    assert s.critical_path == ["1.1", "1.2", "2"]
    assert (s.start, s.finish) == (date(2026, 12, 21), date(2026, 12, 28))
    assert [x.code for x in s.tasks] == ["1", "1.1", "1.2", "1.3", "2"]


def test_start_on_a_weekend_rolls_to_monday() -> None:
    plan = make_plan(WBS).model_copy(update={"start": date(2026, 12, 19)})
    assert schedule(plan).start == date(2026, 12, 21)


def test_start_no_earlier_than_and_lag() -> None:
    wbs = [
        WorkPackage(code="a", name="A", estimate=days(1), start_no_earlier_than=date(2026, 12, 23)),
        WorkPackage(
            code="b",
            name="B",
            estimate=days(1),
            depends_on=[Dependency(predecessor="a", type="FS", lag_days=2)],
        ),
    ]
    t = {x.code: x for x in schedule(make_plan(wbs)).tasks}
    assert t["a"].early_start == date(2026, 12, 23)
    assert t["b"].early_start == date(2026, 12, 28)  # Wed 23 + 1 day + 2 days lag


def test_descoping_shortens_only_through_the_critical_path() -> None:
    plan = make_plan(WBS)
    assert project_days(plan) == 5.0
    assert project_days(plan, descoped={"1.3"}) == 5.0
    assert project_days(plan, descoped={"1.2"}) == 3.0


def test_cycle_is_a_typed_error() -> None:
    wbs = [
        WorkPackage(code="a", name="A", estimate=days(1), depends_on=[Dependency(predecessor="b")]),
        WorkPackage(code="b", name="B", estimate=days(1), depends_on=[Dependency(predecessor="a")]),
    ]
    with pytest.raises(CycleError):
        schedule(make_plan(wbs))
