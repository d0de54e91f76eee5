"""A plan's schedule on its calendar: CPM over the leaf work packages, dates in working days.

Leaves are the activities; a parent is the span of its leaves, and a dependency on a parent
means a dependency on each of its leaves. Durations become integer working minutes so that
CPM is exact; dates come from the working-day table of the calendar.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import date

from tools.calendar import roll_forward, working_dates, working_days_between
from tools.critical_path import LINK_ENDS, Activity, Link, Network, analyse
from tools.domain import Plan, Schedule, ScheduledTask
from tools.estimating import duration_days
from tools.wbs import leaf_codes_under, leaf_links, leaves


def activities(plan: Plan, descoped: Set[str] = frozenset()) -> list[Activity]:
    """Leaf activities in working minutes. Descoped leaves keep their links at zero length,
    so removing work never breaks a chain of dependencies."""
    mpd = plan.calendar.minutes_per_day
    start = roll_forward(plan.calendar, plan.start)
    preds = leaf_links(plan.wbs)
    out: list[Activity] = []
    for wp in leaves(plan.wbs):
        links = tuple(
            Link(lk.predecessor, lk.type, round(lk.lag_days * mpd)) for lk in preds[wp.code]
        )
        release = 0
        snet = wp.start_no_earlier_than
        if snet and snet > start and wp.code not in descoped:
            release = working_days_between(plan.calendar, start, snet) * mpd
        minutes = 0 if wp.code in descoped else round(duration_days(wp, plan.calendar) * mpd)
        out.append(Activity(wp.code, minutes, links, release))
    return out


def network(plan: Plan, descoped: Set[str] = frozenset()) -> Network:
    return analyse(activities(plan, descoped))


def project_days(plan: Plan, descoped: Set[str] = frozenset()) -> float:
    """Working days from start to finish, optionally with some leaves descoped."""
    return network(plan, descoped).finish / plan.calendar.minutes_per_day


def _driven_by_finish(act: Activity, net: Network) -> bool:
    t = net.timings
    return any(
        LINK_ENDS[lk.type][0] == "finish"
        and t[lk.predecessor].early_finish + lk.lag == t[act.code].early_start
        for lk in act.links
    )


class _Dates:
    """Offsets in units of `per_day` per working day, to dates. A finish on a day boundary
    belongs to the day before: work that ends at the close of Tuesday finishes on Tuesday."""

    def __init__(self, plan: Plan, horizon: int, per_day: int) -> None:
        self.per_day = per_day
        start = roll_forward(plan.calendar, plan.start)
        self.table = working_dates(plan.calendar, start, horizon // per_day + 2)

    def start(self, offset: int) -> date:
        return self.table[offset // self.per_day]

    def finish(self, offset: int) -> date:
        return self.table[max(offset - 1, 0) // self.per_day]


def schedule(plan: Plan) -> Schedule:
    """Early and late dates, floats and the critical path of a plan's work packages."""
    acts = activities(plan)
    return dated(plan, acts, analyse(acts), plan.calendar.minutes_per_day)


def dated(plan: Plan, acts: Sequence[Activity], net: Network, per_day: int) -> Schedule:
    """A Schedule from a network analysed in units of `per_day` per working day (working
    minutes for plain CPM, half-days for a levelled plan); summaries span their leaves."""
    dates = _Dates(plan, net.finish, per_day)
    tasks: dict[str, ScheduledTask] = {}
    for act in acts:
        code, t = act.code, net.timings[act.code]
        zero = t.early_finish == t.early_start
        # A milestone that some work's finish drives sits on that work's last day, as in
        # Microsoft Project; one set by a start or a date sits on the morning it names.
        after_finish = zero and _driven_by_finish(act, net)
        es = dates.finish(t.early_start) if after_finish else dates.start(t.early_start)
        # A milestone that may slip to the project's end sits on its last working day.
        late_after = after_finish or (zero and 0 < t.late_start == net.finish)
        ls = dates.finish(t.late_start) if late_after else dates.start(t.late_start)
        tasks[code] = ScheduledTask(
            code=code,
            early_start=es,
            early_finish=dates.finish(t.early_finish) if not zero else es,
            late_start=ls,
            late_finish=dates.finish(t.late_finish) if not zero else ls,
            total_float_days=round(t.total_float / per_day, 2),
            free_float_days=round(t.free_float / per_day, 2),
            critical=t.critical,
        )
    for code, under in leaf_codes_under(plan.wbs).items():
        if under == [code] or not under:
            continue
        kids = [tasks[c] for c in under]
        tasks[code] = ScheduledTask(
            code=code,
            early_start=min(k.early_start for k in kids),
            early_finish=max(k.early_finish for k in kids),
            late_start=min(k.late_start for k in kids),
            late_finish=max(k.late_finish for k in kids),
            total_float_days=min(k.total_float_days for k in kids),
            free_float_days=min(k.free_float_days for k in kids),
            critical=any(k.critical for k in kids),
        )
    ordered = [tasks[wp.code] for wp in plan.wbs if wp.code in tasks]
    return Schedule(
        start=dates.start(0),
        finish=dates.finish(net.finish) if net.finish else dates.start(0),
        tasks=ordered,
        critical_path=[c for c in net.critical_path if c in tasks],
    )
