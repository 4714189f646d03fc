"""The fork server: its own process, which imports the sync path and the server once and forks one child per job.

Only the standard library is imported at module level: this module is what the fork server process imports, and
everything it imports before forking is shared, already loaded, by every child.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CRASH_AT_ENV = "GRIDSTATION_CRASH_AT"  # the names in gridstation.common.crashpoints, not imported here
CRASH_COUNT_ENV = "GRIDSTATION_CRASH_COUNT"
# Small batches and pages: a run's work (7 station events and a work order) takes 3 pushes and 3 pull pages, so
# a crash can hit the 2nd or 3rd of each. The engine's own sizes (500 and 1000) are used by some runs too.
SMALL_PUSH_BATCH = 3
SMALL_PULL_PAGE = 3
CHILD_TIMEOUT = 120.0


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

    import gridstation.cli.commands.sync  # the command's module is imported when it runs (cli/parser.py)
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
        from gridstation.sync import engine, pull
        from gridstation.sync.transport import ServerTransport

        # Every crash point the sync passes is noted (before it may kill), so a test knows where a kill landed.
        trace = os.open(request["trace"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

        def traced(name: str) -> None:
            os.write(trace, f"{time.monotonic():.6f} {name}\n".encode())  # one clock for all processes
            crashpoints.crash_point(name)

        engine.crash_point = traced  # type: ignore[attr-defined]
        pull.crash_point = traced  # type: ignore[attr-defined]
        sync_store.crash_point = traced  # type: ignore[attr-defined]

        # Module constants, read by the engine at every batch: smaller ones give a sync several to crash in.
        engine.PUSH_BATCH = int(request.get("push_batch", engine.PUSH_BATCH))
        engine.PULL_PAGE = int(request.get("pull_page", engine.PULL_PAGE))
        if os.environ.get(CRASH_AT_ENV) == "conflicts.in_transaction":
            # The conflicts are fetched on their own only when they changed (or from a server before issue 18): this
            # run's desk does not ask the pull for the heads, as with such a server, so it passes the point.
            real_pull = ServerTransport.pull

            def pull(self: ServerTransport, **kwargs: Any) -> Any:
                return real_pull(self, **{**kwargs, "heads": False})

            ServerTransport.pull = pull  # type: ignore[method-assign]
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
