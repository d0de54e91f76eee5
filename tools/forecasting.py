"""A plan's Monte Carlo forecast: calibrated durations and risk events through its network.

This module only translates: a Plan (with its levelled order, if any, and a calibration
profile, if any) becomes `tools.simulation` tasks and risk events, and the simulated days and
cents become dates and Money. Every number comes from the simulation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from tools.budget import MissingRateError, counted_amount, package_costs, project_level_costs
from tools.calendar import roll_forward, working_dates, working_days_between
from tools.calibration import CalibrationProfile, calibrate, sampler
from tools.domain import MoneyRange, Plan, WorkPackage
from tools.estimating import duration_days, people
from tools.levelling import PERIODS_PER_DAY, LevelledPlan
from tools.money import Money, minor_exponent, total
from tools.simulation import Forecast, Precedence, RiskEvent, Task, ThreePoint, simulate
from tools.wbs import leaf_codes_under, leaf_links, leaves

PROJECT_COSTS = "(project-level costs)"


class Driver(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    rank_correlation: float


class PlanForecast(BaseModel):
    """What the simulation says, in the plan's dates and currency."""

    model_config = ConfigDict(frozen=True)

    iterations: int
    seed: int
    calibrated: list[str]
    """Packages whose durations history corrected; the others keep their three points."""
    p50_finish: date
    p80_finish: date
    p90_finish: date
    p_meet_deadline: float | None
    p50_cost: Money
    p80_cost: Money
    p90_cost: Money
    base_cost: Money
    p_meet_budget: float | None
    contingency: Money
    criticality: dict[str, float]
    drivers: list[Driver]


def calibrates(profile: CalibrationProfile | None, wp: WorkPackage, plan: Plan) -> bool:
    """History corrects an effort estimate only inside the range of estimates it holds: past
    its 99th percentile few tasks speak, so the package keeps its own three points."""
    est = wp.estimate
    if profile is None or est is None or est.basis != "effort" or est.likely <= 0:
        return False
    if wp.level_of_effort:
        return False
    return not calibrate(profile, est, hours_per_day=plan.calendar.hours_per_day).extrapolated


def _duration(
    wp: WorkPackage, plan: Plan, profile: CalibrationProfile | None, stretch: float
) -> ThreePoint | Callable:
    """Working days of a package: calibrated effort spread over its people when history
    applies (effort estimates), else its own three points as a PERT-beta."""
    cal = plan.calendar
    est = wp.estimate
    if est is None:
        return ThreePoint(0.0, 0.0, 0.0)
    if profile is not None and calibrates(profile, wp, plan):
        hours = sampler(profile, est, hours_per_day=cal.hours_per_day)
        per_day = people(wp) * cal.hours_per_day / stretch
        return lambda u: hours(u) / per_day
    points = (est.optimistic, est.likely, est.pessimistic)
    o, m, p = (duration_days(wp, cal, v) * stretch for v in points)
    return ThreePoint(o, m, p)


def _stretch(wp: WorkPackage, plan: Plan, levelled: LevelledPlan | None) -> float:
    """How much longer levelling made a package (fewer people than it asked for)."""
    if levelled is None or wp.code not in levelled.periods:
        return 1.0
    start, end = levelled.periods[wp.code]
    planned = duration_days(wp, plan.calendar)
    return (end - start) / PERIODS_PER_DAY / planned if planned > 0 else 1.0


def _tasks(plan: Plan, levelled: LevelledPlan | None, profile: CalibrationProfile | None):
    cal = plan.calendar
    start = roll_forward(cal, plan.start)
    try:
        costs = package_costs(plan)
        labour_only = package_costs(plan.model_copy(update={"non_labour": []}))
    except MissingRateError:
        costs, labour_only = {}, {}  # unpriced: the forecast is about time only
    currency = plan.rate_card.currency
    packages = leaves(plan.wbs)
    index = {wp.code: i for i, wp in enumerate(packages)}
    links = leaf_links(plan.wbs)
    tasks: list[Task] = []
    for wp in packages:
        cost = costs[wp.code].minor_units() if wp.code in costs else 0
        if wp.level_of_effort:  # spans the rest: no time of its own, its cost as planned
            tasks.append(Task(duration=ThreePoint(0.0, 0.0, 0.0), fixed_cents=cost, code=wp.code))
            continue
        stretch = _stretch(wp, plan, levelled)
        mean_days = duration_days(wp, cal) * stretch
        labour = labour_only[wp.code].minor_units() if wp.code in labour_only else 0
        tied = cost - labour
        release = 0.0
        if wp.start_no_earlier_than and wp.start_no_earlier_than > start:
            release = float(working_days_between(cal, start, wp.start_no_earlier_than))
        if levelled is not None and wp.code in levelled.periods:
            # Work waits for the people the levelled plan gives it (someone back from leave,
            # a role whose only holder has left): it starts no earlier than planned.
            release = max(release, levelled.periods[wp.code][0] / PERIODS_PER_DAY)
        tasks.append(
            Task(
                duration=_duration(wp, plan, profile, stretch),
                links=tuple(
                    Precedence(index[lk.predecessor], lk.type, lk.lag_days) for lk in links[wp.code]
                ),
                release_days=release,
                rate_cents_per_day=round(labour / mean_days) if mean_days > 0 else 0,
                fixed_cents=tied if mean_days > 0 else cost,
                code=wp.code,
                shared=wp.estimate is not None and wp.estimate.basis == "effort",
            )
        )
    untied = total(
        (counted_amount(i, currency) for i in project_level_costs(plan)), currency
    ).minor_units()
    if untied:
        tasks.append(
            Task(duration=ThreePoint(0.0, 0.0, 0.0), fixed_cents=untied, code=PROJECT_COSTS)
        )
    # The base is the budget's labour and non-labour, to the cent: contingency sits on top.
    base = sum(c.minor_units() for c in costs.values()) + untied
    return tasks, index, base


