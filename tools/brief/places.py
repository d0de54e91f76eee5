"""Which country a brief is planned in: the one whose places it names most, else the one its
currency settles (GBP, CHF...; the euro settles none). Words are data (data/countries.json)."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources


@cache
def _data() -> dict:
    return json.loads(
        resources.files("tools.brief").joinpath("data/countries.json").read_text("utf-8")
    )


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        code: re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])")
        for code, words in _data()["places"].items()
    }


def country_of(text: str, currency: str | None) -> tuple[str | None, str]:
    """The ISO country code and the words that placed it ("" when the currency did)."""
    counts = {code: p.findall(text) for code, p in _patterns().items()}
    best = max(counts, key=lambda c: len(counts[c]))
    if counts[best]:
        return best, counts[best][0]
    return _data()["currencies"].get(currency or ""), ""
