"""A station's historic complaint ledger (历史台账): its rows read, checked and turned into what a case needs.

Stations kept years of complaints in Excel before GridStation. A ledger has a header row with the columns of
`LEDGER_COLUMNS` (any order; other columns are ignored and said so once) and one complaint per row. Every row is
checked before anything is imported, and every problem is reported with the row's number as Excel shows it (the
header is row 1 when it is the first row) and a reason in Chinese, so a clerk can mend the whole file at once.

Pure functions over the cells as a reader hands them over (text from a CSV file; text, numbers and datetimes from an
.xlsx sheet): reading files is the service's part (services/case_import.py), the history each row becomes is
`domain/ledger_history.py`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from gridstation.domain.case import Intake, IntakeInvalid
from gridstation.domain.enums import CHANNEL_LABELS, STATUS_LABELS, Channel, Status
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.ledger_columns import (
    ADDRESS,
    CATEGORY,
    CHANNEL,
    CLOSED_AT,
    DESCRIPTION,
    LEDGER_COLUMNS,
    NAME,
    PHONE,
    RESULT,
    STATUS,
    TIME,
)
from gridstation.domain.reference import Category, Compound
from gridstation.domain.retention import without_room
from gridstation.domain.triage import suggest_tier
from gridstation.domain.validation import validate_phone

# The header may sit below a title row ("枫林居委会 2025 年民情台账"): the first of these rows naming a column is it.
HEADER_SEARCH_ROWS = 10
# The desk's 楼栋 field (building and door, "12号301"); a longer rest of an address goes to 地址 instead.
BUILDING_MAX_CHARS = 60
# A ledger cannot bring in what it has no record of: 已回访 needs the visits' answers (满意度, 是否解决), 已重启 an
# unsatisfied visit. Inventing them would put made-up figures into 满意率 and 解决率.
NOT_IMPORTABLE: dict[Status, str] = {
    Status.FOLLOWED_UP: "台账中没有回访的满意度和是否解决",
    Status.REOPENED: "台账中没有使其重启的不满意回访",
}
_EXAMPLE_TIME = "2026-11-02 09:15"
_SEPARATORS = " \t,，、;；:：-—/"
# 2026-11-02 09:15, 2026/11/2 9:15, 2026.11.2 9:15:30, 2026年11月2日 9时15分 (full-width digits are made ASCII).
_MOMENT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T\s]\s*|\s*)(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*(?:[:分]\s*(\d{1,2})(?:\.\d+)?\s*秒?|分)?$"
)
_DATE_ONLY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# Excel's day 0 for serial numbers (the 1900 leap-year bug is why it is the 30th, not the 31st).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_Choice = TypeVar("_Choice", Channel, Status)


@dataclass(frozen=True, slots=True)
class LedgerReference:
    """What rows are checked against: the station's categories and compounds, its time zone and the time now."""

    categories: Sequence[Category]
    compounds: Sequence[Compound]
    zone: ZoneInfo
    now: datetime


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One complaint of the ledger, checked: everything a case registered from it needs."""

    row: int  # as Excel numbers it
    registered_at: datetime  # UTC
    channel: Channel
    category_code: str
    description: str
    complainant_name: str
    phone: str
    compound: str
    building: str
    address: str
    grid_code: str
    status: Status
    closed_at: datetime | None  # UTC; only for 已办结
    result: str  # 处置结果
    fingerprint: str

    def intake(self) -> Intake:
        """The registration, as a clerk at the desk would have typed it (triage as the desk suggests it)."""
        return _intake(
            channel=self.channel,
            category_code=self.category_code,
            description=self.description,
            compound=self.compound,
            building=self.building,
            address=self.address,
            grid_code=self.grid_code,
            complainant_name=self.complainant_name,
            phone=self.phone,
        )


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    reason: str

    def line(self) -> str:
        return f"第 {self.row} 行：{self.reason}"


@dataclass(frozen=True, slots=True)
class LedgerParse:
    """The checked rows (in file order), every problem found, and notes worth saying once (ignored columns …)."""

    rows: tuple[LedgerRow, ...]
    problems: tuple[RowProblem, ...]
    notes: tuple[str, ...] = ()
    data_rows: int = 0  # rows with anything in them below the header


class LedgerInvalid(DomainError):
    """Some rows are bad: nothing is imported. `problems` has one line per bad row, in file order."""

    def __init__(self, file_name: str, problems: Sequence[RowProblem], notes: Sequence[str] = ()) -> None:
        lines = [p.line() for p in problems]
        message = f"「{file_name}」中有 {len(lines)} 行有误，未导入任何诉求。请修改后重新导入：\n" + "\n".join(lines)
        super().__init__("ledger.invalid_rows", message, rows=len(lines))
        self.problems = tuple(problems)
        self.notes = tuple(notes)


def parse_ledger(cells: Iterable[Sequence[object]], reference: LedgerReference, *, file_name: str) -> LedgerParse:
    """Read a ledger's rows (the first row of `cells` is row 1) and check every one of them.

    Raises DomainError when the file has no header or lacks columns, or holds no complaint at all; bad rows are
    returned as problems (the caller imports nothing if there is any).
    """
    numbered = [(number, list(row)) for number, row in enumerate(cells, start=1)]
    header_at, header = _find_header(numbered, file_name)
    columns, notes = _columns(header, file_name)
    checker = _RowChecker(reference)
    rows: list[LedgerRow] = []
    problems: list[RowProblem] = []
    data_rows = 0
    for number, values in numbered:
        if number <= header_at or not any(_text(v) for v in values):
            continue
        data_rows += 1
        record = {name: values[index] if index < len(values) else None for name, index in columns.items()}
        row, reasons = checker.check(number, record)
        if reasons:
            problems.append(RowProblem(number, "；".join(reasons)))
        elif row is not None:
            rows.append(row)
    if not data_rows:
        raise DomainError("ledger.empty", f"「{file_name}」的表头下没有诉求，没有可导入的内容。")
    return LedgerParse(tuple(rows), tuple(problems), tuple(notes), data_rows)


def _find_header(numbered: list[tuple[int, list[object]]], file_name: str) -> tuple[int, list[str]]:
    filled = [(number, values) for number, values in numbered if any(_text(v) for v in values)]
    if not filled:
        raise DomainError("ledger.empty", f"「{file_name}」是空的，没有可导入的内容。")
    for number, values in filled[:HEADER_SEARCH_ROWS]:
        names = [_header_name(v) for v in values]
        if set(names) & set(LEDGER_COLUMNS):
            return number, names
    number, values = filled[0]
    return number, [_header_name(v) for v in values]


def _header_name(value: object) -> str:
    return "".join(_text(value).split())


def _columns(header: list[str], file_name: str) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        if name in LEDGER_COLUMNS and name not in columns:
            columns[name] = index
        elif name:
            ignored.append(name)
    missing = [name for name in LEDGER_COLUMNS if name not in columns]
    if missing:
        raise DomainError(
            "ledger.columns",
            f"「{file_name}」的表头缺少列：{'、'.join(missing)}。表头须有这些列（顺序不限）：{'、'.join(LEDGER_COLUMNS)}。",
            missing=missing,
        )
    notes = [f"已忽略这些列：{'、'.join(ignored)}。"] if ignored else []
    return columns, notes


class _RowChecker:
    """Checks one row at a time against the station's reference data; collects every reason a row is bad."""

    def __init__(self, reference: LedgerReference) -> None:
        self.zone = reference.zone
        self.now = reference.now
        self.categories = _CategoryIndex(reference.categories)
        # Longest names first: "永嘉路弄" must not be taken for a compound "永嘉路" that is its prefix.
        self.compounds = sorted(reference.compounds, key=lambda c: -len(c.name))
        self.channels = _words({**{str(c): c for c in Channel}, **{label: c for c, label in CHANNEL_LABELS.items()}})
        self.statuses = _words({**{str(s): s for s in Status}, **{label: s for s, label in STATUS_LABELS.items()}})

    def check(self, number: int, record: Mapping[str, object]) -> tuple[LedgerRow | None, list[str]]:
        reasons: list[str] = []
        registered_at = self._moment(record[TIME], TIME, reasons, required=True)
        closed_at = self._moment(record[CLOSED_AT], CLOSED_AT, reasons, required=False)
        channel = self._choice(record[CHANNEL], CHANNEL, self.channels, CHANNEL_LABELS.values(), reasons)
        status = self._choice(record[STATUS], STATUS, self.statuses, STATUS_LABELS.values(), reasons)
        category_code = self.categories.code(_text(record[CATEGORY]), reasons)
        phone = self._phone(record[PHONE], reasons)
        result = " ".join(_text(record[RESULT]).split())
        if status in NOT_IMPORTABLE:
            reasons.append(
                f"状态「{STATUS_LABELS[status]}」不能导入：{NOT_IMPORTABLE[status]}。请按「已办结」导入，回访在桌面补记"
            )
        if status is Status.CLOSED:
            if closed_at is None and not _text(record[CLOSED_AT]):
                reasons.append("状态为「已办结」，但办结时间为空")
            if not result:
                reasons.append("状态为「已办结」，但处置结果为空")
        elif status is not None and status not in NOT_IMPORTABLE and _text(record[CLOSED_AT]):
            reasons.append(f"状态为「{STATUS_LABELS[status]}」，不应填写办结时间（已办结的请把状态写为「已办结」）")
        if registered_at is not None and closed_at is not None and closed_at < registered_at:
            reasons.append(f"办结时间「{self._shown(closed_at)}」早于登记时间「{self._shown(registered_at)}」")
        compound, building, address, grid_code = self._address(_text(record[ADDRESS]))
        name = _text(record[NAME])
        description = _text(record[DESCRIPTION])
        try:
            # The text fields are checked as the desk checks them, whatever else is wrong with the row.
            intake = _intake(
                channel=channel or Channel.WALK_IN,
                category_code=category_code or "?",
                description=description,
                compound=compound,
                building=building,
                address=address,
                grid_code=grid_code,
                complainant_name=name,
                phone=phone or "",
            )
        except IntakeInvalid as err:
            reasons.extend(problem.message_zh.rstrip("。") for problem in err.problems)
        else:
            description, name = intake.description, intake.complainant_name
            compound, building, address = intake.compound, intake.building, intake.address
        if reasons or registered_at is None or channel is None or status is None or phone is None:
            return None, reasons
        fingerprint = row_fingerprint(registered_at, channel, category_code, _text(record[ADDRESS]), description)
        return (
            LedgerRow(
                row=number,
                registered_at=registered_at,
                channel=channel,
                category_code=category_code,
                description=description,
                complainant_name=name,
                phone=phone,
                compound=compound,
                building=building,
                address=address,
                grid_code=grid_code,
                status=status,
                closed_at=closed_at if status is Status.CLOSED else None,
                result=result,
                fingerprint=fingerprint,
            ),
            [],
        )

    def _moment(self, value: object, column: str, reasons: list[str], *, required: bool) -> datetime | None:
        raw = _text(value)
        if value is None or raw == "":
            if required:
                reasons.append(f"{column}为空")
            return None
        try:
            local = _local_moment(value)
        except _DateOnly:
            reasons.append(f"{column}「{raw}」缺少时刻（应如 {_EXAMPLE_TIME}）")
            return None
        except ValueError:
            reasons.append(f"{column}「{raw}」不是有效时间（应如 {_EXAMPLE_TIME}）")
            return None
        moment = (local if local.tzinfo else local.replace(tzinfo=self.zone)).astimezone(UTC)
        if moment > self.now:
            reasons.append(f"{column}「{self._shown(moment)}」晚于现在")
            return None
        return moment

    def _choice(
        self, value: object, column: str, words: Mapping[str, _Choice], labels: Iterable[str], reasons: list[str]
    ) -> _Choice | None:
        raw = _text(value)
        found = words.get(_word(raw))
        if found is None:
            said = f"「{raw}」无法识别" if raw else "为空"
            reasons.append(f"{column}{said}，应为：{'、'.join(labels)}")
        return found

    def _phone(self, value: object, reasons: list[str]) -> str | None:
        raw = _text(value)
        try:
            return validate_phone(raw, required=False)
        except ValidationError:
            reasons.append(f"电话「{raw}」格式不正确（应为11位手机号，或带区号的固定电话如 021-64321234）")
            return None

    def _address(self, text: str) -> tuple[str, str, str, str]:
        """(compound, building, address, grid): the longest known compound the address starts with, the rest as the
        desk's 楼栋 (or 地址 when it is too long for it); an address of no known compound stays whole in 地址."""
        text = " ".join(text.split())
        for compound in self.compounds:
            if compound.name and text.startswith(compound.name):
                rest = text[len(compound.name) :].strip(_SEPARATORS)
                if len(rest) <= BUILDING_MAX_CHARS:
                    return compound.name, rest, "", compound.grid_code
                return compound.name, "", rest, compound.grid_code
        return "", "", text, ""

    def _shown(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")


class _CategoryIndex:
    """Categories by code (any case), by leaf name, or by 「大类/小类」 as the desk's picker shows them."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self.names = {c.code: c.name for c in categories}
        parents = {c.parent_code for c in categories if c.parent_code}
        self.children: dict[str, list[str]] = {}
        for c in categories:
            if c.parent_code:
                self.children.setdefault(c.parent_code, []).append(c.name)
        self.by_code = {c.code.upper(): c.code for c in categories}
        self.by_name: dict[str, list[str]] = {}
        for c in categories:
            if c.code in parents:
                continue
            keys = {_word(c.name)}
            if c.parent_code:
                keys.add(_word(f"{self.names.get(c.parent_code, '')}/{c.name}"))
            for key in keys:
                self.by_name.setdefault(key, []).append(c.code)
        self.parents_by_name = {_word(c.name): c.code for c in categories if c.code in parents}

    def code(self, raw: str, reasons: list[str]) -> str:
        if not raw:
            reasons.append("类别为空")
            return ""
        word = _word(raw)
        code = self.by_code.get(raw.strip().upper())
        if code is not None and code not in self.children:
            return code
        parent = code if code is not None else self.parents_by_name.get(word)
        if parent is not None and word not in self.by_name:
            reasons.append(f"类别「{raw}」是大类，请写小类：{'、'.join(self.children[parent])}")
            return ""
        found = self.by_name.get(word, [])
        if len(found) == 1:
            return found[0]
        if found:
            reasons.append(f"类别「{raw}」有多个同名分类（{'、'.join(found)}），请写「大类/小类」或分类代码")
        else:
            reasons.append(f"类别「{raw}」不是本站的诉求分类（可写分类名称或代码，如「楼道堆物」或 FIRE.CORRIDOR）")
        return ""


class _DateOnly(ValueError):
    """A date without a time of day."""


def _local_moment(value: object) -> datetime:
    """A cell's time as written (naive: the station's local time). Raises ValueError when it is not a time."""
    if isinstance(value, datetime):
        # Excel keeps times as fractions of a day: 09:15 may come back as 09:14:59.999999.
        return (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    if isinstance(value, date):
        raise _DateOnly(str(value))
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        # A time cell Excel did not format as one: its serial number of days.
        return _local_moment(_EXCEL_EPOCH + timedelta(days=float(value)))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    found = _MOMENT.match(text)
    if found is None:
        if _DATE_ONLY.match(text):
            raise _DateOnly(text)
        raise ValueError(text)
    year, month, day, hour, minute = (int(part) for part in found.groups()[:5])
    second = int(found.group(6) or 0)
    return datetime(year, month, day, hour, minute, second)


def _text(value: object) -> str:
    """A cell as text: a phone number Excel stored as a number (13800138000.0) reads as its digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value).strip()


