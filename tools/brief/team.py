"""The team as the brief writes it: named people with role, share, rate and leave, counted
people ("4 contract deployment engineers"), the author or the reader as PM ("myself as
project lead", "you as PM"). Read from team tables, from the lines of a team section or a
team label, and from "Name (role, share)" anywhere.

A team line is cut into fragments at commas, semicolons, "and" and "+"; a fragment starts a
new person when it begins with a name, "me"/"you", or a count or article before a role, and
otherwise tells more about the person before it ("Jürgen Bauer, Teradata DBA, 3 days a week").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tools.brief.cues import CUES, has, label_is
from tools.brief.sentences import sentences
from tools.brief.words import TECHNOLOGIES
from tools.reading.money import find_amounts
from tools.reading.numbers import NUMBER, count_of, parse_number
from tools.reading.roles import ENGINEER, find_role, resolve
from tools.reading.shares import PART_TIME, find_shares
from tools.reading.structure import Document, Line

_TEAM = CUES["team"]
NOT_NAMES = frozenset(_TEAM["not_names"])
MAX_COUNT = 200
MAX_PER = 50
"""The most "per country" can multiply a count by."""
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_WORD = rf"(?:O['’])?[{_UPPER}][^\W\d_]+(?:-[{_UPPER}]?[^\W\d_]+)?"
_PARTICLE = r"(?:de|van|von|der|den|da|di|le|la|du|del|dos|bin|al)"
NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD}){{0,2}}"
_NAME = re.compile(
    rf"^(?P<name>{NAME})(?![\w'’-])(?=\s*$|\s*[-–—(,:;/]|\s+(?:as|is|are|from|at|who|our|will|joins|"
    rf"and|has|was|would|can|could|on|in|full|half|part|about|around|roughly|approx|ca|for)\b|\s+\d)"
)
_NAME_THEN_ROLE = re.compile(rf"^(?P<name>{_WORD})\s+(?P<rest>\S.*)$")
_AND = r"(?:(?:and|plus|also|\+|&)\s+)?"
_SELF = re.compile(
    rf"^{_AND}(?:myself|me|i(?:'m|’m| am| will|'ll|’ll)?)\b[\s,:–—-]*(?:\((?P<p>[^)]*)\))?",
    re.I,
)
_YOU = re.compile(rf"^{_AND}(?:you|yourself)\b", re.I)
_COUNT = re.compile(
    rf"(?<![\w.,])(?P<n>{NUMBER}|\d+)(?:x\b)?(?![\w.,])\s*(?:x\s+|more\s+|extra\s+|of\s+)?", re.I
)
_FRAGMENT = re.compile(r",(?!\d{3})|[;+&]|\s+and\s+|\s+plus\s+|:\s+")
_NOT_START = re.compile(
    r"^(?:will|are|is|was|were|can|could|should|would|have|has|had|become|they|he|she|it|"
    r"who|which|that|each|both|but|though|although|so|then|also|until|if|to|for|with|at)\b",
    re.I,
)
_ARTICLE = re.compile(rf"^(?:(?:a|an|one|another|our|the|{NUMBER}|\d+)\b|~)", re.I)
_GREETING = re.compile(r"^(?:hi|hello|hey|dear|morning|hallo|bonjour)\s+(?P<n>[A-Z][\w'’-]+)", re.I)
_TEAM_OF = re.compile(rf"\bteam of\s+(?:~|about\s+|around\s+)?(?P<n>{NUMBER}|\d+)\b", re.I)
_TEAM_IS = re.compile(
    r"(?:^|(?<=[.!?]\s))(?:the |our |my )?(?:core |project )?team(?:\s*:|\s+(?:is|will be|would be|"
    r"=|consists of|comprises)|\s+of\s+\w+\s*:)\s+",
    re.I,
)
_PARENS = re.compile(r"\((?P<inside>[^()]{1,80})\)")
_CONTRACTION = re.compile(r"['’](?:ve|ll|re|m|d|s|t)$")


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
    audience: bool = False
    """Named in a list of attendees, stakeholders or contacts, not of the team."""


@dataclass
class TeamFacts:
    people: list[PersonRead] = field(default_factory=list)
    size: int | None = None
    quotes: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    listed: bool = False
    """The brief lists its team (a table, a team line, people in sentences), not only "me"."""


@dataclass(frozen=True)
class _Context:
    kind: str | None
    author: str | None
    reader: str | None
    text: str = ""


# --- names ------------------------------------------------------------------------------


def name_at(text: str) -> str | None:
    """A person's name at the start of a text ("Anouk de Vries", "Dan O'Neill")."""
    plain = re.sub(r"\*\*|__", "", text).strip()
    m = _NAME.match(plain)
    if not m:  # "Gareth technical lead at 50%": a first name, then the role
        m = _NAME_THEN_ROLE.match(plain)
        hit = find_role(m.group("rest")[:40]) if m else None
        if m is None or hit is None or hit.start:
            return None
    kept: list[str] = []
    for w in m.group("name").split():
        if w in NOT_NAMES or (w.isupper() and len(w) > 1) or _CONTRACTION.search(w):
            break
        if find_role(w) is not None and not kept:
            break
        kept.append(w)
    while kept and kept[-1].lower() in _PARTICLE:
        kept.pop()
    return " ".join(kept) or None


