"""The feed: what a station pulls, its scope's events in commit order, and the conflicts waiting for a person.

Each station reads its own feed by cursor (the feed sequence of the last item it holds) within an epoch; a cursor
from another epoch or from the future (the server was restored) makes the station start again from 0.

A stored row the wire cannot carry (a NUL an older server let in, a time outside the years the sync carries) never
fails a whole pull: the item is withheld, with every event of a case whose state cannot be carried, and the rest of
the page is served. A withheld event is kept where refused events are kept (the quarantine, code `feed.withheld`),
logged and audited once, until `gridstation-server repair` cleans it and puts it back in the feed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError as WireInvalid
from sqlalchemy import Row, Text, select, type_coerce
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gridstation.domain.events import EVENT_FIELDS, event_from_stored
from gridstation.domain.validation import without_forbidden_characters
from gridstation.protocol import (
    MAX_PULL_PAGE,
    CaseSnapshot,
    ConflictOut,
    FeedHeads,
    PullResponse,
    WireEvent,
    WireModel,
    conflicts_digest,
)
from gridstation.server.core import ServerCore
from gridstation.server.errors import not_found
from gridstation.server.feed_json import case_json, event_json, item_json, page_json
from gridstation.server.models import (
    ConflictRow,
    FeedRow,
    KnowledgeFeedRow,
    QuarantineRow,
    ServerCaseRow,
    ServerEventRow,
    ServerStationRow,
)

log = logging.getLogger("gridstation.server")

WITHHELD = "feed.withheld"  # the quarantine code of an event the feed cannot serve
# What building an item of the wire raises for a row it cannot carry (pydantic's ValidationError is a ValueError).
UNSERVABLE = (ValueError, TypeError, KeyError, OverflowError)
# An event as stored: the ORM row, or a plain row a pull page read (the same column names).
StoredEvent = ServerEventRow | Row[Any] | SimpleNamespace
_EVENTS = ServerEventRow.__table__
# A page's events: every column, the payload as its stored text (`payload_json`).
EVENT_COLUMNS = (
    *(column for column in _EVENTS.c if column.name != "payload"),
    type_coerce(_EVENTS.c.payload, Text).label("payload_json"),
)


@dataclass(frozen=True, slots=True)
class Withheld:
    """An event a pull could not serve, and why."""

    seq: int
    row: StoredEvent
    reason: str


@dataclass(frozen=True, slots=True)
class PageText:
    """A pull page as the JSON text sent (`PullResponse`), and how many events it serves."""

    body: bytes
    items: int


# The optional fields of a page's last one, made only when that page is reached (`PullResponse.heads`, `.receipt`).
LastPageExtras = Callable[[], Mapping[str, WireModel]]


class Feed(ServerCore):
    def pull(self, station_code: str, *, after: int, epoch: int, limit: int) -> PullResponse:
        """A page as the protocol's model (what the API sends is `pull_json`'s text)."""
        return PullResponse.model_validate_json(
            self.pull_json(station_code, after=after, epoch=epoch, limit=limit).body
        )

    def pull_json(
        self, station_code: str, *, after: int, epoch: int, limit: int, extras: LastPageExtras | None = None
    ) -> PageText:
        limit = max(1, min(limit, MAX_PULL_PAGE))
        with self.reading() as session:
            station = session.get(ServerStationRow, station_code)
            if station is None:
                raise not_found(f"工作站 {station_code}", "station.unknown")
            fresh = epoch == 0 and after == 0  # a station that never pulled starts in the current epoch
            if (epoch != station.epoch and not fresh) or after > station.feed_head:
                # A cursor from another epoch, or from the future (the server was restored): start again from 0.
                reset = PullResponse(epoch=station.epoch, reset=True, items=[], cases=[], cursor=0, has_more=True)
                return PageText(reset.model_dump_json().encode("utf-8"), 0)
            # Plain rows (Core), the payloads and states as their stored text: written into the page as they are.
            rows = session.execute(
                select(FeedRow.seq, *EVENT_COLUMNS)
                .join(_EVENTS, _EVENTS.c.id == FeedRow.event_id)
                .where(FeedRow.station_code == station_code, FeedRow.seq > after)
                .order_by(FeedRow.seq)
                .limit(limit + 1)
            ).all()
            has_more = len(rows) > limit
            page_rows = [(row[0], row) for row in rows[:limit]]
            event_ids = [row.id for _, row in page_rows]
            conflicts = {
                c.station_event_id: c
                for c in session.scalars(select(ConflictRow).where(ConflictRow.station_event_id.in_(event_ids)))
            }
            case_rows = session.execute(
                select(
                    ServerCaseRow.id,
                    ServerCaseRow.number,
                    ServerCaseRow.version,
                    type_coerce(ServerCaseRow.state, Text).label("state_json"),
                ).where(ServerCaseRow.id.in_({row.case_id for _, row in page_rows}))
            ).all()
            numbers = {c.id: c.number for c in case_rows}
            cases: list[str] = []
            unservable_cases: dict[str, str] = {}
            for c in case_rows:
                try:
                    cases.append(case_json(c.id, c.number, c.version, c.state_json) or _case_slowly(c))
                except UNSERVABLE as err:
                    # Its events cannot be placed without it (the desk refuses a page that lacks a case's state).
                    unservable_cases[c.id] = f"诉求 {c.number} 的状态{unservable_reason(err)}"
            items: list[str] = []
            withheld: list[Withheld] = []
            for seq, row in page_rows:
                if row.case_id in unservable_cases:
                    withheld.append(Withheld(seq, _stored(row), unservable_cases[row.case_id]))
                    continue
                try:
                    items.append(self._item_json(session, seq, row, conflicts.get(row.id), numbers))
                except UNSERVABLE as err:
                    withheld.append(Withheld(seq, _stored(row), f"事件{unservable_reason(err)}"))
            cursor = page_rows[-1][0] if page_rows else after
            body = page_json(
                epoch=station.epoch,
                items=items,
                cases=cases,
                cursor=cursor,
                has_more=has_more,
                remaining=max(0, station.feed_head - cursor),
                extras=extras() if extras is not None and not has_more else {},
            )
        if withheld:
            self._withhold(station_code, withheld)
        return PageText(body, len(items))

    def _item_json(
        self, session: Session, seq: int, row: Row[Any], conflict: ConflictRow | None, numbers: dict[str, str]
    ) -> str:
        conflict_text = None
        if conflict is not None:
            meta = self._event_meta(session, conflict)
            conflict_text = conflict_out(conflict, numbers.get(row.case_id, ""), meta).model_dump_json()
        event = event_json(row) or wire_event(_stored(row)).model_dump_json()
        return item_json(seq, row, event, conflict_text)

    def feed_heads(self, station_code: str, policy_version: int) -> FeedHeads:
        """Where the station's other exchanges stand (`PullResponse.heads`): the policy version in force (the
        caller's), the knowledge feed's head and the digest of the station's open conflicts."""
        with self.reading() as session:
            knowledge = session.scalar(select(KnowledgeFeedRow.head).where(KnowledgeFeedRow.id == 1)) or 0
            open_ids = session.scalars(
                select(ConflictRow.id).where(
                    ConflictRow.station_code == station_code, ConflictRow.resolved_at.is_(None)
                )
            ).all()
        return FeedHeads(policy_version=policy_version, knowledge=knowledge, conflicts=conflicts_digest(open_ids))

    def _withhold(self, station_code: str, withheld: list[Withheld]) -> None:
        """Quarantine, log and audit what a pull withheld: once per event, however often it is pulled again.

        The page is served whatever happens here: a failure to record is logged, and the next pull records it.
        """
        try:
            with self.writing() as session:
                self._lock_station(session, station_code)
                ids = [w.row.id for w in withheld]
                known = set(
                    session.scalars(
                        select(QuarantineRow.event_id).where(
                            QuarantineRow.station_code == station_code,
                            QuarantineRow.code == WITHHELD,
                            QuarantineRow.event_id.in_(ids),
                        )
                    )
                )
                for item in withheld:
                    if item.row.id in known:
                        continue
                    known.add(item.row.id)
                    reason = (
                        f"{item.reason}，无法发送给工作站，已暂扣（其余事件照常同步）。"
                        "请管理员运行 gridstation-server repair 修复后重新发送。"
                    )
                    session.add(
                        QuarantineRow(
                            station_code=station_code,
                            station_seq=None,  # held all the same: the day receipt does not count it twice
                            event_id=item.row.id,
                            content_hash=item.row.content_hash,
                            body=stored_body(item.row),
                            code=WITHHELD,
                            reason=reason,
                            received_at=self.now(),
                        )
                    )
                    self._audit(
                        session,
                        "feed",
                        WITHHELD,
                        station=station_code,
                        event_id=item.row.id,
                        case_id=item.row.case_id,
                        feed_seq=item.seq,
                        reason=reason,
                    )
                    log.warning(
                        "pull of %s: withheld event %s (feed seq %d): %s", station_code, item.row.id, item.seq, reason
                    )
        except SQLAlchemyError:
            log.exception("pull of %s: could not record %d withheld events", station_code, len(withheld))

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
                try:
                    out.append(conflict_out(row, number, self._event_meta(session, row)))
                except UNSERVABLE as err:
                    # Like the feed: one row the wire cannot carry does not hide the others.
                    log.warning("conflicts of %s: withheld conflict %s: %s", station_code, row.id, err)
            return out


