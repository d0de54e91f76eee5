"""Archetype templates and default rates: the data a first draft is made of.

Each template must be sound enough for the engine as it is (valid WBS, staffable roles, risks
on real packages) and sized like the organisation's past projects of its kind, so that a draft
at the reference size lands near what such projects really took.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

import knowledge.templates as templates_module
from knowledge.models import ARCHETYPES, GENERIC
from knowledge.rates import default_rates, rate_currencies, rates_basis
from knowledge.templates import (
    Template,
    TemplatePackage,
    as_work_packages,
    is_milestone,
    load_templates,
    template_for,
    template_problems,
)
from tools.domain import Calendar, RateCard
from tools.validation import validate_wbs
from tools.vocabulary import DRIVERS, ROLES

TOLERANCE = 0.35
"""How far a template's total effort at its reference size may sit from its past projects."""


def _seed_lines(name: str) -> list[dict[str, object]]:
    text = (files("knowledge.seed") / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _past_effort() -> dict[str, float]:
    """Median over each archetype's past projects of the person-days in their WBS outline."""
    totals: dict[str, list[float]] = {}
    for p in _seed_lines("projects.jsonl"):
        pd = sum(float(re.search(r"effort ([\d.]+) pd", line)[1]) for line in p["wbs_outline"])
        totals.setdefault(str(p["archetype"]), []).append(pd)
    return {a: statistics.median(v) for a, v in totals.items()}


PAST = _past_effort()
LESSONS = {str(x["id"]) for x in _seed_lines("lessons.jsonl")}


def _leaves(t: Template) -> list[TemplatePackage]:
    parents = {p.parent for p in t.packages if p.parent}
    return [p for p in t.packages if p.code not in parents]


def _effort(packages: list[TemplatePackage]) -> float:
    return sum(p.estimate.likely for p in packages if p.estimate and p.estimate.basis == "effort")


@pytest.fixture(params=ARCHETYPES)
def template(request: pytest.FixtureRequest) -> Template:
    return template_for(request.param)


# --- loading -----------------------------------------------------------------------------


def test_every_archetype_has_a_template() -> None:
    loaded = load_templates()
    assert sorted(loaded) == sorted(ARCHETYPES)
    assert all(t.archetype == a for a, t in loaded.items())


def test_templates_are_read_once() -> None:
    assert load_templates()["erp_rollout"] is load_templates()["erp_rollout"]
    assert template_for("ml_feature") is load_templates()["ml_feature"]


def test_an_unknown_archetype_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no template for archetype 'quantum'"):
        template_for("quantum")


def _load_from(folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Template]:
    """load_templates over a copy of the package data that a test has spoiled."""
    monkeypatch.setattr(templates_module, "files", lambda _package: folder)
    templates_module._load_all.cache_clear()
    try:
        return load_templates()
    finally:
        templates_module._load_all.cache_clear()


Doc = dict[str, Any]


def _spoiled(tmp_path: Path, spoil: Callable[[Doc], None]) -> Path:
    source = files("knowledge") / "templates" / "cloud_migration.json"
    doc = json.loads(source.read_text(encoding="utf-8"))
    spoil(doc)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "cloud_migration.json").write_text(json.dumps(doc))
    return tmp_path


def test_a_wrong_field_type_names_the_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def spoil(doc: Doc) -> None:
        doc["risks"][1]["probability"] = "high"

    with pytest.raises(ValueError, match=r"cloud_migration\.json: risks\.1\.probability"):
        _load_from(_spoiled(tmp_path, spoil), monkeypatch)


def test_a_broken_cross_reference_names_the_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def spoil(doc: Doc) -> None:
        doc["packages"][1]["role_demands"][0]["role"] = "wizard"
        doc["risks"][0]["work_packages"].append("9.9")

    with pytest.raises(ValueError, match=r"cloud_migration\.json: .*'wizard'") as err:
        _load_from(_spoiled(tmp_path, spoil), monkeypatch)
    assert "risks.0 (R1).work_packages: 9.9" in str(err.value)


def test_a_file_named_for_another_archetype_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def spoil(doc: Doc) -> None:
        doc["archetype"] = "ml_feature"

    with pytest.raises(ValueError, match="does not match the file name"):
        _load_from(_spoiled(tmp_path, spoil), monkeypatch)


