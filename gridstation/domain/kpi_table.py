"""考核: the KPIs of any period, per station, department, grid or owner (issue 16), from events only — the same
functions as the morning report (`domain/report.py`), so a station's figures are the same at the desk and the centre.

Besides the rates of `Kpis` a row has: 退单率 (the departments' 退单 among their parts dispatched in the period), how
long first contact and closing took (median and 90th percentile, of the cases contacted / closed in the period),
the cases overdue at the period's end, and repeat complaints (cases registered in the period about the same address
and category as an earlier case). A case dispatched to several departments counts in each department's row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from gridstation.domain.enums import EventType, ReplyKind
from gridstation.domain.events import Event
from gridstation.domain.report import CaseFacts, Kpis, Rate, case_facts, kpis_of
from gridstation.domain.sla import DeadlinePolicy

NOT_SET = "（未指定）"


class KpiDimension(StrEnum):
    STATION = "station"
    DEPARTMENT = "department"
    GRID = "grid"
    OWNER = "owner"


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile (nearest rank), in minutes; None for no case."""

    median: float | None
    p90: float | None

    def to_json(self) -> dict[str, float | None]:
        return {"median": self.median, "p90": self.p90}


@dataclass(frozen=True, slots=True)
class KpiRow:
    key: str
    cases: int  # cases in the row with anything in the period (registered, worked or closed)
    kpis: Kpis
    rejected: Rate  # 退单率
    first_contact_minutes: Spread
    close_minutes: Spread
    overdue: int
    repeats: int

    def to_json(self) -> dict[str, Any]:
        def rate(r: Rate) -> dict[str, Any]:
            return {"met": r.met, "total": r.total, "percent": r.percent()}

        k = self.kpis
        return {
            "key": self.key,
            "cases": self.cases,
            "first_contact": rate(k.first_contact),
            "on_time": rate(k.on_time),
            "resolution": rate(k.resolution),
            "satisfaction": rate(k.satisfaction),
            "reopened": rate(k.reopened),
            "not_visited": k.not_visited,
            "unreachable": k.unreachable,
            "rejected": rate(self.rejected),
            "first_contact_minutes": self.first_contact_minutes.to_json(),
            "close_minutes": self.close_minutes.to_json(),
            "overdue": self.overdue,
            "repeats": self.repeats,
        }


def spread(values: Sequence[float]) -> Spread:
    if not values:
        return Spread(None, None)
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return Spread(round(median, 1), round(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)], 1))


def kpi_rows(
    histories: Iterable[Sequence[Event]],
    policy: DeadlinePolicy,
    start: datetime,
    end: datetime,
    by: KpiDimension,
) -> list[KpiRow]:
    """One row per station / department / grid / owner with anything in [start, end), busiest first."""
    facts = case_facts(histories, policy, end)
    repeats = _repeat_ids(facts, start)
    groups: dict[str, list[CaseFacts]] = {}
    for case in facts:
        if not _touched(case, start):
            continue
        for key in _keys(case, by):
            groups.setdefault(key, []).append(case)
    rows = [_row(key, cases, policy, start, end, by, repeats) for key, cases in groups.items()]
    return sorted(rows, key=lambda r: (-r.cases, r.key))


def _touched(case: CaseFacts, start: datetime) -> bool:
    return case.state.is_open or any(e.occurred_at >= start for e in case.history)


def _keys(case: CaseFacts, by: KpiDimension) -> list[str]:
    s = case.state
    if by is KpiDimension.STATION:
        return [s.station_code]
    if by is KpiDimension.GRID:
        return [s.grid_code or NOT_SET]
    if by is KpiDimension.OWNER:
        return [s.owner or NOT_SET]
    departments = {
        str(task["department"])
        for e in case.history
        if e.type is EventType.DISPATCHED
        for task in e.payload.get("tasks", [])
    }
    return sorted(departments)


