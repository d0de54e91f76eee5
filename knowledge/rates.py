"""Default hourly rates per canonical role, so that a first draft is priced before the PM has
supplied a rate card.

The figures are data (knowledge/rates.json): blended 2026 market rates, one table per currency
set from that currency's own market rather than converted at an exchange rate. Amounts are
decimal strings in the file and Decimal here, never float, so no rate is rounded in transit.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

from tools.vocabulary import ROLES

_FILE = "knowledge/rates.json"


def _amount(value: object, where: str) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(f'{_FILE}: {where}: write the amount as a decimal string, e.g. "95"')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{_FILE}: {where}: {value!r} is not a decimal amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"{_FILE}: {where}: a rate must be a positive amount, not {value!r}")
    return amount


@cache
def _table() -> tuple[str, dict[str, dict[str, Decimal]]]:
    """The basis note and the rates by currency, read and checked once per process."""
    doc = json.loads((files("knowledge") / "rates.json").read_text(encoding="utf-8"))
    basis = doc.get("basis")
    if not isinstance(basis, str) or not basis.strip():
        raise ValueError(f"{_FILE}: basis: say where the default rates come from")
    table: dict[str, dict[str, Decimal]] = {}
    for currency, rates in doc.get("currencies", {}).items():
        at = f"currencies.{currency}"
        if not isinstance(rates, dict):
            raise ValueError(f"{_FILE}: {at}: expected an object of role to amount")
        unknown = ", ".join(sorted(set(rates) - set(ROLES))) or "none"
        missing = ", ".join(r for r in ROLES if r not in rates) or "none"
        if unknown != "none" or missing != "none":
            raise ValueError(
                f"{_FILE}: {at}: roles must be exactly tools.vocabulary.ROLES"
                f" (unknown: {unknown}; missing: {missing})"
            )
        table[currency.upper()] = {r: _amount(rates[r], f"{at}.{r}") for r in ROLES}
    return basis, table


def rates_basis() -> str:
    """Where the defaults come from, for the assumption a plan records when it uses them."""
    return _table()[0]


def rate_currencies() -> tuple[str, ...]:
    """The currencies with default rates, in file order."""
    return tuple(_table()[1])


def default_rates(currency: str) -> dict[str, Decimal] | None:
    """Hourly rate per canonical role in `currency` (ISO code, any case); None when pmpilot has
    no defaults for it. A fresh dict on each call, so a caller's edits stay its own."""
    rates = _table()[1].get(currency.strip().upper())
    return dict(rates) if rates is not None else None
