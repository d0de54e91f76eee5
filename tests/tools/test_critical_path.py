"""CPM on integer units. The worked example is hand-computed with the forward and backward
pass rules of the PMBOK Guide, 6th ed., section 6.5.2.2, extended to SS/FF/SF links as in
Microsoft Project (a link bounds one end of the successor by one end of the predecessor)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.critical_path import (
    LINK_ENDS,
    Activity,
    CycleError,
    Link,
    NetworkError,
    UnknownActivityError,
    analyse,
)

WORKED = [
    Activity("A", 3),
    Activity("B", 2, (Link("A", "FS", 1),)),
    Activity("C", 4, (Link("A", "SS", 2),)),
    Activity("E", 5, (Link("A", "SF", 1),)),
    Activity("D", 2, (Link("C", "FF", 0),)),
    Activity("H", 1, (Link("A", "FS"),)),
    Activity("I", 1, (Link("H", "FS"),)),
    Activity("F", 1, (Link("B"), Link("D"), Link("I"))),
    Activity("G", 2, (Link("F", "FS", -1),)),
]

# code: (ES, EF, LS, LF, total float, free float)
EXPECTED = {
    "A": (0, 3, 0, 3, 0, 0),
    "B": (4, 6, 4, 6, 0, 0),
    "C": (2, 6, 2, 6, 0, 0),
    "E": (0, 5, 3, 8, 3, 3),  # SF: E may finish once A has started + 1; it starts at 0
    "D": (4, 6, 4, 6, 0, 0),  # FF: D finishes with C
    "H": (3, 4, 4, 5, 1, 0),
    "I": (4, 5, 5, 6, 1, 1),
    "F": (6, 7, 6, 7, 0, 0),
    "G": (6, 8, 6, 8, 0, 0),  # negative lag: G starts one unit before F finishes
}


def test_worked_example() -> None:
    net = analyse(WORKED)
    assert net.finish == 8
    got = {
        c: (t.early_start, t.early_finish, t.late_start, t.late_finish, t.total_float, t.free_float)
        for c, t in net.timings.items()
    }
    assert got == EXPECTED
    assert net.critical_path == ("A", "C", "B", "D", "F", "G")


def test_release_delays_an_activity_and_its_successors() -> None:
    net = analyse([Activity("A", 2, release=5), Activity("B", 1, (Link("A"),))])
    assert net.timings["B"].early_start == 7
    assert net.finish == 8


def test_nothing_starts_before_the_project() -> None:
    net = analyse([Activity("A", 2), Activity("B", 1, (Link("A", "FS", -10),))])
    assert net.timings["B"].early_start == 0


def test_cycle_is_named() -> None:
    acts = [
        Activity("X", 1),
        Activity("A", 1, (Link("X"), Link("C"))),
        Activity("B", 1, (Link("A"),)),
        Activity("C", 1, (Link("B"),)),
    ]
    with pytest.raises(CycleError) as err:
        analyse(acts)
    assert sorted(err.value.cycle) == ["A", "B", "C"]
    assert "X" not in err.value.cycle
    assert "dependency cycle:" in str(err.value)


def test_bad_networks_raise_typed_errors() -> None:
    with pytest.raises(UnknownActivityError, match="B depends on unknown activity Z"):
        analyse([Activity("B", 1, (Link("Z"),))])
    with pytest.raises(NetworkError, match="duplicate activity A"):
        analyse([Activity("A", 1), Activity("A", 2)])
    with pytest.raises(NetworkError, match="unknown link type"):
        analyse([Activity("A", 1), Activity("B", 1, (Link("A", "XX"),))])


@st.composite
def networks(draw: st.DrawFn) -> list[Activity]:
    n = draw(st.integers(1, 25))
    acts = []
    for i in range(n):
        preds = draw(st.lists(st.integers(0, i - 1), max_size=3, unique=True)) if i else []
        links = tuple(
            Link(f"a{p}", draw(st.sampled_from(sorted(LINK_ENDS))), draw(st.integers(-5, 5)))
            for p in preds
        )
        acts.append(Activity(f"a{i}", draw(st.integers(0, 20)), links, draw(st.integers(0, 3))))
    return acts


def _bound(link: Link, es: int, ef: int, duration: int) -> int:
    """The earliest start that one link allows its successor."""
    pred_end, succ_end = LINK_ENDS[link.type]
    value = (es if pred_end == "start" else ef) + link.lag
    return value if succ_end == "start" else value - duration


@given(networks())
def test_every_early_start_satisfies_every_predecessor(acts: list[Activity]) -> None:
    net = analyse(acts)
    t = net.timings
    for a in acts:
        bounds = [max(0, a.release)]
        for link in a.links:
            p = t[link.predecessor]
            bounds.append(_bound(link, p.early_start, p.early_finish, a.duration))
        assert t[a.code].early_start >= max(bounds)
        assert t[a.code].early_start == max(bounds)  # and as early as allowed
        assert t[a.code].early_finish == t[a.code].early_start + a.duration


@given(networks())
def test_late_dates_are_feasible_and_floats_consistent(acts: list[Activity]) -> None:
    net = analyse(acts)
    t = net.timings
    for a in acts:
        ta = t[a.code]
        assert 0 <= ta.free_float <= ta.total_float
        assert ta.late_finish <= net.finish
        for link in a.links:
            p = t[link.predecessor]
            # The late schedule satisfies every link too.
            assert ta.late_start >= _bound(link, p.late_start, p.late_finish, a.duration)
    assert any(t[c].early_finish == net.finish for c in net.critical_path)
