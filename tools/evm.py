"""Earned value management: where an active project stands against its baseline.

Planned value accrues linearly over an item's working days (weekends and holidays earn
nothing); earned value is the budget times the reported percent complete; actual cost is what
the status reports. Totals are summed as exact rationals and rounded (half-even) to the minor
unit once; every variance, index and forecast is derived from those rounded totals, so the
report adds up as printed. Forecasts use the exact ratios; indices are rounded to four places
for reading only. A quantity whose formula
divides by zero is None, not an error: early in a project CPI or SPI is simply undefined.

Formulas: PMI, PMBOK Guide 6th ed., 7.4.2.2 and Table 7-1; PMI Practice Standard for Earned
Value Management, 2nd ed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

from pydantic import ConfigDict, model_validator

from tools.calendar import working_days_between
from tools.domain import Calendar, Code, Day, StatusUpdate, Strict
from tools.money import CurrencyMismatchError, Money, minor_exponent

_DAY = timedelta(days=1)
_INDEX_PLACES = 4
# Digits for the one unrounded figure this module hands out, `planned_value` of an item.
_PRECISION = 60


class EvmInputError(ValueError):
    """A baseline or status the earned-value math cannot use; the message names the code."""


class UnknownCodeError(EvmInputError):
    """The status reports progress on codes that are not in the baseline."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        super().__init__(f"status reports codes not in the baseline: {', '.join(self.codes)}")


