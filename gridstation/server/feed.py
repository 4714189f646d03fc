"""The feed: what a station pulls, its scope's events in commit order, and the conflicts waiting for a person.

Each station reads its own feed by cursor (the feed sequence of the last item it holds) within an epoch; a cursor
from another epoch or from the future (the server was restored) makes the station start again from 0.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.events import event_from_stored
from gridstation.protocol import MAX_PULL_PAGE, CaseSnapshot, ConflictOut, PulledEvent, PullResponse, WireEvent
from gridstation.server.core import ServerCore
from gridstation.server.errors import not_found
from gridstation.server.models import ConflictRow, FeedRow, ServerCaseRow, ServerEventRow, ServerStationRow


class Feed(ServerCore):
    def pull(self, station_code: str, *, after: int, epoch: int, limit: int) -> PullResponse:
        limit = max(1, min(limit, MAX_PULL_PAGE))
        with self.reading() as session:
            station = session.get(ServerStationRow, station_code)
            if station is None:
                raise not_found(f"工作站 {station_code}", "station.unknown")
            fresh = epoch == 0 and after == 0  # a station that never pulled starts in the current epoch
            if (epoch != station.epoch and not fresh) or after > station.feed_head:
                # A cursor from another epoch, or from the future (the server was restored): start again from 0.
                return PullResponse(epoch=station.epoch, reset=True, items=[], cases=[], cursor=0, has_more=True)
            rows = session.execute(
                select(FeedRow.seq, ServerEventRow)
                .join(ServerEventRow, ServerEventRow.id == FeedRow.event_id)
                .where(FeedRow.station_code == station_code, FeedRow.seq > after)
                .order_by(FeedRow.seq)
                .limit(limit + 1)
            ).all()
            has_more = len(rows) > limit
            rows = rows[:limit]
            event_ids = [row.id for _, row in rows]
            conflicts = {
                c.station_event_id: c
                for c in session.scalars(select(ConflictRow).where(ConflictRow.station_event_id.in_(event_ids)))
            }
            case_rows = session.scalars(
                select(ServerCaseRow).where(ServerCaseRow.id.in_({row.case_id for _, row in rows}))
            ).all()
            numbers = {c.id: c.number for c in case_rows}
            items = [
                PulledEvent(
                    seq=seq,
                    origin="station" if row.origin == "station" else "server",
                    station_seq=row.station_seq,
                    applied=row.applied,
                    event=wire_event(row),
                    conflict=conflict_out(
                        conflicts[row.id], numbers.get(row.case_id, ""), self._event_meta(session, conflicts[row.id])
                    )
                    if row.id in conflicts
                    else None,
                )
                for seq, row in rows
            ]
            cases = [CaseSnapshot(case_id=c.id, number=c.number, version=c.version, state=c.state) for c in case_rows]
            cursor = rows[-1][0] if rows else after
            return PullResponse(
                epoch=station.epoch,
                items=items,
                cases=cases,
                cursor=cursor,
                has_more=has_more,
                remaining=max(0, station.feed_head - cursor),
            )

    def _event_meta(self, session: Session, conflict: ConflictRow) -> tuple[str, datetime, str, datetime | None]:
        station_event = session.get(ServerEventRow, conflict.station_event_id)
        server_event = session.get(ServerEventRow, conflict.server_event_id) if conflict.server_event_id else None
        return (
            station_event.actor_name if station_event else "",
            station_event.occurred_at if station_event else conflict.created_at,
            server_event.actor_name if server_event else "",
            server_event.occurred_at if server_event else None,
        )

    def conflicts(self, station_code: str, *, open_only: bool = True) -> list[ConflictOut]:
        with self.reading() as session:
            query = select(ConflictRow).where(ConflictRow.station_code == station_code)
            if open_only:
                query = query.where(ConflictRow.resolved_at.is_(None))
            rows = session.scalars(query.order_by(ConflictRow.created_at)).all()
            out = []
            for row in rows:
                number = session.scalar(select(ServerCaseRow.number).where(ServerCaseRow.id == row.case_id)) or ""
                out.append(conflict_out(row, number, self._event_meta(session, row)))
            return out


def wire_event(row: ServerEventRow) -> WireEvent:
    return WireEvent.of(event_from_stored(row), row.content_hash)


def conflict_out(row: ConflictRow, number: str, meta: tuple[str, datetime, str, datetime | None]) -> ConflictOut:
    station_actor, station_at, server_actor, server_at = meta
    return ConflictOut(
        id=row.id,
        case_id=row.case_id,
        case_number=number,
        field=row.field,
        base_value=row.base_value,
        station_value=row.station_value,
        server_value=row.server_value,
        station_event_id=row.station_event_id,
        station_actor=station_actor,
        station_at=station_at,
        server_actor=server_actor,
        server_at=server_at,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
    )
