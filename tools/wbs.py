"""The shape of a work breakdown: children, leaves, ancestors and leaf-level links.

A dependency on a summary package means a dependency on each of its leaves, and a leaf
inherits the dependencies of every summary above it; these helpers make that expansion once.
All walks guard against a parent loop so that validation can report it instead of hanging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tools.domain import Assignment, Estimate, Plan, Schedule, ScheduledTask, WorkPackage

LOE_ROLES = frozenset({"project manager", "programme manager", "program manager", "pmo"})
LOE_NAME = re.compile(r"\b(?:project|programme|program) management\b|\bPMO\b", re.I)
"""A package only a project manager works on, named for managing the project, is ongoing
work: level of effort."""


def children_of(wbs: Iterable[WorkPackage]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for wp in wbs:
        if wp.parent:
            out.setdefault(wp.parent, []).append(wp.code)
    return out


def ancestors(wbs: Iterable[WorkPackage]) -> dict[str, list[str]]:
    """Each package's parents, nearest first, stopping at a loop or an unknown parent."""
    by_code = {wp.code: wp for wp in wbs}
    out: dict[str, list[str]] = {}
    for code, wp in by_code.items():
        chain: list[str] = []
        parent, seen = wp.parent, {code}
        while parent and parent in by_code and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = by_code[parent].parent
        out[code] = chain
    return out


def leaf_codes_under(wbs: Iterable[WorkPackage]) -> Mapping[str, list[str]]:
    """Each package's leaf descendants in WBS order (a leaf maps to itself)."""
    packages = list(wbs)
    kids = children_of(packages)
    out: dict[str, list[str]] = {}

    def visit(code: str, seen: frozenset[str]) -> list[str]:
        if code in out:
            return out[code]
        below = [k for k in kids.get(code, []) if k not in seen]
        result = [leaf for k in below for leaf in visit(k, seen | {code})] if below else [code]
        out[code] = result
        return result

    for wp in packages:
        visit(wp.code, frozenset())
    return out


def leaves(wbs: Iterable[WorkPackage]) -> list[WorkPackage]:
    packages = list(wbs)
    kids = children_of(packages)
    return [wp for wp in packages if wp.code not in kids]


@dataclass(frozen=True, slots=True)
class LeafLink:
    predecessor: str
    type: str
    lag_days: float


def leaf_links(wbs: Iterable[WorkPackage]) -> dict[str, list[LeafLink]]:
    """Leaf-level predecessors of every leaf, summaries expanded; unknown codes dropped."""
    packages = list(wbs)
    by_code = {wp.code: wp for wp in packages}
    under = leaf_codes_under(packages)
    up = ancestors(packages)
    out: dict[str, list[LeafLink]] = {}
    for wp in leaves(packages):
        links: list[LeafLink] = []
        for owner in [wp.code, *up[wp.code]]:
            for dep in by_code[owner].depends_on:
                links.extend(
                    LeafLink(p, dep.type, dep.lag_days) for p in under.get(dep.predecessor, [])
                )
        out[wp.code] = list(dict.fromkeys(links))
    return out


def mark_level_of_effort(wbs: Iterable[WorkPackage]) -> list[WorkPackage]:
    """Project management as level of effort, whoever drafted it: a leaf only project managers
    work on, named for managing the project."""
    out = []
    parents = {wp.parent for wp in wbs if wp.parent}
    for wp in wbs:
        roles = {" ".join(d.role.lower().split()) for d in wp.role_demands}
        if (
            not wp.level_of_effort
            and wp.code not in parents
            and roles
            and roles <= LOE_ROLES
            and LOE_NAME.search(wp.name)
        ):
            out.append(wp.model_copy(update={"level_of_effort": True}))
        else:
            out.append(wp)
    return out


_NONE = Estimate(optimistic=0, likely=0, pessimistic=0, basis="duration")


def network_plan(plan: Plan) -> Plan:
    """The plan as the network and levelling see it: level-of-effort leaves take no time and
    no people (their dates are the project's, set by `span_level_of_effort`)."""
    loe = {wp.code for wp in leaves(plan.wbs) if wp.level_of_effort}
    if not loe:
        return plan
    wbs = [
        wp.model_copy(update={"estimate": _NONE, "role_demands": []}) if wp.code in loe else wp
        for wp in plan.wbs
    ]
    return plan.model_copy(update={"wbs": wbs})


def span_level_of_effort(plan: Plan, sched: Schedule) -> Schedule:
    """Level-of-effort leaves run from the project's start to its finish, off the critical
    path."""
    loe = {wp.code for wp in leaves(plan.wbs) if wp.level_of_effort}
    if not loe:
        return sched
    tasks = [
        ScheduledTask(
            code=t.code,
            early_start=sched.start,
            early_finish=sched.finish,
            late_start=sched.start,
            late_finish=sched.finish,
            total_float_days=0.0,
            free_float_days=0.0,
            critical=False,
        )
        if t.code in loe
        else t
        for t in sched.tasks
    ]
    path = [c for c in sched.critical_path if c not in loe]
    assignments = [a for a in sched.assignments if a.code not in loe]
    for wp in leaves(plan.wbs):
        if wp.code not in loe:
            continue
        for d in wp.role_demands:
            key = " ".join(d.role.lower().split())
            who = next((m for m in plan.team.members if key in {r.lower() for r in m.roles}), None)
            if who is not None:
                assignments.append(
                    Assignment(
                        code=wp.code, member_id=who.id, role=d.role, units=d.units, name=who.name
                    )
                )
    return sched.model_copy(
        update={"tasks": tasks, "critical_path": path, "assignments": assignments}
    )
