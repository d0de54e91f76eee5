"""Deterministic graders: each a small pure function from a gold file and a drafted plan to a
score, with the reasons a person can check. No model judges anything here.

A score is a number in [0, 1] where higher is better, or a count of defects where lower is
better (`LOWER_IS_BETTER`); `None` when the grader does not apply to the case (no budget to
give a verdict on, no freeze to violate).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from evals.gold import Bounds, Gold
from tools.assessment import Assessment
from tools.domain import Plan, WorkPackage


@dataclass(frozen=True)
class Grade:
    score: float | None
    details: list[str] = field(default_factory=list)


LOWER_IS_BETTER = frozenset(
    {"silent_errors", "out_of_scope", "freeze_violations", "logic_violations", "wbs_issues"}
)
"""Graders that count defects; the others are shares of what was right."""


def mentions(text: str, keywords: Iterable[str]) -> bool:
    """Any keyword at the start of a word of the text, case-insensitively: a stem
    ("migrat") matches "migration", but "rds" does not match "dashboards"."""
    return any(re.search(r"(?<!\w)" + re.escape(k.casefold()), text.casefold()) for k in keywords)


def package_text(wp: WorkPackage) -> str:
    return " ".join((wp.name, wp.description, wp.deliverable))


def leaves(plan: Plan) -> list[WorkPackage]:
    parents = {wp.parent for wp in plan.wbs if wp.parent}
    return [wp for wp in plan.wbs if wp.code not in parents]


# --- facts read from the brief --------------------------------------------------------------

FACT_FIELDS = ("kind", "start", "deadline", "budget", "team_size")

ASSUMPTION_WORDS: dict[str, tuple[str, ...]] = {
    "kind": ("archetype", "kind of project"),
    "start": ("start",),
    "deadline": ("deadline",),
    "budget": ("budget",),
    "team_size": ("team",),
}
"""The word an assumption names a fact by; it owns up to the fact only when the same line
says it was assumed."""


def _fmt(value: object) -> str:
    return "none" if value is None else str(value)


def assumed(a: Assessment, fact: str) -> bool:
    """An assumption that says this fact was assumed, not read."""
    return any(
        "assum" in line.lower() and mentions(line, ASSUMPTION_WORDS[fact]) for line in a.assumptions
    )


def read_facts(gold: Gold, a: Assessment) -> dict[str, tuple[bool, str, str]]:
    """Each basic fact: right or not, what the plan read, what the gold says. A fact the
    brief does not give is right when the plan leaves it out or says it assumed it."""
    b = a.brief
    kind_ok = b.archetype in gold.kinds or (b.archetype is None and "other" in gold.kinds)
    read_budget = (
        None if b.budget is None else f"{b.budget.amount.normalize():f} {b.budget.currency}"
    )
    gold_budget = (
        None
        if gold.budget is None
        else f"{gold.budget.amount.normalize():f} {gold.budget.currency}"
    )
    budget_ok = (b.budget is None and gold.budget is None) or (
        b.budget is not None
        and gold.budget is not None
        and b.budget.currency == gold.budget.currency
        and b.budget.amount == gold.budget.amount
    )
    facts = {
        "kind": (kind_ok, _fmt(b.archetype), "/".join(gold.kinds)),
        "start": (b.start == gold.start, _fmt(b.start), _fmt(gold.start)),
        "deadline": (b.deadline == gold.deadline, _fmt(b.deadline), _fmt(gold.deadline)),
        "budget": (budget_ok, _fmt(read_budget), _fmt(gold_budget)),
        "team_size": (
            b.team_size in gold.team_size,
            _fmt(b.team_size),
            "/".join(str(n) for n in gold.team_size),
        ),
    }
    absent = {"start": gold.start, "deadline": gold.deadline, "budget": gold.budget}
    for fact, value in absent.items():
        ok, got, want = facts[fact]
        if value is None and not ok and assumed(a, fact):
            facts[fact] = (True, f"{got} (assumed)", want)
    return facts


def grade_facts(gold: Gold, a: Assessment) -> Grade:
    facts = read_facts(gold, a)
    wrong = [f"{k}: read {got}, gold {want}" for k, (ok, got, want) in facts.items() if not ok]
    return Grade(1 - len(wrong) / len(facts), wrong)


def grade_fact_fields(gold: Gold, a: Assessment) -> dict[str, Grade]:
    """Each basic fact on its own (`fact_start`, ...), for accuracy per field."""
    return {
        f"fact_{k}": Grade(1.0 if ok else 0.0, [] if ok else [f"read {got}, gold {want}"])
        for k, (ok, got, want) in read_facts(gold, a).items()
    }


def grade_silent_errors(gold: Gold, a: Assessment) -> Grade:
    """Wrong facts that no assumption owns up to: the worst kind, a confident wrong plan."""
    silent = [
        f"{k} wrong and no assumption says so"
        for k, (ok, _got, _want) in read_facts(gold, a).items()
        if not ok and not assumed(a, k)
    ]
    return Grade(float(len(silent)), silent)


# --- the team and the costs -----------------------------------------------------------------


def _first_name(name: str) -> str:
    return re.split(r"[\s(,]", name.strip(), maxsplit=1)[0].casefold()


def grade_people(gold: Gold, plan: Plan) -> Grade:
    """Named people kept as themselves in the plan's team (not as "dba-1")."""
    if not gold.people:
        return Grade(None)
    words = {w for m in plan.team.members for w in re.findall(r"[\w'-]+", m.name.casefold())}
    lost = [p.name for p in gold.people if _first_name(p.name) not in words]
    return Grade(1 - len(lost) / len(gold.people), [f"dropped {n}" for n in lost])


