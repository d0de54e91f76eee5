import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.history import default_profile, read_history
from tools.calibration import (
    U_GRID,
    CalibrationError,
    CalibrationProfile,
    FitOptions,
    HistoryRecord,
    calibrate,
    fit,
    quantile,
    sampler,
    weighted_quantile,
)
from tools.domain import Estimate

# Synthetic history: y = ln(actual/estimate) = 0.1 + CATEGORY + SLOPE·(ln est - ln 4) + noise.
CATEGORY = {"build": 0.4, "test": 0.0, "meet": -0.3}
SLOPE = -0.2
SD = 0.5
Z90 = 1.2815515655446004  # standard normal 90th percentile
SIMPLE = FitOptions(size_knots_hours=(), category_shrinkage=1.0, scale="constant")
ONLY_SIMPLE = {"global": [SIMPLE], "category": [SIMPLE]}


def synthetic(
    n: int, projects: int, seed: int, project_sd: float = 0.0, start: int = 0
) -> list[HistoryRecord]:
    """Records with known effects. Each project is shifted by a N(0, project_sd) draw, less
    the draws' mean: a test of calibration, not of how lucky ten draws of a mean are."""
    rng = np.random.default_rng(seed)
    shift = rng.normal(0.0, project_sd, projects)
    shift -= shift.mean()
    names = list(CATEGORY)
    out = []
    for i in range(n):
        p = i % projects
        cat = names[rng.integers(len(names))]
        est = float(np.exp(rng.uniform(math.log(0.5), math.log(80.0))))
        y = 0.1 + CATEGORY[cat] + SLOPE * (math.log(est) - math.log(4.0))
        y += shift[p] + rng.normal(0.0, SD)
        out.append(
            HistoryRecord(
                estimate_hours=est,
                actual_hours=est * math.exp(y),
                category=cat,
                project=f"P{start + p}",
            )
        )
    return out


@pytest.fixture(scope="module")
def simple_profile() -> CalibrationProfile:
    return fit(synthetic(6000, projects=8, seed=1), options=ONLY_SIMPLE)


def test_recovers_known_category_effects_slope_and_spread(
    simple_profile: CalibrationProfile,
) -> None:
    model = simple_profile.levels["category"]
    eff = model.effects
    assert eff["build"] - eff["test"] == pytest.approx(0.4, abs=0.05)
    assert eff["meet"] - eff["test"] == pytest.approx(-0.3, abs=0.05)
    assert model.size[0] == pytest.approx(SLOPE, abs=0.02)
    # The P10..P90 of the log ratio is 2·1.2816·SD wide whatever the task.
    h = 6.0
    q10, q90 = np.log(quantile(simple_profile, h, np.array([0.1, 0.9]), category="test") / h)
    assert q90 - q10 == pytest.approx(2 * Z90 * SD, rel=0.06)
    # The centre: y at 6 h for "test" is 0.1 + SLOPE·ln(6/4).
    median = math.log(calibrate(simple_profile, h, category="test").p50 / h)
    assert median == pytest.approx(0.1 + SLOPE * math.log(6 / 4), abs=0.05)


def test_the_grid_search_finds_the_slope_and_a_sane_mean() -> None:
    profile = fit(synthetic(3000, projects=6, seed=2))
    model = profile.levels["category"]
    assert model.score < model.raw_score
    assert 0.8 <= model.mean_ratio <= 1.25
    # Whatever knots were chosen, a 40 h task is predicted to overrun less than a 1 h one.
    small = calibrate(profile, 1.0, category="test").p50 / 1.0
    big = calibrate(profile, 40.0, category="test").p50 / 40.0
    assert big < small


def test_coverage_on_new_projects_is_close_to_nominal() -> None:
    # Projects differ (sd 0.2 on the log scale); test on 40 projects never seen in the fit.
    train = synthetic(4000, projects=10, seed=3, project_sd=0.2)
    test = synthetic(8000, projects=40, seed=4, project_sd=0.2, start=100)
    profile = fit(train)
    actual = np.array([r.actual_hours for r in test])
    u = np.array([0.5, 0.8, 0.9])
    q = np.array([quantile(profile, r.estimate_hours, u, category=r.category) for r in test])
    coverage = np.mean(actual[:, None] <= q, axis=0)
    assert coverage == pytest.approx(u, abs=0.03)


@settings(max_examples=60, deadline=None)
@given(
    hours=st.floats(min_value=0.01, max_value=5000.0),
    category=st.sampled_from([None, "Development", "management", "Nonesuch"]),
    u=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=2, max_size=20),
)
def test_quantiles_never_cross(hours: float, category: str | None, u: list[float]) -> None:
    profile = default_profile()
    c = calibrate(profile, hours, category=category, subcategory="Bug")
    assert 0 < c.p50 <= c.p80 <= c.p90
    draws = quantile(profile, hours, np.sort(np.array(u)), category=category)
    assert np.all(np.diff(draws) >= 0)
    assert np.all(draws > 0)


