"""How close and how fast is `tools.rcpsp.level` on PSPLIB, and how far does CP-SAT improve
the heuristic on larger generated instances?

PSPLIB (Kolisch & Sprecher, EJOR 96(1), 1997) publishes single-mode RCPSP instances with
their optimal makespans; j30 (30 jobs, 4 resources) is solved to optimality, so the gap of
every schedule to the optimum is exact. Each instance is levelled, the schedule is checked
with `tools.rcpsp.check` (an infeasible schedule counts as a failure, not as a gap), and the
heuristic's own makespan is kept beside the final one.

With `--generate N --jobs 60|120`, N random ProGen-like instances (4 resources, 1-3
successors per job, durations 1-10, resource factor and strength varied as in PSPLIB) are
levelled instead; they have no known optima, so the report is the heuristic's and CP-SAT's
makespans and their gaps to the best lower bound (CP-SAT's, else critical path and energy).

Seconds are wall time of `level` per instance: the heuristic plus CP-SAT's time limit.
One pass each of serial and parallel SGS with LFT is also reported, as the classic
single-pass baselines.

    python -m benchmarks.psplib --instances ../shared/data/psplib/j30 \
        --optimum ../shared/data/psplib/j30/optimum.csv --json
    python -m benchmarks.psplib --generate 10 --jobs 60 --seed 1 --json
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.machine import describe_machine
from tools.rcpsp import (
    Instance,
    Job,
    Levelled,
    Precedence,
    check,
    level,
    makespan,
    parallel_sgs,
    serial_sgs,
)

DEFAULT_TIME_LIMIT_S = 1.0


class FormatError(ValueError):
    """A PSPLIB file does not have the sections this reader expects."""


# ---------------------------------------------------------------------- reading PSPLIB


def _section(lines: list[str], title: str) -> int:
    for i, line in enumerate(lines):
        if line.strip().startswith(title):
            return i
    raise FormatError(f"no section {title!r}")


def _rows(lines: list[str], first: int) -> list[list[int]]:
    """Integer rows from `first` until the next ruler of asterisks."""
    rows: list[list[int]] = []
    for line in lines[first:]:
        if line.startswith("*"):
            break
        if line.strip() and not line.startswith("-"):
            rows.append([int(x) for x in line.split()])
    return rows


def parse_sm(text: str) -> Instance:
    """A single-mode PSPLIB `.sm` file: jobs 1..n+2 with the dummy source and sink kept
    (zero duration and demand), finish-to-start precedences (delta = predecessor duration)."""
    lines = text.splitlines()
    successors = _rows(lines, _section(lines, "PRECEDENCE RELATIONS:") + 2)
    requests = _rows(lines, _section(lines, "REQUESTS/DURATIONS:") + 3)
    capacity = _rows(lines, _section(lines, "RESOURCEAVAILABILITIES:") + 2)[0]
    duration = {row[0]: row[2] for row in requests}
    jobs = tuple(Job(str(row[0]), row[2], tuple(row[3:])) for row in requests)
    precedences = tuple(
        Precedence(str(row[0]), str(succ), duration[row[0]])
        for row in successors
        for succ in row[3 : 3 + row[2]]
    )
    return Instance(jobs, precedences, tuple((c,) for c in capacity))


def read_optima(path: Path) -> dict[str, int]:
    """`problem,optimum` rows, problem being the file name (`j301_1.sm`)."""
    with path.open(newline="") as handle:
        return {row["problem"].strip(): int(row["optimum"]) for row in csv.DictReader(handle)}


# ---------------------------------------------------------------------- generating


def generate(jobs: int, rng: random.Random, rf: float, rs: float) -> Instance:
    """A ProGen-like instance (Kolisch, Sprecher & Drexl 1995): real jobs 1..n between a
    dummy source 0 and sink n+1; each real job gets 1-3 successors drawn among later jobs
    that have fewer than 3 predecessors (so the network stays wide, as ProGen's limits on
    both keep it); each uses each of 4 resources with probability `rf` (at least one),
    demands 1-10, durations 1-10; capacity = kmin + rs * (kmax - kmin), kmin the largest
    single demand and kmax the peak of the early-start schedule."""
    resources = 4
    real = range(1, jobs + 1)
    duration = {0: 0, jobs + 1: 0} | {j: rng.randint(1, 10) for j in real}
    succ: dict[int, set[int]] = {j: set() for j in range(jobs + 2)}
    preds = dict.fromkeys(real, 0)
    for j in real:
        later = [k for k in range(j + 1, jobs + 1) if preds[k] < MAX_ARCS]
        for k in rng.sample(later, min(len(later), rng.randint(1, MAX_ARCS))):
            succ[j].add(k)
            preds[k] += 1
    has_pred = {k for s in succ.values() for k in s}
    succ[0] = {j for j in real if j not in has_pred}
    for j in real:
        if not succ[j]:
            succ[j] = {jobs + 1}
    demand: dict[int, list[int]] = {0: [0] * resources, jobs + 1: [0] * resources}
    for j in real:
        uses = [rng.random() < rf for _ in range(resources)]
        if not any(uses):
            uses[rng.randrange(resources)] = True
        demand[j] = [rng.randint(1, 10) if u else 0 for u in uses]
    es = {j: 0 for j in range(jobs + 2)}
    for j in range(jobs + 2):  # indices are topological: successors are always later
        for k in succ[j]:
            es[k] = max(es[k], es[j] + duration[j])
    capacity = []
    for r in range(resources):
        kmin = max(demand[j][r] for j in real)
        usage = [0] * (max(es[j] + duration[j] for j in es) + 1)
        for j in real:
            for p in range(es[j], es[j] + duration[j]):
                usage[p] += demand[j][r]
        capacity.append((kmin + round(rs * (max(usage) - kmin)),))
    return Instance(
        tuple(Job(str(j), duration[j], tuple(demand[j])) for j in range(jobs + 2)),
        tuple(Precedence(str(j), str(k), duration[j]) for j in succ for k in sorted(succ[j])),
        tuple(capacity),
    )


MAX_ARCS = 3
RESOURCE_FACTORS = (0.25, 0.5, 0.75, 1.0)
# PSPLIB's resource strengths: j30 and j60 0.2-1.0; j120, made tighter, 0.1-0.5.
RESOURCE_STRENGTHS = (0.2, 0.5, 0.7, 1.0)
RESOURCE_STRENGTHS_J120 = (0.1, 0.2, 0.3, 0.4, 0.5)


def generated(count: int, jobs: int, seed: int) -> list[tuple[str, Instance]]:
    """Instances cycle through resource factor x strength, tightest strength first, so a
    short run has the hard cells."""
    rng = random.Random(seed)
    strengths = RESOURCE_STRENGTHS_J120 if jobs >= 120 else RESOURCE_STRENGTHS
    cells = [(rf, rs) for rs in strengths for rf in RESOURCE_FACTORS]
    out = []
    for i in range(count):
        rf, rs = cells[i % len(cells)]
        out.append((f"gen{jobs}_{i + 1}_rf{rf}_rs{rs}", generate(jobs, rng, rf, rs)))
    return out


# ---------------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    jobs: int
    seconds: float
    feasible: bool
    makespan: int
    heuristic_makespan: int | None
    lower_bound: int
    optimal: bool
    method: str
    optimum: int | None
    serial_lft: int  # one pass of each scheme with LFT: the classic single-pass baselines
    parallel_lft: int

    def gap_pct(self, value: int | None = None) -> float | None:
        """Above the optimum, in percent (of the final makespan unless given another)."""
        value = self.makespan if value is None else value
        return None if self.optimum is None else 100 * (value - self.optimum) / self.optimum

    def bound_gap_pct(self, value: int | None = None) -> float:
        """Above the lower bound, in percent: for instances with no known optimum."""
        value = self.makespan if value is None else value
        return 100 * (value - self.lower_bound) / max(self.lower_bound, 1)


def run_one(
    name: str, instance: Instance, optimum: int | None, args: argparse.Namespace
) -> Outcome:
    started = time.perf_counter()
    result: Levelled = level(
        instance, time_limit_s=args.time_limit, seed=args.seed, use_solver=not args.no_solver
    )
    seconds = time.perf_counter() - started
    return Outcome(
        name=name,
        jobs=len(instance.jobs),
        seconds=seconds,
        feasible=not check(instance, result.starts),
        makespan=result.makespan,
        heuristic_makespan=result.heuristic_makespan,
        lower_bound=result.lower_bound,
        optimal=result.optimal,
        method=result.method,
        optimum=optimum,
        serial_lft=makespan(instance, serial_sgs(instance, "LFT")),
        parallel_lft=makespan(instance, parallel_sgs(instance, "LFT")),
    )


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(outcomes: Sequence[Outcome]) -> dict[str, object]:
    """Gaps to the optimum where one is known, else to the lower bound; never both mixed."""
    seconds = [o.seconds for o in outcomes]
    summary: dict[str, object] = {
        "instances": len(outcomes),
        "feasible": sum(o.feasible for o in outcomes),
        "optimal_proven": sum(o.optimal for o in outcomes),
        "method_cpsat": sum(o.method == "cpsat" for o in outcomes),
        "median_seconds": statistics.median(seconds),
        "p95_seconds": _percentile(seconds, 0.95),
        "max_seconds": max(seconds),
        "total_seconds": sum(seconds),
    }
    gap = Outcome.gap_pct if all(o.optimum is not None for o in outcomes) else None
    if gap is not None:
        summary |= {
            "at_optimum": sum(o.makespan == o.optimum for o in outcomes),
            "heuristic_at_optimum": sum(o.heuristic_makespan == o.optimum for o in outcomes),
        }
        measures = {"": gap}
    else:
        measures = {"lower_bound_": Outcome.bound_gap_pct}
    for prefix, measure in measures.items():
        for label, value in {
            "": lambda o: o.makespan,
            "heuristic_": lambda o: o.heuristic_makespan,
            "serial_lft_": lambda o: o.serial_lft,
            "parallel_lft_": lambda o: o.parallel_lft,
        }.items():
            gaps = [measure(o, value(o)) for o in outcomes if value(o) is not None]
            summary[f"{label}mean_{prefix}gap_pct"] = statistics.fmean(gaps)
            summary[f"{label}max_{prefix}gap_pct"] = max(gaps)
    improved = [
        100 * (o.heuristic_makespan - o.makespan) / o.heuristic_makespan
        for o in outcomes
        if o.heuristic_makespan
    ]
    summary["mean_cpsat_improvement_pct"] = statistics.fmean(improved) if improved else 0.0
    return summary


def load(args: argparse.Namespace) -> list[tuple[str, Instance, int | None]]:
    if args.generate:
        return [(n, inst, None) for n, inst in generated(args.generate, args.jobs, args.seed)]
    optima = read_optima(args.optimum) if args.optimum else {}
    files = sorted(args.instances.glob("*.sm"), key=_natural)
    if args.limit:
        files = files[: args.limit]
    return [(f.name, read_sm(f), optima.get(f.name)) for f in files]


def read_sm(path: Path) -> Instance:
    """`parse_sm` on a file, with the file named in any error."""
    try:
        return parse_sm(path.read_text())
    except (ValueError, IndexError) as err:  # FormatError, int(), a short row, RcpspError
        raise FormatError(f"{path}: {err}") from err


def _natural(path: Path) -> tuple[int, ...]:
    """j301_2 before j301_10: PSPLIB names are parameter set and instance number."""
    digits = "".join(c if c.isdigit() else " " for c in path.stem)
    return tuple(int(x) for x in digits.split())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.psplib", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--instances", type=Path, help="folder of PSPLIB .sm files")
    source.add_argument("--generate", type=int, help="generate this many random instances")
    parser.add_argument("--optimum", type=Path, help="CSV with header problem,optimum")
    parser.add_argument("--jobs", type=int, default=60, help="jobs per generated instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S)
    parser.add_argument("--no-solver", action="store_true", help="heuristic only")
    parser.add_argument("--limit", type=int, help="only the first N instance files")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--details", action="store_true", help="with --json: every instance")
    args = parser.parse_args(argv)
    if args.instances is not None and not args.instances.is_dir():
        parser.error(f"{args.instances} is not a folder")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 1 when any schedule is infeasible (then no gap or time means anything), 2 when
    the instances cannot be read."""
    args = parse_args(argv)
    try:
        instances = load(args)
    except (FormatError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    outcomes = []
    for name, instance, optimum in instances:
        outcomes.append(run_one(name, instance, optimum, args))
        if not args.json:
            o = outcomes[-1]
            print(
                f"{o.name:<28} {o.makespan:>5} heur {o.heuristic_makespan!s:>5} "
                f"lb {o.lower_bound:>5} opt {o.optimum!s:>5} {o.method:<9} {o.seconds:7.3f}s"
                + ("" if o.feasible else "  INFEASIBLE"),
                flush=True,
            )
    if not outcomes:
        print("error: no instances", file=sys.stderr)
        return 1
    summary = summarise(outcomes)
    params = {
        "time_limit_s": args.time_limit,
        "seed": args.seed,
        "solver": not args.no_solver,
    }
    if args.generate:
        params |= {"generate": args.generate, "jobs": args.jobs}
    machine = describe_machine(("ortools",))
    report: dict[str, object] = summary | {"params": params, "machine": machine}
    if args.details:
        report["details"] = [asdict(o) for o in outcomes]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(json.dumps(summary, indent=2))
    return 0 if summary["feasible"] == summary["instances"] else 1


if __name__ == "__main__":
    sys.exit(main())
