"""Public holidays by country, from rules as data (tools/data/holidays.json).

A plan's calendar leaves out the country's public holidays: fixed days (moved off a weekend
where the country observes them on a working day), days counted from Easter, and nth
weekdays of a month. National holidays only; why not a library: docs/estimating.md.

Pure: the rules are packaged data read once; no clock, the caller says which years.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from importlib import resources

from tools.reading.dates import easter, nth_weekday

_WEEKEND = (5, 6)


@cache
def _rules() -> dict[str, dict]:
    raw = json.loads(resources.files("tools").joinpath("data/holidays.json").read_text("utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def countries() -> frozenset[str]:
    """The ISO codes pmpilot has public holidays for."""
    return frozenset(_rules())


def public_holidays(country: str, first_year: int, last_year: int) -> list[tuple[date, str]]:
    """Every public holiday of a country in the years given, sorted; a country without rules
    has none (raise nothing: the caller says so)."""
    rules = _rules().get(country.upper())
    if rules is None:
        return []
    out: dict[date, str] = {}
    for year in range(first_year, last_year + 1):
        moved: list[tuple[date, str]] = []
        for name, (month, day) in rules.get("fixed", {}).items():
            moved.append((date(year, month, day), name))
        for name, offset in rules.get("easter", {}).items():
            out[easter(year) + timedelta(days=offset)] = name
        for name, (month, weekday, n) in rules.get("nth", {}).items():
            out[nth_weekday(year, month, weekday, n)] = name
        for day, name in sorted(moved):
            out[_observed(day, rules.get("observed"), out)] = name
    return sorted(out.items())


def _observed(day: date, rule: str | None, taken: dict[date, str]) -> date:
    if day.weekday() not in _WEEKEND or rule is None:
        return day
    if rule == "us":
        return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1)
    d = day
    while d.weekday() in _WEEKEND or d in taken:
        d += timedelta(days=1)
    return d
