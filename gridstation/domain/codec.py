"""JSON forms of events and case states: what storage keeps and what sync will exchange."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from gridstation.domain.case import CaseState, FollowUpRecord
from gridstation.domain.enums import (
    Channel,
    DisposalOutcome,
    FollowUpKind,
    Resolution,
    Satisfaction,
    Status,
    Tier,
)
from gridstation.domain.events import Event, event_from_record, event_record
from gridstation.domain.tasks import DepartmentTask

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
    "conference_due_at",
    "plan_due_at",
}
_STATE_FIELDS = frozenset(f.name for f in fields(CaseState))


def event_to_json(event: Event) -> dict[str, Any]:
    return {**event_record(event), "occurred_at": event.occurred_at.isoformat()}


def event_from_json(data: dict[str, Any]) -> Event:
    return event_from_record({**data, "occurred_at": datetime.fromisoformat(data["occurred_at"])})


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
        elif f.name == "tasks":
            value = [task.to_json() for task in value]
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif value is not None and f.name in ("channel", "tier", "status", "disposal_outcome", "deadline_tier"):
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
    if values.get("deadline_tier") is not None:
        values["deadline_tier"] = Tier(values["deadline_tier"])
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
    values["tasks"] = tuple(DepartmentTask.from_json(t) for t in values.get("tasks", []))
    return CaseState(**values)
