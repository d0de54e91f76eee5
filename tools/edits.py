"""Edits to a plan, as typed operations: what a follow-up message in the chat turns into.

A message ("add a pilot phase before cut-over", "we lose one DBA from March", "what if the
budget is $100k?") is read into operations, by the rules below or by a model; either way an
operation is only data, and `apply_edit` alone changes the plan. Locked packages are never
changed or removed by an edit; locking is itself an edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from statistics import median
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from tools.assessment import Assessment
from tools.domain import (
    Absence,
    Budget,
    Code,
    Dependency,
    Estimate,
    Member,
    Plan,
    RoleDemand,
    Source,
    Team,
    WorkPackage,
)
from tools.money import Money
from tools.reading.dates import find_dates
from tools.reading.money import Amount, find_amounts
from tools.reading.numbers import find_numbers
from tools.vocabulary import ROLES


class EditError(ValueError):
    """An edit that cannot apply to this plan (unknown package, a locked one, no such role)."""


RoleWord = Annotated[
    str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z][A-Za-z0-9 ./&+-]*$")
]
"""A role as people write it ("dba", "solution architect"): words, not markup or paths."""


class _Op(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def _op_is_required(schema: dict[str, Any]) -> None:
    """Edits are told apart by `op` (a discriminated union): a client must send it."""
    schema["required"] = ["op", *schema.get("required", [])]


class _Edit(_Op):
    model_config = ConfigDict(json_schema_extra=_op_is_required)


AMOUNT = r"^([1-9][0-9]{0,14}(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$"
"""A positive decimal under 10^15, written out: what `SetBudget.amount` takes as a string."""
AMOUNT_SCHEMA = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10**15},
        {"type": "string", "pattern": AMOUNT},
    ]
}


def _amount_as_written(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(AMOUNT, value):
        raise ValueError("an amount is a positive decimal number, like 120000 or 99.50")
    return value


class AddPhase(_Edit):
    op: Literal["add_phase"] = "add_phase"
    name: Annotated[str, Field(min_length=1, max_length=200)]
    before: Code
    """Code of the package the new work must finish before."""


class LoseMember(_Edit):
    op: Literal["lose_member"] = "lose_member"
    role: RoleWord
    start: Annotated[date, Field(strict=False)]


class AddMember(_Edit):
    op: Literal["add_member"] = "add_member"
    role: RoleWord
    availability: float = Field(default=1.0, ge=0.1, le=1.0)


class SetBudget(_Edit):
    op: Literal["set_budget"] = "set_budget"
    amount: Annotated[
        Decimal,
        BeforeValidator(_amount_as_written),
        Field(gt=0, lt=Decimal(10) ** 15, strict=False),
        WithJsonSchema(AMOUNT_SCHEMA),
    ]
    currency: str | None = None
    """As the message gave it; an edit in another currency than the plan's is refused."""


class SetDeadline(_Edit):
    op: Literal["set_deadline"] = "set_deadline"
    deadline: Annotated[date, Field(strict=False)]


class Remove(_Edit):
    op: Literal["remove"] = "remove"
    code: Code


class Lock(_Edit):
    op: Literal["lock"] = "lock"
    code: Code
    locked: bool = True


Edit = Annotated[
    AddPhase | LoseMember | AddMember | SetBudget | SetDeadline | Remove | Lock,
    Field(discriminator="op"),
]


class EditList(_Op):
    edits: list[Edit] = Field(default_factory=list, max_length=10)


# --- reading a message into edits (the offline rules) --------------------------------------

ROLE_WORDS: dict[str, str] = {
    "dba": "dba",
    "database administrator": "dba",
    "developer": "developer",
    "dev": "developer",
    "engineer": "developer",
    "tester": "tester",
    "qa": "tester",
    "architect": "solution architect",
    "analyst": "business analyst",
    "ba": "business analyst",
    "pm": "project manager",
    "project manager": "project manager",
    **{r: r for r in ROLES},
}
"""Words for roles in a chat message, longest first when matched."""

