"""Chat edits: read from a message by rules, applied by the engine, never touching locks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tools.assessment import assess
from tools.domain import Plan
from tools.edits import (
    AddMember,
    AddPhase,
    EditError,
    Lock,
    LoseMember,
    Remove,
    SetBudget,
    SetDeadline,
    apply_edits,
    changes,
    read_edits,
)
from tools.validation import validate_wbs

PLAN = Path(__file__).parents[2] / "examples/plans/crm-rollout.json"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return Plan.model_validate_json(PLAN.read_bytes())


def test_the_issue_examples_read_into_typed_edits(plan: Plan) -> None:
    [add] = read_edits("add a pilot phase before cut-over", plan)
    assert isinstance(add, AddPhase)
    assert add.before == "5"  # "Cut-over and hypercare"
    assert add.name.lower().startswith("pilot")
    [lose] = read_edits("we lose one developer from March", plan)
    assert lose == LoseMember(role="developer", start=date(2027, 3, 1))
    [budget] = read_edits("what if the budget is $100k?", plan)
    assert budget == SetBudget(amount=Decimal(100000), currency="USD")


def test_other_edits(plan: Plan) -> None:
    assert read_edits("add a tester at 50%", plan) == [AddMember(role="tester", availability=0.5)]
    assert read_edits("the deadline is 15 May 2027", plan) == [
        SetDeadline(deadline=date(2027, 5, 15))
    ]
    assert read_edits("please drop 2.3", plan) == [Remove(code="2.3")]
    assert read_edits("lock 2.1 and unlock 3.2", plan) == [
        Lock(code="2.1"),
        Lock(code="3.2", locked=False),
    ]
    assert read_edits("remove 9.9", plan) == []  # no such package: nothing to do
    assert read_edits("how are we doing?", plan) == []


def test_a_pilot_before_cut_over_sits_between_it_and_its_predecessors(plan: Plan) -> None:
    edited = apply_edits(plan, [AddPhase(name="Pilot", before="5")], "add a pilot")
    new = next(wp for wp in edited.wbs if wp.name == "Pilot")
    cut = next(wp for wp in edited.wbs if wp.code == "5")
    assert [d.predecessor for d in cut.depends_on] == [new.code]
    assert new.estimate is not None and new.estimate.likely > 0
    assert new.source.kind == "assumption" and new.source.quote == "add a pilot"
    assert validate_wbs(edited.wbs, edited.calendar) == []
    before, after = assess(plan, iterations=0), assess(edited, iterations=0)
    assert after.schedule.finish > before.schedule.finish


def test_losing_one_of_two_people_stretches_the_levelled_schedule(plan: Plan) -> None:
    two = apply_edits(plan, [AddMember(role="developer")])
    edited = apply_edits(two, [LoseMember(role="developer", start=date(2027, 2, 1))])
    dev = [m for m in edited.team.members if "developer" in m.roles][-1]
    assert dev.absences[-1].start == date(2027, 2, 1)
    before, after = assess(two, iterations=0), assess(edited, iterations=0)
    assert after.schedule.finish > before.schedule.finish
    assert any(c.what == "P80 finish" for c in changes(before, after))


def test_losing_the_only_person_in_a_role_is_a_finding_not_a_failure(plan: Plan) -> None:
    for start in (plan.start, date(2027, 2, 1)):
        edited = apply_edits(plan, [LoseMember(role="developer", start=start)])
        after = assess(edited, iterations=0)
        missing = [f for f in after.levelling.findings if f.kind == "missing_role"]
        assert any(f.role == "developer" for f in missing)
        assert "2.1" in {c for f in missing for c in f.work_packages}
    with pytest.raises(EditError, match="nobody on the team is a dba"):
        apply_edits(plan, [LoseMember(role="dba", start=date(2027, 2, 1))])


def test_a_smaller_budget_changes_the_verdict_not_the_cost(plan: Plan) -> None:
    edited = apply_edits(plan, [SetBudget(amount=Decimal(100000))])
    assert edited.budget.limit.amount == Decimal(100000)
    before, after = assess(plan, iterations=0), assess(edited, iterations=0)
    assert after.budget_check.total == before.budget_check.total
    assert after.budget_check.verdict == "over"
    assert [c.what for c in changes(before, after)] == ["budget"]


def test_locked_packages_cannot_be_removed(plan: Plan) -> None:
    locked = apply_edits(plan, [Lock(code="2.2")])
    with pytest.raises(EditError, match="locked"):
        apply_edits(locked, [Remove(code="2.2")])
    with pytest.raises(EditError, match="locked"):
        apply_edits(locked, [Remove(code="2")])  # it holds the locked package
    unlocked = apply_edits(locked, [Lock(code="2.2", locked=False), Remove(code="2")])
    assert not any(wp.code.startswith("2") for wp in unlocked.wbs if wp.code != "2")
    assert validate_wbs(unlocked.wbs, unlocked.calendar) == []


def test_removing_a_package_keeps_the_chain_through_it(plan: Plan) -> None:
    edited = apply_edits(plan, [Remove(code="3.2")])
    rehearsal = next(wp for wp in edited.wbs if wp.code == "3.3")
    assert "3.1" in {d.predecessor for d in rehearsal.depends_on}
    assert validate_wbs(edited.wbs, edited.calendar) == []


def test_a_deadline_before_the_start_is_refused(plan: Plan) -> None:
    with pytest.raises(EditError, match="before the start"):
        apply_edits(plan, [SetDeadline(deadline=date(2020, 1, 1))])


def test_dates_keep_their_year_and_a_budget_its_currency(plan: Plan) -> None:
    assert read_edits("deadline is 30 June 2028", plan) == [SetDeadline(deadline=date(2028, 6, 30))]
    assert read_edits("we lose one developer from 1 March 2028", plan) == [
        LoseMember(role="developer", start=date(2028, 3, 1))
    ]
    [euros] = read_edits("what if the budget is 80,000 EUR?", plan)
    assert euros == SetBudget(amount=Decimal(80000), currency="EUR")
    with pytest.raises(EditError, match="priced in USD"):
        apply_edits(plan, [euros])
