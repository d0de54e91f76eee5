"""Strict validation at the boundary: wrong types are refused and the error names the field."""

import pytest
from pydantic import ValidationError

from tools.domain import (
    Calendar,
    Dependency,
    Estimate,
    Plan,
    ProjectBrief,
    Range,
    Risk,
    Team,
    WorkPackage,
)


def locs(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (Estimate, {"optimistic": False, "likely": 1, "pessimistic": 2}, "optimistic"),
        (Estimate, {"optimistic": "1", "likely": 1, "pessimistic": 2}, "optimistic"),
        (Estimate, {"optimistic": 3, "likely": 1, "pessimistic": 2}, ""),
        (Estimate, {"optimistic": 1, "likely": 1, "pessimistic": 2, "unit": "weeks"}, "unit"),
        (Dependency, {"predecessor": "1", "type": "XX"}, "type"),
        (Dependency, {"predecessor": "bad code!"}, "predecessor"),
        (Calendar, {"working_weekdays": [0, 7]}, "working_weekdays"),
        (Calendar, {"working_weekdays": []}, "working_weekdays"),
        (Calendar, {"hours_per_day": 0}, "hours_per_day"),
        (
            Risk,
            {
                "id": "R1",
                "cause": "c",
                "event": "e",
                "effect": "x",
                "category": "data",
                "probability": 1.5,
            },
            "probability",
        ),
        (Range, {"low": 5, "likely": 1, "high": 9}, ""),
        (ProjectBrief, {"title": "t", "start": "2027-02-01", "deadline": "2027-01-01"}, ""),
        (ProjectBrief, {"title": "t", "team_size": True}, "team_size"),
        (
            ProjectBrief,
            {"title": "t", "budget": {"amount": 1.5, "currency": "USD"}},
            "budget.amount",
        ),
        (WorkPackage, {"code": "1", "name": "x", "estimate": None, "colour": "red"}, "colour"),
    ],
)
def test_invalid_input_is_refused_naming_the_field(model, payload, field) -> None:
    with pytest.raises(ValidationError) as err:
        model.model_validate(payload)
    assert field in locs(err.value)


def test_duplicate_team_members_are_named() -> None:
    member = {"id": "a1", "name": "Ann", "roles": ["dba"]}
    with pytest.raises(ValidationError, match="repeated: a1"):
        Team.model_validate({"members": [member, member]})


def test_json_round_trip_keeps_dates_and_money_exact() -> None:
    plan = Plan.model_validate_json(
        '{"brief": {"title": "t", "budget": {"amount": "100000.10", "currency": "EUR"}},'
        ' "start": "2027-01-04", "rate_card": {"currency": "EUR"},'
        ' "wbs": [{"code": "1", "name": "A",'
        ' "estimate": {"optimistic": 1, "likely": 2, "pessimistic": 3}}]}'
    )
    again = Plan.model_validate_json(plan.model_dump_json())
    assert again == plan
    assert '"amount":"100000.10"' in plan.model_dump_json()


def test_risk_statement_reads_cause_event_effect() -> None:
    risk = Risk(
        id="R1",
        cause="the vendor has one engineer for our region",
        event="the engineer is unavailable during cut-over",
        effect="delay go-live by a week",
        category="vendor",
        probability=0.2,
    )
    assert risk.statement == (
        "Because the vendor has one engineer for our region, there is a risk that the engineer"
        " is unavailable during cut-over, which would delay go-live by a week."
    )


def test_a_plan_is_priced_in_one_currency_named_by_field() -> None:
    with pytest.raises(ValidationError) as err:
        Plan.model_validate_json(
            '{"brief": {"title": "t"}, "start": "2027-01-04",'
            ' "budget": {"limit": {"amount": "100", "currency": "EUR"}}}'
        )
    assert "budget.limit.currency is EUR" in str(err.value)
    assert "rate card's currency (USD)" in str(err.value)
    with pytest.raises(ValidationError, match="not an ISO 4217"):
        Plan.model_validate_json(
            '{"brief": {"title": "t"}, "start": "2027-01-04", "rate_card": {"currency": "XYZ"}}'
        )


@pytest.mark.parametrize(
    "estimate",
    [
        '{"optimistic": 1, "likely": 2, "pessimistic": Infinity}',
        '{"optimistic": 1, "likely": 2, "pessimistic": 1e9}',
    ],
)
def test_estimates_are_finite_and_bounded(estimate: str) -> None:
    with pytest.raises(ValidationError) as err:
        Estimate.model_validate_json(estimate)
    assert "pessimistic" in locs(err.value)


def test_lags_and_amounts_are_bounded() -> None:
    with pytest.raises(ValidationError):
        Dependency.model_validate_json('{"predecessor": "a", "lag_days": 1e9}')
    with pytest.raises(ValidationError, match="below 10"):
        ProjectBrief.model_validate_json('{"title": "t", "budget": {"amount": "1e400"}}')
