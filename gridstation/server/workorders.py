"""Work orders from the 12345 hotline, 信访 and 码上就来: what one is, and reading a hotline CSV export.

Pure: no database. The server turns a valid work order into a case owned by the station it is dispatched to;
its deadlines run from the dispatch time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from gridstation.domain.case import Intake, IntakeInvalid
from gridstation.domain.enums import Channel, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.numbering import STATION_CODE_PATTERN
from gridstation.domain.validation import MAX_CLOCK_AHEAD, without_forbidden_characters
from gridstation.protocol import EARLIEST

TICKET_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")
WORK_ORDER_CHANNELS = (Channel.HOTLINE_12345, Channel.PETITION_DISPATCH, Channel.QR_REPORT)
SOURCE_WORDS: dict[str, Channel] = {
    "12345": Channel.HOTLINE_12345,
    "12345热线": Channel.HOTLINE_12345,
    "hotline_12345": Channel.HOTLINE_12345,
    "信访": Channel.PETITION_DISPATCH,
    "信访派单": Channel.PETITION_DISPATCH,
    "petition_dispatch": Channel.PETITION_DISPATCH,
    "码上就来": Channel.QR_REPORT,
    "qr_report": Channel.QR_REPORT,
}
DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")

# Column names of a hotline export (Chinese) and their English equivalents.
COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket": ("工单编号", "ticket"),
    "source": ("来源", "source"),
    "dispatched_at": ("派单时间", "dispatched_at"),
    "station_code": ("承办工作站", "station"),
    "category_code": ("诉求分类", "category"),
    "description": ("诉求内容", "description"),
    "compound": ("小区", "compound"),
    "building": ("楼栋", "building"),
    "address": ("地址", "address"),
    "complainant_name": ("联系人", "name"),
    "phone": ("联系电话", "phone"),
    "due_hours": ("处理时限（小时）", "处理时限(小时)", "due_hours"),
    "urgent": ("紧急", "urgent"),
}
REQUIRED_COLUMNS = ("ticket", "station_code", "category_code", "description")


@dataclass(frozen=True, slots=True)
class WorkOrder:
    ticket: str
    source: Channel
    station_code: str
    intake: Intake
    dispatched_at: datetime
    due_at: datetime | None = None
    urgent: bool = False


class WorkOrderInvalid(DomainError):
    """One or more rows are wrong; `problems` lists each as (line, message). Nothing was imported."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        lines = "\n".join(f"第 {line} 行：{message}" if line else message for line, message in problems)
        super().__init__("workorder.invalid", f"工单有误，未导入任何工单：\n{lines}", count=len(problems))
        self.problems = problems


def parse_source(raw: str) -> Channel:
    word = raw.strip() or "12345"
    if word not in SOURCE_WORDS:
        raise ValueError(f"来源「{word}」不认识（可填 12345、信访、码上就来）")
    return SOURCE_WORDS[word]


def parse_time(raw: str, now: datetime) -> datetime:
    """An export's local time ("2026-11-23 09:30") or an ISO time with zone; empty means `now`.

    A dispatch time is in the past: one further ahead of `now` than the sync's clock-skew rule allows would put
    the case on top of every list (and one outside the years the sync carries would stop its station's feed).
    """
    text = raw.strip()
    if not text:
        return now
    try:
        moment = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError as err:
        raise ValueError(f"时间「{text}」格式不对（如 2026-11-23 09:30）") from err
    moment = moment if moment.tzinfo else moment.replace(tzinfo=DEFAULT_TIMEZONE)
    if moment - now > MAX_CLOCK_AHEAD:
        raise ValueError(f"派单时间「{text}」晚于现在，请核对日期")
    if moment < EARLIEST:
        raise ValueError(f"派单时间「{text}」早于 2000 年，请核对日期")
    return moment


