"""The model drafter: WBS and risk wording from an OpenAI-compatible model, made safe to use.

The model fills a small JSON schema (ModelWbs, ModelRisks); this module turns that into domain
objects and decides everything a person reads as a number: probabilities and impacts come
from the band tables below, never from the model; codes are made valid; roles are mapped to
the canonical vocabulary; a quote is kept only if it is really in the brief, a lesson id only
if it was really retrieved. Every correction made on the way is written down as an assumption.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from agent.drafting.port import DraftRequest, Likelihood, RiskDraft, Usage, WbsDraft
from agent.llm import LlmClient
from prompts.loader import data_block, render
from tools.brief.claims import BriefClaims
from tools.domain import (
    Dependency,
    Estimate,
    Range,
    Risk,
    RiskCategory,
    RiskResponse,
    RoleDemand,
    Source,
    WorkPackage,
)
from tools.vocabulary import ROLES

ImpactBand = Literal["low", "medium", "high"]

LIKELIHOOD_PROBABILITY: dict[str, float] = {
    "rare": 0.05,
    "unlikely": 0.15,
    "possible": 0.30,
    "likely": 0.50,
    "almost_certain": 0.75,
}
"""Probability of a risk by the likelihood band the model chose."""

IMPACT_DAYS: dict[str, Range] = {
    "low": Range(low=1, likely=2, high=5),
    "medium": Range(low=3, likely=7, high=15),
    "high": Range(low=10, likely=20, high=40),
}
"""Schedule impact in working days by the impact band the model chose."""

ROLE_ALIASES: dict[str, str] = {
    "pm": "project manager",
    "project lead": "project manager",
    "programme manager": "project manager",
    "program manager": "project manager",
    "scrum master": "project manager",
    "ba": "business analyst",
    "analyst": "business analyst",
    "architect": "solution architect",
    "enterprise architect": "solution architect",
    "technical architect": "solution architect",
    "software engineer": "developer",
    "software developer": "developer",
    "programmer": "developer",
    "engineer": "developer",
    "backend developer": "developer",
    "frontend developer": "developer",
    "full stack developer": "developer",
    "qa": "tester",
    "qa engineer": "tester",
    "test engineer": "tester",
    "quality assurance": "tester",
    "database administrator": "dba",
    "database engineer": "dba",
    "db admin": "dba",
    "devops": "cloud engineer",
    "devops engineer": "cloud engineer",
    "sre": "cloud engineer",
    "site reliability engineer": "cloud engineer",
    "platform engineer": "cloud engineer",
    "infrastructure engineer": "sysadmin",
    "system administrator": "sysadmin",
    "systems administrator": "sysadmin",
    "iam engineer": "security engineer",
    "identity engineer": "security engineer",
    "security analyst": "security engineer",
    "compliance officer": "compliance analyst",
    "auditor": "compliance analyst",
    "designer": "ux designer",
    "ui designer": "ux designer",
    "helpdesk": "service desk",
    "help desk": "service desk",
    "support": "service desk",
    "communications": "change manager",
    "comms": "change manager",
}
"""Common role names a model writes, mapped to the canonical vocabulary (tools.vocabulary)."""

FALLBACK_ROLE = "developer"
ROLE_MATCH_CUTOFF = 0.8

_CODE_BAD = re.compile(r"[^A-Za-z0-9._-]+")
_CODE_MAX = 64


def _lower(value: Any) -> Any:
    return (
        value.strip().lower().replace(" ", "_").replace("-", "_")
        if isinstance(value, str)
        else value
    )


def _lower_words(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Band = Annotated[ImpactBand, BeforeValidator(_lower_words)]
LikelihoodBand = Annotated[Likelihood, BeforeValidator(_lower)]
Category = Annotated[RiskCategory, BeforeValidator(_lower_words)]
Response = Annotated[RiskResponse, BeforeValidator(_lower_words)]
Days = Annotated[float, Field(ge=0, le=100_000)]
Words = Annotated[str, Field(min_length=1, max_length=4000)]


class _Out(BaseModel):
    """Output schemas are strict about types (a number is a number) and ignore extra keys.
    Every field is required (nullable where it may be empty), so that a grammar-constrained
    server makes the model write each one."""

    model_config = ConfigDict(strict=True, extra="ignore")


class ModelPackage(_Out):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    parent: str | None
    deliverable: str = Field(max_length=4000)
    roles: list[str] = Field(max_length=10)
    optimistic: Days
    likely: Days
    pessimistic: Days
    depends_on: list[str] = Field(max_length=50)
    brief_quote: str | None = Field(max_length=4000)
    lesson_id: str | None

    @model_validator(mode="after")
    def _not_own(self) -> ModelPackage:
        if self.code in self.depends_on or self.name in self.depends_on:
            raise ValueError(f"depends_on: package {self.code} must not depend on itself")
        if self.parent in (self.code, self.name):
            raise ValueError(f"parent: package {self.code} must not be its own parent")
        return self


class ModelWbs(_Out):
    packages: list[ModelPackage] = Field(min_length=1, max_length=200)
    assumptions: list[Annotated[str, Field(max_length=1000)]] = Field(max_length=30)

    @model_validator(mode="after")
    def _references(self) -> ModelWbs:
        codes = [p.code for p in self.packages]
        problems = [
            f"packages.{i}.code: {c} is used by more than one package"
            for i, c in enumerate(codes)
            if c in codes[:i]
        ]
        for i, p in enumerate(self.packages):
            if p.parent is not None and self.resolve(p.parent) is None:
                problems.append(f"packages.{i}.parent: {p.parent} is not a code in the WBS")
            problems += [
                f"packages.{i}.depends_on: {d} is not a code in the WBS"
                for d in p.depends_on
                if self.resolve(d) is None
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def resolve(self, ref: str) -> str | None:
        """The code a parent or dependency reference means: a code, or else the name of
        exactly one package (small models often write the name); None if neither."""
        if any(p.code == ref for p in self.packages):
            return ref
        named = [p.code for p in self.packages if p.name == ref]
        return named[0] if len(named) == 1 else None


class ModelRisk(_Out):
    cause: Words
    event: Words
    effect: Words
    category: Category
    likelihood: LikelihoodBand
    impact: Band
    response: Response
    mitigation: Words
    contingency_plan: Words
    trigger: Words
    work_packages: list[str] = Field(max_length=50)
    lesson_id: str | None


class ModelRisks(_Out):
    risks: list[ModelRisk] = Field(min_length=1, max_length=20)


# --- conversion helpers ---------------------------------------------------------------------


def sanitize_codes(raw: list[str]) -> dict[str, str]:
    """A valid, unique Code for each raw code (first occurrence wins a repeated one)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for i, code in enumerate(raw, start=1):
        if code in out:
            continue
        clean = _CODE_BAD.sub("-", code.strip()).lstrip("._-")[:_CODE_MAX] or f"WP{i}"
        candidate, n = clean, 2
        while candidate in used:
            suffix = f"-{n}"
            candidate, n = clean[: _CODE_MAX - len(suffix)] + suffix, n + 1
        out[code] = candidate
        used.add(candidate)
    return out


