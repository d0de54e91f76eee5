"""`pmpilot plan BRIEF` and `pmpilot chat` as a user runs them: the installed console script
in a subprocess, on a data directory of its own (seeded once per session)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.assessment import Assessment
from tools.domain import Plan

ROOT = Path(__file__).resolve().parents[2]
BRIEF = ROOT / "examples" / "briefs" / "10-okta-sso-rollout.md"
PMPILOT = Path(sys.executable).with_name("pmpilot")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pmpilot-cli-data")


def run(data_dir: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"},
        "COLUMNS": "200",
        "PMPILOT_DATA_DIR": str(data_dir),
        "PMPILOT_DRAFTER": "offline",
        "PMPILOT_ITERATIONS": "2000",
    }
    return subprocess.run(
        [str(PMPILOT), *args], input=stdin, capture_output=True, cwd=ROOT, env=env, check=False
    )


def test_a_brief_becomes_a_plan_with_its_steps_shown(data_dir: Path, tmp_path: Path) -> None:
    result = run(data_dir, "plan", str(BRIEF), "--out", str(tmp_path))
    err = result.stderr.decode()
    assert result.returncode == 0, err
    for label in ("read the brief", "drafted the work breakdown", "ran the Monte Carlo"):
        assert label in err
    a = Assessment.model_validate_json((tmp_path / "plan.json").read_text())
    assert a.issues == [] and a.schedule is not None and a.forecast is not None
    assert a.brief.archetype == "identity_sso_rollout"
    draft = Plan.model_validate_json((tmp_path / "draft.json").read_text())
    assert [wp.code for wp in draft.wbs] == [r.code for r in a.wbs]
    md = (tmp_path / "plan.md").read_text()
    for section in ("## Work breakdown", "**Critical path:**", "## Forecast", "## Risk register"):
        assert section in md
    assert "## Budget check" in md and "## Assumptions" in md and "## Sources" in md
    # The drafted plan is a plan: assessing it again gives the same finish.
    again = run(data_dir, "plan", str(tmp_path / "draft.json"), "--out", str(tmp_path / "b"))
    assert again.returncode == 0, again.stderr.decode()
    b = Assessment.model_validate_json((tmp_path / "b" / "plan.json").read_text())
    assert b.schedule.finish == a.schedule.finish


def test_a_brief_from_stdin(data_dir: Path, tmp_path: Path) -> None:
    result = run(data_dir, "plan", "-", "--out", str(tmp_path), stdin=BRIEF.read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads((tmp_path / "plan.json").read_text())["brief"]["title"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "brief: the brief is empty"),
        (b"\x00\x01\x02 binary \xff\xfe", "binary file"),
        ("Budget 50 000 EUR für die Migration".encode("latin-1"), "not UTF-8"),
        (b"Migrate it.", "brief:"),
    ],
)
def test_bad_briefs_exit_2_with_a_clear_message_and_no_traceback(
    data_dir: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    src = tmp_path / "brief.md"
    src.write_bytes(content)
    result = run(data_dir, "plan", str(src), "--out", str(tmp_path / "out"))
    err = result.stderr.decode()
    assert result.returncode == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_chat_edits_the_plan_and_resumes_the_thread(data_dir: Path, tmp_path: Path) -> None:
    messages = b"what if the budget is $200k?\nadd a pilot phase before cut-over\nquit\n"
    result = run(data_dir, "chat", str(BRIEF), "--out", str(tmp_path), stdin=messages)
    err, out = result.stderr.decode(), result.stdout.decode()
    assert result.returncode == 0, err
    assert "Done: budget set to 200,000" in out
    assert "Done: added" in out
    a = Assessment.model_validate_json((tmp_path / "plan.json").read_text())
    assert str(a.budget_check.budget) == "USD 200,000.00"
    thread = err.split("pmpilot chat --thread ")[1].split()[0]
    resumed = run(data_dir, "chat", "--thread", thread, stdin=b"undo\n")
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert "went back" in resumed.stdout.decode()
    other = run(data_dir, "chat", "--thread", thread, "--tenant", "globex", stdin=b"undo\n")
    assert other.returncode == 2
    assert "no thread" in other.stderr.decode()
