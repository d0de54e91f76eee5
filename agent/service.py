"""PlanningService: the one entry that the CLI, the API and scheduled jobs call.

It turns input bytes into a Plan and a Plan into an Assessment. Drafting from a brief (the
plan graph) joins here when the agent lands; the ways in stay the same. Its dependencies
(calibration profile, seed, run sizes) are injected, read from settings at the edge.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from langgraph.types import Checkpointer
from pydantic import ValidationError

from agent.chat import Interpreter, build_chat_graph
from agent.corpus import SharedCorpus
from agent.deps import AgentDeps
from agent.graph import build_plan_graph
from agent.llm import LlmError
from agent.repository import Repository, StoredJob, StoredPlan
from knowledge.embedding import EmbeddingConfig, make_embedding_function
from knowledge.history import CalibrationReport, calibrate_file, default_profile
from knowledge.ingest import (
    Format,
    ImportReport,
    ParsedLesson,
    decode,
    detect_format,
    import_lessons,
    parse_lessons,
)
from knowledge.models import Archetype, Lesson, PastProject
from knowledge.seed_corpus import (
    Progress,
    RecordStore,
    SyncReport,
    ensure_seeded,
    rebuild_index,
    sync_index,
)
from knowledge.store import (
    ChromaLessonsStore,
    IndexStats,
    LessonFilters,
    LessonHit,
    LessonsStore,
    ProjectHit,
    open_client,
)
from tools.assessment import Assessment, assess, track
from tools.brief import BriefError
from tools.budget import project_level_costs
from tools.calibration import CalibrationProfile
from tools.domain import CostItem, Plan, StatusUpdate
from tools.edits import Change, Edit, apply_edits, changes, read_edits
from tools.evm import EarnedValue
from tools.gantt import render_gantt
from tools.mspdi import read_mspdi
from tools.report import render_markdown

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The header of a compound file, the container of .mpp files."""


@dataclass(frozen=True)
class PlanningService:
    profile: CalibrationProfile | None = field(default_factory=default_profile)
    seed: int = 0
    iterations: int = 10_000
    time_limit_s: float = 1.0
    agent: AgentDeps | None = None
    """The plan graph's dependencies: needed to draft from a brief, not to assess a plan."""

    @staticmethod
    def is_brief(data: bytes, name: str = "") -> bool:
        """A brief is text that is neither a pmpilot JSON plan nor Microsoft Project XML."""
        if name.lower().endswith((".md", ".markdown", ".txt", ".text")):
            return True
        if name.lower().endswith((".json", ".xml", ".mpp")) or data.startswith(OLE_MAGIC):
            return False
        head = data.lstrip()[:1]
        return head not in (b"{", b"<")

    @staticmethod
    def brief_text(data: bytes) -> str:
        """A brief's bytes as text: UTF-8 (a BOM is dropped); binary files are refused."""
        if b"\x00" in data[:8192]:
            raise BriefError("brief", "this looks like a binary file, not a brief")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BriefError(
                "brief", f"not UTF-8 text (byte {exc.start}); save the brief as UTF-8"
            ) from None

    def draft(
        self, text: str, tenant: str = "default", on_step: Callable[[str], None] | None = None
    ) -> tuple[Plan, Assessment]:
        """Run the plan graph on a brief: BriefError for a brief that cannot be read."""
        if self.agent is None:
            raise RuntimeError("drafting needs the agent's dependencies (PlanningService.agent)")
        graph = build_plan_graph(self.agent)
        config = {"recursion_limit": self.agent.recursion_limit}
        final: dict = {}
        for mode, chunk in graph.stream(
            {"text": text, "tenant": tenant}, config, stream_mode=["updates", "values"]
        ):
            if mode == "updates" and on_step is not None:
                for step in chunk:
                    on_step(step)
            elif mode == "values":
                final = chunk
        return final["plan"], final["assessment"]

    def load_plan(self, data: bytes, name: str = "") -> Plan:
        """A plan from pmpilot JSON or Microsoft Project XML (MSPDI), told apart by content."""
        if name.lower().endswith(".mpp") or data.startswith(OLE_MAGIC):
            raise ValueError(
                "binary Microsoft Project (.mpp) files are not supported: open the project in"
                " Microsoft Project, save it as XML (MSPDI) and import that file"
            )
        head = data.lstrip()[:1]
        if name.lower().endswith(".xml") or head == b"<":
            return read_mspdi(data).plan
        return Plan.model_validate_json(data)

    def assess(self, plan: Plan) -> Assessment:
        return assess(
            plan,
            profile=self.profile,
            iterations=self.iterations,
            seed=self.seed,
            time_limit_s=self.time_limit_s,
        )

    def render(self, assessment: Assessment) -> str:
        return render_markdown(assessment)

    def chart(self, assessment: Assessment) -> str | None:
        """The Gantt chart (SVG) that plan.md shows, or None when nothing was scheduled."""
        return render_gantt(assessment)

    def track(self, plan: Plan, status: StatusUpdate) -> tuple[EarnedValue, list[CostItem]]:
        """Earned value, and the project-level costs that no package's BAC includes."""
        return track(plan, status, seed=self.seed), project_level_costs(plan)

    def calibrate(self, history: Path) -> tuple[CalibrationProfile, CalibrationReport]:
        return calibrate_file(history)


