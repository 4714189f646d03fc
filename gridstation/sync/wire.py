"""Between the wire and this desk's database: protocol messages in, storage's plain values out, and back.

Storage knows nothing of the protocol (docs/architecture.md); what a push sends and what a page brings is read
and written here, in the sync layer, so a change of the wire format never reaches the database code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gridstation.domain.case import CaseState
from gridstation.domain.codec import state_from_json
from gridstation.protocol import ConflictOut, PulledEvent, PullResponse, PushedEvent, PushResponse
from gridstation.storage.sync_store import STATION_ORIGIN, IncomingEvent, OutgoingEvent, PushAnswer


def pushed_events(batch: Sequence[OutgoingEvent]) -> list[PushedEvent]:
    return [PushedEvent.numbered(item.event, item.station_seq, item.content_hash) for item in batch]


def push_answers(response: PushResponse) -> list[PushAnswer]:
    return [PushAnswer(r.id, r.outcome, r.code or "", r.reason or "") for r in response.results]


def incoming_event(item: PulledEvent) -> IncomingEvent:
    return IncomingEvent(
        event=item.event.to_event(),
        content_hash=item.event.content_hash,
        from_a_station=item.origin == STATION_ORIGIN,
        station_seq=item.station_seq,
        applied=item.applied,
    )


def page_events(page: PullResponse) -> list[IncomingEvent]:
    return [incoming_event(item) for item in page.items]


def page_states(page: PullResponse) -> list[CaseState]:
    """The server's state of each case the page touches (it decides a case's state)."""
    return [state_from_json(snapshot.state) for snapshot in page.cases]


def page_conflicts(page: PullResponse) -> list[dict[str, Any]]:
    return [conflict_values(item.conflict) for item in page.items if item.conflict is not None]


def conflict_values(conflict: ConflictOut) -> dict[str, Any]:
    return conflict.model_dump()
