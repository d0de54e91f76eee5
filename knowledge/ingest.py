"""Importing lessons from CSV, JSON, JSONL and Markdown files.

An import is all-or-nothing: every row is read and validated first, and a file with any bad
row raises `IngestError` naming each bad row by line number, before anything is written. Only
then are records written (one transaction) and indexed.

- Ids: a row's `id` when it has one, else `L-` plus a hash of its normalised title and text,
  so importing the same file twice changes nothing (same id, same content hash).
- Near-duplicates: a new lesson whose embedding is within cosine `NEAR_DUPLICATE` of a lesson
  the tenant already has (or of an earlier row of the same file) is reported, not imported.
- Tenant: given by the caller (the CLI flag, the authenticated user), never chosen by the file;
  a row naming another tenant is an error.
- Fields missing from a row come from `defaults` (command line), then from the file's own
  defaults (a Markdown front-matter block), `created` from the injected `today`, `source`
  from the file name.

Markdown: one lesson per `##` heading (the title). Directly under the heading, optional
`key: value` lines set fields of that lesson (archetype, phase, category, impact, tags,
project, created, id); a paragraph starting `Recommendation:` is the recommendation; the rest
of the section is the text. A `---` block at the top of the file sets defaults for all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from knowledge.models import Lesson
from knowledge.seed_corpus import Progress, RecordStore
from knowledge.store import LessonsStore, check_tenant, content_hash, lesson_document

Format = Literal["csv", "json", "jsonl", "md"]
FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "md",
    ".markdown": "md",
}
NEAR_DUPLICATE = 0.95
"""Cosine at or above which a new lesson is taken as a rewording of one already held."""
MAX_LISTED = 20
EMBED_BATCH = 32
FIELDS = frozenset(Lesson.model_fields)
LIST_SEPARATORS = re.compile(r"[;,]")
_FRONT_MATTER_FENCE = "---"
_KEY_LINE = re.compile(r"^\s*[-*]?\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")
_RECOMMENDATION = re.compile(r"^\s*(?:\*\*)?recommendation:?(?:\*\*)?:?\s*", re.IGNORECASE)

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class RowIssue(BaseModel):
    """One problem with one row (line = where the row starts in the file)."""

    model_config = _FROZEN

    line: int
    field: str | None = None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f": {self.field}" if self.field else "")
        return f"{where}: {self.message}"


class IngestError(ValueError):
    """A file that cannot be imported, with every problem found; nothing was written."""

    def __init__(self, source: str, issues: Sequence[RowIssue]) -> None:
        self.source = source
        self.issues = list(issues)
        listed = "\n".join(f"  {i}" for i in self.issues[:MAX_LISTED])
        more = len(self.issues) - MAX_LISTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{source}: {len(self.issues)} problem(s), nothing imported:\n{listed}{tail}"
        )


class ParsedLesson(BaseModel):
    model_config = _FROZEN

    line: int
    lesson: Lesson


class NearDuplicate(BaseModel):
    model_config = _FROZEN

    line: int
    id: str
    title: str
    duplicate_of: str
    similarity: float


class ImportReport(BaseModel):
    model_config = _FROZEN

    tenant: str
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    near_duplicates: list[NearDuplicate]


# -- reading ----------------------------------------------------------------------------------


def detect_format(name: str, explicit: Format | None = None) -> Format:
    if explicit:
        return explicit
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the format of {name!r}: use --format csv|json|jsonl|md")
    return FORMATS[suffix]


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of a file (a BOM is dropped); IngestError naming the line otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(
            name, [RowIssue(line=line, message="not UTF-8 text: save the file as UTF-8")]
        ) from None


def parse_lessons(
    text: str,
    fmt: Format,
    *,
    tenant: str,
    today: date,
    source: str,
    defaults: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> list[ParsedLesson]:
    """Every lesson of a file, validated; IngestError listing every bad row otherwise.

    `source` is recorded in each lesson; `name` (default: `source`) labels the error."""
    check_tenant(tenant)
    issues: list[RowIssue] = []
    rows = list(_rows(text, fmt, issues))
    base = {"created": today.isoformat(), "source": source, **(defaults or {})}
    parsed: list[ParsedLesson] = []
    for line, row in rows:
        lesson = _validate(line, {**base, **row}, tenant, issues)
        if lesson is not None:
            parsed.append(ParsedLesson(line=line, lesson=lesson))
    issues.extend(_id_clashes(parsed))
    if not rows and not issues:
        issues.append(RowIssue(line=1, message="no lessons in the file"))
    if issues:
        raise IngestError(name or source, sorted(issues, key=lambda i: i.line))
    return parsed


def _rows(text: str, fmt: Format, issues: list[RowIssue]) -> Iterator[tuple[int, dict[str, Any]]]:
    readers: dict[Format, Callable[[str, list[RowIssue]], Iterator[tuple[int, dict[str, Any]]]]]
    readers = {"csv": _csv_rows, "json": _json_rows, "jsonl": _jsonl_rows, "md": _markdown_rows}
    return readers[fmt](text, issues)


def _csv_rows(text: str, issues: list[RowIssue]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows keyed by lower-cased header; empty cells left out (so defaults apply); list
    fields split on ';' or ','."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header:
        issues.append(RowIssue(line=1, message="empty file: expected a header row"))
        return
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        issues.append(RowIssue(line=1, message=f"unknown column(s): {', '.join(unknown)}"))
        return
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        issues.append(RowIssue(line=1, message=f"repeated column(s): {', '.join(repeated)}"))
        return
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            issues.append(
                RowIssue(line=line, message=f"{len(cells)} cells, the header has {len(header)}")
            )
            continue
        yield line, _cells(dict(zip(header, cells, strict=True)))


def _cells(row: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in row.items():
        value = raw.strip()
        if not value:
            continue
        out[key] = (
            [t.strip() for t in LIST_SEPARATORS.split(value) if t.strip()]
            if key == "tags"
            else value
        )
    return out


def _json_rows(text: str, issues: list[RowIssue]) -> Iterator[tuple[int, dict[str, Any]]]:
    """A JSON array of lesson objects (or {"lessons": [...]}), each with the line it starts on."""
    decoder = json.JSONDecoder()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        issues.append(RowIssue(line=exc.lineno, message=f"invalid JSON: {exc.msg}"))
        return
    items = doc.get("lessons") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        issues.append(RowIssue(line=1, message='expected a JSON array or {"lessons": [...]}'))
        return
    # Decode the array again element by element to learn where each starts.
    pos = text.index("[", text.index('"lessons"') if isinstance(doc, dict) else 0) + 1
    for _ in items:
        pos = _skip(text, pos, " \t\r\n,")
        item, end = decoder.raw_decode(text, pos)
        line = text.count("\n", 0, pos) + 1
        pos = end
        if not isinstance(item, dict):
            issues.append(RowIssue(line=line, message="expected an object"))
            continue
        yield line, item


def _skip(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _jsonl_rows(text: str, issues: list[RowIssue]) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            issues.append(RowIssue(line=line, message=f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(item, dict):
            issues.append(RowIssue(line=line, message="expected an object"))
            continue
        yield line, item


def _markdown_rows(text: str, issues: list[RowIssue]) -> Iterator[tuple[int, dict[str, Any]]]:
    lines = text.splitlines()
    front, first = _front_matter(lines, issues)
    sections = _sections(lines, first)
    if not sections:
        issues.append(RowIssue(line=1, message="no '## ' heading: one lesson per '##' section"))
    for line, title, body in sections:
        fields, rest = _leading_fields(body)
        text_part, recommendation = _split_recommendation(rest)
        row: dict[str, Any] = {**front, "title": title, "text": text_part, **fields}
        if recommendation:
            row["recommendation"] = recommendation
        yield line, row


def _front_matter(lines: list[str], issues: list[RowIssue]) -> tuple[dict[str, Any], int]:
    """Defaults from a `---` block at the top; the index of the first line after it."""
    if not lines or lines[0].strip() != _FRONT_MATTER_FENCE:
        return {}, 0
    fields: dict[str, Any] = {}
    for i, raw in enumerate(lines[1:], start=1):
        if raw.strip() == _FRONT_MATTER_FENCE:
            return fields, i + 1
        match = _KEY_LINE.match(raw)
        if match and match.group(1).lower() in FIELDS:
            fields[match.group(1).lower()] = _field_value(match.group(1).lower(), match.group(2))
        elif raw.strip():
            issues.append(RowIssue(line=i + 1, message=f"front matter: cannot read {raw!r}"))
    issues.append(RowIssue(line=1, message="front matter: no closing '---'"))
    return fields, len(lines)


def _sections(lines: list[str], first: int) -> list[tuple[int, str, list[str]]]:
    """(line number, heading, body lines) of every `## ` section."""
    sections: list[tuple[int, str, list[str]]] = []
    for i in range(first, len(lines)):
        raw = lines[i]
        if raw.startswith("## "):
            sections.append((i + 1, raw[3:].strip(), []))
        elif sections:
            sections[-1][2].append(raw)
    return sections


def _leading_fields(body: list[str]) -> tuple[dict[str, Any], list[str]]:
    """`key: value` lines that open a section (known field names only), and the rest."""
    fields: dict[str, Any] = {}
    i = 0
    while i < len(body) and not body[i].strip():
        i += 1
    while i < len(body):
        match = _KEY_LINE.match(body[i])
        if not match or match.group(1).lower() not in FIELDS - {"text", "title"}:
            break
        fields[match.group(1).lower()] = _field_value(match.group(1).lower(), match.group(2))
        i += 1
    return fields, body[i:]


def _field_value(key: str, value: str) -> Any:
    if key == "tags":
        return [t.strip() for t in LIST_SEPARATORS.split(value) if t.strip()]
    return value


def _split_recommendation(body: list[str]) -> tuple[str, str]:
    """The section text and the paragraph(s) from a line starting 'Recommendation:' on."""
    for i, raw in enumerate(body):
        if _RECOMMENDATION.match(raw) and raw.strip():
            head = _RECOMMENDATION.sub("", raw, count=1)
            return _join(body[:i]), _join([head, *body[i + 1 :]])
    return _join(body), ""


def _join(lines: Sequence[str]) -> str:
    return "\n".join(lines).strip()


# -- validation -------------------------------------------------------------------------------


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def derive_id(title: str, text: str) -> str:
    """A stable id from content: the same lesson imported twice gets the same id."""
    digest = hashlib.sha256(f"{normalise(title)}\n{normalise(text)}".encode()).hexdigest()
    return f"L-{digest[:12]}"


def _validate(line: int, row: dict[str, Any], tenant: str, issues: list[RowIssue]) -> Lesson | None:
    if row.get("tenant", tenant) != tenant:
        issues.append(
            RowIssue(
                line=line,
                field="tenant",
                message=f"{row['tenant']!r} differs from the import's tenant {tenant!r}",
            )
        )
        return None
    row["tenant"] = tenant
    if "id" not in row and isinstance(row.get("title"), str) and isinstance(row.get("text"), str):
        row["id"] = derive_id(row["title"], row["text"])
    try:
        return Lesson.model_validate(row)
    except ValidationError as exc:
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"]) or None
            issues.append(RowIssue(line=line, field=field, message=e["msg"]))
        return None


def _id_clashes(parsed: Sequence[ParsedLesson]) -> list[RowIssue]:
    """Two rows with one id and different content: which one is meant cannot be guessed."""
    seen: dict[str, ParsedLesson] = {}
    issues: list[RowIssue] = []
    for p in parsed:
        first = seen.setdefault(p.lesson.id, p)
        if first is not p and content_hash(first.lesson) != content_hash(p.lesson):
            issues.append(
                RowIssue(
                    line=p.line,
                    field="id",
                    message=f"{p.lesson.id} is also used by line {first.line} for another lesson",
                )
            )
    return issues


# -- importing --------------------------------------------------------------------------------


def import_lessons(
    parsed: Sequence[ParsedLesson],
    records: RecordStore,
    index: LessonsStore,
    tenant: str,
    *,
    threshold: float = NEAR_DUPLICATE,
    progress: Progress | None = None,
) -> ImportReport:
    """Write the new and changed lessons (records, then index); report the rest.

    `index` must be in step with `records` (the caller runs the startup check first): the
    near-duplicate check reads it."""
    ids = sorted({p.lesson.id for p in parsed})
    held = {x.id: x for x in records.lessons([(tenant, i) for i in ids])}
    unchanged, updated, new = _classify(parsed, held)
    vectors = _embed(index, [p.lesson for p in new], progress)
    keep, duplicates = _near_duplicates(new, vectors, index, tenant, threshold)
    to_write = [p.lesson for p in updated] + [new[i].lesson for i in keep]
    records.write(to_write)
    index.upsert_lessons([new[i].lesson for i in keep], vectors[keep] if keep else None)
    index.upsert_lessons([p.lesson for p in updated])
    return ImportReport(
        tenant=tenant,
        added=[new[i].lesson.id for i in keep],
        updated=[p.lesson.id for p in updated],
        unchanged=unchanged,
        near_duplicates=duplicates,
    )


def _classify(
    parsed: Sequence[ParsedLesson], held: Mapping[str, Lesson]
) -> tuple[list[str], list[ParsedLesson], list[ParsedLesson]]:
    """Split rows into unchanged ids, updates of held lessons, and new lessons (the first row
    of each id). Unchanged means the same substance: a file imported again on another day,
    or under another name, gets another default `created` and `source` but changes nothing."""
    unchanged: list[str] = []
    updated: list[ParsedLesson] = []
    new: list[ParsedLesson] = []
    seen: set[str] = set()
    for p in parsed:
        if p.lesson.id in seen:
            continue
        seen.add(p.lesson.id)
        current = held.get(p.lesson.id)
        if current is None:
            new.append(p)
        elif substance(current) == substance(p.lesson):
            unchanged.append(p.lesson.id)
        else:
            updated.append(p)
    return unchanged, updated, new


def substance(lesson: Lesson) -> str:
    """The content hash of a lesson without its provenance (`created`, `source`)."""
    return content_hash(lesson.model_copy(update={"created": date.min, "source": ""}))


def _embed(index: LessonsStore, lessons: Sequence[Lesson], progress: Progress | None) -> np.ndarray:
    chunks: list[np.ndarray] = []
    for start in range(0, len(lessons), EMBED_BATCH):
        batch = lessons[start : start + EMBED_BATCH]
        chunks.append(index.embed([lesson_document(x) for x in batch]))
        if progress:
            progress(start + len(batch), len(lessons))
    return np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)


def _near_duplicates(
    new: Sequence[ParsedLesson],
    vectors: np.ndarray,
    index: LessonsStore,
    tenant: str,
    threshold: float,
) -> tuple[list[int], list[NearDuplicate]]:
    """Indices of `new` to import, and the near-duplicates (of held lessons or of an earlier
    row of the same file) left out."""
    nearest = index.nearest_lessons(vectors, tenant)
    keep: list[int] = []
    duplicates: list[NearDuplicate] = []
    for i, p in enumerate(new):
        best_id, best = (nearest[i].id, nearest[i].vector_score) if nearest[i] else ("", -1.0)
        if keep:
            sims = vectors[keep] @ vectors[i]
            j = int(np.argmax(sims))
            if float(sims[j]) > best:
                best_id, best = new[keep[j]].lesson.id, float(sims[j])
        if best >= threshold:
            duplicates.append(
                NearDuplicate(
                    line=p.line,
                    id=p.lesson.id,
                    title=p.lesson.title,
                    duplicate_of=best_id,
                    similarity=round(best, 4),
                )
            )
        else:
            keep.append(i)
    return keep, duplicates
