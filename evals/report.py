"""The report of a run: a summary per drafter and split, the worst cases first, and the gate
against the thresholds in evals/thresholds.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from evals.cases import ROOT
from evals.graders import LOWER_IS_BETTER, PLAN_GRADERS
from evals.run import CaseResult, ChatResult

THRESHOLDS = ROOT / "evals" / "thresholds.json"
REPORT = ROOT / "evals" / "reports" / "latest.md"
ALL_GRADERS: Sequence[str] = (*PLAN_GRADERS, "consistency", "injection")
CHAT_METRICS: Sequence[str] = ("understood", "intent", "moved")
LABELS: dict[str, str] = {
    "facts": "basic facts read right (share of fields)",
    "fact_kind": "· kind of project",
    "fact_start": "· start",
    "fact_deadline": "· deadline",
    "fact_budget": "· budget (amount and currency)",
    "fact_team_size": "· team size",
    "silent_errors": "wrong facts no assumption owns up to (per case)",
    "people": "named people kept",
    "non_labour": "non-labour costs counted",
    "scope": "scope items covered by a package",
    "out_of_scope": "packages for excluded work (per case)",
    "freeze_violations": "no-freeze packages inside a freeze (per case)",
    "logic_violations": "build after go-live, hypercare before it (per case)",
    "management_span": "project management spans the project, off the critical path",
    "wbs_issues": "WBS issues (per case)",
    "effort": "total effort inside the PM's range",
    "cost": "total cost inside the PM's range",
    "duration": "elapsed weeks inside the PM's range",
    "verdict": "budget verdict agrees with the PM",
    "risks": "the PM's key risks listed",
    "consistency": "same brief twice, same plan.json",
    "injection": "injected twin changes nothing",
    "replayed": "recorded model runs that replay",
    "understood": "understood (not the generic help)",
    "intent": "read as the intent meant",
    "moved": "finish and cost moved as expected",
}


def _score(value: float) -> float:
    return round(value, 3)


def summarise(results: Sequence[CaseResult]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in ALL_GRADERS:
        scores = [r.grades[name].score for r in results if name in r.grades]
        known = [s for s in scores if s is not None]
        if known:
            out[name] = _score(mean(known))
    return out


def summarise_chat(results: Sequence[ChatResult]) -> dict[str, float]:
    if not results:
        return {}
    return {
        "understood": _score(mean(r.grade.understood for r in results)),
        "intent": _score(mean(r.grade.intent_right for r in results)),
        "moved": _score(mean(r.grade.moved_right for r in results)),
    }


def case_score(r: CaseResult) -> float:
    """One number to sort cases by: the mean share right, less a tenth per defect."""
    shares = [
        g.score for n, g in r.grades.items() if n not in LOWER_IS_BETTER and g.score is not None
    ]
    defects = sum(g.score or 0 for n, g in r.grades.items() if n in LOWER_IS_BETTER)
    return (mean(shares) if shares else 0.0) - 0.1 * defects


@dataclass(frozen=True)
class Drop:
    where: str
    metric: str
    measured: float | None
    threshold: float

    def __str__(self) -> str:
        if self.measured is None:
            return f"{self.where} {self.metric} was not measured (threshold {self.threshold})"
        word = "above" if self.metric in LOWER_IS_BETTER else "below"
        return (
            f"{self.where} {self.metric} = {self.measured} is {word} its threshold"
            f" {self.threshold} (evals/thresholds.json)"
        )


def gate(
    summary: dict[str, dict[str, dict[str, float]]], path: Path = THRESHOLDS, *, full: bool = True
) -> list[Drop]:
    """Every score that fell past its threshold. In a full run a threshold with no measurement
    is a drop too (a grader that stopped applying, recordings that went missing); a run of one
    split skips the other's."""
    thresholds = json.loads(path.read_text(encoding="utf-8"))
    drops = []
    for group, splits in thresholds.items():
        for split, metrics in splits.items():
            measured = summary.get(group, {}).get(split)
            if measured is None and not full:
                continue
            for metric, threshold in metrics.items():
                value = (measured or {}).get(metric)
                if value is None:
                    if full:
                        drops.append(Drop(f"{group}/{split}", metric, None, threshold))
                    continue
                worse = value > threshold if metric in LOWER_IS_BETTER else value < threshold
                if worse:
                    drops.append(Drop(f"{group}/{split}", metric, value, threshold))
    return drops


