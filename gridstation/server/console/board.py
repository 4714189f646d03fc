"""The board's filters as a person types them into the page, checked into a `CaseFilter`, and the inbox's groups.

A filter that does not parse is dropped and named in a Chinese message on the page, so the board still shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlencode

from gridstation.domain.enums import STATUS_LABELS, Status
from gridstation.domain.sla import COLOUR_LABELS, Colour
from gridstation.domain.tasks import INBOX_TRAYS, DepartmentTask, inbox_tray, task_of
from gridstation.server.case_reads import CaseFilter
from gridstation.server.case_views import CaseListItem

E = TypeVar("E", bound=StrEnum)
BOARD_PAGE = 50
MAX_CODE = 40
MAX_TEXT = 100
MAX_PAGE_NUMBER = 100_000
OVERDUE_CHOICES = {"": None, "yes": True, "no": False}
ANSWERED = frozenset({Status.DISPOSED, Status.CLOSED, Status.FOLLOWED_UP})
WORKING = frozenset({Status.REGISTERED, Status.CONTACTED, Status.ON_SITE, Status.REOPENED})


@dataclass
class BoardQuery:
    values: dict[str, str]  # as typed, to show back in the form
    wanted: CaseFilter
    page: int
    problems: list[str] = field(default_factory=list)

    def link(self, page: int) -> str:
        kept = {k: v for k, v in self.values.items() if v}
        return "/console/?" + urlencode({**kept, "page": page})


def board_query(params: Mapping[str, str]) -> BoardQuery:
    problems: list[str] = []
    values = {name: str(params.get(name, "")).strip() for name in FIELDS}

    def code(name: str, label: str) -> str | None:
        value = values[name]
        if len(value) > MAX_CODE or "\x00" in value:
            problems.append(f"{label}过长或含有无效字符，已忽略。")
            values[name] = ""
            return None
        return value or None

    text = values["text"]
    if len(text) > MAX_TEXT or "\x00" in text:
        problems.append(f"搜索文字不能超过 {MAX_TEXT} 个字，已忽略。")
        text = values["text"] = ""
    status = _choice(values, "status", "状态", Status, problems)
    colour = _choice(values, "colour", "颜色", Colour, problems)
    if values["overdue"] not in OVERDUE_CHOICES:
        problems.append("“是否超期”只能选“超期”或“未超期”，已忽略。")
        values["overdue"] = ""
    page = 1
    if values["page"]:
        if values["page"].isdigit() and 1 <= int(values["page"]) <= MAX_PAGE_NUMBER:
            page = int(values["page"])
        else:
            problems.append("页码应为正整数，已显示第 1 页。")
        values["page"] = ""
    wanted = CaseFilter(
        station=code("station", "工作站"),
        grid=code("grid", "网格"),
        category=code("category", "类别"),
        status=status,
        colour=colour,
        overdue=OVERDUE_CHOICES[values["overdue"]],
        text=text,
    )
    return BoardQuery(values, wanted, page, problems)


FIELDS = ("station", "grid", "category", "status", "colour", "overdue", "text", "page")
STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]
COLOUR_CHOICES = [(c.value, COLOUR_LABELS[c]) for c in Colour]


def _choice(values: dict[str, str], name: str, label: str, kind: type[E], problems: list[str]) -> E | None:
    value = values[name]
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        problems.append(f"没有这个{label}：{value[:20]}，已忽略。")
        values[name] = ""
        return None


def inbox_groups(
    items: Iterable[CaseListItem],
    tasks: Mapping[str, Sequence[DepartmentTask]],
    department: str | None,
    now: datetime,
) -> dict[str, list[CaseListItem]]:
    """A user's cases in the four trays. A department's case goes by ITS part of the centre's dispatch
    (`inbox_tray`: 待接单, 办理中, 已反馈, 超期 by its own deadline); a part it sent back or that was withdrawn is
    in no tray. A case without such a part (a desk's own dispatch by name, or a user who is not a department)
    goes by the case's status: dispatched → 待接单; being worked on → 办理中; disposed or closed → 已反馈; any
    open case past its deadline → 超期 (only there)."""
    groups: dict[str, list[CaseListItem]] = {name: [] for name in INBOX_TRAYS}
    for item in items:
        task = task_of(tasks.get(item.number, ()), department) if department else None
        if task is not None:
            tray = inbox_tray(task, now)
            if tray is not None:
                groups[tray].append(item)
            continue
        groups[_tray_by_status(item)].append(item)
    return groups


def _tray_by_status(item: CaseListItem) -> str:
    status = Status(item.status)
    if status in ANSWERED:
        return "已反馈"
    if item.overdue:
        return "超期"
    if status is Status.DISPATCHED:
        return "待接单"
    return "办理中"
