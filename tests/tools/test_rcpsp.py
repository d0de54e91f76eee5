"""RCPSP core: every engine's schedule passes `check`; CP-SAT matches an exhaustive search on
tiny instances; the heuristics never beat the optimum; a seed fixes the answer.

The worked example HAND was solved by hand:

    capacity of the one resource by period: 2 2 1 1 2 2 ... (an absence in periods 2-3)
    A: 2 periods, needs 1     B: 3 periods, needs 1
    C: 2 periods, needs 2     D: 1 period,  needs 1
    A -> C finish-to-start (delta 2); D may start one period before C (delta -1)

CPM (resources ignored) finishes at 4; late finishes A 2, B 4, C 4, D 4 (D's late start 3
= 4 - 1; C's = min(4 - 2, 3 + 1) = 2; A's = 2 - 2 = 0; B's = 4 - 3 = 1).

Serial SGS with LFT: eligible {A, B}: A (LFT 2) at 0, leaving 1 in periods 0-3. Then {B, C}
tie on LFT 4, input order: B at 0 fits (1 free in 0-2), leaving 0 in 0-2 and 1 in 3. C
(earliest 2, needs 2 for 2 periods) is blocked in 2 and 3, so starts at 4. D: earliest
4 - 1 = 3, 1 free in period 3: D at 3. Makespan 6.

It is the unique optimum: C needs 2 for two consecutive periods, which only 0-1 and 4-5
offer, and A -> C rules out 0; so C = 4 and the makespan is at least 6 (the energy bound,
2+3+4+1 = 10 unit-periods supplied by period 6, says 6 too). Then D in 4-5 would overload,
so D = 3; period 3 is then full, so B (3 periods) must be 0-2; A at 1 or 2 would overload
period 2, so A = 0.

Parallel SGS with LFT does worse, as it may: at t = 0 it starts A and B; C waits for period
4 (absence, then B until 3); D becomes eligible only once C has started, at 4, where C fills
the resource, so D starts at 6. Makespan 7.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.psplib import generate, parse_sm, read_optima
from tools.critical_path import Activity, CycleError, Link, analyse
from tools.rcpsp import (
    PRIORITY_RULES,
    InfeasibleError,
    InfeasibleJobError,
    Instance,
    Job,
    Precedence,
    PrecedenceCycleError,
    RcpspError,
    UnknownJobError,
    Violation,
    check,
    justify,
    level,
    lower_bound,
    makespan,
    parallel_sgs,
    precedence_from_link,
    sample,
    serial_sgs,
    solve,
)

HAND = Instance(
    jobs=(Job("A", 2, (1,)), Job("B", 3, (1,)), Job("C", 2, (2,)), Job("D", 1, (1,))),
    precedences=(Precedence("A", "C", 2), Precedence("C", "D", -1)),
    capacity=((2, 2, 1, 1, 2),),
)
HAND_OPTIMUM = {"A": 0, "B": 0, "C": 4, "D": 3}


# ------------------------------------------------------------------ worked example


def test_serial_lft_by_hand() -> None:
    assert serial_sgs(HAND, "LFT") == HAND_OPTIMUM


def test_parallel_lft_by_hand() -> None:
    assert parallel_sgs(HAND, "LFT") == {"A": 0, "B": 0, "C": 4, "D": 6}


def test_every_engine_finds_the_unique_optimum() -> None:
    assert lower_bound(HAND) == 6
    result = level(HAND)
    assert (result.starts, result.makespan, result.optimal, result.lower_bound) == (
        HAND_OPTIMUM,
        6,
        True,
        6,
    )
    assert result.method == "heuristic"  # at the energy bound: no solver needed
    solved = solve(HAND)
    assert (solved.starts, solved.optimal, solved.lower_bound) == (HAND_OPTIMUM, True, 6)
    assert sample(HAND, passes=3, seed=5) == HAND_OPTIMUM
    assert _brute_force(HAND.jobs, HAND.precedences, HAND.capacity) == 6


def test_justify_removes_idle_time() -> None:
    inst = Instance(
        (Job("X", 1, (1,)), Job("Y", 2, (1,)), Job("Z", 1, (1,))),
        (Precedence("X", "Z", 1),),
        ((1,),),
    )
    loose = {"X": 0, "Y": 3, "Z": 6}
    assert check(inst, loose) == []
    tight = justify(inst, loose)
    assert check(inst, tight) == []
    assert makespan(inst, tight) == 4  # one unit of capacity, four unit-periods of work


# ------------------------------------------------------------------ links


@pytest.mark.parametrize(
    ("link_type", "expected"),
    [("FS", 3 + 1), ("SS", 1), ("FF", 3 + 1 - 2), ("SF", 1 - 2)],
)
def test_precedence_from_link(link_type: str, expected: int) -> None:
    assert precedence_from_link(3, 2, link_type, 1) == expected


@given(
    st.integers(0, 6),
    st.integers(0, 6),
    st.sampled_from(["FS", "SS", "FF", "SF"]),
    st.integers(-5, 5),
)
def test_precedence_agrees_with_cpm(pred: int, succ: int, link_type: str, lag: int) -> None:
    """A predecessor at 0: CPM's early start of the successor is the distance (or 0)."""
    net = analyse([Activity("P", pred), Activity("S", succ, (Link("P", link_type, lag),))])
    delta = precedence_from_link(pred, succ, link_type, lag)
    assert net.timings["S"].early_start == max(0, delta)


