"""The station's two chained logs in the database: linking each new entry to its predecessor, checking both chains
and every event's content hash, and the records of what a retention run anonymised.

How the chains are built is in domain/integrity.py; docs/security.md explains the design. Every function works
inside the caller's transaction: an entry and its link are written together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gridstation.domain.events import EVENT_FIELDS, Event, event_from_record
from gridstation.domain.integrity import GENESIS, audit_entry_hash, audit_link, event_link
from gridstation.storage.models import AuditRow

EVENTS_LOG = "events"
AUDIT_LOG = "audit"

# The audit action of a retention run's record of the events it anonymised: {"events": {id: [before, after]}}.
# `verify` accepts an event whose content differs from its stored hash only if such a record, itself in the
# chained audit log, names the event with exactly its stored hash (before) and its recomputed one (after).
ANONYMISED_ACTION = "retention.anonymised"

# Rows are read in pages of this many: a 200 000-case station has millions of events.
_PAGE = 20_000


# --- writing: each new entry linked to the last one -------------------------------------------------------


# The chain's last link: that of the event stored last (storage/case_store.py reads it in an append's one query).
LAST_LINK_QUERY = "SELECT chain_hash FROM events ORDER BY rowid DESC LIMIT 1"


def last_event_link(session: Session) -> str:
    link = session.execute(text(LAST_LINK_QUERY)).scalar()
    return str(link) if link else GENESIS


def link_event_values(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Give each new event row (column values, in the order they will be inserted) its `chain_hash`."""
    session.flush()  # events added earlier in this transaction come first
    link_rows(last_event_link(session), rows)


def link_rows(last_link: str | None, rows: Sequence[dict[str, Any]]) -> None:
    """Link each new event row after `last_link`, the chain hash of the event stored last (None: no event yet)."""
    link = last_link or GENESIS
    for values in rows:
        link = values["chain_hash"] = event_link(link, values["id"], values["content_hash"])


def add_audit_entry(
    session: Session, *, entry_id: str, at: datetime, staff_id: str, staff_name: str, action: str, detail: Any
) -> AuditRow:
    """Append an audit entry linked to the last one (the caller's transaction holds SQLite's write lock, so no other
    writer can slip an entry in between)."""
    session.flush()
    previous = session.execute(text("SELECT chain_hash FROM audit_log ORDER BY rowid DESC LIMIT 1")).scalar()
    digest = audit_entry_hash(entry_id, at, staff_id, staff_name, action, detail)
    row = AuditRow(
        id=entry_id,
        at=at,
        staff_id=staff_id,
        staff_name=staff_name,
        action=action,
        detail=detail,
        chain_hash=audit_link(str(previous) if previous else GENESIS, digest),
    )
    session.add(row)
    session.flush()
    return row


