"""The role of each amount in a brief: the budget, a non-labour cost, a person's rate, or
something else (a renewal the project avoids, savings). Decided by the words around it
(data/cues.json) and the label or heading of its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from tools.brief.cues import CUES, has, label_is, score
from tools.brief.sentences import sentences
from tools.reading.money import Amount, find_amounts
from tools.reading.numbers import DIGITS
from tools.reading.structure import Document

MONEY_ROLES = ("budget", "cost", "rate", "other")
_COUNT = re.compile(rf"(?<![\w.,$£€])(?P<n>{DIGITS})\s+(?P<noun>[A-Za-z][\w-]*)")
_MONTH_SPAN = re.compile(
    r"\b(?P<a>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*(?:–|-|to|until)\s*"
    r"(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*",
    re.I,
)
_PLUS = re.compile(r"^[^;.]{0,80}?(?:\+|\bplus\b)\s*(?:another\s+)?$", re.I)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WHAT_TRIM = re.compile(r"^[\s,;:.(–—-]+|[\s,;:.)–—-]+$")


@dataclass
class CostLine:
    """A non-labour cost as read: what, the amount (a total), whether the budget covers it."""

    what: str
    amount: Decimal
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
    budget_excludes: list[str] = field(default_factory=list)


def _what(sentence: str, amount: Amount, lead: str) -> str:
    """The words that say what a cost is for: the label of its line, else its clause."""
    if lead:
        return _WHAT_TRIM.sub("", lead)[:160]
    clause = re.split(r"[;]|\s[—–]\s", sentence)
    for c in clause:
        if amount.text in c:
            words = _WHAT_TRIM.sub("", c.replace(amount.text, " ").replace("**", ""))
            return re.sub(r"\s+", " ", words)[:160]
    return sentence[:160]


def _unit_total(sentence: str, amount: Amount) -> Decimal | None:
    """A per-unit price times the count the same sentence gives ("1,400 laptops ... £655
    per unit")."""
    for m in _COUNT.finditer(sentence):
        if m.start() <= amount.start < m.end() or m.group("noun").lower() in (
            "tb",
            "gb",
            "percent",
        ):
            continue
        n = Decimal(
            m.group("n").replace(",", "").replace(".", "").replace("'", "").replace(" ", "")
        )
        if 1 < n < 1_000_000 and not (1900 <= n <= 2100):
            return amount.value * n
    return None


def read_money(doc: Document) -> MoneyFacts:
    facts = MoneyFacts()
    cues = CUES["money"]
    budgets: list[tuple[float, Amount, str, str]] = []
    for s in sentences(doc):
        text = s.text(doc)
        amounts = find_amounts(text)
        if not amounts:
            if has(text, cues["outside"]) and label_is(s.line.section or s.line.label, "budget"):
                facts.budget_excludes.append(text.strip())
            continue
        line = s.line
        lead = ""
        if line.kind == "table":
            lead = " ".join(v for v in list(line.cells.values())[:1])
        elif line.label and not label_is(line.label, "budget"):
            lead = line.label
        prev = 0
        last_role = ""
        parts: list[Amount] = []
        for i, a in enumerate(amounts):
            nxt = amounts[i + 1].start if i + 1 < len(amounts) else len(text)
            cut = max([prev, *(m.end() for m in re.finditer(r"[;]|\s[—–]\s", text[: a.start]))])
            before, after = text[cut : a.start], text[a.end : nxt]
            prev = a.end
            scores = {r: score(before, after, cues[r]) for r in MONEY_ROLES}
            if a.per in ("hour", "day", "week"):
                scores["rate"] += 6
            if a.per in ("month", "year", "unit"):
                scores["cost"] += 3
            if line.label and label_is(line.label, "budget") and i == 0:
                scores["budget"] += 5
            elif label_is(line.section, "budget"):
                scores["budget"] += 1
                scores["cost"] += 1
            if label_is(line.section, "team") or (line.label and label_is(line.label, "team")):
                scores["rate"] += 2
            if text[max(0, a.start - 2) : a.start] in ("**", "__"):
                scores["budget"] += 1
            role = max(MONEY_ROLES, key=lambda r: (scores[r], -MONEY_ROLES.index(r)))
            if scores[role] <= 0:
                role = "budget" if a.per is None and label_is(line.section, "budget") else "other"
                if last_role == "cost":
                    role = "cost"  # "£655 per unit ..., so £917k for the 1,400"
            if (
                last_role == "budget"
                and budgets
                and budgets[-1][1] is amounts[i - 1]
                and _PLUS.match(text[amounts[i - 1].end : a.start])
            ):
                # "GBP 860,000 capex (...) + GBP 120k for ...": one budget, in parts
                s0, a0, t0, b0 = budgets[-1]
                budgets[-1] = (
                    s0,
                    Amount(
                        a0.start,
                        a.end,
                        a0.value + a.value,
                        a0.currency,
                        None,
                        a0.text + " + " + a.text,
                    ),
                    t0,
                    b0,
                )
                facts.costs.append(
                    CostLine(
                        _what(text, a, "") or a.text,
                        a.value,
                        a.currency or "",
                        None,
                        True,
                        text.strip()[:300],
                    )
                )
                if not parts:
                    parts.append(amounts[i - 1])
                parts.append(a)
                last_role = "budget"
                continue
            last_role = role
            outside = has(text, cues["outside"])
            if role == "budget" and a.per is None and not outside:
                budgets.append((scores["budget"], a, text.strip(), before))
            elif role == "rate":
                facts.rates.append(
                    Rate(a.value, a.currency or "", a.per or "day", a.text, s.start + a.start)
                )
            elif role == "cost":
                value = a.value
                months = None
                if a.per == "unit":
                    total = _unit_total(text, a)
                    if total is None or any(b.per is None and b is not a for b in amounts):
                        continue
                    value = total
                elif a.per == "month":
                    if m := _MONTH_SPAN.search(text):
                        months = (
                            _MONTHS.index(m.group("b").lower()[:3])
                            - _MONTHS.index(m.group("a").lower()[:3])
                        ) % 12 + 1
                        value = a.value * months
                elif a.per == "year":
                    value = a.value
                facts.costs.append(
                    CostLine(
                        _what(text, a, lead) or a.text,
                        value,
                        a.currency or "",
                        None if months or a.per in ("unit", "year") else a.per,
                        not outside,
                        text.strip()[:300],
                        months,
                    )
                )
        if parts:
            first = parts[0]
            facts.costs.insert(
                len(facts.costs) - len(parts) + 1,
                CostLine(
                    _what(text, first, "") or first.text,
                    first.value,
                    first.currency or "",
                    None,
                    True,
                    text.strip()[:300],
                ),
            )
    if budgets:
        top = max(b[0] for b in budgets)
        best = [b for b in budgets if b[0] == top]
        _, a, _, _ = best[0]
        facts.budget = (a.value, a.currency or "")
        facts.quotes["budget"] = a.text
        others = sorted({(b[1].value, b[1].currency) for b in best} - {(a.value, a.currency)})
        if others:
            facts.assumptions.append(
                f"assumed the budget is {a.text}; the brief also gives "
                + ", ".join(f"{v:,.0f} {c}" for v, c in others)
            )
        if a.currency is None:
            facts.assumptions.append(f"assumed the budget '{a.text}' is in the rate card currency")
    # a cost the brief states twice (a unit price and its total) is counted once
    seen: set[tuple[Decimal, str]] = set()
    unique = []
    for c in facts.costs:
        if (c.amount, c.currency) not in seen:
            seen.add((c.amount, c.currency))
            unique.append(c)
    facts.costs = unique
    return facts
