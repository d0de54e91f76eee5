"""Monte Carlo forecast: exact where the answer is known (no variance, certain risks, hand
sums, integer-shape PERT-beta quantiles), statistical within a stated tolerance elsewhere."""

import math
import random

import numpy as np
import pytest

from tools.critical_path import Activity, Link, analyse
from tools.simulation import (
    Precedence,
    QuantileTable,
    RiskEvent,
    SimulationError,
    Task,
    ThreePoint,
    pert_quantile,
    regularized_beta,
    simulate,
)

# The worked example of tests/tools/test_critical_path.py: SS, FF, SF, lags, a negative lag.
WORKED = [
    ("A", 3, ()),
    ("B", 2, (("A", "FS", 1),)),
    ("C", 4, (("A", "SS", 2),)),
    ("E", 5, (("A", "SF", 1),)),
    ("D", 2, (("C", "FF", 0),)),
    ("H", 1, (("A", "FS", 0),)),
    ("I", 1, (("H", "FS", 0),)),
    ("F", 1, (("B", "FS", 0), ("D", "FS", 0), ("I", "FS", 0))),
    ("G", 2, (("F", "FS", -1),)),
]


def fixed(days: float) -> ThreePoint:
    return ThreePoint(days, days, days)


def as_tasks(
    rows: list[tuple[str, int, tuple]], releases: dict[str, int] | None = None
) -> tuple[list[Activity], list[Task]]:
    """The same network for both engines: CPM activities and zero-variance tasks."""
    index = {code: i for i, (code, _, _) in enumerate(rows)}
    releases = releases or {}
    activities = [
        Activity(code, d, tuple(Link(p, t, lag) for p, t, lag in links), releases.get(code, 0))
        for code, d, links in rows
    ]
    tasks = [
        Task(
            fixed(d),
            tuple(Precedence(index[p], t, lag) for p, t, lag in links),
            release_days=releases.get(code, 0),
            code=code,
        )
        for code, d, links in rows
    ]
    return activities, tasks


def random_network(size: int, seed: int) -> list[tuple[str, int, tuple]]:
    """Mixed link types and lags (-2..5), durations 0..20, links within 30 earlier tasks."""
    rng = random.Random(seed)
    rows = []
    for i in range(size):
        earlier = range(max(0, i - 30), i)
        preds = rng.sample(earlier, min(len(earlier), rng.randint(0, 3)))
        links = tuple(
            (f"T{p}", rng.choice(["FS", "SS", "FF", "SF"]), rng.randint(-2, 5)) for p in preds
        )
        rows.append((f"T{i}", rng.randint(0, 20), links))
    return rows


def assert_matches_cpm(rows: list, releases: dict[str, int] | None = None) -> None:
    activities, tasks = as_tasks(rows, releases)
    net = analyse(activities)
    forecast = simulate(tasks, iterations=3, seed=1)
    assert forecast.finish_sorted.tolist() == [net.finish] * 3
    assert forecast.finish_days.p90 == net.finish
    assert forecast.base_finish_days == net.finish
    critical = [1.0 if net.timings[code].critical else 0.0 for code, _, _ in rows]
    assert list(forecast.criticality) == critical


# --- zero variance is the CPM ---------------------------------------------------------------


def test_zero_variance_equals_cpm_on_the_worked_example() -> None:
    assert_matches_cpm(WORKED)


def test_zero_variance_equals_cpm_with_releases() -> None:
    assert_matches_cpm(WORKED, releases={"H": 6, "E": 2})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_zero_variance_equals_cpm_on_random_mixed_networks(seed: int) -> None:
    assert_matches_cpm(random_network(300, seed), releases={"T10": 40, "T77": 15})


# --- reproducibility -------------------------------------------------------------------------


