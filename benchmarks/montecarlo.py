"""How fast is our Monte Carlo next to the fastest open-source peers, on the same network?

One generated network (1,000 tasks, about 2 FS predecessors each, PERT-beta three-point
durations in whole days) runs through:

- `ours`: `tools.simulation.simulate`, with the 50 generated risk events and without them.
  Both compute costs in integer cents, criticality and drivers as well as the percentiles.
- `pmcontrols`: `pmcontrols.pert` (MIT): numpy `Generator.beta`, FS links, criticality.
- `trueppm`: `trueppm_scheduler.monte_carlo` (Apache-2.0): numpy `Generator.beta` fitted by
  moments to the PERT mean and sd (ADR-1245), all link types, dates on a working calendar,
  percentiles rounded to whole working days, a sensitivity tornado.
- `pure_python`: a plain-Python loop (`random.betavariate`, FS forward pass, no numpy) on
  fewer iterations, scaled linearly to the full count: the floor any vectorised engine
  should clear.

Peers run without risk events (neither models them the same way), so `ours` without risks
is the like-for-like row. Their P50/P80 are compared with ours against the sampling noise
of a quantile, estimated from our sample by the binomial order-statistic interval. So that
the distributions really are the same, every estimate puts its most likely value at 1/7,
6/7, 3/20 or 17/20 of its range: there the lambda = 4 PERT-beta (ours, pmcontrols) and the
moment-fitted one (trueppm) have the same mean and sd to within 0.3 %.

A peer that is not installed is reported as such, its row is skipped, and the command exits
3; a peer whose P50 or P80 differs from ours by more than the noise band makes it exit 1.
The peers are benchmark-only dependencies: `pip install pmcontrols==0.2.1
trueppm-scheduler==0.4.0rc2`.

    python -m benchmarks.montecarlo [--json] [--tasks 1000] [--iterations 10000]
        [--risks 50] [--repeat 5] [--seed 7] [--python-iterations 200]
        [--accuracy-draws 1000000]  (0 skips the sampler accuracy section)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.machine import describe_machine
from tools import simulation
from tools.simulation import Forecast, Precedence, RiskEvent, Task, ThreePoint, simulate

PEERS = ("numpy", "pmcontrols", "trueppm-scheduler", "scipy", "pandas")

WINDOW = 50  # predecessors are drawn among this many earlier tasks
# (steps from low to likely, steps from low to high): modes at 1/7, 6/7, 3/20, 17/20, where
# the lambda = 4 PERT-beta and the moment-fitted beta of trueppm agree (alpha x beta ~ 7).
SHAPES = ((1, 7), (6, 7), (3, 20), (17, 20))
START = dt.date(2026, 1, 5)  # a Monday
NOISE_BAND = 3.0  # standard errors of the difference before two percentiles disagree
PEERS = {"pmcontrols": "pmcontrols==0.2.1", "trueppm": "trueppm-scheduler==0.4.0rc2"}


@dataclass(frozen=True, slots=True)
class Spec:
    """A library-neutral network: per task (low, likely, high, predecessors), and risks."""

    estimates: tuple[tuple[int, int, int], ...]
    predecessors: tuple[tuple[int, ...], ...]
    rates: tuple[int, ...]
    risks: tuple[RiskEvent, ...]

    @property
    def links(self) -> int:
        return sum(len(p) for p in self.predecessors)


@dataclass(slots=True)
class Row:
    method: str
    iterations: int
    risks: int
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    p50: float | None = None
    p80: float | None = None
    note: str = ""
    scaled_from: int | None = None  # measured on this many iterations, scaled linearly

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min_s(self) -> float:
        return min(self.seconds)

    @property
    def median_cpu_s(self) -> float:
        return statistics.median(self.cpu_seconds)


class PeerMissingError(RuntimeError):
    """A peer library is not installed, so its row cannot be run."""


def generate(size: int, risks: int, seed: int) -> Spec:
    """Seeded random acyclic network: task i > 0 depends on 1-3 of the WINDOW before it;
    durations low 1-10 days with a range of 7, 14, 21 or 20 days in the SHAPES."""
    rng = random.Random(seed)
    estimates, predecessors, rates = [], [], []
    for i in range(size):
        earlier = range(max(0, i - WINDOW), i)
        predecessors.append(tuple(sorted(rng.sample(earlier, min(i, rng.randint(1, 3))))))
        to_likely, to_high = rng.choice(SHAPES)
        scale = rng.randint(1, 3) if to_high == 7 else 1
        low = rng.randint(1, 10)
        estimates.append((low, low + to_likely * scale, low + to_high * scale))
        rates.append(rng.randint(400, 1200) * 100)  # $400-$1,200 a day, in cents
    events = tuple(
        RiskEvent(
            probability=rng.uniform(0.05, 0.4),
            tasks=tuple(rng.sample(range(size), rng.randint(1, 3))),
            delay_days=ThreePoint(1, 3, rng.randint(6, 15)),
            cost_cents=ThreePoint(1_000_000, 5_000_000, rng.randint(10, 40) * 1_000_000),
            id=f"R{e:02d}",
        )
        for e in range(risks)
    )
    return Spec(tuple(estimates), tuple(predecessors), tuple(rates), events)


# --- the runners: each builds its library's input untimed, then times one simulation ---------


def ours(spec: Spec, iterations: int, seed: int, with_risks: bool) -> Callable[[], Forecast]:
    tasks = [
        Task(
            ThreePoint(*est),
            tuple(Precedence(p) for p in preds),
            rate_cents_per_day=rate,
            code=f"T{i}",
        )
        for i, (est, preds, rate) in enumerate(
            zip(spec.estimates, spec.predecessors, spec.rates, strict=True)
        )
    ]
    risks = spec.risks if with_risks else ()
    return lambda: simulate(tasks, risks, iterations=iterations, seed=seed)


def pmcontrols_run(spec: Spec, iterations: int, seed: int) -> Callable[[], tuple[float, float]]:
    try:
        import pmcontrols  # noqa: PLC0415 - a benchmark-only peer
    except ImportError as error:
        raise PeerMissingError("pmcontrols is not installed") from error
    activities = [
        {"id": f"T{i}", "predecessors": [f"T{p}" for p in preds], "a": a, "m": m, "b": b}
        for i, ((a, m, b), preds) in enumerate(zip(spec.estimates, spec.predecessors, strict=True))
    ]

    def run() -> tuple[float, float]:
        stats = pmcontrols.pert(activities, n_sim=iterations, seed=seed).stats
        return float(stats["mc_p50"]), float(stats["mc_p80"])

    return run


def trueppm_run(spec: Spec, iterations: int, seed: int) -> Callable[[], tuple[float, float]]:
    """Durations are whole days (timedelta), the plan duration is the optimistic one so its
    floor on samples never binds; percentile dates convert back to working days."""
    try:
        import trueppm_scheduler as tp  # noqa: PLC0415 - a benchmark-only peer
    except ImportError as error:
        raise PeerMissingError("trueppm-scheduler is not installed") from error
    days = dt.timedelta(days=1)
    tasks = [
        tp.Task(
            id=f"T{i}",
            name=f"T{i}",
            duration=a * days,
            optimistic_duration=a * days,
            most_likely_duration=m * days,
            pessimistic_duration=b * days,
        )
        for i, (a, m, b) in enumerate(spec.estimates)
    ]
    deps = [
        tp.Dependency(predecessor_id=f"T{p}", successor_id=f"T{i}")
        for i, preds in enumerate(spec.predecessors)
        for p in preds
    ]
    project = tp.Project(id="bench", name="bench", start_date=START, tasks=tasks, dependencies=deps)

    def run() -> tuple[float, float]:
        result = tp.monte_carlo(project, runs=iterations, seed=seed)
        return working_days(result.p50), working_days(result.p80)

    return run


def working_days(finish: dt.date) -> float:
    """A finish shown at the end of working day d (0-based) is d + 1 days of work."""
    return float(np.busday_count(START, finish) + 1)


def pure_python_run(spec: Spec, iterations: int, seed: int) -> Callable[[], list[float]]:
    """The floor: betavariate per task and iteration, a forward pass over FS links."""
    shapes = []
    for a, m, b in spec.estimates:
        alpha = 1 + 4 * (m - a) / (b - a)
        shapes.append((a, b - a, alpha, 6 - alpha))
    preds = spec.predecessors

    def run() -> list[float]:
        rng = random.Random(seed)
        finishes = []
        for _ in range(iterations):
            ef: list[float] = []
            for (low, spread, alpha, beta), before in zip(shapes, preds, strict=True):
                start = max((ef[p] for p in before), default=0.0)
                ef.append(start + low + spread * rng.betavariate(alpha, beta))
            finishes.append(max(ef))
        return finishes

    return run


# --- timing and comparison ----------------------------------------------------------------------


def timed(call: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and process CPU seconds of one run, after a collection so that garbage from a
    previous method isn't billed here. On a shared machine CPU time is the steadier one."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    value = call()
    return time.perf_counter() - started, time.process_time() - cpu, value


def quantile_error(sample: np.ndarray, p: float) -> float:
    """Standard error of the p-quantile: half the spread of the order statistics one
    binomial standard deviation either side of rank p n."""
    ordered = np.sort(sample)
    n = ordered.size
    half = math.sqrt(n * p * (1 - p))
    lo = max(math.floor(p * n - half), 0)
    hi = min(math.ceil(p * n + half), n - 1)
    return float(ordered[hi] - ordered[lo]) / 2


def compare(row: Row, reference: Row, errors: dict[str, float], rounding: float) -> dict:
    """Difference of a peer's P50/P80 from ours, in days and in standard errors of the
    difference of two independent estimates (plus the peer's rounding to whole days)."""
    out: dict[str, Any] = {"peer": row.method}
    ok = True
    for name in ("p50", "p80"):
        theirs, mine = getattr(row, name), getattr(reference, name)
        diff = theirs - mine
        se = math.sqrt(2) * errors[name]
        allowed = NOISE_BAND * se + rounding
        ok = ok and abs(diff) <= allowed
        out[name] = {
            "peer_days": theirs,
            "ours_days": mine,
            "difference_days": diff,
            "standard_error_days": se,
            "z": diff / se if se else None,
            "allowed_days": allowed,
        }
    out["within_noise"] = ok
    return out


def beta_accuracy(draws: int, seed: int) -> dict[str, Any]:
    """Our table sampler against numpy's beta and the exact CDF, on the SHAPES above and
    the extreme ones (mode at an end: the tails the table resolves worst)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    rows = []
    fractions = sorted({a / b for a, b in SHAPES} | {0.0, 0.5, 1.0})
    worst_ks_grid = 0.0
    for r in fractions:
        alpha, beta = 1 + 4 * r, 5 - 4 * r
        grid = np.linspace(0, 1, 100_001)
        on_grid = simulation.pert_quantile(0.0, r, 1.0, grid)
        ks_grid = float(np.abs(simulation.regularized_beta(on_grid, alpha, beta) - grid).max())
        worst_ks_grid = max(worst_ks_grid, ks_grid)
        started = time.perf_counter()
        ours_draws = simulation.pert_quantile(0.0, r, 1.0, rng.random(draws))
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        numpy_draws = rng.beta(alpha, beta, draws)
        numpy_s = time.perf_counter() - started
        exact_mean = alpha / 6
        exact_sd = math.sqrt(alpha * beta / (36 * 7))
        rows.append(
            {
                "mode_fraction": r,
                "ks_exact_grid": ks_grid,
                "ks_ours_vs_numpy": two_sample_ks(ours_draws, numpy_draws),
                "mean_error": {
                    "ours": float(ours_draws.mean() - exact_mean),
                    "numpy": float(numpy_draws.mean() - exact_mean),
                },
                "sd_error": {
                    "ours": float(ours_draws.std() - exact_sd),
                    "numpy": float(numpy_draws.std() - exact_sd),
                },
                "seconds": {"ours": ours_s, "numpy": numpy_s},
            }
        )
    return {
        "draws": draws,
        "ks_critical_1pct": 1.628 * math.sqrt(2 / draws),
        "worst_ks_exact_grid": worst_ks_grid,
        "shapes": rows,
    }


def draw_speed(spec: Spec, iterations: int, seed: int, repeat: int = 3) -> dict[str, float]:
    """Best of `repeat` seconds to draw the network's durations (tasks x iterations, uniforms
    included): our table look-up, as the simulation does it, against `Generator.beta`."""
    tasks = [Task(ThreePoint(*est)) for est in spec.estimates]
    sampler = simulation._sampler(tasks)
    durations = np.empty((len(tasks), iterations))
    rng = np.random.Generator(np.random.PCG64(seed))
    low, mode, high = np.asarray(spec.estimates, np.float64).T[:, :, None]
    alpha = 1 + 4 * (mode - low) / (high - low)
    ours_s, numpy_s = [], []
    for _ in range(repeat):
        seconds, _, _ = timed(
            lambda: simulation._sample(sampler, tasks, rng.random(durations.shape), durations)
        )
        ours_s.append(seconds)
        seconds, _, _ = timed(
            lambda: low + (high - low) * rng.beta(alpha, 6 - alpha, durations.shape)
        )
        numpy_s.append(seconds)
    return {"cells": durations.size, "ours_s": min(ours_s), "numpy_beta_s": min(numpy_s)}


def two_sample_ks(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    fa = np.searchsorted(a, points, side="right") / a.size
    fb = np.searchsorted(b, points, side="right") / b.size
    return float(np.abs(fa - fb).max())


# --- the benchmark --------------------------------------------------------------------------------


def run_benchmark(spec: Spec, args: argparse.Namespace) -> tuple[list[Row], list[dict], list[str]]:
    """Warm every runner once (imports, caches, the table), then interleave the repeats so
    that a noisy neighbour slows all methods alike."""
    n = args.iterations
    rows = {
        "ours_with_risks": Row("ours_with_risks", n, args.risks),
        "ours": Row("ours", n, 0),
    }
    calls: dict[str, Callable[[], Any]] = {
        "ours_with_risks": ours(spec, n, args.seed, with_risks=True),
        "ours": ours(spec, n, args.seed, with_risks=False),
    }
    missing: list[str] = []
    for name, make in (("pmcontrols", pmcontrols_run), ("trueppm", trueppm_run)):
        try:
            calls[name] = make(spec, n, args.seed)
            rows[name] = Row(name, n, 0)
        except PeerMissingError as error:
            missing.append(f"{error}: pip install {PEERS[name]}")
    started = time.perf_counter()
    simulation.pert_quantile(0.0, 1.0, 2.0, np.zeros(1))
    table_build_s = time.perf_counter() - started
    values: dict[str, Any] = {name: call() for name, call in calls.items()}  # warm-up
    for _ in range(args.repeat):
        for name, call in calls.items():
            seconds, cpu, values[name] = timed(call)
            rows[name].seconds.append(seconds)
            rows[name].cpu_seconds.append(cpu)
    python_row = Row("pure_python", n, 0, scaled_from=args.python_iterations)
    seconds, cpu, finishes = timed(pure_python_run(spec, args.python_iterations, args.seed))
    python_row.seconds.append(seconds * n / args.python_iterations)
    python_row.cpu_seconds.append(cpu * n / args.python_iterations)
    python_row.p50 = float(np.quantile(finishes, 0.5))
    python_row.p80 = float(np.quantile(finishes, 0.8))
    scale = n / args.python_iterations
    python_row.note = f"{args.python_iterations} iterations in {seconds:.2f} s, scaled x{scale:g}"

    for name in ("ours_with_risks", "ours"):
        forecast: Forecast = values[name]
        rows[name].p50, rows[name].p80 = forecast.finish_days.p50, forecast.finish_days.p80
    rows["ours"].note = f"PERT table built once per process in {table_build_s:.2f} s"
    reference: Forecast = values["ours"]
    errors = {
        p: quantile_error(reference.finish_sorted, q) for p, q in (("p50", 0.5), ("p80", 0.8))
    }
    comparisons = []
    for name, rounding in (("pmcontrols", 0.0), ("trueppm", 0.5)):
        if name in rows:
            rows[name].p50, rows[name].p80 = values[name]
            comparisons.append(compare(rows[name], rows["ours"], errors, rounding))
    return [*rows.values(), python_row], comparisons, missing


def fastest_peer(rows: Sequence[Row]) -> Row | None:
    peers = [r for r in rows if r.method in PEERS]
    return min(peers, key=lambda r: r.median_s) if peers else None


def format_table(rows: Sequence[Row], comparisons: Sequence[dict]) -> str:
    header = f"{'method':<16} {'iters':>6} {'risks':>5} {'median s':>9} {'min s':>8} {'cpu s':>8} "
    header += f"{'P50 d':>8} {'P80 d':>8}  note"
    lines = [header, "-" * len(header)]
    for r in rows:
        p50 = f"{r.p50:8.2f}" if r.p50 is not None else " " * 8
        p80 = f"{r.p80:8.2f}" if r.p80 is not None else " " * 8
        lines.append(
            f"{r.method:<16} {r.iterations:>6} {r.risks:>5} {r.median_s:>9.3f} {r.min_s:>8.3f} "
            f"{r.median_cpu_s:>8.3f} {p50} {p80}  {r.note}"
        )
    best = fastest_peer(rows)
    ours_row = next(r for r in rows if r.method == "ours")
    if best is not None:
        lines.append(
            f"\nfastest peer: {best.method}; ours is {best.median_s / ours_row.median_s:.1f}x "
            f"faster by median wall time, {best.median_cpu_s / ours_row.median_cpu_s:.1f}x by CPU"
        )
    for c in comparisons:
        parts = [
            f"{p.upper()} {c[p]['difference_days']:+.2f} d ({c[p]['z']:+.1f} se)"
            for p in ("p50", "p80")
        ]
        verdict = "within noise" if c["within_noise"] else "OUTSIDE NOISE"
        lines.append(f"{c['peer']} - ours: {', '.join(parts)}: {verdict}")
    return "\n".join(lines)


def to_json(
    rows: Sequence[Row],
    comparisons: Sequence[dict],
    *,
    missing: Sequence[str],
    accuracy: dict | None,
    args: argparse.Namespace,
    links: int,
) -> str:
    best = fastest_peer(rows)
    ours_row = next(r for r in rows if r.method == "ours")
    return json.dumps(
        {
            "machine": describe_machine(
                ("numpy", "pmcontrols", "trueppm-scheduler", "scipy", "pandas")
            ),
            "params": {
                "tasks": args.tasks,
                "links": links,
                "risks": args.risks,
                "iterations": args.iterations,
                "repeat": args.repeat,
                "seed": args.seed,
                "python_iterations": args.python_iterations,
            },
            "results": [
                {
                    "method": r.method,
                    "iterations": r.iterations,
                    "risks": r.risks,
                    "median_s": r.median_s,
                    "min_s": r.min_s,
                    "median_cpu_s": r.median_cpu_s,
                    "p50_days": r.p50,
                    "p80_days": r.p80,
                    "scaled_from_iterations": r.scaled_from,
                    "note": r.note,
                }
                for r in rows
            ],
            "fastest_peer": best.method if best else None,
            "speedup_over_fastest_peer": best.median_s / ours_row.median_s if best else None,
            "cpu_speedup_over_fastest_peer": (
                best.median_cpu_s / ours_row.median_cpu_s if best else None
            ),
            "comparisons": list(comparisons),
            "missing_peers": list(missing),
            "beta_accuracy": accuracy,
        },
        indent=2,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.montecarlo", description=__doc__)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--risks", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--python-iterations", type=int, default=200)
    parser.add_argument("--accuracy-draws", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    if min(args.tasks, args.iterations, args.repeat, args.python_iterations) < 1:
        parser.error("--tasks, --iterations, --repeat and --python-iterations must be positive")
    if args.tasks < 2 or args.risks < 0:
        parser.error("--tasks must be at least 2 and --risks not negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every peer ran and agreed; 1 when a peer's P50/P80 is outside the noise
    band (then its timing compares different work); 3 when a peer is not installed."""
    args = parse_args(argv)
    spec = generate(args.tasks, args.risks, args.seed)
    rows, comparisons, missing = run_benchmark(spec, args)
    accuracy = beta_accuracy(args.accuracy_draws, args.seed) if args.accuracy_draws else None
    if accuracy is not None:
        accuracy["draw_network"] = draw_speed(spec, args.iterations, args.seed)
    links = spec.links
    if args.json:
        print(
            to_json(rows, comparisons, missing=missing, accuracy=accuracy, args=args, links=links)
        )
    else:
        machine = describe_machine(PEERS)
        print(
            f"{machine['cpus']} CPUs, {machine['cpu_model']}, Python {machine['python']}, "
            f"{machine['packages']}; {args.tasks} tasks, {links} links, seed {args.seed}, "
            f"repeat {args.repeat}\n"
        )
        print(format_table(rows, comparisons))
        if accuracy:
            print(
                f"\nPERT table sampler: worst |F(Q(u)) - u| {accuracy['worst_ks_exact_grid']:.1e}; "
                f"two-sample KS vs numpy beta at {accuracy['draws']:,} draws: "
                + ", ".join(f"{s['ks_ours_vs_numpy']:.4f}" for s in accuracy["shapes"])
                + f" (1 % critical value {accuracy['ks_critical_1pct']:.4f})"
            )
            draw = accuracy["draw_network"]
            print(
                f"drawing {draw['cells']:,} durations: ours {draw['ours_s']:.3f} s, "
                f"numpy Generator.beta {draw['numpy_beta_s']:.3f} s"
            )
    for line in missing:
        print(f"skipped: {line}", file=sys.stderr)
    if any(not c["within_noise"] for c in comparisons):
        print("error: a peer's P50/P80 differs from ours beyond sampling noise", file=sys.stderr)
        return 1
    return 3 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
