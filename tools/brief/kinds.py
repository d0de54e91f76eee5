"""The kind of project a brief describes, from weighted cue words (data/vocabulary.json)."""

from __future__ import annotations

import re

from tools.brief.model import BriefReading
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


FEW_CUES = 12.0
"""Weighted cue words below which a brief's own words do not settle its kind."""
CLOSE = 0.42
"""Similarity in meaning (0-1) at which a template counts as close to a brief: measured on
the dev briefs, the right template scores 0.45-0.69 when it is the nearest, a brief of no
known kind at most 0.40."""


def weak_cues(scores: dict[str, float]) -> bool:
    """The brief names too few of any kind's cue words to say what it is."""
    return max(scores.values(), default=0.0) < FEW_CUES


def decide_kind(
    scores: dict[str, float], meaning: dict[str, float]
) -> tuple[str | None, dict[str, float], str]:
    """The kind of a brief whose cue words are few, by meaning: the nearest template when it
    is close, else none (a generic lifecycle is planned), with the kinds by similarity and
    the assumption that says so."""
    near = max(meaning, key=meaning.__getitem__)
    kinds = {
        k: v for k, v in sorted(meaning.items(), key=lambda kv: -kv[1])[:3] if v >= CLOSE - 0.1
    }
    words = max(scores, key=scores.__getitem__) if max(scores.values(), default=0) > 0 else None
    if meaning[near] >= CLOSE:
        said = f"; its few cue words pointed to {words}" if words and words != near else ""
        return (
            near,
            kinds,
            (
                f"the brief says little in any kind's words; planned as {near}, the template"
                f" closest in meaning (similarity {meaning[near]:.2f}){said} — say so if it is"
                " something else"
            ),
        )
    return (
        None,
        kinds,
        (
            f"no template is close to this brief (nearest: {near}, similarity {meaning[near]:.2f});"
            " planned as a generic IT delivery lifecycle with a package for every scope item"
        ),
    )


def by_meaning(reading: BriefReading, meaning: dict[str, float]) -> BriefReading:
    """A reading whose kind its cue words could not settle, decided by meaning instead."""
    archetype, kinds, note = decide_kind(reading.archetype_scores, meaning)
    quotes = dict(reading.brief.quotes)
    if archetype != reading.brief.archetype:
        quotes.pop("archetype", None)
    brief = reading.brief.model_copy(
        update={"archetype": archetype, "kinds": kinds, "quotes": quotes}
    )
    return reading.model_copy(update={"brief": brief, "assumptions": [*reading.assumptions, note]})
