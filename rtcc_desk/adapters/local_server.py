"""Run a real `rtcc-server` as a child process on loopback: the desk's demo and the benchmarks.

A separate process rather than uvicorn in a thread: the desk's Qt event loop and the
server's asyncio loop never share a thread or a GIL-heavy workload, and a crash or SIGKILL
of one (the benchmarks do that on purpose) cannot take the other down.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from rtcc_media.children import dying_with_parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """`python -m server_stub.cli serve` on a free 127.0.0.1 port; the Popen pid is uvicorn's."""

    def __init__(self, data_dir: Path, *, smtp_port: int = 25, demo_mode: bool = False,
                 env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.extra_env = dict(env or {})
        self.database_url = f"sqlite:///{data_dir / 'server.sqlite3'}"
        self.smtp_port = smtp_port
        self.demo_mode = demo_mode
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RTCC_SERVER_")}
        env.update({
            "RTCC_SERVER_DEMO_MODE": "true" if self.demo_mode else "false",
            "RTCC_SERVER_SMTP_HOST": "127.0.0.1",
            "RTCC_SERVER_SMTP_PORT": str(self.smtp_port),
            "RTCC_SERVER_HOUSEKEEPING_MINUTES": "0",
            "RTCC_SERVER_PUBLIC_BASE_URL": self.base_url,
            **self.extra_env,
        })
        return env

    def _argv(self, *command: str) -> list[str]:
        return [sys.executable, "-m", "server_stub.cli", "--data-dir", str(self.data_dir),
                "--database", self.database_url, *command]

    def command(self, *args: str, timeout_s: float = 300.0) -> subprocess.CompletedProcess:
        """Run one `rtcc-server` command (e.g. ``seed-demo``) against this server's data."""
        return subprocess.run(self._argv(*args), env=self._env(), capture_output=True, text=True,
                              timeout=timeout_s, stdin=subprocess.DEVNULL)

    def start(self, timeout_s: float = 60.0) -> None:
        """Start (or restart, on the same port: clients keep their base URL)."""
        self.port = self.port or free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115
        # Ended (SIGTERM) when the desk that started it dies, even by SIGKILL, so no orphan
        # server keeps the port and the database. Linux sends it when the *thread* that started
        # the child ends: call ``start`` from a long-lived thread.
        argv, before_exec = dying_with_parent(
            self._argv("serve", "--host", "127.0.0.1", "--port", str(self.port)), "TERM")
        self.process = subprocess.Popen(
            argv, env=self._env(), stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, preexec_fn=before_exec,  # noqa: PLW1509
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.data_dir / 'server.log'}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer /health in time")

    def kill(self) -> None:
        """SIGKILL, as a power cut would; waits for the process to be gone."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self._close_log()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
