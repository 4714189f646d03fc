"""`gridstation-server serve`: the API in one process, or in several worker processes behind one port.

With `--workers N` (N > 1) uvicorn starts N worker processes, each with its own database pool (`pool_size`
connections, as many again in a rush); each builds the app from the settings this process exports to the
environment (`create_worker_app`). The background jobs — the supervision pass every minute, the retention run every
day — never run in a worker: they run in this process (uvicorn's supervisor, which serves no request), so
they run once whatever the number of workers. Several workers want PostgreSQL: SQLite takes one writer at a time.
docs/scaling.md says how many workers and connections to give a server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from fastapi import FastAPI

from gridstation.domain.errors import DomainError
from gridstation.logsetup import SERVER, configure_logging
from gridstation.server.db import open_database
from gridstation.server.service import ServerService
from gridstation.server.settings import ENV_PREFIX, ServerSettings

log = logging.getLogger("gridstation.server")

RETENTION_INTERVAL_SECONDS = 24 * 60 * 60
# The supervisor's own pool: its background jobs use a connection or two at a time.
JOBS_POOL_SIZE = 2


@contextmanager
def open_service(settings: ServerSettings, pool_size: int | None = None) -> Iterator[ServerService]:
    database = open_database(settings.database_url, pool_size=pool_size or settings.pool_size)
    try:
        yield ServerService(database)
    finally:
        database.dispose()


def serve(settings: ServerSettings) -> int:
    """Serve until stopped (Ctrl+C, SIGTERM), with the background jobs beside the server."""
    if bool(settings.ssl_certfile) != bool(settings.ssl_keyfile):
        raise DomainError("serve.tls", "HTTPS 需要同时提供 --ssl-certfile 和 --ssl-keyfile。")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.workers > 1:
        share_metrics(settings)
        export_settings(settings)  # what each worker process builds its app from
        with open_service(settings, JOBS_POOL_SIZE) as jobs, background_jobs(settings, jobs):
            serve_app(None, settings)
        return 0
    with open_service(settings) as service, background_jobs(settings, service):
        service.session_lifetime = timedelta(hours=settings.session_hours)
        serve_app(app_of(service, settings), settings)
    return 0


def app_of(service: ServerService, settings: ServerSettings) -> FastAPI:
    from gridstation.server.app import create_app

    return create_app(
        service,
        settings.data_dir,
        log_format=settings.log_format,
        metrics_token=settings.metrics_token,
        push_concurrency=settings.push_concurrency,
        push_wait_seconds=settings.push_wait_seconds,
    )


def share_metrics(settings: ServerSettings) -> None:
    """Workers count requests in files of one folder that /metrics adds up (prometheus-client's multiprocess mode):
    PROMETHEUS_MULTIPROC_DIR if the service sets it, else `metrics/` in the data folder, emptied at each start."""
    from gridstation.server.metrics import MULTIPROCESS_ENV

    if os.environ.get(MULTIPROCESS_ENV):
        return
    folder = settings.data_dir / "metrics"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(folder)


def export_settings(settings: ServerSettings) -> None:
    """The settings as `GRIDSTATION_SERVER_*` variables, so that worker processes load exactly these."""
    for name in ServerSettings.model_fields:
        value = getattr(settings, name)
        if value is not None:
            os.environ[f"{ENV_PREFIX}{name.upper()}"] = str(value)


def create_worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory): settings from the environment, a pool of its own, and no
    background jobs (the supervisor process runs those)."""
    configure_logging(SERVER, console=True)  # a spawned process starts with no logging of its own
    access = logging.getLogger("uvicorn.access")  # off, as `access_log=False` leaves it in one process
    access.handlers, access.propagate = [], False
    settings = ServerSettings.load()
    service = ServerService(open_database(settings.database_url, pool_size=settings.pool_size))
    service.session_lifetime = timedelta(hours=settings.session_hours)
    return app_of(service, settings)


@contextmanager
def background_jobs(settings: ServerSettings, service: ServerService) -> Iterator[None]:
    retain = partial(_retention_pass, years=settings.retention_years)
    with (
        periodically("retention", RETENTION_INTERVAL_SECONDS, lambda: retain(service)),
        supervision_every(settings.supervise_seconds, service),
    ):
        yield


def _retention_pass(service: ServerService, years: int) -> None:
    log.info("retention: %s", service.run_retention(years).message_zh())


def _supervision_pass(service: ServerService) -> None:
    run = service.supervise()
    if run.recorded:
        log.info("supervision: %s", run.message_zh())


def supervision_every(seconds: int, service: ServerService) -> contextlib.AbstractContextManager[None]:
    """The supervision pass every `seconds` beside the server, or nothing when `seconds` is 0."""
    if seconds <= 0:
        return contextlib.nullcontext()
    return periodically("supervision", seconds, lambda: _supervision_pass(service))


@contextmanager
def periodically(name: str, seconds: float, job: Callable[[], None]) -> Iterator[None]:
    """Run `job` now and then every `seconds` on a thread beside the server (the retention run daily, the
    supervision pass every minute); a failed run is logged and the next one comes as planned."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                job()
            except Exception:
                log.exception("the %s run failed", name)
            stop.wait(seconds)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def serve_app(app: FastAPI | None, settings: ServerSettings) -> None:
    """uvicorn on the settings' address: `app` in this process, or (None) `settings.workers` worker processes."""
    import uvicorn

    scheme = "https" if settings.ssl_certfile else "http"
    where = f"{scheme}://{settings.host}:{settings.port}"
    workers = f"  工作进程：{settings.workers}" if app is None else ""
    print(f"GridStation 服务器：{where}  数据库：{_redacted(settings.database_url)}{workers}", flush=True)
    # A running server also logs to its console (a service manager's journal), uvicorn through the same handlers.
    log_file = configure_logging(SERVER, console=True)
    print(f"日志文件：{log_file}", flush=True)
    uvicorn.run(
        app if app is not None else f"{__name__}:create_worker_app",
        factory=app is None,
        workers=None if app is not None else settings.workers,
        host=settings.host,
        port=settings.port,
        ssl_certfile=settings.ssl_certfile,
        ssl_keyfile=settings.ssl_keyfile,
        log_config=None,
        log_level="info",
        # One line per request would drown the warnings and errors that matter in this log.
        access_log=False,
        timeout_graceful_shutdown=5,
    )


def _redacted(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)
