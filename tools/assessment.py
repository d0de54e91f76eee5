"""A plan run through the whole engine: validation, schedule, risk register, budget check.

This is the deterministic half of every way in: whatever drafted the plan (a person, the
offline drafter or a model), the numbers a PM reads come from here.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.budget import MissingRateError, check_budget, package_costs, role_key
from tools.calendar import member_hours, roll_forward, working_dates, working_days_between
from tools.calibration import CalibrationProfile
from tools.domain import (
    BudgetCheck,
    CostItem,
    Member,
    Plan,
    ProjectBrief,
    RateCard,
    Risk,
    Schedule,
    Source,
    StatusUpdate,
    Team,
    WorkPackage,
)
from tools.estimating import Pert, roll_up
from tools.evm import BaselineItem, EarnedValue, earned_value
from tools.forecasting import PlanForecast, forecast_plan
from tools.freezes import MAX_ROUNDS, Clash, clashes, describe, release
from tools.levelling import Finding, LevelledPlan, level_plan
from tools.money import Money
from tools.risk import DEFAULT_MATRIX, RiskMatrix, contingency_reserve, rank
from tools.scheduling import schedule
from tools.validation import WbsIssue, validate_wbs
from tools.wbs import leaves, network_plan, span_level_of_effort

ENGINE_VERSION = "0.1.0"
LATE_CHANCE = 0.5
"""Below this chance of meeting the deadline a plan is late and its options are computed."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class EstimateView(_Out):
    optimistic: float
    likely: float
    pessimistic: float
    unit: str
    basis: str
    pert_hours: float
    sd_hours: float


class WbsRow(_Out):
    code: str
    name: str
    parent: str | None
    estimate: EstimateView | None
    depends_on: list[str]
    optional: bool
    source: Source
    level_of_effort: bool = False
    start_no_earlier_than: date | None = None
    """Set when a package waits for a date: a change freeze's end, or a person's."""


class RiskRow(_Out):
    rank: int
    id: str
    statement: str
    category: str
    probability: float
    impact: int
    score: int
    rating: str
    emv: Money | None
    expected_delay_days: float
    response: str
    contingency_plan: str
    trigger: str
    owner: str | None
    source: Source


class EngineInfo(_Out):
    version: str = ENGINE_VERSION
    seed: int | None = None
    llm_calls: int = 0
    tokens: int = 0


class LevellingView(_Out):
    """How the team's capacity shaped the schedule, and what a PM must act on."""

    method: str
    optimal: bool
    unlevelled_finish: date
    findings: list[Finding]


class ScheduleOption(_Out):
    """A way to meet the deadline, computed by the engine: move it, or add a person."""

    kind: Literal["move_deadline", "add_person"]
    description: str
    finish: date
    role: str | None = None


class Assessment(_Out):
    """The plan.json document: the brief, the WBS, and everything the engine computed.

    `schedule` is levelled against the team when the plan has one, else the plain CPM.
    `contingency_reserve` is the risk register's EMV; the budget check carries the reserve
    it used (`contingency_basis`): the simulated P80 cost above the base when there is a
    forecast, since that covers estimate spread and risk events together, else the EMV.
    """

    brief: ProjectBrief
    wbs: list[WbsRow]
    issues: list[WbsIssue]
    schedule: Schedule | None
    levelling: LevellingView | None
    forecast: PlanForecast | None
    risks: list[RiskRow]
    contingency_reserve: Money
    contingency_basis: Literal["monte_carlo_p80", "risk_emv"]
    budget_check: BudgetCheck | None
    non_labour: list[CostItem] = []
    """Every non-labour cost of the plan: those the budget check counts, those outside the
    budget and those without a figure."""
    rate_card: RateCard | None = None
    """The hourly rates every labour line was priced at (the brief's, else the card's)."""
    schedule_options: list[ScheduleOption] = []
    """When the plan is late for its deadline: moving it to the P80 finish, and adding one
    person in the role shortest of time, each re-scheduled by the engine."""
    notes: list[str]
    """What the engine could not do, and why (no team to level against, roles without rates)."""
    assumptions: list[str]
    engine: EngineInfo


