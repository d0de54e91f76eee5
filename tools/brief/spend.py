"""Costs a brief names without a figure.

A PM lists every cost the brief names, priced or not: what the budget is for ("EUR 340k
(consultant, certification body, GRC tool, awareness training)"), what it leaves out
("licences are separate", "the Snowflake consumption is paid from the IT operations budget"),
what has to be bought ("we need to buy FIDO2 keys for the admins") and bought things in scope
("pen test before launch"). Each becomes a cost line without an amount, so the plan shows it
and asks for its price rather than dropping it. The words are data (data/cues.json, "spend").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from tools.brief.costs import CostLine, MoneyFacts, is_outside_words
from tools.brief.cues import CUES, has, label_is
from tools.brief.sentences import sentences
from tools.reading.dates import find_dates
from tools.reading.money import Amount, find_amounts
from tools.reading.structure import Document

_SPEND = CUES["spend"]
_PARTS = re.compile(r"\s*(?:,(?!\d)|[;:()+•]|\s[—–-]\s|\band\b|\bplus\b|\bas well as\b|&)\s*", re.I)
_CLAUSES = re.compile(r"[,;:]\s|\s[—–]\s|\.\s")
_LEAD = re.compile(
    r"^(?:(?:but|also|then|incl\.?|including|includes|(?:that|which|it|this) (?:includes|covers)|"
    r"covering|covers|for|excluding|except|not|NOT|the|a|an|our|some|any|new|all)\s+)+",
    re.I,
)
_CLAUSE_START = re.compile(
    r"^(?:so|that|which|who|because|since|if|when|as|we|we're|we've|they|it|it's|this|there|"
    r"i|i'm|you|he|she)\b",
    re.I,
)
"""A part that opens like a clause says something about a cost, it does not name one."""
_TAIL = re.compile(
    r"\s+(?:is|are|will be|would be|were|was|to be|already|comes?|paid|signed|bought)\b.*$", re.I
)
NO_DAY = date(2000, 1, 1)
"""Only whether a part holds a date matters here, not which one."""
MAX_WHAT = 120
MAX_WORDS = 12


def _nouns(text: str) -> list[str]:
    return [n for n in _SPEND["nouns"] if has(text, [n])]


def _clean(part: str) -> str:
    words = _TAIL.sub("", _LEAD.sub("", part.strip(" .*_`'\"~")))
    return re.sub(r"\s+", " ", words).strip(" .,;:-")[:MAX_WHAT]


def _parts(sentence: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for m in _PARTS.finditer(sentence):
        yield pos, sentence[pos : m.start()]
        pos = m.end()
    yield pos, sentence[pos:]


def _clause_around(sentence: str, at: int) -> tuple[str, str]:
    """The clause holding an offset and the one after it ("…, this is paid from opex")."""
    cuts = [0, *(m.end() for m in _CLAUSES.finditer(sentence)), len(sentence)]
    for i in range(len(cuts) - 1):
        if cuts[i] <= at < cuts[i + 1]:
            after = sentence[cuts[i + 1] : cuts[i + 2]] if i + 2 < len(cuts) else ""
            return sentence[cuts[i] : cuts[i + 1]], after
    return sentence, ""


def _is_budget_line(sentence: str, label: str | None, section: str) -> bool:
    return (
        bool(label and label_is(label, "budget"))
        or label_is(section, "budget")
        or has(sentence, _SPEND["budget_words"])
    )


def read_unpriced(doc: Document, facts: MoneyFacts, scope: list[str]) -> list[CostLine]:
    """The costs the brief names without an amount, in the order it names them; a cost the
    rules already priced is not named twice."""
    found: list[CostLine] = []
    seen = {n for c in facts.costs for n in _nouns(c.what)}

    def add(what: str, in_budget: bool, quote: str) -> None:
        nouns = _nouns(what)
        words = what.split()
        if not nouns or len(words) > MAX_WORDS:
            return
        if has(what, _SPEND["labour"]) or _CLAUSE_START.match(what):
            return
        key = what.casefold()
        if any(c.what.casefold() == key for c in found) or set(nouns) <= seen:
            return
        seen.update(nouns)
        found.append(CostLine(what, None, "", None, in_budget, quote.strip()[:300]))

    for s in sentences(doc, include_headings=False):
        text = s.text(doc)
        if not _nouns(text):
            continue
        budget = _is_budget_line(text, s.line.label, s.line.section)
        buying = has(text, _SPEND["buy"])
        for start, whole in _parts(text):
            at, part = start, whole
            if amounts := find_amounts(whole, bare=True):
                at, part = (
                    start + amounts[-1].end,
                    whole[amounts[-1].end :],
                )  # "£640k incl. tooling"
            if not _nouns(part) or find_dates(part, today=NO_DAY):
                continue
            clause, after = _clause_around(text, at)
            outside = (
                is_outside_words(clause)
                or is_outside_words(part)
                or has(part, _SPEND["already"])
                or (is_outside_words(after) and not _nouns(after))
                or bool(re.match(r"\s*(?:but\s+)?(?:not|excluding|except)\b", part, re.I))
            )
            if outside or budget or (buying and has(part, _SPEND["hard"])):
                add(_clean(part), not outside, text)
    for item in scope:
        for _, part in _parts(item):
            if has(part, _SPEND["hard"]):
                add(_clean(part), True, item)
    return found


_COMPOSITION = re.compile(
    r"^\s*(?:capex|opex|total|approved|in total)?\s*[:(]\s*(?P<list>[^).;]+)", re.I
)
MIN_PARTS = 2


def _external_composition(text: str, label: str | None, section: str) -> bool:
    """A budget given as what it buys, every part a thing or a supplier and none the team's
    time ("Budget EUR 340k (consultant, certification body, GRC tool, awareness training)"):
    the team's own time is not in it."""
    if not _is_budget_line(text, label, section):
        return False
    amounts = find_amounts(text, bare=True)
    if not amounts or not (m := _COMPOSITION.match(text[amounts[0].end :])):
        return False
    parts = [p for _, p in _parts(m.group("list")) if p.strip()]
    return len(parts) >= MIN_PARTS and all(
        _nouns(p) and not has(p, _SPEND["labour"]) for p in parts
    )


