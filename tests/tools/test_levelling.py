"""A plan levelled against its team. Dates are read off a 2027 wall calendar."""

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.invariants import assert_nobody_overbooked
from tools.assessment import assess
from tools.domain import (
    Absence,
    Dependency,
    Estimate,
    Member,
    Plan,
    ProjectBrief,
    RoleDemand,
    Skill,
    Team,
    WorkPackage,
)
from tools.levelling import PERIODS_PER_DAY, level_plan
from tools.rcpsp import precedence_from_link
from tools.report import render_markdown

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "crm-rollout.json"
MONDAY = date(2027, 1, 4)


def wp(code: str, days: float, role: str = "dba", *deps: str, skills=(), units=1.0):
    return WorkPackage(
        code=code,
        name=f"Work {code}",
        estimate=Estimate(optimistic=days, likely=days, pessimistic=days),
        role_demands=[RoleDemand(role=role, units=units, skills=list(skills))],
        depends_on=[Dependency(predecessor=d) for d in deps],
    )


def person(pid: str, role: str = "dba", **kw) -> Member:
    return Member(id=pid, name=pid.title(), roles=[role], **kw)


def plan(wbs, members) -> Plan:
    return Plan(brief=ProjectBrief(title="t"), start=MONDAY, wbs=wbs, team=Team(members=members))


def dates(result, code):
    t = next(t for t in result.schedule.tasks if t.code == code)
    return t.early_start, t.early_finish


def test_one_dba_does_two_jobs_one_after_the_other() -> None:
    result = level_plan(plan([wp("a", 3), wp("b", 2)], [person("ann")]))
    assert result.makespan_days == 5
    spans = sorted([dates(result, "a"), dates(result, "b")])
    assert spans[0][0] == MONDAY
    assert spans[1][1] == date(2027, 1, 8)
    assert spans[0][1] < spans[1][0]
    assert len(result.resource_edges) == 1
    assert set(result.schedule.critical_path) == {"a", "b"}
    assert {a.member_id for a in result.schedule.assignments} == {"ann"}
    assert result.optimal


def test_two_dbas_work_in_parallel() -> None:
    result = level_plan(plan([wp("a", 3), wp("b", 2)], [person("ann"), person("bo")]))
    assert result.makespan_days == 3
    assert dates(result, "a")[0] == dates(result, "b")[0] == MONDAY
    assert {a.member_id for a in result.schedule.assignments} == {"ann", "bo"}
    # the people keep their names through levelling, and plan.md condenses them one row each
    assert {a.name for a in result.schedule.assignments} == {"Ann", "Bo"}


def test_plan_md_lists_each_person_once_by_name_with_their_packages() -> None:
    p = plan([wp("a", 3), wp("b", 2, "dba", "a"), wp("c", 2)], [person("ann"), person("bo")])
    a = assess(p, iterations=50, seed=1)
    md = render_markdown(a)
    table = md.split("| Who | Role | Work packages (share) | From | To |")[1].split("\n\n")[0]
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("|---")]
    assert sorted(r.split(" | ")[0] for r in rows) == ["| Ann", "| Bo"]
    done = {x.code for x in a.schedule.assignments}
    assert done == {"a", "b", "c"}
    for code in done:  # every package shows up under somebody
        assert any(f"{code} (" in r for r in rows)


def test_an_absence_delays_the_only_dba() -> None:
    away = Absence(start=MONDAY, finish=date(2027, 1, 8))
    result = level_plan(plan([wp("a", 2)], [person("ann", absences=[away])]))
    assert dates(result, "a") == (date(2027, 1, 11), date(2027, 1, 12))


def test_part_time_people_add_up() -> None:
    # Two half-time DBAs give one full-time DBA: a 1-FTE job runs at once, staffed by both.
    team = [person("ann", availability=0.5), person("bo", availability=0.5)]
    result = level_plan(plan([wp("a", 2)], team))
    assert result.makespan_days == 2
    assert sorted((a.member_id, a.units) for a in result.schedule.assignments) == [
        ("ann", 0.5),
        ("bo", 0.5),
    ]


def test_skills_and_seniority_pick_the_person() -> None:
    team = [
        person("ann", "developer", skills=[Skill(name="Apex", level=5)]),
        person("bo", "developer"),
    ]
    result = level_plan(plan([wp("a", 2, "developer", skills=["Apex"])], team))
    assert [a.member_id for a in result.schedule.assignments] == ["ann"]


def test_findings_a_pm_must_act_on() -> None:
    wbs = [
        wp("a", 2, "dba", skills=["Oracle RAC"]),
        wp("b", 3, "network engineer", "a"),
        wp("c", 2, "dba", "a", units=2),
    ]
    result = level_plan(plan(wbs, [person("ann")]))
    kinds = {f.kind: f for f in result.findings}
    assert kinds["missing_role"].work_packages == ("b",)
    assert kinds["skill_gap"].work_packages == ("a",)
    assert "Oracle RAC" in kinds["skill_gap"].message
    # c is 2 person-days for two DBAs (1 day); Ann alone takes 2 days.
    assert kinds["demand_above_team"].work_packages == ("c",)
    assert dates(result, "c") == (date(2027, 1, 6), date(2027, 1, 7))
    assert "Ann is the only dba" in kinds["single_point_of_failure"].message


