"""The `pmpilot` command: parse, call PlanningService, render. No planning logic here."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table
from rich.text import Text

from agent.corpus import SHARED_TENANT
from agent.llm import LlmError
from agent.repository import Role
from agent.service import LessonsService, PlanningService
from api.app import create_app
from api.settings import Settings, get_settings
from api.wiring import (
    api_services,
    chat_service,
    lessons_service,
    planning_service,
    repository,
)
from knowledge.history import organisation_profile, save_profile
from knowledge.ingest import Format as ImportFormat
from knowledge.models import Archetype, LessonCategory, Phase
from knowledge.seed_corpus import SeedError
from knowledge.store import LessonFilters, StoreError, check_tenant
from tools.assessment import Assessment
from tools.brief import BriefError
from tools.calibration import CalibrationProfile
from tools.domain import Plan, StatusUpdate
from tools.report import GANTT_FILE
from tools.validation import validate_wbs

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
err = Console(stderr=True)
out = Console(soft_wrap=True)

SourceArg = Annotated[
    str, typer.Argument(help="A plan as pmpilot JSON or Microsoft Project XML; '-' for stdin.")
]


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        _fail("invalid setting: " + _describe(exc).split(":", 1)[1].strip())


def _profile(s: Settings) -> CalibrationProfile | None:
    """The organisation's calibration profile when one was fitted (`pmpilot calibrate`), else
    the shipped default."""
    try:
        return organisation_profile(s.profile_path)
    except ValueError as exc:
        _fail(
            f"the calibration profile {s.profile_path} is unreadable"
            f" ({exc.__class__.__name__}); delete it or run `pmpilot calibrate` again"
        )


def _service(iterations: int | None = None, seed: int | None = None) -> PlanningService:
    s = _settings()
    return PlanningService(
        profile=_profile(s),
        seed=s.seed if seed is None else seed,
        iterations=s.iterations if iterations is None else iterations,
    )


def _drafting(
    iterations: int | None = None, seed: int | None = None
) -> tuple[PlanningService, LessonsService]:
    """The service with the plan graph's dependencies, and the lessons store it reads; the
    store is made ready first (seeded on first use, with a progress bar) so that drafting
    itself is quick."""
    s = _settings()
    knowledge = _lessons_service()
    _ready(knowledge)
    try:
        service = planning_service(
            s, _profile(s), iterations=iterations, seed=seed, knowledge=knowledge
        )
    except ValueError as exc:  # an LLM setting that does not make a client
        _fail(f"invalid model settings: {exc}")
    return service, knowledge


def _drafting_service(iterations: int | None, seed: int | None) -> PlanningService:
    return _drafting(iterations, seed)[0]


def _read(source: str) -> tuple[bytes, str]:
    if source == "-":
        return sys.stdin.buffer.read(), "stdin"
    path = Path(source)
    if not path.is_file():
        _fail(f"no such file: {source}")
    return path.read_bytes(), path.name


def _fail(message: str, code: int = 2) -> None:
    # Messages quote user data (file names, cells, tenants): never read them as markup.
    err.print(Text.assemble(("error: ", "bold red"), message), highlight=False)
    raise typer.Exit(code)


def _tenant(value: str) -> str:
    try:
        return check_tenant(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{exc}: lower-case letters, digits, '-' and '_'") from None


def _optional_tenant(value: str | None) -> str | None:
    return None if value is None else _tenant(value)


def _key_tenant(value: str) -> str:
    if _tenant(value) == SHARED_TENANT:
        raise typer.BadParameter(
            f"{SHARED_TENANT!r} is the shared corpus every tenant reads: keys are for tenants"
            " (curate the shared corpus with `pmpilot lessons import`)"
        )
    return value


def _describe(exc: ValidationError) -> str:
    lines = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(document)"
        lines.append(f"  {loc}: {e['msg']}")
    return "invalid plan:\n" + "\n".join(lines)


def _load(service: PlanningService, source: str):
    return _parse(service, *_read(source))


def _parse(service: PlanningService, data: bytes, name: str):
    try:
        return service.load_plan(data, name)
    except ValidationError as exc:
        _fail(_describe(exc))
    except ValueError as exc:  # typed reader errors (MspdiError) are ValueErrors
        _fail(str(exc))


def _write_all(folder: Path, files: dict[str, str]) -> None:
    """Write every file beside its target first, then move them in: no half-written plan."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a plan is a document to share
            staged.append((tmp, folder / name))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


