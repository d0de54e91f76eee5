"""Record vcrpy cassettes of the model drafter against a live OpenAI-compatible server.

    python -m evals.record_cassettes --base-url http://127.0.0.1:8080/v1 --api-key KEY \\
        --model qwen2.5-coder-1.5b-instruct --mode json_object --out tests/agent/cassettes

For each case (an example brief) it drafts a WBS, validates it, asks for one repair round if
validation found issues (as the plan graph does), then proposes risks, all inside one
cassette. Requests are matched on method, scheme, host, port, path and body; the live base URL
is rewritten to FIXED_BASE_URL before recording so a replay (tests/agent/test_cassettes.py)
matches without a server. The API key and similar headers are filtered out. `manifest.json`
keeps the settings that shape the request bodies, so the replay sends byte-identical ones.

The requests are built here from fixed data (the brief's text, a hand-set reading, two
lessons), not by tools.brief.read_brief: a replay must rebuild exactly the recorded requests,
and a change to the brief reader must not invalidate the cassettes. A change to a prompt, a
schema or this file does invalidate them: record again.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vcr

from agent.drafting.model import ModelDrafter
from agent.drafting.port import DraftRequest, RiskDraft, Usage, WbsDraft
from agent.llm import LlmClient, LlmConfig, LlmError, StructuredMode
from knowledge.models import Archetype, Lesson
from tools.brief import BriefReading
from tools.domain import ProjectBrief
from tools.validation import WbsIssue, validate_wbs

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ROOT / "examples" / "briefs"
FIXED_BASE_URL = "http://llm.test/v1"
MANIFEST = "manifest.json"
FILTERED_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
)
MATCH_ON = ("method", "scheme", "host", "port", "path", "body")
REPAIR_ROUNDS = 1


@dataclass(frozen=True)
class Case:
    name: str
    brief_file: str
    archetype: Archetype
    roles: tuple[str, ...]
    lessons: tuple[Lesson, ...]


def _lesson(id_: str, archetype: Archetype, title: str, text: str, advice: str) -> Lesson:
    return Lesson(
        id=id_,
        title=title,
        text=text,
        archetype=archetype,
        phase="cutover",
        category="technical",
        impact="high",
        recommendation=advice,
        created=date(2025, 1, 15),
    )


CASES: tuple[Case, ...] = (
    Case(
        name="01-postgres-to-rds",
        brief_file="01-postgres-to-rds.md",
        archetype="database_migration",
        roles=("project manager", "dba", "cloud engineer", "developer", "tester"),
        lessons=(
            _lesson(
                "L-dbm-sequences",
                "database_migration",
                "Sequences were not carried over by DMS",
                "After the DMS full load and CDC the target sequences were still at 1; the first"
                " inserts after cut-over failed with duplicate keys for 40 minutes.",
                "Add a scripted sequence reset to the cut-over runbook and rehearse it.",
            ),
            _lesson(
                "L-dbm-restore",
                "database_migration",
                "Full restore took three times the window",
                "The rollback plan assumed a 4 hour restore of the 1.5 TB database; the first"
                " rehearsal took 11 hours because nobody had timed a full restore before.",
                "Time a full restore early and size the rollback plan from the measured time.",
            ),
        ),
    ),
    Case(
        name="10-okta-sso-rollout",
        brief_file="10-okta-sso-rollout.md",
        archetype="identity_sso_rollout",
        roles=("project manager", "security engineer", "service desk", "change manager"),
        lessons=(
            _lesson(
                "L-sso-owners",
                "identity_sso_rollout",
                "App owners did not answer and SSO waves slipped",
                "A third of the applications in each SSO wave had no owner who would test the"
                " integration, so waves slipped by two to four weeks each.",
                "Name an owner for every app before its wave and escalate silence after 5 days.",
            ),
            _lesson(
                "L-sso-helpdesk",
                "identity_sso_rollout",
                "MFA enrolment flooded the service desk",
                "Call volume tripled in the first week of MFA enrolment; people without company"
                " phones could not enrol and were locked out.",
                "Stagger enrolment by department and staff the service desk for the peak.",
            ),
        ),
    ),
)


def build_request(case: Case) -> DraftRequest:
    """The drafting request of a case, rebuilt identically on every run."""
    text = (BRIEFS / case.brief_file).read_text(encoding="utf-8").strip()
    title = text.splitlines()[0].lstrip("# ").strip()
    brief = ProjectBrief(title=title, text=text, archetype=case.archetype)
    return DraftRequest(
        brief=brief,
        reading=BriefReading(brief=brief),
        lessons=list(case.lessons),
        roles=list(case.roles),
    )


@dataclass(frozen=True)
class CaseResult:
    first: WbsDraft
    first_issues: list[WbsIssue]
    final: WbsDraft
    issues: list[WbsIssue]
    risks: RiskDraft
    usage: Usage


def run_case(drafter: ModelDrafter, request: DraftRequest) -> CaseResult:
    """Draft, validate, repair (bounded, as the plan graph does), then propose risks."""
    first = draft = drafter.draft_wbs(request)
    first_issues = issues = validate_wbs(draft.wbs)
    for _ in range(REPAIR_ROUNDS):
        if not issues:
            break
        repair = request.model_copy(update={"issues": issues, "previous": draft.wbs})
        draft = drafter.draft_wbs(repair)
        issues = validate_wbs(draft.wbs)
    risks = drafter.propose_risks(request, draft.wbs)
    return CaseResult(first, first_issues, draft, issues, risks, drafter.usage())


def rewrite_base_url(live_base_url: str) -> Callable[[Any], Any]:
    """A before_record_request hook: the live base URL (and Host) become FIXED_BASE_URL's."""
    live = live_base_url.rstrip("/")

    def hook(request: Any) -> Any:
        if request.uri.startswith(live):
            request.uri = FIXED_BASE_URL + request.uri[len(live) :]
            if "host" in request.headers:
                request.headers["host"] = urlsplit(FIXED_BASE_URL).netloc
        return request

    return hook