def _cost_range(cost: MoneyRange) -> ThreePoint:
    exp = minor_exponent(cost.currency)
    return ThreePoint(*(float(v.scaleb(exp)) for v in (cost.low, cost.likely, cost.high)))


def _ends(plan: Plan) -> dict[str, list[str]]:
    """The leaves that finish a package: those no other leaf of the package waits for, so a
    delay to a phase is counted once along its path, not once per leaf."""
    links = leaf_links(plan.wbs)
    ends = {}
    for code, under in leaf_codes_under(plan.wbs).items():
        inside = set(under)
        waited_for = {lk.predecessor for leaf in under for lk in links[leaf]} & inside
        ends[code] = [leaf for leaf in under if leaf not in waited_for]
    return ends


SIMULATED_RESPONSES = {
    # response: (delay simulated, cost simulated); as in tools.risk, an avoided threat is gone
    # and a transferred one's cost is someone else's.
    "avoid": (False, False),
    "transfer": (True, False),
    "mitigate": (True, True),
    "accept": (True, True),
    "escalate": (True, True),
}


def _last_along_paths(codes: set[str], after: dict[str, list[str]]) -> set[str]:
    """The affected leaves that no other affected leaf follows: a risk's delay is the delay it
    causes, so along one path it is counted once, at the last package it touches."""
    keep = set()
    for code in codes:
        seen, todo = set(), list(after.get(code, []))
        while todo:
            nxt = todo.pop()
            if nxt not in seen:
                seen.add(nxt)
                todo += after.get(nxt, [])
        if not seen & (codes - {code}):
            keep.add(code)
    return keep


def _risks(plan: Plan, index: dict[str, int]) -> tuple[list[RiskEvent], list[str]]:
    ends = _ends(plan)
    after: dict[str, list[str]] = {}
    for code, links in leaf_links(plan.wbs).items():
        for lk in links:
            after.setdefault(lk.predecessor, []).append(code)
    events, ids = [], []
    for r in plan.risks.risks:
        delays, costs = SIMULATED_RESPONSES[r.response]
        delay = r.schedule_impact_days if delays else None
        cost = r.cost_impact if costs else None
        if delay is None and cost is None:
            continue
        touched = {c for wp in r.work_packages for c in ends.get(wp, []) if c in index}
        affected = sorted(index[c] for c in _last_along_paths(touched, after))
        events.append(
            RiskEvent(
                probability=r.probability,
                tasks=tuple(affected),
                delay_days=ThreePoint(delay.low, delay.likely, delay.high) if delay else None,
                cost_cents=_cost_range(cost) if cost else None,
                id=r.id,
            )
        )
        ids.append(r.id)
    return events, ids


def forecast_plan(
    plan: Plan,
    *,
    levelled: LevelledPlan | None = None,
    profile: CalibrationProfile | None = None,
    iterations: int = 10_000,
    seed: int = 0,
) -> PlanForecast:
    """P50/P80/P90 finish and cost, the chance of meeting the deadline and the budget, each
    package's criticality and the top drivers, from `iterations` seeded draws."""
    tasks, index, base = _tasks(plan, levelled, profile)
    order = []
    if levelled is not None:
        order = [(index[a], index[b]) for a, b in levelled.resource_edges]
    events, risk_ids = _risks(plan, index)
    fc: Forecast = simulate(
        tasks,
        events,
        levelled_order=order,
        iterations=iterations,
        seed=seed,
        base_cost_cents=base,
        project_sigma=profile.project_sigma if profile is not None else 0.0,
    )
    cal = plan.calendar
    start = roll_forward(cal, plan.start)
    # Dates are read only at the reported percentiles: a single extreme draw (a calibrated
    # heavy tail) must not set how far the calendar is walked.
    horizon = fc.finish_day_index.p90 + 2
    table = working_dates(cal, start, horizon)
    currency = plan.rate_card.currency
    deadline = plan.brief.deadline
    p_deadline = None
    if deadline is not None:
        p_deadline = fc.p_meet_deadline(
            float(working_days_between(cal, start, deadline + timedelta(days=1)))
        )
    budget = plan.budget.limit if plan.budget else plan.brief.budget
    p_budget = fc.p_meet_budget(budget.minor_units()) if budget is not None else None
    names = {i: t.code for i, t in enumerate(tasks)}
    risk_names = dict(enumerate(risk_ids))
    return PlanForecast(
        iterations=fc.iterations,
        seed=fc.seed,
        calibrated=[wp.code for wp in leaves(plan.wbs) if calibrates(profile, wp, plan)],
        p50_finish=table[fc.finish_day_index.p50],
        p80_finish=table[fc.finish_day_index.p80],
        p90_finish=table[fc.finish_day_index.p90],
        p_meet_deadline=p_deadline,
        p50_cost=Money.from_minor_units(fc.cost_cents.p50, currency),
        p80_cost=Money.from_minor_units(fc.cost_cents.p80, currency),
        p90_cost=Money.from_minor_units(fc.cost_cents.p90, currency),
        base_cost=Money.from_minor_units(fc.base_cost_cents, currency),
        p_meet_budget=p_budget,
        contingency=Money.from_minor_units(fc.contingency_cents, currency),
        criticality={
            names[i]: round(c, 4) for i, c in enumerate(fc.criticality) if names[i] != PROJECT_COSTS
        },
        drivers=[
            Driver(
                kind=d.kind,
                name=names[d.index] if d.kind == "task" else risk_names[d.index],
                rank_correlation=round(d.rank_correlation, 4),
            )
            for d in fc.drivers
            if not math.isnan(d.rank_correlation)
        ],
    )