def _close(a: Decimal, b: Decimal, tolerance: Decimal = Decimal("0.01")) -> bool:
    return abs(a - b) <= tolerance * max(abs(b), Decimal(1))


def grade_non_labour(gold: Gold, plan: Plan) -> Grade:
    """Every stated non-labour cost counted, at its stated amount."""
    if not gold.non_labour:
        return Grade(None)
    missed = []
    for item in gold.non_labour:
        found = [c for c in plan.non_labour if mentions(c.name, item.keywords)]
        if not found:
            missed.append(f"not counted: {item.what}")
        elif item.amount is not None and not any(
            c.amount is not None and _close(c.amount.amount, item.amount.amount) for c in found
        ):
            got = ", ".join(str(c.amount.amount) if c.amount else "no figure" for c in found)
            missed.append(f"{item.what}: counted {got}, stated {item.amount.amount}")
    return Grade(1 - len(missed) / len(gold.non_labour), missed)


# --- scope ------------------------------------------------------------------------------------


def grade_scope(gold: Gold, plan: Plan) -> Grade:
    texts = [package_text(wp) for wp in plan.wbs]
    missed = [s.item for s in gold.scope if not any(mentions(t, s.keywords) for t in texts)]
    return Grade(1 - len(missed) / len(gold.scope), [f"no package for: {m}" for m in missed])


def grade_out_of_scope(gold: Gold, plan: Plan) -> Grade:
    """Packages planned for what the brief excludes."""
    if not gold.out_of_scope:
        return Grade(None)
    hits = [
        f"{wp.code} {wp.name} (out of scope: {'/'.join(kws)})"
        for kws in gold.out_of_scope
        for wp in leaves(plan)
        if mentions(wp.name, kws)
    ]
    return Grade(float(len(hits)), hits)


# --- the schedule -----------------------------------------------------------------------------


def _spans(a: Assessment) -> dict[str, tuple[date, date]]:
    if a.schedule is None:
        return {}
    return {t.code: (t.early_start, t.early_finish) for t in a.schedule.tasks}