def wire_event(row: StoredEvent) -> WireEvent:
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


def unservable_reason(err: Exception) -> str:
    """Why the wire refused a row, in a few words (never the row's text: it is what cannot be carried)."""
    if isinstance(err, WireInvalid) and err.errors():
        first = err.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        detail = f"{where}：{first.get('msg', '')}" if where else str(first.get("msg", ""))
    else:
        detail = type(err).__name__
    return f"含有同步无法传输的内容（{without_forbidden_characters(detail)[:200]}）"


def stored_body(row: StoredEvent) -> dict[str, Any]:
    """The stored event as JSON, for the quarantine: kept whole, so nothing depends on the feed serving it."""
    body: dict[str, Any] = {name: getattr(row, name) for name in EVENT_FIELDS}
    body["occurred_at"] = row.occurred_at.isoformat()
    body.update(origin=row.origin, station_seq=row.station_seq, content_hash=row.content_hash)
    return body


def _stored(row: Row[Any]) -> SimpleNamespace:
    """A page's plain row with its payload decoded: the event as `event_from_stored` and the quarantine read it."""
    values = dict(row._mapping)
    values["payload"] = json.loads(values.pop("payload_json"))
    return SimpleNamespace(**values)


def _case_slowly(row: Row[Any]) -> str:
    """A case's state through the protocol's model (what `case_json` could not vouch for); raises if unservable."""
    state = json.loads(row.state_json)
    return CaseSnapshot(case_id=row.id, number=row.number, version=row.version, state=state).model_dump_json()
