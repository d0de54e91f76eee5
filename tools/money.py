"""Exact money: Decimal amounts with an ISO 4217 currency, never float.

Amounts cross JSON as strings so that no client rounds them through a binary float.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, field_validator

# Minor-unit exponents that differ from the usual two decimals (ISO 4217).
MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}


ISO_4217 = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)
"""Active ISO 4217 currency codes."""
MAX_AMOUNT = Decimal(10) ** 15
"""No input amount reaches a quadrillion; larger values are typos or attacks on the arithmetic
(results computed in code, such as an EAC from a tiny CPI, are not bounded)."""


def check_currency(code: str) -> str:
    if code not in ISO_4217:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code such as 'USD' or 'EUR'")
    return code


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined."""


def _to_decimal(value: Any) -> Decimal:
    """Accept str, int or Decimal; refuse float and bool, which would lose or fake a value."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, float):
        raise ValueError("amounts must be strings or integers, not floats (e.g. '1234.50')")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("amount must be finite")
        return value  # computed in code; only outside input is bounded below
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
    else:
        raise ValueError(f"expected a decimal string, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("amount must be finite")
    if abs(result) >= MAX_AMOUNT:
        raise ValueError("amounts must be below 10^15")
    return result


Amount = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(str, return_type=str, when_used="json"),
]
"""A Decimal field that validates strictly and serialises to a JSON string."""


def minor_exponent(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)


class Money(BaseModel):
    """An amount in one currency. Arithmetic refuses to mix currencies."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    amount: Amount
    currency: str = "USD"

    @field_validator("currency")
    @classmethod
    def _iso_code(cls, v: str) -> str:
        return check_currency(v)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "USD") -> Money:
        return cls(amount=_to_decimal(amount), currency=currency)

    @classmethod
    def zero(cls, currency: str = "USD") -> Money:
        return cls(amount=Decimal(0), currency=currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    def times(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float | bool):
            raise TypeError("multiply money by a Decimal or int, never a float")
        return Money(amount=self.amount * factor, currency=self.currency)

    def minor_units(self) -> int:
        """The amount, rounded, as a whole number of minor units (cents for USD)."""
        return int(self.rounded().amount.scaleb(minor_exponent(self.currency)))

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        return cls(amount=Decimal(units).scaleb(-minor_exponent(currency)), currency=currency)

    def rounded(self) -> Money:
        """Round half-even to the currency's minor unit."""
        quantum = Decimal(1).scaleb(-minor_exponent(self.currency))
        return Money(
            amount=self.amount.quantize(quantum, rounding=ROUND_HALF_EVEN), currency=self.currency
        )

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __str__(self) -> str:
        return f"{self.currency} {self.rounded().amount:,}"


def total(items: Iterable[Money], currency: str) -> Money:
    """Sum amounts of one currency; an empty sum is zero in that currency."""
    result = Money.zero(currency)
    for item in items:
        result = result + item
    return result


def allocate(amount: Money, weights: Sequence[Decimal | int]) -> list[Money]:
    """Split an amount by weights into minor units that sum exactly to the rounded amount.

    Largest-remainder method: each share is floored to the cent, then the left-over cents go
    to the shares with the largest remainders (ties to the earliest).
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(isinstance(w, float | bool) for w in weights):
        raise TypeError("weights must be Decimal or int")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    units = amount.minor_units()
    sign = -1 if units < 0 else 1
    return [
        Money.from_minor_units(sign * share, amount.currency)
        for share in split_units(abs(units), weights)
    ]


def split_units(units: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Split a whole number of units by weights so that the shares sum exactly to it.

    Largest-remainder method: floor every share, then give the left-over units to the largest
    remainders (ties to the earliest). Used for cents of money and hundredths of hours.
    """
    weight_sum = sum((Decimal(w) for w in weights), Decimal(0))
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    raw = [Decimal(units) * Decimal(w) / weight_sum for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in order[: units - sum(shares)]:
        shares[i] += 1
    return shares