def names_in(text: str) -> list[tuple[str, float | None]]:
    """Names listed in a parenthesis, each with its share when given: "(Jenna and Rob, 50%
    each)", "(Priya full time, Tomasz 60% because ...)", "(Kofi)"."""
    parts = [p.strip() for p in re.split(r",|\band\b|&|/", text) if p.strip()]
    if not parts or not name_at(parts[0]):
        return []
    out: list[tuple[str, float | None]] = []
    for part in parts:
        name = name_at(part)
        shares = find_shares(part)
        if name:
            out.append((name, shares[0].value if shares else None))
        elif shares and out:
            # "50% each": every name so far without a share
            out = [(n, s if s is not None else shares[0].value) for n, s in out]
    return out


# --- one person, or several, from an entry ------------------------------------------------


def _rate(text: str) -> tuple[float, str, str] | None:
    for a in find_amounts(text):
        if a.per in ("hour", "day", "week", "month") or re.search(r"rate", text[: a.start], re.I):
            return (float(a.value), a.currency or "", a.per or "day")
    return None


_PER = re.compile(r"\b(?:per|for each|in each|each)\s+(?P<noun>[a-z]+(?:\s+[a-z]+){0,2})", re.I)


def _count(rest: str, kind: str | None) -> tuple[int, str | None]:
    """ "4 contract deployment engineers", "two of Gareth's network engineers", "a
    consultancy for 2 analytics engineers": the last count that a role follows closely."""
    found: tuple[int, str | None] = (1, None)
    for m in _COUNT.finditer(rest):
        if rest[: m.start()].count("(") != rest[: m.start()].count(")"):
            continue  # "(one is a contractor until June)"
        hit = find_role(rest[m.end() : m.end() + 60])
        value = parse_number(m.group("n"))
        if hit is None or hit.start > 20 or value is None or value != int(value):
            continue
        if 0 < value <= MAX_COUNT:
            found = (int(value), resolve(hit.role, kind))
    return found


def people_of(entry: str, ctx: _Context) -> list[PersonRead]:
    """The people one entry of a team line names (none when it names nobody)."""
    text = entry.strip().strip("*_").strip()
    if not text or has(text, _TEAM["not_team"]):
        return []
    pm = False
    if m := _SELF.match(text):
        rest = text[m.end() :]
        inside = names_in(m.group("p") or "")
        name = name_at(rest) or (inside[0][0] if inside else None)
        if name and rest.startswith(name):
            rest = rest[len(name) :]
        name, pm = name or ctx.author, True
    elif m := _YOU.match(text):
        name, rest, pm = ctx.reader, text[m.end() :], True
    else:
        name = name_at(text)
        rest = text[len(name) :] if name else text
    hit = find_role(rest)
    if hit is None and name is None and not pm:
        return []
    role = (
        resolve(hit.role, ctx.kind)
        if hit
        else ("project manager" if pm else resolve(ENGINEER, ctx.kind))
    )
    count, counted_role = (1, None) if name else _count(rest, ctx.kind)
    role = counted_role or role
    if per := _PER.search(rest):
        words = per.group("noun").split()
        count *= max(
            count_of(" ".join(words[:n]), ctx.text, most=MAX_PER) or 1
            for n in range(1, len(words) + 1)
        )
    shares = find_shares(text)
    base = PersonRead(
        name=name,
        role=role,
        share=max(0.1, min(shares[0].value if shares else 1.0, 1.0)),
        quote=text[:200],
        rate=_rate(text),
        contractor=has(text, _TEAM["contractor"]),
    )
    named = [] if name else [n for p in _PARENS.finditer(rest) for n in names_in(p.group("inside"))]
    if named:
        out = [
            PersonRead(**{**base.__dict__, "name": n, "share": s or base.share, "absences": []})
            for n, s in named
        ]
        if count > len(named):
            out.append(PersonRead(**{**base.__dict__, "count": count - len(named), "absences": []}))
        return out
    base.count = count
    return [base]


