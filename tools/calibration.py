"""Reference-class forecasting: correct point estimates by the organisation's own history.

DESIGN principle 7: a P80 should come true 80 % of the time. Developers' points are biased and
far too confident (on SiP, actual <= estimate for 64 % of tasks, not 50 % or 80 %), so we
model the log ratio y = ln(actual / estimate) and read quantiles off that model.

The model, per *level* of what is known about a task (nothing; its category; its category and
subcategory):

    y = intercept + f(ln estimate) + category effect + subcategory effect + s(ln estimate)·z

- f is a linear spline in log hours (relatively, small tasks overrun and big ones underrun);
- effects are ridge-shrunk (partially pooled): a subcategory towards its category, a category
  towards the whole, so a rare one says little and a common one a lot;
- s is the spread, constant or growing with size (optionally apart below and above);
- z is *empirical*: quantiles of standardised residuals of leave-project-out predictions, so
  the spread includes how much a new project differs from those we learned from; `banded`
  keeps one table per size band, since small tasks' misses are shaped unlike big ones'.

Which spline, shrinkage, spread and shape is chosen per level by leave-project-out pinball
loss on the training history alone, among candidates whose out-of-fold mean is sane. Each
project weighs at most PROJECT_CAP tasks. Everything here is pure (no I/O, no clock); the
profile is a pydantic model that ships as JSON.

Three-point estimates: history holds single points, so the point is the three-point `likely`
(what a developer's single number is: the most likely value). Whether the PERT mean would
calibrate better cannot be tested on single-point history, so we do not guess. The range
then only ever widens the calibrated spread (`widen`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Annotated, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tools.domain import Estimate

Level = Literal["global", "category", "subcategory"]
Scale = Literal["constant", "size", "split_size"]
Shape = Literal["pooled", "banded"]
Validation = Literal["leave-project-out", "k-fold"]
FloatArray = NDArray[np.float64]

PROFILE_VERSION = 1
GRID_STEPS = 200
"""The quantile table has GRID_STEPS + 1 knots at u = 0, 0.005, ..., 1 (min and max included)."""
SCORE_U = tuple(round(0.05 * k, 2) for k in range(1, 20))
"""Probabilities at which leave-project-out pinball loss is scored (about the CRPS)."""
MIN_RECORDS = 30
KFOLDS = 10
"""Folds when history has fewer than MIN_PROJECTS projects: records are split at random."""
MIN_PROJECTS = 3
TYPICAL_PERCENTILES = (1.0, 99.0)
"""A point outside these percentiles of the history's estimates is flagged `extrapolated`."""
MEAN_RATIO_BOUNDS = (0.8, 1.25)
"""Out of fold, Σ actual / Σ predicted mean must fall in here for a candidate to be chosen.
Pinball loss only scores the 5-95 % quantiles; a spread that grows with size can blow the far
tail up (on SiP it makes mean hours 2.6 times the actual total) without changing that score."""
SPLIT_SEED = 20190105
PROJECT_CAP = 500.0
"""No project speaks for more than this many tasks: its records weigh min(1, cap / n). With
few projects, one big one would otherwise set the centre and the spread for every new one
(on SiP two projects hold 77 % of the tasks); leave-project-out coverage is closer to
nominal with the cap (see benchmarks/README.md)."""
SCALE_FLOOR = 1e-3
SUBKEY_SEP = "/"
THREE_POINT_U = (0.1, 0.9)
"""A three-point estimate's optimistic..pessimistic is read as its author's P10..P90."""

# --- the candidates that leave-project-out validation chooses among (rules as data) -------

SIZE_KNOTS_HOURS: tuple[tuple[float, ...], ...] = ((), (4.0,), (2.0, 8.0, 32.0))
SHRINKAGE: tuple[float, ...] = (1.0, 10.0, 100.0, 1000.0)
"""Ridge strength in records: an effect seen in n records keeps about n / (n + λ) of its mean."""
SCALES: tuple[Scale, ...] = ("constant", "size", "split_size")
SHAPES: tuple[Shape, ...] = ("pooled", "banded")
SHAPE_BANDS_HOURS: tuple[float, ...] = (1.0, 4.0, 16.0)
"""`banded`: one residual table per estimate band (≤1 h, 1-4 h, 4-16 h, >16 h), blended
between the bands' median sizes, since small tasks' misses are shaped unlike big ones'."""
MIN_BAND_RECORDS = 200
LEVEL_KEYS: dict[Level, tuple[str, ...]] = {
    "global": (),
    "category": ("category",),
    "subcategory": ("category", "subcategory"),
}

