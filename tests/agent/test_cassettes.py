"""Replays of the model drafter against a real small model (recorded by
evals/record_cassettes.py; see cassettes/README.md). No server is needed: every request must
match a recorded one, body included, or the test fails.

A 1.5B model drafts poor plans (estimates far too low, odd dependencies); these tests do not
judge the plan. They check that whatever the model wrote came out of conversion as valid,
traceable domain objects, and that what validation still finds is what the repair loop
handles.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, get_args

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from agent.drafting.model import IMPACT_DAYS, LIKELIHOOD_PROBABILITY, ModelDrafter
from agent.llm import LlmClient
from evals.record_cassettes import (
    CASES,
    MANIFEST,
    Case,
    CaseResult,
    build_request,
    cassette_vcr,
    replay_config,
    run_case,
)
from evals.record_cassettes import main as record_main
from tests.agent.fakes import FakeClock, completion, migration_wbs
from tools.domain import Risk, WorkPackage
from tools.validation import IssueKind, validate_wbs

CASSETTES = Path(__file__).parent / "cassettes"
RERECORD = "re-record with `python -m evals.record_cassettes` (see tests/agent/cassettes/README.md)"


def _manifest(directory: Path = CASSETTES) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.exists():
        pytest.fail(f"the committed cassettes are missing ({path}); {RERECORD}")
    return json.loads(path.read_text(encoding="utf-8"))


def replay_case(directory: Path, case: Case) -> CaseResult:
    """Run the case against the cassette in `directory`, with no server and no network."""
    manifest = _manifest(directory)
    entry = manifest["cases"].get(case.name)
    if entry is None or entry["outcome"] != "ok":
        pytest.fail(f"{case.name} has no successful recording ({entry}); {RERECORD}")
    client = LlmClient.from_config(replay_config(manifest), clock=FakeClock())
    with cassette_vcr(directory, "none").use_cassette(entry["cassette"]) as cassette:
        try:
            result = run_case(ModelDrafter(client), build_request(case))
        except CannotOverwriteExistingCassetteException as err:
            pytest.fail(
                "a request no longer matches the recording (prompt or schema changed?); "
                f"{RERECORD}\n{err}"
            )
        assert cassette.all_played, "recorded interactions were left unplayed"
    return result


@pytest.fixture(scope="module", params=CASES, ids=lambda c: c.name)
def replay(request: pytest.FixtureRequest) -> tuple[Case, CaseResult]:
    return request.param, replay_case(CASSETTES, request.param)


def test_replay_yields_work_packages_that_pass_domain_validation(
    replay: tuple[Case, CaseResult],
) -> None:
    _, result = replay
    for draft in (result.first, result.final):
        assert draft.wbs
        for wp in draft.wbs:
            assert WorkPackage.model_validate(wp.model_dump()) == wp


def test_every_leaf_has_a_source_that_checks_out(replay: tuple[Case, CaseResult]) -> None:
    case, result = replay
    request = build_request(case)
    lesson_ids = {lesson.id for lesson in request.lessons}
    parents = {wp.parent for wp in result.final.wbs if wp.parent}
    for wp in result.final.wbs:
        if wp.code in parents:
            continue
        assert wp.source.kind in {"brief", "lesson", "model"}, wp.code
        if wp.source.kind == "brief":
            assert wp.source.quote and wp.source.quote in request.brief.text
        if wp.source.kind == "lesson":
            assert wp.source.ref in lesson_ids
        if wp.source.kind == "model":
            assert wp.source.ref == replay_config(_manifest()).model


def test_summaries_carry_no_estimate_and_leaves_are_estimated_in_person_days(
    replay: tuple[Case, CaseResult],
) -> None:
    _, result = replay
    parents = {wp.parent for wp in result.final.wbs if wp.parent}
    for wp in result.final.wbs:
        if wp.code in parents and not wp.locked:
            assert wp.estimate is None
        elif wp.estimate is not None:
            assert (wp.estimate.unit, wp.estimate.basis) == ("days", "effort")
            assert wp.role_demands


def test_what_validation_finds_is_what_the_repair_loop_reports(
    replay: tuple[Case, CaseResult],
) -> None:
    """Clean, or typed issues (self/cyclic/ancestor dependencies, missing estimates...) that
    the graph sends back to the drafter; never a crash or a half-converted package."""
    _, result = replay
    kinds = set(get_args(IssueKind))
    for draft, issues in ((result.first, result.first_issues), (result.final, result.issues)):
        assert validate_wbs(draft.wbs) == issues
        for issue in issues:
            assert issue.kind in kinds
            assert issue.message


def test_risks_are_valid_and_their_numbers_come_from_the_band_tables(
    replay: tuple[Case, CaseResult],
) -> None:
    _, result = replay
    codes = {wp.code for wp in result.final.wbs}
    assert result.risks.risks
    for n, risk in enumerate(result.risks.risks, start=1):
        assert Risk.model_validate(risk.model_dump()) == risk
        assert risk.id == f"R{n}"
        assert risk.probability in LIKELIHOOD_PROBABILITY.values()
        assert risk.schedule_impact_days in IMPACT_DAYS.values()
        assert risk.cost_impact is None
        assert set(risk.work_packages) <= codes


def test_usage_is_counted_from_the_recorded_responses(replay: tuple[Case, CaseResult]) -> None:
    case, result = replay
    assert result.usage.calls > 0
    assert result.usage.tokens > 0
    assert result.usage.calls == _manifest()["cases"][case.name]["calls"]


# --- the recorder's own round trip, against a local stub server --------------------------------


class _Stub(BaseHTTPRequestHandler):
    """Answers chat completions like a server would: a WBS or risks, by the schema asked for."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.headers["Authorization"] == "Bearer live-secret"
        schema = body["response_format"]["schema"]
        answer = migration_wbs() if "packages" in schema["properties"] else _RISKS
        payload = json.dumps(completion(json.dumps(answer), usage=(1500, 400))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


_RISKS = {
    "risks": [
        {
            "cause": "the custom C extension is not allowed on RDS",
            "event": "checksum validation cannot run on the target",
            "effect": "delay the cut-over sign-off",
            "category": "technical",
            "likelihood": "likely",
            "impact": "high",
            "response": "mitigate",
            "mitigation": "Rewrite the checksum in PL/pgSQL early",
            "contingency_plan": "Validate checksums outside the database",
            "trigger": "RDS refuses CREATE EXTENSION",
            "work_packages": ["1.1", "2.2"],
            "lesson_id": None,
        }
    ]
}


def test_recorded_cassettes_replay_without_the_server_and_hold_no_secret(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code = record_main(
            [
                f"--base-url=http://127.0.0.1:{server.server_address[1]}/v1",
                "--api-key=live-secret",
                "--model=stub-model",
                "--mode=json_object",
                f"--out={tmp_path}",
                f"--case={CASES[0].name}",
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0
    recorded = (tmp_path / f"{CASES[0].name}.yaml").read_text(encoding="utf-8")
    assert "live-secret" not in recorded
    assert "127.0.0.1" not in recorded
    assert "http://llm.test/v1/chat/completions" in recorded

    result = replay_case(tmp_path, CASES[0])
    assert validate_wbs(result.final.wbs) == []
    assert result.usage.calls == 2
    assert result.usage.tokens == 2 * 1900
    assert [r.probability for r in result.risks.risks] == [LIKELIHOOD_PROBABILITY["likely"]]
