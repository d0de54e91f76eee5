"""How big the work is: a template's bottom-up effort weighed against the size the brief itself
implies.

A template knows the shape of a kind of project, not the size of this one: the same twenty
packages describe a 100- and a 1,000-person-day network refresh. The brief says more about
size than its drivers do. The team a PM commits for the window up to the deadline, and the
labour the budget pays for, are what the PM who wrote it expects the work to take. A seasoned
estimator weighs the two (top-down against bottom-up) instead of trusting either; so does this
module, in log space, with the weights as data. Measured on the evaluation dev split (see
docs/estimating.md): the plans' total effort fell inside a seasoned PM's range for 35 % of the
cases from the template alone and for about 90 % weighed.

Pure: the caller passes the plan's facts; nothing here reads a clock or a file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tools.budget import counted_amount
from tools.calendar import working_days_between
from tools.domain import Estimate, MoneyRange, Plan, Range, Risk, RoleDemand, WorkPackage

FOCUS = 0.7
"""Share of a committed team's working time that goes into planned work (the rest is
meetings, support, leave and switching): the usual 0.6-0.8 focus factor."""
RESERVE = 0.15
"""Share of a budget held back as contingency, not planned as labour."""
TEMPLATE_WEIGHT = 0.3
"""Weight of the bottom-up (template and reference class) effort against the brief's own
size, in log space."""
MIN_LABOUR_SHARE = 0.2
"""A budget whose non-labour costs leave less than this share for labour says nothing about
the labour's size (a hardware budget)."""
CENT = Decimal("0.01")
FACTOR_RANGE = (0.1, 3.0)
"""The most the brief's size may shrink or grow the bottom-up effort."""
ROLE_WEIGHT = 0.3
"""Weight of the template's mix of roles against the mix of the team the brief commits, in
log space: a PM staffs a team in proportion to the work they expect of each role."""
LOAD_CAP = 1.0
"""The most work per FTE any role of the team carries, as a multiple of the team's average:
a PM spreads the work so that a part-timer (a 20 % SME) does not carry months of it alone
and hold up the whole plan."""
CREW_DAYS = 15.0
"""Working days a package should last at most when the team has the people: a PM puts more
of the role's people on a big package rather than letting two of them work on it for months
while the rest wait (three weeks, a usual planning granularity)."""


@dataclass(frozen=True)
class SizeEvidence:
    """What the brief says about size, each None where it does not say."""

    team_fte: float | None = None
    """Full-time equivalents of the team the brief commits."""
    working_days: float | None = None
    """Working days from the start to the deadline."""
    labour_budget: float | None = None
    """Budget less the non-labour costs it counts, in the rate card's currency."""
    day_rate: float | None = None
    """The team's average cost of a person-day, in the same currency."""

    def anchors(self) -> dict[str, float]:
        """Top-down sizes in person-days, by where they come from."""
        out: dict[str, float] = {}
        if self.team_fte and self.working_days and self.team_fte > 0 and self.working_days > 0:
            out["team"] = FOCUS * self.team_fte * self.working_days
        if self.labour_budget and self.day_rate and self.labour_budget > 0 and self.day_rate > 0:
            out["budget"] = (1 - RESERVE) * self.labour_budget / self.day_rate
        return out


def evidence_of(plan: Plan, *, stated_team: bool) -> SizeEvidence:
    """The plan's facts that speak to size: the team only where the brief states one (a
    default team says nothing), the window only up to a stated deadline, the budget only
    where it pays for the team's time."""
    members = plan.team.members
    fte = sum(m.availability for m in members)
    days = None
    if plan.brief.deadline is not None:
        days = float(working_days_between(plan.calendar, plan.start, plan.brief.deadline))
    labour = rate = None
    if plan.budget is not None and plan.budget.internal_labour and fte > 0:
        limit = float(plan.budget.limit.amount)
        currency = plan.rate_card.currency
        spent = sum(float(counted_amount(c, currency).amount) for c in plan.non_labour)
        if limit - spent >= MIN_LABOUR_SHARE * limit:
            labour = limit - spent
        hourly = [
            (float(plan.rate_card.hourly[m.roles[0]]), m.availability)
            for m in members
            if m.roles[0] in plan.rate_card.hourly
        ]
        if hourly:
            share = sum(a for _, a in hourly)
            rate = sum(r * a for r, a in hourly) / share * plan.calendar.hours_per_day
    return SizeEvidence(
        team_fte=fte if stated_team and members else None,
        working_days=days,
        labour_budget=labour,
        day_rate=rate,
    )


