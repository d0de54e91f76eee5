"""Life-cycle logic a PM would insist on, whoever drafted the WBS: build and test finish
before the (last) go-live, hypercare and decommissioning start after the (first) one.

A drafter (a template or a model) may leave a link out; the schedule then lets a go-live
happen while testing still runs. The engine adds the missing finish-to-start links, never one
that would close a loop, and says which. Which names mean what is data, below; a package that
prepares a go-live (its plan, runbook or rehearsal) is not one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tools.domain import Dependency, WorkPackage
from tools.wbs import leaf_links, leaves

GO_LIVE = re.compile(r"\b(?:go-?\s?live|cut-?\s?over|launch|switch-?\s?over)\b", re.I)
PREPARES = re.compile(r"\b(?:plan\w*|runbook|readiness|rehears\w*|dress|design|prepar\w*)\b", re.I)
GATES = re.compile(r"\b(?:build\w*|develop\w*|implement\w*|configur\w*|test\w*|uat)\b", re.I)
"""Work that must be done before the last go-live."""
AFTER = re.compile(r"\b(?:hypercare|decommission\w*|early life support|retire\w*)\b", re.I)
"""Work that only starts after the first go-live."""


def _go_live(wp: WorkPackage) -> bool:
    return (
        bool(GO_LIVE.search(wp.name)) and not PREPARES.search(wp.name) and not AFTER.search(wp.name)
    )


def _reach(start: str, nexts: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(nexts.get(start, ()))
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo += nexts.get(c, ())
    return seen


def enforce_gates(wbs: Sequence[WorkPackage]) -> tuple[list[WorkPackage], list[str]]:
    """The WBS with the missing life-cycle links added, and what was added."""
    work = [wp for wp in leaves(wbs) if not wp.level_of_effort]
    before: dict[str, set[str]] = {wp.code: set() for wp in work}
    after: dict[str, set[str]] = {wp.code: set() for wp in work}
    for code, links in leaf_links(wbs).items():
        for lk in links:
            if code in before and lk.predecessor in after:
                before[code].add(lk.predecessor)
                after[lk.predecessor].add(code)
    lives = [wp for wp in work if _go_live(wp)]
    if not lives:
        return list(wbs), []
    live_codes = {wp.code for wp in lives}
    last = [g for g in lives if not _reach(g.code, after) & live_codes]
    first = [g for g in lives if not _reach(g.code, before) & live_codes]
    added: dict[str, list[str]] = {}

    def link(pred: str, succ: str) -> None:
        if pred == succ or pred in _reach(succ, after) or pred in _reach(succ, before):
            return  # already ordered, or the link would close a loop
        added.setdefault(succ, []).append(pred)
        before[succ].add(pred)
        after[pred].add(succ)

    gates = [
        wp.code
        for wp in work
        if GATES.search(wp.name) and not _go_live(wp) and not AFTER.search(wp.name)
    ]
    gates.sort(key=lambda c: -len(_reach(c, before)))  # the latest first: no redundant links
    for g in last:
        for code in gates:
            link(code, g.code)
    for wp in work:
        if AFTER.search(wp.name) and not _go_live(wp):
            for g in first:
                link(g.code, wp.code)
    if not added:
        return list(wbs), []
    out = [
        wp.model_copy(
            update={
                "depends_on": [
                    *wp.depends_on,
                    *(Dependency(predecessor=p) for p in added[wp.code]),
                ]
            }
        )
        if wp.code in added
        else wp
        for wp in wbs
    ]
    said = "; ".join(f"{s} after {', '.join(ps)}" for s, ps in added.items())
    return out, [
        f"life-cycle links added (go-live after build and test, hypercare after go-live): {said}"
    ]
