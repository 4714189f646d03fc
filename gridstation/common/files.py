"""Files only their owner may read: the station's database, its backups, the server's SQLite file and photos.

They hold residents' names, phone numbers and complaints. On POSIX every such file is created 0600 and every
folder of ours 0700, whatever the process's umask (a permissive 022 or 002 would otherwise leave them readable by
every account on the machine); files that already exist are tightened when they are opened. On Windows the same
is an ACL granting the current user alone full control, without inherited entries (`icacls`).

Folders we did not create (a `--data-dir` the user chose, such as a home folder) keep their permissions: only
what we put in them is ours to restrict.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

from gridstation.domain.errors import DomainError

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
GROUP_AND_OTHERS = 0o077
# SQLite keeps a database's recent writes and its locks beside it; both hold (or reveal) the same data.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

log = logging.getLogger(__name__)
_folders_restricted: set[Path] = set()


def private_dir(path: Path) -> Path:
    """Create `path` (and any missing parents) for the owner alone; an existing folder of ours is tightened.

    Use it for folders the program owns (backups/, drafts/, attachments/); for a folder the user may have chosen,
    use `new_private_dir`.
    """
    new_private_dir(path)
    if path not in _folders_restricted:  # once per process: drafts are saved often, and icacls is slow
        restrict(path)
        _folders_restricted.add(path)
    return path


def new_private_dir(path: Path) -> Path:
    """Create `path` and any missing parents for the owner alone; a folder that already exists is left as it is."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by another process; what it is, it stays
        restrict(folder)  # whatever the umask let through beyond the owner
    return path


def restrict(path: Path) -> None:
    """Take away every access the group and others have to an existing file or folder (a missing one is ignored).

    Only ever removes: a file someone made read-only on purpose stays read-only (0444 becomes 0400).
    """
    if not path.exists():
        return
    if sys.platform == "win32":
        _restrict_windows(path)
        return
    current = stat.S_IMODE(path.stat().st_mode)
    private = current & ~GROUP_AND_OTHERS
    if private == current:
        return
    try:
        os.chmod(path, private)
    except OSError as err:
        # Not ours (another account's file in a shared folder) or on a read-only disk: we cannot change it, and
        # refusing to start over it would help nobody. The log says so.
        log.warning("cannot restrict permissions of %s: %s", path, err)


def create_private_file(path: Path) -> Path:
    """Make sure `path` exists and is the owner's alone: created empty (0600) if missing, else tightened."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    restrict(path)
    return path


def open_private(path: Path, *, append: bool = False) -> BinaryIO:
    """Open `path` for writing bytes, created (or truncated, unless `append`) with the owner's access alone.

    The mode is given when the file is created, so there is no moment in which it is readable by others.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        restrict(path)  # a file that already existed keeps its old mode through open(): tighten it
        return os.fdopen(fd, "ab" if append else "wb")
    except BaseException:
        os.close(fd)
        raise


def write_private_file(path: Path, data: bytes) -> Path:
    """Write `data` to `path` (the owner's alone) through a `.part` file beside it, so a file cut off half-way never
    carries the final name; a Chinese DomainError when the folder cannot be written."""
    part = path.with_name(path.name + ".part")
    try:
        with open_private(part) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        part.replace(path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise DomainError("file.unwritable", f"无法写入文件：{path}（{reason}）", reason=reason) from exc
    return path


def protect_sqlite_database(path: Path) -> None:
    """Before SQLite opens `path`: the file exists and is private, and so are its journal, WAL and shared memory.

    SQLite creates its -wal, -shm and -journal files with the database file's own permissions, so a private
    database file keeps them private too; ones left by an older version are tightened here.
    """
    create_private_file(path)
    for suffix in SQLITE_COMPANIONS:
        restrict(path.with_name(path.name + suffix))


def _restrict_windows(path: Path) -> None:
    """The current user alone, with full control; inherited entries removed. Folders pass it on to what they hold."""
    user = os.environ.get("USERNAME", "")
    domain = os.environ.get("USERDOMAIN", "")
    if not user:
        log.warning("cannot restrict access to %s: USERNAME is not set", path)
        return
    account = f"{domain}\\{user}" if domain else user
    grant = f"{account}:(OI)(CI)F" if path.is_dir() else f"{account}:F"
    try:
        subprocess.run(
            ["icacls", str(path), "/inheritance:r", "/grant:r", grant],
            check=True,
            capture_output=True,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except (OSError, subprocess.CalledProcessError) as err:
        log.warning("cannot restrict access to %s with icacls: %s", path, err)