@dataclass(frozen=True)
class Sizing:
    factor: float
    """What every effort estimate is multiplied by (1.0 when the brief says nothing)."""
    bottom_up: float
    top_down: dict[str, float]

    @property
    def total(self) -> float:
        return self.bottom_up * self.factor

    def explain(self) -> str | None:
        if not self.top_down or self.factor == 1.0:
            return None
        said = {
            "team": "what the team the brief commits can do by the deadline at a 70 % focus",
            "budget": "what the budget pays for in labour after a 15 % reserve",
        }
        parts = "; ".join(f"{said[k]}: {v:,.0f}" for k, v in sorted(self.top_down.items()))
        return (
            f"effort sized at {self.total:,.0f} person-days (expected) by weighing the template's"
            f" bottom-up {self.bottom_up:,.0f} against the size the brief implies ({parts});"
            f" every effort estimate scaled by {self.factor:.2f}"
        )


def expected_days(estimate: Estimate, hours_per_day: float) -> float:
    """The PERT mean of an effort estimate, in person-days."""
    mean = (estimate.optimistic + 4 * estimate.likely + estimate.pessimistic) / 6
    return mean / hours_per_day if estimate.unit == "hours" else mean


def size(bottom_up: float, evidence: SizeEvidence) -> Sizing:
    """The factor that weighs a bottom-up total against the brief's top-down sizes."""
    anchors = evidence.anchors()
    if bottom_up <= 0 or not anchors:
        return Sizing(1.0, bottom_up, anchors)
    top = math.exp(sum(math.log(v) for v in anchors.values()) / len(anchors))
    weighed = math.exp(
        TEMPLATE_WEIGHT * math.log(bottom_up) + (1 - TEMPLATE_WEIGHT) * math.log(top)
    )
    factor = min(max(weighed / bottom_up, FACTOR_RANGE[0]), FACTOR_RANGE[1])
    return Sizing(round(factor, 3), bottom_up, anchors)


def effort_total(wbs: Sequence[WorkPackage], hours_per_day: float, keep: set[str]) -> float:
    """Expected person-days of the effort-based packages that sizing may scale."""
    return sum(
        expected_days(wp.estimate, hours_per_day)
        for wp in wbs
        if wp.estimate is not None and wp.estimate.basis == "effort" and wp.code not in keep
    )


def _times(e: Estimate, factor: float) -> Estimate:
    """Three points times a factor, to a tenth, never below a tenth."""
    return Estimate(
        optimistic=max(0.1, round(e.optimistic * factor, 1)),
        likely=max(0.1, round(e.likely * factor, 1)),
        pessimistic=max(0.1, round(e.pessimistic * factor, 1)),
        unit=e.unit,
        basis=e.basis,
    )


def scale_efforts(wbs: Sequence[WorkPackage], factor: float, keep: set[str]) -> list[WorkPackage]:
    """Every effort estimate times `factor`, but those in `keep` (locked by a person)."""
    if factor == 1.0:
        return list(wbs)
    out = []
    for wp in wbs:
        e = wp.estimate
        if e is None or e.basis != "effort" or wp.code in keep:
            out.append(wp)
            continue
        out.append(wp.model_copy(update={"estimate": _times(e, factor)}))
    return out


def scale_risks(risks: Sequence[Risk], factor: float) -> list[Risk]:
    """Risk impacts sized with the work: rework on a project a third the template's size
    costs about a third as much."""
    if factor == 1.0:
        return list(risks)
    out = []
    for r in risks:
        update: dict[str, object] = {}
        if (d := r.schedule_impact_days) is not None:
            update["schedule_impact_days"] = Range(
                low=round(d.low * factor, 1),
                likely=round(d.likely * factor, 1),
                high=round(d.high * factor, 1),
            )
        if (c := r.cost_impact) is not None:
            f = Decimal(str(factor))
            update["cost_impact"] = MoneyRange(
                low=(c.low * f).quantize(CENT),
                likely=(c.likely * f).quantize(CENT),
                high=(c.high * f).quantize(CENT),
                currency=c.currency,
            )
        out.append(r.model_copy(update=update))
    return out


def _sized(wp: WorkPackage, keep: set[str]) -> bool:
    return (
        wp.estimate is not None
        and wp.estimate.basis == "effort"
        and bool(wp.role_demands)
        and wp.code not in keep
    )


