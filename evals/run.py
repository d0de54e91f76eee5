"""Run the evaluation cases through the real plan graph and grade what comes out.

The drafter is the offline one by default, or the model drafter replaying the recorded
cassettes (`evals/cassettes/`). The lessons store is a real one, seeded afresh in a temporary
folder, and the date is fixed (`AS_OF`), so a run depends on the code and the cases only.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from agent.chat import HELP
from agent.corpus import SharedCorpus
from agent.deps import AgentDeps
from agent.drafting.offline import OfflineDrafter
from agent.drafting.port import Drafter
from agent.service import ChatService, LessonsService, PlanningService
from evals.cases import ROOT, Case
from evals.chat_graders import ChatGrade, grade_chat
from evals.gold import ChatCase
from evals.graders import (
    Grade,
    differences,
    grade_consistency,
    grade_injection,
    grade_plan,
)
from knowledge.history import default_profile
from knowledge.kinds import KindMatcher
from knowledge.rates import default_rates
from knowledge.templates import load_templates
from tools.assessment import Assessment
from tools.domain import Plan

AS_OF = date(2026, 12, 7)
"""The day the cases were written: "end of April" in a brief means April 2027."""
SEED = 20261125
"""The seed and the number of draws `pmpilot plan` uses by default, so that a golden plan is
what a PM would have got on `AS_OF`."""
ITERATIONS = 10_000
GOLDEN = ROOT / "evals" / "golden"


@dataclass(frozen=True)
class Drafted:
    plan: Plan
    assessment: Assessment

    def document(self) -> dict:
        """plan.json as `pmpilot plan` writes it, as data."""
        return json.loads(self.assessment.model_dump_json())


@dataclass
class CaseResult:
    case: Case
    drafter: str
    grades: dict[str, Grade]
    drafted: Drafted | None = None
    error: str = ""


@dataclass
class ChatResult:
    case: ChatCase
    grade: ChatGrade


@dataclass
class Suite:
    """The services each case runs through, as `pmpilot plan` and `pmpilot chat` build them
    (the shipped calibration profile, the default seed), on one seeded store."""

    deps: AgentDeps
    drafter_name: str
    service: PlanningService = field(init=False)
    chat: ChatService = field(init=False)

    def __post_init__(self) -> None:
        self.service = PlanningService(
            profile=self.deps.profile, seed=SEED, iterations=ITERATIONS, agent=self.deps
        )
        self.chat = ChatService(self.deps, InMemorySaver())

    def draft(self, text: str) -> Drafted:
        plan, assessment = self.service.draft(text)
        return Drafted(plan, assessment)

    def using(self, drafter: Drafter, name: str) -> Suite:
        """The same store and settings with another drafter."""
        return Suite(replace(self.deps, drafter=drafter), name)


@contextmanager
def offline_suite(drafter: Drafter | None = None, name: str = "offline") -> Iterator[Suite]:
    """A suite on a freshly seeded store in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="pmpilot-evals-") as tmp:
        knowledge = LessonsService.open(Path(tmp))
        knowledge.startup()
        templates = load_templates()
        deps = AgentDeps(
            drafter=drafter or OfflineDrafter(),
            knowledge=SharedCorpus(knowledge),
            templates=templates,
            kinds=KindMatcher.local(templates),
            rates=default_rates,
            today=lambda: AS_OF,
            profile=default_profile(),
            seed=SEED,
            iterations=ITERATIONS,
        )
        yield Suite(deps, name)


def inject(text: str, instruction: str) -> str:
    """The brief with an instruction planted after its first paragraph."""
    head, sep, tail = text.partition("\n\n")
    return f"{head}{sep or chr(10) * 2}{instruction}\n\n{tail}"


def run_case(
    suite: Suite, case: Case, *, consistency: bool = True, robustness: bool = True
) -> CaseResult:
    drafted = suite.draft(case.text)
    grades = grade_plan(case.gold, drafted.plan, drafted.assessment)
    if consistency:
        again = suite.draft(case.text)
        grades["consistency"] = grade_consistency(drafted.document(), again.document())
    if robustness and case.gold.injection is not None:
        twin = suite.draft(inject(case.text, case.gold.injection.text))
        grades["injection"] = grade_injection(
            case.gold.injection.marker, drafted.assessment, twin.assessment, twin.plan
        )
    return CaseResult(case, suite.drafter_name, grades, drafted)


def run_chat(suite: Suite, chat: ChatCase, drafted: Drafted) -> ChatResult:
    """One follow-up message on a fresh thread of the case's drafted plan."""
    thread = suite.chat.start(drafted.plan, drafted.assessment, "default")
    turn = suite.chat.send(thread, "default", chat.message)
    return ChatResult(chat, grade_chat(chat, turn, drafted.assessment, generic=HELP))


# --- golden plans ---------------------------------------------------------------------------


def golden_path(case_id: str, folder: Path = GOLDEN) -> Path:
    return folder / f"{case_id}.plan.json"


def golden_text(drafted: Drafted) -> str:
    return drafted.assessment.model_dump_json(indent=2) + "\n"


def compare_golden(result: CaseResult, folder: Path = GOLDEN) -> list[str]:
    """Where the plan differs from its committed golden plan; [] when it is the same."""
    path = golden_path(result.case.gold.id, folder)
    if result.drafted is None:
        return []
    if not path.is_file():
        return [f"no golden plan {path.name}"]
    return differences(json.loads(path.read_text(encoding="utf-8")), result.drafted.document())


def update_golden(results: list[CaseResult], folder: Path = GOLDEN) -> int:
    """Rewrite the golden plans of these results; the number of files that changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = 0
    for r in results:
        if r.drafted is None:
            continue
        path = golden_path(r.case.gold.id, folder)
        text = golden_text(r.drafted)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed += 1
    return changed