def _wbs_row(wp: WorkPackage, totals: dict[str, Pert]) -> WbsRow:
    est = None
    if wp.estimate is not None:
        e = wp.estimate
        est = EstimateView(
            optimistic=e.optimistic,
            likely=e.likely,
            pessimistic=e.pessimistic,
            unit=e.unit,
            basis=e.basis,
            pert_hours=round(totals[wp.code].mean, 2),
            sd_hours=round(totals[wp.code].sd, 2),
        )
    return WbsRow(
        code=wp.code,
        name=wp.name,
        parent=wp.parent,
        estimate=est,
        depends_on=[d.predecessor for d in wp.depends_on],
        optional=wp.optional,
        source=wp.source,
        level_of_effort=wp.level_of_effort,
        start_no_earlier_than=wp.start_no_earlier_than,
    )


def _risk_rows(plan: Plan, matrix: RiskMatrix) -> list[RiskRow]:
    by_id: dict[str, Risk] = {r.id: r for r in plan.risks.risks}
    limit = plan.budget.limit if plan.budget else None
    rows = []
    for ranked in rank(plan.risks, matrix, limit):
        risk = by_id[ranked.risk_id]
        rows.append(
            RiskRow(
                rank=ranked.rank,
                id=risk.id,
                statement=risk.statement,
                category=risk.category,
                probability=risk.probability,
                impact=ranked.score.impact_band,
                score=ranked.score.score,
                rating=ranked.score.rating,
                emv=ranked.emv,
                expected_delay_days=ranked.expected_delay_days,
                response=risk.response,
                contingency_plan=risk.contingency_plan,
                trigger=risk.trigger,
                owner=risk.owner,
                source=risk.source,
            )
        )
    return rows


class Levelled(_Out):
    """The schedule stage's result: issues, the schedule (levelled when there is a team)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    issues: list[WbsIssue]
    schedule: Schedule | None = None
    levelled: LevelledPlan | None = None
    levelling: LevellingView | None = None
    notes: list[str] = []
    plan: Plan | None = None
    """The plan as scheduled: production-facing work held past the brief's freezes."""
    options: list[ScheduleOption] = []


def schedule_stage(plan: Plan, *, time_limit_s: float = 1.0, seed: int = 0) -> Levelled:
    """Validate, then schedule: levelled against the team when there is one, with
    production-facing work held past every change freeze (tools.freezes). A WBS with issues
    is reported, not scheduled: its dates would mean nothing."""
    stage = _schedule_once(plan, time_limit_s=time_limit_s, seed=seed)
    held: list[Clash] = []
    for _ in range(MAX_ROUNDS):
        found = clashes(plan, stage.schedule) if stage.schedule is not None else []
        if not found:
            break
        plan = release(plan, found)
        held += found
        stage = _schedule_once(plan, time_limit_s=time_limit_s, seed=seed)
    notes = list(stage.notes)
    if held:
        notes.append(describe(held))
    if stage.schedule is not None and (left := clashes(plan, stage.schedule)):
        notes.append("still in a change freeze after rescheduling: " + describe(left))
    options = _add_person(plan, stage, time_limit_s=time_limit_s, seed=seed)
    return stage.model_copy(update={"plan": plan, "notes": notes, "options": options})


def _add_person(
    plan: Plan, stage: Levelled, *, time_limit_s: float, seed: int
) -> list[ScheduleOption]:
    """When the levelled plan ends after the deadline: the plan levelled again with one more
    full-time person in the role shortest of time before it (the most loaded, when none is
    short), offered when it finishes sooner."""
    deadline, sched = plan.brief.deadline, stage.schedule
    if deadline is None or sched is None or stage.levelled is None or sched.finish <= deadline:
        return []
    need, have = role_time(plan, deadline)
    staffed = [r for r in need if have.get(r, 0.0) > 0]
    if not staffed:
        return []
    role = max(staffed, key=lambda r: (need[r] - have[r], need[r] / have[r]))
    extra = Member(id="option-extra-person", name=f"One more {role}", roles=[role])
    bigger = plan.model_copy(update={"team": Team(members=[*plan.team.members, extra])})
    again = _schedule_once(bigger, time_limit_s=time_limit_s, seed=seed).schedule
    if again is None or again.finish >= sched.finish:
        return []
    sooner = working_days_between(plan.calendar, again.finish, sched.finish)
    return [
        ScheduleOption(
            kind="add_person",
            role=role,
            finish=again.finish,
            description=f"add one full-time {role}: levelled finish {again.finish}, {sooner}"
            " working days sooner; the same effort, so labour costs the same at one rate"
            + (" and the deadline is met" if again.finish <= deadline else ""),
        )
    ]


