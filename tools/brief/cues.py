"""Cue words that decide what a date or an amount is for, scored by how close they stand to
it in its sentence. The words are data (data/cues.json)."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

NEAR = 40
"""Characters before a value within which a cue counts in full."""


@cache
def load(name: str) -> Any:
    return json.loads(resources.files("tools.brief").joinpath(f"data/{name}.json").read_text())


CUES = load("cues")


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.I)


EDGE_OF = re.compile(r"^\s+of\b", re.I)
"""A cue followed by "of" is an edge of a period ("the start of Q3"), not a project date."""


def score(before: str, after: str, cues: dict[str, float]) -> float:
    """Sum of the cues around a value: in full just before it, less further back, half just
    after it. A longer cue hides the shorter ones inside it ("contract ends" over "ends")."""
    total = 0.0
    for text, near, factor in ((before, True, 1.0), (after[:NEAR], False, 0.5)):
        taken: list[tuple[int, int]] = []
        for phrase in sorted(cues, key=len, reverse=True):
            best = 0.0
            for m in _pattern(phrase).finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                if EDGE_OF.match(text[m.end() :]) and phrase in ("start", "beginning", "end"):
                    continue
                taken.append((m.start(), m.end()))
                distance = len(text) - m.end() if near else 0
                best = max(best, cues[phrase] * factor * (1.0 if distance <= NEAR else 0.6))
            total += best
    return total


def has(text: str, phrases: list[str] | dict[str, float]) -> bool:
    return any(_pattern(p).search(text) for p in phrases)


def label_is(label: str, key: str) -> bool:
    """A line's label or section heading names this fact ("Start date", "## Team")."""
    label = re.sub(r"(?<=[a-z])_(?=[a-z])", " ", label, flags=re.I)  # "hard_date"
    label = re.sub(r"[*_`#]", "", label).strip().lower()
    label = re.sub(r"^(?:\d+(?:\.\d+)*\.?|[a-z]\))\s+", "", label)  # "5.1 Team"
    stems = CUES["label_stems"].get(key, [])
    if len(label.split()) <= 6 and any(re.search(rf"\b{s}", label) for s in stems):
        return True
    return label in CUES["labels"][key] or any(
        label.startswith(w + " ") or label.endswith(" " + w)
        for w in CUES["labels"][key]
        if len(w) > 3
    )