_ROLE_RE = "|".join(re.escape(w) for w in sorted(ROLE_WORDS, key=len, reverse=True))
_ADD_PHASE = re.compile(
    r"\badd (?:an? |the )?(?P<name>[\w ,/&'-]{2,80}?)\s*(?:phase|step|stage|package)?\s+"
    r"(?:before|ahead of|prior to)\s+(?:the\s+)?(?P<target>[\w /&'-]{2,80})",
    re.IGNORECASE,
)
_LOSE = re.compile(
    rf"\b(?:lose|losing|lost|without)\s+(?:one|a|an|1|our|the)?\s*(?P<role>{_ROLE_RE})s?\b",
    re.IGNORECASE,
)
_FROM = re.compile(r"\b(?:from|after|as of|starting)\s+", re.IGNORECASE)
_GAIN = re.compile(
    rf"\b(?:add|get|gain|hire|another|extra)\s+(?:one|a|an|1|another|extra)?\s*(?:more\s+)?"
    rf"(?P<role>{_ROLE_RE})s?\b(?:.*?(?P<pct>\d{{1,3}})\s?%)?",
    re.IGNORECASE,
)
_BUDGET = re.compile(r"\bbudget\b[^.?!]*?(?:is|of|to|=|at|were|was|becomes)\s+", re.IGNORECASE)
_DEADLINE = re.compile(
    r"\b(?:deadline|finish|go-live|done)\b[^.?!]*?\b(?:is|to|by|on)\s+", re.IGNORECASE
)
_CODE = r"(?P<code>[A-Za-z0-9][A-Za-z0-9._-]*)"
_REMOVE = re.compile(rf"\b(?:remove|drop|descope|cut|delete)\s+(?:package\s+)?{_CODE}", re.I)
_LOCK = re.compile(rf"\b(?P<verb>lock|unlock|pin|unpin)\s+(?:package\s+)?{_CODE}", re.I)


def _date(text: str, after: date, *, last: bool = False) -> date | None:
    """The first date in a message, read by the reading layer that reads briefs: a date
    without a year is the next one on or after `after`; `last` takes the end of a period
    ("end of June", "Q3") rather than its first day."""
    found = find_dates(text, today=after, not_before=after)
    if not found:
        return None
    span = found[0]
    return span.last if last and span.precision not in ("day", "week") else span.first


def _amount(text: str) -> tuple[Decimal, str | None] | None:
    """The first amount in a message, with its currency when the message gives one; read by
    the reading layer that reads briefs ("1,2 Mio. EUR", "470k", "half a million")."""
    found = find_amounts(text, bare=True) or [
        Amount(0, 0, value, None) for _, _, value in find_numbers(text)[:1]
    ]
    return (found[0].value, found[0].currency) if found else None


def find_package(plan: Plan, phrase: str) -> WorkPackage | None:
    """The package a phrase names: its code, else the name sharing most words with it."""
    phrase = phrase.strip().rstrip(".?!").lower()
    by_code = {wp.code.lower(): wp for wp in plan.wbs}
    if phrase in by_code:
        return by_code[phrase]
    want = set(re.findall(r"[a-z0-9]+", phrase.replace("-", ""))) - {"the", "a", "an", "phase"}
    best, best_n = None, 0
    for wp in plan.wbs:
        have = set(re.findall(r"[a-z0-9]+", wp.name.lower().replace("-", "")))
        n = len(want & have)
        if n > best_n or (n == best_n and n and wp.parent is None and best and best.parent):
            best, best_n = wp, n
    return best


