"""The brief reader's vocabularies (data/vocabulary.json, data/roles.json) and the few
patterns built from them."""

from __future__ import annotations

import re
from decimal import Decimal

from tools.brief.cues import load
from tools.reading.vocabulary import load as load_reading

_VOCAB = load("vocabulary")
_ROLES = load_reading("roles")

MAX_TEXT = 4000
"""ProjectBrief.text keeps at most this many characters (the whole text is still read)."""

MAX_TITLE = 200

MIN_WORDS = 5

UNTITLED = "Untitled brief"

BINARY_SHARE = 0.2
"""A text with more than this share of control characters is a binary file, not a brief."""

MAX_PEOPLE = 1000

MAX_PER_ITEM = 200
"""One team line ("300 developers") adds at most this many people: a typo, not a team."""

PART_TIME = 0.5

WORD_NUMBERS: dict[str, int] = _VOCAB["word_numbers"]

MULTIPLIERS: dict[str, int] = _VOCAB["multipliers"]

ABBREVIATIONS = frozenset(_VOCAB["abbreviations"])
"""Words whose full stop does not end a sentence ("approx. 140 VMs")."""

LABELS: tuple[tuple[str, str], ...] = tuple(tuple(x) for x in _VOCAB["labels"])
"""Section labels ("Scope:", "**Team:**", "## Out of scope"), matched whole, lower case."""

_MACHINE = (
    r"(?:AI|A\.I\.|LLM|GPT[-\w.]*|ChatGPT|Claude|Copilot|Gemini|chat ?bot|bot|"
    r"(?:AI|language) model|model|AI (?:planner|agent|tool|assistant)|assistant|"
    r"planning (?:tool|assistant|bot|agent|software|engine|AI))"
)
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}?\b(?:instructions?|prompts?|rules|above|"
    r"previous|prior)\b|\byou are now\b|\bsystem prompt\b|\bnew instructions\b|"
    r"\bset (?:the )?(?:budget|deadline|start|team(?: size)?|archetype|currency)\b.{0,30}?\bto\b|"
    # addressed to a machine reader: "note to the AI", "for the planning bot only", "Hey ChatGPT,"
    rf"\b(?:notes?|message|instructions?|ps|p\.s\.|reminder)\s*(?:to|for)\s+(?:the\s+|any\s+|an?\s+)?"
    rf"{_MACHINE}\b|"
    rf"\b(?:for|to)\s+(?:the\s+|any\s+)?{_MACHINE}\s+only\b|"
    rf"^[\W_]*(?:hey|hi|hello|dear)?\s*(?:the\s+)?{_MACHINE}\s*[,:]|"
    r"\[\s*(?:instructions?|system|note)\b|"
    r"\bwhen you (?:write|draft|generate|produce|create|build|make) (?:this|the|my|our) plan\b|"
    # telling the reader to put something else than the facts in the plan
    r"\bno matter what\b|\bwhatever the (?:brief|text|numbers|figures|data|facts)\b|"
    r"\boverride\s*:|\bpretend (?:that|the|it)\b",
    re.I,
)
"""Text addressed to the reader rather than about the project: read as text, never obeyed.
An instruction goes on in the sentences after it on its line that carry on telling
(`CARRIES_ON` in `tools/brief/text.py`), and an HTML comment is never part of the brief a PM
sees."""


HEADER_LINE = re.compile(r"^[ \t>]*(?:Date|Sent|From|To|Cc|Bcc|Subject|Reply-To):", re.I)
"""E-mail header lines of a forwarded brief: their dates are not project dates."""

DEADLINE_SENTENCE: tuple[tuple[str, int], ...] = tuple(
    tuple(x) for x in _VOCAB["deadline_sentence"]
)
"""Words anywhere in the sentence that make its dates deadline-like."""


_DEADLINE_SENTENCE = tuple((re.compile(p, re.I), w) for p, w in DEADLINE_SENTENCE)

ENGINEER = "<engineer>"

CONSULTANT = "<consultant>"

ROLE_ALIASES: tuple[tuple[str, str], ...] = tuple(
    (a["role"], a["pattern"]) for a in _ROLES["aliases"]
)
"""Words for people -> canonical role (tools.vocabulary.ROLES). Tried left to right at each
position of an item, longest first; ENGINEER and CONSULTANT resolve by the archetype."""


ENGINEER_BY_ARCHETYPE: dict[str, str] = _ROLES["engineer_by_kind"]

CONSULTANT_BY_ARCHETYPE: dict[str, str] = _ROLES["consultant_by_kind"]

