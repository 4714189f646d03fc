"""Kill a station's sync anywhere and prove nothing is lost or doubled: the harness behind `test_sync_crashes.py`.

Pieces, all real processes talking over loopback:

* `ForkServer`: a Python process that imports the station's sync path and the server once, then forks one child
  per job. A sync child runs the real headless command (`gridstation sync --json --data-dir …`); a server child
  runs the real `gridstation-server --db sqlite:///… serve --port …`. Each is a separate process with its own
  SQLite connections and sockets, so a SIGKILL (from a named crash point, `GRIDSTATION_CRASH_AT`, or from outside
  after a random delay) cuts it off exactly as a power cut would. A fresh interpreter spends 0.9 s (2 s under
  load) importing before it syncs, a fork a few milliseconds: that is what makes hundreds of kill runs affordable.
* `CrashServer`: the server on a SQLite file, started once per test module, killed (SIGKILL) and started again
  on the same file, on the same port or another one.
* `Station`: a station data directory, initialised with the conftest admin and enrolled, that accumulates work:
  every kill run first records new cases and events, so it always has something unsent.
* `CuttingProxy`: a TCP relay between a station and the server that drops the connection once a chosen number
  of bytes has passed in one direction, i.e. in the middle of a request or of a response.
* `check_invariants`: after the recovery sync, every event exactly once on both sides with the same content,
  nothing unsent or quarantined, the same cases, the feed read to its head, the receipt matching, and both
  SQLite files passing `PRAGMA integrity_check`.
* `Rig`: all of the above for one test module, with one method per kind of kill run.

Only the standard library is imported at module level: the fork server imports this module too. Linux only
(fork, pidfd); the station's own code under test is the same on every platform.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import random
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CRASH_AT_ENV = "GRIDSTATION_CRASH_AT"  # the names in gridstation.common.crashpoints, not imported here
CRASH_COUNT_ENV = "GRIDSTATION_CRASH_COUNT"
# Small batches and pages: a run's work (7 station events and a work order) takes 3 pushes and 3 pull pages, so
# a crash can hit the 2nd or 3rd of each. The engine's own sizes (500 and 1000) are used by some runs too.
SMALL_PUSH_BATCH = 3
SMALL_PULL_PAGE = 3
CHILD_TIMEOUT = 120.0
ONCE_PER_SYNC = ("sync.locked", "receipt.after_response", "conflicts.in_transaction", "run.before_record")


# ====================================================================== the fork server (its own process)


def serve_forks() -> None:
    """Entry point of the fork server: one JSON request per line on stdin, one or two JSON answers on stdout.

    * `{"op": "sync", "data_dir", "stdout", "stderr", "env", "push_batch", "pull_page", "attempts", "announce",
      "kill_after"}` forks a child running `gridstation sync --json`; answers `{"pid"}` at once, then its fate
      (`exit_code` or `signal`, `seconds`, `cpu`, `killed`: whether the fork server SIGKILLed it after
      `kill_after` seconds).
    * `{"op": "serve", "argv", "log", "pause_at", "pause_on", "announce"}` forks a child running
      `gridstation-server <argv>` (optionally one that stops inside a push, see `_pause_server`); answers
      `{"pid"}`. The test kills it with SIGKILL itself; it stays a zombie (its pid cannot be reused) until
      `{"op": "reap", "pid"}`.
    * `{"op": "warm", "data_dir"}` runs one whole sync of that (enrolled) station in this process, so SQLAlchemy
      and pydantic build their lazy structures once, here, and every child forked afterwards starts warm.
    """
    import uvicorn  # noqa: F401

    import gridstation.cli.main
    import gridstation.server.app
    import gridstation.server.cli
    import gridstation.sync.engine
    import gridstation.sync.report
    import gridstation.sync.transport  # noqa: F401 - the entry points and what they load, before any fork

    _reuse_one_tls_context()
    servers: set[int] = set()
    try:
        for line in sys.stdin:
            if line.strip():
                _serve_one(json.loads(line), servers)
    finally:
        for pid in servers:  # the test process went away: take its servers with it
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _serve_one(request: dict[str, Any], servers: set[int]) -> None:
    op = request.get("op", "sync")
    if op == "warm":
        _warm_up(Path(request["data_dir"]))
        # What exists now lives as long as the fork server: keep the children's collector away from it, or its
        # first full collection touches (and so copies) every page a child shares with this process.
        gc.collect()
        gc.freeze()
        _answer({"warm": True})
    elif op == "serve":
        pid = os.fork()
        if pid == 0:
            _server_child(request)
        servers.add(pid)
        _answer({"pid": pid})
    elif op == "reap":
        pid = int(request["pid"])
        servers.discard(pid)
        _, status = os.waitpid(pid, 0)
        _answer({"pid": pid, "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None})
    else:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _sync_child(request)
        _answer({"pid": pid})
        killed, status, usage = _wait_or_kill(pid, request.get("kill_after"))
        fate: dict[str, Any] = {
            "pid": pid,
            "started": started,
            "seconds": round(time.monotonic() - started, 4),
            "cpu": round(usage.ru_utime + usage.ru_stime, 4),
            "killed": killed,
        }
        if os.WIFSIGNALED(status):
            fate["signal"] = os.WTERMSIG(status)
        else:
            fate["exit_code"] = os.WEXITSTATUS(status)
        _answer(fate)


def _answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _reuse_one_tls_context() -> None:
    """httpx loads the CA bundle for every client (~60 ms), even for the plain-HTTP loopback server used here;
    the children share one context made before the fork instead. Nothing else about the transport changes."""
    import httpx._transports.default as transport_module

    context = transport_module.create_ssl_context()  # type: ignore[attr-defined]
    transport_module.create_ssl_context = lambda *args, **kwargs: context  # type: ignore[attr-defined]


def _warm_up(data_dir: Path) -> None:
    import io
    from contextlib import redirect_stdout

    from gridstation.cli import main as cli
    from gridstation.sync import engine

    batch, page = engine.PUSH_BATCH, engine.PULL_PAGE
    engine.PUSH_BATCH, engine.PULL_PAGE = SMALL_PUSH_BATCH, SMALL_PULL_PAGE
    try:
        with redirect_stdout(io.StringIO()) as out:
            code = cli.main(["sync", "--json", "--data-dir", str(data_dir)])  # closes its database and client
        if code != 0:
            raise SystemExit(f"the warm-up sync failed ({code}): {out.getvalue()}")
    finally:
        engine.PUSH_BATCH, engine.PULL_PAGE = batch, page


def _wait_or_kill(pid: int, kill_after: float | None) -> tuple[bool, int, Any]:
    """Reap the child; with `kill_after`, SIGKILL it first if it is still running by then."""
    killed = False
    if kill_after is not None:
        pidfd = os.pidfd_open(pid)
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(pidfd, selectors.EVENT_READ)
                if not selector.select(timeout=max(0.0, kill_after)):  # still running at the chosen moment
                    os.kill(pid, signal.SIGKILL)
                    killed = True
        finally:
            os.close(pidfd)
    _, status, usage = os.wait4(pid, 0)
    return killed, status, usage


def _redirect(stdout: str, stderr: str) -> None:
    for fd, path, flags in (
        (0, os.devnull, os.O_RDONLY),
        (1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        (2, stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND),
    ):
        opened = os.open(path, flags, 0o644)
        os.dup2(opened, fd)
        os.close(opened)


def _server_child(request: dict[str, Any]) -> None:
    code = 70
    try:
        _redirect(request["log"], request["log"])
        if request.get("pause_at"):
            _pause_server(request["pause_at"], int(request.get("pause_on", 1)), request["announce"])
        from gridstation.server import cli as server_cli

        code = server_cli.main(request["argv"])
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _pause_server(where: str, nth: int, announce: str) -> None:
    """A server that stops for good inside its `nth` push, and says so: the test kills it right there.

    "in_transaction": the push's events are written, the transaction is open (SQLite's write lock held).
    "after_commit": the push is committed, its answer not yet sent.
    """
    from gridstation.server import eventlog
    from gridstation.server import service as server_service

    inside = threading.local()
    pushes = 0

    def pause() -> None:
        os.write(os.open(announce, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), f"{where} {pushes}\n".encode())
        time.sleep(CHILD_TIMEOUT)

    real_push, real_write = server_service.ServerService.push, eventlog.PendingRows.write

    def push(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal pushes
        pushes += 1
        inside.push = pushes
        try:
            result = real_push(self, *args, **kwargs)
        finally:
            inside.push = 0
        if where == "after_commit" and pushes == nth:
            pause()
        return result

    def write(self: Any, session: Any) -> None:
        real_write(self, session)
        if where == "in_transaction" and getattr(inside, "push", 0) == nth:
            pause()

    server_service.ServerService.push = push  # type: ignore[method-assign]
    eventlog.PendingRows.write = write  # type: ignore[method-assign]


def _sync_child(request: dict[str, Any]) -> None:
    code = 70
    try:
        _redirect(request["stdout"], request["stderr"])
        for name in (CRASH_AT_ENV, CRASH_COUNT_ENV):
            os.environ.pop(name, None)
        os.environ.update(request.get("env", {}))

        from gridstation.cli import main as cli
        from gridstation.common import crashpoints
        from gridstation.storage import sync_store
        from gridstation.sync import engine
        from gridstation.sync.transport import ServerTransport

        # Every crash point the sync passes is noted (before it may kill), so a test knows where a kill landed.
        trace = os.open(request["trace"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

        def traced(name: str) -> None:
            os.write(trace, f"{time.monotonic():.6f} {name}\n".encode())  # one clock for all processes
            crashpoints.crash_point(name)

        engine.crash_point = traced  # type: ignore[attr-defined]
        sync_store.crash_point = traced  # type: ignore[attr-defined]

        # Module constants, read by the engine at every batch: smaller ones give a sync several to crash in.
        engine.PUSH_BATCH = int(request.get("push_batch", engine.PUSH_BATCH))
        engine.PULL_PAGE = int(request.get("pull_page", engine.PULL_PAGE))
        if request.get("announce"):
            # One line per push request, written just before it is sent: the test kills the server on cue.
            announce = os.open(request["announce"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            real_push = ServerTransport.push

            def push(self: ServerTransport, batch: Any) -> Any:
                os.write(announce, f"push {len(batch.events)}\n".encode())
                return real_push(self, batch)

            ServerTransport.push = push  # type: ignore[method-assign, assignment]
        argv = ["sync", "--json", "--data-dir", request["data_dir"], "--attempts", str(request.get("attempts", 6))]
        code = cli.main(argv)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# ====================================================================== processes, seen from the test


class ForkServer:
    """The test's handle on the fork server process."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.scratch.mkdir(parents=True, exist_ok=True)
        self._stderr = open(scratch / "fork-server.err", "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.crash_harness import serve_forks; serve_forks()"],
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CrashServer:
    """`gridstation-server serve` on 127.0.0.1 with a SQLite file, to be killed and started again."""

    def __init__(self, root: Path, forks: ForkServer) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.forks = forks
        self.db_path = root / "centre.db"
        self.db_url = f"sqlite:///{self.db_path}"
        self.port = free_port()
        self.pid: int | None = None
        self._zombies: list[int] = []
        self.starts = 0
        self._database: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.root / f"server-{self.starts}.log"

    def start(self, **pause: Any) -> None:
        """Start serving (`pause`: `pause_at`, `pause_on`, `announce`, see `_pause_server`)."""
        import httpx

        self._reap()
        self.starts += 1
        argv = ["--db", self.db_url, "--data-dir", str(self.root), "serve", "--port", str(self.port)]
        self.pid = self.forks.serve(argv, self.log_path, **pause)
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=1) as client:
            while time.monotonic() < deadline:
                try:
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    time.sleep(0.02)
        raise AssertionError(f"the server did not start: {self.log_path.read_text(errors='replace')}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no checkpoint, an open transaction left in the WAL.

        The fork server reaps it later (it may be busy with a sync now); until then it is a zombie, so its pid
        cannot have been reused by anything else.
        """
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self._zombies.append(self.pid)
            self.pid = None

    def _reap(self) -> None:
        while self._zombies:
            self.forks.reap(self._zombies.pop())

    def restart(self, *, new_port: bool = False, **pause: Any) -> None:
        self.kill()
        if new_port:
            self.port = free_port()
        self.start(**pause)

    # --- administration, in this process against the same SQLite file -----------------------------------

    def service(self) -> Any:
        from gridstation.server.db import open_database
        from gridstation.server.service import ServerService

        if self._database is None:
            self._database = open_database(self.db_url)
        return ServerService(self._database)

    def add_station(self, code: str, name: str) -> str:
        """The one-time enrolment code (what `gridstation-server station add CODE NAME` prints)."""
        return str(self.service().add_station(code, name))

    def dispatch_work_order(self, station_code: str, ticket: str, index: int) -> str:
        """A 12345 work order for the station: an event of server origin in its feed."""
        from datetime import UTC, datetime, timedelta

        from gridstation.domain.enums import Channel
        from gridstation.server.workorders import build_work_order

        order = build_work_order(
            ticket=ticket,
            source=Channel.HOTLINE_12345,
            station_code=station_code,
            category_code="DRAIN.COVER",
            description=f"枫林苑 {index % 9 + 1} 号楼旁污水井盖被覆土堵塞，雨天倒灌。",
            dispatched_at=datetime.now(UTC) - timedelta(minutes=5),
            due_hours=24,
            compound="枫林苑",
        )
        return str(self.service().add_work_order(order))

    def close(self) -> None:
        try:
            self.kill()
            self._reap()
        finally:
            if self._database is not None:
                self._database.dispose()
                self._database = None


@dataclass
class Station:
    """A station data directory, initialised with the conftest admin and enrolled with the server.

    The desk stays open in the test process between runs (as the desk application does while a scheduled
    `gridstation sync` runs), recording the next run's work while no sync is running.
    """

    code: str
    data_dir: Path
    server: CrashServer
    desk: Any = None  # StationService
    admin: Any = None
    cases: list[str] = field(default_factory=list)
    contested: set[str] = field(default_factory=set)  # cases both the centre and the desk moved on
    via_proxy: bool = False
    broken: bool = False  # a run on it failed
    work_orders: int = 0
    added: int = 0

    @classmethod
    def create(cls, root: Path, code: str, server: CrashServer) -> Station:
        from gridstation.services.station import StationService
        from gridstation.sync.engine import SyncService
        from tests.conftest import ADMIN_NAME, ADMIN_PIN

        station = cls(code, root / f"station-{code}", server)
        station.desk = StationService(station.data_dir)
        try:
            station.admin = station.desk.initialise(
                code=code, name=f"{code} 民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN
            )
            SyncService(station.desk).enrol(station.admin, server.url, server.add_station(code, f"{code} 工作站"))
        except BaseException:
            station.close()
            raise
        return station

    def close(self) -> None:
        if self.desk is not None:
            self.desk.close()
            self.desk = None

    def add_work(self, rng: random.Random, *, cases: int, events: int, work_orders: int = 0) -> int:
        """New cases and notes at the desk (all unsent), and work orders dispatched to it on the server."""
        from gridstation.domain.enums import EventType
        from tests.sync_support import walk_in

        for _ in range(work_orders):
            self.work_orders += 1
            self.server.dispatch_work_order(self.code, f"GD{self.code}{self.work_orders:06d}", self.work_orders)
        before = self.added
        for _ in range(cases if self.cases else max(cases, 1)):
            state = self.desk.register_case(self.admin, walk_in(rng.randrange(3)))
            self.cases.append(state.id)
            self.added += 1
        for _ in range(events):
            case_id = rng.choice(self.cases[-12:])
            self.desk.record(self.admin, case_id, EventType.NOTE_ADDED, {"note": f"第 {self.added} 次跟进"})
            self.added += 1
        return self.added - before

    def contest(self, rng: random.Random, *, cases: int) -> int:
        """The centre and this desk both move the same (synced) cases on: a department reports the next step on
        the server while the desk records its own next step here, unsent. When the push arrives the server may
        find the desk's step no longer possible: the event is kept as a conflict, and the pull brings the
        centre's state down. Returns the number of desk events recorded."""
        from gridstation.domain.enums import EventType
        from gridstation.domain.errors import DomainError
        from gridstation.protocol import StatusUpdate
        from gridstation.server.accounts import Department

        department = Department("GREEN", "区绿化市容局")
        if not self.contested:
            with contextlib.suppress(DomainError):
                self.server.service().add_department(department.code, department.name)
        recorded = 0
        for case_id in rng.sample(self.cases[:-3], min(cases, max(0, len(self.cases) - 3))):
            number = self.desk.case(case_id).number
            for step in ("closed", "disposed", "on_site", "dispatched"):  # the furthest the server's state allows
                update = StatusUpdate(
                    case_number=number, update=step, note="部门现场处理", assignee="绿化队", answer="已修剪完毕"
                )
                try:
                    self.server.service().department_update(department, update)
                    break
                except DomainError:
                    continue
            steps = {  # the furthest the desk's (possibly outdated) state allows
                EventType.CLOSED: {"answer": "已答复居民"},
                EventType.DISPOSED: {"outcome": "resolved", "note": "已处置"},
                EventType.ARRIVED_ON_SITE: {"note": "已到场"},
                EventType.DISPATCHED: {"assignee": "网格员", "note": "派网格员"},
                EventType.FIRST_CONTACT: {"note": "已电话联系居民"},
            }
            for event_type, payload in steps.items():
                try:
                    self.desk.record(self.admin, case_id, event_type, payload)
                except DomainError:
                    continue
                recorded += 1
                self.added += 1
                break
            self.contested.add(case_id)
        return recorded

    def set_server_url(self, url: str) -> None:
        """What an administrator does when the server moved: the station keeps its credential and position."""
        from gridstation.storage import settings
        from gridstation.storage.settings import SettingKey

        with self.desk.transaction() as session:
            settings.put_setting(session, SettingKey.SERVER_URL, url)

    def unsent(self) -> int:
        with _connect(self.data_dir / "station.db") as db:
            query = "SELECT count(*) FROM events WHERE origin = 'station' AND acknowledged_at IS NULL"
            return int(db.execute(query).fetchone()[0])


# ====================================================================== the invariants


def _connect(path: Path) -> contextlib.closing[sqlite3.Connection]:
    if not path.exists():
        raise AssertionError(f"no database at {path}")
    return contextlib.closing(sqlite3.connect(path, timeout=30))


def integrity(path: Path) -> str:
    with _connect(path) as db:
        return "; ".join(str(row[0]) for row in db.execute("PRAGMA integrity_check"))


def check_invariants(station: Station, recovery: dict[str, Any], *, context: str = "") -> None:
    """Everything the issue asks of a sync that was cut off and then run again; raises naming every breach.

    (a) every station event exactly once on the server, same number and content hash; no id or number twice;
        the station's feed lists each of its events once; nothing quarantined.
    (b) nothing unsent here, no push outcome but applied/duplicate (and conflict where the centre moved the
        same cases).
    (c) `PRAGMA integrity_check` is "ok" on the station's and on the server's SQLite file.
    (d) the recovery sync succeeded and its receipt matches; the events here are exactly the server's events of
        this station (its own and the centre's), the cases the same (number, status, version), the feed read to
        its head.
    """
    problems: list[str] = []
    station_db = station.data_dir / "station.db"
    code = station.code

    # (c) both databases are sound
    for name, path in (("station", station_db), ("server", station.server.db_path)):
        try:
            result = integrity(path)
        except sqlite3.DatabaseError as err:
            result = str(err)
        if result != "ok":
            problems.append(f"PRAGMA integrity_check on the {name} database: {result}")

    try:
        local, local_cases, settings = _station_view(station_db)
        server_view = _server_view(station.server.db_path, code)
    except sqlite3.DatabaseError as err:  # a file too damaged to read is the worst breach of all
        raise _broken(context, [*problems, f"a database cannot be read: {err}"]) from err
    server_rows, doubled_ids, doubled_seqs, feed, (pushed_seq, feed_head), quarantined, server_cases = server_view
    server = {row[0]: row[1:] for row in server_rows}

    # (a) every station event exactly once on the server, the same content, nothing doubled or quarantined
    if len(server) != len(server_rows) or doubled_ids:
        problems.append(f"event ids held more than once on the server: {doubled_ids[:5]}")
    if doubled_seqs:
        problems.append(f"station numbers held more than once on the server: {doubled_seqs[:5]}")
    ours = {i: (seq, digest) for i, (origin, seq, digest, _, _) in local.items() if origin == "station"}
    for event_id, (seq, digest) in sorted(ours.items(), key=lambda item: item[1][0] or 0):
        held = server.get(event_id)
        if held is None:
            problems.append(f"station event {event_id} (#{seq}) is missing on the server")
        elif held != ("station", seq, digest):
            problems.append(f"station event {event_id}: here (#{seq}, {digest[:12]}), on the server {held}")
    if quarantined:
        problems.append(f"quarantined on the server: {quarantined[:5]}")
    seqs = sorted(seq for seq, _ in ours.values())
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append(f"the station's event numbers are not 1..{len(seqs)}: gaps or repeats")
    if pushed_seq != len(seqs):
        problems.append(f"the server acknowledged up to #{pushed_seq}, the station has {len(seqs)} events")
    doubled_feed = sorted(event_id for event_id, n in feed.items() if n != 1)
    if doubled_feed or set(feed) != set(server):
        problems.append(
            f"the feed of {code} lists {doubled_feed[:5]} more than once, "
            f"and differs from the events held in {sorted(set(server) ^ set(feed))[:5]}"
        )

    # (b) nothing unsent, nothing refused
    unsent = sorted(seq for origin, seq, _, at, _ in local.values() if origin == "station" and at is None)
    if unsent:
        problems.append(f"{len(unsent)} events still unsent after the recovery sync: #{unsent[:10]}")
    outcomes = Counter(outcome for origin, _, _, _, outcome in local.values() if origin == "station")
    expected_outcomes = {"applied", "duplicate", "conflict"} if station.contested else {"applied", "duplicate"}
    if set(outcomes) - expected_outcomes:
        problems.append(f"push outcomes other than {sorted(expected_outcomes)}: {dict(outcomes)}")

    # (d) the same events and cases on both sides, the pull caught up, the receipt matches
    if set(local) != set(server):
        problems.append(
            f"events only here: {sorted(set(local) - set(server))[:5]}; "
            f"only on the server: {sorted(set(server) - set(local))[:5]}"
        )
    for event_id, (origin, _, digest) in server.items():
        here = local.get(event_id)
        if here is not None and (here[0], here[2]) != (origin, digest):
            problems.append(f"event {event_id}: here {here[0]}/{here[2][:12]}, on the server {origin}/{digest[:12]}")
    for case_id, held in server_cases.items():
        if local_cases.get(case_id) != held:
            problems.append(f"case {case_id}: here {local_cases.get(case_id)}, on the server {held}")
    if set(local_cases) != set(server_cases):
        problems.append(f"cases only on one side: {sorted(set(local_cases) ^ set(server_cases))[:5]}")
    if settings.get("sync.cursor") != feed_head:
        problems.append(f"the station read its feed up to {settings.get('sync.cursor')}, the head is {feed_head}")
    problems += _recovery_problems(recovery)

    if problems:
        raise _broken(context, problems)


def _broken(context: str, problems: list[str]) -> AssertionError:
    return AssertionError("\n  ".join([f"invariants broken after the recovery sync ({context}):", *problems]))


def _station_view(path: Path) -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]], dict[str, Any]]:
    with _connect(path) as db:
        query = "SELECT id, origin, station_seq, content_hash, acknowledged_at, sync_outcome FROM events"
        local = {row[0]: row[1:] for row in db.execute(query)}
        cases = {row[0]: row[1:] for row in db.execute("SELECT id, number, status, version FROM cases")}
        settings = {key: json.loads(value) for key, value in db.execute("SELECT key, value FROM settings")}
    return local, cases, settings


