"""The fork server and the syncs it forks, seen from the test: start one, wait for its fate, read what it wrote."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.crash.forks import CHILD_TIMEOUT, ROOT


class ForkServer:
    """The test's handle on the fork server process."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.scratch.mkdir(parents=True, exist_ok=True)
        self._stderr = open(scratch / "fork-server.err", "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.support.crash.forks import serve_forks; serve_forks()"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self._runs = 0

    def _send(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=CHILD_TIMEOUT):
                raise AssertionError(f"the fork server did not answer within {CHILD_TIMEOUT} s")
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError("the fork server died: " + (self.scratch / "fork-server.err").read_text())
        answer: dict[str, Any] = json.loads(line)
        return answer

    def warm_up(self, data_dir: Path) -> None:
        self._send({"op": "warm", "data_dir": str(data_dir)})

    def serve(self, argv: list[str], log: Path, **pause: Any) -> int:
        return int(self._send({"op": "serve", "argv": argv, "log": str(log), **pause})["pid"])

    def reap(self, pid: int) -> None:
        self._send({"op": "reap", "pid": pid})

    def start(self, data_dir: Path, **options: Any) -> ChildRun:
        """Fork a child that runs one `gridstation sync --json` on `data_dir`; returns once it is running."""
        self._runs += 1
        stem = self.scratch / f"run-{self._runs:04d}"
        files = {"stdout": f"{stem}.out", "stderr": f"{stem}.err", "trace": f"{stem}.trace"}
        pid = self._send({"op": "sync", "data_dir": str(data_dir), **files, **options})["pid"]
        return ChildRun(self, int(pid), stem)

    def run(self, data_dir: Path, **options: Any) -> ChildResult:
        return self.start(data_dir, **options).wait()

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self._stderr.close()


@dataclass
class ChildRun:
    forks: ForkServer
    pid: int
    stem: Path

    def wait(self) -> ChildResult:
        fate = self.forks._read()
        assert fate["pid"] == self.pid, fate
        return ChildResult(
            exit_code=fate.get("exit_code"),
            signal=fate.get("signal"),
            killed_by_parent=bool(fate["killed"]),
            seconds=float(fate["seconds"]),
            cpu=float(fate["cpu"]),
            stdout=_text(self.stem.with_suffix(".out")),
            stderr=_text(self.stem.with_suffix(".err")),
            passed=tuple(
                (name, round(float(at) - fate["started"], 4))
                for at, name in (line.split() for line in _text(self.stem.with_suffix(".trace")).splitlines())
            ),
        )


def _text(path: Path) -> str:
    """What a child wrote; nothing when it was killed before it opened the file."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


@dataclass(frozen=True)
class ChildResult:
    exit_code: int | None
    signal: int | None
    killed_by_parent: bool
    seconds: float
    cpu: float
    stdout: str
    stderr: str
    # The crash points the sync passed, in order, with the seconds since the fork: the last is where it died.
    passed: tuple[tuple[str, float], ...] = ()

    @property
    def sigkilled(self) -> bool:
        return self.signal == signal.SIGKILL

    @property
    def points(self) -> list[str]:
        return [name for name, _ in self.passed]

    @property
    def last_point(self) -> str:
        return self.passed[-1][0] if self.passed else "(none: before the sync lock)"

    def reached(self, point: str) -> float | None:
        """Seconds from the fork to the first time the sync passed `point`."""
        return next((at for name, at in self.passed if name == point), None)

    def summary(self) -> dict[str, Any]:
        """The JSON the headless sync printed (only a child that ran to the end printed one)."""
        if not self.stdout.strip():
            raise AssertionError(f"the sync printed nothing: {self}")
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    def __str__(self) -> str:
        return (
            f"exit_code={self.exit_code} signal={self.signal} killed_by_parent={self.killed_by_parent} "
            f"seconds={self.seconds} cpu={self.cpu} last crash point passed: {self.last_point}\n"
            f"stdout: {self.stdout[-1500:]}\nstderr: {self.stderr[-3000:]}"
        )
