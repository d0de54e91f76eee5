"""The plan's non-labour cost items, from the costs a brief states.

A brief says what the money buys besides people's time: hardware, licences, a vendor's fixed
fee, cloud running costs. Each one the budget covers becomes a cost item the budget check
counts; one the brief puts outside the budget is said, not counted against it; a cost in
another currency than the plan's is said, not converted.
"""

from __future__ import annotations

from datetime import date

from tools.domain import CostItem, ProjectBrief, Source
from tools.money import Money

MONTH_DAYS = 30.44


def cost_items(brief: ProjectBrief, currency: str, start: date) -> tuple[list[CostItem], list[str]]:
    """The non-labour costs the brief states, as the plan's cost items: a monthly cost over
    the months from the start to the deadline; what the budget does not cover is said, not
    counted against it."""
    items: list[CostItem] = []
    notes: list[str] = []
    for c in brief.non_labour:
        if not c.in_budget:
            notes.append(
                f"not counted against the budget (the brief says so): {c.what} ({c.amount})"
            )
            continue
        if c.amount.currency != currency:
            notes.append(
                f"a cost in {c.amount.currency} on a {currency} plan is not counted: {c.what}"
            )
            continue
        amount = c.amount
        if c.per == "month":
            if brief.deadline is None:
                notes.append(f"a monthly cost with no deadline to run to is not counted: {c.what}")
                continue
            months = max(1, round((brief.deadline - start).days / MONTH_DAYS))
            amount = Money.of(c.amount.amount * months, currency)
            notes.append(f"assumed {c.what} runs {months} months, start to deadline: {amount}")
        items.append(
            CostItem(
                name=c.what[:200] or "Non-labour cost",
                amount=amount,
                source=Source(kind="brief", quote=c.quote[:400] or None),
            )
        )
    return items, notes