STEP_LABELS: dict[str, str] = {
    "intake": "read the brief",
    "retrieve": "retrieved lessons and similar past projects",
    "staff": "staffed the team and priced the roles",
    "draft_wbs": "drafted the work breakdown",
    "validate_wbs": "validated the work breakdown",
    "propose_risks": "proposed risks from lessons and the brief",
    "schedule": "scheduled and levelled against the team",
    "simulate": "ran the Monte Carlo forecast",
    "check_budget": "ranked risks and checked the budget",
    "assemble": "assembled the plan",
}


def _draft(service: PlanningService, data: bytes, tenant: str):
    """Draft from a brief with a live list of the graph's steps on stderr."""
    try:
        text = service.brief_text(data)
    except BriefError as exc:
        _fail(str(exc))
    with err.status("reading the brief") as status:
        started = time.perf_counter()

        def step(name: str) -> None:
            took = time.perf_counter() - started
            err.print(Text(f"  ✓ {STEP_LABELS.get(name, name)} ({took:.1f} s)"), highlight=False)
            status.update(f"after {STEP_LABELS.get(name, name)}…")

        try:
            return service.draft(text, tenant, on_step=step)
        except BriefError as exc:
            _fail(str(exc))
        except LlmError as exc:
            _fail(f"the model drafter failed: {exc}", code=3)


