"""How long does a plan take from a brief, warm, with the offline drafter?

    python -m benchmarks.drafting --json
    python -m benchmarks.drafting --repeat 5 --iterations 10000 --json

For every brief in examples/briefs: one warm-up draft (loads the embedding model, opens the
store), then `--repeat` timed drafts through the whole plan graph (read the brief, retrieve
lessons and past projects, draft, validate, propose risks, level, simulate, check the budget).
Beside it, in the same process, the baseline: the engine alone (`tools.assessment.assess`) on
the drafted plan, which is what `pmpilot plan` costs on a plan a person wrote. Each run also
checks what the issue asks of every plan: it validates clean, its levelled schedule is
feasible (nobody is booked beyond their calendar), and every estimate and risk has a source.
Per-step times come from the graph's own stream of updates.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from agent.deps import AgentDeps
from agent.drafting.offline import OfflineDrafter
from agent.service import LessonsService, PlanningService
from benchmarks.machine import describe_machine
from knowledge.history import default_profile
from knowledge.rates import default_rates
from knowledge.templates import load_templates
from tools.assessment import assess
from tools.levelling import level_plan, overbookings

BRIEFS = Path(__file__).parents[1] / "examples" / "briefs"


def _overbooked(plan, seed: int) -> int:
    """Half-days where someone is booked beyond their calendar (0 for a feasible plan)."""
    return len(overbookings(plan, level_plan(plan, seed=seed)))


def run(repeat: int, iterations: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = LessonsService.open(Path(tmp))
        t0 = time.perf_counter()
        knowledge.startup()
        seed_s = time.perf_counter() - t0
        profile = default_profile()
        deps = AgentDeps(
            drafter=OfflineDrafter(),
            knowledge=knowledge,
            templates=load_templates(),
            rates=default_rates,
            today=lambda: date(2026, 11, 25),
            profile=profile,
            seed=seed,
            iterations=iterations,
        )
        service = PlanningService(profile=profile, seed=seed, iterations=iterations, agent=deps)
        rows = []
        for path in sorted(BRIEFS.glob("[0-9]*.md")):
            text = path.read_text()
            service.draft(text)  # warm-up
            walls, engine, steps = [], [], {}
            for _ in range(repeat):
                marks = [time.perf_counter()]
                names: list[str] = []

                def step(name: str, marks=marks, names=names) -> None:
                    marks.append(time.perf_counter())
                    names.append(name)

                plan, a = service.draft(text, on_step=step)
                walls.append(marks[-1] - marks[0])
                for i, name in enumerate(names):
                    steps.setdefault(name, []).append(marks[i + 1] - marks[i])
                t = time.perf_counter()
                assess(plan, profile=profile, iterations=iterations, seed=seed)
                engine.append(time.perf_counter() - t)
            unsourced = sum(
                1 for r in a.wbs if r.estimate is not None and r.source.kind == "assumption"
            ) + sum(1 for r in a.risks if r.source.kind == "assumption")
            rows.append(
                {
                    "brief": path.stem,
                    "draft_s_median": round(statistics.median(walls), 3),
                    "draft_s_max": round(max(walls), 3),
                    "engine_only_s_median": round(statistics.median(engine), 3),
                    "ratio_to_engine": round(
                        statistics.median(walls) / statistics.median(engine), 2
                    ),
                    "steps_s_median": {k: round(statistics.median(v), 3) for k, v in steps.items()},
                    "wbs_issues": len(a.issues),
                    "overbooked_half_days": _overbooked(plan, seed),
                    "unsourced_items": unsourced,
                    "work_packages": len(a.wbs),
                    "risks": len(a.risks),
                    "finish": str(a.schedule.finish) if a.schedule else None,
                    "deadline": str(plan.brief.deadline) if plan.brief.deadline else None,
                    "p_meet_deadline": a.forecast.p_meet_deadline if a.forecast else None,
                    "budget_verdict": a.budget_check.verdict if a.budget_check else None,
                }
            )
            print(f"{path.stem}: {rows[-1]['draft_s_median']} s", file=sys.stderr)
    walls = [r["draft_s_median"] for r in rows]
    return {
        "benchmark": "drafting",
        "machine": describe_machine(["chromadb", "onnxruntime", "ortools", "numpy", "langgraph"]),
        "repeat": repeat,
        "iterations": iterations,
        "seed_store_s": round(seed_s, 2),
        "briefs": rows,
        "summary": {
            "briefs": len(rows),
            "max_draft_s_median": max(walls),
            "median_draft_s": round(statistics.median(walls), 3),
            "within_2s": sum(w <= 2.0 for w in walls),
            "clean": sum(r["wbs_issues"] == 0 for r in rows),
            "feasible": sum(r["overbooked_half_days"] == 0 for r in rows),
            "all_sourced": sum(r["unsourced_items"] == 0 for r in rows),
        },
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.repeat, args.iterations, args.seed)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for r in result["briefs"]:
            print(r["brief"], r["draft_s_median"], r["engine_only_s_median"])
        print(result["summary"])


if __name__ == "__main__":
    main()
