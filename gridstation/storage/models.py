"""The station's tables. The `cases` table is a projection: always equal to the fold of `events`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gridstation.common.sqltypes import JsonText, UTCDateTime


class Base(DeclarativeBase):
    pass


class StationRow(Base):
    """The one station this database belongs to."""

    __tablename__ = "station"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    sub_district: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    hlc_last: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffRow(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # No lockout counter here: failed sign-ins are counted from the chained audit log (services/staff.py), where
    # zeroing them by hand is detected.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CategoryRow(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    parent_code: Mapped[str] = mapped_column(String(40), default="")
    pinyin_initials: Mapped[str] = mapped_column(String(60), default="")
    pinyin_full: Mapped[str] = mapped_column(String(240), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class GridRow(Base):
    __tablename__ = "grids"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CompoundRow(Base):
    __tablename__ = "compounds"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(20), default="")
    pinyin_initials: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CaseCounterRow(Base):
    """The last daily sequence issued per local date; bumped in the same transaction as the case insert."""

    __tablename__ = "case_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class EventRow(Base):
    """Append-only. `station_seq` is this station's gap-free sequence, what sync checks.

    Events that came down from the centre (work orders, department updates) have `origin` "server" and no
    `station_seq`. `acknowledged_at` is set when the server answered for the event; `sync_outcome` is its answer
    (applied, duplicate, conflict, rejected) with the server's code and reason.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_unsent", "origin", "acknowledged_at", "station_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_seq: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    origin: Mapped[str] = mapped_column(String(10), default="station", server_default="station")
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[Any] = mapped_column(JsonText())
    actor_id: Mapped[str] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(String(40))
    station_code: Mapped[str] = mapped_column(String(8))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    hlc: Mapped[str] = mapped_column(String(32), index=True)
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sync_outcome: Mapped[str] = mapped_column(String(12), default="", server_default="")
    sync_code: Mapped[str] = mapped_column(String(60), default="", server_default="")
    sync_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The event chain (domain/integrity.py): this event's id and content hash linked to the previous event's
    # chain hash, in stored order. Written in the same transaction as the event.
    chain_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


