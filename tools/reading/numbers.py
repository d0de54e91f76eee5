"""Numbers as PMs write them: digits with any thousands separator, and words ("two", "a
dozen", "half a million"). Pure: text in, Decimal out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
PHRASES: dict[str, Decimal] = {
    "half a dozen": Decimal(6),
    "a dozen": Decimal(12),
    "a couple of": Decimal(2),
    "a couple": Decimal(2),
    "a pair of": Decimal(2),
    "a single": Decimal(1),
    "a hundred": Decimal(100),
    "a thousand": Decimal(1000),
    "half a": Decimal("0.5"),
    "a quarter of a": Decimal("0.25"),
    "a quarter": Decimal("0.25"),
    "a half": Decimal("0.5"),
    "half": Decimal("0.5"),
    "an": Decimal(1),
    "a": Decimal(1),
}
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}

_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
_TEN = "|".join(TENS)
WORD_NUMBER = (
    rf"(?:(?:{_TEN})(?:[- ](?:{_UNIT}))?|{_UNIT})(?:\s+hundred(?:\s+and)?(?:\s+(?:{_TEN})"
    rf"(?:[- ](?:{_UNIT}))?|\s+(?:{_UNIT}))?)?"
)
"""A number in words up to 999 ("twenty-four", "two hundred and fifty")."""
PHRASE = "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True))

DIGITS = (
    r"\d{1,3}(?:(?:,\d{3})+|(?:\.\d{3})+|(?:'\d{3})+|(?:[ \u00a0\u202f]\d{3})+)(?:[.,]\d{1,2})?"
    r"|\d+(?:[.,]\d+)?"
)
"""Digits with an optional thousands separator (, . ' or a space) and decimals."""
_DIGITS = re.compile(rf"^(?:{DIGITS})$")


def parse_digits(token: str, *, decimal_comma: bool | None = None) -> Decimal | None:
    """ "1,200,000", "1.200.000", "800'000", "1 200", "1,2", "1.5", "1.100". A single
    separator followed by three digits is a thousands separator unless `decimal_comma`
    (or, for ".", `decimal_comma is False`) says it is a decimal mark."""
    token = token.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not _DIGITS.match(token):
        return None
    seps = [c for c in token if c in ",.' "]
    if not seps:
        return Decimal(token)
    last = seps[-1]
    body = token
    if len(set(seps)) > 1:  # "1,200.50" or "1.200,50": the last one is the decimal mark
        whole, _, frac = token.rpartition(last)
        body = re.sub(r"[,.' ]", "", whole) + "." + frac
    elif len(seps) > 1 or last in "' ":
        body = token.replace(last, "")
    else:
        whole, _, frac = token.partition(last)
        if len(frac) == 3 and not (decimal_comma is True and last == ","):
            if not (decimal_comma is False and last == "."):
                body = whole + frac
            else:
                body = whole + "." + frac
        else:
            body = whole + "." + frac
    try:
        return Decimal(body)
    except InvalidOperation:
        return None


def parse_words(words: str) -> Decimal | None:
    """ "two", "twenty-four", "two hundred and fifty", "a dozen", "half a"."""
    w = re.sub(r"\s+", " ", words.strip().lower())
    if w in PHRASES:
        return PHRASES[w]
    total = 0
    current = 0
    seen = False
    for part in re.split(r"[ -]", w):
        if part == "and":
            continue
        if part in UNITS:
            current += UNITS[part]
        elif part in TENS:
            current += TENS[part]
        elif part == "hundred":
            current = max(current, 1) * 100
        elif part in SCALES:
            total += max(current, 1) * SCALES[part]
            current = 0
        else:
            return None
        seen = True
    return Decimal(total + current) if seen else None


NUMBER = rf"(?:{DIGITS}|{WORD_NUMBER}|{PHRASE})"
_NUMBER = re.compile(rf"(?<![\w.,]){NUMBER}(?![\w])", re.I)


def parse_number(token: str) -> Decimal | None:
    """Digits or words."""
    return parse_digits(token) if token[:1].isdigit() else parse_words(token)


def find_numbers(text: str) -> list[tuple[int, int, Decimal]]:
    """Every number in a text, with its span."""
    out = []
    for m in _NUMBER.finditer(text):
        value = parse_number(m.group(0))
        if value is not None and m.group(0).lower() not in ("a", "an", "half"):
            out.append((m.start(), m.end(), value))
    return out


def count_of(noun: str, text: str, *, most: int = 100_000) -> int | None:
    """How many of `noun` a text names ("our 9 house banks" for "bank", "three countries"
    for "country"): the first count before it, None when the text gives none."""
    words = noun.strip().split()
    if not words:
        return None
    last = words[-1]
    stem = (
        re.escape(last[:-1]) + "(?:y|ies)"
        if last.endswith("y")
        else re.escape(last.rstrip("s")) + "s?"
    )
    if len(words) > 1:
        stem = re.escape(" ".join(words[:-1])) + r"\s+" + stem
    m = re.search(rf"(?<![\w.,])(?P<n>{NUMBER}|\d+)\s+(?:[\w-]+\s+)?{stem}\b", text, re.I)
    value = parse_number(m.group("n")) if m else None
    if value is None or value != int(value) or not 1 <= value <= most:
        return None
    return int(value)
