"""Amounts of money as PMs write them: "£1.2m", "EUR 450k", "1,2 Mio. EUR", "half a million
dollars", "$85/hour", "CHF 800'000", "PLN 900 000", "£655 per unit"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from tools.reading.numbers import DIGITS, PHRASE, WORD_NUMBER, parse_digits, parse_words
from tools.reading.vocabulary import load

Per = Literal["hour", "day", "week", "month", "year", "unit"]

_MONEY = load("money")
SYMBOLS: dict[str, str] = _MONEY["symbols"]
CODES: tuple[str, ...] = tuple(_MONEY["codes"])
"""Codes read next to a number. A table, not all of ISO 4217: "ALL 5 sites" is not lek."""
WORDS: dict[str, str] = _MONEY["words"]
MULTIPLIERS: dict[str, int] = {k: int(v) for k, v in _MONEY["multipliers"].items()}
PER: dict[str, Per] = _MONEY["per"]


@dataclass(frozen=True)
class Amount:
    """An amount as written: value, currency (None when the text gives none), and what it
    is per ("hour", "month", "unit"...; None for a lump sum)."""

    start: int
    end: int
    value: Decimal
    currency: str | None
    per: Per | None = None
    text: str = ""
    unit: str | None = None
    """What a per-unit price is per, in the text's words ("bank" in "EUR 2.000 per bank")."""


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


_SYM = _alt(SYMBOLS)
_CODE = "|".join(CODES)
_WORD = _alt(WORDS)
_MULT = (
    r"(?:[kK]|mn|MM|[mM]|[Mm]io\.?|[Mm]rd\.?|[Mm]illions?|[Tt]housand|bn|[Bb]illions?|B|"
    r"[Mm]iljon(?:er)?|[Mm]illioner|[Mm]iljoen|[Mm]illionen|[Mm]ilioni|[Mm]illones|"
    r"[Mm]iljard(?:er)?|[Mm]illiarden|[Ll]akhs?|[Cc]rores?|tkr|MSEK|mkr)"
)
_PER = _alt(PER)
_PATTERN = re.compile(
    rf"(?<![\w$£€¥₹])(?:(?P<sym>{_SYM})|(?P<code>{_CODE})\.?(?=[\s\d]))?\s?"
    rf"(?P<num>~?(?:{DIGITS})|(?:{PHRASE}|{WORD_NUMBER})(?=\s+(?:million|thousand|billion|hundred)))"
    rf"(?:\s?(?P<mult>{_MULT})(?=(?:{_CODE})(?!\w)|\W|$))?"
    rf"(?:\s?(?P<code2>{_CODE})(?![\w])|\s?(?P<sym2>[€£$])|\s(?P<word>{_WORD})(?![\w]))?"
    rf"(?:\s*(?:/|\bper\b|\ban?\b|\beach\b)\s*(?P<per>{_PER})\b|(?P<each>\s+each\b|\s+apiece\b)"
    rf"|\s+(?:per|for each|for every)\s+(?P<unit>[a-z][a-z-]{{2,20}})\b)?",
    re.I,
)


def _scale(mult: str | None) -> int:
    if not mult:
        return 1
    key = mult.rstrip(".")
    for k in (key, key.lower()):
        if k in MULTIPLIERS:
            return MULTIPLIERS[k]
    return 1


def find_amounts(text: str, *, bare: bool = False) -> list[Amount]:
    """Every amount with a currency in a text (and, with `bare`, numbers with a multiplier
    but no currency, "450k"). Years, percentages and counts are not amounts."""
    out: list[Amount] = []
    for m in _PATTERN.finditer(text):
        sym, code, code2, word = m.group("sym"), m.group("code"), m.group("code2"), m.group("word")
        currency = (
            SYMBOLS.get(sym or "")
            or SYMBOLS.get(m.group("sym2") or "")
            or (code or "").upper()
            or (code2 or "").upper()
            or (WORDS.get(word.lower()) if word else None)
        )
        # A code is only read next to a number when written in capitals ("EUR", not "eur").
        if (code and not code.isupper()) or (code2 and not (code2.isupper() or m.group("mult"))):
            continue
        mult = m.group("mult")
        if mult in ("m", "M", "B") and not currency and not bare:
            continue
        if mult == "m" and text[m.end("mult") : m.end("mult") + 1] == "²":
            continue
        if currency is None and not (bare and mult):
            continue
        raw = m.group("num").lstrip("~")
        decimal_comma = True if mult and re.fullmatch(r"\d+,\d{1,3}", raw) else None
        value = (
            parse_digits(raw, decimal_comma=decimal_comma)
            if raw[:1].isdigit()
            else parse_words(raw)
        )
        if value is None:
            continue
        if " " in raw and not currency:
            continue
        per_word = (m.group("per") or "").lower()
        unit = m.group("unit")
        per: Per | None = (
            PER.get(per_word) if per_word else ("unit" if m.group("each") or unit else None)
        )
        amount = value * _scale(mult)
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        out.append(
            Amount(start, m.end(), amount, currency, per, text[start : m.end()].strip(), unit)
        )
    return out