def parse_flag(raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("", "0", "否", "no", "false", "n"):
        return False
    if word in ("1", "是", "yes", "true", "y", "紧急"):
        return True
    raise ValueError(f"「紧急」应填“是”或“否”，不是「{raw.strip()}」")


def build_work_order(
    *,
    ticket: str,
    source: Channel,
    station_code: str,
    category_code: str,
    description: str,
    dispatched_at: datetime,
    compound: str = "",
    building: str = "",
    address: str = "",
    complainant_name: str = "",
    phone: str = "",
    due_hours: float | None = None,
    urgent: bool = False,
) -> WorkOrder:
    """Validate a work order with the same intake rules as a walk-in (phone optional: tickets may be anonymous)."""
    ticket = ticket.strip()
    if not TICKET_PATTERN.fullmatch(ticket):
        raise ValueError(f"工单编号「{without_forbidden_characters(ticket)}」不合规（4–40 位字母、数字或“-”）")
    station_code = station_code.strip().upper()
    if not STATION_CODE_PATTERN.fullmatch(station_code):
        shown = without_forbidden_characters(station_code)
        raise ValueError(f"承办工作站代码「{shown}」不合规（2–8 位大写字母或数字，如 JA01）")
    if source not in WORK_ORDER_CHANNELS:
        raise ValueError("工单来源须为 12345热线、信访派单或码上就来")
    if due_hours is not None and not 0 < due_hours <= 24 * 90:
        raise ValueError("处理时限须在 0 到 2160 小时之间")
    try:
        intake = Intake.validated(
            channel=source,
            category_code=category_code,
            description=description,
            tier=Tier.QUICK,
            compound=compound,
            building=building,
            address=address,
            complainant_name=complainant_name,
            phone=phone,
            anonymous=not phone.strip() and not complainant_name.strip(),
            phone_required=False,
        )
    except IntakeInvalid as err:
        raise ValueError(err.message_zh) from err
    due_at = dispatched_at + timedelta(hours=due_hours) if due_hours else None
    return WorkOrder(ticket, source, station_code, intake, dispatched_at, due_at, urgent)


def parse_work_order_csv(text: str, now: datetime) -> list[WorkOrder]:
    """Every row of a hotline export, or WorkOrderInvalid listing every bad row (all or nothing)."""
    try:
        return _parse_rows(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), now)
    except csv.Error as err:
        raise WorkOrderInvalid([(0, f"文件不是有效的 CSV：{err}")]) from err


def _parse_rows(reader: csv.DictReader[str], now: datetime) -> list[WorkOrder]:
    header = [name.strip() for name in reader.fieldnames or []]
    columns: dict[str, str] = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name in header:
                columns[key] = name
                break
    missing = [COLUMNS[key][0] for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise WorkOrderInvalid([(1, f"缺少列：{'、'.join(missing)}")])
    orders: list[WorkOrder] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, raw_row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw_row.items() if k}
        if not any(row.values()):
            continue

        def cell(key: str, row: dict[str, str] = row) -> str:
            return row.get(columns[key], "") if key in columns else ""

        try:
            ticket = cell("ticket")
            if ticket in seen:
                raise ValueError(f"工单编号 {ticket} 与第 {seen[ticket]} 行重复")
            hours = cell("due_hours")
            order = build_work_order(
                ticket=ticket,
                source=parse_source(cell("source")),
                station_code=cell("station_code"),
                category_code=cell("category_code"),
                description=cell("description"),
                dispatched_at=parse_time(cell("dispatched_at"), now),
                compound=cell("compound"),
                building=cell("building"),
                address=cell("address"),
                complainant_name=cell("complainant_name"),
                phone=cell("phone"),
                due_hours=float(hours) if hours else None,
                urgent=parse_flag(cell("urgent")),
            )
        except ValueError as err:
            message = str(err)
            if message.startswith("could not convert"):
                message = f"处理时限「{cell('due_hours')}」不是数字"
            problems.append((line, message))
            continue
        seen[order.ticket] = line
        orders.append(order)
    if problems:
        raise WorkOrderInvalid(problems)
    if not orders:
        raise WorkOrderInvalid([(0, "文件中没有工单。")])
    return orders
