"""How fast is our critical path method next to networkx, on the same random networks?

`tools.critical_path.analyse` does a forward and a backward pass, floats and the critical
path. networkx's `dag_longest_path_length` only does the forward pass (the project finish),
so it is a lower bound on what a CPM costs rather than an equal; we also time a plain-Python
forward and backward pass over the networkx graph, which does the same arithmetic as ours on
FS links. All three run on the same graph in the same process, and must agree on the finish.

A second variant mixes FS/SS/FF/SF links and lags; networkx has no notion of those, so only
our CPM runs on it.

    python -m benchmarks.cpm [--sizes 1000 10000] [--repeat 5] [--seed 7] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import networkx as nx

from benchmarks.machine import describe_machine
from tools.critical_path import Activity, Link, analyse

MINUTES_PER_DAY = 480
WINDOW = 50  # predecessors are drawn among this many earlier activities: long, tangled chains
SINK = "__finish__"
LINK_TYPES = ("FS", "SS", "FF", "SF")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds one method took over the repeats; the median is the figure, min the best case."""

    median_s: float
    min_s: float


@dataclass(frozen=True, slots=True)
class Result:
    size: int
    variant: str
    links: int
    finish: int
    timings: dict[str, Timing]

    @property
    def ratio(self) -> float | None:
        """Ours over networkx's longest path: the one number that survives a noisy machine."""
        if "nx_longest_path" not in self.timings:
            return None
        return self.timings["ours"].median_s / self.timings["nx_longest_path"].median_s


class MismatchError(AssertionError):
    """Two methods disagree on the project finish, so a timing of either means nothing."""


def generate_activities(size: int, rng: random.Random, mixed: bool = False) -> list[Activity]:
    """A random acyclic network: each activity after the first depends on 1-3 earlier ones
    within a window, lasting 1-20 working days. Acyclic by construction (links only point
    back), so the benchmark measures scheduling, not cycle reporting.

    With `mixed`, link types are drawn from FS/SS/FF/SF with lags of -2 to +5 days; without,
    every link is FS with no lag, which is what a longest path in networkx can express.
    """
    codes = [f"A{i:06d}" for i in range(size)]
    activities: list[Activity] = []
    for i, code in enumerate(codes):
        duration = rng.randint(1, 20) * MINUTES_PER_DAY
        candidates = range(max(0, i - WINDOW), i)
        chosen = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
        # Types and lags are drawn in both variants, so both get the same topology and
        # durations: the mixed variant differs only in what its links say.
        drawn = [
            Link(codes[p], rng.choice(LINK_TYPES), rng.randint(-2, 5) * MINUTES_PER_DAY)
            for p in sorted(chosen)
        ]
        links = tuple(lk if mixed else Link(lk.predecessor) for lk in drawn)
        activities.append(Activity(code, duration, links))
    return activities


def build_graph(activities: Sequence[Activity]) -> nx.DiGraph:
    """Edge weights carry the predecessor's duration (u -> v weighs duration(u)), and every
    activity with no successor feeds a zero-length sink, so the longest path to the sink is
    the project finish. FS links with no lag only."""
    duration = {a.code: a.duration for a in activities}
    graph = nx.DiGraph()
    for a in activities:
        graph.add_node(a.code, duration=a.duration)
    for a in activities:
        for link in a.links:
            graph.add_edge(link.predecessor, a.code, weight=duration[link.predecessor])
    ends = [code for code, out in graph.out_degree() if out == 0]
    graph.add_node(SINK, duration=0)
    for code in ends:
        graph.add_edge(code, SINK, weight=duration[code])
    return graph


def longest_path_finish(graph: nx.DiGraph) -> int:
    """networkx's own forward pass: the project finish and nothing else."""
    return int(nx.dag_longest_path_length(graph, weight="weight"))


def two_pass_finish(graph: nx.DiGraph) -> int:
    """A forward and backward pass in plain Python over the networkx graph, with total
    floats: the work our `analyse` does on FS links, so the two can be compared fairly."""
    order = list(nx.topological_sort(graph))
    duration = dict(graph.nodes(data="duration"))
    pred, succ = graph.pred, graph.succ
    early_finish: dict[str, int] = {}
    for v in order:
        start = max((early_finish[u] for u in pred[v]), default=0)
        early_finish[v] = start + duration[v]
    finish = early_finish[SINK]
    late_start: dict[str, int] = {}
    total_float: dict[str, int] = {}
    for v in reversed(order):
        late_finish = min((late_start[w] for w in succ[v]), default=finish)
        late_start[v] = late_finish - duration[v]
        total_float[v] = late_finish - early_finish[v]
    if min(total_float.values()) < 0:
        raise MismatchError("networkx two-pass: negative total float")
    return finish