NOT_TEAM = re.compile(
    r"\bas needed\b|\bwhen needed\b|\bon request\b|\bad hoc\b|\bfor feedback\b|\bchampions?\b|"
    r"\bintegrator\b|\bSI\b|\bvendors?\b|\bsupplies\b|\bbrings\b|\bshared with\b|"
    r"\bapplication owners\b|\bapp owners\b"
)
"""Items of a team line that are not team members (partners' crews, champions, owners)."""


NOT_AFTER_ROLE = (
    r"portals?|tools?|experience|accounts?|licen[cs]es?|environments?|docs|documentation|"
    r"community|programs?|platforms?|teams?|network|days?|weeks?"
)
"""Words after a role word that make it something else ("developer portals")."""


NOT_NAMES = frozenset(_VOCAB["not_names"])

TEAM_OF = re.compile(
    r"\bteam of (?:about |around |~)?(?P<n>\d{1,4}|[a-z]+)\b|"
    r"\b(?P<m>\d{1,4}|[a-z]+)[- ](?:person|people|strong) team\b",
    re.I,
)


AVAILABILITY: tuple[tuple[str, str], ...] = tuple(tuple(x) for x in _VOCAB["availability"])
"""How the brief says how much of a person the project gets."""

DRIVER_NOUNS: dict[str, str] = _VOCAB["driver_nouns"]
"""Nouns a count stands before ("9 applications") -> size driver (tools.vocabulary.DRIVERS)."""

DRIVER_SCALE: dict[str, Decimal] = {"records": Decimal(10**6)}
"""Drivers counted in a unit: records in millions."""

NOT_BETWEEN = (
    r"of|in|at|for|per|with|to|from|by|on|is|are|was|were|be|the|a|an|than|over|"
    r"years?|months?|weeks?|days?|hours?"
)
"""Words that may not stand between a count and its noun ("3 years of tickets" is not 3)."""


NOT_AFTER_NOUN = (
    r"databases?|devs?|developers?|engineers?|architects?|leads?|teams?|owners?|changes|"
    r"specialists?|layer|hub|platform|visits?|per|each|a\s+(?:week|day|night|month|year)"
)
"""Words after a noun that make it an adjective ("2 app databases", "one integration
developer") or a rate ("5 APs per store"): not a count of that noun."""


DATA_UNITS: dict[str, Decimal] = {k: Decimal(v) for k, v in _VOCAB["data_units"].items()}

DATA_TOTAL = re.compile(
    r"\btotal\b|\bin all\b|\bof data\b|\bdata volume\b|\bused\b|\bstorage\b", re.I
)


DATA_PART = re.compile(r"\b(?:biggest|largest|single|each|per|table)\b[^,;]{0,40}$", re.I)

TECHNOLOGIES: tuple[tuple[str, str], ...] = tuple(tuple(x) for x in _VOCAB["technologies"])
"""Technology names as a brief writes them -> one canonical name each. One regex tries them in
this order at each position, so a longer name comes before a shorter one it starts with."""


ARCHETYPE_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    k: tuple((p, w) for p, w in v) for k, v in _VOCAB["archetype_cues"].items()
}
"""Cue words of each kind of project, with weights. A cue counts up to three times; a cue in
the title counts twice more (the title says what the project is). Here and in TECHNOLOGIES an
alternative written with a capital matches only as written ("SAP", "Teams", "REST"); one in
lower case matches in any case ("okta", "app store")."""


CUE_CAP = 3

TITLE_BONUS = 2

CONSTRAINT_CUE = re.compile(
    r"\bno production changes\b|\bfreez\w*|\bdowntime\b|\boutages?\b|\bmust\b|\bcannot\b|"
    r"\bcan't\b|\bcan only\b|\bonly (?:on|during|between|after|before)\b|\bout-of-hours\b|"
    r"\bweekends?\b|\bhard (?:deadline|date)\b|\bdeadline is hard\b|\bwon't (?:extend|accept)\b|"
    r"\bnot renewing\b|\bsign(?:s|ed)? off\b|\bsign-off\b|\bworks councils?\b|\bGDPR\b|"
    r"\bHIPAA\b|\bPCI\b|\bregulat\w+|\brequires?\b|\bnothing touching\b|\bno go-?live\b|"
    r"\bno \w+ changes\b|\bmaximum\b|\bat most\b|\bno later than\b|\bbusiest period\b|"
    r"\bpeak season\b|\bdata stays\b|\bresidency\b",
    re.I,
)
"""Words that make a sentence a constraint the plan must respect."""
