"""The offline, knowledge-based drafter: the default when no model is configured.

It adapts the archetype template to the brief: keeps the packages the brief calls for, scales
each estimate by the brief's size drivers, gives work to the roles the team has, adds a package
for every scope item the template does not cover, and grounds each risk in the lessons
retrieved for it. It proposes, like any drafter; the engine decides every number a PM reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median, quantiles

from agent.drafting.port import DraftRequest, RiskDraft, Usage, WbsDraft
from knowledge.models import Lesson
from knowledge.templates import Scale, Template, TemplatePackage, TemplateRisk
from tools.domain import (
    Dependency,
    Estimate,
    MoneyRange,
    Range,
    Risk,
    RiskCategory,
    RoleDemand,
    Source,
    WorkPackage,
)
from tools.risk import effort_cost
from tools.vocabulary import ROLE_SUBSTITUTES

_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*")
_STOPWORDS = (
    "the and for with from into onto that this those these our their your its all any are was "
    "were will would should could can may must not but out off per via using use used new old "
    "about also than then them they have has had been being each other more most some such "
    "only over under very what when where which while who whom why how work plan project"
)
_STOP = frozenset(_STOPWORDS.split(" "))
_WORRY = re.compile(
    r"[^.!?\n]*\b(worr\w*|concern\w*|risk\w*|afraid|nervous|never (?:been )?tested|"
    r"unknown|unclear|not sure|handles? \w+ badly|nobody (?:knows|loves))\b[^.!?\n]*[.!?]?",
    re.IGNORECASE,
)
_CATEGORY_CUES: dict[RiskCategory, tuple[str, ...]] = {
    "people": ("leave", "on-call", "key person", "only one", "resign", "availability", "hire"),
    "vendor": ("vendor", "supplier", "partner", "carrier", "contract", "licen"),
    "data": ("data", "records", "duplicates", "large objects", "sequence", "quality"),
    "security": ("security", "pen test", "vulnerab", "access", "breach"),
    "compliance": ("audit", "gdpr", "compliance", "regulat", "hipaa", "soc"),
    "schedule": ("deadline", "late", "slip", "freeze", "quarter-end"),
    "cost": ("budget", "cost", "overrun", "price"),
}
"""Risk category of a worry in the brief, by the first cue found (order matters)."""

WORRY_PROBABILITY = 0.35
WORRY_DELAY_DAYS = Range(low=2, likely=5, high=15)
WORRY_REWORK_DAYS = Range(low=2, likely=6, high=20)


def words(text: str) -> set[str]:
    """Significant lower-case words, for overlap between a brief and templates or lessons."""
    return {w.strip(".-/") for w in _WORD.findall(text.lower()) if len(w) > 3} - _STOP


def _scale_factor(scale: Scale, drivers: dict[str, float]) -> float:
    value = drivers.get(scale.driver)
    if value is None or value <= 0:
        return 1.0
    return min(max((value / scale.reference) ** scale.exponent, scale.floor), scale.cap)


def _said_text(request: DraftRequest) -> str:
    """The brief's words less what it says to the planner (never a cue, a worry or a risk)."""
    text = request.brief.text
    for words in request.reading.ignored:
        text = text.replace(words, " ")
    return text


def _in_scope_text(request: DraftRequest) -> str:
    """The brief's words less what it puts out of scope and what it says to the planner: cue
    words must not fire on those."""
    text = _said_text(request).lower()
    for item in request.brief.out_of_scope:
        text = text.replace(item.lower(), " ")
    return text


def _wanted(when: Sequence[str], text: str) -> bool:
    return not when or any(cue in text for cue in when)


@dataclass(frozen=True)
class _Kept:
    packages: list[TemplatePackage]
    dropped: dict[str, list[Dependency]]


def _keep(template: Template, text: str) -> _Kept:
    """The template's packages the brief calls for; summaries left without leaves go too.
    A dropped package's own predecessors stand in for it in its successors' dependencies."""
    wanted = [p for p in template.packages if _wanted(p.when, text)]
    parents = {p.parent for p in wanted if p.parent}
    kept = [p for p in wanted if p.estimate is not None or p.code in parents]
    codes = {p.code for p in kept}
    dropped = {p.code: list(p.depends_on) for p in template.packages if p.code not in codes}
    return _Kept(kept, dropped)


