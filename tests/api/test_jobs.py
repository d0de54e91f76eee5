"""Plans drafted by a model run as jobs: 202 with a Location to poll, the job's steps, the
plan it made, a failure that names the endpoint, and a job acknowledged before a kill -9
that finishes after the restart. The model is a scripted OpenAI-compatible server on a real
socket, so the real SDK, parsing and validation run in the real `pmpilot serve`."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.agent.fakes import completion, migration_wbs
from tests.agent.test_model_graph import RISKS
from tests.api.servers import ROOT, Server, auth, free_port, seeded_data_dir

BRIEF = (ROOT / "examples" / "briefs" / "01-postgres-to-rds.md").read_text()
HANG = "hang"


class ScriptedModel(ThreadingHTTPServer):
    """Answers POST /v1/chat/completions with the scripted bodies in order; HANG holds the
    request until `release` is set."""

    def __init__(self, *steps: dict | str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.steps = deque(steps)
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.hung = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedModel

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        step = self.server.steps.popleft() if self.server.steps else None
        if step == HANG:
            self.server.hung.set()
            self.server.release.wait(60)
            return
        status, payload = (200, step) if step else (418, {"error": {"message": "exhausted"}})
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _model(*steps: dict | str) -> Iterator[ScriptedModel]:
    model = ScriptedModel(*steps)
    thread = threading.Thread(target=model.serve_forever, daemon=True)
    thread.start()
    yield model
    model.release.set()
    model.shutdown()


def _drafts() -> tuple[dict, dict, dict]:
    """The model's three answers of a plan: its reading of the brief (nothing it can quote),
    the WBS, the risks."""
    return (
        completion(json.dumps({"people": [], "non_labour": []})),
        completion(json.dumps(migration_wbs())),
        completion(json.dumps(RISKS)),
    )


def _server(data_dir: Path, base_url: str) -> Server:
    return Server(
        data_dir,
        extra={
            "PMPILOT_DRAFTER": "model",
            "PMPILOT_LLM_BASE_URL": base_url,
            "PMPILOT_LLM_MODEL": "test-model",
            "PMPILOT_LLM_TIMEOUT_S": "30",
        },
    )


def _wait(server: Server, key: str, job_id: str, until: set[str]) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = httpx.get(f"{server.url}/v1/jobs/{job_id}", headers=auth(key)).json()
        if job["status"] in until:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stayed {job['status']}")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the module's servers (one after another): seeded once."""
    return seeded_data_dir(tmp_path_factory, "jobs-data")


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    yield from _model(*_drafts())


def test_a_model_run_is_a_job_that_ends_in_a_plan(data_dir: Path, model: ScriptedModel) -> None:
    server = _server(data_dir, model.url)
    acme, globex = server.key("acme"), server.key("globex")
    server.start()
    try:
        r = httpx.post(f"{server.url}/v1/plans", json={"brief": BRIEF}, headers=auth(acme))
        assert r.status_code == 202, r.text
        job = r.json()
        assert r.headers["location"] == f"/v1/jobs/{job['id']}"
        assert job["status"] in {"queued", "running"} and job["plan_id"] is None
        other = httpx.get(f"{server.url}/v1/jobs/{job['id']}", headers=auth(globex))
        assert other.status_code == 404
        done = _wait(server, acme, job["id"], {"succeeded", "failed"})
        assert done["status"] == "succeeded", done["error"]
        plan = httpx.get(f"{server.url}/v1/plans/{done['plan_id']}", headers=auth(acme)).json()
        assert plan["assessment"]["engine"]["llm_calls"] == 3 == len(model.requests)
        assert {p["source"]["kind"] for p in plan["assessment"]["wbs"]} <= {
            "model",
            "brief",
            "lesson",
        }
        theirs = httpx.get(f"{server.url}/v1/plans/{done['plan_id']}", headers=auth(globex))
        assert theirs.status_code == 404
    finally:
        server.kill()


def test_a_job_whose_model_is_down_fails_and_says_where(data_dir: Path) -> None:
    server = _server(data_dir, f"http://127.0.0.1:{free_port()}/v1")
    server.extra["PMPILOT_LLM_TIMEOUT_S"] = "2"
    acme = server.key("acme")
    server.start()
    try:
        r = httpx.post(f"{server.url}/v1/plans", json={"brief": BRIEF}, headers=auth(acme))
        assert r.status_code == 202
        job = _wait(server, acme, r.json()["id"], {"succeeded", "failed"})
        assert job["status"] == "failed" and job["plan_id"] is None
        assert "127.0.0.1" in job["error"] and "test-model" in job["error"]
    finally:
        server.kill()


def test_an_acknowledged_job_finishes_after_a_kill_9(data_dir: Path) -> None:
    for model in _model(HANG, *_drafts()):
        server = _server(data_dir, model.url)
        acme = server.key("acme")
        server.start()
        try:
            r = httpx.post(f"{server.url}/v1/plans", json={"brief": BRIEF}, headers=auth(acme))
            assert r.status_code == 202
            job_id = r.json()["id"]
            assert model.hung.wait(60), "the job never called the model"
            running = httpx.get(f"{server.url}/v1/jobs/{job_id}", headers=auth(acme)).json()
            assert running["status"] == "running"
            server.kill()
            server.start()
            done = _wait(server, acme, job_id, {"succeeded", "failed"})
            assert done["status"] == "succeeded", done["error"]
            assert len(model.requests) == 4  # the hung call, then the whole run again
        finally:
            server.kill()