def read_edits(message: str, plan: Plan) -> list[Edit]:
    """The edits a chat message asks for, by the rules above; [] when it asks for none."""
    edits: list[Edit] = []
    if m := _ADD_PHASE.search(message):
        target = find_package(plan, m.group("target"))
        if target is not None:
            name = m.group("name").strip()
            edits.append(AddPhase(name=name[:1].upper() + name[1:], before=target.code))
    if m := _LOSE.search(message):
        after = _FROM.search(message, m.end())
        when = (_date(message[after.end() :], plan.start) if after else None) or plan.start
        edits.append(LoseMember(role=ROLE_WORDS[m.group("role").lower()], start=when))
    elif (m := _GAIN.search(message)) and not _ADD_PHASE.search(message):
        pct = int(m.group("pct")) / 100 if m.group("pct") else 1.0
        role = ROLE_WORDS[m.group("role").lower()]
        edits.append(AddMember(role=role, availability=min(max(pct, 0.1), 1.0)))
    if m := _BUDGET.search(message):
        found = _amount(message[m.end() :])
        if found is not None and found[0] > 0:
            edits.append(SetBudget(amount=found[0], currency=found[1]))
    if m := _DEADLINE.search(message):
        when = _date(message[m.end() :], plan.start, last=True)
        if when is not None:
            edits.append(SetDeadline(deadline=when))
    for m in _REMOVE.finditer(message):
        if any(wp.code == m.group("code") for wp in plan.wbs):
            edits.append(Remove(code=m.group("code")))
    for m in _LOCK.finditer(message):
        if any(wp.code == m.group("code") for wp in plan.wbs):
            edits.append(
                Lock(code=m.group("code"), locked=m.group("verb").lower() in ("lock", "pin"))
            )
    return edits


# --- applying edits ----------------------------------------------------------------------

FOR_GOOD = date(9999, 12, 31)
"""The end of the absence of a person who leaves the project: past any horizon."""


def _source(message: str) -> Source:
    return Source(kind="assumption", ref="chat edit", quote=message[:400] or None)


def _leaves(plan: Plan) -> list[WorkPackage]:
    parents = {wp.parent for wp in plan.wbs if wp.parent}
    return [wp for wp in plan.wbs if wp.code not in parents]


def _check_unlocked(plan: Plan, code: str) -> WorkPackage:
    wp = next((w for w in plan.wbs if w.code == code), None)
    if wp is None:
        raise EditError(f"no work package {code}")
    if wp.locked:
        raise EditError(f"{code} ({wp.name}) is locked; unlock it first")
    return wp


def _subtree(plan: Plan, code: str) -> set[str]:
    """A package and everything under it."""
    inside = {code}
    grew = True
    while grew:
        more = {wp.code for wp in plan.wbs if wp.parent in inside} - inside
        grew = bool(more)
        inside |= more
    return inside


def _entry_links(plan: Plan, target: WorkPackage) -> list[Dependency]:
    """What work must wait for before `target` starts: its own links and, for a summary, the
    links of its packages to work outside it."""
    inside = _subtree(plan, target.code)
    links = {d.predecessor: d for d in target.depends_on}
    for wp in plan.wbs:
        if wp.code in inside:
            links.update({d.predecessor: d for d in wp.depends_on if d.predecessor not in inside})
    return [d.model_copy(update={"type": "FS", "lag_days": 0.0}) for d in links.values()]


def _add_phase(plan: Plan, edit: AddPhase, message: str) -> Plan:
    target = next((w for w in plan.wbs if w.code == edit.before), None)
    if target is None:
        raise EditError(f"no work package {edit.before}")
    leaves = _leaves(plan)
    effort = [wp.estimate.likely for wp in leaves if wp.estimate and wp.estimate.basis == "effort"]
    likely = round(median(effort), 1) if effort else 5.0
    codes = {wp.code for wp in plan.wbs}
    n = 1
    while f"P{n}" in codes:
        n += 1
    code = f"P{n}"
    first_leaves = [w for w in leaves if target.code in (w.code, w.parent)]
    anchor = first_leaves[0] if first_leaves else target
    new = WorkPackage(
        code=code,
        name=edit.name,
        parent=target.parent,
        deliverable=f"{edit.name} completed and signed off before {target.name.lower()}",
        role_demands=list(anchor.role_demands) or [RoleDemand(role="project manager")],
        estimate=Estimate(
            optimistic=round(likely * 0.6, 1), likely=likely, pessimistic=round(likely * 2, 1)
        ),
        depends_on=_entry_links(plan, target),
        source=_source(message),
    )
    wbs = []
    for wp in plan.wbs:
        if wp.code == target.code:
            wbs += [new, wp.model_copy(update={"depends_on": [Dependency(predecessor=code)]})]
        else:
            wbs.append(wp)
    return Plan(**{**dict(plan), "wbs": wbs})


