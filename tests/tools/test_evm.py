"""Earned value: worked examples with exact figures, properties, and one test per bad input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tools.domain import Calendar, Progress, StatusUpdate
from tools.evm import (
    BaselineItem,
    DuplicateCodeError,
    EarnedValue,
    EvmInputError,
    UnknownCodeError,
    earned_value,
    planned_value,
)
from tools.money import CurrencyMismatchError, Money

STANDARD = Calendar()  # Monday to Friday, no holidays


def item(code: str, bac: str | int, start: date, finish: date, currency: str = "USD"):
    return BaselineItem(
        code=code, budget_at_completion=Money.of(bac, currency), start=start, finish=finish
    )


def progress(code: str, percent: float, cost: str | int, currency: str = "USD") -> Progress:
    return Progress(code=code, percent_complete=percent, actual_cost=Money.of(cost, currency))


def usd(amount: str | int) -> Money:
    return Money.of(amount)


# --- worked examples ---------------------------------------------------------------------


def test_textbook_example():
    # The classic PMBOK-style example (BAC 100,000, PV 50,000, EV 40,000, AC 45,000), laid on a
    # calendar: one item over the ten working days 2024-01-01 (Mon) to 2024-01-12 (Fri), status
    # at the end of day 5 (Fri 2024-01-05), 40 % done. Recomputed by hand:
    # CV = 40,000 - 45,000 = -5,000; SV = 40,000 - 50,000 = -10,000; CPI = 40/45 = 0.8889;
    # SPI = 40/50 = 0.8; EAC = BAC/CPI = 100,000 x 45/40 = 112,500; ETC = 112,500 - 45,000 =
    # 67,500; VAC = 100,000 - 112,500 = -12,500; TCPI(BAC) = 60,000/55,000 = 1.0909;
    # EAC(atypical) = 45,000 + 60,000 = 105,000; EAC(CPI x SPI) = 45,000 + 60,000 / (32/45) =
    # 45,000 + 84,375 = 129,375; TCPI(EAC) = 60,000/67,500 = 0.8889.
    baseline = [item("A", 100_000, date(2024, 1, 1), date(2024, 1, 12))]
    status = StatusUpdate(as_of=date(2024, 1, 5), progress=[progress("A", 40, 45_000)])
    ev = earned_value(baseline, status, STANDARD)
    assert ev == EarnedValue(
        as_of=date(2024, 1, 5),
        bac=usd(100_000),
        pv=usd(50_000),
        ev=usd(40_000),
        ac=usd(45_000),
        cv=usd(-5_000),
        sv=usd(-10_000),
        cpi=Decimal("0.8889"),
        spi=Decimal("0.8000"),
        eac_cpi=usd(112_500),
        eac_ac_plus_remaining=usd(105_000),
        eac_cpi_spi=usd(129_375),
        etc=usd(67_500),
        vac=usd(-12_500),
        tcpi_bac=Decimal("1.0909"),
        tcpi_eac=Decimal("0.8889"),
    )


def test_three_items_with_a_holiday():
    # Hand-computed example (pmpilot). Holiday Wed 2024-01-03; status at end of Thu 2024-01-04.
    # A: 9,000 over Mon 1 - Fri 5 = 4 working days (Wed off); 3 elapsed (Mon, Tue, Thu) -> 6,750.
    # B: 3,000 over Thu 4 - Wed 10 = 5 working days; 1 elapsed -> 600.  C: not started -> 0.
    # PV 7,350; BAC 13,000. EV = 80 % of 9,000 + 10 % of 3,000 = 7,200 + 300 = 7,500.
    # AC = 7,500 + 250 = 7,750. CV -250; SV +150; CPI 7,500/7,750 = 0.967742 -> 0.9677;
    # SPI 7,500/7,350 = 1.020408 -> 1.0204; EAC = 13,000 x 7,750/7,500 = 13,433.333 ->
    # 13,433.33; ETC 5,683.33; VAC -433.33; EAC(atypical) = 7,750 + 5,500 = 13,250;
    # EAC(CPI x SPI) = 7,750 + 5,500 x (7,750 x 7,350)/7,500^2 = 7,750 + 5,569.667 = 13,319.67;
    # TCPI(BAC) = 5,500/5,250 = 1.047619 -> 1.0476; TCPI(EAC) = 5,500/5,683.33 = 0.9677.
    cal = Calendar(holidays=[date(2024, 1, 3)])
    baseline = [
        item("A", 9_000, date(2024, 1, 1), date(2024, 1, 5)),
        item("B", 3_000, date(2024, 1, 4), date(2024, 1, 10)),
        item("C", 1_000, date(2024, 1, 8), date(2024, 1, 12)),
    ]
    status = StatusUpdate(
        as_of=date(2024, 1, 4), progress=[progress("A", 80, 7_500), progress("B", 10, 250)]
    )
    ev = earned_value(baseline, status, cal)
    assert (ev.bac, ev.pv, ev.ev, ev.ac) == (usd(13_000), usd(7_350), usd(7_500), usd(7_750))
    assert (ev.cv, ev.sv) == (usd(-250), usd(150))
    assert (ev.cpi, ev.spi) == (Decimal("0.9677"), Decimal("1.0204"))
    assert ev.eac_cpi == usd("13433.33")
    assert ev.etc == usd("5683.33")
    assert ev.vac == usd("-433.33")
    assert ev.eac_ac_plus_remaining == usd(13_250)
    assert ev.eac_cpi_spi == usd("13319.67")
    assert (ev.tcpi_bac, ev.tcpi_eac) == (Decimal("1.0476"), Decimal("0.9677"))


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 1, 4), "0"),  # the day before the start
        (date(2024, 1, 5), "200"),  # Fri: 1 of 5 working days
        (date(2024, 1, 6), "200"),  # Sat earns nothing
        (date(2024, 1, 7), "200"),  # Sun earns nothing
        (date(2024, 1, 8), "400"),  # Mon: 2 of 5
        (date(2024, 1, 11), "1000"),  # Thu: the finish
        (date(2024, 2, 1), "1000"),  # long after
    ],
)
def test_planned_value_accrues_over_working_days_only(as_of, expected):
    # 1,000 over Fri 2024-01-05 .. Thu 2024-01-11: Fri, Mon, Tue, Wed, Thu = 5 working days.
    wp = item("A", 1_000, date(2024, 1, 5), date(2024, 1, 11))
    assert planned_value(wp, as_of, STANDARD) == usd(expected)


def test_planned_value_of_a_span_without_working_days_is_due_at_its_finish():
    wp = item("M", 500, date(2024, 1, 6), date(2024, 1, 7))  # Sat, Sun
    assert planned_value(wp, date(2024, 1, 6), STANDARD) == usd(0)
    assert planned_value(wp, date(2024, 1, 7), STANDARD) == usd(500)


def test_planned_value_total_is_rounded_to_the_cent():
    # 100 over three working days: a third (33.333...) is planned after day one -> 33.33.
    baseline = [item("A", 100, date(2024, 1, 1), date(2024, 1, 3))]
    assert earned_value(baseline, StatusUpdate(as_of=date(2024, 1, 1)), STANDARD).pv == usd("33.33")


@pytest.mark.parametrize(
    ("percent", "expected"), [(0.5, "0.00"), (1.5, "0.02"), (2.5, "0.02"), (33.3, "0.33")]
)
def test_earned_value_is_rounded_half_even_to_the_cent(percent, expected):
    # EV of a 1.00 item: 0.005 -> 0.00 and 0.025 -> 0.02 (half-even), 0.015 -> 0.02, 0.333 ->
    # 0.33. The percent enters as Decimal(str(p)), so 0.5 % is exactly half a cent.
    baseline = [item("B", 1, date(2024, 1, 1), date(2024, 1, 1))]
    status = StatusUpdate(as_of=date(2024, 1, 1), progress=[progress("B", percent, 0)])
    assert earned_value(baseline, status, STANDARD).ev == usd(expected)


def test_percent_complete_is_taken_as_written_not_as_a_binary_float():
    # 0.05 % of 10.00 is exactly half a cent -> 0.00 (half-even). The float 0.05 is
    # 0.05000000000000000277..., which read exactly would round up to 0.01.
    day = date(2024, 1, 1)
    status = StatusUpdate(as_of=day, progress=[progress("A", 0.05, 0)])
    assert earned_value([item("A", 10, day, day)], status, STANDARD).ev == usd("0.00")


def test_totals_are_exact_even_across_hundreds_of_orders_of_magnitude():
    # 0.5 % of 1.00 is exactly half a cent; 1e-300 % of 1.00 more puts the exact EV just above
    # it, so it rounds up to 0.01 (a 60-digit Decimal sum would drop the tiny term: 0.00).
    day = date(2024, 1, 1)
    baseline = [item("A", 1, day, day), item("B", 1, day, day)]
    status = StatusUpdate(as_of=day, progress=[progress("A", 0.5, 0), progress("B", 1e-300, 0)])
    assert earned_value(baseline, status, STANDARD).ev == usd("0.01")


def test_zero_decimal_currency_rounds_to_whole_units():
    # JPY has no minor unit: 1,000 over 3 working days, after one -> 333.33... -> 333.
    baseline = [item("A", 1_000, date(2024, 1, 1), date(2024, 1, 3), "JPY")]
    ev = earned_value(baseline, StatusUpdate(as_of=date(2024, 1, 1)), STANDARD)
    assert ev.pv == Money.of(333, "JPY")
    assert ev.pv.amount.as_tuple().exponent == 0


# --- undefined quantities are None, not crashes ----------------------------------------


def test_before_any_work_every_ratio_is_undefined():
    baseline = [item("A", 1_000, date(2024, 1, 8), date(2024, 1, 12))]
    ev = earned_value(baseline, StatusUpdate(as_of=date(2024, 1, 1)), STANDARD)
    assert (ev.pv, ev.ev, ev.ac) == (usd(0), usd(0), usd(0))
    assert ev.cpi is None and ev.spi is None
    assert ev.eac_cpi is None and ev.eac_cpi_spi is None and ev.etc is None and ev.vac is None
    assert ev.tcpi_eac is None
    assert ev.tcpi_bac == Decimal("1.0000")  # (1,000 - 0) / (1,000 - 0)
    assert ev.eac_ac_plus_remaining == usd(1_000)


def test_cost_without_progress_gives_cpi_zero_and_no_cpi_forecast():
    baseline = [item("A", 1_000, date(2024, 1, 1), date(2024, 1, 5))]
    status = StatusUpdate(as_of=date(2024, 1, 2), progress=[progress("A", 0, 300)])
    ev = earned_value(baseline, status, STANDARD)
    assert ev.cpi == Decimal("0.0000")
    assert ev.spi == Decimal("0.0000")
    assert ev.eac_cpi is None and ev.eac_cpi_spi is None
    assert ev.eac_ac_plus_remaining == usd(1_300)


def test_spent_budget_makes_tcpi_to_bac_undefined_or_negative():
    baseline = [item("A", 1_000, date(2024, 1, 1), date(2024, 1, 5))]
    at_bac = StatusUpdate(as_of=date(2024, 1, 3), progress=[progress("A", 50, 1_000)])
    assert earned_value(baseline, at_bac, STANDARD).tcpi_bac is None
    # Hand-computed: (1,000 - 500) / (1,000 - 1,500) = -1.
    over = StatusUpdate(as_of=date(2024, 1, 3), progress=[progress("A", 50, 1_500)])
    assert earned_value(baseline, over, STANDARD).tcpi_bac == Decimal("-1.0000")


def test_finished_on_budget_has_tcpi_to_eac_undefined():
    # EV == BAC: nothing remains, ETC is zero, and TCPI to EAC divides by it.
    baseline = [item("A", 1_000, date(2024, 1, 1), date(2024, 1, 5))]
    done = StatusUpdate(as_of=date(2024, 1, 5), progress=[progress("A", 100, 1_000)])
    ev = earned_value(baseline, done, STANDARD)
    assert (ev.cpi, ev.spi, ev.eac_cpi, ev.etc) == (Decimal(1), Decimal(1), usd(1_000), usd(0))
    assert ev.tcpi_eac is None and ev.tcpi_bac is None


# --- invalid input: one typed error each -----------------------------------------------


def test_unknown_code_in_status_is_named():
    baseline = [item("A", 1_000, date(2024, 1, 1), date(2024, 1, 5))]
    status = StatusUpdate(
        as_of=date(2024, 1, 3), progress=[progress("ZZ", 10, 1), progress("A", 10, 1)]
    )
    with pytest.raises(UnknownCodeError, match="ZZ") as err:
        earned_value(baseline, status, STANDARD)
    assert err.value.codes == ("ZZ",)
    assert isinstance(err.value, EvmInputError)


def test_repeated_baseline_code_is_named():
    baseline = [
        item("A", 1, date(2024, 1, 1), date(2024, 1, 5)),
        item("A", 2, date(2024, 1, 1), date(2024, 1, 5)),
    ]
    with pytest.raises(DuplicateCodeError, match=r"baseline.*A") as err:
        earned_value(baseline, StatusUpdate(as_of=date(2024, 1, 3)), STANDARD)
    assert err.value.codes == ("A",)


def test_repeated_status_code_is_named():
    baseline = [item("A", 1, date(2024, 1, 1), date(2024, 1, 5))]
    status = StatusUpdate(as_of=date(2024, 1, 3), progress=[progress("A", 1, 1)] * 2)
    with pytest.raises(DuplicateCodeError, match=r"status.*A"):
        earned_value(baseline, status, STANDARD)


def test_baseline_in_two_currencies_names_the_item():
    baseline = [
        item("A", 1, date(2024, 1, 1), date(2024, 1, 5)),
        item("B", 1, date(2024, 1, 1), date(2024, 1, 5), "EUR"),
    ]
    with pytest.raises(CurrencyMismatchError, match=r"B.*EUR"):
        earned_value(baseline, StatusUpdate(as_of=date(2024, 1, 3)), STANDARD)


def test_actual_cost_in_another_currency_names_the_code():
    baseline = [item("A", 1, date(2024, 1, 1), date(2024, 1, 5))]
    status = StatusUpdate(as_of=date(2024, 1, 3), progress=[progress("A", 1, 1, "EUR")])
    with pytest.raises(CurrencyMismatchError, match=r"A.*EUR"):
        earned_value(baseline, status, STANDARD)


def test_negative_actual_cost_names_the_code():
    baseline = [item("A", 1, date(2024, 1, 1), date(2024, 1, 5))]
    status = StatusUpdate(as_of=date(2024, 1, 3), progress=[progress("A", 1, -1)])
    with pytest.raises(EvmInputError, match="A: actual cost"):
        earned_value(baseline, status, STANDARD)


def test_empty_baseline_is_refused():
    with pytest.raises(EvmInputError, match="empty"):
        earned_value([], StatusUpdate(as_of=date(2024, 1, 3)), STANDARD)


def test_baseline_item_finishing_before_it_starts_is_refused():
    with pytest.raises(ValidationError, match="X: finish must not be before start"):
        item("X", 1, date(2024, 1, 5), date(2024, 1, 4))


def test_negative_budget_is_refused():
    with pytest.raises(ValidationError, match="X: budget_at_completion"):
        item("X", -1, date(2024, 1, 1), date(2024, 1, 4))


# --- properties ------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31))
AMOUNTS = st.decimals(min_value=0, max_value=10_000_000, places=2)
PERCENT = st.floats(min_value=0, max_value=100, allow_nan=False)
CALENDARS = st.builds(
    Calendar,
    working_weekdays=st.sets(st.integers(0, 6), min_size=1).map(sorted),
    holidays=st.lists(DAYS, max_size=20),
)


@st.composite
def baselines(draw: st.DrawFn) -> list[BaselineItem]:
    n = draw(st.integers(1, 6))
    out = []
    for i in range(n):
        start = draw(DAYS)
        out.append(
            BaselineItem(
                code=f"W{i}",
                budget_at_completion=Money(amount=draw(AMOUNTS)),
                start=start,
                finish=start + timedelta(days=draw(st.integers(0, 60))),
            )
        )
    return out


@st.composite
def statuses(draw: st.DrawFn, baseline: list[BaselineItem]) -> StatusUpdate:
    reported = draw(st.lists(st.sampled_from([b.code for b in baseline]), unique=True))
    return StatusUpdate(
        as_of=draw(DAYS),
        progress=[
            Progress(
                code=c, percent_complete=draw(PERCENT), actual_cost=Money(amount=draw(AMOUNTS))
            )
            for c in reported
        ],
    )


def cents(x: Fraction) -> Money:
    """Round a rational half-even to the cent, independently of Decimal contexts."""
    return Money(amount=Decimal(round(x * 100)).scaleb(-2))


def oracle_pv(baseline: list[BaselineItem], as_of: date, cal: Calendar) -> Money:
    """Planned value by walking every day: an independent reading of the accrual rule."""
    total = Fraction(0)
    for b in baseline:
        days = [b.start + timedelta(days=k) for k in range((b.finish - b.start).days + 1)]
        working = [d for d in days if d.weekday() in cal.working_weekdays and d not in cal.holidays]
        if as_of >= b.finish:
            share = Fraction(1)
        elif not working:
            share = Fraction(0)
        else:
            share = Fraction(sum(d <= as_of for d in working), len(working))
        total += Fraction(b.budget_at_completion.amount) * share
    return cents(total)


@given(st.data(), baselines(), CALENDARS)
def test_ev_is_between_zero_and_bac(data, baseline, cal):
    ev = earned_value(baseline, data.draw(statuses(baseline)), cal)
    assert Money.zero() <= ev.ev <= ev.bac


@given(baselines(), DAYS, CALENDARS)
def test_everything_done_earns_exactly_bac(baseline, as_of, cal):
    status = StatusUpdate(
        as_of=as_of,
        progress=[
            Progress(code=b.code, percent_complete=100, actual_cost=usd(0)) for b in baseline
        ],
    )
    ev = earned_value(baseline, status, cal)
    assert ev.ev == ev.bac == cents(sum(Fraction(b.budget_at_completion.amount) for b in baseline))


@given(baselines(), DAYS, CALENDARS)
def test_planned_value_matches_a_day_by_day_count(baseline, as_of, cal):
    ev = earned_value(baseline, StatusUpdate(as_of=as_of), cal)
    assert ev.pv == oracle_pv(baseline, as_of, cal)


@given(baselines(), DAYS, CALENDARS)
def test_planned_value_never_falls_and_reaches_bac(baseline, as_of, cal):
    pv = [
        earned_value(baseline, StatusUpdate(as_of=as_of + timedelta(days=k)), cal).pv
        for k in (0, 1)
    ]
    assert Money.zero() <= pv[0] <= pv[1]
    last = max(b.finish for b in baseline)
    assert earned_value(baseline, StatusUpdate(as_of=last), cal).pv == cents(
        sum(Fraction(b.budget_at_completion.amount) for b in baseline)
    )


@given(st.data(), baselines(), CALENDARS)
def test_forecasts_match_the_textbook_formulas_in_exact_arithmetic(data, baseline, cal):
    ev = earned_value(baseline, data.draw(statuses(baseline)), cal)
    bac, pv, e, ac = (Fraction(m.amount) for m in (ev.bac, ev.pv, ev.ev, ev.ac))
    assert ev.cv.amount == ev.ev.amount - ev.ac.amount
    assert ev.sv.amount == ev.ev.amount - ev.pv.amount
    assert ev.eac_ac_plus_remaining == cents(ac + bac - e)
    if e > 0 and ac > 0:
        cpi = e / ac
        assert ev.eac_cpi == cents(bac / cpi)
        assert ev.etc == ev.eac_cpi - ev.ac
        assert ev.vac == ev.bac - ev.eac_cpi
        assert ev.cpi == Decimal(round(cpi * 10_000)).scaleb(-4)
        if pv > 0:
            spi = e / pv
            assert ev.eac_cpi_spi == cents(ac + (bac - e) / (cpi * spi))
    else:
        assert ev.eac_cpi is None and ev.eac_cpi_spi is None
