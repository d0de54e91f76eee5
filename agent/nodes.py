"""The plan graph's nodes. Each reads the state, calls one tool or the drafter, and returns
the keys it changed. Numbers come only from tools/ (DESIGN principle 1)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agent.deps import AgentDeps
from agent.drafting.port import DraftRequest
from agent.llm import LlmError
from agent.state import PlanState
from knowledge.models import GENERIC
from knowledge.store import LessonFilters
from knowledge.templates import Template
from tools.assessment import EngineInfo, budget_stage, forecast_stage, schedule_stage
from tools.brief import BriefReading, read_brief
from tools.brief.claims import check_claims
from tools.brief.kinds import by_meaning, weak_cues
from tools.brief.places import country_of
from tools.domain import Budget, Calendar, Plan, ProjectBrief, RateCard, RiskRegister
from tools.expenses import cost_items
from tools.holidays import public_holidays
from tools.key_people import key_person_risks
from tools.logic import enforce_gates
from tools.roster import build_team, owner_for, stated_rates
from tools.sizing import (
    crew,
    effort_total,
    evidence_of,
    rebalance,
    role_demand,
    role_factors,
    scale_efforts,
    scale_risks,
    size,
)
from tools.validation import validate_wbs
from tools.wbs import mark_level_of_effort

DEFAULT_CURRENCY = "USD"
HOLIDAY_YEARS = 3
"""Years after the start whose holidays the calendar holds: a plan rarely runs longer."""


def _plan(plan: Plan, **update: Any) -> Plan:
    """A changed copy of a plan, validated again (model_copy alone would skip validators)."""
    return Plan(**{**dict(plan), **update})


def _next_monday(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _capacity(plan: Plan) -> dict[str, float]:
    """FTE per role; a person with several roles shares their time among them."""
    out: dict[str, float] = {}
    for m in plan.team.members:
        for role in m.roles:
            out[role] = out.get(role, 0.0) + m.availability / len(m.roles)
    return out


class PlanNodes:
    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps

    def intake(self, state: PlanState) -> dict:
        """The rules read the brief; a model drafter reads it too, and its claims count only
        once code has found their quotes in the brief and re-read their values."""
        today = self.deps.today()
        reading = read_brief(
            state["text"],
            today=today,
            date_order=self.deps.date_order,
            fiscal_start=self.deps.fiscal_start,
        )
        try:
            claims = self.deps.drafter.read_brief(reading.brief.text)
        except LlmError as exc:
            note = f"the model could not read the brief ({type(exc).__name__}); read by rules only"
            return {
                "reading": reading.model_copy(update={"assumptions": [*reading.assumptions, note]})
            }
        if claims is not None:
            reading = check_claims(reading, claims, today=today)
        if self.deps.kinds is not None and weak_cues(reading.archetype_scores):
            brief = reading.brief
            about = ". ".join([brief.title, brief.goal, "; ".join(brief.scope)])
            reading = by_meaning(reading, self.deps.kinds.similarity(about))
        return {"reading": reading}

    def retrieve(self, state: PlanState) -> dict:
        reading = state["reading"]
        brief = reading.brief
        text = brief.text  # what the brief says to the planner is no search term
        for words in reading.ignored:
            text = text.replace(words, " ")
        archetype, note = self._archetype(reading)
        template = self.deps.templates[archetype]
        lessons, projects = [], []
        kb = self.deps.knowledge
        if kb is not None:
            tenant = state["tenant"]
            queries = [f"{brief.title}. {brief.goal}"] + [r.lesson_query for r in template.risks]
            found_lessons = kb.search_many(
                queries,
                tenant,
                k=self.deps.lessons_per_query,
                filters=LessonFilters(archetype=None if archetype == GENERIC else archetype),  # type: ignore[arg-type]
            )
            ids = list(dict.fromkeys(h.id for hits in found_lessons for h in hits))
            lessons = kb.lessons(tenant, ids)
            found = kb.similar_projects(
                text,
                tenant,
                k=self.deps.similar_projects,
                archetype=None if archetype == GENERIC else archetype,  # type: ignore[arg-type]
            )
            projects = kb.projects(tenant, [p.id for p in found])
        update: dict = {"archetype": archetype, "lessons": lessons, "projects": projects}
        if note:
            update["reading"] = reading.model_copy(
                update={"assumptions": [*reading.assumptions, note]}
            )
        return update

    def _archetype(self, reading: BriefReading) -> tuple[str, str | None]:
        """The brief's kind, or for a brief of no kind we have a template for, the generic
        lifecycle (never the nearest wrong template)."""
        if reading.brief.archetype in self.deps.templates:
            return reading.brief.archetype, None
        # intake decided by meaning and said why; otherwise say it here
        by_meaning_said = self.deps.kinds is not None and weak_cues(reading.archetype_scores)
        return GENERIC, None if by_meaning_said else (
            "the brief matches no kind of project we have a template for; planned as a generic"
            " IT delivery lifecycle with a package for every scope item"
        )

    def staff(self, state: PlanState) -> dict:
        if "base" in state:  # a re-draft keeps the team, rates, budget and calendar
            base = state["base"]
            return {"plan": _plan(base, wbs=[], risks=RiskRegister())}
        reading = state["reading"]
        brief = reading.brief
        template: Template = self.deps.templates[state["archetype"]]
        team, notes = build_team(reading.people, template.roles, brief.team_size)
        currency = brief.budget.currency if brief.budget else DEFAULT_CURRENCY
        if brief.budget is None:
            notes.append(f"the brief gives no budget; costs are shown in {currency}")
        defaults = self.deps.rates(currency)
        hourly = dict(defaults or {})  # every canonical role: a drafter may use any of them
        if defaults is None:
            notes.append(f"no default rates for {currency}; add a rate card to price the labour")
        else:
            notes.append(
                f"labour priced at pmpilot's default {currency} rates per role; replace them"
                " with your organisation's rate card"
            )
        start = brief.start or _next_monday(self.deps.today())
        calendar, calendar_note = self._calendar(brief, start)
        notes.append(calendar_note)
        if defaults is not None:
            staff = (reading.staff_rate, reading.staff_rate_per) if reading.staff_rate else None
            own, rate_notes = stated_rates(
                team,
                reading.people,
                hourly,
                currency,
                hours_per_day=calendar.hours_per_day,
                staff=staff,
            )
            hourly.update(own)
            notes += rate_notes
        costs, cost_notes = cost_items(brief, currency, start)
        notes += cost_notes
        plan = Plan(
            brief=brief.model_copy(
                update={"archetype": None if state["archetype"] == GENERIC else state["archetype"]}
            ),
            start=start,
            calendar=calendar,
            team=team,
            rate_card=RateCard(currency=currency, hourly=hourly),
            budget=(
                Budget(limit=brief.budget, internal_labour=brief.budget_internal_labour)
                if brief.budget
                else None
            ),
            non_labour=costs,
            assumptions=[*reading.assumptions, *notes],
        )
        return {"plan": plan}

    def _calendar(self, brief: ProjectBrief, start: date) -> tuple[Calendar, str]:
        """The working calendar without the public holidays of the plan's country: the
        setting's, else the one the brief's places or currency settle."""
        currency = brief.budget.currency if brief.budget else None
        if self.deps.country:
            country, why = self.deps.country, "the country setting"
        else:
            country, words = country_of(brief.text, currency)
            why = f"'{words}' in the brief" if words else f"the brief's currency ({currency})"
        years = (start.year, start.year + HOLIDAY_YEARS)
        days = [d for d, _ in public_holidays(country, *years)] if country else []
        if not days:
            return Calendar(), (
                "no public holidays in the calendar: set the country (PMPILOT_COUNTRY)"
                if not country
                else f"no public holidays known for {country}; the calendar has none"
            )
        return Calendar(holidays=days), (
            f"the calendar leaves out the national public holidays of {country} (from {why});"
            " regional holidays are not in it"
        )

    def _request(self, state: PlanState) -> DraftRequest:
        plan = state["plan"]
        return DraftRequest(
            brief=plan.brief,
            reading=state["reading"],
            template=self.deps.templates[state["archetype"]],
            lessons=state.get("lessons", []),
            projects=state.get("projects", []),
            roles=sorted({r for m in plan.team.members for r in m.roles}),
            capacity=_capacity(plan),
            issues=state.get("issues", []) if state.get("loop_step", 0) else [],
            previous=plan.wbs,
            locked=state.get("locked", []),
            currency=plan.rate_card.currency,
            rates=dict(plan.rate_card.hourly),
            hours_per_day=plan.calendar.hours_per_day,
        )

    def draft_wbs(self, state: PlanState) -> dict:
        """The drafter proposes packages and estimates; the engine sizes them, weighing the
        proposal against the size the brief implies (tools.sizing)."""
        draft = self.deps.drafter.draft_wbs(self._request(state))
        plan = state["plan"]
        wbs, linked = enforce_gates(mark_level_of_effort(draft.wbs))
        notes = [*draft.assumptions, *linked]
        factor = 1.0
        if "base" not in state:  # a re-draft keeps what the plan was sized at
            keep = {wp.code for wp in state.get("locked", [])}
            hours = plan.calendar.hours_per_day
            stated = bool({"team", "team_size"} & plan.brief.quotes.keys())
            sizing = size(effort_total(wbs, hours, keep), evidence_of(plan, stated_team=stated))
            wbs, factor = scale_efforts(wbs, sizing.factor, keep), sizing.factor
            if note := sizing.explain():
                notes.append(note)
            if stated:
                capacity = _capacity(plan)
                moved = role_factors(role_demand(wbs, hours, keep), capacity)
                wbs = rebalance(wbs, moved, keep, capacity)
                if shifted := {r: f for r, f in moved.items() if abs(f - 1) >= 0.1}:
                    notes.append(
                        "work leaned toward the team the brief commits: "
                        + ", ".join(f"{r} x{f:.2f}" for r, f in sorted(shifted.items()))
                    )
            wbs = crew(wbs, _capacity(plan), hours, keep)
        base = [a for a in plan.assumptions if a not in state.get("draft_notes", [])]
        return {
            "plan": _plan(plan, wbs=wbs, assumptions=list(dict.fromkeys([*base, *notes]))),
            "draft_notes": notes,
            "size_factor": factor,
            "loop_step": 1,
        }

    def validate_wbs(self, state: PlanState) -> dict:
        plan = state["plan"]
        return {"issues": validate_wbs(plan.wbs, plan.calendar)}

    def propose_risks(self, state: PlanState) -> dict:
        plan = state["plan"]
        draft = self.deps.drafter.propose_risks(self._request(state), plan.wbs)
        drafted = scale_risks(draft.risks, state.get("size_factor", 1.0))
        risks = [
            r.model_copy(update={"owner": owner_for(r.owner, plan.team)})
            for r in [*drafted, *key_person_risks(plan, drafted)]
        ]
        return {
            "plan": _plan(
                plan,
                risks=RiskRegister(risks=risks),
                assumptions=list(dict.fromkeys([*plan.assumptions, *draft.assumptions])),
            )
        }

    def schedule(self, state: PlanState) -> dict:
        d = self.deps
        stage = schedule_stage(state["plan"], time_limit_s=d.time_limit_s, seed=d.seed)
        return {"stage": stage, "plan": stage.plan or state["plan"]}

    def simulate(self, state: PlanState) -> dict:
        d = self.deps
        fc = forecast_stage(
            state["plan"], state["stage"], profile=d.profile, iterations=d.iterations, seed=d.seed
        )
        return {"forecast": fc}

    def check_budget(self, state: PlanState) -> dict:
        return {
            "assessment": budget_stage(
                state["plan"], state["stage"], state["forecast"], seed=self.deps.seed
            )
        }

    def assemble(self, state: PlanState) -> dict:
        usage = self.deps.drafter.usage()
        engine = EngineInfo(seed=self.deps.seed, llm_calls=usage.calls, tokens=usage.tokens)
        return {"assessment": state["assessment"].model_copy(update={"engine": engine})}
