"""Public holidays from rules as data, and the country a brief is planned in."""

from __future__ import annotations

from datetime import date

import pytest

from tools.brief.places import country_of
from tools.calendar import working_days_between
from tools.domain import Calendar
from tools.holidays import countries, public_holidays


def days(country: str, year: int) -> dict[date, str]:
    return dict(public_holidays(country, year, year))


def test_england_2027_with_christmas_on_a_weekend_observed_on_monday_and_tuesday() -> None:
    gb = days("GB", 2027)
    assert sorted(gb) == [
        date(2027, 1, 1),
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),  # Christmas Day (a Saturday), observed
        date(2027, 12, 28),  # Boxing Day (a Sunday), observed after it
    ]


def test_us_observes_a_saturday_holiday_on_friday_and_counts_nth_weekdays() -> None:
    us = days("US", 2027)
    assert us[date(2027, 12, 24)] == "Christmas Day"  # 25 Dec 2027 is a Saturday
    assert us[date(2027, 11, 25)] == "Thanksgiving"  # the fourth Thursday
    assert us[date(2027, 5, 31)] == "Memorial Day"  # the last Monday


def test_germany_moves_with_easter_and_keeps_weekend_days_where_they_fall() -> None:
    de = days("DE", 2027)
    assert de[date(2027, 5, 6)] == "Christi Himmelfahrt"  # Easter + 39
    assert de[date(2027, 5, 17)] == "Pfingstmontag"  # Easter + 50
    assert date(2027, 12, 26) in de  # a Sunday, not moved


@pytest.mark.parametrize("country", sorted(countries()))
def test_every_country_has_its_new_year_and_some_holidays_on_working_days(country: str) -> None:
    found = public_holidays(country, 2026, 2028)
    assert any(d.month == 1 and d.day in (1, 2, 3) for d, _ in found)
    assert len(found) >= 3 * 5


def test_a_calendar_without_the_holidays_has_fewer_working_days() -> None:
    holidays = [d for d, _ in public_holidays("GB", 2027, 2027)]
    year = (date(2027, 1, 1), date(2028, 1, 1))
    assert working_days_between(Calendar(), *year) - working_days_between(
        Calendar(holidays=holidays), *year
    ) == len(holidays)
    assert public_holidays("XX", 2027, 2027) == []


@pytest.mark.parametrize(
    ("text", "currency", "country"),
    [
        ("Move the Leeds and Manchester offices to Teams Phone.", "EUR", "GB"),
        ("Our plant in Wrocław and the office in Warsaw.", None, "PL"),
        ("Budget CHF 400k, no place named.", "CHF", "CH"),
        ("Budget EUR 400k, no place named.", "EUR", None),
    ],
)
def test_the_country_is_the_places_named_else_the_currency(
    text: str, currency: str | None, country: str | None
) -> None:
    assert country_of(text, currency)[0] == country
