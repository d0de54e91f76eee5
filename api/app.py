"""The HTTP API: parse, call one service method, render. No planning logic here.

`create_app(services, settings)` builds the app from injected services, so tests run it on a
real server with their own data directory. The tenant of every call comes from its API key,
never from the request.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.llm import LlmError
from agent.repository import Caller, Repository, StoredJob, StoredPlan, hash_key
from agent.service import (
    ChatService,
    LessonsService,
    PlanEditError,
    PlansService,
    ThreadNotFound,
)
from api import page
from api.schemas import (
    EditCreate,
    HealthPublic,
    ImportPublic,
    JobPublic,
    LessonCreate,
    LessonImportCreate,
    LessonListPublic,
    LessonPublic,
    LessonRecordPublic,
    MessageCreate,
    NearDuplicatePublic,
    PlanCreate,
    PlanEditPublic,
    PlanListPublic,
    PlanPublic,
    PlanSummaryPublic,
    Problem,
    ThreadListPublic,
    ThreadPublic,
    ThreadStatePublic,
)
from knowledge.ingest import ImportReport, IngestError
from knowledge.models import Archetype
from knowledge.store import LessonFilters, LessonHit
from tools.assessment import Assessment
from tools.brief import BriefError
from tools.domain import Plan
from tools.ratelimit import RateLimiter

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Services:
    plans: PlansService
    repository: Repository
    lessons: LessonsService
    chats: ChatService
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(per_minute=60, burst=20))
    clock: Callable[[], float] = time.monotonic


def _problem(status: int, title: str, detail: str = "", errors: list | None = None) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, errors=errors or [])
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM)


_bearer = HTTPBearer(auto_error=False)


def _services(request: Request) -> Services:
    return request.app.state.services


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The tenant and role of the API key in `Authorization: Bearer KEY`."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "an API key is required: Authorization: Bearer KEY")
    services = _services(request)
    found = services.repository.caller(credentials.credentials)
    if found is None:
        raise HTTPException(401, "unknown API key")
    wait = services.limiter.take(hash_key(credentials.credentials), services.clock())
    if wait > 0:
        raise HTTPException(
            429, "too many requests for this key", {"Retry-After": str(math.ceil(wait))}
        )
    return found


def writer(who: Annotated[Caller, Depends(caller)]) -> Caller:
    if who.role == "viewer":
        raise HTTPException(403, "a viewer key can read, not write")
    return who


CallerDep = Annotated[Caller, Depends(caller)]
WriterDep = Annotated[Caller, Depends(writer)]
ServicesDep = Annotated[Services, Depends(_services)]

_PROBLEMS = {
    400: "The body is not UTF-8.",
    401: "No API key, or an unknown one.",
    403: "A viewer key: it can read, not write.",
    404: "No such resource for this tenant (another tenant's is reported the same way).",
    413: f"The body is over {MAX_BODY_BYTES} bytes.",
    422: "The request is invalid (`errors` names each field at fault), or cannot be carried"
    " out (the title says why).",
    429: "Over this key's rate limit; retry after `Retry-After` seconds.",
    503: "The database does not answer.",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the problems (RFC 9457) an operation can answer with."""
    schema = Problem.model_json_schema()
    return {
        code: {"description": _PROBLEMS[code], "content": {PROBLEM: {"schema": schema}}}
        for code in codes
    }


SECURED = problems(401, 422, 429)  # every operation behind an API key
FOUND = problems(404)  # a resource named in the path
WRITE = problems(403)  # a viewer key cannot write
BODY = problems(400, 413)  # a body that is not UTF-8, or too large

plans = APIRouter(prefix="/v1/plans", tags=["plans"], responses=SECURED)
jobs = APIRouter(prefix="/v1/jobs", tags=["plans"], responses={**SECURED, **FOUND})
lessons = APIRouter(prefix="/v1/lessons", tags=["lessons"], responses=SECURED)
threads = APIRouter(prefix="/v1", tags=["chat"], responses={**SECURED, **FOUND})
health = APIRouter(prefix="/v1", tags=["health"])


def _public(stored: StoredPlan) -> PlanPublic:
    return PlanPublic(
        id=stored.id,
        title=stored.title,
        created=stored.created,
        parent=stored.parent,
        assessment=Assessment.model_validate_json(stored.assessment_json),
        plan=Plan.model_validate_json(stored.plan_json),
    )


