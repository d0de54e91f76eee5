"""A plan levelled against its team: who does what, when, within everyone's capacity.

The plan becomes a resource-constrained instance (`tools.rcpsp`) in half-day periods: each
role is a resource whose capacity per period is the sum of its people's availability on their
own calendars, in tenths of a full-time person. The solver's start times are then staffed with
named people, playing to skills and seniority, and the gaps a PM must act on are reported as
findings: roles nobody has, skills nobody has, demand above the team, single points of failure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.calendar import member_hours, roll_forward, working_dates, working_days_between
from tools.critical_path import Activity, Link, analyse
from tools.domain import Assignment, Member, Plan, Schedule
from tools.estimating import duration_days
from tools.rcpsp import (
    InfeasibleError,
    InfeasibleJobError,
    Instance,
    Job,
    Levelled,
    Precedence,
    level,
    precedence_from_link,
)
from tools.scheduling import dated
from tools.wbs import leaf_links, leaves

PERIODS_PER_DAY = 2
"""Half-day periods: fine enough for planning, coarse enough for an exact solver."""
UNIT = 10
ORIGIN = "__origin__"
"""Capacity and demand in tenths of a full-time person."""
SENIORITY_RANK = {"junior": 0, "mid": 1, "senior": 2, "lead": 3}

FindingKind = Literal[
    "missing_role", "skill_gap", "demand_above_team", "single_point_of_failure", "unstaffed"
]


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: FindingKind
    message: str
    work_packages: tuple[str, ...] = ()
    role: str | None = None


class LevelledPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule: Schedule
    makespan_days: float
    method: str
    optimal: bool
    findings: list[Finding]
    resource_edges: list[tuple[str, str]]
    """Pairs (before, after) that the levelling ordered: they keep the order under variation."""
    periods: dict[str, tuple[int, int]]
    """Each leaf's [start, end) in half-day periods from the first working day."""


@dataclass(frozen=True, slots=True)
class _Roster:
    """Who counts toward which role's capacity. A person with several roles the plan needs
    gives each an equal share of their time, so nobody's time is counted twice and no role
    they can fill is reported missing."""

    share: dict[tuple[str, str], float]  # (member id, role) -> share of their availability
    members: dict[str, list[Member]]  # role -> members with a share in it


def _key(role: str) -> str:
    return " ".join(role.lower().split())


def _roster(plan: Plan, needed: set[str]) -> _Roster:
    share: dict[tuple[str, str], float] = {}
    members: dict[str, list[Member]] = {}
    for m in plan.team.members:
        keys = list(dict.fromkeys(_key(r) for r in m.roles))
        roles = [k for k in keys if k in needed] or keys[:1]
        for role in roles:
            share[(m.id, role)] = 1.0 / len(roles)
            members.setdefault(role, []).append(m)
    return _Roster(share, members)


def _profile(
    members: Sequence[Member], plan: Plan, days: Sequence[date], share: Callable[[Member], float]
) -> tuple[int, ...]:
    """Capacity per period of a group of people, on their own calendars and absences."""
    out: list[int] = []
    for d in days:
        units = 0
        for m in members:
            hours = member_hours(m, plan.calendar, d)
            if hours:
                units += round(hours / plan.calendar.hours_per_day * share(m) * UNIT)
        out.extend([units] * PERIODS_PER_DAY)
    return tuple(out)


def _periods(days: float) -> int:
    return math.ceil(round(days * PERIODS_PER_DAY, 6))


@dataclass(frozen=True, slots=True)
class _Model:
    instance: Instance
    roles: tuple[str, ...]
    durations: dict[str, int]
    findings: list[Finding]


def _missing(role: str, codes: tuple[str, ...], why: str) -> Finding:
    """Work whose role the team cannot supply: it assumes a hire or contractor."""
    return Finding(
        kind="missing_role",
        role=role,
        work_packages=codes,
        message=f"{why}; {', '.join(codes)} assume(s) a hire or contractor and is not limited"
        " by capacity",
    )


