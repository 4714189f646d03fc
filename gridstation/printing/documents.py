"""What each paper document shows, as plain data. The service layer fills these from a case and its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gridstation.domain.hotspots import Hotspots
from gridstation.domain.report import MorningReport


@dataclass(frozen=True, slots=True)
class StationHeader:
    name: str
    sub_district: str
    contact_phone: str


@dataclass(frozen=True, slots=True)
class ReceiptData:
    station: StationHeader
    number: str
    qr_payload: str  # the case number, or the status-lookup address that ends with it
    lookup_url: str  # "" when the station has no server
    registered_at: datetime  # station local time
    channel: str
    category: str
    complainant: str  # masked, or 匿名
    phone: str  # masked
    location: str
    description: str
    tier: str
    promise: str  # e.g. "5 分钟内响应"
    answer: str  # 当场办's answer at the desk, else ""
    clerk: str
    reprint_at: datetime | None = None  # set on a reprint (补打): when it was printed


@dataclass(frozen=True, slots=True)
class FollowUpFormData:
    station: StationHeader
    number: str = ""
    registered_at: datetime | None = None
    category: str = ""
    location: str = ""
    complainant: str = ""
    phone: str = ""
    description: str = ""
    answer: str = ""
    closed_at: datetime | None = None
    visit_kind: str = ""  # 部门反馈回访 / 工作站回访, "" on a blank form
    resolution_options: tuple[str, ...] = ()
    satisfaction_options: tuple[str, ...] = ()

    @property
    def blank(self) -> bool:
        return not self.number


@dataclass(frozen=True, slots=True)
class AreaReportData:
    station: StationHeader
    grid: str = ""
    number: str = ""
    reported_at: datetime | None = None
    problem: str = ""
    location: str = ""
    departments: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # one line per step already taken, from the event log
    proposal: str = ""
    support: str = ""
    reporter: str = ""

    @property
    def blank(self) -> bool:
        return not self.number


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One case line in the morning report."""

    number: str
    registered_at: datetime  # station local time
    category: str
    location: str
    summary: str
    tier: str
    status: str
    extra: str = ""  # how late, the conference reason …


@dataclass(frozen=True, slots=True)
class MorningReportData:
    station: StationHeader
    report: MorningReport
    report_at: datetime  # station local time
    since: datetime  # station local time
    generated_by: str
    new_rows: tuple[ReportRow, ...] = ()
    overdue_rows: tuple[ReportRow, ...] = ()
    conference_rows: tuple[ReportRow, ...] = ()
    tier_labels: tuple[str, ...] = ()
    colour_labels: tuple[str, ...] = ()
    open_counts: tuple[tuple[int, ...], ...] = field(default=())  # [colour][tier]
    hotspots: Hotspots | None = None  # 热点问题（一类事）: rising hotspots and recurring problems at the report time
