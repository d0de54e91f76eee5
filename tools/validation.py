"""WBS validation that returns typed issues instead of raising, so a drafter can repair.

Each rule is a function from the WBS to issues; `RULES` is the table run in order. A rule that
needs a sound hierarchy (roll-ups, cycles through summaries) runs only when the hierarchy
rules found nothing, so one mistake is reported once, at its cause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.critical_path import Activity, CycleError, Link, topological_order
from tools.domain import Calendar, WorkPackage
from tools.estimating import hours, roll_up
from tools.wbs import ancestors, children_of, leaf_links, leaves

IssueKind = Literal[
    "empty_wbs",
    "duplicate_code",
    "unknown_parent",
    "parent_cycle",
    "unknown_dependency",
    "self_dependency",
    "dependency_on_ancestor",
    "dependency_cycle",
    "missing_estimate",
    "parent_not_rollup",
]

ROLLUP_TOLERANCE = 0.005
"""A parent's own estimate may differ from its children's sum by this fraction (rounding)."""


class WbsIssue(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: IssueKind
    code: str | None
    message: str
    related: tuple[str, ...] = ()


Rule = Callable[[Sequence[WorkPackage], Calendar], list[WbsIssue]]


def _empty(wbs: Sequence[WorkPackage], _: Calendar) -> list[WbsIssue]:
    if wbs:
        return []
    return [WbsIssue(kind="empty_wbs", code=None, message="the WBS has no work packages")]


def _duplicates(wbs: Sequence[WorkPackage], _: Calendar) -> list[WbsIssue]:
    seen: set[str] = set()
    issues = []
    for wp in wbs:
        if wp.code in seen:
            issues.append(
                WbsIssue(
                    kind="duplicate_code",
                    code=wp.code,
                    message=f"code {wp.code} is used by more than one work package",
                )
            )
        seen.add(wp.code)
    return issues


def _parents(wbs: Sequence[WorkPackage], _: Calendar) -> list[WbsIssue]:
    codes = {wp.code for wp in wbs}
    issues = [
        WbsIssue(
            kind="unknown_parent",
            code=wp.code,
            message=f"{wp.code} names parent {wp.parent}, which is not in the WBS",
            related=(wp.parent,),
        )
        for wp in wbs
        if wp.parent and wp.parent not in codes
    ]
    by_code = {wp.code: wp for wp in wbs}
    reported: set[str] = set()
    for wp in wbs:
        path, node = [wp.code], wp.parent
        while node and node in by_code and node not in path:
            path.append(node)
            node = by_code[node].parent
        if node and node in path:
            loop = path[path.index(node) :]
            if not reported.intersection(loop):
                reported.update(loop)
                issues.append(
                    WbsIssue(
                        kind="parent_cycle",
                        code=node,
                        message="parent loop: " + " -> ".join([*loop, node]),
                        related=tuple(loop),
                    )
                )
    return issues


def _dependencies(wbs: Sequence[WorkPackage], _: Calendar) -> list[WbsIssue]:
    codes = {wp.code for wp in wbs}
    up = ancestors(wbs)
    issues = []
    for wp in wbs:
        for dep in wp.depends_on:
            p = dep.predecessor
            if p not in codes:
                kind, msg = "unknown_dependency", f"{wp.code} depends on unknown package {p}"
            elif p == wp.code:
                kind, msg = "self_dependency", f"{wp.code} depends on itself"
            elif p in up[wp.code] or wp.code in up[p]:
                kind = "dependency_on_ancestor"
                msg = f"{wp.code} and {p} are in one branch; a package cannot depend on its own"
                msg += " summary or descendant"
            else:
                continue
            issues.append(WbsIssue(kind=kind, code=wp.code, message=msg, related=(p,)))
    return issues


def _cycles(wbs: Sequence[WorkPackage], _: Calendar) -> list[WbsIssue]:
    """Cycles in the leaf network, summaries expanded, so a loop through a phase is found."""
    links = leaf_links(wbs)
    acts = [
        Activity(code, 0, tuple(Link(lk.predecessor, lk.type) for lk in preds))
        for code, preds in links.items()
    ]
    try:
        topological_order(acts)
    except CycleError as err:
        return [
            WbsIssue(
                kind="dependency_cycle",
                code=err.cycle[0],
                message=str(err),
                related=tuple(err.cycle),
            )
        ]
    return []


def _estimates(wbs: Sequence[WorkPackage], _: Calendar) -> list[WbsIssue]:
    return [
        WbsIssue(
            kind="missing_estimate",
            code=wp.code,
            message=f"leaf {wp.code} ({wp.name}) has no estimate",
        )
        for wp in leaves(wbs)
        if wp.estimate is None
    ]


def _rollups(wbs: Sequence[WorkPackage], calendar: Calendar) -> list[WbsIssue]:
    """100 % rule: a parent that states an estimate must equal the sum of its children."""
    kids = children_of(wbs)
    totals = roll_up(wbs, calendar)
    issues = []
    for wp in wbs:
        if wp.code not in kids or wp.estimate is None:
            continue
        own = hours(wp.estimate, calendar).mean
        if wp.estimate.basis == "duration":
            continue  # a phase's duration is not the sum of its children's effort
        expected = totals[wp.code].mean
        if abs(own - expected) > ROLLUP_TOLERANCE * max(expected, 1.0):
            issues.append(
                WbsIssue(
                    kind="parent_not_rollup",
                    code=wp.code,
                    message=(
                        f"{wp.code} states {own:.1f} h but its children sum to {expected:.1f} h;"
                        " drop the parent's estimate or fix the children"
                    ),
                    related=tuple(kids[wp.code]),
                )
            )
    return issues


STRUCTURE: tuple[Rule, ...] = (_empty, _duplicates, _parents, _dependencies)
"""Rules about codes and the hierarchy; the rest assume these pass."""
CONTENT: tuple[Rule, ...] = (_cycles, _estimates, _rollups)


def validate_wbs(wbs: Sequence[WorkPackage], calendar: Calendar | None = None) -> list[WbsIssue]:
    """All issues of a WBS; empty when it is sound enough to estimate and schedule."""
    cal = calendar or Calendar()
    issues = [issue for rule in STRUCTURE for issue in rule(wbs, cal)]
    if issues:
        return issues
    return [issue for rule in CONTENT for issue in rule(wbs, cal)]