def test_unknown_link_type() -> None:
    with pytest.raises(RcpspError, match="link type"):
        precedence_from_link(1, 1, "XX", 0)


# ------------------------------------------------------------------ bad input


def test_unknown_job_in_precedence() -> None:
    with pytest.raises(UnknownJobError) as err:
        Instance((Job("A", 1, (1,)),), (Precedence("A", "Q", 1),), ((1,),))
    assert err.value.job == "Q"


def test_demand_above_any_capacity_names_job_and_resource() -> None:
    with pytest.raises(InfeasibleJobError) as err:
        Instance(
            (Job("A", 1, (1, 0)), Job("B", 2, (0, 3))),
            (),
            ((1,), (2, 1)),
            resource_names=("Ana", "Ben"),
        )
    assert (err.value.job, err.value.resource) == ("B", "Ben")
    assert "needs 3, at most 2" in str(err.value)


def test_resource_leaving_before_a_window_opens() -> None:
    """Ben is there for periods 0 and 2 only, then leaves: two consecutive periods never come."""
    with pytest.raises(InfeasibleJobError, match="no 2 consecutive periods") as err:
        Instance((Job("A", 2, (1,)),), (), ((1, 0, 1, 0),), resource_names=("Ben",))
    assert err.value.resource == "Ben"


def test_cycle_is_named() -> None:
    jobs = tuple(Job(c, 1, (0,)) for c in "XABC")
    precs = (
        Precedence("X", "A", 1),
        Precedence("A", "B", 1),
        Precedence("B", "C", -3),
        Precedence("C", "A", 0),
    )
    with pytest.raises(PrecedenceCycleError) as err:
        Instance(jobs, precs, ((1,),))
    assert sorted(err.value.cycle) == ["A", "B", "C"]
    assert isinstance(err.value, CycleError)  # callers of tools.critical_path catch it too


@pytest.mark.parametrize(
    ("jobs", "capacity", "message"),
    [
        ((Job("A", 1, (1,)), Job("A", 1, (1,))), ((1,),), "duplicate job"),
        ((Job("A", -1, (1,)),), ((1,),), "duration"),
        ((Job("A", 1, (1, 1)),), ((1,),), "demands"),
        ((Job("A", 1, (-1,)),), ((1,),), "demands"),
        ((Job("A", 1, (0,)),), ((),), "empty or negative"),
        ((Job("A", 1, (0,)),), ((2, -1),), "empty or negative"),
    ],
)
def test_malformed_instances(
    jobs: tuple[Job, ...], capacity: tuple[tuple[int, ...], ...], message: str
) -> None:
    with pytest.raises(RcpspError, match=message):
        Instance(jobs, (), capacity)


def test_unknown_rule() -> None:
    with pytest.raises(RcpspError, match="priority rule"):
        serial_sgs(HAND, "NOPE")


