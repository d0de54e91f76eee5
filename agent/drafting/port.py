"""The Drafter port: the language half of planning, behind one interface.

A drafter proposes (work packages with three-point estimates, risks in words); the engine in
tools/ decides every number a PM reads. Two implementations: the offline knowledge-based
drafter (the default) and the model drafter (any OpenAI-compatible endpoint).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from knowledge.models import Lesson, PastProject
from knowledge.templates import Template
from tools.brief import BriefReading
from tools.brief.claims import BriefClaims
from tools.domain import ProjectBrief, Risk, WorkPackage
from tools.validation import WbsIssue


class _Port(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class DraftRequest(_Port):
    """Everything a drafter may use. Brief text is data, never instructions."""

    brief: ProjectBrief
    reading: BriefReading
    template: Template | None = None
    lessons: list[Lesson] = Field(default_factory=list)
    projects: list[PastProject] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    """Canonical roles the team has; role demands should use these."""
    capacity: dict[str, float] = Field(default_factory=dict)
    """Full-time equivalents the team has in each role (people's availability)."""
    issues: list[WbsIssue] = Field(default_factory=list)
    """Validation issues of the previous attempt: a repair request when non-empty."""
    previous: list[WorkPackage] = Field(default_factory=list)
    locked: list[WorkPackage] = Field(default_factory=list)
    """Packages a person locked: kept as they are, the draft must not contradict them."""
    currency: str | None = None
    rates: dict[str, Decimal] = Field(default_factory=dict)
    """Hourly rate by canonical role, in `currency`: what a drafter prices rework with."""
    hours_per_day: float = 8.0


class WbsDraft(_Port):
    wbs: list[WorkPackage]
    assumptions: list[str] = Field(default_factory=list)


Likelihood = Literal["rare", "unlikely", "possible", "likely", "almost_certain"]


class RiskDraft(_Port):
    risks: list[Risk]
    assumptions: list[str] = Field(default_factory=list)


class Usage(_Port):
    calls: int = 0
    tokens: int = 0


class Drafter(Protocol):
    name: str

    def read_brief(self, text: str) -> BriefClaims | None:
        """The facts a model reads in a brief, each with its quote; None for a drafter that
        reads by rules only (the engine checks every claim before believing it)."""
        ...

    def draft_wbs(self, request: DraftRequest) -> WbsDraft: ...

    def propose_risks(self, request: DraftRequest, wbs: list[WorkPackage]) -> RiskDraft: ...

    def usage(self) -> Usage: ...

    def for_run(self) -> Drafter:
        """The drafter for one plan: usage and budgets count from zero."""
        ...
