"""Immutable case events: the unit of history, audit and sync."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from gridstation.domain.enums import EventType

JsonDict = dict[str, Any]


def new_id() -> str:
    """A UUIDv7: unique across stations and roughly time-ordered for index locality.

    Never order by the time inside an id; use the HLC stamp.
    """
    # Imported at the first id, not at start: uuid6 brings importlib.metadata (~40 ms before the sign-in shows).
    from uuid6 import uuid7

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

    def content_hash(self) -> str:
        """SHA-256 over everything that makes the event what it is; a replay must hash the same."""
        # In UTC: the same instant written with another offset is the same event.
        body = {**event_record(self), "occurred_at": self.occurred_at.astimezone(UTC).isoformat()}
        return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


# Every form of an event is built from this one list, in the dataclass's order: its hash, its JSON (domain/codec.py),
# its rows at the desk (storage/case_store.py) and at the server (server/eventlog.py), and the wire (protocol.py).
EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Event))


def event_record(event: Event) -> JsonDict:
    """The event's fields by name as plain values (its type as the string stored): a row's columns, a JSON body."""
    record = {name: getattr(event, name) for name in EVENT_FIELDS}
    record["type"] = str(event.type)
    return record


def event_from_record(values: Mapping[str, Any]) -> Event:
    """The event whose fields `values` holds by name (see `event_record`); `schema_version` defaults to 1."""
    fields_given = {name: values[name] for name in EVENT_FIELDS if name in values}
    fields_given["type"] = EventType(values["type"])
    fields_given["payload"] = dict(values["payload"])
    return Event(**fields_given)


def event_from_stored(stored: object) -> Event:
    """The event held by anything with its fields as attributes: a row at the desk or the server, a wire event."""
    return event_from_record({name: getattr(stored, name) for name in EVENT_FIELDS})
