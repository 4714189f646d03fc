"""督办: deadlines that act. One pass over a case says what supervision is now due on it (issue 16):

- 预警催办 (urge): the running deadline has turned yellow (or orange): the owner and the department are reminded;
- 超时升级 (escalate): it has passed: the case goes up to the 网格长 of its grid;
- 部门超期 (department overdue): a department's part of a dispatch is past its own due time without a result: the
  centre's supervisor is told;
- 列入难题会诊 (agenda): a case that ran late twice, or a 跟踪督办 case past its step, goes onto the weekly 难题会诊.

Each notice has a key naming what it is about (the deadline by its stage and start, the department's part by its
department and due time), so a second pass over the same case finds it done and adds nothing. The server records
each as a `case.supervised` event (`server/supervision.py`); a desk offline works the same notices out from the same
policy to warn its clerks, without recording them (the server's events reach it with the next sync).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gridstation.domain.case import CaseState
from gridstation.domain.enums import SUPERVISION_LABELS, TASK_ROLE_LABELS, SupervisionLevel, Tier
from gridstation.domain.localtime import BEIJING, local_minute
from gridstation.domain.sla import STAGE_LABELS, Colour, ColourScheme, DeadlinePolicy

WARNING_COLOURS = frozenset({Colour.YELLOW, Colour.ORANGE})
# Deadlines missed before a case goes onto the conference agenda (a 跟踪督办 case goes at its first).
MISSES_FOR_AGENDA = 2


@dataclass(frozen=True, slots=True)
class Notice:
    level: SupervisionLevel
    key: str  # what it is about; one notice per key and case, ever
    to: str  # who is told, as a person reads it
    reason: str

    def payload(self) -> dict[str, Any]:
        """What its `case.supervised` event records."""
        return {"level": str(self.level), "key": self.key, "to": self.to, "reason": self.reason}


def due_notices(
    state: CaseState,
    policy: DeadlinePolicy,
    scheme: ColourScheme,
    now: datetime,
    done: Iterable[str],
    *,
    gridlead: str = "",
) -> list[Notice]:
    """The notices due on `state` at `now` that are not among the keys `done`, in the order to record them.
    `gridlead` names the 网格长 of the case's grid when the caller knows one."""
    if not state.is_open:
        return []
    done_keys = set(done)
    notices: list[Notice] = []
    deadline = state.running_deadline(policy)
    if deadline is not None:
        about = f"{deadline.stage}@{deadline.started_at.isoformat()}"
        stage = STAGE_LABELS[deadline.stage]
        due = local_minute(deadline.due_at)
        owner = state.assignee or "承办人"
        if now > deadline.due_at:
            grid = f"网格长 {gridlead}" if gridlead else f"网格 {state.grid_code or '未指定'} 的网格长"
            notices.append(
                Notice(SupervisionLevel.ESCALATE, f"escalate:{about}", grid, f"{stage}时限 {due} 已过，仍未完成")
            )
        elif scheme.colour_for(deadline.started_at, deadline.due_at, now) in WARNING_COLOURS:
            notices.append(Notice(SupervisionLevel.URGE, f"urge:{about}", owner, f"{stage}时限 {due} 将到，请抓紧办理"))
    for task in state.tasks:
        if task.is_open and task.due_at is not None and now > task.due_at:
            role = TASK_ROLE_LABELS[task.role]
            notices.append(
                Notice(
                    SupervisionLevel.DEPARTMENT_OVERDUE,
                    f"department_overdue:{task.department}@{task.due_at.isoformat()}",
                    "城运中心督办",
                    f"{task.department}（{role}）办理时限 {local_minute(task.due_at)} 已过，尚无办理结果",
                )
            )
    if state.conference_due_at is not None and now > state.conference_due_at:
        due = local_minute(state.conference_due_at)
        notices.append(
            Notice(
                SupervisionLevel.DECISION_OVERDUE,
                f"decision_overdue@{state.conference_due_at.isoformat()}",
                state.conference_owner or "难题会诊",
                f"难题会诊决定（{state.conference_decision}）的完成时限 {due} 已过，诉求仍未办结",
            )
        )
    plan_passed = state.tier is Tier.TRACKED and state.plan_due_at is not None and now >= state.plan_due_at
    escalations = {key for key in done_keys if key.startswith("escalate:")}
    escalations |= {n.key for n in notices if n.level is SupervisionLevel.ESCALATE}
    tracked_late = state.tier is Tier.TRACKED and bool(escalations)
    if not state.conference_flagged and (len(escalations) >= MISSES_FOR_AGENDA or tracked_late or plan_passed):
        why = "跟踪督办事项超过时限" if tracked_late and len(escalations) < MISSES_FOR_AGENDA else "多次超过时限"
        if plan_passed and not tracked_late and len(escalations) < MISSES_FOR_AGENDA and state.plan_due_at:
            planned = (state.plan_due_at - timedelta(days=1)).astimezone(BEIJING).date().isoformat()
            why = f"跟踪督办计划完成日期 {planned} 已过，诉求仍未办结"
        notices.append(Notice(SupervisionLevel.AGENDA, "agenda", "难题会诊", why))
    return [n for n in notices if n.key not in done_keys]


def describe_notice(payload: Mapping[str, Any]) -> str:
    """A notice as the timeline shows it: "预警催办（区水务局）：处置时限 2026-11-23 10:30 将到，请抓紧办理"."""
    label = SUPERVISION_LABELS[SupervisionLevel(payload["level"])]
    return f"{label}（{payload.get('to', '')}）：{payload.get('reason', '')}"
