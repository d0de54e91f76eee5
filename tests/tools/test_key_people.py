"""Key-person risks: found from the team and the work, named, never for assumed people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tools.domain import (
    Absence,
    Estimate,
    Member,
    Plan,
    ProjectBrief,
    RateCard,
    Risk,
    RoleDemand,
    Team,
    WorkPackage,
)
from tools.key_people import MAX_KEY_PEOPLE, key_person_risks
from tools.risk import score


def wp(code: str, role: str) -> WorkPackage:
    return WorkPackage(
        code=code,
        name=f"Work {code}",
        estimate=Estimate(optimistic=5, likely=5, pessimistic=5),
        role_demands=[RoleDemand(role=role)],
    )


def plan(members: list[Member]) -> Plan:
    return Plan(
        brief=ProjectBrief(title="Move"),
        start=date(2027, 1, 4),
        wbs=[wp("1", "dba"), wp("2", "developer"), wp("3", "dba"), wp("4", "project manager")],
        team=Team(members=members),
        rate_card=RateCard(hourly={"dba": Decimal("100"), "developer": Decimal("90")}),
    )


def test_the_only_holder_of_a_role_and_a_person_on_leave_are_named() -> None:
    away = Absence(start=date(2027, 4, 1), finish=date(2027, 4, 30), reason="leave")
    p = plan(
        [
            Member(id="a", name="Priya", roles=["dba"]),
            Member(id="b", name="Dev 1", roles=["developer"]),  # assumed-looking but not a role
            Member(id="c", name="Developer 2", roles=["developer"]),  # assumed: never named
            Member(id="d", name="Ana", roles=["developer"], absences=[away]),
            Member(id="e", name="Mia", roles=["project manager"]),  # the PM: not registered
        ]
    )
    risks = key_person_risks(p, [])
    names = [r.event.split(" is not")[0] for r in risks]
    assert names == ["Priya", "Ana"]  # alone first, then away
    priya, ana = risks
    assert "only dba" in priya.cause and priya.work_packages == ["1", "3"]
    assert "away 2027-04-01 to 2027-04-30" in ana.cause and ana.probability > priya.probability
    assert priya.cost_impact is not None and priya.cost_impact.likely == Decimal("4000.00")
    assert [r.id for r in risks] == ["R1", "R2"]
    assert all(score(r) for r in risks)  # a register entry like any other


def test_a_person_a_risk_already_names_gets_no_second_one() -> None:
    p = plan([Member(id="a", name="Priya", roles=["dba"])])
    said = Risk(
        id="R1",
        cause="Priya is on leave in April",
        event="e",
        effect="x",
        category="people",
        probability=0.3,
    )
    assert key_person_risks(p, [said]) == []


def test_the_register_names_only_the_few_who_matter_most() -> None:
    roles = ["dba", "developer", "tester", "architect", "analyst"]
    members = [
        Member(id=f"m{i}", name=f"Person {chr(65 + i)}", roles=[r]) for i, r in enumerate(roles)
    ]
    p = plan(members).model_copy(update={"wbs": [wp(str(i + 1), r) for i, r in enumerate(roles)]})
    assert len(key_person_risks(p, [])) == MAX_KEY_PEOPLE


def test_a_key_person_risk_quotes_where_the_brief_names_them() -> None:
    text = "Move the billing DB.\nTeam: Priya (DBA) and two developers. Budget USD 300k."
    p = plan([Member(id="a", name="Priya", roles=["dba"])])
    p = p.model_copy(update={"brief": p.brief.model_copy(update={"text": text})})
    (risk,) = key_person_risks(p, [])
    assert risk.source.kind == "brief"
    assert risk.source.quote == "Team: Priya (DBA) and two developers."
    assert risk.source.quote in text
    nameless = plan([Member(id="a", name="Priya", roles=["dba"])])
    assert key_person_risks(nameless, [])[0].source.kind == "assumption"