def _resolve(
    deps: Sequence[Dependency], kept: _Kept, seen: frozenset[str] = frozenset()
) -> list[Dependency]:
    out: list[Dependency] = []
    for dep in deps:
        if dep.predecessor in kept.dropped:
            if dep.predecessor not in seen:
                out += _resolve(kept.dropped[dep.predecessor], kept, seen | {dep.predecessor})
        else:
            out.append(dep)
    return list({d.predecessor: d for d in out}.values())


def _staffed(
    demands: Sequence[RoleDemand], roles: Sequence[str], notes: dict[str, str]
) -> list[RoleDemand]:
    """Demands moved to the roles the team has, when it lacks the one asked for."""
    out = list(demands)
    if not roles:
        return out
    for d in demands:
        if d.role not in roles:
            cover = next((r for r in ROLE_SUBSTITUTES.get(d.role, ()) if r in roles), None)
            if cover is not None:
                notes[d.role] = cover
                out = _merged(out, d.role, cover)
    return out


MAX_MOVES = 60
"""Bound of the balancing loop: each move takes one role's share of one package."""
OVERLOAD = 1.25
"""A role is overloaded when its load per FTE is this much above the lightest substitute's."""


def _role_load(wbs: Sequence[WorkPackage]) -> dict[str, float]:
    """Person-days of effort each role carries: a package's effort split by units."""
    load: dict[str, float] = {}
    for wp in wbs:
        if wp.estimate is None or wp.estimate.basis != "effort" or not wp.role_demands:
            continue
        units = sum(d.units for d in wp.role_demands)
        for d in wp.role_demands:
            load[d.role] = load.get(d.role, 0.0) + wp.estimate.likely * d.units / units
    return load


def balance(
    wbs: list[WorkPackage], capacity: dict[str, float]
) -> tuple[list[WorkPackage], list[str]]:
    """Move work from the role with the most effort per FTE to a substitute role the team has
    with less, one package share at a time, while that lowers the heavier of the two; then cap
    each demand at the role's FTE, so a thin role stretches no package beyond what it has."""
    if not capacity:
        return wbs, []
    wbs = list(wbs)
    moved: list[str] = []
    for _ in range(MAX_MOVES):
        load = _role_load(wbs)
        ratio = {r: load.get(r, 0.0) / c for r, c in capacity.items() if c > 0}
        best = None
        for role in sorted(ratio, key=ratio.__getitem__, reverse=True):
            subs = [s for s in ROLE_SUBSTITUTES.get(role, ()) if s in ratio]
            if not subs:
                continue
            sub = min(subs, key=ratio.__getitem__)
            if ratio[role] <= OVERLOAD * ratio[sub]:
                continue
            for i, wp in enumerate(wbs):
                demand = next((d for d in wp.role_demands if d.role == role), None)
                if demand is None or wp.estimate is None or wp.estimate.basis != "effort":
                    continue
                share = wp.estimate.likely * demand.units / sum(d.units for d in wp.role_demands)
                after_role = (load[role] - share) / capacity[role]
                after_sub = (load.get(sub, 0.0) + share) / capacity[sub]
                if max(after_role, after_sub) < ratio[role] and (best is None or share > best[3]):
                    best = (i, role, sub, share)
            if best is not None:
                break
        if best is None:
            break
        i, role, sub, _ = best
        wbs[i] = wbs[i].model_copy(update={"role_demands": _merged(wbs[i].role_demands, role, sub)})
        moved.append(f"{wbs[i].code} from {role} to {sub}")
    capped = [
        wp.model_copy(
            update={
                "role_demands": [
                    d.model_copy(update={"units": max(0.1, round(capacity[d.role], 1))})
                    if d.role in capacity and d.units > capacity[d.role]
                    else d
                    for d in wp.role_demands
                ]
            }
        )
        for wp in wbs
    ]
    return capped, moved


