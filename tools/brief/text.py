"""A brief cut into sentences with their offsets, labels ("Scope:") and sections, and the
small text helpers every reader shares."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from tools.brief.model import BriefError, Freeze
from tools.brief.words import (
    _DEADLINE_SENTENCE,
    ABBREVIATIONS,
    BINARY_SHARE,
    HEADER_LINE,
    INJECTION,
    LABELS,
    MIN_WORDS,
    WORD_NUMBERS,
)
from tools.domain import Absence


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    line: int


@dataclass
class _Doc:
    """The text once cut up: sentences with offsets, and what every reader asks of them."""

    text: str
    sentences: list[_Sentence]
    starts: list[int]
    bold: list[tuple[int, int]]
    headers: list[tuple[int, int]]
    injected: set[int]
    labels: list[tuple[str | None, int]]
    lower: str
    memo: dict[tuple[str, int], int] = field(default_factory=dict)

    def context(self, index: int) -> int:
        """How much a sentence talks about deadlines (DEADLINE_SENTENCE), once per sentence."""
        key = ("context", index)
        if key not in self.memo:
            words = self.words(index)
            self.memo[key] = sum(w for p, w in _DEADLINE_SENTENCE if p.search(words))
        return self.memo[key]

    def at(self, offset: int) -> int:
        """Index of the sentence holding `offset` (the one before it if between two)."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def words(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start : s.end]

    def in_header(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.headers)

    def in_bold(self, start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in self.bold)

    def line_of(self, index: int) -> list[int]:
        line = self.sentences[index].line
        return [i for i, s in enumerate(self.sentences) if s.line == line]


@dataclass
class _Notes:
    """What the reading will quote and assume, gathered as the readers go."""

    quotes: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    def quote(self, key: str, text: str, start: int, end: int) -> None:
        span = text[start:end].strip().rstrip(".,;:").strip()
        if span and key not in self.quotes:
            self.quotes[key] = span

    def assume(self, words: str) -> None:
        if words not in self.assumptions:
            self.assumptions.append(words)


_SENTENCE_END = re.compile(r"[.!?]+(?:\*\*|__|[)\"'’”])*(?=\s+[\"'“*(\[A-Z])")

_LINE = re.compile(r"[^\n]+")

_BOLD = re.compile(r"\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__")

_LEAD = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:#{1,6}[ \t]+|[-*+•][ \t]+|\d{1,2}[.)][ \t]+)?")

_LABEL = re.compile(
    r"(?:\*\*|__)?(?P<label>[A-Za-z][A-Za-z /&'’-]{0,40}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*"
)


_LABEL_KEYS = tuple((key, re.compile(pattern)) for key, pattern in LABELS)


def split_sentences(text: str) -> list[_Sentence]:
    """Cut each line into sentences, keeping offsets so every fact can quote its span."""
    out: list[_Sentence] = []
    for line_no, line in enumerate(_LINE.finditer(text)):
        cuts = [line.start()]
        for end in _SENTENCE_END.finditer(text, line.start(), line.end()):
            before = text[max(line.start(), end.start() - 12) : end.start() + 1]
            word = re.search(r"(?<!\w)([A-Za-z.]+)\.$", before)
            stem = word.group(1).lower().rstrip(".") if word else ""
            if stem in ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
                continue
            cuts.append(end.end())
        cuts.append(line.end())
        for cut, next_cut in pairwise(cuts):
            a, b = cut, next_cut
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(_Sentence(a, b, line_no))
    return out


CARRIES_ON = re.compile(
    r"[\W_]*(?:also|and|then|plus|please|pls|add|make|set|report|include|remove|drop|treat|use|"
    r"put|change|mark|cut|show|list|give|keep|leave out|write|assume|pretend)\b",
    re.I,
)
"""How a sentence that carries on an instruction begins: a directive, or "also", "then"."""
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
"""An HTML comment: invisible in the rendered brief, so nothing in it is the PM's."""


