"""The budget check. Every expected amount is worked by hand in a comment beside it.

The worked plan (8-hour days, effort estimates in hours, one person per package):

    1    Build (summary)
    1.1  API               80 h  Senior Developer @150  = 12,000.00   10 days
    1.2  Admin console     40 h  developer        @100  =  4,000.00    5 days  optional, after 1.1
    2    Reporting (summary, optional)
    2.1  Reports           16 h  developer        @100  =  1,600.00    2 days  after 1.1
    2.2  Exports           16 h  developer        @100  =  1,600.00    2 days  after 2.1
    3    Acceptance test   32 h  tester           @80   =  2,560.00    4 days  after 1.2 and 2.2
                                                labour    21,760.00
    non-labour: Cloud sandbox 1,240.00; Reporting licence 500.00 (optional, tied to 2.1) = 1,740.00
    subtotal 23,500.00 + contingency 1,500.00 = 25,000.00; management reserve 5 % = 1,250.00
    total 26,250.00

Critical path 1.1 -> 1.2 -> 3: 10 + 5 + 4 = 19 days; 1.1 -> 2.1 -> 2.2 -> 3 takes 18 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tools.budget import (
    SUBSTITUTES,
    MissingBudgetError,
    MissingRateError,
    check_budget,
    package_costs,
    role_key,
    verdict_for,
)
from tools.domain import (
    Budget,
    BudgetCheck,
    CostItem,
    Dependency,
    Estimate,
    Member,
    Plan,
    ProjectBrief,
    RateCard,
    RoleDemand,
    Team,
    WorkPackage,
)
from tools.estimating import role_hours
from tools.money import CurrencyMismatchError, Money
from tools.scheduling import project_days
from tools.wbs import leaves

USD = Money.of


def wp(
    code: str,
    name: str,
    hours: float | None = None,
    role: str | None = None,
    *,
    parent: str | None = None,
    after: tuple[str, ...] = (),
    optional: bool = False,
) -> WorkPackage:
    return WorkPackage(
        code=code,
        name=name,
        parent=parent,
        optional=optional,
        estimate=None
        if hours is None
        else Estimate(optimistic=hours, likely=hours, pessimistic=hours, unit="hours"),
        role_demands=[RoleDemand(role=role)] if role else [],
        depends_on=[Dependency(predecessor=p) for p in after],
    )


WBS = [
    wp("1", "Build"),
    wp("1.1", "API", 80.0, "Senior Developer", parent="1"),
    wp("1.2", "Admin console", 40.0, "developer", parent="1", after=("1.1",), optional=True),
    wp("2", "Reporting", optional=True),
    wp("2.1", "Reports", 16.0, "developer", parent="2", after=("1.1",)),
    wp("2.2", "Exports", 16.0, "developer", parent="2", after=("2.1",)),
    wp("3", "Acceptance test", 32.0, "tester", after=("1.2", "2.2")),
]
RATES = {"developer": "100", "senior developer": "150", "architect": "200", "tester": "80"}
NON_LABOUR = [
    CostItem(name="Cloud sandbox", amount=USD("1240")),
    CostItem(name="Reporting licence", amount=USD("500"), work_package="2.1", optional=True),
]
CONTINGENCY = USD("1500")


def make_plan(
    limit: str = "30000",
    *,
    wbs: list[WorkPackage] | None = None,
    rates: dict[str, str] | None = None,
    non_labour: list[CostItem] | None = None,
    currency: str = "USD",
    **budget: str,
) -> Plan:
    return Plan(
        brief=ProjectBrief(title="Portal"),
        start=date(2026, 1, 5),
        wbs=WBS if wbs is None else wbs,
        rate_card=RateCard(
            currency=currency, hourly={k: Decimal(v) for k, v in (rates or RATES).items()}
        ),
        non_labour=NON_LABOUR if non_labour is None else non_labour,
        budget=Budget(
            limit=Money.of(limit, currency),
            **{k: v if isinstance(v, bool) else Decimal(v) for k, v in budget.items()},  # type: ignore[arg-type]
        ),
    )


def summary(check: BudgetCheck) -> list[tuple[str, list[str], Decimal, Decimal, float]]:
    return [
        (o.kind, o.work_packages, o.saving.amount, o.new_total.amount, o.schedule_effect_days)
        for o in check.options
    ]


# --- the cost build-up -------------------------------------------------------------------


def test_cost_build_up_worked_by_hand() -> None:
    check = check_budget(make_plan("30000"), CONTINGENCY)
    # labour: 80 h x 150 + (40 + 16 + 16) h x 100 + 32 h x 80 = 12,000 + 7,200 + 2,560
    assert check.labour == USD("21760.00")
    assert check.non_labour == USD("1740.00")  # 1,240 + 500
    assert check.contingency_reserve == USD("1500.00")
    assert check.management_reserve == USD("1250.00")  # 5 % of (21,760 + 1,740 + 1,500)
    assert check.total == USD("26250.00")  # 25,000 + 1,250
    assert check.budget == USD("30000.00")
    assert check.variance == USD("3750.00")  # 30,000 - 26,250
    # 26,250 <= 30,000 x 0.95 = 28,500: within, and then no options are offered
    assert check.verdict == "within"
    assert check.options == []


def test_each_labour_line_is_rounded_half_even_before_summing() -> None:
    # Two leaves of 0.5 h at 100.01/h: each line 50.005 rounds half-even to 50.00, so labour
    # is 100.00. Rounding only the sum (100.01) would give 100.01.
    wbs = [wp("1", "A", 0.5, "developer"), wp("2", "B", 0.5, "developer")]
    plan = make_plan("1000", wbs=wbs, rates={"developer": "100.01"}, non_labour=[])
    check = check_budget(plan, USD("0.10"))
    assert check.labour == USD("100.00")
    # management reserve 5 % of (100.00 + 0.10) = 5.005 -> half-even 5.00; total 105.10
    assert check.management_reserve == USD("5.00")
    assert check.total == USD("105.10")


def test_non_labour_items_and_contingency_are_rounded_as_line_items() -> None:
    items = [
        CostItem(name="Fee", amount=USD("10.005")),  # -> 10.00 (half-even: 0 is even)
        CostItem(name="Tax", amount=USD("10.015")),  # -> 10.02 (half-even: 2 is even)
    ]
    plan = make_plan("1000", wbs=[], non_labour=items, management_reserve_pct="0")
    check = check_budget(plan, USD("0.125"))  # -> 0.12
    assert check.non_labour == USD("20.02")  # 10.00 + 10.02, not round(20.02) of the raw sum
    assert check.contingency_reserve == USD("0.12")
    assert check.total == USD("20.14")


def test_costs_without_a_figure_or_outside_the_budget_are_listed_never_summed() -> None:
    listed = [
        *NON_LABOUR,
        CostItem(name="Pen test", amount=None),
        CostItem(name="Licences (signed)", amount=USD("90000"), in_budget=False),
        CostItem(name="Report server", amount=None, work_package="2.2", optional=True),
        CostItem(name="Cloud run", amount=USD("7000"), work_package="1.1", in_budget=False),
    ]
    check = check_budget(make_plan(non_labour=listed), CONTINGENCY)
    same = check_budget(make_plan(), CONTINGENCY)
    assert check.non_labour == same.non_labour == USD("1740")
    assert check.total == same.total and check.verdict == same.verdict
    assert package_costs(make_plan(non_labour=listed)) == package_costs(make_plan())
    assert not any("Report server" in o.description for o in check.options)


def test_yen_rounds_to_whole_units() -> None:
    # 3 h x 1,234.5 JPY = 3,703.5 -> half-even 3,704; reserve 10 % of 3,704 = 370.4 -> 370
    plan = make_plan(
        "10000",
        wbs=[wp("1", "Work", 3.0, "developer")],
        rates={"developer": "1234.5"},
        non_labour=[],
        currency="JPY",
        management_reserve_pct="10",
    )
    check = check_budget(plan, Money.zero("JPY"))
    assert check.labour == Money.of("3704", "JPY")
    assert check.management_reserve == Money.of("370", "JPY")
    assert check.total == Money.of("4074", "JPY")
    assert check.total.amount.as_tuple().exponent == 0


def test_duration_estimates_cost_duration_times_people() -> None:
    # 2 days duration with 2 developers = 2 x 8 h x 2 = 32 person-hours x 100 = 3,200
    package = WorkPackage(
        code="1",
        name="Cutover",
        estimate=Estimate(optimistic=2, likely=2, pessimistic=2, basis="duration"),
        role_demands=[RoleDemand(role="developer", units=2)],
    )
    plan = make_plan("10000", wbs=[package], non_labour=[], management_reserve_pct="0")
    assert check_budget(plan, USD("0")).labour == USD("3200.00")


def test_summary_estimates_are_not_costed_twice() -> None:
    # The 100 % rule: a summary's own estimate is its children's, so only leaves are costed.
    wbs = [wp("1", "Phase", 100.0, "developer"), wp("1.1", "Leaf", 8.0, "developer", parent="1")]
    plan = make_plan("10000", wbs=wbs, non_labour=[], management_reserve_pct="0")
    assert check_budget(plan, USD("0")).labour == USD("800.00")  # 8 h x 100


def test_budget_falls_back_to_the_brief_with_default_reserve_policy() -> None:
    plan = make_plan().model_copy(
        update={"budget": None, "brief": ProjectBrief(title="Portal", budget=USD("26000"))}
    )
    check = check_budget(plan, CONTINGENCY)
    # default policy: 5 % reserve (total 26,250 as above), 5 % margin: 26,250 > 26,000 -> over
    assert (check.total, check.budget, check.verdict) == (USD("26250"), USD("26000"), "over")


def test_no_budget_anywhere_is_an_error() -> None:
    plan = make_plan().model_copy(update={"budget": None})
    with pytest.raises(MissingBudgetError, match="no budget"):
        check_budget(plan, CONTINGENCY)


# --- the verdict -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "margin", "verdict"),
    [
        ("1000.01", "5", "over"),
        ("1000.00", "5", "at_risk"),  # exactly at the limit: no headroom left
        ("950.01", "5", "at_risk"),
        ("950.00", "5", "within"),  # exactly at the threshold 1,000 x (1 - 5/100)
        ("0", "5", "within"),
        ("1000.00", "0", "within"),  # with no margin the limit itself is within
        ("1000.01", "0", "over"),
        ("0.01", "100", "at_risk"),  # a 100 % margin: anything above zero is at risk
    ],
)
def test_verdict_boundaries(amount: str, margin: str, verdict: str) -> None:
    budget = Budget(limit=USD("1000"), at_risk_margin_pct=Decimal(margin))
    assert verdict_for(USD(amount), budget) == verdict


def test_total_exactly_at_the_limit_is_at_risk_with_zero_variance() -> None:
    check = check_budget(make_plan("26250"), CONTINGENCY)
    assert (check.verdict, check.variance) == ("at_risk", USD("0"))
    assert check.options  # at risk gets options too


def test_over_has_negative_variance() -> None:
    check = check_budget(make_plan("26249.99"), CONTINGENCY)
    assert (check.verdict, check.variance) == ("over", USD("-0.01"))


# --- descope and rebalance options ---------------------------------------------------------


def test_options_worked_by_hand() -> None:
    check = check_budget(make_plan("25000"), CONTINGENCY)
    assert check.verdict == "over"  # 26,250 > 25,000
    assert summary(check) == [
        # 1.2: 4,000 labour; subtotal 19,500 + 1,500 = 21,000; reserve 1,050; total 22,050.
        # Off the critical path once it is gone: 1.1 -> 2.1 -> 2.2 -> 3 = 18 days: -1 day.
        ("descope", ["1.2"], Decimal("4200.00"), Decimal("22050.00"), -1.0),
        # 80 h of senior developer work at 100 instead of 150: 4,000 x 1.05 = 4,200.
        ("rebalance", ["1.1"], Decimal("4200.00"), Decimal("22050.00"), 0.0),
        # 2: 1,600 + 1,600 labour + the 500 optional licence tied to 2.1 = 3,700 x 1.05.
        # 1.1 -> 1.2 -> 3 still takes 19 days: no schedule effect.
        ("descope", ["2"], Decimal("3885.00"), Decimal("22365.00"), 0.0),
    ]
    # equal savings are ordered by description: "Descope ..." before "Rebalance ..."
    descriptions = [o.description for o in check.options]
    assert descriptions[0].startswith("Descope 1.2 Admin console (1 work package)")
    assert "finishes 1 working day(s) earlier" in descriptions[0]
    assert "within budget" in descriptions[0]  # 22,050 <= 23,750
    assert descriptions[1].startswith(
        "Rebalance: move 80.00 h of senior developer work (USD 150.00/h) to developer "
        "(USD 100.00/h) on 1.1"
    )
    assert descriptions[2].startswith("Descope 2 Reporting (2 work packages, 1 optional cost item)")


def test_schedule_effect_agrees_with_project_days() -> None:
    plan = make_plan("25000")
    effects = {
        tuple(o.work_packages): o.schedule_effect_days
        for o in check_budget(plan, CONTINGENCY).options
        if o.kind == "descope"
    }
    full = project_days(plan)
    assert full == 19.0
    assert effects[("1.2",)] == project_days(plan, descoped={"1.2"}) - full == -1.0
    assert effects[("2",)] == project_days(plan, descoped={"2.1", "2.2"}) - full == 0.0


def test_mandatory_cost_items_stay_when_their_package_is_descoped() -> None:
    items = [*NON_LABOUR, CostItem(name="Report server", amount=USD("1000"), work_package="2.2")]
    check = check_budget(make_plan("25000", non_labour=items), CONTINGENCY)
    saving = {tuple(o.work_packages): o.saving for o in check.options if o.kind == "descope"}
    assert saving[("2",)] == USD("3885.00")  # unchanged: the server is not optional


def test_greedy_combination_when_no_single_option_is_enough() -> None:
    check = check_budget(make_plan("21000"), CONTINGENCY)
    # Over by 5,250: 1.2 (4,200) and 2 (3,885) each fall short. Take 1.2 first (larger), then 2:
    # labour 21,760 - 4,000 - 3,200 = 14,560; non-labour 1,240; + 1,500 = 17,300;
    # reserve 865; total 18,165; saving 26,250 - 18,165 = 8,085.
    # Schedule: 1.1 -> 3 = 10 + 4 = 14 days: 5 days earlier.
    assert summary(check)[0] == (
        "descope",
        ["1.2", "2"],
        Decimal("8085.00"),
        Decimal("18165.00"),
        -5.0,
    )
    assert check.options[0].description.startswith("Descope together 1.2, 2: new total")


def test_no_combination_when_one_package_is_enough() -> None:
    check = check_budget(make_plan("25000"), CONTINGENCY)
    assert all(len(o.work_packages) == 1 for o in check.options)


def test_no_combination_when_nothing_gets_under_the_limit() -> None:
    # Everything optional gone still costs 18,165 > 10,000.
    check = check_budget(make_plan("10000"), CONTINGENCY)
    assert not any("together" in o.description for o in check.options)
    assert len(check.options) == 3


def test_at_risk_combination_aims_for_within() -> None:
    # Limit 26,500 with a 30 % margin: threshold 18,550; 26,250 is at risk. A single descope
    # leaves 22,050 or 22,365; both together 18,165 <= 18,550.
    check = check_budget(make_plan("26500", at_risk_margin_pct="30"), CONTINGENCY)
    assert check.verdict == "at_risk"
    combined = [o for o in check.options if len(o.work_packages) == 2]
    assert [(o.saving, o.new_total) for o in combined] == [(USD("8085"), USD("18165"))]
    assert combined[0].description.endswith("within budget; finishes 5 working day(s) earlier")


def _items_plan(limit: str) -> Plan:
    # No labour, no reserve: mandatory 1,000 plus optional A 500, B 300, C 100 = 1,900.
    items = [
        CostItem(name="Base", amount=USD("1000")),
        CostItem(name="A", amount=USD("500"), optional=True),
        CostItem(name="B", amount=USD("300"), optional=True),
        CostItem(name="C", amount=USD("100"), optional=True),
    ]
    return make_plan(limit, wbs=[], non_labour=items, management_reserve_pct="0")


def test_optional_cost_items_are_options_of_their_own() -> None:
    check = check_budget(_items_plan("1850"), USD("0"))
    assert summary(check) == [
        ("descope", [], Decimal("500.00"), Decimal("1400.00"), 0.0),
        ("descope", [], Decimal("300.00"), Decimal("1600.00"), 0.0),
        ("descope", [], Decimal("100.00"), Decimal("1800.00"), 0.0),
    ]
    assert check.options[0].description.startswith("Drop optional cost A (USD 500.00)")


def test_greedy_takes_the_largest_then_the_smallest_that_closes_the_gap() -> None:
    # Limit 1,150 (gap 750): none alone; take A (1,400); then only B closes (1,100).
    first = check_budget(_items_plan("1150"), USD("0"))
    assert first.options[0].description.startswith("Descope together A, B:")
    assert first.options[0].saving == USD("800")
    # Limit 1,350 (gap 550): take A (1,400); B (1,100) and C (1,300) both close: C loses less.
    second = check_budget(_items_plan("1350"), USD("0"))
    together = [o for o in second.options if "together" in o.description]
    assert [(o.description.split(":")[0], o.saving) for o in together] == [
        ("Descope together A, C", USD("600"))
    ]


def test_rebalance_needs_a_cheaper_priced_substitute() -> None:
    # developer -> junior developer is in the table; unpriced here, so no option
    assert SUBSTITUTES["developer"] == ("junior developer",)
    check = check_budget(make_plan("25000"), CONTINGENCY)
    assert not any("junior" in o.description for o in check.options)
    # priced above developer: still no option
    dear = check_budget(make_plan("25000", rates={**RATES, "Junior Developer": "120"}), CONTINGENCY)
    assert not any("junior" in o.description for o in dear.options)
    # priced below: (40 + 16 + 16) h x (100 - 60) = 2,880 x 1.05 = 3,024
    cheap = check_budget(make_plan("25000", rates={**RATES, "Junior Developer": "60"}), CONTINGENCY)
    (moved,) = [o for o in cheap.options if "junior" in o.description]
    assert (moved.kind, moved.work_packages) == ("rebalance", ["1.2", "2.1", "2.2"])
    assert (moved.saving, moved.new_total) == (USD("3024.00"), USD("23226.00"))
    assert "move 72.00 h of developer work" in moved.description


def test_rebalance_merges_into_an_existing_line_and_rounds_it_once() -> None:
    # 3 h of effort on one leaf, 2 units architect + 1 unit senior developer: 2.00 h and
    # 1.00 h. Moving the architect's hours joins the senior developer's line on that leaf:
    # one 3.00 h line, rounded once (not 2 h and 1 h rounded apart: 300.01 + 150.00).
    package = WorkPackage(
        code="1",
        name="Design",
        estimate=Estimate(optimistic=3, likely=3, pessimistic=3, unit="hours"),
        role_demands=[RoleDemand(role="architect", units=2), RoleDemand(role="senior developer")],
    )
    plan = make_plan(
        "100",
        wbs=[package],
        rates={"architect": "200", "senior developer": "150.005"},
        non_labour=[],
        management_reserve_pct="0",
    )
    check = check_budget(plan, USD("0"))
    assert check.labour == USD("550.00")  # 2 h x 200 = 400.00; 1 h x 150.005 = 150.005 -> 150.00
    (option,) = check.options
    assert option.new_total == USD("450.02")  # 3 h x 150.005 = 450.015 -> 450.02
    assert option.saving == USD("99.98")


def test_substitutes_table_is_lower_case_data() -> None:
    for role, subs in SUBSTITUTES.items():
        assert role == role_key(role)
        assert all(s == role_key(s) and s != role for s in subs)


# --- errors ------------------------------------------------------------------------------


def test_missing_rates_name_roles_and_work_packages() -> None:
    wbs = [
        wp("1", "Migrate", 8.0, "DBA"),
        wp("2", "Check", 4.0),  # no role: "unassigned"
        wp("3", "Tune", 2.0, "DBA"),
        wp("4", "Later", None, "Auditor"),  # no hours: costs nothing, needs no rate
    ]
    with pytest.raises(MissingRateError) as err:
        check_budget(make_plan(wbs=wbs), CONTINGENCY)
    assert err.value.missing == {"DBA": ("1", "3"), "unassigned": ("2",)}
    assert isinstance(err.value, ValueError)
    assert "'DBA' (work packages 1, 3)" in str(err.value)
    assert "'unassigned' (work packages 2)" in str(err.value)


def test_an_unassigned_rate_prices_unassigned_work() -> None:
    plan = make_plan(wbs=[wp("1", "Check", 4.0)], rates={"Unassigned": "90"}, non_labour=[])
    assert check_budget(plan, USD("0")).labour == USD("360.00")  # 4 h x 90


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("item", "non-labour item 'Licence'"),
        ("contingency", "the contingency reserve"),
        ("limit", "the budget limit"),
    ],
)
def test_currency_mismatch_names_the_item(change: str, named: str) -> None:
    items = [CostItem(name="Licence", amount=Money.of("10", "EUR" if change == "item" else "USD"))]
    if change == "item":
        # A validated plan refuses it up front, naming the field ...
        with pytest.raises(ValidationError, match=r"non_labour\.0\.amount\.currency is EUR"):
            make_plan("30000", non_labour=items)
        # ... and the budget check still refuses a plan that was never validated.
        plan = make_plan("30000").model_copy(update={"non_labour": items})
    else:
        plan = make_plan("30000", non_labour=items)
    if change == "limit":
        plan = plan.model_copy(update={"budget": Budget(limit=Money.of("30000", "EUR"))})
    contingency = Money.of("1", "EUR") if change == "contingency" else USD("1")
    with pytest.raises(CurrencyMismatchError, match=named):
        check_budget(plan, contingency)


def test_conflicting_rates_for_the_same_role_are_refused() -> None:
    with pytest.raises(ValueError, match="'Developer' and 'developer'"):
        check_budget(make_plan(rates={"Developer": "100", "developer": "90"}), CONTINGENCY)


def test_negative_contingency_is_refused() -> None:
    with pytest.raises(ValueError, match="contingency reserve must not be negative"):
        check_budget(make_plan(), USD("-1"))


# --- properties --------------------------------------------------------------------------

ROLES = ("developer", "senior developer", "architect", "tester")
CENTS = Decimal("0.01")


def money(lo: int, hi: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(0, 6))
    wbs: list[WorkPackage] = []
    grouped = draw(st.integers(0, n))  # the first `grouped` leaves sit under summary S
    if grouped:
        wbs.append(WorkPackage(code="S", name="Phase", optional=draw(st.booleans())))
    for i in range(n):
        o = draw(st.integers(0, 400)) / 4
        m = o + draw(st.integers(0, 400)) / 4
        p = m + draw(st.integers(0, 400)) / 4
        roles = draw(st.lists(st.sampled_from(ROLES), max_size=3, unique=True))
        wbs.append(
            WorkPackage(
                code=f"L{i}",
                name=f"Leaf {i}",
                parent="S" if i < grouped else None,
                estimate=Estimate(
                    optimistic=o,
                    likely=m,
                    pessimistic=p,
                    unit=draw(st.sampled_from(["hours", "days"])),
                ),
                role_demands=[
                    RoleDemand(
                        role=r.title() if draw(st.booleans()) else r,
                        units=draw(st.sampled_from([0.5, 1.0, 1.5, 3.0])),
                    )
                    for r in roles
                ],
                depends_on=[
                    Dependency(predecessor=f"L{j}")
                    for j in draw(
                        st.sets(st.integers(0, i - 1), max_size=2) if i else st.just(set())
                    )
                ],
                optional=draw(st.booleans()),
            )
        )
    codes = [w.code for w in wbs]
    items = [
        CostItem(
            name=f"Item {k}",
            amount=Money(amount=draw(money(0, 20000, 3))),
            optional=draw(st.booleans()),
            work_package=draw(st.sampled_from([None, *codes])),
        )
        for k in range(draw(st.integers(0, 4)))
    ]
    hourly = {r: draw(money(0, 300, 3)) for r in ROLES}
    hourly["unassigned"] = draw(money(0, 300, 2))
    if draw(st.booleans()):
        hourly["junior developer"] = draw(money(0, 300, 2))
    return Plan(
        brief=ProjectBrief(title="Generated"),
        start=date(2026, 1, 5),
        wbs=wbs,
        rate_card=RateCard(hourly=hourly),
        non_labour=items,
        budget=Budget(
            limit=Money(amount=draw(money(0, 200000, 2))),
            management_reserve_pct=draw(money(0, 25, 2)),
            at_risk_margin_pct=draw(money(0, 40, 1)),
        ),
    )


def all_money(check: BudgetCheck) -> Iterator[Money]:
    yield from (
        check.labour,
        check.non_labour,
        check.contingency_reserve,
        check.management_reserve,
        check.total,
        check.budget,
        check.variance,
    )
    for option in check.options:
        yield from (option.saving, option.new_total)


@settings(max_examples=200, deadline=None)
@given(plan=plans(), contingency=money(0, 10000, 4))
def test_properties_of_every_budget_check(plan: Plan, contingency: Decimal) -> None:
    check = check_budget(plan, Money(amount=contingency))
    assert plan.budget is not None

    # the parts add up to the total exactly, to the cent
    assert check.total.amount == (
        check.labour.amount
        + check.non_labour.amount
        + check.contingency_reserve.amount
        + check.management_reserve.amount
    )
    assert check.variance.amount == check.budget.amount - check.total.amount

    # labour is the sum of per-line rounded costs (one line = one role on one leaf)
    rates = {role_key(r): v for r, v in plan.rate_card.hourly.items()}
    expected = sum(
        (
            (h * rates[role_key(r)]).quantize(CENTS)
            for leaf in leaves(plan.wbs)
            for r, h in role_hours(leaf, plan.calendar).items()
        ),
        Decimal(0),
    )
    assert check.labour.amount == expected

    # no float anywhere in money, everything rounded to the cent
    for m in all_money(check):
        assert type(m.amount) is Decimal
        assert m.amount.as_tuple().exponent == -2
        assert m.currency == "USD"

    # the verdict agrees with the variance and the margin
    assert (check.verdict == "over") == (check.variance.amount < 0)
    if plan.budget.at_risk_margin_pct == 0:
        assert check.verdict != "at_risk"

    # options: only when not within; computed consistently; sorted
    if check.verdict == "within":
        assert check.options == []
    for option in check.options:
        assert option.new_total == check.total - option.saving
        assert option.saving.amount > 0
        assert option.schedule_effect_days <= 0  # removing work never makes a plan longer
        if option.kind == "rebalance":
            assert option.schedule_effect_days == 0.0
    keys = [(-o.saving.amount, o.description) for o in check.options]
    assert keys == sorted(keys)


# --- a budget that does not pay for the team's own time ---------------------------------------


def _team(*members: tuple[str, str, float, bool]) -> Team:
    return Team(
        members=[
            Member(id=f"m{i}", name=name, roles=[role], availability=share, external=external)
            for i, (name, role, share, external) in enumerate(members)
        ]
    )


def test_external_spend_only_budget_counts_external_people_and_unfilled_roles() -> None:
    plan = make_plan("30000", internal_labour=False).model_copy(  # type: ignore[arg-type]
        update={
            "team": _team(
                ("Ana", "Senior Developer", 1.0, False),
                ("Ben", "developer", 1.0, False),
                ("Cy", "developer", 1.0, True),  # a contractor: half the developer capacity
            )
        }
    )
    check = check_budget(plan, CONTINGENCY)
    # senior developer: internal, not paid (80 h x 150 = 12,000 uncharged)
    # developer: half of (40 + 16 + 16) h x 100 = 3,600 paid, 3,600 uncharged
    # tester: nobody on the team is one, so it is bought in: 32 h x 80 = 2,560 paid
    assert check.labour == USD("6160.00")
    assert check.uncharged_labour == USD("15600.00")
    assert check.labour + check.uncharged_labour == check_budget(make_plan(), CONTINGENCY).labour


def test_a_budget_that_pays_for_everyone_has_no_uncharged_labour() -> None:
    check = check_budget(make_plan("30000"), CONTINGENCY)
    assert check.uncharged_labour is None
