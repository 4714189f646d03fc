"""The station database's sessions and its failures in Chinese (the engine set-up is common/sqlite.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gridstation.domain.errors import DomainError


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
