"""Immutable case events: the unit of history, audit and sync."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from uuid6 import uuid7

from gridstation.domain.enums import EventType

JsonDict = dict[str, Any]


def new_id() -> str:
    """A UUIDv7: unique across stations and roughly time-ordered for index locality.

    Never order by the time inside an id; use the HLC stamp.
    """
    return str(uuid7())


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Event:
    """One immutable fact about a case. `id` is also its idempotency key when synced."""

    id: str
    case_id: str
    type: EventType
    payload: JsonDict
    actor_id: str
    actor_name: str
    station_code: str
    occurred_at: datetime
    hlc: str
    schema_version: int = 1
    extra: JsonDict = field(default_factory=dict)

    def content_hash(self) -> str:
        """SHA-256 over everything that makes the event what it is; a replay must hash the same."""
        body = {
            "id": self.id,
            "case_id": self.case_id,
            "type": str(self.type),
            "payload": self.payload,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "station_code": self.station_code,
            # In UTC: the same instant written with another offset is the same event.
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "hlc": self.hlc,
            "schema_version": self.schema_version,
        }
        return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


class StoredEvent(Protocol):
    """What a database row of an event holds (the station's and the server's tables alike)."""

    id: str
    case_id: str
    type: str
    payload: Any
    actor_id: str
    actor_name: str
    station_code: str
    occurred_at: datetime
    hlc: str
    schema_version: int


def event_from_stored(row: StoredEvent) -> Event:
    return Event(
        id=row.id,
        case_id=row.case_id,
        type=EventType(row.type),
        payload=row.payload,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        station_code=row.station_code,
        occurred_at=row.occurred_at,
        hlc=row.hlc,
        schema_version=row.schema_version,
    )
