"""The role of each date in a brief: the start, the deadline, milestones, freezes and
people's leave, decided by the words around it (tools/brief/data/cues.json) and by the label
or heading of its line. Ambiguous dates ("03/01/2027") are read in the configured order and
said in an assumption; dates in e-mail headers and signatures are not project dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from tools.brief.cues import CUES, has, label_is, score
from tools.brief.sentences import sentences
from tools.reading.dates import (
    DateSpan,
    Order,
    find_dates,
    find_durations,
    fiscal_start_of,
    numeric_order,
    written_order,
)
from tools.reading.structure import Document

_RANGE_GAP = re.compile(r"^\s*(?:–|-|—|to|until|till|through|thru|and|bis|-\s*)\s*$", re.I)
_DAY_BEFORE = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*(?:–|-|—|to|until)\s*$")
_RELATIVE = re.compile(
    r"^\s*(?:from|after|of|following|since)\s+(?:the\s+)?(?:project\s+)?"
    r"(?P<anchor>kick-?\s?off|start|starting|go-live|contract signature|signature|approval)?",
    re.I,
)
_CLAUSE = re.compile(r"[;()]|\s[—–-]\s|—")
"""Where a clause ends: cues before it do not reach the dates after it."""
_LASTING = re.compile(
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:working\s+)?"
    r"(?:days?|weeks?|months?)\s+(?:from|starting|beginning|in|during)\s+(?:the\s+)?"
    r"(?:(?:early|mid|late)[-\s])?$",
    re.I,
)
"""A period told by its length: "6 weeks from early March" runs six weeks from 1 March."""
_WITHIN = re.compile(
    r"\b(?:done|live|completed?|finished|delivered|migrated|over|ready)\s+(?:with)?in\s+$", re.I
)
_FREEZE_NAME = re.compile(
    r"(?:[\w'’-]+\s+){0,3}?(?:freeze|blackout|moratorium|close|closing|peak|shutdown)\b", re.I
)
_MILESTONE_TAIL = re.compile(
    r"[\s*_,:;(–—-]*(?:\b(?:by|on|due|in|is|at|for|before|until)\b[\s*_]*)*$", re.I
)
_CLAUSE_AFTER = re.compile(r"[;(),]|\s[—–-]\s|—")
PAST = timedelta(days=31)
"""A date more than this before today is history ("out of support since Nov 2025")."""
ROLES = ("start", "deadline", "hard_stop", "freeze", "leave", "milestone")


OLDER = 1.5
"""What a date's start or deadline cues lose for each message it is older than the newest."""


@dataclass
class Seen:
    """One date or range in its sentence, with a score per role."""

    first: date
    last: date
    quote: str
    sentence: str
    scores: dict[str, float]
    is_range: bool
    span: DateSpan
    start: int
    history: bool = False
    """Long before today: history ("out of support since Nov 2025"), or a mistake."""


