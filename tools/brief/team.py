"""The team as the brief writes it: named people with role, share, rate and leave, counted
people ("4 contract deployment engineers"), the author or the reader as PM ("myself as
project lead", "you as PM"). From team tables, the lines of a team section, and "Name (role,
share)" anywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tools.brief.cues import CUES, has, label_is
from tools.brief.sentences import sentences
from tools.reading.money import find_amounts
from tools.reading.numbers import NUMBER, parse_number
from tools.reading.roles import find_role, resolve
from tools.reading.shares import PART_TIME, find_shares
from tools.reading.structure import Document, Line

_TEAM = CUES["team"]
NOT_NAMES = frozenset(_TEAM["not_names"])
MAX_COUNT = 200
_WORD = r"[A-ZÀ-Þ][a-zà-ÿ'’]+(?:-[A-ZÀ-Þ]?[a-zà-ÿ'’]+)?"
_NAME = re.compile(
    rf"^(?P<name>(?:O'|O’)?{_WORD}(?:\s+(?:(?:de|van|von|der|den|da|di|le|la|du)\s+)*(?:O'|O’)?{_WORD}){{0,2}})(?![\w])"
)
_SELF = re.compile(r"^(?:myself|me|i)\b[\s,]*(?:\((?P<p>[^)]*)\))?", re.I)
_YOU = re.compile(r"^you\b", re.I)
_COUNT = re.compile(rf"(?<![\w.,])(?P<n>{NUMBER})\s+(?:more\s+|extra\s+|x\s+)?", re.I)
_SPLIT = re.compile(r";\s*|,?\s+and\s+(?=[A-Z](?!\w*\s+(?:days?|weeks?)))|\.\s+(?=[A-Z])")
_GREETING = re.compile(r"^(?:hi|hello|hey|dear)\s+(?P<n>[A-Z][\w'-]+)", re.I)
_TEAM_OF = re.compile(rf"\bteam of\s+(?:~|about\s+|around\s+)?(?P<n>{NUMBER})\b", re.I)


@dataclass
class PersonRead:
    name: str | None
    role: str
    share: float
    quote: str
    rate: tuple[float, str, str] | None = None
    """(amount, currency, per)"""
    count: int = 1
    contractor: bool = False
    absences: list[tuple[date, date, str]] = field(default_factory=list)


@dataclass
class TeamFacts:
    people: list[PersonRead] = field(default_factory=list)
    size: int | None = None
    quotes: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def _column(cells: dict[str, str], names: list[str]) -> str | None:
    for header, value in cells.items():
        h = header.strip().lower()
        if h in names or any(h.startswith(n) for n in names if len(n) > 2):
            return value
    return None


def _name(entry: str) -> tuple[str | None, str]:
    """A person's name at the start of an entry, and the rest."""
    entry = entry.strip().lstrip("*_").strip()
    m = _NAME.match(entry)
    if not m:
        return None, entry
    words = m.group("name").split()
    if words[0] in NOT_NAMES or words[0].isupper():
        return None, entry
    hit = find_role(m.group("name"))
    if hit is not None and hit.start == 0:
        return None, entry
    kept = []
    for w in words:
        if w in NOT_NAMES or find_role(w):
            break
        kept.append(w)
    if not kept:
        return None, entry
    name = " ".join(kept)
    return name, entry[len(name) :]


def _person(
    entry: str, kind: str | None, *, author: str | None, reader: str | None
) -> PersonRead | None:
    text = entry.strip()
    if not text or has(text, _TEAM["not_team"]):
        return None
    name: str | None = None
    rest = text
    pm_hint = False
    if m := _SELF.match(text):
        rest = text[m.end() :]
        name, after = _name(rest.lstrip(", "))
        if name:
            rest = after
        else:
            name = author
        pm_hint = True
    elif _YOU.match(text):
        name, rest, pm_hint = reader, text[3:], True
    else:
        name, rest = _name(text)
    hit = find_role(rest) or (find_role(text) if name else None)
    if hit is None and not pm_hint:
        if name is None:
            return None
        role = resolve("<engineer>", kind)
    elif hit is None:
        role = "project manager"
    else:
        role = resolve(hit.role, kind)
    count = 1
    if name is None and hit is not None:
        for m in _COUNT.finditer(rest):
            after = find_role(rest[m.end() : m.end() + 60])
            if after is not None and after.start <= 30:
                value = parse_number(m.group("n"))
                if value is not None and 0 < value <= MAX_COUNT and value == int(value):
                    count = int(value)
                    role = resolve(after.role, kind)
                break
    shares = find_shares(text)
    share = shares[0].value if shares else 1.0
    rate = None
    for a in find_amounts(text):
        if a.per in ("hour", "day", "week", "month") or re.search(r"rate", text[: a.start], re.I):
            rate = (float(a.value), a.currency or "", a.per or "day")
            break
    return PersonRead(
        name=name,
        role=role,
        share=max(0.1, min(share, 1.0)),
        quote=text[:200],
        rate=rate,
        count=count,
        contractor=has(text, _TEAM["contractor"]),
    )


