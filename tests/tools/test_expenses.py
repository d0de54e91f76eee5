"""The plan's cost items from the costs a brief states."""

from __future__ import annotations

from datetime import date

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
    assert [(i.name, i.amount, i.in_budget, i.source.kind) for i in items] == [
        ("Auth0 licence, year 1", Money.of(18_000, "EUR"), True, "brief")
    ]
    assert items[0].counted and items[0].source.quote == "Auth0 licence, year 1" and notes == []


def test_every_cost_is_listed_but_only_priced_ones_in_the_budget_count() -> None:
    items, notes = cost_items(
        brief(
            cost("Snowflake consumption", 15_000, per="month", in_budget=False),
            cost("US support contract", 9_000, "USD"),
            BriefCost(what="pen test before launch", quote="pen test before launch"),
        ),
        "EUR",
        START,
    )
    by_name = {i.name: i for i in items}
    assert set(by_name) == {
        "Snowflake consumption",
        "US support contract",
        "pen test before launch",
    }
    outside = by_name["Snowflake consumption"]
    assert outside.amount == Money.of(90_000, "EUR") and not outside.in_budget
    assert by_name["US support contract"].amount is None  # never converted
    assert by_name["pen test before launch"].amount is None
    assert not any(i.counted for i in items)
    assert any("not counted against the budget" in n and "Snowflake" in n for n in notes)
    assert any("USD" in n and "not converted" in n for n in notes)
    assert any("without a figure" in n and "pen test" in n for n in notes)


def test_a_monthly_cost_runs_from_the_start_to_the_deadline() -> None:
    items, notes = cost_items(brief(cost("AWS during the build", 5_000, per="month")), "EUR", START)
    assert [i.amount for i in items] == [Money.of(30_000, "EUR")]  # Feb to Jul: six months
    assert any("6 months" in n for n in notes)
    items, notes = cost_items(
        brief(cost("AWS during the build", 5_000, per="month"), deadline=None), "EUR", START
    )
    assert [i.amount for i in items] == [None] and any("no deadline" in n for n in notes)
