"""The model drafter on evaluation cases, recorded from a real OpenAI-compatible server as
vcrpy cassettes and replayed offline through the same plan graph and graders.

A replay matches every request on its body, so the recording holds exactly what the model
was asked. When a change to the reader, the retrieval, a prompt or a schema changes what the
model would be asked, the case no longer replays: it is reported as stale (and fails the gate)
until it is recorded again (`python -m evals record ...`, see evals/README.md).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence

from vcr.errors import CannotOverwriteExistingCassetteException

from agent.drafting.model import ModelDrafter
from agent.llm import LlmClient, LlmConfig, LlmError, StructuredMode
from evals.cases import CASES, ROOT, Case, brief_text, check_gold
from evals.graders import grade_plan
from evals.record_cassettes import MANIFEST, cassette_vcr, replay_config
from evals.run import CaseResult, Suite, offline_suite, run_case

CASSETTES = ROOT / "evals" / "cassettes"


def _manifest() -> dict:
    path = CASSETTES / MANIFEST
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def RECORDED() -> set[str]:
    """The cases with a successful recording."""
    cases = _manifest().get("cases", {})
    return {name for name, c in cases.items() if c.get("outcome") == "ok"}


def model_results(suite: Suite, cases: Sequence[Case]) -> list[CaseResult]:
    """Each recorded case replayed with no server, on the suite's store: graded like the
    offline drafter's plans; a recording that no longer matches is a result with an error
    and no grades."""
    if not cases:
        return []
    player = cassette_vcr(CASSETTES, "none")
    drafter = ModelDrafter(LlmClient.from_config(replay_config(_manifest())))
    results = []
    suite = suite.using(drafter, "model")
    for case in cases:
        print(f"model replay: {case.gold.id}", file=sys.stderr, flush=True)
        try:
            with player.use_cassette(f"{case.gold.id}.yaml"):
                results.append(run_case(suite, case, consistency=False, robustness=False))
        except (CannotOverwriteExistingCassetteException, LlmError) as exc:
            stale = f"stale recording: a request no longer matches ({type(exc).__name__})"
            results.append(CaseResult(case, "model", {}, None, stale))
    return results


def replayed(results: Sequence[CaseResult]) -> float:
    return sum(1 for r in results if not r.error) / len(results) if results else 1.0


def record(
    base_url: str,
    api_key: str,
    model: str,
    mode: str,
    case_ids: Sequence[str],
    *,
    append: bool = False,
) -> int:
    """Record the model drafter on these cases, one cassette each, and the manifest that a
    replay needs to send byte-identical requests. With `append`, a case's cassette is kept:
    requests it already holds replay, and only new ones go to the server and are added (a new
    model call, such as reading the brief, without recording the drafting again)."""
    missing = [c for c in case_ids if not (CASES / f"{c}.gold.json").is_file()]
    if missing:
        print(f"error: --case: no case {missing[0]!r}", file=sys.stderr)
        return 2
    golds = {c: check_gold(CASES / f"{c}.gold.json") for c in case_ids}
    structured: StructuredMode = mode  # type: ignore[assignment]
    settings = {
        "model": model,
        "structured_mode": structured,
        "max_output_tokens": 4096,
        "max_repairs": 2,
        "temperature": 0.0,
        "seed": 42,
    }
    config = LlmConfig(
        base_url=base_url,
        api_key=api_key,
        timeout_s=1800.0,
        max_retries=0,
        max_calls=8,
        max_tokens_total=400_000,
        deadline_s=4 * 3600,
        **settings,
    )
    manifest = _manifest() or {"cases": {}}
    if any(manifest.get(k) != v for k, v in settings.items()):
        manifest = {"cases": {}}  # other settings: the old recordings cannot replay with them
    manifest |= settings
    CASSETTES.mkdir(parents=True, exist_ok=True)
    recorder = cassette_vcr(CASSETTES, "new_episodes" if append else "all", base_url)
    failed = False
    with offline_suite(ModelDrafter(LlmClient.from_config(config)), "model") as suite:
        for case_id in case_ids:
            gold = golds[case_id]
            text = brief_text(ROOT / gold.brief)
            cassette = f"{case_id}.yaml"
            if not append:
                (CASSETTES / cassette).unlink(missing_ok=True)
            started = time.monotonic()
            try:
                with recorder.use_cassette(cassette):
                    drafted = suite.draft(text)
            except LlmError as exc:
                print(f"{case_id}: FAILED {exc}", file=sys.stderr)
                manifest["cases"][case_id] = {"outcome": type(exc).__name__}
                failed = True
                continue
            grades = grade_plan(gold, drafted.plan, drafted.assessment)
            manifest["cases"][case_id] = {
                "outcome": "ok",
                "cassette": cassette,
                "calls": drafted.assessment.engine.llm_calls,
                "tokens": drafted.assessment.engine.tokens,
                "seconds": round(time.monotonic() - started),
            }
            print(
                f"{case_id}: {len(drafted.plan.wbs)} packages, facts"
                f" {grades['facts'].score:.2f}, {time.monotonic() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            (CASSETTES / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return 1 if failed else 0
