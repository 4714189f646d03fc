"""Opening the station database: pragmas for durability, migrations at start, storage errors in Chinese."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gridstation.domain.errors import DomainError

BUSY_TIMEOUT_MS = 3000


class StorageError(DomainError):
    """The database could not do what was asked; nothing already saved was changed."""


_SQLITE_PROBLEMS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("database is locked", "database table is locked"),
        "storage.locked",
        "数据库正被其他程序占用，请稍后重试。已保存的数据未受影响。",
    ),
    (
        ("readonly database", "read-only"),
        "storage.read_only",
        "数据库文件只读，无法保存。请检查文件权限或数据目录。已保存的数据未受影响。",
    ),
    (
        ("malformed", "not a database", "file is encrypted"),
        "storage.corrupt",
        "数据库文件已损坏或不是 GridStation 数据库。请从备份恢复，或联系管理员。",
    ),
    (
        ("disk is full", "database or disk is full", "disk i/o error"),
        "storage.disk_full",
        "磁盘空间不足或写入失败，未能保存。请清理磁盘后重试。已保存的数据未受影响。",
    ),
    (
        ("unable to open database",),
        "storage.cannot_open",
        "无法打开数据库文件，请检查数据目录是否存在且可写。",
    ),
)


def storage_error_from(exc: BaseException) -> StorageError:
    """Translate a database failure into a message a clerk can act on."""
    text = str(getattr(exc, "orig", exc)).lower()
    for needles, code, message in _SQLITE_PROBLEMS:
        if any(n in text for n in needles):
            return StorageError(code, message, detail=str(exc))
    return StorageError("storage.failed", "数据库操作失败，未能保存。已保存的数据未受影响。", detail=str(exc))


def _configure(dbapi_connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
    # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN breaks SAVEPOINT and DDL).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys = ON")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass  # a read-only file keeps its journal mode; writes will fail with a clear message
    # FULL: with NORMAL a commit can be rolled back by a power cut, and a printed receipt must stay true.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    _configure(dbapi_connection, BUSY_TIMEOUT_MS)


def _on_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue instead of failing mid-transaction.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(path: Path | str, *, for_writing: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine on the station file. Writing engines take the write lock when a transaction begins.

    `busy_timeout_ms` is how long a writer waits for another one before "database is locked".
    """
    engine = create_engine(f"sqlite:///{Path(path)}")
    event.listen(engine, "connect", lambda connection, _record: _configure(connection, busy_timeout_ms))
    if for_writing:
        event.listen(engine, "begin", _on_begin)
    else:
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def translated_storage_errors() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise storage_error_from(exc) from exc
    except sqlite3.Error as exc:
        raise storage_error_from(exc) from exc
    except OSError as exc:
        raise storage_error_from(exc) from exc