def _model(plan: Plan, days: Sequence[date]) -> _Model:
    packages = leaves(plan.wbs)
    needed = {_key(d.role) for wp in packages for d in wp.role_demands}
    roster = _roster(plan, needed)
    start = days[0]
    findings: list[Finding] = []
    roles = tuple(sorted(r for r in needed if r in roster.members))
    for role in sorted(needed - set(roles)):
        codes = tuple(wp.code for wp in packages if role in {_key(d.role) for d in wp.role_demands})
        findings.append(_missing(role, codes, f"nobody on the team is a {role}"))
    capacity = tuple(
        _profile(roster.members[r], plan, days, lambda m, r=r: roster.share[(m.id, r)])
        for r in roles
    )
    peak = {r: max(c) for r, c in zip(roles, capacity, strict=True)}
    # What a job may ask of a role: what stays to the end when someone leaves for good
    # (the work then runs with fewer people for longer), else the most there ever is.
    limit = {r: c[-1] or peak[r] for r, c in zip(roles, capacity, strict=True)}
    for role in roles:
        if peak[role] == 0:  # everyone in the role is away for the whole horizon
            codes = tuple(
                wp.code for wp in packages if role in {_key(d.role) for d in wp.role_demands}
            )
            findings.append(_missing(role, codes, f"no {role} is available at any time"))
    jobs: list[Job] = []
    durations: dict[str, int] = {}
    for wp in packages:
        demand = dict.fromkeys(roles, 0)
        for d in wp.role_demands:
            if _key(d.role) in demand:
                demand[_key(d.role)] += round(d.units * UNIT)
        stretch = 1.0
        for role, units in demand.items():
            if peak[role] == 0:
                demand[role] = 0
            elif units > limit[role]:
                stretch = max(stretch, units / limit[role])
                findings.append(
                    Finding(
                        kind="demand_above_team",
                        role=role,
                        work_packages=(wp.code,),
                        message=f"{wp.code} needs {units / UNIT:g} {role} but the team has at most"
                        f" {limit[role] / UNIT:g}; it runs with fewer people for longer",
                    )
                )
                demand[role] = limit[role]
        days_needed = duration_days(wp, plan.calendar)
        if wp.estimate is not None and wp.estimate.basis == "effort":
            days_needed *= stretch
        durations[wp.code] = _periods(days_needed)
        jobs.append(Job(wp.code, durations[wp.code], tuple(demand[r] for r in roles)))
    precedences = [
        Precedence(
            lk.predecessor,
            code,
            precedence_from_link(
                durations[lk.predecessor],
                durations[code],
                lk.type,
                round(lk.lag_days * PERIODS_PER_DAY),
            ),
        )
        for code, links in leaf_links(plan.wbs).items()
        for lk in links
    ]
    # A start-no-earlier-than date is a distance from a zero-length origin job.
    released = [
        (wp.code, working_days_between(plan.calendar, start, wp.start_no_earlier_than))
        for wp in packages
        if wp.start_no_earlier_than and wp.start_no_earlier_than > start
    ]
    if released:
        jobs.append(Job(ORIGIN, 0, tuple(0 for _ in roles)))
        precedences += [Precedence(ORIGIN, code, n * PERIODS_PER_DAY) for code, n in released]
    instance = _instance(jobs, precedences, capacity, roles, findings)
    return _Model(instance, roles, durations, findings)


def _without_leavers(model: _Model) -> _Model:
    """When capacity runs out before the work is done (people leave the project for good and
    the work that needs them cannot finish before they go), the demands above what stays are
    taken out and reported: that work assumes a hire or contractor."""
    inst = model.instance
    final = [c[-1] for c in inst.capacity]
    findings = list(model.findings)
    jobs = []
    for job in inst.jobs:
        over = [i for i, q in enumerate(job.demands) if q > final[i]]
        j = job
        if over:
            j = Job(j.id, j.duration, tuple(0 if i in over else q for i, q in enumerate(j.demands)))
            for i in over:
                role = model.roles[i]
                why = f"{j.id} cannot finish before the last {role} leaves the project"
                findings.append(_missing(role, (j.id,), why))
        jobs.append(j)
    instance = Instance(tuple(jobs), inst.precedences, inst.capacity, inst.resource_names)
    return _Model(instance, model.roles, model.durations, findings)


def _instance(
    jobs: list[Job],
    precedences: list[Precedence],
    capacity: tuple[tuple[int, ...], ...],
    roles: tuple[str, ...],
    findings: list[Finding],
) -> Instance:
    """The instance, with every demand that no one can ever meet (the only people in a role
    leave or are away longer than the job lasts) taken out and reported as a missing role."""
    while True:
        try:
            return Instance(tuple(jobs), tuple(precedences), capacity, resource_names=roles)
        except InfeasibleJobError as exc:
            names = exc.resource.split(", ")
            gone = {roles.index(n) for n in names}
            jobs = [
                Job(j.id, j.duration, tuple(0 if i in gone else q for i, q in enumerate(j.demands)))
                if j.id == exc.job
                else j
                for j in jobs
            ]
            for role in names:
                why = (
                    f"{exc.job} needs a {role}, but nobody in that role is free for as long as"
                    " it lasts (absences, or people leaving the project)"
                )
                findings.append(_missing(role, (exc.job,), why))