# --- entries of a team line -----------------------------------------------------------------


@dataclass
class _Entry:
    """One person's (or group's) words in a team line: `text` to read, `start`..`end` the
    verbatim span it covers."""

    text: str
    start: int
    end: int


def _fragments(content: str, offset: int = 0) -> list[_Entry]:
    out, last = [], 0
    for m in [*_FRAGMENT.finditer(content), None]:
        at = m.start() if m else len(content)
        if m and content[:at].count("(") != content[:at].count(")"):
            continue
        piece = content[last:at]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append(
                _Entry(
                    piece.strip(), offset + last + lead, offset + last + lead + len(piece.strip())
                )
            )
        last = m.end() if m else last
    return out


def _role_after_name(entry: str) -> bool:
    name = name_at(entry)
    return find_role(entry[len(name) :] if name else entry) is not None


def _starts_person(fragment: str, previous: str | None) -> bool:
    if previous is None or _SELF.match(fragment) or _YOU.match(fragment):
        return True
    if has(fragment, _TEAM["not_team"]):
        return True  # "IT support as needed": its own entry, left out
    name = name_at(fragment)
    if name:
        # "myself, Andreas Keller, ...": the name of the one before
        return not (
            fragment == name and _SELF.match(previous) and not name_at(_SELF.sub("", previous))
        )
    if _NOT_START.match(fragment) and not fragment.split(maxsplit=1)[0].isupper():
        return False  # "they still have to...", but "IT admin"
    hit = find_role(fragment)
    if hit is None or hit.start > 30:
        return False
    counted = _COUNT.match(fragment)
    if counted and (parse_number(counted.group("n")) or 0) >= 2:
        return True
    if name_at(previous) and not _role_after_name(previous):
        return False  # "Gareth Pryce, our network lead": the role of the one before
    return _role_after_name(previous) or bool(_ARTICLE.match(fragment))


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def entries(content: str) -> list[_Entry]:
    """A team line cut into one entry per person (or group of people). A sentence that does
    not begin with a person is about something else ("Contact centre has 3 sites")."""
    out: list[_Entry] = []
    offset = 0
    for i, sentence in enumerate(_SENTENCE.split(content)):
        at = content.index(sentence, offset)
        offset = at + len(sentence)
        fragments = _fragments(sentence, at)
        if i and fragments and not _starts_person(fragments[0].text, out[-1].text if out else None):
            continue
        out += _entries_of(fragments, out)
    return out


def _entries_of(fragments: list[_Entry], before: list[_Entry]) -> list[_Entry]:
    out = list(before[-1:])
    start = len(out)
    for f in fragments:
        previous = out[-1] if out else None
        if previous and f.text == name_at(f.text) and _count_before_role(previous.text):
            # "2 Android developers, Marcin and Paweł"
            out[-1] = _Entry(f"{previous.text} ({f.text})", previous.start, f.end)
        elif _starts_person(f.text, previous.text if previous else None):
            out.append(f)
        else:
            out[-1] = _Entry(f"{previous.text}, {f.text}", previous.start, f.end)  # type: ignore[union-attr]
    if start and before:
        before[-1] = out[0]
    return out[start:]


def _count_before_role(entry: str) -> bool:
    return not name_at(entry) and _count(entry, None)[0] > len(
        [n for p in _PARENS.finditer(entry) for n in names_in(p.group("inside"))]
    )