def test_profile_json_round_trip(simple_profile: CalibrationProfile) -> None:
    again = CalibrationProfile.model_validate_json(simple_profile.model_dump_json())
    assert again == simple_profile
    assert calibrate(again, 5.0, category="build") == calibrate(
        simple_profile, 5.0, category="build"
    )


def test_a_sampler_maps_uniforms_to_the_same_hours_as_quantile(
    simple_profile: CalibrationProfile,
) -> None:
    u = np.random.default_rng(5).random(10_000)
    draw = sampler(simple_profile, 3.0, category="meet")
    assert np.array_equal(draw(u), quantile(simple_profile, 3.0, u, category="meet"))
    # Draws from uniforms follow the distribution: their median is the P50.
    p50 = calibrate(simple_profile, 3.0, category="meet").p50
    assert np.median(draw(u)) == pytest.approx(p50, rel=0.02)


def test_three_point_likely_is_the_point_and_a_wide_range_widens() -> None:
    profile = default_profile()
    point = calibrate(profile, 16.0)
    narrow = calibrate(profile, Estimate(optimistic=14, likely=16, pessimistic=20, unit="hours"))
    assert narrow.point_hours == 16.0
    assert narrow.widened == 1.0
    assert (narrow.p50, narrow.p80, narrow.p90) == (point.p50, point.p80, point.p90)
    wide = calibrate(profile, Estimate(optimistic=1, likely=16, pessimistic=400, unit="hours"))
    assert wide.widened > 1.0
    assert wide.p50 == pytest.approx(point.p50)
    assert wide.p90 > point.p90
    # Days become hours on the calendar's working day.
    days = calibrate(profile, Estimate(optimistic=2, likely=2, pessimistic=2), hours_per_day=7.5)
    assert days.point_hours == 15.0


def test_zero_estimate_is_zero_work() -> None:
    c = calibrate(default_profile(), Estimate(optimistic=0, likely=0, pessimistic=0))
    assert (c.p50, c.p80, c.p90, c.mean) == (0.0, 0.0, 0.0, 0.0)


def test_categories_match_case_insensitively_and_unknown_ones_fall_back() -> None:
    profile = default_profile()
    assert calibrate(profile, 8.0, category="development", subcategory="BUG").level == (
        "subcategory"
    )
    assert calibrate(profile, 8.0, category="Development", subcategory="Nonesuch").level == (
        "category"
    )
    assert calibrate(profile, 8.0, category="Nonesuch").level == "global"


def test_points_beyond_the_history_are_flagged() -> None:
    profile = default_profile()
    assert not calibrate(profile, 8.0).extrapolated
    assert calibrate(profile, 2000.0).extrapolated


def test_too_little_history_is_refused() -> None:
    with pytest.raises(CalibrationError, match="at least"):
        fit(synthetic(10, projects=3, seed=6))


def test_history_without_projects_validates_by_random_folds() -> None:
    records = [r.model_copy(update={"project": None}) for r in synthetic(400, 1, seed=7)]
    profile = fit(records, options=ONLY_SIMPLE)
    assert profile.validation == "k-fold"
    assert profile.n_projects == 0


def test_weighted_quantile_spans_min_to_max() -> None:
    v = np.array([3.0, 1.0, 2.0])
    q = weighted_quantile(v, np.ones(3), U_GRID)
    assert q[0] == 1.0
    assert q[-1] == 3.0
    assert np.interp(0.5, U_GRID, q) == 2.0


def test_sip_holdout_projects_are_covered_near_nominal(shared_data: Path) -> None:
    # Fit on twelve SiP projects, test on four mid-sized ones it never saw (1,622 tasks).
    # benchmarks/README.md reports every project and random splits; this guards regressions.
    records = read_history(shared_data / "estimation" / "sip_tasks_train.csv").records
    held = {"PC4", "PC5", "PC11", "PC13"}
    profile = fit([r for r in records if r.project not in held])
    test = [r for r in records if r.project in held]
    actual = np.array([r.actual_hours for r in test])
    u = np.array([0.5, 0.8, 0.9])
    q = np.array(
        [
            quantile(profile, r.estimate_hours, u, category=r.category, subcategory=r.subcategory)
            for r in test
        ]
    )
    coverage = np.mean(actual[:, None] <= q, axis=0)
    assert coverage == pytest.approx(u, abs=0.05)
    raw = np.mean(actual <= np.array([r.estimate_hours for r in test]))
    assert abs(coverage[1] - 0.8) < abs(raw - 0.8)
