"""Bringing a station's historic ledger (历史台账) in as cases, for the command line and the desk alike.

All or nothing: every row is checked first (domain/ledger_rows.py, then the lifecycle's own rules for the history it
becomes, domain/ledger_history.py); one bad row and nothing is written, and every bad row is reported. Then each
new row becomes a case through the same path as any case — numbered on its own 登记时间's day, its events stored
with the projection and the hash chain by `case_store.append_events` — at the times the ledger gives.

A row already imported (its fingerprint is in a registration here: the same file twice, or a longer ledger after a
shorter one) is skipped and counted. Cases are written in batches, each its own transaction, so clerks keep working
at the desk during a long import; should one be cut short, importing the file again adds only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from gridstation.domain.enums import STATUS_LABELS, Status
from gridstation.domain.errors import DomainError
from gridstation.domain.events import Event, new_id
from gridstation.domain.ledger_history import imported_case_events, planned_status
from gridstation.domain.ledger_mark import ImportMark
from gridstation.domain.ledger_rows import (
    LedgerInvalid,
    LedgerReference,
    LedgerRow,
    RowProblem,
    parse_ledger,
)
from gridstation.domain.lifecycle import EventDraft
from gridstation.domain.numbering import format_case_number
from gridstation.domain.roles import Permission, require
from gridstation.services.cases import CaseCommands
from gridstation.services.core import StationInfo
from gridstation.services.ledger_file import read_ledger_file
from gridstation.services.reference import ReferenceData
from gridstation.services.similar import NEW_CASES_BATCH
from gridstation.services.staff import StaffMember
from gridstation.storage import case_store
from gridstation.storage.case_imports import imported_fingerprints
from gridstation.storage.models import StationRow

# Cases per transaction: a ledger of several years holds thousands, and the desk keeps writing meanwhile. As many as
# one pass of the similar-case indexer takes, which indexes each batch in the write that stores it.
BATCH_CASES = NEW_CASES_BATCH
# What an import reports as it goes: (stage, done, total); total 0 while it is not known.
ImportProgress = Callable[[str, int, int], None]
IMPORT_STAGES = {"read": "读取文件", "check": "核对", "write": "导入"}


@dataclass(slots=True)
class StatusCount:
    """How many cases of each status an import makes (or would make), in the lifecycle's order."""

    counts: dict[Status, int] = field(default_factory=dict)

    def add(self, status: Status) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        """「已办结 80，已派单 15」; 「无」 when there are none."""
        parts = [f"{STATUS_LABELS[s]} {self.counts[s]}" for s in Status if self.counts.get(s)]
        return "，".join(parts) or "无"


@dataclass(frozen=True, slots=True)
class LedgerImportResult:
    """What an import did (or, in a dry run, would do)."""

    file: str
    rows: int  # the ledger's rows with anything in them
    imported: StatusCount  # cases written (or to be written), by the status they have
    skipped: int  # rows imported before
    repeated: tuple[int, ...]  # rows repeating an earlier row of the same file (imported once)
    notes: tuple[str, ...]
    dry_run: bool

    def summary(self) -> str:
        """「已导入 N 件（已办结 80，已派单 15），跳过已导入 M 件。」, or what a dry run would import."""
        count = self.imported.total()
        detail = f"（{self.imported.describe()}）" if count else ""
        if self.dry_run:
            return f"核对无误：将导入 {count} 件{detail}，跳过已导入 {self.skipped} 件。（试运行，未写入）"
        return f"已导入 {count} 件{detail}，跳过已导入 {self.skipped} 件。"

    def all_notes(self) -> list[str]:
        notes = list(self.notes)
        if self.repeated:
            rows = "、".join(str(r) for r in self.repeated)
            notes.append(f"第 {rows} 行与文件中前面的行是同一件诉求（时间、渠道、类别、地址和内容相同），只导入一次。")
        return notes


