"""Costs a brief names without a figure are listed, never dropped and never priced."""

from __future__ import annotations

from datetime import date

import pytest

from tools.brief import read_brief
from tools.money import Money

TODAY = date(2026, 12, 7)


def costs(text: str) -> list[tuple[str, Money | None, bool]]:
    brief = read_brief(text, today=TODAY).brief
    return [(c.what, c.amount, c.in_budget) for c in brief.non_labour]


def test_what_the_budget_is_for_is_listed_item_by_item() -> None:
    got = costs(
        "# ISO 27001 for the clinic\n\n"
        "Budget EUR 340k (consultant, certification body, GRC tool, awareness training).\n"
    )
    assert got == [
        ("consultant", None, True),
        ("certification body", None, True),
        ("GRC tool", None, True),
        ("awareness training", None, True),
    ]


def test_people_in_the_budget_are_labour_not_costs() -> None:
    got = costs(
        "Move the CRM to Dynamics.\n\n"
        "Budget is USD 500k for implementation (partner + internal backfill).\n"
    )
    assert [w for w, _, _ in got] == ["partner"]


def test_what_the_budget_leaves_out_is_listed_outside_it() -> None:
    got = costs(
        "Roll out Okta SSO to 2,000 staff.\n\n"
        "Budget USD 480,000 for the implementation; Okta licences already signed for 3 years."
        " Cloud consumption after go-live is OPEX and not in this budget.\n"
    )
    assert ("Okta licences", None, False) in got
    assert ("Cloud consumption after go-live", None, False) in got


def test_a_priced_cost_is_not_named_twice_and_dates_are_not_costs() -> None:
    got = costs(
        "Replace the laptops.\n\n"
        "- Budget: GBP 900k\n"
        "- Hardware: 1,400 laptops at £600 per unit\n"
        "- The hardware lease ends on 30 June 2027, so the new hardware must be in by then\n"
    )
    assert [(w.casefold(), m) for w, m, _ in got] == [("hardware", Money.of(840_000, "GBP"))]


def test_bought_things_in_scope_are_listed() -> None:
    got = costs(
        "Roll out MFA.\n\n"
        "In scope: Okta tenant, SSO for 60 apps, FIDO2 keys for ~150 admins, a pen test.\n"
    )
    assert {w for w, _, _ in got} == {"FIDO2 keys for ~150 admins", "pen test"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Budget: GBP 200k, external spend only (licences and the partner).",
        "We have EUR 90,000 for the project. Internal staff time is not charged to it.",
        "The budget is $250k; our own time is BAU and not cross-charged.",
        "Budget 1.2m SEK - headcount isn't charged to projects here.",
        "Budget EUR 340k (consultant, certification body, GRC tool, awareness training).",
    ],
)
def test_a_budget_for_external_spend_only_is_read(sentence: str) -> None:
    brief = read_brief(f"Move the file servers to SharePoint.\n\n{sentence}", today=TODAY).brief
    assert brief.budget is not None
    assert brief.budget_internal_labour is False
    assert "budget_internal_labour" in brief.quotes


@pytest.mark.parametrize(
    "sentence",
    [
        "Budget: EUR 400k, covering internal and external costs.",
        "Budget: USD 300k. Staff training is not included in the scope.",
        "Budget: USD 300k including internal time at USD 500/day.",
        "Budget EUR 340k (consultant, GRC tool, internal backfill).",
        "Budget EUR 340k (licences).",
    ],
)
def test_a_budget_that_pays_for_the_team_is_read_as_such(sentence: str) -> None:
    brief = read_brief(f"Move the file servers to SharePoint.\n\n{sentence}", today=TODAY).brief
    assert brief.budget is not None
    assert brief.budget_internal_labour is True