def canonical_role(role: str) -> tuple[str, bool]:
    """The canonical role for a model's role name, and whether it was an exact match."""
    key = " ".join(role.strip().lower().replace("_", " ").split())
    if key in ROLES:
        return key, True
    for candidate in (key, key.removesuffix("s"), key.removesuffix("es")):
        if candidate in ROLES:
            return candidate, True
        if candidate in ROLE_ALIASES:
            return ROLE_ALIASES[candidate], True
    close = difflib.get_close_matches(key, [*ROLES, *ROLE_ALIASES], n=1, cutoff=ROLE_MATCH_CUTOFF)
    if close:
        return ROLE_ALIASES.get(close[0], close[0]), False
    return FALLBACK_ROLE, False


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def _section(label: str, items: list[Any]) -> str:
    """prompts/section_<label>.md around the items as a data block; nothing when empty (an
    empty heading invites a small model to invent a package for it)."""
    return render(f"section_{label}", block=data_block(label, _json(items))) if items else ""


# --- the drafter ----------------------------------------------------------------------------


class ModelDrafter:
    """A Drafter backed by an LlmClient; proposes words and structure, decides no numbers."""

    name = "model"

    def __init__(self, client: LlmClient) -> None:
        self._client = client

    def usage(self) -> Usage:
        return self._client.usage()

    def for_run(self) -> ModelDrafter:
        """A drafter whose call, token and time budgets start from zero (one per plan)."""
        return ModelDrafter(self._client.fresh())

    # --- reading -----------------------------------------------------------------------------

    def read_brief(self, text: str) -> BriefClaims:
        """The model's reading of the brief, each fact with a verbatim quote; checked by
        tools.brief.claims before anything is believed."""
        user = render("read_brief", brief=data_block("brief", text))
        return self._client.structured(render("system"), user, BriefClaims, "brief_facts")

    # --- WBS -------------------------------------------------------------------------------

    def draft_wbs(self, request: DraftRequest) -> WbsDraft:
        common = {
            "brief": data_block("brief", request.brief.text or request.brief.title),
            "facts": data_block("facts", _json(_facts(request))),
            "roles": ", ".join(ROLES),
            "team_roles": ", ".join(sorted(set(request.roles))) or "(not stated)",
            "lessons": _lessons(request),
            "locked": _section("locked", [_as_model(p) for p in request.locked]),
        }
        if request.issues:
            user = render(
                "repair_wbs",
                issues="\n".join(f"- {i.message}" for i in request.issues),
                previous=data_block(
                    "previous", _json({"packages": [_as_model(p) for p in request.previous]})
                ),
                **common,
            )
        else:
            user = render(
                "draft_wbs",
                template=_template_outline(request),
                projects=_projects(request),
                **common,
            )
        out = self._client.structured(render("system"), user, ModelWbs, "wbs")
        return self._to_wbs(out, request)

    def _to_wbs(self, out: ModelWbs, request: DraftRequest) -> WbsDraft:
        notes = list(out.assumptions)
        codes = sanitize_codes([p.code for p in out.packages])
        renamed = [f"{raw!r} -> {new}" for raw, new in codes.items() if raw != new]
        if renamed:
            notes.append("Work package codes made valid: " + ", ".join(renamed) + ".")

        by_name: dict[tuple[str, str], list[str]] = {}

        def ref(package: ModelPackage, field: str, value: str) -> str:
            raw = out.resolve(value)
            if raw is None:  # ModelWbs validation refuses these; kept for type narrowing
                raise ValueError(f"{package.code}.{field}: unknown reference {value!r}")
            if raw != value:
                by_name.setdefault((field, value), []).append(codes[package.code])
            return codes[raw]

        parent_of = {
            p.code: ref(p, "parent", p.parent) for p in out.packages if p.parent is not None
        }
        parents = set(parent_of.values())
        lesson_ids = {lesson.id for lesson in request.lessons}
        locked = {wp.code: wp for wp in request.locked}
        wbs: list[WorkPackage] = []
        seen: set[str] = set()
        for p in out.packages:
            code = codes[p.code]
            if code in seen:
                continue  # a repeat after sanitising (the schema refuses exact repeats)
            seen.add(code)
            if code in locked:
                wbs.append(locked.pop(code))
                continue
            summary = code in parents
            after = dict.fromkeys(ref(p, "depends_on", d) for d in p.depends_on)
            wbs.append(
                WorkPackage(
                    code=code,
                    name=p.name,
                    parent=parent_of.get(p.code),
                    deliverable=p.deliverable,
                    role_demands=[] if summary else self._roles(p, code, notes),
                    estimate=None if summary else self._estimate(p, code, notes),
                    depends_on=[Dependency(predecessor=c) for c in after],
                    source=self._source(p.brief_quote, p.lesson_id, request, lesson_ids),
                )
            )
        wbs += locked.values()
        notes += [
            f"{', '.join(users)}: {field} named by package name {name!r}; read as"
            f" {codes[out.resolve(name) or name]}."
            for (field, name), users in by_name.items()
        ]
        return WbsDraft(wbs=wbs, assumptions=notes)

    @staticmethod
    def _estimate(p: ModelPackage, code: str, notes: list[str]) -> Estimate:
        points = (p.optimistic, p.likely, p.pessimistic)
        low, mid, high = sorted(points)
        if (low, mid, high) != points:
            notes.append(
                f"{code}: the drafted three-point estimate {points[0]:g}/{points[1]:g}/"
                f"{points[2]:g} was not in order optimistic <= likely <= pessimistic; "
                f"read as {low:g}/{mid:g}/{high:g} person-days."
            )
        return Estimate(optimistic=low, likely=mid, pessimistic=high, unit="days", basis="effort")

    @staticmethod
    def _roles(p: ModelPackage, code: str, notes: list[str]) -> list[RoleDemand]:
        roles: list[str] = []
        for raw in p.roles:
            role, exact = canonical_role(raw)
            if not exact:
                notes.append(f"{code}: role {raw!r} is not a known role; read as {role!r}.")
            if role not in roles:
                roles.append(role)
        if not roles:
            notes.append(f"{code}: no role was named; {FALLBACK_ROLE!r} assumed.")
            roles = [FALLBACK_ROLE]
        return [RoleDemand(role=r) for r in roles]

    def _source(
        self, quote: str | None, lesson_id: str | None, request: DraftRequest, lessons: set[str]
    ) -> Source:
        if quote and quote.strip() and quote in request.brief.text:
            return Source(kind="brief", quote=quote)
        if lesson_id is not None and lesson_id in lessons:
            return Source(kind="lesson", ref=lesson_id)
        return Source(kind="model", ref=self._client.model)

    # --- risks -----------------------------------------------------------------------------

    def propose_risks(self, request: DraftRequest, wbs: list[WorkPackage]) -> RiskDraft:
        parents = {wp.parent for wp in wbs if wp.parent}
        outline = [
            {"code": wp.code, "name": wp.name, "kind": "summary" if wp.code in parents else "leaf"}
            for wp in wbs
        ]
        user = render(
            "propose_risks",
            brief=data_block("brief", request.brief.text or request.brief.title),
            wbs=data_block("wbs", _json(outline)),
            lessons=_lessons(request),
            categories=", ".join(RiskCategory.__args__),  # type: ignore[attr-defined]
            likelihoods=", ".join(LIKELIHOOD_PROBABILITY),
            impacts=", ".join(IMPACT_DAYS),
            responses=", ".join(RiskResponse.__args__),  # type: ignore[attr-defined]
        )
        out = self._client.structured(render("system"), user, ModelRisks, "risks")
        return self._to_risks(out, request, {wp.code for wp in wbs})

    def _to_risks(self, out: ModelRisks, request: DraftRequest, codes: set[str]) -> RiskDraft:
        lesson_ids = {lesson.id for lesson in request.lessons}
        notes = [
            "Risk probabilities come from the likelihood band the drafter chose, by the table "
            + ", ".join(f"{k} {v:.0%}" for k, v in LIKELIHOOD_PROBABILITY.items())
            + "; the model states no probability.",
            "Risk schedule impacts come from the impact band, by the table "
            + ", ".join(
                f"{k} {r.low:g}/{r.likely:g}/{r.high:g} working days"
                for k, r in IMPACT_DAYS.items()
            )
            + "; cost impacts are priced by the engine.",
        ]
        risks = []
        for n, r in enumerate(out.risks, start=1):
            rid = f"R{n}"
            wanted = list(dict.fromkeys(r.work_packages))
            kept = [c for c in wanted if c in codes]
            dropped = [c for c in wanted if c not in codes]
            if dropped:
                notes.append(f"{rid}: unknown work package(s) {', '.join(dropped)} left out.")
            source = (
                Source(kind="lesson", ref=r.lesson_id)
                if r.lesson_id is not None and r.lesson_id in lesson_ids
                else Source(kind="model", ref=self._client.model)
            )
            risks.append(
                Risk(
                    id=rid,
                    cause=r.cause,
                    event=r.event,
                    effect=r.effect,
                    category=r.category,
                    probability=LIKELIHOOD_PROBABILITY[r.likelihood],
                    schedule_impact_days=IMPACT_DAYS[r.impact],
                    cost_impact=None,
                    response=r.response,
                    mitigation=r.mitigation,
                    contingency_plan=r.contingency_plan,
                    trigger=r.trigger,
                    work_packages=kept,
                    source=source,
                )
            )
        return RiskDraft(risks=risks, assumptions=notes)


