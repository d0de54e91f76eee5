"""Sentences of a brief's lines: the window in which a value's cues are read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tools.reading.structure import Document, Line

_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(*])|(?<=[.!?])\*\*\s+")
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:ca|approx|e\.g|i\.e|incl|excl|vs|etc|no|nr|mr|ms|mrs|dr|st|co|inc|ltd|"
    r"resp|z\.b|bzw|u\.a|mio|mrd|mn|est|p\.a|\d{1,2})\.$",
    re.I,
)
SKIP = ("header", "signature", "rule", "blank")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    line: Line

    def text(self, doc: Document) -> str:
        return doc.text[self.start : self.end]


def sentences(doc: Document, *, include_headings: bool = True) -> Iterator[Sentence]:
    """Every sentence of every line that carries project facts (not e-mail headers or
    signatures), with its line for the label and section above it."""
    for line in doc.lines:
        if line.kind in SKIP or (line.kind == "heading" and not include_headings):
            continue
        if line.kind == "table":
            yield Sentence(line.start, line.end, line)
            continue
        start = line.content_start
        body = doc.text[start : line.end]
        pos = 0
        for m in _END.finditer(body):
            if _ABBREVIATION.search(body[: m.start()]):
                continue
            yield Sentence(start + pos, start + m.start(), line)
            pos = m.end()
        if pos < len(body):
            yield Sentence(start + pos, line.end, line)
