"""The role of each amount in a brief: the budget, a non-labour cost, a person's rate, or
something else (a renewal the project avoids, savings). Decided by the words around it
(data/cues.json) and by the label or heading of its line."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from tools.brief.cues import CUES, has, label_is, score
from tools.brief.sentences import Sentence, sentences
from tools.reading.money import Amount, find_amounts
from tools.reading.numbers import DIGITS, NUMBER, count_of, parse_digits, parse_number
from tools.reading.structure import Document

MONEY_ROLES = ("budget", "cost", "rate", "other")
_CUES = CUES["money"]
_SPEND_NOUNS = CUES["spend"]["nouns"]
_COUNT = re.compile(rf"(?<![\w.,$£€])(?P<n>{DIGITS})\s+(?P<noun>[A-Za-z][\w-]*)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_SPAN = re.compile(
    rf"\b(?P<a>{'|'.join(_MONTHS)})[a-z]*\.?\s*(?:–|-|to|until|through|thru)\s*"
    rf"(?P<b>{'|'.join(_MONTHS)})[a-z]*",
    re.I,
)
_FOR_MONTHS = re.compile(
    rf"^[^.;]{{0,30}}?\b(?:for|over|during|across)\s+(?:the\s+|all\s+|about\s+|~)?(?P<n>{NUMBER}|\d+)"
    r"\s+months\b",
    re.I,
)
_PLUS = re.compile(r"^[^;.]{0,80}?(?:\+|\bplus\b)\s*(?:another\s+)?$", re.I)
_TOTAL_AFTER = re.compile(r"^\s*(?:in all|in total|total|overall|all[- ]in|altogether)\b", re.I)
_CLAUSE = re.compile(r"[;]|\s[—–]\s")
_TRIM = re.compile(r"^[\s,;:.(–—~-]+|[\s,;:.()~–—-]+$")
NOT_UNIT_COUNTS = ("tb", "gb", "percent", "days", "weeks", "months", "years", "hours")


@dataclass
class CostLine:
    """A non-labour cost as read: what, the amount (a total), whether the budget covers it."""

    what: str
    amount: Decimal | None
    """None for a cost the brief names without a figure."""
    currency: str
    per: str | None
    in_budget: bool
    quote: str
    months: int | None = None


@dataclass
class Rate:
    amount: Decimal
    currency: str
    per: str
    quote: str
    start: int


@dataclass
class MoneyFacts:
    budget: tuple[Decimal, str] | None = None
    quotes: dict[str, str] = field(default_factory=dict)
    costs: list[CostLine] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    loose: list[Amount] = field(default_factory=list)
    """Sums the words around do not place: the budget when the brief names no other."""


@dataclass
class _Candidate:
    score: float
    amount: Amount
    quote: str


def _segment(sentence: str, at: int) -> str:
    """The top-level comma or semicolon segment of a sentence around an offset."""
    depth, start = 0, 0
    for i, ch in enumerate(sentence):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch in ",;" and depth == 0 and not sentence[i + 1 : i + 2].isdigit():
            if i >= at:
                return sentence[start:i]
            start = i + 1
    return sentence[start:]


def _what(sentence: str, lead: str = "", amount: Amount | None = None) -> str:
    """The words that say what a cost is for: the label of its line, else its sentence (or,
    where the sentence lists several amounts, its part of the list) without the amounts."""
    if lead:
        return _TRIM.sub("", lead)[:160]
    words = sentence
    if amount is not None and len(find_amounts(sentence)) > 1:
        words = _segment(sentence, amount.start)
    words = words.replace("**", "")
    for a in reversed(find_amounts(words)):
        words = words[: a.start] + words[a.end :]
    words = re.sub(r"\(\s*[~≈]?\s*\)", "", words)
    return re.sub(r"\s+", " ", _TRIM.sub("", words))[:160]


def _part(sentence: str, amount: Amount) -> str:
    """What one part of a summed budget is for: the words after it ("GBP 120k for the
    integrator's services")."""
    at = amount.end
    nxt = min((a.start for a in find_amounts(sentence) if a.start >= at), default=len(sentence))
    words = re.sub(r"(?:\+|\bplus\b|\band\b)\s*$", "", sentence[at:nxt].strip())
    return re.sub(r"\s+", " ", _TRIM.sub("", words.replace("**", "")))[:160] or amount.text


def _unit_total(sentence: str, amount: Amount, whole: str) -> Decimal | None:
    """A per-unit price times the count the same sentence gives ("1,400 laptops ... £655
    per unit"), or, for a price per a named thing, the count the brief gives of that thing
    ("EUR 2.000 per bank" and "our 9 house banks")."""
    for m in _COUNT.finditer(sentence):
        overlaps = m.start() < amount.end and amount.start < m.end()  # the price itself
        if overlaps or m.group("noun").lower() in NOT_UNIT_COUNTS:
            continue
        n = parse_digits(m.group("n"))
        if n is not None and 1 < n < 1_000_000 and not (1900 <= n <= 2100) and n == int(n):
            return amount.value * n
    if amount.unit and (n := count_of(amount.unit, whole)) and n > 1:
        return amount.value * n
    return None


def _scores(s: Sentence, text: str, amounts: list[Amount], i: int, prev: int) -> dict[str, float]:
    a = amounts[i]
    line = s.line
    nxt = amounts[i + 1].start if i + 1 < len(amounts) else len(text)
    cut = max([prev, *(m.end() for m in _CLAUSE.finditer(text, 0, a.start))])
    scores = {r: score(text[cut : a.start], text[a.end : nxt], _CUES[r]) for r in MONEY_ROLES}
    if a.per in ("hour", "day", "week"):
        scores["rate"] += 6
    if a.per in ("month", "year", "unit"):
        scores["cost"] += 3
    if a.per is not None:
        scores["budget"] = 0.0  # a budget is a sum, not a price per something
    if _TOTAL_AFTER.match(text[a.end :]) and a.per is None:
        scores["budget"] += 3
    if line.label and label_is(line.label, "budget") and i == 0 and s.start == line.content_start:
        scores["budget"] += 5
    elif label_is(line.section, "budget"):
        scores["budget"] += 1
        scores["cost"] += 1
    if line.label and not label_is(line.label, "budget") and has(line.label, _SPEND_NOUNS):
        scores["cost"] += 2  # "External penetration test: $24,000 fixed"
    if label_is(line.section, "team") or (line.label and label_is(line.label, "team")):
        scores["rate"] += 2
    if text[max(0, a.start - 2) : a.start] in ("**", "__"):
        scores["budget"] += 1
    return scores


def is_outside_words(text: str) -> bool:
    """The words say the budget does not cover something ("licences are paid from opex")."""
    return has(text, _CUES["outside"])


def is_outside(text: str, a: Amount) -> bool:
    """The brief says the budget does not cover this amount: in its clause before it, or
    right after it ("£92,400 (outside the budget)")."""
    start = max([0, *(m.end() for m in re.finditer(r"[,;:]\s|\.\s+(?=[A-Z])", text[: a.start]))])
    rest = text[a.end :]
    end = rest.index(")") + 1 if rest.lstrip().startswith("(") and ")" in rest else None
    if end is None:
        stop = re.search(r"[,;.:](?:\s|$)", rest)
        end = stop.start() if stop else len(rest)
    return has(text[start : a.start], _CUES["outside"]) or has(rest[:end], _CUES["outside"])


def _cost(
    text: str,
    a: Amount,
    amounts: list[Amount],
    lead: str,
    *,
    named: Amount | None = None,
    whole: str = "",
) -> CostLine | None:
    value: Decimal | None = a.value
    months = None
    if a.per == "unit":
        if any(b.per is None and b is not a for b in amounts):
            return None  # the sentence gives the total as well: that one is the cost
        value = _unit_total(text, a, whole)  # None: a unit price with no count to multiply
    elif a.per == "month" and (m := _MONTH_SPAN.search(text)):
        first, last = (
            _MONTHS.index(m.group("a").lower()[:3]),
            _MONTHS.index(m.group("b").lower()[:3]),
        )
        months = (last - first) % 12 + 1
        value = a.value * months
    elif a.per == "month" and (m := _FOR_MONTHS.search(text[a.end :])):
        n = parse_number(m.group("n"))  # "$3,800 per month for the 7 months of the project"
        if n is not None and n == int(n) and 1 < n <= 120:
            months = int(n)
            value = a.value * months
    per = None if months or a.per in ("unit", "year") else a.per
    outside = is_outside(text, a)
    what = _what(text, lead, named or a) or a.text
    return CostLine(
        what if value is not None else f"{what} ({a.text}; how many is not said)",
        value,
        a.currency or "",
        per,
        not outside,
        text.strip()[:300],
        months,
    )


def _lead(s: Sentence) -> str:
    line = s.line
    if line.kind == "table":
        return next(iter(line.cells.values()), "")
    return line.label if line.label and not label_is(line.label, "budget") else ""


def _read_sentence(
    s: Sentence, doc: Document, facts: MoneyFacts, budgets: list[_Candidate]
) -> None:
    text = s.text(doc)
    bare = has(text, _CUES["budget"]) or bool(s.line.label and label_is(s.line.label, "budget"))
    amounts = find_amounts(text, bare=bare)
    prev, last_role = 0, ""
    lead = _lead(s)
    parts: list[Amount] = []
    for i, a in enumerate(amounts):
        named: Amount | None = None
        scores = _scores(s, text, amounts, i, prev)
        prev = a.end
        role = max(MONEY_ROLES, key=lambda r: (scores[r], -MONEY_ROLES.index(r)))
        if scores[role] <= 0:
            role = "budget" if a.per is None and label_is(s.line.section, "budget") else "other"
            if last_role == "cost":
                role = "cost"  # "£655 per unit ..., so £917k for the 1,400"
                named = amounts[i - 1]

        if (
            last_role == "budget"
            and budgets
            and budgets[-1].amount is amounts[i - 1]
            and _PLUS.match(text[amounts[i - 1].end : a.start])
        ):
            # "GBP 860,000 capex (...) + GBP 120k for ...": one budget, in parts
            first = budgets[-1].amount
            whole = Amount(
                first.start,
                a.end,
                first.value + a.value,
                first.currency,
                None,
                text[first.start : a.end],
            )
            budgets[-1] = _Candidate(budgets[-1].score, whole, whole.text)
            amounts[i] = whole
            parts += [first, a] if not parts else [a]
            continue
        if (
            _TOTAL_AFTER.match(text[a.end :])
            and a.per is None
            and i
            and last_role in ("budget", "cost")
        ):
            # "(GBP 985k in all)", "~€5k/month -> ~€45k total": the total of what came before
            if last_role == "budget" and budgets and budgets[-1].amount is amounts[i - 1]:
                budgets[-1] = _Candidate(max(budgets[-1].score, scores["budget"]), a, a.text)
                parts = []
                continue
            if last_role == "cost" and facts.costs and facts.costs[-1].quote == text.strip()[:300]:
                facts.costs[-1] = CostLine(
                    facts.costs[-1].what,
                    a.value,
                    a.currency or "",
                    None,
                    facts.costs[-1].in_budget,
                    facts.costs[-1].quote,
                )
                continue
        last_role = role
        if role == "budget" and a.per is None and not is_outside(text, a):
            budgets.append(_Candidate(scores["budget"], a, a.text))
        elif role == "rate" and a.currency:
            facts.rates.append(Rate(a.value, a.currency, a.per or "day", a.text, s.start + a.start))
        elif (
            role == "cost"
            and (cost := _cost(text, a, amounts, lead, named=named, whole=doc.text)) is not None
        ):
            facts.costs.append(cost)
        elif role == "other" and scores["other"] <= 0 and a.per is None and a.currency:
            facts.loose.append(a)
    for part in parts:
        if score(text, "", _CUES["cost"]) > 0:
            facts.costs.append(
                CostLine(
                    _part(text, part),
                    part.value,
                    part.currency or "",
                    None,
                    True,
                    text.strip()[:300],
                )
            )


LOOSE_BUDGET = Decimal(10_000)
"""A sum below this is no project budget, however alone it stands."""


def _budget_in_parts(doc: Document, facts: MoneyFacts) -> bool:
    """ "Budget: licences £48k/yr, partner £210k, backfill £35k" and no total: their sum,
    a yearly amount counted once, said."""
    for line in doc.lines:
        if not (line.label and label_is(line.label, "budget")):
            continue
        parts = [a for a in find_amounts(line.content) if a.per in (None, "year") and a.currency]
        if len(parts) < 2 or len({a.currency for a in parts}) > 1:
            continue
        total = sum((a.value for a in parts), Decimal(0))
        facts.budget = (total, parts[0].currency or "")
        facts.quotes["budget"] = line.content.strip()[:300]
        yearly = " (a yearly amount counted for one year)" if any(a.per for a in parts) else ""
        facts.assumptions.append(
            f"the brief gives the budget in parts ({', '.join(a.text for a in parts)}) and no"
            f" total; assumed their sum, {total:,.0f} {parts[0].currency}{yearly} — confirm it"
        )
        return True
    return False


def _choose_budget(
    budgets: list[_Candidate], facts: MoneyFacts, currency: str | None, doc: Document
) -> None:
    if not budgets and _budget_in_parts(doc, facts):
        return
    if not budgets:
        loose = [a for a in facts.loose if a.value >= LOOSE_BUDGET]
        if loose:
            a = max(loose, key=lambda x: x.value)
            facts.budget = (a.value, a.currency or "")
            facts.quotes["budget"] = a.text
            facts.assumptions.append(
                f"assumed the budget is {a.text}: the largest sum the brief names without"
                " saying what it is for — confirm it"
            )
        return
    top = max(b.score for b in budgets)
    best = [b for b in budgets if b.score == top]
    pick = best[0].amount
    facts.budget = (pick.value, pick.currency or currency or "")
    facts.quotes["budget"] = best[0].quote
    others = sorted(
        {(b.amount.value, b.amount.currency or "") for b in best}
        - {(pick.value, pick.currency or "")}
    )
    if others:
        facts.assumptions.append(
            f"assumed the budget is {pick.text}; the brief also gives "
            + ", ".join(f"{v:,.0f} {c}".strip() for v, c in others)
        )
    if pick.currency is None:
        said = (
            f"assumed {currency}, the currency of the brief's other amounts"
            if currency
            else "assumed USD"
        )
        facts.assumptions.append(f"the budget '{pick.text}' names no currency; {said}")


def read_money(doc: Document) -> MoneyFacts:
    facts = MoneyFacts()
    budgets: list[_Candidate] = []
    for s in sentences(doc):
        _read_sentence(s, doc, facts, budgets)
    seen = Counter(
        a.currency for s in sentences(doc) for a in find_amounts(s.text(doc)) if a.currency
    )
    currency = seen.most_common(1)[0][0] if seen else None
    _choose_budget(budgets, facts, currency, doc)
    unique: dict[tuple[Decimal | None, str], CostLine] = {}  # (amount, currency or what)
    budget = facts.budget[0] if facts.budget else None
    for c in facts.costs:
        if c.amount is not None and c.amount == budget and c.per is None:
            continue  # the budget said again, not a cost within it
        c.currency = c.currency or (facts.budget[1] if facts.budget else "")
        key = (c.amount, c.currency) if c.amount is not None else (None, c.what)
        unique.setdefault(key, c)  # a cost stated twice is counted once
    facts.costs = list(unique.values())
    return facts