_FROZEN = ConfigDict(extra="forbid", frozen=True)
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Table = Annotated[tuple[float, ...], Field(min_length=GRID_STEPS + 1, max_length=GRID_STEPS + 1)]


class CalibrationError(ValueError):
    """History too small or too degenerate to fit."""


class HistoryRecord(BaseModel):
    """One finished task: the developer's point estimate and what it took, in hours."""

    model_config = _FROZEN

    estimate_hours: Positive
    actual_hours: Positive
    category: str | None = None
    subcategory: str | None = None
    project: str | None = None
    text: str | None = None


class FitOptions(BaseModel):
    """One candidate model: size spline knots, shrinkage of each effect, spread shape."""

    model_config = _FROZEN

    size_knots_hours: tuple[float, ...] = ()
    category_shrinkage: float = Field(default=30.0, gt=0)
    subcategory_shrinkage: float = Field(default=30.0, gt=0)
    scale: Scale = "constant"
    shape: Shape = "pooled"


class LevelModel(BaseModel):
    """The fitted model for one level of knowledge about a task.

    Location: intercept + size·basis(x) + Σ effects; x = clipped ln(hours) - center.
    Spread: exp(a + b·x) below (`scale_low`) and above (`scale_high`) the location.
    `z[j]`: standardised residual quantiles at u = k / GRID_STEPS, k = 0..GRID_STEPS, of the
    tasks around x = `shape_at[j]`; between anchors the tables blend linearly in x.
    """

    model_config = _FROZEN

    options: FitOptions
    intercept: float
    size: tuple[float, ...]
    effects: dict[str, float] = Field(default_factory=dict)
    scale_low: tuple[float, float]
    scale_high: tuple[float, float]
    shape_at: tuple[float, ...] = Field(min_length=1)
    z: tuple[Table, ...] = Field(min_length=1)
    score: float = Field(description="leave-project-out mean pinball loss on ln(actual/estimate)")
    raw_score: float = Field(description="the same loss for the raw estimate (y = 0)")
    mean_ratio: float = Field(description="leave-project-out Σ actual / Σ predicted mean hours")

    @model_validator(mode="after")
    def _tables(self) -> LevelModel:
        if len(self.z) != len(self.shape_at):
            raise ValueError("one residual table per shape anchor")
        if any(np.any(np.diff(t) < 0) for t in self.z):
            raise ValueError("residual quantile tables must be non-decreasing")
        return self


class CalibrationProfile(BaseModel):
    """Fitted parameters that turn a point estimate into a calibrated distribution."""

    model_config = _FROZEN

    version: Literal[1] = PROFILE_VERSION
    source: str
    n_records: int = Field(ge=1)
    n_projects: int = Field(ge=0)
    validation: Validation
    folds: int = Field(ge=2)
    project_cap: float | None = Field(default=PROJECT_CAP, gt=0)
    center: float = Field(description="median ln(estimate hours) of the history")
    log_hours_range: tuple[float, float]
    typical_hours: tuple[float, float] = Field(
        description="the 1st and 99th percentiles of estimates: beyond them few tasks speak"
    )
    levels: dict[Level, LevelModel]
    project_sigma: float = Field(
        default=0.0,
        ge=0,
        description="log-sd of the factor shared by all tasks of one project"
        " (`between_project_sigma`); 0 in profiles fitted before it was",
    )


class Calibrated(BaseModel):
    """A calibrated estimate in hours: quantiles, mean, and what it was based on."""

    model_config = _FROZEN

    point_hours: float
    p50: float
    p80: float
    p90: float
    mean: float
    level: Level
    widened: float = Field(description="factor the three-point range widened history's spread")
    extrapolated: bool = Field(description="the point is outside the history's typical sizes")


# --- design ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Data:
    """History as arrays: y = ln(actual/estimate), x = ln(estimate), keys per level, groups."""

    y: FloatArray
    x: FloatArray
    category: tuple[str | None, ...]
    subcategory: tuple[str | None, ...]
    groups: NDArray[np.int64]
    weight: FloatArray


def _subkey(category: str | None, subcategory: str | None) -> str | None:
    if category is None or subcategory is None:
        return None
    return f"{category}{SUBKEY_SEP}{subcategory}"


def _clean(name: str | None) -> str | None:
    name = (name or "").strip()
    return name or None


