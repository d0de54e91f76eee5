"""The HTTP API on a real server: `pmpilot serve` on 127.0.0.1, keys made by `pmpilot keys
create`, two tenants that must never see each other's plans."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from tests.api.servers import ROOT, Server, auth, seeded_server

BRIEF = (ROOT / "examples" / "briefs" / "10-okta-sso-rollout.md").read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = seeded_server(tmp_path_factory)
    yield srv
    srv.kill()


@pytest.fixture(scope="module")
def keys(server: Server) -> dict[str, str]:
    return {
        "acme": server.key("acme"),
        "globex": server.key("globex"),
        "viewer": server.key("acme", "viewer"),
    }


_h = auth


@pytest.fixture(scope="module")
def created(server: Server, keys: dict[str, str]) -> dict:
    r = httpx.post(
        f"{server.url}/v1/plans", json={"brief": BRIEF}, headers=_h(keys["acme"]), timeout=60
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_health_and_readiness(server: Server) -> None:
    assert httpx.get(f"{server.url}/v1/health").json() == {"status": "ok"}
    assert httpx.get(f"{server.url}/v1/ready").json() == {"status": "ready"}


def test_a_plan_is_drafted_stored_and_read_back_by_its_tenant(
    server: Server, keys: dict[str, str], created: dict
) -> None:
    a = created["assessment"]
    assert {"brief", "wbs", "schedule", "forecast", "risks", "budget_check", "engine"} <= set(a)
    assert a["brief"]["archetype"] == "identity_sso_rollout"
    got = httpx.get(f"{server.url}/v1/plans/{created['id']}", headers=_h(keys["acme"]))
    assert got.status_code == 200 and got.json() == created
    listed = httpx.get(f"{server.url}/v1/plans", headers=_h(keys["viewer"])).json()
    assert created["id"] in [p["id"] for p in listed["items"]]
    md = httpx.get(f"{server.url}/v1/plans/{created['id']}/plan.md", headers=_h(keys["acme"]))
    assert md.headers["content-type"].startswith("text/markdown")
    assert "## Work breakdown" in md.text
    # plan.md's chart resolves beside it
    assert "](gantt.svg)" in md.text
    chart = httpx.get(f"{server.url}/v1/plans/{created['id']}/gantt.svg", headers=_h(keys["acme"]))
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.startswith("<svg") and a["schedule"]["critical_path"][0] in chart.text


def test_another_tenant_sees_nothing(server: Server, keys: dict[str, str], created: dict) -> None:
    other = _h(keys["globex"])
    r = httpx.get(f"{server.url}/v1/plans/{created['id']}", headers=other)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    r = httpx.get(f"{server.url}/v1/plans/{created['id']}/plan.md", headers=other)
    assert r.status_code == 404
    r = httpx.get(f"{server.url}/v1/plans/{created['id']}/gantt.svg", headers=other)
    assert r.status_code == 404
    assert httpx.get(f"{server.url}/v1/plans", headers=other).json()["items"] == []


@pytest.mark.parametrize("auth", [None, "Bearer nope", "Basic Zm9vOmJhcg=="])
def test_no_valid_key_is_401(server: Server, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    r = httpx.get(f"{server.url}/v1/plans", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["status"] == 401


def test_a_viewer_cannot_write(server: Server, keys: dict[str, str]) -> None:
    r = httpx.post(f"{server.url}/v1/plans", json={"brief": BRIEF}, headers=_h(keys["viewer"]))
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"brief": "x" * 50_001}, "body.brief"),
        ({"brief": ""}, "body.brief"),
        ({"brief": 5}, "body.brief"),
        ({"brief": BRIEF, "tenant": "globex"}, "body.tenant"),
        ({"brief": "   \n  "}, "body.brief"),
    ],
)
def test_bad_bodies_are_422_and_name_the_field(
    server: Server, keys: dict[str, str], body: dict, field: str
) -> None:
    r = httpx.post(f"{server.url}/v1/plans", json=body, headers=_h(keys["acme"]))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]


def test_a_huge_body_is_413(server: Server, keys: dict[str, str]) -> None:
    body = b'{"brief": "' + b"x" * 400_000 + b'"}'
    headers = {**_h(keys["acme"]), "Content-Type": "application/json"}
    r = httpx.post(f"{server.url}/v1/plans", content=body, headers=headers)
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield b'{"brief": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'"}'

    r = httpx.post(f"{server.url}/v1/plans", content=chunks(), headers=headers)
    assert r.status_code == 413 and r.json()["status"] == 413


def test_an_acknowledged_plan_survives_kill_9(
    server: Server, keys: dict[str, str], created: dict
) -> None:
    server.kill()
    server.start()
    r = httpx.get(f"{server.url}/v1/plans/{created['id']}", headers=_h(keys["acme"]))
    assert r.status_code == 200
    assert r.json()["assessment"] == created["assessment"]


def test_a_key_over_its_rate_gets_429_with_retry_after(
    server: Server, keys: dict[str, str]
) -> None:
    limited = Server(server.data_dir, extra={"PMPILOT_RATE_LIMIT_BURST": "3"})
    limited.extra["PMPILOT_RATE_LIMIT_PER_MINUTE"] = "6"
    limited.start()
    try:
        codes = [
            httpx.get(f"{limited.url}/v1/plans", headers=_h(keys["acme"])).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        r = httpx.get(f"{limited.url}/v1/plans", headers=_h(keys["acme"]))
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 10
        other = httpx.get(f"{limited.url}/v1/plans", headers=_h(keys["globex"]))
        assert other.status_code == 200  # the limit is per key
    finally:
        limited.kill()


LESSON = {
    "title": "Carrier sandbox rate limits hid a production throttle",
    "text": "The carrier's sandbox allowed 50 requests per second; production throttled us at"
    " 5 per second during peak and label printing queued for an hour.",
    "archetype": "api_integration",
    "phase": "test",
    "category": "vendor",
    "impact": "high",
    "recommendation": "Ask each carrier for production rate limits in writing and load-test.",
    "tags": ["carrier", "rate limit"],
}


def test_lessons_are_added_searched_and_deleted_within_a_tenant(
    server: Server, keys: dict[str, str]
) -> None:
    acme, globex = _h(keys["acme"]), _h(keys["globex"])
    r = httpx.post(f"{server.url}/v1/lessons", json=LESSON, headers=acme, timeout=30)
    assert r.status_code == 201, r.text
    [lesson_id] = r.json()["added"]
    found = httpx.get(
        f"{server.url}/v1/lessons", params={"q": "carrier production throttling"}, headers=acme
    ).json()["items"]
    assert found and found[0]["id"] == lesson_id and found[0]["score"] is not None
    theirs = httpx.get(f"{server.url}/v1/lessons", headers=globex).json()["items"]
    assert lesson_id not in [x["id"] for x in theirs]
    twin = {**LESSON, "title": f"{LESSON['title']} (again)"}
    r = httpx.post(f"{server.url}/v1/lessons", json=twin, headers=acme, timeout=30)
    assert r.status_code == 201 and r.json()["added"] == []
    assert [d["duplicate_of"] for d in r.json()["near_duplicates"]] == [lesson_id]
    assert httpx.delete(f"{server.url}/v1/lessons/{lesson_id}", headers=globex).status_code == 404
    assert (
        httpx.delete(f"{server.url}/v1/lessons/{lesson_id}", headers=_h(keys["viewer"])).status_code
        == 403
    )
    assert httpx.delete(f"{server.url}/v1/lessons/{lesson_id}", headers=acme).status_code == 204
    listed = httpx.get(f"{server.url}/v1/lessons", headers=acme).json()["items"]
    assert lesson_id not in [x["id"] for x in listed]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"archetype": "moon_base"}, "body.archetype"),
        ({"title": "      "}, "body.title"),
        ({"text": " " * 30}, "body.text"),
        ({"recommendation": "nul\x00byte"}, "body.recommendation"),
    ],
)
def test_a_bad_lesson_names_its_field(
    server: Server, keys: dict[str, str], change: dict, field: str
) -> None:
    r = httpx.post(f"{server.url}/v1/lessons", json={**LESSON, **change}, headers=_h(keys["acme"]))
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


def test_a_cited_lesson_can_be_read_whoever_holds_it(
    server: Server, keys: dict[str, str], created: dict
) -> None:
    """A new tenant's plan cites the shared corpus; the tenant can read what it cites, and
    no tenant reads another's own lessons."""
    cited = [
        r["source"]["ref"]
        for r in created["assessment"]["risks"]
        if r["source"]["kind"] == "lesson"
    ]
    assert cited, "the plan of a tenant with no lessons of its own cites the shared corpus"
    r = httpx.get(f"{server.url}/v1/lessons/{cited[0]}", headers=_h(keys["acme"]))
    assert r.status_code == 200 and r.json()["tenant"] == "default" and r.json()["id"] == cited[0]
    mine = httpx.post(f"{server.url}/v1/lessons", json=LESSON, headers=_h(keys["acme"]), timeout=30)
    [own] = mine.json()["added"] or mine.json()["unchanged"]
    assert (
        httpx.get(f"{server.url}/v1/lessons/{own}", headers=_h(keys["acme"])).json()["tenant"]
        == "acme"
    )
    assert (
        httpx.get(f"{server.url}/v1/lessons/{own}", headers=_h(keys["globex"])).status_code == 404
    )
    assert httpx.get(f"{server.url}/v1/lessons/L-nope", headers=_h(keys["acme"])).status_code == 404
    httpx.delete(f"{server.url}/v1/lessons/{own}", headers=_h(keys["acme"]))


