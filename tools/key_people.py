"""Key-person risks: the named people a plan depends on, found from the team and the work.

A seasoned PM's register nearly always names the people the plan cannot do without: the only
DBA, the architect with six weeks of leave in the middle of the build. Templates and lessons
cannot know who they are; the team and the work can. Pure: the plan in, risks out, rules as
the constants below.
"""

from __future__ import annotations

from collections.abc import Sequence

from tools.budget import role_key
from tools.domain import Member, Plan, Range, Risk, Source
from tools.risk import effort_cost
from tools.roster import is_assumed
from tools.wbs import leaves

MAX_KEY_PEOPLE = 3
"""At most this many key-person risks: the register is for the few who matter most."""
SOLE_PROBABILITY = 0.2
"""The chance that the only holder of a role is out when the work needs them (illness, a
resignation, another priority) over a project of months."""
AWAY_PROBABILITY = 0.3
"""The chance when their leave is already planned: it may overlap the work that needs them,
or move."""
DELAY_DAYS = Range(low=5, likely=10, high=20)
"""Working days the work waits for cover."""
HANDOVER_DAYS = Range(low=3, likely=5, high=10)
"""Person-days of hand-over to whoever covers."""
NOT_KEY_ROLES = frozenset({"project manager"})
"""The PM writes the plan; their own absence is not a risk they register against themselves."""


def key_person_risks(plan: Plan, taken: Sequence[Risk]) -> list[Risk]:
    """A risk for each named person who is the only holder of a role the work needs, or who
    has leave planned, most exposed first (alone and away, then alone, then away); none for a
    person a risk already names."""
    work: dict[str, list[str]] = {}
    for wp in leaves(plan.wbs):
        if wp.level_of_effort:
            continue
        for d in wp.role_demands:
            work.setdefault(role_key(d.role), []).append(wp.code)
    holders: dict[str, int] = {}
    for m in plan.team.members:
        for r in m.roles:
            holders[role_key(r)] = holders.get(role_key(r), 0) + 1
    said = " ".join(f"{r.cause} {r.event} {r.effect}" for r in taken).lower()
    found = []
    for m in plan.team.members:
        if is_assumed(m) or m.name.lower() in said:
            continue
        roles = [r for r in m.roles if role_key(r) in work and role_key(r) not in NOT_KEY_ROLES]
        if not roles:
            continue
        role = max(roles, key=lambda r: len(work[role_key(r)]))
        alone = holders[role_key(role)] == 1
        if alone or m.absences:
            found.append((not alone, not m.absences, m.name, m, role))
    found.sort(key=lambda f: f[:3])
    n = len(taken)
    return [
        _risk(plan, m, role, work[role_key(role)], alone=not later, n=n + i + 1)
        for i, (later, _, _, m, role) in enumerate(found[:MAX_KEY_PEOPLE])
    ]


def _risk(plan: Plan, m: Member, role: str, codes: list[str], *, alone: bool, n: int) -> Risk:
    why = [f"{m.name} is the only {role} on the team"] if alone else []
    why += [f"{m.name} is away {a.start} to {a.finish}" for a in m.absences[:2]]
    rate = next(
        (v for r, v in plan.rate_card.hourly.items() if role_key(r) == role_key(role)), None
    )
    cost = (
        None
        if rate is None
        else effort_cost(HANDOVER_DAYS, rate, plan.calendar.hours_per_day, plan.rate_card.currency)
    )
    return Risk(
        id=f"R{n}",
        cause=" and ".join(why) + " (a key person, a single point of failure)",
        event=f"{m.name} is not available when the {role} work needs them (leave that moves,"
        " illness, a resignation or another priority)",
        effect=f"hold up {', '.join(codes[:4])}{' and more' if len(codes) > 4 else ''} until"
        " someone covers, and cost the hand-over",
        category="people",
        probability=SOLE_PROBABILITY if not m.absences else AWAY_PROBABILITY,
        schedule_impact_days=DELAY_DAYS,
        cost_impact=cost,
        owner="project manager",
        mitigation=f"Pair a second person with {m.name} on the {role} work from the start,"
        " keep its runbooks written down, and agree cover with their line manager.",
        contingency_plan=f"Bring in a contract {role} for the gap and re-plan the {role} work"
        f" around {m.name}'s return.",
        trigger=f"{m.name} is off unexpectedly, or their leave moves",
        work_packages=codes,
        source=_said(plan.brief.text, m.name),
    )


def _said(text: str, name: str) -> Source:
    """Where the brief names the person: the sentence (or line) that does, as its quote."""
    at = text.find(name)
    if at < 0:
        return Source(kind="assumption", ref="the team: key person")
    start = max(text.rfind("\n", 0, at), text.rfind(". ", 0, at) + 1, 0)
    ends = [i for i in (text.find("\n", at), text.find(". ", at)) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return Source(kind="brief", ref="the team: key person", quote=text[start:end].strip()[:300])
