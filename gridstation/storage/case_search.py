"""The case list's queries: filters (full-text, status, tier, colour…), ordering, and the rows a list shows.

Each function works inside the caller's session and is told what it cannot know itself (a `StationCalendar`).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, and_, bindparam, case, cast, func, literal, or_, select, text
from sqlalchemy.orm import Session

from gridstation.common.sqltypes import epoch_microseconds, to_epoch_microseconds, utc_from_text
from gridstation.domain.case import FINISHED
from gridstation.domain.enums import Status, Tier
from gridstation.domain.listing import CaseQuery, CaseSummary
from gridstation.domain.sla import Colour, ColourScheme
from gridstation.storage.case_words import fts_phrase
from gridstation.storage.models import CaseRow


@dataclass(frozen=True, slots=True)
class StationCalendar:
    """What the filters need from the station: the time now (for colours), its colour bands, and the UTC moment
    each of its days begins (for dates)."""

    now: datetime
    scheme: ColourScheme
    start_of_day: Callable[[date], datetime]


# The list's columns, in CaseSummary's order, read as plain SQL (exec_driver_sql): SQLAlchemy's row processing and the
# ORM session's execution were three quarters of a page's time (~1.5 ms of ~1.9 ms for 158 rows), the query the rest.
_SUMMARY_SQL = (
    "SELECT id, number, registered_at, category_code, compound, address, substr(description, 1, 120), tier, status, "
    "grid_code, assignee, sla_stage, sla_started_at, sla_due_at, departments FROM cases WHERE id IN ({marks})"
)
_TIERS = {tier.value: tier for tier in Tier}
_STATUSES = {status.value: status for status in Status}

SORTABLE_COLUMNS: dict[str, Any] = {
    "number": CaseRow.number,
    "registered_at": CaseRow.registered_at,
    "category_code": CaseRow.category_code,
    "compound": CaseRow.compound,
    "tier": CaseRow.tier,
    "status": CaseRow.status,
    "grid_code": CaseRow.grid_code,
    "assignee": CaseRow.assignee,
    "sla_due_at": CaseRow.sla_due_at,
}


def case_ids(
    session: Session, query: CaseQuery, calendar: StationCalendar, *, limit: int | None = None, offset: int = 0
) -> list[str]:
    """Ids of every matching case in order: cheap enough for 200 000 rows, so a list can show exact counts."""
    stmt = select(CaseRow.id).where(*_conditions(query, calendar)).order_by(*_ordering(query))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    # 200 000 short-lived row objects would set off full garbage collections, which hold the GIL and
    # freeze the desk for ~100 ms; what survives is one list of strings, so collecting can wait. Executed on the
    # session's connection: plain ids need none of the ORM's result handling (~0.1 ms a search).
    with _collection_paused():
        return list(session.connection().execute(stmt).scalars())


def count(session: Session, query: CaseQuery, calendar: StationCalendar) -> int:
    conditions = _conditions(query, calendar)
    return int(session.scalar(select(func.count()).select_from(CaseRow).where(*conditions)) or 0)


def open_deadlines_by_owner(session: Session) -> list[tuple[str, datetime | None, datetime | None]]:
    """(owner, running deadline's start, its due time) of every open case: the workload view counts them."""
    open_statuses = [str(s) for s in Status if s not in FINISHED]
    rows = session.execute(
        select(CaseRow.owner, CaseRow.sla_started_at, CaseRow.sla_due_at).where(CaseRow.status.in_(open_statuses))
    )
    return [(owner, started, due) for owner, started, due in rows]


def summaries(session: Session, ids: Sequence[str]) -> list[CaseSummary]:
    """List rows for the given ids, in the same order; ids no longer present are skipped."""
    found: dict[str, CaseSummary] = {}
    connection = session.connection()
    for start in range(0, len(ids), 500):
        chunk = tuple(ids[start : start + 500])
        rows = connection.exec_driver_sql(_SUMMARY_SQL.format(marks=", ".join("?" * len(chunk))), chunk).fetchall()
        for r in rows:
            found[r[0]] = CaseSummary(
                r[0],
                r[1],
                _utc_not_null(r[2]),
                r[3],
                r[4],
                r[5],
                r[6],
                _TIERS[r[7]],
                _STATUSES[r[8]],
                r[9],
                r[10],
                r[11],
                utc_from_text(r[12]),
                utc_from_text(r[13]),
                r[14],
            )
    return [found[i] for i in ids if i in found]


def _utc_not_null(value: str) -> datetime:
    moment = utc_from_text(value)
    assert moment is not None  # registered_at is NOT NULL
    return moment


def _conditions(query: CaseQuery, calendar: StationCalendar) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    words = query.text.split()
    for index, word in enumerate(words):
        meaning = query.meanings[index] if index < len(query.meanings) else ()
        literal_match = _text_condition(word)
        conditions.append(or_(literal_match, _meaning_condition(meaning)) if meaning else literal_match)
    if query.statuses:
        conditions.append(CaseRow.status.in_([str(s) for s in query.statuses]))
    if query.owner:
        conditions.append(CaseRow.owner == query.owner)
    if query.open_only:
        # IN over the open statuses can use ix_cases_status_due; NOT IN scans the table.
        conditions.append(CaseRow.status.in_([str(s) for s in Status if s not in FINISHED]))
    if query.tiers:
        conditions.append(CaseRow.tier.in_([str(t) for t in query.tiers]))
    if query.category_code:
        conditions.append(
            or_(
                CaseRow.category_code == query.category_code,
                CaseRow.category_code.startswith(query.category_code + ".", autoescape=True),
            )
        )
    if query.grid_code:
        conditions.append(CaseRow.grid_code == query.grid_code)
    if query.registered_from:
        conditions.append(CaseRow.registered_at >= calendar.start_of_day(query.registered_from))
    if query.registered_to:
        conditions.append(CaseRow.registered_at < calendar.start_of_day(query.registered_to + timedelta(days=1)))
    if query.colours:
        conditions.append(or_(*[_colour_condition(c, calendar.scheme, calendar.now) for c in query.colours]))
    return conditions


def _ordering(query: CaseQuery) -> list[Any]:
    if query.order_by in SORTABLE_COLUMNS:
        column = SORTABLE_COLUMNS[query.order_by]
        return [column.desc() if query.descending else column.asc(), CaseRow.registered_at.desc()]
    # Most urgent first: open work orders the centre marked urgent, then running deadlines by due time, then the
    # newest without one.
    return [CaseRow.urgent.desc(), CaseRow.sla_due_at.is_(None), CaseRow.sla_due_at, CaseRow.registered_at.desc()]


def _text_condition(word: str) -> ColumnElement[bool]:
    # FTS5 trigram needs three characters; shorter Chinese words (e.g. 噪声) fall back to LIKE.
    if len(word) >= 3:
        quoted = fts_phrase(word)
        # A unique bind name per word: several words' conditions in one query must not share one value.
        matches = text("cases.rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH :q)").bindparams(
            bindparam("q", quoted, unique=True)
        )
        return matches  # type: ignore[return-value]
    columns = (
        CaseRow.description,
        CaseRow.compound,
        CaseRow.building,
        CaseRow.address,
        CaseRow.number,
        CaseRow.complainant_name,
    )
    return or_(*[column.contains(word, autoescape=True) for column in columns])


def _meaning_condition(words: tuple[str, ...]) -> ColumnElement[bool]:
    """Cases whose words (storage/case_words.py) hold all of these: "电瓶车" finds "电动车", "电梯停运" "电梯坏了"."""
    match = " AND ".join(fts_phrase(word) for word in words)
    found = text("cases.rowid IN (SELECT rowid FROM case_words WHERE case_words MATCH :m)").bindparams(
        bindparam("m", match, unique=True)
    )
    return found  # type: ignore[return-value]


def _colour_condition(colour: Colour, scheme: ColourScheme, now: datetime) -> ColumnElement[bool]:
    if colour is Colour.NONE:
        return CaseRow.sla_due_at.is_(None)
    if colour is Colour.RED:
        return CaseRow.sla_due_at < now
    # The same arithmetic as sla.used_share (whole microseconds, one division), so that the list filter
    # and the colour a case shows agree exactly at each boundary.
    started = epoch_microseconds(CaseRow.sla_started_at)
    span = epoch_microseconds(CaseRow.sla_due_at) - started
    elapsed = literal(to_epoch_microseconds(now), Integer) - started
    used = case((span <= 0, literal(1.0, Float)), else_=cast(elapsed, Float) / span)
    order = [Colour.GREEN, Colour.BLUE, Colour.YELLOW, Colour.ORANGE]
    parts = [CaseRow.sla_due_at >= now]
    if colour is not Colour.GREEN:  # green has no floor: a clock set back before the stage start is green
        parts.append(used >= scheme.band_floor(colour))
    if colour is not Colour.ORANGE:
        parts.append(used < scheme.band_floor(order[order.index(colour) + 1]))
    return and_(*parts)


_gc_pause_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the garbage collector (counted, so overlapping pauses from several threads nest correctly)."""
    global _gc_pauses, _gc_was_enabled
    with _gc_pause_lock:
        _gc_pauses += 1
        if _gc_pauses == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_pause_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
