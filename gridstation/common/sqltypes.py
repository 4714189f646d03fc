"""Column types shared by the station and (later) the server schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Dialect, Integer, SQLColumnExpression, String, Text, cast, func
from sqlalchemy.types import TypeDecorator

UTC_TEXT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as fixed-width UTC text, so they sort, compare and work with julianday()."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        return value.astimezone(UTC).strftime(UTC_TEXT_FORMAT)

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return utc_from_text(value)


def utc_from_text(value: str | None) -> datetime | None:
    """A stored `UTCDateTime` text as an aware datetime (for rows read without SQLAlchemy's type processing)."""
    if value is None:
        return None
    # fromisoformat reads UTC_TEXT_FORMAT ("YYYY-MM-DD HH:MM:SS.ffffff") several times faster than strptime, and
    # with the offset written out four times faster again than adding it with replace(tzinfo=UTC) (its keyword
    # call costs more than the parse); both give timezone.utc.
    try:
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # text that carries its own offset: read as before, its wall time taken as UTC
        return datetime.fromisoformat(value).replace(tzinfo=UTC)


class JsonText(TypeDecorator[Any]):
    """JSON kept as readable UTF-8 text (Chinese stays Chinese in the file and in backups)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


def epoch_microseconds(column: SQLColumnExpression[Any]) -> ColumnElement[int]:
    """Whole microseconds since 1970 of a UTCDateTime column, computed exactly in SQLite.

    julianday() keeps only milliseconds and works in floating point, which misplaces instants near a
    boundary; this splits the fixed-width text into whole seconds and the six-digit fraction instead.
    """
    seconds = cast(func.strftime("%s", func.substr(column, 1, 19)), Integer)
    return seconds * 1_000_000 + cast(func.substr(column, 21, 6), Integer)


def to_epoch_microseconds(moment: datetime) -> int:
    """The same number as `epoch_microseconds` for an aware datetime on the Python side."""
    return (moment - _EPOCH) // _MICROSECOND
