"""The shape of a brief: Markdown headings, tables, bullets, labelled lines, e-mail headers,
quoted replies and signatures. Each line keeps its offsets so every fact can quote its text.

A brief is often a forwarded e-mail: header lines ("Sent: 07 December 2026") carry dates that
are not project dates, and a signature's phone numbers are not amounts. A team is often a
table: its header row names what each cell is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["blank", "heading", "bullet", "table", "rule", "text", "header", "signature"]

_HEADER = re.compile(r"^(?:From|Sent|Date|To|Cc|Bcc|Subject|Reply-To|Betreff|Von|An)\s*:", re.I)
_FORWARD = re.compile(
    r"^-{2,}\s*(?:Original Message|Forwarded message)\s*-{2,}|^On .{5,80} wrote:\s*$", re.I
)
_SIGN_OFF = re.compile(
    r"^(?:(?:kind |best |warm )?regards|best|thanks|thank you|cheers|many thanks|"
    r"best regards / mit freundlichen grüßen|mit freundlichen grüßen|cordialement|"
    r"sincerely|br|rgds)[,.!]?\s*$",
    re.I,
)
_QUOTE = re.compile(r"^(?:[ \t]*>)+[ \t]?")
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<t>.*?)[ \t#]*$")
_BULLET = re.compile(
    r"^(?P<i>[ \t]*)(?:[-*+•–]|\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+\.?|[a-z][.)])[ \t]+"
)
"""A list mark: "-", "1.", "a)", or an outline number ("7.3 Integration developer: ...")."""
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LABEL = re.compile(
    r"^(?:\*\*|__)?(?P<l>[A-Za-z][A-Za-z_ /&()'’-]{0,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?=\S)"
    r"|^(?:\*\*|__)(?P<l2>[A-Za-z][\w /&()'’-]{0,40}?):?(?:\*\*|__)\s*$"
)
"""A label before a colon ("Budget: ..."), or a whole bold line ("**Team**")."""
_BOLD_HEAD = re.compile(r"^(?:\*\*|__)(?P<t>[^*_]{2,60}?)(?:\*\*|__):?\s*$")
_COLON_HEAD = re.compile(r"^(?P<t>[A-Z][\w /&()'’-]{1,60}?):\s*$")
_CAPS_HEAD = re.compile(r"^(?P<t>[A-Z][A-Z0-9 /&()'’-]{2,50}?)\s*:?$")
"""A short line in capitals on its own ("TEAM", "NOT IN SCOPE")."""
_COLUMNS = re.compile(r"\S(?:.*?\S)??(?=\s{2,}|\s*$)")
"""Cells of a plain-text table: words separated by two or more spaces."""
_EMPHASIS = re.compile(r"\*\*|__|`")


@dataclass
class Line:
    """One line of a brief: where it is, what it is, and the heading and label above it."""

    start: int
    end: int
    raw: str
    kind: Kind
    content: str = ""
    """The words without quote marks, bullet marks, heading marks or a label."""
    content_start: int = 0
    """Offset of `content` in the text."""
    label: str = ""
    """A short label before a colon ("Budget: ...") in lower case, else ""."""
    section: str = ""
    """The nearest heading or heading-like line above, lower case."""
    cells: dict[str, str] = field(default_factory=dict)
    """A table row: header (lower case) -> cell text."""
    quoted: bool = False
    """Inside a forwarded or quoted message."""
    depth: int = 0
    """How many messages older than the newest one of a thread this line is: one per
    forwarded or original message above it, one per "> " quote mark."""


@dataclass
class Document:
    text: str
    lines: list[Line]

    def line_at(self, offset: int) -> Line | None:
        for line in self.lines:
            if line.start <= offset < max(line.end, line.start + 1):
                return line
        return None


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return [_EMPHASIS.sub("", c).strip() for c in row.split("|")]


@dataclass
class _State:
    """What the lines above tell about the next one."""

    section: str = ""
    table_header: list[str] | None = None
    plain_columns: list[tuple[int, str]] | None = None
    """The header of a plain-text table being read: where each column starts, its name."""
    quoted: bool = False
    depth: int = 0
    in_signature: bool = False


def _table(line: Line, stripped: str, following: str, state: _State) -> None:
    if _TABLE_RULE.match(stripped):
        line.kind = "rule"
        return
    line.kind = "table"
    cells = _cells(stripped)
    if state.table_header is None and _TABLE_RULE.match(_QUOTE.sub("", following)):
        state.table_header = [c.lower() for c in cells]
        line.cells = {h: h for h in state.table_header}
        return
    header = state.table_header or [str(i) for i in range(len(cells))]
    line.cells = dict(zip(header, cells, strict=False))


def _columns(row: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in _COLUMNS.finditer(row)]


def _aligned(row: str, following: str, state: _State) -> bool:
    """A row of a plain-text table: a header of three or more capitalised columns with a row
    below it, or a row under such a header."""
    if state.plain_columns:
        return len(_columns(row)) >= 2
    cells = _columns(row)
    below = _columns(following)
    return (
        len(cells) >= 3
        and all(c[:1].isupper() for _, c in cells)
        and len(below) >= 2
        and all(len(c.split()) <= 3 for _, c in cells)
    )


def _plain_table(line: Line, row: str, state: _State) -> None:
    """Cells by the header's column positions ("NAME   ROLE   ALLOCATION")."""
    line.kind = "table"
    if not state.plain_columns:
        state.plain_columns = [(at, c.lower()) for at, c in _columns(row)]
        line.cells = {h: h for _, h in state.plain_columns}
        state.table_header = [h for _, h in state.plain_columns]
        return
    starts = [at for at, _ in state.plain_columns]
    cells: dict[str, str] = {}
    for at, text in _columns(row):
        column = max((i for i, s in enumerate(starts) if s <= at + 1), default=0)
        header = state.plain_columns[column][1]
        cells[header] = f"{cells[header]} {text}" if header in cells else text
    line.cells = cells