def _line_people(line: Line, doc: Document, ctx: _Context, facts: TeamFacts) -> list[PersonRead]:
    content = doc.text[line.content_start : line.end]
    if m := _TEAM_IS.search(content):
        content = content[m.end() :]
        first = _FRAGMENT.split(content, maxsplit=1)[0]
        if not (name_at(first) or _SELF.match(first) or _YOU.match(first) or find_role(first)):
            return []  # "the team is tied up with the storage work until January"
    return _content_people(content, ctx, facts)


def _content_people(content: str, ctx: _Context, facts: TeamFacts) -> list[PersonRead]:
    for sentence in _SENTENCE.split(content):
        if has(sentence, _TEAM["not_team"]) and (
            find_role(sentence) or re.search(r"\bpeople\b", sentence)
        ):
            facts.outside.append(sentence.strip()[:200])
    found: list[PersonRead] = []
    pending: list[PersonRead] = []
    for e in entries(content):
        entry = e.text
        people = people_of(entry, ctx)
        for p in people:
            p.quote = content[e.start : e.end][:200]
        if not people:
            if has(entry, _TEAM["not_team"]) and find_role(entry):
                facts.outside.append(content[e.start : e.end][:200])
            continue
        first = people[0]
        if (
            first.name
            and find_role(entry) is None
            and not _SELF.match(entry)
            and not find_shares(entry)
        ):
            pending.append(first)  # "Ahmed Saleh and Julia Roth, backend devs": the role follows
            continue
        for p in pending:
            p.role, p.share, p.contractor = first.role, first.share, first.contractor
        found += pending + people
        pending = []
    return found + pending


# --- the sources of people ------------------------------------------------------------------


def _column(cells: dict[str, str], names: list[str]) -> str | None:
    for header, value in cells.items():
        h = header.strip().lower()
        if h in names or any(h.startswith(n) for n in names if len(n) > 2):
            return value
    return None


def _table_person(line: Line, ctx: _Context) -> list[PersonRead]:
    cells = line.cells
    name = _column(cells, _TEAM["name_columns"]) or ""
    role = _column(cells, _TEAM["role_columns"]) or ""
    share = _column(cells, _TEAM["share_columns"]) or ""
    rate = _column(cells, _TEAM["rate_columns"]) or ""
    count = "" if name else (_column(cells, _TEAM["count_columns"]) or "")
    people = people_of(f"{name} - {count} {role}, {share} {rate}".strip(" -,"), ctx)
    for p in people:
        p.quote = line.raw.strip()[:200]
    return people


def _is_team_line(line: Line, team_mode: bool) -> bool:
    labelled = bool(line.label) and label_is(line.label, "team")
    return labelled or team_mode or bool(_TEAM_IS.search(line.content)) or _counts_people(line)


def _role_label(line: Line) -> str | None:
    """A line labelled with a role and naming who fills it ("PM: Hannah Price (internal)",
    "Project manager: Sam Reyes, $115/hr"): the label is the person's role."""
    label = re.sub(r"[*_`]", "", line.label or "").strip()
    hit = find_role(label) if label else None
    if hit is None or hit.start or hit.end != len(label) or has(label, _TEAM["not_team"]):
        return None
    return label if name_at(line.content) else None


_COUNTED = re.compile(rf"^(?:~|about\s+|around\s+)?(?:{NUMBER}|\d+)\s+", re.I)


def _counts_people(line: Line) -> bool:
    """A list item that counts people in a role ("4 key users per country at 20%")."""
    content = re.sub(r"\*\*|__", "", line.content)
    if line.kind != "bullet" or not (m := _COUNTED.match(content)):
        return False
    hit = find_role(content[m.end() : m.end() + 40])
    return hit is not None and hit.start <= 12


_PERSON_ITEM = re.compile(rf"^(?P<name>{NAME})\s*(?:[-–—:(,]|\bas\b)\s*(?P<rest>.{{0,60}})")


def _names_a_person(line: Line) -> bool:
    """A list item about one person, anywhere: "- Priya Nair – DBA, 60%"."""
    content = re.sub(r"\*\*|__", "", line.content)
    m = _PERSON_ITEM.match(content) if line.kind == "bullet" else None
    if not m or name_at(m.group("name")) != m.group("name"):
        return False
    hit = find_role(m.group("rest"))
    return hit is not None and hit.start <= 30


