"""Estimate-versus-actual history from CSV, and calibration profiles on disk.

Two CSV layouts are read (header names match case-insensitively, in any order, extra columns
ignored):

- SiP (Jones & Cullum, arXiv:1901.01621): HoursEstimate, HoursActual, Category, SubCategory,
  ProjectCode, Summary, ...
- generic: estimate, actual[, category, subcategory, project, text] (hours).

Nothing is dropped silently. A bad file raises `HistoryError` listing every bad row with its
line number: a missing column, a non-numeric, infinite or negative hours value. A row whose
estimate or actual is exactly zero is not an error (a task cancelled before any work is real
history) but has no ratio to learn from, so it is *skipped*: `History.skipped` lists each one
with its line number, and the calibration report counts them.
"""

from __future__ import annotations

import csv
import io
import math
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.calibration import CalibrationProfile, HistoryRecord, Level, fit

Format = Literal["sip", "generic"]
RecordField = Literal["estimate", "actual", "category", "subcategory", "project", "text"]

COLUMNS: dict[Format, dict[RecordField, str]] = {
    "sip": {
        "estimate": "HoursEstimate",
        "actual": "HoursActual",
        "category": "Category",
        "subcategory": "SubCategory",
        "project": "ProjectCode",
        "text": "Summary",
    },
    "generic": {
        "estimate": "estimate",
        "actual": "actual",
        "category": "category",
        "subcategory": "subcategory",
        "project": "project",
        "text": "text",
    },
}
"""Where each HistoryRecord field comes from in each layout."""
HOURS: tuple[RecordField, ...] = ("estimate", "actual")
"""The required columns; the others are read when present."""
MAX_LISTED = 20
"""Issues spelled out in an error message; `HistoryError.issues` always has all of them."""
DEFAULT_PROFILE = ("profiles", "default.json")
SIP_SOURCE = (
    "Jones & Cullum, arXiv:1901.01621: the SiP dataset (public repository "
    "Derek-Jones/SiP_dataset), {n} tasks from {k} projects of one software company, "
    "2004-2014. Fitted parameters only; the tasks themselves are not shipped."
)
"""Citation of the shipped profile; `{n}` tasks and `{k}` projects are filled in at fit."""

UNUSED_OPTIONS: dict[Level, tuple[str, ...]] = {
    "global": ("category_shrinkage", "subcategory_shrinkage"),
    "category": ("subcategory_shrinkage",),
    "subcategory": (),
}
"""Options that cannot matter at a level (it has no such effects): left out of the report."""

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class RowIssue(BaseModel):
    """A problem with one line of a history file (line 1 is the header)."""

    model_config = _FROZEN

    line: int = Field(ge=1)
    column: str | None = None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class HistoryError(ValueError):
    """A history file that cannot be read as a whole; `issues` names every bad row."""

    def __init__(self, source: str, issues: list[RowIssue]) -> None:
        self.source = source
        self.issues = issues
        listed = "\n".join(f"  {i}" for i in issues[:MAX_LISTED])
        more = len(issues) - MAX_LISTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        count = f"{len(issues)} problem" + ("s" if len(issues) != 1 else "")
        super().__init__(f"invalid history {source} ({count}):\n{listed}{tail}")


class History(BaseModel):
    """The records read from a file, its layout, and the rows skipped for zero hours."""

    model_config = _FROZEN

    source: str
    format: Format
    records: tuple[HistoryRecord, ...]
    skipped: tuple[RowIssue, ...] = ()


class LevelSummary(BaseModel):
    model_config = _FROZEN

    level: Level
    options: str
    score: float
    raw_score: float
    mean_ratio: float
    effects: int


class CalibrationReport(BaseModel):
    """What `calibrate_file` read and chose, for a person to check before trusting it."""

    model_config = _FROZEN

    source: str
    format: Format
    records: int
    skipped: int
    skipped_lines: tuple[int, ...]
    projects: int
    validation: str
    folds: int
    levels: tuple[LevelSummary, ...]

    def summary(self) -> str:
        """A few lines for a terminal: what was read, what was skipped, how much it helps."""
        lines = [
            f"{self.records} tasks from {self.projects} projects ({self.format} layout); "
            f"{self.skipped} skipped for zero hours",
            f"validated {self.validation}, {self.folds} folds; "
            "pinball loss on ln(actual/estimate), lower is better:",
        ]
        lines += [
            f"  {s.level:<11} {s.score:.4f} (raw estimate {s.raw_score:.4f}); "
            f"actual/mean {s.mean_ratio:.2f}; {s.options}"
            for s in self.levels
        ]
        return "\n".join(lines)


# --- reading ---------------------------------------------------------------------------------


def _detect(header: list[str], source: str) -> tuple[Format, dict[RecordField, int]]:
    """The layout and the column index of each field present."""
    index = {name.strip().casefold(): i for i, name in enumerate(header)}
    for fmt, columns in COLUMNS.items():
        if all(columns[f].casefold() in index for f in HOURS):
            return fmt, {
                f: index[col.casefold()] for f, col in columns.items() if col.casefold() in index
            }
    wanted = " or ".join("/".join(COLUMNS[fmt][f] for f in HOURS) for fmt in COLUMNS)
    got = ", ".join(h.strip() for h in header) or "(empty)"
    raise HistoryError(
        source, [RowIssue(line=1, message=f"missing columns: need {wanted}; header has {got}")]
    )


