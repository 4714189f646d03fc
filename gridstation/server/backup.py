"""Backing up the server and restoring it: the database (SQLite's online backup API, or pg_dump/pg_restore for
PostgreSQL) and the photos of the data directory, in one archive with a manifest (`backup_archive`).

A backup reads a consistent state while the server runs: SQLite's backup API copies a snapshot page by page;
PostgreSQL's rows are counted in a repeatable-read transaction whose snapshot pg_dump is given (`--snapshot`), so
the manifest's counts are exactly what the dump holds. The photos are copied after the database: every photo the
database names is already on disk then (they are content-addressed and written before their row).

A restore checks the whole archive against its manifest first, refuses a target that holds data unless forced
(and then backs that data up beside the others before replacing it), brings the restored database to the newest
schema, and starts every station's feed again (a new epoch): each station pulls everything afresh, and pushes
again what the server lost since the backup (docs/sync.md, "a server that is behind").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import URL, Connection, create_engine, inspect, make_url, select, text

from gridstation import __version__
from gridstation.common.files import new_private_dir, open_private, protect_sqlite_database, restrict
from gridstation.domain.errors import DomainError
from gridstation.server.backup_archive import (
    ATTACHMENTS,
    POSTGRES_MEMBER,
    SQLITE_MEMBER,
    SUFFIX,
    Manifest,
    Progress,
    attachment_files,
    extract_attachments,
    extract_member,
    no_progress,
    sha256_of,
    verify,
    write_archive,
)
from gridstation.server.db import MIGRATIONS_DIR, open_database
from gridstation.server.models import ServerAuditRow, ServerStationRow
from gridstation.server.settings import ServerSettings

PREFIX = "gridstation-server-"
COUNTED_TABLES = ("stations", "cases", "events")
SQLITE_PAGES_PER_STEP = 4096


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    manifest: Manifest
    removed: list[Path]  # older backups beyond --keep


@dataclass(frozen=True, slots=True)
class RestoreResult:
    manifest: Manifest
    photos: int
    stations_reset: int
    replaced_backup: Path | None  # what the target held before, backed up first (--force)


def utc_now() -> datetime:
    return datetime.now(UTC)


def backup_name(at: datetime) -> str:
    return f"{PREFIX}{at.astimezone(UTC):%Y%m%d-%H%M%S}{SUFFIX}"


def make_backup(
    settings: ServerSettings,
    output: Path | None = None,
    *,
    keep: int | None = None,
    now: Callable[[], datetime] = utc_now,
    progress: Progress = no_progress,
) -> BackupResult:
    """Back the server up into `output`: a file (*.tar), or a folder that gets a file named after the time (by
    default the data directory's `backups`); `keep` then removes the oldest of that folder's backups beyond it."""
    at = now()
    folder_given = output is None or output.suffix != SUFFIX
    target = (output or settings.data_dir / "backups") / backup_name(at) if folder_given else output
    assert target is not None
    if keep is not None and keep < 1:
        raise DomainError("backup.keep", "--keep 至少为 1。")
    new_private_dir(target.parent)
    url = make_url(settings.database_url)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as scratch:
        work = Path(scratch)
        if url.get_backend_name() == "sqlite":
            dump, revision, counts = _sqlite_snapshot(_sqlite_path(url), work / "server.db", progress)
            member = SQLITE_MEMBER
        else:
            dump, revision, counts = _postgres_snapshot(url, work / "server.pgdump", progress)
            member = POSTGRES_MEMBER
        photos = attachment_files(settings.data_dir / ATTACHMENTS)
        files = [(member, dump), *photos]
        manifest = Manifest(
            program_version=__version__,
            created_at=at.astimezone(UTC).isoformat(),
            backend=url.get_backend_name(),
            schema_revision=revision,
            counts={**counts, "attachments": len(photos)},
        )
        for done, (name, path) in enumerate(files, 1):
            manifest.files[name] = {"sha256": sha256_of(path), "size": path.stat().st_size}
            progress("checksum", done, len(files))
        part = target.with_name(target.name + ".part")
        try:
            with open_private(part) as handle:
                write_archive(handle, manifest, files, progress)
                handle.flush()
                os.fsync(handle.fileno())
            part.replace(target)
        except OSError as err:
            part.unlink(missing_ok=True)
            raise DomainError("backup.unwritable", f"无法写入备份文件 {target}：{err.strerror or err}") from err
    removed = _prune(target.parent, keep) if keep is not None and folder_given else []
    return BackupResult(target, manifest, removed)


def _prune(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest backups in `folder` beyond the newest `keep` (names sort by their time)."""
    ours = sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    doomed = ours[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


# --- SQLite ----------------------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise DomainError("backup.db_url", "SQLite 数据库地址须带文件路径。")
    return Path(url.database)


def _sqlite_snapshot(source: Path, target: Path, progress: Progress) -> tuple[Path, str, dict[str, int]]:
    if not source.exists():
        raise DomainError("backup.no_database", f"找不到数据库文件：{source}")
    with _closing(sqlite3.connect(source)) as live, _closing(sqlite3.connect(target)) as copy:
        live.backup(
            copy, pages=SQLITE_PAGES_PER_STEP, progress=lambda _, left, total: progress("database", total - left, total)
        )
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file in the archive
        revision = _one(copy.execute("SELECT version_num FROM alembic_version").fetchall(), "alembic_version")
        counts = {table: int(copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in COUNTED_TABLES}
    return target, revision, counts


@contextmanager
def _closing(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield connection
    finally:
        connection.close()


def _one(rows: Sequence[Any], what: str) -> str:
    if len(rows) != 1:
        raise DomainError(
            "backup.no_schema", f"数据库没有唯一的结构版本（{what}），请先运行 gridstation-server migrate。"
        )
    return str(rows[0][0])


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore and the environment carrying the password: never on a
    command line, where every account on the machine can read it (ps)."""
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DomainError(
            "backup.tool_missing", f"找不到 {name}：请安装 PostgreSQL 客户端（如 apt-get install postgresql-client）。"
        )
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DomainError(
            f"backup.{what}", f"{command[0].rsplit('/', 1)[-1]} 失败：{detail[-1] if detail else result.returncode}"
        )


def _postgres_snapshot(url: URL, target: Path, progress: Progress) -> tuple[Path, str, dict[str, int]]:
    dsn, env = libpq(url)
    pg_dump = _tool("pg_dump")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = str(connection.scalar(text("SELECT pg_export_snapshot()")))
                revision = _one(
                    list(connection.execute(text("SELECT version_num FROM alembic_version"))), "alembic_version"
                )
                counts = {t: int(connection.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in COUNTED_TABLES}
                progress("database", 0, 1)
                # While this transaction stays open, pg_dump reads exactly the rows just counted.
                command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
                _run([*command, f"--file={target}", f"--dbname={dsn}"], env, "pg_dump")
                progress("database", 1, 1)
    finally:
        engine.dispose()
    return target, revision, counts


# --- restore ---------------------------------------------------------------------------------------------------


def restore_backup(
    settings: ServerSettings,
    archive: Path,
    *,
    force: bool = False,
    now: Callable[[], datetime] = utc_now,
    progress: Progress = no_progress,
) -> RestoreResult:
    manifest = verify(archive, progress)  # before anything changes
    url = make_url(settings.database_url)
    if manifest.backend != url.get_backend_name():
        raise DomainError(
            "restore.backend",
            f"这份备份来自 {manifest.backend} 数据库，目标是 {url.get_backend_name()}：只能恢复到同类数据库。",
        )
    known = {path.stem.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("*.py")}
    if manifest.schema_revision not in known:
        raise DomainError(
            "restore.newer",
            f"这份备份的数据库结构（{manifest.schema_revision}）来自更新版本的程序 {manifest.program_version}，"
            "请先升级本程序。",
        )
    photos_dir = settings.data_dir / ATTACHMENTS
    replaced: Path | None = None
    if _holds_data(settings) or attachment_files(photos_dir):
        if not force:
            raise DomainError(
                "restore.not_empty",
                "目标服务器已有数据（工作站、诉求或照片）。恢复会替换全部数据：确认无误请加 --force"
                "（替换前会先把现有数据另行备份）。",
            )
        replaced = make_backup(settings, settings.data_dir / "backups" / "before-restore", now=now).path
    new_private_dir(settings.data_dir)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=settings.data_dir) as scratch:
        dump = Path(scratch) / "database"
        extract_member(archive, manifest.database_member, dump)
        progress("database", 0, 1)
        if manifest.backend == "sqlite":
            _restore_sqlite(dump, _sqlite_path(url))
        else:
            _restore_postgres(url, dump)
        progress("database", 1, 1)
    if photos_dir.exists():
        shutil.rmtree(photos_dir)  # its photos are in `replaced`
    photos = extract_attachments(archive, photos_dir, _write_private, progress)
    stations = _start_feeds_again(settings, manifest, archive, now())
    return RestoreResult(manifest, photos, stations, replaced)


def _holds_data(settings: ServerSettings) -> bool:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return _any_rows(connection)
    finally:
        engine.dispose()


def _any_rows(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return any(connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in COUNTED_TABLES if table in tables)


def _restore_sqlite(dump: Path, target: Path) -> None:
    new_private_dir(target.parent)
    protect_sqlite_database(target)
    # Page by page into the target, through SQLite itself: its WAL and locks stay right, its permissions stay ours.
    with _closing(sqlite3.connect(dump)) as source, _closing(sqlite3.connect(target)) as live:
        source.backup(live)
        live.execute("PRAGMA journal_mode = WAL")


def _restore_postgres(url: URL, dump: Path) -> None:
    dsn, env = libpq(url)
    pg_restore = _tool("pg_restore")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            # Every table of ours goes, a newer release's included, so the restored schema is exactly the backup's.
            for table in inspect(connection).get_table_names(schema="public"):
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    finally:
        engine.dispose()
    command = [pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run([*command, f"--dbname={dsn}", str(dump)], env, "pg_restore")


def _write_private(target: Path, source: IO[bytes]) -> None:
    new_private_dir(target.parent)
    with open_private(target) as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    restrict(target)


def _start_feeds_again(settings: ServerSettings, manifest: Manifest, archive: Path, at: datetime) -> int:
    """Bring the restored database to this release's schema, and give every station a new epoch: its next pull
    starts from 0, whatever cursor it kept from the lost, newer state."""
    database = open_database(settings.database_url, pool_size=1)
    try:
        with database.writer()() as session, session.begin():
            stations = list(session.scalars(select(ServerStationRow)))
            for station in stations:
                station.epoch += 1
            detail = {
                "archive": archive.name,
                "created_at": manifest.created_at,
                "schema_revision": manifest.schema_revision,
                "counts": manifest.counts,
            }
            session.add(ServerAuditRow(at=at, actor="admin", action="server.restored", detail=detail))
    finally:
        database.dispose()
    return len(stations)