def _from_lines(
    doc: Document, ctx: _Context, facts: TeamFacts
) -> tuple[list[PersonRead], list[PersonRead]]:
    """The people the brief declares as its team (team tables, team sections and labels,
    role labels, counted people), and those list items merely name with a role (attendees,
    contacts): the second only count when the brief declares no team."""
    people: list[PersonRead] = []
    loose: list[PersonRead] = []
    team_table = team_mode = False
    lines = doc.lines
    for n, line in enumerate(lines):
        if line.kind == "heading":
            team_mode, team_table = label_is(line.content, "team"), False
        elif line.kind == "blank":
            following = next((x for x in lines[n + 1 :] if x.kind != "blank"), None)
            if following is None or following.kind not in ("bullet", "table", "rule"):
                team_mode = False
        elif line.kind == "table":
            if all(k == v for k, v in line.cells.items()):
                has_name = _column(line.cells, _TEAM["name_columns"]) is not None
                has_role = _column(line.cells, _TEAM["role_columns"]) is not None
                has_count = _column(line.cells, _TEAM["count_columns"]) is not None
                team_table = has_name or (has_role and (team_mode or has_count))
            elif team_table:
                people += _table_person(line, ctx)
        elif line.kind in ("text", "bullet"):
            if line.label and label_is(line.label, "team") and not line.content:
                team_mode = True
            elif label := _role_label(line):
                name = name_at(line.content) or ""
                rest = line.content[len(name) :] if line.content.startswith(name) else ""
                found = people_of(f"{name} - {label}{rest}", ctx)
                for p in found:
                    p.quote = line.raw.strip()[:200]
                people += found
            elif _is_team_line(line, team_mode):
                people += _line_people(line, doc, ctx, facts)
            elif _names_a_person(line):
                loose += _audience(line, _line_people(line, doc, ctx, facts))
    return people, loose


_APPOSITION = re.compile(
    rf"(?P<name>{NAME})(?:\s*\((?P<inside>[^)]{{2,80}})\)"
    rf"|,\s+(?P<appo>(?:our|the|a|an|my|his|her)\s+[^,;.]{{2,60}})(?=[,;.]|$)"
    rf"|\s+(?:is|will be|as|joins as|would be)\s+(?P<pred>(?:our|the|a|an)\s+[^,;.]{{2,60}})"
    rf"|\s+(?:from|of|in)\s+(?:the|our)\s+(?P<team>[\w /&-]{{2,40}}?)"
    rf"(?=\s+(?:will|can|could|would|has|is|team)\b))"
)


_ROLE_THEN_NAME = re.compile(
    rf"\b(?i:our|the|my)\s+(?P<role>(?:[\w/-]+\s+){{0,2}}?[\w/-]+)\s*,?\s+(?P<name>{NAME})(?![\w'’])"
)
"""A role, then a name: "our DBA Priya", "the test lead, Tom Baker"."""


_CLAUSE_END = re.compile(r"[;.]\s|,\s+(?:and|but|while|whereas)\s")


def _inline(doc: Document, ctx: _Context, known: set[str]) -> list[PersonRead]:
    """People named with their role anywhere in the brief: "Anna (DBA, 50%)", "Priya Nair,
    our lead DBA,", "Tom is the test lead"."""
    out: list[PersonRead] = []
    for s in sentences(doc, include_headings=False):
        if s.line.kind == "table":
            continue
        text = s.text(doc)
        found = [
            (m, m.group("inside") or m.group("appo") or m.group("pred") or m.group("team") or "")
            for m in _APPOSITION.finditer(text)
        ] + [
            (m, m.group("role"))
            for m in _ROLE_THEN_NAME.finditer(text)
            if (hit := find_role(m.group("role"))) and hit.end == len(m.group("role"))
        ]
        found.sort(key=lambda f: f[0].start())
        for i, (m, said) in enumerate(found):
            raw, words = m.group("name"), said
            if not find_shares(words):  # "Tomasz Nowak, can give us two days a week"
                upto = found[i + 1][0].start() if i + 1 < len(found) else len(text)
                tail = _CLAUSE_END.split(text[m.end() : max(upto, m.end())], maxsplit=1)[0]
                words += f", {tail.strip(' ,')}" if find_shares(tail) else ""
            name = name_at(raw)
            hit = find_role(words)
            if not name or set(name.split()) & known or hit is None or hit.start > 25:
                continue
            if has(words, _TEAM["not_team"]):
                continue
            out += _audience(s.line, people_of(f"{name} - {words}", ctx))
            known.update(name.split())
    return out