@dataclass
class DateFacts:
    start: date | None = None
    deadline: date | None = None
    quotes: dict[str, str] = field(default_factory=dict)
    freezes: list[tuple[date, date, str, str]] = field(default_factory=list)
    """(first, last, reason, quote)"""
    absences: list[tuple[date, date, str, str]] = field(default_factory=list)
    """(first, last, the sentence, quote): whose leave is read by the team reader."""
    milestones: list[tuple[str, date, str]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


def _ranges(spans: list[DateSpan], text: str) -> list[tuple[DateSpan, DateSpan | None]]:
    """Dates, with ranges ("24 May – 4 June", "2.8. until 20.8.") paired."""
    out: list[tuple[DateSpan, DateSpan | None]] = []
    i = 0
    while i < len(spans):
        a = spans[i]
        if i + 1 < len(spans) and _RANGE_GAP.match(text[a.end : spans[i + 1].start]):
            out.append((a, spans[i + 1]))
            i += 2
            continue
        m = _DAY_BEFORE.search(text[max(0, a.start - 12) : a.start])
        if m and a.precision == "day":
            try:
                first = a.first.replace(day=int(m.group("d")))
            except ValueError:
                first = a.first
            if first < a.first:
                out.append(
                    (a.__class__(a.start - len(m.group(0)), a.end, first, first, "day", ""), a)
                )
                i += 1
                continue
        out.append((a, None))
        i += 1
    return out


def _collect(
    doc: Document, today: date, order: Order, fiscal_start: int
) -> tuple[list[Seen], list[str]]:
    seen: list[Seen] = []
    depths: list[int] = []
    notes: list[str] = []
    cues = CUES["dates"]
    why = ("day" if order == "dmy" else "month") + " first, as set"
    if (own := numeric_order(doc.text)) is not None:
        order, why = own, f"{'day' if own == 'dmy' else 'month'} first, as the brief's other dates"
    elif (own := written_order(doc.text)) is not None and own != order:
        order, why = (
            own,
            (f"{'day' if own == 'dmy' else 'month'} first, as the brief writes its dates in words"),
        )
    for s in sentences(doc):
        text = s.text(doc)
        spans = find_dates(text, today=today, order=order, fiscal_start=fiscal_start)
        prev_end = 0
        for a, b in _ranges(spans, text):
            first, last = a.first, (b.last if b else a.last)
            lasting = _LASTING.search(text[: a.start])
            if b is None and lasting:
                found = find_durations(lasting.group(0))
                if found:
                    last = found[-1].after(first) - timedelta(days=1)
            if b is not None and last < first and b.yearless:
                last = last.replace(year=last.year + 1)
            history = last < today - PAST
            quote = text[a.start : (b or a).end]
            cut = max(prev_end, *(m.end() for m in _CLAUSE.finditer(text, 0, a.start)), 0)
            head = text[max(prev_end, cut - 30) : cut] if text[cut - 1 : cut] == "(" else ""
            nxt = next((x.start for x in spans if x.start >= (b or a).end), len(text))
            stop = _CLAUSE_AFTER.search(text, (b or a).end, nxt)
            before, after = text[cut : a.start], text[(b or a).end : stop.start() if stop else nxt]
            prev_end = (b or a).end
            scores = {role: score(before, after, cues[role]) for role in (*ROLES, "past")}
            scores["deadline"] -= score(before, after, cues["soft"])  # "we'd like ..."
            for role in ("freeze", "leave"):  # "peak freeze (starts 1 October)": the head noun
                scores[role] += score(head, "", cues[role]) if head else 0
            label = s.line.label or ""
            for role in ("start", "deadline", "freeze"):
                if label and label_is(label, role):
                    scores[role] += 6
                elif (
                    s.line.kind == "bullet" and label_is(s.line.section, role) and role == "freeze"
                ):
                    scores[role] += 2
            if text[max(0, a.start - 2) : a.start] in ("**", "__"):
                for role in ROLES:
                    scores[role] += 1 if scores[role] > 0 else 0
            if b is not None:
                scores["deadline"] -= 1
                scores["start"] -= 1
            if a.ambiguous:
                notes.append(
                    f"assumed '{a.text}' is {a.first.day} {a.first.strftime('%B %Y')} "
                    f"({why}); it {a.ambiguous} — write the month in words"
                    " or set PMPILOT_DATE_ORDER"
                )
            seen.append(
                Seen(first, last, quote, text.strip(), scores, b is not None, a, s.start, history)
            )
            depths.append(s.line.depth)
    _newest_first(seen, depths)
    return seen, notes


def _newest_first(seen: list[Seen], depths: list[int]) -> None:
    """A newer message of a thread corrects an older one: a date's start and deadline cues
    lose OLDER for each message it is older than the newest that dates the project."""
    roles = ("start", "deadline", "hard_stop")
    dated = [d for x, d in zip(seen, depths, strict=True) if any(x.scores[r] > 0 for r in roles)]
    if not dated:
        return
    newest = min(dated)
    for x, depth in zip(seen, depths, strict=True):
        for role in roles:
            if x.scores[role] > 0 and depth > newest:
                x.scores[role] = max(0.1, x.scores[role] - OLDER * (depth - newest))


def _monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7)


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _relative_deadline(doc: Document, start: date | None, today: date) -> tuple[date, str] | None:
    """ "six months from kickoff", "within 12 weeks of the start", "six months from 2 Feb",
    "done in 3 months" (from the start)."""
    for s in sentences(doc):
        text = s.text(doc)
        for d in find_durations(text):
            m = _RELATIVE.match(text[d.end :])
            if not m:
                within = _WITHIN.search(text[: d.start])
                if within and start is not None:
                    return d.after(start), text[within.start() : d.end].strip()
                continue
            rest = text[d.end + m.end() :]
            anchor = start
            found = find_dates(rest[:40], today=today)
            if found and found[0].start < 8:
                anchor = found[0].first
            elif not m.group("anchor"):
                continue
            if anchor is not None:
                return d.after(anchor), text[d.start : d.end + m.end()].strip()
    return None


def _milestone_label(x: Seen) -> str:
    """ "Type I report by 31 March 2027" -> "Type I report"."""
    at = x.sentence.find(x.quote)
    head = _CLAUSE.split(x.sentence[: max(at, 0)])[-1] if at > 0 else ""
    head = _MILESTONE_TAIL.sub("", head.split(",")[-1]).strip(" *_")
    return head[:120] or x.sentence[:120]


def _role(x: Seen) -> str | None:
    best = max(ROLES, key=lambda r: (x.scores[r], -ROLES.index(r)))
    if x.scores[best] < 2 or x.scores["past"] >= x.scores[best]:
        return None
    if best == "freeze" and x.scores[best] < 3 and not x.is_range:
        return None  # "the June close" is a date to meet, not a freeze
    return best


