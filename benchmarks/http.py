"""How many requests per second does the HTTP API serve on one worker, and how slow is the
slowest 5 %? Plan retrieval and offline plan creation, beside a bare FastAPI floor.

    python -m benchmarks.http --json          # the contract (about 2 minutes)
    python -m benchmarks.http --quick         # a smoke run (under a minute)

A latency figure alone says little on a shared 2-core machine: it moves with the load of
whoever else runs there. So every row has a baseline measured in the same command, on the
same loopback, by the same load generator: a bare FastAPI app (defined here, served by
uvicorn exactly as `pmpilot serve` serves the real one: one worker, log level info, sync
endpoints in the thread pool) whose GET returns pre-encoded bytes of the very plans the real
server returns (same sizes, nothing parsed or validated) and whose POST accepts the same brief
body into a one-field model and returns a small JSON. The ratio real / bare is the cost of
pmpilot's own work over FastAPI + uvicorn's floor: auth lookup, SQLite read, JSON parse,
response validation and serialisation for retrieval; drafting (retrieve, staff, level,
simulate) and storing for creation.

What runs, in order:

1. `pmpilot serve` in a subprocess (its own process group), fresh temporary data directory,
   127.0.0.1, one worker, the offline drafter, the product's default settings (10,000 Monte
   Carlo iterations), except the per-key rate limit, which is set out of reach
   (PMPILOT_RATE_LIMIT_PER_MINUTE / _BURST = 1e9) so that the benchmark measures the server,
   not the limiter. The store is seeded before the server listens (most of a `--quick`
   run's time); a key is made with `pmpilot keys create`; `--plans` plans are created one
   after another (the first is the warm-up) and their GET responses saved: they are the
   plans read back, and the baseline's payloads.
2. The bare app: `python -m benchmarks.http --serve-baseline PORT PAYLOAD...` in a subprocess.
3. Load: `--read-clients` threads (one keep-alive httpx.Client each) GET the plans in turn
   for `--duration` seconds after a few unrecorded warm-up requests each; `--create-clients`
   threads POST the example briefs in turn, `--create-requests` in all; the bare POST runs
   for `--duration` / 2 seconds with the same bodies and clients (a fixed count of ~1 ms
   requests would be over before it measured anything). Bare row first, then the real one.
4. Per row: requests/s (completed / wall time of the row), p50 / p95 / p99 latency, errors
   (any exception or non-2xx; the command exits 1 if there is one), server CPU ms per
   request (from /proc: robust to the client competing for the same two cores) and the
   client's own CPU share (near 100 % means the load generator, not the server, set the pace).
5. Where a retrieval's time goes: the same steps as the GET route, timed in this process on
   the stored plan (SQLite read, JSON parse, building the response model, validation and
   JSON serialisation as FastAPI does it).

Servers are killed (process group, SIGTERM then SIGKILL) on every exit path.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn
from fastapi import FastAPI, Response
from fastapi.utils import create_model_field  # the response field FastAPI builds
from pydantic import BaseModel

from api.schemas import PlanPublic
from api.settings import Settings
from api.wiring import repository
from benchmarks.machine import describe_machine

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ROOT / "examples" / "briefs"
PACKAGES = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "pydantic", "httpx")
UNLIMITED = "1000000000"
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --- the baseline server ---------------------------------------------------------------


class BriefIn(BaseModel):
    """The bare POST's body: the same JSON as PlanCreate, one unconstrained field."""

    brief: str


def baseline_app(payloads: Sequence[bytes]) -> Any:
    """A bare FastAPI app shaped like pmpilot's plan routes, doing none of their work."""
    app = FastAPI(title="bare")

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/plans/{index}")
    def get_plan(index: int) -> Response:
        return Response(payloads[index % len(payloads)], media_type="application/json")

    @app.post("/v1/plans", status_code=201)
    def create_plan(body: BriefIn) -> dict[str, object]:
        return {"id": "bare", "chars": len(body.brief)}

    return app


def serve_baseline(port: int, payload_paths: Sequence[str]) -> None:
    payloads = [Path(p).read_bytes() for p in payload_paths]
    # The same call as `pmpilot serve`: one worker, loopback, log level info.
    uvicorn.run(baseline_app(payloads), host="127.0.0.1", port=port, log_level="info")


