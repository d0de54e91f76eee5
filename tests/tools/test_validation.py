from tools.domain import Dependency, Estimate, WorkPackage
from tools.validation import validate_wbs

E = Estimate(optimistic=1, likely=2, pessimistic=3)


def wp(code: str, parent: str | None = None, deps: tuple[str, ...] = (), est=E) -> WorkPackage:
    return WorkPackage(
        code=code,
        name=f"Package {code}",
        parent=parent,
        estimate=est,
        depends_on=[Dependency(predecessor=d) for d in deps],
    )


def kinds(wbs: list[WorkPackage]) -> list[str]:
    return [i.kind for i in validate_wbs(wbs)]


def test_a_sound_wbs_has_no_issues() -> None:
    wbs = [wp("1", est=None), wp("1.1", "1"), wp("1.2", "1", ("1.1",)), wp("2", deps=("1",))]
    assert validate_wbs(wbs) == []


def test_each_structural_mistake_is_reported_with_its_code() -> None:
    assert kinds([]) == ["empty_wbs"]
    issues = validate_wbs([wp("1"), wp("1")])
    assert [(i.kind, i.code) for i in issues] == [("duplicate_code", "1")]
    assert kinds([wp("1.1", "9")]) == ["unknown_parent"]
    assert kinds([wp("1", "2"), wp("2", "1")]) == ["parent_cycle"]
    assert kinds([wp("1", deps=("7",))]) == ["unknown_dependency"]
    assert kinds([wp("1", deps=("1",))]) == ["self_dependency"]
    assert kinds([wp("1", est=None), wp("1.1", "1", ("1",))]) == ["dependency_on_ancestor"]


def test_parent_loop_names_the_loop() -> None:
    [issue] = validate_wbs([wp("a", "c"), wp("b", "a"), wp("c", "b"), wp("d", "a")])
    assert issue.kind == "parent_cycle"
    assert set(issue.related) == {"a", "b", "c"}
    assert "parent loop:" in issue.message


def test_cycles_through_summaries_are_found_and_named() -> None:
    # 2.1 waits for 1 (all of it); 1.2 waits for 2.1: a loop via the summary 1.
    wbs = [wp("1", est=None), wp("1.1", "1"), wp("1.2", "1", ("2.1",)), wp("2.1", deps=("1",))]
    [issue] = validate_wbs(wbs)
    assert issue.kind == "dependency_cycle"
    assert set(issue.related) == {"1.2", "2.1"}
    assert "1.2" in issue.message
    assert "2.1" in issue.message


def test_unestimated_leaf_and_parent_that_is_not_its_children() -> None:
    wbs = [wp("1", est=Estimate(optimistic=9, likely=9, pessimistic=9)), wp("1.1", "1")]
    wbs.append(wp("2", est=None))
    issues = validate_wbs(wbs)
    assert [(i.kind, i.code) for i in issues] == [
        ("missing_estimate", "2"),
        ("parent_not_rollup", "1"),
    ]
    # 1.1 is 2 days = 16 h; the parent states 9 days = 72 h.
    assert "72.0 h" in issues[1].message
    assert "16.0 h" in issues[1].message


def test_a_parent_that_matches_its_children_is_fine() -> None:
    wbs = [wp("1", est=Estimate(optimistic=4, likely=4, pessimistic=4)), wp("1.1", "1")]
    wbs.append(wp("1.2", "1"))
    assert validate_wbs(wbs) == []
