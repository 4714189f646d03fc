"""回单: what went back to the 12345 platform (and 信访) for each work order a station answered or closed.

A CSV in the layout `workorder import` reads (工单编号, 来源, 派单时间, 承办工作站, 诉求分类, 诉求内容, 小区, 楼栋,
地址, 处理时限（小时）, 紧急), so the platform's clerks see their own columns, followed by what happened: 办理状态,
处置结果, 处置情况, 处置时间, 办结时间, 回访结果, 回访时间. The resident's name and phone are left out: the platform
holds them already, and a file sent on is one more copy of them. GB18030 by default, which Excel on a Chinese
Windows opens as it is; UTF-8 (with a BOM, for the same Excel) on request.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from gridstation.domain.case import CaseState
from gridstation.domain.codec import state_from_json
from gridstation.domain.enums import (
    DISPOSAL_OUTCOME_LABELS,
    RESOLUTION_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    TASK_ROLE_LABELS,
    Channel,
)
from gridstation.domain.errors import DomainError
from gridstation.domain.localtime import BEIJING, local_minute
from gridstation.server.core import ServerCore
from gridstation.server.models import ServerCaseRow

RETURNED_CHANNELS: dict[Channel, str] = {Channel.HOTLINE_12345: "12345", Channel.PETITION_DISPATCH: "信访"}
ENCODINGS = {"gb18030": "gb18030", "utf-8": "utf-8-sig"}  # what a person asks for -> what is written
DEFAULT_ENCODING = "gb18030"
HEADER = (
    "工单编号", "来源", "派单时间", "承办工作站", "诉求分类", "诉求内容", "小区", "楼栋", "地址", "处理时限（小时）",
    "紧急", "办理状态", "处置结果", "处置情况", "处置时间", "办结时间", "回访结果", "回访时间",
)  # fmt: skip


def parse_since(text: str) -> datetime:
    """ "2026-11-02": the start of that day in Beijing, the first moment whose answers go in the file."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(
            "workorder.since", f"起始日期「{text.strip()}」格式不对，应为 年-月-日，如 2026-11-02。"
        ) from None
    return datetime.combine(day, time(0), tzinfo=BEIJING)


def parse_encoding(text: str) -> str:
    word = text.strip().lower().replace("_", "-")
    word = {"utf8": "utf-8", "gbk": "gb18030", "gb2312": "gb18030"}.get(word, word)
    if word not in ENCODINGS:
        raise DomainError("workorder.encoding", f"编码「{text.strip()}」不支持，可选 gb18030（默认）或 utf-8。")
    return word


@dataclass(frozen=True, slots=True)
class ReturnSlip:
    """One work order's 回单: the case as the server holds it."""

    state: CaseState

    @property
    def answered_at(self) -> datetime | None:
        """When the station answered it: its close, else the departments' result (disposal)."""
        return self.state.closed_at or self.state.disposed_at

    def row(self) -> list[str]:
        s = self.state
        hours = ""
        if s.due_at is not None:
            hours = f"{(s.due_at - s.registered_at).total_seconds() / 3600:g}"
        return [
            s.work_order,
            RETURNED_CHANNELS[s.channel],
            local_minute(s.registered_at),
            s.station_code,
            s.category_code,
            s.description,
            s.compound,
            s.building,
            s.address,
            hours,
            "是" if s.urgent else "否",
            STATUS_LABELS[s.status],
            s.answer,
            _handling(s),
            local_minute(s.disposed_at),
            local_minute(s.closed_at),
            _visit(s),
            local_minute(s.follow_ups[-1].at) if s.follow_ups else "",
        ]


def _handling(s: CaseState) -> str:
    """处置情况: how it was disposed and each department's last words on it."""
    parts = [DISPOSAL_OUTCOME_LABELS[s.disposal_outcome]] if s.disposal_outcome else []
    parts += [f"{t.department}（{TASK_ROLE_LABELS[t.role]}）：{t.last_reply}" for t in s.tasks if t.last_reply]
    return "；".join(parts)


def _visit(s: CaseState) -> str:
    if not s.follow_ups:
        return "未回访"
    latest = s.follow_ups[-1]
    return f"{SATISFACTION_LABELS[latest.satisfaction]}，{RESOLUTION_LABELS[latest.resolution]}"


class WorkOrderReturns(ServerCore):
    def return_slips(self, since: datetime) -> list[ReturnSlip]:
        """Every 12345/信访 work order answered (disposed) or closed at or after `since`, oldest answer first."""
        with self.reading() as session:
            states = session.scalars(
                select(ServerCaseRow.state).where(
                    ServerCaseRow.channel.in_([str(c) for c in RETURNED_CHANNELS]),
                    ServerCaseRow.updated_at >= since,  # an answer is an update: a cheap first cut, by index order
                )
            ).all()
        slips = [ReturnSlip(state_from_json(raw)) for raw in states]
        answered = [
            slip
            for slip in slips
            if slip.state.work_order and slip.answered_at is not None and slip.answered_at >= since
        ]
        return sorted(answered, key=lambda slip: (slip.answered_at, slip.state.work_order))


def returns_csv(slips: list[ReturnSlip], encoding: str = DEFAULT_ENCODING) -> bytes:
    """The 回单 file's bytes; `encoding` is "gb18030" or "utf-8"."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's own line ends
    writer.writerow(HEADER)
    for slip in slips:
        writer.writerow(slip.row())
    return out.getvalue().encode(ENCODINGS[encoding])  # GB18030 encodes every character, as UTF-8 does