def test_work_left_when_the_resource_leaves_is_infeasible() -> None:
    """Each job fits in periods 0-2 alone, but X then Y needs 4 periods: no schedule."""
    inst = Instance(
        (Job("X", 2, (1,)), Job("Y", 2, (1,))), (Precedence("X", "Y", 2),), ((1, 1, 1, 0),)
    )
    with pytest.raises(InfeasibleError):
        level(inst, use_solver=False)
    with pytest.raises(InfeasibleError, match="no schedule exists"):
        level(inst)


def test_work_finishes_before_the_resource_leaves() -> None:
    inst = Instance(
        (Job("X", 2, (1,)), Job("Y", 2, (1,)), Job("Z", 3, (0,))),
        (Precedence("X", "Y", 2), Precedence("X", "Z", 1)),
        ((1, 1, 1, 1, 0),),
    )
    result = level(inst)
    assert result.starts == {"X": 0, "Y": 2, "Z": 1}
    assert result.optimal


# ------------------------------------------------------------------ the checker


def test_check_names_every_kind_of_violation() -> None:
    bad = {"A": -1, "B": 0, "C": 0, "E": 4}  # D missing, E unknown, C before A + 2, overload
    kinds = {v.kind for v in check(HAND, bad)}
    assert kinds == {"unknown", "missing", "negative", "precedence", "capacity"}


def test_check_reports_an_overload_as_one_run() -> None:
    starts = {"A": 0, "B": 0, "C": 2, "D": 1}  # C runs in the absence, D on top of A and B
    found = [v for v in check(HAND, starts) if v.kind == "capacity"]
    assert found == [
        Violation(
            "capacity",
            "resource R1 over capacity in periods 1..3 (3 > 2 at 1)",
            ("A", "B", "D"),
            0,
            1,
            3,
        )
    ]


# ------------------------------------------------------------------ random instances


def _brute_force(
    jobs: Sequence[Job], precedences: Sequence[Precedence], capacity: Sequence[Sequence[int]]
) -> int | None:
    """The optimal makespan by exhaustive search over integer starts (None: infeasible).

    Jobs go in a topological order, each at every start from its precedence bound up to
    the best makespan found so far; starts are bounded by profile length + each job's
    largest reach (duration or outgoing distance) + the longest duration, a bound that
    some optimal schedule keeps (argued in `tools.rcpsp._safe_horizon`) -- restated here
    so that the search does not borrow the engine's code.
    """
    preds = {j.id: [p for p in precedences if p.after == j.id] for j in jobs}
    order: list[Job] = []
    while len(order) < len(jobs):
        placed = {j.id for j in order}
        order.append(
            next(
                j
                for j in jobs
                if j.id not in placed and all(p.before in placed for p in preds[j.id])
            )
        )
    reach = sum(
        max([j.duration] + [p.delta for p in precedences if p.before == j.id]) for j in jobs
    )
    horizon = max(len(c) for c in capacity) + reach + max(j.duration for j in jobs)
    cap = [[c[t] if t < len(c) else c[-1] for t in range(horizon + 1)] for c in capacity]
    used = [[0] * (horizon + 1) for _ in capacity]
    start: dict[str, int] = {}
    best = horizon + 1

    def place(k: int, span: int) -> None:
        nonlocal best
        if k == len(order):
            best = min(best, span)
            return
        job = order[k]
        earliest = max([0] + [start[p.before] + p.delta for p in preds[job.id]])
        for t in range(earliest, best - job.duration):
            periods = range(t, t + job.duration)
            if any(used[r][p] + q > cap[r][p] for r, q in enumerate(job.demands) for p in periods):
                continue
            for r, q in enumerate(job.demands):
                for p in periods:
                    used[r][p] += q
            start[job.id] = t
            place(k + 1, max(span, t + job.duration))
            for r, q in enumerate(job.demands):
                for p in periods:
                    used[r][p] -= q

    place(0, 0)
    return best if best <= horizon else None