def _to_data(records: Sequence[HistoryRecord], project_cap: float | None) -> _Data:
    est = np.array([r.estimate_hours for r in records], dtype=float)
    act = np.array([r.actual_hours for r in records], dtype=float)
    cats = tuple(_clean(r.category) for r in records)
    subs = tuple(_subkey(c, _clean(r.subcategory)) for c, r in zip(cats, records, strict=True))
    return _Data(
        y=np.log(act / est),
        x=np.log(est),
        category=cats,
        subcategory=subs,
        groups=assign_folds([r.project for r in records]),
        weight=project_weights([r.project for r in records], project_cap),
    )


def project_weights(projects: Sequence[str | None], cap: float | None) -> FloatArray:
    """min(1, cap / tasks in the record's project); 1 without a cap or a project."""
    named = [_clean(p) for p in projects]
    sizes: dict[str | None, int] = {}
    for p in named:
        sizes[p] = sizes.get(p, 0) + 1
    if cap is None:
        return np.ones(len(named))
    return np.array([1.0 if p is None else min(1.0, cap / sizes[p]) for p in named])


def validation_scheme(projects: Sequence[str | None]) -> Validation:
    """Leave-project-out when every record names a project and there are enough of them."""
    named = [_clean(p) for p in projects]
    enough = len({p for p in named if p is not None}) >= MIN_PROJECTS
    return "leave-project-out" if enough and all(p is not None for p in named) else "k-fold"


def assign_folds(projects: Sequence[str | None]) -> NDArray[np.int64]:
    """Fold of each record: its project under leave-project-out, else a seeded random split
    into KFOLDS (history without projects still validates, if less strictly)."""
    named = [_clean(p) for p in projects]
    if validation_scheme(projects) == "leave-project-out":
        index = {p: i for i, p in enumerate(sorted({p for p in named if p is not None}))}
        return np.array([index[p] for p in named if p is not None], dtype=np.int64)
    rng = np.random.default_rng(SPLIT_SEED)
    return rng.permutation(np.arange(len(named)) % KFOLDS).astype(np.int64)


def _basis(x: FloatArray, center: float, knots: Sequence[float]) -> FloatArray:
    """Linear spline in log hours: (x - center) plus a hinge at each knot."""
    cols = [x - center] + [np.maximum(0.0, x - math.log(k)) for k in knots]
    return np.column_stack(cols)


def _effect_columns(data: _Data, level: Level) -> tuple[list[str], list[str], FloatArray]:
    """One-hot columns for the level's effects; returns their names, kinds and the matrix."""
    names: list[str] = []
    kinds: list[str] = []
    blocks: list[FloatArray] = []
    for kind in LEVEL_KEYS[level]:
        values = data.category if kind == "category" else data.subcategory
        levels = sorted({v for v in values if v is not None})
        index = {v: i for i, v in enumerate(levels)}
        codes = np.array([index.get(v, -1) if v is not None else -1 for v in values])
        block = (codes[:, None] == np.arange(len(levels))[None, :]).astype(float)
        names += levels
        kinds += [kind] * len(levels)
        blocks.append(block)
    cols = np.hstack(blocks) if blocks else np.zeros((data.y.size, 0))
    return names, kinds, cols


@dataclass(frozen=True, slots=True)
class _Design:
    """Design matrix and per-fold sufficient statistics, so each fold's fit is one solve."""

    matrix: FloatArray
    n_size: int
    names: list[str]
    kinds: list[str]
    gram: FloatArray
    moment: FloatArray
    fold_gram: dict[int, FloatArray]
    fold_moment: dict[int, FloatArray]


def _design(data: _Data, level: Level, center: float, knots: Sequence[float]) -> _Design:
    size = _basis(data.x, center, knots)
    names, kinds, effects = _effect_columns(data, level)
    matrix = np.column_stack([np.ones(data.y.size), size, effects])
    weighted = matrix * data.weight[:, None]
    fold_gram: dict[int, FloatArray] = {}
    fold_moment: dict[int, FloatArray] = {}
    for g in np.unique(data.groups):
        rows = data.groups == g
        fold_gram[int(g)] = weighted[rows].T @ matrix[rows]
        fold_moment[int(g)] = weighted[rows].T @ data.y[rows]
    return _Design(
        matrix=matrix,
        n_size=size.shape[1],
        names=names,
        kinds=kinds,
        gram=weighted.T @ matrix,
        moment=weighted.T @ data.y,
        fold_gram=fold_gram,
        fold_moment=fold_moment,
    )