def _server_view(path: Path, code: str) -> tuple[Any, ...]:
    with _connect(path) as db:
        rows = db.execute(
            "SELECT id, origin, station_seq, content_hash FROM events WHERE station_code = ?", (code,)
        ).fetchall()
        doubled_ids = db.execute("SELECT id, count(*) FROM events GROUP BY id HAVING count(*) > 1").fetchall()
        doubled_seqs = db.execute(
            "SELECT station_seq, count(*) FROM events WHERE station_code = ? AND station_seq IS NOT NULL "
            "GROUP BY station_seq HAVING count(*) > 1",
            (code,),
        ).fetchall()
        feed = Counter(row[0] for row in db.execute("SELECT event_id FROM feed WHERE station_code = ?", (code,)))
        heads = db.execute("SELECT pushed_seq, feed_head FROM stations WHERE code = ?", (code,)).fetchone()
        quarantined = db.execute(
            "SELECT event_id, code, station_seq FROM quarantine WHERE station_code = ?", (code,)
        ).fetchall()
        cases = {
            row[0]: row[1:]
            for row in db.execute("SELECT id, number, status, version FROM cases WHERE station_code = ?", (code,))
        }
    return rows, doubled_ids, doubled_seqs, feed, heads, quarantined, cases


def _recovery_problems(summary: dict[str, Any]) -> list[str]:
    problems = []
    receipt = summary.get("receipt")
    if not summary.get("ok") or summary.get("exit_code") != 0:
        problems.append(
            f"the recovery sync ended with exit code {summary.get('exit_code')} (ok={summary.get('ok')}, "
            f"error {summary.get('error_code')!r} {summary.get('error')!r})"
        )
    if receipt is None or receipt.get("matches") is not True:
        problems.append(f"the recovery sync's receipt does not match: {receipt}")
    if summary.get("unsent_after") != 0 or summary.get("rejected") or summary.get("mismatched"):
        problems.append(
            f"recovery: unsent_after={summary.get('unsent_after')} rejected={summary.get('rejected')} "
            f"mismatched={summary.get('mismatched')}"
        )
    return problems


