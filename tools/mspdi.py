"""Microsoft Project XML (MSPDI) into the domain model: a pure function from bytes to a Plan.

MSPDI is the XML that Microsoft Project writes with "Save as XML" (root `Project` in the
namespace http://schemas.microsoft.com/project). `read_mspdi` turns it into a `Plan` and keeps
Microsoft Project's own computed dates beside it (`MspdiProject.reported`), so that an imported
active project can be planned on, and our CPM can be checked against Microsoft Project's.

The mapping, as rules:

- one WorkPackage per Task, except the project summary task (UID 0 / OutlineLevel 0) and
  blank rows (IsNull); code "T{UID}", parent = the nearest preceding task with a smaller
  OutlineLevel; the MS WBS code goes into the description;
- a leaf's Duration (ISO 8601, e.g. PT7H30M0S) becomes a fixed duration estimate in hours;
  summary tasks get no estimate;
- PredecessorLink Type 0/1/2/3 = FF/FS/SF/SS; LinkLag is in tenths of a minute (a percentage
  for the % lag formats) and becomes working days of MinutesPerDay;
- ConstraintType 4 (Start No Earlier Than) becomes `start_no_earlier_than`;
- the project calendar (top-level CalendarUID, with its base calendars) becomes the Calendar:
  working weekdays, hours per day = MinutesPerDay / 60, and non-working exceptions as holidays
  (both the Project 2003 form, WeekDay DayType 0, and the 2007+ form, Exceptions/Exception,
  recurring ones included).

What the domain model cannot hold (task calendars, resource calendars, other constraint
types, elapsed lags, manual scheduling, progress...) is never dropped silently: each becomes a
line of `plan.assumptions` that names the task.

Security: the input is untrusted. A DOCTYPE or ENTITY declaration is refused before parsing
(MSPDI files never have one; entity declarations are the vector of entity-expansion
attacks), so the standard-library parser never sees one.
"""

from __future__ import annotations

import calendar as _stdcal
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pydantic import ValidationError

from tools.domain import (
    Calendar,
    Dependency,
    DependencyType,
    Estimate,
    Plan,
    ProjectBrief,
    Source,
    WorkPackage,
)

MSPDI_NS = "http://schemas.microsoft.com/project"

# --- rules as data -----------------------------------------------------------------------

LINK_TYPES: dict[int, DependencyType] = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}

CONSTRAINT_NAMES: dict[int, str] = {
    0: "As Soon As Possible",
    1: "As Late As Possible",
    2: "Must Start On",
    3: "Must Finish On",
    4: "Start No Earlier Than",
    5: "Start No Later Than",
    6: "Finish No Earlier Than",
    7: "Finish No Later Than",
}
START_NO_EARLIER_THAN = 4

# Duration/lag formats (MSPDI "DurationFormat"/"LagFormat"); +32 is the estimated ("?") form.
ELAPSED_FORMATS = frozenset({4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52})
PERCENT_FORMATS = frozenset({19, 20, 51, 52})

# Calendar exception recurrence (Exceptions/Exception/Type).
DAILY = 1
YEARLY_BY_DATE = 2
YEARLY_BY_POSITION = 3
MONTHLY_BY_DATE = 4
MONTHLY_BY_POSITION = 5
WEEKLY = 6
DAILY_BY_COUNT = 7

DEFAULT_MINUTES_PER_DAY = 480
DEFAULT_WORKING_TIMES = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))  # MS Project's Standard
HOLIDAY_WINDOW = (timedelta(days=366), timedelta(days=366 * 30))  # around the project start
NAME_MAX = 200

_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


# --- results and errors ---------------------------------------------------------------------


class MspdiError(ValueError):
    """The bytes are not a readable MSPDI file; the message says what is wrong and where."""


@dataclass(frozen=True, slots=True)
class ReportedTask:
    """Microsoft Project's own stored values for one task (None where the file has none)."""

    uid: int
    wbs: str | None
    start: datetime | None
    finish: datetime | None
    early_start: datetime | None
    early_finish: datetime | None
    critical: bool | None
    total_slack_minutes: float | None
    summary: bool
    milestone: bool
    percent_complete: float | None = None


@dataclass(frozen=True, slots=True)
class MspdiProject:
    """An imported plan and, keyed by work-package code, what Microsoft Project computed.

    `day_start` is the project calendar's first working time of the day: Microsoft Project
    writes a finish at the close of a working day as the next working day at this time.
    """

    plan: Plan
    reported: dict[str, ReportedTask] = field(default_factory=dict)
    day_start: time = time(8, 0)


