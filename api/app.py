"""The HTTP API: parse, call one service method, render. No planning logic here.

`create_app(services, settings)` builds the app from injected services, so tests run it on a
real server with their own data directory. The tenant of every call comes from its API key,
never from the request.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.repository import Caller, Repository, StoredPlan, hash_key
from agent.service import PlansService
from api.schemas import (
    HealthPublic,
    PlanCreate,
    PlanListPublic,
    PlanPublic,
    PlanSummaryPublic,
    Problem,
)
from tools.brief import BriefError
from tools.ratelimit import RateLimiter

MAX_BODY_BYTES = 256 * 1024
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Services:
    plans: PlansService
    repository: Repository
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

plans = APIRouter(prefix="/v1/plans", tags=["plans"])
health = APIRouter(prefix="/v1", tags=["health"])


def _public(stored: StoredPlan) -> PlanPublic:
    return PlanPublic(
        id=stored.id,
        title=stored.title,
        created=stored.created,
        assessment=json.loads(stored.assessment_json),
        plan=json.loads(stored.plan_json),
    )


def _found(services: Services, who: Caller, plan_id: str) -> StoredPlan:
    stored = services.plans.get(who.tenant, plan_id)
    if stored is None:
        raise HTTPException(404, f"no plan {plan_id}")
    return stored


@plans.post("", status_code=201, response_model=PlanPublic)
def create_plan(body: PlanCreate, who: WriterDep, services: ServicesDep) -> PlanPublic:
    """Draft a plan from a brief (offline drafter: synchronous)."""
    return _public(services.plans.create(who.tenant, body.brief))


@plans.get("", response_model=PlanListPublic)
def list_plans(
    who: CallerDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200, strict=True)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, strict=True)] = 0,
) -> PlanListPublic:
    items = services.plans.recent(who.tenant, limit, offset)
    return PlanListPublic(
        items=[PlanSummaryPublic(id=p.id, title=p.title, created=p.created) for p in items],
        limit=limit,
        offset=offset,
    )


@plans.get("/{plan_id}", response_model=PlanPublic)
def get_plan(plan_id: str, who: CallerDep, services: ServicesDep) -> PlanPublic:
    return _public(_found(services, who, plan_id))


@plans.get("/{plan_id}/plan.md", response_class=PlainTextResponse)
def export_markdown(plan_id: str, who: CallerDep, services: ServicesDep) -> PlainTextResponse:
    stored = _found(services, who, plan_id)
    return PlainTextResponse(services.plans.markdown(stored), media_type="text/markdown")


@health.get("/health", response_model=HealthPublic)
def healthz() -> HealthPublic:
    return HealthPublic(status="ok")


@health.get("/ready", response_model=HealthPublic)
def ready(services: ServicesDep) -> HealthPublic:
    if not services.repository.ready():
        raise HTTPException(503, "the database does not answer")
    return HealthPublic(status="ready")


def create_app(services: Services, cors_origins: list[str] | None = None) -> FastAPI:
    app = FastAPI(
        title="pmpilot",
        version="0.1.0",
        summary="Planning agent for IT project managers: the LLM proposes, the engine decides.",
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.services = services
    app.include_router(health)
    app.include_router(plans)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["GET", "POST"],
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
        response = _problem(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(BriefError)
    async def _brief(request: Request, exc: BriefError) -> JSONResponse:
        return _problem(422, "the brief cannot be planned", str(exc), [{"field": "body.brief"}])

    return app