class CaseRow(Base):
    """Projection of a case for listing, filtering and searching."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_due", "status", "sla_due_at"),
        Index("ix_cases_registered_at", "registered_at"),
        Index("ix_cases_category", "category_code"),
        Index("ix_cases_grid", "grid_code"),
        Index("ix_cases_tier", "tier"),
        Index("ix_cases_compound", "compound"),
        Index("ix_cases_owner_status", "owner", "status"),
        Index("ix_cases_urgent", "urgent"),
        Index("ix_cases_phone", "phone"),
        Index("ix_cases_place", "compound", "building", "registered_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    station_code: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(30))
    category_code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    compound: Mapped[str] = mapped_column(String(100), default="")
    building: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    grid_code: Mapped[str] = mapped_column(String(20), default="")
    complainant_name: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee: Mapped[str] = mapped_column(String(100), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registered_by: Mapped[str] = mapped_column(String(40))
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    satisfaction: Mapped[str] = mapped_column(String(30), default="")
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    sla_stage: Mapped[str] = mapped_column(String(20), default="")
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    work_order: Mapped[str] = mapped_column(String(40), default="", server_default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Where each department's part of the centre's dispatch stands (`domain.tasks.tasks_digest`), for the list.
    departments: Mapped[str] = mapped_column(String(400), default="", server_default="")
    # 专人专责: the case's owner (`CaseState.owner`), for 我的诉求 and the workload view.
    owner: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # 复发 (issue 17): the number of the closed case this one repeats; "" when it repeats none.
    repeat_of: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # When a retention run erased the complainant's personal data (services/retention.py); never reset.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    state: Mapped[Any] = mapped_column(JsonText())
    version: Mapped[int] = mapped_column(Integer)
    last_hlc: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonText())


class AuditRow(Base):
    """Who did what that is not a case event: sign-ins, failed PINs, backups, restores, imports, retention runs.

    Chained like the events (`chain_hash`, in stored order; storage/integrity.py writes every entry), so a deleted
    failed sign-in or an edited entry is found by `gridstation audit verify`.
    """

    __tablename__ = "audit_log"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Indexed: the lockout counts a member's failed sign-ins since the last success from here.
    staff_id: Mapped[str] = mapped_column(String(36), default="", index=True)
    staff_name: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[Any] = mapped_column(JsonText())
    chain_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


class WorkOrderInboxRow(Base):
    """A work order that came down from the centre, until a clerk has seen it (the badge counts the unseen)."""

    __tablename__ = "work_order_inbox"

    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    seen_by: Mapped[str] = mapped_column(String(40), default="")


class ConflictRecordRow(Base):
    """A value edited both here and at the centre: both kept until a person chooses (mirrors the server's)."""

    __tablename__ = "conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    case_number: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(40))
    base_value: Mapped[Any] = mapped_column(JsonText())
    station_value: Mapped[Any] = mapped_column(JsonText())
    server_value: Mapped[Any] = mapped_column(JsonText())
    station_event_id: Mapped[str] = mapped_column(String(36))
    station_actor: Mapped[str] = mapped_column(String(100))
    station_at: Mapped[datetime] = mapped_column(UTCDateTime())
    server_actor: Mapped[str] = mapped_column(String(100))
    server_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolution_event_id: Mapped[str] = mapped_column(String(36), default="")


class SyncRunRow(Base):
    """One sync (background, end-of-day or headless) and what it did: the status bar and support read these."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[Any] = mapped_column(JsonText())
    error: Mapped[str] = mapped_column(Text, default="")


class PhotoUploadRow(Base):
    """A photo of a case waiting to be uploaded (or uploaded): its bytes go up apart from the events.

    Written in the same transaction as the photo's event, so a photo is never in the log without being queued.
    Where an upload stands is the server's to say (it answers each offer with the bytes it has): nothing of a
    half-sent photo is kept here. `refused` is the server's reason when it will not take the photo at all.
    """

    __tablename__ = "photo_uploads"
    __table_args__ = (Index("ix_photo_uploads_pending", "uploaded_at", "queued_at"),)

    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    refused: Mapped[str] = mapped_column(Text, default="", server_default="")


class PhotoDownloadRow(Base):
    """A photo of a case that came down by sync (a department's result photo, another device's): its bytes are
    fetched after the events, apart from them, and kept like the desk's own.

    Written in the same transaction as the pulled event, so no photo is in the log without being fetched. `failed`
    is why the last try did not keep it (shown to a person; tried again next sync); `set_aside` ends the tries
    (retention anonymised the case, or the server will never give it).
    """

    __tablename__ = "photo_downloads"
    __table_args__ = (Index("ix_photo_downloads_pending", "downloaded_at", "queued_at"),)

    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed: Mapped[str] = mapped_column(Text, default="", server_default="")
    set_aside: Mapped[str] = mapped_column(Text, default="", server_default="")


class KnowledgeArticleRow(Base):
    """A read-only copy of one article of the centre's knowledge base (issue 17), as the last sync brought it; a
    retired article is deleted. `words` and `headline_words` are the station's segmenter's words of the whole
    article and of its title and keywords, kept for the word lists `words_fingerprint` names (empty: not yet)."""

    __tablename__ = "kb_articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    categories: Mapped[Any] = mapped_column(JsonText())
    keywords: Mapped[Any] = mapped_column(JsonText())
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    words: Mapped[str] = mapped_column(Text, default="")
    headline_words: Mapped[str] = mapped_column(Text, default="")
    words_fingerprint: Mapped[str] = mapped_column(String(16), default="")


class KnowledgeProposalRow(Base):
    """A clerk's proposed article from a closed case (经验沉淀): the outbox to the centre, and its answer.

    `id` is also the proposal's idempotency key at the centre: sending it again after a lost answer is a duplicate
    there. Unsent while `sent_at` is empty; `refused` is the centre's reason when it will never take it (not sent
    again); `status`, `reason`, `article_id` and `decided_at` are the centre's decision, as sync brings it.
    """

    __tablename__ = "kb_proposals"
    __table_args__ = (Index("ix_kb_proposals_unsent", "sent_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    case_number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    categories: Mapped[Any] = mapped_column(JsonText())
    keywords: Mapped[Any] = mapped_column(JsonText())
    proposer: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    refused: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    article_id: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
