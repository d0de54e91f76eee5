"""The team a plan is levelled against, from the people a brief names.

A brief names some people ("two DBAs, Priya full time and Tomasz at 60 %") and sometimes only a
size ("team of 4"). The roster keeps every named person as read, and fills the rest from the
roles the kind of project usually needs, saying so: an assumed person is an assumption a PM
must confirm, never a silent fact.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

from tools.brief import PersonCue
from tools.budget import role_key
from tools.domain import Member, Team
from tools.levelling import SENIORITY_RANK
from tools.money import Money


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "member"


SINGLE_ROLES = frozenset({"project manager"})
"""Roles a team has one of: a stated team size is filled with the others."""


def _counted(roles: Sequence[str]) -> str:
    return ", ".join(f"{n} {r}" if n > 1 else r for r, n in Counter(roles).items())


def build_team(
    people: Sequence[PersonCue], usual_roles: Sequence[str], team_size: int | None
) -> tuple[Team, list[str]]:
    """Members for the people read, plus assumed members up to the stated team size (or the
    usual team when the brief names nobody). Returns the team and the assumptions made."""
    members: list[Member] = []
    assumptions: list[str] = []
    counts: Counter[str] = Counter()

    def add(role: str, name: str | None, cue: PersonCue | None) -> None:
        counts[role] += 1
        member_id = f"{_slug(role)}-{counts[role]}"
        members.append(
            Member(
                id=member_id,
                name=name or assumed_name(role, counts[role]),
                roles=[role],
                availability=cue.availability if cue else 1.0,
                absences=list(cue.absences) if cue else [],
                external=cue.external if cue else False,
            )
        )

    for cue in people:
        for _ in range(cue.count):
            add(cue.role, cue.name, cue)
    wanted = team_size if team_size is not None else (0 if people else len(usual_roles))
    missing = list(usual_roles)
    for cue in people:
        if cue.role in missing:
            missing.remove(cue.role)
    listed = sum(cue.count for cue in people)
    assumed: list[str] = []
    # The roles the usual team lacks first, then the usual team again, up to the stated size.
    again = [r for r in usual_roles if r not in SINGLE_ROLES] or list(usual_roles)
    fill = missing + again * (wanted // max(len(again), 1) + 1)
    while len(members) < wanted and fill:
        role = fill.pop(0)
        add(role, None, None)
        assumed.append(role)
    if assumed and not people:
        size = f"a team of {team_size} but names nobody" if team_size else "no team"
        assumptions.append(
            f"the brief gives {size}; assumed the usual mix for this kind of project: "
            + _counted(assumed)
            + " (full time) — replace them with the real people"
        )
    elif assumed:
        assumptions.append(
            f"the brief gives a team of {team_size} but describes {listed}; assumed "
            + _counted(assumed)
            + " for the others — confirm who they are"
        )
    return Team(members=members), assumptions


DAYS_PER: dict[str, float] = {"day": 1.0, "week": 5.0, "month": 21.0}
"""Working days in each period a brief prices people by."""


def stated_rates(
    team: Team,
    people: Sequence[PersonCue],
    card: Mapping[str, Decimal],
    currency: str,
    *,
    hours_per_day: float,
    staff: tuple[Money, str] | None = None,
) -> tuple[dict[str, Decimal], list[str]]:
    """The rate card with the brief's own rates. A role's hourly rate becomes the average of
    its members', weighted by their time: each at the rate the brief gives them, else (staff,
    not contractors) at the rate the brief costs its own people at, else at the card's.
    Returns the rates that changed and why."""
    own = {p.name: p for p in people if p.name and p.rate and p.rate.currency == currency}
    staff_hourly = None
    if staff is not None and staff[0].currency == currency:
        staff_hourly = _hourly(staff[0].amount, staff[1], hours_per_day)
    by_role: dict[str, list[tuple[Member, Decimal | None]]] = {}
    for m in team.members:
        cue = own.get(m.name)
        rate = None
        if cue is not None and cue.rate is not None:
            rate = _hourly(cue.rate.amount, cue.per or "day", hours_per_day)
        elif staff_hourly is not None and not m.external:
            rate = staff_hourly
        by_role.setdefault(m.roles[0], []).append((m, rate))
    changed: dict[str, Decimal] = {}
    for role, group in sorted(by_role.items()):
        if all(rate is None for _, rate in group):
            continue
        weight = total = Decimal(0)
        for m, rate in group:
            hourly = rate if rate is not None else card.get(role)
            if hourly is not None:
                share = Decimal(str(m.availability))
                weight += share
                total += hourly * share
        if weight:
            changed[role] = (total / weight).quantize(Decimal("0.01"))
    notes = []
    if changed:
        listed = ", ".join(f"{r} {v}" for r, v in sorted(changed.items()))
        source = [f"{n} {p.rate} per {p.per or 'day'}" for n, p in own.items()]
        if staff_hourly is not None and staff is not None:
            source.insert(0, f"own people at {staff[0]} per {staff[1]}")
        notes.append(
            f"hourly rates from the brief ({'; '.join(source)[:300]}): {listed} {currency}"
        )
    return changed, notes


def _hourly(amount: Decimal, per: str, hours_per_day: float) -> Decimal:
    if per == "hour":
        return amount
    return amount / (Decimal(str(DAYS_PER.get(per, 1.0))) * Decimal(str(hours_per_day)))


def assumed_name(role: str, n: int) -> str:
    """The name of the n-th person assumed in a role the brief names nobody for ("Dba 2")."""
    return f"{role.capitalize()} {n}"


def is_assumed(m: Member) -> bool:
    """A member the team was filled up with, not a person the brief names."""
    return any(re.fullmatch(rf"{re.escape(r)} \d+", m.name, re.I) for r in m.roles)


OWNING_ROLE = "project manager"
"""Who owns a risk whose role nobody on the team fills: the PM, who will have to buy it in."""


def owner_for(role: str | None, team: Team) -> str | None:
    """A risk's owner as a person on the team: the most senior, most available of the
    organisation's own people in the role (a contractor only when nobody else holds it), as
    "Priya (dba)"; the PM when nobody holds the role; the role itself when nobody can. An
    owner already named that way is named again from its role (a re-draft, a changed team)."""
    if role and (named := re.fullmatch(r".+ \((.+)\)", role)):
        role = named.group(1)
    for wanted in dict.fromkeys(r for r in (role, OWNING_ROLE) if r):
        holders = [m for m in team.members if role_key(wanted) in {role_key(r) for r in m.roles}]
        if holders:
            best = max(
                holders,
                key=lambda m: (not m.external, SENIORITY_RANK[m.seniority], m.availability),
            )
            return f"{best.name} ({wanted})"
    return role
