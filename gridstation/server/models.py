"""The sub-district server's tables. The same schema (and the same migrations) on SQLite and PostgreSQL.

Every write to a station's scope first locks that station's row, so the per-station feed sequence is assigned
in commit order: a pull can never see seq n+1 before seq n is committed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gridstation.common.sqltypes import JsonText, UTCDateTime


class ServerBase(DeclarativeBase):
    pass


class ServerStationRow(ServerBase):
    __tablename__ = "stations"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    enrol_code_hash: Mapped[str] = mapped_column(String(64), default="")
    enrol_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    credential_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    epoch: Mapped[int] = mapped_column(Integer, default=1)
    # The highest station_seq up to which the server holds every event (applied, conflict or quarantined).
    pushed_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The last feed sequence issued in this station's scope.
    feed_head: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DepartmentRow(ServerBase):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the current token was issued (added or rotated), when it stops working (None: never), and when it was
    # last used, to the minute (`credentials.LAST_USE_RESOLUTION`).
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CaseDepartmentRow(ServerBase):
    """A department a case has been dispatched to, now or in the past: the department's scope (`scope.py`).

    Written in the same transaction as the DISPATCHED event that names the department; never removed.
    """

    __tablename__ = "case_departments"
    __table_args__ = (Index("ix_case_departments_department", "department_code"),)

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(20), ForeignKey("departments.code"), primary_key=True)
    # The first dispatch that named the department, and when it happened.
    event_id: Mapped[str] = mapped_column(String(36))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiKeyRow(ServerBase):
    """An Open311 api_key: requests posted with it become work orders for one station."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    station_code: Mapped[str] = mapped_column(String(8), ForeignKey("stations.code"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # As for departments: the current key's issue, its expiry (None: never) and its last use, to the minute.
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ServerCategoryRow(ServerBase):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    parent_code: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServerCaseRow(ServerBase):
    """Projection: the fold of a case's applied events in the server's order."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_server_cases_station_registered", "station_code", "registered_at"),
        Index("ix_server_cases_category", "category_code"),
        Index("ix_server_cases_registered", "registered_at"),
        Index("ix_server_cases_grid", "grid_code"),
        Index("ix_server_cases_status_due", "status", "sla_due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    station_code: Mapped[str] = mapped_column(String(8), ForeignKey("stations.code"))
    category_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[Any] = mapped_column(JsonText())
    version: Mapped[int] = mapped_column(Integer)
    # When the retention run erased the complainant's personal data (server/retention.py); never reset.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Columns of the state the case board filters on (`case_reads`), written by `eventlog.project`. The running
    # deadline is the default district policy's (domain/sla.py); `search_text` holds what a text search looks in
    # (number, description, compound, building: nothing retention erases).
    grid_code: Mapped[str] = mapped_column(String(40), default="")
    tier: Mapped[str] = mapped_column(String(20), default="")
    channel: Mapped[str] = mapped_column(String(30), default="")
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When the running deadline turns blue, yellow and orange (`domain.sla.band_starts`): the colour filter
    # compares these with the time now, which any database does exactly and with an index.
    blue_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    orange_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    search_text: Mapped[str] = mapped_column(Text, default="")


class ServerEventRow(ServerBase):
    """Every event the server holds, applied or kept as a conflict. Append-only."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("station_code", "station_seq", name="uq_events_station_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    station_code: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(10))  # "station" or "server"
    station_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[Any] = mapped_column(JsonText())
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    hlc: Mapped[str] = mapped_column(String(32))
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    applied: Mapped[bool] = mapped_column(Boolean, default=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedRow(ServerBase):
    """A station's pull feed: its scope's events in commit order."""

    __tablename__ = "feed"

    station_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), ForeignKey("events.id"))