def _row(
    key: str,
    cases: list[CaseFacts],
    policy: DeadlinePolicy,
    start: datetime,
    end: datetime,
    by: KpiDimension,
    repeats: set[str],
) -> KpiRow:
    dispatched = rejected = 0
    contact: list[float] = []
    closing: list[float] = []
    overdue = 0
    for case in cases:
        s = case.state
        for e in case.history:
            if not start <= e.occurred_at < end:
                continue
            if e.type is EventType.DISPATCHED:
                dispatched += sum(
                    1
                    for t in e.payload.get("tasks", [])
                    if by is not KpiDimension.DEPARTMENT or t.get("department") == key
                )
            elif e.type is EventType.DEPARTMENT_REPLIED and e.payload.get("kind") == ReplyKind.REJECT:
                rejected += by is not KpiDimension.DEPARTMENT or e.payload.get("department") == key
        # An imported case's first contact is undated (domain/ledger_history.py): it says nothing of 先联用时.
        if s.first_contact_at is not None and start <= s.first_contact_at < end and not case.imported:
            contact.append(_minutes(s.first_contact_at - s.registered_at))
        if s.closed_at is not None and start <= s.closed_at < end:
            closing.append(_minutes(s.closed_at - s.registered_at))
        deadline = s.running_deadline(policy)
        overdue += s.is_open and deadline is not None and deadline.due_at < end
    return KpiRow(
        key=key,
        cases=len(cases),
        kpis=kpis_of(cases, start, end),
        rejected=Rate(rejected, dispatched),
        first_contact_minutes=spread(contact),
        close_minutes=spread(closing),
        overdue=overdue,
        repeats=sum(1 for case in cases if case.state.id in repeats),
    )


def _minutes(span: timedelta) -> float:
    return span.total_seconds() / 60


def _repeat_ids(facts: Sequence[CaseFacts], start: datetime) -> set[str]:
    """Cases registered from `start` on about the same address and category as an earlier case of the station."""
    seen: dict[tuple[str, str, str, str], datetime] = {}
    repeats: set[str] = set()
    for case in sorted(facts, key=lambda c: c.state.registered_at):
        s = case.state
        if not (s.compound or s.address):
            continue
        where = (s.station_code, s.compound, s.building or s.address, s.category_code)
        if where in seen and s.registered_at >= start:
            repeats.add(s.id)
        seen.setdefault(where, s.registered_at)
    return repeats


def histories_by_case(events: Iterable[Event]) -> Mapping[str, list[Event]]:
    grouped: dict[str, list[Event]] = {}
    for event in events:
        grouped.setdefault(event.case_id, []).append(event)
    return grouped


# The columns of a 考核 table as the console shows and exports it (CSV, XLSX): heading, and the cell of a row.
TABLE_HEADINGS = (
    "统计对象", "件数", "先联率", "按时率", "解决率", "满意率", "退单率", "重办率", "未回访",
    "先联用时中位（分钟）", "先联用时P90（分钟）", "办结用时中位（小时）", "办结用时P90（小时）", "超期", "重复诉求",
)  # fmt: skip


def table_row(row: KpiRow) -> list[str | int | float | None]:
    """A row's cells in `TABLE_HEADINGS` order: rates as "83.3%（5/6）", times as numbers (None: no case)."""

    def rate(r: Rate) -> str:
        return f"{r.percent()}（{r.met}/{r.total}）"

    def hours(minutes: float | None) -> float | None:
        return None if minutes is None else round(minutes / 60, 1)

    k = row.kpis
    return [
        row.key, row.cases, rate(k.first_contact), rate(k.on_time), rate(k.resolution), rate(k.satisfaction),
        rate(row.rejected), rate(k.reopened), k.not_visited,
        row.first_contact_minutes.median, row.first_contact_minutes.p90,
        hours(row.close_minutes.median), hours(row.close_minutes.p90), row.overdue, row.repeats,
    ]  # fmt: skip
