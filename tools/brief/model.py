"""The reading's types: what read_brief returns and the error it raises."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from tools.domain import Absence, ProjectBrief
from tools.money import Money


class BriefError(ValueError):
    """A brief that cannot be planned from (empty, binary, unreadable). `field` names what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _Reading(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonCue(_Reading):
    """One person of the team as the brief describes them (named or not)."""

    name: str | None = None
    role: str
    """A canonical role from tools.vocabulary.ROLES."""
    availability: float = Field(default=1.0, ge=0.1, le=1.0)
    absences: list[Absence] = Field(default_factory=list)
    quote: str = ""
    count: int = 1
    rate: Money | None = None
    per: str | None = None
    external: bool = False
    """A contractor, consultant or partner's person, not staff."""


class Freeze(_Reading):
    """A period with no production changes (change freeze, trading freeze, quarter end)."""

    start: date
    finish: date
    reason: str = ""
    quote: str = ""


class BriefReading(_Reading):
    brief: ProjectBrief
    drivers: dict[str, float] = Field(default_factory=dict)
    """Size cues by driver name (tools.vocabulary.DRIVERS): {"data_tb": 2.0, "applications": 9}."""
    people: list[PersonCue] = Field(default_factory=list)
    freezes: list[Freeze] = Field(default_factory=list)
    milestones: list[tuple[str, date]] = Field(default_factory=list)
    """Interim dates the brief names ("Type I report by 31 March 2027")."""
    quotes: dict[str, str] = Field(default_factory=dict)
    """Brief field or driver name -> the exact span of the text it was read from."""
    assumptions: list[str] = Field(default_factory=list)
    """What the reader had to assume, in words a PM reads (start date, missing currency...)."""
    archetype_scores: dict[str, float] = Field(default_factory=dict)
    partners: list[str] = Field(default_factory=list)
    ignored: list[str] = Field(default_factory=list)
    """Sentences addressed to the planner: read as text, never followed, never searched on."""
    staff_rate: Money | None = None
    """What the organisation costs its own people at, per `staff_rate_per`."""
    staff_rate_per: str = "day"
    """People outside the team the brief says will do work (an SI, an integrator's crews)."""
