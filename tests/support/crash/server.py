"""The server of the crash tests: forked by the fork server on a SQLite file, killed and started again."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gridstation.domain.enums import Channel
from gridstation.server.db import ServerDatabase, open_database
from gridstation.server.service import ServerService
from gridstation.server.workorders import build_work_order
from tests.support.crash.children import ForkServer
from tests.support.live_server import wait_until_serving
from tests.support.ports import free_port


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
        self._database: ServerDatabase | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.root / f"server-{self.starts}.log"

    def start(self, **pause: Any) -> None:
        """Start serving (`pause`: `pause_at`, `pause_on`, `announce`, see `forks._pause_server`)."""
        self._reap()
        self.starts += 1
        argv = ["--db", self.db_url, "--data-dir", str(self.root), "serve", "--port", str(self.port)]
        argv += ["--supervise-seconds", "0"]  # no 督办 events of the server's own among what the invariants count
        self.pid = self.forks.serve(argv, self.log_path, **pause)
        wait_until_serving(self.url, self._exited)

    def _exited(self) -> str | None:
        """None while the server child runs; its log once it has ended (a zombie until the fork server reaps it)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except FileNotFoundError:
            stat = ") X"
        if stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
            return None
        return self.log_path.read_text(errors="replace")

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

    def service(self) -> ServerService:
        if self._database is None:
            self._database = open_database(self.db_url)
        return ServerService(self._database)

    def add_station(self, code: str, name: str) -> str:
        """The one-time enrolment code (what `gridstation-server station add CODE NAME` prints)."""
        return str(self.service().add_station(code, name))

    def dispatch_work_order(self, station_code: str, ticket: str, index: int) -> str:
        """A 12345 work order for the station: an event of server origin in its feed."""
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