def build_doc(text: str) -> _Doc:
    """Cut the text once; labels and injected sentences are looked up many times."""
    sentences = split_sentences(text)
    headers = [(m.start(), m.end()) for m in _LINE.finditer(text) if HEADER_LINE.match(m.group())]
    doc = _Doc(
        text=text,
        sentences=sentences,
        starts=[s.start for s in sentences],
        bold=[(m.start(), m.end()) for m in _BOLD.finditer(text)],
        headers=headers,
        injected=set(),
        labels=[],
        lower=lower_same_length(text),
    )
    hidden = [(m.start(), m.end()) for m in _COMMENT.finditer(text)]
    found = {
        i
        for i, s in enumerate(sentences)
        if INJECTION.search(doc.words(i)) or any(a < s.end and s.start < b for a, b in hidden)
    }
    # an instruction goes on in the sentences after it on its line that carry on telling
    # ("Override: ... Also add a risk ..."), not in a fact that follows ("... Deadline: 31 May.")
    for i in sorted(found):
        j = i + 1
        while (
            j < len(sentences)
            and sentences[j].line == sentences[i].line
            and CARRIES_ON.match(doc.words(j))
        ):
            found.add(j)
            j += 1
    doc.injected = found
    doc.labels = [label_of(doc.words(i)) for i in range(len(sentences))]
    return doc


def label_of(words: str) -> tuple[str | None, int]:
    """The section label a sentence starts with ("Scope:", "**Team:**") and where its content
    starts; (None, offset past bullets) when it has none."""
    lead = _LEAD.match(words)
    offset = lead.end() if lead else 0
    heading = words[:offset].lstrip(" \t>").startswith("#")
    m = _LABEL.match(words, offset)
    candidates = []
    if m:
        candidates.append((m.group("label"), m.end()))
    if heading:
        candidates.append((words[offset:].strip("*_ \t:"), len(words)))
    for label, end in candidates:
        name = label.strip().lower()
        for key, pattern in _LABEL_KEYS:
            if pattern.fullmatch(name):
                return key, end
    return None, offset


_BULLET = re.compile(r"[ \t>]*(?:[-*+•]|\d{1,2}[.)])[ \t]+")


def section(doc: _Doc, index: int, *, rest_of_line: bool = True) -> list[tuple[int, int]]:
    """The (sentence, content offset) pairs a label heads: its own content and, with
    `rest_of_line`, the rest of its line up to the next label; for a bare label ("## Scope",
    "Team:") the bullets under it, or else the one line under it."""
    _, offset = doc.labels[index]
    out = [(index, offset)]
    if doc.words(index)[offset:].strip():
        for j in doc.line_of(index):
            if j <= index or not rest_of_line:
                continue
            if doc.labels[j][0] is not None:
                break
            out.append((j, doc.labels[j][1]))
        return out
    bullets: bool | None = None
    for j in range(index + 1, len(doc.sentences)):
        if doc.labels[j][0] is not None:
            break
        if doc.sentences[j - 1].line != doc.sentences[j].line:
            is_bullet = bool(_BULLET.match(doc.words(j)))
            if bullets is None:
                bullets = is_bullet
            elif not (bullets and is_bullet):
                break
        out.append((j, doc.labels[j][1]))
    return out


def tidy(words: str) -> str:
    """Drop Markdown emphasis, bullets and quote marks a PM would not read aloud."""
    words = _LEAD.sub("", words)
    words = re.sub(r"\*\*|__|`", "", words)
    return re.sub(r"\s+", " ", words).strip()


def strip_parens(words: str) -> str:
    """The words outside closed parentheses ("2 plants (A and B), 1 DC" -> "2 plants , 1 DC");
    an unclosed "(" and what follows it are kept."""
    kept: list[str] = []
    opened: list[int] = []
    for ch in words:
        if ch == "(":
            opened.append(len(kept))
            kept.append(ch)
        elif ch == ")" and opened:
            del kept[opened.pop() :]
        else:
            kept.append(ch)
    return "".join(kept)