# --- entry point -----------------------------------------------------------------------------


def read_mspdi(data: bytes) -> MspdiProject:
    """Read Microsoft Project XML (MSPDI) bytes into a Plan and Microsoft Project's dates."""
    return _Reader(_parse(data)).read()


# --- XML --------------------------------------------------------------------------------------


def _text_view(data: bytes) -> str:
    """A text view of the bytes good enough to spot markup, whatever the encoding."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    if data[:2] == b"<\x00":
        return data.decode("utf-16-le", errors="replace")
    if data[:2] == b"\x00<":
        return data.decode("utf-16-be", errors="replace")
    return data.decode("latin-1")


def _parse(data: bytes) -> ET.Element:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"read_mspdi takes bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise MspdiError("not XML: the input is empty")
    found = _DECLARATION.search(_text_view(data))
    if found:
        raise MspdiError(
            f"refused: the XML has a {found.group(1).upper()} declaration; MSPDI files have "
            "none, and entity declarations can be used for entity-expansion attacks"
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise MspdiError(f"not XML: {err}") from None
    namespace, local = _split(root.tag)
    if local == "APIBusinessObjects" or "primavera" in namespace.lower():
        raise MspdiError(
            f"this is a Primavera P6 XML file (root element {local}), not Microsoft Project "
            "XML (MSPDI); export the project from P6 or open it in Microsoft Project and save "
            "it as XML"
        )
    if local != "Project" or namespace != MSPDI_NS:
        shown = namespace or "no namespace"
        raise MspdiError(
            f"not an MSPDI file: the root element is {local!r} in {shown!r}; MSPDI's root is "
            f"'Project' in the namespace {MSPDI_NS}"
        )
    return root


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _q(name: str) -> str:
    return f"{{{MSPDI_NS}}}{name}"


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return el.find(_q(name))


def _children(el: ET.Element | None, *path: str) -> list[ET.Element]:
    if el is None:
        return []
    return el.findall("/".join(_q(p) for p in path))


def _text(el: ET.Element | None, name: str) -> str | None:
    if el is None:
        return None
    child = el.find(_q(name))
    if child is None or child.text is None:
        return None
    value = child.text.strip()
    return value or None


# --- value parsers (each names the field and where it is) -----------------------------------


def _int(el: ET.Element | None, name: str, where: str, default: int | None = None) -> int | None:
    raw = _text(el, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise MspdiError(f"{where}: {name} {raw!r} is not an integer") from None


def _float(el: ET.Element | None, name: str, where: str) -> float | None:
    raw = _text(el, name)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise MspdiError(f"{where}: {name} {raw!r} is not a number") from None


def _bool(el: ET.Element | None, name: str, where: str) -> bool | None:
    raw = _text(el, name)
    if raw is None:
        return None
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false"):
        return False
    raise MspdiError(f"{where}: {name} {raw!r} is not a boolean (0 or 1)")


def _datetime(el: ET.Element | None, name: str, where: str) -> datetime | None:
    raw = _text(el, name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise MspdiError(f"{where}: {name} {raw!r} is not an ISO 8601 date-time") from None


def _clock(el: ET.Element | None, name: str, where: str) -> int | None:
    """A time of day in minutes; 00:00 as an end of working time means midnight (1440)."""
    raw = _text(el, name)
    if raw is None:
        return None
    try:
        t = time.fromisoformat(raw)
    except ValueError:
        raise MspdiError(f"{where}: {name} {raw!r} is not a time of day") from None
    return t.hour * 60 + t.minute


def duration_minutes(raw: str, where: str, name: str = "Duration") -> float:
    """Minutes in an MSPDI duration (PT{h}H{m}M{s}S), exact for hours and minutes."""
    m = _DURATION.match(raw.strip())
    if not m or not any(m.groups()):
        raise MspdiError(f"{where}: {name} {raw!r} is not an ISO 8601 duration (PT8H0M0S)")
    hours, minutes, seconds = m.groups()
    return int(hours or 0) * 60 + int(minutes or 0) + float(seconds or 0) / 60


# --- calendars -----------------------------------------------------------------------------

Week = dict[int, tuple[tuple[int, int], ...]]  # working weekday (Monday=0) -> working times


def _weekday(day_type: int) -> int:
    """MSPDI DayType 1 (Sunday) .. 7 (Saturday) to Python's Monday=0."""
    return (day_type - 2) % 7