# ====================================================================== a connection that breaks mid-way


class CuttingProxy:
    """Relays 127.0.0.1:port to the server; once armed, breaks the connection after `cut_after` bytes one way.

    `direction` "up" counts what the station sends (the cut falls inside a request), "down" what the server
    answers (inside a response, after the server has acted). Bytes are counted over all connections since `arm`;
    each arming cuts once.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)  # accept() wakes up to notice close()
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._stop = False
        self.direction = "up"
        self.cut_after: int | None = None
        self.passed = {"up": 0, "down": 0}
        self.cuts = 0
        self._workers: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arm(self, direction: str, cut_after: int | None) -> None:
        with self._lock:
            self.direction, self.cut_after = direction, cut_after
            self.passed = {"up": 0, "down": 0}
            self.cuts = 0

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            worker = threading.Thread(target=self._relay, args=(client,), daemon=True)
            self._workers = [t for t in self._workers if t.is_alive()] + [worker]
            worker.start()

    def _relay(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            peers = {client: (upstream, "up"), upstream: (client, "down")}
            with selectors.DefaultSelector() as selector:
                for sock in peers:
                    selector.register(sock, selectors.EVENT_READ)
                while not self._stop:
                    for key, _ in selector.select(timeout=0.5):
                        source: socket.socket = key.fileobj  # type: ignore[assignment]
                        target, direction = peers[source]
                        data = source.recv(65536)
                        if not data:
                            return
                        data, cut = self._allow(direction, data)
                        if data:
                            target.sendall(data)
                        if cut:  # RST, not FIN: both ends see a broken connection
                            linger = (1).to_bytes(4, sys.byteorder) + (0).to_bytes(4, sys.byteorder)
                            for sock in (client, upstream):
                                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                            return
        except OSError:
            return
        finally:
            client.close()
            if upstream is not None:
                upstream.close()

    def _allow(self, direction: str, data: bytes) -> tuple[bytes, bool]:
        with self._lock:
            before = self.passed[direction]
            self.passed[direction] += len(data)
            if direction != self.direction or self.cut_after is None or self.passed[direction] <= self.cut_after:
                return data, False
            keep = max(0, self.cut_after - before)
            self.cut_after = None
            self.cuts += 1
            return data[:keep], True

    def close(self) -> None:
        self._stop = True
        self._listener.close()
        self._acceptor.join(timeout=5)
        for worker in self._workers:
            worker.join(timeout=5)


# ====================================================================== one kill run, start to finish


@dataclass
class KillRun:
    """What a kill run did, for the test's assertion messages."""

    label: str
    killed: ChildResult
    added: int
    unsent_before_recovery: int = 0
    recovery: ChildResult | None = None

    def __str__(self) -> str:
        return f"{self.label}: added {self.added}, unsent before recovery {self.unsent_before_recovery}\n{self.killed}"


