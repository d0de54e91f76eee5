"""Working-day arithmetic on a Calendar: weekends, holidays, per-person calendars.

Day counts are half-open: `working_days_between(cal, a, b)` counts working days in [a, b), so
`add_working_days(cal, a, working_days_between(cal, a, b)) == b` whenever a and b are working
days. Whole weeks are skipped in one step, so long spans cost O(weeks + holidays).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta

from tools.domain import Calendar, Member

_WEEK = timedelta(days=7)
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Rules:
    weekdays: frozenset[int]
    holidays: tuple[date, ...]  # sorted, only those on working weekdays

    @classmethod
    def of(cls, cal: Calendar) -> _Rules:
        weekdays = frozenset(cal.working_weekdays)
        return cls(weekdays, tuple(sorted({h for h in cal.holidays if h.weekday() in weekdays})))

    def working(self, d: date) -> bool:
        if d.weekday() not in self.weekdays:
            return False
        i = bisect.bisect_left(self.holidays, d)
        return not (i < len(self.holidays) and self.holidays[i] == d)

    def holidays_in(self, a: date, b: date) -> int:
        """Holidays in [a, b)."""
        return bisect.bisect_left(self.holidays, b) - bisect.bisect_left(self.holidays, a)


def is_working_day(cal: Calendar, d: date) -> bool:
    return _Rules.of(cal).working(d)


def roll_forward(cal: Calendar, d: date) -> date:
    """The first working day on or after d."""
    rules = _Rules.of(cal)
    while not rules.working(d):
        d += _DAY
    return d


def roll_backward(cal: Calendar, d: date) -> date:
    """The last working day on or before d."""
    rules = _Rules.of(cal)
    while not rules.working(d):
        d -= _DAY
    return d


def working_days_between(cal: Calendar, a: date, b: date) -> int:
    """Working days in [a, b); negative (minus those in [b, a)) when b is before a."""
    if b < a:
        return -working_days_between(cal, b, a)
    rules = _Rules.of(cal)
    weeks, rest = divmod((b - a).days, 7)
    count = weeks * len(rules.weekdays)
    d = a + weeks * _WEEK
    for _ in range(rest):
        if d.weekday() in rules.weekdays:
            count += 1
        d += _DAY
    return count - rules.holidays_in(a, b)


def add_working_days(cal: Calendar, d: date, n: int) -> date:
    """The working day n working days after d (before, for negative n).

    d is first rolled to a working day (forward for n >= 0, backward for n < 0), so
    `add_working_days(cal, saturday, 0)` is the next Monday.
    """
    rules = _Rules.of(cal)
    step = _DAY if n >= 0 else -_DAY
    while not rules.working(d):
        d += step
    remaining = abs(n)
    per_week = len(rules.weekdays)
    while remaining:
        # Jump a whole week when it holds no holiday; otherwise walk one day.
        if remaining > per_week:
            nxt = d + _WEEK if n >= 0 else d - _WEEK
            lo, hi = (d + _DAY, nxt + _DAY) if n >= 0 else (nxt, d)
            if not rules.holidays_in(lo, hi):
                d, remaining = nxt, remaining - per_week
                continue
        d += step
        if rules.working(d):
            remaining -= 1
    return d


def working_dates(cal: Calendar, start: date, count: int) -> list[date]:
    """The first `count` working days on or after start: a lookup table for offsets."""
    rules = _Rules.of(cal)
    out: list[date] = []
    d = start
    while len(out) < count:
        if rules.working(d):
            out.append(d)
        d += _DAY
    return out


def member_hours(member: Member, project: Calendar, d: date) -> float:
    """Hours a person can give on a day: their own calendar (or the project's), availability
    and absences applied."""
    cal = member.calendar or project
    if not is_working_day(cal, d):
        return 0.0
    if any(a.start <= d <= a.finish for a in member.absences):
        return 0.0
    return cal.hours_per_day * member.availability


def member_capacity(member: Member, project: Calendar, start: date, finish: date) -> float:
    """Hours a person can give in [start, finish)."""
    total = 0.0
    d = start
    while d < finish:
        total += member_hours(member, project, d)
        d += _DAY
    return total
