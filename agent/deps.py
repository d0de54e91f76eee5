"""AgentDeps: the composition root of the graphs. Everything a node needs is injected here,
built once at the edge (CLI, API, scheduler) from settings; nodes never build clients or read
the clock themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from agent.drafting.port import Drafter
from knowledge.kinds import KindMatcher
from knowledge.models import Archetype, Lesson, PastProject
from knowledge.store import LessonFilters, LessonHit, ProjectHit
from knowledge.templates import Template
from tools.assessment import Assessment, assess
from tools.calibration import CalibrationProfile
from tools.domain import Plan


class Knowledge(Protocol):
    """What the graphs read from the lessons store (LessonsService satisfies it)."""

    def search_many(
        self, queries: list[str], tenant: str, k: int = 5, filters: LessonFilters | None = None
    ) -> list[list[LessonHit]]: ...

    def similar_projects(
        self, brief: str, tenant: str, k: int = 3, archetype: Archetype | None = None
    ) -> list[ProjectHit]: ...

    def lessons(self, tenant: str, ids: list[str]) -> list[Lesson]: ...

    def projects(self, tenant: str, ids: list[str]) -> list[PastProject]: ...


@dataclass(frozen=True)
class AgentDeps:
    drafter: Drafter
    knowledge: Knowledge | None
    templates: Mapping[str, Template]
    rates: Callable[[str], dict[str, Decimal] | None]
    today: Callable[[], date]
    profile: CalibrationProfile | None = None
    seed: int = 0
    iterations: int = 10_000
    time_limit_s: float = 1.0
    max_repairs: int = 2
    lessons_per_query: int = 3
    similar_projects: int = 3
    recursion_limit: int = 40
    date_order: Literal["dmy", "mdy"] = "dmy"
    """How "03/01/2027" is read; a date that could be either is said in an assumption."""
    fiscal_start: int = 1
    """The first month of the fiscal year ("FY27 H1"), unless the brief says it."""
    country: str = ""
    """ISO code of the country whose public holidays calendars leave out; empty: the country
    the brief's places (or its currency) settle."""
    kinds: KindMatcher | None = None
    """Compares a brief with the templates by meaning when its words do not settle its kind;
    without it such a brief gets the generic lifecycle."""

    def assess(self, plan: Plan) -> Assessment:
        """The whole engine on a plan, with this run's profile, seed and sizes."""
        return assess(
            plan,
            profile=self.profile,
            iterations=self.iterations,
            seed=self.seed,
            time_limit_s=self.time_limit_s,
        )