@app.command()
def plan(
    source: Annotated[
        str,
        typer.Argument(
            help="A brief (Markdown or text), a plan as pmpilot JSON, or Microsoft Project XML;"
            " '-' for stdin."
        ),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for plan.md, plan.json, draft.json and gantt.svg.")
    ] = Path("out"),
    iterations: Annotated[
        int | None, typer.Option(min=0, help="Monte Carlo iterations (0: no forecast).")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed of every random draw.")] = None,
    tenant: Annotated[
        str, typer.Option(help="Whose lessons and past projects to draw on.", callback=_tenant)
    ] = "default",
) -> None:
    """Draft a plan from a brief, or assess a given plan: validate, level, forecast, rank risks
    and check the budget; write plan.md and plan.json (and draft.json, the editable plan)."""
    data, name = _read(source)
    if PlanningService.is_brief(data, name):
        service = _drafting_service(iterations, seed)
        drafted, assessment = _draft(service, data, tenant)
    else:
        service = _service(iterations, seed)
        with err.status("reading the plan") as status:
            drafted = _parse(service, data, name)
            status.update("validating, levelling against the team, simulating, checking budget")
            try:
                assessment = service.assess(drafted)
            except ValueError as exc:
                _fail(str(exc))
    _write_plan(out_dir, service, drafted, assessment)
    _summarise(assessment, out_dir)
    if assessment.issues:
        raise typer.Exit(1)


def _write_plan(out_dir: Path, service: PlanningService, plan: Plan, a: Assessment) -> None:
    files = {
        "plan.json": a.model_dump_json(indent=2) + "\n",
        "plan.md": service.render(a),
        "draft.json": plan.model_dump_json(indent=2) + "\n",
    }
    if (chart := service.chart(a)) is not None:
        files[GANTT_FILE] = chart
    else:
        (out_dir / GANTT_FILE).unlink(missing_ok=True)  # not last run's chart beside this plan
    _write_all(out_dir, files)


def _summarise(a: Assessment, out_dir: Path) -> None:
    for note in a.notes:
        err.print(Text.assemble(("note: ", "yellow"), note), highlight=False)
    if a.issues:
        err.print(f"[yellow]{len(a.issues)} WBS issue(s):[/]")
        for i in a.issues:
            err.print(Text(f"  {i.kind} {i.code or ''}: {i.message}"), highlight=False)
    if a.schedule:
        out.print(
            Text.assemble(
                (a.brief.title, "bold"),
                f": {a.schedule.start} → {a.schedule.finish},"
                f" critical path {' → '.join(a.schedule.critical_path)}",
            ),
            highlight=False,
        )
    if a.budget_check:
        b = a.budget_check
        out.print(f"budget: {b.verdict} (total {b.total}, budget {b.budget})", highlight=False)
    out.print(
        Text(
            f"wrote {out_dir / 'plan.md'}, {out_dir / 'plan.json'}, {out_dir / 'draft.json'}"
            + (f" and {out_dir / GANTT_FILE}" if a.schedule is not None else "")
        ),
        highlight=False,
    )


@app.command()
def chat(
    source: Annotated[
        str | None,
        typer.Argument(help="A brief or a plan to start from; leave out with --thread."),
    ] = None,
    thread: Annotated[
        str | None, typer.Option(help="Resume this thread instead of starting one.")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Rewrite plan.md/plan.json here after each turn.")
    ] = None,
    tenant: Annotated[
        str, typer.Option(help="Whose lessons and threads.", callback=_tenant)
    ] = "default",
) -> None:
    """Talk to a plan: each message edits it, the engine re-runs and says what changed."""
    if (source is None) == (thread is None):
        _fail("give a brief or plan to start from, or --thread to resume one (not both)")
    s = _settings()
    service = _drafting_service(None, None)
    chats = chat_service(s, service)
    if thread is None:
        data, name = _read(source)
        if PlanningService.is_brief(data, name):
            drafted, assessment = _draft(service, data, tenant)
        else:
            drafted = _parse(service, data, name)
            assessment = service.assess(drafted)
        thread = chats.start(drafted, assessment, tenant)
        if out_dir is not None:
            _write_plan(out_dir, service, drafted, assessment)
    else:
        try:
            drafted, assessment, transcript = chats.current(thread, tenant)
        except KeyError:
            _fail(f"no thread {thread} for tenant {tenant}")
        for turn in transcript[-6:]:
            out.print(Text(f"{turn['role']}> {turn['content']}"), highlight=False)
    err.print(Text(f"thread {thread} — type a change, “help”, or “quit”"), highlight=False)
    while True:
        try:
            message = input("you> ").strip()
        except EOFError:
            break
        if message.lower() in {"quit", "exit", "q"}:
            break
        if not message:
            continue
        with err.status("thinking"):
            turn = chats.send(thread, tenant, message[:4000])
        out.print(Text(turn.reply), highlight=False)
        if out_dir is not None:
            _write_plan(out_dir, service, turn.plan, turn.assessment)
    err.print(Text(f"resume with: pmpilot chat --thread {thread}"), highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
) -> None:
    """Serve the HTTP API (/v1, OpenAPI at /docs); keys come from `pmpilot keys create`."""
    s = _settings()
    services = api_services(s, *_drafting())
    err.print(
        Text(
            f"pmpilot on http://{host}:{port}/ (the web page), /v1 (the API, spec at"
            " /openapi.json); make a key with `pmpilot keys create --tenant NAME`"
        ),
        highlight=False,
    )
    uvicorn.run(create_app(services, s.cors_origins), host=host, port=port, log_level="info")


keys_app = typer.Typer(no_args_is_help=True, add_completion=False, help="API keys.")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create_key(
    tenant: Annotated[
        str, typer.Option(help="Whose data the key reads and writes.", callback=_key_tenant)
    ],
    role: Annotated[Role, typer.Option(help="pm (read and write), viewer (read) or admin.")] = "pm",
) -> None:
    """Print a new API key once; only its hash is stored."""
    key = repository(_settings()).create_key(tenant, role)
    out.print(Text(key), highlight=False)
    err.print(Text(f"key for tenant {tenant} ({role}); it is not shown again"), highlight=False)


@keys_app.command("list")
def list_keys(
    tenant: Annotated[
        str | None, typer.Option(help="Only this tenant's keys.", callback=_optional_tenant)
    ] = None,
) -> None:
    """The keys issued: id (the start of its hash), tenant, role, created. Never the key."""
    for k in repository(_settings()).keys(tenant):
        out.print(Text(f"{k.id}  {k.tenant}  {k.role}  {k.created}"), highlight=False)


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The id `keys list` shows.")]) -> None:
    """Delete a key: its next request is refused (401)."""
    revoked = repository(_settings()).revoke(key_id)
    if revoked is None:
        _fail(f"no key with id {key_id!r}: `pmpilot keys list` shows the ids")
    err.print(Text(f"revoked key {key_id} of tenant {revoked.tenant}"), highlight=False)


@app.command()
def validate(source: SourceArg) -> None:
    """Check a plan's WBS; exit 1 when it has issues."""
    issues = validate_wbs(_load(PlanningService(profile=None), source).wbs)
    for i in issues:
        out.print(f"{i.kind}\t{i.code or ''}\t{i.message}", highlight=False)
    if issues:
        raise typer.Exit(1)
    out.print("no issues")


@app.command()
def status(
    source: SourceArg,
    update: Annotated[Path, typer.Argument(help="A status update as JSON (as_of, progress).")],
) -> None:
    """Earned value of a status update against the plan: PV, EV, AC, CPI, SPI, EAC, TCPI."""
    service = _service()
    p = _load(service, source)
    if not update.is_file():
        _fail(f"no such file: {update}")
    try:
        su = StatusUpdate.model_validate_json(update.read_bytes())
    except ValidationError as exc:
        _fail(_describe(exc).replace("invalid plan", "invalid status update"))
    try:
        ev, outside = service.track(p, su)
    except ValueError as exc:
        _fail(str(exc))
    if outside:
        names = ", ".join(i.name for i in outside)
        err.print(
            Text(f"note: BAC covers the work packages; project-level costs ({names}) are outside")
        )
    out.print_json(ev.model_dump_json())


@app.command()
def calibrate(
    history: Annotated[Path, typer.Argument(help="Estimate-vs-actual history as CSV.")],
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Where to write the profile (default: data dir).")
    ] = None,
) -> None:
    """Fit a calibration profile from your organisation's history; later plans use it."""
    if not history.is_file():
        _fail(f"no such file: {history}")
    target = out_path or get_settings().profile_path
    with err.status(f"fitting on {history.name} (leave-project-out validation)"):
        try:
            profile, report = PlanningService(profile=None).calibrate(history)
        except ValueError as exc:  # HistoryError and CalibrationError name rows and causes
            _fail(str(exc))
        save_profile(profile, target)
    out.print(report.summary(), highlight=False)
    out.print(f"wrote {target}", highlight=False)


