"""Plans and API keys in SQLite (WAL): one repository for what the ways in acknowledge.

Every read and write names the tenant in the SQL itself, so no call can reach another
tenant's rows. Keys are stored as SHA-256 hashes; the key itself is shown once, at creation.
A write is committed before it is acknowledged, so nothing acknowledged is lost on a kill.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from knowledge.seed_corpus import SEED_TENANT as SHARED_TENANT

Role = Literal["pm", "viewer", "admin"]
KEY_PREFIX = "pmp_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    role TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    created TEXT NOT NULL,
    title TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    assessment_json TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX IF NOT EXISTS plans_by_time ON plans (tenant, created);
CREATE TABLE IF NOT EXISTS jobs (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    status TEXT NOT NULL,
    step TEXT NOT NULL DEFAULT '',
    brief TEXT NOT NULL,
    plan_id TEXT,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant, id)
);
CREATE TABLE IF NOT EXISTS threads (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX IF NOT EXISTS threads_by_plan ON threads (tenant, plan_id, created);
CREATE INDEX IF NOT EXISTS jobs_unfinished ON jobs (status) WHERE status IN ('queued', 'running');
"""
_COLUMNS = {"plans": {"parent": "TEXT"}}
"""Columns added after a table was first made: added to older files when they are opened."""

JobStatus = Literal["queued", "running", "succeeded", "failed"]


@dataclass(frozen=True)
class Caller:
    tenant: str
    role: Role


@dataclass(frozen=True)
class KeyInfo:
    id: str
    """The first 12 hex digits of the key's hash: enough to name it, useless to call with."""
    tenant: str
    role: Role
    created: str


@dataclass(frozen=True)
class StoredPlan:
    id: str
    tenant: str
    created: str
    title: str
    plan_json: str
    assessment_json: str
    parent: str | None = None
    """The plan this one was edited from."""


@dataclass(frozen=True)
class StoredJob:
    id: str
    tenant: str
    created: str
    updated: str
    status: JobStatus
    step: str
    brief: str
    plan_id: str | None
    error: str


