"""What a sync did and what the desk shows about it: the summary of one run, the status bar's figures, the stage
names, and which failures only a person can fix. Plain data; the run itself is `sync.engine`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from gridstation.domain.validation import joined_address

Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 when unknown

STAGE_LABELS = {
    "connect": "连接服务器",
    "push": "上传本站事件",
    "pull": "下载城运中心更新",
    "receipt": "核对今日回执",
    "conflicts": "更新冲突记录",
    "kb_proposals": "报送经验沉淀",
    "knowledge": "更新知识库",
    "photos": "上传照片",
    "photo_downloads": "下载照片",
    "done": "完成",
}

# Only a person can fix these: retrying on a timer would change nothing.
NEEDS_A_PERSON = frozenset(
    {
        "sync.not_enrolled",
        "station.revoked",
        "sync.case_number_clash",
        "sync.sequence_clash",
        "sync.reset_loop",
        "sync.content_mismatch",
        "sync.tampered",  # the local log was edited outside GridStation (issue 13)
    }
)


@dataclass(frozen=True, slots=True)
class RejectedEvent:
    case_number: str
    station_seq: int
    event: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class NewWorkOrder:
    case_id: str
    number: str
    channel: str
    description: str
    urgent: bool
    registered_at: datetime
    due_at: datetime | None
    category_code: str = ""
    address: str = ""  # 小区, 楼栋 and 地址 joined


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """The server's end-of-day receipt compared with the local log for the same numbers."""

    label: str
    from_seq: int
    to_seq: int
    local_events: int
    server_held: int
    server_applied: int
    server_conflicts: int
    server_quarantined: int
    missing_on_server: list[tuple[int, int]]
    missing_here: list[tuple[int, int]]
    local_digest: str
    server_digest: str

    @property
    def matches(self) -> bool:
        return self.local_digest == self.server_digest and not self.missing_on_server and not self.missing_here


@dataclass
class SyncSummary:
    kind: str
    started_at: datetime
    finished_at: datetime | None = None
    ok: bool = False
    error_code: str = ""
    error: str = ""
    pushed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    rejected: list[RejectedEvent] = field(default_factory=list)
    pulled: int = 0
    new_work_orders: list[NewWorkOrder] = field(default_factory=list)
    new_conflicts: int = 0
    open_conflicts: int = 0
    receipt: ReceiptCheck | None = None
    # What is still unsent when the run ended, counted even when it failed early; None only if it could not be
    # counted (the database unreadable): a report then says so instead of a reassuring, wrong 0.
    unsent_after: int | None = None
    renumbered: int = 0
    resent: int = 0
    resets: int = 0
    retries: int = 0
    mismatched: list[str] = field(default_factory=list)
    # Photos: uploaded in this run, still waiting after it (None if not counted), refused by the server for good.
    photos_uploaded: int = 0
    photos_waiting: int | None = None
    photos_refused: list[str] = field(default_factory=list)  # "<case number> <file name>：<reason>"
    district_policy_adopted: int | None = None  # the version of the district's policy this sync brought
    photos_downloaded: int = 0
    photos_to_download: int | None = None
    photo_downloads_failed: list[str] = field(default_factory=list)  # as photos_refused
    # The knowledge base (issue 17): articles new or changed here, articles the centre retired (dropped here), this
    # station's proposals sent, decided at the centre, and refused for good ("<case number>「<title>」：<reason>").
    knowledge_articles_received: int = 0
    knowledge_articles_removed: int = 0
    knowledge_proposals_sent: int = 0
    knowledge_proposals_decided: int = 0
    knowledge_proposals_refused: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started_at", "finished_at"):
            data[key] = data[key].isoformat() if data[key] else None
        for order in data["new_work_orders"]:
            order["registered_at"] = order["registered_at"].isoformat()
            order["due_at"] = order["due_at"].isoformat() if order["due_at"] else None
        if self.receipt is not None:
            data["receipt"]["matches"] = self.receipt.matches
        return data


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar shows."""

    enrolled: bool
    server_url: str
    unsent: int
    oldest_unsent_at: datetime | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str
    unseen_work_orders: int
    open_conflicts: int


def needs_a_person(summary: SyncSummary) -> bool:
    return summary.error_code in NEEDS_A_PERSON or summary.error_code.startswith(("auth.", "enrol."))


class WorkOrderCase(Protocol):
    """What a work order's case row offers to the list of new work orders (storage's CaseRow has it)."""

    id: str
    number: str
    channel: str
    description: str
    urgent: bool
    registered_at: datetime
    due_at: datetime | None
    category_code: str
    compound: str
    building: str
    address: str


def urgent_first(rows: Sequence[WorkOrderCase]) -> list[NewWorkOrder]:
    """Work orders as the clerk should read them: urgent ones first, then by dispatch time."""
    return [_work_order(r) for r in sorted(rows, key=lambda r: (not r.urgent, r.registered_at))]


def _work_order(row: WorkOrderCase) -> NewWorkOrder:
    return NewWorkOrder(
        row.id,
        row.number,
        row.channel,
        row.description[:60],
        row.urgent,
        row.registered_at,
        row.due_at,
        row.category_code,
        joined_address((row.compound, row.building, row.address)),
    )