def _heading(line: Line, stripped: str, lead: int, state: _State) -> bool:
    if m := _HEADING.match(stripped):
        line.content = _EMPHASIS.sub("", m.group("t")).strip()
        line.content_start = line.start + lead + m.start("t")
    elif (
        (m := _BOLD_HEAD.match(stripped))
        or (m := _COLON_HEAD.match(stripped))
        or ((m := _CAPS_HEAD.match(stripped)) and any(c.isalpha() for c in stripped[1:]))
    ):
        line.content = m.group("t").strip().rstrip(":")
    else:
        return False
    line.kind = "heading"
    state.section = line.section = line.content.lower()
    return True


def _body(line: Line, body: str, quote_end: int) -> None:
    """A bullet's mark and a label ("Budget:") taken off the line's content."""
    if m := _BULLET.match(body):
        line.kind = "bullet"
        line.content = body[m.end() :].strip()
        line.content_start = line.start + quote_end + m.end()
    if m := _LABEL.match(line.content):
        label = (m.group("l") or m.group("l2") or "").strip()
        if len(label.split()) <= 5:
            line.label = re.sub(r"(?<=[a-z])_(?=[a-z])", " ", label.lower())
            line.content_start += m.end()
            line.content = line.content[m.end() :].strip()


def _signs_off(stripped: str, after: list[str]) -> bool:
    """A sign-off followed by a few short lines: a signature starts."""
    tail = [r.strip() for r in after if r.strip()]
    return bool(_SIGN_OFF.match(stripped)) and len(tail) <= 8 and all(len(r) < 90 for r in tail[:6])


def _classify(line: Line, stripped: str, state: _State) -> bool:
    """Blank lines, forwarded-message rules, e-mail headers and signatures; True when the
    line is one of them."""
    if not stripped:
        line.kind, state.table_header, state.plain_columns = "blank", None, None
    elif _FORWARD.match(stripped):
        line.kind, state.quoted, state.in_signature = "rule", True, False
        state.depth += 1
    elif _HEADER.match(stripped):
        line.kind, state.in_signature = "header", False
    elif state.in_signature or _SIGN_OFF.match(stripped):
        line.kind = "signature"
    else:
        return False
    return True


def read_structure(text: str) -> Document:
    """Classify every line of a text."""
    lines: list[Line] = []
    state = _State()
    offset = 0
    raw_lines = text.split("\n")
    for n, raw in enumerate(raw_lines):
        start = offset
        offset += len(raw) + 1
        q = _QUOTE.match(raw)
        quote_end = q.end() if q else 0
        body = raw[quote_end:]
        lead = quote_end + len(body) - len(body.lstrip())
        stripped = body.strip()
        line = Line(start, start + len(raw), raw, "text", stripped, start + lead)
        line.section, line.quoted = state.section, state.quoted or bool(q)
        line.depth = state.depth + (q.group(0).count(">") if q else 0)
        lines.append(line)
        if _classify(line, stripped, state):
            if line.kind == "signature" and _signs_off(stripped, raw_lines[n + 1 : n + 9]):
                state.in_signature = True
        elif "|" in stripped and stripped.count("|") >= 2:
            following = raw_lines[n + 1].strip() if n + 1 < len(raw_lines) else ""
            _table(line, stripped, following, state)
        elif _aligned(body, raw_lines[n + 1] if n + 1 < len(raw_lines) else "", state):
            _plain_table(line, body, state)
        else:
            state.table_header = None
            if not _heading(line, stripped, lead, state):
                _body(line, body, quote_end)
    return Document(text, lines)