def _penalty(design: _Design, options: FitOptions) -> FloatArray:
    strength = {
        "category": options.category_shrinkage,
        "subcategory": options.subcategory_shrinkage,
    }
    diag = [0.0] * (1 + design.n_size) + [strength[k] for k in design.kinds]
    return np.diag(diag)


def _solve(gram: FloatArray, moment: FloatArray, penalty: FloatArray) -> FloatArray:
    return np.linalg.solve(gram + penalty + 1e-9 * np.eye(gram.shape[0]), moment)


def _out_of_fold(data: _Data, design: _Design, penalty: FloatArray) -> FloatArray:
    """Location predicted for each record by a fit that never saw the record's fold."""
    pred = np.empty_like(data.y)
    for g, gram in design.fold_gram.items():
        rows = data.groups == g
        beta = _solve(design.gram - gram, design.moment - design.fold_moment[g], penalty)
        pred[rows] = design.matrix[rows] @ beta
    return pred


# --- spread ----------------------------------------------------------------------------------


def _fit_log_scale(
    dev: FloatArray, x: FloatArray, w: FloatArray, with_slope: bool
) -> tuple[float, float]:
    """ln s = a + b·x by Laplace maximum likelihood: minimise Σ w (|r|/s + ln s), convex."""
    dev = np.abs(dev)
    mean = float(np.sum(w * dev) / np.sum(w)) if dev.size else 1.0
    a = math.log(max(mean, SCALE_FLOOR))
    if not with_slope or dev.size < 3 or np.ptp(x) == 0:
        return a, 0.0
    theta = np.array([a, 0.0])
    phi = np.column_stack([np.ones_like(x), x])

    def loss(t: FloatArray) -> float:
        eta = phi @ t
        return float(np.sum(w * (dev * np.exp(-eta) + eta)))

    current = loss(theta)
    for _ in range(50):
        h = w * dev * np.exp(-(phi @ theta))
        grad = phi.T @ (w - h)
        hess = (phi * h[:, None]).T @ phi + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        for _ in range(30):
            trial = theta - step
            new = loss(trial)
            if new <= current:
                break
            step = step / 2
        else:
            break
        done = current - new < 1e-10 * max(1.0, abs(current))
        theta, current = trial, new
        if done:
            break
    return float(theta[0]), float(theta[1])


