"""The HTTP API's request and response shapes: *Create in, *Public out, problems as RFC 9457."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from agent.repository import JobStatus
from knowledge.ingest import Format
from knowledge.models import Archetype, Impact, LessonCategory, Phase
from tools.assessment import Assessment
from tools.domain import Plan
from tools.edits import Change, Edit

MAX_BRIEF_CHARS = 50_000
WORDS = r"^[^\x00]*[^\s\x00][^\x00]*$"
"""Text with something in it besides white space, and no NUL."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PlanCreate(_In):
    brief: Annotated[str, Field(min_length=1, max_length=MAX_BRIEF_CHARS)]
    """The brief's text, as a PM wrote it."""


class PlanSummaryPublic(BaseModel):
    id: str
    title: str
    created: str
    parent: str | None = None
    """The plan this one was edited from."""


class PlanPublic(PlanSummaryPublic):
    assessment: Assessment
    """plan.json: the contract of `pmpilot plan` (brief, wbs, schedule, forecast, risks,
    budget_check, assumptions, engine)."""
    plan: Plan
    """The drafted plan itself (draft.json)."""


class EditCreate(_In):
    """Typed edits, applied in order to a stored plan; the result is a new plan."""

    edits: Annotated[list[Edit], Field(min_length=1, max_length=10)]


class PlanEditPublic(PlanPublic):
    changes: list[Change]
    """What the engine computes differently after the edits (only what differs)."""


class JobPublic(BaseModel):
    """A brief being drafted in the background (model runs); poll until it is finished."""

    id: str
    status: JobStatus
    step: str
    """The last step of the plan graph that finished, while running."""
    created: str
    updated: str
    plan_id: str | None
    """The plan made, once the job succeeded."""
    error: str
    """Why the job failed (the brief, or the model's endpoint), once it failed."""


class PlanListPublic(BaseModel):
    items: list[PlanSummaryPublic]
    limit: int
    offset: int


class LessonCreate(_In):
    """One lesson, as a PM records it; the id is derived from its content when not given."""

    title: Annotated[str, Field(min_length=5, max_length=200, pattern=WORDS)]
    text: Annotated[str, Field(min_length=20, max_length=4000, pattern=WORDS)]
    archetype: Archetype
    phase: Phase
    category: LessonCategory
    impact: Impact = "medium"
    recommendation: Annotated[str, Field(min_length=5, max_length=2000, pattern=WORDS)]
    tags: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=20)] = []


class LessonPublic(BaseModel):
    id: str
    title: str
    score: float | None = None
    metadata: dict[str, Any]
    document: str


class LessonImportCreate(_In):
    """A file of lessons as text, in one of the formats `pmpilot lessons import` reads."""

    format: Format
    content: Annotated[str, Field(min_length=1, max_length=200_000)]


class LessonRecordPublic(BaseModel):
    """A whole lesson as recorded; `tenant` is `default` for the shared corpus."""

    id: str
    title: str
    text: str
    project: str | None
    archetype: Archetype
    phase: Phase
    category: LessonCategory
    impact: Impact
    recommendation: str
    tags: list[str]
    tenant: str
    created: date
    source: str


class LessonListPublic(BaseModel):
    items: list[LessonPublic]


class NearDuplicatePublic(BaseModel):
    id: str
    title: str
    duplicate_of: str
    similarity: float


class ImportPublic(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    near_duplicates: list[NearDuplicatePublic] = []
    """Lessons not added because one of the tenant's reads almost the same (`duplicate_of`)."""


class ThreadPublic(BaseModel):
    id: str
    plan_id: str


class ThreadListPublic(BaseModel):
    items: list[ThreadPublic]


class MessageCreate(_In):
    message: Annotated[str, Field(min_length=1, max_length=4000)]


class ThreadStatePublic(BaseModel):
    id: str
    transcript: list[dict[str, Any]]
    assessment: Assessment
    plan: Plan


class HealthPublic(BaseModel):
    status: str


class Problem(BaseModel):
    """application/problem+json (RFC 9457), with the fields at fault."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] = Field(default_factory=list)
