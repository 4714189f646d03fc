"""A small file beside the database that remembers the highest numbers this station ever issued.

It is not part of backups, so when an old backup is restored (or a database file copied back by hand)
the station notices that numbers beyond the database's counters were already printed and skips them.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

KEEP_DAYS = 400


@dataclass
class NumberingLedger:
    event_sequence: int = 0
    daily: dict[str, int] = field(default_factory=dict)
    hlc: str = ""  # the latest clock stamp issued, so a copied-back old file cannot stamp events earlier

    def merge(self, event_sequence: int, day: str | None = None, sequence: int = 0, hlc: str = "") -> None:
        self.event_sequence = max(self.event_sequence, event_sequence)
        self.hlc = max(self.hlc, hlc)
        if day is not None:
            self.daily[day] = max(self.daily.get(day, 0), sequence)
        self._trim()

    def merge_ledger(self, other: NumberingLedger) -> None:
        self.event_sequence = max(self.event_sequence, other.event_sequence)
        self.hlc = max(self.hlc, other.hlc)
        for day, sequence in other.daily.items():
            self.daily[day] = max(self.daily.get(day, 0), sequence)
        self._trim()

    def _trim(self) -> None:
        if len(self.daily) > KEEP_DAYS:
            for old in sorted(self.daily)[: len(self.daily) - KEEP_DAYS]:
                del self.daily[old]


def read_ledger(path: Path) -> NumberingLedger:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return NumberingLedger(
            int(data.get("event_sequence", 0)),
            {str(k): int(v) for k, v in data["daily"].items()},
            str(data.get("hlc", "")),
        )
    except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
        return NumberingLedger()


def write_ledger(path: Path, ledger: NumberingLedger) -> None:
    """Atomic replace, so a crash leaves either the old or the new ledger, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(
        {"event_sequence": ledger.event_sequence, "daily": ledger.daily, "hlc": ledger.hlc}, sort_keys=True
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ledger-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# One thread writes every station's ledger, in the order asked. Not a daemon: at exit Python waits for what is
# queued, so a number issued just before the desk closes is still written.
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="numbering-ledger")
# The writer waits this long before it writes, so the numbers of a burst of saves (an import, a batch of walk-ins
# saved back to back) go into one write, and the write does not compete for the GIL with the save that asked.
WRITE_DELAY_SECONDS = 0.2


class LedgerKeeper:
    """The ledger of one station, written behind the saves that issue numbers.

    A save used to write and fsync the file before it returned: 0.4–0.6 ms of a 2 ms save, a second disk flush
    after the database's own (benchmarks/README.md, section 2). The database already holds every number it
    issued, durably, when the save returns; the ledger only guards against an old database file put back later.
    So the save hands its numbers over and returns; the writer merges whatever has queued up within
    WRITE_DELAY_SECONDS into one write. Whatever reads the file, or is about to replace the database, flushes
    first; closing the station flushes, and so does the interpreter's exit (the writer is not a daemon). Only a
    crash of the machine within that fraction of a second, followed by an old database file put back by hand,
    could reissue a number — and sync still refuses a reused number with the reason (test_station_sync).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending_lock = threading.Lock()
        self._file_lock = threading.Lock()  # one read-merge-write at a time
        self._pending: NumberingLedger | None = None

    def remember(self, event_sequence: int, day: str | None = None, sequence: int = 0, hlc: str = "") -> None:
        """Numbers just issued (committed in the database): on their way to the file."""
        with self._pending_lock:
            first = self._pending is None
            if self._pending is None:
                self._pending = NumberingLedger()
            self._pending.merge(event_sequence, day, sequence, hlc)
        if first:
            _WRITER.submit(self._write_later)

    def flush(self) -> None:
        """Write what is pending now; an OSError is raised (the caller must know the ledger is not on disk)."""
        self._write_pending(strict=True)

    def read(self) -> NumberingLedger:
        """The ledger as the file holds it, with everything remembered so far written first."""
        with self._file_lock:
            self._write_locked(strict=False)
            return read_ledger(self.path)

    def add_and_write(self, ledger: NumberingLedger) -> None:
        """Merge `ledger` into the file at once (before the database is replaced); OSError is raised."""
        with self._file_lock:
            with self._pending_lock:
                if self._pending is None:
                    self._pending = NumberingLedger()
                self._pending.merge_ledger(ledger)
            self._write_locked(strict=True)

    def _write_later(self) -> None:
        time.sleep(WRITE_DELAY_SECONDS)
        self._write_pending(strict=False)

    def _write_pending(self, *, strict: bool) -> None:
        with self._file_lock:
            self._write_locked(strict=strict)

    def _write_locked(self, *, strict: bool) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return
        ledger = read_ledger(self.path)
        ledger.merge_ledger(pending)
        try:
            write_ledger(self.path, ledger)
        except OSError:
            with self._pending_lock:  # kept for the next try
                if self._pending is None:
                    self._pending = NumberingLedger()
                self._pending.merge_ledger(pending)
            if strict:
                raise