def _events(response: httpx.Response) -> list[tuple[str, dict]]:
    out, kind = [], ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            out.append((kind, json.loads(line[6:])))
    return out


def test_chat_on_a_plan_streams_steps_then_what_changed(
    server: Server, keys: dict[str, str], created: dict
) -> None:
    acme = _h(keys["acme"])
    r = httpx.post(f"{server.url}/v1/plans/{created['id']}/threads", headers=acme)
    assert r.status_code == 201, r.text
    thread = r.json()["id"]
    assert thread.startswith("acme.")
    body = {"message": "what if the budget is $100k?"}
    url = f"{server.url}/v1/threads/{thread}/messages"
    with httpx.stream("POST", url, json=body, headers=acme, timeout=60) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = _events(resp)
    steps = [d["step"] for k, d in events if k == "step"]
    assert steps[:2] == ["interpret", "apply"] and "reassess" in steps
    [message] = [d for k, d in events if k == "message"]
    whats = [c["what"] for c in message["changes"]]
    assert "budget" in whats and all("budget" in w for w in whats)  # nothing else moved
    assert events[-1][0] == "done"
    state = httpx.get(f"{server.url}/v1/threads/{thread}", headers=acme).json()
    assert Decimal(state["assessment"]["budget_check"]["budget"]["amount"]) == 100000
    assert [t["role"] for t in state["transcript"]] == ["user", "assistant"]
    globex = _h(keys["globex"])
    assert httpx.get(f"{server.url}/v1/threads/{thread}", headers=globex).status_code == 404
    forged = thread.replace("acme.", "globex.")
    r = httpx.post(f"{server.url}/v1/threads/{forged}/messages", json=body, headers=globex)
    assert r.status_code == 404
    r = httpx.post(f"{server.url}/v1/plans/{created['id']}/threads", headers=globex)
    assert r.status_code == 404
    listed = httpx.get(f"{server.url}/v1/plans/{created['id']}/threads", headers=acme).json()
    assert thread in [t["id"] for t in listed["items"]]
    r = httpx.get(f"{server.url}/v1/plans/{created['id']}/threads", headers=globex)
    assert r.status_code == 404

    # What the chat made is kept as a plan of its own, to list and export.
    assert httpx.post(f"{server.url}/v1/threads/{thread}/plans", headers=globex).status_code == 404
    r = httpx.post(f"{server.url}/v1/threads/{thread}/plans", headers=acme)
    assert r.status_code == 201, r.text
    kept = r.json()
    assert kept["parent"] == created["id"] and kept["assessment"] == state["assessment"]
    md = httpx.get(f"{server.url}/v1/plans/{kept['id']}/plan.md", headers=acme).text
    assert "100,000" in md


