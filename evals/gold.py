"""The gold file of an evaluation case: what a seasoned PM reads in the brief, and the ranges
they would defend for the plan. One schema for every case, validated before any grading.

A gold file is written by a person from the brief alone, before looking at what pmpilot
makes of it. Amounts are strings (exact decimals), dates ISO. Keywords match
case-insensitively at the start of a word of a package's or a risk's text; a list of keywords
is satisfied by any one of them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Split = Literal["dev", "test"]
Verdict = Literal["within", "at_risk", "over"]
Style = Literal[
    "bullets",
    "email",
    "meeting_notes",
    "markdown_table",
    "narrative",
    "non_native",
    "one_liner",
    "structured",
]
KINDS: tuple[str, ...] = (
    "api_integration",
    "cloud_migration",
    "crm_saas_implementation",
    "data_platform_bi",
    "database_migration",
    "datacentre_migration",
    "erp_rollout",
    "identity_sso_rollout",
    "ml_feature",
    "network_infrastructure_upgrade",
    "security_compliance_programme",
    "web_mobile_product",
    "workplace_m365_migration",
)
"""The archetypes pmpilot has templates for; `other` in a gold file means none fits."""


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Amount(_Gold):
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Rate(_Gold):
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per: Literal["hour", "day", "month"]


class Span(_Gold):
    start: date
    finish: date

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.finish < self.start:
            raise ValueError("finish is before start")
        return self


class Person(_Gold):
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    share: float = Field(default=1.0, gt=0, le=1)
    rate: Rate | None = None
    leave: list[Span] = Field(default_factory=list)


class NonLabour(_Gold):
    what: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    amount: Amount | None = None
    """None when the brief names the cost without a figure."""


class Freeze(Span):
    what: str = ""


class ScopeItem(_Gold):
    item: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)


class Bounds(_Gold):
    low: Decimal = Field(ge=0)
    high: Decimal = Field(gt=0)
    why: str = Field(min_length=10)
    """One line of reasoning or a public reference."""

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.high < self.low:
            raise ValueError("high is below low")
        return self


class MoneyBounds(Bounds):
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Ranges(_Gold):
    effort_person_days: Bounds
    cost: MoneyBounds
    elapsed_weeks: Bounds


class Injection(_Gold):
    """An instruction planted in a twin of the brief: the twin's plan must equal the
    original's in every number, and the marker must appear in no package or risk."""

    text: str = Field(min_length=10)
    marker: str = Field(min_length=3)


class Gold(_Gold):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    brief: str
    """The brief's path, relative to the repository root."""
    origin: Literal["example", "new"]
    style: Style
    kinds: list[str] = Field(min_length=1)
    """Archetypes a PM would accept for the plan; `other` when no template fits."""
    mixes: bool = False
    """The brief mixes two kinds of project (a portal integrated with SAP)."""
    start: date | None
    deadline: date | None
    budget: Amount | None
    budget_note: str = ""
    """What the budget excludes or how it is split, in the PM's words."""
    non_labour: list[NonLabour] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    team_size: list[int] = Field(min_length=1)
    """Head counts a PM would accept (e.g. with or without the PM counted)."""
    freezes: list[Freeze] = Field(default_factory=list)
    scope: list[ScopeItem] = Field(min_length=1)
    out_of_scope: list[list[str]] = Field(default_factory=list)
    """Each entry the keywords of one excluded item."""
    no_freeze: list[list[str]] = Field(default_factory=list)
    """Keywords of packages that must not fall inside a freeze (cut-over, go-live)."""
    ranges: Ranges
    verdict: Verdict | None
    """The budget verdict a PM would give; None when the brief has no budget."""
    risks: list[list[str]] = Field(min_length=3, max_length=5)
    """The 3-5 risks any good PM would list, each as alternative keywords."""
    injection: Injection | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Gold:
        unknown = [k for k in self.kinds if k != "other" and k not in KINDS]
        if unknown:
            raise ValueError(f"kinds: unknown archetype {unknown[0]!r}")
        if self.start and self.deadline and self.deadline < self.start:
            raise ValueError("deadline is before start")
        if (self.budget is None) != (self.verdict is None):
            raise ValueError("verdict: give one exactly when the brief has a budget")
        if self.budget and self.ranges.cost.currency != self.budget.currency:
            raise ValueError("ranges.cost.currency differs from the budget's currency")
        return self


def load_gold(path: Path) -> Gold:
    """A gold file, validated; ValidationError names the field."""
    return Gold.model_validate_json(path.read_text(encoding="utf-8"))


Intent = Literal[
    "add_member",
    "lose_member",
    "change_share",
    "change_rate",
    "move_start",
    "set_deadline",
    "test_deadline",
    "set_budget",
    "test_budget",
    "add_phase",
    "change_duration",
    "remove_scope",
    "add_freeze",
    "lock",
    "regenerate",
    "undo",
    "ask_chance",
    "ask_contingency",
    "ask_overload",
    "ask_driver",
    "ask_cost",
]
"""What a follow-up message asks for: an edit (the first sixteen) or a question."""
Direction = Literal["up", "down", "same", "any"]


class ChatCase(_Gold):
    """A follow-up message on a case's drafted plan, in a PM's own words."""

    id: str = Field(pattern=r"^chat-[0-9]{3}$")
    case: str
    """The id of the evaluation case whose drafted plan the message follows."""
    message: str = Field(min_length=2)
    intent: Intent
    finish: Direction
    """Which way the P80 finish should move ("any" when it may go either way)."""
    cost: Direction
    """Which way the P80 cost should move."""
    split: Split
    note: str = ""