def _word(text: str) -> str:
    """How a label is compared: width and case folded, spaces dropped ("12345 热线" is 12345热线)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _words(choices: Mapping[str, _Choice]) -> dict[str, _Choice]:
    return {_word(key): value for key, value in choices.items()}


def _intake(
    *,
    channel: Channel,
    category_code: str,
    description: str,
    compound: str,
    building: str,
    address: str,
    grid_code: str,
    complainant_name: str,
    phone: str,
) -> Intake:
    """Nobody to call back (no name, no phone) is an anonymous resident, unless a grid patrol found it."""
    return Intake.validated(
        channel=channel,
        category_code=category_code,
        description=description,
        tier=suggest_tier(channel, category_code),
        compound=compound,
        building=building,
        address=address,
        grid_code=grid_code,
        complainant_name=complainant_name,
        phone=phone,
        anonymous=channel is not Channel.GRID_PATROL and not (phone or complainant_name),
        phone_required=False,
    )


def row_fingerprint(
    registered_at: datetime, channel: Channel, category_code: str, address: str, description: str
) -> str:
    """What recognises a row already imported, from another file too: the complaint itself — when (to the minute),
    how it came, what about, where and what was said — normalised (width, spaces, a category by name or by code).

    The resident's name, phone and room are left out on purpose: the fingerprint stays in the case's log after
    retention has erased them (docs/security.md), and must not let anyone test a guess of them. So is the status:
    the same complaint exported again a month later, now 已办结, is still the same complaint.
    """
    minute = registered_at.astimezone(UTC).replace(second=0, microsecond=0).isoformat()
    place = _word(without_room(unicodedata.normalize("NFKC", address)))
    parts = (minute, str(channel), category_code, place, _word(description))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
