"""Real `pmpilot serve` processes for the API tests, on 127.0.0.1 with their own data.

A fresh data directory spends 20–40 s embedding the seed corpus at startup; `seeded_data_dir`
builds one per test session and hands every caller a copy.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PMPILOT = Path(sys.executable).with_name("pmpilot")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    data_dir: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"},
            "PMPILOT_DATA_DIR": str(self.data_dir),
            "PMPILOT_DRAFTER": "offline",
            "PMPILOT_ITERATIONS": "1000",
            "PMPILOT_RATE_LIMIT_BURST": "1000",
            **self.extra,
        }

    def pmpilot(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a `pmpilot` command on this server's data directory."""
        return subprocess.run(
            [str(PMPILOT), *args], capture_output=True, text=True, env=self.env, check=check
        )

    def key(self, tenant: str, role: str = "pm") -> str:
        return self.pmpilot("keys", "create", "--tenant", tenant, "--role", role).stdout.strip()

    def start(self) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(PMPILOT), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the server exited"
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise AssertionError("the server did not come up")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory, name: str = "api-data") -> Path:
    """A copy of a data directory whose lesson index is already built (the first caller in a
    session builds it, through a server's own startup, and stops that server cleanly)."""
    seeded = tmp_path_factory.getbasetemp() / "pmpilot-seeded"
    if not (seeded / ".ready").exists():
        shutil.rmtree(seeded, ignore_errors=True)
        first = Server(seeded)
        first.start()
        assert first.proc is not None
        first.proc.terminate()  # a clean shutdown leaves SQLite and Chroma consistent
        first.proc.wait(30)
        (seeded / ".ready").touch()
    data = tmp_path_factory.mktemp(name)
    shutil.copytree(seeded, data, dirs_exist_ok=True)
    return data


def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    """A started server on a seeded copy."""
    srv = Server(seeded_data_dir(tmp_path_factory))
    srv.start()
    return srv
