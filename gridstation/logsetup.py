"""One logging set-up for the desk, the desk's command line and the server (uvicorn included).

Nothing configured logging before: `log.exception(...)` went to a stderr that a windowed desk does not have, so a
failure a clerk reported left no trace. Each program now writes a rotating file in the platform's log folder
(`platformdirs.user_log_path`), which the desk opens from 帮助 → 日志文件夹 and an administrator can collect.

Log records never carry residents' personal data: code logs case numbers and error codes, not names or phones.
"""

from __future__ import annotations

import logging
import logging.config
import os
from pathlib import Path
from typing import Any

import platformdirs

LOG_DIR_ENV = "GRIDSTATION_LOG_DIR"
LOG_LEVEL_ENV = "GRIDSTATION_LOG_LEVEL"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"
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


def logging_config(
    program: str = DESK, *, directory: Path | None = None, console: bool = False, level: str | None = None
) -> dict[str, Any]:
    """The `logging.config.dictConfig` dictionary: a rotating file, optionally stderr too.

    uvicorn's own loggers write through the same handlers (uvicorn.run(log_config=None) keeps it so).
    """
    chosen_level = (level or os.environ.get(LOG_LEVEL_ENV) or "INFO").upper()
    handlers: dict[str, dict[str, Any]] = {
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(log_file(program, directory)),
            "maxBytes": MAX_BYTES,
            "backupCount": BACKUPS,
            "encoding": "utf-8",
            "formatter": "plain",
            # The file is opened on the first record: a read-only log folder must not stop the program.
            "delay": True,
        }
    }
    if console:
        handlers["console"] = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    names = list(handlers)
    # Only our loggers and uvicorn's: the root logger (and whatever a host program or test runner hung on it) is
    # left alone. They still propagate, which changes nothing while the root has no handler of its own.
    return {
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
        del config["handlers"]["file"]
        for logger in config["loggers"].values():
            logger["handlers"] = [h for h in logger["handlers"] if h != "file"]
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    return log_file(program, folder)