@dataclass
class LessonsService:
    """The lessons and past-projects store as the ways in use it: import, search, list,
    delete, stats, rebuild. The source records are the truth; before the first use the
    shipped seed is loaded and the index is checked against the records and repaired."""

    records: RecordStore
    index: LessonsStore
    seed_dir: Path | None = None
    today: Callable[[], date] = date.today
    _ready: bool = field(default=False, init=False, repr=False)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        chroma_url: str = "",
        embedding: EmbeddingConfig | None = None,
        *,
        repair: bool = False,
    ) -> LessonsService:
        """Records in `<data_dir>/pmpilot.sqlite3`; the index embedded under
        `<data_dir>/chroma`, or on the Chroma server at `chroma_url`. With `repair`, an
        unreadable embedded index is set aside so that a rebuild can start afresh."""
        client = open_client(data_dir, chroma_url, set_aside_corrupt=repair)
        ef = make_embedding_function(embedding or EmbeddingConfig())
        return cls(RecordStore(data_dir / "pmpilot.sqlite3"), ChromaLessonsStore(client, ef))

    def startup(self, progress: Progress | None = None) -> SyncReport:
        """Seed on first use, then the consistency check (it repairs what it finds)."""
        ensure_seeded(self.records, self.seed_dir)
        report = sync_index(self.records, self.index, progress)
        self._ready = True
        return report

    def _ensure_ready(self) -> None:
        if not self._ready:
            self.startup()

    def read_file(
        self, path: Path, tenant: str, fmt: Format | None = None, defaults: dict | None = None
    ) -> list[ParsedLesson]:
        """Parse and validate a whole file; IngestError (line-numbered) before any write."""
        text = decode(path.read_bytes(), str(path))
        return parse_lessons(
            text,
            detect_format(path.name, fmt),
            tenant=tenant,
            today=self.today(),
            source=f"import:{path.name}",
            defaults=defaults,
            name=str(path),
        )

    def import_lessons(
        self, parsed: list[ParsedLesson], tenant: str, progress: Progress | None = None
    ) -> ImportReport:
        self._ensure_ready()
        return import_lessons(parsed, self.records, self.index, tenant, progress=progress)

    def search(
        self, query: str, tenant: str, k: int = 5, filters: LessonFilters | None = None
    ) -> list[LessonHit]:
        self._ensure_ready()
        return self.index.search(query, tenant, k, filters)

    def search_many(
        self, queries: list[str], tenant: str, k: int = 5, filters: LessonFilters | None = None
    ) -> list[list[LessonHit]]:
        self._ensure_ready()
        return self.index.search_many(queries, tenant, k, filters)

    def similar_projects(
        self, brief: str, tenant: str, k: int = 3, archetype: Archetype | None = None
    ) -> list[ProjectHit]:
        self._ensure_ready()
        return self.index.similar_projects(brief, tenant, k, archetype)

    def lessons(self, tenant: str, ids: list[str]) -> list[Lesson]:
        """The full records of cited lessons, in the order asked."""
        return self.records.lessons([(tenant, i) for i in ids])

    def projects(self, tenant: str, ids: list[str]) -> list[PastProject]:
        """The full records of past projects, in the order asked."""
        return self.records.projects([(tenant, i) for i in ids])

    def cited(self, tenant: str, lesson_id: str) -> Lesson | None:
        """A lesson a plan of `tenant` can cite: its own, or the shared corpus's."""
        found = SharedCorpus(self).lessons(tenant, [lesson_id])
        return found[0] if found else None

    def list_lessons(self, tenant: str, filters: LessonFilters | None = None) -> list[LessonHit]:
        self._ensure_ready()
        return self.index.list_lessons(tenant, filters)

    def add(self, tenant: str, lesson: dict) -> ImportReport:
        """One lesson given as data (the API's body), validated like an imported file."""
        parsed = parse_lessons(
            json.dumps([lesson]), "json", tenant=tenant, today=self.today(), source="api"
        )
        return self.import_lessons(parsed, tenant)

    def import_text(self, tenant: str, text: str, fmt: Format) -> ImportReport:
        """A whole file's lessons given as text (the API's import): all valid, or IngestError
        listing every bad row by line, and nothing written."""
        parsed = parse_lessons(text, fmt, tenant=tenant, today=self.today(), source="api:import")
        return self.import_lessons(parsed, tenant)

    def delete(self, tenant: str, lesson_id: str) -> bool:
        """Delete a lesson from the records (for good: a seed update will not restore it)
        and from the index; False when the tenant has no such lesson."""
        self._ensure_ready()
        found = self.records.delete("lessons", tenant, [lesson_id])
        self.index.delete("lessons", tenant, found)
        return bool(found)

    def stats(self, tenant: str) -> IndexStats:
        self._ensure_ready()
        return self.index.stats(tenant)

    def rebuild(self, progress: Progress | None = None) -> SyncReport:
        ensure_seeded(self.records, self.seed_dir)
        report = rebuild_index(self.records, self.index, progress)
        self._ready = True
        return report


