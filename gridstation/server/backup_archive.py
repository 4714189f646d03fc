"""The server's backup file: one tar archive holding the database dump, the photos and a manifest.

    manifest.json                      what the archive holds: versions, schema revision, counts, SHA-256 of each file
    database/server.db                 SQLite: a copy made with SQLite's online backup API
    database/server.pgdump             PostgreSQL: pg_dump's custom format (pg_restore reads it)
    attachments/ab/<sha256>            the photos, as they lie in the data directory

The manifest comes first, so a restore reads what to expect before anything else; every file is checked against
its SHA-256 before the restore changes anything (`verify`). Member names are checked too: only the names above,
no absolute paths, no `..`, no links, so a crafted archive cannot write outside the data directory.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from gridstation.domain.errors import DomainError

FORMAT = "gridstation-server-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/server.db"
POSTGRES_MEMBER = "database/server.pgdump"
ATTACHMENTS = "attachments"
SUFFIX = ".tar"
CHUNK = 1024 * 1024
_ATTACHMENT_NAME = re.compile(r"^attachments/[0-9a-f]{2}/[0-9a-f]{64}(\.[A-Z0-9]{2,8}\.part)?$")

# (step, done, total): "database" in pages or bytes, "photos" and "verify" in files.
Progress = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    pass


@dataclass
class Manifest:
    program_version: str
    created_at: str  # ISO 8601, UTC
    backend: str  # "sqlite" or "postgresql"
    schema_revision: str
    counts: dict[str, int]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → {"sha256", "size"}

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.backend == "sqlite" else POSTGRES_MEMBER

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "program_version": self.program_version,
            "created_at": self.created_at,
            "database": {"backend": self.backend, "schema_revision": self.schema_revision},
            "counts": self.counts,
            "files": self.files,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise not_a_backup("缺少备份清单的格式标记")
        if data.get("format_version") != FORMAT_VERSION:
            raise DomainError(
                "backup.format_version",
                f"备份格式版本 {data.get('format_version')} 不受支持（本程序读取版本 {FORMAT_VERSION}），请升级程序。",
            )
        try:
            database = data["database"]
            return cls(
                program_version=str(data["program_version"]),
                created_at=str(data["created_at"]),
                backend=str(database["backend"]),
                schema_revision=str(database["schema_revision"]),
                counts={str(k): int(v) for k, v in data["counts"].items()},
                files={str(k): {"sha256": str(v["sha256"]), "size": int(v["size"])} for k, v in data["files"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise not_a_backup(f"备份清单不完整（{err}）") from err


def not_a_backup(why: str) -> DomainError:
    return DomainError("backup.invalid", f"这不是有效的服务器备份文件：{why}。")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def attachment_files(folder: Path) -> list[tuple[str, Path]]:
    """The photos in the data directory's attachments folder, by their name in the archive."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*/*")):
        name = f"{ATTACHMENTS}/{path.parent.name}/{path.name}"
        if path.is_file() and _ATTACHMENT_NAME.match(name):
            found.append((name, path))
    return found


def write_archive(
    target: BinaryIO, manifest: Manifest, files: list[tuple[str, Path]], progress: Progress = no_progress
) -> None:
    """The manifest, then each file, into an uncompressed tar (the dump is compressed, photos do not shrink)."""
    made = datetime.fromisoformat(manifest.created_at).timestamp()
    with tarfile.open(fileobj=target, mode="w", format=tarfile.PAX_FORMAT) as archive:
        body = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(body), 0o600, made
        archive.addfile(info, io.BytesIO(body))
        for done, (name, path) in enumerate(files, 1):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = path.stat().st_size, 0o600, made
            with path.open("rb") as handle:
                archive.addfile(info, handle)
            progress("write", done, len(files))


def read_manifest(path: Path) -> Manifest:
    with _open(path) as archive:
        first = archive.next()
        if first is None or first.name != MANIFEST or not first.isfile():
            raise not_a_backup("第一项不是备份清单 manifest.json")
        handle = archive.extractfile(first)
        assert handle is not None
        try:
            data = json.loads(handle.read(1024 * 1024 * 64).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise not_a_backup("备份清单无法读取") from err
    if not isinstance(data, dict):
        raise not_a_backup("备份清单无法读取")
    return Manifest.from_json(data)


def verify(path: Path, progress: Progress = no_progress) -> Manifest:
    """The archive's manifest, once every file in it has the size and SHA-256 the manifest gives and nothing is
    missing or extra; else a DomainError naming the first file that differs."""
    manifest = read_manifest(path)
    expected = manifest.files
    if manifest.database_member not in expected:
        raise not_a_backup("清单中没有数据库文件")
    seen: set[str] = set()
    with _open(path) as archive:
        for member in _members(archive):
            if member.name == MANIFEST:
                continue
            wanted = expected.get(member.name)
            if wanted is None:
                raise not_a_backup(f"含有清单之外的文件 {member.name}")
            handle = archive.extractfile(member)
            assert handle is not None
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(CHUNK), b""):  # noqa: B023  # consumed within this iteration
                digest.update(chunk)
            if member.size != wanted["size"] or digest.hexdigest() != wanted["sha256"]:
                raise DomainError(
                    "backup.checksum",
                    f"备份文件已损坏：{member.name} 的校验值与清单不符。未做任何恢复，请换用另一份备份。",
                )
            seen.add(member.name)
            progress("verify", len(seen), len(expected))
    missing = sorted(set(expected) - seen)
    if missing:
        raise DomainError(
            "backup.incomplete", f"备份文件不完整：缺少 {missing[0]} 等 {len(missing)} 个文件。未做任何恢复。"
        )
    return manifest


def extract_member(path: Path, name: str, target: Path) -> None:
    with _open(path) as archive:
        member = archive.getmember(name)
        handle = archive.extractfile(member)
        assert handle is not None
        with target.open("wb") as out:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                out.write(chunk)


def extract_attachments(path: Path, folder: Path, write: Callable[[Path, IO[bytes]], None], progress: Progress) -> int:
    """Every photo of the archive into `folder` (an `attachments` directory), through `write(target, source)`."""
    count = 0
    with _open(path) as archive:
        photos = [m for m in _members(archive) if m.name.startswith(f"{ATTACHMENTS}/")]
        for member in photos:
            relative = PurePosixPath(member.name).relative_to(ATTACHMENTS)
            handle = archive.extractfile(member)
            assert handle is not None
            write(folder.joinpath(*relative.parts), handle)
            count += 1
            progress("photos", count, len(photos))
    return count


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in archive:
        name = member.name
        allowed = name in (MANIFEST, SQLITE_MEMBER, POSTGRES_MEMBER) or _ATTACHMENT_NAME.match(name)
        if not member.isfile() or not allowed:
            raise not_a_backup(f"含有不应出现的项目 {name!r}")
        yield member


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise DomainError("backup.missing", f"找不到备份文件：{path}") from None
    except (tarfile.TarError, OSError) as err:
        raise not_a_backup(str(err)) from err