def split_top(words: str, *, on_and: bool = True) -> list[tuple[int, int]]:
    """Split at commas, semicolons (and " and ") outside parentheses: spans of the items."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(words):
        ch = words[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ",;":
            spans.append((start, i))
            start = i + 1
        elif depth == 0 and on_and and words.startswith(" and ", i):
            spans.append((start, i))
            start = i + 5
            i += 4
        i += 1
    spans.append((start, len(words)))
    out = []
    for a, b in spans:
        seg = words[a:b]
        lead = len(seg) - len(seg.lstrip(" .\t"))
        seg = seg.strip(" .\t")
        m = re.match(r"(?:and|or|plus)\s+", seg)
        if m:
            lead += m.end()
            seg = seg[m.end() :]
        if seg:
            out.append((a + lead, a + lead + len(seg)))
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufeff\u200b-\u200f]")


def check_readable(text: str) -> None:
    """Refuse what no planner could read: nothing, a binary file, or a few words."""
    if not isinstance(text, str) or not text.strip():
        raise BriefError("brief", "the brief is empty")
    odd = len(_CONTROL.findall(text))
    if "\x00" in text or odd > BINARY_SHARE * len(text):
        raise BriefError("brief", "this looks like a binary file, not a brief")
    words = re.findall(r"\w+", text)
    if len(words) < MIN_WORDS:
        raise BriefError(
            "brief",
            f"the brief is too short to plan from ({len(words)} words): say what, by when, "
            "with what budget and team",
        )


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,12}(?:\.\d{1,4})?"

_WORD_NUM = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))


def to_number(token: str) -> Decimal | None:
    """A count as written: digits with separators, or a word number ("two", "a dozen")."""
    token = token.strip().lower()
    if token in WORD_NUMBERS:
        return Decimal(WORD_NUMBERS[token])
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


def clip(words: str, limit: int) -> str:
    """Cut to `limit` characters at a word boundary (a model field's maximum)."""
    words = words.strip()
    if len(words) <= limit:
        return words
    cut = words[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return (cut or words[: limit - 1]) + "…"


_GREETING_ONLY = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon)|morning|hallo|bonjour|hej|greetings)"
    r"(?:\s+[\w'’-]+){0,3}\s*[,!.:]?\s*$",
    re.I,
)


def is_noise(doc: _Doc, index: int) -> bool:
    """Header lines, separators, bare labels and a greeting on its own ("Hello,", "Dear
    Thomas,"): not prose a goal or title is read from."""
    s = doc.sentences[index]
    words = doc.words(index)
    if doc.in_header(s.start) or not re.search(r"[A-Za-z]{2}", words):
        return True
    if _GREETING_ONLY.match(words):
        return True
    key, offset = label_of(words)
    return key is not None and not words[offset:].strip()


_YEAR = r"(?:19|20|21)\d{2}"


@dataclass
class _Dates:
    """Everything dated in a brief, filled in by the date readers."""

    start: date
    deadline: date | None = None
    milestones: list[tuple[str, date]] = field(default_factory=list)
    freezes: list[Freeze] = field(default_factory=list)
    absences: list[tuple[int, Absence]] = field(default_factory=list)
    """(sentence index, absence): matched to the people named in that sentence."""


def shift(day: date, days: int) -> date:
    """`day` moved by `days`, held at the calendar's ends rather than overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def next_monday(today: date) -> date:
    """The default start: projects start on a Monday, today if it is one."""
    return shift(today, (7 - today.weekday()) % 7)


@dataclass(frozen=True)
class _Phrase:
    key: int
    """Index of the table row it came from."""
    pattern: re.Pattern[str]
    exact: bool
    """Matched against the text as written; else against its lower case."""


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex ("a|b(c|d)" -> ["a", "b(c|d)"])."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def compile_phrases(patterns: list[str]) -> tuple[_Phrase, ...]:
    """One regex per alternative, its leading \\b dropped so that the engine can jump to its
    first letters (a leading \\b or a long alternation makes it try every position)."""
    out = []
    for key, pattern in enumerate(patterns):
        for alt in split_alternatives(pattern):
            body = alt.removeprefix("\\b")
            exact = any(ch.isupper() for ch in re.sub(r"\\.", "", body))
            out.append(_Phrase(key, re.compile(body), exact))
    return tuple(out)


def lower_same_length(text: str) -> str:
    """Lower case with every offset kept (a few letters grow when lowered: keep those)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def find_phrases(phrases: tuple[_Phrase, ...], text: str, lower: str) -> list[tuple[int, int, int]]:
    """(row, start, end) of every match that starts a word."""
    found = []
    for phrase in phrases:
        hay = text if phrase.exact else lower
        for m in phrase.pattern.finditer(hay):
            at = m.start()
            if at and (hay[at - 1].isalnum() or hay[at - 1] == "_"):
                continue
            found.append((phrase.key, at, m.end()))
    return found
