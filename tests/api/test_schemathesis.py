"""Schemathesis over the OpenAPI spec, as two tenants, on a real `pmpilot serve`.

Why: the API's contract is its OpenAPI document, and its first promise is that one tenant never
reads or changes another's data. test_http.py checks the cases we thought of; here schemathesis
generates the ones we did not, for every operation the spec lists (a new route is fuzzed as
soon as it is added), with at least 100 generated examples per operation and tenant on top of
schemathesis's coverage examples, derandomized so that a red run replays the same way.

- Built-in checks: no 5xx; every status code and content type documented; every body valid
  against its schema; invalid input rejected; valid input accepted, unless the API answers a
  422 about meaning (a brief that cannot be planned, an edit naming no package of the plan:
  no JSON Schema can predict those); auth enforced.
- Tenant B (globex) is fuzzed with tenant A's (acme) real plan, job, thread and lesson ids, and
  thread ids forged with B's prefix, mixed into its path parameters. B must never get a 2xx,
  or a 422 about meaning, on one of them; no response to B may carry an A id that B did not
  send, or the marker written into A's brief and lesson; after each of B's writes that aimed
  at an A id or succeeded, what A reads (its lists, the resource aimed at) is unchanged; and
  after the whole run everything A can read is as it was.
- Tenant A is then fuzzed with its own disposable ids, so the 200/201/204 paths run too.

Operations without parameters (/v1/health, /v1/ready) have a single possible request, so
Hypothesis stops after it; every other operation gets its 100.

The rate limit is set out of reach: 429 is tested in test_http.py, and here it would only make
the fuzz a test of the limiter. Red means an API bug, a spec gap (an undocumented status or
content type) or a cross-tenant leak; each failure prints the request that triggers it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response
from schemathesis.openapi.checks import RejectedPositiveData

from tests.api.servers import ROOT, Server, auth, free_port, seeded_data_dir

BRIEF = (ROOT / "examples" / "briefs" / "13-carrier-api-integration.md").read_text()
EXAMPLES = 100
# Written into tenant A's brief and lesson: no response to tenant B may contain it.
MARKER = "Kestrel-acme-7f3c9d"
A, B = "acme", "globex"
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "ignored_auth",
]
# schemathesis's default statuses for "invalid data rejected", and 413: a body over the limit.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
# The title of the 422 for a request that breaks the spec (RequestValidationError). Any other
# 422 is about meaning (a brief that cannot be planned, an edit naming no package of the
# plan), which no JSON Schema can predict: schema-valid data may get it.
INVALID = "invalid request"
FAST = {"PMPILOT_RATE_LIMIT_PER_MINUTE": "1000000", "PMPILOT_RATE_LIMIT_BURST": "1000000"}
# Far apart, so that the second is not dropped as a near-duplicate of the first.
LESSONS = {
    "victim": {
        "title": "Carrier sandbox hid a production throttle",
        "text": f"The {MARKER} carrier sandbox allowed 50 requests per second; production"
        " throttled label printing at 5 per second during the peak.",
        "archetype": "api_integration",
        "phase": "test",
        "category": "vendor",
        "recommendation": "Ask each carrier for production rate limits in writing.",
    },
    "own": {
        "title": "Cutover weekend overlapped with month-end close",
        "text": "Finance could not sign off the reconciliation because the ledger freeze"
        " started on the same Friday as the database cutover.",
        "archetype": "database_migration",
        "phase": "cutover",
        "category": "schedule",
        "recommendation": "Agree cutover dates with finance before fixing the runbook.",
    },
}

Ids = dict[str, list[str]]
"""Resource kind ("plan", "job", "thread", "lesson") -> ids; a path parameter `<kind>_id`
takes ids of its kind."""


@dataclass
class World:
    server: Server
    spec: dict[str, Any]
    a_key: str
    b_key: str
    victim: Ids  # A's resources that B attacks; nothing in this file may change them
    own: Ids  # A's resources that A's own fuzz may change or delete

    @property
    def victim_ids(self) -> set[str]:
        return {i for ids in self.victim.values() for i in ids}

    def forged(self) -> list[str]:
        """A's tenant-prefixed ids (threads) with B's prefix instead."""
        return [f"{B}.{i[len(A) + 1 :]}" for i in self.victim_ids if i.startswith(f"{A}.")]

    def victim_paths(self) -> list[str]:
        """Every secured GET in the spec that A's victim ids can fill: what A reads."""
        out = []
        for path, ops in self.spec["paths"].items():
            get = ops.get("get")
            if get is None or not get.get("security"):
                continue
            names = [p["name"] for p in get.get("parameters", []) if p["in"] == "path"]
            kinds = [n.removesuffix("_id") for n in names]
            if all(self.victim.get(k) for k in kinds):
                filled = path
                for name, kind in zip(names, kinds, strict=True):
                    filled = filled.replace(f"{{{name}}}", self.victim[kind][0])
                out.append(filled)
        return out

    def read_as_a(self, paths: list[str]) -> dict[str, object]:
        """What A reads at each path: status and body (JSON parsed, so key order is moot)."""
        out: dict[str, object] = {}
        for path in paths:
            r = httpx.get(f"{self.server.url}{path}", headers=auth(self.a_key), timeout=60)
            is_json = "json" in r.headers.get("content-type", "")
            out[path] = (r.status_code, r.json() if is_json else r.text)
        return out


