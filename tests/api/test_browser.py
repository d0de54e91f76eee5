"""The web page in a real browser (Debian's chromium, headless, driven by Playwright) against
a real server: a plan drafted through the page, a follow-up edit in the chat that re-renders
the Gantt chart and the risk register, model and user text shown as text, nothing fetched
from outside 127.0.0.1, and no console error or CSP violation on the way.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect, sync_playwright

from tests.api.servers import ROOT, Server, seeded_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BRIEF = (ROOT / "examples" / "briefs" / "01-postgres-to-rds.md").read_text()
EDIT = "add a pilot phase before cut-over, and what if the budget is $40k?"
"""One message, two edits: a new package (a new bar) and a budget small enough that the
cost impact of some risks moves up a band (new scores in the risk register)."""
HOSTILE = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = seeded_server(tmp_path_factory)
    yield srv
    srv.kill()


@pytest.fixture(scope="module")
def key(server: Server) -> str:
    return server.key("acme")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser test drives Debian's chromium; "
            "`make test` installs it (apt-get install chromium)"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@dataclass
class Tab:
    """A page at 1280x800 that records what must not happen: requests to anywhere but the
    server, console errors (CSP violations are reported there), script errors, dialogs."""

    page: Page
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.outside == [], "requests left 127.0.0.1"
        assert self.errors == [], "console or page errors"
        assert self.dialogs == [], "a dialog opened: injected script ran"


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    t = Tab(page)

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            t.outside.append(route.request.url)
            route.abort()

    def console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            t.errors.append(msg.text)

    context.route("**/*", guard)
    page.on("console", console)
    page.on("pageerror", lambda exc: t.errors.append(str(exc)))
    page.on("dialog", lambda d: (t.dialogs.append(d.message), d.dismiss()))
    yield t
    context.close()


def _sign_in(page: Page, server: Server, key: str) -> None:
    page.goto(f"{server.url}/")
    page.fill("#api-key", key)
    page.click("#key-form button")


def _draft(page: Page, brief: str) -> str:
    """Draft through the page; the id of the plan it shows."""
    renders = int(page.get_attribute("#plan-pane", "data-renders") or 0)
    page.fill("#brief", brief)
    page.click("#draft")
    page.wait_for_selector(f'#plan-pane[data-renders="{renders + 1}"]', timeout=WAIT_MS)
    assert page.is_hidden("#error")
    return page.get_attribute("#plan-pane", "data-plan") or ""


def _bars(page: Page) -> dict[str, dict]:
    return {
        b["code"]: b
        for b in page.eval_on_selector_all(
            "#gantt svg g.task",
            """gs => gs.map(g => ({
                code: g.dataset.code,
                label: g.querySelector('text.label').textContent,
                critical: g.querySelector('rect.bar').classList.contains('critical'),
                summary: g.classList.contains('summary'),
            }))""",
        )
    }


def _risks(page: Page) -> dict[str, dict]:
    return {
        r["id"]: r
        for r in page.eval_on_selector_all(
            "#risks tbody tr",
            """rows => rows.map(r => ({
                id: r.dataset.risk,
                impact: r.querySelector('[data-col=impact]').textContent,
                score: r.querySelector('[data-col=score]').textContent,
                emv: r.querySelector('[data-col=emv]').textContent,
            }))""",
        )
    }


def _shown_as_the_engine_says(bars: dict, risks: dict, assessment: dict) -> None:
    tasks = assessment["schedule"]["tasks"]
    assert set(bars) == {t["code"] for t in tasks}
    leaves = {t["code"] for t in tasks if not bars[t["code"]]["summary"]}
    critical = {c for c, b in bars.items() if b["critical"] and c in leaves}
    assert critical == set(assessment["schedule"]["critical_path"])
    assert list(risks) == [r["id"] for r in assessment["risks"]]
    for r in assessment["risks"]:
        assert risks[r["id"]]["impact"] == str(r["impact"])
        assert risks[r["id"]]["score"] == f"{r['score']} {r['rating']}"


def test_a_plan_is_drafted_then_edited_from_the_chat(
    server: Server, key: str, tab: Tab, tmp_path: Path
) -> None:
    page = tab.page
    _sign_in(page, server, key)
    plan_id = _draft(page, BRIEF)
    api = httpx.get(f"{server.url}/v1/plans/{plan_id}", headers={"Authorization": f"Bearer {key}"})
    original = api.json()["assessment"]
    bars, risks = _bars(page), _risks(page)
    _shown_as_the_engine_says(bars, risks, original)
    assert page.text_content("#plan-title") == original["brief"]["title"]
    assert original["forecast"]["p80_finish"] in page.text_content("#forecast")
    expect(page.locator("#plans button", has_text=original["brief"]["title"]).first).to_be_visible()

    page.fill("#message", EDIT)
    page.click("#send")
    page.wait_for_selector('#transcript li.assistant[data-done="1"]', timeout=WAIT_MS)
    page.wait_for_selector('#plan-pane[data-renders="2"]', timeout=WAIT_MS)

    steps = page.eval_on_selector_all("#transcript .steps li", "ls => ls.map(l => l.dataset.step)")
    assert steps == ["interpret", "apply", "reassess"]
    reply = page.text_content("#transcript li.assistant .reply") or ""
    assert "Pilot" in reply and "40,000" in reply
    threads = json.loads(page.evaluate("sessionStorage.getItem('pmpilot.threads')"))
    thread = httpx.get(
        f"{server.url}/v1/threads/{threads[plan_id]}", headers={"Authorization": f"Bearer {key}"}
    )
    edited = thread.json()["assessment"]
    new_bars, new_risks = _bars(page), _risks(page)
    _shown_as_the_engine_says(new_bars, new_risks, edited)

    # The Gantt: one more bar, the pilot, on the critical path; nothing else went missing.
    assert set(new_bars) - set(bars) == {"P1"} and set(bars) <= set(new_bars)
    assert new_bars["P1"]["label"] == "P1 Pilot" and new_bars["P1"]["critical"]
    # The risk register: the same risks, some now rated higher against the smaller budget.
    assert set(new_risks) == set(risks)
    raised = {i for i in risks if int(new_risks[i]["impact"]) > int(risks[i]["impact"])}
    assert raised, "no risk's impact moved up a band"
    assert all(new_risks[i]["score"] != risks[i]["score"] for i in raised)
    assert "USD 40,000.00" in page.text_content("#budget")

    page.eval_on_selector("#gantt-heading", "h => h.scrollIntoView()")  # the pilot in view
    page.screenshot(path=str(tmp_path / "plan.png"))
    kept = ROOT / "out" / "browser" / "plan.png"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "plan.png", kept)
    assert kept.stat().st_size > 10_000

    # A new session (nothing in sessionStorage) opens the plan at its latest chat version.
    page.evaluate("sessionStorage.clear()")
    _sign_in(page, server, key)
    page.locator("#plans button", has_text=original["brief"]["title"]).first.click()
    page.wait_for_selector('#gantt svg g.task[data-code="P1"]', timeout=WAIT_MS)
    assert set(_bars(page)) == set(new_bars)
    tab.assert_clean()


def test_text_that_looks_like_markup_is_shown_as_text(server: Server, key: str, tab: Tab) -> None:
    page = tab.page
    _sign_in(page, server, key)
    brief = BRIEF.replace(BRIEF.splitlines()[0], f"# {HOSTILE}", 1)
    _draft(page, brief)
    assert page.text_content("#plan-title") == HOSTILE
    expect(page.locator("#plans button", has_text=HOSTILE).first).to_be_visible()

    page.fill("#message", f"<b>bold</b> {HOSTILE}")
    page.click("#send")
    page.wait_for_selector('#transcript li.assistant[data-done="1"]', timeout=WAIT_MS)
    said = page.text_content("#transcript li.user .text")
    assert said == f"<b>bold</b> {HOSTILE}"

    assert page.locator("img").count() == 0
    assert page.locator("b").count() == 0
    scripts = page.eval_on_selector_all("script", "ss => ss.map(s => s.getAttribute('src'))")
    assert scripts == ["/static/app.js"]
    tab.assert_clean()


def test_a_drafting_job_is_polled_until_its_plan_is_ready(
    server: Server, key: str, tab: Tab
) -> None:
    """A server drafting with a model answers 202 and a job: the page polls the job, then
    opens its plan. The job endpoints are played by the browser here (no model offline)."""
    h = {"Authorization": f"Bearer {key}"}
    plan = httpx.post(f"{server.url}/v1/plans", json={"brief": BRIEF}, headers=h, timeout=60)
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    polls: list[str] = []
    briefs: list[str] = []

    def job(status: str, step: str, plan: str | None) -> str:
        return json.dumps(
            {
                "id": "job-1",
                "status": status,
                "step": step,
                "created": "2026-11-26T09:00:00+00:00",
                "updated": "2026-11-26T09:00:01+00:00",
                "plan_id": plan,
                "error": "",
            }
        )

    def submit(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        briefs.append(json.loads(route.request.post_data or "{}")["brief"])
        route.fulfill(
            status=202,
            headers={"Location": "/v1/jobs/job-1"},
            content_type="application/json",
            body=job("queued", "", None),
        )

    def poll(route: Route) -> None:
        polls.append(route.request.headers["authorization"])
        done = len(polls) >= 2
        body = job("succeeded" if done else "running", "draft_wbs", plan_id if done else None)
        route.fulfill(status=200, content_type="application/json", body=body)

    page = tab.page
    page.route("**/v1/plans", submit)
    page.route("**/v1/jobs/job-1", poll)
    _sign_in(page, server, key)
    assert _draft(page, "a brief for a model") == plan_id
    assert briefs == ["a brief for a model"]
    assert polls == [f"Bearer {key}"] * 2
    assert len(_bars(page)) == len(plan.json()["assessment"]["schedule"]["tasks"])
    tab.assert_clean()