def _lose_member(plan: Plan, edit: LoseMember) -> Plan:
    holders = [m for m in plan.team.members if edit.role in m.roles]
    if not holders:
        raise EditError(f"nobody on the team is a {edit.role}")
    leaving = holders[-1]
    away = Absence(start=edit.start, finish=FOR_GOOD, reason="leaves the project")
    members = [
        m.model_copy(update={"absences": [*m.absences, away]}) if m.id == leaving.id else m
        for m in plan.team.members
    ]
    note = f"{leaving.name} ({edit.role}) leaves the project from {edit.start.isoformat()}"
    return Plan(
        **{**dict(plan), "team": Team(members=members), "assumptions": [*plan.assumptions, note]}
    )


def _add_member(plan: Plan, edit: AddMember) -> Plan:
    ids = {m.id for m in plan.team.members}
    n = 1
    while f"{edit.role.replace(' ', '-')}-new-{n}" in ids:
        n += 1
    member = Member(
        id=f"{edit.role.replace(' ', '-')}-new-{n}",
        name=f"New {edit.role} {n}",
        roles=[edit.role],
        availability=edit.availability,
    )
    hourly = dict(plan.rate_card.hourly)
    note = f"a new {edit.role} joins at {edit.availability:.0%}"
    if edit.role not in hourly:
        note += "; no rate for the role yet, add one to price their work"
    return Plan(
        **{
            **dict(plan),
            "team": Team(members=[*plan.team.members, member]),
            "assumptions": [*plan.assumptions, note],
        }
    )


def _set_budget(plan: Plan, edit: SetBudget) -> Plan:
    currency = plan.rate_card.currency
    if edit.currency is not None and edit.currency != currency:
        raise EditError(f"the plan is priced in {currency}; give the budget in {currency}")
    limit = Money(amount=edit.amount, currency=currency)
    budget = plan.budget.model_copy(update={"limit": limit}) if plan.budget else Budget(limit=limit)
    brief = plan.brief.model_copy(update={"budget": limit})
    return Plan(**{**dict(plan), "budget": budget, "brief": brief})


def _set_deadline(plan: Plan, edit: SetDeadline) -> Plan:
    if edit.deadline < plan.start:
        raise EditError(f"the deadline {edit.deadline} is before the start {plan.start}")
    return Plan(
        **{**dict(plan), "brief": plan.brief.model_copy(update={"deadline": edit.deadline})}
    )


def _remove(plan: Plan, edit: Remove) -> Plan:
    _check_unlocked(plan, edit.code)
    gone = _subtree(plan, edit.code)
    if any(wp.locked for wp in plan.wbs if wp.code in gone):
        raise EditError(f"{edit.code} holds a locked package; unlock it first")
    removed = {wp.code: wp for wp in plan.wbs if wp.code in gone}
    wbs = []
    for wp in plan.wbs:
        if wp.code in gone:
            continue
        deps: list[Dependency] = []
        for d in wp.depends_on:
            if d.predecessor in removed:
                deps += removed[d.predecessor].depends_on  # keep the chain through the gap
            else:
                deps.append(d)
        deps = [d for d in {d.predecessor: d for d in deps}.values() if d.predecessor not in gone]
        wbs.append(wp.model_copy(update={"depends_on": deps}) if deps != wp.depends_on else wp)
    risks = plan.risks.model_copy(
        update={
            "risks": [
                r.model_copy(
                    update={"work_packages": [c for c in r.work_packages if c not in gone]}
                )
                for r in plan.risks.risks
            ]
        }
    )
    non_labour = [
        c.model_copy(update={"work_package": None}) if c.work_package in gone else c
        for c in plan.non_labour
    ]
    return Plan(**{**dict(plan), "wbs": wbs, "risks": risks, "non_labour": non_labour})


