"""Issue 15: a department's inbox trays follow ITS part of the dispatch (domain/tasks.py), not the case's status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gridstation.domain.enums import TaskRole, TaskState
from gridstation.domain.tasks import DepartmentTask, inbox_tray

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
EARLIER = NOW - timedelta(minutes=1)


def task(state: TaskState, due: datetime | None = LATER) -> DepartmentTask:
    return DepartmentTask(department="WATER", role=TaskRole.ASSIST, due_at=due, state=state)


@pytest.mark.parametrize(
    ("state", "due", "tray"),
    [
        (TaskState.DISPATCHED, LATER, "待接单"),
        (TaskState.ACCEPTED, LATER, "办理中"),
        (TaskState.ANSWERED, LATER, "已反馈"),
        (TaskState.DISPATCHED, EARLIER, "超期"),
        (TaskState.ACCEPTED, EARLIER, "超期"),
        (TaskState.ANSWERED, EARLIER, "已反馈"),  # its result came in: late or not, it is answered
        (TaskState.DISPATCHED, None, "待接单"),  # no deadline: never overdue
        (TaskState.REJECTED, EARLIER, None),  # sent back: no longer its work
        (TaskState.WITHDRAWN, LATER, None),
    ],
)
def test_the_tray_of_a_department_task(state: TaskState, due: datetime | None, tray: str | None) -> None:
    assert inbox_tray(task(state, due), NOW) == tray
