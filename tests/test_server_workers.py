"""`gridstation-server serve --workers N`: N API worker processes behind one port; background jobs in one process."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from gridstation.server import serving
from gridstation.server.settings import ENV_PREFIX, ServerSettings
from tests.support.live_server import wait_until_serving
from tests.support.ports import free_port
from tests.support.waiting import wait_for


def children_of(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def worker_pids(log: Path) -> set[int]:
    """The processes uvicorn says it started to serve requests."""
    found = re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace"))
    return {int(pid) for pid in found}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_serve_with_two_workers_answers_from_two_worker_processes(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "gridstation.server.cli", "--data-dir", str(tmp_path / "data")]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--workers", "2", "--supervise-seconds", "0"],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, lambda: None if process.poll() is None else log.read_text(errors="replace"))
        # uvicorn's supervisor and two workers, its children, each serving the app.
        wait_for(lambda: len(worker_pids(log)) == 2, f"two worker processes: {log.read_text()}", seconds=60)
        assert worker_pids(log) <= children_of(process.pid)
        with httpx.Client(base_url=url, timeout=10) as client:
            for _ in range(8):
                assert client.get("/api/v1/info").json()["name"] == "GridStation"
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0


@contextmanager
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The GRIDSTATION_SERVER_* variables as the test found them, whatever `export_settings` writes."""
    for name in ServerSettings.model_fields:
        monkeypatch.delenv(f"{ENV_PREFIX}{name.upper()}", raising=False)
    yield


def test_a_worker_builds_its_app_from_the_exported_settings_and_runs_no_background_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []

    @contextmanager
    def recording(name: str, seconds: float, job: Callable[[], None]) -> Iterator[None]:
        started.append(name)
        yield

    monkeypatch.setattr(serving, "periodically", recording)
    with clean_environment(monkeypatch):
        settings = ServerSettings.load(data_dir=tmp_path / "data", pool_size=3, workers=2, session_hours=2)
        settings.data_dir.mkdir(parents=True)
        serving.export_settings(settings)

        assert ServerSettings.load() == settings  # what a worker process loads
        app = serving.create_worker_app()
        with TestClient(app) as client:
            assert client.get("/api/v1/info").status_code == 200
        assert started == []  # the supervisor process runs them, once
        service = app.state.service
        assert service.session_lifetime.total_seconds() == 2 * 3600
        service.database.dispose()


def test_the_supervisor_runs_the_background_jobs_once_beside_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    served: list[object] = []

    @contextmanager
    def recording(name: str, seconds: float, job: Callable[[], None]) -> Iterator[None]:
        started.append(name)
        yield

    monkeypatch.setattr(serving, "periodically", recording)
    monkeypatch.setattr(serving, "serve_app", lambda app, settings: served.append(app))
    with clean_environment(monkeypatch):
        settings = ServerSettings.load(data_dir=tmp_path / "data", workers=3, supervise_seconds=60)
        assert serving.serve(settings) == 0
    assert served == [None]  # uvicorn builds each worker's app itself (create_worker_app)
    assert sorted(started) == ["retention", "supervision"]