def _lock(plan: Plan, edit: Lock) -> Plan:
    if not any(wp.code == edit.code for wp in plan.wbs):
        raise EditError(f"no work package {edit.code}")
    wbs = [
        wp.model_copy(update={"locked": edit.locked}) if wp.code == edit.code else wp
        for wp in plan.wbs
    ]
    return Plan(**{**dict(plan), "wbs": wbs})


def apply_edits(plan: Plan, edits: Sequence[Edit], message: str = "") -> Plan:
    """The plan with every edit applied in order; EditError names the first that cannot."""
    for edit in edits:
        match edit:
            case AddPhase():
                plan = _add_phase(plan, edit, message)
            case LoseMember():
                plan = _lose_member(plan, edit)
            case AddMember():
                plan = _add_member(plan, edit)
            case SetBudget():
                plan = _set_budget(plan, edit)
            case SetDeadline():
                plan = _set_deadline(plan, edit)
            case Remove():
                plan = _remove(plan, edit)
            case Lock():
                plan = _lock(plan, edit)
    return plan


def describe(edit: Edit) -> str:
    """An edit in words, for the chat's reply."""
    match edit:
        case AddPhase():
            return f"added “{edit.name}” before {edit.before}"
        case LoseMember():
            return f"one {edit.role} leaves from {edit.start.isoformat()}"
        case AddMember():
            return f"added a {edit.role} at {edit.availability:.0%}"
        case SetBudget():
            return f"budget set to {edit.amount:,}"
        case SetDeadline():
            return f"deadline set to {edit.deadline.isoformat()}"
        case Remove():
            return f"removed {edit.code}"
        case Lock():
            return f"{'locked' if edit.locked else 'unlocked'} {edit.code}"
    return str(edit)


# --- what an edit changed ----------------------------------------------------------------


class Change(_Op):
    what: str
    before: str
    after: str


def _finish(a: Assessment) -> str:
    if a.forecast is not None:
        return a.forecast.p80_finish.isoformat()
    return a.schedule.finish.isoformat() if a.schedule else "not scheduled"


def changes(before: Assessment, after: Assessment) -> list[Change]:
    """What a PM compares after an edit: P80 finish and cost, the budget verdict and total,
    the critical path, the risks and the issues. Only what differs is listed."""

    def cost(a: Assessment) -> str:
        return str(a.forecast.p80_cost) if a.forecast is not None else "—"

    def verdict(a: Assessment) -> str:
        b = a.budget_check
        return f"{b.verdict} ({b.total} of {b.budget})" if b is not None else "not checked"

    def path(a: Assessment) -> str:
        return ", ".join(a.schedule.critical_path) if a.schedule else "—"

    def chance(a: Assessment, field: str) -> str:
        value = getattr(a.forecast, field) if a.forecast is not None else None
        return "—" if value is None else f"{value:.0%}"

    rows = [
        ("P80 finish", _finish(before), _finish(after)),
        (
            "chance of meeting the deadline",
            chance(before, "p_meet_deadline"),
            chance(after, "p_meet_deadline"),
        ),
        (
            "chance of staying within budget",
            chance(before, "p_meet_budget"),
            chance(after, "p_meet_budget"),
        ),
        ("P80 cost", cost(before), cost(after)),
        ("budget", verdict(before), verdict(after)),
        ("critical path", path(before), path(after)),
        ("risks", str(len(before.risks)), str(len(after.risks))),
        ("WBS issues", str(len(before.issues)), str(len(after.issues))),
        ("work packages", str(len(before.wbs)), str(len(after.wbs))),
    ]
    return [Change(what=w, before=b, after=a) for w, b, a in rows if b != a]
