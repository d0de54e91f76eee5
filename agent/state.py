"""The plan graph's state: a narrow input (the brief's text and the caller's tenant), the
working state the nodes fill in, and the output the ways in read."""

from __future__ import annotations

import operator
from typing import Annotated, NotRequired, TypedDict

from knowledge.models import Lesson, PastProject
from tools.assessment import Assessment, Levelled
from tools.brief import BriefReading
from tools.domain import Plan, WorkPackage
from tools.forecasting import PlanForecast
from tools.validation import WbsIssue


class PlanInput(TypedDict):
    text: str
    tenant: str
    """From authentication or the command line, never from the brief."""
    locked: NotRequired[list[WorkPackage]]
    """Packages a person locked: a re-draft keeps them."""
    base: NotRequired[Plan]
    """A plan being re-drafted: its team, rates, budget and calendar are kept."""


class PlanOutput(TypedDict):
    plan: Plan
    assessment: Assessment


class PlanState(TypedDict, total=False):
    text: str
    tenant: str
    locked: list[WorkPackage]
    base: Plan
    reading: BriefReading
    archetype: str
    lessons: list[Lesson]
    projects: list[PastProject]
    plan: Plan
    """The plan as drafted so far: brief, team, rates and budget first, then WBS and risks."""
    draft_notes: list[str]
    """The assumptions of the latest draft (replaced, not added to, on a repair)."""
    issues: list[WbsIssue]
    size_factor: float
    """What the engine scaled the draft's efforts by (tools.sizing); risks scale with them."""
    loop_step: Annotated[int, operator.add]
    stage: Levelled
    forecast: PlanForecast | None
    assessment: Assessment