def _merged(demands: Sequence[RoleDemand], role: str, sub: str) -> list[RoleDemand]:
    out: dict[str, RoleDemand] = {}
    for d in demands:
        target = sub if d.role == role else d.role
        prior = out.get(target)
        units = min(d.units + (prior.units if prior else 0.0), 100.0)
        out[target] = RoleDemand(role=target, units=units, skills=list(d.skills))
    return list(out.values())


def _scaled(estimate: Estimate, factor: float, stretch: float) -> Estimate:
    def r(x: float) -> float:
        return round(x * factor, 1)

    likely = r(estimate.likely)
    return estimate.model_copy(
        update={
            "optimistic": min(r(estimate.optimistic), likely),
            "likely": likely,
            "pessimistic": max(round(estimate.pessimistic * factor * stretch, 1), likely),
        }
    )


def _overrun(request: DraftRequest) -> tuple[float, list[str]]:
    """How far similar past projects ran over their plan: it widens the pessimistic tail
    (never the likely value, which the calibration profile corrects)."""
    ratios = [p.duration_weeks.actual / p.duration_weeks.planned for p in request.projects]
    if not ratios:
        return 1.0, []
    return max(1.0, median(ratios)), [p.id for p in request.projects]


REFERENCE_WEIGHTS = (3.0, 2.0, 1.0)
"""Weight of the nearest, second and third past project in the reference-class size."""
SIZE_EXPONENT = 0.5
"""How effort grows with a size driver between a past project and the brief (sub-linear)."""
FIT_RANGE = (0.3, 1.6)
"""The most the reference class may shrink or grow the template's total effort."""


RESIZE_RANGE = (0.5, 2.0)
"""The most one past project is resized toward the brief: beyond it, it is another class."""


def _size_ratio(brief: dict[str, float], project: dict[str, float | int | str]) -> float:
    """Geometric mean of brief/project over the drivers both give, damped by SIZE_EXPONENT
    and kept within RESIZE_RANGE."""
    logs = [
        math.log(brief[d] / float(v))
        for d, v in project.items()
        if d in brief and isinstance(v, int | float) and v > 0 and brief[d] > 0
    ]
    if not logs:
        return 1.0
    ratio = math.exp(SIZE_EXPONENT * sum(logs) / len(logs))
    return min(max(ratio, RESIZE_RANGE[0]), RESIZE_RANGE[1])


def _reference_fit(request: DraftRequest, template_total: float) -> tuple[float, str | None]:
    """Scale the template's total effort toward the nearest past projects of the same kind,
    each resized to the brief's drivers (reference-class forecasting on the outline)."""
    pairs = [
        (p, p.outline_effort_days * _size_ratio(request.reading.drivers, p.size_drivers))
        for p in request.projects
        if p.outline_effort_days > 0
    ][: len(REFERENCE_WEIGHTS)]
    if not pairs or template_total <= 0:
        return 1.0, None
    weights = REFERENCE_WEIGHTS[: len(pairs)]
    log_mean = sum(w * math.log(e) for w, (_, e) in zip(weights, pairs, strict=True))
    target = math.exp(log_mean / sum(weights))
    fit = min(max(target / template_total, FIT_RANGE[0]), FIT_RANGE[1])
    cited = ", ".join(f"{p.id} ({p.outline_effort_days:g} pd, resized {e:.0f})" for p, e in pairs)
    note = (
        f"efforts scaled by {fit:.2f} so that the total ({template_total * fit:.0f} person-days"
        f" likely) matches the nearest past projects, resized to this brief: {cited}"
    )
    return fit, note


def _go_live(wbs: Sequence[WorkPackage]) -> WorkPackage | None:
    return next(
        (
            wp
            for wp in wbs
            if wp.estimate is not None
            and wp.estimate.basis == "duration"
            and wp.estimate.pessimistic == 0
        ),
        None,
    )


def _after_go_live(wbs: Sequence[WorkPackage]) -> set[str]:
    """The go-live milestone and every package that waits for it (hypercare, decommission): a
    package planned before go-live must not depend on them."""
    go_live = _go_live(wbs)
    if go_live is None:
        return set()
    later = {go_live.code}
    grew = True
    while grew:
        grew = False
        for wp in wbs:
            if wp.code not in later and any(d.predecessor in later for d in wp.depends_on):
                later.add(wp.code)
                grew = True
    return later


