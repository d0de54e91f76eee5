"""plan.md: an Assessment rendered as Markdown a PM can paste into a wiki. Pure text."""

from __future__ import annotations

import re

from tools.assessment import Assessment
from tools.money import Money


def _money(m: Money | None) -> str:
    return "-" if m is None else str(m)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _source(kind: str, ref: str | None) -> str:
    return f"{kind}:{ref}" if ref else kind


def _wbs(a: Assessment) -> list[str]:
    depth: dict[str, int] = {}
    lines = ["## Work breakdown", ""]
    lines += [
        "| WBS | Work package | Optimistic / likely / pessimistic | Expected (PERT) | Depends on"
        " | Source |",
        "|---|---|---|---|---|---|",
    ]
    for row in a.wbs:
        depth[row.code] = depth.get(row.parent or "", -1) + 1 if row.parent else 0
        name = "&nbsp;&nbsp;" * depth[row.code] + _cell(row.name)
        if row.optional:
            name += " *(optional)*"
        e = row.estimate
        unit = "" if e is None else _unit(e.unit, e.basis)
        est = f"{e.optimistic:g} / {e.likely:g} / {e.pessimistic:g} {unit}" if e else ""
        pert = f"{(e.optimistic + 4 * e.likely + e.pessimistic) / 6:,.1f} {unit}" if e else ""
        deps = ", ".join(row.depends_on)
        src = _source(row.source.kind, row.source.ref)
        lines.append(f"| {row.code} | {name} | {est} | {pert} | {deps} | {src} |")
    return lines


def _hours_per_day(a: Assessment) -> float:
    """The plan calendar's working hours a day, as its estimates in days convert to hours."""
    for r in a.wbs:
        e = r.estimate
        if e is not None and e.unit == "days" and e.basis == "effort" and e.pert_hours > 0:
            return e.pert_hours / ((e.optimistic + 4 * e.likely + e.pessimistic) / 6)
    return DEFAULT_HOURS_PER_DAY


def _unit(unit: str, basis: str) -> str:
    """One unit a row: the three points and the expected value alike, person-days of effort or
    working days of duration."""
    return f"person-{unit}" if basis == "effort" else f"{unit} (duration)"


