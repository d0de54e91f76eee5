"""The domain model: every value that crosses a boundary of pmpilot is one of these.

Models are strict (no `false` read as 0, no "3" read as 3, unknown fields refused) so that a
drafter's or a client's mistake surfaces as an error that names the field. Dates are ISO
strings in JSON; money is `Money` (Decimal amount, string in JSON).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

from tools.money import Amount, Money, check_currency

Day = Annotated[date, Field(strict=False)]
"""A calendar date; JSON and Python callers may pass an ISO string."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Quantity = Annotated[float, Field(ge=0, le=100_000)]
"""An estimate or impact in hours or days: finite, and below 100,000 (centuries of work)."""
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Text = Annotated[str, Field(max_length=4000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Currency = Annotated[str, AfterValidator(check_currency)]


class Strict(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", validate_assignment=True, allow_inf_nan=False
    )


# --- provenance -------------------------------------------------------------------------


SourceKind = Literal["brief", "lesson", "past_project", "template", "model", "assumption", "import"]


class Source(Strict):
    """Where an item came from (DESIGN principle 3): a quoted span, an id, or an assumption."""

    kind: SourceKind
    ref: str | None = None
    quote: str | None = None


# --- calendars and team -----------------------------------------------------------------


class Calendar(Strict):
    """Working weekdays (Monday=0), hours per working day and holidays."""

    name: str = "standard"
    working_weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    hours_per_day: float = Field(default=8.0, gt=0, le=24)
    holidays: list[Day] = Field(default_factory=list)

    @field_validator("working_weekdays")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError("a calendar needs at least one working weekday")
        if any(d < 0 or d > 6 for d in v):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        if len(set(v)) != len(v):
            raise ValueError("weekdays must be unique")
        return sorted(v)

    @property
    def minutes_per_day(self) -> int:
        return round(self.hours_per_day * 60)


class Absence(Strict):
    start: Day
    finish: Day
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.finish < self.start:
            raise ValueError("finish must not be before start")
        return self


class Skill(Strict):
    name: Name
    level: int = Field(default=3, ge=1, le=5)


Seniority = Literal["junior", "mid", "senior", "lead"]


class Member(Strict):
    id: Code
    name: Name
    roles: list[Name] = Field(min_length=1)
    skills: list[Skill] = Field(default_factory=list)
    seniority: Seniority = "mid"
    availability: float = Field(default=1.0, ge=0.1, le=1.0)
    """Share of a full-time person, in tenths (levelling counts capacity in tenths)."""
    external: bool = False
    """A contractor, consultant or vendor's person: paid from the project's budget even when
    the budget does not pay for the organisation's own staff."""
    calendar: Calendar | None = None
    absences: list[Absence] = Field(default_factory=list)


class Team(Strict):
    members: list[Member] = Field(default_factory=list)

    @field_validator("members")
    @classmethod
    def _unique_ids(cls, v: list[Member]) -> list[Member]:
        ids = [m.id for m in v]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"member ids must be unique; repeated: {', '.join(dupes)}")
        return v


# --- work breakdown -----------------------------------------------------------------------


class Estimate(Strict):
    """A three-point estimate. `basis` says whether it is effort (person-time) or duration."""

    optimistic: Quantity
    likely: Quantity
    pessimistic: Quantity
    unit: Literal["hours", "days"] = "days"
    basis: Literal["effort", "duration"] = "effort"

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if not self.optimistic <= self.likely <= self.pessimistic:
            raise ValueError("estimate must satisfy optimistic <= likely <= pessimistic")
        return self


DependencyType = Literal["FS", "SS", "FF", "SF"]


class Dependency(Strict):
    """A precedence link; lag is in working days of the project calendar and may be negative."""

    predecessor: Code
    type: DependencyType = "FS"
    lag_days: float = Field(default=0.0, ge=-10_000, le=10_000)


class RoleDemand(Strict):
    role: Name
    units: float = Field(default=1.0, gt=0, le=100)
    skills: list[Name] = Field(default_factory=list)


class WorkPackage(Strict):
    code: Code
    name: Name
    parent: Code | None = None
    description: Text = ""
    deliverable: Text = ""
    acceptance_criteria: list[Text] = Field(default_factory=list)
    role_demands: list[RoleDemand] = Field(default_factory=list)
    estimate: Estimate | None = None
    depends_on: list[Dependency] = Field(default_factory=list)
    optional: bool = False
    locked: bool = False
    start_no_earlier_than: Day | None = None
    level_of_effort: bool = False
    """Ongoing work (project management) that spans the work it supports: it takes no place
    in the network and no capacity in levelling, never sets the finish, and costs its effort."""
    source: Source = Field(default_factory=lambda: Source(kind="assumption"))


# --- money -------------------------------------------------------------------------------


class CostItem(Strict):
    """A non-labour cost (licences, hardware, vendor fees), optionally tied to a work package.

    Every cost a brief names is listed, so a PM sees what the money buys: one without a figure
    (`amount` null) waits for a price, and one the brief puts outside the budget
    (`in_budget` false) is shown but not counted against it. Only `counted` items enter the
    budget check and the forecast."""

    name: Name
    amount: Money | None
    work_package: Code | None = None
    optional: bool = False
    in_budget: bool = True
    source: Source = Field(default_factory=lambda: Source(kind="assumption"))

    @property
    def counted(self) -> bool:
        return self.amount is not None and self.in_budget


class RateCard(Strict):
    """Hourly cost rate per role, in one currency."""

    currency: Currency = "USD"
    hourly: dict[str, Amount] = Field(default_factory=dict)

    @field_validator("hourly")
    @classmethod
    def _positive(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        bad = sorted(role for role, rate in v.items() if rate < 0)
        if bad:
            raise ValueError(f"rates must not be negative: {', '.join(bad)}")
        return v


class Budget(Strict):
    """The money available and the reserve policy."""

    limit: Money
    management_reserve_pct: Annotated[Amount, Field(ge=0, le=100)] = Decimal("5")
    at_risk_margin_pct: Annotated[Amount, Field(ge=0, le=100)] = Decimal("5")
    internal_labour: bool = True
    """Whether the budget pays for the team's own time. An "external spend only" budget does
    not: the check then counts the labour of external members (and of roles nobody on the
    team fills), and shows the internal labour beside it, uncounted."""


class BudgetOption(Strict):
    kind: Literal["descope", "rebalance"]
    description: str
    work_packages: list[Code] = Field(default_factory=list)
    saving: Money
    new_total: Money
    schedule_effect_days: float = 0.0


class BudgetCheck(Strict):
    verdict: Literal["within", "at_risk", "over"]
    labour: Money
    non_labour: Money
    contingency_reserve: Money
    management_reserve: Money
    total: Money
    budget: Money
    variance: Money
    options: list[BudgetOption] = Field(default_factory=list)
    uncharged_labour: Money | None = None
    """The team's own time at the rate card, when the budget does not pay for it: part of
    what the project costs, not of what the budget is checked against."""

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: object) -> object:
        """`reserve` is derived: a document written by this model reads back."""
        if isinstance(data, dict) and "reserve" in data:
            return {k: v for k, v in data.items() if k != "reserve"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reserve(self) -> Money:
        """Contingency plus management reserve: what the total holds above the base cost."""
        return self.contingency_reserve + self.management_reserve


# --- risk --------------------------------------------------------------------------------


class Range(Strict):
    low: Quantity
    likely: Quantity
    high: Quantity

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low <= self.likely <= self.high:
            raise ValueError("range must satisfy low <= likely <= high")
        return self


class MoneyRange(Strict):
    low: Amount
    likely: Amount
    high: Amount
    currency: Currency = "USD"

    @model_validator(mode="after")
    def _ordered(self) -> MoneyRange:
        if not Decimal(0) <= self.low <= self.likely <= self.high:
            raise ValueError("range must satisfy 0 <= low <= likely <= high")
        return self


RiskCategory = Literal[
    "technical",
    "schedule",
    "cost",
    "vendor",
    "people",
    "security",
    "data",
    "compliance",
    "scope",
    "operational",
]
RiskResponse = Literal["avoid", "mitigate", "transfer", "accept", "escalate"]


class Risk(Strict):
    """A threat in cause-event-effect form, with its response and contingency."""

    id: Code
    cause: Text
    event: Text
    effect: Text
    category: RiskCategory
    probability: Probability
    schedule_impact_days: Range | None = None
    cost_impact: MoneyRange | None = None
    owner: str | None = None
    response: RiskResponse = "mitigate"
    mitigation: Text = ""
    contingency_plan: Text = ""
    trigger: Text = ""
    work_packages: list[Code] = Field(default_factory=list)
    source: Source = Field(default_factory=lambda: Source(kind="assumption"))

    @property
    def statement(self) -> str:
        return (
            f"Because {self.cause}, there is a risk that {self.event}, which would {self.effect}."
        )


class RiskRegister(Strict):
    risks: list[Risk] = Field(default_factory=list)


# --- schedule ----------------------------------------------------------------------------


class ScheduledTask(Strict):
    code: Code
    early_start: Day
    early_finish: Day
    late_start: Day
    late_finish: Day
    total_float_days: float
    free_float_days: float
    critical: bool


class Assignment(Strict):
    code: Code
    member_id: Code
    role: Name
    units: float = Field(default=1.0, gt=0)
    name: str = ""
    """The person's name as the team gives it ("Priya"), so reports need no roster."""


class Schedule(Strict):
    start: Day
    finish: Day
    tasks: list[ScheduledTask] = Field(default_factory=list)
    critical_path: list[Code] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)


# --- status ------------------------------------------------------------------------------


class Progress(Strict):
    code: Code
    percent_complete: float = Field(ge=0, le=100)
    actual_cost: Money


class StatusUpdate(Strict):
    """Progress of an active project at a date, the input of earned value."""

    as_of: Day
    progress: list[Progress] = Field(default_factory=list)


# --- brief and plan ----------------------------------------------------------------------


class BriefPerson(Strict):
    """A person as the brief names them: role, share of a week, rate, leave."""

    name: str | None = None
    role: Name
    share: float = Field(default=1.0, ge=0.1, le=1.0)
    rate: Money | None = None
    per: Literal["hour", "day", "week", "month"] | None = None
    count: int = Field(default=1, ge=1, le=1000)
    leave: list[Absence] = Field(default_factory=list)
    quote: Text = ""


class BriefCost(Strict):
    """A non-labour cost the brief states; `in_budget` false when the brief says the budget
    does not cover it."""

    what: Text
    amount: Money | None = None
    """Null when the brief names the cost without a figure."""
    per: Literal["month"] | None = None
    in_budget: bool = True
    quote: Text = ""


class BriefDate(Strict):
    """A freeze, a milestone or another dated fact, with the words it was read from."""

    what: Text = ""
    start: Day
    finish: Day
    quote: Text = ""


class ProjectBrief(Strict):
    """What the PM asked for, parsed. `text` keeps the original words for quoting."""

    title: Name
    text: Text = ""
    goal: Text = ""
    archetype: str | None = None
    scope: list[Text] = Field(default_factory=list)
    out_of_scope: list[Text] = Field(default_factory=list)
    start: Day | None = None
    deadline: Day | None = None
    budget: Money | None = None
    budget_internal_labour: bool = True
    """False when the brief says the budget does not pay for the team's own time."""
    team_size: int | None = Field(default=None, ge=1, le=1000)
    roles: list[Name] = Field(default_factory=list)
    technologies: list[Name] = Field(default_factory=list)
    constraints: list[Text] = Field(default_factory=list)
    kinds: dict[str, float] = Field(default_factory=dict)
    """Every kind of project the brief reads as, with a confidence 0-1."""
    people: list[BriefPerson] = Field(default_factory=list)
    non_labour: list[BriefCost] = Field(default_factory=list)
    freezes: list[BriefDate] = Field(default_factory=list)
    milestones: list[BriefDate] = Field(default_factory=list)
    quotes: dict[str, str] = Field(default_factory=dict)
    """Fact name -> the words of the brief it was read from."""

    @model_validator(mode="after")
    def _dates(self) -> ProjectBrief:
        if self.start and self.deadline and self.deadline < self.start:
            raise ValueError("deadline must not be before start")
        return self


class Plan(Strict):
    brief: ProjectBrief
    start: Day
    calendar: Calendar = Field(default_factory=Calendar)
    team: Team = Field(default_factory=Team)
    wbs: list[WorkPackage] = Field(default_factory=list)
    rate_card: RateCard = Field(default_factory=RateCard)
    non_labour: list[CostItem] = Field(default_factory=list)
    budget: Budget | None = None
    risks: RiskRegister = Field(default_factory=RiskRegister)
    assumptions: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_currency(self) -> Plan:
        """A plan is priced in its rate card's currency; every other amount must agree."""
        want = self.rate_card.currency
        found: list[tuple[str, str]] = []
        if self.budget is not None:
            found.append(("budget.limit.currency", self.budget.limit.currency))
        if self.brief.budget is not None:
            found.append(("brief.budget.currency", self.brief.budget.currency))
        found += [
            (f"non_labour.{i}.amount.currency", item.amount.currency)
            for i, item in enumerate(self.non_labour)
            if item.amount is not None
        ]
        found += [
            (f"risks.risks.{i}.cost_impact.currency", r.cost_impact.currency)
            for i, r in enumerate(self.risks.risks)
            if r.cost_impact is not None
        ]
        wrong = [f"{path} is {got}" for path, got in found if got != want]
        if wrong:
            raise ValueError(
                f"amounts must be in the rate card's currency ({want}): " + "; ".join(wrong)
            )
        return self