def small_project() -> tuple[list[Task], list[RiskEvent]]:
    tasks = [
        Task(ThreePoint(2, 4, 10), rate_cents_per_day=80_000, code="design"),
        Task(ThreePoint(5, 8, 20), (Precedence(0),), rate_cents_per_day=120_000, code="build"),
        Task(ThreePoint(3, 4, 6), (Precedence(0, "SS", 1),), rate_cents_per_day=50_000),
        Task(ThreePoint(1, 2, 5), (Precedence(1), Precedence(2, "FF")), fixed_cents=250_000),
    ]
    risks = [
        RiskEvent(0.3, (1,), ThreePoint(2, 5, 12), ThreePoint(100_000, 300_000, 900_000), "R1"),
        RiskEvent(0.1, (), ThreePoint(1, 2, 4, "triangular"), None, "R2"),
    ]
    return tasks, risks


def test_same_seed_same_forecast() -> None:
    tasks, risks = small_project()
    one = simulate(tasks, risks, iterations=3000, seed=42)
    two = simulate(tasks, risks, iterations=3000, seed=42)
    assert np.array_equal(one.finish_sorted, two.finish_sorted)
    assert np.array_equal(one.cost_sorted, two.cost_sorted)
    assert one.criticality == two.criticality
    assert one.drivers == two.drivers
    assert (one.finish_days, one.cost_cents) == (two.finish_days, two.cost_cents)


def test_another_seed_another_sample() -> None:
    tasks, risks = small_project()
    one = simulate(tasks, risks, iterations=3000, seed=42)
    other = simulate(tasks, risks, iterations=3000, seed=43)
    assert not np.array_equal(one.finish_sorted, other.finish_sorted)
    assert abs(one.finish_days.p50 - other.finish_days.p50) < 1.0  # but the same forecast


# --- the PERT-beta sampler -------------------------------------------------------------------


def beta_cdf(x: float, a: int, b: int) -> float:
    """Exact Beta CDF for integer shapes: P(at least a of a+b-1 uniforms fall below x)."""
    n = a + b - 1
    return math.fsum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(a, n + 1))


def beta_quantile(p: float, a: int, b: int) -> float:
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if beta_cdf(mid, a, b) < p else (lo, mid)
    return (lo + hi) / 2