_TEAMISH = re.compile(
    r"\b(?:we have|we've got|i have|i've got|there (?:is|are|will be)|"
    r"(?:will|would|can|could) (?:work|be working|help|join|support|be on)|"
    r"(?:is|are) (?:available|assigned|allocated|dedicated|on (?:the|this) project)|"
    r"from (?:my|our) (?:team|side)|on the team|in the team|joins?|joining|we are a team|"
    r"team of \w+|it(?:'s|’s| is| will be|'ll be) (?:just )?me|me\s*(?:\+|&|and|plus)\s*(?:\d+|"
    rf"{NUMBER}))\b",
    re.I,
)
_LEADING = re.compile(
    r"^(?:we have|we've got|i have|i've got|there (?:is|are|will be)|"
    r"it(?:'s|’s| is| will be|'ll be)(?: just)?)\s+",
    re.I,
)
_SELF_PM = re.compile(
    r"\b(?:I(?:'ll|’ll| will| am|'m|’m| shall| make| do| act as| take| can)|me as|myself as)\b"
    r"[^.;]{0,40}?\b(?:PM|project manager|project lead|programme manager|program manager|"
    r"(?:run|lead|manage) (?:the|this) (?:project|programme|program))\b"
)
_ALONE = re.compile(r"\b(?:just me|only me|on my own|by myself|a team of one)\b", re.I)


_WORKS = re.compile(
    r"\b(?:work(?:s|ing)?|done by|do(?:es)? the|borrow|bring(?:ing)? (?:back|in)|run(?:s|ning)? "
    r"it|lead(?:s|ing)?|manag(?:e|es|ing)|give(?:s)? (?:it|us)|spend(?:s|ing)?|join(?:s|ing)?|"
    r"help(?:s|ing)?|support(?:s|ing)?|on it|on (?:the|this) project|full[- ]time|part[- ]time|"
    r"free(?:d)? up|available|allocated|assigned|dedicated|agreed to|take(?:s)? (?:on|care)|"
    r"look(?:s)? after|own(?:s)? the|responsible for|will do|will be doing|will handle)\b",
    re.I,
)
_NAME_AT = re.compile(rf"(?<![\w'’-])(?P<name>{NAME})(?![\w'’-])")
_AS_ROLE = re.compile(
    r"\b(?:as (?:our |the |a |an )?|one of (?:the |our )|from (?:the |our |my |your )?|"
    r"is (?:our |the |a |an )|our |the )(?P<role>[\w/ -]{2,40})",
    re.I,
)


def _prose(doc: Document, ctx: _Context, known: set[str]) -> list[PersonRead]:
    """People told in running sentences that say who works on it ("Most of the work will be
    done by Tom and Aisha from my server team, full-time"; "We will borrow Sunil, one of the
    DBAs, for about a day a week"): each named person with the role and share of the words
    up to the next name; names joined by "and" share them."""
    out: list[PersonRead] = []
    for s in sentences(doc, include_headings=False):
        if s.line.kind in ("table", "header") or s.line.label:
            continue
        text = s.text(doc)
        if not _WORKS.search(text):
            continue
        names = [
            m
            for m in _NAME_AT.finditer(text)
            if (n := name_at(m.group("name")))
            and not set(n.split()) & known
            and not text[m.end() : m.end() + 2].startswith(("'s", "’s"))
            and not _is_organisation(n, doc.text)
            and not _is_word(n, doc.text)
        ]
        for i, m in enumerate(names):
            name = name_at(m.group("name")) or ""
            end = names[i + 1].start() if i + 1 < len(names) else len(text)
            words = _CLAUSE_END.split(text[m.end() : end], maxsplit=1)[0]
            if re.fullmatch(r"\s*(?:,|and|&|,\s*and)\s*", words) and i + 1 < len(names):
                after = names[i + 2].start() if i + 2 < len(names) else len(text)
                words = _CLAUSE_END.split(text[names[i + 1].end() : after], maxsplit=1)[0]
            before = text[max(0, m.start() - 40) : m.start()]
            role = None
            if ((r := _AS_ROLE.search(words)) and (hit := find_role(r.group("role")))) or (
                (hit := find_role(words)) and hit.start <= 30
            ):
                role = hit
            elif (hit := find_role(before)) and hit.end >= len(before) - 3:
                role = hit  # "our DBA, Sunil"
            shares = find_shares(words)
            if role is None and not shares:
                continue
            if has(words, _TEAM["not_team"]) or has(before[-25:], _TEAM["not_team"]):
                continue
            label = f"{role.role}, " if role else ""
            out += _audience(s.line, people_of(f"{name} - {label}{words.strip(' ,')}", ctx))
            known.update(name.split())
    return out