def test_the_sample_plan_never_overbooks_anyone() -> None:
    p = Plan.model_validate_json(EXAMPLE.read_bytes())
    result = level_plan(p)
    assert result.schedule.assignments
    assert_nobody_overbooked(p, result)
    assert set(result.schedule.critical_path) <= {wp.code for wp in p.wbs}
    staffed = {a.code for a in result.schedule.assignments}
    assert staffed == {c for c, (s, e) in result.periods.items() if e > s and c != "4.3"}


@settings(max_examples=25, deadline=None)
@given(
    durations=st.lists(st.integers(1, 5), min_size=1, max_size=6),
    dbas=st.integers(1, 2),
    chain=st.booleans(),
)
def test_levelled_plans_respect_dependencies_and_capacity(durations, dbas, chain) -> None:
    wbs = [
        wp(f"w{i}", d, "dba", *([f"w{i - 1}"] if chain and i else []))
        for i, d in enumerate(durations)
    ]
    result = level_plan(plan(wbs, [person(f"p{k}") for k in range(dbas)]))
    spans = {t.code: (t.early_start, t.early_finish) for t in result.schedule.tasks}
    if chain:
        for i in range(1, len(durations)):
            assert spans[f"w{i}"][0] > spans[f"w{i - 1}"][1]
    # No day has more DBA-jobs running than DBAs.
    day = MONDAY
    while day <= result.schedule.finish:
        running = sum(1 for s, f in spans.values() if s <= day <= f)
        assert running <= dbas
        day += timedelta(days=1)
    lower = max(sum(durations) / dbas, *durations) if not chain else sum(durations)
    assert result.makespan_days >= lower


def test_a_person_with_two_roles_fills_both() -> None:
    team = [Member(id="kim", name="Kim", roles=["developer", "data engineer"])]
    wbs = [wp("a", 2, "developer"), wp("b", 2, "data engineer")]
    result = level_plan(plan(wbs, team))
    assert not [f for f in result.findings if f.kind == "missing_role"]
    assert {(a.code, a.member_id) for a in result.schedule.assignments} == {
        ("a", "kim"),
        ("b", "kim"),
    }
    # Half of Kim's time per role: both jobs run side by side at half speed, never overbooked.
    assert sum(a.units for a in result.schedule.assignments) == 1.0


def test_a_lead_lets_the_successor_run_first_without_a_false_cycle() -> None:
    wbs = [
        wp("x", 1, "analyst"),
        wp("a", 5, "dba", "x"),
        WorkPackage(
            code="b",
            name="B",
            estimate=Estimate(optimistic=3, likely=3, pessimistic=3),
            role_demands=[RoleDemand(role="dba")],
            depends_on=[Dependency(predecessor="a", type="SS", lag_days=-5)],
        ),
    ]
    result = level_plan(plan(wbs, [person("d"), person("n", "analyst")]))
    assert result.periods["b"][1] <= result.periods["a"][0]  # b ran first, inside the lead
    assert result.resource_edges == []


@settings(max_examples=30, deadline=None)
@given(
    data=st.data(),
    n=st.integers(2, 6),
    part_time=st.booleans(),
)
def test_random_plans_keep_every_link_and_nobodys_share_is_overbooked(data, n, part_time) -> None:
    roles = ["dba", "developer"]
    wbs = []
    for i in range(n):
        deps = []
        for j in data.draw(st.lists(st.integers(0, i - 1), max_size=2, unique=True)) if i else []:
            kind = data.draw(st.sampled_from(["FS", "SS", "FF", "SF"]))
            lag = data.draw(st.sampled_from([-2.0, -0.5, 0.0, 1.0, 2.5]))
            deps.append(Dependency(predecessor=f"w{j}", type=kind, lag_days=lag))
        days = data.draw(st.sampled_from([0.5, 1.0, 2.0, 3.5]))
        wbs.append(
            WorkPackage(
                code=f"w{i}",
                name=f"W{i}",
                estimate=Estimate(optimistic=days, likely=days, pessimistic=days),
                role_demands=[RoleDemand(role=data.draw(st.sampled_from(roles)))],
                depends_on=deps,
            )
        )
    team = [
        Member(
            id="m1", name="M1", roles=["dba", "developer"], availability=0.5 if part_time else 1
        ),
        Member(id="m2", name="M2", roles=["developer"]),
    ]
    result = level_plan(plan(wbs, team))
    span = result.periods
    for w in wbs:
        for dep in w.depends_on:
            p, s = span[dep.predecessor], span[w.code]
            delta = precedence_from_link(
                p[1] - p[0], s[1] - s[0], dep.type, round(dep.lag_days * PERIODS_PER_DAY)
            )
            assert s[0] >= p[0] + delta
    load: dict[tuple[str, str, int], float] = {}
    for a in result.schedule.assignments:
        start, end = span[a.code]
        for period in range(start, end):
            key = (a.member_id, a.role, period)
            load[key] = load.get(key, 0) + a.units
    # M1's time is split equally over the roles of theirs that the plan needs.
    needed = {d.role for w in wbs for d in w.role_demands}
    share = {("m1", r): 1 / len(needed) for r in needed} | {("m2", "developer"): 1.0}
    for (mid, role, _), units in load.items():
        availability = 0.5 if (mid == "m1" and part_time) else 1.0
        assert units <= share[(mid, role)] * availability + 1e-9
