"""The HTTP API's request and response shapes: *Create in, *Public out, problems as RFC 9457."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

MAX_BRIEF_CHARS = 50_000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PlanCreate(_In):
    brief: Annotated[str, Field(min_length=1, max_length=MAX_BRIEF_CHARS)]
    """The brief's text, as a PM wrote it."""


class PlanSummaryPublic(BaseModel):
    id: str
    title: str
    created: str


class PlanPublic(PlanSummaryPublic):
    assessment: dict[str, Any]
    """plan.json: the contract of `pmpilot plan` (brief, wbs, schedule, forecast, risks,
    budget_check, assumptions, engine)."""
    plan: dict[str, Any]
    """The drafted plan itself (draft.json)."""


class PlanListPublic(BaseModel):
    items: list[PlanSummaryPublic]
    limit: int
    offset: int


class HealthPublic(BaseModel):
    status: str


class Problem(BaseModel):
    """application/problem+json (RFC 9457), with the fields at fault."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] = Field(default_factory=list)
