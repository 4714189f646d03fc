"""Retention of personal data at the server: the same rule as the desk's (domain/retention.py) over every station's
cases. A case closed (已办结/已回访) at least `years` ago loses its complainant's name, phone and the room part of
its address, in its events, its projection and its conflict records; quarantined events older than that lose them
too. Statistics (category, compound, times, status) are untouched.

Every event whose payload changes is recorded, with its stored hash (before) and the hash of what it now says
(after), in the audit log in the same transaction, so `gridstation-server audit verify` accepts it and still
catches any other edit. Runs once a day in `serve` and on demand (`gridstation-server retention run`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.case import FINISHED
from gridstation.domain.events import event_from_stored
from gridstation.domain.retention import (
    PERSONAL_FIELDS,
    anonymise_fields,
    anonymised,
    anonymised_payload,
    retention_cutoff,
)
from gridstation.server.audit import ANONYMISED_ACTION
from gridstation.server.core import ServerCore
from gridstation.server.models import ConflictRow, QuarantineRow, ServerCaseRow, ServerEventRow, ServerStationRow

BATCH_CASES = 200
RETENTION_ACTOR = "retention"


@dataclass
class ServerRetentionResult:
    years: int
    cutoff: datetime
    dry_run: bool
    cases: int = 0
    events: int = 0
    quarantined: int = 0
    refused: list[str] = field(default_factory=list)  # case numbers with an event edited outside the server

    def message_zh(self) -> str:
        verb = "将匿名化" if self.dry_run else "已匿名化"
        text = (
            f"个人信息保存期限 {self.years} 年（办结于 {self.cutoff:%Y-%m-%d} 及以前）：{verb} {self.cases} 件诉求、"
            f"{self.events} 条事件、{self.quarantined} 条隔离事件中的姓名、电话和门牌室号。"
        )
        if self.dry_run:
            text += "（试运行，未做任何改动）"
        if self.refused:
            text += (
                f"\n有 {len(self.refused)} 件诉求的事件与其校验值不符（篡改），未匿名化："
                f"{'、'.join(self.refused[:10])}。请运行 gridstation-server audit verify 核对。"
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "cases": self.cases,
            "events": self.events,
            "quarantined": self.quarantined,
            "refused": self.refused,
        }


class ServerRetention(ServerCore):
    def run_retention(self, years: int, *, dry_run: bool = False) -> ServerRetentionResult:
        result = ServerRetentionResult(years, retention_cutoff(self.now(), years), dry_run)
        with self.reading() as session:
            stations = list(session.scalars(select(ServerStationRow.code).order_by(ServerStationRow.code)))
        for code in stations:
            self._station_retention(code, result)
        with self.writing() as session:
            result.quarantined = _quarantine_retention(session, result)
            self._audit(session, RETENTION_ACTOR, "retention.run", **result.to_json())
        return result

    def _station_retention(self, station_code: str, result: ServerRetentionResult) -> None:
        after = ""
        while True:
            with self.writing() as session:
                # Held like every write to the station's scope, so a push cannot fold the case meanwhile.
                self._lock_station(session, station_code)
                rows = session.scalars(
                    select(ServerCaseRow)
                    .where(
                        ServerCaseRow.station_code == station_code,
                        ServerCaseRow.id > after,
                        ServerCaseRow.anonymised_at.is_(None),
                        ServerCaseRow.status.in_([str(status) for status in FINISHED]),
                        # A case changes last when it closes or later: a cheap filter before reading its state.
                        ServerCaseRow.updated_at <= result.cutoff,
                    )
                    .order_by(ServerCaseRow.id)
                    .limit(BATCH_CASES)
                ).all()
                if not rows:
                    return
                after = rows[-1].id
                changed: dict[str, list[str]] = {}
                for row in rows:
                    closed_at = row.state.get("closed_at")
                    if not closed_at or datetime.fromisoformat(closed_at) > result.cutoff:
                        continue
                    plan = _plan(session, row)
                    if plan is None:
                        result.refused.append(row.number)
                        continue
                    result.cases += 1
                    result.events += len(plan)
                    if result.dry_run:
                        continue
                    for event_row, payload, digest in plan:
                        changed[event_row.id] = [event_row.content_hash, digest]
                        event_row.payload = payload
                    row.state = anonymise_fields(row.state)
                    row.anonymised_at = self.now()
                    _anonymise_conflicts(session, row.id)
                if changed:
                    self._audit(session, RETENTION_ACTOR, ANONYMISED_ACTION, station=station_code, events=changed)


Change = tuple[ServerEventRow, dict[str, Any], str]


def _plan(session: Session, row: ServerCaseRow) -> list[Change] | None:
    """The events of the case whose payload anonymising changes; None if one no longer matches its hash."""
    plan = []
    for event_row in session.scalars(select(ServerEventRow).where(ServerEventRow.case_id == row.id)):
        event = event_from_stored(event_row)
        if event.content_hash() != event_row.content_hash:
            return None
        payload = anonymised_payload(event_row.type, event_row.payload)
        if payload != event_row.payload:
            plan.append((event_row, payload, replace(event, payload=payload).content_hash()))
    return plan


def _anonymise_conflicts(session: Session, case_id: str) -> None:
    for record in session.scalars(select(ConflictRow).where(ConflictRow.case_id == case_id)):
        if record.field in PERSONAL_FIELDS:
            record.base_value = anonymised(record.field, record.base_value)
            record.station_value = anonymised(record.field, record.station_value)
            record.server_value = anonymised(record.field, record.server_value)


def _quarantine_retention(session: Session, result: ServerRetentionResult) -> int:
    """Refused pushes are kept whole for a person to look at; past the retention period, without personal data."""
    count = 0
    rows = session.scalars(select(QuarantineRow).where(QuarantineRow.received_at <= result.cutoff))
    for row in rows:
        body = row.body if isinstance(row.body, dict) else None
        payload = body.get("payload") if body else None
        if body is None or not isinstance(payload, dict):
            continue
        cleaned = anonymised_payload(str(body.get("type", "")), payload)
        if cleaned != payload:
            count += 1
            if not result.dry_run:
                row.body = {**body, "payload": cleaned}
    return count