class CaseImport(ReferenceData, CaseCommands):
    def import_ledger(
        self,
        actor: StaffMember,
        path: Path,
        *,
        dry_run: bool = False,
        progress: ImportProgress | None = None,
    ) -> LedgerImportResult:
        """Import the ledger at `path` (.csv or .xlsx); with `dry_run` only check it and count what would come in.

        Raises `LedgerInvalid` (every bad row with its reason) when any row is bad, DomainError when the file
        cannot be read or lacks columns; nothing is written then.
        """
        require(actor.role, Permission.REGISTER_CASE)
        station = self._require_station()
        report = progress or (lambda _stage, _done, _total: None)
        report("read", 0, 0)
        sheet = read_ledger_file(path)
        reference = LedgerReference(self.categories(), self.compounds(), self._zone(), self._now())
        parsed = parse_ledger(sheet.rows, reference, file_name=path.name)
        notes = (*sheet.notes, *parsed.notes)
        problems = list(parsed.problems)
        planned: dict[int, Status] = {}
        for done, row in enumerate(parsed.rows, start=1):
            try:  # the lifecycle's own rules over the whole history the row becomes
                planned[row.row] = planned_status(row)
            except DomainError as err:
                problems.append(RowProblem(row.row, err.message_zh.rstrip("。")))
            report("check", done, len(parsed.rows))
        if problems:
            raise LedgerInvalid(path.name, sorted(problems, key=lambda p: p.row), notes)
        with self._read() as session:
            present = imported_fingerprints(session)
        new_rows, skipped, repeated = _new_rows(parsed.rows, present)
        if dry_run:
            counts = StatusCount()
            for row in new_rows:
                counts.add(planned[row.row])
            return LedgerImportResult(path.name, parsed.data_rows, counts, skipped, repeated, notes, dry_run=True)
        counts, raced = self._write_cases(actor, station, path.name, new_rows, report)
        return LedgerImportResult(path.name, parsed.data_rows, counts, skipped + raced, repeated, notes, dry_run=False)

    def _write_cases(
        self,
        actor: StaffMember,
        station: StationInfo,
        file_name: str,
        rows: Sequence[LedgerRow],
        report: ImportProgress,
    ) -> tuple[StatusCount, int]:
        """Write the rows' cases in time order, a batch per transaction; returns their statuses, and how many rows
        another import (another desk, the command line) had brought in meanwhile."""
        policy = self.deadline_policy()
        counts = StatusCount()
        raced = done = 0
        ordered = sorted(rows, key=lambda r: (r.registered_at, r.row))
        report("write", 0, len(ordered))

        def stamp(draft: EventDraft, at: datetime) -> Event:
            return self._stamp(draft, actor, station, at)

        for start in range(0, len(ordered), BATCH_CASES):
            batch = ordered[start : start + BATCH_CASES]
            issued: dict[str, int] = {}
            event_seq = 0
            written: list[int] = []
            with self._write() as session:
                self._require_current(session, actor)
                present = imported_fingerprints(session, [row.fingerprint for row in batch])
                for row in batch:
                    done += 1
                    if row.fingerprint in present:
                        raced += 1
                        continue
                    day = self.local_date(row.registered_at)
                    day_key = f"{day:%Y%m%d}"
                    sequence = case_store.next_daily_sequence(session, day_key)
                    mark = ImportMark(file_name, row.row, row.fingerprint)
                    number = format_case_number(station.code, day, sequence)
                    events = imported_case_events(row, mark, new_id(), number, stamp)
                    state, event_seq = case_store.append_events(session, events, policy)
                    issued[day_key] = max(issued.get(day_key, 0), sequence)
                    counts.add(state.status)
                    written.append(row.row)
                    report("write", done, len(ordered))
                # Indexed for the similar-case search in the same write, as `_append` indexes a case registered at the
                # desk (a batch is no bigger than what one call indexes).
                self._index_words(session)
                station_row = session.scalar(select(StationRow))
                if station_row is not None:
                    station_row.hlc_last = self._clock.last.encode()
                if written:
                    self._audit(
                        session,
                        actor,
                        "cases.imported",
                        file=file_name,
                        cases=len(written),
                        rows=sorted(written),
                    )
            for day_key, sequence in issued.items():
                self._remember_issued(event_seq, day_key, sequence)
        return counts, raced


def _new_rows(rows: Sequence[LedgerRow], present: set[str]) -> tuple[list[LedgerRow], int, tuple[int, ...]]:
    """The rows to import, how many were imported before, and the rows repeating an earlier row of the file."""
    seen: set[str] = set()
    new: list[LedgerRow] = []
    skipped = 0
    repeated: list[int] = []
    for row in rows:
        if row.fingerprint in present:
            skipped += 1
        elif row.fingerprint in seen:
            repeated.append(row.row)
        else:
            seen.add(row.fingerprint)
            new.append(row)
    return new, skipped, tuple(repeated)