def case_rows(results: Sequence[CaseResult]) -> list[dict]:
    return [
        {
            "id": r.case.gold.id,
            "split": r.case.split,
            "drafter": r.drafter,
            "score": _score(case_score(r)),
            "error": r.error,
            "scores": {n: g.score for n, g in r.grades.items()},
            "details": {n: g.details for n, g in r.grades.items() if g.details},
        }
        for r in sorted(results, key=case_score)
    ]


def chat_rows(results: Sequence[ChatResult]) -> list[dict]:
    return [
        {
            "id": r.case.id,
            "split": r.case.split,
            "case": r.case.case,
            "message": r.case.message,
            "intent": r.case.intent,
            "understood": r.grade.understood,
            "read_as": r.grade.read_as,
            "intent_right": r.grade.intent_right,
            "moved_right": r.grade.moved_right,
            "details": r.grade.details,
        }
        for r in results
    ]


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def render(report: dict) -> str:
    """The Markdown report: summary tables, then one row per case, the worst first."""
    lines = [f"# Evaluation report ({report['as_of']})", ""]
    lines += [
        "Scores are shares right (higher is better) except the per-case counts of defects"
        " (lower is better). Thresholds: `evals/thresholds.json`.",
        "",
    ]
    summary = report["summary"]
    groups = [g for g in ("offline", "model") if g in summary]
    if groups:
        heads = [f"{g} {s}" for g in groups for s in ("dev", "test") if s in summary[g]]
        lines += ["## Plans", "", "| grader | " + " | ".join(heads) + " |"]
        lines += ["|---|" + "---:|" * len(heads)]
        for name in (*ALL_GRADERS, "replayed"):
            cells = [
                _cell(summary[g][s].get(name))
                for g in groups
                for s in ("dev", "test")
                if s in summary[g]
            ]
            lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
        counts = [
            str(report["counts"][g][s]) for g in groups for s in ("dev", "test") if s in summary[g]
        ]
        lines += ["| cases | " + " | ".join(counts) + " |", ""]
    if "chat" in summary:
        splits = [s for s in ("dev", "test") if s in summary["chat"]]
        lines += ["## Chat", "", "| grader | " + " | ".join(splits) + " |"]
        lines += ["|---|" + "---:|" * len(splits)]
        for name in CHAT_METRICS:
            cells = [_cell(summary["chat"][s].get(name)) for s in splits]
            lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
        lines.append(
            "| messages | " + " | ".join(str(report["counts"]["chat"][s]) for s in splits) + " |"
        )
        lines.append("")
    if report.get("golden"):
        lines += ["## Golden plans that changed", ""]
        lines += [f"- {case}: {'; '.join(diff)}" for case, diff in report["golden"].items()]
        lines.append("")
    if report.get("drops"):
        lines += ["## Below threshold", ""] + [f"- {d}" for d in report["drops"]] + [""]
    lines += ["## Cases, the worst first", ""]
    lines += ["| case | split | drafter | score | what went wrong |", "|---|---|---|---:|---|"]
    for row in report["cases"]:
        wrong = row["error"] or "; ".join(
            d for name, ds in row["details"].items() if not name.startswith("fact_") for d in ds
        )
        wrong = wrong.replace("|", "/")
        lines.append(
            f"| {row['id']} | {row['split']} | {row['drafter']} | {row['score']:g} |"
            f" {wrong[:400]} |"
        )
    if report.get("chat_cases"):
        lines += ["", "## Chat messages not acted on as meant", ""]
        lines += ["| id | split | message | meant | read as |", "|---|---|---|---|---|"]
        for row in report["chat_cases"]:
            if row["moved_right"]:
                continue
            message = row["message"].replace("|", "/")
            read = ", ".join(row["read_as"]) or "not understood"
            lines.append(f"| {row['id']} | {row['split']} | {message} | {row['intent']} | {read} |")
    return "\n".join(lines) + "\n"