def test_a_dependency_cycle_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def spoil(doc: Doc) -> None:
        first = next(p for p in doc["packages"] if p["code"] == "1.1")
        first["depends_on"] = [{"predecessor": "5.3"}]

    with pytest.raises(ValueError, match="dependency_cycle"):
        _load_from(_spoiled(tmp_path, spoil), monkeypatch)


# --- structure ---------------------------------------------------------------------------


def test_no_problems(template: Template) -> None:
    assert template_problems(template) == []


def test_phases_and_leaves(template: Template) -> None:
    phases = [p for p in template.packages if p.parent is None]
    leaves = _leaves(template)
    assert 4 <= len(phases) <= 7
    assert [p.code for p in phases] == [str(i) for i in range(1, len(phases) + 1)]
    assert all(p.estimate is None and not p.role_demands for p in phases)
    assert 12 <= len(leaves) <= 25
    codes = [p.code for p in template.packages]
    assert len(codes) == len(set(codes))
    for leaf in leaves:
        assert leaf.parent in {p.code for p in phases}
        assert re.fullmatch(rf"{leaf.parent}\.\d+", leaf.code), leaf.code
        assert leaf.deliverable, leaf.code


def test_estimates_are_right_skewed_person_days(template: Template) -> None:
    for leaf in _leaves(template):
        e = leaf.estimate
        assert e is not None, leaf.code
        if is_milestone(leaf):
            assert not leaf.role_demands
            continue
        assert (e.unit, e.basis) == ("days", "effort"), leaf.code
        assert leaf.role_demands, leaf.code
        assert 0 < e.optimistic <= e.likely <= e.pessimistic, leaf.code
        assert 1.4 <= e.pessimistic / e.likely <= 2.6, leaf.code
        assert e.pessimistic - e.likely > e.likely - e.optimistic, leaf.code


def test_one_go_live_milestone(template: Template) -> None:
    milestones = [p for p in _leaves(template) if is_milestone(p)]
    assert [m.name.startswith("Go-live") for m in milestones] == [True]
    assert milestones[0].depends_on
    assert milestones[0].estimate is not None and milestones[0].estimate.basis == "duration"


def test_project_management_is_effort_of_a_project_manager(template: Template) -> None:
    pm = [p for p in _leaves(template) if p.name.lower().startswith("project management")]
    assert len(pm) == 1
    assert pm[0].estimate is not None and pm[0].estimate.basis == "effort"
    assert [d.role for d in pm[0].role_demands] == ["project manager"]


def test_roles_units_and_drivers_come_from_the_vocabulary(template: Template) -> None:
    assert set(template.roles) <= set(ROLES)
    assert "project manager" in template.roles
    assert set(template.drivers) <= set(DRIVERS)
    assert all(v > 0 for v in template.drivers.values())
    for p in template.packages:
        for d in p.role_demands:
            assert d.role in ROLES, (p.code, d.role)
            assert 0.1 <= d.units <= 3, (p.code, d.role)
            if not p.when:
                assert d.units <= template.roles.count(d.role), (p.code, d.role)
        if p.scale is not None:
            assert p.scale.reference == template.drivers[p.scale.driver]
            assert 0 < p.scale.exponent <= 1.0
        assert all(w == w.lower() and w.strip() for w in p.when)


def test_dependencies(template: Template) -> None:
    by_code = {p.code: p for p in template.packages}
    conditional = {p.code for p in template.packages if p.when}
    for p in template.packages:
        ancestors = {p.parent} if p.parent else set()
        for dep in p.depends_on:
            assert dep.predecessor in by_code, (p.code, dep.predecessor)
            assert dep.predecessor != p.code
            assert dep.predecessor not in ancestors
            if dep.type == "FS":
                assert dep.lag_days == 0, (p.code, dep)
        if p.depends_on:
            # a package stays anchored when the drafter drops the cue-conditional ones
            assert any(d.predecessor not in conditional for d in p.depends_on), p.code


def test_the_engine_accepts_the_wbs(template: Template) -> None:
    wbs = as_work_packages(template)
    assert validate_wbs(wbs, Calendar()) == []
    assert {(wp.source.kind, wp.source.ref) for wp in wbs} == {("template", template.archetype)}
    assert [wp.code for wp in wbs] == [p.code for p in template.packages]


