"""What the brief is about: its title, its goal, the scope and out-of-scope lists, and the
constraints it states."""

from __future__ import annotations

import re

from tools.brief.text import _Doc, _Notes, clip, is_noise, section, split_top, tidy
from tools.brief.words import CONSTRAINT_CUE, MAX_TEXT, MAX_TITLE, UNTITLED

_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(?P<t>[^\n]*?\S)[ \t#]*$", re.M)

_SUBJECT = re.compile(
    r"^[ \t>]*Subject:[ \t]*(?:(?:re|fw|fwd)[ \t]*:[ \t]*)*(?P<t>[^\n]*?\S)[ \t]*$", re.M | re.I
)


NOT_GOAL = re.compile(
    r"(?:our |the )?(?:budget|deadline|team|timeline|constraints?|scope|out of scope|risks?|"
    r"go-?live|live by|due)\b",
    re.I,
)
"""Sentences that state a fact of the plan, not what the project is for."""


_GREETING = re.compile(r"(?:hi|hello|hey|dear)\b[^.!?]{0,30}?[,!]\s*", re.I)


def find_title(doc: _Doc, notes: _Notes) -> tuple[str, int | None]:
    """The first heading, else an e-mail subject, else the first sentence; and the index of the
    sentence it was (so the goal is read after it)."""
    text = doc.text
    for pattern in (_HEADING, _SUBJECT):
        m = pattern.search(text)
        if m and re.search(r"\w", m.group("t")):
            notes.quote("title", text, m.start("t"), m.end("t"))
            index = doc.at(m.start("t")) if pattern is _HEADING else None
            return clip(tidy(m.group("t")), MAX_TITLE) or UNTITLED, index
    for i in range(len(doc.sentences)):
        if is_noise(doc, i):
            continue
        s = doc.sentences[i]
        notes.quote("title", text, s.start, s.end)
        return clip(tidy(doc.words(i)).rstrip("."), MAX_TITLE) or UNTITLED, i
    return UNTITLED, None


def find_goal(doc: _Doc, notes: _Notes, after: int | None) -> str:
    """The labelled goal, else the first sentence of the body (the quoted part of a forwarded
    e-mail when there is one): what the project is for, in the PM's words."""
    text = doc.text
    for i in range(len(doc.sentences)):
        key, offset = doc.labels[i]
        if key == "goal" and doc.words(i)[offset:].strip():
            s = doc.sentences[i]
            notes.quote("goal", text, s.start + offset, s.end)
            return clip(tidy(doc.words(i)[offset:]), MAX_TEXT)
    quoted = [
        i for i, s in enumerate(doc.sentences) if text[s.start] == ">" and not is_noise(doc, i)
    ]
    order = quoted or range(len(doc.sentences))
    for i in order:
        if (after is not None and i <= after) or is_noise(doc, i) or i in doc.injected:
            continue
        words = doc.words(i)
        key, offset = doc.labels[i]
        if key is not None or NOT_GOAL.match(words, offset):
            continue
        greeting = _GREETING.match(words, offset)
        if greeting:
            offset = greeting.end()
        if not re.search(r"[A-Za-z]{2}", words[offset:]):
            continue
        s = doc.sentences[i]
        notes.quote("goal", text, s.start + offset, s.end)
        return clip(tidy(words[offset:]), MAX_TEXT)
    if after is not None:
        s = doc.sentences[after]
        notes.quote("goal", text, s.start, s.end)
        return clip(tidy(doc.words(after)), MAX_TEXT)
    return ""


def read_lists(doc: _Doc, notes: _Notes) -> tuple[list[str], list[str], set[int]]:
    """Scope and out-of-scope items from their labels ("Out of scope: a, b and c", or bullets
    under a "## Scope" heading); also returns the sentences they were read from."""
    text = doc.text
    lists: dict[str, list[str]] = {"scope": [], "out_of_scope": []}
    used: set[int] = set()
    for i in range(len(doc.sentences)):
        if i in doc.injected:
            continue
        words = doc.words(i)
        key = doc.labels[i][0]
        if key not in lists:
            if re.search(r"\b(?:is|are) (?:out of scope|not in scope|excluded)\b", words, re.I):
                lists["out_of_scope"].append(clip(tidy(words), MAX_TEXT))
                used.add(i)
            continue
        for j, offset in section(doc, i, rest_of_line=False):
            used.add(j)
            s = doc.sentences[j]
            content = text[s.start + offset : s.end]
            if content.strip():
                notes.quote(key, text, s.start + offset, s.end)
                items = split_top(content, on_and=False)
                lists[key] += [clip(tidy(content[a:b]), MAX_TEXT) for a, b in items]
    return [x for x in lists["scope"] if x], [x for x in lists["out_of_scope"] if x], used


def read_constraints(doc: _Doc, notes: _Notes, skip: set[int]) -> list[str]:
    """Sentences of a "Constraints:" line, and sentences anywhere with a constraint word
    (freeze, downtime, must, only on weekends...), in order, once each."""
    text = doc.text
    out: list[str] = []
    labelled: set[int] = set()
    for i in range(len(doc.sentences)):
        if doc.labels[i][0] == "constraints":
            labelled.update(j for j, _ in section(doc, i))
    for i in range(len(doc.sentences)):
        if i in skip or i in doc.injected or doc.in_header(doc.sentences[i].start):
            continue
        words = doc.words(i)
        key, offset = doc.labels[i]
        if i not in labelled and (key in ("team", "risks") or not CONSTRAINT_CUE.search(words)):
            continue
        item = clip(tidy(words[offset:]), MAX_TEXT)
        if item and item not in out:
            if not out:
                s = doc.sentences[i]
                notes.quote("constraints", text, s.start + offset, s.end)
            out.append(item)
    return out