# --- checking ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first place a log no longer is what GridStation wrote.

    `problem`: "content" (an event's fields no longer give its stored hash: the event itself was edited) or "link"
    (the entry does not follow from the one before it: it was edited, or entries before it were deleted or
    inserted, or its order changed).
    """

    log: str
    problem: str
    position: int  # 1-based, in the log's stored order
    entry_id: str
    kind: str  # event type or audit action
    at: datetime | None
    case_number: str = ""
    station_seq: int | None = None


@dataclass(frozen=True, slots=True)
class ChainCheck:
    log: str
    checked: int
    anonymised: int  # events accepted because a chained retention record names them
    broken: BrokenLink | None


def _utc(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


# The columns of an event's row that make the event (EVENT_FIELDS), then what the check needs besides.
_FIELD_COLUMNS = EVENT_FIELDS
_EVENT_COLUMNS = ", ".join((*_FIELD_COLUMNS, "content_hash", "chain_hash", "station_seq"))
_STORED = len(_FIELD_COLUMNS)  # index of content_hash in a row (after rowid)
# The body Event.content_hash() hashes is canonical JSON: its keys in sorted order.
_BODY_ORDER = tuple(sorted(range(len(_FIELD_COLUMNS)), key=lambda index: _FIELD_COLUMNS[index]))
_PAYLOAD = _FIELD_COLUMNS.index("payload")
_OCCURRED_AT = _FIELD_COLUMNS.index("occurred_at")
_SCHEMA_VERSION = _FIELD_COLUMNS.index("schema_version")
_BODY_KEYS = tuple((index, json.dumps(_FIELD_COLUMNS[index]) + ":") for index in _BODY_ORDER)
# What json.dumps(..., ensure_ascii=False) writes for a string, without its per-call set-up.
_json_string: Callable[[str], str] = json.encoder.encode_basestring


def _event_of(row: Sequence[Any]) -> Event:
    values = dict(zip(_FIELD_COLUMNS, row[: len(_FIELD_COLUMNS)], strict=True))
    values["payload"] = json.loads(values["payload"])
    values["occurred_at"] = _utc(values["occurred_at"])
    return event_from_record(values)


def _quick_hash(row: Sequence[Any]) -> str:
    """SHA-256 of the canonical body Event.content_hash() would build, spliced from the stored text (the payload
    column already holds canonical JSON). Several times faster than rebuilding the event, and only ever used as a
    shortcut: equal to the stored hash proves the stored fields are exactly what was hashed; anything else is
    decided by Event.content_hash() itself."""
    parts = []
    for index, key in _BODY_KEYS:
        value = row[index]
        if index == _PAYLOAD:
            parts.append(key + value)
        elif index == _OCCURRED_AT:  # "YYYY-MM-DD HH:MM:SS.ffffff" in UTC; isoformat drops a zero fraction
            fraction = "" if value[20:] == "000000" else value[19:]
            parts.append(f'{key}"{value[:10]}T{value[11:19]}{fraction}+00:00"')
        elif index == _SCHEMA_VERSION:
            parts.append(f"{key}{int(value)}")
        else:
            parts.append(key + _json_string(value))
    return hashlib.sha256(("{" + ",".join(parts) + "}").encode("utf-8")).hexdigest()


def content_matches(row: Sequence[Any]) -> tuple[bool, str]:
    """(do the stored fields give the stored hash?, the hash they give) for a row of `_EVENT_COLUMNS`."""
    stored = row[_STORED]
    if _quick_hash(row) == stored:
        return True, stored
    recomputed = _event_of(row).content_hash()
    return recomputed == stored, recomputed


def check_events(
    session: Session, anonymised: Mapping[str, tuple[str, str]], progress: Callable[[int], None] | None = None
) -> ChainCheck:
    """Recompute every event's content hash and the event chain, in stored order; stop at the first break."""
    connection = session.connection()
    link = GENESIS
    position = 0
    accepted = 0
    last_rowid = 0
    while True:
        rows = connection.execute(
            text(f"SELECT {_EVENT_COLUMNS}, rowid FROM events WHERE rowid > :after ORDER BY rowid LIMIT :n"),
            {"after": last_rowid, "n": _PAGE},
        ).all()
        if not rows:
            return ChainCheck(EVENTS_LOG, position, accepted, None)
        for row in rows:
            position += 1
            event_id, stored = row[0], row[_STORED]
            intact, recomputed = content_matches(row)
            if not intact:
                if anonymised.get(event_id) == (stored, recomputed):
                    accepted += 1
                else:
                    return ChainCheck(EVENTS_LOG, position, accepted, _event_break(session, row, "content", position))
            link = event_link(link, event_id, stored)
            if row[_STORED + 1] != link:
                return ChainCheck(EVENTS_LOG, position, accepted, _event_break(session, row, "link", position))
        last_rowid = rows[-1][-1]
        if progress is not None:
            progress(position)


def _event_break(session: Session, row: Sequence[Any], problem: str, position: int) -> BrokenLink:
    values = dict(zip((*_FIELD_COLUMNS, "content_hash", "chain_hash", "station_seq"), row, strict=False))
    number = session.execute(text("SELECT number FROM cases WHERE id = :id"), {"id": values["case_id"]}).scalar()
    return BrokenLink(
        log=EVENTS_LOG,
        problem=problem,
        position=position,
        entry_id=values["id"],
        kind=values["type"],
        at=_utc(values["occurred_at"]),
        case_number=str(number or ""),
        station_seq=values["station_seq"],
    )


def check_audit(session: Session) -> tuple[ChainCheck, dict[str, tuple[str, str]]]:
    """Recompute the audit chain; also returns the anonymisation records found up to the first break (only
    records that are themselves intact vouch for an anonymised event)."""
    connection = session.connection()
    link = GENESIS
    position = 0
    last_rowid = 0
    records: dict[str, tuple[str, str]] = {}
    while True:
        rows = (
            connection.execute(
                text(
                    "SELECT rowid, id, at, staff_id, staff_name, action, detail, chain_hash FROM audit_log "
                    "WHERE rowid > :after ORDER BY rowid LIMIT :n"
                ),
                {"after": last_rowid, "n": _PAGE},
            )
            .mappings()
            .all()
        )
        if not rows:
            return ChainCheck(AUDIT_LOG, position, 0, None), records
        for row in rows:
            position += 1
            detail = json.loads(row["detail"]) if row["detail"] is not None else {}
            at = _utc(row["at"])
            digest = audit_entry_hash(row["id"], at, row["staff_id"], row["staff_name"], row["action"], detail)
            if row["chain_hash"] != audit_link(link, digest):
                broken = BrokenLink(AUDIT_LOG, "link", position, row["id"], row["action"], at)
                return ChainCheck(AUDIT_LOG, position, 0, broken), records
            link = row["chain_hash"]
            if row["action"] == ANONYMISED_ACTION and isinstance(detail, dict):
                records.update(_anonymised_pairs(detail))
        last_rowid = rows[-1]["rowid"]


def _anonymised_pairs(detail: Mapping[str, Any]) -> Iterable[tuple[str, tuple[str, str]]]:
    for event_id, pair in dict(detail.get("events", {})).items():
        if isinstance(pair, list) and len(pair) == 2:
            yield str(event_id), (str(pair[0]), str(pair[1]))


def anonymisation_records(session: Session) -> dict[str, tuple[str, str]]:
    """Event id -> (hash before, hash after) from every retention record (not checked: for the sync's and the
    receipt's own comparisons; `check_audit` is what vouches for them)."""
    records: dict[str, tuple[str, str]] = {}
    for detail in session.scalars(select(AuditRow.detail).where(AuditRow.action == ANONYMISED_ACTION)):
        if isinstance(detail, dict):
            records.update(_anonymised_pairs(detail))
    return records


def changed_here(event: Event, stored_hash: str, records: Mapping[str, tuple[str, str]]) -> tuple[bool, str]:
    """(was the event changed outside GridStation?, the hash that describes its content now).

    An event anonymised by a retention run is not "changed": its content is described by the hash the run
    recorded; anything else whose fields no longer give its stored hash was edited on this machine."""
    recomputed = event.content_hash()
    if recomputed == stored_hash:
        return False, stored_hash
    if records.get(event.id) == (stored_hash, recomputed):
        return False, recomputed
    return True, recomputed


# --- what the audit log says about sign-ins ---------------------------------------------------------------


def failed_sign_ins_since_success(session: Session, staff_id: str) -> list[datetime]:
    """When each failed sign-in of a member since their last successful one happened, oldest first."""
    rows = session.execute(
        text(
            "SELECT at FROM audit_log WHERE staff_id = :staff AND action = 'sign_in.failed' AND rowid > "
            "COALESCE((SELECT MAX(rowid) FROM audit_log WHERE staff_id = :staff AND action = 'sign_in'), 0) "
            "ORDER BY rowid"
        ),
        {"staff": staff_id},
    ).scalars()
    return [_utc(at) for at in rows]