def _job(job: StoredJob) -> JobPublic:
    return JobPublic.model_validate(job, from_attributes=True)


def _found(services: Services, who: Caller, plan_id: str) -> StoredPlan:
    stored = services.plans.get(who.tenant, plan_id)
    if stored is None:
        raise HTTPException(404, f"no plan {plan_id}")
    return stored


@plans.post(
    "",
    status_code=201,
    response_model=PlanPublic | JobPublic,
    responses={
        201: {"model": PlanPublic, "description": "The plan (offline drafter: synchronous)."},
        202: {
            "model": JobPublic,
            "description": "A job (model drafter): poll its Location until it is finished.",
        },
        **WRITE,
        **BODY,
    },
)
def create_plan(
    body: PlanCreate, who: WriterDep, services: ServicesDep, response: Response
) -> PlanPublic | JobPublic:
    """Draft a plan from a brief: the plan itself with the offline drafter, a job to poll
    when a model drafts (minutes)."""
    if services.plans.background:
        job = services.plans.submit(who.tenant, body.brief)
        response.status_code = 202
        response.headers["Location"] = f"/v1/jobs/{job.id}"
        return _job(job)
    return _public(services.plans.create(who.tenant, body.brief))


@plans.get("", response_model=PlanListPublic)
def list_plans(
    who: CallerDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PlanListPublic:
    items = services.plans.recent(who.tenant, limit, offset)
    return PlanListPublic(
        items=[PlanSummaryPublic.model_validate(p, from_attributes=True) for p in items],
        limit=limit,
        offset=offset,
    )


@plans.get("/{plan_id}", response_model=PlanPublic, responses=FOUND)
def get_plan(plan_id: str, who: CallerDep, services: ServicesDep) -> Response:
    """The stored JSON is spliced in as written (it was validated then): parsing and
    serialising it again was most of this route's time."""
    stored = _found(services, who, plan_id)
    head = PlanSummaryPublic.model_validate(stored, from_attributes=True).model_dump_json()
    body = f'{head[:-1]},"assessment":{stored.assessment_json},"plan":{stored.plan_json}}}'
    return Response(body, media_type="application/json")


@plans.post(
    "/{plan_id}/edits",
    status_code=201,
    response_model=PlanEditPublic,
    responses={**FOUND, **WRITE, **BODY},
)
def edit_plan(
    plan_id: str, body: EditCreate, who: WriterDep, services: ServicesDep
) -> PlanEditPublic | JSONResponse:
    """Apply typed edits; the result is stored as a new plan whose `parent` is this one."""
    try:
        edited = services.plans.edit(who.tenant, plan_id, body.edits)
    except PlanEditError as exc:
        errors = [{"field": f"body.edits.{exc.index}", "message": str(exc)}]
        return _problem(422, "the edits cannot be applied", str(exc), errors)
    if edited is None:
        raise HTTPException(404, f"no plan {plan_id}")
    stored, diff = edited
    return PlanEditPublic(**dict(_public(stored)), changes=diff)


@plans.get("/{plan_id}/plan.json", response_model=Assessment, responses=FOUND)
def export_json(plan_id: str, who: CallerDep, services: ServicesDep) -> Response:
    """plan.json, the contract of `pmpilot plan --out`, as a file."""
    stored = _found(services, who, plan_id)
    return Response(
        stored.assessment_json,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="plan-{stored.id}.json"'},
    )


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


@plans.get("/{plan_id}/plan.md", response_class=MarkdownResponse, responses=FOUND)
def export_markdown(plan_id: str, who: CallerDep, services: ServicesDep) -> MarkdownResponse:
    stored = _found(services, who, plan_id)
    return MarkdownResponse(services.plans.markdown(stored))


class SvgResponse(Response):
    media_type = "image/svg+xml"


@plans.get("/{plan_id}/gantt.svg", response_class=SvgResponse, responses=FOUND)
def export_gantt(plan_id: str, who: CallerDep, services: ServicesDep) -> SvgResponse:
    """The Gantt chart plan.md shows beside its summary (404 when nothing was scheduled)."""
    chart = services.plans.chart(_found(services, who, plan_id))
    if chart is None:
        raise HTTPException(HTTPStatus.NOT_FOUND, "the plan was not scheduled: no chart")
    return SvgResponse(chart)


def _lesson(hit: LessonHit, scored: bool) -> LessonPublic:
    return LessonPublic(
        id=hit.id,
        title=hit.title,
        score=hit.score if scored else None,
        metadata=dict(hit.metadata),
        document=hit.document,
    )


@lessons.get("", response_model=LessonListPublic)
def search_lessons(
    who: CallerDep,
    services: ServicesDep,
    q: Annotated[str | None, Query(min_length=1, max_length=1000)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    archetype: Archetype | None = None,
) -> LessonListPublic:
    """This tenant's lessons: the k best for `q`, or all of them without `q`."""
    filters = LessonFilters(archetype=archetype)
    if q is None:
        hits = services.lessons.list_lessons(who.tenant, filters)
        return LessonListPublic(items=[_lesson(h, False) for h in hits])
    hits = services.lessons.search(q, who.tenant, k, filters)
    return LessonListPublic(items=[_lesson(h, True) for h in hits])


@lessons.post("/import", status_code=201, response_model=ImportPublic, responses={**WRITE, **BODY})
def import_lessons(body: LessonImportCreate, who: WriterDep, services: ServicesDep) -> ImportPublic:
    """Import a file's lessons (CSV, JSON, JSONL or Markdown, as `pmpilot lessons import`
    reads them): all or nothing; a bad row is a 422 naming its line."""
    return _imported(services.lessons.import_text(who.tenant, body.content, body.format))


@lessons.get("/{lesson_id}", response_model=LessonRecordPublic, responses=FOUND)
def get_lesson(lesson_id: str, who: CallerDep, services: ServicesDep) -> LessonRecordPublic:
    """A lesson a plan cites (`lesson:ID` in its sources): the tenant's own, or one of the
    shared corpus (tenant `default`), which every tenant reads."""
    found = services.lessons.cited(who.tenant, lesson_id)
    if found is None:
        raise HTTPException(404, f"no lesson {lesson_id}")
    return LessonRecordPublic.model_validate(found, from_attributes=True)


@lessons.post("", status_code=201, response_model=ImportPublic, responses={**WRITE, **BODY})
def add_lesson(body: LessonCreate, who: WriterDep, services: ServicesDep) -> ImportPublic:
    return _imported(services.lessons.add(who.tenant, body.model_dump(mode="json")))


def _imported(report: ImportReport) -> ImportPublic:
    return ImportPublic(
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        near_duplicates=[
            NearDuplicatePublic.model_validate(d, from_attributes=True)
            for d in report.near_duplicates
        ],
    )


@lessons.delete("/{lesson_id}", status_code=204, responses={**FOUND, **WRITE})
def delete_lesson(lesson_id: str, who: WriterDep, services: ServicesDep) -> None:
    if not services.lessons.delete(who.tenant, lesson_id):
        raise HTTPException(404, f"no lesson {lesson_id}")


@threads.post(
    "/plans/{plan_id}/threads", status_code=201, response_model=ThreadPublic, responses=WRITE
)
def start_thread(plan_id: str, who: WriterDep, services: ServicesDep) -> ThreadPublic:
    """A chat thread on a stored plan; its id is made here and carries the tenant."""
    thread_id = services.plans.start_thread(services.chats, who.tenant, plan_id)
    if thread_id is None:
        raise HTTPException(404, f"no plan {plan_id}")
    return ThreadPublic(id=thread_id, plan_id=plan_id)


@threads.get("/plans/{plan_id}/threads", response_model=ThreadListPublic)
def list_threads(plan_id: str, who: CallerDep, services: ServicesDep) -> ThreadListPublic:
    """The chat threads started on a plan, oldest first (each holds its edited version)."""
    _found(services, who, plan_id)
    ids = services.plans.threads(who.tenant, plan_id)
    return ThreadListPublic(items=[ThreadPublic(id=i, plan_id=plan_id) for i in ids])


def _thread(services: Services, who: Caller, thread_id: str) -> ThreadStatePublic:
    try:
        plan, assessment, transcript = services.chats.current(thread_id, who.tenant)
    except ThreadNotFound:
        raise HTTPException(404, f"no thread {thread_id}") from None
    return ThreadStatePublic(
        id=thread_id,
        transcript=transcript,
        assessment=assessment,
        plan=plan,
    )


@threads.post(
    "/threads/{thread_id}/plans", status_code=201, response_model=PlanPublic, responses=WRITE
)
def keep_thread(thread_id: str, who: WriterDep, services: ServicesDep) -> PlanPublic:
    """Store the thread's current version as a new plan (its `parent` is the plan the thread
    started on), to list and export what the chat made."""
    stored = services.plans.keep_thread(services.chats, who.tenant, thread_id)
    if stored is None:
        raise HTTPException(404, f"no thread {thread_id}")
    return _public(stored)


@threads.get("/threads/{thread_id}", response_model=ThreadStatePublic)
def get_thread(thread_id: str, who: CallerDep, services: ServicesDep) -> ThreadStatePublic:
    return _thread(services, who, thread_id)


def _event(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n"


@threads.post(
    "/threads/{thread_id}/messages",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **WRITE, **BODY},
)
def send_message(
    thread_id: str, body: MessageCreate, who: WriterDep, services: ServicesDep
) -> StreamingResponse:
    """Server-sent events: `step` as each graph step finishes, then `message` (the reply and
    what changed), then `done`; `error` instead when the turn fails (the model's endpoint,
    say). The turn runs to its end even if the client hangs up."""
    if not services.chats.owns(thread_id, who.tenant):  # 404 before the stream starts
        raise HTTPException(404, f"no thread {thread_id}")

    def events() -> Iterator[str]:
        try:
            for item in services.chats.stream(thread_id, who.tenant, body.message):
                if isinstance(item, str):
                    yield _event("step", {"step": item})
                else:
                    changes = [c.model_dump() for c in item.changes]
                    yield _event("message", {"reply": item.reply, "changes": changes})
        except LlmError as exc:
            yield _event("error", {"title": "the model failed", "detail": str(exc)})
            return
        except Exception:
            log.exception("chat turn on %s failed", thread_id)
            detail = "the server failed to answer (its log has the details)"
            yield _event("error", {"title": "internal error", "detail": detail})
            return
        yield _event("done", {})

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@jobs.get("/{job_id}", response_model=JobPublic)
def get_job(job_id: str, who: CallerDep, services: ServicesDep) -> JobPublic:
    job = services.plans.job(who.tenant, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return _job(job)


@health.get("/health", response_model=HealthPublic)
def healthz() -> HealthPublic:
    return HealthPublic(status="ok")


@health.get("/ready", response_model=HealthPublic, responses=problems(503))
def ready(services: ServicesDep) -> HealthPublic:
    if not services.repository.ready():
        raise HTTPException(503, "the database does not answer")
    return HealthPublic(status="ready")


class BodyLimit:
    """A body over `limit` bytes gets a 413 problem document, whether its Content-Length
    says so or it streams past the limit. (FastAPI's `max_body_size` answers the first in
    text/plain, over whatever the exception handlers would say.)"""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            too_large = _problem(413, "Content Too Large", f"the body is over {self.limit} bytes")
            await too_large(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, f"the body is over {self.limit} bytes")
            return message

        await self.app(scope, limited, send)


def create_app(services: Services, cors_origins: list[str] | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.plans.resume()  # jobs a stopped server acknowledged and did not finish
        gc.freeze()  # the startup's objects (store, templates) leave the collector's scans
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="pmpilot",
        version="0.1.0",
        summary="Planning agent for IT project managers: the LLM proposes, the engine decides.",
    )
    app.state.services = services
    app.include_router(health)
    app.include_router(plans)
    app.include_router(jobs)
    app.include_router(lessons)
    app.include_router(threads)
    page.install(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return _problem(422, "invalid request", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # RFC 9457: the title names the kind of problem, the detail this occurrence.
        response = _problem(exc.status_code, HTTPStatus(exc.status_code).phrase, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(IngestError)
    async def _ingest(request: Request, exc: IngestError) -> JSONResponse:
        errors = [{"field": "body.content", "line": i.line, "message": str(i)} for i in exc.issues]
        return _problem(422, "the lessons cannot be imported", str(exc), errors)

    @app.exception_handler(BriefError)
    async def _brief(request: Request, exc: BriefError) -> JSONResponse:
        errors = [{"field": "body.brief", "message": str(exc)}]
        return _problem(422, "the brief cannot be planned", str(exc), errors)

    return app