class QuarantineRow(ServerBase):
    """Pushed events the server refused: kept whole, with the reason, for a person to look at."""

    __tablename__ = "quarantine"
    __table_args__ = (Index("ix_quarantine_station_seq", "station_code", "station_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_code: Mapped[str] = mapped_column(String(8))
    station_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    event_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[Any] = mapped_column(JsonText())
    code: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConflictRow(ServerBase):
    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_station_open", "station_code", "resolved_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    station_code: Mapped[str] = mapped_column(String(8))
    field: Mapped[str] = mapped_column(String(40))
    base_value: Mapped[Any] = mapped_column(JsonText())
    station_value: Mapped[Any] = mapped_column(JsonText())
    server_value: Mapped[Any] = mapped_column(JsonText())
    station_event_id: Mapped[str] = mapped_column(String(36))
    server_event_id: Mapped[str] = mapped_column(String(36), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_by: Mapped[str] = mapped_column(String(100), default="")
    resolution_event_id: Mapped[str] = mapped_column(String(36), default="")


class WorkOrderRow(ServerBase):
    """A ticket from the 12345 hotline, 信访 or 码上就来, dispatched to a station as a case."""

    __tablename__ = "work_orders"

    ticket: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    station_code: Mapped[str] = mapped_column(String(8), ForeignKey("stations.code"))
    case_id: Mapped[str] = mapped_column(String(36), unique=True)
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    open311_token: Mapped[str] = mapped_column(String(40), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AttachmentRow(ServerBase):
    """One station's upload of a photo: its own progress, whatever other stations sent.

    A station offering content another station uploaded is told it is not here and uploads it itself, so it
    learns nothing of others' photos and always gets its own record; the bytes are kept once on disk per hash.
    """

    __tablename__ = "attachments"

    station_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    media_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AttachmentCaseRow(ServerBase):
    """Which of a station's cases a photo it uploaded belongs to (one photo may show several cases' problem)."""

    __tablename__ = "attachment_cases"
    __table_args__ = (
        ForeignKeyConstraint(
            ["station_code", "sha256"],
            ["attachments.station_code", "attachments.sha256"],
            name="fk_attachment_cases_attachment",
        ),
    )

    station_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DistrictPolicyRow(ServerBase):
    """One version of the district's deadline policy (issue 16); the highest version is the one in force."""

    __tablename__ = "district_policies"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    policy: Mapped[Any] = mapped_column(JsonText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class KnowledgeArticleRow(ServerBase):
    """An article of the knowledge base (知识库, issue 17), by its stable key; retired ones stay, so stations learn
    to drop them. `seq` is its place in the knowledge feed: every change takes the next number (`KnowledgeFeedRow`)."""

    __tablename__ = "kb_articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    categories: Mapped[Any] = mapped_column(JsonText())
    keywords: Mapped[Any] = mapped_column(JsonText())
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    origin: Mapped[str] = mapped_column(String(20))  # console, import or proposal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(100))


class KnowledgeProposalRow(ServerBase):
    """A station's proposed article from a closed case (经验沉淀), waiting for the centre or decided. A decision
    takes a number in the knowledge feed (`seq`), so the station hears of it with its next sync."""

    __tablename__ = "kb_proposals"
    __table_args__ = (UniqueConstraint("station_code", "idempotency_key", name="uq_kb_proposals_station_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(8), ForeignKey("stations.code"))
    idempotency_key: Mapped[str] = mapped_column(String(36))
    case_number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    categories: Mapped[Any] = mapped_column(JsonText())
    keywords: Mapped[Any] = mapped_column(JsonText())
    proposer: Mapped[str] = mapped_column(String(40))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)


class KnowledgeFeedRow(ServerBase):
    """The knowledge feed's last number, in one row (id 1) that every change locks: numbers follow commit order,
    so a station reading after its cursor never skips a change committed late."""

    __tablename__ = "kb_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    head: Mapped[int] = mapped_column(BigInteger)


class ServerAuditRow(ServerBase):
    """Administrative actions and refusals worth a person's attention (revocations, reused event ids)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[Any] = mapped_column(JsonText())


class ServerUserRow(ServerBase):
    """A person who signs in to the console or the API: the centre, a department, a gridlead, an administrator."""

    __tablename__ = "server_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(40), default="")
    # A department user's department; a gridlead's grid codes (a JSON list); neither for the centre and admins.
    department_code: Mapped[str | None] = mapped_column(String(20), ForeignKey("departments.code"), nullable=True)
    grid_codes: Mapped[Any] = mapped_column(JsonText())
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Wrong passwords in a row, and the end of the lockout they caused (domain/console_roles.py).
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ServerSessionRow(ServerBase):
    """A signed-in user's bearer token, kept as its hash (`credentials.secret_hash`) until it expires or is ended."""

    __tablename__ = "server_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("server_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StationHealthRow(ServerBase):
    """What the centre's status page and /metrics show of a station's syncing (`station_health.py`, issue 19): when
    it last pushed and pulled, how many events it said were waiting to be sent, and the last refusal it was given.

    Apart from `stations`, whose row every write to the station's scope locks: this is written outside those
    transactions, at most about once a minute per station unless something changed.
    """

    __tablename__ = "station_health"

    station_code: Mapped[str] = mapped_column(String(8), ForeignKey("stations.code"), primary_key=True)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # As the station reported it (None: a station from before issue 19, which does not say).
    unsent: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    unsent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The last error answered to the station (an ErrorBody code such as `sequence.gap`), and when.
    last_error_code: Mapped[str] = mapped_column(String(60), default="")
    last_error_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
