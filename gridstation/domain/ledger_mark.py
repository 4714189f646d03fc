"""The mark an imported case carries: which historic ledger (file and row) its registration came from.

Kept in the registration's payload under `imported` (its shape is in domain/payloads.py). The timeline shows
it (「从历史台账导入（台账.xlsx 第 7 行）」), a new import recognises rows already imported by its fingerprint, and
the KPIs leave imported cases out of the deadline figures (domain/report.py, docs/report.md). Its own small
module, because the timeline and the reports need the mark and nothing of how a ledger is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gridstation.domain.enums import EventType
from gridstation.domain.events import Event

IMPORTED_FIELD = "imported"


@dataclass(frozen=True, slots=True)
class ImportMark:
    """Where an imported case came from: the ledger's file name, the row (as Excel numbers it), its fingerprint."""

    file: str
    row: int
    fingerprint: str

    def to_payload(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "fingerprint": self.fingerprint}

    @classmethod
    def of(cls, registration: Mapping[str, Any]) -> ImportMark | None:
        """The mark in a registration's payload, if it has one."""
        raw = registration.get(IMPORTED_FIELD)
        if not isinstance(raw, Mapping):
            return None
        row = raw.get("row", 0)
        return cls(str(raw.get("file", "")), row if isinstance(row, int) else 0, str(raw.get("fingerprint", "")))

    def describe(self) -> str:
        """How the timeline says it: 「从历史台账导入（2025年台账.xlsx 第 7 行）」."""
        return f"从历史台账导入（{self.file} 第 {self.row} 行）"


def is_imported(registration: Event) -> bool:
    """Whether the case whose registration this is came from a historic ledger."""
    return registration.type is EventType.REGISTERED and IMPORTED_FIELD in registration.payload