def test_an_edit_makes_a_new_plan_and_leaves_the_original(
    server: Server, keys: dict[str, str], created: dict
) -> None:
    acme = _h(keys["acme"])
    budget = Decimal(created["assessment"]["budget_check"]["budget"]["amount"])
    body = {"edits": [{"op": "set_budget", "amount": str(budget * 2)}]}
    r = httpx.post(f"{server.url}/v1/plans/{created['id']}/edits", json=body, headers=acme)
    assert r.status_code == 201, r.text
    edited = r.json()
    assert edited["parent"] == created["id"] and edited["id"] != created["id"]
    assert Decimal(edited["assessment"]["budget_check"]["budget"]["amount"]) == budget * 2
    assert "budget" in " ".join(c["what"].lower() for c in edited["changes"])
    again = httpx.get(f"{server.url}/v1/plans/{created['id']}", headers=acme).json()
    assert again["assessment"] == created["assessment"]  # the original is kept as it was
    stored = httpx.get(f"{server.url}/v1/plans/{edited['id']}", headers=acme).json()
    assert stored["assessment"] == edited["assessment"] and stored["parent"] == created["id"]
    listed = httpx.get(f"{server.url}/v1/plans", headers=acme).json()["items"]
    assert {p["id"]: p["parent"] for p in listed}[edited["id"]] == created["id"]


@pytest.mark.parametrize(
    ("edits", "field"),
    [
        ([{"op": "remove", "code": "9.9"}], "body.edits.0"),
        (
            [{"op": "set_deadline", "deadline": "2027-06-30"}, {"op": "lock", "code": "x"}],
            "body.edits.1",
        ),
        ([{"op": "set_budget", "amount": -5}], "body.edits.0.set_budget.amount"),
        ([{"op": "fly"}], "body.edits.0"),
        (
            [{"op": "add_member", "role": "<img src=x onerror=alert(1)>"}],
            "body.edits.0.add_member.role",
        ),
        ([], "body.edits"),
    ],
)
def test_an_edit_that_cannot_apply_is_422_naming_it(
    server: Server, keys: dict[str, str], created: dict, edits: list, field: str
) -> None:
    url = f"{server.url}/v1/plans/{created['id']}/edits"
    r = httpx.post(url, json={"edits": edits}, headers=_h(keys["acme"]))
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]


