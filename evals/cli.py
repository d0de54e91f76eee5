"""The evaluation suite's command line.

    python -m evals check [GOLD_FILE ...]      validate the cases (all, or these gold files)
    python -m evals run [--split dev|test|all] [--json] [--update] [--case ID ...]
    python -m evals record --base-url URL --api-key KEY --model NAME [--case ID ...]

`run` grades every case with the offline drafter and the recorded model runs, the chat cases,
compares each plan with its golden plan, writes evals/reports/latest.md and exits 1 when a
score fell past its threshold or a golden plan changed (`--update` rewrites them instead).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from evals.cases import Case, CaseError, check_gold, load_cases, load_chat
from evals.gold import ChatCase
from evals.recording import RECORDED, model_results, record, replayed
from evals.report import REPORT, case_rows, chat_rows, gate, render, summarise, summarise_chat
from evals.run import (
    AS_OF,
    CaseResult,
    ChatResult,
    compare_golden,
    offline_suite,
    run_case,
    run_chat,
    update_golden,
)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check(files: list[Path]) -> int:
    if files:
        for path in files:
            check_gold(path)
        print(f"{len(files)} gold files valid")
    else:
        cases, chat = load_cases(), load_chat()
        print(f"{len(cases)} cases and {len(chat)} chat cases valid")
    return 0


def _select(args: argparse.Namespace) -> tuple[list[Case], list[ChatCase]]:
    cases, chat = load_cases(), load_chat()
    known = {c.gold.id for c in cases}
    unknown = [c for c in (args.case or []) if c not in known]
    if unknown:
        raise CaseError(f"--case: no case {unknown[0]!r}")
    if args.case:
        cases = [c for c in cases if c.gold.id in args.case]
    if args.split != "all":
        cases = [c for c in cases if c.split == args.split]
    if args.case:
        chat = [m for m in chat if m.case in args.case]
    chat = [m for m in chat if args.split in ("all", m.split)]
    return cases, [] if args.no_chat else chat


def _summary(
    results: list[CaseResult], model: list[CaseResult], chats: list[ChatResult]
) -> tuple[dict, dict]:
    """Scores per drafter (or chat) and split, and how many cases each stands for."""
    summary: dict[str, dict[str, dict[str, float]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for split in ("dev", "test"):
        for group, rows in (("offline", results), ("model", model)):
            part = [r for r in rows if r.case.split == split]
            if part:
                summary.setdefault(group, {})[split] = summarise([r for r in part if not r.error])
                counts.setdefault(group, {})[split] = len(part)
                if group == "model":
                    summary[group][split]["replayed"] = replayed(part)
        said = [c for c in chats if c.case.split == split]
        if said:
            summary.setdefault("chat", {})[split] = summarise_chat(said)
            counts.setdefault("chat", {})[split] = len(said)
    return summary, counts


def _run(args: argparse.Namespace) -> int:
    cases, chat = _select(args)
    started = time.monotonic()
    results: list[CaseResult] = []
    chats: list[ChatResult] = []
    with offline_suite() as suite:
        for n, case in enumerate(cases, 1):
            _say(f"[{n}/{len(cases)}] {case.gold.id} ({case.split})")
            results.append(run_case(suite, case))
        drafted = {r.case.gold.id: r.drafted for r in results if r.drafted is not None}
        by_id = {c.gold.id: c for c in load_cases()}
        for case_id in sorted({m.case for m in chat} - drafted.keys()):
            drafted[case_id] = suite.draft(by_id[case_id].text)  # a chat case's plan, ungraded
        if chat:
            _say(f"chat: {len(chat)} messages")
            chats = [run_chat(suite, m, drafted[m.case]) for m in chat]
        recorded = [] if args.no_model else [c for c in cases if c.gold.id in RECORDED()]
        model = model_results(suite, recorded)
    golden: dict[str, list[str]] = {}
    if args.update:
        _say(f"golden plans rewritten: {update_golden(results)}")
    else:
        golden = {r.case.gold.id: d for r in results if (d := compare_golden(r))}
    summary, counts = _summary(results, model, chats)
    partial = bool(args.case)
    drops = [] if partial else gate(summary, full=args.split == "all" and not args.no_model)
    report = {
        "as_of": AS_OF.isoformat(),
        "summary": summary,
        "counts": counts,
        "drops": [str(d) for d in drops],
        "golden": golden,
        "cases": case_rows(results + model),
        "chat_cases": chat_rows(chats),
        "seconds": round(time.monotonic() - started, 1),
    }
    if not partial:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(render(report), encoding="utf-8")
        _say(f"wrote {REPORT.relative_to(REPORT.parents[2])}")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report).split("## Cases, the worst first")[0].rstrip())
    for d in drops:
        _say(f"error: {d}")
    if golden:
        _say(
            f"error: {len(golden)} plan(s) differ from their golden plans ({', '.join(golden)});"
            " review with `python -m evals run --update` and `git diff evals/golden`"
        )
    return 1 if drops or golden else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the gold files, the split and the chat cases")
    check.add_argument("files", nargs="*", type=Path, help="only these gold files")
    run = sub.add_parser("run", help="grade every case and write evals/reports/latest.md")
    run.add_argument("--split", choices=("dev", "test", "all"), default="all")
    run.add_argument("--json", action="store_true", help="print the whole report as JSON")
    run.add_argument("--update", action="store_true", help="rewrite the golden plans")
    run.add_argument("--case", action="append", help="only this case (no gate, no report file)")
    run.add_argument("--no-chat", action="store_true", help="skip the chat cases")
    run.add_argument("--no-model", action="store_true", help="skip the recorded model runs")
    rec = sub.add_parser("record", help="record the model drafter on cases (needs a server)")
    rec.add_argument("--base-url", required=True)
    rec.add_argument("--api-key", required=True)
    rec.add_argument("--model", required=True)
    rec.add_argument(
        "--mode", default="json_object", choices=("json_schema", "json_object", "tool")
    )
    rec.add_argument("--case", action="append", required=True, help="a case id to record")
    rec.add_argument(
        "--append",
        action="store_true",
        help="keep each cassette: replay what it holds and record only the new requests",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args.files)
        if args.command == "record":
            return record(
                args.base_url, args.api_key, args.model, args.mode, args.case, append=args.append
            )
        return _run(args)
    except CaseError as exc:
        _say(f"error: {exc}")
        return 2
