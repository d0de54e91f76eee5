"""The plan's cost items from the costs a brief states."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tools.domain import BriefCost, ProjectBrief
from tools.expenses import cost_items
from tools.money import Money

START = date(2027, 2, 1)


def brief(*costs: BriefCost, deadline: date | None = date(2027, 7, 31)) -> ProjectBrief:
    return ProjectBrief(title="Move to Snowflake", deadline=deadline, non_labour=list(costs))


def cost(what: str, amount: int, currency: str = "EUR", **fields: object) -> BriefCost:
    return BriefCost(what=what, amount=Money.of(amount, currency), quote=what, **fields)


def test_costs_the_budget_covers_become_cost_items_with_their_quote() -> None:
    items, notes = cost_items(brief(cost("Auth0 licence, year 1", 18_000)), "EUR", START)
    assert [(i.name, i.amount.amount, i.source.kind) for i in items] == [
        ("Auth0 licence, year 1", Decimal(18_000), "brief")
    ]
    assert items[0].source.quote == "Auth0 licence, year 1" and notes == []


def test_a_cost_outside_the_budget_or_in_another_currency_is_said_not_counted() -> None:
    items, notes = cost_items(
        brief(
            cost("Snowflake consumption", 15_000, per="month", in_budget=False),
            cost("US support contract", 9_000, "USD"),
        ),
        "EUR",
        START,
    )
    assert items == []
    assert any("not counted against the budget" in n and "Snowflake" in n for n in notes)
    assert any("USD" in n and "not counted" in n for n in notes)


def test_a_monthly_cost_runs_from_the_start_to_the_deadline() -> None:
    items, notes = cost_items(brief(cost("AWS during the build", 5_000, per="month")), "EUR", START)
    assert [i.amount.amount for i in items] == [Decimal(30_000)]  # Feb to Jul: six months
    assert any("6 months" in n for n in notes)
    items, notes = cost_items(
        brief(cost("AWS during the build", 5_000, per="month"), deadline=None), "EUR", START
    )
    assert items == [] and any("no deadline" in n for n in notes)
