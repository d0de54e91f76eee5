"""The plan's non-labour cost items, from the costs a brief states.

A brief says what the money buys besides people's time: hardware, licences, a vendor's fixed
fee, cloud running costs. Every one it names becomes a cost item, so a PM sees them all: one
the budget covers, with a figure in the plan's currency, is counted by the budget check; one
the brief puts outside the budget is listed, not counted against it; one without a figure, or
with a figure in another currency or per month with no end to run to, is listed without an
amount and said, never guessed or converted.
"""

from __future__ import annotations

from datetime import date

from tools.domain import BriefCost, CostItem, ProjectBrief, Source
from tools.money import Money

MONTH_DAYS = 30.44


def cost_items(brief: ProjectBrief, currency: str, start: date) -> tuple[list[CostItem], list[str]]:
    """The non-labour costs the brief states, as the plan's cost items (a monthly cost runs
    the months from the start to the deadline), and what was said about them."""
    items: list[CostItem] = []
    notes: list[str] = []
    unpriced: list[str] = []
    for c in brief.non_labour:
        amount, note = _amount(c, brief, currency, start)
        if note:
            notes.append(note)
        if amount is None:
            unpriced.append(c.what)
        elif not c.in_budget:
            notes.append(f"listed, not counted against the budget (the brief says so): {c.what}")
        items.append(
            CostItem(
                name=c.what[:200] or "Non-labour cost",
                amount=amount,
                in_budget=c.in_budget,
                source=Source(kind="brief", quote=c.quote[:400] or None),
            )
        )
    if unpriced:
        notes.append(
            "costs the brief names without a figure are listed but not priced: "
            + "; ".join(unpriced)
            + " — add their amounts"
        )
    return items, notes


def _amount(
    c: BriefCost, brief: ProjectBrief, currency: str, start: date
) -> tuple[Money | None, str | None]:
    if c.amount is None:
        return None, None
    if c.amount.currency != currency:
        return (
            None,
            f"a cost in {c.amount.currency} on a {currency} plan is not converted: {c.what}",
        )
    if c.per != "month":
        return c.amount, None
    if brief.deadline is None:
        return None, f"a monthly cost ({c.amount}) with no deadline to run to: {c.what}"
    months = max(1, round((brief.deadline - start).days / MONTH_DAYS))
    amount = Money.of(c.amount.amount * months, currency)
    return amount, f"assumed {c.what} runs {months} months, start to deadline: {amount}"