@dataclass(slots=True)
class _CalendarRules:
    week: Week
    holidays: set[date]
    notes: list[str]


def _nth_weekday(year: int, month: int, weekday: int, position: int) -> date | None:
    """The first..fourth (position 0-3) or last (4) `weekday` of a month."""
    days = [
        date(year, month, d)
        for d in range(1, _stdcal.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    if position >= 4:
        return days[-1]
    return days[position] if position < len(days) else None


def _month_day(year: int, month: int, day: int) -> date | None:
    return date(year, month, day) if 1 <= day <= _stdcal.monthrange(year, month)[1] else None


def _months(anchor: date, last: date, every: int) -> Iterator[tuple[int, int]]:
    y, m = anchor.year, anchor.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        m += every
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1


def _exception_dates(
    ex: ET.Element, anchor: date, first: date, last: date, where: str
) -> Iterator[date]:
    """The dates in [first, last] on which a 2007+ calendar exception that starts on `anchor`
    applies (a recurrence every n days, weeks or months counts from its anchor)."""
    kind = _int(ex, "Type", where, DAILY) or DAILY
    every = max(1, _int(ex, "Period", where, 1) or 1)
    if kind in (DAILY, DAILY_BY_COUNT):
        d = anchor + timedelta(days=max(0, -(-(first - anchor).days // every)) * every)
        while d <= last:
            yield d
            d += timedelta(days=every)
    elif kind == WEEKLY:
        mask = _int(ex, "DaysOfWeek", where, 0) or 0
        days = {_weekday(bit + 1) for bit in range(7) if mask & (1 << bit)}
        week0 = anchor - timedelta(days=(anchor.weekday() + 1) % 7)  # weeks start on Sunday
        d = first
        while d <= last:
            if d.weekday() in days and ((d - week0).days // 7) % every == 0:
                yield d
            d += timedelta(days=1)
    elif kind in (MONTHLY_BY_DATE, MONTHLY_BY_POSITION, YEARLY_BY_DATE, YEARLY_BY_POSITION):
        yearly = kind in (YEARLY_BY_DATE, YEARLY_BY_POSITION)
        month = (_int(ex, "Month", where, 0) or 0) + 1
        for y, m in _months(anchor, last, 1 if yearly else every):
            if yearly and m != month:
                continue
            if kind in (MONTHLY_BY_DATE, YEARLY_BY_DATE):
                d = _month_day(y, m, _int(ex, "MonthDay", where, 1) or 1)
            else:
                weekday = _weekday((_int(ex, "MonthItem", where, 3) or 3) - 2)
                d = _nth_weekday(y, m, weekday, _int(ex, "MonthPosition", where, 0) or 0)
            if d is not None and first <= d <= last:
                yield d
    else:
        raise MspdiError(f"{where}: exception Type {kind} is not a known recurrence")


def _period(el: ET.Element, where: str) -> tuple[date, date] | None:
    """The dates of a TimePeriod; a ToDate at 00:00 is exclusive."""
    period = _child(el, "TimePeriod")
    start = _datetime(period, "FromDate", where)
    end = _datetime(period, "ToDate", where)
    if start is None or end is None:
        return None
    last = end.date()
    if end.time() == time(0, 0) and end.date() > start.date():
        last -= timedelta(days=1)
    return start.date(), last


def _times(el: ET.Element, where: str) -> tuple[tuple[int, int], ...]:
    out = []
    for wt in _children(el, "WorkingTimes", "WorkingTime"):
        a, b = _clock(wt, "FromTime", where), _clock(wt, "ToTime", where)
        if a is not None and b is not None:
            out.append((a, b if b > a else b + 24 * 60))
    return tuple(out)


class _Calendars:
    """The file's calendars, resolved through their base calendars."""

    def __init__(self, root: ET.Element, window: tuple[date, date]) -> None:
        self.window = window
        self.by_uid: dict[int, ET.Element] = {}
        for cal in _children(root, "Calendars", "Calendar"):
            uid = _int(cal, "UID", "a calendar")
            if uid is None:
                raise MspdiError("a calendar has no UID")
            self.by_uid[uid] = cal
        self._resolved: dict[int, _CalendarRules] = {}

    def name(self, uid: int) -> str:
        return _text(self.by_uid.get(uid), "Name") or f"calendar {uid}"

    def base(self, uid: int) -> int | None:
        base = _int(self.by_uid[uid], "BaseCalendarUID", f"calendar UID {uid}", -1)
        return base if base is not None and base >= 0 and base in self.by_uid else None

    def own_rules(self, uid: int) -> bool:
        """Whether a calendar says anything of its own (rather than only naming a base)."""
        cal = self.by_uid[uid]
        return any(
            len(group)
            for name in ("WeekDays", "Exceptions", "WorkWeeks")
            for group in _children(cal, name)
        )

    def same_as(self, uid: int, project_uid: int) -> bool:
        """Whether a calendar schedules exactly like the project calendar."""
        seen: set[int] = set()
        while uid not in seen and uid in self.by_uid:
            if uid == project_uid:
                return True
            if self.own_rules(uid):
                return False
            seen.add(uid)
            base = self.base(uid)
            if base is None:
                return False
            uid = base
        return False

    def rules(self, uid: int, seen: frozenset[int] = frozenset()) -> _CalendarRules:
        if uid in self._resolved:
            return self._resolved[uid]
        where = f"calendar UID {uid}"
        if uid in seen:
            raise MspdiError(f"{where}: its base calendars form a cycle")
        cal = self.by_uid[uid]
        base = self.base(uid)
        if base is not None:
            inherited = self.rules(base, seen | {uid})
            week = dict(inherited.week)
            holidays, notes = set(inherited.holidays), list(inherited.notes)
        else:
            week = {d: DEFAULT_WORKING_TIMES for d in range(5)}
            holidays, notes = set(), []
        exceptions = _children(cal, "Exceptions", "Exception")
        for wd in _children(cal, "WeekDays", "WeekDay"):
            day_type = _int(wd, "DayType", where)
            if day_type is None or not 0 <= day_type <= 7:
                raise MspdiError(f"{where}: WeekDay DayType {day_type!r} is not 0 to 7")
            if day_type == 0:
                if not exceptions:  # the Project 2003 form of an exception
                    self._exception(wd, where, week, holidays, notes, recurring=False)
                continue
            times = _times(wd, where)
            working = _bool(wd, "DayWorking", where)
            if working is None:
                working = bool(times)
            day = _weekday(day_type)
            if working:
                week[day] = times or week.get(day) or DEFAULT_WORKING_TIMES
            else:
                week.pop(day, None)
        for ex in exceptions:
            self._exception(ex, where, week, holidays, notes, recurring=True)
        if _children(cal, "WorkWeeks", "WorkWeek"):
            notes.append(
                f"{where} ({self.name(uid)}): its alternative work weeks are not imported; "
                "pmpilot uses the default week all year"
            )
        self._resolved[uid] = _CalendarRules(week, holidays, notes)
        return self._resolved[uid]

    def _exception(
        self,
        el: ET.Element,
        where: str,
        week: Week,
        holidays: set[date],
        notes: list[str],
        *,
        recurring: bool,
    ) -> None:
        span = _period(el, where)
        if span is None:
            return  # MS Project ignores an exception without dates, and so do we
        first, last = max(span[0], self.window[0]), min(span[1], self.window[1])
        working = _bool(el, "DayWorking", where)
        if working is None:
            working = bool(_times(el, where))
        if recurring:
            dates: Iterator[date] = _exception_dates(el, span[0], first, last, where)
        else:
            dates = _days(first, last)
        if not working:
            holidays.update(dates)
            return
        label = _text(el, "Name") or f"{span[0]} to {span[1]}"
        extra = [d for d in dates if d.weekday() not in week]
        if extra:
            notes.append(
                f"{where}: working exception {label!r} makes {len(extra)} non-working day(s) "
                f"working (first {extra[0]}); pmpilot calendars have no extra working days, "
                "so they stay non-working"
            )

    def calendar(self, uid: int, minutes_per_day: int, notes: list[str]) -> Calendar:
        where = f"calendar UID {uid}"
        rules = self.rules(uid)
        notes.extend(rules.notes)
        if not rules.week:
            raise MspdiError(f"{where} ({self.name(uid)}): it has no working weekday")
        differ: dict[int, list[str]] = {}
        for day, times in sorted(rules.week.items()):
            minutes = sum(b - a for a, b in times)
            if minutes != minutes_per_day:
                differ.setdefault(minutes, []).append(_stdcal.day_name[day])
        for minutes, days in differ.items():
            notes.append(
                f"{where} ({self.name(uid)}): {', '.join(days)} "
                f"{'has' if len(days) == 1 else 'have'} {minutes} working minutes but the "
                f"project's MinutesPerDay is {minutes_per_day}; pmpilot uses MinutesPerDay "
                "for every working day"
            )
        holidays = sorted(d for d in rules.holidays if d.weekday() in rules.week)
        try:
            return Calendar(
                name=self.name(uid)[:NAME_MAX],
                working_weekdays=sorted(rules.week),
                hours_per_day=minutes_per_day / 60,
                holidays=holidays,
            )
        except ValidationError as err:
            raise MspdiError(f"{where}: {_first_error(err)}") from None

    def day_start(self, uid: int) -> time | None:
        starts = [a for times in self.rules(uid).week.values() for a, _ in times]
        return time(*divmod(min(starts), 60)) if starts else None

    def day_end(self, uid: int, d: date) -> int | None:
        times = self.rules(uid).week.get(d.weekday())
        return max(b for _, b in times) if times else None


def _days(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def _first_error(err: ValidationError) -> str:
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"])
    return f"{loc}: {e['msg']}" if loc else e["msg"]


# --- tasks ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    el: ET.Element
    uid: int
    where: str
    level: int
    name: str
    parent: str | None = None
    summary: bool = False

    @property
    def code(self) -> str:
        return f"T{self.uid}"


class _Reader:
    def __init__(self, root: ET.Element) -> None:
        self.root = root
        self.notes: list[str] = []

    def read(self) -> MspdiProject:
        root = self.root
        mpd = _int(root, "MinutesPerDay", "project", DEFAULT_MINUTES_PER_DAY)
        if mpd is None or not 0 < mpd <= 24 * 60:
            raise MspdiError(f"project: MinutesPerDay {mpd} is not between 1 and 1440")
        self.mpd = mpd
        started = _datetime(root, "StartDate", "project")
        if started is None:
            raise MspdiError("project: missing StartDate")
        self.start = started.date()
        window = (self.start - HOLIDAY_WINDOW[0], self.start + HOLIDAY_WINDOW[1])
        self.calendars = _Calendars(root, window)
        self.calendar_uid = _int(root, "CalendarUID", "project")
        if self.calendar_uid is None:
            calendar, day_start = Calendar(hours_per_day=mpd / 60), time(8, 0)
            self.notes.append("the file names no project calendar; Monday to Friday is assumed")
        elif self.calendar_uid not in self.calendars.by_uid:
            raise MspdiError(f"project: CalendarUID {self.calendar_uid} is not a calendar here")
        else:
            calendar = self.calendars.calendar(self.calendar_uid, mpd, self.notes)
            day_start = self.calendars.day_start(self.calendar_uid) or time(8, 0)
        if _bool(root, "ScheduleFromStart", "project") is False:
            self.notes.append(
                "the project is scheduled from its finish date in Microsoft Project; pmpilot "
                "schedules forward from its StartDate"
            )

        rows = self._rows()
        by_uid = {r.uid: r for r in rows}
        resource_calendars = self._resource_calendars()
        wbs: list[WorkPackage] = []
        reported: dict[str, ReportedTask] = {}
        for row in rows:
            wbs.append(self._work_package(row, by_uid, resource_calendars.get(row.uid, [])))
            reported[row.code] = self._reported(row)
        title = _text(root, "Title") or _text(root, "Name") or "Imported project"
        try:
            plan = Plan(
                brief=ProjectBrief(title=title[:NAME_MAX], text=""),
                start=self.start,
                calendar=calendar,
                wbs=wbs,
                assumptions=self.notes,
            )
        except ValidationError as err:
            raise MspdiError(f"the imported plan is invalid: {_first_error(err)}") from None
        return MspdiProject(plan=plan, reported=reported, day_start=day_start)

    # rows and outline ----------------------------------------------------------------------

    def _rows(self) -> list[_Row]:
        found: list[tuple[int, int, _Row]] = []
        seen: dict[int, str] = {}
        for n, el in enumerate(_children(self.root, "Tasks", "Task"), start=1):
            uid = _int(el, "UID", f"task #{n}")
            if uid is None:
                raise MspdiError(f"task #{n} in the file: missing UID")
            where = f"task UID {uid}"
            if uid in seen:
                raise MspdiError(f"{where}: the UID is used by two tasks")
            seen[uid] = where
            if _bool(el, "IsNull", where):
                continue  # a blank row
            level = _int(el, "OutlineLevel", where, 1)
            if level is None or level < 0:
                raise MspdiError(f"{where}: OutlineLevel {level} is negative")
            if uid == 0 or level == 0:
                continue  # the project summary task
            name = " ".join((_text(el, "Name") or "").split()) or f"Task {uid}"
            if len(name) > NAME_MAX:
                self.notes.append(f"{where}: its name is cut to {NAME_MAX} characters")
                name = name[:NAME_MAX]
            order = _int(el, "ID", where, n)
            found.append((order if order is not None else n, n, _Row(el, uid, where, level, name)))
        rows = [row for *_, row in sorted(found, key=lambda t: (t[0], t[1]))]
        stack: list[_Row] = []
        for row in rows:
            while stack and stack[-1].level >= row.level:
                stack.pop()
            if stack:
                row.parent = stack[-1].code
                stack[-1].summary = True
            stack.append(row)
        return rows

    def _resource_calendars(self) -> dict[int, list[str]]:
        """Per task UID, the resources whose calendars differ from the project calendar."""
        if self.calendar_uid is None:
            return {}
        names: dict[int, str] = {}
        for res in _children(self.root, "Resources", "Resource"):
            where = "a resource"
            uid = _int(res, "UID", where)
            cal = _int(res, "CalendarUID", where)
            if uid is None or cal is None or cal not in self.calendars.by_uid:
                continue
            if not self.calendars.same_as(cal, self.calendar_uid):
                base = self.calendars.base(cal)
                shown = self.calendars.name(base if base is not None else cal)
                names[uid] = f"{_text(res, 'Name') or f'resource {uid}'} ({shown})"
        out: dict[int, list[str]] = {}
        for a in _children(self.root, "Assignments", "Assignment"):
            task = _int(a, "TaskUID", "an assignment")
            res = _int(a, "ResourceUID", "an assignment")
            if task is not None and res in names:
                out.setdefault(task, []).append(names[res])
        return out

    # one task --------------------------------------------------------------------------------

    def _duration(self, row: _Row) -> float:
        raw = _text(row.el, "Duration")
        if raw is None:
            raise MspdiError(f"{row.where}: missing Duration")
        return duration_minutes(raw, row.where)

    def _work_package(
        self, row: _Row, by_uid: dict[int, _Row], resource_calendars: list[str]
    ) -> WorkPackage:
        el, where = row.el, row.where
        self._task_notes(row, resource_calendars)
        estimate = None
        if not row.summary:
            minutes = self._duration(row)
            fmt = _int(el, "DurationFormat", where)
            if fmt in ELAPSED_FORMATS:
                self.notes.append(
                    f"{where} ({row.name}): its duration is elapsed time; it is taken as the "
                    "same number of working days"
                )
                minutes = minutes / (24 * 60) * self.mpd
            hours = minutes / 60
            estimate = Estimate(
                optimistic=hours, likely=hours, pessimistic=hours, unit="hours", basis="duration"
            )
        wbs_code = _text(el, "WBS")
        return WorkPackage(
            code=row.code,
            name=row.name,
            parent=row.parent,
            description=f"MS Project WBS {wbs_code}" if wbs_code else "",
            estimate=estimate,
            depends_on=self._links(row, by_uid),
            start_no_earlier_than=self._constraint(row),
            source=Source(kind="import", ref=f"mspdi:{row.uid}"),
        )

    def _task_notes(self, row: _Row, resource_calendars: list[str]) -> None:
        """Record in the assumptions what pmpilot does not model about a task."""
        el, where, label = row.el, row.where, f"{row.where} ({row.name})"
        task_cal = _int(el, "CalendarUID", where, -1)
        if task_cal is not None and task_cal >= 0 and task_cal != self.calendar_uid:
            self.notes.append(
                f"{label}: its task calendar {self.calendars.name(task_cal)!r} is not "
                "imported; pmpilot schedules it on the project calendar"
            )
        if (
            resource_calendars
            and not row.summary
            and not _bool(el, "IgnoreResourceCalendar", where)
        ):
            self.notes.append(
                f"{label}: Microsoft Project schedules it on its resources' calendars "
                f"({'; '.join(resource_calendars)}); pmpilot counts its duration on the "
                "project calendar"
            )
        if _bool(el, "Manual", where):
            self.notes.append(f"{label}: it is manually scheduled in Microsoft Project")
        if _bool(el, "Active", where) is False:
            self.notes.append(f"{label}: it is inactive in Microsoft Project")
        if _bool(el, "ExternalTask", where) or _bool(el, "IsSubproject", where):
            self.notes.append(f"{label}: it is an external task or a subproject")
        done = _float(el, "PercentComplete", where)
        if done:
            self.notes.append(
                f"{label}: it is {done:g} % complete; the import keeps the plan, not progress"
            )

    def _links(self, row: _Row, by_uid: dict[int, _Row]) -> list[Dependency]:
        out: list[Dependency] = []
        for i, link in enumerate(_children(row.el, "PredecessorLink"), start=1):
            where = f"{row.where}, predecessor link {i}"
            if _bool(link, "CrossProject", where):
                self.notes.append(
                    f"{row.where} ({row.name}): its link to a task in another project "
                    f"({_text(link, 'CrossProjectName') or 'unnamed'}) is not imported"
                )
                continue
            pred = _int(link, "PredecessorUID", where)
            if pred is None:
                raise MspdiError(f"{where}: missing PredecessorUID")
            if pred == row.uid:
                raise MspdiError(f"{row.where}: the task is its own predecessor")
            if pred not in by_uid:
                raise MspdiError(f"{row.where}: predecessor UID {pred} not found")
            kind = _int(link, "Type", where, 1)
            if kind not in LINK_TYPES:
                raise MspdiError(f"{where}: link Type {kind} is not 0 (FF) to 3 (SS)")
            lag = _int(link, "LinkLag", where, 0) or 0
            fmt = _int(link, "LagFormat", where, 7)
            if fmt in PERCENT_FORMATS:
                minutes = lag / 100 * self._duration(by_uid[pred])
                self.notes.append(
                    f"{row.where} ({row.name}): its lag of {lag} % of the predecessor's "
                    "duration is fixed in working days"
                )
            elif fmt in ELAPSED_FORMATS:
                minutes = lag / 10 / (24 * 60) * self.mpd
                self.notes.append(
                    f"{row.where} ({row.name}): its elapsed lag of {lag / 10 / 1440:g} "
                    "calendar days is taken as the same number of working days"
                )
            else:
                minutes = lag / 10
            out.append(
                Dependency(
                    predecessor=f"T{pred}", type=LINK_TYPES[kind], lag_days=minutes / self.mpd
                )
            )
        return out

    def _constraint(self, row: _Row) -> date | None:
        el, where = row.el, row.where
        kind = _int(el, "ConstraintType", where, 0) or 0
        if kind not in CONSTRAINT_NAMES:
            raise MspdiError(f"{where}: ConstraintType {kind} is not 0 to 7")
        when = _datetime(el, "ConstraintDate", where)
        if kind == START_NO_EARLIER_THAN:
            if when is None:
                raise MspdiError(f"{where}: Start No Earlier Than without a ConstraintDate")
            end = None
            if self.calendar_uid is not None:
                end = self.calendars.day_end(self.calendar_uid, when.date())
            minute = when.hour * 60 + when.minute
            # Not before 17:00 on a day that ends at 17:00 means the next day.
            return when.date() + timedelta(days=1) if end and minute >= end else when.date()
        if kind:
            shown = f" {when:%Y-%m-%d %H:%M}" if when else ""
            self.notes.append(
                f"{where} ({row.name}): its constraint {CONSTRAINT_NAMES[kind]}{shown} is not "
                "imported; pmpilot models only Start No Earlier Than"
            )
        return None

    def _reported(self, row: _Row) -> ReportedTask:
        el, where = row.el, row.where
        summary = _bool(el, "Summary", where)
        slack = _float(el, "TotalSlack", where)
        return ReportedTask(
            uid=row.uid,
            wbs=_text(el, "WBS"),
            start=_datetime(el, "Start", where),
            finish=_datetime(el, "Finish", where),
            early_start=_datetime(el, "EarlyStart", where),
            early_finish=_datetime(el, "EarlyFinish", where),
            critical=_bool(el, "Critical", where),
            total_slack_minutes=None if slack is None else slack / 10,
            summary=row.summary if summary is None else summary,
            milestone=bool(_bool(el, "Milestone", where)),
            percent_complete=_float(el, "PercentComplete", where),
        )
