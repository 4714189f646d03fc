"""The history a row of a historic ledger becomes: the same events any case has, at the times the ledger gives.

A case brought in from a ledger is registered as the desk registers one (`decide_registration`), at its 登记时间,
with a mark on the registration saying where it came from (`ImportMark`: the file, the row, the row's
fingerprint). Then it takes, through the lifecycle's own rules (`decide`), each step that leads to the ledger's
status. The ledger dates only the registration and, for a closed case, the close: the steps between are recorded at
the last time it gives (办结时间 for a closed case, 登记时间 otherwise), each saying that its time was not recorded.

Those undated steps are why an imported case is left out of the deadline KPIs (先联率, 按时率, 先联用时;
`ledger_mark.is_imported`, docs/report.md): their times say nothing of how fast anyone worked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from gridstation.domain.case import CaseState, apply
from gridstation.domain.enums import DisposalOutcome, EventType, Status
from gridstation.domain.events import Event
from gridstation.domain.ledger_mark import IMPORTED_FIELD, ImportMark
from gridstation.domain.ledger_rows import LedgerRow
from gridstation.domain.lifecycle import EventDraft, decide, decide_registration
from gridstation.domain.payloads import check_payload

UNDATED_STEP = "历史台账导入：台账未记载这一步的时间"
UNRECORDED_ASSIGNEE = "（台账未记载）"
UNRECORDED_DISPOSAL = "（台账未记载处置情况）"
# The statuses a ledger's row can reach, in the order the lifecycle passes them.
_PATH = (Status.REGISTERED, Status.CONTACTED, Status.DISPATCHED, Status.ON_SITE, Status.DISPOSED, Status.CLOSED)

Stamp = Callable[[EventDraft, datetime], Event]


def imported_case_events(row: LedgerRow, mark: ImportMark, case_id: str, number: str, stamp: Stamp) -> list[Event]:
    """The events of the case `row` becomes, each decided by the lifecycle's rules and stamped by `stamp` (which
    gives it its id, actor, station and clock) at its time. Raises DomainError if the lifecycle refuses a step."""
    drafts = decide_registration(case_id, number, row.intake())
    registration = drafts[0]
    registration.payload[IMPORTED_FIELD] = mark.to_payload()
    check_payload(EventType.REGISTERED, registration.payload, stored=True)
    events = [stamp(draft, row.registered_at) for draft in drafts]
    state: CaseState | None = None
    for event in events:
        state = apply(state, event)
    assert state is not None
    undated_at = row.closed_at or row.registered_at
    # A walk-in is contacted as it is registered: a ledger's 已登记 walk-in is 已先联, as at the desk.
    while _PATH.index(state.status) < _PATH.index(row.status):
        event_type, payload = _next_step(state.status, row)
        at = row.closed_at if event_type is EventType.CLOSED and row.closed_at else undated_at
        event = stamp(decide(state, event_type, payload), at)
        state = apply(state, event)
        events.append(event)
    if row.result and row.status not in (Status.DISPOSED, Status.CLOSED):
        # What the ledger says was done on a case still open: kept as a note rather than lost.
        note = decide(state, EventType.NOTE_ADDED, {"note": f"台账记载的处置情况：{row.result}"})
        events.append(stamp(note, undated_at))
    return events


def _next_step(status: Status, row: LedgerRow) -> tuple[EventType, dict[str, Any]]:
    match status:
        case Status.REGISTERED:
            return EventType.FIRST_CONTACT, {"note": UNDATED_STEP}
        case Status.CONTACTED:
            return EventType.DISPATCHED, {"assignee": UNRECORDED_ASSIGNEE, "note": UNDATED_STEP}
        case Status.DISPATCHED:
            return EventType.ARRIVED_ON_SITE, {"note": UNDATED_STEP}
        case Status.ON_SITE:
            return EventType.DISPOSED, {
                "outcome": str(DisposalOutcome.RESOLVED),
                "note": row.result or UNRECORDED_DISPOSAL,
            }
        case Status.DISPOSED:
            return EventType.CLOSED, {"answer": row.result}
    raise AssertionError(f"no step leads on from {status}")  # the while loop stops at the row's status first


def planned_status(row: LedgerRow) -> Status:
    """The status the case `row` becomes (a walk-in's 已登记 is 已先联): what a dry run counts."""
    events = imported_case_events(row, ImportMark("", row.row, row.fingerprint), "dry-run", "DRY-RUN", _dry_stamp)
    state: CaseState | None = None
    for event in events:
        state = apply(state, event)
    assert state is not None
    return state.status


def _dry_stamp(draft: EventDraft, at: datetime) -> Event:
    return Event(
        id="",
        case_id=draft.case_id,
        type=draft.type,
        payload=draft.payload,
        actor_id="",
        actor_name="",
        station_code="",
        occurred_at=at,
        hlc="",
    )
