"""How much of a person's time a project gets: "60%", "half time", "3 days a week", "1 day a
week", "full time", "part-time"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.reading.numbers import UNITS

WORKING_DAYS = 5
PART_TIME = 0.5
"""Part time without a figure: half, said in an assumption by whoever reads it."""
NAMED: dict[str, float] = {
    "full time": 1.0,
    "full-time": 1.0,
    "fulltime": 1.0,
    "ft": 1.0,
    "dedicated": 1.0,
    "half time": 0.5,
    "half-time": 0.5,
    "half of": 0.5,
    "part time": PART_TIME,
    "part-time": PART_TIME,
    "pt": PART_TIME,
}

_DAYS = "|".join([r"\d(?:\.\d)?", *UNITS, "half a", "a"])
_SHARE = re.compile(
    rf"(?P<pct>\d{{1,3}}(?:[.,]\d)?)\s?%"
    rf"|(?P<days>{_DAYS})(?P<half>\s+and\s+a\s+half)?\s*(?:-\s*)?days?"
    rf"(?P<more>\s+and\s+a\s+half)?\s*(?:a|per|/|each|of the)\s*(?:week|wk)"
    rf"|(?P<named>{'|'.join(re.escape(k) for k in sorted(NAMED, key=len, reverse=True))})\b",
    re.I,
)


@dataclass(frozen=True)
class Share:
    start: int
    end: int
    value: float
    """0-1 of a working week."""
    stated: bool = True
    """False for "part time" without a figure."""


def find_shares(text: str) -> list[Share]:
    out: list[Share] = []
    for m in _SHARE.finditer(text):
        if m.group("pct"):
            value = float(m.group("pct").replace(",", ".")) / 100
            stated = True
        elif m.group("days"):
            raw = m.group("days").lower()
            n = {"a": 1.0, "half a": 0.5}.get(raw) or float(UNITS.get(raw, 0) or raw)
            n += 0.5 if m.group("half") or m.group("more") else 0  # "a day and a half"
            value, stated = n / WORKING_DAYS, True
        else:
            word = m.group("named").lower()
            if word in ("ft", "pt") and not m.group("named").isupper():
                continue
            value, stated = NAMED[word], "part" not in word and word != "pt"
        if 0 < value <= 1:
            out.append(Share(m.start(), m.end(), round(value, 3), stated))
    return out
