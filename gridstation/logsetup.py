"""One logging set-up for the desk, the desk's command line and the server (uvicorn included).

Nothing configured logging before: `log.exception(...)` went to a stderr that a windowed desk does not have, so a
failure a clerk reported left no trace. Each program now writes a rotating file in the platform's log folder
(`platformdirs.user_log_path`), which the desk opens from 帮助 → 日志文件夹 and an administrator can collect.

The server also keeps an access log, `access.log` beside `server.log`: one line per authenticated request (who,
method, path, status, request id; see `server/api/access_log.py`), in its own rotating file so that a busy day's
requests neither drown the warnings in `server.log` nor are lost when it rotates. And a request log,
`requests.log`: one structured line per request, whoever made it (route template, status, duration, request id;
`server/api/observe.py`), also on stderr while serving, for the service manager's journal.

Log records never carry residents' personal data: code logs case numbers and error codes, not names or phones.
"""

from __future__ import annotations

import logging
import logging.config
import logging.handlers
import os
from pathlib import Path
from typing import Any

import platformdirs

LOG_DIR_ENV = "GRIDSTATION_LOG_DIR"
LOG_LEVEL_ENV = "GRIDSTATION_LOG_LEVEL"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"
# The access log: who did what when, one request a line; the time with its offset, so lines read the same anywhere.
ACCESS_LOGGER = "gridstation.access"
REQUEST_LOGGER = "gridstation.requests"
ACCESS_FORMAT = "%(asctime)s %(message)s"
ACCESS_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# A line is about 100 bytes, and a hundred stations syncing all day write some 10 MB: about three weeks are kept.
ACCESS_MAX_BYTES = 10 * 1024 * 1024
ACCESS_BACKUPS = 20
# The programs that write logs, each with its own folder (the desk's name is also its data folder's name).
DESK = "GridStation"
SERVER = "GridStationServer"


def log_directory(program: str = DESK) -> Path:
    """Where `program` writes its log: `GRIDSTATION_LOG_DIR` if set, else the platform's user log folder."""
    chosen = os.environ.get(LOG_DIR_ENV)
    if chosen:
        return Path(chosen)
    # appauthor as the data folder has it: %LOCALAPPDATA%\GridStation\GridStation\Logs on Windows.
    return platformdirs.user_log_path(program, program if program == DESK else False)


def log_file(program: str = DESK, directory: Path | None = None) -> Path:
    name = "server.log" if program == SERVER else "gridstation.log"
    return (directory or log_directory(program)) / name


def access_log_file(directory: Path | None = None) -> Path:
    """The server's access log, beside its `server.log`."""
    return log_file(SERVER, directory).with_name("access.log")


def request_log_file(directory: Path | None = None) -> Path:
    """The server's request log (one line per request, `server/api/observe.py`), beside its `server.log`."""
    return log_file(SERVER, directory).with_name("requests.log")


def logging_config(
    program: str = DESK, *, directory: Path | None = None, console: bool = False, level: str | None = None
) -> dict[str, Any]:
    """The `logging.config.dictConfig` dictionary: a rotating file, optionally stderr too; for the server, also
    the access log's rotating file.

    uvicorn's own loggers write through the same handlers (uvicorn.run(log_config=None) keeps it so).
    """
    chosen_level = (level or os.environ.get(LOG_LEVEL_ENV) or "INFO").upper()
    handlers: dict[str, dict[str, Any]] = {
        "file": _rotating_file(log_file(program, directory), "plain", MAX_BYTES, BACKUPS)
    }
    if console:
        handlers["console"] = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    names = list(handlers)
    # Only our loggers and uvicorn's: the root logger (and whatever a host program or test runner hung on it) is
    # left alone. They still propagate, which changes nothing while the root has no handler of its own.
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": handlers,
        "loggers": {
            "gridstation": {"level": chosen_level, "handlers": names},
            # uvicorn's error log (start-up, crashes) and its access log, in the same file as the server's.
            "uvicorn": {"level": chosen_level, "handlers": names},
            "py.warnings": {"level": "WARNING", "handlers": names},
        },
    }
    if program == SERVER:
        config["formatters"]["access"] = {"format": ACCESS_FORMAT, "datefmt": ACCESS_DATE_FORMAT}
        handlers["access"] = _rotating_file(access_log_file(directory), "access", ACCESS_MAX_BYTES, ACCESS_BACKUPS)
        # Its own file only (not server.log, not the console), and always at INFO: GRIDSTATION_LOG_LEVEL=WARNING
        # quietens the server's log, never the record of who accessed what.
        config["loggers"][ACCESS_LOGGER] = {"level": "INFO", "handlers": ["access"], "propagate": False}
        # The request log: each line is already whole (JSON or key=value, with its own time), to its file and, for
        # a service manager's journal and log collectors, to stderr as it is.
        config["formatters"]["bare"] = {"format": "%(message)s"}
        handlers["requests"] = _rotating_file(request_log_file(directory), "bare", ACCESS_MAX_BYTES, ACCESS_BACKUPS)
        request_handlers = ["requests"]
        if console:
            handlers["requests_console"] = {
                "class": "logging.StreamHandler",
                "formatter": "bare",
                "stream": "ext://sys.stderr",
            }
            request_handlers.append("requests_console")
        config["loggers"][REQUEST_LOGGER] = {"level": "INFO", "handlers": request_handlers, "propagate": False}
    return config


class RotatingLogFile(logging.handlers.RotatingFileHandler):
    """A rotating log file that stays closed once closed.

    Reconfiguring logging closes the old handlers, but a thread still holding one (a record being logged at that
    moment) would make the standard handler open its file again, and nothing would ever close it (a leaked file,
    and a ResourceWarning when it is collected). Such a record goes to the new handlers' file a moment later; the
    one in flight is dropped instead.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if self._closed:  # type: ignore[attr-defined]  # set by FileHandler.close (Python 3.10+)
            return
        super().emit(record)


def _rotating_file(path: Path, formatter: str, max_bytes: int, backups: int) -> dict[str, Any]:
    return {
        "class": f"{__name__}.RotatingLogFile",
        "filename": str(path),
        "maxBytes": max_bytes,
        "backupCount": backups,
        "encoding": "utf-8",
        "formatter": formatter,
        # The file is opened on the first record: a read-only log folder must not stop the program.
        "delay": True,
    }


def configure_logging(
    program: str = DESK, *, directory: Path | None = None, console: bool = False, level: str | None = None
) -> Path:
    """Send this process's logs to `program`'s rotating file; returns the file's path.

    A log folder that cannot be created falls back to stderr alone: logging must never stop a desk from opening.
    """
    folder = directory or log_directory(program)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config = logging_config(program, directory=folder, console=console, level=level)
    except OSError:
        config = logging_config(program, directory=folder, console=True, level=level)
        config["handlers"].pop("file")
        config["handlers"].pop("access", None)
        config["handlers"].pop("requests", None)
        files = ("file", "access", "requests")
        for logger in config["loggers"].values():
            logger["handlers"] = [h for h in logger["handlers"] if h not in files] or ["console"]
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    return log_file(program, folder)
