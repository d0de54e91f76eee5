"""Archetype templates: the WBS, estimates and risks that a kind of IT project usually needs.

Templates are data (knowledge/templates/*.json). The offline drafter adapts one to a brief:
scales each package's estimate by the brief's size drivers, keeps the packages the brief's
scope calls for, and grounds each template risk in retrieved lessons.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.models import Archetype
from tools.domain import (
    Code,
    Dependency,
    Estimate,
    Name,
    Range,
    RiskCategory,
    RiskResponse,
    RoleDemand,
    Source,
    WorkPackage,
)
from tools.validation import validate_wbs
from tools.vocabulary import DRIVERS, ROLES


class _T(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Scale(_T):
    """effort x (driver / reference) ** exponent, clamped to [floor, cap] of the template's."""

    driver: str
    reference: float = Field(gt=0)
    exponent: float = Field(ge=0, le=1.5)
    floor: float = Field(default=0.5, gt=0)
    cap: float = Field(default=6.0, gt=0)


class TemplatePackage(_T):
    code: Code
    name: Name
    parent: Code | None = None
    deliverable: str = ""
    role_demands: list[RoleDemand] = Field(default_factory=list)
    estimate: Estimate | None = None
    """Person-days (basis effort) at the reference size; basis duration only for milestones."""
    depends_on: list[Dependency] = Field(default_factory=list)
    scale: Scale | None = None
    optional: bool = False
    when: list[str] = Field(default_factory=list)
    """Lower-case cue words: the package is kept only if the brief mentions one. Empty: always."""


class TemplateRisk(_T):
    id: Code
    cause: str
    event: str
    effect: str
    category: RiskCategory
    probability: float = Field(ge=0.01, le=0.99)
    schedule_impact_days: Range
    extra_effort_days: Range | None = None
    """Person-days of rework if it happens; priced at `role`'s rate by the drafter."""
    role: str = "project manager"
    response: RiskResponse = "mitigate"
    mitigation: str
    contingency_plan: str
    trigger: str
    work_packages: list[Code] = Field(default_factory=list)
    lesson_query: str
    """What to search the lessons store for to ground this risk."""
    lessons: list[str] = Field(default_factory=list)
    """Seed lesson ids the risk was written from: provenance, not a substitute for retrieval."""
    when: list[str] = Field(default_factory=list)


class Template(_T):
    archetype: Archetype
    title: str
    drivers: dict[str, float]
    """The reference size of each driver the packages scale by (a typical project of this kind)."""
    roles: list[str]
    """The team this kind of project usually has, as canonical roles (may repeat)."""
    packages: list[TemplatePackage] = Field(min_length=8)
    risks: list[TemplateRisk] = Field(min_length=5)


def is_milestone(package: TemplatePackage) -> bool:
    """A zero-length duration package: a date to hit, done by nobody."""
    e = package.estimate
    return e is not None and e.basis == "duration" and e.pessimistic == 0


def as_work_packages(template: Template) -> list[WorkPackage]:
    """The template's packages as WBS work packages at the reference size, sourced to it."""
    return [
        WorkPackage(
            code=p.code,
            name=p.name,
            parent=p.parent,
            deliverable=p.deliverable,
            role_demands=list(p.role_demands),
            estimate=p.estimate,
            depends_on=list(p.depends_on),
            optional=p.optional,
            source=Source(kind="template", ref=template.archetype),
        )
        for p in template.packages
    ]


def template_problems(template: Template) -> list[str]:
    """What makes a template unusable beyond its field types: the cross-references the models
    cannot check one field at a time (codes, links, vocabulary), each as `field: problem`."""
    out: list[str] = []
    codes = [p.code for p in template.packages]
    parents = {p.parent for p in template.packages if p.parent}
    out += [f"drivers.{d}: not a known driver" for d in template.drivers if d not in DRIVERS]
    out += [f"roles: {r!r} is not a canonical role" for r in template.roles if r not in ROLES]
    for i, p in enumerate(template.packages):
        at = f"packages.{i} ({p.code})"
        for d in p.role_demands:
            if d.role not in ROLES:
                out.append(f"{at}.role_demands: {d.role!r} is not a canonical role")
            elif not p.when and d.units > template.roles.count(d.role):
                # a cue-conditional package may bring its own people; the core must be staffable
                out.append(f"{at}.role_demands: {d.units:g} {d.role} but the team has fewer")
        if p.code in parents:
            if p.estimate is not None or p.role_demands:
                out.append(f"{at}: a summary has no estimate or roles; its leaves carry the work")
        elif p.estimate is None:
            out.append(f"{at}.estimate: a leaf needs an estimate")
        elif p.estimate.basis == "duration" and (p.role_demands or not is_milestone(p)):
            out.append(f"{at}.estimate: basis duration is only for zero-length milestones")
        elif not is_milestone(p) and not p.role_demands:
            out.append(f"{at}.role_demands: a leaf needs at least one role")
        if p.scale is not None:
            if p.scale.driver not in template.drivers:
                out.append(f"{at}.scale.driver: {p.scale.driver!r} has no reference in drivers")
            elif p.scale.reference != template.drivers[p.scale.driver]:
                out.append(f"{at}.scale.reference: differs from drivers.{p.scale.driver}")
        if any(w != w.lower() or not w.strip() for w in p.when):
            out.append(f"{at}.when: cue words are non-empty and lower-case")
    leaf_codes = set(codes) - parents
    for i, r in enumerate(template.risks):
        if r.role not in ROLES:
            out.append(f"risks.{i} ({r.id}).role: {r.role!r} is not a canonical role")
        for code in r.work_packages:
            if code not in leaf_codes:
                out.append(f"risks.{i} ({r.id}).work_packages: {code} is not a leaf package")
        if any(w != w.lower() or not w.strip() for w in r.when):
            out.append(f"risks.{i} ({r.id}).when: cue words are non-empty and lower-case")
    ids = [r.id for r in template.risks]
    out += [f"risks: id {x} is repeated" for x in sorted({x for x in ids if ids.count(x) > 1})]
    out += [f"packages: {w.kind}: {w.message}" for w in validate_wbs(as_work_packages(template))]
    return out


@cache
def _load_all() -> tuple[Template, ...]:
    folder = files("knowledge") / "templates"
    loaded: list[Template] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        name = f"knowledge/templates/{entry.name}"
        try:
            template = Template.model_validate_json(entry.read_text(encoding="utf-8"))
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(x) for x in first["loc"]) or "(document)"
            raise ValueError(f"{name}: {field}: {first['msg']}") from err
        problems = template_problems(template)
        if entry.name != f"{template.archetype}.json":
            problems.insert(0, f"archetype: {template.archetype} does not match the file name")
        if problems:
            raise ValueError(f"{name}: " + "; ".join(problems))
        loaded.append(template)
    return tuple(loaded)


def load_templates() -> dict[str, Template]:
    """Every packaged template by archetype, read once per process (package data, so an
    installed wheel works the same as a checkout). Raises ValueError naming the file and the
    field of the first bad template."""
    return {t.archetype: t for t in _load_all()}


def template_for(archetype: str) -> Template:
    """The template of one archetype; ValueError for an archetype with none."""
    templates = load_templates()
    if archetype not in templates:
        known = ", ".join(sorted(templates)) or "none"
        raise ValueError(f"no template for archetype {archetype!r}; templates exist for {known}")
    return templates[archetype]
