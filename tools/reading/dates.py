"""Dates as PMs write them, each read to the days it can mean.

"11/01/2027", "2027-01-11", "11 Jan", "Fri 24 Sept", "1. February 2027", "2.8.", "w/c 11 Jan",
"end of April", "mid-March", "Q3 2027", "end of Q3", "FY27 H1", "H2 2027", "by Easter 2027",
"Christmas". A date without a year is the next one on or after `today` less a month. A
numeric date whose day and month could swap ("03/01/2027") is read in the configured order
and marked ambiguous: a reader must say so, never pick silently.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from tools.reading.numbers import WORD_NUMBER, parse_number
from tools.reading.vocabulary import load

Precision = Literal["day", "week", "isoweek", "month", "quarter", "half", "year"]
"""A "week" is named by its Monday ("w/c 11 Jan"); an "isoweek" is the whole week ("week 35")."""
Order = Literal["dmy", "mdy"]

_CAL = load("calendar")
MONTHS: dict[str, int] = _CAL["months"]
NAMED_DAYS: dict[str, list[int]] = _CAL["named_days"]
EASTER_DAYS: dict[str, int] = _CAL["easter_days"]
EDGES: dict[str, str] = _CAL["edges"]
UNITS: dict[str, int] = _CAL["units"]
NTH_WEEKDAYS: dict[str, list[int]] = _CAL["nth_weekdays"]
"""Days named for the n-th weekday of a month: month, weekday (Monday 0), n (-1: the last)."""
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
    "final": -1,
}
YEAR_BACK = timedelta(days=31)
"""A date without a year is read as the next one on or after today less this."""


@dataclass(frozen=True)
class DateSpan:
    """A date as written and the days it can mean: `first`..`last` (one day for "11 Jan",
    a month for "March 2027", a quarter for "Q3")."""

    start: int
    end: int
    first: date
    last: date
    precision: Precision
    text: str = ""
    ambiguous: str = ""
    """Non-empty when the text could mean another day: the other reading, in words."""
    yearless: bool = False


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


_MON = rf"(?:{_alt(MONTHS)})\.?"
_WD = rf"(?:(?:{_alt(_CAL['weekdays'])})\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20|21)\d{2}"
_EDGE = rf"(?:(?P<edge>{_alt(EDGES)})\s*)?"
_PATTERNS: list[tuple[str, str]] = [
    ("iso", rf"(?P<y>{_YEAR})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})"),
    (
        "numeric",
        rf"(?P<a>\d{{1,2}})(?P<sep>[/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>{_YEAR}|\d{{2}})(?!\d)",
    ),
    ("dotted", r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?!\d)"),
    (
        "week",
        rf"(?:w/c|wc|week commencing|week of|the week of|week beginning)\s+{_WD}"
        rf"(?:(?P<d>\d{{1,2}}){_ORD}\.?\s+(?:of\s+)?(?P<mon>{_MON})|(?P<mon2>{_MON})\s+(?P<d2>\d{{1,2}}){_ORD})"
        rf"(?:,?\s+(?P<y>{_YEAR}))?",
    ),
    (
        "dmy",
        rf"{_WD}(?P<d>\d{{1,2}}){_ORD}\.?\s*(?:of\s+)?(?:-\s*)?(?P<mon>{_MON})(?:,?\s+(?P<y>{_YEAR}))?",
    ),
    (
        "mdy",
        rf"{_WD}(?P<mon>{_MON})\s+(?P<d>\d{{1,2}}){_ORD}(?!\d|\s*(?:%|TB|GB))(?:,?\s+(?P<y>{_YEAR}))?",
    ),
    (
        "quarter",
        rf"{_EDGE}(?:(?P<fy>FY\s?'?(?P<fyy>\d{{2}}|{_YEAR}))\s+)?Q(?P<q>[1-4])(?:\s+(?:FY\s?'?(?P<fyy2>\d{{2}}|{_YEAR})|(?P<y>{_YEAR})))?",
    ),
    (
        "half",
        rf"{_EDGE}(?:(?P<fy>FY\s?'?(?P<fyy>\d{{2}}|{_YEAR}))\s+)?H(?P<h>[12])(?:\s+(?:FY\s?'?(?P<fyy2>\d{{2}}|{_YEAR})|(?P<y>{_YEAR})))?",
    ),
    ("month", rf"{_EDGE}(?P<mon>{_MON})(?:\s+(?:of\s+)?(?P<y>{_YEAR}|'\d{{2}}))?"),
    (
        "named",
        rf"{_EDGE}(?P<named>{_alt([*NAMED_DAYS, *EASTER_DAYS, *NTH_WEEKDAYS])})"
        rf"(?:\s+(?P<y>{_YEAR}))?",
    ),
    (
        "nthweek",
        rf"(?:the\s+)?(?P<n>{_alt(_ORDINALS)})\s+(?:full\s+)?week\s+(?:of|in)\s+(?P<mon>{_MON})"
        rf"(?:,?\s+(?P<y>{_YEAR}))?",
    ),
    (
        "isoweek",
        rf"(?:(?:calendar|ISO)\s+week|week|wk|CW|KW)\s*(?P<w>[1-9]|[1-4]\d|5[0-3])(?!\d|[.,]\d|:|%)"
        rf"(?!\s+(?:of|after|before|weeks?|days?|sprints?)\b)(?:,?\s+(?:of\s+)?(?P<y>{_YEAR}))?",
    ),
    ("year", rf"{_EDGE}(?:the\s+)?(?:year\s+)?(?P<y>{_YEAR})(?!\d|\s*(?:-|/)\s*\d)"),
]
_DATE = re.compile(
    r"(?<![\w/.])(?:"
    + "|".join(
        f"(?P<_{name}>{pattern.replace('(?P<', f'(?P<{name}_')})" for name, pattern in _PATTERNS
    ).replace(f"(?P={'sep'})", "(?P=numeric_sep)")
    + r")(?![\w])",
    re.I,
)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    text = text.strip("'")
    return int(text) + 2000 if len(text) == 2 else int(text)


def _next(month: int, day: int, today: date, floor: date | None = None) -> date:
    floor = floor or today - YEAR_BACK
    for year in (floor.year, floor.year + 1):
        try:
            found = date(year, month, min(day, monthrange(year, month)[1]))
        except ValueError:
            continue
        if found >= floor:
            return found
    return date(floor.year + 1, month, min(day, monthrange(floor.year + 1, month)[1]))


def _edge(first: date, last: date, edge: str | None) -> tuple[date, date]:
    """Narrow a period to the part an edge word names ("end of April" -> 30 April)."""
    kind = EDGES.get(
        (edge or "").strip().lower().rstrip("-") + ("-" if edge and edge.endswith("-") else "")
    )
    kind = kind or EDGES.get((edge or "").strip().lower())
    if not kind:
        return first, last
    days = (last - first).days
    if kind == "end":
        return last, last
    if kind == "start":
        return first, first
    if kind == "mid":
        mid = first + timedelta(days=days // 2)
        return mid, mid
    if kind == "early":
        return first, first + timedelta(days=days // 3)
    if kind == "late":
        return last - timedelta(days=days // 3), last
    if kind == "first-half":
        return first, first + timedelta(days=days // 2)
    return first + timedelta(days=days // 2 + 1), last


def fiscal_year(label: str, fiscal_start: int) -> tuple[date, date]:
    """FY27 with a fiscal year from April: 1 April 2026 to 31 March 2027 (named by the
    calendar year it ends in); from January it is the calendar year."""
    year = _year(label) or 0
    if fiscal_start == 1:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year - 1, fiscal_start, 1), month_end(year, fiscal_start - 1)


def _months_after(day: date, months: int) -> date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _part(fy_first: date, index: int, size: int) -> tuple[date, date]:
    first = _months_after(fy_first, (index - 1) * size)
    last = _months_after(first, size) - timedelta(days=1)
    return first, last


@dataclass(frozen=True)
class _Ctx:
    """What every date form is read against."""

    today: date
    order: Order
    fiscal_start: int
    floor: date | None


Read = tuple[date, date, Precision, str] | None
"""first, last, precision, and the other reading when the text is ambiguous."""


def _numeric(g: dict[str, str], year: int | None, c: _Ctx) -> Read:
    """ "24/09/2027", "03/01/2027" (ambiguous), "1.2.2027" (dots: day first)."""
    a, b = int(g["a"]), int(g["b"])
    day, month = (a, b) if c.order == "dmy" or g["sep"] == "." else (b, a)
    ambiguous = ""
    if g["sep"] != "." and a <= 12 and b <= 12 and a != b:
        other = date(year or c.today.year, day, month)
        ambiguous = f"could also be {other.day} {other.strftime('%B')}"
    elif a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a:
        day, month = b, a
    first = date(year or c.today.year, month, day)
    return first, first, "day", ambiguous


def _day(name: str, g: dict[str, str], year: int | None, c: _Ctx) -> Read:
    """ "11 Jan", "January 11, 2027", "w/c 11 Jan" (its working week)."""
    month = MONTHS[(g.get("mon") or g.get("mon2") or "").lower().rstrip(".")]
    day = int(g.get("d") or g.get("d2") or 0)
    first = date(year, month, day) if year else _next(month, day, c.today, c.floor)
    if name != "week":
        return first, first, "day", ""
    monday = first - timedelta(days=first.weekday())
    return monday, monday + timedelta(days=4), "week", ""


def _period(name: str, g: dict[str, str], year: int | None, c: _Ctx) -> Read:
    """ "Q3 2027", "end of Q3", "FY27 H1", "H2"."""
    size = 3 if name == "quarter" else 6
    index = int(g.get("q") or g.get("h") or 1)
    fy = g.get("fyy") or g.get("fyy2")
    if fy:
        fy_first, _ = fiscal_year(fy, c.fiscal_start)
    else:
        y = year or (c.today - YEAR_BACK).year
        fy_first = date(y, 1, 1)
        if not year and _part(fy_first, index, size)[1] < c.today - YEAR_BACK:
            fy_first = date(y + 1, 1, 1)
    first, last = _edge(*_part(fy_first, index, size), g.get("edge"))
    return first, last, name, ""  # type: ignore[return-value]


def _month(g: dict[str, str], year: int | None, c: _Ctx) -> Read:
    """ "March 2027", "end of April", "mid-March"; "may" and "march" as words are not months."""
    if not (year or g.get("edge")) and not g["mon"][0].isupper():
        return None
    month = MONTHS[g["mon"].lower().rstrip(".")]
    floor = c.floor and c.floor.replace(day=1)
    start = date(year, month, 1) if year else _next(month, 1, c.today - timedelta(days=27), floor)
    first, last = _edge(start, month_end(start.year, month), g.get("edge"))
    return first, last, "month", ""


def _named(g: dict[str, str], year: int | None, c: _Ctx) -> Read:
    """ "Easter 2027", "Good Friday", "Christmas", "Labor Day"."""
    named = g["named"].lower()
    if named in NTH_WEEKDAYS:
        month, weekday, n = NTH_WEEKDAYS[named]
        y = year or c.today.year
        day = nth_weekday(y, month, weekday, n)
        if not year and day < c.today - YEAR_BACK:
            day = nth_weekday(y + 1, month, weekday, n)
        if named == "black friday":
            day += timedelta(days=1)  # the day after the fourth Thursday
    elif named in EASTER_DAYS:
        y = year or c.today.year
        day = easter(y) + timedelta(days=EASTER_DAYS[named])
        if not year and day < c.today - YEAR_BACK:
            day = easter(y + 1) + timedelta(days=EASTER_DAYS[named])
    else:
        month, d = NAMED_DAYS[named]
        day = date(year, month, d) if year else _next(month, d, c.today, c.floor)
    first, last = _edge(day, day, g.get("edge"))
    return first, last, "day", ""


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (or, for -1, the last) given weekday of a month."""
    if n < 0:
        last = month_end(year, month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _nth_week(g: dict[str, str], year: int | None, c: _Ctx) -> Read:
    """ "the 2nd week of January": the week of the month's n-th Monday."""
    month = MONTHS[g["mon"].lower().rstrip(".")]
    y = year or _next(month, 1, c.today - timedelta(days=27), c.floor).year
    monday = nth_weekday(y, month, 0, _ORDINALS[g["n"].lower()])
    return monday, monday + timedelta(days=4), "week", ""


def _iso_week(g: dict[str, str], year: int | None, c: _Ctx) -> Read:
    """ "week 35", "KW 12 2027": an ISO week, Monday to Friday, the next one to come."""
    week = int(g["w"])
    y = year or c.today.year
    monday = date.fromisocalendar(y, week, 1)
    if not year and monday <= max(c.today, c.floor or c.today):
        monday = date.fromisocalendar(y + 1, week, 1)
    return monday, monday + timedelta(days=4), "isoweek", ""


def _whole_year(g: dict[str, str], text: str) -> Read:
    """ "the end of 2027", "the year 2027"; a bare number is not a date."""
    if not g.get("edge") and not re.match(r"(?i)the year|year", text):
        return None
    first, last = _edge(date(int(g["y"]), 1, 1), date(int(g["y"]), 12, 31), g.get("edge"))
    return first, last, "year", ""


def _read(m: re.Match[str], c: _Ctx) -> DateSpan | None:
    name = (m.lastgroup or "")[1:]
    g = {k[len(name) + 1 :]: v for k, v in m.groupdict().items() if k.startswith(name + "_")}
    text = m.group(0)
    year = _year(g.get("y"))
    try:
        if name == "iso":
            day = date(int(g["y"]), int(g["m"]), int(g["d"]))
            found: Read = (day, day, "day", "")
        elif name == "numeric":
            found = _numeric(g, year, c)
        elif name == "dotted":
            day = _next(int(g["m"]), int(g["d"]), c.today, c.floor)
            found = (day, day, "day", "")
        elif name in ("week", "dmy", "mdy"):
            found = _day(name, g, year, c)
        elif name in ("quarter", "half"):
            found = _period(name, g, year, c)
        elif name == "month":
            found = _month(g, year, c)
        elif name == "named":
            found = _named(g, year, c)
        elif name == "nthweek":
            found = _nth_week(g, year, c)
        elif name == "isoweek":
            found = _iso_week(g, year, c)
        else:
            found = _whole_year(g, text)
    except (ValueError, KeyError):
        return None
    if found is None:
        return None
    first, last, precision, ambiguous = found
    return DateSpan(m.start(), m.end(), first, last, precision, text, ambiguous, yearless=not year)


def find_dates(
    text: str,
    *,
    today: date,
    order: Order = "dmy",
    fiscal_start: int = 1,
    not_before: date | None = None,
) -> list[DateSpan]:
    """Every date in a text, in order. `order` is the day/month order of "03/01/2027";
    `fiscal_start` the first month of the fiscal year ("FY27 H1"); a date without a year is
    the next one on or after `not_before` (default: today less a month)."""
    out: list[DateSpan] = []
    for m in _DATE.finditer(text):
        span = _read(m, _Ctx(today, order, fiscal_start, not_before))
        if span is not None:
            out.append(span)
    return _relative(text, out)


_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AFTER = re.compile(
    rf"\b(?:the\s+)?(?P<what>{'|'.join(_FULL_DAYS)}|day|week|working day|business day)\s+"
    r"(?P<rel>after|following|before)\s+(?:(?:that|the|this)\s+(?P<ref>[\w-]+(?:\s+[\w-]+)?)\b)?",
    re.I,
)


def _relative(text: str, spans: list[DateSpan]) -> list[DateSpan]:
    """ "the Monday after that SC" (the date just named), "the week after 11 Jan": a date
    relative to another date of the same text."""
    out = list(spans)
    for m in _AFTER.finditer(text):
        if any(s.start <= m.start() < s.end for s in spans):
            continue
        if m.group("ref"):
            anchor = next((s for s in reversed(spans) if s.end <= m.start()), None)
            end = m.end()
        else:
            anchor = next((s for s in spans if 0 <= s.start - m.end() <= 2), None)
            end = anchor.end if anchor else m.end()
        if anchor is None or anchor.precision != "day":
            continue
        day = _shift(anchor.first, m.group("what").lower(), m.group("rel").lower() != "before")
        if not m.group("ref"):
            out.remove(anchor)  # "the week after 11 Jan" is one date
        out.append(DateSpan(m.start(), end, day, day, "day", text[m.start() : end]))
    return sorted(_offsets(text, out), key=lambda s: s.start)


_OFFSET = re.compile(
    rf"\b(?P<n>\d{{1,3}}|{WORD_NUMBER}|an?)\s+(?P<unit>days?|weeks?|months?)\s+"
    r"(?P<rel>before|after|prior to|ahead of)\s+",
    re.I,
)
NEAR_ANCHOR = 40
"""How far after "four weeks before" the date it counts from may stand ("... renewal on 1 July")."""


def _offsets(text: str, spans: list[DateSpan]) -> list[DateSpan]:
    """ "four weeks before renewal on 1 July", "10 days after go-live on 3 May": a date a
    stated time from the next date of the text, which it replaces."""
    out = list(spans)
    for m in _OFFSET.finditer(text):
        anchor = next(
            (s for s in out if 0 <= s.start - m.end() <= NEAR_ANCHOR and s.precision == "day"),
            None,
        )
        named = anchor is None
        if named:  # "Renewal is 1 July ... four weeks before renewal": the date named so
            ref = re.match(r"(?:the\s+|our\s+)?([a-z][\w-]{3,})", text[m.end() :], re.I)
            anchor = next(
                (
                    s
                    for s in reversed(out)
                    if ref
                    and s.end <= m.start()
                    and s.precision == "day"
                    and ref.group(1).lower() in text[max(0, s.start - 30) : s.start].lower()
                ),
                None,
            )
        n = parse_number(m.group("n")) if m.group("n").lower() not in ("a", "an") else 1
        if anchor is None or n is None:
            continue
        unit = m.group("unit").lower().rstrip("s")
        sign = 1 if m.group("rel").lower() == "after" else -1
        if unit == "month":
            day = _months_after(anchor.first, int(sign * n))
        else:
            day = anchor.first + timedelta(days=sign * float(n) * (7 if unit == "week" else 1))
        if named:
            end = m.end() + len(ref.group(0)) if ref else m.end()
            out.append(DateSpan(m.start(), end, day, day, "day", text[m.start() : end]))
            continue
        out.remove(anchor)
        out.append(DateSpan(m.start(), anchor.end, day, day, "day", text[m.start() : anchor.end]))
    return out


def _shift(day: date, what: str, later: bool) -> date:
    step = timedelta(days=1 if later else -1)
    if what in _FULL_DAYS:
        want = _FULL_DAYS.index(what)
        day += step
        while day.weekday() != want:
            day += step
        return day
    if what == "week":
        return day + timedelta(days=7 if later else -7)
    day += step
    while what != "day" and day.weekday() >= 5:
        day += step
    return day


_FISCAL = re.compile(
    rf"(?:fiscal|financial|business) year\s+(?:starts|begins|runs from|is from|from)\s+(?:on\s+)?"
    rf"(?:(?:the\s+)?1(?:st)?\s+)?(?:of\s+)?(?P<mon>{_MON})",
    re.I,
)


def fiscal_start_of(text: str) -> int | None:
    """The first month of the fiscal year when a text says it ("our fiscal year starts 1 April")."""
    m = _FISCAL.search(text)
    return MONTHS[m.group("mon").lower().rstrip(".")] if m else None


def numeric_order(text: str) -> Order | None:
    """The day/month order a text's own numeric dates prove ("24/09/2027" is day first)."""
    for m in re.finditer(rf"\b(\d{{1,2}})/(\d{{1,2}})/(?:{_YEAR}|\d{{2}})\b", text):
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            return "dmy"
        if b > 12 >= a:
            return "mdy"
    return None


_MONTH_FIRST = re.compile(rf"\b{_MON}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.I)
_DAY_FIRST = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MON}\s+{_YEAR}\b", re.I)


def written_order(text: str) -> Order | None:
    """The order a text writes its dates in words ("February 1, 2027" is month first), when
    it keeps to one: how its author most likely writes numeric dates too."""
    month_first = len(_MONTH_FIRST.findall(text))
    day_first = len(_DAY_FIRST.findall(text))
    if month_first and not day_first:
        return "mdy"
    if day_first and not month_first:
        return "dmy"
    return None


_DURATION = re.compile(
    rf"(?<![\w.])(?P<n>\d+(?:\.\d+)?|{WORD_NUMBER}|an?|few)\s*(?:-\s*)?(?P<u>{_alt(UNITS)})\b",
    re.I,
)
FEW = 3
"""'A few weeks' read as three."""


@dataclass(frozen=True)
class Duration:
    start: int
    end: int
    count: float
    unit: str
    """"day", "week", "month", "quarter" or "year"."""

    def after(self, day: date) -> date:
        """The day this long after `day` (months by the calendar: 2 Feb + 6 months = 2 Aug)."""
        if self.unit in ("month", "quarter", "year"):
            months = self.count * {"month": 1, "quarter": 3, "year": 12}[self.unit]
            return _months_after(day, round(months))
        return day + timedelta(days=round(self.count * (7 if self.unit == "week" else 1)))


def find_durations(text: str) -> list[Duration]:
    """ "six months", "12 weeks", "a fortnight", "3 working days"."""
    out = []
    for m in _DURATION.finditer(text):
        raw = m.group("n").lower()
        value = FEW if raw == "few" else parse_number(raw)
        if value is None:
            continue
        count = float(value)
        unit = m.group("u").lower()
        days = UNITS[unit]
        unit_name = {1: "day", 7: "week", 14: "week", 30: "month", 91: "quarter", 365: "year"}[days]
        if days == 14:
            count *= 2
        out.append(Duration(m.start(), m.end(), count, unit_name))
    return out


def shifted(span: DateSpan, first: date, last: date) -> DateSpan:
    return replace(span, first=first, last=last)
