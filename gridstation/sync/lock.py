"""One sync at a time per station, across processes (the desk and a scheduled `gridstation sync`).

An OS file lock, so a killed process never leaves a stale lock behind: the OS drops it with the process.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from gridstation.domain.errors import DomainError

LOCK_FILE = "sync.lock"


class SyncBusy(DomainError):
    def __init__(self) -> None:
        super().__init__("sync.busy", "另一次同步正在进行（本机的桌面程序或计划任务），请稍后再试。")


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def sync_lock(
    data_dir: Path,
    *,
    wait_seconds: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[None]:
    """Hold the station's sync lock; wait up to `wait_seconds` for another sync to finish, then `SyncBusy`.

    `should_stop` ends the wait early (the clerk cancelled, or the desk is closing) with `SyncBusy`.
    """
    path = Path(data_dir) / LOCK_FILE
    handle = open(path, "a+b")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + wait_seconds
        while not _try_lock(handle):
            if time.monotonic() >= deadline or should_stop():
                raise SyncBusy()
            sleep(0.1)
        try:
            yield
        finally:
            _unlock(handle)
    finally:
        handle.close()
