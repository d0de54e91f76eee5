"""Three-point estimating: PERT mean and spread, roll-ups, effort versus duration.

Estimates are hours or days of effort (person-time) or of duration; the engine converts on the
project calendar. Effort becomes duration through the people assigned: four person-days done
by two people take two working days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from tools.domain import Calendar, Estimate, WorkPackage
from tools.money import split_units
from tools.wbs import leaf_codes_under


@dataclass(frozen=True, slots=True)
class Pert:
    """Beta-PERT mean and standard deviation, in the unit of the estimate they came from."""

    mean: float
    sd: float

    @property
    def variance(self) -> float:
        return self.sd * self.sd


def pert(estimate: Estimate) -> Pert:
    """Mean (O + 4M + P) / 6 and standard deviation (P - O) / 6."""
    o, m, p = estimate.optimistic, estimate.likely, estimate.pessimistic
    return Pert(mean=(o + 4 * m + p) / 6, sd=(p - o) / 6)


def combine(parts: Iterable[Pert]) -> Pert:
    """Roll up independent estimates: means add, variances add (exactly rounded sums)."""
    items = list(parts)
    return Pert(
        mean=math.fsum(p.mean for p in items),
        sd=math.sqrt(math.fsum(p.variance for p in items)),
    )


def to_hours(value: float, unit: str, calendar: Calendar) -> float:
    return value if unit == "hours" else value * calendar.hours_per_day


def hours(estimate: Estimate, calendar: Calendar) -> Pert:
    """The PERT of an estimate in hours on the given calendar."""
    p = pert(estimate)
    factor = to_hours(1.0, estimate.unit, calendar)
    return Pert(mean=p.mean * factor, sd=p.sd * factor)


def people(wp: WorkPackage) -> float:
    """How many people work on the package at once; one when it names no roles."""
    return sum(d.units for d in wp.role_demands) or 1.0


def duration_days(wp: WorkPackage, calendar: Calendar, value: float | None = None) -> float:
    """Working days the package takes, from its PERT mean (or `value`, in the estimate's unit).

    Effort is spread over the people demanded; a duration estimate is taken as it is.
    """
    if wp.estimate is None:
        return 0.0
    raw = pert(wp.estimate).mean if value is None else value
    h = to_hours(raw, wp.estimate.unit, calendar)
    if wp.estimate.basis == "effort":
        h /= people(wp)
    return h / calendar.hours_per_day


def effort_hours(wp: WorkPackage, calendar: Calendar) -> float:
    """Person-hours of a package; a duration estimate costs its duration times its people."""
    if wp.estimate is None:
        return 0.0
    h = hours(wp.estimate, calendar).mean
    return h if wp.estimate.basis == "effort" else h * people(wp)


def role_hours(wp: WorkPackage, calendar: Calendar) -> dict[str, Decimal]:
    """Effort split over the demanded roles in proportion to their units, in 0.01 h.

    Largest-remainder rounding: the shares add up exactly to the package's effort rounded to
    0.01 h, so no hundredth of an hour is lost or priced twice.
    """
    total = _hundredths(effort_hours(wp, calendar))
    if not total:
        return {}
    if not wp.role_demands:
        return {"unassigned": total}
    units = [Decimal(repr(d.units)) for d in wp.role_demands]
    shares = split_units(int(total * 100), units)
    out: dict[str, Decimal] = {}
    for demand, share in zip(wp.role_demands, shares, strict=True):
        out[demand.role] = out.get(demand.role, Decimal(0)) + Decimal(share).scaleb(-2)
    return out


def _hundredths(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def leaf_effort(wp: WorkPackage, calendar: Calendar) -> Pert:
    """Effort-hour PERT of one package, whatever the basis of its estimate."""
    if wp.estimate is None:
        return Pert(mean=0.0, sd=0.0)
    sd = hours(wp.estimate, calendar).sd
    if wp.estimate.basis == "duration":
        sd *= people(wp)
    return Pert(mean=effort_hours(wp, calendar), sd=sd)


def roll_up(wbs: Iterable[WorkPackage], calendar: Calendar) -> dict[str, Pert]:
    """Effort-hour PERT for every package: a leaf's own, a parent's the sum of its leaves.

    Sums are taken over leaves with `math.fsum`, so a parent equals the exactly rounded sum of
    its leaves whatever the nesting. Parents' own estimates are ignored: by the 100 % rule a
    parent is its children.
    """
    packages = list(wbs)
    by_code = {wp.code: wp for wp in packages}
    own = {code: leaf_effort(by_code[code], calendar) for code in by_code}
    return {
        code: combine(own[leaf] for leaf in under)
        for code, under in leaf_codes_under(packages).items()
    }