def role_demand(
    wbs: Sequence[WorkPackage], hours_per_day: float, keep: set[str]
) -> dict[str, float]:
    """Expected person-days by role over the effort-based packages sizing may touch."""
    out: dict[str, float] = {}
    for wp in wbs:
        if not _sized(wp, keep) or wp.estimate is None:
            continue
        days = expected_days(wp.estimate, hours_per_day)
        units = sum(d.units for d in wp.role_demands)
        for d in wp.role_demands:
            out[d.role] = out.get(d.role, 0.0) + days * d.units / units
    return out


def role_factors(demand: Mapping[str, float], capacity: Mapping[str, float]) -> dict[str, float]:
    """How much each of the team's roles' work grows or shrinks so that the work's mix leans
    toward the team's: the total over the team's roles stays what sizing decided. Roles
    nobody on the team fills are bought in and keep their work."""
    team = {r: c for r, c in capacity.items() if c > 0 and demand.get(r, 0) > 0}
    if len(team) < 2:
        return {}
    load, fte = sum(demand[r] for r in team), sum(team.values())
    target = {
        r: demand[r] ** ROLE_WEIGHT * (load * team[r] / fte) ** (1 - ROLE_WEIGHT) for r in team
    }
    norm = load / sum(target.values())
    target = _capped(
        {r: v * norm for r, v in target.items()}, {r: LOAD_CAP * load * team[r] / fte for r in team}
    )
    return {r: target[r] / demand[r] for r in team}


def _capped(target: Mapping[str, float], cap: Mapping[str, float]) -> dict[str, float]:
    """The same total, no role above its cap: what a capped role cannot carry goes to the
    others in proportion to what they already carry."""
    fixed: dict[str, float] = {}
    total = sum(target.values())
    while True:
        free = {r: v for r, v in target.items() if r not in fixed}
        scale = (total - sum(fixed.values())) / sum(free.values())
        over = {r: cap[r] for r, v in free.items() if v * scale > cap[r]}
        if not over or len(over) == len(free):
            return {**fixed, **{r: v * scale for r, v in free.items()}}
        fixed |= over


def _units(wanted: float, before: float, fte: float | None) -> float:
    """Units after rebalancing: never more people than the team has in the role (unless the
    package already asked for more), never none."""
    cap = max(before, fte) if fte else 100.0
    return round(min(max(wanted, 0.01), cap, 100.0), 3)


def rebalance(
    wbs: Sequence[WorkPackage],
    factors: Mapping[str, float],
    keep: set[str],
    capacity: Mapping[str, float],
) -> list[WorkPackage]:
    """Each package's hours per role times its role's factor. Units scale with the hours, so
    a package lasts as long as before, up to the people the team has in the role (then it
    lasts longer); only who carries it changes."""
    if not factors:
        return list(wbs)
    out = []
    for wp in wbs:
        e = wp.estimate
        if not _sized(wp, keep) or e is None:
            out.append(wp)
            continue
        before = sum(d.units for d in wp.role_demands)
        grow = sum(d.units * factors.get(d.role, 1.0) for d in wp.role_demands) / before
        demands = [
            RoleDemand(
                role=d.role,
                units=_units(d.units * factors.get(d.role, 1.0), d.units, capacity.get(d.role)),
                skills=list(d.skills),
            )
            for d in wp.role_demands
        ]
        out.append(wp.model_copy(update={"estimate": _times(e, grow), "role_demands": demands}))
    return out


def crew(
    wbs: Sequence[WorkPackage],
    capacity: Mapping[str, float],
    hours_per_day: float,
    keep: set[str],
) -> list[WorkPackage]:
    """More people on a package that would otherwise last over `CREW_DAYS`: every role's
    units grow in proportion, up to the role's people on the team (never fewer than the
    drafter asked for). The effort is unchanged; levelling then decides who waits."""
    out = []
    for wp in wbs:
        e = wp.estimate
        if not _sized(wp, keep) or e is None or wp.level_of_effort:
            out.append(wp)
            continue
        grow = expected_days(e, hours_per_day) / CREW_DAYS / sum(d.units for d in wp.role_demands)
        if grow <= 1:
            out.append(wp)
            continue
        demands = [
            d.model_copy(
                update={
                    "units": round(max(d.units, min(d.units * grow, capacity.get(d.role, 0.0))), 3)
                }
            )
            for d in wp.role_demands
        ]
        out.append(wp.model_copy(update={"role_demands": demands}))
    return out
