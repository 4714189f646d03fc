"""Logging goes to one rotating file per program, uvicorn included; a broken log folder never stops a program."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridstation import logsetup


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """dictConfig changes process-wide state; put back what pytest had so other tests see their own logging."""
    saved = {
        name: (lg.level, list(lg.handlers), lg.propagate)
        for name in ("gridstation", "uvicorn", "py.warnings", logsetup.ACCESS_LOGGER)
        for lg in [logging.getLogger(name)]
    }
    yield
    for name, (level, handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            handler.close()
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate
    logging.captureWarnings(False)


def test_an_exception_logged_anywhere_in_the_desk_lands_in_its_file(tmp_path: Path) -> None:
    path = logsetup.configure_logging(logsetup.DESK, directory=tmp_path / "logs")

    try:
        raise RuntimeError("printer on fire")
    except RuntimeError:
        logging.getLogger("gridstation.ui.intake").exception("saving an intake failed")
    for handler in logging.getLogger("gridstation").handlers:
        handler.flush()

    assert path == tmp_path / "logs" / "gridstation.log"
    text = path.read_text(encoding="utf-8")
    assert "ERROR" in text and "gridstation.ui.intake: saving an intake failed" in text
    assert "RuntimeError: printer on fire" in text


def test_the_server_and_uvicorn_share_one_rotating_file(tmp_path: Path) -> None:
    path = logsetup.configure_logging(logsetup.SERVER, directory=tmp_path)

    logging.getLogger("uvicorn.error").info("Application startup complete.")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /api/v1/info HTTP/1.1" 200')
    logging.getLogger("gridstation.server").warning("database unavailable (busy)")
    file_handlers = [
        h for h in logging.getLogger("gridstation").handlers if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    for handler in file_handlers:
        handler.flush()

    assert path.name == "server.log"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "Application startup complete.",
        '127.0.0.1 - "GET /api/v1/info HTTP/1.1" 200',
        "database unavailable (busy)",
    ]
    assert file_handlers[0].maxBytes == logsetup.MAX_BYTES and file_handlers[0].backupCount == logsetup.BACKUPS


def test_the_log_folder_comes_from_the_environment_when_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(logsetup.LOG_DIR_ENV, str(tmp_path / "elsewhere"))
    assert logsetup.log_directory() == tmp_path / "elsewhere"
    monkeypatch.delenv(logsetup.LOG_DIR_ENV)
    assert logsetup.log_directory(logsetup.SERVER).name in ("log", "Logs", "GridStationServer")


def test_the_root_logger_and_what_hangs_on_it_are_left_alone(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers))

    logsetup.configure_logging(logsetup.DESK, directory=tmp_path)

    assert (root.level, list(root.handlers)) == before


def test_a_log_folder_that_cannot_be_made_falls_back_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be", encoding="utf-8")

    logsetup.configure_logging(logsetup.DESK, directory=blocker / "logs")
    logging.getLogger("gridstation.sync").error("sync failed")

    assert "gridstation.sync: sync failed" in capsys.readouterr().err


def test_a_closed_log_file_is_not_opened_again_by_a_late_record(tmp_path: Path) -> None:
    """Reconfiguring closes the old handlers; a record a thread sends through one just then must not reopen its
    file (nothing would close it again: a leaked file and a ResourceWarning in some later test)."""
    handler = logsetup.RotatingLogFile(tmp_path / "old.log", delay=True, encoding="utf-8")
    handler.close()
    handler.emit(logging.LogRecord("gridstation", logging.WARNING, __file__, 1, "late", None, None))
    assert handler.stream is None
    assert not (tmp_path / "old.log").exists()