# --- subprocesses ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    url: str
    log: Path

    def cpu_s(self) -> float:
        """User + system CPU seconds of the server process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


@dataclass
class Servers:
    """Every subprocess started, so that all are stopped whatever happens."""

    started: list[Server] = field(default_factory=list)

    def start(
        self,
        *,
        name: str,
        argv: list[str],
        env: dict[str, str],
        cwd: Path,
        port: int,
        log_dir: Path,
        ready_path: str,
        timeout_s: float,
    ) -> Server:
        log = log_dir / f"{name}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killpg reaches any child
            )
        server = Server(name, proc, f"http://127.0.0.1:{port}", log)
        self.started.append(server)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail(log)}")
            try:
                if httpx.get(server.url + ready_path, timeout=2).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{name} did not answer {ready_path} in {timeout_s:.0f} s:\n{tail(log)}")

    def stop_all(self) -> None:
        for server in reversed(self.started):
            server.stop()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def pmpilot_env(data_dir: Path, iterations: int | None) -> dict[str, str]:
    """The caller's environment without any pmpilot or model setting, then the benchmark's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PMPILOT_") and k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    env.update(
        PMPILOT_DATA_DIR=str(data_dir),
        PMPILOT_DRAFTER="offline",
        PMPILOT_RATE_LIMIT_PER_MINUTE=UNLIMITED,
        PMPILOT_RATE_LIMIT_BURST=UNLIMITED,
    )
    if iterations is not None:
        env["PMPILOT_ITERATIONS"] = str(iterations)
    return env


def pmpilot_command() -> str:
    beside = Path(sys.executable).with_name("pmpilot")
    found = str(beside) if beside.exists() else shutil.which("pmpilot")
    if not found:
        raise RuntimeError("no `pmpilot` command: install the project (pip install -e .)")
    return found


# --- the load generator ----------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, str] | None = None


@dataclass
class Row:
    name: str
    server: str
    clients: int
    requests: int
    errors: int
    wall_s: float
    latencies_s: list[float]
    server_cpu_s: float
    client_cpu_s: float
    response_bytes: int
    error_samples: list[str]

    def summary(self) -> dict[str, Any]:
        ms = np.asarray(self.latencies_s) * 1000 if self.latencies_s else np.zeros(1)
        n = max(self.requests, 1)
        return {
            "name": self.name,
            "server": self.server,
            "clients": self.clients,
            "requests": self.requests,
            "errors": self.errors,
            "wall_s": round(self.wall_s, 2),
            "requests_per_s": round(self.requests / self.wall_s, 2) if self.wall_s else 0.0,
            "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "max_ms": round(float(ms.max()), 2),
            "server_cpu_ms_per_request": round(self.server_cpu_s * 1000 / n, 3),
            "server_cpu_share": round(self.server_cpu_s / self.wall_s, 2) if self.wall_s else 0,
            "client_cpu_share": round(self.client_cpu_s / self.wall_s, 2) if self.wall_s else 0,
            "mean_response_bytes": round(self.response_bytes / n),
            "error_samples": self.error_samples[:5],
        }


