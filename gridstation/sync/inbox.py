"""What a sync leaves for a person: conflicts to settle and work orders from the centre to look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridstation.domain.case import FIELD_LABELS, CaseState
from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage import sync_inbox
from gridstation.sync.summary import NewWorkOrder, urgent_first


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A conflict for the inbox: both values side by side, who set each and when."""

    id: str
    case_id: str
    case_number: str
    field: str
    label: str
    base_value: Any
    station_value: Any
    server_value: Any
    station_actor: str
    station_at: datetime
    server_actor: str
    server_at: datetime | None


def open_conflicts(station: StationService) -> list[ConflictView]:
    with station.reading() as session:
        rows = sync_inbox.open_conflict_records(session)
    return [
        ConflictView(
            id=r.id,
            case_id=r.case_id,
            case_number=r.case_number,
            field=r.field,
            label=FIELD_LABELS.get(r.field, r.field),
            base_value=r.base_value,
            station_value=r.station_value,
            server_value=r.server_value,
            station_actor=r.station_actor,
            station_at=r.station_at,
            server_actor=r.server_actor,
            server_at=r.server_at,
        )
        for r in rows
    ]


def resolve_conflict(station: StationService, actor: StaffMember, conflict_id: str, keep: str) -> CaseState:
    """A person chose which value stands (`keep` is "station" or "server"); this writes a new event."""
    if keep not in ("station", "server"):
        raise ValueError(keep)
    with station.reading() as session:
        row = sync_inbox.conflict_record(session, conflict_id)
        if row is None:
            raise DomainError("conflict.unknown", "找不到该冲突记录。")
        if row.resolved_at is not None:
            raise DomainError("conflict.resolved", "该冲突已处理过。")
        name, station_value, server_value, case_id = row.field, row.station_value, row.server_value, row.case_id
    label = FIELD_LABELS.get(name, name)
    state = station.case(case_id)
    current = str(state.tier) if name == "tier" else getattr(state, name, None)
    reason = f"冲突处理：「{label}」采用本站的值"
    if keep == "server" or current == station_value:
        kept = server_value if keep == "server" else station_value
        payload: dict[str, Any] = {"note": f"冲突处理：「{label}」保留「{kept}」", "resolves_conflict": conflict_id}
        state = station.record(actor, case_id, EventType.NOTE_ADDED, payload)
    elif name == "tier":
        payload = {"to": station_value, "reason": reason, "resolves_conflict": conflict_id}
        state = station.record(actor, case_id, EventType.TIER_CHANGED, payload)
    else:
        payload = {"field": name, "value": station_value, "reason": reason, "resolves_conflict": conflict_id}
        state = station.record(actor, case_id, EventType.INTAKE_CORRECTED, payload)
    now = station.now()
    with station.transaction() as session:
        # The new event is the one that set the case's clock stamp (a sync may have pulled others meanwhile).
        sync_inbox.mark_conflict_resolved(session, conflict_id, now, case_id, state.last_hlc)
        station.record_audit(session, actor, "conflict.resolved", conflict=conflict_id, keep=keep)
    return state


def unseen_work_orders(station: StationService) -> list[NewWorkOrder]:
    """Work orders that came down and no clerk has looked at yet: urgent first, then by dispatch time."""
    with station.reading() as session:
        return urgent_first(sync_inbox.unseen_work_order_cases(session))


def mark_work_orders_seen(station: StationService, actor: StaffMember, case_ids: list[str]) -> None:
    now = station.now()
    with station.transaction() as session:
        sync_inbox.mark_work_orders_seen(session, case_ids, now, actor.name)