def _schedule_once(plan: Plan, *, time_limit_s: float, seed: int) -> Levelled:
    issues = validate_wbs(plan.wbs, plan.calendar)
    if issues:
        return Levelled(issues=issues)
    net = network_plan(plan)  # level-of-effort work spans the rest, it is not in the network
    sched = span_level_of_effort(plan, schedule(net))
    if not plan.team.members:
        note = "not levelled: the plan names no team, so the schedule assumes unlimited people"
        return Levelled(issues=[], schedule=sched, notes=[note])
    levelled = level_plan(net, time_limit_s=time_limit_s, seed=seed)
    view = LevellingView(
        method=levelled.method,
        optimal=levelled.optimal,
        unlevelled_finish=sched.finish,
        findings=levelled.findings,
    )
    spanned = span_level_of_effort(plan, levelled.schedule)
    notes = _deadline_notes(plan, spanned)
    return Levelled(issues=[], schedule=spanned, levelled=levelled, levelling=view, notes=notes)


def role_time(plan: Plan, deadline: date) -> tuple[dict[str, float], dict[str, float]]:
    """Person-days each role's work needs (likely), and those its people have before the
    deadline."""
    cal = plan.calendar
    need: dict[str, float] = {}
    for wp in leaves(plan.wbs):
        est = wp.estimate
        if est is None or est.basis != "effort" or not wp.role_demands:
            continue
        days = est.likely if est.unit == "days" else est.likely / cal.hours_per_day
        units = sum(d.units for d in wp.role_demands)
        for d in wp.role_demands:
            need[d.role] = need.get(d.role, 0.0) + days * d.units / units
    dates = working_dates(cal, roll_forward(cal, plan.start), max(0, (deadline - plan.start).days))
    have: dict[str, float] = {}
    for m in plan.team.members:
        hours = sum(member_hours(m, cal, d) for d in dates if d <= deadline)
        for role in m.roles:
            have[role] = have.get(role, 0.0) + hours / cal.hours_per_day / len(m.roles)
    return need, have


def _deadline_notes(plan: Plan, sched: Schedule) -> list[str]:
    """When the levelled plan ends after the deadline: the effort each role's work needs
    against the person-days its people have before the deadline, so a PM sees where the gap
    is (a role short of time, or the order of the work when no role is)."""
    deadline = plan.brief.deadline
    if deadline is None or sched.finish <= deadline:
        return []
    cal = plan.calendar
    need, have = role_time(plan, deadline)
    short = [
        f"{role} {need[role]:,.0f} needed vs {have[role]:,.0f} available"
        for role in sorted(need, key=lambda r: need[r] - have.get(r, 0.0), reverse=True)
        if role in have and need[role] > have[role]
    ]
    late = working_days_between(cal, deadline, sched.finish)
    head = (
        f"the levelled finish {sched.finish} is about {max(late, 1)} working days after the"
        f" deadline {deadline}"
    )
    if short:
        return [
            f"{head}: roles short of time before the deadline (person-days): "
            + "; ".join(short)
            + " — add people in those roles, move the deadline or cut scope"
        ]
    return [
        f"{head}, although every role has the person-days in total: the order of the work"
        " (the critical path and who must do what when) sets the finish — overlap phases,"
        " split the longest packages or move the deadline"
    ]


def forecast_stage(
    plan: Plan,
    stage: Levelled,
    *,
    profile: CalibrationProfile | None = None,
    iterations: int = 10_000,
    seed: int = 0,
) -> PlanForecast | None:
    if stage.issues or not iterations:
        return None
    return forecast_plan(
        plan, levelled=stage.levelled, profile=profile, iterations=iterations, seed=seed
    )