def _sentences_of_people(doc: Document, ctx: _Context, facts: TeamFacts) -> list[PersonRead]:
    """People in sentences outside a team section that say who works on the project ("We
    have two DBAs and a tester", "Priya and Tom will work on it")."""
    found: list[PersonRead] = []
    for s in sentences(doc, include_headings=False):
        line = s.line
        if line.kind == "table" or (line.label and label_is(line.label, "team")):
            continue
        if label_is(line.section, "team"):
            continue
        text = s.text(doc)
        if not _TEAMISH.search(text) or find_role(text) is None:
            continue
        found += _content_people(_LEADING.sub("", text.strip()), ctx, facts)
    return found


def _self_as_pm(doc: Document, ctx: _Context, people: list[PersonRead]) -> list[PersonRead]:
    """ "I'll run the project myself, about a day a week": the author as PM, once."""
    if any(p.role == "project manager" for p in people):
        return []
    for s in sentences(doc, include_headings=False):
        text = s.text(doc)
        if _SELF_PM.search(text) or (not people and _ALONE.search(text)):
            shares = find_shares(text)
            share = shares[0].value if shares else 1.0
            return [
                PersonRead(ctx.author, "project manager", max(0.1, min(share, 1.0)), text[:200])
            ]
    return []


_ME = re.compile(r"\((?:me|myself|that's me|author)\)|[–—-]\s*me\s*$", re.I)
_BY = re.compile(
    r"^\s*(?:notes?|minutes|author|written by|prepared by|notes? by|minutes by|from|sender)\s*$",
    re.I,
)


def _author_and_reader(doc: Document) -> tuple[str | None, str | None]:
    """Who wrote the brief (the name the signature or the last lines give) and whom it
    addresses ("Hi Sophie," with the full name from the To: line)."""
    author = reader = None
    body = [x for x in doc.lines if not x.quoted and x.kind != "blank"]
    for line in body:  # "Priya Nair – IT Project Manager (me)", "Notes: Priya Nair"
        plain = re.sub(r"[*_]", "", line.content)
        if _ME.search(plain) or (line.label and _BY.match(re.sub(r"[*_]", "", line.label))):
            author = author or name_at(plain)
    for i, line in enumerate(body):
        if line.kind == "signature" and i + 1 < len(body) and body[i + 1].kind == "signature":
            author = author or name_at(body[i + 1].content)
    if author is None and body:
        tail = [x for x in body[-4:] if x.kind in ("text", "signature")]
        for line in tail:
            if (
                len(line.content) < 40
                and (n := name_at(line.content))
                and n == line.content.strip()
            ):
                author = n
                break
    for line in body:
        if m := _GREETING.match(line.content):
            reader = m.group("n")
            break
    if reader:
        for line in doc.lines:
            m = re.search(rf"\b({re.escape(reader)}\s+{_WORD})", line.content)
            if line.kind == "header" and re.match(r"^To\s*:", line.content, re.I) and m:
                reader = m.group(1)
    return author, reader


def _is_organisation(name: str, text: str) -> bool:
    """A one-word "name" the brief puts before people it supplies ("the 2 Acme engineers"):
    a company, not a person."""
    if " " in name:
        return False
    for m in re.finditer(rf"\b{re.escape(name)}\s+(?P<next>[a-z]\w+s)\b", text):
        hit = find_role(m.group("next"))
        if hit is not None and hit.start == 0:
            return True
    return False