def _job_of(server: Server, key: str) -> str:
    """A job id: a brief sent while the model is down, failed (so nothing resumes it)."""
    r = httpx.post(f"{server.url}/v1/plans", json={"brief": BRIEF}, headers=auth(key), timeout=60)
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = httpx.get(f"{server.url}/v1/jobs/{job}", headers=auth(key)).json()["status"]
        if status in {"succeeded", "failed"}:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish")


def _seed(server: Server, key: str, tag: str, job: str) -> Ids:
    """A plan, a chat thread on it with one turn, and a lesson; their ids, and the job's."""
    url, h = server.url, auth(key)
    brief = f"{BRIEF}\n\nInternal codename: {MARKER}.\n"
    r = httpx.post(f"{url}/v1/plans", json={"brief": brief}, headers=h, timeout=120)
    assert r.status_code == 201, r.text
    plan = r.json()["id"]
    r = httpx.post(f"{url}/v1/plans/{plan}/threads", headers=h, timeout=60)
    assert r.status_code == 201, r.text
    thread = r.json()["id"]
    message = {"message": "what if the budget is $300k?"}
    r = httpx.post(f"{url}/v1/threads/{thread}/messages", json=message, headers=h, timeout=120)
    assert r.status_code == 200 and "event: done" in r.text, r.text
    r = httpx.post(f"{url}/v1/lessons", json=LESSONS[tag], headers=h, timeout=60)
    assert r.status_code == 201 and len(r.json()["added"]) == 1, r.text
    return {"plan": [plan], "job": [job], "thread": [thread], "lesson": r.json()["added"]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    srv = Server(seeded_data_dir(tmp_path_factory, "fuzz-data"))
    dead_model = {
        "PMPILOT_DRAFTER": "model",
        "PMPILOT_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
        "PMPILOT_LLM_TIMEOUT_S": "2",
    }
    srv.extra = {**FAST, **dead_model}
    a_key, b_key = srv.key(A), srv.key(B)
    try:
        srv.start()
        job = _job_of(srv, a_key)
        srv.kill()
        srv.extra = dict(FAST)  # the offline drafter from here on
        srv.start()
        spec = httpx.get(f"{srv.url}/openapi.json", timeout=30).json()
        victim, own = _seed(srv, a_key, "victim", job), _seed(srv, a_key, "own", job)
        yield World(srv, spec, a_key, b_key, victim, own)
    finally:
        srv.kill()


def _path_ids(ids: Ids, extra: list[str]) -> Callable:
    """flatmap_path_parameters: a real id of the parameter's kind, any real id, or what
    schemathesis generated, in turn."""
    every = sorted({i for v in ids.values() for i in v} | set(extra))

    def choose(name: str, generated: object) -> st.SearchStrategy:
        kind = name.removesuffix("_id")
        same_kind = ids.get(kind, []) + (extra if kind == "thread" else [])
        return st.one_of(
            st.sampled_from(same_kind or every), st.sampled_from(every), st.just(generated)
        )

    def hook(context: schemathesis.HookContext, params: dict | None) -> st.SearchStrategy:
        if not params:
            return st.just(params)
        return st.fixed_dictionaries({k: choose(k, v) for k, v in params.items()})

    return hook


def _title(response: Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("title") if isinstance(body, dict) else None


def _not_about_meaning(
    context: schemathesis.HookContext, failure: object, case: Case, response: Response
) -> bool:
    """filter_failure: keep every failure but "valid data rejected" with a 422 about meaning."""
    return not (
        isinstance(failure, RejectedPositiveData)
        and response.status_code == 422
        and _title(response) not in {INVALID, None}
    )


def _schema(world: World, key: str, ids: Ids, extra: list[str]) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "base-url": world.server.url,
            "auth": {"openapi": {"HTTPBearer": {"bearer": key}}},
            "request-timeout": 120,
            "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
                "negative_data_rejection": {"enabled": True, "expected-statuses": REJECTED},
            },
        }
    )
    schema = schemathesis.openapi.from_dict(world.spec, config=config)
    schema.hook("flatmap_path_parameters")(_path_ids(ids, extra))
    schema.hook("filter_failure")(_not_about_meaning)
    return schema


