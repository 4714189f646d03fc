"""How each station is syncing, for the centre's status page (console `/console/stations`) and `/metrics`.

A push or a pull notes its time and the count of events the station said it still had waiting (`unsent` in the
push body or the pull's query; a station from before issue 19 says nothing, and its count shows as unknown); an
error answered to a station notes its code. The rows live in `station_health`, apart from the station's own row
that every write to its scope locks, and a note is written only when it says something new: the count changed,
an error came, or the last time written is a minute old. A busy station's hundred pulls an hour cost a write a
minute at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridstation.server.core import ServerCore
from gridstation.server.models import ServerCaseRow, ServerStationRow, StationHealthRow

# Times are kept to the minute, as a department token's last use is (`credentials.LAST_USE_RESOLUTION`).
NOTE_RESOLUTION = timedelta(minutes=1)
# The status page's colours by the age of the last sync: within the hour, within the day, older or never.
FRESH = timedelta(hours=1)
STALE = timedelta(hours=24)
SyncKind = Literal["push", "pull"]
AgeColour = Literal["green", "yellow", "red"]
AGE_LABELS: dict[AgeColour, str] = {"green": "正常", "yellow": "超过 1 小时未同步", "red": "超过 24 小时未同步"}
# The refusals a station meets most, in words for the centre (any other shows as its code).
ERROR_LABELS = {
    "sequence.gap": "服务器缺少部分事件（工作站自动补传）",
    "sequence.reused": "事件序号重复（工作站从备份恢复后自动重新编号）",
    "event.hash_mismatch": "事件校验值不符",
    "request.too_large": "请求过大",
    "request.invalid": "请求格式有误",
    "protocol.unsupported": "同步协议版本不支持（工作站需升级）",
    "server.busy": "服务器忙",
    "server.database_unavailable": "数据库暂时无法连接",
    "server.error": "服务器内部错误",
    "station.revoked": "工作站已停用",
    "case.unknown": "服务器没有该诉求",
}


def ago(moment: datetime, now: datetime) -> str:
    """How long before `now`, in the largest whole unit: 刚刚, 5 分钟前, 3 小时前, 2 天前."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "刚刚"
    for unit, size in (("天", 86400), ("小时", 3600), ("分钟", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}前"
    return "刚刚"


@dataclass(frozen=True, slots=True)
class StationHealth:
    code: str
    name: str
    state: str  # pending, enrolled, revoked (`Accounts.stations`)
    pushed_seq: int
    last_sync_at: datetime | None  # the later of the last push and the last pull
    unsent: int | None
    unsent_at: datetime | None
    last_error_code: str
    last_error_status: int | None
    last_error_at: datetime | None
    overdue_cases: int

    def age_colour(self, now: datetime) -> AgeColour:
        if self.last_sync_at is None or now - self.last_sync_at >= STALE:
            return "red"
        return "green" if now - self.last_sync_at < FRESH else "yellow"

    @property
    def error_since_last_sync(self) -> bool:
        """The last error came after the last sync that went through: the station is failing now."""
        return self.last_error_at is not None and (self.last_sync_at is None or self.last_error_at >= self.last_sync_at)


class StationHealthReads(ServerCore):
    def note_sync(self, station_code: str, kind: SyncKind, unsent: int | None) -> None:
        """A push or pull of `station_code` went through; `unsent` is what it reported waiting afterwards."""
        now = self.now()
        with self.reading() as session:
            row = session.get(StationHealthRow, station_code)
        last = None if row is None else (row.last_push_at if kind == "push" else row.last_pull_at)
        news = row is None or (unsent is not None and unsent != row.unsent) or last is None
        if not news and last is not None and now - last < NOTE_RESOLUTION:
            return
        with self.writing() as session:
            row = self._health_row(session, station_code)
            if kind == "push":
                row.last_push_at = now
            else:
                row.last_pull_at = now
            if unsent is not None:
                row.unsent, row.unsent_at = unsent, now

    def note_station_error(self, station_code: str, code: str, status: int) -> None:
        """An error was answered to the station (a refused push, a busy server…)."""
        with self.writing() as session:
            row = self._health_row(session, station_code)
            row.last_error_code, row.last_error_status, row.last_error_at = code[:60], status, self.now()

    def _health_row(self, session: Session, station_code: str) -> StationHealthRow:
        row = session.get(StationHealthRow, station_code)
        if row is None:
            row = StationHealthRow(station_code=station_code, last_error_code="")
            session.add(row)
        return row

    def station_health(self) -> list[StationHealth]:
        """Every station with its sync health and its overdue cases, by code."""
        now = self.now()
        with self.reading() as session:
            stations = session.scalars(select(ServerStationRow).order_by(ServerStationRow.code)).all()
            health = {row.station_code: row for row in session.scalars(select(StationHealthRow))}
            overdue = dict(
                session.execute(
                    select(ServerCaseRow.station_code, func.count())
                    .where(ServerCaseRow.sla_due_at.is_not(None), ServerCaseRow.sla_due_at < now)
                    .group_by(ServerCaseRow.station_code)
                )
                .tuples()
                .all()
            )
        return [_health(station, health.get(station.code), int(overdue.get(station.code, 0))) for station in stations]


def _health(station: ServerStationRow, row: StationHealthRow | None, overdue: int) -> StationHealth:
    state = "revoked" if station.revoked_at else ("enrolled" if station.credential_hash else "pending")
    noted = (row.last_push_at, row.last_pull_at) if row is not None else ()
    times = [t for t in (station.last_seen_at, *noted) if t is not None]
    return StationHealth(
        code=station.code,
        name=station.name,
        state=state,
        pushed_seq=station.pushed_seq,
        last_sync_at=max(times) if times else None,
        unsent=row.unsent if row else None,
        unsent_at=row.unsent_at if row else None,
        last_error_code=row.last_error_code if row else "",
        last_error_status=row.last_error_status if row else None,
        last_error_at=row.last_error_at if row else None,
        overdue_cases=overdue,
    )