_TECHNOLOGY = re.compile("|".join(f"(?:{pattern})" for _, pattern in TECHNOLOGIES), re.I)


def _is_word(name: str, text: str) -> bool:
    """A one-word "name" that is an ordinary word of the brief in lower case elsewhere ("For
    storage we ...", "Most of the work"), or a product ("Veeam")."""
    if " " in name:
        return False
    return bool(re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", text)) or bool(
        _TECHNOLOGY.fullmatch(name)
    )


def _audience(line: Line, people: list[PersonRead]) -> list[PersonRead]:
    if label_is(line.label or "", "audience") or label_is(line.section, "audience"):
        for p in people:
            p.audience = True
    return people


def _complete(team: list[PersonRead], named: list[PersonRead]) -> list[PersonRead]:
    """A declared team, its first names completed from people named elsewhere ("Gareth,
    technical lead at 50%" is the "Gareth Evans – Network Lead" of the attendee list)."""
    for p in team:
        if not p.name or " " in p.name:
            continue
        same = [q for q in named if q.name and q.name.split()[0] == p.name]
        if len(same) == 1:
            p.name = same[0].name
    return _unique(team)


def _unique(people: list[PersonRead]) -> list[PersonRead]:
    seen: set[str] = set()
    out = []
    for p in people:
        if p.name:
            if p.name.split()[0] in seen:
                continue
            seen.add(p.name.split()[0])
        out.append(p)
    return out


def read_team(
    doc: Document, kind: str | None, absences: list[tuple[date, date, str, str]]
) -> TeamFacts:
    facts = TeamFacts()
    author, reader = _author_and_reader(doc)
    ctx = _Context(kind, author, reader, doc.text)
    declared, loose = _from_lines(doc, ctx, facts)
    people = declared or _sentences_of_people(doc, ctx, facts)
    known = {w for p in people if p.name for w in p.name.split()}
    named = loose + _inline(doc, ctx, known)
    if not declared:  # a brief that lists its team is read by its list
        named += _prose(doc, ctx, known | {w for p in named if p.name for w in p.name.split()})
    named = [p for p in named if not (p.name and _is_organisation(p.name, doc.text))]
    if declared:  # who attended or is told is not the team the brief declares
        audience = [p for p in named if p.audience]
        named = [p for p in named if not p.audience]
        people = _complete(people, audience + named)
    people = _unique(people + named)
    facts.listed = bool(people)
    facts.people = people + _self_as_pm(doc, ctx, people)
    for first, last, sentence, quote in absences:
        for p in facts.people:
            if p.name and re.search(rf"\b{re.escape(p.name.split()[0])}\b", sentence):
                p.absences.append((first, last, quote))
                if not re.search(r"\d{1,2}(?!\d)", re.sub(r"\b\d{4}\b", "", quote)):
                    facts.assumptions.append(
                        f"assumed {p.name} is away {first:%d %b %Y} to {last:%d %b %Y}"
                        f" ('{sentence[:120]}')"
                    )
                break
    for p in facts.people:
        if (
            p.share == PART_TIME
            and re.search(r"part[- ]time", p.quote, re.I)
            and not re.search(r"\d", p.quote)
        ):
            facts.assumptions.append(f"assumed {p.name or p.role} works half time ('part time')")
    stated = _stated_size(doc)
    listed = sum(p.count for p in facts.people)
    if facts.people and stated and stated[0] > listed:
        facts.assumptions.append(
            f"the brief gives a team of {stated[0]} but describes {listed}; assumed"
            f" {stated[0] - listed} more from the usual roles for this kind of project"
        )
    if facts.people:
        facts.size = max(listed, stated[0] if stated else 0)
        facts.quotes["team_size"] = (
            stated[1]
            if stated and stated[0] > sum(p.count for p in facts.people)
            else facts.people[0].quote
        )
    elif stated:
        facts.size, facts.quotes["team_size"] = stated
    return facts


def _stated_size(doc: Document) -> tuple[int, str] | None:
    """ "a team of 14"."""
    for s in sentences(doc):
        if m := _TEAM_OF.search(s.text(doc)):
            value = parse_number(m.group("n"))
            if value and 0 < value <= 1000 and value == int(value):
                return int(value), m.group(0)
    return None
