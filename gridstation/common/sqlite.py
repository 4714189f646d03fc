"""SQLite engines as the desk and the server both open them: durable pragmas, and writers that queue.

The station's database (storage/) and the server's SQLite option (server/db.py) share this set-up; what each
does with a failure (Chinese storage errors at the desk, 503 at the server) stays with each.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

# How long a desk's writer waits for another one before "database is locked"; the server passes its own.
BUSY_TIMEOUT_MS = 3000


def configure_connection(dbapi_connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
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


def _begin_immediate(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue instead of failing mid-transaction.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def configure(engine: Engine, *, for_writing: bool = True, busy_timeout_ms: int | None = None) -> Engine:
    """Attach the pragmas and the transaction start to an engine on a SQLite file; returns it."""
    timeout = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
    event.listen(engine, "connect", lambda connection, _record: configure_connection(connection, timeout))
    event.listen(engine, "begin", _begin_immediate if for_writing else _begin_deferred)
    return engine


def make_engine(path: Path | str, *, for_writing: bool = True, busy_timeout_ms: int | None = None) -> Engine:
    """An engine on a SQLite file. Writing engines take the write lock when a transaction begins.

    `busy_timeout_ms` is how long a writer waits for another one before "database is locked" (default
    `BUSY_TIMEOUT_MS`, read when the engine is made).
    """
    return configure(create_engine(f"sqlite:///{Path(path)}"), for_writing=for_writing, busy_timeout_ms=busy_timeout_ms)