def _fit_scale(
    resid: FloatArray, x: FloatArray, w: FloatArray, scale: Scale
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Spread below and above the location; one shared spread unless `split_size`."""
    if scale == "split_size":
        lo, hi = resid < 0, resid > 0
        low = _fit_log_scale(resid[lo], x[lo], w[lo], with_slope=True)
        high = _fit_log_scale(resid[hi], x[hi], w[hi], with_slope=True)
        return low, high
    both = _fit_log_scale(resid, x, w, with_slope=scale == "size")
    return both, both


def _spread(params: tuple[float, float], x: FloatArray) -> FloatArray:
    return np.maximum(np.exp(params[0] + params[1] * x), SCALE_FLOOR)


def _standardise(
    resid: FloatArray, xc: FloatArray, low: tuple[float, float], high: tuple[float, float]
) -> FloatArray:
    return np.where(resid < 0, resid / _spread(low, xc), resid / _spread(high, xc))


def _unstandardise(
    z: FloatArray, xc: FloatArray, low: tuple[float, float], high: tuple[float, float]
) -> FloatArray:
    """Map z quantiles back to log ratios: monotone in z, continuous at 0."""
    return np.where(z < 0, z * _spread(low, xc), z * _spread(high, xc))


def pinball(y: FloatArray, q: FloatArray, u: FloatArray, w: FloatArray | None = None) -> float:
    """Weighted mean quantile (pinball) loss of predictions q[i, j] at probabilities u[j]."""
    diff = y[:, None] - q
    loss = np.maximum(u * diff, (u - 1.0) * diff).mean(axis=1)
    return float(np.average(loss, weights=w))


def weighted_quantile(values: FloatArray, w: FloatArray, u: FloatArray) -> FloatArray:
    """Quantiles of weighted values: each value sits at the middle of its weight's span of
    the cumulative distribution; u = 0 and 1 give the minimum and the maximum."""
    order = np.argsort(values, kind="stable")
    v, ws = values[order], w[order]
    cum = np.cumsum(ws)
    at = (cum - ws / 2) / cum[-1]
    return np.interp(u, np.concatenate([[0.0], at, [1.0]]), np.concatenate([[v[0]], v, [v[-1]]]))


U_GRID: FloatArray = np.linspace(0.0, 1.0, GRID_STEPS + 1)


# --- fitting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spread:
    """Out-of-fold locations with a fitted spread: what every shape of a candidate shares."""

    location: FloatArray
    low: tuple[float, float]
    high: tuple[float, float]
    z: FloatArray


@dataclass(frozen=True, slots=True)
class _Candidate:
    options: FitOptions
    score: float
    spread: _Spread
    anchors: FloatArray
    tables: FloatArray


def _bands(x: FloatArray, shape: Shape) -> NDArray[np.int64] | None:
    """Band of each record for a `banded` shape; None when pooled or a band is too thin."""
    if shape == "pooled":
        return np.zeros(x.size, dtype=np.int64)
    band = np.searchsorted(np.log(SHAPE_BANDS_HOURS), x, side="left").astype(np.int64)
    counts = np.bincount(band, minlength=len(SHAPE_BANDS_HOURS) + 1)
    return band if counts.min() >= MIN_BAND_RECORDS else None


def _shape_tables(
    z: FloatArray, xc: FloatArray, w: FloatArray, band: NDArray[np.int64]
) -> tuple[FloatArray, FloatArray]:
    """Anchors (median centred x per band) and each band's z quantiles at U_GRID."""
    ids = np.unique(band)
    anchors = np.array([np.median(xc[band == b]) for b in ids])
    tables = np.array([weighted_quantile(z[band == b], w[band == b], U_GRID) for b in ids])
    return anchors, tables


def blend(anchors: FloatArray, tables: FloatArray, xc: FloatArray) -> FloatArray:
    """Each x's table: linear between the two nearest anchors, the end ones beyond.

    A convex mix of non-decreasing tables is non-decreasing, so quantiles never cross.
    """
    if anchors.size == 1:
        return np.broadcast_to(tables[0], (xc.size, tables.shape[1]))
    pos = np.interp(xc, anchors, np.arange(anchors.size, dtype=float))
    lo = np.minimum(np.floor(pos).astype(np.int64), anchors.size - 2)
    w = (pos - lo)[:, None]
    return (1.0 - w) * tables[lo] + w * tables[lo + 1]


def _spread_of(data: _Data, xc: FloatArray, location: FloatArray, scale: Scale) -> _Spread:
    resid = data.y - location
    low, high = _fit_scale(resid, xc, data.weight, scale)
    return _Spread(location, low, high, _standardise(resid, xc, low, high))


def _evaluate(
    data: _Data, xc: FloatArray, spread: _Spread, options: FitOptions
) -> _Candidate | None:
    """Score one candidate from its out-of-fold locations: z tables, then pinball loss."""
    band = _bands(data.x, options.shape)
    if band is None:
        return None
    anchors, tables = _shape_tables(spread.z, xc, data.weight, band)
    u = np.array(SCORE_U)
    at_u = np.array([np.interp(u, U_GRID, t) for t in tables])
    zq = blend(anchors, at_u, xc)
    q = spread.location[:, None] + _unstandardise(zq, xc[:, None], spread.low, spread.high)
    score = pinball(data.y, q, u, data.weight)
    return _Candidate(options, score, spread, anchors, tables)


def _mean_ratio(data: _Data, xc: FloatArray, cand: _Candidate) -> float:
    """Σ actual / Σ predicted mean hours, out of fold and weighted: is the far tail sane?"""
    z = blend(cand.anchors, cand.tables, xc)
    curve = cand.spread.location[:, None] + _unstandardise(
        z, xc[:, None], cand.spread.low, cand.spread.high
    )
    mean_ratio = np.trapezoid(np.exp(curve), U_GRID, axis=1)
    estimate = np.exp(data.x)
    actual = estimate * np.exp(data.y)
    return float(np.sum(data.weight * actual) / np.sum(data.weight * estimate * mean_ratio))


def _choose(data: _Data, xc: FloatArray, scored: list[_Candidate]) -> tuple[_Candidate, float]:
    """The best pinball score among candidates whose mean is sane (MEAN_RATIO_BOUNDS);
    if none is, the one whose mean comes closest."""
    checked: list[tuple[_Candidate, float]] = []
    for cand in sorted(scored, key=lambda c: c.score):
        ratio = _mean_ratio(data, xc, cand)
        if MEAN_RATIO_BOUNDS[0] <= ratio <= MEAN_RATIO_BOUNDS[1]:
            return cand, ratio
        checked.append((cand, ratio))
    if not checked:
        raise CalibrationError("no candidate options to choose from")
    return min(checked, key=lambda cr: abs(math.log(cr[1])))


def candidates(level: Level) -> list[FitOptions]:
    """The grid a level chooses from; effects' shrinkage only matters where effects exist."""
    cat = SHRINKAGE if level != "global" else (SHRINKAGE[0],)
    sub = SHRINKAGE if level == "subcategory" else (SHRINKAGE[0],)
    return [
        FitOptions(
            size_knots_hours=k,
            category_shrinkage=c,
            subcategory_shrinkage=s,
            scale=sc,
            shape=sh,
        )
        for k, c, s, sc, sh in product(SIZE_KNOTS_HOURS, cat, sub, SCALES, SHAPES)
    ]


def _fit_level(
    data: _Data,
    level: Level,
    center: float,
    x_range: tuple[float, float],
    options: Iterable[FitOptions],
) -> LevelModel:
    xs = np.clip(data.x, *x_range)
    xc = xs - center
    clipped = _Data(data.y, xs, data.category, data.subcategory, data.groups, data.weight)
    designs: dict[tuple[float, ...], _Design] = {}
    locations: dict[tuple[object, ...], FloatArray] = {}
    spreads: dict[tuple[object, ...], _Spread] = {}
    scored: list[_Candidate] = []
    for opt in options:
        design = designs.get(opt.size_knots_hours)
        if design is None:
            design = designs[opt.size_knots_hours] = _design(
                clipped, level, center, opt.size_knots_hours
            )
        key = (opt.size_knots_hours, opt.category_shrinkage, opt.subcategory_shrinkage)
        if key not in locations:
            locations[key] = _out_of_fold(clipped, design, _penalty(design, opt))
        if (*key, opt.scale) not in spreads:
            spreads[(*key, opt.scale)] = _spread_of(clipped, xc, locations[key], opt.scale)
        cand = _evaluate(clipped, xc, spreads[(*key, opt.scale)], opt)
        if cand is not None:
            scored.append(cand)
    best, mean_ratio = _choose(clipped, xc, scored)
    design = designs[best.options.size_knots_hours]
    beta = _solve(design.gram, design.moment, _penalty(design, best.options))
    raw = pinball(data.y, np.zeros((data.y.size, len(SCORE_U))), np.array(SCORE_U), data.weight)
    return LevelModel(
        options=best.options,
        intercept=_round(beta[0]),
        size=tuple(_round(b) for b in beta[1 : 1 + design.n_size]),
        effects={
            n: _round(b) for n, b in zip(design.names, beta[1 + design.n_size :], strict=True)
        },
        scale_low=(_round(best.spread.low[0]), _round(best.spread.low[1])),
        scale_high=(_round(best.spread.high[0]), _round(best.spread.high[1])),
        shape_at=tuple(_round(a) for a in best.anchors),
        z=tuple(tuple(_round(v) for v in t) for t in best.tables),
        score=_round(best.score),
        raw_score=_round(raw),
        mean_ratio=_round(mean_ratio),
    )


def _round(v: float) -> float:
    """Six significant digits: plenty for a forecast, and the JSON stays small."""
    return float(f"{float(v):.6g}")


def _levels_present(data: _Data) -> list[Level]:
    levels: list[Level] = ["global"]
    if any(c is not None for c in data.category):
        levels.append("category")
    if any(s is not None for s in data.subcategory):
        levels.append("subcategory")
    return levels


def fit(
    records: Sequence[HistoryRecord],
    source: str = "",
    options: dict[Level, Sequence[FitOptions]] | None = None,
    project_cap: float | None = PROJECT_CAP,
) -> CalibrationProfile:
    """Fit a profile; per level, choose among `options` (default: `candidates(level)`) by
    leave-project-out pinball loss. Raises CalibrationError for too little history."""
    if len(records) < MIN_RECORDS:
        raise CalibrationError(
            f"need at least {MIN_RECORDS} records to calibrate, got {len(records)}"
        )
    data = _to_data(records, project_cap)
    center = float(np.median(data.x))
    x_range = (float(data.x.min()), float(data.x.max()))
    projects = {_clean(r.project) for r in records} - {None}
    levels = {
        level: _fit_level(
            data, level, center, x_range, (options or {}).get(level) or candidates(level)
        )
        for level in _levels_present(data)
    }
    return CalibrationProfile(
        source=source,
        n_records=len(records),
        n_projects=len(projects),
        validation=validation_scheme([r.project for r in records]),
        folds=int(np.unique(data.groups).size),
        project_cap=project_cap,
        center=_round(center),
        log_hours_range=(_round(x_range[0]), _round(x_range[1])),
        typical_hours=(
            _round(math.exp(np.percentile(data.x, TYPICAL_PERCENTILES[0]))),
            _round(math.exp(np.percentile(data.x, TYPICAL_PERCENTILES[1]))),
        ),
        levels=levels,
        project_sigma=_round(between_project_sigma(records)),
    )


MIN_PROJECT_TASKS = 10
"""A project speaks for the between-project spread only with at least this many tasks."""


def between_project_sigma(records: Sequence[HistoryRecord]) -> float:
    """The log-sd of what all tasks of one project share: the one-way random-effects
    (ANOVA) estimate of the between-project variance of ln(actual / estimate), beyond what the
    tasks' own scatter explains. 0 with fewer than MIN_PROJECTS projects of
    MIN_PROJECT_TASKS tasks. On SiP: 0.19 (14 projects), against 0.91 within a project."""
    groups: dict[str, list[float]] = {}
    for r in records:
        if (key := _clean(r.project)) is not None:
            groups.setdefault(key, []).append(math.log(r.actual_hours / r.estimate_hours))
    ys = [np.asarray(v) for v in groups.values() if len(v) >= MIN_PROJECT_TASKS]
    if len(ys) < MIN_PROJECTS:
        return 0.0
    sizes = np.asarray([y.size for y in ys], dtype=np.float64)
    n, k = sizes.sum(), len(ys)
    grand = np.concatenate(ys).mean()
    between = sum(y.size * (y.mean() - grand) ** 2 for y in ys) / (k - 1)
    within = sum(((y - y.mean()) ** 2).sum() for y in ys) / (n - k)
    per_group = (n - (sizes**2).sum() / n) / (k - 1)
    return math.sqrt(max(0.0, (between - within) / per_group))


# --- prediction ------------------------------------------------------------------------------


def _lookup(effects: dict[str, float], key: str | None) -> float | None:
    if key is None:
        return None
    folded = key.casefold()
    for name, value in effects.items():
        if name.casefold() == folded:
            return value
    return None


def _match(
    profile: CalibrationProfile, category: str | None, subcategory: str | None
) -> tuple[Level, float]:
    """The deepest level that knows the task's category (and subcategory), and its effects."""
    category, subcategory = _clean(category), _clean(subcategory)
    sub = profile.levels.get("subcategory")
    if sub is not None:
        c = _lookup(sub.effects, category)
        s = _lookup(sub.effects, _subkey(category, subcategory))
        if c is not None and s is not None:
            return "subcategory", c + s
    cat = profile.levels.get("category")
    if cat is not None:
        c = _lookup(cat.effects, category)
        if c is not None:
            return "category", c
    return "global", 0.0


def _log_ratio_curve(
    profile: CalibrationProfile, hours: float, category: str | None, subcategory: str | None
) -> tuple[Level, FloatArray]:
    """ln(actual/estimate) at every knot of U_GRID for a task of `hours`."""
    level, effect = _match(profile, category, subcategory)
    model = profile.levels[level]
    xs = np.clip(np.array([math.log(hours)]), *profile.log_hours_range)
    basis = _basis(xs, profile.center, model.options.size_knots_hours)[0]
    location = model.intercept + float(basis @ np.array(model.size)) + effect
    xc = xs - profile.center
    z = blend(np.array(model.shape_at), np.array(model.z), xc)[0]
    return level, location + _unstandardise(z, xc, model.scale_low, model.scale_high)


def point_hours(estimate: Estimate | float, hours_per_day: float = 8.0) -> float:
    """The developer's point in hours: a three-point estimate's `likely` (see `widen`)."""
    if isinstance(estimate, Estimate):
        factor = 1.0 if estimate.unit == "hours" else hours_per_day
        return estimate.likely * factor
    if not math.isfinite(estimate) or estimate < 0:
        raise ValueError(f"an estimate must be a finite number of hours >= 0, got {estimate}")
    return float(estimate)


def three_point_width(estimate: Estimate) -> float:
    """ln(pessimistic / optimistic), the range's width on the log scale; a zero optimistic
    mirrors the upper half (ln(P/M) twice), since ln(P/0) would be infinite."""
    o, m, p = estimate.optimistic, estimate.likely, estimate.pessimistic
    if m <= 0:
        return 0.0
    upper = math.log(p / m)
    lower = math.log(m / o) if o > 0 else upper
    return upper + lower


def widen(curve: FloatArray, width: float) -> tuple[FloatArray, float]:
    """Stretch a log curve about its median so its P10..P90 is at least `width` wide.

    History sets the centre and the shape; a three-point range only ever widens the spread:
    it says its author saw more uncertainty than usual, while a narrow range says nothing
    (estimators' ranges are notoriously too narrow; history measured how wrong points are).
    """
    lo, hi = np.interp(THREE_POINT_U, U_GRID, curve)
    own = float(hi - lo)
    factor = max(1.0, width / own) if own > 0 else 1.0
    median = float(np.interp(0.5, U_GRID, curve))
    return median + factor * (curve - median), factor


@dataclass(frozen=True, slots=True)
class Distribution:
    """A calibrated task in hours as an inverse CDF: `draw(u)` maps uniforms to hours."""

    level: Level
    point_hours: float
    widened: float
    log_hours: FloatArray

    def draw(self, u: FloatArray) -> FloatArray:
        """Hours at probabilities u (array of uniforms in [0, 1]); piecewise log-linear."""
        if self.point_hours <= 0:
            return np.zeros_like(np.asarray(u, dtype=float))
        return np.exp(np.interp(u, U_GRID, self.log_hours))

    def mean(self) -> float:
        if self.point_hours <= 0:
            return 0.0
        return float(np.trapezoid(np.exp(self.log_hours), U_GRID))


def distribution(
    profile: CalibrationProfile,
    estimate: Estimate | float,
    *,
    category: str | None = None,
    subcategory: str | None = None,
    hours_per_day: float = 8.0,
) -> Distribution:
    """The calibrated distribution of a task's hours. The point is the three-point `likely`
    (history records single points, which developers give as most-likely values); a
    three-point range wider than history's P10..P90 widens the spread (`widen`)."""
    if not hours_per_day > 0:
        raise ValueError(f"hours_per_day must be positive, got {hours_per_day}")
    point = point_hours(estimate, hours_per_day)
    if point <= 0:
        return Distribution("global", 0.0, 1.0, np.full(U_GRID.shape, -np.inf))
    level, curve = _log_ratio_curve(profile, point, category, subcategory)
    factor = 1.0
    if isinstance(estimate, Estimate):
        curve, factor = widen(curve, three_point_width(estimate))
    return Distribution(level, point, factor, math.log(point) + curve)


def quantile(
    profile: CalibrationProfile,
    estimate: Estimate | float,
    u: FloatArray,
    *,
    category: str | None = None,
    subcategory: str | None = None,
    hours_per_day: float = 8.0,
) -> FloatArray:
    """Hours at probabilities `u` (inverse CDF), for Monte Carlo draws from uniforms."""
    return distribution(
        profile, estimate, category=category, subcategory=subcategory, hours_per_day=hours_per_day
    ).draw(u)


def sampler(
    profile: CalibrationProfile,
    estimate: Estimate | float,
    *,
    category: str | None = None,
    subcategory: str | None = None,
    hours_per_day: float = 8.0,
) -> Callable[[FloatArray], FloatArray]:
    """A prepared inverse CDF: work out the curve once, then map any number of uniforms."""
    return distribution(
        profile, estimate, category=category, subcategory=subcategory, hours_per_day=hours_per_day
    ).draw


def calibrate(
    profile: CalibrationProfile,
    estimate: Estimate | float,
    *,
    category: str | None = None,
    subcategory: str | None = None,
    hours_per_day: float = 8.0,
) -> Calibrated:
    """P50/P80/P90 and mean hours of a task, from its estimate (hours, or an Estimate in
    hours or days of `hours_per_day`) and whatever is known of its category."""
    dist = distribution(
        profile, estimate, category=category, subcategory=subcategory, hours_per_day=hours_per_day
    )
    p50, p80, p90 = (float(v) for v in dist.draw(np.array([0.5, 0.8, 0.9])))
    lo, hi = profile.typical_hours
    return Calibrated(
        point_hours=dist.point_hours,
        p50=p50,
        p80=p80,
        p90=p90,
        mean=dist.mean(),
        level=dist.level,
        widened=dist.widened,
        extrapolated=not lo <= dist.point_hours <= hi if dist.point_hours > 0 else False,
    )
