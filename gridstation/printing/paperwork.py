"""Paperwork: what each printed document shows, built from a case and its events, and the print settings.

The renderers in gridstation.printing take this plain data; the desk, the CLI and the benchmarks come here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gridstation.domain.case import CaseState
from gridstation.domain.enums import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    FOLLOW_UP_KIND_LABELS,
    RESOLUTION_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    EventType,
    Tier,
)
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.lifecycle import BOOKKEEPING_EVENTS
from gridstation.domain.report import OverdueCase, build_morning_report
from gridstation.domain.sla import COLOUR_LABELS, STAGE_LABELS, Colour, describe_minutes
from gridstation.domain.validation import joined_address, mask_name, mask_phone
from gridstation.printing.config import EscPosSettings
from gridstation.printing.documents import (
    AreaReportData,
    FollowUpFormData,
    MorningReportData,
    ReceiptData,
    ReportRow,
    StationHeader,
)
from gridstation.printing.templates import load_template, receipt_papers
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.settings import SettingKey

RECEIPT_MODES = {"print": "保存后直接打印", "preview": "先预览再打印"}
ESCPOS_KINDS = {"none": "不使用", "network": "网络（TCP 9100）", "usb": "USB 连接", "serial": "串口"}
# The order the morning report lists warning colours in: the most urgent first.
COLOUR_ORDER = (Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.BLUE, Colour.GREEN, Colour.NONE)


@dataclass(frozen=True, slots=True)
class PrintSettings:
    receipt_paper: str = "thermal80"
    receipt_mode: str = "print"
    station_stub: bool = False
    printer_name: str = ""  # "" means the system's default printer
    escpos: EscPosSettings = field(default_factory=EscPosSettings)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PrintSettings:
        if not data:
            return cls()
        escpos_fields = set(EscPosSettings.__dataclass_fields__)
        escpos = EscPosSettings(**{k: v for k, v in dict(data.get("escpos") or {}).items() if k in escpos_fields})
        plain = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "escpos"}
        return cls(**plain, escpos=escpos)

    def validated(self) -> PrintSettings:
        if self.receipt_paper not in receipt_papers():
            raise ValidationError("receipt_paper", "print.paper", "请选择回执纸张。")
        if self.receipt_mode not in RECEIPT_MODES:
            raise ValidationError("receipt_mode", "print.mode", "请选择打印方式。")
        escpos = self.escpos
        if escpos.kind not in ESCPOS_KINDS:
            raise ValidationError("escpos", "escpos.kind", "请选择热敏打印机的连接方式。")
        if escpos.kind == "network":
            if not escpos.host.strip():
                raise ValidationError("escpos_host", "escpos.host", "请填写热敏打印机的 IP 地址。")
            if not 1 <= int(escpos.port) <= 65535:
                raise ValidationError("escpos_port", "escpos.port", "端口须在 1 至 65535 之间。")
        if escpos.kind == "usb":
            for value in (escpos.usb_vendor, escpos.usb_product):
                try:
                    int(value, 16)
                except ValueError as err:
                    raise ValidationError(
                        "escpos_usb", "escpos.usb", "请填写 USB 厂商号和产品号（十六进制，如 0416）。"
                    ) from err
        if escpos.kind == "serial" and not escpos.serial_device.strip():
            raise ValidationError("escpos_serial", "escpos.serial", "请填写串口设备（如 COM3 或 /dev/ttyUSB0）。")
        if escpos.kind != "none" and not receipt_papers()[self.receipt_paper].is_roll:
            raise ValidationError("receipt_paper", "escpos.paper", "热敏打印机只能打印 80 或 58 毫米回执。")
        trimmed = replace(escpos, host=escpos.host.strip(), serial_device=escpos.serial_device.strip())
        return replace(self, escpos=trimmed)


def save_pdf(path: Path, pdf: bytes) -> Path:
    """Write `pdf` to `path` through a `.part` file, so a half-written PDF never carries the final name."""
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(pdf)
    temporary.replace(path)
    return path


def case_location(state: CaseState) -> str:
    return joined_address((state.compound, state.building, state.address))


def _late_text(late_by: timedelta) -> str:
    return describe_minutes(max(1, math.ceil(late_by.total_seconds() / 60)))


def _overdue_text(overdue: OverdueCase) -> str:
    """ "响应超 15 分钟"; for a work order late before it reached the station, how much of it was before."""
    text = f"{STAGE_LABELS[overdue.stage]}超 {_late_text(overdue.late_by)}"
    if overdue.before_received > timedelta(0):
        text += f"（其中接收前 {_late_text(overdue.before_received)}）"
    if overdue.case.owner:  # 专人专责: who answers for it at the morning meeting
        text += f" · 责任人 {overdue.case.owner}"
    return text


class Paperwork:
    """Builds document data for one station; stateless apart from the station service it reads."""

    def __init__(self, station: StationService) -> None:
        self.station = station

    # ------------------------------------------------------------------ settings

    def print_settings(self) -> PrintSettings:
        return PrintSettings.from_json(self.station.setting(SettingKey.PRINTING))

    def set_print_settings(self, actor: StaffMember, settings: PrintSettings) -> PrintSettings:
        clean = settings.validated()
        self.station.set_setting(actor, SettingKey.PRINTING, clean.to_json())
        return clean

    def server_url(self) -> str:
        value = self.station.setting(SettingKey.STATUS_PAGE_URL)
        return str(value).rstrip("/") if value else ""

    # ------------------------------------------------------------------ helpers

    def header(self) -> StationHeader:
        info = self.station.station()
        if info is None:
            raise DomainError("station.missing", "工作站尚未初始化。")
        return StationHeader(info.name, info.sub_district, info.contact_phone)

    def category_labels(self) -> dict[str, str]:
        """ "父类 / 子类" for every leaf, plain names for the rest: read once per document, not once per row."""
        return self.station.category_labels()

    def _local(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else self.station.local_time(moment)

    def promise(self, state: CaseState) -> str:
        if state.tier is Tier.ON_THE_SPOT and state.answer:
            return "已当场答复"
        minutes = self.station.deadline_policy().promised_response_minutes(
            state.tier, state.category_code, state.channel
        )
        return f"{describe_minutes(minutes)}内响应" if minutes else "按规定时限响应"

    # ------------------------------------------------------------------ documents

    def receipt(self, case_id: str) -> ReceiptData:
        """The slip for a case; a case whose receipt was printed before gets a reprint (补打) slip."""
        state = self.station.case(case_id)
        server = self.server_url()
        lookup_url = f"{server}/status/{state.number}" if server else ""
        complainant = "匿名" if state.anonymous else mask_name(state.complainant_name)
        now = self.station.now()
        return ReceiptData(
            station=self.header(),
            number=state.number,
            qr_payload=lookup_url or state.number,
            lookup_url=lookup_url,
            registered_at=self.station.local_time(state.registered_at),
            channel=CHANNEL_LABELS[state.channel],
            category=self.category_labels().get(state.category_code, state.category_code),
            complainant=complainant,
            phone=mask_phone(state.phone) if state.phone else "",
            location=case_location(state),
            description=state.description,
            tier=TIER_LABELS[state.tier],
            promise=self.promise(state),
            answer=state.answer if state.tier is Tier.ON_THE_SPOT else "",
            clerk=state.registered_by,
            reprint_at=self.station.local_time(now) if state.receipts_printed else None,
        )

    def record_receipt_printed(self, actor: StaffMember, case_id: str, paper_key: str, copies: int = 1) -> CaseState:
        """Write the print into the case's history; the second and later prints are 补打."""
        label = receipt_papers()[paper_key].label if paper_key in receipt_papers() else paper_key
        return self.station.record(actor, case_id, EventType.RECEIPT_PRINTED, {"paper": label, "copies": copies})

    def follow_up_form(self, case_id: str | None) -> FollowUpFormData:
        resolution_options = tuple(RESOLUTION_LABELS.values())
        satisfaction_options = tuple(SATISFACTION_LABELS.values())
        if case_id is None:
            return FollowUpFormData(
                station=self.header(),
                resolution_options=resolution_options,
                satisfaction_options=satisfaction_options,
            )
        state = self.station.case(case_id)
        due = state.pending_follow_up()
        return FollowUpFormData(
            station=self.header(),
            number=state.number,
            registered_at=self._local(state.registered_at),
            category=self.category_labels().get(state.category_code, state.category_code),
            location=case_location(state),
            complainant="匿名" if state.anonymous else mask_name(state.complainant_name),
            phone=mask_phone(state.phone) if state.phone else "",
            description=state.description,
            answer=state.answer,
            closed_at=self._local(state.closed_at),
            visit_kind=FOLLOW_UP_KIND_LABELS[due] if due else "",
            resolution_options=resolution_options,
            satisfaction_options=satisfaction_options,
        )

    def area_report(
        self, case_id: str | None, *, proposal: str = "", support: str = "", reporter: str = ""
    ) -> AreaReportData:
        if case_id is None:
            return AreaReportData(station=self.header(), reporter=reporter)
        state = self.station.case(case_id)
        grids = {g.code: g.name for g in self.station.grids()}
        departments: list[str] = []
        actions: list[str] = []
        for event in self.station.timeline(case_id):
            if event.type is EventType.DISPATCHED and event.payload.get("assignee"):
                departments.append(str(event.payload["assignee"]))
            if event.type in (EventType.REGISTERED, EventType.CONFERENCE_FLAGGED) or event.type in BOOKKEEPING_EVENTS:
                continue
            note = event.payload.get("note") or event.payload.get("answer") or event.payload.get("assignee") or ""
            when = self.station.local_time(event.occurred_at)
            actions.append(f"{when:%m-%d %H:%M} {EVENT_LABELS[event.type]}" + (f"：{note}" if note else ""))
        return AreaReportData(
            station=self.header(),
            grid=grids.get(state.grid_code, state.grid_code),
            number=state.number,
            reported_at=self.station.local_time(self.station.now()),
            problem=state.description,
            location=case_location(state),
            departments=tuple(dict.fromkeys(departments)),
            actions=tuple(actions),
            proposal=proposal.strip(),
            support=support.strip(),
            reporter=reporter,
        )

    def morning_report(
        self, actor: StaffMember, report_at: datetime | None = None, period_days: int | None = None
    ) -> MorningReportData:
        template = load_template("morning_report")
        days = int(period_days if period_days is not None else template["period_days"])
        if not 1 <= days <= 366:
            raise ValidationError("period_days", "report.period", "统计天数须在 1 至 366 之间。")
        report_at = report_at or self.station.now()
        histories = self.station.histories_since(report_at - timedelta(days=days))
        report = build_morning_report(
            histories,
            self.station.deadline_policy(),
            self.station.colour_scheme(),
            report_at,
            period_days=days,
        )

        categories = self.category_labels()

        def row(state: CaseState, extra: str = "") -> ReportRow:
            return ReportRow(
                number=state.number,
                registered_at=self.station.local_time(state.registered_at),
                category=categories.get(state.category_code, state.category_code),
                location=case_location(state),
                summary=state.description,
                tier=TIER_LABELS[state.tier],
                status=STATUS_LABELS[state.status],
                extra=extra,
            )

        tiers = list(Tier)
        return MorningReportData(
            station=self.header(),
            report=report,
            report_at=self.station.local_time(report_at),
            since=self.station.local_time(report.since),
            generated_by=actor.name,
            new_rows=tuple(row(s, f"复发，前次 {s.repeat_of}" if s.repeat_of else "") for s in report.new_cases),
            overdue_rows=tuple(row(o.case, _overdue_text(o)) for o in report.overdue),
            conference_rows=tuple(row(s, s.conference_reason) for s in report.conference),
            tier_labels=tuple(TIER_LABELS[t] for t in tiers),
            colour_labels=tuple(COLOUR_LABELS[c] + ("色" if c is not Colour.NONE else "") for c in COLOUR_ORDER),
            open_counts=tuple(tuple(report.open_by_colour[c][t] for t in tiers) for c in COLOUR_ORDER),
            hotspots=self.station.hotspots(at=report_at),
        )
