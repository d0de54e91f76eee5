"""Does calibration come true on projects it never saw? Coverage of P50/P80/P90 against SiP.

Fit a profile (`tools.calibration.fit`) on some tasks and check others: coverage is the
fraction of test tasks whose actual hours are <= the predicted quantile, so a calibrated P80
covers 0.80. The raw developer estimate is the baseline (read as a quantile, it covers ~0.64).

    python -m benchmarks.calibration --train TRAIN.csv --test TEST.csv --json
    python -m benchmarks.calibration --train sip.csv --test sip.csv --holdout-projects PC5,PC11
    python -m benchmarks.calibration --train sip.csv --test sip.csv --split-projects 4 --seed 1
    python -m benchmarks.calibration --train sip.csv --split-projects 4 --repeat 20 --json
    python -m benchmarks.calibration --train sip.csv --lopo [--json]
    python -m benchmarks.calibration --train sip.csv --write-profile knowledge/profiles/default.json

Plain `--train A --test B` fits on all of A and tests all of B (`overlap_projects` in the
output lists project codes found in both). With `--holdout-projects` (or `--split-projects K
--seed S`, which draws K projects of the train file at random), the fit uses only the train
file's other projects and the test only those projects of the test file. `--repeat N` runs N
such splits (seeds S..S+N-1) and summarises them. `--lopo` holds out each project of the
train file in turn and reports each one, the pooled result and the mean over projects.
`--write-profile` regenerates the shipped profile (fitted on all of --train, SiP citation).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.machine import describe_machine
from knowledge.history import SIP_SOURCE, read_history, save_profile
from tools.calibration import PROJECT_CAP, CalibrationProfile, HistoryRecord, distribution, fit

QUANTILES = {"p50": 0.5, "p80": 0.8, "p90": 0.9}
SIZE_BANDS_HOURS = (0.0, 1.0, 4.0, 16.0, float("inf"))
"""Estimate bands for coverage by task size: a calibration can be right on average only."""
TARGET_TOLERANCE = 0.03
SPLIT_KEYS = ("coverage_p50", "coverage_p80", "coverage_p90", "raw_estimate_coverage", "n_test")


@dataclass(frozen=True, slots=True)
class Predictions:
    """Test tasks with their actuals, raw estimates and calibrated quantiles (hours)."""

    actual: np.ndarray
    estimate: np.ndarray
    quantiles: dict[str, np.ndarray]
    mean: np.ndarray
    projects: tuple[str | None, ...]

    def select(self, sel: np.ndarray) -> Predictions:
        return Predictions(
            self.actual[sel],
            self.estimate[sel],
            {k: v[sel] for k, v in self.quantiles.items()},
            self.mean[sel],
            tuple(x for x, s in zip(self.projects, sel, strict=True) if s),
        )

    @staticmethod
    def concat(parts: Sequence[Predictions]) -> Predictions:
        return Predictions(
            actual=np.concatenate([p.actual for p in parts]),
            estimate=np.concatenate([p.estimate for p in parts]),
            quantiles={k: np.concatenate([p.quantiles[k] for p in parts]) for k in QUANTILES},
            mean=np.concatenate([p.mean for p in parts]),
            projects=tuple(x for p in parts for x in p.projects),
        )


def predict(profile: CalibrationProfile, tests: Sequence[HistoryRecord]) -> Predictions:
    u = np.array(list(QUANTILES.values()))
    dists = [
        distribution(profile, r.estimate_hours, category=r.category, subcategory=r.subcategory)
        for r in tests
    ]
    rows = np.array([d.draw(u) for d in dists]).reshape(len(tests), len(u))
    return Predictions(
        actual=np.array([r.actual_hours for r in tests]),
        estimate=np.array([r.estimate_hours for r in tests]),
        quantiles={k: rows[:, i] for i, k in enumerate(QUANTILES)},
        mean=np.array([d.mean() for d in dists]),
        projects=tuple(r.project for r in tests),
    )


def mre(actual: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    return np.abs(actual - predicted) / actual


def metrics(p: Predictions) -> dict[str, float | int]:
    """Coverage of each quantile and of the raw estimate; MdMRE and PRED(25) of P50 and raw."""
    out: dict[str, float | int] = {"n_test": int(p.actual.size)}
    for k, q in p.quantiles.items():
        out[f"coverage_{k}"] = float(np.mean(p.actual <= q))
    out["raw_estimate_coverage"] = float(np.mean(p.actual <= p.estimate))
    out["ties_actual_equals_estimate"] = float(np.mean(p.actual == p.estimate))
    out["mdmre_p50"] = float(np.median(mre(p.actual, p.quantiles["p50"])))
    out["raw_mdmre"] = float(np.median(mre(p.actual, p.estimate)))
    out["pred25_p50"] = float(np.mean(mre(p.actual, p.quantiles["p50"]) <= 0.25))
    out["raw_pred25"] = float(np.mean(mre(p.actual, p.estimate) <= 0.25))
    out["total_actual_over_mean"] = float(p.actual.sum() / p.mean.sum())
    out["total_actual_over_estimate"] = float(p.actual.sum() / p.estimate.sum())
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def by_size(p: Predictions) -> list[dict[str, object]]:
    """Coverage per estimate band: shows where the average hides a miss."""
    rows: list[dict[str, object]] = []
    for lo, hi in itertools.pairwise(SIZE_BANDS_HOURS):
        sel = (p.estimate > lo) & (p.estimate <= hi)
        if sel.any():
            part = p.select(sel)
            m = metrics(part)
            rows.append({"band_hours": f"({lo:g}, {hi:g}]", **m})
    return rows


def project_set(records: Sequence[HistoryRecord]) -> list[str]:
    return sorted({r.project for r in records if r.project}, key=_natural)


def _natural(code: str) -> tuple[str, int]:
    head = code.rstrip("0123456789")
    tail = code[len(head) :]
    return head, int(tail) if tail else -1


def split(
    train: Sequence[HistoryRecord], test: Sequence[HistoryRecord], holdout: set[str] | None
) -> tuple[list[HistoryRecord], list[HistoryRecord]]:
    if holdout is None:
        return list(train), list(test)
    return (
        [r for r in train if r.project not in holdout],
        [r for r in test if r.project in holdout],
    )


def fit_and_test(
    train: Sequence[HistoryRecord], test: Sequence[HistoryRecord], cap: float | None
) -> tuple[CalibrationProfile, Predictions, float]:
    t0 = time.perf_counter()
    profile = fit(train, source="benchmark", project_cap=cap)
    seconds = time.perf_counter() - t0
    return profile, predict(profile, test), seconds


def run_holdout(
    train: Sequence[HistoryRecord],
    test: Sequence[HistoryRecord],
    holdout: set[str] | None,
    cap: float | None,
) -> dict[str, object]:
    fit_on, test_on = split(train, test, holdout)
    if not test_on:
        raise SystemExit("no test tasks (check --holdout-projects against the test file)")
    profile, preds, seconds = fit_and_test(fit_on, test_on, cap)
    overlap = sorted(set(project_set(fit_on)) & set(project_set(test_on)), key=_natural)
    result: dict[str, object] = {
        "mode": "holdout",
        "n_train": len(fit_on),
        "train_projects": project_set(fit_on),
        "test_projects": project_set(test_on),
        "overlap_projects": overlap,
        **metrics(preds),
        "fit_seconds": round(seconds, 2),
        "chosen": {k: m.options.model_dump() for k, m in profile.levels.items()},
        "by_size": by_size(preds),
        "by_project": per_project(preds),
    }
    return result


def per_project(p: Predictions) -> dict[str, dict[str, float | int]]:
    out: dict[str, dict[str, float | int]] = {}
    for code in sorted({x for x in p.projects if x}, key=_natural):
        part = p.select(np.array([x == code for x in p.projects]))
        out[code] = metrics(part)
    return out


def run_lopo(records: Sequence[HistoryRecord], cap: float | None) -> dict[str, object]:
    """Hold out each project in turn; pooled over all held-out tasks, and the project mean."""
    parts: list[Predictions] = []
    seconds = 0.0
    for code in project_set(records):
        fit_on = [r for r in records if r.project != code]
        test_on = [r for r in records if r.project == code]
        _, preds, s = fit_and_test(fit_on, test_on, cap)
        parts.append(preds)
        seconds += s
    pooled = Predictions.concat(parts)
    projects = per_project(pooled)
    mean = {
        k: round(float(np.mean([m[k] for m in projects.values()])), 4)
        for k in ("coverage_p50", "coverage_p80", "coverage_p90", "raw_estimate_coverage")
    }
    return {
        "mode": "leave-one-project-out",
        "n_train": len(records),
        **metrics(pooled),
        "project_mean": mean,
        "fit_seconds_total": round(seconds, 2),
        "by_size": by_size(pooled),
        "by_project": projects,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True, help="history CSV to fit on (SiP or generic)")
    ap.add_argument("--test", help="history CSV to test on (default: the train file)")
    how = ap.add_mutually_exclusive_group()
    how.add_argument("--holdout-projects", help="comma-separated project codes to hold out")
    how.add_argument("--split-projects", type=int, metavar="K", help="hold out K random projects")
    how.add_argument("--lopo", action="store_true", help="leave each project out in turn")
    ap.add_argument("--seed", type=int, default=0, help="seed for --split-projects")
    ap.add_argument(
        "--repeat", type=int, default=1, help="with --split-projects: seeds SEED..SEED+N-1"
    )
    ap.add_argument(
        "--project-cap",
        type=float,
        default=PROJECT_CAP,
        help=f"tasks a project may weigh at most in the fit (default {PROJECT_CAP:g}; 0: none)",
    )
    ap.add_argument(
        "--write-profile",
        metavar="PATH",
        help="fit on all of --train and write the profile (with the SiP citation) to PATH",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    return ap.parse_args(argv)


def holdout_of(
    args: argparse.Namespace, train: Sequence[HistoryRecord], seed: int
) -> set[str] | None:
    if args.holdout_projects:
        return {p.strip() for p in args.holdout_projects.split(",") if p.strip()}
    if args.split_projects:
        codes = project_set(train)
        if not 0 < args.split_projects < len(codes):
            raise SystemExit(f"--split-projects must be between 1 and {len(codes) - 1}")
        rng = np.random.default_rng(seed)
        return set(rng.choice(codes, size=args.split_projects, replace=False).tolist())
    return None


def run_repeats(
    args: argparse.Namespace, train: Sequence[HistoryRecord], cap: float | None
) -> dict[str, object]:
    """Several random project splits: how much coverage moves with which projects are new."""
    runs = []
    for seed in range(args.seed, args.seed + args.repeat):
        r = run_holdout(train, train, holdout_of(args, train, seed), cap)
        runs.append({"seed": seed, **{k: r[k] for k in (*SPLIT_KEYS, "test_projects")}})
    summary = {
        k: {
            "mean": round(float(np.mean([r[k] for r in runs])), 4),
            "min": min(r[k] for r in runs),
            "max": max(r[k] for r in runs),
        }
        for k in SPLIT_KEYS
    }
    within = {
        f"within_{k}": sum(abs(r[f"coverage_{k}"] - QUANTILES[k]) <= TARGET_TOLERANCE for r in runs)
        for k in ("p50", "p80")
    }
    return {"mode": "repeated-split", "splits": len(runs), **summary, **within, "runs": runs}


def write_profile(
    train: Sequence[HistoryRecord], path: str, cap: float | None
) -> dict[str, object]:
    profile = fit(train, source="", project_cap=cap)
    profile = profile.model_copy(
        update={"source": SIP_SOURCE.format(n=profile.n_records, k=profile.n_projects)}
    )
    save_profile(profile, path)
    return {"mode": "write-profile", "path": path, "bytes": Path(path).stat().st_size}


def render(result: dict[str, object]) -> str:
    keys = (
        "coverage_p50",
        "coverage_p80",
        "coverage_p90",
        "raw_estimate_coverage",
        "mdmre_p50",
        "raw_mdmre",
        "pred25_p50",
        "raw_pred25",
    )
    if result["mode"] in ("repeated-split", "write-profile"):
        return json.dumps(result, indent=1)
    lines = [f"{result['mode']}: {result['n_test']} test tasks"]
    lines += [f"  {k:<22} {result[k]}" for k in keys]
    if "project_mean" in result:
        lines.append(f"  project mean           {result['project_mean']}")
    lines.append("  by project (p50 / p80 / p90 / raw coverage, n):")
    for code, m in result["by_project"].items():  # type: ignore[union-attr]
        lines.append(
            f"    {code:<6} {m['coverage_p50']:.3f} {m['coverage_p80']:.3f} "
            f"{m['coverage_p90']:.3f} {m['raw_estimate_coverage']:.3f} {m['n_test']}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cap = args.project_cap or None
    train = list(read_history(args.train).records)
    test = list(read_history(args.test).records) if args.test else train
    if args.write_profile:
        result = write_profile(train, args.write_profile, cap)
    elif args.lopo:
        result = run_lopo(train, cap)
    elif args.split_projects and args.repeat > 1:
        result = run_repeats(args, train, cap)
    else:
        result = run_holdout(train, test, holdout_of(args, train, args.seed), cap)
    result["machine"] = describe_machine(("numpy",))
    print(json.dumps(result) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
