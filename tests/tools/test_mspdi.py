"""tools.mspdi: Microsoft Project XML (MSPDI) into the domain model.

The expected values were read by hand from the MPXJ test files (public repository
joniles/mpxj, junit/data, LGPL-2.1) kept in ../shared/data/plans/mpxj; see that folder's
README. Hand-made documents below cover what those files do not: calendar exceptions in both
MSPDI forms, other lag and constraint types, and malformed or hostile input.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tools.domain import Calendar, Dependency, Estimate, Source
from tools.mspdi import MspdiError, MspdiProject, read_mspdi


@pytest.fixture(scope="module")
def mpxj(shared_data: Path) -> Path:
    return shared_data / "plans" / "mpxj"


def read(folder: Path, name: str) -> MspdiProject:
    return read_mspdi((folder / name).read_bytes())


def hours(h: float) -> Estimate:
    return Estimate(optimistic=h, likely=h, pessimistic=h, unit="hours", basis="duration")


def links(mp: MspdiProject) -> dict[str, list[tuple[str, str, float]]]:
    return {
        wp.code: [(d.predecessor, d.type, d.lag_days) for d in wp.depends_on]
        for wp in mp.plan.wbs
        if wp.depends_on
    }


MON_FRI_8H = Calendar(name="Standard", working_weekdays=[0, 1, 2, 3, 4], hours_per_day=8.0)


# --- the MPXJ files -------------------------------------------------------------------------


def test_mspdirelations_has_every_link_type(mpxj: Path) -> None:
    mp = read(mpxj, "mspdirelations.xml")
    plan = mp.plan
    assert [(wp.code, wp.name, wp.parent) for wp in plan.wbs] == [
        (f"T{i}", f"Task {i}", None) for i in range(1, 6)
    ]
    assert all(wp.estimate == hours(8) for wp in plan.wbs)
    # Task 3 is SS on Task 2 with LinkLag 4800 (tenths of a minute) = 480 min = 1 day.
    assert links(mp) == {
        "T2": [("T1", "FS", 0.0)],
        "T3": [("T2", "SS", 1.0)],
        "T4": [("T3", "FF", 0.0)],
        "T5": [("T4", "SF", 0.0)],
    }
    assert plan.start == date(2006, 9, 21)
    assert plan.calendar == MON_FRI_8H
    assert plan.brief.title == "mspdirelations.xml"  # no Title; Name is the file name
    assert plan.assumptions == []
    assert plan.wbs[2].source == Source(kind="import", ref="mspdi:3")
    assert plan.wbs[2].description == "MS Project WBS 3"


def test_mspdirelations_reported_values(mpxj: Path) -> None:
    mp = read(mpxj, "mspdirelations.xml")
    assert set(mp.reported) == {"T1", "T2", "T3", "T4", "T5"}  # not the project summary
    t5 = mp.reported["T5"]
    assert t5.uid == 5
    assert t5.early_start == datetime(2006, 9, 22, 8, 0)
    assert t5.early_finish == datetime(2006, 9, 25, 8, 0)
    assert t5.critical is False
    assert t5.total_slack_minutes == 480.0  # TotalSlack 4800 tenths of a minute
    assert (t5.summary, t5.milestone) == (False, False)
    assert [mp.reported[f"T{i}"].critical for i in range(1, 5)] == [True] * 4
    assert mp.day_start.isoformat() == "08:00:00"


SAMPLE_OUTLINE = [
    ("T1", "First Task", None),
    ("T2", "Second Task", "T1"),
    ("T3", "Third task", "T1"),
    ("T6", "Recurring Task", None),
    ("T7", "Recurring Task 1", "T6"),
    ("T8", "Recurring Task 2", "T6"),
    ("T19", "Task Relationships", None),
    *[
        (f"T{uid}", f"Related Task {n}{ab}", "T19")
        for uid, (n, ab) in zip(
            [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21],
            [(n, ab) for n in range(1, 7) for ab in "ab"],
            strict=True,
        )
    ],
]

SAMPLE_LINKS = {
    "T10": [("T9", "FS", 0.0)],
    "T12": [("T11", "FS", 1.0)],
    "T14": [("T13", "FS", -1.0)],
    "T16": [("T15", "SS", 0.0)],
    "T18": [("T17", "FF", 0.0)],
    "T21": [("T20", "SF", 0.0)],
}


def test_sample_outline_links_and_constraints(mpxj: Path) -> None:
    mp = read(mpxj, "sample.xml")
    plan = mp.plan
    assert len(plan.wbs) == 19
    assert [(wp.code, wp.name, wp.parent) for wp in plan.wbs] == SAMPLE_OUTLINE
    assert links(mp) == SAMPLE_LINKS
    by_code = {wp.code: wp for wp in plan.wbs}
    for summary in ("T1", "T6", "T19"):
        assert by_code[summary].estimate is None
        assert mp.reported[summary].summary
    assert by_code["T2"].estimate == hours(800)
    assert by_code["T3"].estimate == hours(0)
    assert mp.reported["T3"].milestone
    assert by_code["T7"].description == "MS Project WBS 1.3.1"
    # ConstraintType 4 (Start No Earlier Than): the date part of ConstraintDate.
    snet = {wp.code: wp.start_no_earlier_than for wp in plan.wbs if wp.start_no_earlier_than}
    assert snet == {
        "T7": date(2003, 2, 1),
        "T8": date(2003, 3, 1),
        "T20": date(2003, 1, 8),
        "T21": date(2003, 1, 6),
    }
    assert plan.start == date(2003, 1, 7)
    assert plan.calendar == MON_FRI_8H
    assert plan.brief.title == "sample"


def test_sample_notes_the_resource_calendar_it_cannot_model(mpxj: Path) -> None:
    # Second Task's assignments use First Resource (Standard) and Second Resource (Night
    # Shift): Microsoft Project fits its 800 h into 50 days of both calendars together.
    plan = read(mpxj, "sample.xml").plan
    assert len(plan.assumptions) == 1
    assert "task UID 2 (Second Task)" in plan.assumptions[0]
    assert "Night Shift" in plan.assumptions[0]


def test_sample1_has_deeper_outline_and_lags_in_hours(mpxj: Path) -> None:
    mp = read(mpxj, "sample1.xml")
    plan = mp.plan
    assert len(plan.wbs) == 22
    assert [(wp.code, wp.name, wp.parent) for wp in plan.wbs] == [
        *SAMPLE_OUTLINE,
        ("T22", "Resource Assignments", "T19"),
        ("T23", "Assigned Task 1", "T22"),
        ("T24", "Assigned Task 2", "T22"),
    ]
    # The same links as sample.xml, though LagFormat is 5 (hours) here: LinkLag is always in
    # tenths of a minute, whatever the display format.
    assert links(mp) == SAMPLE_LINKS
    assert plan.brief.title == "MPXJ Sample"
    assert plan.calendar == MON_FRI_8H
    # Written without early dates or slack: only Start and Finish are reported.
    t23 = mp.reported["T23"]
    assert (t23.early_start, t23.early_finish, t23.total_slack_minutes) == (None, None, None)
    assert (t23.start, t23.finish) == (datetime(2003, 1, 7, 8), datetime(2003, 1, 13, 17))
    noted = " ".join(plan.assumptions)
    assert "task UID 2 (Second Task)" in noted
    assert "task UID 24 (Assigned Task 2)" in noted


def test_baselines_seven_and_a_half_hour_days(mpxj: Path) -> None:
    mp = read(mpxj, "baselines.xml")
    plan = mp.plan
    assert [(wp.code, wp.name, wp.parent) for wp in plan.wbs] == [("T1", "Task One", None)]
    assert plan.wbs[0].estimate == hours(7.5)  # PT7H30M0S
    assert plan.calendar.hours_per_day == 7.5  # MinutesPerDay 450
    assert plan.calendar.working_weekdays == [0, 1, 2, 3, 4]
    assert plan.start == date(2008, 1, 30)
    assert plan.brief.title == "project1"  # Title, not the file name in Name
    # The Standard calendar itself works 8 h a day; that mismatch is recorded.
    assert len(plan.assumptions) == 1
    assert "480 working minutes" in plan.assumptions[0]
    assert "MinutesPerDay is 450" in plan.assumptions[0]


@pytest.mark.parametrize("name", ["PredecessorCalendar.xml", "resource-rates-test.xml"])
def test_primavera_files_are_refused_by_name(mpxj: Path, name: str) -> None:
    with pytest.raises(MspdiError, match="Primavera P6"):
        read(mpxj, name)


# --- hand-made documents --------------------------------------------------------------------

STANDARD = """
<Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
 <BaseCalendarUID>-1</BaseCalendarUID>
 <WeekDays>
  <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
  {weekdays}
  <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
  {extra_days}
 </WeekDays>
 {exceptions}