def _resource_edges(model: _Model, starts: dict[str, int]) -> list[tuple[str, str]]:
    """Which job made which wait: a job that starts later than its predecessors allow waited
    for the jobs sharing a resource with it that finish exactly when it starts."""
    jobs = {j.id: j for j in model.instance.jobs}
    earliest = dict.fromkeys(jobs, 0)
    for p in model.instance.precedences:
        earliest[p.after] = max(earliest[p.after], starts[p.before] + p.delta)
    ends: dict[int, list[str]] = {}
    for j in jobs.values():
        ends.setdefault(starts[j.id] + j.duration, []).append(j.id)
    after: dict[str, set[str]] = {}
    for p in model.instance.precedences:
        after.setdefault(p.before, set()).add(p.after)

    def reaches(a: str, b: str) -> bool:
        """Whether precedences lead from a to b (a lead can let b run before a)."""
        seen, stack = {a}, [a]
        while stack:
            for nxt in after.get(stack.pop(), ()):
                if nxt == b:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    edges = []
    for j in jobs.values():
        if starts[j.id] <= earliest[j.id]:
            continue
        for other in ends.get(starts[j.id], []):
            shared = any(a and b for a, b in zip(j.demands, jobs[other].demands, strict=True))
            if other != j.id and shared and not reaches(j.id, other):
                edges.append((other, j.id))
    return edges


def _network(model: _Model, starts: dict[str, int], edges: list[tuple[str, str]]) -> list[Activity]:
    """The levelled plan as a CPM network: each job held at its levelled start, precedences as
    start-to-start distances, and the levelling's order as finish-to-start links."""
    links: dict[str, list[Link]] = {j.id: [] for j in model.instance.jobs}
    for p in model.instance.precedences:
        links[p.after].append(Link(p.before, "SS", p.delta))
    for before, after in edges:
        links[after].append(Link(before, "FS", 0))
    return [
        Activity(j.id, j.duration, tuple(links[j.id]), release=starts[j.id])
        for j in model.instance.jobs
    ]


def _fit(m: Member, skills: Sequence[str], critical: bool) -> tuple[int, int]:
    """How well a person fits: the levels of the demanded skills they have, then seniority
    (senior people first on critical work, junior people first elsewhere, to grow them)."""
    levels = {_key(s.name): s.level for s in m.skills}
    rank = SENIORITY_RANK[m.seniority]
    return (sum(levels.get(_key(s), 0) for s in skills), rank if critical else -rank)


def _staff(
    plan: Plan, model: _Model, starts: dict[str, int], critical: set[str], days: Sequence[date]
) -> tuple[list[Assignment], list[Finding]]:
    """Name people for each job in start order, within each person's own capacity."""
    roster = _roster(plan, set(model.roles))
    capacity = {
        key: _profile([m], plan, days, lambda _, f=fraction: f)
        for m in plan.team.members
        for key, fraction in roster.share.items()
        if key[0] == m.id
    }
    load: dict[tuple[str, str], dict[int, int]] = {key: {} for key in capacity}

    def free(key: tuple[str, str], s: int, e: int) -> int:
        cap = capacity[key]
        return min(cap[min(p, len(cap) - 1)] - load[key].get(p, 0) for p in range(s, e))

    by_code = {wp.code: wp for wp in plan.wbs}
    assignments: list[Assignment] = []
    findings: list[Finding] = []
    for job in sorted(model.instance.jobs, key=lambda j: (starts[j.id], j.id)):
        if job.id not in by_code or job.duration == 0:
            continue
        wp = by_code[job.id]
        s, e = starts[job.id], starts[job.id] + job.duration
        for role, demand in zip(model.roles, job.demands, strict=True):
            if not demand:
                continue
            want = demand
            skills = [k for d in wp.role_demands if _key(d.role) == role for k in d.skills]
            spelled = next(d.role for d in wp.role_demands if _key(d.role) == role)
            pool = sorted(
                roster.members[role],
                key=lambda m: (*_fit(m, skills, job.id in critical), -len(load[(m.id, role)])),
                reverse=True,
            )
            for m in pool:
                give = min(want, free((m.id, role), s, e))
                if give <= 0:
                    continue
                for p in range(s, e):
                    load[(m.id, role)][p] = load[(m.id, role)].get(p, 0) + give
                want -= give
                assignments.append(
                    Assignment(
                        code=job.id, member_id=m.id, role=spelled, units=give / UNIT, name=m.name
                    )
                )
                if want <= 0:
                    break
            if want > 0:
                findings.append(
                    Finding(
                        kind="unstaffed",
                        role=role,
                        work_packages=(job.id,),
                        message=f"{job.id} lacks {want / UNIT:g} {role} while it is scheduled:"
                        " people's part-time shares do not fit together",
                    )
                )
    return assignments, findings


