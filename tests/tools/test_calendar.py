"""Calendar arithmetic. Expected dates are read off a wall calendar of 2026-2027."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tools.calendar import (
    add_working_days,
    is_working_day,
    member_capacity,
    member_hours,
    roll_backward,
    roll_forward,
    working_dates,
    working_days_between,
)
from tools.domain import Absence, Calendar, Member

CHRISTMAS = Calendar(holidays=[date(2026, 12, 25), date(2027, 1, 1)])


def test_weekends_and_holidays_are_skipped() -> None:
    assert add_working_days(CHRISTMAS, date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri -> Mon
    # Mon 21 Dec + 5: Tue 22, Wed 23, Thu 24, (Fri 25 holiday), Mon 28, Tue 29.
    assert add_working_days(CHRISTMAS, date(2026, 12, 21), 5) == date(2026, 12, 29)
    assert add_working_days(CHRISTMAS, date(2026, 12, 29), -5) == date(2026, 12, 21)
    assert not is_working_day(CHRISTMAS, date(2026, 12, 25))
    assert not is_working_day(CHRISTMAS, date(2026, 11, 28))  # Saturday


def test_rolling_from_a_weekend() -> None:
    assert add_working_days(CHRISTMAS, date(2026, 11, 28), 0) == date(2026, 11, 30)
    assert add_working_days(CHRISTMAS, date(2026, 11, 28), -1) == date(2026, 11, 26)
    assert roll_forward(CHRISTMAS, date(2026, 12, 25)) == date(2026, 12, 28)
    assert roll_backward(CHRISTMAS, date(2026, 12, 27)) == date(2026, 12, 24)


def test_counting_is_half_open() -> None:
    # December 2026 has 23 weekdays; minus Christmas: 22 working days.
    assert working_days_between(CHRISTMAS, date(2026, 12, 1), date(2027, 1, 1)) == 22
    assert working_days_between(CHRISTMAS, date(2027, 1, 1), date(2026, 12, 1)) == -22
    assert working_days_between(CHRISTMAS, date(2026, 12, 1), date(2026, 12, 1)) == 0


def test_six_day_week_with_long_hours() -> None:
    cal = Calendar(working_weekdays=[0, 1, 2, 3, 4, 5], hours_per_day=10)
    assert cal.minutes_per_day == 600
    assert add_working_days(cal, date(2026, 11, 27), 1) == date(2026, 11, 28)  # Fri -> Sat
    assert working_days_between(cal, date(2026, 11, 30), date(2026, 12, 7)) == 6


def test_working_dates_table() -> None:
    assert working_dates(CHRISTMAS, date(2026, 12, 24), 3) == [
        date(2026, 12, 24),
        date(2026, 12, 28),
        date(2026, 12, 29),
    ]


def test_per_person_calendar_availability_and_absence() -> None:
    part_time = Member(
        id="ana",
        name="Ana",
        roles=["dba"],
        availability=0.5,
        calendar=Calendar(working_weekdays=[0, 1, 2, 3]),
        absences=[Absence(start=date(2026, 12, 1), finish=date(2026, 12, 2))],
    )
    assert member_hours(part_time, CHRISTMAS, date(2026, 12, 3)) == 4.0  # Thursday
    assert member_hours(part_time, CHRISTMAS, date(2026, 12, 4)) == 0.0  # her Friday off
    assert member_hours(part_time, CHRISTMAS, date(2026, 12, 1)) == 0.0  # absent
    # Week of 30 Nov: Mon 4 h, Tue/Wed absent, Thu 4 h, Fri off.
    assert member_capacity(part_time, CHRISTMAS, date(2026, 11, 30), date(2026, 12, 7)) == 8.0


calendars = st.builds(
    Calendar,
    working_weekdays=st.sets(st.integers(0, 6), min_size=1).map(sorted),
    holidays=st.lists(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=30),
)
days = st.dates(date(2026, 1, 1), date(2028, 12, 31))


@given(calendars, days, st.integers(-400, 400))
def test_add_then_count_round_trips(cal: Calendar, d: date, n: int) -> None:
    start = roll_forward(cal, d) if n >= 0 else roll_backward(cal, d)
    end = add_working_days(cal, d, n)
    assert is_working_day(cal, end)
    assert working_days_between(cal, start, end) == n


@given(calendars, days, days, days)
def test_counts_are_additive(cal: Calendar, a: date, b: date, c: date) -> None:
    ab = working_days_between(cal, a, b)
    assert ab + working_days_between(cal, b, c) == working_days_between(cal, a, c)
    brute = sum(is_working_day(cal, a + timedelta(days=i)) for i in range(max((b - a).days, 0)))
    if b >= a:
        assert ab == brute