@pytest.fixture(scope="module")
def as_b(world: World) -> schemathesis.BaseSchema:
    """Tenant B's view of the spec, its path parameters mostly A's real (or forged) ids."""
    return _schema(world, world.b_key, world.victim, world.forged())


@pytest.fixture(scope="module")
def as_a(world: World) -> schemathesis.BaseSchema:
    """Tenant A's view of the spec, its path parameters mostly A's own disposable ids."""
    return _schema(world, world.a_key, world.own, [])


@pytest.fixture(scope="module")
def a_before(world: World) -> dict[str, object]:
    """What A reads about its victim resources before B's fuzz starts."""
    return world.read_as_a(world.victim_paths())


def _sent(case: Case) -> str:
    return json.dumps([case.path_parameters, case.query, case.body], default=str)


@pytest.fixture(scope="module")
def cross_tenant(world: World, a_before: dict[str, object]) -> Callable:
    """The custom check for B's requests."""
    targets = world.victim_ids | set(world.forged())
    secrets = [*sorted(world.victim_ids), MARKER]
    lists = [p for p in a_before if not any(i in p for i in world.victim_ids)]
    seen = dict(a_before)  # moved on after each change found, so that each is reported once

    def no_cross_tenant_access(ctx: CheckContext, response: Response, case: Case) -> None:
        aimed = {str(v) for v in (case.path_parameters or {}).values()} & targets
        where = f"tenant {B}'s {case.method} {case.formatted_path} -> {response.status_code}"
        assert not (aimed and 200 <= response.status_code < 300), (
            f"{where}: a 2xx on tenant {A}'s {sorted(aimed)}"
        )
        # A 422 about meaning means the request was read against A's resource (and tells B
        # that it exists): B must get what a missing id gets.
        assert not (aimed and response.status_code == 422 and _title(response) != INVALID), (
            f"{where}: tenant {A}'s {sorted(aimed)} was processed for tenant {B}"
        )
        sent = _sent(case)
        leaked = [s for s in secrets if s in response.text and s not in sent]
        assert not leaked, f"{where}: the response carries tenant {A}'s {leaked}"
        wrote = case.method.upper() not in SAFE and (aimed or 200 <= response.status_code < 300)
        if wrote:
            # What A reads at the resource aimed at (a forged thread id aims at A's thread),
            # and A's lists.
            ids = {i.replace(f"{B}.", f"{A}.", 1) for i in aimed}
            paths = lists + [p for p in seen if any(i in p for i in ids)]
            after = world.read_as_a(paths)
            changed = [p for p in paths if after[p] != seen[p]]
            seen.update(after)
            assert not changed, f"{where}: changed what tenant {A} reads at {changed}"

    return no_cross_tenant_access


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32.5's `from_fixture` reads and rewrites `node._nodeid`, which pytest
    9.2 no longer has (it keeps `_id`): without this every lazy-schema test fails with
    AttributeError before a request is sent. Results are still reported per operation, as
    subtests labelled `METHOD /path`."""
    request.node._nodeid = request.node.nodeid


b_schema = schemathesis.pytest.from_fixture("as_b")
a_schema = schemathesis.pytest.from_fixture("as_a")


@b_schema.parametrize()
def test_tenant_b_fuzzed_with_tenant_a_ids(case: Case, cross_tenant: Callable) -> None:
    case.call_and_validate(additional_checks=[cross_tenant])


def test_tenant_b_fuzz_left_tenant_a_as_it_was(world: World, a_before: dict[str, object]) -> None:
    """Everything A can read about its resources, after all of B's requests (run after the
    fuzz above: pytest keeps a module's order)."""
    after = world.read_as_a(list(a_before))
    assert {p: v for p, v in after.items() if v != a_before[p]} == {}


def test_a_twin_of_a_lesson_written_by_b_is_b_own(world: World) -> None:
    """Lesson ids come from their content, so B writing A's lesson word for word makes the
    same id: it must be a new lesson of B's (not "unchanged", not a near-duplicate of A's),
    and B deleting it must leave A's."""
    [lesson] = world.victim["lesson"]
    url, b = world.server.url, auth(world.b_key)
    r = httpx.post(f"{url}/v1/lessons", json=LESSONS["victim"], headers=b, timeout=60)
    assert r.status_code == 201 and r.json()["added"] == [lesson], r.text
    assert httpx.delete(f"{url}/v1/lessons/{lesson}", headers=b).status_code == 204
    assert httpx.delete(f"{url}/v1/lessons/{lesson}", headers=b).status_code == 404
    theirs = httpx.get(f"{url}/v1/lessons", headers=auth(world.a_key)).json()["items"]
    assert lesson in [x["id"] for x in theirs]


@a_schema.parametrize()
def test_tenant_a_fuzzed_with_its_own_ids(case: Case) -> None:
    case.call_and_validate()