def _hours(raw: str, line: int, column: str) -> tuple[float | None, RowIssue | None]:
    """Parse an hours value; None plus an issue when it is not a finite number >= 0."""
    text = raw.strip()
    try:
        value = float(text)
    except ValueError:
        return None, RowIssue(line=line, column=column, message=f"not a number: {text!r}")
    if not math.isfinite(value):
        return None, RowIssue(line=line, column=column, message=f"not a finite number: {text!r}")
    if value < 0:
        return None, RowIssue(line=line, column=column, message=f"negative hours: {text}")
    return value, None


def _text(row: list[str], at: int | None) -> str | None:
    if at is None or at >= len(row):
        return None
    return row[at].strip() or None


def _record(
    row: list[str], line: int, fmt: Format, at: dict[RecordField, int]
) -> tuple[HistoryRecord | None, list[RowIssue], RowIssue | None]:
    """One data row: the record, or its errors, or the reason it is skipped."""
    issues: list[RowIssue] = []
    values: dict[str, float] = {}
    for f in HOURS:
        column = COLUMNS[fmt][f]
        if at[f] >= len(row) or not row[at[f]].strip():
            issues.append(RowIssue(line=line, column=column, message="missing value"))
            continue
        value, issue = _hours(row[at[f]], line, column)
        if issue is not None:
            issues.append(issue)
        elif value is not None:
            values[f] = value
    if issues:
        return None, issues, None
    zero = [COLUMNS[fmt][f] for f in HOURS if values[f] == 0]
    if zero:
        skip = RowIssue(line=line, column=", ".join(zero), message="zero hours: no ratio")
        return None, [], skip
    record = HistoryRecord(
        estimate_hours=values["estimate"],
        actual_hours=values["actual"],
        category=_text(row, at.get("category")),
        subcategory=_text(row, at.get("subcategory")),
        project=_text(row, at.get("project")),
        text=_text(row, at.get("text")),
    )
    return record, [], None


def parse_history(text: str, source: str = "<text>") -> History:
    """Read history from CSV text. Raises HistoryError naming every bad line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise HistoryError(source, [RowIssue(line=1, message=f"not CSV: {exc}")]) from exc
    if header is None:
        raise HistoryError(source, [RowIssue(line=1, message="empty file: no header")])
    fmt, at = _detect(header, source)
    records: list[HistoryRecord] = []
    issues: list[RowIssue] = []
    skipped: list[RowIssue] = []
    line = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                record, errors, skip = _record(row, line, fmt, at)
                issues += errors
                skipped += [skip] if skip else []
                records += [record] if record else []
            line = reader.line_num + 1
    except csv.Error as exc:
        issues.append(RowIssue(line=line, message=f"not CSV: {exc}"))
    if issues:
        raise HistoryError(source, issues)
    if not records:
        raise HistoryError(source, [RowIssue(line=line, message="no usable rows")])
    return History(source=source, format=fmt, records=tuple(records), skipped=tuple(skipped))


def read_history(path: str | os.PathLike[str]) -> History:
    """Read a history CSV file (UTF-8, a byte-order mark allowed)."""
    p = Path(path)
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        issue = RowIssue(line=line, message=f"not UTF-8 (byte {exc.start}); save it as UTF-8")
        raise HistoryError(p.name, [issue]) from exc
    return parse_history(text, source=p.name)


# --- profiles --------------------------------------------------------------------------------


def load_profile(path: str | os.PathLike[str]) -> CalibrationProfile:
    """A profile written by `save_profile` (or `pmpilot calibrate`)."""
    return CalibrationProfile.model_validate_json(Path(path).read_bytes())


@cache
def default_profile() -> CalibrationProfile:
    """The shipped profile, fitted on the public SiP history (its `source` says so); read
    once, since profiles are immutable."""
    resource = resources.files("knowledge").joinpath(*DEFAULT_PROFILE)
    return CalibrationProfile.model_validate_json(resource.read_bytes())


def organisation_profile(path: str | os.PathLike[str]) -> CalibrationProfile:
    """The profile fitted on the organisation's own history (`pmpilot calibrate` writes it to
    `path`) when there is one, else the shipped default. ValueError for an unreadable file."""
    return load_profile(path) if Path(path).is_file() else default_profile()


def save_profile(profile: CalibrationProfile, path: str | os.PathLike[str]) -> None:
    """Write a profile as JSON atomically: a reader never sees half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as out:
            out.write(profile.model_dump_json() + "\n")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def report(history: History, profile: CalibrationProfile) -> CalibrationReport:
    return CalibrationReport(
        source=history.source,
        format=history.format,
        records=len(history.records),
        skipped=len(history.skipped),
        skipped_lines=tuple(s.line for s in history.skipped),
        projects=profile.n_projects,
        validation=profile.validation,
        folds=profile.folds,
        levels=tuple(
            LevelSummary(
                level=level,
                options=_describe(level, model.options.model_dump()),
                score=model.score,
                raw_score=model.raw_score,
                mean_ratio=model.mean_ratio,
                effects=len(model.effects),
            )
            for level, model in profile.levels.items()
        ),
    )


def _describe(level: Level, options: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items() if k not in UNUSED_OPTIONS[level])


def calibrate_file(
    path: str | os.PathLike[str], source: str | None = None
) -> tuple[CalibrationProfile, CalibrationReport]:
    """Read a history CSV and fit a profile: what `pmpilot calibrate HISTORY.csv` runs.

    Raises HistoryError (bad rows, with line numbers) or CalibrationError (too little history).
    """
    history = read_history(path)
    cite = source or f"fitted by pmpilot on {history.source}"
    profile = fit(list(history.records), source=cite)
    return profile, report(history, profile)
