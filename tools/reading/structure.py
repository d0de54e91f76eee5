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
_BULLET = re.compile(r"^(?P<i>[ \t]*)(?:[-*+•–]|\d{1,2}[.)]|[a-z][.)])[ \t]+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LABEL = re.compile(
    r"^(?:\*\*|__)?(?P<l>[A-Za-z][A-Za-z /&()'’-]{0,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?=\S)|^(?:\*\*|__)(?P<l2>[A-Za-z][\w /&()'’-]{0,40}?):?(?:\*\*|__)\s*$"
)
_BOLD_HEAD = re.compile(r"^(?:\*\*|__)(?P<t>[^*_]{2,60}?)(?:\*\*|__):?\s*$")
_COLON_HEAD = re.compile(r"^(?P<t>[A-Z][\w /&()'’-]{1,60}?):\s*$")
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


def read_structure(text: str) -> Document:
    """Classify every line of a text."""
    lines: list[Line] = []
    offset = 0
    section = ""
    table_header: list[str] | None = None
    quoted = False
    in_signature = False
    raw_lines = text.split("\n")
    for n, raw in enumerate(raw_lines):
        start, end = offset, offset + len(raw)
        offset = end + 1
        q = _QUOTE.match(raw)
        body = raw[q.end() :] if q else raw
        lead = (q.end() if q else 0) + (len(body) - len(body.lstrip()))
        stripped = body.strip()
        line = Line(
            start,
            end,
            raw,
            "text",
            stripped,
            start + lead,
            section=section,
            quoted=quoted or bool(q),
        )
        if not stripped:
            line.kind = "blank"
            lines.append(line)
            continue
        if _FORWARD.match(stripped):
            quoted, in_signature = True, False
            line.kind = "rule"
            lines.append(line)
            continue
        if _HEADER.match(stripped):
            line.kind = "header"
            in_signature = False
            lines.append(line)
            continue
        if in_signature:
            line.kind = "signature"
            lines.append(line)
            continue
        if _SIGN_OFF.match(stripped):
            rest = [r.strip() for r in raw_lines[n + 1 : n + 9]]
            tail = [r for r in rest if r]
            if len(tail) <= 8 and all(len(r) < 90 for r in tail[:6]):
                in_signature = True
            line.kind = "signature"
            lines.append(line)
            continue
        if "|" in stripped and stripped.count("|") >= 2:
            if _TABLE_RULE.match(stripped):
                line.kind = "rule"
                lines.append(line)
                continue
            cells = _cells(stripped)
            nxt = raw_lines[n + 1].strip() if n + 1 < len(raw_lines) else ""
            if table_header is None and _TABLE_RULE.match(_QUOTE.sub("", nxt)):
                table_header = [c.lower() for c in cells]
                line.kind = "table"
                line.cells = {h: h for h in table_header}
                lines.append(line)
                continue
            line.kind = "table"
            header = table_header or [str(i) for i in range(len(cells))]
            line.cells = {h: c for h, c in zip(header, cells, strict=False)}
            lines.append(line)
            continue
        table_header = None
        if m := _HEADING.match(stripped):
            line.kind = "heading"
            line.content = _EMPHASIS.sub("", m.group("t")).strip()
            line.content_start = start + lead + m.start("t")
            section = line.content.lower()
            line.section = section
            lines.append(line)
            continue
        if (m := _BOLD_HEAD.match(stripped)) or (m := _COLON_HEAD.match(stripped)):
            line.kind = "heading"
            line.content = m.group("t").strip().rstrip(":")
            section = line.content.lower()
            line.section = section
            lines.append(line)
            continue
        if m := _BULLET.match(body):
            line.kind = "bullet"
            line.content = body[m.end() :].strip()
            line.content_start = start + (q.end() if q else 0) + m.end()
        if m := _LABEL.match(line.content):
            label = (m.group("l") or m.group("l2") or "").strip()
            if len(label.split()) <= 5:
                line.label = label.lower()
                line.content_start += m.end()
                line.content = line.content[m.end() :].strip()
        lines.append(line)
    return Document(text, lines)