def grade_freezes(gold: Gold, plan: Plan, a: Assessment) -> Grade:
    """Packages that must not happen in a freeze (cut-over, go-live) scheduled inside one."""
    if not gold.freezes or not gold.no_freeze or a.schedule is None:
        return Grade(None)
    spans = _spans(a)
    hits = []
    for wp in leaves(plan):
        if wp.code not in spans or not any(mentions(wp.name, kws) for kws in gold.no_freeze):
            continue
        start, finish = spans[wp.code]
        inside = [f for f in gold.freezes if start <= f.finish and finish >= f.start]
        if inside:
            f = inside[0]
            hits.append(f"{wp.code} {wp.name} {start}..{finish} in freeze {f.start}..{f.finish}")
    return Grade(float(len(hits)), hits)


PHASE_WORDS: dict[str, tuple[str, ...]] = {
    "go_live": ("go-live", "go live", "cut-over", "cutover", "launch", "switch-over"),
    "preparation": ("plan", "runbook", "readiness", "rehears", "dress", "template", "design"),
    "build": ("build", "develop", "implement", "configur", "test", "uat", "integration test"),
    "after": ("hypercare", "decommission", "early life support", "retire"),
    "management": ("project management", "programme management", "pmo"),
}
"""How a package's name tells its place in the life cycle (rules as data). A package that
prepares a go-live (its plan, runbook, rehearsal) is not the go-live."""

SPAN_SLACK_DAYS = 10
"""How far project management may start after the project starts or end before it ends."""


def _phase(wp: WorkPackage, phase: str) -> bool:
    return mentions(wp.name, PHASE_WORDS[phase])


def _go_live(wp: WorkPackage) -> bool:
    return _phase(wp, "go_live") and not _phase(wp, "preparation") and not _phase(wp, "after")


def grade_logic(plan: Plan, a: Assessment) -> Grade:
    """Schedule logic a PM would refuse: build or test still running after the last go-live,
    hypercare or decommissioning starting before the first go-live. Wave plans pass: a wave's
    build may end after an earlier wave went live."""
    spans = _spans(a)
    if not spans:
        return Grade(None)
    work = [wp for wp in leaves(plan) if wp.code in spans]
    go_live = [wp for wp in work if _go_live(wp)]
    if not go_live:
        return Grade(0.0)
    build = [
        wp
        for wp in work
        if _phase(wp, "build") and not _phase(wp, "go_live") and not _phase(wp, "after")
    ]
    after = [wp for wp in work if _phase(wp, "after")]
    first_live = min(spans[wp.code][0] for wp in go_live)
    last_live = max(spans[wp.code][1] for wp in go_live)
    bad = [
        f"{wp.code} {wp.name} ends {spans[wp.code][1]}, after the last go-live {last_live}"
        for wp in build
        if spans[wp.code][1] > last_live
    ]
    bad += [
        f"{wp.code} {wp.name} starts {spans[wp.code][0]}, before the first go-live {first_live}"
        for wp in after
        if spans[wp.code][0] < first_live
    ]
    return Grade(float(len(bad)), bad)


def grade_management_span(plan: Plan, a: Assessment) -> Grade:
    """Project management is level of effort: it spans the project and is never critical."""
    spans = _spans(a)
    managed = [wp for wp in leaves(plan) if wp.code in spans and _phase(wp, "management")]
    if a.schedule is None or not managed:
        return Grade(None if a.schedule is None else 0.0, [] if managed else ["no package"])
    start, finish = a.schedule.start, a.schedule.finish
    bad = []
    for wp in managed:
        s, f = spans[wp.code]
        if (s - start).days > SPAN_SLACK_DAYS or (finish - f).days > SPAN_SLACK_DAYS:
            bad.append(f"{wp.code} {wp.name} runs {s}..{f}, the project {start}..{finish}")
        elif wp.code in a.schedule.critical_path:
            bad.append(f"{wp.code} {wp.name} is on the critical path")
    return Grade(1 - len(bad) / len(managed), bad)


