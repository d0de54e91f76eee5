"""The critical path method on integer time units, with FS/SS/FF/SF links and lags.

Time is an integer count of working-time units from the project start (pmpilot uses working
minutes), so float drift never decides what is critical. Dates are the calendar's business
(`tools.scheduling`); this module is pure graph arithmetic.

Each link type is a row of data: which end of the predecessor (start or finish) constrains
which end of the successor. Forward and backward passes read the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

End = Literal["start", "finish"]

LINK_ENDS: dict[str, tuple[End, End]] = {
    # type: (end of predecessor, end of successor it constrains)
    "FS": ("finish", "start"),
    "SS": ("start", "start"),
    "FF": ("finish", "finish"),
    "SF": ("start", "finish"),
}


@dataclass(frozen=True, slots=True)
class Link:
    predecessor: str
    type: str = "FS"
    lag: int = 0


@dataclass(frozen=True, slots=True)
class Activity:
    code: str
    duration: int
    links: tuple[Link, ...] = ()
    release: int = 0  # start no earlier than this offset


@dataclass(frozen=True, slots=True)
class Timing:
    early_start: int
    early_finish: int
    late_start: int
    late_finish: int
    total_float: int
    free_float: int

    @property
    def critical(self) -> bool:
        return self.total_float <= 0


@dataclass(frozen=True, slots=True)
class Network:
    timings: dict[str, Timing]
    finish: int
    order: tuple[str, ...]  # a topological order
    critical_path: tuple[str, ...] = field(default=())


class NetworkError(ValueError):
    """The activity network cannot be analysed."""


class CycleError(NetworkError):
    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__("dependency cycle: " + " -> ".join([*self.cycle, self.cycle[0]]))


class UnknownActivityError(NetworkError):
    def __init__(self, code: str, predecessor: str) -> None:
        self.code, self.predecessor = code, predecessor
        super().__init__(f"{code} depends on unknown activity {predecessor}")


def topological_order(activities: Sequence[Activity]) -> list[str]:
    """Kahn's order (ties by input order); raises CycleError naming one cycle."""
    codes = {a.code: a for a in activities}
    if len(codes) != len(activities):
        seen: set[str] = set()
        dupe = next(a.code for a in activities if a.code in seen or seen.add(a.code))
        raise NetworkError(f"duplicate activity {dupe}")
    indegree = dict.fromkeys(codes, 0)
    successors: dict[str, list[str]] = {c: [] for c in codes}
    for a in activities:
        for link in a.links:
            if link.predecessor not in codes:
                raise UnknownActivityError(a.code, link.predecessor)
            if link.type not in LINK_ENDS:
                raise NetworkError(f"{a.code}: unknown link type {link.type!r}")
            successors[link.predecessor].append(a.code)
            indegree[a.code] += 1
    ready = [c for c in codes if indegree[c] == 0]
    order: list[str] = []
    i = 0
    while i < len(ready):
        c = ready[i]
        i += 1
        order.append(c)
        for s in successors[c]:
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    if len(order) < len(codes):
        raise CycleError(_find_cycle({c for c in codes if indegree[c] > 0}, codes))
    return order


def _find_cycle(remaining: set[str], codes: dict[str, Activity]) -> list[str]:
    """Walk predecessors inside the unresolved set until a node repeats."""
    start = min(remaining)
    path: list[str] = []
    index: dict[str, int] = {}
    node = start
    while node not in index:
        index[node] = len(path)
        path.append(node)
        node = next(lk.predecessor for lk in codes[node].links if lk.predecessor in remaining)
    cycle = path[index[node] :]
    cycle.reverse()  # predecessor -> successor order
    return cycle


def _at(end: End, start: int, finish: int) -> int:
    return start if end == "start" else finish


def analyse(activities: Sequence[Activity]) -> Network:
    """Forward and backward pass: early and late dates, total and free float.

    Activities start no earlier than 0 (the project start) or their release. The project
    finishes at the latest early finish; late dates are taken against that finish.
    """
    order = topological_order(activities)
    by_code = {a.code: a for a in activities}
    es: dict[str, int] = {}
    ef: dict[str, int] = {}
    for code in order:
        a = by_code[code]
        start = max(0, a.release)
        for link in a.links:
            pred_end, succ_end = LINK_ENDS[link.type]
            bound = _at(pred_end, es[link.predecessor], ef[link.predecessor]) + link.lag
            start = max(start, bound if succ_end == "start" else bound - a.duration)
        es[code], ef[code] = start, start + a.duration
    finish = max(ef.values(), default=0)

    successors: dict[str, list[tuple[str, Link]]] = {c: [] for c in order}
    for a in activities:
        for link in a.links:
            successors[link.predecessor].append((a.code, link))
    timings: dict[str, Timing] = {}
    for code in reversed(order):
        d = by_code[code].duration
        late_finish = finish
        free = finish - ef[code]
        for succ, link in successors[code]:
            pred_end, succ_end = LINK_ENDS[link.type]
            t = timings[succ]
            bound = _at(succ_end, t.late_start, t.late_finish) - link.lag
            late_finish = min(late_finish, bound if pred_end == "finish" else bound + d)
            slack = _at(succ_end, es[succ], ef[succ]) - link.lag
            free = min(free, slack - _at(pred_end, es[code], ef[code]))
        timings[code] = Timing(
            early_start=es[code],
            early_finish=ef[code],
            late_start=late_finish - d,
            late_finish=late_finish,
            total_float=late_finish - ef[code],
            free_float=max(0, free),
        )
    position = {c: i for i, c in enumerate(order)}
    critical = tuple(
        sorted(
            (c for c in order if timings[c].critical),
            key=lambda c: (es[c], ef[c], position[c]),
        )
    )
    return Network(
        timings={c: timings[c] for c in order},
        finish=finish,
        order=tuple(order),
        critical_path=critical,
    )
