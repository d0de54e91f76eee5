import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tools.domain import Calendar, Estimate, RoleDemand, WorkPackage
from tools.estimating import duration_days, effort_hours, pert, role_hours, roll_up
from tools.wbs import leaf_codes_under

CAL = Calendar()


def test_pert_worked_example() -> None:
    # PMBOK Guide 6th ed. 6.4.2.4 (beta distribution): tE = (O + 4M + P) / 6, sd = (P - O) / 6.
    # O=2, M=4, P=12: tE = (2 + 16 + 12) / 6 = 5; sd = 10 / 6.
    p = pert(Estimate(optimistic=2, likely=4, pessimistic=12))
    assert p.mean == 5.0
    assert math.isclose(p.sd, 10 / 6)


def test_effort_is_spread_over_the_people_assigned() -> None:
    # 4 person-days of effort (8 h days) by 2 DBAs: 2 working days, 32 person-hours.
    wp = WorkPackage(
        code="1",
        name="Migrate schema",
        estimate=Estimate(optimistic=4, likely=4, pessimistic=4),
        role_demands=[RoleDemand(role="dba", units=2)],
    )
    assert duration_days(wp, CAL) == 2.0
    assert effort_hours(wp, CAL) == 32.0
    assert role_hours(wp, CAL) == {"dba": Decimal("32.00")}


def test_duration_estimates_cost_their_people() -> None:
    # A 10-day hypercare with one engineer and half a DBA: 10 days long, 15 person-days.
    wp = WorkPackage(
        code="1",
        name="Hypercare",
        estimate=Estimate(optimistic=10, likely=10, pessimistic=10, basis="duration"),
        role_demands=[RoleDemand(role="engineer"), RoleDemand(role="dba", units=0.5)],
    )
    assert duration_days(wp, CAL) == 10.0
    assert effort_hours(wp, CAL) == 120.0
    assert role_hours(wp, CAL) == {"engineer": Decimal("80.00"), "dba": Decimal("40.00")}


def test_hours_on_a_short_day_calendar() -> None:
    wp = WorkPackage(code="1", name="x", estimate=Estimate(optimistic=6, likely=6, pessimistic=6))
    wp = wp.model_copy(update={"estimate": wp.estimate.model_copy(update={"unit": "hours"})})
    assert duration_days(wp, Calendar(hours_per_day=6)) == 1.0


estimates = st.tuples(st.floats(0, 500, allow_nan=False), st.floats(0, 500), st.floats(0, 500)).map(
    lambda t: Estimate(optimistic=min(t), likely=sorted(t)[1], pessimistic=max(t))
)


@st.composite
def trees(draw: st.DrawFn) -> list[WorkPackage]:
    n = draw(st.integers(1, 30))
    parents = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)]
    wps = [
        WorkPackage(code=f"w{i}", name=f"w{i}", parent=None if p is None else f"w{p}")
        for i, p in enumerate(parents)
    ]
    used = {wp.parent for wp in wps}
    return [
        wp if wp.code in used else wp.model_copy(update={"estimate": draw(estimates)}) for wp in wps
    ]


@given(trees())
def test_roll_ups_equal_the_exact_sum_of_leaves(wbs: list[WorkPackage]) -> None:
    totals = roll_up(wbs, CAL)
    for code, leaves in leaf_codes_under(wbs).items():
        assert totals[code].mean == math.fsum(totals[leaf].mean for leaf in leaves)
        assert math.isclose(
            totals[code].variance,
            math.fsum(totals[leaf].variance for leaf in leaves),
            rel_tol=1e-9,
            abs_tol=1e-9,
        )
