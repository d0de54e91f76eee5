"""A plan's forecast: the simulation in the plan's dates and money."""

from datetime import date
from decimal import Decimal

from tools.budget import check_budget
from tools.domain import (
    Absence,
    Budget,
    CostItem,
    Dependency,
    Estimate,
    Member,
    MoneyRange,
    Plan,
    ProjectBrief,
    Range,
    RateCard,
    Risk,
    RiskRegister,
    RoleDemand,
    Team,
    WorkPackage,
)
from tools.forecasting import forecast_plan
from tools.levelling import level_plan
from tools.money import Money
from tools.scheduling import schedule

MONDAY = date(2027, 1, 4)


def fixed(days: float) -> Estimate:
    return Estimate(optimistic=days, likely=days, pessimistic=days)


def make(wbs, risks=(), members=(), deadline=None) -> Plan:
    return Plan(
        brief=ProjectBrief(title="t", deadline=deadline),
        start=MONDAY,
        wbs=wbs,
        team=Team(members=list(members)),
        rate_card=RateCard(hourly={"dev": "100"}),
        non_labour=[CostItem(name="licences", amount=Money.of("1000.00"))],
        budget=Budget(limit=Money.of("20000")),
        risks=RiskRegister(risks=list(risks)),
    )


WBS = [
    WorkPackage(code="a", name="A", estimate=fixed(3), role_demands=[RoleDemand(role="dev")]),
    WorkPackage(
        code="b",
        name="B",
        estimate=fixed(2),
        role_demands=[RoleDemand(role="dev")],
        depends_on=[Dependency(predecessor="a")],
    ),
    WorkPackage(code="c", name="C", estimate=fixed(4), role_demands=[RoleDemand(role="dev")]),
]


def test_without_variance_the_forecast_is_the_cpm_schedule_and_the_budget() -> None:
    plan = make(WBS)
    f = forecast_plan(plan, iterations=200, seed=3)
    finish = schedule(plan).finish
    assert f.p50_finish == f.p80_finish == f.p90_finish == finish == date(2027, 1, 8)
    b = check_budget(plan, Money.zero("USD"))
    # 9 person-days x 8 h x 100 + 1,000 licences = 8,200.00, in every iteration.
    assert f.p50_cost == f.p90_cost == f.base_cost == b.labour + b.non_labour
    assert f.base_cost.amount == Decimal("8200.00")
    assert f.contingency == Money.of("0.00")
    assert f.p_meet_budget == 1.0
    assert f.criticality == {"a": 1.0, "b": 1.0, "c": 0.0}


def test_a_certain_risk_moves_the_finish_and_cost_by_its_impact() -> None:
    risk = Risk(
        id="R1",
        cause="c",
        event="e",
        effect="x",
        category="technical",
        probability=1.0,
        schedule_impact_days=Range(low=2, likely=2, high=2),
        cost_impact=MoneyRange(low="500", likely="500", high="500"),
        work_packages=["b"],
    )
    f = forecast_plan(make(WBS, [risk]), iterations=200, seed=3)
    # b runs 2 days longer (Mon 11 + Tue 12 instead of Fri 8); the risk costs its 500, the
    # delay is not priced again at b's rate.
    assert f.p50_finish == date(2027, 1, 12)
    assert f.p50_cost.amount == Decimal("8200.00") + 500
    # Nothing varies (fixed durations, a certain risk), so nothing drives the finish.
    assert f.drivers == []


def test_levelled_order_holds_in_the_forecast() -> None:
    plan = make(WBS, members=[Member(id="d1", name="Dee", roles=["dev"])])
    levelled = level_plan(plan)
    f = forecast_plan(plan, levelled=levelled, iterations=200, seed=3)
    assert levelled.makespan_days == 9
    assert f.p50_finish == levelled.schedule.finish == date(2027, 1, 14)