def _scope_gaps(request: DraftRequest, packages: Sequence[TemplatePackage]) -> list[str]:
    """Scope items the brief names that no kept package covers."""
    covered = [words(f"{p.name} {p.deliverable}") for p in packages]
    gaps = []
    for item in request.brief.scope:
        ws = words(item)
        need = 1 if len(ws) <= 3 else 2
        if ws and not any(len(ws & c) >= need for c in covered):
            gaps.append(item)
    return gaps


@dataclass(frozen=True)
class OfflineDrafter:
    name: str = "offline"

    def usage(self) -> Usage:
        return Usage()

    def for_run(self) -> OfflineDrafter:
        return self

    def read_brief(self, text: str) -> None:
        """The offline drafter reads by rules only (tools/brief)."""
        return None

    def draft_wbs(self, request: DraftRequest) -> WbsDraft:
        template = request.template
        if template is None:
            raise ValueError("the offline drafter needs an archetype template")
        text = _in_scope_text(request)
        kept = _keep(template, text)
        overrun, projects = _overrun(request)
        covers: dict[str, str] = {}
        assumptions: list[str] = []
        unsized: set[str] = set()
        wbs: list[WorkPackage] = []
        # With a partner in the brief, roles the team lacks are the partner's: left unstaffed
        # (the engine assumes a contractor) instead of loaded onto the team.
        staffable = [] if request.reading.partners else request.roles
        if request.reading.partners:
            assumptions.append(
                "work for roles the team does not have is assumed done by the partner the brief"
                " names (" + "; ".join(request.reading.partners)[:200] + ")"
            )
        factors: dict[str, float] = {}
        for p in kept.packages:
            if p.estimate is not None and p.estimate.basis == "effort":
                factors[p.code] = 1.0
                if p.scale is not None:
                    factors[p.code] = _scale_factor(p.scale, request.reading.drivers)
                    if p.scale.driver not in request.reading.drivers:
                        unsized.add(p.scale.driver)
        total = sum(p.estimate.likely * factors[p.code] for p in kept.packages if p.code in factors)
        fit, fit_note = _reference_fit(request, total)
        for p in kept.packages:
            estimate, quote = p.estimate, None
            if estimate is not None and p.code in factors:
                estimate = _scaled(estimate, factors[p.code] * fit, overrun)
                if p.scale is not None:
                    quote = request.reading.quotes.get(p.scale.driver)
            wbs.append(
                WorkPackage(
                    code=p.code,
                    name=p.name,
                    parent=p.parent,
                    deliverable=p.deliverable,
                    role_demands=_staffed(p.role_demands, staffable, covers),
                    estimate=estimate,
                    depends_on=_resolve(p.depends_on, kept),
                    optional=p.optional,
                    source=Source(
                        kind="template", ref=f"{template.archetype}#{p.code}", quote=quote
                    ),
                )
            )
        if fit_note:
            assumptions.append(fit_note)
        wbs, moved = balance(wbs, request.capacity)
        if moved:
            assumptions.append(
                "work moved between roles to spread the load over the team: "
                + "; ".join(moved[:12])
                + (f" and {len(moved) - 12} more" if len(moved) > 12 else "")
            )
        added = self._gap_packages(request, kept.packages, wbs, assumptions)
        wbs = self._before_go_live([*wbs, *added], added)
        wbs = self._with_locked(wbs, request.locked)
        for driver in sorted(unsized):
            assumptions.append(
                f"the brief gives no {driver.replace('_', ' ')}; sized for a typical "
                f"{template.title.lower()} ({template.drivers.get(driver, '?')} {driver})"
            )
        for role, cover in sorted(covers.items()):
            assumptions.append(f"nobody on the team is a {role}; that work is given to the {cover}")
        if overrun > 1.0:
            assumptions.append(
                f"pessimistic estimates widened by {overrun:.2f}x: the median overrun of the"
                f" nearest past projects ({', '.join(projects)})"
            )
        return WbsDraft(wbs=wbs, assumptions=assumptions)

    @staticmethod
    def _gap_packages(
        request: DraftRequest,
        packages: Sequence[TemplatePackage],
        wbs: Sequence[WorkPackage],
        assumptions: list[str],
    ) -> list[WorkPackage]:
        """A package for each scope item of the brief that the template does not cover, in
        the phase whose work it most resembles, timed like its nearest sibling, and finished
        before go-live."""
        gaps = _scope_gaps(request, packages)
        leaves = [wp for wp in wbs if wp.estimate is not None and wp.estimate.basis == "effort"]
        summaries = [wp for wp in wbs if wp.parent is None]
        if not gaps or not leaves or not summaries:
            return []
        likely = round(quantiles([wp.estimate.likely for wp in leaves if wp.estimate])[0], 1)
        later = _after_go_live(wbs)
        out: list[WorkPackage] = []
        for i, item in enumerate(gaps, start=1):
            ws = words(item)
            overlap = {
                s.code: sum(len(ws & words(wp.name)) for wp in leaves if wp.parent == s.code)
                for s in summaries
            }
            best = max(overlap.values())
            phase = next(s for s in summaries if overlap[s.code] == best)
            if best == 0:  # nothing alike: it is build work
                phase = summaries[min(1, len(summaries) - 1)]
            siblings = [wp for wp in leaves if wp.parent == phase.code and wp.code not in later]
            anchor = max(
                siblings or [wp for wp in leaves if wp.code not in later] or leaves,
                key=lambda wp: len(ws & words(f"{wp.name} {wp.deliverable}")),
            )
            name = item[:120].rstrip(" .;,")
            quoted = item in request.brief.text
            out.append(
                WorkPackage(
                    code=f"{phase.code}.b{i}",
                    name=name[:1].upper() + name[1:],
                    parent=phase.code,
                    role_demands=list(anchor.role_demands),
                    estimate=Estimate(
                        optimistic=round(likely * 0.6, 1),
                        likely=likely,
                        pessimistic=round(likely * 2.0, 1),
                    ),
                    depends_on=[d for d in anchor.depends_on if d.predecessor not in later],
                    source=Source(kind="brief", ref="scope", quote=item if quoted else None),
                )
            )
        assumptions.append(
            f"{len(out)} scope item(s) of the brief match no template package; each is planned"
            f" at the lower-quartile package effort ({likely:g} person-days likely) and before"
            " go-live: " + "; ".join(wp.name for wp in out)
        )
        return out

    @staticmethod
    def _before_go_live(wbs: list[WorkPackage], added: Sequence[WorkPackage]) -> list[WorkPackage]:
        """The go-live milestone waits for the brief-specific packages."""
        go_live = _go_live(wbs)
        if go_live is None or not added:
            return wbs
        links = [*go_live.depends_on, *(Dependency(predecessor=wp.code) for wp in added)]
        return [wp.model_copy(update={"depends_on": links}) if wp is go_live else wp for wp in wbs]

    @staticmethod
    def _with_locked(wbs: list[WorkPackage], locked: Sequence[WorkPackage]) -> list[WorkPackage]:
        by_code = {wp.code: wp for wp in locked}
        out = [by_code.pop(wp.code, wp) for wp in wbs]
        return out + list(by_code.values())

    def propose_risks(self, request: DraftRequest, wbs: list[WorkPackage]) -> RiskDraft:
        template = request.template
        if template is None:
            raise ValueError("the offline drafter needs an archetype template")
        codes = {wp.code for wp in wbs}
        text = _in_scope_text(request)
        worries = [m.group(0).strip() for m in _WORRY.finditer(_said_text(request))]
        used: set[int] = set()
        risks: list[Risk] = []
        for tr in template.risks:
            if not _wanted(tr.when, text):
                continue
            lesson = _grounding(tr, request.lessons)
            worry = _matching(tr, worries, used)
            risks.append(
                self._risk(
                    request, tr=tr, lesson=lesson, worry=worry, codes=codes, n=len(risks) + 1
                )
            )
        leaves = [wp for wp in wbs if wp.estimate is not None]
        for i, worry in enumerate(worries):
            if i not in used and leaves:
                risks.append(_worry_risk(request, worry, leaves, len(risks) + 1))
        assumptions = []
        if worries:
            assumptions.append(
                f"{len(worries)} concern(s) stated in the brief became risks with probability"
                f" {WORRY_PROBABILITY:g} until the team assesses them"
            )
        return RiskDraft(risks=risks, assumptions=assumptions)

    @staticmethod
    def _risk(
        request: DraftRequest,
        *,
        tr: TemplateRisk,
        lesson: Lesson | None,
        worry: str | None,
        codes: set[str],
        n: int,
    ) -> Risk:
        if worry is not None:
            source = Source(kind="brief", quote=worry[:400], ref=lesson.id if lesson else None)
        elif lesson is not None:
            source = Source(kind="lesson", ref=lesson.id, quote=lesson.title)
        else:
            source = Source(kind="template", ref=f"{request.template.archetype}#{tr.id}")
        mitigation = tr.mitigation
        if lesson is not None:
            mitigation = f"{mitigation} (lesson {lesson.id}: {lesson.recommendation})"
        probability = tr.probability if worry is None else max(tr.probability, WORRY_PROBABILITY)
        return Risk(
            id=f"R{n}",
            cause=tr.cause,
            event=tr.event,
            effect=tr.effect,
            category=tr.category,
            probability=probability,
            schedule_impact_days=tr.schedule_impact_days,
            cost_impact=_priced(request, tr.extra_effort_days, tr.role),
            owner=tr.role,
            response=tr.response,
            mitigation=mitigation[:4000],
            contingency_plan=tr.contingency_plan,
            trigger=tr.trigger,
            work_packages=[c for c in tr.work_packages if c in codes],
            source=source,
        )


