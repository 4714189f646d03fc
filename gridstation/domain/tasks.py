"""吹哨报到: the departments a case is dispatched to, each with its part (lead or co-operating), its own deadline
and where its answer stands — the part of a case's state the centre's dispatch and the departments' replies fold.

Pure data and folding; which events are legal when is `domain/dispatch.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from gridstation.domain.enums import ReplyKind, TaskRole, TaskState

OPEN_TASK_STATES = frozenset({TaskState.DISPATCHED, TaskState.ACCEPTED})


@dataclass(frozen=True, slots=True)
class DepartmentTask:
    """One department's part of the current dispatch."""

    department: str  # its code
    role: TaskRole
    due_at: datetime | None
    state: TaskState = TaskState.DISPATCHED
    last_reply: str = ""  # the words of its latest answer, shown beside the case

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TASK_STATES

    def to_json(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "role": str(self.role),
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "state": str(self.state),
            "last_reply": self.last_reply,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DepartmentTask:
        due = data.get("due_at")
        return cls(
            department=str(data["department"]),
            role=TaskRole(data["role"]),
            due_at=datetime.fromisoformat(due) if due else None,
            state=TaskState(data.get("state", TaskState.DISPATCHED)),
            last_reply=str(data.get("last_reply", "")),
        )


def tasks_of_dispatch(payload: Mapping[str, Any], before: Sequence[DepartmentTask]) -> tuple[DepartmentTask, ...]:
    """The tasks after a centre's dispatch: those it names, and the open ones it leaves out marked withdrawn."""
    named = [
        DepartmentTask(
            department=str(item["department"]),
            role=TaskRole(item["role"]),
            due_at=datetime.fromisoformat(item["due_at"]) if item.get("due_at") else None,
        )
        for item in payload.get("tasks", [])
    ]
    codes = {task.department for task in named}
    dropped = tuple(
        replace(task, state=TaskState.WITHDRAWN) if task.is_open else task
        for task in before
        if task.department not in codes
    )
    return (*named, *dropped)


def withdraw_all(tasks: Sequence[DepartmentTask]) -> tuple[DepartmentTask, ...]:
    return tuple(replace(t, state=TaskState.WITHDRAWN) if t.is_open else t for t in tasks)


def task_of(tasks: Sequence[DepartmentTask], department: str) -> DepartmentTask | None:
    """The department's part of the current dispatch, if it has one."""
    return next((t for t in tasks if t.department == department), None)


def lead_task(tasks: Sequence[DepartmentTask]) -> DepartmentTask | None:
    return next((t for t in tasks if t.role is TaskRole.LEAD and t.state is not TaskState.WITHDRAWN), None)


REPLY_STATES: dict[ReplyKind, TaskState] = {
    ReplyKind.ACCEPT: TaskState.ACCEPTED,
    ReplyKind.REJECT: TaskState.REJECTED,
    ReplyKind.PROGRESS: TaskState.ACCEPTED,  # an answer under way means the order was taken
    ReplyKind.ON_SITE: TaskState.ACCEPTED,
    ReplyKind.RESULT: TaskState.ANSWERED,
}


def with_reply(
    tasks: Sequence[DepartmentTask], department: str, kind: ReplyKind, words: str
) -> tuple[DepartmentTask, ...]:
    """The tasks after `department` answered with `kind`."""
    return tuple(
        replace(t, state=REPLY_STATES[kind], last_reply=words or t.last_reply) if t.department == department else t
        for t in tasks
    )


# A department's inbox (待办收件箱): its trays, by where ITS part of the dispatch stands, not the case's status.
INBOX_TRAYS = ("待接单", "办理中", "已反馈", "超期")
_TRAY_OF_STATE: dict[TaskState, str] = {
    TaskState.DISPATCHED: "待接单",
    TaskState.ACCEPTED: "办理中",
    TaskState.ANSWERED: "已反馈",
}


def inbox_tray(task: DepartmentTask, now: datetime) -> str | None:
    """The tray of a department's task: 超期 when its own deadline passed without a result (only there); None
    for a part it sent back (退单) or the centre withdrew — no longer its work."""
    if task.is_open and task.due_at is not None and now > task.due_at:
        return "超期"
    return _TRAY_OF_STATE.get(task.state)


# What the desk's case list keeps of a dispatch, one short column (storage's `cases.departments`):
# "WATER:lead:answered GREEN:assist:accepted", lead first, withdrawn parts left out.
@dataclass(frozen=True, slots=True)
class TaskDigest:
    department: str
    role: TaskRole
    state: TaskState


def tasks_digest(tasks: Sequence[DepartmentTask]) -> str:
    shown = sorted((t for t in tasks if t.state is not TaskState.WITHDRAWN), key=lambda t: t.role is not TaskRole.LEAD)
    return " ".join(f"{t.department}:{t.role}:{t.state}" for t in shown)


def read_digest(text: str) -> list[TaskDigest]:
    """The parts of a digest; anything not of its form is skipped (a list row never fails to show)."""
    parts = []
    for item in text.split():
        department, _, rest = item.partition(":")
        role, _, state = rest.partition(":")
        if department and role in TaskRole.__members__.values() and state in TaskState.__members__.values():
            parts.append(TaskDigest(department, TaskRole(role), TaskState(state)))
    return parts