@dataclass
class Load:
    """`clients` threads, one keep-alive connection each, send `calls` in turn until
    `duration_s` has passed or `count` requests have been sent; every latency is recorded."""

    server: Server
    calls: Sequence[Call]
    clients: int
    headers: dict[str, str]
    duration_s: float | None = None
    count: int | None = None
    warmup_per_client: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    received: int = 0
    ends: list[float] = field(default_factory=list)
    deadline: float = 0.0

    def __post_init__(self) -> None:
        assert (self.duration_s is None) != (self.count is None)
        self._ticket = itertools.count()  # next() on a count is atomic under the GIL
        self._lock = threading.Lock()
        self._warmed = threading.Barrier(self.clients + 1)
        self._go = threading.Barrier(self.clients + 1)

    def _send(self, client: httpx.Client, call: Call) -> tuple[bool, str, int]:
        try:
            r = client.request(call.method, call.path, json=call.body)
        except httpx.HTTPError as exc:
            return False, f"{call.path}: {type(exc).__name__}: {exc}", 0
        if 200 <= r.status_code < 300:
            return True, "", len(r.content)
        return False, f"{call.method} {call.path}: {r.status_code} {r.text[:200]}", len(r.content)

    def _more(self, n: int) -> bool:
        if self.count is not None:
            return n < self.count
        return time.perf_counter() < self.deadline

    def _worker(self, wid: int) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        with httpx.Client(
            base_url=self.server.url, headers=self.headers, timeout=300, limits=limits
        ) as client:
            try:
                client.get("/v1/health")  # open the connection before the clock starts
                for i in range(self.warmup_per_client):
                    self._send(client, self.calls[(wid + i) % len(self.calls)])
            finally:
                self._warmed.wait()
                self._go.wait()
            mine: list[float] = []
            errors: list[str] = []
            received = 0
            while self._more(n := next(self._ticket)):
                t = time.perf_counter()
                ok, detail, size = self._send(client, self.calls[n % len(self.calls)])
                mine.append(time.perf_counter() - t)
                received += size
                if not ok:
                    errors.append(detail)
            with self._lock:
                self.latencies.extend(mine)
                self.errors.extend(errors)
                self.received += received
                self.ends.append(time.perf_counter())

    def run(self, name: str) -> Row:
        threads = [
            threading.Thread(target=self._worker, args=(i,), daemon=True)
            for i in range(self.clients)
        ]
        for t in threads:
            t.start()
        self._warmed.wait()
        cpu0, client0, start = self.server.cpu_s(), time.process_time(), time.perf_counter()
        self.deadline = start + (self.duration_s or 0)
        self._go.wait()
        for t in threads:
            t.join()
        row = Row(
            name=name,
            server=self.server.name,
            clients=self.clients,
            requests=len(self.latencies),
            errors=len(self.errors),
            wall_s=max(self.ends, default=time.perf_counter()) - start,
            latencies_s=self.latencies,
            server_cpu_s=self.server.cpu_s() - cpu0,
            client_cpu_s=time.process_time() - client0,
            response_bytes=self.received,
            error_samples=self.errors,
        )
        s = row.summary()
        print(
            f"  {name}: {s['requests']} requests, {s['requests_per_s']} req/s,"
            f" p95 {s['p95_ms']} ms, {s['errors']} errors",
            file=sys.stderr,
        )
        return row


# --- where a retrieval's time goes -----------------------------------------------------


def retrieval_breakdown(data_dir: Path, tenant: str, plan_id: str, repeat: int) -> dict:
    """The GET route's own steps, in this process, on the stored plan: median ms each."""
    repo = repository(Settings(data_dir=data_dir))  # the server's own database file
    response_field = create_model_field("response", PlanPublic, mode="serialization")
    names = (
        "sqlite_read",
        "json_loads",
        "build_response_model",
        "validate_response",
        "serialize_json",
    )
    steps: dict[str, list[float]] = {name: [] for name in names}
    body = b""
    stored_bytes = 0
    for _ in range(repeat):
        marks = [time.perf_counter()]
        stored = repo.plan(tenant, plan_id)
        assert stored is not None
        marks.append(time.perf_counter())
        assessment, plan = json.loads(stored.assessment_json), json.loads(stored.plan_json)
        marks.append(time.perf_counter())
        model = PlanPublic(
            id=stored.id,
            title=stored.title,
            created=stored.created,
            assessment=assessment,
            plan=plan,
        )
        marks.append(time.perf_counter())
        value, errors = response_field.validate(model, {})
        marks.append(time.perf_counter())
        body = response_field.serialize_json(value)
        marks.append(time.perf_counter())
        assert not errors
        stored_bytes = len(stored.assessment_json) + len(stored.plan_json)
        for i, name in enumerate(names):
            steps[name].append(marks[i + 1] - marks[i])
    return {
        "stored_bytes": stored_bytes,
        "response_bytes": len(body),
        "median_ms": {k: round(statistics.median(v) * 1000, 3) for k, v in steps.items()},
        "total_ms": round(sum(statistics.median(v) for v in steps.values()) * 1000, 3),
    }


# --- the run ---------------------------------------------------------------------------


@contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """SIGTERM ends the run through the `finally` blocks, so the servers are stopped."""

    def raise_exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, raise_exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def briefs() -> list[str]:
    return [p.read_text() for p in sorted(BRIEFS.glob("[0-9]*.md"))]


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def run(args: argparse.Namespace) -> dict[str, Any]:
    texts = briefs()
    servers = Servers()
    t_total = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pmpilot-http-bench-") as tmp:
        tmp_path = Path(tmp)
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        env = pmpilot_env(data_dir, args.iterations)
        try:
            key = (
                subprocess.run(
                    [pmpilot_command(), "keys", "create", "--tenant", "bench"],
                    env=env,
                    cwd=tmp_path,
                    capture_output=True,
                    check=True,
                    timeout=120,
                )
                .stdout.decode()
                .strip()
                .splitlines()[-1]
            )
            headers = {"Authorization": f"Bearer {key}"}
            port = free_port()
            t = time.perf_counter()
            real = servers.start(
                name="pmpilot",
                argv=[pmpilot_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=tmp_path,
                port=port,
                log_dir=tmp_path,
                ready_path="/v1/ready",
                timeout_s=600,
            )
            startup_s = time.perf_counter() - t
            print(f"pmpilot serve ready in {startup_s:.1f} s (store seeded)", file=sys.stderr)

            with httpx.Client(base_url=real.url, headers=headers, timeout=300) as client:
                # The first POST is the warm-up (first draft in the process); all of them are
                # the plans read back below and the bare server's payloads.
                ids, payloads, setup_post_s = [], [], []
                for i in range(args.plans):
                    t = time.perf_counter()
                    r = client.post("/v1/plans", json={"brief": texts[i % len(texts)]})
                    r.raise_for_status()
                    setup_post_s.append(round(time.perf_counter() - t, 2))
                    ids.append(r.json()["id"])
                for i, plan_id in enumerate(ids):
                    r = client.get(f"/v1/plans/{plan_id}")
                    r.raise_for_status()
                    payload = tmp_path / f"plan-{i}.json"
                    payload.write_bytes(r.content)
                    payloads.append(payload)
            sizes = [p.stat().st_size for p in payloads]
            print(f"setup POSTs {setup_post_s} s; plan sizes {sizes} bytes", file=sys.stderr)

            port = free_port()
            bare = servers.start(
                name="bare",
                argv=[sys.executable, "-m", "benchmarks.http", "--serve-baseline", str(port)]
                + [str(p) for p in payloads],
                env={k: v for k, v in os.environ.items() if not k.startswith("PMPILOT_")},
                cwd=ROOT,
                port=port,
                log_dir=tmp_path,
                ready_path="/v1/health",
                timeout_s=120,
            )

            gets = [Call("GET", f"/v1/plans/{i}") for i in ids]
            bare_gets = [Call("GET", f"/v1/plans/{i}") for i in range(len(ids))]
            posts = [Call("POST", "/v1/plans", {"brief": b}) for b in texts]
            reads, creates, seconds = args.read_clients, args.create_clients, args.duration
            rows = [
                Load(bare, bare_gets, reads, headers, duration_s=seconds, warmup_per_client=5).run(
                    "bare GET (baseline)"
                ),
                Load(real, gets, reads, headers, duration_s=seconds, warmup_per_client=5).run(
                    "plan retrieval"
                ),
                Load(
                    bare, posts, creates, headers, duration_s=seconds / 2, warmup_per_client=5
                ).run("bare POST (baseline)"),
                Load(real, posts, creates, headers, count=args.create_requests).run(
                    "offline plan creation"
                ),
            ]
            breakdown = retrieval_breakdown(data_dir, "bench", ids[0], repeat=20)
        finally:
            servers.stop_all()
    summaries = [r.summary() for r in rows]
    by = {s["name"]: s for s in summaries}

    def compare(real_name: str, bare_name: str) -> dict[str, Any]:
        r, b = by[real_name], by[bare_name]
        return {
            "real": real_name,
            "baseline": bare_name,
            "throughput_real_over_baseline": ratio(r["requests_per_s"], b["requests_per_s"]),
            "p95_real_over_baseline": ratio(r["p95_ms"], b["p95_ms"]),
            "server_cpu_per_request_real_over_baseline": ratio(
                r["server_cpu_ms_per_request"], b["server_cpu_ms_per_request"]
            ),
        }

    return {
        "benchmark": "http",
        "machine": describe_machine(PACKAGES),
        "settings": {
            "workers": 1,
            "host": "127.0.0.1",
            "drafter": "offline",
            "iterations": args.iterations or "default (10,000)",
            "rate_limit_per_minute": float(UNLIMITED),
            "rate_limit_burst": int(UNLIMITED),
            "read_clients": args.read_clients,
            "create_clients": args.create_clients,
            "read_duration_s": args.duration,
            "bare_post_duration_s": args.duration / 2,
            "create_requests": args.create_requests,
            "plans": args.plans,
        },
        "server_startup_s": round(startup_s, 1),
        "setup_post_s": setup_post_s,
        "plan_response_bytes": sizes,
        "rows": summaries,
        "ratios": [
            compare("plan retrieval", "bare GET (baseline)"),
            compare("offline plan creation", "bare POST (baseline)"),
        ],
        "retrieval_breakdown": breakdown,
        "total_s": round(time.perf_counter() - t_total, 1),
    }


def table(result: dict[str, Any]) -> str:
    head = (
        f"{'row':<24}{'clients':>8}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'errors':>7}{'srv CPU ms/req':>15}{'client CPU':>11}"
    )
    lines = [head, "-" * len(head)]
    for s in result["rows"]:
        lines.append(
            f"{s['name']:<24}{s['clients']:>8}{s['requests']:>9}{s['requests_per_s']:>9}"
            f"{s['p50_ms']:>9}{s['p95_ms']:>9}{s['p99_ms']:>9}{s['errors']:>7}"
            f"{s['server_cpu_ms_per_request']:>15}{s['client_cpu_share']:>11.0%}"
        )
    lines.append("")
    for c in result["ratios"]:
        lines.append(
            f"{c['real']} / {c['baseline']}: req/s x{c['throughput_real_over_baseline']},"
            f" p95 x{c['p95_real_over_baseline']},"
            f" server CPU per request x{c['server_cpu_per_request_real_over_baseline']}"
        )
    b = result["retrieval_breakdown"]
    lines.append(
        f"plan sizes {result['plan_response_bytes']} bytes; one retrieval's steps in-process"
        f" ({b['total_ms']} ms): " + ", ".join(f"{k} {v}" for k, v in b["median_ms"].items())
    )
    lines.append(f"setup POSTs, one client, one after another: {result['setup_post_s']} s")
    m = result["machine"]
    lines.append(
        f"machine: {m['cpus']} CPUs, {m['cpu_model']}, Python {m['python']},"
        f" load {m['load_average']}; run took {result['total_s']} s"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.http",
        description=" ".join((__doc__ or "").split("\n\n")[0].split()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="One JSON object on stdout.")
    parser.add_argument(
        "--quick", action="store_true", help="A smoke run: 2 s rows, 4 plans created."
    )
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per GET row.")
    parser.add_argument("--read-clients", type=int, default=8)
    parser.add_argument("--create-clients", type=int, default=2)
    parser.add_argument("--create-requests", type=int, default=20)
    parser.add_argument("--plans", type=int, default=3, help="Plans to create and read back.")
    parser.add_argument(
        "--iterations", type=int, default=None, help="Monte Carlo iterations (default: 10,000)"
    )
    parser.add_argument(
        "--serve-baseline",
        nargs="+",
        metavar=("PORT", "PAYLOAD"),
        help="Internal: serve the bare app on PORT with these response bodies.",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.create_requests, args.plans = 2.0, 4, 2
    if min(args.read_clients, args.create_clients, args.create_requests, args.plans) < 1:
        parser.error("clients, requests and plans must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_baseline:
        port, *payloads = args.serve_baseline
        serve_baseline(int(port), payloads)
        return 0
    with terminate_on_sigterm():
        result = run(args)
    print(json.dumps(result, indent=2) if args.json else table(result))
    errors = sum(s["errors"] for s in result["rows"])
    if errors:
        print(f"{errors} requests failed", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