def _pick_start(roles: list[tuple[Seen, str | None]], facts: DateFacts) -> None:
    starts = [x for x, r in roles if r == "start" or (r is None and x.scores["start"] >= 2)]
    if not starts:
        weak = [x for x, r in roles if r is None and not x.is_range and x.scores["start"] > 0]
        if weak:  # "from mid-January": a start, but said
            pick = min(weak, key=lambda x: x.first)
            facts.start = _monday(pick.first) if pick.span.precision != "day" else pick.first
            facts.quotes["start"] = pick.quote
            facts.assumptions.append(
                f"assumed the project starts {facts.start:%d %B %Y} ('{pick.sentence[:80]}')"
                " — the brief gives no start date in so many words"
            )
        return
    top = max(x.scores["start"] for x in starts)
    pick = min((x for x in starts if x.scores["start"] == top), key=lambda x: x.first)
    facts.start = pick.first
    facts.quotes["start"] = pick.quote
    if pick.span.precision != "day":
        facts.start = _monday(pick.first)  # a project starts on a working Monday
        facts.assumptions.append(
            f"assumed the start is {facts.start:%A %d %B %Y}, the first Monday of '{pick.quote}'"
        )


def _pick_deadline(
    roles: list[tuple[Seen, str | None]], past: list[Seen], facts: DateFacts, today: date
) -> list[Seen]:
    """The deadline: the strongest date the project must be done by, after the start, the
    earliest of equals; failing one, the earliest hard stop outside the project ("the
    contract ends 31 October"). Returns the deadlines that fell before the start (said, not
    used)."""

    def after_start(x: Seen) -> bool:
        return facts.start is None or x.last > facts.start

    own = [x for x, r in roles if r == "deadline" and after_start(x)]
    stops = [x for x, r in roles if r == "hard_stop" and after_start(x)]
    early = past + [x for x, r in roles if r in ("deadline", "hard_stop") and not after_start(x)]
    if early and not own and not stops:
        x = early[0]
        start = facts.start or _monday(today)
        facts.assumptions.append(
            f"the brief's deadline {x.last} ('{x.quote}') is before the start {start}; "
            "assumed no deadline — confirm the date"
        )
    candidates, role = (own, "deadline") if own else (stops, "hard_stop")
    if not candidates:
        return early
    top = max(x.scores[role] for x in candidates)
    best = [x for x in candidates if x.scores[role] == top]
    pick = min(best, key=lambda x: x.last)
    facts.deadline = pick.first if pick.span.precision == "week" else pick.last
    facts.quotes["deadline"] = pick.quote
    others = sorted({x.last for x in best} - {pick.last})
    if others:
        facts.assumptions.append(
            f"assumed the deadline is {pick.last:%d %B %Y} ('{pick.quote}'); the brief also"
            f" names {', '.join(f'{d:%d %B %Y}' for d in others)}"
        )
    return early


def _freeze(x: Seen, facts: DateFacts) -> None:
    if any(a <= x.first and x.last <= b for a, b, _, _ in facts.freezes):
        return  # "Christmas" inside "16 Nov - 4 Jan (Christmas trading freeze)"
    at = max(x.sentence.find(x.quote), 0)
    names = sorted(
        _FREEZE_NAME.finditer(x.sentence),
        key=lambda m: min(abs(m.start() - at), abs(m.end() - at)),
    )
    reason = names[0].group(0).strip() if names else x.sentence[:200]
    facts.freezes.append((x.first, x.last, reason, x.quote))


def read_dates(
    doc: Document, *, today: date, order: Order = "dmy", fiscal_start: int = 1
) -> DateFacts:
    """Every date of a brief in its role: start, deadline, freezes, leave, milestones."""
    facts = DateFacts()
    fiscal_start = fiscal_start_of(doc.text) or fiscal_start
    seen, notes = _collect(doc, today, order, fiscal_start)
    facts.assumptions += list(dict.fromkeys(notes))
    for x in seen:
        if x.span.yearless and x.last < today and _role(x) in ("start", "deadline", "hard_stop"):
            x.first, x.last = _next_year(x.first), _next_year(x.last)
    roles = [(x, _role(x)) for x in seen]
    past = [x for x, r in roles if x.history and r == "deadline"]
    roles = [(x, r) for x, r in roles if not x.history]
    _pick_start(roles, facts)
    early = _pick_deadline(roles, past, facts, today)
    if facts.deadline is None:
        rel = _relative_deadline(doc, facts.start, today)
        if rel is not None:
            facts.deadline, facts.quotes["deadline"] = rel
    for x, r in roles:
        if r == "freeze" or (x.is_range and r is None and has(x.sentence, CUES["dates"]["freeze"])):
            _freeze(x, facts)
        elif r == "leave":
            facts.absences.append((x.first, x.last, x.sentence, x.quote))
        elif (
            r == "milestone" or (r == "deadline" and facts.deadline and x.last < facts.deadline)
        ) and x.last != facts.deadline:
            facts.milestones.append((_milestone_label(x), x.last, x.quote))
    if facts.start is None:
        facts.assumptions.append(
            "the brief gives no start date; assumed the project starts on the first Monday"
            " after today"
        )
    if facts.deadline is None and not early:
        facts.assumptions.append("the brief gives no deadline; none is assumed")
    return facts