def _gaps(plan: Plan, model: _Model, critical: set[str]) -> list[Finding]:
    """Skills no one in the role has, and roles that rest on one person's shoulders."""
    roster = _roster(plan, set(model.roles))
    findings: list[Finding] = []
    missing: dict[tuple[str, str], list[str]] = {}
    for wp in leaves(plan.wbs):
        for d in wp.role_demands:
            role = _key(d.role)
            have = {_key(s.name) for m in roster.members.get(role, []) for s in m.skills}
            for skill in d.skills:
                if role in roster.members and _key(skill) not in have:
                    missing.setdefault((role, skill), []).append(wp.code)
    for (role, skill), codes in sorted(missing.items()):
        findings.append(
            Finding(
                kind="skill_gap",
                role=role,
                work_packages=tuple(codes),
                message=f"no {role} on the team has {skill}, needed by {', '.join(codes)}:"
                " train, pair with an expert or bring one in",
            )
        )
    for role in model.roles:
        codes = tuple(
            j.id
            for j in model.instance.jobs
            if j.id in critical and j.demands[model.roles.index(role)]
        )
        if len(roster.members[role]) == 1 and codes:
            name = roster.members[role][0].name
            findings.append(
                Finding(
                    kind="single_point_of_failure",
                    role=role,
                    work_packages=codes,
                    message=f"{name} is the only {role} and is on the critical path"
                    f" ({', '.join(codes)}): plan a backup or cross-train",
                )
            )
    return findings


def level_plan(plan: Plan, *, time_limit_s: float = 1.0, seed: int = 0) -> LevelledPlan:
    """Level a plan against its team and staff it with named people."""
    cal = plan.calendar
    total = sum(duration_days(wp, cal) for wp in leaves(plan.wbs))
    horizon_days = 2 * math.ceil(total) + 20
    for wp in plan.wbs:
        if wp.start_no_earlier_than:
            horizon_days += max(0, (wp.start_no_earlier_than - plan.start).days)
    days = working_dates(cal, roll_forward(cal, plan.start), horizon_days)
    model = _model(plan, days)
    try:
        result: Levelled = level(model.instance, time_limit_s=time_limit_s, seed=seed)
    except InfeasibleError:
        model = _without_leavers(model)
        result = level(model.instance, time_limit_s=time_limit_s, seed=seed)
    starts = dict(result.starts)
    edges = _resource_edges(model, starts)
    acts = _network(model, starts, edges)
    net = analyse(acts)
    sched = dated(plan, [a for a in acts if a.code != ORIGIN], net, PERIODS_PER_DAY)
    critical = set(sched.critical_path)
    assignments, unstaffed = _staff(plan, model, starts, critical, days)
    return LevelledPlan(
        schedule=sched.model_copy(update={"assignments": assignments}),
        makespan_days=net.finish / PERIODS_PER_DAY,
        method=result.method,
        optimal=result.optimal,
        findings=[*model.findings, *_gaps(plan, model, critical), *unstaffed],
        resource_edges=[e for e in edges if ORIGIN not in e],
        periods={
            j.id: (starts[j.id], starts[j.id] + j.duration)
            for j in model.instance.jobs
            if j.id != ORIGIN
        },
    )


def overbookings(plan: Plan, result: LevelledPlan) -> list[tuple[str, date, float, float]]:
    """(member, day, units booked, units available) wherever a levelled plan books someone
    beyond their calendar, absences and availability: empty for a feasible staffing. Written
    apart from the levelling arithmetic so that tests and benchmarks can judge it."""
    members = {m.id: m for m in plan.team.members}
    horizon = max((end for _, end in result.periods.values()), default=0)
    days = working_dates(plan.calendar, roll_forward(plan.calendar, plan.start), horizon + 2)
    load: dict[tuple[str, int], float] = {}
    for a in result.schedule.assignments:
        start, end = result.periods[a.code]
        for period in range(start, end):
            load[(a.member_id, period)] = load.get((a.member_id, period), 0.0) + a.units
    out = []
    for (mid, period), units in sorted(load.items()):
        day = days[period // PERIODS_PER_DAY]
        cap = member_hours(members[mid], plan.calendar, day) / plan.calendar.hours_per_day
        if units > cap + 1e-9:
            out.append((mid, day, units, cap))
    return out
