"""read_brief: every reader of the package in turn, into one BriefReading. Pure and
deterministic: the same text, `today` and settings give the same reading; nothing in a brief
is obeyed, only read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tools.brief.about import find_goal, find_title, read_constraints, read_lists
from tools.brief.costs import MoneyFacts, read_money
from tools.brief.dates import DateFacts, read_dates
from tools.brief.drivers import find_technologies, read_drivers
from tools.brief.kinds import score_archetypes
from tools.brief.model import BriefReading, Freeze, PersonCue
from tools.brief.spend import read_internal_excluded, read_staff_rate, read_unpriced
from tools.brief.team import PersonRead
from tools.brief.team import read_team as read_people
from tools.brief.team_lines import read_team
from tools.brief.text import (
    _Dates,
    _Doc,
    _Notes,
    build_doc,
    check_readable,
    clip,
    next_monday,
    tidy,
)
from tools.brief.words import MAX_TEXT
from tools.domain import Absence, BriefCost, BriefDate, BriefPerson, ProjectBrief
from tools.money import MAX_AMOUNT, Money
from tools.reading.dates import Order
from tools.reading.structure import Document, read_structure


def read_brief(
    text: str, *, today: date, date_order: Order = "dmy", fiscal_start: int = 1
) -> BriefReading:
    """Read a brief into a ProjectBrief plus the cues a drafter scales by. Raises BriefError
    only for a text no one could plan from; everything else unknown becomes an assumption.
    `date_order` reads "03/01/2027" (said in an assumption); `fiscal_start` is the first
    month of the fiscal year unless the brief says it."""
    check_readable(text)
    doc = build_doc(text)
    structure = read_structure(_mask(text, doc))
    notes = _Notes()
    for i in sorted(doc.injected):
        notes.assume(
            f"the brief contains text addressed to the planner, read as text and not followed: "
            f"'{clip(tidy(doc.words(i)), 160)}'"
        )
    title, title_index = find_title(doc, notes)
    goal = find_goal(doc, notes, title_index)
    scope, out_of_scope, list_sentences = read_lists(doc, notes)
    out_sentences = {i for i in list_sentences if doc.labels[i][0] != "scope"}
    scores, archetype = score_archetypes(doc, notes, title, out_sentences)
    facts = read_dates(structure, today=today, order=date_order, fiscal_start=fiscal_start)
    money = read_money(structure)
    for key, quote in {**facts.quotes, **money.quotes}.items():
        notes.quotes.setdefault(key, quote)
    for line in [*facts.assumptions, *money.assumptions]:
        notes.assume(line)
    budget = _budget(money, notes)
    old_dates = _old_dates(doc, facts, facts.start or next_monday(today))
    team = read_people(structure, archetype, facts.absences)
    if team.listed:
        people = [_cue(p) for p in team.people]
        team_size: int | None = team.size
        outside = team.outside
        for line in team.assumptions:
            notes.assume(line)
        for key, quote in team.quotes.items():
            notes.quotes.setdefault(key, quote)
        notes.quotes.setdefault("team", team.people[0].quote)
        if people and not any(p.role == "project manager" for p in people):
            people.append(PersonCue(role="project manager"))
            notes.assume("a project manager is assumed: the brief's team names none")
            team_size = (team_size or 0) + 1
    else:
        people, team_size, outside = read_team(doc, notes, archetype, old_dates)
    for words in outside:
        notes.assume(f"not counted as team members: {clip(words, 200)}")
    drivers = read_drivers(doc, notes)
    technologies = find_technologies(doc, notes)
    constraints = read_constraints(doc, notes, list_sentences)
    if not scope:
        notes.assume("the brief lists no scope; scope is read from its goal and the template")
    if len(text) > MAX_TEXT:
        notes.assume(
            f"the brief is {len(text)} characters long: its first {MAX_TEXT} are kept for the "
            "record, but all of it was read"
        )
    start, deadline = facts.start or next_monday(today), facts.deadline
    if start and deadline and deadline < start:
        notes.assume(
            f"the deadline read ({deadline}) is before the start ({start}); assumed no deadline"
        )
        deadline = None
    freezes = [
        Freeze(start=a, finish=b, reason=clip(r, 200), quote=q) for a, b, r, q in facts.freezes
    ]
    milestones = [(clip(w, 120), d) for w, d, _ in facts.milestones]
    total = sum(scores.values()) or 1.0
    kinds = {
        k: round(v / total, 2) for k, v in sorted(scores.items(), key=lambda kv: -kv[1]) if v > 0
    }
    currency = budget.currency if budget else None
    costs = [
        BriefCost(
            what=clip(c.what, 200),
            amount=(
                Money.of(c.amount, c.currency or currency or "")
                if c.amount is not None and (c.currency or currency)
                else None
            ),
            per="month" if c.per == "month" else None,
            in_budget=c.in_budget,
            quote=clip(c.quote, 300),
        )
        for c in [*money.costs, *read_unpriced(structure, money, scope)]
        if c.amount is None or c.amount > 0
    ]
    brief = ProjectBrief(
        title=title,
        text=text[:MAX_TEXT],
        goal=goal,
        archetype=archetype,
        scope=scope,
        out_of_scope=out_of_scope,
        start=start,
        deadline=deadline,
        budget=budget,
        budget_internal_labour=not (budget and _internal_excluded(structure, notes)),
        team_size=team_size,
        roles=list(dict.fromkeys(p.role for p in people)),
        technologies=technologies,
        constraints=constraints,
        kinds=kinds,
        people=[_brief_person(p) for p in people if p.name],
        non_labour=costs,
        freezes=[
            BriefDate(what=f.reason, start=f.start, finish=f.finish, quote=f.quote) for f in freezes
        ],
        milestones=[BriefDate(what=w, start=d, finish=d) for w, d in milestones],
        quotes=dict(notes.quotes),
    )
    return BriefReading(
        brief=brief,
        drivers=drivers,
        people=people,
        freezes=freezes,
        milestones=milestones,
        quotes=notes.quotes,
        assumptions=notes.assumptions,
        archetype_scores=scores,
        partners=[clip(words, 200) for words in outside],
        ignored=[doc.words(i) for i in sorted(doc.injected)],
        **_staff_rate(structure, notes, budget),
    )


def _mask(text: str, doc: _Doc) -> str:
    """The text with sentences addressed to the planner blanked (same length): they are read
    as text, never as facts."""
    chars = list(text)
    for i in doc.injected:
        s = doc.sentences[i]
        chars[s.start : s.end] = " " * (s.end - s.start)
    return "".join(chars)


def _budget(money: MoneyFacts, notes: _Notes) -> Money | None:
    if money.budget is None:
        notes.assume("the brief names no budget; none is assumed and no budget check is made")
        return None
    amount, currency = money.budget
    currency = currency or "USD"
    if amount <= 0 or amount > MAX_AMOUNT:
        size = "zero or negative" if amount <= 0 else "beyond any project"
        notes.assume(f"the budget read ({amount:,.0f} {currency}) is {size}; assumed none")
        return None
    return Money.of(amount, currency)


def _staff_rate(structure: Document, notes: _Notes, budget: Money | None) -> dict:
    found = read_staff_rate(structure)
    if found is None:
        return {}
    amount, quote = found
    currency = amount.currency or (budget.currency if budget else None)
    if currency is None:
        return {}
    notes.quotes.setdefault("staff_rate", quote)
    return {"staff_rate": Money.of(amount.value, currency), "staff_rate_per": amount.per or "day"}


def _internal_excluded(structure: Document, notes: _Notes) -> bool:
    quote = read_internal_excluded(structure)
    if quote:
        notes.quotes.setdefault("budget_internal_labour", quote)
        notes.assume(
            "the budget does not pay for the team's own time; the budget check counts only"
            f" external people and non-labour costs ('{clip(quote, 160)}')"
        )
    return bool(quote)


def _old_dates(doc: _Doc, facts: DateFacts, start: date) -> _Dates:
    """Leave by sentence, for the list reader of team lines."""
    out = _Dates(start=start)
    for first, last, sentence, quote in facts.absences:
        at = next((i for i in range(len(doc.sentences)) if quote in doc.words(i)), None)
        if at is not None and last >= first:
            out.absences.append((at, Absence(start=first, finish=last, reason=clip(sentence, 200))))
    return out


def _cue(p: PersonRead) -> PersonCue:
    return PersonCue(
        name=p.name,
        role=p.role,
        availability=p.share,
        absences=[Absence(start=a, finish=b, reason=q) for a, b, q in p.absences if b >= a],
        quote=clip(p.quote, 200),
        count=p.count,
        rate=Money.of(Decimal(str(p.rate[0])), p.rate[1]) if p.rate and p.rate[1] else None,
        per=p.rate[2] if p.rate and p.rate[1] else None,
        external=p.contractor,
    )


def _brief_person(p: PersonCue) -> BriefPerson:
    return BriefPerson(
        name=p.name,
        role=p.role,
        share=p.availability,
        rate=p.rate,
        per=p.per,
        count=1,
        leave=list(p.absences),
        quote=p.quote,
    )
