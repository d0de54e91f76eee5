"""Risk math: matrix bands and ratings, EMV, contingency reserve, ranking, and bad input."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tools.domain import MoneyRange, Range, Risk, RiskRegister, RiskResponse
from tools.money import CurrencyMismatchError, Money, total
from tools.risk import (
    DEFAULT_MATRIX,
    RESERVE_EXCLUDED,
    RiskInputError,
    RiskMatrix,
    contingency_reserve,
    emv,
    expected_delay_days,
    rank,
    score,
)


def risk(
    rid: str = "R1",
    p: float = 0.5,
    cost: tuple[str | int, str | int, str | int] | None = None,
    days: tuple[float, float, float] | None = None,
    *,
    response: RiskResponse = "mitigate",
    currency: str = "USD",
) -> Risk:
    """A risk with the numbers that matter; costs are (low, likely, high), days likewise."""
    cost_impact = None
    if cost is not None:
        low, likely, high = (Decimal(x) for x in cost)
        cost_impact = MoneyRange(low=low, likely=likely, high=high, currency=currency)
    schedule = None if days is None else Range(low=days[0], likely=days[1], high=days[2])
    return Risk(
        id=rid,
        cause="a cause",
        event="an event",
        effect="an effect",
        category="technical",
        probability=p,
        cost_impact=cost_impact,
        schedule_impact_days=schedule,
        response=response,
    )


def usd(amount: str | int) -> Money:
    return Money.of(amount)


# --- the default matrix -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "band", "label"),
    [
        (0.0, 1, "very low"),
        (0.0999, 1, "very low"),
        (0.1, 2, "low"),  # bounds are exclusive upper bounds: 0.1 is already "low"
        (0.2999, 2, "low"),
        (0.3, 3, "medium"),
        (0.5, 4, "high"),
        (0.6999, 4, "high"),
        (0.7, 5, "very high"),
        (1.0, 5, "very high"),
    ],
)
def test_probability_bands(p, band, label):
    s = score(risk(p=p))
    assert (s.probability_band, s.probability_label) == (band, label)


@pytest.mark.parametrize(
    ("likely_days", "band"),
    [(0.0, 1), (0.99, 1), (1.0, 2), (4.99, 2), (5.0, 3), (10.0, 4), (19.99, 4), (20.0, 5)],
)
def test_schedule_impact_bands(likely_days, band):
    s = score(risk(days=(0.0, likely_days, 100.0)))
    assert (s.schedule_band, s.impact_band, s.driver) == (band, band, "schedule")


@pytest.mark.parametrize(
    ("likely", "band"),
    [
        ("999.99", 1),  # < 1 % of 100,000
        ("1000", 2),
        ("9999.99", 2),
        ("10000", 3),
        ("20000", 4),
        ("39999.99", 4),
        ("40000", 5),
    ],
)
def test_cost_bands_as_a_fraction_of_the_budget(likely, band):
    s = score(risk(cost=(0, likely, 100_000)), DEFAULT_MATRIX, usd(100_000))
    assert (s.cost_band, s.impact_band, s.driver) == (band, band, "cost")


@pytest.mark.parametrize(
    ("likely", "band"), [("999.99", 1), ("1000", 2), ("10000", 3), ("25000", 4), ("50000", 5)]
)
def test_cost_bands_without_a_budget_use_absolute_bounds(likely, band):
    assert score(risk(cost=(0, likely, 100_000))).cost_band == band


def test_impact_is_the_worse_of_schedule_and_cost_and_reads_likely():
    # Schedule likely 6 days -> band 3; cost likely 2,000 -> band 2 (the highs would be band 5).
    s = score(risk(p=0.3, cost=(1_000, 2_000, 90_000), days=(1, 6, 60)))
    assert (s.schedule_band, s.cost_band, s.impact_band, s.driver) == (3, 2, 3, "schedule")
    assert (s.score, s.rating) == (9, "medium")
    # Against a 10,000 budget the same cost is 20 % -> band 4, now the driver.
    s = score(risk(p=0.3, cost=(1_000, 2_000, 90_000), days=(1, 6, 60)), budget=usd(10_000))
    assert (s.cost_band, s.impact_band, s.driver, s.score, s.rating) == (4, 4, "cost", 12, "high")


def test_unquantified_impact_sits_in_the_lowest_band():
    s = score(risk(p=0.9))
    assert (s.schedule_band, s.cost_band, s.impact_band, s.driver) == (None, None, 1, "none")
    assert (s.score, s.rating) == (5, "medium")


@pytest.mark.parametrize(
    ("p", "likely_days", "score_", "rating"),
    [
        (0.05, 0.5, 1, "low"),
        (0.35, 2.0, 6, "medium"),  # 3 x 2
        (0.9, 0.5, 5, "medium"),  # 5 x 1
        (0.2, 25.0, 10, "high"),  # 2 x 5
        (0.6, 15.0, 16, "high"),  # 4 x 4
        (0.6, 30.0, 20, "critical"),  # 4 x 5
        (1.0, 30.0, 25, "critical"),  # 5 x 5
    ],
)
def test_default_ratings(p, likely_days, score_, rating):
    s = score(risk(p=p, days=(0, likely_days, 40)))
    assert (s.score, s.rating) == (score_, rating)


def test_a_custom_matrix_changes_bands_scores_and_ratings():
    # A 3x3 with a steep impact scale (1, 3, 9): p 0.7 is band 3, 25 % of budget is band 3.
    matrix = RiskMatrix(
        labels=("low", "medium", "high"),
        probability_upper=(Decimal("0.2"), Decimal("0.6")),
        schedule_days_upper=(Decimal(2), Decimal(10)),
        cost_fraction_upper=(Decimal("0.05"), Decimal("0.2")),
        probability_scores=(1, 2, 3),
        impact_scores=(1, 3, 9),
        ratings=((1, "low"), (3, "medium"), (9, "high"), (18, "critical")),
    )
    s = score(risk(p=0.7, cost=(0, 25_000, 30_000)), matrix, usd(100_000))
    assert (s.probability_band, s.impact_band, s.impact_label, s.score, s.rating) == (
        3,
        3,
        "high",
        27,
        "critical",
    )
    s = score(risk(p=0.3, days=(0, 3, 4)), matrix)
    assert (s.probability_band, s.impact_band, s.score, s.rating) == (2, 2, 6, "medium")


# --- EMV and expected delay -------------------------------------------------------------


def test_emv_is_probability_times_pert_mean():
    # Hand-computed: PERT mean (1,000 + 4 x 2,000 + 6,000) / 6 = 2,500; x 0.3 = 750.
    assert emv(risk(p=0.3, cost=(1_000, 2_000, 6_000))) == usd(750)


def test_emv_takes_the_probability_as_written_not_as_a_binary_float():
    # The float 0.1 is 0.1000000000000000055...: through Decimal(str(p)) the EMV is exactly 1,
    # not 1.0000000000000000555.
    assert emv(risk(p=0.1, cost=(10, 10, 10))).amount == Decimal(1)


def test_emv_is_unrounded_until_displayed():
    # Hand-computed: (100 + 400 + 101) / 6 = 100.1666...; x 0.5 = 50.08333...
    value = emv(risk(p=0.5, cost=(100, 100, 101)))
    assert abs(value.amount * 12 - 601) < Decimal("1e-50")
    assert value.rounded() == usd("50.08")


def test_emv_of_a_risk_without_cost_is_zero_in_the_given_currency():
    assert emv(risk(days=(1, 2, 3)), "EUR") == Money.zero("EUR")


def test_expected_delay_is_probability_times_pert_mean_of_days():
    # Hand-computed: (1 + 4 x 6 + 11) / 6 = 6 days; x 0.3 = 1.8 days.
    assert expected_delay_days(risk(p=0.3, days=(1, 6, 11))) == 1.8
    assert expected_delay_days(risk(p=0.3, cost=(1, 1, 1))) == 0.0


# --- contingency reserve ----------------------------------------------------------------


def test_reserve_sums_emvs_of_retained_threats():
    # Hand-computed (pmpilot): R1 750 (mitigate) + R2 50.0833... (accept) + R5 60 (escalate;
    # (0 + 1,200 + 600) / 6 = 300 x 0.2) = 860.0833... -> 860.08. R3 (avoid) and R4 (transfer)
    # are excluded; R6 has no cost impact.
    register = RiskRegister(
        risks=[
            risk("R1", 0.3, (1_000, 2_000, 6_000), response="mitigate"),
            risk("R2", 0.5, (100, 100, 101), response="accept"),
            risk("R3", 0.9, (10_000, 20_000, 30_000), response="avoid"),
            risk("R4", 0.4, (5_000, 5_000, 5_000), response="transfer"),
            risk("R5", 0.2, (0, 300, 600), response="escalate"),
            risk("R6", 0.9, days=(1, 2, 3)),
        ]
    )
    assert contingency_reserve(register, "USD") == usd("860.08")
    assert {"avoid", "transfer"} == RESERVE_EXCLUDED


def test_reserve_rounds_once_at_the_end():
    # Three EMVs of 1/3 cent each ((0 + 0 + 0.02) / 6): each rounds to 0.00, the sum is 0.01.
    register = RiskRegister(risks=[risk(f"R{i}", 1.0, (0, 0, "0.02")) for i in range(3)])
    assert contingency_reserve(register, "USD") == usd("0.01")


@pytest.mark.parametrize(("cost", "expected"), [("0.01", "0.00"), ("0.03", "0.02")])
def test_reserve_rounds_half_to_even(cost, expected):
    # 0.5 x 0.01 = 0.005 -> 0.00; 0.5 x 0.03 = 0.015 -> 0.02 (banker's rounding, as Money does).
    register = RiskRegister(risks=[risk("R1", 0.5, (cost, cost, cost))])
    assert contingency_reserve(register, "USD") == usd(expected)


def test_reserve_in_a_zero_decimal_currency_rounds_to_whole_units():
    register = RiskRegister(risks=[risk("R1", 0.5, (101, 101, 101), currency="JPY")])
    assert contingency_reserve(register, "JPY") == Money.of(50, "JPY")  # 50.5 -> 50


def test_reserve_is_exact_even_across_hundreds_of_orders_of_magnitude():
    # Found by hypothesis: 0.5 x 0.01 = 0.005 exactly, plus 1e-300 x 0.01 (PERT mean of
    # 0, 0, 0.06). The exact total is just above half a cent, so it rounds up; a 60-digit
    # Decimal sum drops the tiny term and rounds half-even down to 0.00.
    register = RiskRegister(
        risks=[risk("R1", 0.5, ("0.01", "0.01", "0.01")), risk("R2", 1e-300, (0, 0, "0.06"))]
    )
    assert contingency_reserve(register, "USD") == usd("0.01")


def test_empty_register_has_zero_reserve():
    assert contingency_reserve(RiskRegister(), "EUR") == Money.zero("EUR")


# --- ranking ----------------------------------------------------------------------------


def test_rank_orders_by_score_then_emv_then_id():
    # Hand-computed with the default matrix, no budget (absolute bounds):
    # B: p 0.8 (5) x 12 days (4) = 20 critical, no cost.
    # A: p 0.6 (4) x 30,000 (4) = 16, EMV (20,000 + 120,000 + 70,000) / 6 x 0.6 = 21,000.
    # D: p 0.5 (4) x 12 days (4) = 16, EMV (0 + 12,000 + 6,000) / 6 x 0.5 = 1,500.
    # C: p 0.4 (3) x 10,000 (3) = 9, EMV (4,000 + 40,000 + 22,000) / 6 x 0.4 = 4,400.
    # E: p 0.3 (3) x 10,000 (3) = 9, EMV 10,000 x 0.3 = 3,000.
    # F, G: p 0.05 (1), no impact = 1, no EMV: tied, so by id.
    register = RiskRegister(
        risks=[
            risk("G", 0.05),
            risk("E", 0.3, (10_000, 10_000, 10_000)),
            risk("A", 0.6, (20_000, 30_000, 70_000)),
            risk("F", 0.05),
            risk("C", 0.4, (4_000, 10_000, 22_000)),
            risk("B", 0.8, days=(5, 12, 30)),
            risk("D", 0.5, (0, 3_000, 6_000), days=(5, 12, 30)),
        ]
    )
    ranked = rank(register)
    assert [(r.rank, r.risk_id, r.score.score) for r in ranked] == [
        (1, "B", 20),
        (2, "A", 16),
        (3, "D", 16),
        (4, "C", 9),
        (5, "E", 9),
        (6, "F", 1),
        (7, "G", 1),
    ]
    assert [r.emv for r in ranked] == [
        None,
        usd(21_000),
        usd(1_500),
        usd(4_400),
        usd(3_000),
        None,
        None,
    ]
    assert ranked[0].score.rating == "critical"
    assert ranked[0].expected_delay_days == pytest.approx(0.8 * (5 + 48 + 30) / 6)


def test_ranked_emv_is_rounded_for_reading():
    ranked = rank(RiskRegister(risks=[risk("R1", 0.5, (100, 100, 101))]))
    assert ranked[0].emv == usd("50.08")
    assert ranked[0].emv.amount.as_tuple().exponent == -2


# --- invalid input: one typed error each -----------------------------------------------


def test_reserve_refuses_a_risk_in_another_currency_and_names_it():
    register = RiskRegister(
        risks=[
            risk("R1", 0.5, (1, 1, 1)),
            risk("R9", 0.5, (1, 1, 1), response="avoid", currency="EUR"),
        ]
    )
    with pytest.raises(CurrencyMismatchError, match=r"risk R9: .*EUR.*USD"):
        contingency_reserve(register, "USD")


def test_reserve_refuses_a_malformed_currency_code():
    with pytest.raises(ValidationError, match="ISO 4217"):
        contingency_reserve(RiskRegister(), "usd")


@pytest.mark.parametrize("call", [rank, lambda reg: contingency_reserve(reg, "USD")])
def test_repeated_risk_ids_are_refused(call):
    register = RiskRegister(
        risks=[risk("R1", 0.5, (1, 1, 1)), risk("R2"), risk("R1", 0.2, (2, 2, 2))]
    )
    with pytest.raises(RiskInputError, match=r"repeated: R1$"):
        call(register)


def test_score_refuses_a_budget_in_another_currency():
    with pytest.raises(CurrencyMismatchError, match=r"risk R7: .*EUR.*budget in USD"):
        score(risk("R7", cost=(1, 2, 3), currency="EUR"), DEFAULT_MATRIX, usd(1_000))


def test_score_refuses_absolute_bounds_in_another_currency():
    with pytest.raises(CurrencyMismatchError, match=r"risk R7: .*EUR.*pass the budget"):
        score(risk("R7", cost=(1, 2, 3), currency="EUR"))


def test_score_needs_a_budget_when_the_matrix_has_no_absolute_bounds():
    matrix = DEFAULT_MATRIX.model_copy(update={"cost_absolute_upper": None})
    with pytest.raises(RiskInputError, match="risk R7: without a budget"):
        score(risk("R7", cost=(1, 2, 3)), matrix)
    # A risk without cost needs neither.
    assert score(risk("R8", days=(1, 2, 3)), matrix).cost_band is None


@pytest.mark.parametrize("amount", [0, -100])
def test_score_refuses_a_budget_that_is_not_positive(amount):
    with pytest.raises(RiskInputError, match="budget must be positive"):
        score(risk(cost=(1, 2, 3)), DEFAULT_MATRIX, usd(amount))


def test_emv_without_cost_or_currency_is_refused():
    with pytest.raises(RiskInputError, match="risk R3 has no cost impact"):
        emv(risk("R3", days=(1, 2, 3)))


def test_emv_in_an_unexpected_currency_is_refused():
    with pytest.raises(CurrencyMismatchError, match=r"risk R3: .*EUR, expected USD"):
        emv(risk("R3", cost=(1, 2, 3), currency="EUR"), "USD")


def _matrix(**changes: Any) -> RiskMatrix:
    fields = {name: getattr(DEFAULT_MATRIX, name) for name in type(DEFAULT_MATRIX).model_fields}
    return RiskMatrix(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"labels": ("only",)}, "at least two bands"),
        ({"probability_upper": (Decimal("0.1"), Decimal("0.3"))}, "probability_upper needs 4"),
        (
            {"schedule_days_upper": (Decimal(1), Decimal(5), Decimal(5), Decimal(20))},
            "schedule_days_upper must be strictly increasing",
        ),
        (
            {"cost_fraction_upper": (Decimal("0.4"), Decimal("0.2"), Decimal("0.3"), Decimal(1))},
            "cost_fraction_upper must be strictly increasing",
        ),
        (
            {"cost_absolute_upper": (usd(1), usd(2), Money.of(3, "EUR"), usd(4))},
            "one currency",
        ),
        ({"impact_scores": (1, 2, 3)}, "impact_scores needs 5"),
        ({"probability_scores": (0, 1, 2, 3, 4)}, "positive and non-decreasing"),
        ({"impact_scores": (1, 3, 2, 4, 5)}, "positive and non-decreasing"),
        ({"ratings": ()}, "must not be empty"),
        ({"ratings": ((1, "low"), (10, "high"), (5, "medium"))}, "strictly increasing minimum"),
        ({"ratings": ((2, "low"), (10, "high"))}, "cover the lowest possible score"),
        ({"ratings": ((1, "severe"),)}, "ratings"),
        ({"probability_upper": (0.1, 0.3, 0.5, 0.7)}, "not floats"),
    ],
)
def test_invalid_matrices_are_refused(changes, message):
    with pytest.raises(ValidationError, match=message):
        _matrix(**changes)


def test_a_matrix_round_trips_through_json_with_exact_bounds():
    text = DEFAULT_MATRIX.model_dump_json()
    assert '"probability_upper":["0.1","0.3","0.5","0.7"]' in text
    assert RiskMatrix.model_validate_json(text) == DEFAULT_MATRIX


def test_the_default_matrix_is_frozen():
    with pytest.raises(ValidationError, match="frozen"):
        DEFAULT_MATRIX.ratings = ((1, "low"),)  # type: ignore[misc]


# --- properties ------------------------------------------------------------------------

PROBABILITIES = st.floats(min_value=0, max_value=1, allow_nan=False)
AMOUNTS = st.decimals(min_value=0, max_value=10_000_000, places=2)
DAYS = st.floats(min_value=0, max_value=200, allow_nan=False)


@st.composite
def risks(draw: st.DrawFn, rid: str) -> Risk:
    cost = draw(st.none() | st.lists(AMOUNTS, min_size=3, max_size=3).map(sorted))
    days = draw(st.none() | st.lists(DAYS, min_size=3, max_size=3).map(sorted))
    return risk(
        rid,
        draw(PROBABILITIES),
        None if cost is None else (cost[0], cost[1], cost[2]),
        None if days is None else (days[0], days[1], days[2]),
        response=draw(st.sampled_from(get_args(RiskResponse))),
    )


@st.composite
def registers(draw: st.DrawFn) -> RiskRegister:
    ids = draw(st.lists(st.from_regex(r"R[0-9]{1,3}", fullmatch=True), unique=True, max_size=12))
    return RiskRegister(risks=[draw(risks(i)) for i in ids])


def cents(x: Fraction) -> Money:
    """Round a rational half-even to the cent, independently of Decimal contexts."""
    return Money(amount=Decimal(round(x * 100)).scaleb(-2))


@given(registers())
def test_reserve_is_the_exact_sum_of_retained_emvs_rounded_to_the_cent(register):
    expected = Fraction(0)
    for r in register.risks:
        if r.cost_impact is not None and r.response not in {"avoid", "transfer"}:
            c = r.cost_impact
            pert = (Fraction(c.low) + 4 * Fraction(c.likely) + Fraction(c.high)) / 6
            expected += Fraction(Decimal(str(r.probability))) * pert
    reserve = contingency_reserve(register, "USD")
    assert reserve == cents(expected)
    retained = [emv(r, "USD") for r in register.risks if r.response not in {"avoid", "transfer"}]
    # Each displayed EMV is off by at most half a cent, so their sum is within n half-cents.
    shown = total((m.rounded() for m in retained), "USD")
    assert abs(reserve.amount - shown.amount) <= Decimal("0.005") * len(retained)


@given(registers(), st.sampled_from(sorted(RESERVE_EXCLUDED)), AMOUNTS)
def test_avoided_and_transferred_threats_add_nothing_to_the_reserve(register, response, cost):
    before = contingency_reserve(register, "USD")
    extra = risk("X1", 1.0, (cost, cost, cost), response=response)
    after = contingency_reserve(RiskRegister(risks=[*register.risks, extra]), "USD")
    assert after == before


@given(registers(), st.none() | AMOUNTS.filter(lambda a: a > 0).map(usd))
def test_rank_is_a_sorted_permutation(register, budget):
    ranked = rank(register, DEFAULT_MATRIX, budget)
    assert sorted(r.risk_id for r in ranked) == sorted(r.id for r in register.risks)
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    by_id = {r.id: r for r in register.risks}
    for a, b in pairwise(ranked):
        assert a.score.score >= b.score.score
        if a.score.score == b.score.score:
            ea, eb = (emv(by_id[x.risk_id], "USD").amount for x in (a, b))
            assert ea >= eb
            if ea == eb:
                assert a.risk_id < b.risk_id


@given(risks("R1"), PROBABILITIES, PROBABILITIES)
def test_a_likelier_risk_never_scores_lower(r, p1, p2):
    lo, hi = sorted((p1, p2))
    assert score(r.model_copy(update={"probability": lo})).score <= (
        score(r.model_copy(update={"probability": hi})).score
    )


@given(risks("R1").filter(lambda r: r.cost_impact is not None))
def test_emv_lies_between_probability_times_low_and_high(r):
    p = Decimal(str(r.probability))
    assert r.cost_impact is not None
    assert p * r.cost_impact.low <= emv(r).amount <= p * r.cost_impact.high