def test_deadline_probability_and_seeded_reproducibility() -> None:
    wbs = [
        wp.model_copy(update={"estimate": Estimate(optimistic=1, likely=3, pessimistic=9)})
        for wp in WBS
    ]
    plan = make(wbs, deadline=date(2027, 1, 8))
    one = forecast_plan(plan, iterations=2000, seed=11)
    again = forecast_plan(plan, iterations=2000, seed=11)
    other = forecast_plan(plan, iterations=2000, seed=12)
    assert one == again
    assert one != other
    assert 0 < one.p_meet_deadline < 1
    assert one.p50_finish <= one.p80_finish <= one.p90_finish
    assert one.p50_cost <= one.p80_cost <= one.p90_cost
    later = forecast_plan(
        plan.model_copy(
            update={"brief": plan.brief.model_copy(update={"deadline": date(2027, 1, 20)})}
        ),
        iterations=2000,
        seed=11,
    )
    assert later.p_meet_deadline >= one.p_meet_deadline


def _certain(risk_id: str, on: list[str], response: str = "mitigate") -> Risk:
    return Risk(
        id=risk_id,
        cause="c",
        event="e",
        effect="x",
        category="schedule",
        probability=1.0,
        response=response,
        schedule_impact_days=Range(low=1, likely=1, high=1),
        cost_impact=MoneyRange(low="300", likely="300", high="300"),
        work_packages=on,
    )


def test_a_risk_on_a_phase_delays_it_once_and_avoided_risks_are_gone() -> None:
    phase = [
        WorkPackage(code="p", name="Phase"),
        *[wp.model_copy(update={"parent": "p"}) for wp in WBS[:2]],
        WBS[2],
    ]
    f = forecast_plan(make(phase, [_certain("R1", ["p"])]), iterations=100, seed=1)
    # a then b (Mon-Fri 8) is the phase; one day added to its last leaf b: Mon 11.
    assert f.p50_finish == date(2027, 1, 11)
    avoided = forecast_plan(make(phase, [_certain("R1", ["p"], "avoid")]), iterations=100, seed=1)
    assert avoided.p50_finish == date(2027, 1, 8)
    assert avoided.p50_cost.amount == Decimal("8200.00")
    transferred = forecast_plan(
        make(phase, [_certain("R1", ["p"], "transfer")]), iterations=100, seed=1
    )
    assert transferred.p50_finish == date(2027, 1, 11)
    assert transferred.p50_cost.amount == Decimal("8200.00") + 800  # the delay, not the 300


def test_a_risk_on_packages_in_a_row_delays_the_path_once() -> None:
    # a then b in a row, c beside them: one day's delay on a and b moves the finish one day
    # (at b, the last it touches); on a and c (two paths) each is delayed. The risk costs its
    # 300 once, however many packages it holds up.
    f = forecast_plan(make(WBS, [_certain("R1", ["a", "b"])]), iterations=100, seed=1)
    assert f.p50_finish == date(2027, 1, 11)
    assert f.p50_cost.amount == Decimal("8200.00") + 300
    both = forecast_plan(make(WBS, [_certain("R1", ["a", "c"])]), iterations=100, seed=1)
    assert both.p50_finish == date(2027, 1, 11)
    assert both.p50_cost.amount == Decimal("8200.00") + 300


def test_work_waiting_for_a_person_starts_no_earlier_than_levelled() -> None:
    # One dev, away the first week: levelling starts the work on Monday 11 January, and the
    # forecast, whose durations are fixed, finishes when the levelled plan does, not before.
    away = Absence(start=MONDAY, finish=date(2027, 1, 8))
    plan = make(WBS, members=[Member(id="d", name="Dev", roles=["dev"], absences=[away])])
    levelled = level_plan(plan)
    f = forecast_plan(plan, levelled=levelled, iterations=100, seed=1)
    assert f.p50_finish == levelled.schedule.finish
    assert f.p50_finish > forecast_plan(plan, iterations=100, seed=1).p50_finish