_JOB = "SELECT id, tenant, created, updated, status, step, brief, plan_id, error FROM jobs"
_PLAN = "SELECT id, tenant, created, title, plan_json, assessment_json, parent FROM plans"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Repository:
    def __init__(self, path: Path, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        for table, columns in _COLUMNS.items():
            have = {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns.items():
                if name not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        self._lock = threading.Lock()
        self._now = now

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def create_key(self, tenant: str, role: Role) -> str:
        """A new key for `tenant`; only its hash is kept. The shared corpus has no keys."""
        if tenant == SHARED_TENANT:
            raise ValueError(f"{tenant!r} is the shared corpus, not a tenant")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._tx() as db:
            db.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?)",
                (hash_key(key), tenant, role, self._now().isoformat()),
            )
        return key

    def keys(self, tenant: str | None = None) -> list[KeyInfo]:
        """The keys issued (never the keys themselves), oldest first."""
        sql = "SELECT substr(key_hash, 1, 12), tenant, role, created FROM api_keys"
        args: tuple = ()
        if tenant is not None:
            sql, args = sql + " WHERE tenant = ?", (tenant,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created, key_hash", args).fetchall()
        return [KeyInfo(*r) for r in rows]

    def revoke(self, key_id: str) -> KeyInfo | None:
        """Delete the key whose id (the first 12 hex digits of its hash) is `key_id`; its next
        request is a 401. None when no key, or more than one, has that id."""
        if not re.fullmatch(r"[0-9a-f]{12}", key_id):
            return None
        with self._tx() as db:
            rows = db.execute(
                "SELECT substr(key_hash, 1, 12), tenant, role, created FROM api_keys"
                " WHERE substr(key_hash, 1, 12) = ?",
                (key_id,),
            ).fetchall()
            if len(rows) != 1:
                return None
            db.execute("DELETE FROM api_keys WHERE substr(key_hash, 1, 12) = ?", (key_id,))
        return KeyInfo(*rows[0])

    def caller(self, key: str) -> Caller | None:
        row = self._row("SELECT tenant, role FROM api_keys WHERE key_hash = ?", (hash_key(key),))
        return Caller(tenant=row[0], role=row[1]) if row else None

    def add_plan(
        self,
        tenant: str,
        title: str,
        plan_json: str,
        assessment_json: str,
        *,
        parent: str | None = None,
    ) -> str:
        with self._tx() as db:
            return self._insert_plan(db, tenant, title, plan_json, assessment_json, parent=parent)

    def _insert_plan(
        self,
        db: sqlite3.Connection,
        tenant: str,
        title: str,
        plan_json: str,
        assessment_json: str,
        *,
        parent: str | None = None,
    ) -> str:
        plan_id = uuid.uuid4().hex
        db.execute(
            "INSERT INTO plans (tenant, id, created, title, plan_json, assessment_json, parent)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (tenant, plan_id, self._now().isoformat(), title, plan_json, assessment_json, parent),
        )
        return plan_id

    def _row(self, sql: str, args: tuple) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def plan(self, tenant: str, plan_id: str) -> StoredPlan | None:
        row = self._row(f"{_PLAN} WHERE tenant = ? AND id = ?", (tenant, plan_id))
        return StoredPlan(*row) if row else None

    def plans(self, tenant: str, limit: int = 50, offset: int = 0) -> list[StoredPlan]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, tenant, created, title, '', '', parent FROM plans WHERE tenant = ?"
                " ORDER BY created DESC, id LIMIT ? OFFSET ?",
                (tenant, limit, offset),
            ).fetchall()
        return [StoredPlan(*r) for r in rows]

    # --- threads: which chat threads were started on which plan ----------------------------

    def add_thread(self, tenant: str, thread_id: str, plan_id: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO threads VALUES (?, ?, ?, ?)",
                (tenant, thread_id, plan_id, self._now().isoformat()),
            )

    def thread_plan(self, tenant: str, thread_id: str) -> str | None:
        """The plan a thread was started on."""
        row = self._row(
            "SELECT plan_id FROM threads WHERE tenant = ? AND id = ?", (tenant, thread_id)
        )
        return row[0] if row else None

    def threads(self, tenant: str, plan_id: str) -> list[str]:
        """The ids of the chat threads on a plan, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM threads WHERE tenant = ? AND plan_id = ? ORDER BY created, id",
                (tenant, plan_id),
            ).fetchall()
        return [r[0] for r in rows]

    # --- jobs: a brief drafted in the background (model runs) --------------------------------

    def add_job(self, tenant: str, brief: str) -> StoredJob:
        """A queued job; the brief is committed before the job is acknowledged."""
        job_id = uuid.uuid4().hex
        now = self._now().isoformat()
        with self._tx() as db:
            db.execute(
                "INSERT INTO jobs (tenant, id, created, updated, status, brief)"
                " VALUES (?, ?, ?, ?, 'queued', ?)",
                (tenant, job_id, now, now, brief),
            )
        job = self.job(tenant, job_id)
        assert job is not None
        return job

    def job(self, tenant: str, job_id: str) -> StoredJob | None:
        row = self._row(f"{_JOB} WHERE tenant = ? AND id = ?", (tenant, job_id))
        return StoredJob(*row) if row else None

    def unfinished_jobs(self) -> list[StoredJob]:
        """Jobs a stopped server left queued or running, oldest first: to run again."""
        with self._lock:
            rows = self._db.execute(
                f"{_JOB} WHERE status IN ('queued', 'running') ORDER BY created, id"
            ).fetchall()
        return [StoredJob(*r) for r in rows]

    def update_job(
        self, tenant: str, job_id: str, status: JobStatus, step: str = "", error: str = ""
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status = ?, step = ?, error = ?, updated = ?"
                " WHERE tenant = ? AND id = ?",
                (status, step, error, self._now().isoformat(), tenant, job_id),
            )

    def finish_job(
        self, tenant: str, job_id: str, title: str, plan_json: str, assessment_json: str
    ) -> str:
        """Store the job's plan and mark it succeeded in one transaction."""
        with self._tx() as db:
            plan_id = self._insert_plan(db, tenant, title, plan_json, assessment_json)
            db.execute(
                "UPDATE jobs SET status = 'succeeded', step = '', plan_id = ?, updated = ?"
                " WHERE tenant = ? AND id = ?",
                (plan_id, self._now().isoformat(), tenant, job_id),
            )
        return plan_id

    def ready(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1").fetchone() == (1,)
