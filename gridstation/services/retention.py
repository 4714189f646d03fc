"""Retention of personal data at the desk: once a closed case has been kept the set number of years (3 unless an
administrator sets another), its complainant's name, phone and the room part of its address are erased, from its
events, its projection and its conflict records. Category, compound, building, times, status, follow-ups and so
every statistic and KPI stay as they were.

Anonymising changes event payloads, whose hashes are chained. So that `audit verify` stays intact and still
catches a real edit, each batch of a run records, in the chained audit log and in the same transaction, exactly
which events it changed with their hashes before and after (`storage.integrity.ANONYMISED_ACTION`); the event's
stored hash and chain link stay as they were. An event that no longer matches its hash before the run (edited
outside GridStation) is left alone and reported: anonymising must never launder tampering.

A case's photos are deleted from this machine with it (the file and its thumbnail), unless a case not anonymised
has the same photo; their events keep the hash, size and type, so statistics stay and the log stays verifiable.
A photo still waiting for upload is set aside rather than offered without its file.

Runs at the desk's start and once a day while it is open (off the screen's thread), and on demand with
`gridstation retention run [--dry-run]`; every run is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridstation.domain.case import FINISHED
from gridstation.domain.codec import state_from_json
from gridstation.domain.enums import EventType
from gridstation.domain.retention import (
    DEFAULT_RETENTION_YEARS,
    PERSONAL_FIELDS,
    anonymise_fields,
    anonymised,
    anonymised_payload,
    photos_to_forget,
    retention_cutoff,
    validate_retention_years,
)
from gridstation.domain.roles import Permission, require
from gridstation.domain.sla import DeadlinePolicy
from gridstation.services.photo_files import forget_photo
from gridstation.services.settings import StationSettings
from gridstation.services.staff import StaffMember
from gridstation.storage import case_store, integrity, photos
from gridstation.storage.models import CaseRow, ConflictRecordRow, EventRow
from gridstation.storage.settings import SettingKey

# Cases per transaction: a first run on an old station may have tens of thousands to do, and clerks keep working.
BATCH_CASES = 200
PHOTO_SET_ASIDE = "个人信息保存期限已到，照片已从本机删除，不再上传。"
PHOTO_NOT_FETCHED = "个人信息保存期限已到，不再从服务器下载照片。"


@dataclass
class RetentionResult:
    years: int
    cutoff: datetime
    dry_run: bool
    cases: int = 0  # cases anonymised (or, in a dry run, that would be)
    events: int = 0  # events whose payload changed
    photos: int = 0  # photos deleted from this machine (or, in a dry run, that would be)
    refused: list[str] = field(default_factory=list)  # case numbers left alone: an event was edited outside

    def message_zh(self) -> str:
        verb = "将匿名化" if self.dry_run else "已匿名化"
        text = (
            f"个人信息保存期限 {self.years} 年（办结于 {self.cutoff:%Y-%m-%d} 及以前的诉求）："
            f"{verb} {self.cases} 件诉求、{self.events} 条事件中的姓名、电话和门牌室号。"
        )
        if self.photos:
            text += f"{'将' if self.dry_run else '已'}从本机删除这些诉求的 {self.photos} 张照片。"
        if self.dry_run:
            text += "（试运行，未做任何改动）"
        if self.refused:
            text += (
                f"\n有 {len(self.refused)} 件诉求的事件在 GridStation 之外被改动过（篡改），未匿名化："
                f"{'、'.join(self.refused[:10])}{' 等' if len(self.refused) > 10 else ''}。"
                "请运行 gridstation audit verify 核对。"
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "cases": self.cases,
            "events": self.events,
            "photos": self.photos,
            "refused": self.refused,
            "message": self.message_zh(),
        }


class Retention(StationSettings):
    def retention_years(self) -> int:
        return self._whole_number(SettingKey.RETENTION_YEARS, DEFAULT_RETENTION_YEARS)

    def set_retention_years(self, actor: StaffMember, years: object) -> int:
        return self._set_whole_number(
            actor, SettingKey.RETENTION_YEARS, years, validate_retention_years, audit="settings.retention", unit="years"
        )

    def run_retention(self, actor: StaffMember | None, *, dry_run: bool = False) -> RetentionResult:
        """Anonymise every closed case kept long enough (`actor` None: the desk's daily run); audited, dry run too."""
        if actor is not None:
            require(actor.role, Permission.MANAGE_SETTINGS)
        years = self.retention_years()
        now = self._now()
        result = RetentionResult(years, retention_cutoff(now, years), dry_run)
        policy = self.deadline_policy()
        after = ""  # cases in id order, a batch per transaction
        while True:
            with self._write() as session:
                rows = list(
                    session.scalars(
                        select(CaseRow)
                        .where(
                            CaseRow.id > after,
                            CaseRow.anonymised_at.is_(None),
                            CaseRow.closed_at <= result.cutoff,
                            CaseRow.status.in_([str(status) for status in FINISHED]),
                        )
                        .order_by(CaseRow.id)
                        .limit(BATCH_CASES)
                    )
                )
                if not rows:
                    break
                after = rows[-1].id
                changed: dict[str, list[str]] = {}
                done: list[str] = []
                for row in rows:
                    plan = _plan(session, row)
                    if plan is None:
                        result.refused.append(row.number)
                        continue
                    result.cases += 1
                    result.events += len(plan)
                    done.append(row.id)
                    if not dry_run:
                        _anonymise(session, row, plan, now, policy)
                        changed.update({event.id: [event.content_hash, digest] for event, _, digest in plan})
                if changed:
                    # In the same transaction as the payloads it vouches for.
                    self._audit(session, actor, integrity.ANONYMISED_ACTION, events=changed)
                forgotten = _photos_to_forget(session, done)
            result.photos += len(forgotten)
            if not dry_run:
                # Once the anonymising is committed: a run cut off before keeps the photos of cases it did not do.
                for sha256 in sorted(forgotten):
                    forget_photo(self.data_dir, sha256)
        with self._write() as session:
            summary = result.to_json()
            del summary["message"]
            self._audit(session, actor, "retention.run", **summary)
        return result


# An event whose payload retention changes: its row, the payload it keeps, and the hash of the event with it.
Change = tuple[EventRow, dict[str, Any], str]


def _plan(session: Session, row: CaseRow) -> list[Change] | None:
    """What anonymising `row`'s case changes in its events; None if an event no longer matches its hash (edited
    outside GridStation: left for a person, never laundered)."""
    plan = []
    for event_row in session.scalars(select(EventRow).where(EventRow.case_id == row.id)):
        event = case_store.event_from_row(event_row)
        if event.content_hash() != event_row.content_hash:
            return None
        payload = anonymised_payload(event_row.type, event_row.payload)
        if payload != event_row.payload:
            plan.append((event_row, payload, replace(event, payload=payload).content_hash()))
    return plan


def _anonymise(session: Session, row: CaseRow, plan: list[Change], now: datetime, policy: DeadlinePolicy) -> None:
    for event_row, payload, _ in plan:
        event_row.payload = payload  # content_hash and chain_hash stay: the audit record accounts for the change
    case_store.write_projection(session, state_from_json(anonymise_fields(row.state)), policy)
    row.anonymised_at = now
    photos.set_aside_case_uploads(session, row.id, PHOTO_SET_ASIDE)
    photos.set_aside_case_downloads(session, row.id, PHOTO_NOT_FETCHED)
    for record in session.scalars(select(ConflictRecordRow).where(ConflictRecordRow.case_id == row.id)):
        if record.field in PERSONAL_FIELDS:
            record.base_value = anonymised(record.field, record.base_value)
            record.station_value = anonymised(record.field, record.station_value)
            record.server_value = anonymised(record.field, record.server_value)


def _photo_hash() -> Any:
    return func.json_extract(EventRow.payload, "$.sha256")


def _photos_to_forget(session: Session, case_ids: list[str]) -> set[str]:
    """The photos of these cases (being anonymised) that no case left with its personal data also has."""
    if not case_ids:
        return set()
    of_cases = set(
        session.scalars(
            select(_photo_hash()).where(EventRow.case_id.in_(case_ids), EventRow.type == str(EventType.PHOTO_ATTACHED))
        )
    )
    still_needed = session.scalars(
        select(_photo_hash())
        .join(CaseRow, CaseRow.id == EventRow.case_id)
        .where(
            EventRow.type == str(EventType.PHOTO_ATTACHED),
            CaseRow.anonymised_at.is_(None),
            EventRow.case_id.not_in(case_ids),
            _photo_hash().in_(of_cases),
        )
    )
    return photos_to_forget((h for h in of_cases if h), still_needed)