# --- prompt sections --------------------------------------------------------------------------


def _facts(request: DraftRequest) -> dict[str, Any]:
    brief = request.brief
    facts: dict[str, Any] = {"title": brief.title}
    if brief.archetype:
        facts["archetype"] = brief.archetype
    for key in ("scope", "out_of_scope", "technologies", "constraints"):
        value = getattr(brief, key)
        if value:
            facts[key] = value
    if request.reading.drivers:
        facts["size_drivers"] = request.reading.drivers
    return facts


def _lessons(request: DraftRequest) -> str:
    return _section(
        "lessons",
        [
            {"id": x.id, "title": x.title, "text": x.text, "recommendation": x.recommendation}
            for x in request.lessons
        ],
    )


def _projects(request: DraftRequest) -> str:
    return _section(
        "projects",
        [{"name": p.name, "summary": p.summary, "wbs": p.wbs_outline} for p in request.projects],
    )


def _template_outline(request: DraftRequest) -> str:
    if request.template is None:
        return ""
    return _section(
        "template",
        [
            {
                "code": p.code,
                "name": p.name,
                "parent": p.parent,
                "typical_effort": (
                    f"{p.estimate.optimistic:g}-{p.estimate.pessimistic:g} {p.estimate.unit}"
                    if p.estimate
                    else None
                ),
            }
            for p in request.template.packages
        ],
    )


def _as_model(wp: WorkPackage) -> dict[str, Any]:
    """A work package in the model's own output shape (for repair and locked packages)."""
    est = wp.estimate
    return {
        "code": wp.code,
        "name": wp.name,
        "parent": wp.parent,
        "deliverable": wp.deliverable,
        "roles": [d.role for d in wp.role_demands],
        "optimistic": est.optimistic if est else 0,
        "likely": est.likely if est else 0,
        "pessimistic": est.pessimistic if est else 0,
        "depends_on": [d.predecessor for d in wp.depends_on],
        "brief_quote": wp.source.quote,
        "lesson_id": wp.source.ref if wp.source.kind == "lesson" else None,
    }
