"""One table of amounts and dates drives the brief reader and the chat alike: a PM who writes
"1,2 Mio. EUR" or "end of Q3" gets the same value in a brief and in a follow-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.tools.test_reading import AMOUNTS
from tools.brief import read_brief
from tools.domain import Plan
from tools.edits import SetBudget, SetDeadline, read_edits

PLAN = Path(__file__).parents[2] / "examples/plans/crm-rollout.json"
TODAY = date(2026, 12, 7)

DEADLINES = [
    ("end of April 2027", date(2027, 4, 30)),
    ("30/09/2027", date(2027, 9, 30)),
    ("2027-06-15", date(2027, 6, 15)),
    ("Q3 2027", date(2027, 9, 30)),
    ("end of Q3 2027", date(2027, 9, 30)),
    ("June 15th, 2027", date(2027, 6, 15)),
    ("Fri 24 Sept 2027", date(2027, 9, 24)),
    ("H2 2027", date(2027, 12, 31)),
    ("Easter 2027", date(2027, 3, 28)),
]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return Plan.model_validate_json(PLAN.read_bytes())


@pytest.mark.parametrize(
    ("words", "value", "currency", "per"),
    [a for a in AMOUNTS if a[3] is None and "rate" not in a[0]],
)
def test_a_budget_reads_the_same_in_a_brief_and_in_the_chat(
    plan: Plan, words: str, value: Decimal, currency: str, per: str | None
) -> None:
    brief = read_brief(
        f"# Move billing to RDS\n\nWe migrate PostgreSQL.\n\nBudget: {words}\n", today=TODAY
    )
    assert brief.brief.budget is not None
    assert (brief.brief.budget.amount, brief.brief.budget.currency) == (value, currency)
    edits = [
        e
        for e in read_edits(f"good news, the budget is now {words}", plan)
        if isinstance(e, SetBudget)
    ]
    assert [(e.amount, e.currency) for e in edits] == [(value, currency)]


@pytest.mark.parametrize(("words", "deadline"), DEADLINES)
def test_a_deadline_reads_the_same_in_a_brief_and_in_the_chat(
    plan: Plan, words: str, deadline: date
) -> None:
    brief = read_brief(
        f"# Move billing to RDS\n\nWe migrate PostgreSQL.\n\nDeadline: {words}\n", today=TODAY
    )
    assert brief.brief.deadline == deadline
    edits = [e for e in read_edits(f"the deadline is {words}", plan) if isinstance(e, SetDeadline)]
    assert [e.deadline for e in edits] == [deadline]
