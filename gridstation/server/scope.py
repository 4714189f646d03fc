"""Which cases a department may see and touch: those dispatched to it, now or in the past.

The `case_departments` table holds, for each case, every department a DISPATCHED event has named. It is written
in the same transaction as that event (`eventlog.store_event` calls `record_dispatch`), filled for the cases of a
department added after they were dispatched (`record_past_dispatches`), and was backfilled by the migration that
created it. Department updates ask `department_may_see`; so will the console's department views.

A DISPATCHED event names a department by `payload.department` (its code), by the parts of a centre's dispatch
(`payload.tasks`, lead and co-operating departments by code), or by an assignee equal to the
department's code or name: what a clerk picks or types at the desk ("区绿化市容局"), whitespace and letter case
forgiven. Only applied events count: a dispatch the server kept as a conflict never happened in the server's state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.enums import EventType
from gridstation.domain.events import Event
from gridstation.server.models import CaseDepartmentRow, DepartmentRow, ServerEventRow

# What a DISPATCHED event may name a department by.
NAMING_FIELDS = ("department", "assignee")
_DIRECTORY_KEY = "department_directory"  # session.info: the departments, loaded once per transaction
_RECORDED_KEY = "case_departments_recorded"  # session.info: pairs added in this transaction, not yet flushed


@dataclass(frozen=True, slots=True)
class Dispatch:
    """A department a case was dispatched to, by which event, when."""

    case_id: str
    department_code: str
    event_id: str
    dispatched_at: datetime


def name_key(text: str) -> str:
    """How a department's code or name is compared: inner whitespace collapsed, letter case ignored."""
    return " ".join(text.split()).casefold()


def department_directory(departments: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every way a dispatch may name a department, (code, name) pairs given, to the department's code."""
    directory: dict[str, str] = {}
    for code, name in departments:
        directory[name_key(name)] = code
        directory[name_key(code)] = code  # a code wins over another department's identical name
    return directory


def departments_named(payload: Mapping[str, Any], directory: Mapping[str, str]) -> set[str]:
    """The codes of the departments a DISPATCHED event's payload names."""
    named = set()
    values = [payload.get(field) for field in NAMING_FIELDS]
    # The centre's dispatch (吹哨报到) names every department's part, the co-operating ones too.
    tasks = payload.get("tasks")
    if isinstance(tasks, list):
        values += [task.get("department") for task in tasks if isinstance(task, Mapping)]
    for value in values:
        if isinstance(value, str) and name_key(value) in directory:
            named.add(directory[name_key(value)])
    return named


def first_dispatches(
    events: Iterable[tuple[str, str, Mapping[str, Any], datetime]], directory: Mapping[str, str]
) -> Iterator[Dispatch]:
    """From applied DISPATCHED events (case id, event id, payload, time) in the order the server applied them, the
    first dispatch of each case to each department of `directory`."""
    seen: set[tuple[str, str]] = set()
    for case_id, event_id, payload, at in events:
        for code in sorted(departments_named(payload, directory)):
            if (case_id, code) not in seen:
                seen.add((case_id, code))
                yield Dispatch(case_id, code, event_id, at)


def department_may_see(session: Session, department_code: str, case_id: str) -> bool:
    """Whether the case has ever been dispatched to the department: the one question of a department's scope."""
    found = session.scalar(
        select(CaseDepartmentRow.case_id).where(
            CaseDepartmentRow.case_id == case_id, CaseDepartmentRow.department_code == department_code
        )
    )
    return found is not None


def record_dispatch(session: Session, event: Event) -> None:
    """Bring the case into the scope of each department an applied DISPATCHED event names (others: nothing)."""
    if event.type is not EventType.DISPATCHED:
        return
    directory = session.info.get(_DIRECTORY_KEY)
    if directory is None:
        with session.no_autoflush:
            rows = session.execute(select(DepartmentRow.code, DepartmentRow.name)).tuples()
            directory = session.info[_DIRECTORY_KEY] = department_directory(rows)
    for code in sorted(departments_named(event.payload, directory)):
        _remember(session, Dispatch(event.case_id, code, event.id, event.occurred_at))


def record_past_dispatches(session: Session, department_code: str, name: str) -> int:
    """Bring into a department's scope the cases dispatched to it before the server knew it; returns how many."""
    directory = department_directory([(department_code, name)])
    events = session.execute(
        select(ServerEventRow.case_id, ServerEventRow.id, ServerEventRow.payload, ServerEventRow.occurred_at)
        .where(ServerEventRow.type == str(EventType.DISPATCHED), ServerEventRow.applied.is_(True))
        .order_by(ServerEventRow.received_at, ServerEventRow.id)
    ).tuples()
    count = 0
    for dispatch in first_dispatches(events, directory):
        count += _remember(session, dispatch)
    return count


def _remember(session: Session, dispatch: Dispatch) -> bool:
    recorded: set[tuple[str, str]] = session.info.setdefault(_RECORDED_KEY, set())
    pair = (dispatch.case_id, dispatch.department_code)
    if pair in recorded:
        return False
    recorded.add(pair)
    # No autoflush: a push stores thousands of events, and flushing for each dispatch would cost more than it.
    with session.no_autoflush:
        if department_may_see(session, dispatch.department_code, dispatch.case_id):
            return False
    session.add(
        CaseDepartmentRow(
            case_id=dispatch.case_id,
            department_code=dispatch.department_code,
            event_id=dispatch.event_id,
            dispatched_at=dispatch.dispatched_at,
        )
    )
    return True