def _entries(line: Line, text: str) -> list[str]:
    content = text[line.content_start : line.end]
    if line.kind == "bullet":
        return [content]
    depth = 0
    out, last = [], 0
    for m in _SPLIT.finditer(content):
        depth = content[: m.start()].count("(") - content[: m.start()].count(")")
        if depth == 0:
            out.append(content[last : m.start()])
            last = m.end()
    out.append(content[last:])
    return [e for e in out if e.strip()]


def _author_and_reader(doc: Document) -> tuple[str | None, str | None]:
    author = reader = None
    signing = False
    for line in doc.lines:
        if line.kind == "signature" and not line.quoted:
            if signing and author is None and _NAME.match(line.content):
                author = _NAME.match(line.content).group("name")  # type: ignore[union-attr]
            signing = True
        if reader is None and (m := _GREETING.match(line.content)) and not line.quoted:
            reader = m.group("n")
    if reader:
        for line in doc.lines:
            m = re.search(rf"\b({re.escape(reader)}\s+[A-Z][\w'’-]+)", line.content)
            if line.kind == "header" and re.match(r"^To\s*:", line.content, re.I) and m:
                reader = m.group(1)
    return author, reader


def read_team(
    doc: Document, kind: str | None, absences: list[tuple[date, date, str, str]]
) -> TeamFacts:
    facts = TeamFacts()
    author, reader = _author_and_reader(doc)
    text = doc.text
    in_table_team = False
    team_mode = False
    lines = doc.lines
    for n, line in enumerate(lines):
        if line.kind == "heading":
            team_mode = label_is(line.content, "team")
            in_table_team = False
            continue
        if line.kind == "blank":
            following = next((x for x in lines[n + 1 :] if x.kind != "blank"), None)
            if following is None or following.kind not in ("bullet", "table", "rule"):
                team_mode = False
            continue
        if line.kind in ("header", "signature", "rule"):
            continue
        if line.kind == "table":
            cells = line.cells
            name = _column(cells, _TEAM["name_columns"])
            role = _column(cells, _TEAM["role_columns"])
            if all(k == v for k, v in cells.items()):
                in_table_team = name is not None or (role is not None and team_mode)
                continue
            if not in_table_team:
                continue
            entry = " ".join(v for v in cells.values() if v)
            person = _person(
                f"{name or ''} - {role or ''}, {_column(cells, _TEAM['share_columns']) or ''} "
                f"{_column(cells, _TEAM['rate_columns']) or ''}".strip(" -,"),
                kind,
                author=author,
                reader=reader,
            )
            if person is not None:
                person.quote = entry[:200]
                facts.people.append(person)
            continue
        labelled = bool(line.label) and label_is(line.label, "team")
        if labelled and not line.content:
            team_mode = True
            continue
        if not (labelled or team_mode):
            continue
        pending: list[PersonRead] = []
        for entry in _entries(line, text):
            person = _person(entry, kind, author=author, reader=reader)
            if person is None:
                if entry.strip() and has(entry, _TEAM["not_team"]):
                    facts.outside.append(entry.strip()[:200])
                continue
            if person.name and find_role(entry) is None and not _SELF.match(entry.strip()):
                pending.append(
                    person
                )  # "Ahmed Saleh and Julia Roth, backend devs": the role follows
                continue
            for p in pending:
                p.role, p.share, p.contractor = person.role, person.share, person.contractor
                facts.people.append(p)
            pending = []
            facts.people.append(person)
    seen_names: set[str] = set()
    unique = []
    for p in facts.people:
        key = p.name.split()[0] if p.name else None
        if key and key in seen_names:
            continue
        if key:
            seen_names.add(key)
        unique.append(p)
    facts.people = unique
    # people named with their role anywhere else: "Anna (DBA, 50%)"
    known = {p.name.split()[0] for p in facts.people if p.name}
    for s in sentences(doc, include_headings=False):
        if s.line.kind == "table":
            continue
        body = s.text(doc)
        for m in re.finditer(
            rf"(?P<name>{_WORD}(?:\s+{_WORD})?)\s*\((?P<inside>[^)]{{2,80}})\)", body
        ):
            name, _ = _name(m.group("name"))
            if not name or name.split()[0] in known:
                continue
            inside = m.group("inside")
            hit = find_role(inside)
            if hit is None or hit.start > 20:
                continue
            person = _person(f"{name} - {inside}", kind, author=author, reader=reader)
            if person is not None:
                facts.people.append(person)
                known.add(name.split()[0])
    # leave: an absence sentence that names a person
    for first, last, sentence, quote in absences:
        for p in facts.people:
            if p.name and re.search(rf"\b{re.escape(p.name.split()[0])}\b", sentence):
                p.absences.append((first, last, quote))
                break
    for p in facts.people:
        if (
            p.share == PART_TIME
            and re.search(r"part[- ]time", p.quote, re.I)
            and not re.search(r"\d", p.quote)
        ):
            facts.assumptions.append(f"assumed {p.name or p.role} works half time ('part time')")
    if facts.people:
        facts.size = sum(p.count for p in facts.people)
        facts.quotes["team_size"] = facts.people[0].quote
    else:
        for s in sentences(doc):
            if m := _TEAM_OF.search(s.text(doc)):
                value = parse_number(m.group("n"))
                if value and 0 < value <= 1000:
                    facts.size = int(value)
                    facts.quotes["team_size"] = m.group(0)
                    break
    return facts
