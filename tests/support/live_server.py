"""A real `gridstation-server serve` process on 127.0.0.1, and waiting until a server answers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.ports import free_port
from tests.support.waiting import wait_for

# Only a guard against a hang: a fresh interpreter imports the server in 1–2 s, longer on a loaded CI machine.
START_DEADLINE_SECONDS = 60.0
POLL_SECONDS = 0.05  # between two looks at the health endpoint while the server comes up


def wait_until_serving(url: str, gone: Callable[[], str | None]) -> None:
    """Return once `url`/healthz answers 200; fail as soon as the server process is gone, or at the deadline.

    `gone()` is None while the server process runs, else what became of it (its exit status, its log).
    """
    with httpx.Client(timeout=1) as client:

        def answering() -> bool:
            try:
                if client.get(f"{url}/healthz").status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            fate = gone()
            if fate is not None:
                raise AssertionError(f"the server at {url} stopped before it answered: {fate}")
            return False

        wait_for(
            answering,
            f"the server at {url} did not answer within {START_DEADLINE_SECONDS} s",
            seconds=START_DEADLINE_SECONDS,
            every=POLL_SECONDS,
        )


class LiveServer:
    """A real `gridstation-server serve` on 127.0.0.1. Its stderr goes to `log`: a pipe nobody reads could fill up
    and stall the server."""

    def __init__(self, db_url: str, data_dir: Path) -> None:
        self.base = [sys.executable, "-m", "gridstation.server.cli", "--db", db_url, "--data-dir", str(data_dir)]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def admin(self, *args: str) -> str:
        """Run an administration command (`station add JA01 …`) against the same database; its stdout."""
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=True).stdout

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                # No supervision pass of its own: the tests' cases are dated in the past, and a pass would add 督办
                # events to what they count (tests/test_supervision.py runs it on purpose).
                [*self.base, "serve", "--port", str(self.port), "--supervise-seconds", "0"],
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        try:
            wait_until_serving(self.url, self._exited)
        except BaseException:
            self.kill()
            raise

    def _exited(self) -> str | None:
        if self.process is None or self.process.poll() is None:
            return None
        return f"exit status {self.process.returncode}\n{self.log.read_text(encoding='utf-8', errors='replace')}"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): the server closes its connections and its database."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def kill(self) -> None:
        """SIGKILL, as a power cut: no shutdown at all."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