def test_another_tenant_cannot_edit_or_export(
    server: Server, keys: dict[str, str], created: dict
) -> None:
    url = f"{server.url}/v1/plans/{created['id']}"
    body = {"edits": [{"op": "set_deadline", "deadline": "2030-01-01"}]}
    assert httpx.post(f"{url}/edits", json=body, headers=_h(keys["globex"])).status_code == 404
    assert httpx.post(f"{url}/edits", json=body, headers=_h(keys["viewer"])).status_code == 403
    assert httpx.get(f"{url}/plan.json", headers=_h(keys["globex"])).status_code == 404
    theirs = httpx.get(f"{server.url}/v1/plans", headers=_h(keys["globex"])).json()["items"]
    assert theirs == []


def test_plan_json_is_the_plan_commands_contract(
    server: Server, keys: dict[str, str], created: dict
) -> None:
    r = httpx.get(f"{server.url}/v1/plans/{created['id']}/plan.json", headers=_h(keys["acme"]))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert "attachment" in r.headers["content-disposition"]
    assert r.json() == created["assessment"]


def test_keys_are_listed_by_id_and_a_revoked_key_is_refused_at_once(server: Server) -> None:
    key = server.key("acme", "viewer")
    assert httpx.get(f"{server.url}/v1/plans", headers=_h(key)).status_code == 200
    key_id = hashlib.sha256(key.encode()).hexdigest()[:12]
    listed = server.pmpilot("keys", "list", "--tenant", "acme").stdout
    assert f"{key_id}  acme  viewer" in listed and key not in listed
    server.pmpilot("keys", "revoke", key_id)
    assert httpx.get(f"{server.url}/v1/plans", headers=_h(key)).status_code == 401
    assert key_id not in server.pmpilot("keys", "list").stdout
    again = server.pmpilot("keys", "revoke", key_id, check=False)
    assert again.returncode == 2 and "no key with id" in again.stderr


IMPORTED = [
    {
        "title": "Firmware pinning saved the scanner roll-out",
        "text": "Scanners arrived with three firmware versions; the one we had tested was pinned"
        " by the vendor's MDM profile before shipping, so the pilot matched production.",
        "archetype": "api_integration",
        "phase": "build",
        "category": "vendor",
        "recommendation": "Pin firmware in the MDM profile before devices ship.",
    },
    {
        "title": "Webhook retries doubled shipment events",
        "text": "The carrier retried webhooks on any 5xx and our handler was not idempotent, so"
        " 3% of shipments got two tracking events and two customer e-mails.",
        "archetype": "api_integration",
        "phase": "test",
        "category": "technical",
        "recommendation": "Make webhook handlers idempotent on the carrier's event id.",
    },
]


def test_a_file_of_lessons_is_imported_whole_or_not_at_all(
    server: Server, keys: dict[str, str]
) -> None:
    url = f"{server.url}/v1/lessons/import"
    acme, globex = _h(keys["acme"]), _h(keys["globex"])
    bad = "\n".join(json.dumps(x) for x in [IMPORTED[0], {**IMPORTED[1], "phase": "party"}])
    r = httpx.post(url, json={"format": "jsonl", "content": bad}, headers=acme, timeout=60)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["line"]) for e in r.json()["errors"]] == [("body.content", 2)]
    titles = {x["title"] for x in IMPORTED}
    listed = httpx.get(f"{server.url}/v1/lessons", headers=acme).json()["items"]
    assert not titles & {x["title"] for x in listed}  # nothing of the file was written

    good = {"format": "json", "content": json.dumps(IMPORTED)}
    r = httpx.post(url, json=good, headers=acme, timeout=60)
    assert r.status_code == 201, r.text
    added = r.json()["added"]
    assert len(added) == 2
    listed = httpx.get(f"{server.url}/v1/lessons", headers=acme).json()["items"]
    assert titles <= {x["title"] for x in listed}
    theirs = httpx.get(f"{server.url}/v1/lessons", headers=globex).json()["items"]
    assert not titles & {x["title"] for x in theirs}
    viewer = httpx.post(url, json=good, headers=_h(keys["viewer"]))
    assert viewer.status_code == 403
    for lesson_id in added:
        assert httpx.delete(f"{server.url}/v1/lessons/{lesson_id}", headers=acme).status_code == 204
