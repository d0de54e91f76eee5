"""The kind of project a brief describes, from weighted cue words (data/vocabulary.json)."""

from __future__ import annotations

import re

from tools.brief.text import _Doc, _Notes, compile_phrases, find_phrases, lower_same_length
from tools.brief.words import ARCHETYPE_CUES, CUE_CAP, TITLE_BONUS

_CUE_LIST = [
    (name, pattern, weight) for name, cues in ARCHETYPE_CUES.items() for pattern, weight in cues
]


_CUES = compile_phrases([pattern for _, pattern, _ in _CUE_LIST])
_OTHER_SYSTEM = re.compile(
    r"\b(?:integrat\w*|interfac\w*|connect\w*|sync\w*|talks?|feeds?|reads?|writes?|posts?|"
    r"pulls?|pushes|on top of|via|api|apis|linked|plugs? into)\s+(?:\w+\s+){0,2}?"
    r"(?:with|to|from|into|of|in|on)?\s*(?:the\s+|our\s+|its\s+|existing\s+|current\s+)*$",
    re.I,
)
"""Words before a system's name that make it the system the project talks to, not the one it
builds ("a portal that integrates with SAP"): its cue counts a quarter."""
OTHER_SYSTEM_WEIGHT = 0.25


def score_archetypes(
    doc: _Doc, notes: _Notes, title: str, skip: set[int]
) -> tuple[dict[str, float], str | None]:
    """Weighted cue words per archetype; out-of-scope sentences do not count."""
    chars = list(doc.text)
    for i in skip | doc.injected:
        s = doc.sentences[i]
        chars[s.start : s.end] = " " * (s.end - s.start)
    body = "".join(chars)
    counts: dict[int, float] = {}
    strongest: dict[str, tuple[float, int, int]] = {}
    for k, start, end in sorted(
        find_phrases(_CUES, body, lower_same_length(body)), key=lambda f: f[1]
    ):
        other = _OTHER_SYSTEM.search(body[max(0, start - 40) : start])
        counts[k] = counts.get(k, 0) + (OTHER_SYSTEM_WEIGHT if other else 1)
        name, _, weight = _CUE_LIST[k]
        if name not in strongest or weight > strongest[name][0]:
            strongest[name] = (weight, start, end)
    in_title = {k for k, _, _ in find_phrases(_CUES, title, lower_same_length(title))}
    scores = dict.fromkeys(ARCHETYPE_CUES, 0.0)
    for k, n in counts.items():
        name, _, weight = _CUE_LIST[k]
        scores[name] += weight * min(n, CUE_CAP) + (weight * TITLE_BONUS if k in in_title else 0)
    best = max(scores, key=lambda n: (scores[n], -list(scores).index(n)))
    if scores[best] <= 0:
        notes.assume("the brief matches no known kind of IT project; no template applies")
        return scores, None
    _, a, b = strongest[best]
    notes.quote("archetype", doc.text, a, b)
    return scores, best