def _schedule(a: Assessment) -> list[str]:
    s = a.schedule
    if s is None:
        return ["## Schedule", "", "Not scheduled: the WBS has issues (see above).", ""]
    names = {r.code: r.name for r in a.wbs}
    lines = ["## Schedule", "", f"**Start** {s.start} · **Finish** {s.finish}", ""]
    lines += [
        "**Critical path:** "
        + " → ".join(f"{c} {_cell(names.get(c, ''))}" for c in s.critical_path),
        "",
        "| WBS | Early start | Early finish | Late start | Late finish | Total float (d)"
        " | Critical |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in s.tasks:
        crit = "yes" if t.critical else ""
        lines.append(
            f"| {t.code} | {t.early_start} | {t.early_finish} | {t.late_start} | {t.late_finish}"
            f" | {t.total_float_days:g} | {crit} |"
        )
    return [*lines, ""]


def _levelling(a: Assessment) -> list[str]:
    lv, s = a.levelling, a.schedule
    if lv is None or s is None:
        return []
    how = "optimal" if lv.optimal else "best found"
    lines = [
        "## Team and levelling",
        "",
        f"Levelled against the team ({lv.method}, {how}): finish {s.finish}; without capacity"
        f" limits the network alone would finish {lv.unlevelled_finish}.",
        "",
    ]
    if s.assignments:
        lines += _by_person(a)
    if lv.findings:
        lines += ["**Act on:**", ""]
        lines += [f"- *{f.kind.replace('_', ' ')}*: {_cell(f.message)}" for f in lv.findings]
        lines.append("")
    return lines


def _by_person(a: Assessment) -> list[str]:
    """Who does what, one row a person: their packages with shares, in start order, and the
    span from their first start to their last finish."""
    s = a.schedule
    assert s is not None
    spans = {t.code: t for t in s.tasks}
    people: dict[str, list] = {}
    for x in s.assignments:
        people.setdefault(x.member_id, []).append(x)
    lines = ["| Who | Role | Work packages (share) | From | To |", "|---|---|---|---|---|"]
    for member, given in people.items():
        rows = sorted(given, key=lambda x: (spans[x.code].early_start, x.code))
        who = rows[0].name or member
        roles = ", ".join(dict.fromkeys(x.role for x in rows))
        work = ", ".join(f"{x.code} ({x.units:.0%})" for x in rows)
        first = min(spans[x.code].early_start for x in rows)
        last = max(spans[x.code].early_finish for x in rows)
        lines.append(f"| {_cell(who)} | {_cell(roles)} | {work} | {first} | {last} |")
    return [*lines, ""]


def _forecast(a: Assessment) -> list[str]:
    f = a.forecast
    if f is None:
        return []
    lines = [
        "## Forecast",
        "",
        f"Monte Carlo, {f.iterations:,} iterations, seed {f.seed}"
        + (
            f"; durations calibrated from history for {', '.join(f.calibrated)}."
            if f.calibrated
            else "; three-point estimates as PERT-beta."
        ),
        "",
        "| | P50 | P80 | P90 |",
        "|---|---|---|---|",
        f"| Finish | {f.p50_finish} | {f.p80_finish} | {f.p90_finish} |",
        f"| Cost (before reserves) | {f.p50_cost} | {f.p80_cost} | {f.p90_cost} |",
        "",
    ]
    if f.p_meet_deadline is not None:
        lines.append(
            f"- Chance of meeting the deadline {a.brief.deadline}: {f.p_meet_deadline:.0%}"
        )
    if f.p_meet_budget is not None:
        lines.append(f"- Chance of staying within the budget: {f.p_meet_budget:.0%}")
    lines.append(
        f"- Contingency from the cost spread (P80 above base {f.base_cost}): {f.contingency}"
    )
    if f.drivers:
        top = ", ".join(f"{d.name} ({d.rank_correlation:+.2f})" for d in f.drivers[:5])
        lines.append(f"- Top drivers of the finish (rank correlation): {top}")
    critical = [c for c, v in f.criticality.items() if v >= 0.5]
    if critical:
        lines.append(f"- Critical in at least half the iterations: {', '.join(critical)}")
    return [*lines, ""]


def _risks(a: Assessment) -> list[str]:
    lines = ["## Risk register", ""]
    if not a.risks:
        return [*lines, "No risks recorded.", ""]
    lines += [
        "| # | Risk | P | I | Score | EMV | Owner | Response | Contingency plan | Source |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in a.risks:
        lines.append(
            f"| {r.rank} | {_cell(r.statement)} | {r.probability:.0%} | {r.impact} |"
            f" {r.score} ({r.rating}) | {_money(r.emv)} | {_cell(r.owner or '')} | {r.response} |"
            f" {_cell(r.contingency_plan)} | {_source(r.source.kind, r.source.ref)} |"
        )
    lines += ["", f"**Sum of EMV:** {a.contingency_reserve}", ""]
    return lines


def _budget(a: Assessment) -> list[str]:
    b = a.budget_check
    if b is None:
        return ["## Budget check", "", "No budget given.", "", *_costs(a)]
    lines = [
        "## Budget check",
        "",
        f"**Verdict: {b.verdict.replace('_', ' ')}** · {_against(a)} (variance {b.variance})",
        "",
        "| Line | Amount |",
        "|---|---|",
        f"| Labour | {b.labour} |",
        f"| Non-labour | {b.non_labour} |",
        f"| Contingency reserve ({_BASIS[a.contingency_basis]}) | {b.contingency_reserve} |",
        f"| Management reserve | {b.management_reserve} |",
        f"| **Total** | **{b.total}** |",
        "",
    ]
    if b.uncharged_labour is not None:
        lines += [
            f"The budget does not pay for the team's own time: {b.uncharged_labour} of internal"
            " labour at the rate card is part of what the project costs, not of this check.",
            "",
        ]
    lines += _costs(a)
    if a.rate_card is not None and a.rate_card.hourly:
        lines += [
            f"Labour priced at these hourly rates ({a.rate_card.currency}; the brief's where it"
            " gives them, else the rate card's):",
            "",
            "| Role | Per hour |",
            "|---|---:|",
            *[f"| {_cell(r)} | {v:,.2f} |" for r, v in sorted(a.rate_card.hourly.items())],
            "",
        ]
    if b.options:
        lines += ["Options to get back under budget:", ""]
        for o in b.options:
            lines.append(
                f"- {_cell(o.description)}; saves {o.saving},"
                f" network finish {o.schedule_effect_days:+g} working days"
            )
        lines.append("")
    return lines


def _costs(a: Assessment) -> list[str]:
    """Every non-labour cost, with what the budget check did with it."""
    if not a.non_labour:
        return []
    lines = ["| Non-labour cost | Amount | In the budget check |", "|---|---|---|"]
    for c in a.non_labour:
        counted = "yes" if c.counted else ("outside the budget" if c.amount else "no figure yet")
        lines.append(f"| {_cell(c.name)} | {_money(c.amount)} | {counted} |")
    return [*lines, ""]


def _brief(a: Assessment) -> list[str]:
    b = a.brief
    facts = [
        ("Kind", (b.archetype or "").replace("_", " ")),
        ("Start", str(b.start or "")),
        ("Deadline", str(b.deadline or "")),
        ("Budget", str(b.budget or "")),
        ("Team", f"{b.team_size} people" if b.team_size else ""),
        ("Roles", ", ".join(b.roles)),
        ("Technologies", ", ".join(b.technologies)),
        ("In scope", "; ".join(b.scope)),
        ("Out of scope", "; ".join(b.out_of_scope)),
        ("Constraints", "; ".join(b.constraints)),
    ]
    rows = [f"| {k} | {_cell(v)} |" for k, v in facts if v]
    if not rows:
        return []
    return ["## The brief as read", "", "| | |", "|---|---|", *rows, ""]


def _sources(a: Assessment) -> list[str]:
    """Every source the WBS and the risks cite, once, with what it said."""
    seen: dict[str, str] = {}
    for src in [r.source for r in a.wbs] + [r.source for r in a.risks]:
        key = _source(src.kind, src.ref)
        if src.kind == "brief" and src.quote:
            key = f"brief: “{_cell(src.quote[:160])}”"
        seen.setdefault(key, _cell(src.quote[:160]) if src.quote and src.kind != "brief" else "")
    if not seen:
        return []
    lines = ["## Sources", ""]
    lines += [f"- {k}" + (f" — {v}" if v else "") for k, v in sorted(seen.items())]
    return [*lines, ""]


_BASIS = {"monte_carlo_p80": "simulated P80 above base", "risk_emv": "sum of risk EMV"}


_VERDICT = {"within": "within budget", "at_risk": "at risk", "over": "over budget"}
TOP_RISKS = 3
DEFAULT_HOURS_PER_DAY = 8.0
GANTT_FILE = "gantt.svg"
"""Beside plan.md: `pmpilot plan --out` writes it, the API serves it at the same level."""


def _pct(p: float | None) -> str:
    return "" if p is None else f"{p:.0%}"


def _against(a: Assessment) -> str:
    """What the verdict was read from: the forecast's chance when there is one (80 % or more
    is within, under 20 % over), else the total against the budget."""
    b, f = a.budget_check, a.forecast
    assert b is not None
    if f is None or f.p_meet_budget is None:
        return f"total {b.total} against {b.budget}"
    return (
        f"{_pct(f.p_meet_budget)} chance of staying within {b.budget} (P80 cost {f.p80_cost};"
        f" within from 80 %, over below 20 %); total with reserves {b.total}"
    )


def _summary(a: Assessment) -> list[str]:
    """What a sponsor reads first, on one screen: the verdict, the finish and the cost against
    what the brief asked, the top risks and what needs deciding."""
    s, f, b = a.schedule, a.forecast, a.budget_check
    rows: list[tuple[str, str]] = []
    if b is not None:
        rows.append(("Verdict", f"**{_VERDICT[b.verdict]}**: {_against(a)}"))
    if s is not None:
        finish = f"scheduled {s.finish}"
        if f is not None:
            finish += f"; P50 {f.p50_finish}, P80 {f.p80_finish}"
        if a.brief.deadline is not None:
            finish += f"; deadline {a.brief.deadline}"
            if f is not None and f.p_meet_deadline is not None:
                finish += f" ({_pct(f.p_meet_deadline)} chance of meeting it)"
        rows.append(("Finish", finish))
    if f is not None:
        cost = f"P50 {f.p50_cost}, P80 {f.p80_cost} (base {f.base_cost})"
        if f.p_meet_budget is not None:
            cost += f"; {_pct(f.p_meet_budget)} chance of staying within budget"
        if b is not None and b.uncharged_labour is not None:
            cost += f"; plus {b.uncharged_labour} of the team's own time, not charged"
        rows.append(("Cost", cost))
    parents = {r.parent for r in a.wbs if r.parent}
    hours = sum(r.estimate.pert_hours for r in a.wbs if r.estimate and r.code not in parents)
    rows.append(("Effort", f"{hours / _hours_per_day(a):,.0f} person-days expected"))
    top = sorted(a.risks, key=lambda r: r.rank)[:TOP_RISKS]
    if top:
        rows.append(
            ("Top risks", "; ".join(f"{r.id} {_event(r.statement)} ({r.rating})" for r in top))
        )
    decide = [n for n in a.notes if "deadline" in n or "freeze" in n]
    unpriced = [c.name for c in a.non_labour if c.amount is None]
    if unpriced:
        decide.append(f"{len(unpriced)} cost(s) named without a figure: price them")
    if b is not None and b.verdict != "within" and b.options:
        decide.append(f"{len(b.options)} option(s) to get back under budget (see Budget check)")
    decide += [f"or {o.description}" for o in a.schedule_options]
    if decide:
        rows.append(("Decisions needed", "; ".join(decide)))
    out = ["## Summary", "", "| | |", "|---|---|", *[f"| {k} | {_cell(v)} |" for k, v in rows], ""]
    if s is not None:
        out += [f"![Gantt chart: the schedule, critical path in red]({GANTT_FILE})", ""]
    if s is not None and f is not None:
        out += [_why_finish(a), ""]
    return out


def _event(statement: str) -> str:
    """The event of a cause-event-effect statement, for a one-line list."""
    m = re.search(r"there is a risk that (.+?)(?:, which would|$)", statement)
    return (m.group(1) if m else statement)[:140]


def _why_finish(a: Assessment) -> str:
    """One sentence on why the scheduled finish and the P50 differ."""
    assert a.schedule is not None and a.forecast is not None
    gap = (a.forecast.p50_finish - a.schedule.finish).days
    delay = sum(r.expected_delay_days for r in a.risks)
    if abs(gap) <= 3:
        return (
            f"The P50 finish is within days of the scheduled one: the risks' expected delay"
            f" ({delay:,.0f} working days in all) mostly falls off the critical path."
        )
    if gap > 0:
        return (
            f"The P50 finish is {gap} calendar days after the scheduled one because the schedule"
            " places every package at its expected length with no risk occurring, while the"
            f" simulation lets the register's risks fire (expected delay {delay:,.0f} working"
            " days in all) and the estimates vary around their ranges."
        )
    return (
        f"The P50 finish is {-gap} calendar days before the scheduled one: the estimates' ranges"
        " are skewed (a long pessimistic tail), so their median is shorter than the expected"
        " length the schedule uses."
    )


def render_markdown(a: Assessment) -> str:
    lines = [f"# {a.brief.title}", ""]
    if a.brief.goal:
        lines += [a.brief.goal, ""]
    lines += _summary(a)
    if a.notes:
        lines += [*[f"> **Note:** {_cell(n)}" for n in a.notes], ""]
    if a.issues:
        lines += ["## WBS issues", ""]
        lines += [f"- **{i.kind}** {i.code or ''}: {i.message}" for i in a.issues]
        lines.append("")
    lines += [
        *_brief(a),
        *_wbs(a),
        "",
        *_schedule(a),
        *_levelling(a),
        *_forecast(a),
        *_risks(a),
        *_budget(a),
    ]
    if a.assumptions:
        lines += ["## Assumptions", "", *[f"- {x}" for x in a.assumptions], ""]
    lines += _sources(a)
    calls = f", drafted with {a.engine.llm_calls} model call(s)" if a.engine.llm_calls else ""
    lines += [f"*Computed by the pmpilot engine {a.engine.version}{calls}.*", ""]
    return "\n".join(lines)
