"""The source records of the lessons index, the shipped seed corpus, and keeping the index
consistent with them.

The truth is a SQLite database (`<data_dir>/pmpilot.sqlite3`, tables `knowledge_*`): every
lesson and past project of every tenant as validated JSON with its content hash. Chroma is an
index over it that can be thrown away. SQLite rather than JSONL files because an import must be
all-or-nothing (one transaction) and several processes (API workers, the CLI) may write.

- First use: the seed corpus shipped in `knowledge/seed/*.jsonl` (tenant "default") is copied
  into the records; a later version of pmpilot with a changed seed updates them, except what a
  user deleted (tombstones) or replaced by an import of the same id.
- Startup check (`sync_index`): the ids and content hashes in the index are compared with the
  records; missing or stale items are (re-)embedded, orphans deleted.
- `rebuild_index`: drop the index and rebuild it from the records.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from knowledge.models import Lesson, PastProject
from knowledge.store import Key, Kind, LessonsStore, Version, content_hash

SEED_TENANT = "default"
LESSONS_FILE = "lessons.jsonl"
PROJECTS_FILE = "projects.jsonl"
BATCH = 64
"""Records embedded per index write: the granularity of progress reports."""

Progress = Callable[[int, int], None]
"""Called with (done, total) while the index is written."""
R = TypeVar("R", Lesson, PastProject)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS knowledge_records (
    kind TEXT NOT NULL, tenant TEXT NOT NULL, id TEXT NOT NULL,
    hash TEXT NOT NULL, source TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (kind, tenant, id)
);
CREATE TABLE IF NOT EXISTS knowledge_tombstones (
    kind TEXT NOT NULL, tenant TEXT NOT NULL, id TEXT NOT NULL,
    PRIMARY KEY (kind, tenant, id)
);
CREATE TABLE IF NOT EXISTS knowledge_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SeedError(ValueError):
    """A shipped seed file is invalid: a packaging bug, reported with file and line."""


class SyncReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indexed: dict[str, int] = {"lessons": 0, "projects": 0}
    """Items (re-)embedded into the index, by kind."""
    removed: dict[str, int] = {"lessons": 0, "projects": 0}
    """Orphans deleted from the index, by kind."""

    @property
    def changed(self) -> bool:
        return any(self.indexed.values()) or any(self.removed.values())


# -- seed files -------------------------------------------------------------------------------


def seed_dir() -> Path:
    """The seed corpus folder that ships inside the package."""
    return Path(str(resources.files("knowledge.seed")))


def read_jsonl(path: Path, model: type[R]) -> list[R]:
    """Every line of a JSONL file as `model`; SeedError naming each bad line."""
    records: list[R] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(model.model_validate_json(line))
        except ValidationError as exc:
            for e in exc.errors():
                loc = ".".join(str(p) for p in e["loc"]) or "(line)"
                problems.append(f"{path.name} line {number}: {loc}: {e['msg']}")
    if problems:
        raise SeedError("invalid seed corpus:\n  " + "\n  ".join(problems[:20]))
    return records


def load_seed(folder: Path | None = None) -> tuple[list[Lesson], list[PastProject]]:
    """The seed lessons and past projects (either file may be absent)."""
    folder = folder or seed_dir()
    lessons_path, projects_path = folder / LESSONS_FILE, folder / PROJECTS_FILE
    lessons = read_jsonl(lessons_path, Lesson) if lessons_path.is_file() else []
    projects = read_jsonl(projects_path, PastProject) if projects_path.is_file() else []
    wrong = [r.id for r in [*lessons, *projects] if r.tenant != SEED_TENANT]
    if wrong:
        raise SeedError(f"seed records outside tenant {SEED_TENANT!r}: {', '.join(wrong[:10])}")
    return lessons, projects


def seed_digest(folder: Path | None = None) -> str:
    """Fingerprint of the seed files: a new pmpilot version with a changed seed is noticed."""
    folder = folder or seed_dir()
    digest = hashlib.sha256()
    for name in (LESSONS_FILE, PROJECTS_FILE):
        path = folder / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


# -- the source records -----------------------------------------------------------------------


class RecordStore:
    """Lessons and past projects of every tenant in SQLite (WAL): the truth the index is
    built from. Every write is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._transaction() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db

    def write(
        self,
        lessons: Sequence[Lesson] = (),
        projects: Sequence[PastProject] = (),
        meta: dict[str, str] | None = None,
    ) -> None:
        """Insert or replace records (and clear their tombstones), all or nothing."""
        rows = [_row("lessons", x, x.source) for x in lessons]
        rows += [_row("projects", p, "seed") for p in projects]
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO knowledge_records VALUES (?, ?, ?, ?, ?, ?)", rows
            )
            db.executemany(
                "DELETE FROM knowledge_tombstones WHERE kind = ? AND tenant = ? AND id = ?",
                [r[:3] for r in rows],
            )
            db.executemany(
                "INSERT OR REPLACE INTO knowledge_meta VALUES (?, ?)", (meta or {}).items()
            )

    def delete(self, kind: Kind, tenant: str, ids: Sequence[str]) -> list[str]:
        """Delete records and remember them (a seed update must not bring them back);
        returns the ids that existed."""
        with self._transaction() as db:
            found = [
                i
                for i in ids
                if db.execute(
                    "DELETE FROM knowledge_records WHERE kind = ? AND tenant = ? AND id = ?",
                    (kind, tenant, i),
                ).rowcount
            ]
            db.executemany(
                "INSERT OR IGNORE INTO knowledge_tombstones VALUES (?, ?, ?)",
                [(kind, tenant, i) for i in found],
            )
        return found

    def fingerprints(self, kind: Kind, tenant: str | None = None) -> dict[Key, str]:
        sql = "SELECT tenant, id, hash FROM knowledge_records WHERE kind = ?"
        args: tuple[str, ...] = (kind,)
        if tenant is not None:
            sql, args = sql + " AND tenant = ?", (kind, tenant)
        with self._transaction() as db:
            return {(t, i): h for t, i, h in db.execute(sql, args)}

    def sources(self, kind: Kind, tenant: str) -> dict[str, str]:
        with self._transaction() as db:
            rows = db.execute(
                "SELECT id, source FROM knowledge_records WHERE kind = ? AND tenant = ?",
                (kind, tenant),
            )
            return dict(rows.fetchall())

    def tombstones(self, kind: Kind, tenant: str) -> set[str]:
        with self._transaction() as db:
            rows = db.execute(
                "SELECT id FROM knowledge_tombstones WHERE kind = ? AND tenant = ?",
                (kind, tenant),
            )
            return {r[0] for r in rows}

    def lessons(self, keys: Sequence[Key] | None = None) -> list[Lesson]:
        return [Lesson.model_validate_json(r) for r in self._records("lessons", keys)]

    def projects(self, keys: Sequence[Key] | None = None) -> list[PastProject]:
        return [PastProject.model_validate_json(r) for r in self._records("projects", keys)]

    def _records(self, kind: Kind, keys: Sequence[Key] | None) -> list[str]:
        """Record JSON for `keys` (in that order, absent ones left out), or all by key."""
        with self._transaction() as db:
            if keys is None:
                rows = db.execute(
                    "SELECT record FROM knowledge_records WHERE kind = ? ORDER BY tenant, id",
                    (kind,),
                )
                return [r[0] for r in rows]
            found: list[str] = []
            for tenant, record_id in keys:
                row = db.execute(
                    "SELECT record FROM knowledge_records WHERE kind = ? AND tenant = ? AND id = ?",
                    (kind, tenant, record_id),
                ).fetchone()
                if row:
                    found.append(row[0])
            return found

    def meta(self, key: str) -> str | None:
        with self._transaction() as db:
            row = db.execute("SELECT value FROM knowledge_meta WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None


def versions_of(fingerprints: dict[Key, str]) -> set[Version]:
    """Record fingerprints in the index's terms, to compare the two."""
    return {(t, i, h) for (t, i), h in fingerprints.items()}


def _row(kind: Kind, record: Lesson | PastProject, source: str) -> tuple[str, ...]:
    return (kind, record.tenant, record.id, content_hash(record), source, record.model_dump_json())


# -- seeding and consistency ------------------------------------------------------------------


def ensure_seeded(records: RecordStore, folder: Path | None = None) -> int:
    """Copy the seed corpus into the records when it is new or changed; returns how many
    records were written. A seed record never replaces a deleted one or an imported one."""
    digest = seed_digest(folder)
    if records.meta("seed_digest") == digest:
        return 0
    lessons, projects = load_seed(folder)
    lesson_sources = records.sources("lessons", SEED_TENANT)
    deleted_lessons = records.tombstones("lessons", SEED_TENANT)
    deleted_projects = records.tombstones("projects", SEED_TENANT)
    fresh_lessons = [
        x
        for x in lessons
        if x.id not in deleted_lessons and lesson_sources.get(x.id, x.source) == x.source
    ]
    fresh_projects = [p for p in projects if p.id not in deleted_projects]
    records.write(fresh_lessons, fresh_projects, meta={"seed_digest": digest})
    return len(fresh_lessons) + len(fresh_projects)


def sync_index(
    records: RecordStore, index: LessonsStore, progress: Progress | None = None
) -> SyncReport:
    """Make the index hold exactly the records: embed missing or changed ones, delete orphans.

    Compares (tenant, id, content hash) only, which the index reads from its ids: a stale
    version counts as an orphan (removed) plus a missing record (indexed)."""
    report = SyncReport()
    plan: dict[Kind, list[Key]] = {}
    for kind in ("lessons", "projects"):
        want, have = records.fingerprints(kind), index.versions(kind)
        orphans = sorted(v for v in have if want.get(v[:2]) != v[2])
        index.delete_versions(kind, orphans)
        report.removed[kind] = len(orphans)
        plan[kind] = sorted(k for k, h in want.items() if (*k, h) not in have)
    total, done = sum(len(v) for v in plan.values()), 0
    for kind, keys in plan.items():
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            if kind == "lessons":
                index.upsert_lessons(records.lessons(chunk))
            else:
                index.upsert_projects(records.projects(chunk))
            done += len(chunk)
            report.indexed[kind] += len(chunk)
            if progress:
                progress(done, total)
    return report


def rebuild_index(
    records: RecordStore, index: LessonsStore, progress: Progress | None = None
) -> SyncReport:
    """Drop the index and build it again from the records (also after changing the embedding
    model)."""
    index.reset()
    return sync_index(records, index, progress)


def dump_jsonl(items: Sequence[BaseModel]) -> str:
    """JSONL text of records (for exports and tests)."""
    return "".join(json.dumps(x.model_dump(mode="json"), ensure_ascii=False) + "\n" for x in items)
