"""Risk math: probability x impact scoring, expected monetary value, contingency reserve, ranking.

A drafter words a risk and guesses its numbers; this module alone turns those numbers into the
bands, scores, EMVs and reserve that a PM reads (DESIGN principle 1). The rules are data: a
`RiskMatrix` of band boundaries and scores, a rating table, and the set of responses whose cost
the reserve does not hold. Money stays Decimal: a probability (a float in the model) enters as
`Decimal(str(p))`, so 0.3 means exactly 3/10 and never 0.29999999999999998889...
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import pairwise
from typing import Literal

from pydantic import ConfigDict, model_validator

from tools.domain import MoneyRange, Range, Risk, RiskRegister, RiskResponse, Strict
from tools.money import Amount, CurrencyMismatchError, Money, minor_exponent

Rating = Literal["low", "medium", "high", "critical"]
ImpactDriver = Literal["schedule", "cost", "none"]

RESERVE_EXCLUDED: frozenset[RiskResponse] = frozenset({"avoid", "transfer"})
"""Responses whose expected cost the contingency reserve does not hold.

An avoided threat is removed by changing the plan (what that costs is in the baseline); a
transferred one is paid for by a third party (the premium or fee is a cost item). Mitigated and
accepted threats keep their expected cost in the reserve (mitigation lowers the numbers, it does
not remove them), and so do escalated ones until someone outside the project takes them on.
"""

# Digits for an unrounded EMV and for band bounds scaled by the budget. Sums are not taken in
# Decimal: a reserve adds exact rationals (a probability of 1e-300 beside a cost of 1e7 needs
# hundreds of digits) and rounds once.
_PRECISION = 60


class RiskInputError(ValueError):
    """A risk, register or budget the math cannot rate; the message names what is at fault."""


class _Frozen(Strict):
    model_config = ConfigDict(frozen=True)


class RiskMatrix(_Frozen):
    """A probability x impact matrix as data.

    Bands are numbered from 1. Each `*_upper` tuple holds exclusive upper bounds: a value below
    `upper[0]` is band 1, one at or above `upper[-1]` is the last band. Impact is rated on
    schedule days and on cost, as a fraction of the budget when one is known and else against
    absolute amounts. A score is `probability_scores[p] * impact_scores[i]`; `ratings` maps a
    score to the rating of the last row whose minimum it reaches.
    """

    labels: tuple[str, ...]
    probability_upper: tuple[Amount, ...]
    schedule_days_upper: tuple[Amount, ...]
    cost_fraction_upper: tuple[Amount, ...]
    cost_absolute_upper: tuple[Money, ...] | None = None
    probability_scores: tuple[int, ...]
    impact_scores: tuple[int, ...]
    ratings: tuple[tuple[int, Rating], ...]

    @model_validator(mode="after")
    def _consistent(self) -> RiskMatrix:
        n = len(self.labels)
        if n < 2:
            raise ValueError("a matrix needs at least two bands")
        uppers: dict[str, Sequence[Decimal]] = {
            "probability_upper": self.probability_upper,
            "schedule_days_upper": self.schedule_days_upper,
            "cost_fraction_upper": self.cost_fraction_upper,
        }
        if self.cost_absolute_upper is not None:
            currencies = {m.currency for m in self.cost_absolute_upper}
            if len(currencies) > 1:
                raise ValueError("cost_absolute_upper must be in one currency")
            uppers["cost_absolute_upper"] = [m.amount for m in self.cost_absolute_upper]
        for name, upper in uppers.items():
            if len(upper) != n - 1:
                raise ValueError(f"{name} needs {n - 1} bounds for {n} bands, got {len(upper)}")
            if any(b <= a for a, b in pairwise(upper)):
                raise ValueError(f"{name} must be strictly increasing")
        for name, scores in (
            ("probability_scores", self.probability_scores),
            ("impact_scores", self.impact_scores),
        ):
            if len(scores) != n:
                raise ValueError(f"{name} needs {n} scores, got {len(scores)}")
            if scores[0] < 1 or any(b < a for a, b in pairwise(scores)):
                raise ValueError(f"{name} must be positive and non-decreasing")
        minimums = [m for m, _ in self.ratings]
        if not minimums:
            raise ValueError("ratings must not be empty")
        if any(b <= a for a, b in pairwise(minimums)):
            raise ValueError("ratings must have strictly increasing minimum scores")
        if minimums[0] > self.probability_scores[0] * self.impact_scores[0]:
            raise ValueError("the first rating must cover the lowest possible score")
        return self


DEFAULT_MATRIX = RiskMatrix(
    labels=("very low", "low", "medium", "high", "very high"),
    # PMI, PMBOK Guide 4th ed., 11.3 (Fig. 11-10): probability scale points 0.1/0.3/0.5/0.7/0.9,
    # used here as the band boundaries.
    probability_upper=(Decimal("0.1"), Decimal("0.3"), Decimal("0.5"), Decimal("0.7")),
    # pmpilot choice (working days): a day, a week, two weeks, a month of delay.
    schedule_days_upper=(Decimal(1), Decimal(5), Decimal(10), Decimal(20)),
    # PMBOK Guide 4th ed., Fig. 11-5, cost objective: insignificant (taken as < 1 %), < 10 %,
    # 10-20 %, 20-40 %, > 40 % of the budget.
    cost_fraction_upper=(Decimal("0.01"), Decimal("0.10"), Decimal("0.20"), Decimal("0.40")),
    # With no budget known: the same fractions of a USD 120k project, rounded.
    cost_absolute_upper=(
        Money.of(1_000),
        Money.of(10_000),
        Money.of(25_000),
        Money.of(50_000),
    ),
    # Common 5x5 heat-map practice: scores 1-5 per band, 1-4 low, 5-9 medium, 10-16 high,
    # 20-25 critical.
    probability_scores=(1, 2, 3, 4, 5),
    impact_scores=(1, 2, 3, 4, 5),
    ratings=((1, "low"), (5, "medium"), (10, "high"), (20, "critical")),
)


class RiskScore(_Frozen):
    """Where a risk sits in the matrix. Impact is the worse of its schedule and cost bands; a
    risk with neither quantified sits in band 1 (`driver="none"`)."""

    risk_id: str
    probability_band: int
    probability_label: str
    schedule_band: int | None
    cost_band: int | None
    impact_band: int
    impact_label: str
    driver: ImpactDriver
    score: int
    rating: Rating


class RankedRisk(_Frozen):
    """A row of the ranked register. `emv` is rounded to the minor unit for reading (None when
    the risk has no cost impact); the ranking itself used the exact value."""

    rank: int
    risk_id: str
    score: RiskScore
    emv: Money | None
    expected_delay_days: float


def _band(value: Decimal, upper: Sequence[Decimal]) -> int:
    return bisect.bisect_right(upper, value) + 1


def _cost_band(risk: Risk, matrix: RiskMatrix, budget: Money | None) -> int:
    assert risk.cost_impact is not None
    likely = risk.cost_impact.likely
    currency = risk.cost_impact.currency
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if budget is not None:
            if budget.currency != currency:
                raise CurrencyMismatchError(
                    f"risk {risk.id}: cost impact is in {currency}, the budget in {budget.currency}"
                )
            if budget.amount <= 0:
                raise RiskInputError(
                    f"the budget must be positive to rate cost impact as a fraction of it, "
                    f"got {budget.amount}"
                )
            # Compare likely with fraction x budget rather than likely / budget: no division,
            # so no rounding can move a value across a boundary.
            return _band(likely, [f * budget.amount for f in matrix.cost_fraction_upper])
    if matrix.cost_absolute_upper is None:
        raise RiskInputError(
            f"risk {risk.id}: without a budget the matrix needs cost_absolute_upper "
            "to rate a cost impact"
        )
    matrix_currency = matrix.cost_absolute_upper[0].currency
    if matrix_currency != currency:
        raise CurrencyMismatchError(
            f"risk {risk.id}: cost impact is in {currency}, the matrix's absolute bounds in "
            f"{matrix_currency}; pass the budget to rate it as a fraction"
        )
    return _band(likely, [m.amount for m in matrix.cost_absolute_upper])


def score(
    risk: Risk, matrix: RiskMatrix = DEFAULT_MATRIX, budget: Money | None = None
) -> RiskScore:
    """Rate a risk: probability band x impact band, impact the worse of schedule and cost.

    Impact bands read the `likely` value of each range: the matrix rates the expected case.
    """
    p_band = _band(Decimal(str(risk.probability)), matrix.probability_upper)
    s_band = (
        None
        if risk.schedule_impact_days is None
        else _band(Decimal(str(risk.schedule_impact_days.likely)), matrix.schedule_days_upper)
    )
    c_band = None if risk.cost_impact is None else _cost_band(risk, matrix, budget)
    driver: ImpactDriver
    if s_band is None and c_band is None:
        i_band, driver = 1, "none"
    elif c_band is None or (s_band is not None and s_band > c_band):
        assert s_band is not None
        i_band, driver = s_band, "schedule"
    else:
        i_band, driver = c_band, "cost"
    value = matrix.probability_scores[p_band - 1] * matrix.impact_scores[i_band - 1]
    rating = next(r for minimum, r in reversed(matrix.ratings) if value >= minimum)
    return RiskScore(
        risk_id=risk.id,
        probability_band=p_band,
        probability_label=matrix.labels[p_band - 1],
        schedule_band=s_band,
        cost_band=c_band,
        impact_band=i_band,
        impact_label=matrix.labels[i_band - 1],
        driver=driver,
        score=value,
        rating=rating,
    )


def _exact_emv(risk: Risk) -> Fraction:
    """p x (low + 4 likely + high) / 6 as an exact rational."""
    assert risk.cost_impact is not None
    c = risk.cost_impact
    pert = (Fraction(c.low) + 4 * Fraction(c.likely) + Fraction(c.high)) / 6
    return Fraction(Decimal(str(risk.probability))) * pert


def emv(risk: Risk, currency: str | None = None) -> Money:
    """Expected monetary value: probability x PERT mean (low + 4 likely + high) / 6 of the cost.

    Unrounded: round for display, and sum before rounding (`contingency_reserve` does). A risk
    without a cost impact has an EMV of zero in `currency`, which must then be given; when both
    are known they must agree.
    """
    if risk.cost_impact is None:
        if currency is None:
            raise RiskInputError(f"risk {risk.id} has no cost impact; pass the currency")
        return Money.zero(currency)
    if currency is not None and currency != risk.cost_impact.currency:
        raise CurrencyMismatchError(
            f"risk {risk.id}: cost impact is in {risk.cost_impact.currency}, expected {currency}"
        )
    exact = _exact_emv(risk)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        amount = Decimal(exact.numerator) / Decimal(exact.denominator)
    return Money(amount=amount, currency=risk.cost_impact.currency)


def expected_delay_days(risk: Risk) -> float:
    """Probability x PERT mean of the schedule impact, in working days (0 when unquantified)."""
    r = risk.schedule_impact_days
    if r is None:
        return 0.0
    # Through Decimal so that 0.3 x 6 days reads 1.8, not 1.7999999999999998.
    low, likely, high = (Decimal(str(x)) for x in (r.low, r.likely, r.high))
    return float(Decimal(str(risk.probability)) * (low + 4 * likely + high) / 6)


def _unique(risks: Iterable[Risk]) -> list[Risk]:
    out = list(risks)
    ids = [r.id for r in out]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise RiskInputError(f"risk ids must be unique; repeated: {', '.join(repeated)}")
    return out


def contingency_reserve(register: RiskRegister, currency: str) -> Money:
    """The contingency reserve: the exact sum of the EMVs of the threats whose response is not
    in `RESERVE_EXCLUDED`, rounded half-even to the minor unit once, at the end.

    Every costed risk must be in `currency`, excluded ones too: a register in two currencies is
    a mistake whatever the responses.
    """
    risks = _unique(register.risks)
    Money.zero(currency)  # refuse a malformed currency code before any arithmetic
    exact = Fraction(0)
    for risk in risks:
        if risk.cost_impact is None:
            continue
        if risk.cost_impact.currency != currency:
            raise CurrencyMismatchError(
                f"risk {risk.id}: cost impact is in {risk.cost_impact.currency}, "
                f"the register in {currency}"
            )
        if risk.response not in RESERVE_EXCLUDED:
            exact += _exact_emv(risk)
    # round() on a Fraction is half-even, like Money.rounded().
    exp = minor_exponent(currency)
    return Money(amount=Decimal(round(exact * 10**exp)).scaleb(-exp), currency=currency)


def rank(
    register: RiskRegister, matrix: RiskMatrix = DEFAULT_MATRIX, budget: Money | None = None
) -> list[RankedRisk]:
    """The register in priority order: score descending, then EMV descending, then id.

    Every costed risk is rated against the same budget (or the same absolute bounds), which
    puts them all in one currency, so EMVs compare.
    """
    rows: list[tuple[RiskScore, Fraction, Money | None, Risk]] = []
    for risk in _unique(register.risks):
        s = score(risk, matrix, budget)
        value = emv(risk) if risk.cost_impact is not None else None
        exact = Fraction(0) if risk.cost_impact is None else _exact_emv(risk)
        rows.append((s, exact, value, risk))
    rows.sort(key=lambda row: (-row[0].score, -row[1], row[3].id))
    return [
        RankedRisk(
            rank=i,
            risk_id=risk.id,
            score=s,
            emv=None if value is None else value.rounded(),
            expected_delay_days=expected_delay_days(risk),
        )
        for i, (s, _, value, risk) in enumerate(rows, start=1)
    ]


def effort_cost(days: Range, hourly: Decimal, hours_per_day: float, currency: str) -> MoneyRange:
    """The money range of a rework effort in person-days at one hourly rate, to the cent."""
    per_day = hourly * Decimal(str(hours_per_day))

    def cost(d: float) -> Decimal:
        return Money(amount=per_day * Decimal(str(d)), currency=currency).rounded().amount

    return MoneyRange(
        low=cost(days.low), likely=cost(days.likely), high=cost(days.high), currency=currency
    )