def budget_stage(
    plan: Plan,
    stage: Levelled,
    forecast: PlanForecast | None,
    *,
    seed: int = 0,
    matrix: RiskMatrix = DEFAULT_MATRIX,
) -> Assessment:
    """Rank the risks, check the budget and put the assessment together."""
    totals = roll_up(plan.wbs, plan.calendar)
    currency = plan.budget.limit.currency if plan.budget else plan.rate_card.currency
    emv_reserve = contingency_reserve(plan.risks, currency)
    reserve, basis = emv_reserve, "risk_emv"
    if forecast is not None and forecast.contingency.currency == currency:
        reserve, basis = forecast.contingency, "monte_carlo_p80"
    notes = list(stage.notes)
    budget = None
    if not stage.issues and (plan.budget is not None or plan.brief.budget is not None):
        try:
            chance = None if forecast is None else forecast.p_meet_budget
            budget = check_budget(plan, reserve, chance)
        except MissingRateError as exc:
            notes.append(f"budget not checked and costs not forecast: {exc}")
    options = list(stage.options)
    deadline = plan.brief.deadline
    late = stage.schedule is not None and deadline is not None and stage.schedule.finish > deadline
    if forecast is not None and forecast.p_meet_deadline is not None:
        late = late or forecast.p_meet_deadline < LATE_CHANCE
    if late and deadline is not None and stage.schedule is not None:
        target = forecast.p80_finish if forecast is not None else stage.schedule.finish
        options.insert(
            0,
            ScheduleOption(
                kind="move_deadline",
                finish=target,
                description=f"move the deadline from {deadline} to {target}"
                + (" (the P80 finish: an 80 % chance of making it)" if forecast else ""),
            ),
        )
    return Assessment(
        brief=plan.brief,
        wbs=[_wbs_row(wp, totals) for wp in plan.wbs],
        schedule_options=options,
        issues=stage.issues,
        schedule=stage.schedule,
        levelling=stage.levelling,
        forecast=forecast,
        risks=_risk_rows(plan, matrix),
        contingency_reserve=emv_reserve,
        contingency_basis=basis,
        budget_check=budget,
        non_labour=plan.non_labour,
        rate_card=_rates_used(plan),
        notes=notes,
        assumptions=plan.assumptions,
        engine=EngineInfo(seed=seed),
    )


def _rates_used(plan: Plan) -> RateCard:
    """The card's rates for the roles the work asks for, as priced (case as the card has it)."""
    asked = {role_key(d.role) for wp in leaves(plan.wbs) for d in wp.role_demands}
    card = plan.rate_card
    return card.model_copy(
        update={"hourly": {r: v for r, v in card.hourly.items() if role_key(r) in asked}}
    )


def assess(
    plan: Plan,
    *,
    profile: CalibrationProfile | None = None,
    iterations: int = 10_000,
    seed: int = 0,
    time_limit_s: float = 1.0,
    matrix: RiskMatrix = DEFAULT_MATRIX,
) -> Assessment:
    """The whole engine in one call: schedule, forecast, risks and budget."""
    stage = schedule_stage(plan, time_limit_s=time_limit_s, seed=seed)
    plan = stage.plan or plan
    fc = forecast_stage(plan, stage, profile=profile, iterations=iterations, seed=seed)
    return budget_stage(plan, stage, fc, seed=seed, matrix=matrix)


def baseline(plan: Plan, seed: int = 0) -> list[BaselineItem]:
    """The plan as an earned-value baseline: each leaf's cost over its planned dates (levelled
    when the plan has a team)."""
    sched = level_plan(plan, seed=seed).schedule if plan.team.members else schedule(plan)
    costs = package_costs(plan)
    tasks = {t.code: t for t in sched.tasks}
    return [
        BaselineItem(
            code=code,
            budget_at_completion=cost,
            start=tasks[code].early_start,
            finish=tasks[code].early_finish,
        )
        for code, cost in costs.items()
    ]


def track(plan: Plan, status: StatusUpdate, seed: int = 0) -> EarnedValue:
    """Earned value of a status update against the plan as baselined."""
    try:
        items = baseline(plan, seed=seed)
    except MissingRateError as exc:
        raise ValueError(f"earned value needs every package's cost: {exc}") from exc
    return earned_value(items, status, plan.calendar)