</Calendar>"""

WORKING_DAY = """<WeekDay><DayType>{n}</DayType><DayWorking>1</DayWorking><WorkingTimes>
 <WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>
 <WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>
</WorkingTimes></WeekDay>"""


def task(uid: int, level: int = 1, duration: str = "PT8H0M0S", body: str = "") -> str:
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>Task {uid}</Name>"
        f"<OutlineLevel>{level}</OutlineLevel><Duration>{duration}</Duration>{body}</Task>"
    )


def link(pred: int, kind: int = 1, lag: int = 0, fmt: int = 7) -> str:
    return (
        f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type>"
        f"<LinkLag>{lag}</LinkLag><LagFormat>{fmt}</LagFormat></PredecessorLink>"
    )


def mspdi(
    *tasks: str,
    head: str = "",
    calendars: str | None = None,
    extra_days: str = "",
    exceptions: str = "",
    tail: str = "",
) -> bytes:
    if calendars is None:
        weekdays = "".join(WORKING_DAY.format(n=n) for n in range(2, 7))
        calendars = STANDARD.format(weekdays=weekdays, extra_days=extra_days, exceptions=exceptions)
    summary = "<Task><UID>0</UID><ID>0</ID><Name>Project</Name><OutlineLevel>0</OutlineLevel>"
    summary += "<Summary>1</Summary></Task>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Project xmlns="http://schemas.microsoft.com/project">'
        f"<Name>hand.xml</Name>{head}<StartDate>2024-01-08T08:00:00</StartDate>"
        "<MinutesPerDay>480</MinutesPerDay><CalendarUID>1</CalendarUID>"
        f"<Calendars>{calendars}</Calendars><Tasks>{summary}{''.join(tasks)}</Tasks>{tail}"
        "</Project>"
    ).encode()


def test_a_minimal_document_reads() -> None:
    mp = read_mspdi(mspdi(task(1), task(2, body=link(1))))
    assert [wp.code for wp in mp.plan.wbs] == ["T1", "T2"]
    assert mp.plan.wbs[1].depends_on == [Dependency(predecessor="T1")]
    assert mp.plan.brief.title == "hand.xml"
    assert mp.plan.calendar == MON_FRI_8H
    assert mp.plan.assumptions == []


def test_parent_is_the_nearest_preceding_task_with_a_smaller_level() -> None:
    mp = read_mspdi(
        mspdi(
            task(1, level=1),
            task(2, level=3),  # a jump of two levels still hangs under task 1
            task(3, level=2),
            task(4, level=3),
            task(5, level=1),
        )
    )
    parents = {wp.code: wp.parent for wp in mp.plan.wbs}
    assert parents == {"T1": None, "T2": "T1", "T3": "T1", "T4": "T3", "T5": None}
    estimated = {wp.code for wp in mp.plan.wbs if wp.estimate is not None}
    assert estimated == {"T2", "T4", "T5"}  # T1 and T3 have children, so are summaries
    assert mp.reported["T3"].summary and not mp.reported["T4"].summary


def test_tasks_follow_their_id_and_blank_rows_are_skipped() -> None:
    blank = "<Task><UID>9</UID><ID>2</ID><IsNull>1</IsNull></Task>"
    later = "<Task><UID>3</UID><ID>3</ID><OutlineLevel>1</OutlineLevel>"
    later += "<Duration>PT1H0M0S</Duration></Task>"
    first = "<Task><UID>7</UID><ID>1</ID><OutlineLevel>1</OutlineLevel>"
    first += "<Duration>PT0H30M0S</Duration></Task>"
    mp = read_mspdi(mspdi(later, blank, first))
    assert [(wp.code, wp.name) for wp in mp.plan.wbs] == [("T7", "Task 7"), ("T3", "Task 3")]
    assert mp.plan.wbs[0].estimate == hours(0.5)


@pytest.mark.parametrize(
    ("fmt", "lag", "expected"),
    [
        (7, 2400, 0.5),  # days: tenths of a minute over MinutesPerDay
        (5, -4800, -1.0),  # hours: the same unit in the file
        (19, 50, 1.0),  # percent of the predecessor's 16 h duration
        (8, 14400, 1.0),  # elapsed days: 1 ed taken as 1 working day, and noted
    ],
)
def test_lag_formats(fmt: int, lag: int, expected: float) -> None:
    mp = read_mspdi(mspdi(task(1, duration="PT16H0M0S"), task(2, body=link(1, 1, lag, fmt))))
    assert mp.plan.wbs[1].depends_on[0].lag_days == expected
    assert bool(mp.plan.assumptions) == (fmt in (19, 8))


def test_elapsed_duration_is_taken_as_working_days_and_noted() -> None:
    body = "<DurationFormat>8</DurationFormat>"
    mp = read_mspdi(mspdi(task(1, duration="PT48H0M0S", body=body)))
    assert mp.plan.wbs[0].estimate == hours(16)  # 2 elapsed days as 2 working days of 8 h
    assert "elapsed" in mp.plan.assumptions[0]


def test_constraints_other_than_snet_are_noted() -> None:
    mso = "<ConstraintType>2</ConstraintType><ConstraintDate>2024-01-10T08:00:00</ConstraintDate>"
    snet_late = (
        "<ConstraintType>4</ConstraintType><ConstraintDate>2024-01-10T17:00:00</ConstraintDate>"
    )
    mp = read_mspdi(mspdi(task(1, body=mso), task(2, body=snet_late)))
    assert mp.plan.wbs[0].start_no_earlier_than is None
    assert mp.plan.assumptions == [
        "task UID 1 (Task 1): its constraint Must Start On 2024-01-10 08:00 is not imported; "
        "pmpilot models only Start No Earlier Than"
    ]
    # Not before 17:00, the close of that working day, means the next day.
    assert mp.plan.wbs[1].start_no_earlier_than == date(2024, 1, 11)


def test_task_calendar_manual_progress_and_cross_project_links_are_noted() -> None:
    body = (
        "<CalendarUID>1</CalendarUID><Manual>1</Manual><PercentComplete>40</PercentComplete>"
        "<PredecessorLink><PredecessorUID>5</PredecessorUID><CrossProject>1</CrossProject>"
        "<CrossProjectName>other.mpp\\5</CrossProjectName></PredecessorLink>"
    )
    night = (
        "<Calendar><UID>2</UID><Name>Night</Name><BaseCalendarUID>-1</BaseCalendarUID></Calendar>"
    )
    calendars = STANDARD.format(
        weekdays="".join(WORKING_DAY.format(n=n) for n in range(2, 7)),
        extra_days="",
        exceptions="",
    )
    mp = read_mspdi(
        mspdi(
            task(1, body=body.replace("<CalendarUID>1", "<CalendarUID>2")),
            calendars=calendars + night,
        )
    )
    noted = "\n".join(mp.plan.assumptions)
    assert "task calendar 'Night'" in noted
    assert "manually scheduled" in noted
    assert "40 % complete" in noted
    assert "another project (other.mpp\\5)" in noted
    assert mp.plan.wbs[0].depends_on == []
    assert mp.reported["T1"].percent_complete == 40.0


# --- calendars --------------------------------------------------------------------------------


def test_project_2003_exceptions_in_weekdays() -> None:
    holiday = """<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>
      <FromDate>2024-12-24T00:00:00</FromDate><ToDate>2024-12-26T23:59:00</ToDate>
    </TimePeriod></WeekDay>"""
    mp = read_mspdi(mspdi(task(1), extra_days=holiday))
    assert mp.plan.calendar.holidays == [date(2024, 12, 24), date(2024, 12, 25), date(2024, 12, 26)]


def exception(body: str, start: str, end: str, working: int = 0) -> str:
    return (
        f"<Exception><TimePeriod><FromDate>{start}</FromDate><ToDate>{end}</ToDate></TimePeriod>"
        f"<DayWorking>{working}</DayWorking>{body}</Exception>"
    )


def test_project_2007_exceptions_single_and_recurring() -> None:
    exceptions = (
        "<Exceptions>"
        + "".join(
            [
                # a plain range; a ToDate at midnight is exclusive
                exception(
                    "<Name>Shutdown</Name><Type>1</Type>",
                    "2024-08-05T00:00:00",
                    "2024-08-07T00:00:00",
                ),
                # yearly on 1 May (Month is 0-based)
                exception(
                    "<Type>2</Type><Month>4</Month><MonthDay>1</MonthDay>",
                    "2024-05-01T00:00:00",
                    "2026-05-01T23:59:00",
                ),
                # yearly on the last (4) Monday (MonthItem 4) of May
                exception(
                    "<Type>3</Type><Month>4</Month><MonthItem>4</MonthItem>"
                    "<MonthPosition>4</MonthPosition>",
                    "2024-05-01T00:00:00",
                    "2025-12-31T23:59:00",
                ),
                # every second Friday (DaysOfWeek bit 32) from Friday 5 January 2024
                exception(
                    "<Type>6</Type><Period>2</Period><DaysOfWeek>32</DaysOfWeek>",
                    "2024-01-05T00:00:00",
                    "2024-02-02T23:59:00",
                ),
            ]
        )
        + "</Exceptions>"
    )
    mp = read_mspdi(mspdi(task(1), exceptions=exceptions))
    assert mp.plan.calendar.holidays == [
        date(2024, 1, 5),
        date(2024, 1, 19),
        date(2024, 2, 2),
        date(2024, 5, 1),
        date(2024, 5, 27),
        date(2024, 8, 5),
        date(2024, 8, 6),
        date(2025, 5, 1),
        date(2025, 5, 26),
        # 1 May 2026 is a Friday, inside the window
        date(2026, 5, 1),
    ]


def test_a_working_exception_on_a_weekend_is_noted() -> None:
    exceptions = (
        "<Exceptions>"
        + exception(
            "<Name>Go-live weekend</Name>", "2024-03-09T00:00:00", "2024-03-09T23:59:00", working=1
        )
        + "</Exceptions>"
    )
    mp = read_mspdi(mspdi(task(1), exceptions=exceptions))
    assert mp.plan.calendar.holidays == []
    assert "Go-live weekend" in mp.plan.assumptions[0]


def test_a_derived_project_calendar_inherits_its_base() -> None:
    base = STANDARD.format(
        weekdays="".join(WORKING_DAY.format(n=n) for n in range(2, 7)),
        extra_days="",
        exceptions="<Exceptions>"
        + exception("", "2024-01-01T00:00:00", "2024-01-01T23:59:00")
        + "</Exceptions>",
    ).replace("<UID>1</UID>", "<UID>5</UID>")
    derived = (
        "<Calendar><UID>1</UID><Name>Four-day week</Name><BaseCalendarUID>5</BaseCalendarUID>"
        "<WeekDays><WeekDay><DayType>6</DayType><DayWorking>0</DayWorking></WeekDay></WeekDays>"
        "</Calendar>"
    )
    cal = read_mspdi(mspdi(task(1), calendars=base + derived)).plan.calendar
    assert cal.name == "Four-day week"
    assert cal.working_weekdays == [0, 1, 2, 3]  # Friday (DayType 6) off
    assert cal.holidays == [date(2024, 1, 1)]


# --- refusals ---------------------------------------------------------------------------------


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol2;</Name></Project>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not XML: the input is empty"),
        (b"MPX,Microsoft Project for Windows,4.0,ANSI", "not XML"),
        (mspdi(task(1))[:150], "not XML: .*line 1"),
        (BILLION_LAUGHS, "DOCTYPE declaration"),
        (BILLION_LAUGHS.decode().encode("utf-16"), "DOCTYPE declaration"),
        (b'<!ENTITY x "y"><Project/>', "ENTITY declaration"),
        (
            mspdi(task(1)).replace(b"schemas.microsoft.com/project", b"example.com/other"),
            "not an MSPDI file: the root element is 'Project' in 'http://example.com/other'",
        ),
        (b"<Project><Name>x</Name></Project>", "not an MSPDI file: .*'no namespace'"),
        (b"<APIBusinessObjects/>", "Primavera P6"),
        (
            mspdi(task(7, duration="abc")),
            "task UID 7: Duration 'abc' is not an ISO 8601 duration",
        ),
        (mspdi(task(7, duration="P1D")), "task UID 7: Duration 'P1D' is not an ISO 8601"),
        (mspdi(task(1), task(2, body=link(99))), "task UID 2: predecessor UID 99 not found"),
        (mspdi(task(1, body=link(0))), "task UID 1: predecessor UID 0 not found"),
        (mspdi(task(1, body=link(1))), "task UID 1: the task is its own predecessor"),
        (
            mspdi(task(1), task(2, body=link(1, 9))),
            r"task UID 2, predecessor link 1: link Type 9 is not 0 \(FF\) to 3 \(SS\)",
        ),
        (
            mspdi(task(1), task(2, body=link(1).replace("<LinkLag>0", "<LinkLag>x"))),
            "task UID 2, predecessor link 1: LinkLag 'x' is not an integer",
        ),
        (mspdi(task(3, body="<Critical>maybe</Critical>")), "task UID 3: Critical 'maybe'"),
        (
            mspdi(task(3, body="<EarlyStart>soon</EarlyStart>")),
            "task UID 3: EarlyStart 'soon' is not an ISO 8601 date-time",
        ),
        (
            mspdi(task(1)).replace(b"2024-01-08T08:00:00", b"2024-13-08T08:00:00"),
            "project: StartDate '2024-13-08T08:00:00' is not an ISO 8601 date-time",
        ),
        (
            mspdi(task(1)).replace(b"<StartDate>2024-01-08T08:00:00</StartDate>", b""),
            "project: missing StartDate",
        ),
        (mspdi(task(1)).replace(b"<UID>1</UID><ID>1", b"<ID>1"), "task #2 in the file: missing"),
        (mspdi(task(1), task(1)), "task UID 1: the UID is used by two tasks"),
        (mspdi("<Task><UID>4</UID><OutlineLevel>1</OutlineLevel></Task>"), "UID 4: missing Dur"),
        (
            mspdi(task(1)).replace(
                b"<CalendarUID>1</CalendarUID>", b"<CalendarUID>8</CalendarUID>"
            ),
            "project: CalendarUID 8 is not a calendar here",
        ),
        (
            mspdi(task(1)).replace(b"<MinutesPerDay>480", b"<MinutesPerDay>0"),
            "project: MinutesPerDay 0 is not between 1 and 1440",
        ),
        (
            mspdi(task(1, body="<ConstraintType>4</ConstraintType>")),
            "task UID 1: Start No Earlier Than without a ConstraintDate",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_malformed_input_is_refused_with_a_message(data: bytes, message: str) -> None:
    with pytest.raises(MspdiError, match=message):
        read_mspdi(data)


def test_an_error_is_a_value_error() -> None:
    assert issubclass(MspdiError, ValueError)


def test_only_bytes_are_read() -> None:
    with pytest.raises(TypeError, match="bytes"):
        read_mspdi("/etc/passwd")  # type: ignore[arg-type]


def test_a_recurrence_counts_from_its_own_start_not_the_import_window() -> None:
    # Every second Friday since Friday 3 January 2020: 5 January 2024 is 209 weeks on (odd,
    # so free), 12 January 2024 is 210 weeks on. Holidays are kept from a year before the
    # project start (8 January 2024), so the recurrence must not restart at that cut.
    exceptions = (
        "<Exceptions>"
        + exception(
            "<Type>6</Type><Period>2</Period><DaysOfWeek>32</DaysOfWeek>",
            "2020-01-03T00:00:00",
            "2024-01-31T23:59:00",
        )
        + exception(
            "<Type>1</Type><Period>3</Period>", "2023-12-31T00:00:00", "2024-01-10T23:59:00"
        )
        + "</Exceptions>"
    )
    holidays = read_mspdi(mspdi(task(1), exceptions=exceptions)).plan.calendar.holidays
    in_2024 = [d for d in holidays if d.year == 2024]
    # every third day from Sunday 31 December 2023: 3, 6 (Saturday, dropped) and 9 January
    assert in_2024 == [date(2024, 1, 3), date(2024, 1, 9), date(2024, 1, 12), date(2024, 1, 26)]
    assert min(holidays) == date(2023, 1, 13)  # 158 weeks after 3 January 2020