@pytest.mark.parametrize("archetype", sorted(PAST))
def test_effort_matches_past_projects(archetype: str) -> None:
    """At its reference size the template totals about what the archetype's past projects
    took, with or without the packages that only some briefs call for."""
    template = template_for(archetype)
    past = PAST[template.archetype]
    leaves = _leaves(template)
    full = _effort(leaves)
    core = _effort([p for p in leaves if not p.when])
    assert abs(full / past - 1) <= TOLERANCE, (full, past)
    assert abs(core / past - 1) <= TOLERANCE, (core, past)


def test_every_kind_but_the_generic_one_has_past_projects() -> None:
    assert sorted(PAST) == sorted(a for a in ARCHETYPES if a != GENERIC)


def test_the_generic_lifecycle_is_a_skeleton_the_scope_items_add_to() -> None:
    """No past project is of no kind, so the generic lifecycle has no reference class: it is
    smaller than the smallest kind's past projects, since the drafter adds a package for every
    scope item of the brief."""
    smallest = min(PAST.values())
    generic = _effort(_leaves(template_for(GENERIC)))
    assert 0.3 * smallest <= generic <= smallest


# --- risks -------------------------------------------------------------------------------


def test_risks(template: Template) -> None:
    leaves = {p.code for p in _leaves(template)}
    assert 6 <= len(template.risks) <= 10
    assert len({r.id for r in template.risks}) == len(template.risks)
    for r in template.risks:
        assert 0.1 <= r.probability <= 0.6, r.id
        assert r.extra_effort_days is not None, r.id
        for rng in (r.schedule_impact_days, r.extra_effort_days):
            assert rng.low <= rng.likely <= rng.high, r.id
        assert rng.high > 0, r.id
        assert r.role in ROLES, r.id
        assert r.work_packages and set(r.work_packages) <= leaves, r.id
        assert set(r.lessons) <= LESSONS, r.id
        assert 2 <= len(r.lesson_query.split()) <= 14, r.id
        for text in (r.cause, r.event, r.effect):
            # read as "Because {cause}, there is a risk that {event}, which would {effect}."
            assert re.match(r"[a-z]|[A-Z]{2,}", text) and not text.endswith("."), (r.id, text)
        for text in (r.mitigation, r.contingency_plan, r.trigger):
            assert len(text) > 20, r.id
        assert all(w == w.lower() and w.strip() for w in r.when)


def test_risk_lessons_belong_to_the_archetype_or_say_why_not() -> None:
    """Provenance lessons come from the same archetype, but for a few shared mechanisms
    (carrier lead times, number porting, pen-test timing) that another archetype recorded first."""
    archetype_of = {str(x["id"]): str(x["archetype"]) for x in _seed_lines("lessons.jsonl")}
    foreign = {
        (t.archetype, lid)
        for t in load_templates().values()
        for r in t.risks
        for lid in r.lessons
        if archetype_of[lid] != t.archetype
    }
    assert foreign <= {
        ("cloud_migration", "L-0020"),
        ("crm_saas_implementation", "L-0134"),
        ("web_mobile_product", "L-0108"),
    }


# --- rates -------------------------------------------------------------------------------


def test_default_rates_cover_every_role_in_six_currencies() -> None:
    assert set(rate_currencies()) == {"USD", "EUR", "GBP", "CHF", "CAD", "AUD"}
    for currency in rate_currencies():
        rates = default_rates(currency)
        assert rates is not None
        assert list(rates) == list(ROLES)
        assert all(type(v) is Decimal and v > 0 for v in rates.values())
        assert RateCard(currency=currency, hourly=rates).hourly == rates
        # seniority and specialism order the market the same way in every currency
        assert rates["service desk"] < rates["tester"] < rates["developer"]
        assert rates["developer"] < rates["solution architect"] <= rates["erp consultant"]


def test_default_rates_are_decimal_strings_in_the_file() -> None:
    doc = json.loads((files("knowledge") / "rates.json").read_text(encoding="utf-8"))
    assert next(iter(doc)) == "basis"
    amounts = [v for table in doc["currencies"].values() for v in table.values()]
    assert all(isinstance(v, str) and re.fullmatch(r"\d+(\.\d+)?", v) for v in amounts)
    assert "rate card" in rates_basis()


def test_default_rates_lookup() -> None:
    assert default_rates("JPY") is None
    assert default_rates(" eur ") == default_rates("EUR")
    mine = default_rates("USD")
    assert mine is not None
    mine["developer"] = Decimal("1")
    assert default_rates("USD") != mine
