"""Life-cycle links the engine adds: go-live after build and test, hypercare after go-live."""

from __future__ import annotations

from tools.domain import Dependency, Estimate, WorkPackage
from tools.logic import enforce_gates
from tools.wbs import leaf_links


def leaf(code: str, name: str, *after: str) -> WorkPackage:
    return WorkPackage(
        code=code,
        name=name,
        estimate=Estimate(optimistic=1, likely=2, pessimistic=3),
        depends_on=[Dependency(predecessor=a) for a in after],
    )


def preds(wbs: list[WorkPackage]) -> dict[str, set[str]]:
    return {c: {lk.predecessor for lk in links} for c, links in leaf_links(wbs).items()}


def test_missing_links_are_added_and_said() -> None:
    wbs = [
        leaf("1", "Build the adapters"),
        leaf("2", "Performance test", "1"),
        leaf("3", "Cut-over rehearsal"),
        leaf("4", "Production cut-over", "3"),
        leaf("5", "Hypercare"),
        leaf("6", "User training"),
    ]
    out, said = enforce_gates(wbs)
    p = preds(out)
    assert p["4"] == {"3", "2"}  # the test (and through it the build) before the cut-over
    assert p["5"] == {"4"}
    assert p["6"] == set() and p["3"] == set()  # neither a gate nor after; a rehearsal prepares
    assert said and "4 after 2" in said[0]


def test_nothing_is_added_that_would_close_a_loop_or_is_already_there() -> None:
    wbs = [
        leaf("1", "Go-live"),
        leaf("2", "Regression test", "1"),  # the drafter put a test after go-live on purpose
        leaf("3", "Decommission the old system", "1"),
    ]
    out, said = enforce_gates(wbs)
    assert preds(out) == preds(wbs) and said == []


def test_waves_gate_the_last_go_live_and_follow_the_first() -> None:
    wbs = [
        leaf("1", "Build wave 1"),
        leaf("2", "Wave 1 go-live", "1"),
        leaf("3", "Build wave 2"),
        leaf("4", "Wave 2 go-live", "2", "3"),
        leaf("5", "Hypercare"),
    ]
    out, _ = enforce_gates(wbs)
    p = preds(out)
    assert p["2"] == {"1"}  # wave 2's build may end after wave 1 went live
    assert p["5"] == {"2"}