def time_call(call: Callable[[], T]) -> tuple[float, T]:
    """One timed run after a collection, so garbage from a previous method isn't billed here."""
    gc.collect()
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def summarise(samples: Sequence[float]) -> Timing:
    return Timing(median_s=statistics.median(samples), min_s=min(samples))


def benchmark_fs(size: int, seed: int, repeat: int) -> Result:
    """All methods on one FS-only network; repeats interleave the methods so that a noisy
    neighbour slows them alike. Raises MismatchError if any finish differs from ours."""
    activities = generate_activities(size, random.Random(seed))
    graph = build_graph(activities)
    finishers: dict[str, Callable[[], int]] = {
        "ours": lambda: analyse(activities).finish,
        "nx_longest_path": lambda: longest_path_finish(graph),
        "nx_two_pass": lambda: two_pass_finish(graph),
    }
    samples: dict[str, list[float]] = {name: [] for name in [*finishers, "nx_build_graph"]}
    finishes: dict[str, int] = {}
    for _ in range(repeat):
        for name, call in finishers.items():
            seconds, finishes[name] = time_call(call)
            samples[name].append(seconds)
        seconds, _ = time_call(lambda: build_graph(activities))
        samples["nx_build_graph"].append(seconds)
    finish = finishes["ours"]
    for name, other in finishes.items():
        if other != finish:
            raise MismatchError(f"size {size}: ours finishes at {finish}, {name} at {other}")
    return Result(
        size=size,
        variant="fs",
        links=sum(len(a.links) for a in activities),
        finish=finish,
        timings={name: summarise(s) for name, s in samples.items()},
    )


def benchmark_mixed(size: int, seed: int, repeat: int) -> Result:
    """Our CPM alone on FS/SS/FF/SF links with lags: what link types cost on top of FS."""
    activities = generate_activities(size, random.Random(seed), mixed=True)
    samples: list[float] = []
    finish = 0
    for _ in range(repeat):
        seconds, network = time_call(lambda: analyse(activities))
        samples.append(seconds)
        finish = network.finish
    return Result(
        size=size,
        variant="mixed",
        links=sum(len(a.links) for a in activities),
        finish=finish,
        timings={"ours": summarise(samples)},
    )


def format_table(results: Sequence[Result]) -> str:
    """One row per (size, variant, method): median and min seconds, and ours / nx longest."""
    header = f"{'size':>7}  {'variant':<7}  {'links':>6}  {'method':<16}  {'median s':>9}  "
    header += f"{'min s':>9}  {'ours/nx_longest':>15}"
    lines = [header, "-" * len(header)]
    for r in results:
        for name, t in r.timings.items():
            ratio = f"{r.ratio:.2f}x" if name == "ours" and r.ratio is not None else ""
            lines.append(
                f"{r.size:>7}  {r.variant:<7}  {r.links:>6}  {name:<16}  {t.median_s:>9.4f}  "
                f"{t.min_s:>9.4f}  {ratio:>15}"
            )
    return "\n".join(lines)


def to_json(results: Sequence[Result], args: argparse.Namespace) -> str:
    return json.dumps(
        {
            "machine": describe_machine(("networkx",)),
            "params": {"sizes": args.sizes, "repeat": args.repeat, "seed": args.seed},
            "results": [
                {
                    "size": r.size,
                    "variant": r.variant,
                    "links": r.links,
                    "finish": r.finish,
                    "timings": {
                        name: {"median_s": t.median_s, "min_s": t.min_s}
                        for name, t in r.timings.items()
                    },
                    "ratio_ours_over_nx_longest_path": r.ratio,
                }
                for r in results
            ],
        },
        indent=2,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cpm", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size; exit 1 on a finish mismatch, since then no timing can be trusted."""
    args = parse_args(argv)
    results: list[Result] = []
    try:
        for size in args.sizes:
            results.append(benchmark_fs(size, args.seed, args.repeat))
            results.append(benchmark_mixed(size, args.seed, args.repeat))
    except MismatchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(to_json(results, args))
    else:
        machine = describe_machine(("networkx",))
        print(
            f"{machine['cpus']} CPUs, {machine['cpu_model']}, Python {machine['python']}, "
            f"networkx {machine['networkx']}; repeat {args.repeat}, seed {args.seed}\n"
        )
        print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
