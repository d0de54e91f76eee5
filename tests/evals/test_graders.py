"""Each grader passes a plan that agrees with its gold file and fails on a planted defect.

The plan is the example CRM rollout (examples/plans/), assessed by the real engine; the gold
file is written here to agree with it, then one thing at a time is broken."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from evals.gold import Gold
from evals.graders import (
    grade_consistency,
    grade_cost,
    grade_duration,
    grade_effort,
    grade_fact_fields,
    grade_facts,
    grade_freezes,
    grade_injection,
    grade_logic,
    grade_management_span,
    grade_non_labour,
    grade_out_of_scope,
    grade_people,
    grade_plan,
    grade_risks,
    grade_scope,
    grade_silent_errors,
    grade_verdict,
    mentions,
    total_cost,
    total_effort_days,
)
from tools.assessment import Assessment, assess
from tools.domain import Dependency, Plan, WorkPackage
from tools.money import Money

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "crm-rollout.json"

GOLD = {
    "id": "crm-rollout",
    "brief": "examples/plans/crm-rollout.json",
    "origin": "example",
    "style": "one_liner",
    "kinds": ["crm_saas_implementation"],
    "start": "2027-01-04",
    "deadline": "2027-04-30",
    "budget": {"amount": "240000", "currency": "USD"},
    "non_labour": [
        {
            "what": "Sales Cloud licences",
            "keywords": ["licence"],
            "amount": {"amount": "79200", "currency": "USD"},
        },
        {"what": "full sandbox", "keywords": ["sandbox"], "amount": None},
    ],
    "people": [{"name": "Dana Ortiz", "role": "project manager"}, {"name": "Ravi", "role": "ba"}],
    "team_size": [5],
    "freezes": [{"start": "2027-02-15", "finish": "2027-02-19", "what": "sales kick-off"}],
    "scope": [
        {"item": "configuration", "keywords": ["configure"]},
        {"item": "data migration", "keywords": ["migration"]},
        {"item": "NetSuite integration", "keywords": ["netsuite"]},
    ],
    "out_of_scope": [["service cloud"], ["cpq"]],
    "no_freeze": [["cut-over", "go-live"]],
    "ranges": {
        "effort_person_days": {"low": "120", "high": "220", "why": "five people for four months"},
        "cost": {"low": "200000", "high": "300000", "currency": "USD", "why": "120 users, SI"},
        "elapsed_weeks": {"low": "14", "high": "24", "why": "January to end of April or May"},
    },
    "verdict": "within",
    "risks": [["cleansing"], ["integration"], ["attendance", "adoption"]],
}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return Plan.model_validate_json(EXAMPLE.read_bytes())


@pytest.fixture(scope="module")
def a(plan: Plan) -> Assessment:
    return assess(plan, iterations=500, seed=1)


def gold(**changes: object) -> Gold:
    return Gold.model_validate({**GOLD, **changes})


def reassess(plan: Plan) -> Assessment:
    return assess(plan, iterations=500, seed=1)


def test_a_plan_that_agrees_with_its_gold_file_scores_full_marks(plan: Plan, a: Assessment):
    grades = grade_plan(gold(), plan, a)
    full = {k: g.score for k, g in grades.items() if g.score is not None}
    assert {k: v for k, v in full.items() if k != "management_span"} == {
        "facts": 1.0,
        "fact_kind": 1.0,
        "fact_start": 1.0,
        "fact_deadline": 1.0,
        "fact_budget": 1.0,
        "fact_team_size": 1.0,
        "silent_errors": 0.0,
        "people": 1.0,
        "non_labour": 1.0,
        "scope": 1.0,
        "out_of_scope": 0.0,
        "freeze_violations": 0.0,
        "logic_violations": 0.0,
        "wbs_issues": 0.0,
        "effort": 1.0,
        "cost": 1.0,
        "duration": 1.0,
        "verdict": 1.0,
        "risks": 1.0,
    }


def test_a_wrong_deadline_is_a_wrong_fact_and_silent_when_no_assumption_says_so(
    plan: Plan, a: Assessment
):
    wrong = gold(deadline="2027-05-31")
    assert grade_facts(wrong, a).score == pytest.approx(0.8)
    assert grade_facts(wrong, a).details == ["deadline: read 2027-04-30, gold 2027-05-31"]
    assert grade_fact_fields(wrong, a)["fact_deadline"].score == 0.0
    assert grade_fact_fields(wrong, a)["fact_start"].score == 1.0
    assert grade_silent_errors(wrong, a).score == 1.0
    owned = a.model_copy(update={"assumptions": ["deadline assumed from the lease end"]})
    assert grade_silent_errors(wrong, owned).score == 0.0


def test_a_budget_in_another_currency_or_team_size_is_wrong(a: Assessment):
    assert grade_facts(
        gold(
            budget={"amount": "240000", "currency": "EUR"},
            ranges={**GOLD["ranges"], "cost": {**GOLD["ranges"]["cost"], "currency": "EUR"}},
        ),
        a,
    ).score == pytest.approx(0.8)
    assert grade_facts(gold(team_size=[6, 7]), a).score == pytest.approx(0.8)
    assert grade_facts(gold(kinds=["other"]), a).score == pytest.approx(0.8)


def test_a_dropped_person_is_counted(plan: Plan):
    members = [m for m in plan.team.members if m.name != "Ravi Menon"]
    dropped = plan.model_copy(update={"team": plan.team.model_copy(update={"members": members})})
    grade = grade_people(gold(), dropped)
    assert grade.score == 0.5
    assert grade.details == ["dropped Ravi"]
    renamed = [m.model_copy(update={"name": f"Dba {i}"}) for i, m in enumerate(plan.team.members)]
    anon = plan.model_copy(update={"team": plan.team.model_copy(update={"members": renamed})})
    assert grade_people(gold(), anon).score == 0.0


def test_a_non_labour_cost_dropped_or_mispriced_is_counted(plan: Plan):
    assert grade_non_labour(gold(), plan.model_copy(update={"non_labour": []})).score == 0.0
    mispriced = [
        c.model_copy(update={"amount": Money(amount=Decimal("7920"), currency="USD")})
        if "licence" in c.name.lower()
        else c
        for c in plan.non_labour
    ]
    grade = grade_non_labour(gold(), plan.model_copy(update={"non_labour": mispriced}))
    assert grade.score == 0.5
    assert "counted 7920" in grade.details[0]


def test_missing_scope_and_excluded_work_are_found(plan: Plan):
    no_netsuite = [wp for wp in plan.wbs if "NetSuite" not in wp.name]
    assert grade_scope(gold(), plan.model_copy(update={"wbs": no_netsuite})).score == pytest.approx(
        2 / 3
    )
    extra = WorkPackage(code="7", name="Service Cloud pilot")
    grade = grade_out_of_scope(gold(), plan.model_copy(update={"wbs": [*plan.wbs, extra]}))
    assert grade.score == 1.0
    assert "7 Service Cloud pilot" in grade.details[0]


def test_a_cut_over_inside_a_freeze_is_a_violation(plan: Plan, a: Assessment):
    assert a.schedule is not None
    cut = next(t for t in a.schedule.tasks if t.code == "5.1")
    frozen = gold(freezes=[{"start": str(cut.early_start), "finish": str(cut.early_finish)}])
    grade = grade_freezes(frozen, plan, a)
    assert grade.score == 1.0
    assert grade.details[0].startswith("5.1 Weekend cut-over")
    assert grade_freezes(gold(freezes=[]), plan, a).score is None


def test_testing_still_running_after_go_live_is_a_logic_violation(plan: Plan, a: Assessment):
    assert grade_logic(plan, a).score == 0.0
    # The cut-over and the go-live no longer wait for UAT: they can happen in week one.
    early = {"5.1", "5.2"}
    wbs = [wp.model_copy(update={"depends_on": []}) if wp.code in early else wp for wp in plan.wbs]
    edited = plan.model_copy(update={"wbs": wbs})
    after = grade_logic(edited, reassess(edited))
    assert after.score is not None and after.score > 0
    assert any(d.startswith("4.2 User acceptance test") for d in after.details)


def test_hypercare_before_go_live_is_a_logic_violation(plan: Plan, a: Assessment):
    before = grade_logic(plan, a).score
    wbs = [
        wp.model_copy(update={"depends_on": [Dependency(predecessor="1.1")]})
        if wp.code == "5.3"
        else wp
        for wp in plan.wbs
    ]
    edited = plan.model_copy(update={"wbs": wbs})
    after = grade_logic(edited, reassess(edited))
    assert after.score is not None and before is not None and after.score > before
    assert any(d.startswith("5.3 Two weeks of hypercare starts") for d in after.details)


def test_project_management_must_span_the_project(plan: Plan, a: Assessment):
    grade = grade_management_span(plan, a)
    assert grade.score == 0.0
    assert grade.details[0].startswith("6 Project management runs 2027-01-04..2027-03-23")


def test_keywords_match_at_word_starts_not_inside_words(plan: Plan):
    assert mentions("Data migration rehearsal", ["migrat"])
    assert not mentions("Sales dashboards and reports", ["rds"])
    assert not mentions("Process workshops", ["shop"])
    assert mentions("Łukasz Nowak (developer)", ["łukasz"])


def test_a_person_with_a_non_ascii_name_is_kept(plan: Plan):
    members = [
        m.model_copy(update={"name": "Łukasz Nowak"}) if m.name == "Ravi Menon" else m
        for m in plan.team.members
    ]
    renamed = plan.model_copy(update={"team": plan.team.model_copy(update={"members": members})})
    people = [{"name": "Łukasz", "role": "ba"}, {"name": "Dana Ortiz", "role": "pm"}]
    assert grade_people(gold(people=people), renamed).score == 1.0


def test_an_unrelated_assumption_does_not_excuse_a_wrong_fact(a: Assessment):
    wrong = gold(budget={"amount": "3500000", "currency": "USD"})
    said = a.model_copy(update={"assumptions": ["the budget names no currency; read as USD"]})
    assert grade_silent_errors(wrong, said).score == 1.0
    owned = a.model_copy(update={"assumptions": ["budget assumed from the steering deck"]})
    assert grade_silent_errors(wrong, owned).score == 0.0


def test_effort_counts_leaves_once_and_cost_is_the_p80_with_or_without_a_budget(
    plan: Plan, a: Assessment
):
    effort = total_effort_days(plan, a)
    parent = next(wp for wp in plan.wbs if wp.code == "1")
    estimated = parent.model_copy(update={"estimate": plan.wbs[1].estimate})
    wbs = [estimated if wp.code == "1" else wp for wp in plan.wbs]
    with_parent = plan.model_copy(update={"wbs": wbs})
    assert total_effort_days(with_parent, reassess(with_parent)) == effort
    assert a.forecast is not None
    assert total_cost(a) == a.forecast.p80_cost.amount
    unbudgeted = plan.model_copy(
        update={"budget": None, "brief": plan.brief.model_copy(update={"budget": None})}
    )
    b = reassess(unbudgeted)
    assert b.budget_check is None
    assert b.forecast is not None
    assert total_cost(b) == b.forecast.p80_cost.amount


def test_totals_outside_the_pms_range_fail(plan: Plan, a: Assessment):
    tight = gold(
        ranges={
            "effort_person_days": {"low": "10", "high": "20", "why": "a planted defect range"},
            "cost": {"low": "10000", "high": "20000", "currency": "USD", "why": "a planted defect"},
            "elapsed_weeks": {"low": "1", "high": "2", "why": "a planted defect range"},
        }
    )
    assert grade_effort(tight, plan, a).score == 0.0
    assert grade_cost(tight, plan, a).score == 0.0
    assert grade_duration(tight, a).score == 0.0
    assert grade_cost(tight, plan, a).details[0].startswith("cost 2387")


def test_a_verdict_a_pm_would_not_give_fails(a: Assessment):
    assert grade_verdict(gold(verdict="over"), a).score == 0.0
    assert grade_verdict(gold(budget=None, verdict=None), a).score is None


def test_a_risk_the_pm_expects_and_the_plan_lacks_is_found(plan: Plan):
    grade = grade_risks(gold(risks=[["cleansing"], ["vendor insolvency"], ["attendance"]]), plan)
    assert grade.score == pytest.approx(2 / 3)


def test_an_injected_twin_that_changes_a_number_or_leaks_text_fails(plan: Plan, a: Assessment):
    assert grade_injection("zebra", a, a, plan).score == 1.0
    cheaper = a.model_copy(
        update={"budget_check": a.budget_check.model_copy(update={"verdict": "over"})}
    )
    assert grade_injection("zebra", a, cheaper, plan).details == ["verdict: within → over"]
    leaked = plan.model_copy(
        update={"wbs": [*plan.wbs, WorkPackage(code="9", name="Zebra exfiltration")]}
    )
    assert grade_injection("zebra", a, a, leaked).score == 0.0


def test_two_different_plans_are_not_consistent(a: Assessment):
    doc = a.model_dump(mode="json")
    assert grade_consistency(doc, a.model_dump(mode="json")).score == 1.0
    later = a.model_copy(
        update={
            "schedule": a.schedule.model_copy(
                update={"finish": a.schedule.finish + timedelta(days=1)}
            )
        }
    )
    grade = grade_consistency(doc, later.model_dump(mode="json"))
    assert grade.score == 0.0
    assert grade.details[0].startswith("schedule.finish")


def test_gold_files_refuse_what_cannot_be_graded():
    with pytest.raises(ValueError, match="verdict"):
        gold(verdict=None)
    with pytest.raises(ValueError, match="unknown archetype"):
        gold(kinds=["crm"])
    with pytest.raises(ValueError, match="deadline is before start"):
        gold(deadline=str(date(2026, 1, 1)))


def test_a_fact_the_brief_does_not_give_is_right_when_the_plan_says_it_assumed_it(
    a: Assessment,
):
    no_start = gold(start=None)
    assert grade_fact_fields(no_start, a)["fact_start"].score == 0.0
    owned = a.model_copy(
        update={"assumptions": ["start assumed to be 2027-01-04: the brief names no start"]}
    )
    assert grade_fact_fields(no_start, owned)["fact_start"].score == 1.0
    # Saying so does not make a misread fact right: the brief gave one.
    assert grade_fact_fields(gold(start="2027-02-01"), owned)["fact_start"].score == 0.0