@app.command("settings")
def show_settings() -> None:
    """Show the effective settings (secrets masked)."""
    s: Settings = get_settings()
    data = json.loads(s.model_dump_json())
    data["llm_api_key"] = "set" if s.llm_api_key else ""
    out.print_json(data=data)


# -- pmpilot lessons --------------------------------------------------------------------------

lessons_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Lessons learned and past projects: the organisation's memory that plans cite.",
)
app.add_typer(lessons_app, name="lessons")


TenantOpt = Annotated[
    str,
    typer.Option(help="Whose lessons (the seed corpus is 'default').", callback=_tenant),
]
ArchetypeOpt = Annotated[Archetype | None, typer.Option(help="Only this archetype.")]
CategoryOpt = Annotated[LessonCategory | None, typer.Option(help="Only this category.")]
PhaseOpt = Annotated[Phase | None, typer.Option(help="Only this phase.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]


def _lessons_service(repair: bool = False) -> LessonsService:
    try:
        return lessons_service(get_settings(), repair=repair)
    except StoreError as exc:
        _fail(str(exc), code=1)


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, advanced by a (done, total) callback; gone when done."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _ready(service: LessonsService) -> None:
    """Seed on first use and repair the index if it disagrees with the records."""
    with _progress("checking the lessons index") as advance:
        try:
            report = service.startup(advance)
        except (StoreError, SeedError) as exc:
            _fail(str(exc), code=1)
    if report.changed:
        indexed, removed = sum(report.indexed.values()), sum(report.removed.values())
        err.print(f"lessons index: {indexed} item(s) indexed, {removed} removed", highlight=False)


def _defaults(pairs: list[str] | None) -> dict[str, str | list[str]]:
    """--default key=value pairs (tags split on ';' or ',')."""
    out: dict[str, str | list[str]] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(f"--default expects key=value, got {pair!r}")
        key = key.strip().lower()
        out[key] = (
            [t.strip() for t in value.replace(";", ",").split(",")] if key == "tags" else value
        )
    return out


@lessons_app.command("import")
def lessons_import(
    file: Annotated[Path, typer.Argument(help="Lessons as CSV, JSON, JSONL or Markdown.")],
    tenant: TenantOpt = "default",
    fmt: Annotated[
        ImportFormat | None, typer.Option("--format", help="Default: from the file name.")
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option("--default", "-D", help="key=value for fields a row leaves out."),
    ] = None,
) -> None:
    """Validate a whole file, then import it (nothing is written when any row is bad)."""
    if not file.is_file():
        _fail(f"no such file: {file}")
    service = _lessons_service()
    try:
        parsed = service.read_file(file, tenant, fmt, _defaults(default))
    except ValueError as exc:  # IngestError lists every bad row with its line number
        _fail(str(exc))
    _ready(service)
    with _progress(f"embedding {len(parsed)} lessons") as advance:
        report = service.import_lessons(parsed, tenant, advance)
    out.print(
        f"{file.name} → tenant {tenant}: {len(report.added)} added, {len(report.updated)} updated,"
        f" {len(report.unchanged)} unchanged, {len(report.near_duplicates)} near-duplicate(s)",
        highlight=False,
    )
    for d in report.near_duplicates:
        out.print(
            f"  line {d.line}: {d.title!r} not imported, {d.similarity:.3f} like {d.duplicate_of}",
            highlight=False,
            markup=False,
        )


@lessons_app.command("search")
def lessons_search(
    query: Annotated[str, typer.Argument(help="What you are looking for, in your words.")],
    *,
    tenant: TenantOpt = "default",
    archetype: ArchetypeOpt = None,
    category: CategoryOpt = None,
    phase: PhaseOpt = None,
    k: Annotated[int, typer.Option(min=1, max=50, help="How many results.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """The lessons most relevant to QUERY, with scores and ids to cite."""
    if not query.strip():
        _fail("the query is empty: say what you are looking for")
    service = _lessons_service()
    _ready(service)
    filters = LessonFilters(archetype=archetype, category=category, phase=phase)
    hits = service.search(query, tenant, k, filters)
    if as_json:
        out.print_json(data=[h.model_dump() for h in hits])
        return
    table = Table(Column("id", no_wrap=True), "score", "title", "archetype", "category", "phase")
    for h in hits:
        m = h.metadata
        table.add_row(
            Text(h.id),
            f"{h.score:.3f}",
            Text(h.title),
            Text(str(m["archetype"])),
            Text(str(m["category"])),
            Text(str(m["phase"])),
        )
    out.print(table)


@lessons_app.command("list")
def lessons_list(
    tenant: TenantOpt = "default",
    archetype: ArchetypeOpt = None,
    category: CategoryOpt = None,
    phase: PhaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every lesson of a tenant, by id."""
    service = _lessons_service()
    _ready(service)
    hits = service.list_lessons(
        tenant, LessonFilters(archetype=archetype, category=category, phase=phase)
    )
    if as_json:
        out.print_json(data=[{"id": h.id, **h.metadata} for h in hits])
        return
    table = Table(Column("id", no_wrap=True), "title", "archetype", "category", "phase", "source")
    for h in hits:
        m = h.metadata
        table.add_row(
            Text(h.id),
            Text(h.title),
            Text(str(m["archetype"])),
            Text(str(m["category"])),
            Text(str(m["phase"])),
            Text(str(m["source"])),
        )
    out.print(table)


@lessons_app.command("delete")
def lessons_delete(
    lesson_id: Annotated[str, typer.Argument(metavar="ID", help="The lesson id, e.g. L-0142.")],
    tenant: TenantOpt = "default",
) -> None:
    """Delete one lesson; exit 1 when the tenant has no such lesson."""
    service = _lessons_service()
    _ready(service)
    if not service.delete(tenant, lesson_id):
        _fail(f"tenant {tenant} has no lesson {lesson_id}", code=1)
    out.print(f"deleted {lesson_id}", highlight=False)


@lessons_app.command("stats")
def lessons_stats(tenant: TenantOpt = "default") -> None:
    """How many lessons and past projects a tenant has, by archetype and category."""
    service = _lessons_service()
    _ready(service)
    out.print_json(service.stats(tenant).model_dump_json())


@lessons_app.command("rebuild")
def lessons_rebuild() -> None:
    """Drop the index and rebuild it from the source records (e.g. after changing models)."""
    service = _lessons_service(repair=True)
    with _progress("rebuilding the lessons index") as advance:
        report = service.rebuild(advance)
    n = report.indexed
    out.print(f"rebuilt: {n['lessons']} lessons, {n['projects']} past projects", highlight=False)