class ThreadNotFound(KeyError):
    """No such thread for this tenant (another tenant's thread is reported the same way)."""


@dataclass
class ChatService:
    """Follow-up edits on a plan, per thread. Thread ids are made here and carry the tenant;
    a thread is only ever read or resumed for the tenant it was made for."""

    agent: AgentDeps
    checkpointer: Checkpointer
    interpret: Interpreter = read_edits
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        self._graph = build_chat_graph(self.agent, self.checkpointer, self.interpret)
        self._locks = [threading.Lock() for _ in range(64)]  # striped: bounded memory

    @staticmethod
    def _config(thread_id: str) -> dict:
        return {"configurable": {"thread_id": thread_id}}

    def start(self, plan: Plan, assessment: Assessment, tenant: str) -> str:
        thread_id = f"{tenant}.{self.new_id()}"
        self._graph.update_state(
            self._config(thread_id),
            {
                "tenant": tenant,
                "plan": plan.model_dump(mode="json"),
                "assessment": assessment.model_dump(mode="json"),
                "previous": [],
            },
            as_node="reassess",
        )
        return thread_id

    def _state(self, thread_id: str, tenant: str) -> dict:
        if not thread_id.startswith(f"{tenant}."):
            raise ThreadNotFound(thread_id)
        values = self._graph.get_state(self._config(thread_id)).values
        if not values or values.get("tenant") != tenant:
            raise ThreadNotFound(thread_id)
        return values

    def owns(self, thread_id: str, tenant: str) -> bool:
        try:
            self._state(thread_id, tenant)
        except ThreadNotFound:
            return False
        return True

    def current(self, thread_id: str, tenant: str) -> tuple[Plan, Assessment, list[dict]]:
        values = self._state(thread_id, tenant)
        return (
            Plan.model_validate(values["plan"]),
            Assessment.model_validate(values["assessment"]),
            list(values.get("transcript", [])),
        )

    def stream(self, thread_id: str, tenant: str, message: str) -> Iterator[str | ChatTurn]:
        """The graph's step names as they finish, then the turn: for a live display (the
        CLI's spinner, the API's server-sent events).

        The turn runs on its own thread to the end whether or not anyone reads on (a client
        that hangs up mid-stream must not leave an edited plan with the old numbers), and one
        turn at a time per thread (two at once would both start from the same checkpoint and
        one edit would be lost)."""
        self._state(thread_id, tenant)
        out: queue.Queue[str | ChatTurn | BaseException | None] = queue.Queue()

        def run() -> None:
            try:
                with self._turn_lock(thread_id):
                    for item in self._turn(thread_id, message):
                        out.put(item)
            except BaseException as exc:  # handed to the reader, raised there
                out.put(exc)
            finally:
                out.put(None)

        threading.Thread(target=run, name=f"chat-{thread_id}").start()
        while (item := out.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def _turn_lock(self, thread_id: str) -> threading.Lock:
        return self._locks[hash(thread_id) % len(self._locks)]

    def _turn(self, thread_id: str, message: str) -> Iterator[str | ChatTurn]:
        config = {**self._config(thread_id), "recursion_limit": self.agent.recursion_limit}
        final: dict = {}
        for mode, chunk in self._graph.stream(
            {"message": message}, config, stream_mode=["updates", "values"]
        ):
            if mode == "updates":
                yield from chunk
            elif mode == "values":
                final = chunk
        yield ChatTurn(
            action=final.get("action", "explain"),
            edits=list(final.get("edits", [])) if final.get("action") == "edit" else [],
            reply=final.get("reply", ""),
            changes=[Change.model_validate(c) for c in final.get("changes", [])],
            plan=Plan.model_validate(final["plan"]),
            assessment=Assessment.model_validate(final["assessment"]),
        )

    def send(
        self,
        thread_id: str,
        tenant: str,
        message: str,
        on_step: Callable[[str], None] | None = None,
    ) -> ChatTurn:
        for item in self.stream(thread_id, tenant, message):
            if isinstance(item, ChatTurn):
                return item
            if on_step is not None:
                on_step(item)
        raise RuntimeError("the chat graph ended without a turn")


@dataclass(frozen=True)
class ChatTurn:
    action: str
    """What the turn did: edit, undo, regenerate, explain (not understood) or failed."""
    edits: list[dict]
    """The typed edits an `edit` turn applied, as data."""
    reply: str
    changes: list[Change]
    plan: Plan
    assessment: Assessment


class PlanEditError(ValueError):
    """Edit `index` of a request cannot apply to the plan (the others were not applied)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


@dataclass
class PlansService:
    """Plans as the HTTP API keeps them: drafted from a brief (or edited from a stored plan),
    stored per tenant, read back only by that tenant.

    With `background`, briefs are drafted as jobs on one worker thread (model runs take
    minutes): the brief is stored before the job is acknowledged, and jobs a stopped server
    left unfinished run again at `resume()`."""

    planning: PlanningService
    repository: Repository
    background: bool = False
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="plan-job"),
        init=False,
        repr=False,
    )

    def create(self, tenant: str, brief: str) -> StoredPlan:
        """Draft a plan from a brief and store it; BriefError for a brief no one can plan."""
        plan, assessment = self.planning.draft(brief, tenant)
        return self._stored(tenant, self._add(tenant, plan, assessment))

    def _add(
        self, tenant: str, plan: Plan, assessment: Assessment, parent: str | None = None
    ) -> str:
        return self.repository.add_plan(
            tenant,
            assessment.brief.title,
            plan.model_dump_json(),
            assessment.model_dump_json(),
            parent=parent,
        )

    def _stored(self, tenant: str, plan_id: str) -> StoredPlan:
        stored = self.repository.plan(tenant, plan_id)
        assert stored is not None  # just written in the same process
        return stored

    def submit(self, tenant: str, brief: str) -> StoredJob:
        """Queue a brief; its job says how far it got and, when done, which plan it made."""
        job = self.repository.add_job(tenant, brief)
        self._pool.submit(self._run, job)
        return job

    def resume(self) -> int:
        """Queue again the jobs a stopped server left unfinished; how many."""
        jobs = self.repository.unfinished_jobs()
        for job in jobs:
            self._pool.submit(self._run, job)
        return len(jobs)

    def job(self, tenant: str, job_id: str) -> StoredJob | None:
        return self.repository.job(tenant, job_id)

    def _run(self, job: StoredJob) -> None:
        def step(name: str) -> None:
            self.repository.update_job(job.tenant, job.id, "running", step=name)

        try:
            step("")
            plan, assessment = self.planning.draft(job.brief, job.tenant, on_step=step)
            self.repository.finish_job(
                job.tenant,
                job.id,
                assessment.brief.title,
                plan.model_dump_json(),
                assessment.model_dump_json(),
            )
        except (BriefError, LlmError) as exc:
            self.repository.update_job(job.tenant, job.id, "failed", error=str(exc))
        except Exception:
            log.exception("plan job %s failed", job.id)
            error = "the server failed to draft this plan (its log has the details)"
            self.repository.update_job(job.tenant, job.id, "failed", error=error)

    def edit(
        self, tenant: str, plan_id: str, edits: Sequence[Edit]
    ) -> tuple[StoredPlan, list[Change]] | None:
        """Apply typed edits to a stored plan and store the result as a new plan derived from
        it (the original stays as it was); None when the tenant has no such plan."""
        stored = self.repository.plan(tenant, plan_id)
        if stored is None:
            return None
        plan = Plan.model_validate_json(stored.plan_json)
        for index, edit in enumerate(edits):
            try:
                plan = apply_edits(plan, [edit])
            except ValidationError as exc:  # the edited plan breaks one of the plan's rules
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                message = f"the plan would not be valid after this edit ({where}: {first['msg']})"
                raise PlanEditError(index, message) from None
            except ValueError as exc:  # EditError: no such package, a locked one, ...
                raise PlanEditError(index, str(exc)) from None
        before = Assessment.model_validate_json(stored.assessment_json)
        after = self.planning.assess(plan)
        new_id = self._add(tenant, plan, after, parent=plan_id)
        return self._stored(tenant, new_id), changes(before, after)

    def get(self, tenant: str, plan_id: str) -> StoredPlan | None:
        return self.repository.plan(tenant, plan_id)

    def start_thread(self, chats: ChatService, tenant: str, plan_id: str) -> str | None:
        """A chat thread on a stored plan, recorded beside it; None when there is no plan."""
        stored = self.repository.plan(tenant, plan_id)
        if stored is None:
            return None
        thread_id = chats.start(
            Plan.model_validate_json(stored.plan_json),
            Assessment.model_validate_json(stored.assessment_json),
            tenant,
        )
        self.repository.add_thread(tenant, thread_id, plan_id)
        return thread_id

    def threads(self, tenant: str, plan_id: str) -> list[str]:
        return self.repository.threads(tenant, plan_id)

    def keep_thread(self, chats: ChatService, tenant: str, thread_id: str) -> StoredPlan | None:
        """Store a thread's current version as a plan derived from the one it started on, so
        that what a chat made can be listed and exported; None when there is no thread."""
        parent = self.repository.thread_plan(tenant, thread_id)
        if parent is None or not chats.owns(thread_id, tenant):
            return None
        plan, assessment, _ = chats.current(thread_id, tenant)
        return self._stored(tenant, self._add(tenant, plan, assessment, parent=parent))

    def recent(self, tenant: str, limit: int = 50, offset: int = 0) -> list[StoredPlan]:
        return self.repository.plans(tenant, limit, offset)

    def markdown(self, stored: StoredPlan) -> str:
        return self.planning.render(Assessment.model_validate_json(stored.assessment_json))

    def chart(self, stored: StoredPlan) -> str | None:
        return self.planning.chart(Assessment.model_validate_json(stored.assessment_json))
