"""Size drivers ("2 TB", "800 users", "14 applications") and the technologies a brief names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from tools.brief.text import (
    _NUM,
    _WORD_NUM,
    _YEAR,
    _Doc,
    _Notes,
    compile_phrases,
    find_phrases,
    strip_parens,
    to_number,
)
from tools.brief.words import (
    DATA_PART,
    DATA_TOTAL,
    DATA_UNITS,
    DRIVER_NOUNS,
    DRIVER_SCALE,
    MULTIPLIERS,
    NOT_AFTER_NOUN,
    NOT_BETWEEN,
    TECHNOLOGIES,
)

_APPROX = (
    r"(?:(?:about|approx\.?|approximately|around|roughly|some|over|nearly|almost|up to|~)\s*)?"
)


_COUNT_RE = (
    rf"(?<![\w.,/-]){_APPROX}(?!{_YEAR}\b)(?P<n>{_NUM}|{_WORD_NUM})"
    r"(?:\s?(?P<s>k|m|bn|million|thousand)\b)?"
    rf"(?:\s*(?:-|–|to)\s*~?(?P<n2>{_NUM})(?:\s?(?P<s2>k|m|million|thousand)\b)?)?"
    rf"(?P<adj>(?:\s+(?!(?:{NOT_BETWEEN})\b)[A-Za-z\"“][\w/&'\"”-]*){{0,3}}?)"
)


_DRIVER_RE = re.compile(
    rf"{_COUNT_RE}\s+(?:"
    + "|".join(f"(?P<{driver}>{nouns})" for driver, nouns in DRIVER_NOUNS.items())
    + rf")(?![\w-])(?!\s+(?:{NOT_AFTER_NOUN})\b)",
    re.I,
)
"""One pass for every driver: a count, up to three words, a noun of DRIVER_NOUNS."""


_DATA_RE = re.compile(rf"(?<![\w.,/-]){_APPROX}(?P<n>{_NUM})\s?(?P<u>PB|TB|TiB|GB|GiB)\b")

_SUM_GAP = re.compile(r"^\s*(?:,|\+|plus\b|and\b|&)\s*(?:and\s+)?$", re.I)


@dataclass(frozen=True)
class _Count:
    """A count of a driver's noun, with its span; `ranged` when read from "800-1,000"."""

    start: int
    end: int
    value: Decimal
    ranged: bool


def find_counts(doc: _Doc) -> dict[str, list[_Count]]:
    """Every "count noun" of the text, by driver ("800 users", "a dozen apps")."""
    out: dict[str, list[_Count]] = {}
    for m in _DRIVER_RE.finditer(doc.text):
        if doc.at(m.start()) in doc.injected or doc.in_header(m.start()):
            continue
        upper = m.group("n2")
        n = to_number(upper or m.group("n"))
        suffix = (m.group("s2") if upper else m.group("s")) or ""
        driver = next((d for d in DRIVER_NOUNS if m.group(d)), None)
        if n is None or driver is None:
            continue
        value = n * MULTIPLIERS.get(suffix.lower(), 1)
        out.setdefault(driver, []).append(_Count(m.start(), m.end(), value, bool(upper)))
    return out


def read_drivers(doc: _Doc, notes: _Notes) -> dict[str, float]:
    """Size cues: the largest count of each driver (adjacent counts of one driver add up:
    "64 stores, 2 distribution centres"); data volume prefers the stated total."""
    text = doc.text
    drivers: dict[str, float] = {}
    data = read_data_volume(doc, notes)
    if data is not None:
        drivers["data_tb"] = data
    for driver, counts in find_counts(doc).items():
        groups: list[list[_Count]] = []
        for c in counts:
            if groups and _SUM_GAP.match(strip_parens(text[groups[-1][-1].end : c.start])):
                groups[-1].append(c)
            else:
                groups.append([c])
        best = max(groups, key=lambda g: (sum(c.value for c in g), -g[0].start))
        value = sum((c.value for c in best), Decimal(0)) / DRIVER_SCALE.get(driver, Decimal(1))
        notes.quote(driver, text, best[0].start, best[-1].end)
        if any(c.ranged for c in best):
            notes.assume(f"'{text[best[0].start : best[-1].end]}' read as its upper value")
        drivers[driver] = round(float(value), 6)
    return drivers


def read_data_volume(doc: _Doc, notes: _Notes) -> float | None:
    """Terabytes of data: the total ("about 2 TB of data"), not the biggest table."""
    text = doc.text
    found = []
    for m in _DATA_RE.finditer(text):
        if doc.at(m.start()) in doc.injected:
            continue
        n = to_number(m.group("n"))
        if n is None:
            continue
        tb = n * DATA_UNITS[m.group("u")]
        s = doc.sentences[doc.at(m.start())]
        around = text[m.start() : min(s.end, m.end() + 25)]
        score = 2 if DATA_TOTAL.search(around) else 0
        score += 1 if re.match(r"about|approx|~|roughly|around", m.group(), re.I) else 0
        score -= 3 if DATA_PART.search(text[max(s.start, m.start() - 40) : m.start()]) else 0
        found.append((score, tb, m))
    if not found:
        return None
    _, tb, m = max(found, key=lambda f: (f[0], f[1]))
    notes.quote("data_tb", text, m.start(), m.end())
    return round(float(tb), 6)


_TECH = compile_phrases([pattern for _, pattern in TECHNOLOGIES])

_TECH_NAMES = frozenset(name for name, _ in TECHNOLOGIES)


def find_technologies(doc: _Doc, notes: _Notes) -> list[str]:
    """Canonical technology names, in order of first mention (one pass over the text)."""
    first: dict[str, tuple[int, int]] = {}
    for key, start, end in sorted(find_phrases(_TECH, doc.text, doc.lower), key=lambda f: f[1]):
        name = TECHNOLOGIES[key][0]
        if name not in first and doc.at(start) not in doc.injected:
            first[name] = (start, end)
    order = list(first)
    if order:
        a, b = first[order[0]]
        notes.quote("technologies", doc.text, a, b)
    return order
