"""The `pmpilot` command: parse, call PlanningService, render. No planning logic here."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from agent.service import PlanningService
from api.settings import Settings, get_settings
from knowledge.history import default_profile, load_profile, save_profile
from tools.domain import StatusUpdate
from tools.validation import validate_wbs

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
err = Console(stderr=True)
out = Console()

SourceArg = Annotated[
    str, typer.Argument(help="A plan as pmpilot JSON or Microsoft Project XML; '-' for stdin.")
]


def _service(iterations: int | None = None, seed: int | None = None) -> PlanningService:
    """The service as settings configure it: the organisation's calibration profile when one
    was fitted (`pmpilot calibrate`), else the shipped default."""
    s = get_settings()
    profile = load_profile(s.profile_path) if s.profile_path.is_file() else default_profile()
    return PlanningService(
        profile=profile,
        seed=s.seed if seed is None else seed,
        iterations=s.iterations if iterations is None else iterations,
    )


def _read(source: str) -> tuple[bytes, str]:
    if source == "-":
        return sys.stdin.buffer.read(), "stdin"
    path = Path(source)
    if not path.is_file():
        _fail(f"no such file: {source}")
    return path.read_bytes(), path.name


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _describe(exc: ValidationError) -> str:
    lines = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(document)"
        lines.append(f"  {loc}: {e['msg']}")
    return "invalid plan:\n" + "\n".join(lines)


def _load(service: PlanningService, source: str):
    data, name = _read(source)
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
            staged.append((tmp, folder / name))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


@app.command()
def plan(
    source: SourceArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for plan.md and plan.json.")] = (
        Path("out")
    ),
    iterations: Annotated[
        int | None, typer.Option(min=0, help="Monte Carlo iterations (0: no forecast).")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed of every random draw.")] = None,
) -> None:
    """Validate, level, forecast, rank risks and check the budget; write plan.md and plan.json."""
    service = _service(iterations, seed)
    with err.status("reading the plan") as status:
        p = _load(service, source)
        status.update("validating, levelling against the team, simulating, checking the budget")
        try:
            assessment = service.assess(p)
        except ValueError as exc:
            _fail(str(exc))
        status.update("writing")
        _write_all(
            out_dir,
            {
                "plan.json": assessment.model_dump_json(indent=2) + "\n",
                "plan.md": service.render(assessment),
            },
        )
    _summarise(assessment, out_dir)
    if assessment.issues:
        raise typer.Exit(1)


def _summarise(a, out_dir: Path) -> None:
    if a.issues:
        err.print(f"[yellow]{len(a.issues)} WBS issue(s):[/]")
        for i in a.issues:
            err.print(f"  {i.kind} {i.code or ''}: {i.message}", highlight=False)
    if a.schedule:
        out.print(
            f"[bold]{a.brief.title}[/]: {a.schedule.start} → {a.schedule.finish},"
            f" critical path {' → '.join(a.schedule.critical_path)}",
            highlight=False,
        )
    if a.budget_check:
        b = a.budget_check
        out.print(f"budget: {b.verdict} (total {b.total}, budget {b.budget})", highlight=False)
    out.print(f"wrote {out_dir / 'plan.md'} and {out_dir / 'plan.json'}", highlight=False)


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
    service = PlanningService(profile=None)
    p = _load(service, source)
    if not update.is_file():
        _fail(f"no such file: {update}")
    try:
        su = StatusUpdate.model_validate_json(update.read_bytes())
    except ValidationError as exc:
        _fail(_describe(exc).replace("invalid plan", "invalid status update"))
    try:
        ev = service.track(p, su)
    except ValueError as exc:
        _fail(str(exc))
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
