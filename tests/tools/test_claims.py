"""A model's claims about a brief count only when code finds the quote and re-reads the value."""

from __future__ import annotations

from datetime import date

from tools.brief import read_brief
from tools.brief.claims import BriefClaims, check_claims
from tools.money import Money

TODAY = date(2026, 12, 7)
TEXT = (
    "# Move billing to RDS\n\nWe migrate PostgreSQL 13 to Amazon RDS. We kick off on 11 "
    "January 2027 and the contract ends 31 October 2027. Team: Priya (DBA), Tom (developer).\n"
    "The AWS bill during the parallel run is USD 12,000.\n"
)


def claims(**facts: object) -> BriefClaims:
    return BriefClaims.model_validate(facts)


def test_a_claim_the_rules_missed_fills_the_gap_and_is_said() -> None:
    reading = read_brief(TEXT, today=TODAY)
    assert reading.brief.budget is None
    text = TEXT + "Finance approved EUR 450k for it."
    reading = read_brief(text, today=TODAY)
    checked = check_claims(
        reading.model_copy(
            update={"quotes": {k: v for k, v in reading.quotes.items() if k != "budget"}}
        ),
        claims(budget={"value": "EUR 450k", "quote": "approved EUR 450k"}),
        today=TODAY,
    )
    assert checked.brief.budget is not None
    assert (checked.brief.budget.amount, checked.brief.budget.currency) == (450_000, "EUR")
    assert checked.quotes["budget"] == "approved EUR 450k"
    assert any("read by the model" in a for a in checked.assumptions)


def test_a_quote_not_in_the_brief_is_dropped_and_listed() -> None:
    reading = read_brief(TEXT, today=TODAY)
    checked = check_claims(
        reading,
        claims(deadline={"value": "1 June 2027", "quote": "live by 1 June 2027"}),
        today=TODAY,
    )
    assert checked.brief.deadline == reading.brief.deadline
    assert any("not in the brief: dropped" in a for a in checked.assumptions)


def test_a_value_its_quote_does_not_say_is_dropped() -> None:
    reading = read_brief(TEXT, today=TODAY)
    checked = check_claims(
        reading,
        claims(start={"value": "1 February 2027", "quote": "kick off on 11 January 2027"}),
        today=TODAY,
    )
    assert checked.brief.start == date(2027, 1, 11)
    assert any("not what its quote says" in a for a in checked.assumptions)


def test_where_the_model_and_the_rules_disagree_the_plan_says_so() -> None:
    reading = read_brief(TEXT, today=TODAY)
    assert reading.brief.deadline == date(2027, 10, 31)
    checked = check_claims(
        reading,
        claims(deadline={"value": "11 January 2027", "quote": "kick off on 11 January 2027"}),
        today=TODAY,
    )
    assert checked.brief.deadline == date(2027, 10, 31)
    assert any("model reads the deadline" in a and "rules read" in a for a in checked.assumptions)


def test_people_and_costs_the_rules_missed_are_listed_not_counted() -> None:
    reading = read_brief(TEXT, today=TODAY)
    checked = check_claims(
        reading,
        claims(
            people=[
                {"name": "Priya", "role": "DBA", "quote": "Priya (DBA)"},
                {"name": "Zed", "role": "tester", "quote": "Zed the tester"},
            ],
            non_labour=[
                {"what": "AWS bill", "quote": "The AWS bill during the parallel run is USD 12,000."}
            ],
        ),
        today=TODAY,
    )
    assert checked.people == reading.people
    assert any("'Zed'" in a and "dropped" in a for a in checked.assumptions)
    assert not any("names Priya" in a for a in checked.assumptions)


def test_a_cost_only_the_model_found_is_listed_with_the_amount_its_quote_states() -> None:
    text = TEXT + "We still have to buy Flyway Teams, quoted at USD 4,800. Also some training.\n"
    reading = read_brief(text, today=TODAY)
    before = list(reading.brief.non_labour)
    checked = check_claims(
        reading,
        claims(
            non_labour=[
                {"what": "Flyway Teams", "quote": "Flyway Teams, quoted at USD 4,800"},
                {"what": "training", "quote": "Also some training"},
                {"what": "Datadog", "quote": "Datadog at USD 9,000"},
            ]
        ),
        today=TODAY,
    )
    assert [c.amount for c in before] == [Money.of(12_000, "USD"), Money.of(4_800, "USD")]
    added = [(c.what, c.amount) for c in checked.brief.non_labour[len(before) :]]
    assert added == [("training", None)]  # Flyway is read already; Datadog is not in the brief
    assert any("'Datadog'" in a and "dropped" in a for a in checked.assumptions)
