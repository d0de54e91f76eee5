"""The budget check: labour from the rate card, reserves, a verdict and computed options.

Pure: no I/O, no clock, no randomness. Every amount is a `Decimal` inside `Money`; no float
ever touches money (DESIGN principle 5). Hours come from `tools.estimating.role_hours`, already
Decimal to 0.01 h.

The cost build-up, in the plan's currency (the rate card's):

    labour              sum of labour lines; a line is one role on one leaf work package:
                        hours x hourly rate; when the budget does not pay for the team's
                        own time (`Budget.internal_labour` false), only the hours of
                        external members (`Member.external`) and of roles nobody on the
                        team fills: the rest is `uncharged_labour`, shown, never summed
    non-labour          sum of plan.non_labour items
    subtotal            labour + non-labour
    contingency         the argument (from risk EMV or the Monte Carlo spread)
    management reserve  management_reserve_pct % of (subtotal + contingency)
    total               subtotal + contingency + management reserve

Rounding rule: each line item is rounded once, at its end, half-even (banker's rounding) to
the currency's minor unit (cents for USD, whole yen for JPY; `Money.rounded`). The line items
are: every labour line, every non-labour item, the contingency reserve, the management
reserve, and the budget limit. Sums add rounded items and are never rounded again, so
labour + non-labour + contingency + management reserve == total exactly.

Verdict, on the rounded limit L and margin m = at_risk_margin_pct:

    over      total > L
    at_risk   L x (1 - m/100) < total <= L
    within    total <= L x (1 - m/100)

So a total exactly at the limit is "at_risk" (no headroom left) unless the margin is 0, when
it is "within"; a total exactly at the at-risk threshold is "within".

With a forecast, the verdict is the forecast's chance p of the cost staying within the limit
(`verdict_from_chance`), so the verdict and the chance a PM reads beside it always agree:

    within    p >= WITHIN_CHANCE (0.8): the P80 cost fits, the usual funding level
    over      p <  OVER_CHANCE (0.2): even the P20 cost is above the limit
    at_risk   between: the limit lies between the P20 and the P80 cost

The total above (with the management reserve) is still shown; the chance is about the risks
and estimates the plan knows of, the management reserve about those it does not.

Options (only when the verdict is not "within") are computed by re-costing the plan without
some work or with some hours moved, never invented:

- descope: each optional work package (a summary takes all its leaves, and every optional
  non-labour item tied to it or to a package below it) and each optional non-labour item that
  no optional package covers. The saving includes the management reserve on the removed cost,
  recomputed (and rounded) on the smaller base, so new_total == total - saving exactly. The
  schedule effect is the change in working days to finish (negative = shorter), from
  `tools.scheduling`.
- a greedy combination of descope candidates that reaches a better verdict ("over" -> not over
  the limit, "at_risk" -> within), when no single candidate does and some set does.
- rebalance: every role in the `SUBSTITUTES` table whose hours could move to a cheaper role on
  the rate card; no schedule effect.

Options with no positive saving are left out. They are sorted by saving (largest first), then
by description.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from tools.domain import Budget, BudgetCheck, BudgetOption, CostItem, Plan
from tools.estimating import role_hours
from tools.money import CurrencyMismatchError, Money, allocate
from tools.scheduling import network
from tools.wbs import ancestors, leaf_codes_under, leaves

Verdict = Literal["within", "at_risk", "over"]

WITHIN_CHANCE = 0.8
OVER_CHANCE = 0.2

SUBSTITUTES: dict[str, tuple[str, ...]] = {
    # role: roles that can stand in for it (lower-case; matched case-insensitively). A
    # substitute becomes an option only when the rate card prices it below the role.
    "solution architect": ("architect", "senior developer"),
    "architect": ("senior developer",),
    "lead developer": ("senior developer",),
    "senior developer": ("developer",),
    "developer": ("junior developer",),
    "senior devops engineer": ("devops engineer",),
    "senior data engineer": ("data engineer",),
    "senior tester": ("tester",),
}

_VERDICT_WORDS: dict[str, str] = {
    "within": "within budget",
    "at_risk": "at risk",
    "over": "over budget",
}


class MissingRateError(ValueError):
    """Work is planned for a role that the rate card does not price.

    `missing` maps each role, as the WBS spells it, to the work packages that need it.
    """

    def __init__(self, missing: Mapping[str, Sequence[str]]) -> None:
        self.missing: dict[str, tuple[str, ...]] = {
            role: tuple(codes) for role, codes in sorted(missing.items())
        }
        parts = [
            f"{role!r} (work packages {', '.join(codes)})" for role, codes in self.missing.items()
        ]
        super().__init__(
            "no hourly rate on the rate card for "
            + "; ".join(parts)
            + ": add the role to the rate card or assign the work to a priced role"
        )


class MissingBudgetError(ValueError):
    """Neither the plan nor its brief states a budget to check against."""


def role_key(role: str) -> str:
    """How roles are matched: case-insensitive, surrounding and repeated spaces ignored."""
    return " ".join(role.split()).casefold()


def verdict_for(amount: Money, budget: Budget) -> Verdict:
    """The verdict of a total against a budget (see the module docstring for the bounds)."""
    limit = budget.limit.rounded()
    if amount.currency != limit.currency:
        raise CurrencyMismatchError(
            f"the total is in {amount.currency}, the budget limit in {limit.currency}"
        )
    if amount.amount > limit.amount:
        return "over"
    if amount.amount > _threshold(budget):
        return "at_risk"
    return "within"


def verdict_from_chance(p: float) -> Verdict:
    """The verdict of a forecast chance of staying within the limit (module docstring)."""
    if p >= WITHIN_CHANCE:
        return "within"
    return "over" if p < OVER_CHANCE else "at_risk"


def check_budget(
    plan: Plan, contingency_reserve: Money, chance: float | None = None
) -> BudgetCheck:
    """Cost the plan, compare it with its budget and, when it is not within, list options.
    With `chance` (the forecast's chance of staying within the limit) the verdict is read
    from it; without, from the total.

    The budget is `plan.budget`; when that is absent, the brief's budget with the default
    reserve policy of `Budget`. Raises `MissingBudgetError` when neither is set,
    `MissingRateError` when a leaf has hours for a role the rate card does not price, and
    `CurrencyMismatchError` when a cost item, the contingency reserve or the limit is not in
    the rate card's currency.
    """
    budget = _budget_of(plan)
    costing = _costing(plan, contingency_reserve, budget)
    base = costing.totals()
    limit = budget.limit.rounded()
    verdict = verdict_for(base.total, budget) if chance is None else verdict_from_chance(chance)
    options = [] if verdict == "within" else _options(plan, costing, base, budget, verdict)
    return BudgetCheck(
        verdict=verdict,
        labour=base.labour,
        non_labour=base.non_labour,
        contingency_reserve=costing.contingency,
        management_reserve=base.management_reserve,
        total=base.total,
        budget=limit,
        variance=limit - base.total,
        options=options,
        uncharged_labour=None if budget.internal_labour else costing.uncharged_labour(),
    )


# --- costing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    code: str  # a leaf work package
    role: str  # role_key of the role
    hours: Decimal


@dataclass(frozen=True, slots=True)
class _Totals:
    labour: Money
    non_labour: Money
    management_reserve: Money
    total: Money


@dataclass(frozen=True, slots=True)
class _Costing:
    """What it takes to cost the plan again with some work removed or moved."""

    currency: str
    rates: dict[str, Decimal]  # role_key -> hourly rate
    lines: tuple[_Line, ...]  # what the budget pays
    items: tuple[Money, ...]  # non-labour items, rounded, in plan order
    contingency: Money  # rounded
    management_reserve_pct: Decimal
    uncharged: tuple[_Line, ...] = ()  # the team's own time a budget does not pay

    def uncharged_labour(self) -> Money:
        return _sum(
            (
                Money(amount=line.hours * self.rates[line.role], currency=self.currency).rounded()
                for line in self.uncharged
            ),
            self.currency,
        )

    def labour(
        self, drop: frozenset[str] = frozenset(), remap: Mapping[str, str] | None = None
    ) -> Money:
        hours: dict[tuple[str, str], Decimal] = {}
        for line in self.lines:
            if line.code in drop:
                continue
            role = (remap or {}).get(line.role, line.role)
            key = (line.code, role)
            hours[key] = hours.get(key, Decimal(0)) + line.hours
        return _sum(
            (
                Money(amount=h * self.rates[role], currency=self.currency).rounded()
                for (_, role), h in hours.items()
            ),
            self.currency,
        )

    def totals(
        self,
        drop: frozenset[str] = frozenset(),
        drop_items: frozenset[int] = frozenset(),
        remap: Mapping[str, str] | None = None,
    ) -> _Totals:
        labour = self.labour(drop, remap)
        non_labour = _sum(
            (m for i, m in enumerate(self.items) if i not in drop_items), self.currency
        )
        base = labour + non_labour + self.contingency
        reserve = base.times(self.management_reserve_pct / Decimal(100)).rounded()
        return _Totals(labour, non_labour, reserve, base + reserve)


def _budget_of(plan: Plan) -> Budget:
    if plan.budget is not None:
        return plan.budget
    if plan.brief.budget is not None:
        return Budget(limit=plan.brief.budget, internal_labour=plan.brief.budget_internal_labour)
    raise MissingBudgetError("the plan has no budget and its brief states none")


def _threshold(budget: Budget) -> Decimal:
    """The total above which a plan is at risk: limit x (1 - margin / 100), not rounded."""
    return budget.limit.rounded().amount * (1 - budget.at_risk_margin_pct / Decimal(100))


HOURS = Decimal("0.01")


def charged_shares(plan: Plan, budget: Budget) -> dict[str, Decimal]:
    """Share of each role's hours the budget pays, by role_key: all of them, unless the
    budget does not pay for the team's own time; then the external members' share of the
    role's capacity (a role nobody on the team fills is bought in, so paid in full)."""
    if budget.internal_labour:
        return {}
    total: dict[str, Decimal] = {}
    bought: dict[str, Decimal] = {}
    for m in plan.team.members:
        share = Decimal(str(m.availability)) / len(m.roles)
        for role in m.roles:
            key = role_key(role)
            total[key] = total.get(key, Decimal(0)) + share
            if m.external:
                bought[key] = bought.get(key, Decimal(0)) + share
    return {key: bought.get(key, Decimal(0)) / t for key, t in total.items() if t > 0}


def _costing(plan: Plan, contingency_reserve: Money, budget: Budget) -> _Costing:
    currency = Money.zero(plan.rate_card.currency).currency  # validates the ISO code
    _same_currency(currency, budget.limit, "the budget limit")
    _same_currency(currency, contingency_reserve, "the contingency reserve")
    for item in plan.non_labour:
        if item.amount is not None:
            _same_currency(currency, item.amount, f"non-labour item {item.name!r}")
    if contingency_reserve.amount < 0:
        raise ValueError("the contingency reserve must not be negative")
    if budget.management_reserve_pct < 0:
        raise ValueError("management_reserve_pct must not be negative")
    if not 0 <= budget.at_risk_margin_pct <= 100:
        raise ValueError("at_risk_margin_pct must be between 0 and 100")

    rates = _rates(plan)
    charged = charged_shares(plan, budget)
    lines: list[_Line] = []
    uncharged: list[_Line] = []
    missing: dict[str, list[str]] = {}
    for wp in leaves(plan.wbs):
        merged: dict[str, Decimal] = {}
        for role, h in role_hours(wp, plan.calendar).items():
            if h == 0:
                continue  # no hours cost nothing at any rate
            key = role_key(role)
            if key not in rates:
                codes = missing.setdefault(role, [])
                if wp.code not in codes:
                    codes.append(wp.code)
                continue
            merged[key] = merged.get(key, Decimal(0)) + h
        for key, h in merged.items():
            paid = (h * charged.get(key, Decimal(1))).quantize(HOURS)
            lines.append(_Line(wp.code, key, paid))
            if paid < h:
                uncharged.append(_Line(wp.code, key, h - paid))
    if missing:
        raise MissingRateError(missing)
    return _Costing(
        currency=currency,
        rates=rates,
        lines=tuple(lines),
        uncharged=tuple(uncharged),
        items=tuple(counted_amount(item, currency) for item in plan.non_labour),
        contingency=contingency_reserve.rounded(),
        management_reserve_pct=budget.management_reserve_pct,
    )


def _same_currency(currency: str, money: Money, what: str) -> None:
    if money.currency != currency:
        raise CurrencyMismatchError(
            f"{what} is in {money.currency}, but the rate card is in {currency}"
        )


def _rates(plan: Plan) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    spelled: dict[str, str] = {}
    for role, rate in plan.rate_card.hourly.items():
        key = role_key(role)
        if key in rates and rates[key] != rate:
            raise ValueError(
                f"the rate card prices {spelled[key]!r} and {role!r} (the same role, ignoring "
                f"case) differently: {rates[key]} and {rate}"
            )
        rates[key], spelled[key] = rate, role
    return rates


# --- options -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cut:
    """A descope candidate: leaves and non-labour items that go together."""

    label: str  # a package code or an item's name, for combination descriptions
    head: str  # the start of its description
    codes: tuple[str, ...]  # the optional packages it names
    leaves: frozenset[str]
    items: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class _Outcome:
    cut: _Cut
    new_total: Money
    saving: Money


def _options(
    plan: Plan, costing: _Costing, base: _Totals, budget: Budget, verdict: Verdict
) -> list[BudgetOption]:
    cuts = _cuts(plan)
    finish = _Finish(plan)
    options: list[BudgetOption] = []
    outcomes: list[_Outcome] = []
    for cut in cuts:
        new_total = costing.totals(cut.leaves, cut.items).total
        saving = base.total - new_total
        if saving.amount <= 0:
            continue
        outcomes.append(_Outcome(cut, new_total, saving))
        days = finish.effect(cut.leaves)
        options.append(
            BudgetOption(
                kind="descope",
                description=f"{cut.head}: {_result(new_total, budget, days)}",
                work_packages=list(cut.codes),
                saving=saving,
                new_total=new_total,
                schedule_effect_days=days,
            )
        )
    combination = _combination(
        costing=costing, base=base, budget=budget, verdict=verdict, outcomes=outcomes, finish=finish
    )
    if combination is not None:
        options.append(combination)
    options.extend(_rebalances(costing, base, budget))
    options.sort(key=lambda o: (-o.saving.amount, o.description))
    return options


def _cuts(plan: Plan) -> list[_Cut]:
    under = leaf_codes_under(plan.wbs)
    up = ancestors(plan.wbs)
    cuts: list[_Cut] = []
    covered: set[int] = set()
    for wp in plan.wbs:
        if not wp.optional:
            continue
        below = {code for code, chain in up.items() if wp.code in chain} | {wp.code}
        items = frozenset(
            i
            for i, item in enumerate(plan.non_labour)
            if item.optional and item.counted and item.work_package in below
        )
        covered |= items
        n_leaves = len(under[wp.code])
        head = f"Descope {wp.code} {wp.name} ({_count(n_leaves, 'work package')}"
        if items:
            head += f", {_count(len(items), 'optional cost item')}"
        cuts.append(_Cut(wp.code, head + ")", (wp.code,), frozenset(under[wp.code]), items))
    for i, item in enumerate(plan.non_labour):
        if item.optional and item.counted and i not in covered:
            head = f"Drop optional cost {item.name} ({item.amount})"
            cuts.append(_Cut(item.name, head, (), frozenset(), frozenset({i})))
    return cuts


def _combination(
    *,
    costing: _Costing,
    base: _Totals,
    budget: Budget,
    verdict: Verdict,
    outcomes: Sequence[_Outcome],
    finish: _Finish,
) -> BudgetOption | None:
    """Greedy: while the target is not reached, take the candidate that closes the gap with
    the smallest saving (least scope lost) if one does, else the one that saves most on top
    of those already taken. Offered only when it takes two or more candidates; a single one
    is already an option of its own."""
    target = budget.limit.rounded().amount if verdict == "over" else _threshold(budget)
    ranked = sorted(outcomes, key=lambda o: (-o.saving.amount, o.cut.head))
    chosen: list[_Cut] = []
    drop: frozenset[str] = frozenset()
    drop_items: frozenset[int] = frozenset()
    current = base.total
    while current.amount > target:
        trials = [
            (o.cut, costing.totals(drop | o.cut.leaves, drop_items | o.cut.items).total)
            for o in ranked
            if not (o.cut.leaves <= drop and o.cut.items <= drop_items)
        ]
        if not trials:
            return None
        closing = [(c, t) for c, t in trials if t.amount <= target]
        # max/min keep the first of equals, so ties go to the larger individual saving.
        cut, current = (
            max(closing, key=lambda ct: ct[1].amount)
            if closing
            else min(trials, key=lambda ct: ct[1].amount)
        )
        chosen.append(cut)
        drop, drop_items = drop | cut.leaves, drop_items | cut.items
    if len(chosen) < 2:
        return None
    days = finish.effect(drop)
    labels = ", ".join(c.label for c in chosen)
    return BudgetOption(
        kind="descope",
        description=f"Descope together {labels}: {_result(current, budget, days)}",
        work_packages=list(dict.fromkeys(code for c in chosen for code in c.codes)),
        saving=base.total - current,
        new_total=current,
        schedule_effect_days=days,
    )


def _rebalances(costing: _Costing, base: _Totals, budget: Budget) -> list[BudgetOption]:
    options: list[BudgetOption] = []
    roles = dict.fromkeys(line.role for line in costing.lines)
    table = {role_key(r): tuple(role_key(s) for s in subs) for r, subs in SUBSTITUTES.items()}
    for role in roles:
        for sub in table.get(role, ()):
            if sub not in costing.rates or costing.rates[sub] >= costing.rates[role]:
                continue
            new_total = costing.totals(remap={role: sub}).total
            saving = base.total - new_total
            if saving.amount <= 0:
                continue
            moved = [line for line in costing.lines if line.role == role]
            hours = sum((line.hours for line in moved), Decimal(0))
            codes = list(dict.fromkeys(line.code for line in moved))
            rate = Money(amount=costing.rates[role], currency=costing.currency)
            cheaper = Money(amount=costing.rates[sub], currency=costing.currency)
            options.append(
                BudgetOption(
                    kind="rebalance",
                    description=(
                        f"Rebalance: move {hours} h of {role} work ({rate}/h) to {sub} "
                        f"({cheaper}/h) on {', '.join(codes)}: "
                        f"{_result(new_total, budget, 0.0)}"
                    ),
                    work_packages=codes,
                    saving=saving,
                    new_total=new_total,
                    schedule_effect_days=0.0,
                )
            )
    return options


class _Finish:
    """Working days to finish with some leaves descoped, against the full plan.

    Differences are taken in whole working minutes and divided once, so no float noise
    (such as -0.9999999999999998) reaches the option."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._base: int | None = None

    def effect(self, descoped: frozenset[str]) -> float:
        if not descoped:
            return 0.0
        if self._base is None:
            self._base = network(self._plan).finish
        delta = network(self._plan, descoped).finish - self._base
        return delta / self._plan.calendar.minutes_per_day


def _result(new_total: Money, budget: Budget, days: float) -> str:
    text = f"new total {new_total}, {_VERDICT_WORDS[verdict_for(new_total, budget)]}"
    if days:
        direction = "earlier" if days < 0 else "later"
        text += f"; finishes {abs(days):g} working day(s) {direction}"
    return text


def _sum(amounts: Iterable[Money], currency: str) -> Money:
    """Add rounded amounts; an empty sum is a zero with the currency's minor unit (0.00)."""
    result = Money.zero(currency).rounded()
    for amount in amounts:
        result = result + amount
    return result


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


__all__ = [
    "SUBSTITUTES",
    "MissingBudgetError",
    "MissingRateError",
    "Verdict",
    "charged_shares",
    "check_budget",
    "role_key",
    "verdict_for",
    "verdict_from_chance",
]


def counted_amount(item: CostItem, currency: str) -> Money:
    """What an item adds to the budget: its amount, or nothing for a cost without a figure or
    outside the budget (listed in the plan, never summed)."""
    if item.amount is None or not item.in_budget:
        return Money.zero(currency)
    return item.amount.rounded()


def project_level_costs(plan: Plan) -> list[CostItem]:
    """Non-labour items tied to no work package of the plan: in the budget, in no package."""
    codes = {wp.code for wp in plan.wbs}
    return [item for item in plan.non_labour if item.counted and item.work_package not in codes]


def package_costs(plan: Plan) -> dict[str, Money]:
    """Budget at completion of each leaf: its labour at the rate card (what the budget pays of
    it) plus the non-labour items tied to it. An item tied to a summary is allocated over its
    leaves by their labour (to the cent); items tied to no package stay at project level and
    are not in any leaf's budget."""
    currency = plan.rate_card.currency
    paid_by = _budget_of(plan) if plan.budget or plan.brief.budget else None
    internal = paid_by.internal_labour if paid_by else True
    costing = _costing(
        plan, Money.zero(currency), Budget(limit=Money.zero(currency), internal_labour=internal)
    )
    costs = {wp.code: Money.zero(currency) for wp in leaves(plan.wbs)}
    for line in costing.lines:
        amount = line.hours * costing.rates[line.role]
        costs[line.code] += Money(amount=amount, currency=currency).rounded()
    under = leaf_codes_under(plan.wbs)
    for item in plan.non_labour:
        if not item.counted or item.work_package is None or item.work_package not in under:
            continue
        targets = under[item.work_package]
        weights = [costs[c].amount for c in targets]
        if not any(weights):
            weights = [Decimal(1)] * len(targets)
        for code, share in zip(
            targets, allocate(counted_amount(item, currency), weights), strict=True
        ):
            costs[code] += share
    return costs
