"""PlanningService: the one entry that the CLI, the API and scheduled jobs call.

It turns input bytes into a Plan and a Plan into an Assessment. Drafting from a brief (the
plan graph) joins here when the agent lands; the ways in stay the same. Its dependencies
(calibration profile, seed, run sizes) are injected, read from settings at the edge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
from knowledge.models import Archetype, Lesson
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
from tools.budget import project_level_costs
from tools.calibration import CalibrationProfile
from tools.domain import CostItem, Plan, StatusUpdate
from tools.evm import EarnedValue
from tools.mspdi import read_mspdi
from tools.report import render_markdown

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The header of a compound file, the container of .mpp files."""


@dataclass(frozen=True)
class PlanningService:
    profile: CalibrationProfile | None = field(default_factory=default_profile)
    seed: int = 0
    iterations: int = 10_000
    time_limit_s: float = 1.0

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

    def similar_projects(
        self, brief: str, tenant: str, k: int = 3, archetype: Archetype | None = None
    ) -> list[ProjectHit]:
        self._ensure_ready()
        return self.index.similar_projects(brief, tenant, k, archetype)

    def lessons(self, tenant: str, ids: list[str]) -> list[Lesson]:
        """The full records of cited lessons, in the order asked."""
        return self.records.lessons([(tenant, i) for i in ids])

    def list_lessons(self, tenant: str, filters: LessonFilters | None = None) -> list[LessonHit]:
        self._ensure_ready()
        return self.index.list_lessons(tenant, filters)

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