def cassette_vcr(
    cassette_dir: Path, record_mode: str, live_base_url: str = FIXED_BASE_URL
) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        record_mode=record_mode,
        match_on=list(MATCH_ON),
        filter_headers=list(FILTERED_HEADERS),
        before_record_request=rewrite_base_url(live_base_url),
        decode_compressed_response=True,
    )


def replay_config(manifest: dict[str, Any]) -> LlmConfig:
    """The client settings a replay needs for byte-identical request bodies."""
    return LlmConfig(
        base_url=FIXED_BASE_URL,
        model=manifest["model"],
        api_key="test-key",
        structured_mode=manifest["structured_mode"],
        max_output_tokens=manifest["max_output_tokens"],
        max_repairs=manifest["max_repairs"],
        temperature=manifest["temperature"],
        seed=manifest["seed"],
        max_retries=0,
    )


def _summary(name: str, result: CaseResult, seconds: float) -> str:
    leaves = [wp for wp in result.final.wbs if wp.estimate is not None]
    return (
        f"{name}: {len(result.final.wbs)} packages ({len(leaves)} estimated),"
        f" first-draft issues {sorted({i.kind for i in result.first_issues})},"
        f" final issues {sorted({i.kind for i in result.issues})},"
        f" {len(result.risks.risks)} risks, {result.usage.calls} calls,"
        f" {result.usage.tokens} tokens, {seconds:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base-url", required=True, help="the live server, e.g. http://127.0.0.1:8080/v1"
    )
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument(
        "--mode", choices=["json_schema", "json_object", "tool"], default="json_object"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "agent" / "cassettes")
    parser.add_argument("--max-output-tokens", type=int, default=4096)
    parser.add_argument("--max-repairs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per request")
    parser.add_argument("--case", action="append", help="record only these case names")
    args = parser.parse_args(argv)

    mode: StructuredMode = args.mode
    manifest = {
        "model": args.model,
        "structured_mode": mode,
        "max_output_tokens": args.max_output_tokens,
        "max_repairs": args.max_repairs,
        "temperature": 0.0,
        "seed": args.seed,
        "cases": {},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / MANIFEST
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["cases"] = old.get("cases", {}) if args.case else {}
    recorder = cassette_vcr(args.out, "all", args.base_url)
    failed = False
    for case in CASES:
        if args.case and case.name not in args.case:
            continue
        config = LlmConfig(
            base_url=args.base_url,
            model=args.model,
            api_key=args.api_key,
            structured_mode=mode,
            timeout_s=args.timeout,
            max_retries=0,
            max_calls=8,
            max_tokens_total=400_000,
            max_output_tokens=args.max_output_tokens,
            max_repairs=args.max_repairs,
            deadline_s=4 * 3600,
            temperature=0.0,
            seed=args.seed,
        )
        started = time.monotonic()
        cassette = f"{case.name}.yaml"
        (args.out / cassette).unlink(missing_ok=True)
        with recorder.use_cassette(cassette):
            drafter = ModelDrafter(LlmClient.from_config(config))
            try:
                result = run_case(drafter, build_request(case))
            except LlmError as err:
                print(f"{case.name}: FAILED {type(err).__name__}: {err}", file=sys.stderr)
                manifest["cases"][case.name] = {"outcome": type(err).__name__}
                failed = True
                continue
        print(_summary(case.name, result, time.monotonic() - started))
        manifest["cases"][case.name] = {
            "outcome": "ok",
            "cassette": cassette,
            "first_issues": sorted({i.kind for i in result.first_issues}),
            "final_issues": sorted({i.kind for i in result.issues}),
            "calls": result.usage.calls,
        }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
