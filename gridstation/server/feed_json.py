"""A pull page written as JSON text from what is stored (issue 18).

A page is up to a thousand events with their cases' states. Building a pydantic model per event and decoding each
stored payload and state only to encode it again was most of the server's pull; the stored JSON text goes into the
page as it is instead. Only rows that pass the wire's own checks here are written this way: anything the checks
cannot vouch for (a NUL, a time outside the years the wire carries, an odd id) returns None, and the feed builds that
item through the protocol's models as before, which withholds it if the wire cannot carry it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from gridstation.domain.enums import EventType
from gridstation.protocol import (
    EARLIEST,
    EVENT_ID_PATTERN,
    HLC_PATTERN,
    LATEST,
    MAX_ACTOR_ID,
    MAX_ACTOR_NAME,
    MAX_PAYLOAD_FIELDS,
    PROTOCOL_VERSION,
    SHA256_PATTERN,
    STATION_CODE_PATTERN,
    WireModel,
)


def _whole(pattern: str) -> re.Pattern[str]:
    # `fullmatch`, not `^…$`: Python's `$` also matches before a final line break, the wire's does not.
    return re.compile(pattern.removeprefix("^").removesuffix("$"))


_EVENT_ID = _whole(EVENT_ID_PATTERN)
_STATION_CODE = _whole(STATION_CODE_PATTERN)
_HLC = _whole(HLC_PATTERN)
_SHA256 = _whole(SHA256_PATTERN)
_EVENT_TYPES = frozenset(str(kind) for kind in EventType)


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def plain_object(text: object, max_fields: int | None = None) -> bool:
    """Stored JSON text the wire carries as it is: an object without NUL, NaN or Infinity, and with at most
    `max_fields` fields (counted generously: every `":` counts, nested or inside a string)."""
    return (
        isinstance(text, str)
        and text.startswith("{")
        and "\\u0000" not in text
        and "NaN" not in text
        and "Infinity" not in text
        and (max_fields is None or text.count('":') <= max_fields)
    )


def event_json(row: Any) -> str | None:
    """A stored event (its payload as stored text, `payload_json`) as the wire's event, or None to build it the
    slow way."""
    at = row.occurred_at
    if not (
        isinstance(row.id, str)
        and _EVENT_ID.fullmatch(row.id)
        and isinstance(row.case_id, str)
        and _EVENT_ID.fullmatch(row.case_id)
        and row.type in _EVENT_TYPES
        and isinstance(row.actor_id, str)
        and len(row.actor_id) <= MAX_ACTOR_ID
        and "\x00" not in row.actor_id
        and isinstance(row.actor_name, str)
        and len(row.actor_name) <= MAX_ACTOR_NAME
        and "\x00" not in row.actor_name
        and isinstance(row.station_code, str)
        and _STATION_CODE.fullmatch(row.station_code)
        and isinstance(row.hlc, str)
        and _HLC.fullmatch(row.hlc)
        and row.schema_version == 1
        and isinstance(row.content_hash, str)
        and _SHA256.fullmatch(row.content_hash)
        and at is not None
        and at.tzinfo is not None
        and EARLIEST <= at <= LATEST
        and plain_object(row.payload_json, MAX_PAYLOAD_FIELDS)
    ):
        return None
    head = _text(
        {
            "id": row.id,
            "case_id": row.case_id,
            "type": row.type,
            "actor_id": row.actor_id,
            "actor_name": row.actor_name,
            "station_code": row.station_code,
            "occurred_at": at.isoformat(),
            "hlc": row.hlc,
            "schema_version": 1,
            "content_hash": row.content_hash,
        }
    )
    return f'{head[:-1]},"payload":{row.payload_json}}}'


def item_json(seq: int, row: Any, event: str, conflict: str | None) -> str:
    """One item of a page: the event (`event_json`) with its place in the feed and what the server did with it."""
    origin = "station" if row.origin == "station" else "server"
    station_seq = "null" if row.station_seq is None else str(int(row.station_seq))
    applied = "true" if row.applied else "false"
    return (
        f'{{"seq":{int(seq)},"origin":"{origin}","station_seq":{station_seq},"applied":{applied},'
        f'"event":{event},"conflict":{conflict or "null"}}}'
    )


def case_json(case_id: str, number: str, version: int, state: object) -> str | None:
    """The server's state of a case (`state` as stored text), or None to build it the slow way."""
    if not (isinstance(case_id, str) and "\x00" not in case_id and isinstance(number, str) and "\x00" not in number):
        return None
    if not plain_object(state):
        return None
    return f'{{"case_id":{_text(case_id)},"number":{_text(number)},"version":{int(version)},"state":{state}}}'


def page_json(
    *,
    epoch: int,
    items: list[str],
    cases: list[str],
    cursor: int,
    has_more: bool,
    remaining: int,
    extras: Mapping[str, WireModel],
) -> bytes:
    """The page (`PullResponse`'s fields); `extras` are the optional fields asked for, each only when given."""
    more = "".join(f',"{name}":{model.model_dump_json()}' for name, model in extras.items())
    return (
        f'{{"protocol":{PROTOCOL_VERSION},"epoch":{int(epoch)},"reset":false,"items":[{",".join(items)}],'
        f'"cases":[{",".join(cases)}],"cursor":{int(cursor)},"has_more":{"true" if has_more else "false"},'
        f'"remaining":{int(remaining)}{more}}}'
    ).encode()