def test_regularized_beta_matches_the_binomial_sum() -> None:
    x = np.linspace(0, 1, 101)
    for a in range(1, 6):
        expected = [beta_cdf(v, a, 6 - a) for v in x]
        assert np.allclose(regularized_beta(x, a, 6 - a), expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("mode", [0, 2, 4, 6, 8])  # alpha = 1 .. 5 on the range 2..10
def test_pert_table_matches_exact_quantiles(mode: int) -> None:
    """Within 1e-4 of the range on the central 98 %, the drawn CDF within 2e-4 of the exact
    one everywhere, and the mean within 1e-5 of the range."""
    low, high = 2.0, 10.0
    a = 1 + mode // 2
    u = np.linspace(0.01, 0.99, 197)
    exact = np.array([low + (high - low) * beta_quantile(p, a, 6 - a) for p in u])
    assert np.max(np.abs(pert_quantile(low, low + mode, high, u) - exact)) < 1e-4 * (high - low)
    u = np.linspace(0, 1, 4001)
    x = (pert_quantile(low, low + mode, high, u) - low) / (high - low)
    assert max(abs(beta_cdf(v, a, 6 - a) - p) for v, p in zip(x, u, strict=True)) < 2e-4
    mids = (np.arange(1 << 16) + 0.5) / (1 << 16)
    mean = float(np.mean(pert_quantile(low, low + mode, high, mids)))
    assert mean == pytest.approx(low + (high - low) * a / 6, abs=1e-5 * (high - low))


def test_pert_table_between_tabulated_shapes() -> None:
    """Mode at 1/7 of the range is no tabulated shape: compare with a Simpson-integrated CDF."""
    a, b = 1 + 4 / 7, 5 - 4 / 7
    x = np.linspace(0, 1, 200_001)
    pdf = x ** (a - 1) * (1 - x) ** (b - 1)
    h = x[1] - x[0]
    pieces = (pdf[:-2:2] + 4 * pdf[1:-1:2] + pdf[2::2]) * h / 3
    cdf = np.concatenate([[0.0], np.cumsum(pieces)])
    cdf /= cdf[-1]
    u = np.linspace(0.01, 0.99, 99)
    exact = np.interp(u, cdf, x[::2])
    assert np.max(np.abs(pert_quantile(0.0, 1.0, 7.0, u) / 7.0 - exact)) < 5e-5


def test_single_task_percentiles_match_the_pert_beta() -> None:
    """(2, 4, 10) is Beta(2, 4) on [2, 10]; the sampled P50/P80 within 4 standard errors."""
    n = 40_000
    forecast = simulate([Task(ThreePoint(2, 4, 10))], iterations=n, seed=7)
    for p, sampled in ((0.5, forecast.finish_days.p50), (0.8, forecast.finish_days.p80)):
        q = beta_quantile(p, 2, 4)
        density = 20 * q * (1 - q) ** 3 / 8  # Beta(2, 4) density, per day of an 8-day range
        standard_error = math.sqrt(p * (1 - p) / n) / density
        assert abs(sampled - (2 + 8 * q)) < 4 * standard_error
    assert forecast.base_finish_days == pytest.approx(28 / 6)


def test_triangular_inverse_cdf_quantile_table_and_callable() -> None:
    n = 20_000
    tri = simulate([Task(ThreePoint(0, 0, 10, "triangular"))], iterations=n, seed=3)
    # F(x) = 1 - (1 - x/10)^2, so the median is 10 (1 - sqrt(1/2))
    assert tri.finish_days.p50 == pytest.approx(10 * (1 - math.sqrt(0.5)), abs=0.1)
    table = simulate([Task(QuantileTable((3.0, 5.0)))], iterations=n, seed=3)
    assert table.finish_days.p80 == pytest.approx(4.6, abs=0.02)
    assert table.base_finish_days == pytest.approx(4.0)
    call = simulate([Task(lambda u: 3.0 + 2.0 * u)], iterations=n, seed=3)
    assert np.allclose(call.finish_sorted, table.finish_sorted, rtol=0, atol=1e-12)


# --- risk events -------------------------------------------------------------------------------


def chain(*days: float, rate: int = 0) -> list[Task]:
    return [
        Task(fixed(d), (Precedence(i - 1),) if i else (), rate_cents_per_day=rate)
        for i, d in enumerate(days)
    ]


def test_certain_risk_shifts_the_finish_and_cost_by_its_impact() -> None:
    risk = RiskEvent(1.0, (0,), fixed(2), fixed(150_000))
    before = simulate(chain(5, 3, rate=10_000), iterations=500, seed=1)
    after = simulate(chain(5, 3, rate=10_000), [risk], iterations=500, seed=1)
    assert before.finish_sorted.tolist() == [8.0] * 500
    assert after.finish_sorted.tolist() == [10.0] * 500
    # the event's own cost is what it costs: its delay is not priced again at the task's rate
    assert after.cost_sorted.tolist() == [80_000 + 150_000] * 500
    # an event that names no cost prices its delay at the rate of the task it holds up
    idle = simulate(chain(5, 3, rate=10_000), [RiskEvent(1.0, (0,), fixed(2))], iterations=500)
    assert idle.cost_sorted.tolist() == [80_000 + 20_000] * 500


def test_certain_project_level_risk_delays_the_finish_by_its_draw() -> None:
    risk = RiskEvent(1.0, (), ThreePoint(1, 2.25, 6))  # Beta(2, 4) on [1, 6]
    forecast = simulate(chain(5, 3), [risk], iterations=20_000, seed=5)
    delays = forecast.finish_sorted - 8.0
    assert delays.min() >= 1.0 and delays.max() <= 6.0
    assert forecast.finish_days.p50 - 8.0 == pytest.approx(
        1 + 5 * beta_quantile(0.5, 2, 4), abs=0.05
    )
    assert forecast.criticality == (1.0, 1.0)


def test_impossible_risk_changes_nothing() -> None:
    tasks, risks = small_project()
    never = RiskEvent(0.0, (0, 1, 3), ThreePoint(5, 10, 40), ThreePoint(1e6, 2e6, 5e6), "never")
    base = simulate(tasks, risks, iterations=5000, seed=9)
    more = simulate(tasks, [never, *risks], iterations=5000, seed=9)
    assert np.array_equal(base.finish_sorted, more.finish_sorted)
    assert np.array_equal(base.cost_sorted, more.cost_sorted)
    assert base.criticality == more.criticality
    assert all(d.name != "never" for d in more.drivers)


def test_risk_draws_do_not_depend_on_the_order_of_events() -> None:
    tasks, risks = small_project()
    forward = simulate(tasks, risks, iterations=3000, seed=9)
    backward = simulate(tasks, risks[::-1], iterations=3000, seed=9)
    assert np.array_equal(forward.finish_sorted, backward.finish_sorted)
    assert np.array_equal(forward.cost_sorted, backward.cost_sorted)


def test_changing_one_estimate_keeps_the_other_tasks_draws() -> None:
    seen: list[np.ndarray] = []

    def recording(u: np.ndarray) -> np.ndarray:
        seen.append(np.array(u))
        return 1.0 + u

    for first in (ThreePoint(2, 4, 10), fixed(3)):
        simulate([Task(first), Task(recording, (Precedence(0),))], iterations=1000, seed=6)
    first_run, second_run = seen[0], seen[2]  # each run also averages the callable once
    assert first_run.size == 1000 and np.array_equal(first_run, second_run)


def test_a_likely_big_risk_on_the_critical_path_drives_the_finish() -> None:
    tasks = chain(5, 5, 5)
    tasks[1] = Task(ThreePoint(4, 5, 6), (Precedence(0),))
    risk = RiskEvent(0.5, (1,), fixed(10), None, "outage")
    forecast = simulate(tasks, [risk], iterations=4000, seed=2)
    top = forecast.drivers[0]
    assert (top.kind, top.name) == ("risk", "outage")
    assert top.rank_correlation > 0.8
    assert forecast.drivers[1].kind == "task" and forecast.drivers[1].index == 1


# --- criticality ---------------------------------------------------------------------------------


def test_criticality_is_one_along_a_chain() -> None:
    tasks = [Task(ThreePoint(1, 2, 5), (Precedence(i - 1),) if i else ()) for i in range(5)]
    assert simulate(tasks, iterations=2000, seed=1).criticality == (1.0,) * 5


def test_criticality_splits_between_two_equal_parallel_paths() -> None:
    spread = ThreePoint(2, 4, 10)
    tasks = [
        Task(fixed(1), code="start"),
        Task(spread, (Precedence(0),), code="left"),
        Task(spread, (Precedence(0),), code="right"),
        Task(fixed(1), (Precedence(1), Precedence(2)), code="end"),
    ]
    start, left, right, end = simulate(tasks, iterations=8000, seed=4).criticality
    assert start == end == 1.0
    assert left == pytest.approx(0.5, abs=0.03)
    assert left + right == pytest.approx(1.0)


def test_levelled_order_keeps_a_resolved_conflict_resolved() -> None:
    """Two parallel tasks that levelling put one after the other stay in sequence."""
    tasks = [Task(ThreePoint(2, 3, 4)), Task(ThreePoint(2, 3, 4))]
    parallel = simulate(tasks, iterations=2000, seed=1)
    levelled = simulate(tasks, levelled_order=[(0, 1)], iterations=2000, seed=1)
    assert parallel.finish_days.p90 < 4.0
    assert levelled.finish_days.p50 > 5.0
    assert levelled.criticality == (1.0, 1.0)


# --- probabilities, money ---------------------------------------------------------------------


def test_p_meet_deadline_is_monotone_and_reads_the_percentiles() -> None:
    tasks, risks = small_project()
    forecast = simulate(tasks, risks, iterations=5000, seed=11)
    deadlines = np.linspace(0, 80, 161)
    chances = [forecast.p_meet_deadline(d) for d in deadlines]
    assert chances == sorted(chances)
    assert chances[0] == 0.0 and chances[-1] == 1.0
    assert forecast.p_meet_deadline(forecast.finish_days.p80) >= 0.8
    assert forecast.p_meet_deadline(forecast.finish_days.p80 - 1e-6) < 0.8
    assert forecast.p_meet_budget(forecast.cost_cents.p80) >= 0.8
    assert forecast.p_meet_budget(forecast.cost_cents.p80 - 1) < 0.8
    assert forecast.finish_quantile(0.8) == forecast.finish_days.p80
    assert forecast.finish_day_index.p80 == math.ceil(forecast.finish_days.p80) - 1


def test_costs_are_exact_integer_cents() -> None:
    tasks = [
        Task(fixed(2.5), rate_cents_per_day=33_333, fixed_cents=99_999),  # 83,332.5 -> 83,332
        Task(fixed(1.25), (Precedence(0),), rate_cents_per_day=10_001),  # 12,501.25 -> 12,501
        Task(fixed(3), (Precedence(0, "SS"),), fixed_cents=1),
    ]
    forecast = simulate(tasks, iterations=1000, seed=1)
    hand = 83_332 + 99_999 + 12_501 + 1
    assert forecast.cost_sorted.dtype == np.int64
    assert forecast.cost_sorted.tolist() == [hand] * 1000
    assert forecast.cost_cents.p50 == forecast.cost_cents.p90 == hand
    assert isinstance(forecast.cost_cents.p80, int)
    assert (forecast.base_cost_cents, forecast.contingency_cents) == (hand, 0)


def test_contingency_is_p80_cost_above_the_base() -> None:
    tasks, risks = small_project()
    forecast = simulate(tasks, risks, iterations=5000, seed=11)
    # PERT means 28/6, 57/6 and 25/6 days: 373,333.3 + 1,140,000 + 208,333.3 cents
    assert forecast.base_cost_cents == 373_333 + 1_140_000 + 208_333 + 250_000
    assert forecast.contingency_cents == forecast.cost_cents.p80 - forecast.base_cost_cents > 0
    given = simulate(tasks, risks, iterations=5000, seed=11, base_cost_cents=10**9)
    assert given.contingency_cents == 0


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([Task(fixed(1), (Precedence(1),)), Task(fixed(1), (Precedence(0),))], "cycle"),
        ([Task(fixed(1), (Precedence(5),))], "predecessor"),
        ([Task(fixed(1)), Task(fixed(1), (Precedence(0, "XX"),))], "link type"),  # type: ignore[arg-type]
        ([Task(fixed(1), rate_cents_per_day=1.5)], "integer"),  # type: ignore[arg-type]
        ([Task(lambda u: u - 1)], "negative"),
        ([], "no tasks"),
    ],
)
def test_bad_networks_are_refused(tasks: list[Task], message: str) -> None:
    with pytest.raises(SimulationError, match=message):
        simulate(tasks, iterations=10)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(SimulationError, match="low <= likely <= high"):
        ThreePoint(3, 2, 5)
    with pytest.raises(SimulationError, match="probability"):
        simulate(chain(1), [RiskEvent(1.5, (0,), fixed(1))], iterations=10)
    with pytest.raises(SimulationError, match="iterations"):
        simulate(chain(1), iterations=0)
    with pytest.raises(SimulationError, match="levelled"):
        simulate(chain(1), levelled_order=[(0, 3)], iterations=10)
    twins = [RiskEvent(0.5, (0,), fixed(1), id="R1"), RiskEvent(0.5, (0,), fixed(2), id="R1")]
    with pytest.raises(SimulationError, match="unique"):
        simulate(chain(1), twins, iterations=10)
