"""Team lines that name no one ("two DBAs, a tester and me as PM"): people counted by role,
with their share of a week. Named people are read by tools.brief.team."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.brief.drivers import _TECH_NAMES
from tools.brief.model import PersonCue
from tools.brief.text import (
    _WORD_NUM,
    _Dates,
    _Doc,
    _Notes,
    section,
    split_top,
    strip_parens,
    tidy,
    to_number,
)
from tools.brief.words import (
    AVAILABILITY,
    CONSULTANT,
    CONSULTANT_BY_ARCHETYPE,
    ENGINEER,
    ENGINEER_BY_ARCHETYPE,
    MAX_PEOPLE,
    MAX_PER_ITEM,
    NOT_AFTER_ROLE,
    NOT_NAMES,
    NOT_TEAM,
    PART_TIME,
    ROLE_ALIASES,
    TEAM_OF,
)
from tools.domain import Absence


def _alias(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w/-])(?:{pattern})(?![\w/-])(?!\s+(?:{NOT_AFTER_ROLE})\b)", re.I)


_ROLE_PATTERNS = tuple((role, _alias(pattern)) for role, pattern in ROLE_ALIASES)

_COUNT_WORD = re.compile(rf"(?<![\w.])~?(?P<n>\d{{1,4}}|{_WORD_NUM}|an?)\b", re.I)

_AVAILABILITY = tuple((re.compile(p, re.I), kind) for p, kind in AVAILABILITY)

_NAME = re.compile(r"^(?P<name>[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)(?![\w])(?P<rest>.*)$", re.S)

_PER = re.compile(r"^\s+per\s+(?P<noun>[A-Za-z][A-Za-z -]{1,30}?)\s*$")


@dataclass(frozen=True)
class _Item:
    """One comma-separated item of a team line, with its span."""

    start: int
    end: int
    words: str


def find_role(words: str) -> tuple[str, int, int] | None:
    """The role an item names: after " as " if it says so ("me as PM"), else the leftmost
    specific alias, else the leftmost generic one."""
    as_at = words.find(" as ")
    for scope_start in ([as_at + 4] if as_at >= 0 else []) + [0]:
        found = []
        for order, (role, pattern) in enumerate(_ROLE_PATTERNS):
            m = pattern.search(words, scope_start)
            if m:
                generic = role in (ENGINEER, CONSULTANT)
                found.append((generic, m.start(), -len(m.group()), order, role, m.end()))
        if found:
            generic, start, _, _, role, end = min(found)
            return role, start, end
    return None


def read_availability(words: str, notes: _Notes, who: str) -> float | None:
    """Share of a full-time person from "60%", "half time", "3 days/week", "part-time"."""
    for pattern, kind in _AVAILABILITY:
        m = pattern.search(words)
        if not m:
            continue
        if kind == "percent":
            share = int(m.group("pct")) / 100
        elif kind == "days":
            share = float(m.group("days")) / 5
        elif kind == "part":
            notes.assume(f"{who} is part time: assumed {PART_TIME:g} of a full-time person")
            share = PART_TIME
        else:
            share = 1.0 if kind == "full" else 0.5
        return round(min(1.0, max(0.1, share)), 2)
    return None


def count_before(words: str) -> int:
    """The count just before a role ("two DBAs", "2 team leads as product owners"): 1 if none."""
    for m in reversed(list(_COUNT_WORD.finditer(words))):
        gap = words[m.end() :]
        if len(gap.split()) <= 3 and "," not in gap:
            n = to_number(m.group("n"))
            return int(n) if n is not None and n >= 1 else 1
        break
    return 1


def count_per(text: str, rest: str) -> int:
    """ "2 finance key users per company code": how many company codes the brief names."""
    m = _PER.match(rest)
    if not m:
        return 1
    noun = re.escape(m.group("noun").strip()).replace(r"\ ", r"\s+")
    found = re.search(rf"(?<![\w.])(?P<n>\d{{1,3}}|{_WORD_NUM})\s+{noun}s?\b", text, re.I)
    n = to_number(found.group("n")) if found else None
    return int(n) if n is not None and n >= 1 else 1


def named(item: str, notes: _Notes) -> list[tuple[str, float | None, str]]:
    """People named in an item's parentheses: "(Priya full time, Tomasz 60%)"."""
    out = []
    for inner in re.finditer(r"\(([^()]*)\)", item):
        content = inner.group(1)
        for a, b in split_top(content):
            m = _NAME.match(content[a:b])
            if not m or m.group("name") in NOT_NAMES or m.group("name") in _TECH_NAMES:
                continue
            name = m.group("name")
            out.append((name, read_availability(m.group("rest"), notes, name), content[a:b]))
    return out