@st.composite
def raw_instances(
    draw: st.DrawFn, max_jobs: int, max_duration: int, leaving: bool
) -> tuple[tuple[Job, ...], tuple[Precedence, ...], tuple[tuple[int, ...], ...]]:
    """Jobs, precedences (forward in index order, so acyclic; distances -3..5) and one
    profile per resource: a few periods at random levels (drops and absences) and then the
    full capacity again, or with `leaving` half the time a lower final level."""
    size = draw(st.integers(1, max_jobs))
    peaks = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    capacity = []
    for peak in peaks:
        prefix = draw(st.lists(st.integers(0, peak), max_size=5))
        final = draw(st.integers(0, peak)) if leaving and draw(st.booleans()) else peak
        capacity.append((*prefix, peak, final) if leaving else (*prefix, final))
    jobs = tuple(
        Job(
            f"J{i}",
            draw(st.integers(0, max_duration)),
            tuple(draw(st.integers(0, peak)) for peak in peaks),
        )
        for i in range(size)
    )
    pairs = [(i, k) for i in range(size) for k in range(i + 1, size)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=8)) if pairs else []
    precedences = tuple(
        Precedence(f"J{i}", f"J{k}", draw(st.integers(-3, 5))) for i, k in sorted(chosen)
    )
    return jobs, precedences, tuple(capacity)


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=60, deadline=None)
@given(raw_instances(max_jobs=6, max_duration=4, leaving=True), st.data())
def test_check_agrees_with_counting_period_by_period(raw: tuple, data: st.DataObject) -> None:
    """The checker sweeps change points; here every period is counted, for any starts."""
    try:
        inst = Instance(*raw)
    except InfeasibleJobError:
        return
    starts = {j.id: data.draw(st.integers(0, 12)) for j in inst.jobs}
    reported = {
        (v.resource, p)
        for v in check(inst, starts)
        if v.kind == "capacity"
        for p in range(v.period, v.last + 1)
    }
    counted = {
        (r, p)
        for r in range(len(inst.capacity))
        for p in range(20)
        if sum(j.demands[r] for j in inst.jobs if starts[j.id] <= p < starts[j.id] + j.duration)
        > inst.capacity_at(r, p)
    }
    assert reported == counted
    late = {
        (p.before, p.after)
        for p in inst.precedences
        if starts[p.after] < starts[p.before] + p.delta
    }
    assert {v.jobs for v in check(inst, starts) if v.kind == "precedence"} == late


@FAST
@given(raw_instances(max_jobs=8, max_duration=4, leaving=False))
def test_every_engine_schedules_feasibly(raw: tuple) -> None:
    inst = Instance(*raw)
    bound = lower_bound(inst)
    schedules = [serial_sgs(inst, rule) for rule in PRIORITY_RULES]
    schedules += [parallel_sgs(inst, rule) for rule in PRIORITY_RULES]
    schedules += [justify(inst, s) for s in schedules[:2]]
    schedules.append(sample(inst, passes=6, seed=1))
    solved = solve(inst, time_limit_s=5.0, hint=schedules[-1])
    assert solved.starts is not None
    schedules.append(solved.starts)
    result = level(inst, time_limit_s=5.0)
    schedules.append(result.starts)
    for starts in schedules:
        assert check(inst, starts) == []
        assert makespan(inst, starts) >= bound
    assert makespan(inst, justify(inst, schedules[0])) <= makespan(inst, schedules[0])
    assert result.makespan == makespan(inst, result.starts) == solved.makespan
    assert result.lower_bound <= result.makespan
    assert result.optimal == (result.lower_bound == result.makespan)


@FAST
@given(raw_instances(max_jobs=5, max_duration=3, leaving=True))
def test_cpsat_matches_exhaustive_search(raw: tuple) -> None:
    optimum = _brute_force(*raw)
    try:
        inst = Instance(*raw)
    except InfeasibleJobError:
        assert optimum is None  # a job that can never run: no schedule at all
        return
    if optimum is None:
        with pytest.raises(InfeasibleError):
            level(inst, time_limit_s=5.0)
        return
    solved = solve(inst, time_limit_s=5.0)
    assert solved.optimal
    assert solved.makespan == optimum
    result = level(inst, time_limit_s=5.0)
    assert result.makespan == optimum
    assert result.optimal
    assert check(inst, result.starts) == []
    if result.heuristic_makespan is not None:
        assert result.heuristic_makespan >= optimum


