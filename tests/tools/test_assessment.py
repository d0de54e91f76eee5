"""The whole engine over the sample plan: invariants that tie its parts together."""

from decimal import Decimal
from pathlib import Path

from tools.assessment import assess, baseline
from tools.budget import package_costs
from tools.domain import Plan
from tools.money import Money, total
from tools.report import render_markdown
from tools.risk import contingency_reserve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "crm-rollout.json"


def load() -> Plan:
    return Plan.model_validate_json(EXAMPLE.read_bytes())


def test_package_costs_add_up_to_labour_plus_tied_items() -> None:
    plan = load()
    a = assess(plan)
    assert a.budget_check is not None
    tied = total((i.amount for i in plan.non_labour if i.work_package), "USD")
    costs = package_costs(plan)
    assert total(costs.values(), "USD") == a.budget_check.labour + tied
    # The sandbox (tied to summary 3) is spread over its three leaves to the cent.
    assert all(type(c.amount) is Decimal for c in costs.values())


def test_baseline_follows_the_schedule() -> None:
    plan = load()
    a = assess(plan)
    assert a.schedule is not None
    dates = {t.code: (t.early_start, t.early_finish) for t in a.schedule.tasks}
    for item in baseline(plan):
        assert (item.start, item.finish) == dates[item.code]


def test_reserve_and_report_agree() -> None:
    plan = load()
    a = assess(plan, iterations=2000, seed=5)
    assert a.contingency_reserve == contingency_reserve(plan.risks, "USD")
    assert a.budget_check is not None
    assert a.forecast is not None
    # With a forecast, the budget holds the simulated P80 cost above the base.
    assert a.contingency_basis == "monte_carlo_p80"
    assert a.budget_check.contingency_reserve == a.forecast.contingency
    assert a.forecast.p80_cost - a.forecast.base_cost == a.forecast.contingency
    without = assess(plan, iterations=0)
    assert without.contingency_basis == "risk_emv"
    assert without.budget_check is not None
    assert without.budget_check.contingency_reserve == without.contingency_reserve.rounded()
    assert [r.rank for r in a.risks] == list(range(1, len(plan.risks.risks) + 1))
    md = render_markdown(a)
    assert str(a.budget_check.total) in md
    assert all(r.statement.replace("|", "\\|") in md for r in a.risks)


def test_a_wbs_with_issues_is_reported_not_scheduled() -> None:
    plan = load()
    broken = plan.model_copy(update={"wbs": [*plan.wbs, plan.wbs[1]]})
    a = assess(broken)
    assert [i.kind for i in a.issues] == ["duplicate_code"]
    assert a.schedule is None
    assert a.forecast is None
    assert a.budget_check is None
    assert "Not scheduled" in render_markdown(a)
    assert Money.zero("USD") <= a.contingency_reserve


def test_plan_md_opens_with_a_summary_that_agrees_with_the_engine() -> None:
    a = assess(load(), iterations=2000, seed=5)
    assert a.budget_check is not None and a.forecast is not None and a.schedule is not None
    md = render_markdown(a)
    summary = md[md.index("## Summary") : md.index("## The brief as read")]
    assert md.index("## Summary") < md.index("## Work breakdown")
    verdict = {"within": "within budget", "at_risk": "at risk", "over": "over budget"}
    assert f"**{verdict[a.budget_check.verdict]}**" in summary
    assert str(a.budget_check.total) in summary and str(a.forecast.p80_cost) in summary
    assert str(a.forecast.p50_finish) in summary and str(a.schedule.finish) in summary
    top = min(a.risks, key=lambda r: r.rank)
    assert top.id in summary
    gap = (a.forecast.p50_finish - a.schedule.finish).days
    if abs(gap) > 3:
        assert f"{abs(gap)} calendar days" in summary


def test_the_verdict_follows_the_chance_a_pm_reads_beside_it() -> None:
    plan = load()
    seen = set()
    for limit in ("150000", "230000", "240000", "400000"):
        p = plan.model_copy(
            update={"budget": plan.budget.model_copy(update={"limit": Money.of(limit, "USD")})}
        )
        a = assess(p, iterations=1000, seed=5)
        chance = a.forecast.p_meet_budget
        expected = "within" if chance >= 0.8 else ("over" if chance < 0.2 else "at_risk")
        assert a.budget_check.verdict == expected
        assert f"{chance:.0%} chance of staying within" in render_markdown(a)
        if a.budget_check.verdict == "within":
            assert a.budget_check.options == []
        seen.add(a.budget_check.verdict)
    assert seen == {"within", "at_risk", "over"}


def test_plan_md_shows_the_rates_every_labour_line_was_priced_at() -> None:
    plan = load()
    a = assess(plan, iterations=200, seed=5)
    asked = {d.role.lower() for wp in plan.wbs for d in wp.role_demands}
    assert a.rate_card is not None
    assert {r.lower() for r in a.rate_card.hourly} == asked & {
        r.lower() for r in plan.rate_card.hourly
    }
    md = render_markdown(a)
    for role, rate in a.rate_card.hourly.items():
        assert f"| {role} | {rate:,.2f} |" in md


def test_plan_md_speaks_of_effort_in_one_unit() -> None:
    a = assess(load(), iterations=200, seed=5)
    md = render_markdown(a)
    assert "person-hours" not in md and "PERT h" not in md
    parents = {r.parent for r in a.wbs if r.parent}
    leaves = [r.estimate for r in a.wbs if r.estimate and r.code not in parents]
    hours_per_day = load().calendar.hours_per_day
    days = sum(e.pert_hours for e in leaves) / hours_per_day
    assert f"| Effort | {days:,.0f} person-days expected |" in md
    for e in leaves:  # each row's three points and expected value in the same unit
        mean = (e.optimistic + 4 * e.likely + e.pessimistic) / 6
        unit = "person-days" if e.basis == "effort" else "days (duration)"
        assert f"{e.pessimistic:g} {unit} | {mean:,.1f} {unit} |" in md
