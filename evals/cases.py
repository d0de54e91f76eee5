"""The evaluation cases on disk: gold files, their briefs, the dev/test split, chat cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from agent.service import PlanningService
from evals.gold import ChatCase, Gold, Split

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "evals" / "cases"
SPLIT = ROOT / "evals" / "split.json"
CHAT = ROOT / "evals" / "chat" / "messages.jsonl"


class CaseError(ValueError):
    """A case that cannot be graded: the message names the file and the field."""


@dataclass(frozen=True)
class Case:
    gold: Gold
    text: str
    split: Split


def _first_error(exc: ValidationError, where: str) -> CaseError:
    """The first field error, named by its path: what a person fixes first."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(whole)"
    return CaseError(f"{where}: {field}: {first['msg']}")


def _gold(path: Path) -> Gold:
    try:
        gold = Gold.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise _first_error(exc, path.name) from None
    if path.name != f"{gold.id}.gold.json":
        raise CaseError(f"{path.name}: id: {gold.id!r} does not match the file name")
    return gold


def brief_text(path: Path) -> str:
    """The brief as `pmpilot plan` reads it (a BOM dropped, line ends kept)."""
    return PlanningService.brief_text(path.read_bytes())


def check_gold(path: Path) -> Gold:
    """One gold file on its own: the schema, the file name and the brief it names."""
    gold = _gold(path)
    if not (ROOT / gold.brief).is_file():
        raise CaseError(f"{path.name}: brief: no file {gold.brief}")
    return gold


def load_split(path: Path = SPLIT) -> dict[str, Split]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Split] = {}
    for split in ("dev", "test"):
        for case_id in data[split]:
            if case_id in out:
                raise CaseError(f"split.json: {case_id} is in both splits")
            out[case_id] = split
    return out


def load_cases(folder: Path = CASES, split_file: Path = SPLIT) -> list[Case]:
    """Every case, validated, with its brief's text and its split; sorted by id."""
    split = load_split(split_file)
    cases = []
    for path in sorted(folder.glob("*.gold.json")):
        gold = check_gold(path)
        brief = ROOT / gold.brief
        if gold.id not in split:
            raise CaseError(f"{path.name}: the case is in neither split (evals/split.json)")
        cases.append(Case(gold, brief_text(brief), split[gold.id]))
    missing = sorted(set(split) - {c.gold.id for c in cases})
    if missing:
        raise CaseError(f"split.json names cases with no gold file: {', '.join(missing)}")
    return cases


def load_chat(path: Path = CHAT) -> list[ChatCase]:
    """The chat cases, one JSON object a line; CaseError names the line and the field."""
    if not path.is_file():
        raise CaseError(f"no chat cases: {path} is missing")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(ChatCase.model_validate_json(line))
        except ValidationError as exc:
            raise _first_error(exc, f"{path.name} line {n}") from None
    return out