def _priced(request: DraftRequest, days: Range | None, role: str) -> MoneyRange | None:
    if days is None or request.currency is None:
        return None
    rate = request.rates.get(role) or (max(request.rates.values()) if request.rates else None)
    if rate is None:
        return None
    return effort_cost(days, rate, request.hours_per_day, request.currency)


def _grounding(tr: TemplateRisk, lessons: Sequence[Lesson]) -> Lesson | None:
    """The retrieved lesson closest to a template risk: same category first, then the most
    words shared with what the risk searches for."""
    want = words(f"{tr.lesson_query} {tr.event}")
    best, best_score = None, 0.0
    for lesson in lessons:
        shared = len(want & words(f"{lesson.title} {lesson.text}"))
        score = shared + (2.0 if lesson.category == tr.category else 0.0)
        if shared >= 2 and score > best_score:
            best, best_score = lesson, score
    return best


def _matching(tr: TemplateRisk, worries: Sequence[str], used: set[int]) -> str | None:
    want = words(f"{tr.cause} {tr.event} {tr.lesson_query}")
    for i, worry in enumerate(worries):
        if i not in used and len(want & words(worry)) >= 2:
            used.add(i)
            return worry
    return None


def _category(text: str) -> RiskCategory:
    low = text.lower()
    for category, cues in _CATEGORY_CUES.items():
        if any(c in low for c in cues):
            return category
    return "technical"


def _worry_risk(request: DraftRequest, worry: str, leaves: Sequence[WorkPackage], n: int) -> Risk:
    ws = words(worry)
    hit = max(leaves, key=lambda wp: len(ws & words(f"{wp.name} {wp.deliverable}")))
    role = hit.role_demands[0].role if hit.role_demands else "project manager"
    cause = worry.rstrip(".!? ")
    return Risk(
        id=f"R{n}",
        cause=f"the brief flags it: “{cause[:300]}”",
        event=f"the issue surfaces late, during {hit.name.lower()}",
        effect=f"force rework on {hit.code} and delay the work that depends on it",
        category=_category(worry),
        probability=WORRY_PROBABILITY,
        schedule_impact_days=WORRY_DELAY_DAYS,
        cost_impact=_priced(request, WORRY_REWORK_DAYS, role),
        owner=role,
        mitigation=f"Investigate it first: a time-boxed spike on {hit.name.lower()} in week 1.",
        contingency_plan=(
            f"Re-plan {hit.code} with the findings and draw on the contingency reserve."
        ),
        trigger=f"the spike on {hit.name.lower()} finds the concern is real",
        work_packages=[hit.code],
        source=Source(kind="brief", quote=worry[:400]),
    )