def _retire_on_failure(run: Callable[..., KillRun]) -> Callable[..., KillRun]:
    """A failed run leaves its station broken: `Rig.station` hands out a fresh one next time."""

    @functools.wraps(run)
    def guarded(self: Rig, station: Station, *args: Any, **kwargs: Any) -> KillRun:
        try:
            return run(self, station, *args, **kwargs)
        except BaseException:
            station.broken = True
            raise

    return guarded


class Rig:
    """One server, one fork server and the stations of a test module."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.forks = ForkServer(root / "runs")
        self.server = CrashServer(root / "centre", self.forks)
        self.stations: dict[str, Station] = {}
        self.retired: list[Station] = []
        self.proxy: CuttingProxy | None = None
        self.sync_seconds = 1.0  # a whole sync of one run's work, from the fork: where random kills aim
        self.lock_seconds = 0.0
        self.cut_totals: dict[str, int] = {}
        self.kills = Counter[str]()
        self.landed = Counter[str]()  # the last crash point a randomly killed sync had passed
        try:
            self.server.start()
            warm = self.station("WARM")
            self.add_work(warm, random.Random("warm"))
            self.forks.warm_up(warm.data_dir)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        try:
            for station in [*self.stations.values(), *self.retired]:
                station.close()
            if self.proxy is not None:
                self.proxy.close()
            self.server.close()
        finally:
            self.forks.close()

    def station(self, name: str, *, via_proxy: bool = False) -> Station:
        """The station called `name`, created and enrolled on first use.

        A station whose run failed may hold wrong data for good; the next caller gets a fresh one (code
        `<name>X<n>`), so one failure is reported once, not again by every later run on the same station.
        """
        station = self.stations.get(name)
        if station is None or station.broken:
            code = name if station is None else f"{name}X{len(self.retired) + 1}"
            if station is not None:
                self.retired.append(station)
            station = Station.create(self.root, code, self.server)
            if via_proxy:
                if self.proxy is None:
                    self.proxy = CuttingProxy(self.server.port)
                station.set_server_url(self.proxy.url)
                station.via_proxy = True
            self.stations[name] = station
        return station

    def add_work(self, station: Station, rng: random.Random, *, varied: bool = False) -> int:
        """7 station events and a work order (3 push batches, 3 pull pages), or a random amount (`varied`)."""
        if not varied:
            return station.add_work(rng, cases=2, events=5, work_orders=1)
        return station.add_work(
            rng, cases=rng.randint(0, 2), events=rng.randint(1, 5), work_orders=int(rng.random() < 0.25)
        )

    def recover_and_check(self, station: Station, run: KillRun) -> KillRun:
        """Another sync runs to the end, then every invariant is checked."""
        run.unsent_before_recovery = station.unsent()
        run.recovery = self.forks.run(station.data_dir)
        if run.recovery.signal is not None or not run.recovery.stdout.strip():
            raise AssertionError(f"{run.label}: the recovery sync died\n{run.recovery}\nafter {run}")
        check_invariants(station, run.recovery.summary(), context=str(run))  # its exit code is one of them
        return run

    def calibrate(self, station: Station, rng: random.Random) -> float:
        """Time one whole sync of a run's worth of work (not killed), checked like any recovery."""
        added = self.add_work(station, rng, varied=True)
        done = self.forks.run(station.data_dir, push_batch=SMALL_PUSH_BATCH, pull_page=SMALL_PULL_PAGE)
        self._observe(done)
        self.recover_and_check(station, KillRun("calibration", done, added))
        return done.seconds

    def _observe(self, whole: ChildResult) -> None:
        """A whole sync's timing (from the fork: when it held the lock, when it ended): where random kills aim."""
        self.sync_seconds = whole.seconds
        self.lock_seconds = whole.reached("sync.locked") or 0.0

    # --- the kinds of kill run ----------------------------------------------------------------------------

    @_retire_on_failure
    def crash_at(self, station: Station, point: str, count: int, *, small: bool) -> KillRun:
        """The sync kills itself (SIGKILL) the `count`-th time it reaches the named point."""
        rng = random.Random(f"{station.code}-{point}-{count}-{small}")
        added = self.add_work(station, rng)
        sizes = {"push_batch": SMALL_PUSH_BATCH, "pull_page": SMALL_PULL_PAGE} if small else {}
        killed = self.forks.run(station.data_dir, env={CRASH_AT_ENV: point, CRASH_COUNT_ENV: str(count)}, **sizes)
        label = f"crash at {point} #{count} ({'small' if small else 'default'} batches)"
        if not killed.sigkilled:
            raise AssertionError(f"{label}: the sync never reached the point and was not killed\n{killed}")
        if killed.last_point != point or killed.points.count(point) != count:
            raise AssertionError(f"{label}: killed elsewhere, after {killed.points}")
        self.kills["crash point"] += 1
        return self.recover_and_check(station, KillRun(label, killed, added))

    @_retire_on_failure
    def kill_at_random(self, station: Station, seed: int, *, kills: int = 1, contested: bool = False) -> KillRun:
        """`kills` syncs in a row SIGKILLed from outside after a random delay (seeded), new work before each,
        so all but the first are killed while resuming a killed sync; then one sync to the end.

        Four in five delays fall between the moment a whole sync takes its lock and its end (as measured on the
        last whole sync), one in five anywhere from the fork on, start-up included. A sync that finishes before
        its kill is checked like a recovery, and the next one aims inside the time it took. `contested`: before
        each, the centre and the desk also both move some of the station's cases on (`Station.contest`).
        """
        rng = random.Random(seed)
        done: list[str] = []
        added = killed = finished = 0
        while killed < kills:
            added += self.add_work(station, rng, varied=True)
            if contested:
                added += station.contest(rng, cases=rng.randint(1, 3))
            start = 0.0 if rng.random() < 0.2 else self.lock_seconds
            delay = rng.uniform(start, max(start, self.sync_seconds))
            sizes = rng.choice(
                [{}, {"push_batch": 2, "pull_page": 2}, {"push_batch": SMALL_PUSH_BATCH, "pull_page": SMALL_PULL_PAGE}]
            )
            child = self.forks.run(station.data_dir, kill_after=delay, **sizes)
            label = f"SIGKILL {delay:.4f} s after the fork ({sizes or 'default batches'})"
            if child.sigkilled:
                done.append(f"{label}, after {child.last_point} #{child.points.count(child.last_point)}")
                killed += 1
                self.kills["random"] += 1
                self.landed[child.last_point] += 1
                continue
            finished += 1
            done.append(f"({label}: finished first, in {child.seconds:.4f} s)")
            if finished > 3:
                raise AssertionError(f"seed {seed}: the syncs keep finishing before their kill: {done}")
            run = KillRun(f"seed {seed}: " + "; ".join(done), child, added)
            if child.exit_code != 0:
                raise AssertionError(f"{run.label}: the sync failed\n{child}")
            check_invariants(station, child.summary(), context=str(run))
            self._observe(child)
            self.sync_seconds *= 0.9
            added = 0
        return self.recover_and_check(station, KillRun(f"seed {seed}: " + "; ".join(done), child, added))

    @_retire_on_failure
    def kill_server_during_push(self, station: Station, seed: int, *, where: str, new_port: bool) -> KillRun:
        """The server dies (SIGKILL) during the station's push; it comes back on the same file (and port or not).

        `where`: "in_transaction" (inside the nth push's open write transaction), "after_commit" (the nth push
        committed, its answer not sent), "random" (a random 0–15 ms after the station sent its nth push).
        """
        rng = random.Random(f"server-{seed}-{where}")
        added = station.add_work(rng, cases=4, events=8, work_orders=1)
        announce = self.forks.scratch / f"announce-{station.code}-{seed}-{where}.txt"
        announce.unlink(missing_ok=True)
        nth = rng.randint(1, 3)
        if where == "random":
            delay = rng.uniform(0.0, 0.015)
            child = self.forks.start(station.data_dir, announce=str(announce), push_batch=SMALL_PUSH_BATCH, attempts=1)
            label = f"seed {seed}: server SIGKILLed {delay * 1000:.1f} ms after the station sent push #{nth}"
        else:
            delay = 0.0
            self.server.restart(pause_at=where, pause_on=nth, announce=str(announce))
            child = self.forks.start(station.data_dir, push_batch=SMALL_PUSH_BATCH, attempts=1)
            label = f"seed {seed}: server SIGKILLed {where.replace('_', ' ')} of push #{nth}"
        deadline = time.monotonic() + CHILD_TIMEOUT
        while _lines(announce) < (nth if where == "random" else 1):
            if time.monotonic() > deadline:
                raise AssertionError(f"{label}: never got there")
            time.sleep(0.001)
        time.sleep(delay)
        self.server.kill()
        stopped = child.wait()
        label += f", restarted on {'a new' if new_port else 'the same'} port"
        if stopped.signal is not None:
            raise AssertionError(f"{label}: the station's sync died instead of reporting the failure\n{stopped}")
        self.restart_server(new_port=new_port)
        self.kills["server"] += 1
        run = self.recover_and_check(station, KillRun(label, stopped, added))
        assert run.recovery is not None
        duplicates = run.recovery.summary()["outcomes"].get("duplicate", 0)
        if where == "after_commit" and duplicates != SMALL_PUSH_BATCH:
            raise AssertionError(f"{label}: the committed batch whose answer was lost came back {duplicates} times")
        if where == "in_transaction" and duplicates:
            raise AssertionError(f"{label}: the rolled-back batch was found on the server ({duplicates} duplicates)")
        return run

    def restart_server(self, *, new_port: bool) -> None:
        self.server.restart(new_port=new_port)
        if new_port:
            for station in [*self.stations.values(), *self.retired]:
                if not station.via_proxy:
                    station.set_server_url(self.server.url)
            if self.proxy is not None:
                self.proxy.target_port = self.server.port

    @_retire_on_failure
    def cut_connection(self, station: Station, seed: int, direction: str) -> KillRun:
        """The connection breaks once: `direction` "up" inside a request, "down" inside a response."""
        assert self.proxy is not None and station.via_proxy
        rng = random.Random(f"cut-{seed}")
        sizes = {"push_batch": SMALL_PUSH_BATCH, "pull_page": SMALL_PULL_PAGE}
        missed: list[str] = []
        for _ in range(4):
            added = self.add_work(station, rng)
            # How many bytes one run's sync moves that way: measured on the last sync through the proxy (the first
            # time on an uncut one); the next run's amount varies a little, so the cut aims inside 90 % of it.
            total = self.cut_totals.get(direction)
            cut_after = None if total is None else rng.randint(0, int(total * 0.9))
            self.proxy.arm(direction, cut_after)
            child = self.forks.run(station.data_dir, **sizes)
            cuts, self.cut_totals[direction] = self.proxy.cuts, self.proxy.passed[direction]
            self.proxy.arm(direction, None)
            label = f"cut seed {seed}: connection broken after {cut_after} of ~{total} bytes {direction}"
            if child.signal is not None:
                raise AssertionError(f"{label}: the station's sync died\n{child}")
            run = self.recover_and_check(station, KillRun(label, child, added))
            if cuts == 1:
                self.kills["cut"] += 1
                return run
            missed.append(label)
        raise AssertionError(f"cut seed {seed}: the connection was never cut: {missed}")

    @_retire_on_failure
    def fresh_interpreter_crash(self, station: Station, point: str) -> KillRun:
        """The crash point in `python -m gridstation sync` started afresh, as a scheduled task runs it."""
        rng = random.Random(f"fresh-{point}")
        added = self.add_work(station, rng)
        env = {**os.environ, CRASH_AT_ENV: point, CRASH_COUNT_ENV: "1", "PYTHONPATH": str(ROOT)}
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "gridstation", "sync", "--json", "--data-dir", str(station.data_dir)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
        killed = ChildResult(
            exit_code=None if done.returncode < 0 else done.returncode,
            signal=-done.returncode if done.returncode < 0 else None,
            killed_by_parent=False,
            seconds=time.monotonic() - started,
            cpu=0.0,
            stdout=done.stdout,
            stderr=done.stderr,
        )
        label = f"crash at {point} in a fresh `python -m gridstation sync`"
        if not killed.sigkilled:
            raise AssertionError(f"{label}: not killed\n{killed}")
        self.kills["fresh interpreter"] += 1
        return self.recover_and_check(station, KillRun(label, killed, added))


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0
