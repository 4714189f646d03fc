"""Checking that the station's logs are what GridStation wrote: every event's content hash recomputed, the event
chain and the audit chain followed from the first entry to the last (`gridstation audit verify`, and the desk at
start-up, off the screen's thread). docs/security.md describes the design and what it can and cannot catch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridstation.domain.enums import EVENT_LABELS, EventType
from gridstation.services.core import StationCore
from gridstation.storage import integrity
from gridstation.storage.integrity import AUDIT_LOG, BrokenLink, ChainCheck

# What an audit entry records, in words (anything not listed shows its code).
AUDIT_ACTION_LABELS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in.failed": "登录失败",
    "sign_in.locked": "锁定期间尝试登录",
    "pin.changed": "修改 PIN",
    "pin.set": "管理员重设 PIN",
    "pin.rehashed": "PIN 升级为 argon2id 保存",
    "staff.added": "添加人员",
    "staff.imported": "导入人员",
    "staff.disabled": "停用人员",
    "staff.enabled": "启用人员",
    "staff.role_changed": "更改人员角色",
    "desk.locked": "锁定桌面",
    "desk.unlocked": "解锁桌面",
    "desk.switched": "切换用户",
    "settings.idle_lock": "修改自动锁定时间",
    "station.initialised": "建立工作站",
    "numbering.floor_raised": "编号下限提高",
    "retention.run": "个人信息保存期限清理",
    "retention.anonymised": "个人信息匿名化记录",
    "settings.retention": "修改个人信息保存年限",
    "cases.imported": "导入历史台账",
}

VERIFY_HINT = "请运行 gridstation audit verify 查看详情，并联系街道管理员。"


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    events: ChainCheck
    audit: ChainCheck
    checked_at: datetime
    seconds: float
    # The first broken link of each log, in words (empty when intact).
    problems: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return self.events.broken is None and self.audit.broken is None

    def message_zh(self) -> str:
        if self.intact:
            anonymised = self.events.anonymised
            note = f"（其中 {anonymised} 条事件按保存期限规定匿名化，有记录可查）" if anonymised else ""
            return f"日志完整：{self.events.checked} 条事件、{self.audit.checked} 条审计记录均与写入时一致{note}。"
        return "日志校验未通过：数据库在 GridStation 之外被改动过（篡改）。\n" + "\n".join(self.problems)

    def to_json(self) -> dict[str, Any]:
        def log(check: ChainCheck, description: str) -> dict[str, Any]:
            broken = check.broken
            return {
                "checked": check.checked,
                "anonymised": check.anonymised,
                "intact": broken is None,
                "first_broken": None
                if broken is None
                else {
                    "problem": broken.problem,
                    "position": broken.position,
                    "id": broken.entry_id,
                    "kind": broken.kind,
                    "case_number": broken.case_number or None,
                    "station_seq": broken.station_seq,
                    "at": broken.at.isoformat() if broken.at else None,
                    "message": description,
                },
            }

        descriptions = list(self.problems)
        event_text = descriptions.pop(0) if self.events.broken is not None else ""
        audit_text = descriptions.pop(0) if self.audit.broken is not None else ""
        return {
            "intact": self.intact,
            "checked_at": self.checked_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "events": log(self.events, event_text),
            "audit": log(self.audit, audit_text),
            "message": self.message_zh(),
        }


class LogIntegrity(StationCore):
    def verify_logs(self, progress: Callable[[int], None] | None = None) -> IntegrityReport:
        """Recompute both chains and every event's hash; never writes. Runs on a read snapshot, so the desk can go
        on writing meanwhile (what it writes after the snapshot is checked next time)."""
        started = time.perf_counter()
        with self._read() as session, session.begin():
            audit, records = integrity.check_audit(session)
            events = integrity.check_events(session, records, progress)
        problems = tuple(self.describe_break(check.broken) for check in (events, audit) if check.broken is not None)
        return IntegrityReport(events, audit, self._now(), time.perf_counter() - started, problems)

    def describe_break(self, broken: BrokenLink) -> str:
        when = f"{self.local_time(broken.at):%Y-%m-%d %H:%M:%S}" if broken.at else "时间不明"
        if broken.log == AUDIT_LOG:
            label = AUDIT_ACTION_LABELS.get(broken.kind, broken.kind)
            return (
                f"审计日志第 {broken.position} 条（{label} {broken.kind}，{when}）与前一条记录不衔接："
                "这一条被改动过，或它之前的审计记录被删除、插入过。"
            )
        kind = _event_label(broken.kind)
        seq = f"，第 {broken.station_seq} 号事件" if broken.station_seq is not None else ""
        what = f"诉求 {broken.case_number or '（编号不明）'} 的「{kind}」（{broken.kind}{seq}，{when}）"
        if broken.problem == "content":
            return f"事件日志第 {broken.position} 条被改动过：{what}的内容与其校验值不符。"
        return (
            f"事件日志第 {broken.position} 条与前一条事件不衔接：{what}——"
            "它之前的事件被删除、插入或改动过，或它本身的校验值被改写过。"
        )


def _event_label(kind: str) -> str:
    try:
        return EVENT_LABELS[EventType(kind)]
    except (ValueError, KeyError):
        return kind
