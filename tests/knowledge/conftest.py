"""Fixtures of the lessons store tests: a small corpus, the embedding model (loaded once per
session), and the store in both modes: embedded (PersistentClient) and server (`chroma run`
on 127.0.0.1, started once per session, one namespace of collections per test)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from chromadb.api import ClientAPI

from agent.service import LessonsService
from knowledge.embedding import MiniLMEmbeddingFunction
from knowledge.seed_corpus import RecordStore
from knowledge.store import ChromaLessonsStore, open_client

TODAY = date(2026, 1, 15)


def lesson(*fields: str, **extra: object) -> dict[str, object]:
    """A seed lesson row from (id, title, text, archetype, phase, category, recommendation)."""
    id, title, text, archetype, phase, category, recommendation = fields
    return {
        "id": id,
        "title": title,
        "text": text,
        "archetype": archetype,
        "phase": phase,
        "category": category,
        "recommendation": recommendation,
        "created": "2025-06-01",
        **extra,
    }


SEED_LESSONS = [
    lesson(
        "L-0001",
        "Replication lag blew the database cutover window",
        "Logical replication from the PostgreSQL 11 primary lagged 40 minutes during the final"
        " sync because two 300 GB tables had no primary key; the cutover overran by 3 hours.",
        "database_migration",
        "cutover",
        "technical",
        "Add primary keys or REPLICA IDENTITY FULL weeks before cutover; rehearse the sync.",
        impact="high",
        tags=["postgres", "replication"],
    ),
    lesson(
        "L-0002",
        "Customer master data needed three weeks of cleansing",
        "The CRM migration found 18% duplicate customer accounts and missing VAT numbers; the"
        " data cleansing work package was not in the plan and cost three weeks.",
        "crm_saas_implementation",
        "build",
        "data",
        "Profile the source data in the first two weeks and budget a cleansing work package.",
    ),
    lesson(
        "L-0003",
        "Firewall hardware arrived six weeks late",
        "The network refresh waited six weeks for firewall appliances because the order went in"
        " after design sign-off and the vendor had a global supply shortage.",
        "network_infrastructure_upgrade",
        "build",
        "vendor",
        "Order long-lead hardware at design start; ask the vendor for committed ship dates.",
    ),
    lesson(
        "L-0004",
        "SSO rollout stalled on legacy apps without SAML",
        "Eleven of forty applications supported neither SAML nor OIDC; each needed a header-based"
        " proxy, which took two sprints more than planned for the identity rollout.",
        "identity_sso_rollout",
        "design",
        "technical",
        "Inventory protocol support of every app before committing to a rollout date.",
    ),
    lesson(
        "L-0005",
        "Key users were not released from daily work for ERP testing",
        "User acceptance testing of the ERP finance module slipped four weeks because the key"
        " users from accounting were still doing month-end close and could not test.",
        "erp_rollout",
        "test",
        "people",
        "Agree key-user release in writing with their managers and avoid month-end periods.",
    ),
    lesson(
        "L-0006",
        "Cloud egress costs were 3x the estimate",
        "After the lift-and-shift, nightly backups copied to on-premises storage generated data"
        " egress charges three times the budgeted amount in the first quarter.",
        "cloud_migration",
        "hypercare",
        "cost",
        "Model egress for backups and integrations before moving; keep backups in-cloud.",
    ),
    lesson(
        "L-0007",
        "Mailbox migration throttled by the tenant",
        "Moving 4,000 mailboxes to Exchange Online ran at a third of the planned speed because"
        " of service throttling; the migration needed five extra weekends.",
        "workplace_m365_migration",
        "cutover",
        "schedule",
        "Run a pilot batch to measure real throughput before fixing the wave plan.",
    ),
    lesson(
        "L-0008",
        "Penetration test found critical issues two weeks before go-live",
        "The external penetration test was scheduled just before launch of the mobile app and"
        " found an authentication bypass; the release slipped by three weeks.",
        "web_mobile_product",
        "test",
        "security",
        "Schedule security testing early and again before go-live, with time to fix.",
    ),
]

SEED_PROJECTS = [
    {
        "id": "P-0001",
        "name": "PostgreSQL 10 to Aurora migration",
        "archetype": "database_migration",
        "summary": "Migrated a 1.5 TB PostgreSQL order database to Aurora PostgreSQL with"
        " logical replication and a weekend cutover.",
        "size_drivers": {"data_tb": 1.5, "tables": 420},
        "team": {"dba": 2.0, "pm": 0.5},
        "duration_weeks": {"planned": 12.0, "actual": 16.0},
        "cost": {
            "planned": {"amount": "90000", "currency": "USD"},
            "actual": {"amount": "118000", "currency": "USD"},
        },
        "wbs_outline": ["Assessment", "Schema conversion", "Replication", "Cutover"],
        "risks_materialised": ["Tables without primary keys"],
        "lessons": ["L-0001"],
        "finished": "2024-11-30",
    },
    {
        "id": "P-0002",
        "name": "Sales cloud CRM rollout",
        "archetype": "crm_saas_implementation",
        "summary": "Rolled out a SaaS CRM to 300 sales staff, migrating accounts and"
        " opportunities from a legacy on-premises system.",
        "duration_weeks": {"planned": 20.0, "actual": 24.0},
        "cost": {
            "planned": {"amount": "250000", "currency": "USD"},
            "actual": {"amount": "290000", "currency": "USD"},
        },
        "wbs_outline": ["Discovery", "Configuration", "Data migration", "Training"],
        "finished": "2025-03-31",
    },
]


def write_seed(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lessons.jsonl").write_text("".join(json.dumps(x) + "\n" for x in SEED_LESSONS))
    (folder / "projects.jsonl").write_text("".join(json.dumps(x) + "\n" for x in SEED_PROJECTS))
    return folder


@pytest.fixture(scope="session")
def embedding() -> MiniLMEmbeddingFunction:
    """The offline model, loaded once (the runtime is cached per process)."""
    ef = MiniLMEmbeddingFunction()
    ef(["warm up"])
    return ef


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` on 127.0.0.1 and a free port; its URL once the heartbeat answers."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists() and not shutil.which("chroma"):
        pytest.fail("the chroma CLI is not installed beside this Python")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(path / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_for_heartbeat(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chroma run exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"chroma server at {url} did not answer within {timeout_s} s")


@dataclass
class Backend:
    """How a test reaches the index: the mode, a way to open a fresh client on the same data,
    and the collection namespace of this test."""

    mode: str
    data_dir: Path
    url: str
    namespace: str

    def client(self) -> ClientAPI:
        return open_client(self.data_dir, self.url)


@pytest.fixture(params=["embedded", "server"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    url = request.getfixturevalue("chroma_server") if request.param == "server" else ""
    return Backend(request.param, tmp_path / "data", url, f"t{uuid.uuid4().hex[:12]}_")


@pytest.fixture
def index(backend: Backend, embedding: MiniLMEmbeddingFunction) -> ChromaLessonsStore:
    return ChromaLessonsStore(backend.client(), embedding, namespace=backend.namespace)


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return write_seed(tmp_path / "seed")


@pytest.fixture
def service(tmp_path: Path, index: ChromaLessonsStore, seed: Path) -> LessonsService:
    records = RecordStore(tmp_path / "data" / "pmpilot.sqlite3")
    return LessonsService(records=records, index=index, seed_dir=seed, today=lambda: TODAY)
