"""Lessons learned and past projects: the organisation's memory that plans cite.

Ids are stable: a lesson's id is given (seed corpus, imports that carry one) or derived from
its content, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.domain import Money

Archetype = Literal[
    "cloud_migration",
    "datacentre_migration",
    "database_migration",
    "erp_rollout",
    "crm_saas_implementation",
    "web_mobile_product",
    "data_platform_bi",
    "network_infrastructure_upgrade",
    "security_compliance_programme",
    "identity_sso_rollout",
    "workplace_m365_migration",
    "ml_feature",
    "api_integration",
    "generic_it_delivery",
]
GENERIC: Archetype = "generic_it_delivery"
"""The template for a brief no other kind fits: a generic IT delivery lifecycle, to which the
drafter adds a package for every scope item."""
ARCHETYPES: tuple[str, ...] = Archetype.__args__  # type: ignore[attr-defined]

LessonCategory = Literal[
    "technical", "schedule", "cost", "vendor", "people", "security", "data", "compliance", "scope"
]
Phase = Literal[
    "initiation", "planning", "design", "build", "test", "cutover", "hypercare", "closure"
]
Impact = Literal["low", "medium", "high"]
LessonId = Annotated[str, Field(pattern=r"^L-[0-9A-Za-z-]{1,40}$")]
ProjectId = Annotated[str, Field(pattern=r"^P-[0-9A-Za-z-]{1,40}$")]
Tenant = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Lesson(_Strict):
    """One lesson, written as a seasoned PM records it: what happened, why, what it cost, and
    what to do next time."""

    id: LessonId
    title: Annotated[str, Field(min_length=5, max_length=200)]
    text: Annotated[str, Field(min_length=20, max_length=4000)]
    project: str | None = None
    archetype: Archetype
    phase: Phase
    category: LessonCategory
    impact: Impact = "medium"
    recommendation: Annotated[str, Field(min_length=5, max_length=2000)]
    tags: list[str] = Field(default_factory=list)
    tenant: Tenant = "default"
    created: Annotated[date, Field(strict=False)]
    source: str = "seed"


class PlannedActual(_Strict):
    planned: float = Field(gt=0)
    actual: float = Field(gt=0)


class PastProject(_Strict):
    """A finished project with its planned and actual figures, for reference-class
    comparisons and as a template the offline drafter adapts."""

    id: ProjectId
    name: Annotated[str, Field(min_length=3, max_length=200)]
    archetype: Archetype
    summary: Annotated[str, Field(min_length=20, max_length=4000)]
    size_drivers: dict[str, float | int | str] = Field(default_factory=dict)
    team: dict[str, float] = Field(default_factory=dict)
    """Role -> full-time equivalents."""
    duration_weeks: PlannedActual
    cost: dict[Literal["planned", "actual"], Money]
    wbs_outline: list[str] = Field(min_length=3)
    risks_materialised: list[str] = Field(default_factory=list)
    lessons: list[LessonId] = Field(default_factory=list)
    tenant: Tenant = "default"
    finished: Annotated[date, Field(strict=False)]

    @property
    def outline_effort_days(self) -> float:
        """Planned person-days of the outline ("... — effort 75 pd"), 0 when it gives none."""
        return sum(float(m.group(1)) for line in self.wbs_outline if (m := _EFFORT.search(line)))


_EFFORT = re.compile(r"\beffort\s+([0-9]+(?:\.[0-9]+)?)\s*pd\b", re.IGNORECASE)
