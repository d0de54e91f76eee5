"""Change freezes as no-change windows: production-facing work is never scheduled in one.

A brief's freeze (quarter-end close, peak trading, a hospital's winter pressures) forbids
changes to production, not work: design, build and test go on. So only packages that change
production (cut-over, go-live, deployment, roll-out waves, decommissioning) are kept out,
by a start-no-earlier-than the first working day after the freeze, and the network moves
what follows. Which names change production is data, below.

Pure: the caller schedules; this module finds clashes and releases packages past them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tools.calendar import roll_forward
from tools.domain import Plan, Schedule, WorkPackage
from tools.wbs import leaves

PRODUCTION = re.compile(
    r"\b(?:cut-?\s?over|go-?\s?live|golive|switch-?\s?(?:over|off)|launch|deploy\w*|"
    r"roll-?\s?out|wave|waves|install\w*|decommission\w*|release|production)\b",
    re.I,
)
"""Words naming a package that changes production."""
NOT_PRODUCTION = re.compile(
    r"\b(?:rehears\w*|dry[- ]run|dress|runbook|readiness|plan(?:ning)?|design|prepar\w*|"
    r"test\w*|training)\b",
    re.I,
)
"""Words naming work that prepares a change without making it ("cut-over rehearsal")."""
MAX_ROUNDS = 6
"""Each round releases the clashing packages and schedules again; a plan whose later work
keeps landing in later freezes stops after this many and says so."""


@dataclass(frozen=True, slots=True)
class Clash:
    code: str
    name: str
    freeze: str
    start: date
    finish: date


def production_facing(wp: WorkPackage) -> bool:
    return bool(PRODUCTION.search(wp.name)) and not NOT_PRODUCTION.search(wp.name)


def clashes(plan: Plan, sched: Schedule) -> list[Clash]:
    """Production-facing leaves whose scheduled span touches a freeze of the brief."""
    spans = {t.code: (t.early_start, t.early_finish) for t in sched.tasks}
    out = []
    for wp in leaves(plan.wbs):
        if wp.code not in spans or wp.level_of_effort or not production_facing(wp):
            continue
        start, finish = spans[wp.code]
        for f in plan.brief.freezes:
            if start <= f.finish and finish >= f.start:
                out.append(Clash(wp.code, wp.name, f.what or "freeze", f.start, f.finish))
                break
    return out


def release(plan: Plan, found: Sequence[Clash]) -> Plan:
    """The plan with each clashing package held until the first working day after its
    freeze."""
    after = {c.code: roll_forward(plan.calendar, _next_day(c.finish)) for c in found}
    wbs = [
        wp.model_copy(
            update={
                "start_no_earlier_than": max(
                    after[wp.code], wp.start_no_earlier_than or after[wp.code]
                )
            }
        )
        if wp.code in after
        else wp
        for wp in plan.wbs
    ]
    return plan.model_copy(update={"wbs": wbs})


def _next_day(d: date) -> date:
    return date.fromordinal(d.toordinal() + 1)


def describe(found: Sequence[Clash]) -> str:
    moved = "; ".join(
        f"{c.code} {c.name[:60]} ({c.freeze[:60]} {c.start}..{c.finish})" for c in found
    )
    return f"held after a change freeze (production changes wait for it to end): {moved}"
