"""Plans and API keys in SQLite (WAL): one repository for what the ways in acknowledge.

Every read and write names the tenant in the SQL itself, so no call can reach another
tenant's rows. Keys are stored as SHA-256 hashes; the key itself is shown once, at creation.
A write is committed before it is acknowledged, so nothing acknowledged is lost on a kill.
"""

from __future__ import annotations

import hashlib
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
"""


@dataclass(frozen=True)
class Caller:
    tenant: str
    role: Role


@dataclass(frozen=True)
class StoredPlan:
    id: str
    tenant: str
    created: str
    title: str
    plan_json: str
    assessment_json: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Repository:
    def __init__(self, path: Path, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
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

    def caller(self, key: str) -> Caller | None:
        with self._lock:
            row = self._db.execute(
                "SELECT tenant, role FROM api_keys WHERE key_hash = ?", (hash_key(key),)
            ).fetchone()
        return Caller(tenant=row[0], role=row[1]) if row else None

    def add_plan(self, tenant: str, title: str, plan_json: str, assessment_json: str) -> str:
        plan_id = uuid.uuid4().hex
        with self._tx() as db:
            db.execute(
                "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?)",
                (tenant, plan_id, self._now().isoformat(), title, plan_json, assessment_json),
            )
        return plan_id

    def plan(self, tenant: str, plan_id: str) -> StoredPlan | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, tenant, created, title, plan_json, assessment_json FROM plans"
                " WHERE tenant = ? AND id = ?",
                (tenant, plan_id),
            ).fetchone()
        return StoredPlan(*row) if row else None

    def plans(self, tenant: str, limit: int = 50, offset: int = 0) -> list[StoredPlan]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, tenant, created, title, '', '' FROM plans WHERE tenant = ?"
                " ORDER BY created DESC, id LIMIT ? OFFSET ?",
                (tenant, limit, offset),
            ).fetchall()
        return [StoredPlan(*r) for r in rows]

    def ready(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1").fetchone() == (1,)
