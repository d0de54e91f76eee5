"""How long does reading a brief take, warm? (target: under 100 ms a brief)

    python -m benchmarks.reading --json

Reads every evaluation brief (evals/cases: the 14 examples and 28 written for the
evaluation, 0.3-4.5 kB) `--repeat` times after one warm-up read, and, in the same process as
the baseline, one regular-expression pass over the same text (`\\w+` words): the cheapest
thing that looks at every character. The ratio says what the reader's structure, reading
layer and role rules cost over reading the text at all; absolute times on this shared 2-core
machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from datetime import date
from pathlib import Path

from benchmarks.machine import describe_machine
from evals.cases import brief_text
from tools.brief import read_brief

CASES = Path(__file__).parents[1] / "evals" / "cases"
TODAY = date(2026, 12, 7)
WORD = re.compile(r"\w+")


def _briefs() -> list[tuple[str, str]]:
    out = []
    for gold in sorted(CASES.glob("*.gold.json")):
        brief = json.loads(gold.read_text(encoding="utf-8"))["brief"]
        out.append(
            (gold.name.removesuffix(".gold.json"), brief_text(Path(__file__).parents[1] / brief))
        )
    return out


def _time(fn, text: str, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(text)
        best.append(time.perf_counter() - start)
    return statistics.median(best)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for name, text in _briefs():
        read_brief(text, today=TODAY)  # warm-up: vocabularies and compiled patterns
        reader = _time(lambda t: read_brief(t, today=TODAY), text, args.repeat)
        words = _time(WORD.findall, text, args.repeat)
        rows.append(
            {"brief": name, "chars": len(text), "read_ms": reader * 1000, "words_ms": words * 1000}
        )
    reads = [r["read_ms"] for r in rows]
    summary = {
        "machine": describe_machine(),
        "briefs": len(rows),
        "median_ms": round(statistics.median(reads), 2),
        "max_ms": round(max(reads), 2),
        "max_brief": max(rows, key=lambda r: r["read_ms"])["brief"],
        "max_chars": max(r["chars"] for r in rows),
        "ratio_to_words_median": round(
            statistics.median(r["read_ms"] / max(r["words_ms"], 1e-6) for r in rows), 1
        ),
        "under_100_ms": all(x < 100 for x in reads),
    }
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, indent=1))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0 if summary["under_100_ms"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