def grade_wbs_issues(a: Assessment) -> Grade:
    """Issues that make `pmpilot plan` exit 1 (duplicate codes, cycles, unestimated leaves)."""
    return Grade(float(len(a.issues)), [f"{i.kind} {i.code or ''}".strip() for i in a.issues])


# --- totals against the ranges a PM would defend ----------------------------------------------


def total_effort_days(plan: Plan, a: Assessment) -> Decimal:
    """Expected (PERT) effort of the leaves in person-days (pert_hours are person-hours,
    also for duration estimates)."""
    codes = {wp.code for wp in leaves(plan)}
    hours = sum(r.estimate.pert_hours for r in a.wbs if r.estimate and r.code in codes)
    return Decimal(str(round(hours / plan.calendar.hours_per_day, 1)))


def total_cost(a: Assessment) -> Decimal | None:
    """What the plan says the project costs, the same measure for every case: the P80 cost
    (labour, non-labour and the risks' contingency), or the budget check's total without a
    forecast; plus the team's own time where the budget does not pay for it."""
    own = Decimal(0)
    if a.budget_check is not None and a.budget_check.uncharged_labour is not None:
        own = a.budget_check.uncharged_labour.amount
    if a.forecast is not None:
        return a.forecast.p80_cost.amount + own
    return None if a.budget_check is None else a.budget_check.total.amount + own


def elapsed_weeks(a: Assessment) -> Decimal | None:
    if a.schedule is None:
        return None
    return Decimal((a.schedule.finish - a.schedule.start).days) / 7


RANGE_SLACK = (Decimal("0.8"), Decimal("1.25"))
"""A total is credible within 0.8x the low and 1.25x the high end of a seasoned PM's range:
two PMs' ranges for the same brief differ by about that much."""


def _within(name: str, value: Decimal | None, bounds: Bounds, unit: str = "") -> Grade:
    if value is None:
        return Grade(0.0, [f"{name}: the plan has none"])
    ok = bounds.low * RANGE_SLACK[0] <= value <= bounds.high * RANGE_SLACK[1]
    detail = f"{name} {value:.0f}{unit}, PM's range {bounds.low:.0f}-{bounds.high:.0f}{unit}"
    return Grade(1.0 if ok else 0.0, [] if ok else [detail])


def grade_effort(gold: Gold, plan: Plan, a: Assessment) -> Grade:
    return _within("effort", total_effort_days(plan, a), gold.ranges.effort_person_days, " pd")


def grade_cost(gold: Gold, plan: Plan, a: Assessment) -> Grade:
    if plan.rate_card.currency != gold.ranges.cost.currency:
        return Grade(
            0.0,
            [f"cost in {plan.rate_card.currency}, PM's range in {gold.ranges.cost.currency}"],
        )
    return _within("cost", total_cost(a), gold.ranges.cost)


def grade_duration(gold: Gold, a: Assessment) -> Grade:
    return _within("elapsed", elapsed_weeks(a), gold.ranges.elapsed_weeks, " wk")


def grade_verdict(gold: Gold, a: Assessment) -> Grade:
    if gold.verdict is None:
        return Grade(None)
    got = None if a.budget_check is None else a.budget_check.verdict
    ok = got == gold.verdict
    return Grade(1.0 if ok else 0.0, [] if ok else [f"verdict {got}, a PM says {gold.verdict}"])


def grade_risks(gold: Gold, plan: Plan) -> Grade:
    texts = [" ".join((r.cause, r.event, r.effect)) for r in plan.risks.risks]
    missed = [kws for kws in gold.risks if not any(mentions(t, kws) for t in texts)]
    return Grade(
        1 - len(missed) / len(gold.risks), [f"no risk about: {'/'.join(k)}" for k in missed]
    )


# --- robustness -------------------------------------------------------------------------------


