"""What a model says a brief states, checked by code before anything is believed.

A model reads the brief too and claims facts, each with a verbatim quote. A claim counts only
when its quote is in the brief and the value re-read from the quote by the reading layer is
the value claimed; the rules' reading stands where both read a fact, and a disagreement is
said in the plan. A fact only the model found, and that checks out, fills the gap (said too).
Pure: the claims, the reading and the text in; a new reading out.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from tools.brief.costs import is_outside_words
from tools.brief.model import BriefReading
from tools.domain import BriefCost, ProjectBrief
from tools.money import Money
from tools.reading.dates import find_dates
from tools.reading.money import find_amounts
from tools.reading.numbers import find_numbers


class _Claim(BaseModel):
    model_config = ConfigDict(extra="ignore")


class QuotedValue(_Claim):
    value: str = Field(max_length=200)
    quote: str = Field(max_length=600)


class PersonClaim(_Claim):
    name: str = Field(max_length=120)
    role: str = Field(default="", max_length=120)
    quote: str = Field(max_length=600)


class CostClaim(_Claim):
    what: str = Field(max_length=200)
    quote: str = Field(max_length=600)


class BriefClaims(_Claim):
    """The model's reading of a brief: each fact with the words it was copied from."""

    start: QuotedValue | None = None
    deadline: QuotedValue | None = None
    budget: QuotedValue | None = None
    team_size: QuotedValue | None = None
    people: list[PersonClaim] = Field(default_factory=list, max_length=60)
    non_labour: list[CostClaim] = Field(default_factory=list, max_length=60)


def _squash(text: str) -> str:
    return re.sub(r"[\s*_`]+", " ", text).strip()


def found_in(quote: str, text: str) -> bool:
    """A quote is in the brief when it is, spaces and Markdown emphasis aside."""
    q = _squash(quote)
    return bool(q) and q in _squash(text)


def _date(claim: QuotedValue, today: date, *, last: bool) -> date | None:
    spans = find_dates(claim.quote, today=today)
    wanted = find_dates(claim.value, today=today)
    for s in spans:
        if not wanted or any((w.first, w.last) == (s.first, s.last) for w in wanted):
            return s.last if last and s.precision not in ("day", "week") else s.first
    return None


def _money(claim: QuotedValue) -> Money | None:
    amounts = [a for a in find_amounts(claim.quote, bare=True) if a.per is None and a.currency]
    wanted = {a.value for a in find_amounts(claim.value, bare=True)}
    for a in amounts:
        if not wanted or a.value in wanted:
            return Money.of(a.value, a.currency or "USD")
    return None


def _count(claim: QuotedValue) -> int | None:
    for _, _, value in find_numbers(claim.quote):
        if value == int(value) and 0 < value <= 1000 and str(int(value)) in claim.value:
            return int(value)
    return None


def check_claims(reading: BriefReading, claims: BriefClaims, *, today: date) -> BriefReading:
    """The reading with the model's checked claims: gaps filled, disagreements and dropped
    claims said in assumptions."""
    text = reading.brief.text
    brief = reading.brief
    notes: list[str] = []
    update: dict[str, object] = {}
    quotes = dict(reading.quotes)
    read = {
        "start": (claims.start, lambda c: _date(c, today, last=False), brief.start),
        "deadline": (claims.deadline, lambda c: _date(c, today, last=True), brief.deadline),
        "budget": (claims.budget, _money, brief.budget),
        "team_size": (claims.team_size, _count, brief.team_size),
    }
    ruled = {k: k in reading.quotes for k in read}
    for fact, (claim, parse, ours) in read.items():
        if claim is None:
            continue
        if not found_in(claim.quote, text):
            notes.append(f"the model's {fact} ('{claim.quote[:80]}') is not in the brief: dropped")
            continue
        value = parse(claim)
        if value is None:
            notes.append(
                f"the model's {fact} '{claim.value}' is not what its quote says"
                f" ('{claim.quote[:80]}'): dropped"
            )
        elif not ruled[fact]:
            update[fact] = value
            quotes[fact] = claim.quote
            notes.append(
                f"the {fact} is read by the model from '{claim.quote[:80]}': {value} — check it"
            )
        elif value != ours:
            notes.append(
                f"the model reads the {fact} as {value} ('{claim.quote[:80]}'); the rules read"
                f" {ours} ('{reading.quotes.get(fact, '')[:80]}') — the plan uses the rules';"
                " check which the brief means"
            )
    known = {w.casefold() for p in reading.people if p.name for w in p.name.split()}
    for person in claims.people:
        first = person.name.split()[0].casefold() if person.name.split() else ""
        if not found_in(person.quote, text) or person.name not in text:
            notes.append(f"the model names '{person.name}', who is not in the brief: dropped")
        elif first and first not in known:
            notes.append(
                f"the model also names {person.name} ({person.role or 'no role'}) — "
                f"'{person.quote[:80]}'; not in the team read: add them if they work on it"
            )
    costs, found = _model_costs(brief, claims, text)
    notes += found
    if costs:
        update["non_labour"] = [*brief.non_labour, *costs]
    new_brief = brief.model_copy(
        update={
            **update,
            "quotes": {**brief.quotes, **{k: quotes[k] for k in update if k in quotes}},
        }
    )
    if new_brief.start and new_brief.deadline and new_brief.deadline < new_brief.start:
        new_brief = brief
        notes.append("the model's dates put the deadline before the start: not used")
    return reading.model_copy(
        update={
            "brief": new_brief,
            "quotes": quotes,
            "assumptions": [*reading.assumptions, *dict.fromkeys(notes)],
        }
    )


def _model_costs(
    brief: ProjectBrief, claims: BriefClaims, text: str
) -> tuple[list[BriefCost], list[str]]:
    """Costs only the model found, whose quotes are in the brief: listed like the rules' own
    costs, each with the one amount its quote states (re-read by code) or none."""
    notes: list[str] = []
    out: list[BriefCost] = []
    amounts = {c.amount.amount for c in brief.non_labour if c.amount is not None}
    quoted = {_squash(c.quote) for c in brief.non_labour}
    for cost in claims.non_labour:
        if not found_in(cost.quote, text):
            notes.append(f"the model's cost '{cost.what}' is not in the brief: dropped")
            continue
        stated = [a for a in find_amounts(cost.quote) if a.per is None and a.currency]
        if {a.value for a in stated} & amounts or _squash(cost.quote) in quoted:
            continue  # the rules read it already
        figure = stated[0] if len(stated) == 1 else None
        out.append(
            BriefCost(
                what=cost.what[:200],
                amount=Money.of(figure.value, figure.currency)
                if figure and figure.currency
                else None,
                in_budget=not is_outside_words(cost.quote),
                quote=cost.quote[:300],
            )
        )
        quoted.add(_squash(cost.quote))
        notes.append(
            f"the model reads a cost the rules did not: {cost.what} ('{cost.quote[:80]}') — listed;"
            " check it"
        )
    return out, notes
