"""The Gantt chart: a well-formed SVG with a bar per scheduled package, the critical path
marked, and the deadline and P80 finish drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from tools.assessment import Assessment, assess
from tools.domain import Plan
from tools.gantt import COLOURS, render_gantt

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "crm-rollout.json"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def plan() -> Plan:
    p = Plan.model_validate_json(EXAMPLE.read_bytes())
    brief = p.brief.model_copy(update={"deadline": date(2027, 9, 30)})
    wbs = [
        wp.model_copy(update={"name": wp.name + " <R&D>"}) if i == 1 else wp
        for i, wp in enumerate(p.wbs)
    ]
    return p.model_copy(update={"brief": brief, "wbs": wbs})


@pytest.fixture(scope="module")
def a(plan: Plan) -> Assessment:
    return assess(plan, iterations=300, seed=1)


def _bars(root: ET.Element) -> dict[str, ET.Element]:
    """Each drawn package's shape, by the code its tooltip names."""
    out = {}
    for el in root.iter():
        if el.tag in (f"{SVG}rect", f"{SVG}path"):
            tip = el.find(f"{SVG}title")
            if tip is not None and tip.text and ": " in tip.text and " to " in tip.text:
                out[tip.text.split(":")[0]] = el
    return out


def test_every_scheduled_package_has_a_bar_and_the_critical_path_is_red(a: Assessment) -> None:
    svg = render_gantt(a)
    assert svg is not None
    root = ET.fromstring(svg)  # well-formed, names with < and & escaped
    bars = _bars(root)
    assert set(bars) == {t.code for t in a.schedule.tasks}
    parents = {r.parent for r in a.wbs if r.parent}
    for t in a.schedule.tasks:
        if t.code in parents:
            continue
        colour = bars[t.code].get("fill")
        assert (colour == COLOURS["critical"]) == t.critical or colour == COLOURS["effort"]
    assert "&lt;R&amp;D&gt;" in svg


def test_bars_sit_in_time_order_and_the_deadline_and_p80_are_drawn(a: Assessment) -> None:
    svg = render_gantt(a)
    root = ET.fromstring(svg)
    bars = _bars(root)
    tasks = sorted(a.schedule.tasks, key=lambda t: t.early_start)
    xs = [float(bars[t.code].get("x", "nan")) for t in tasks if bars[t.code].get("x")]
    assert xs == sorted(xs)
    titles = [el.text for el in root.iter(f"{SVG}title")]
    assert f"deadline {a.brief.deadline}" in titles
    assert f"P80 finish {a.forecast.p80_finish}" in titles


def test_an_unscheduled_plan_has_no_chart(a: Assessment) -> None:
    assert render_gantt(a.model_copy(update={"schedule": None})) is None


def test_months_are_ticked_with_the_year_only_where_it_turns(a: Assessment) -> None:
    root = ET.fromstring(render_gantt(a))
    months = [
        el.text
        for el in root.iter(f"{SVG}text")
        if el.text
        and el.text[:3]
        in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
        and el.get("y") == "28"
    ]
    assert len(months) >= 3
    assert months[0][-4:].isdigit()  # the first says its year
    for m in months[1:]:
        assert m[-4:].isdigit() == m.startswith("Jan")


def test_a_phase_bar_spans_all_the_work_under_it(a: Assessment) -> None:
    spans = {t.code: t for t in a.schedule.tasks}
    # make the last phase's work ongoing: its schedule row alone marks only its start
    last = [r for r in a.wbs if r.parent is None][-1]
    wbs = [
        r.model_copy(update={"level_of_effort": True}) if r.parent == last.code else r
        for r in a.wbs
    ]
    tasks = [
        t.model_copy(update={"early_finish": t.early_start}) if t.code == last.code else t
        for t in a.schedule.tasks
    ]
    b = a.model_copy(
        update={"wbs": wbs, "schedule": a.schedule.model_copy(update={"tasks": tasks})}
    )
    titles = [el.text for el in ET.fromstring(render_gantt(b)).iter(f"{SVG}title")]
    for parent in {r.parent for r in b.wbs if r.parent}:
        under = [spans[r.code] for r in b.wbs if r.parent == parent and r.code in spans]
        start = min(t.early_start for t in under)
        finish = max(t.early_finish for t in under)
        assert f"{parent}: {start} to {finish}" in titles