def numbers(a: Assessment) -> dict[str, str]:
    """Every number and verdict a PM reads, as text, for comparing two plans."""
    out: dict[str, str] = {"packages": str(len(a.wbs)), "risks": str(len(a.risks))}
    if a.schedule is not None:
        out |= {"start": str(a.schedule.start), "finish": str(a.schedule.finish)}
    if a.forecast is not None:
        f = a.forecast
        out |= {
            "p50_finish": str(f.p50_finish),
            "p80_finish": str(f.p80_finish),
            "p80_cost": str(f.p80_cost.amount),
        }
    if a.budget_check is not None:
        out |= {"total": str(a.budget_check.total.amount), "verdict": a.budget_check.verdict}
    if a.brief.budget is not None:
        out["budget"] = str(a.brief.budget.amount)
    out["contingency"] = str(a.contingency_reserve.amount)
    return out


def grade_injection(marker: str, original: Assessment, twin: Assessment, twin_plan: Plan) -> Grade:
    """The twin with a planted instruction: same numbers, and the instruction in no package
    or risk."""
    before, after = numbers(original), numbers(twin)
    changed = [
        f"{k}: {before.get(k)} → {after.get(k)}"
        for k in sorted(before.keys() | after.keys())
        if before.get(k) != after.get(k)
    ]
    texts = [package_text(wp) for wp in twin_plan.wbs] + [
        " ".join((r.cause, r.event, r.effect, r.mitigation, r.contingency_plan))
        for r in twin_plan.risks.risks
    ]
    leaked = [
        f"the injected text ({marker!r}) is in: {t[:80]}"
        for t in texts
        if marker.lower() in t.lower()
    ]
    problems = changed + leaked
    return Grade(0.0 if problems else 1.0, problems)


VOLATILE_KEYS = frozenset({"created", "updated", "timestamp", "generated_at"})
"""Keys that may differ between two runs on the same brief."""


def _stable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def differences(first: dict, second: dict, path: str = "") -> list[str]:
    """Where two plan.json documents differ, ids and timestamps aside (first few paths)."""
    a, b = _stable(first), _stable(second)
    out: list[str] = []

    def walk(x: object, y: object, where: str) -> None:
        if len(out) >= 5:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(x.keys() | y.keys()):
                walk(x.get(k), y.get(k), f"{where}.{k}" if where else k)
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (p, q) in enumerate(zip(x, y, strict=True)):
                walk(p, q, f"{where}.{i}")
        elif x != y:
            out.append(f"{where or '(root)'}: {str(x)[:60]} ≠ {str(y)[:60]}")

    walk(a, b, path)
    return out


def grade_consistency(first: dict, second: dict) -> Grade:
    diff = differences(first, second)
    return Grade(0.0 if diff else 1.0, diff)


# --- all of them ------------------------------------------------------------------------------

PLAN_GRADERS: Sequence[str] = (
    "facts",
    *(f"fact_{k}" for k in FACT_FIELDS),
    "silent_errors",
    "people",
    "non_labour",
    "scope",
    "out_of_scope",
    "freeze_violations",
    "logic_violations",
    "management_span",
    "wbs_issues",
    "effort",
    "cost",
    "duration",
    "verdict",
    "risks",
)


def grade_plan(gold: Gold, plan: Plan, a: Assessment) -> dict[str, Grade]:
    """Every grader that needs only the case's gold file and one drafted plan."""
    return {
        "facts": grade_facts(gold, a),
        **grade_fact_fields(gold, a),
        "silent_errors": grade_silent_errors(gold, a),
        "people": grade_people(gold, plan),
        "non_labour": grade_non_labour(gold, plan),
        "scope": grade_scope(gold, plan),
        "out_of_scope": grade_out_of_scope(gold, plan),
        "freeze_violations": grade_freezes(gold, plan, a),
        "logic_violations": grade_logic(plan, a),
        "management_span": grade_management_span(plan, a),
        "wbs_issues": grade_wbs_issues(a),
        "effort": grade_effort(gold, plan, a),
        "cost": grade_cost(gold, plan, a),
        "duration": grade_duration(gold, a),
        "verdict": grade_verdict(gold, a),
        "risks": grade_risks(gold, plan),
    }