def read_internal_excluded(doc: Document) -> str | None:
    """The words saying the budget does not pay for the team's own time ("external spend
    only", "internal staff time is not charged to the project", "headcount isn't charged",
    or a budget given as a list of things and suppliers only): the budget check then counts
    only what it pays for."""
    for s in sentences(doc, include_headings=False):
        text = s.text(doc)
        if _external_composition(text, s.line.label, s.line.section):
            return text.strip()[:300]
        for clause in re.split(r"[;,.]\s|\s[—–-]\s|\(|\)", text):
            if has(clause, _SPEND["internal"]) and has(clause, _SPEND["not_charged"]):
                return text.strip()[:300]
        if (
            has(text, _SPEND["external_only"])
            and not re.search(r"\binternal\s+(?:and|&)\s+external\b", text, re.I)
            and (
                _is_budget_line(text, s.line.label, s.line.section)
                or bool(find_amounts(text, bare=True))
            )
        ):
            return text.strip()[:300]
    return None


STAFF_WINDOW = 90
"""How far before a day or hour rate the words saying it is the staff's may stand."""


def read_staff_rate(doc: Document) -> tuple[Amount, str] | None:
    """The rate the organisation costs its own people at ("internal staff are costed at a
    loaded $65/hour", "internal time, which we cross-charge at EUR 520/day"): the rate of every
    team member the brief prices no other way. A rate next to a contractor or partner is
    theirs, not the staff's."""
    for s in sentences(doc, include_headings=False):
        text = s.text(doc)
        for a in find_amounts(text):
            if a.per not in ("hour", "day"):
                continue
            before = text[max(0, a.start - STAFF_WINDOW) : a.start]
            near = text[max(0, a.start - STAFF_WINDOW // 2) : a.start]
            if has(before, _SPEND["staff_rate"]) and not has(near, _SPEND["bought_people"]):
                return a, text.strip()[:300]
    return None