class DuplicateCodeError(EvmInputError):
    """A code appears twice in the baseline, or twice in the status."""

    def __init__(self, where: str, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        super().__init__(f"codes must be unique in the {where}; repeated: {', '.join(codes)}")


class BaselineItem(Strict):
    """A baselined piece of work: its budget and its planned dates, both inclusive (`finish` is
    the last working day, as in `ScheduledTask.early_finish`)."""

    code: Code
    budget_at_completion: Money
    start: Day
    finish: Day

    @model_validator(mode="after")
    def _valid(self) -> BaselineItem:
        if self.finish < self.start:
            raise ValueError(f"{self.code}: finish must not be before start")
        if self.budget_at_completion.amount < 0:
            raise ValueError(f"{self.code}: budget_at_completion must not be negative")
        return self


class EarnedValue(Strict):
    """Earned-value figures at a status date, in the baseline's currency.

    `eac_cpi` (BAC / CPI) assumes the cost performance so far continues; it is the one that ETC,
    VAC and TCPI-to-EAC use. `eac_ac_plus_remaining` (AC + BAC - EV) assumes the variance so
    far was atypical. `eac_cpi_spi` (AC + (BAC - EV) / (CPI x SPI)) assumes cost and schedule
    performance both weigh on the rest. TCPI is the cost efficiency the remaining work needs
    to finish at BAC (`tcpi_bac`) or at `eac_cpi` (`tcpi_eac`); above 1 is harder, and a
    negative `tcpi_bac` means BAC is already spent.
    """

    model_config = ConfigDict(frozen=True)

    as_of: Day
    bac: Money
    pv: Money
    ev: Money
    ac: Money
    cv: Money
    sv: Money
    cpi: Decimal | None
    spi: Decimal | None
    eac_cpi: Money | None
    eac_ac_plus_remaining: Money
    eac_cpi_spi: Money | None
    etc: Money | None
    vac: Money | None
    tcpi_bac: Decimal | None
    tcpi_eac: Decimal | None


def _planned_share(item: BaselineItem, as_of: date, calendar: Calendar) -> Fraction:
    """The part of an item's budget planned by the end of `as_of`, exactly."""
    if as_of >= item.finish:
        return Fraction(1)
    if as_of < item.start:
        return Fraction(0)
    total = working_days_between(calendar, item.start, item.finish + _DAY)
    if total == 0:
        return Fraction(0)
    return Fraction(working_days_between(calendar, item.start, as_of + _DAY), total)


def planned_value(item: BaselineItem, as_of: date, calendar: Calendar) -> Money:
    """Budget planned to be spent by the end of `as_of`: BAC x working days from start through
    as_of / working days from start through finish. Unrounded.

    An item whose span holds no working day is planned in full at its finish.
    """
    exact = Fraction(item.budget_at_completion.amount) * _planned_share(item, as_of, calendar)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        amount = Decimal(exact.numerator) / Decimal(exact.denominator)
    return Money(amount=amount, currency=item.budget_at_completion.currency)


def _repeated(codes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for code in codes:
        (repeated if code in seen else seen).add(code)
    return sorted(repeated)


def _half_even(x: Fraction, places: int) -> Decimal:
    # round() on a Fraction is exact and half-even, like Money.rounded().
    return Decimal(round(x * 10**places)).scaleb(-places)


def _money(x: Fraction, currency: str) -> Money:
    return Money(amount=_half_even(x, minor_exponent(currency)), currency=currency)


def _index(numerator: Fraction, denominator: Fraction) -> Decimal | None:
    return None if denominator == 0 else _half_even(numerator / denominator, _INDEX_PLACES)


def earned_value(
    baseline: Sequence[BaselineItem], status: StatusUpdate, calendar: Calendar
) -> EarnedValue:
    """PV, EV, AC and what follows from them, for a baseline at `status.as_of`.

    Baseline items the status does not mention have earned nothing and cost nothing. Raises
    `EvmInputError` (or `CurrencyMismatchError`) naming the code for an empty baseline,
    repeated codes, codes not in the baseline, a currency that differs from the baseline's,
    or a negative actual cost.
    """
    if not baseline:
        raise EvmInputError("the baseline is empty")
    if repeated := _repeated(item.code for item in baseline):
        raise DuplicateCodeError("baseline", repeated)
    if repeated := _repeated(p.code for p in status.progress):
        raise DuplicateCodeError("status", repeated)
    items = {item.code: item for item in baseline}
    if unknown := sorted({p.code for p in status.progress} - items.keys()):
        raise UnknownCodeError(unknown)
    currency = baseline[0].budget_at_completion.currency
    for item in baseline:
        if item.budget_at_completion.currency != currency:
            raise CurrencyMismatchError(
                f"{item.code}: budget is in {item.budget_at_completion.currency}, "
                f"the baseline in {currency}"
            )
    for p in status.progress:
        if p.actual_cost.currency != currency:
            raise CurrencyMismatchError(
                f"{p.code}: actual cost is in {p.actual_cost.currency}, the baseline in {currency}"
            )
        if p.actual_cost.amount < 0:
            raise EvmInputError(f"{p.code}: actual cost must not be negative")

    # Exact rationals throughout: each total is rounded once, and everything after is derived
    # from the rounded totals, so the figures agree with each other as printed.
    bac, pv, ev, ac = (
        _money(sum(parts, Fraction(0)), currency)
        for parts in (
            (Fraction(i.budget_at_completion.amount) for i in baseline),
            (
                Fraction(i.budget_at_completion.amount) * _planned_share(i, status.as_of, calendar)
                for i in baseline
            ),
            (
                Fraction(items[p.code].budget_at_completion.amount)
                * Fraction(Decimal(str(p.percent_complete)))
                / 100
                for p in status.progress
            ),
            (Fraction(p.actual_cost.amount) for p in status.progress),
        )
    )
    f_bac, f_pv, f_ev, f_ac = (Fraction(m.amount) for m in (bac, pv, ev, ac))
    remaining = bac - ev

    eac_cpi = eac_cpi_spi = None
    if f_ev > 0 and f_ac > 0:
        cpi = f_ev / f_ac
        eac_cpi = _money(f_bac / cpi, currency)
        if f_pv > 0:
            eac_cpi_spi = _money(f_ac + (f_bac - f_ev) / (cpi * (f_ev / f_pv)), currency)
    etc = None if eac_cpi is None else eac_cpi - ac
    return EarnedValue(
        as_of=status.as_of,
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        cv=ev - ac,
        sv=ev - pv,
        cpi=_index(f_ev, f_ac),
        spi=_index(f_ev, f_pv),
        eac_cpi=eac_cpi,
        eac_ac_plus_remaining=ac + remaining,
        eac_cpi_spi=eac_cpi_spi,
        etc=etc,
        vac=None if eac_cpi is None else bac - eac_cpi,
        tcpi_bac=_index(f_bac - f_ev, f_bac - f_ac),
        tcpi_eac=None if etc is None else _index(f_bac - f_ev, Fraction(etc.amount)),
    )
