"""Sizing: the template's bottom-up effort weighed against the size the brief implies."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.domain import (
    Budget,
    Calendar,
    CostItem,
    Estimate,
    Member,
    MoneyRange,
    Plan,
    ProjectBrief,
    Range,
    RateCard,
    Risk,
    RoleDemand,
    Team,
    WorkPackage,
)
from tools.estimating import duration_days, role_hours
from tools.money import Money
from tools.sizing import (
    CREW_DAYS,
    FACTOR_RANGE,
    FOCUS,
    LOAD_CAP,
    RESERVE,
    TEMPLATE_WEIGHT,
    SizeEvidence,
    crew,
    effort_total,
    evidence_of,
    role_factors,
    scale_efforts,
    scale_risks,
    size,
)


def package(code: str, likely: float, basis: str = "effort") -> WorkPackage:
    return WorkPackage(
        code=code,
        name=f"Package {code}",
        estimate=Estimate(
            optimistic=likely * 0.8, likely=likely, pessimistic=likely * 2, basis=basis
        ),
    )


def test_no_evidence_keeps_the_bottom_up_effort() -> None:
    assert size(500.0, SizeEvidence()).factor == 1.0
    assert size(500.0, SizeEvidence(team_fte=4.0)).factor == 1.0  # a team, but no window


def test_a_team_and_a_window_pull_the_effort_toward_what_the_team_can_do() -> None:
    evidence = SizeEvidence(team_fte=3.0, working_days=100.0)
    anchor = FOCUS * 3.0 * 100.0  # 210 person-days
    sizing = size(900.0, evidence)
    want = math.exp(TEMPLATE_WEIGHT * math.log(900) + (1 - TEMPLATE_WEIGHT) * math.log(anchor))
    assert sizing.total == pytest.approx(want, rel=1e-3)
    assert anchor < sizing.total < 900.0
    assert "210" in (sizing.explain() or "")


def test_the_budget_speaks_for_the_labour_it_pays_after_a_reserve() -> None:
    evidence = SizeEvidence(labour_budget=100_000.0, day_rate=800.0)
    assert evidence.anchors() == {"budget": pytest.approx((1 - RESERVE) * 125.0)}


@given(
    bottom_up=st.floats(1.0, 50_000.0),
    fte=st.floats(0.1, 200.0),
    days=st.floats(1.0, 2_000.0),
)
def test_the_factor_stays_in_its_range(bottom_up: float, fte: float, days: float) -> None:
    factor = size(bottom_up, SizeEvidence(team_fte=fte, working_days=days)).factor
    assert FACTOR_RANGE[0] <= factor <= FACTOR_RANGE[1]


def test_locked_and_duration_packages_keep_their_estimates() -> None:
    wbs = [package("1", 10.0), package("2", 20.0), package("3", 5.0, basis="duration")]
    scaled = scale_efforts(wbs, 0.5, keep={"2"})
    assert scaled[0].estimate == Estimate(optimistic=4.0, likely=5.0, pessimistic=10.0)
    assert scaled[1].estimate == wbs[1].estimate
    assert scaled[2].estimate == wbs[2].estimate
    assert effort_total(wbs, 8.0, keep={"2"}) == pytest.approx((8 + 40 + 20) / 6)


def test_risk_impacts_scale_with_the_work() -> None:
    risk = Risk(
        id="R1",
        cause="c",
        event="e",
        effect="f",
        category="technical",
        probability=0.3,
        schedule_impact_days=Range(low=2, likely=4, high=10),
        cost_impact=MoneyRange(
            low=Decimal("1000"), likely=Decimal("2000"), high=Decimal("5000"), currency="EUR"
        ),
    )
    [half] = scale_risks([risk], 0.5)
    assert half.schedule_impact_days == Range(low=1, likely=2, high=5)
    assert half.cost_impact is not None and half.cost_impact.high == Decimal("2500.00")
    assert half.cost_impact.currency == "EUR"


def _plan(internal_labour: bool) -> Plan:
    return Plan(
        brief=ProjectBrief(title="Portal", deadline=date(2027, 3, 29)),
        start=date(2027, 1, 4),
        team=Team(
            members=[
                Member(id="a", name="Ana", roles=["developer"]),
                Member(id="b", name="Ben", roles=["tester"], availability=0.5),
            ]
        ),
        rate_card=RateCard(hourly={"developer": Decimal("100"), "tester": Decimal("70")}),
        non_labour=[CostItem(name="Licences", amount=Money.of("20000", "USD"))],
        budget=Budget(limit=Money.of("100000", "USD"), internal_labour=internal_labour),
    )


def test_evidence_reads_the_plan() -> None:
    evidence = evidence_of(_plan(True), stated_team=True)
    assert evidence.team_fte == 1.5
    assert evidence.working_days == 60  # 4 Jan to 29 Mar 2027: 12 weeks
    assert evidence.labour_budget == 80_000  # the licences are not labour
    assert evidence.day_rate == pytest.approx((100 * 1 + 70 * 0.5) / 1.5 * 8)


def test_a_default_team_or_a_budget_for_external_spend_says_nothing_about_size() -> None:
    assert evidence_of(_plan(True), stated_team=False).team_fte is None
    assert evidence_of(_plan(False), stated_team=True).labour_budget is None


def _package(code: str, days: float, *demands: tuple[str, float]) -> WorkPackage:
    return WorkPackage(
        code=code,
        name=f"Package {code}",
        estimate=Estimate(optimistic=days, likely=days, pessimistic=days),
        role_demands=[RoleDemand(role=r, units=u) for r, u in demands],
    )


@given(
    st.dictionaries(
        st.sampled_from(["analyst", "developer", "tester", "architect"]),
        st.tuples(st.floats(1, 500), st.floats(0.1, 8)),
        min_size=2,
    )
)
def test_no_role_carries_more_than_the_teams_average_load(
    roles: dict[str, tuple[float, float]],
) -> None:
    demand = {r: d for r, (d, _) in roles.items()}
    capacity = {r: c for r, (_, c) in roles.items()}
    factors = role_factors(demand, capacity)
    after = {r: demand[r] * factors[r] for r in demand}
    load, fte = sum(demand.values()), sum(capacity.values())
    assert sum(after.values()) == pytest.approx(load)
    for r in demand:
        assert after[r] / capacity[r] <= LOAD_CAP * load / fte * (1 + 1e-9)


def test_a_part_time_expert_is_not_left_with_months_of_work() -> None:
    # 60 days of analysis for a 20 % SME would take 300 working days alone
    demand = {"business analyst": 60.0, "data engineer": 540.0}
    capacity = {"business analyst": 0.2, "data engineer": 5.0}
    factors = role_factors(demand, capacity)
    assert demand["business analyst"] * factors["business analyst"] / 0.2 <= 600 / 5.2 + 1e-6


def test_a_big_package_gets_the_people_the_team_has_and_no_more() -> None:
    hours = 8.0
    wbs = [
        _package("1", 120, ("developer", 1.0), ("tester", 0.5)),
        _package("2", 10, ("developer", 1.0)),
        _package("3", 200, ("architect", 1.0)),  # nobody on the team: bought in as asked
    ]
    capacity = {"developer": 4.0, "tester": 1.0}
    out = crew(wbs, capacity, hours, keep=set())
    big = {d.role: d.units for d in out[0].role_demands}
    assert big == {"developer": 4.0, "tester": 1.0}  # 120 d / 15 d = 8 people wanted
    assert out[1] == wbs[1]  # already short
    assert out[2] == wbs[2]
    cal = Calendar()
    assert duration_days(out[0], cal) < duration_days(wbs[0], cal)
    assert duration_days(out[0], cal) >= CREW_DAYS
    # the effort is what it was
    assert sum(role_hours(out[0], cal).values()) == sum(role_hours(wbs[0], cal).values())


def test_locked_packages_keep_their_crew() -> None:
    wbs = [_package("1", 120, ("developer", 1.0))]
    assert crew(wbs, {"developer": 4.0}, 8.0, keep={"1"}) == wbs
