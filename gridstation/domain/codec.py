"""JSON forms of events and case states: what storage keeps and what sync will exchange."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from gridstation.domain.case import CaseState, FollowUpRecord
from gridstation.domain.enums import (
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    Resolution,
    Satisfaction,
    Status,
    Tier,
)
from gridstation.domain.events import Event

_DATETIME_FIELDS = {
    "registered_at",
    "stage_started_at",
    "first_contact_at",
    "dispatched_at",
    "on_site_at",
    "disposed_at",
    "closed_at",
    "updated_at",
    "due_at",
}
_STATE_FIELDS = frozenset(f.name for f in fields(CaseState))


def event_to_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "case_id": event.case_id,
        "type": str(event.type),
        "payload": event.payload,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "station_code": event.station_code,
        "occurred_at": event.occurred_at.isoformat(),
        "hlc": event.hlc,
        "schema_version": event.schema_version,
    }


def event_from_json(data: dict[str, Any]) -> Event:
    return Event(
        id=data["id"],
        case_id=data["case_id"],
        type=EventType(data["type"]),
        payload=dict(data["payload"]),
        actor_id=data["actor_id"],
        actor_name=data["actor_name"],
        station_code=data["station_code"],
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        hlc=data["hlc"],
        schema_version=int(data.get("schema_version", 1)),
    )


def state_to_json(state: CaseState) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(state):
        value = getattr(state, f.name)
        if f.name == "follow_ups":
            value = [
                {
                    "kind": str(r.kind),
                    "satisfaction": str(r.satisfaction),
                    "resolution": str(r.resolution),
                    "at": r.at.isoformat(),
                }
                for r in value
            ]
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif value is not None and f.name in ("channel", "tier", "status", "disposal_outcome"):
            value = str(value)
        out[f.name] = value
    return out


def state_from_json(data: dict[str, Any]) -> CaseState:
    # A newer server may know more about a case than this station does; what it cannot show, it leaves out.
    values = {k: v for k, v in data.items() if k in _STATE_FIELDS}
    for name in _DATETIME_FIELDS:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    values["channel"] = Channel(values["channel"])
    values["tier"] = Tier(values["tier"])
    values["status"] = Status(values["status"])
    if values.get("disposal_outcome") is not None:
        values["disposal_outcome"] = DisposalOutcome(values["disposal_outcome"])
    values["follow_ups"] = tuple(
        FollowUpRecord(
            FollowUpKind(r["kind"]),
            Satisfaction(r["satisfaction"]),
            Resolution(r["resolution"]),
            datetime.fromisoformat(r["at"]),
        )
        for r in values.get("follow_ups", [])
    )
    return CaseState(**values)
