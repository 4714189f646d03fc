"""The server's database: SQLite by default (no set-up), PostgreSQL in production; the same migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from gridstation.common import migrations
from gridstation.common.files import new_private_dir, protect_sqlite_database
from gridstation.common.sqlite import make_engine
from gridstation.domain.errors import DomainError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# A desk waits 3 s for the lock; the server queues many stations' pushes behind one writer, each taking up to
# a second or two for a thousand events, so a writer waits much longer before it answers 503 "busy".
SERVER_SQLITE_BUSY_TIMEOUT_MS = 60_000


@dataclass(frozen=True, slots=True)
class ServerDatabase:
    """Writes go through `write` (SQLite: BEGIN IMMEDIATE); pulls read through `read` without taking the lock."""

    url: str
    write_engine: Engine
    read_engine: Engine

    def writer(self) -> sessionmaker[Session]:
        return sessionmaker(self.write_engine, expire_on_commit=False)

    def reader(self) -> sessionmaker[Session]:
        return sessionmaker(self.read_engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def open_database(
    url: str, *, pool_size: int = 20, sqlite_busy_timeout_ms: int = SERVER_SQLITE_BUSY_TIMEOUT_MS
) -> ServerDatabase:
    """Open (and migrate) the database at `url`: `sqlite:///path` or `postgresql+psycopg://…`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database:
            raise DomainError("server.db_url", "SQLite 数据库地址须带文件路径，如 sqlite:///server.db")
        path = Path(parsed.database)
        # Every station's cases are in this file: the server's account alone may read it (0600, whatever the umask).
        if str(path) != ":memory:":
            new_private_dir(path.parent)
            protect_sqlite_database(path)
        database = ServerDatabase(
            url,
            make_engine(path, busy_timeout_ms=sqlite_busy_timeout_ms),
            make_engine(path, for_writing=False, busy_timeout_ms=sqlite_busy_timeout_ms),
        )
    elif parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise DomainError("server.db_driver", "PostgreSQL 请使用 postgresql+psycopg://… 地址（psycopg 3 驱动）。")
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        database = ServerDatabase(url, engine, engine)
    else:
        raise DomainError(
            "server.db_backend", f"不支持的数据库：{parsed.get_backend_name()}（支持 SQLite 和 PostgreSQL）。"
        )
    migrate(database.write_engine)
    return database


def alembic_config(engine: Engine) -> Config:
    return migrations.alembic_config(engine, MIGRATIONS_DIR)


def migrate(engine: Engine) -> None:
    migrations.upgrade_to_head(engine, MIGRATIONS_DIR)