@settings(max_examples=15, deadline=None)
@given(raw_instances(max_jobs=8, max_duration=4, leaving=False), st.integers(0, 2**16))
def test_a_seed_fixes_the_heuristic(raw: tuple, seed: int) -> None:
    inst = Instance(*raw)
    assert sample(inst, passes=8, seed=seed) == sample(inst, passes=8, seed=seed)
    first = level(inst, seed=seed, use_solver=False, passes=8)
    assert level(inst, seed=seed, use_solver=False, passes=8) == first


def _movable(inst: Instance, starts: dict[str, int]) -> list[str]:
    """Jobs that could start one period earlier, all else fixed: idle float a PM would see."""
    return [j for j, s in starts.items() if s > 0 and not check(inst, {**starts, j: s - 1})]


@FAST
@given(raw_instances(max_jobs=8, max_duration=4, leaving=False))
def test_nothing_starts_later_than_it_must(raw: tuple) -> None:
    """With no negative distance, every job of every levelled schedule is left-justified."""
    jobs, precedences, capacity = raw
    precedences = tuple(Precedence(p.before, p.after, max(0, p.delta)) for p in precedences)
    inst = Instance(jobs, precedences, capacity)
    assert _movable(inst, level(inst, passes=0, time_limit_s=5.0).starts) == []
    assert _movable(inst, serial_sgs(inst)) == []
    assert _movable(inst, parallel_sgs(inst)) == []


def test_a_hint_must_be_feasible() -> None:
    with pytest.raises(RcpspError, match="hint"):
        solve(HAND, hint={"A": 0, "B": 0, "C": 2, "D": 1})


def test_solver_is_skipped_above_the_threshold() -> None:
    inst = generate(30, random.Random(3), rf=1.0, rs=0.2)
    result = level(inst, solver_threshold_jobs=10, passes=5)
    assert result.method == "heuristic"
    assert result.heuristic_makespan == result.makespan
    assert check(inst, result.starts) == []


def test_cpsat_improves_a_weak_heuristic() -> None:
    """No random pass on a tight generated instance leaves room for CP-SAT, whose own
    schedule here has jobs that could start earlier (four of them, in trials) until
    `level` compacts it."""
    inst = generate(30, random.Random(2), rf=1.0, rs=0.2)
    result = level(inst, passes=0, time_limit_s=1.0)
    assert result.method == "cpsat"
    assert result.heuristic_makespan is not None
    assert result.makespan < result.heuristic_makespan
    assert check(inst, result.starts) == []
    assert _movable(inst, result.starts) == []  # CP-SAT's schedule, compacted
    assert result.lower_bound <= result.makespan


# ------------------------------------------------------------------ PSPLIB j30


@pytest.fixture(scope="module")
def j30(shared_data: Path) -> Path:
    return shared_data / "psplib" / "j30"


@pytest.mark.parametrize("name", ["j301_1.sm", "j305_3.sm", "j3017_5.sm"])
def test_psplib_optimum_is_reached(j30: Path, name: str) -> None:
    inst = parse_sm((j30 / name).read_text())
    assert len(inst.jobs) == 32
    assert len(inst.capacity) == 4
    result = level(inst, time_limit_s=10.0)
    assert check(inst, result.starts) == []
    assert result.makespan == read_optima(j30 / "optimum.csv")[name]
    assert result.optimal


def test_psplib_single_pass_baseline(j30: Path) -> None:
    """Serial LFT is a classic single pass: feasible, never below the optimum, and on these
    instances within the 5.6 % mean the data README reports for it."""
    optima = read_optima(j30 / "optimum.csv")
    gaps = []
    for name in sorted(optima)[:20]:
        inst = parse_sm((j30 / name).read_text())
        starts = serial_sgs(inst, "LFT")
        assert check(inst, starts) == []
        gaps.append(makespan(inst, starts) / optima[name] - 1)
    assert min(gaps) >= 0
    assert sum(gaps) / len(gaps) < 0.10
