"""A small file beside the database that remembers the highest numbers this station ever issued.

It is not part of backups, so when an old backup is restored (or a database file copied back by hand)
the station notices that numbers beyond the database's counters were already printed and skips them.
"""

from __future__ import annotations

import json
import os
import tempfile
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
