from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tools.money import CurrencyMismatchError, Money, allocate, total


def test_amounts_cross_json_as_strings() -> None:
    m = Money.model_validate_json('{"amount": "1234.50", "currency": "EUR"}')
    assert m.amount == Decimal("1234.50")
    assert m.model_dump_json() == '{"amount":"1234.50","currency":"EUR"}'


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ('{"amount": 12.5, "currency": "USD"}', "not floats"),
        ('{"amount": false, "currency": "USD"}', "boolean"),
        ('{"amount": "12,5", "currency": "USD"}', "not a decimal"),
        ('{"amount": "NaN", "currency": "USD"}', "finite"),
        ('{"amount": "1", "currency": "usd"}', "ISO 4217"),
        ('{"amount": "1", "currency": "USD", "rate": 2}', "Extra inputs"),
    ],
)
def test_invalid_money_names_the_field(payload: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        Money.model_validate_json(payload)
    assert fragment in str(err.value)
    assert err.value.errors()[0]["loc"][0] in {"amount", "currency", "rate"}


def test_currencies_never_mix() -> None:
    with pytest.raises(CurrencyMismatchError, match="USD and EUR"):
        _ = Money.of("1", "USD") + Money.of("1", "EUR")
    with pytest.raises(TypeError):
        Money.of("1").times(1.5)  # type: ignore[arg-type]


def test_rounding_is_half_even_to_the_minor_unit() -> None:
    assert Money.of("2.345").rounded().amount == Decimal("2.34")
    assert Money.of("2.355").rounded().amount == Decimal("2.36")
    assert Money.of("1234.5", "JPY").rounded().amount == Decimal("1234")


def test_allocate_worked_example() -> None:
    # 100.00 in three equal parts: 33.34 + 33.33 + 33.33 (largest remainder, ties to first).
    parts = allocate(Money.of("100.00"), [1, 1, 1])
    assert [p.amount for p in parts] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


@given(
    cents=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20).filter(
        any
    ),
)
def test_allocations_sum_to_the_total_to_the_cent(cents: int, weights: list[int]) -> None:
    amount = Money(amount=Decimal(cents).scaleb(-2), currency="USD")
    parts = allocate(amount, weights)
    assert total(parts, "USD").amount == amount.amount
    assert all(type(p.amount) is Decimal for p in parts)
    assert all(p.amount == 0 for p, w in zip(parts, weights, strict=True) if w == 0)
    # No share is more than one cent away from its exact proportion.
    exact = [amount.amount * w / sum(weights) for w in weights]
    assert all(abs(p.amount - e) < Decimal("0.01") for p, e in zip(parts, exact, strict=True))


def test_allocate_refuses_float_weights() -> None:
    with pytest.raises(TypeError):
        allocate(Money.of("1"), [0.5, 0.5])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="all be zero"):
        allocate(Money.of("1"), [0, 0])
