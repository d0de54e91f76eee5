"""A scripted OpenAI-compatible server behind an httpx2 transport (no sockets).

It answers POST /v1/chat/completions with the scripted replies in order and records every
request body, so tests drive the real openai SDK, the real response parsing and the real
validation; only the bytes on the wire are scripted.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx2

from agent.drafting.port import DraftRequest
from agent.llm import LlmClient, LlmConfig
from knowledge.models import Lesson
from tools.brief import BriefReading
from tools.domain import ProjectBrief

BASE_URL = "http://llm.test/v1"
MODEL = "test-model"


@dataclass(frozen=True)
class HttpError:
    status: int
    body: dict[str, Any] = field(
        default_factory=lambda: {"error": {"message": "scripted error", "type": "server_error"}}
    )
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeout:
    """The transport times out reading the response."""


@dataclass(frozen=True)
class Refused:
    """The transport cannot connect."""


Step = dict[str, Any] | HttpError | Timeout | Refused


def completion(
    content: str | None = None,
    *,
    tool: tuple[str, str] | None = None,
    finish_reason: str | None = None,
    refusal: str | None = None,
    usage: tuple[int, int] | None = (100, 50),
) -> dict[str, Any]:
    """An OpenAI chat.completion body: `content`, or a call of tool (name, arguments)."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool is not None:
        name, arguments = tool
        message["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
        ]
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish_reason or ("tool_calls" if tool else "stop"),
            }
        ],
    }
    if usage is not None:
        prompt, out = usage
        body["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": out,
            "total_tokens": prompt + out,
        }
    return body


class ScriptedServer:
    def __init__(self, *steps: Step) -> None:
        self.steps: deque[Step] = deque(steps)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        if request.method != "POST" or request.url.path != "/v1/chat/completions":
            return httpx2.Response(404, json={"error": {"message": f"no route {request.url}"}})
        self.requests.append(json.loads(request.content))
        self.headers.append(dict(request.headers))
        if not self.steps:
            return httpx2.Response(418, json={"error": {"message": "script exhausted"}})
        step = self.steps.popleft()
        if isinstance(step, Timeout):
            raise httpx2.ReadTimeout("scripted timeout", request=request)
        if isinstance(step, Refused):
            raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)
        if isinstance(step, HttpError):
            return httpx2.Response(step.status, json=step.body, headers=step.headers)
        return httpx2.Response(200, json=step)

    def http_client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self._handle))

    def client(self, clock: FakeClock | None = None, **config: Any) -> LlmClient:
        settings: dict[str, Any] = {
            "base_url": BASE_URL,
            "model": MODEL,
            "api_key": "sk-test-secret",
            "max_retries": 0,
            **config,
        }
        return LlmClient.from_config(
            LlmConfig(**settings), http_client=self.http_client(), clock=clock or FakeClock()
        )

    def messages(self, index: int = -1) -> list[dict[str, Any]]:
        return self.requests[index]["messages"]


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# --- drafting requests ------------------------------------------------------------------------

BRIEF = (
    "Migrate the billing PostgreSQL 11 cluster (about 2 TB) to Amazon RDS for PostgreSQL 16. "
    "Re-point 9 applications and 23 nightly batch jobs. Worries: the extensions we use "
    "(PostGIS, pg_partman), large objects in the attachments table, and sequence values not "
    "being carried over. Cut-over done by 31 May 2027."
)

SEQUENCE_LESSON = Lesson(
    id="L-seq-1",
    title="Sequences were not carried over by DMS",
    text="After the full load the sequences were still at 1 and inserts failed for an hour.",
    archetype="database_migration",
    phase="cutover",
    category="data",
    impact="high",
    recommendation="Script a sequence reset step and rehearse it in the cut-over runbook.",
    created=date(2024, 3, 1),
)


def draft_request(text: str = BRIEF, **fields: Any) -> DraftRequest:
    brief = ProjectBrief(title="Billing database to RDS", text=text, archetype="database_migration")
    reading = BriefReading(brief=brief, drivers={"data_tb": 2.0, "applications": 9})
    settings: dict[str, Any] = {
        "lessons": [SEQUENCE_LESSON],
        "roles": ["dba", "cloud engineer", "developer", "tester", "project manager"],
        **fields,
    }
    return DraftRequest(brief=brief, reading=reading, **settings)


def package(
    code: str,
    name: str,
    parent: str | None = None,
    roles: tuple[str, ...] = (),
    points: tuple[float, float, float] = (0, 0, 0),
    *depends_on: str,
    **extra: Any,
) -> dict[str, Any]:
    """A package as a model writes it (the ModelPackage JSON shape)."""
    o, m, p = points
    return {
        "code": code,
        "name": name,
        "parent": parent,
        "deliverable": f"{name} done and signed off",
        "roles": list(roles),
        "optimistic": o,
        "likely": m,
        "pessimistic": p,
        "depends_on": list(depends_on),
        "brief_quote": None,
        "lesson_id": None,
        **extra,
    }


def migration_wbs() -> dict[str, Any]:
    """A realistic model answer for the billing database migration: 4 phases, 13 leaves, with
    the things a real model does (plural or unknown role names, an unordered estimate, a code
    with a space, quotes and a lesson id)."""
    return {
        "packages": [
            package("1", "Assessment and design"),
            package(
                "1.1",
                "Inventory extensions and large objects",
                "1",
                ("DBAs",),
                (3, 5, 8),
                brief_quote="(PostGIS, pg_partman)",
            ),
            package("1.2", "Target architecture on RDS", "1", ("Architect", "dba"), (4, 6, 10)),
            package("1.3", "Migration runbook design", "1", ("dba",), (3, 4, 7), "1.1"),
            package("2", "Build"),
            package("2.1", "RDS with Terraform", "2", ("DevOps Engineer",), (5, 8, 12), "1.2"),
            package("2.2", "DMS full load and CDC", "2", ("dba",), (8, 12, 20), "2.1", "1.3"),
            package(
                "2.3",
                "Re-point 9 applications",
                "2",
                ("developers",),
                (10, 15, 25),
                "2.1",
                brief_quote="Re-point 9 applications",
            ),
            package("2.4", "Re-point 23 batch jobs", "2", ("developer",), (8, 12, 18), "2.1"),
            package("3", "Test and rehearse"),
            package(
                "3.1",
                "Data and sequence validation",
                "3",
                ("QA engineer",),
                (4, 6, 9),
                "2.2",
                lesson_id="L-seq-1",
            ),
            package("3.2", "Performance test", "3", ("tester",), (5, 7, 12), "2.3", "2.4"),
            package("3.3", "Cut-over rehearsal", "3", ("dba", "tester"), (3, 5, 8), "3.1", "3.2"),
            package("4", "Cut-over and close"),
            package("4.1", "Production cut-over", "4", ("dba", "cloud engineer"), (2, 3, 5), "3.3"),
            package("4.2", "Decommission old servers", "4", ("sysadmin",), (5, 3, 8), "4.1"),
            package("4 3", "Hypercare", "4", ("Chief Wizard",), (5, 10, 15), "4.1"),
        ],
        "assumptions": ["The reporting warehouse is out of scope."],
    }
