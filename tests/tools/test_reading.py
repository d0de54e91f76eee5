"""The reading layer: one table of amounts and dates as PMs write them, read the same way
wherever they appear (a brief's sentence or a chat message)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tools.reading.dates import easter, find_dates, find_durations, numeric_order, written_order
from tools.reading.money import find_amounts
from tools.reading.numbers import parse_digits, parse_words
from tools.reading.shares import find_shares

TODAY = date(2026, 12, 7)

AMOUNTS = [
    ("£1.2m all-in", Decimal("1200000"), "GBP", None),
    ("EUR 450k", Decimal("450000"), "EUR", None),
    ("Budget: 1,2 Mio. EUR.", Decimal("1200000"), "EUR", None),
    ("half a million dollars", Decimal("500000"), "USD", None),
    ("a quarter of a million pounds", Decimal("250000"), "GBP", None),
    ("$85/hour", Decimal("85"), "USD", "hour"),
    ("CHF 800'000", Decimal("800000"), "CHF", None),
    ("PLN 900 000 total", Decimal("900000"), "PLN", None),
    ("£655 per unit", Decimal("655"), "GBP", "unit"),
    ("day rate 1.050 EUR", Decimal("1050"), "EUR", None),
    ("450.000 € budget", Decimal("450000"), "EUR", None),
    ("USD 2,300/month", Decimal("2300"), "USD", "month"),
    ("budget 200k usd", Decimal("200000"), "USD", None),
    ("€ 1.5 mn", Decimal("1500000"), "EUR", None),
]


@pytest.mark.parametrize(("words", "value", "currency", "per"), AMOUNTS)
def test_amounts_as_written(words: str, value: Decimal, currency: str, per: str | None) -> None:
    found = find_amounts(words)
    assert [(a.value, a.currency, a.per) for a in found][:1] == [(value, currency, per)]
    # the same amount inside a longer sentence reads the same
    inside = find_amounts(f"As agreed, {words} and nothing else.")
    assert (inside[0].value, inside[0].currency) == (value, currency)


@pytest.mark.parametrize("words", ["in 2027 we", "1,400 laptops", "3.1 TB", "60%", "ALL 5 sites"])
def test_counts_years_and_sizes_are_not_money(words: str) -> None:
    assert find_amounts(words) == []


DATES = [
    ("w/c 11 Jan", date(2027, 1, 11), date(2027, 1, 15)),
    ("Fri 24 Sept", date(2027, 9, 24), date(2027, 9, 24)),
    ("1. February 2027", date(2027, 2, 1), date(2027, 2, 1)),
    ("2.8.", date(2027, 8, 2), date(2027, 8, 2)),
    ("24/09/2027", date(2027, 9, 24), date(2027, 9, 24)),
    ("2027-01-11", date(2027, 1, 11), date(2027, 1, 11)),
    ("January 11, 2027", date(2027, 1, 11), date(2027, 1, 11)),
    ("end of April", date(2027, 4, 30), date(2027, 4, 30)),
    ("end of Q3", date(2027, 9, 30), date(2027, 9, 30)),
    ("Q3 2027", date(2027, 7, 1), date(2027, 9, 30)),
    ("H2 2027", date(2027, 7, 1), date(2027, 12, 31)),
    ("March 2027", date(2027, 3, 1), date(2027, 3, 31)),
    ("Easter 2027", date(2027, 3, 28), date(2027, 3, 28)),
    ("the end of 2027", date(2027, 12, 31), date(2027, 12, 31)),
]


@pytest.mark.parametrize(("words", "first", "last"), DATES)
def test_dates_as_written(words: str, first: date, last: date) -> None:
    found = find_dates(f"We said {words} in the meeting.", today=TODAY)
    assert [(d.first, d.last) for d in found] == [(first, last)]


def test_a_date_that_could_swap_day_and_month_says_so() -> None:
    (dmy,) = find_dates("03/01/2027", today=TODAY)
    (mdy,) = find_dates("03/01/2027", today=TODAY, order="mdy")
    assert dmy.first == date(2027, 1, 3) and dmy.ambiguous
    assert mdy.first == date(2027, 3, 1) and mdy.ambiguous
    (clear,) = find_dates("24/09/2027", today=TODAY, order="mdy")
    assert clear.first == date(2027, 9, 24) and not clear.ambiguous


def test_words_that_look_like_months_are_not_dates() -> None:
    assert find_dates("it may be done; the domains march on", today=TODAY) == []


def test_fiscal_halves_follow_the_fiscal_year_start() -> None:
    (h1,) = find_dates("FY27 H1", today=TODAY, fiscal_start=7)
    assert (h1.first, h1.last) == (date(2026, 7, 1), date(2026, 12, 31))


@pytest.mark.parametrize("year", range(2020, 2031))
def test_easter_is_a_sunday_in_spring(year: int) -> None:
    day = easter(year)
    assert day.weekday() == 6 and date(year, 3, 22) <= day <= date(year, 4, 25)


def test_durations_count_calendar_months() -> None:
    (six,) = find_durations("six months from kickoff")
    assert six.after(date(2027, 2, 2)) == date(2027, 8, 2)
    (fortnight,) = find_durations("a fortnight")
    assert fortnight.after(date(2027, 2, 1)) == date(2027, 2, 15)


@pytest.mark.parametrize(
    ("words", "share"),
    [
        ("60%", 0.6),
        ("3 days a week", 0.6),
        ("one day a week", 0.2),
        ("full time", 1.0),
        ("half-time", 0.5),
    ],
)
def test_shares_of_a_week(words: str, share: float) -> None:
    assert [s.value for s in find_shares(words)] == [share]


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("1,200,000", "1200000"),
        ("1.200.000", "1200000"),
        ("1,200.50", "1200.50"),
        ("1.200,50", "1200.50"),
    ],
)
def test_separators(token: str, value: str) -> None:
    assert parse_digits(token) == Decimal(value)


def test_number_words() -> None:
    assert parse_words("twenty-four") == 24
    assert parse_words("two hundred and fifty") == 250
    assert parse_words("a dozen") == 12


# --- dates named by their week, by a holiday, or by another date ----------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("the 2nd week of January", date(2027, 1, 11), date(2027, 1, 15)),
        ("first week of February 2027", date(2027, 2, 1), date(2027, 2, 5)),
        ("the last week of March", date(2027, 3, 29), date(2027, 4, 2)),
        ("at latest week 50", date(2027, 12, 13), date(2027, 12, 17)),  # this week is past
        ("KW 12 2027", date(2027, 3, 22), date(2027, 3, 26)),
        ("Labor Day 2027", date(2027, 9, 6), date(2027, 9, 6)),
        ("Ascension 2027", date(2027, 5, 6), date(2027, 5, 6)),
        ("the Tuesday after Labor Day 2027", date(2027, 9, 7), date(2027, 9, 7)),
        ("the week after 11 Jan 2027", date(2027, 1, 18), date(2027, 1, 18)),
        ("the day before 1 March 2027", date(2027, 2, 28), date(2027, 2, 28)),
    ],
)
def test_weeks_holidays_and_relative_dates(text: str, first: date, last: date) -> None:
    (span,) = find_dates(text, today=TODAY)
    assert (span.first, span.last) == (first, last)


def test_a_date_after_the_one_just_named() -> None:
    spans = find_dates(
        "The steering committee meets on 20 January 2027, so we kick off on the Monday after"
        " that meeting.",
        today=TODAY,
    )
    assert [(s.text, s.first) for s in spans] == [
        ("20 January 2027", date(2027, 1, 20)),
        ("the Monday after that meeting", date(2027, 1, 25)),
    ]


@pytest.mark.parametrize("text", ["in week 3 of the project", "40 hours a week", "week 2.5"])
def test_a_week_of_the_project_is_no_calendar_week(text: str) -> None:
    assert find_dates(text, today=TODAY) == []


def test_the_order_a_text_writes_its_dates_in() -> None:
    assert written_order("Start: February 1, 2027. Phase 1 by June 30, 2027.") == "mdy"
    assert written_order("Start 1 February 2027, phase 1 by 30 June 2027.") == "dmy"
    assert written_order("February 1, 2027 or 30 June 2027") is None
    assert numeric_order("due 24/09/2027") == "dmy" and numeric_order("due 09/24/2027") == "mdy"


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("SEK 4,5 miljoner", Decimal("4500000"), "SEK"),
        ("around 2 crore INR", Decimal("20000000"), "INR"),
        ("EUR 1,2 Millionen", Decimal("1200000"), "EUR"),
    ],
)
def test_millions_in_other_languages(text: str, value: Decimal, currency: str) -> None:
    (a,) = find_amounts(text)
    assert (a.value, a.currency) == (value, currency)


def test_a_price_per_a_named_thing() -> None:
    (a,) = find_amounts("roughly EUR 2.000 per bank")
    assert (a.value, a.per, a.unit) == (Decimal(2000), "unit", "bank")


def test_a_day_and_a_half_a_week() -> None:
    assert [s.value for s in find_shares("at around a day and a half a week")] == [0.3]
    assert [s.value for s in find_shares("2 and a half days a week")] == [0.5]


def test_a_date_a_stated_time_from_another() -> None:
    (span,) = find_dates("no later than four weeks before renewal on 1 July 2027", today=TODAY)
    assert span.first == date(2027, 6, 3)
    spans = find_dates(
        "Renewal is 1 July 2027 and they want the evidence four weeks before renewal.",
        today=TODAY,
    )
    assert [s.first for s in spans] == [date(2027, 7, 1), date(2027, 6, 3)]
    (span,) = find_dates("two months after 1 March 2027", today=TODAY)
    assert span.first == date(2027, 5, 1)
    assert find_dates("4 weeks of hypercare after go-live", today=TODAY) == []