def team_items(doc: _Doc) -> tuple[list[_Item], bool]:
    """The items of the team line ("Team: me as PM, two DBAs (...), one tester"); else the
    items of sentences that talk about the team. True when read from a team line."""
    text = doc.text
    items: list[_Item] = []
    labelled = False
    for i in range(len(doc.sentences)):
        if doc.labels[i][0] != "team":
            continue
        labelled = True
        for j, offset in section(doc, i):
            base = doc.sentences[j].start + offset
            words = text[base : doc.sentences[j].end]
            items += [_Item(base + a, base + b, words[a:b]) for a, b in split_top(words)]
    if labelled:
        return items, True
    for i in range(len(doc.sentences)):
        words = doc.words(i)
        if doc.labels[i][0] is None and re.search(
            r"\bteam\b|\bwe have\b|\bme as\b|\bstaffed\b", words, re.I
        ):
            s = doc.sentences[i]
            items += [_Item(s.start + a, s.start + b, words[a:b]) for a, b in split_top(words)]
    return items, False


@dataclass(frozen=True)
class _Person:
    """A person before absences are known (they are read from other sentences)."""

    role: str
    name: str | None
    share: float
    quote: str


def people_of(
    item: str, text: str, notes: _Notes, archetype: str | None, *, generic: bool
) -> list[_Person]:
    """The people one team item stands for: "two DBAs (Priya full time, Tomasz 60%)" is two.
    Generic words ("4 engineers") count only on a team line (`generic`)."""
    bare = strip_parens(item)
    found = find_role(bare)
    count = 1
    if found:
        role, at, end = found
        count = count_before(bare[:at]) * count_per(text, bare[end:])
    else:
        found = find_role(item)
        if found is None:
            return []
        role = found[0]
    if role in (ENGINEER, CONSULTANT) and not generic:
        return []
    if role == ENGINEER:
        role = ENGINEER_BY_ARCHETYPE.get(archetype or "", "developer")
    elif role == CONSULTANT:
        role = CONSULTANT_BY_ARCHETYPE.get(archetype or "", "business analyst")
    names = named(item, notes)
    shared = item
    for _, _, piece in names:
        shared = shared.replace(piece, "")
    share = read_availability(shared, notes, f"the {role}") or 1.0
    count = min(MAX_PER_ITEM, max(count, len(names)))
    return [
        _Person(role, names[k][0], names[k][1] or share, item.strip())
        if k < len(names)
        else _Person(role, None, share, item.strip())
        for k in range(count)
    ]


def read_team(
    doc: _Doc, notes: _Notes, archetype: str | None, dates: _Dates
) -> tuple[list[PersonCue], int | None, list[str]]:
    """One PersonCue per person of the team line; returns people, team size and the notes on
    who was left out (partners, integrators, champions are not the team)."""
    text = doc.text
    items, labelled = team_items(doc)
    leave: dict[str, list[Absence]] = {}
    raw: list[_Person] = []
    outside: list[str] = []
    for item in items:
        if doc.at(item.start) in doc.injected:
            continue
        if NOT_TEAM.search(item.words):
            if find_role(strip_parens(item.words)) or re.search(r"\bpeople\b", item.words):
                outside.append(tidy(item.words))
            continue
        raw += people_of(item.words, text, notes, archetype, generic=labelled)
    for i, absence in dates.absences:
        words = doc.words(i)
        who = [p.name for p in raw if p.name and re.search(rf"\b{p.name}\b", words)]
        for name in who:
            leave.setdefault(name, []).append(absence)
        if not who:
            notes.assume(f"an absence names no team member, so it was not planned: '{tidy(words)}'")
    people = [
        PersonCue(
            name=p.name,
            role=p.role,
            availability=p.share,
            absences=leave.get(p.name, []) if p.name else [],
            quote=p.quote,
        )
        for p in raw[:MAX_PEOPLE]
    ]
    if people and not any(p.role == "project manager" for p in people):
        people.append(PersonCue(role="project manager"))
        notes.assume("a project manager is assumed: the brief's team names none")
    team_size = stated_size(doc, notes, len(people))
    if items:
        first, last = items[0], items[-1]
        notes.quote("team", text, first.start, last.end)
    if not people and team_size is None:
        notes.assume("the brief names no team; the plan's roles come from the template")
    return people, team_size, outside


def stated_size(doc: _Doc, notes: _Notes, listed: int) -> int | None:
    """ "A team of 4": kept over the people listed, with an assumption when they differ."""
    for m in TEAM_OF.finditer(doc.text):
        if doc.at(m.start()) in doc.injected:
            continue
        n = to_number(m.group("n") or m.group("m"))
        if n is None or not 1 <= n <= MAX_PEOPLE:
            continue
        size = int(n)
        notes.quote("team_size", doc.text, m.start(), m.end())
        if listed and size != listed:
            notes.assume(
                f"the brief says a team of {size} but names {listed} people; "
                f"planned with {max(size, listed)}"
            )
            return max(size, listed)
        return size
    return min(listed, MAX_PEOPLE) or None
