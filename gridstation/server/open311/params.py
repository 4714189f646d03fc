"""Reading Open311 query parameters: comma-separated lists, statuses, W3C dates bounded to a 90-day window, pages,
and the control characters no parameter may hold."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from gridstation.server.open311.formats import Open311Error, echo
from gridstation.server.workorders import DEFAULT_TIMEZONE

# Response volume (spec): the most recent 90 days or the first 1000 requests, whichever is smaller.
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
# Pages (our extension, as other Open311 servers name it): `page` from 1, `page_size` up to the spec's 1000. A
# client that sends neither gets the spec's answer, the first 1000; one station's flood of requests can no longer
# hide everyone else's, since the pages after it can be read.
MAX_PAGE_SIZE = MAX_RESULTS
MAX_PAGE = 100_000
# C0 and C1 control characters: no case number, code, status or date holds one, and PostgreSQL cannot even be
# asked about a NUL. Refused before any query, so both databases answer alike.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Stored instants are UTC text of four-digit years; dates asked for outside this range are clamped to it.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

_W3C = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)
# "+08:00" sent unencoded in a query string arrives as " 08:00".
_SPACE_FOR_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}:?\d{2})$")


def split_values(raw: list[str] | None, limit: int = MAX_RESULTS) -> list[str]:
    """Comma-separated (and repeated) values, empty ones dropped: an empty parameter is no parameter."""
    values: dict[str, None] = {}
    for item in raw or []:
        for part in item.split(","):
            text = part.strip()
            if text:
                values[text] = None
                if len(values) >= limit:
                    return list(values)
    return list(values)


def refuse_control_characters(parameters: Iterable[tuple[str, str]]) -> None:
    for name, value in parameters:
        if _CONTROL.search(value):
            raise Open311Error(400, f"参数 {echo(name)} 含有控制字符（如 NUL、换行），请去掉后重试。")


def parse_page(page_raw: str | None, size_raw: str | None) -> tuple[int, int]:
    """(page, page_size): page 1 of MAX_RESULTS when the client asks for none."""
    page = _whole_number("page", page_raw, 1, MAX_PAGE, 1)
    size = _whole_number("page_size", size_raw, 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    return page, size


def _whole_number(name: str, raw: str | None, lowest: int, highest: int, default: int) -> int:
    text = (raw or "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 9 or not lowest <= int(text) <= highest:
        raise Open311Error(400, f"{name} 须为 {lowest}～{highest} 的整数（收到「{echo(text)}」）。")
    return int(text)


def parse_statuses(raw: list[str] | None) -> set[str]:
    statuses = {value.lower() for value in split_values(raw)}
    wrong = sorted(statuses - {"open", "closed"})
    if wrong:
        raise Open311Error(400, f"status 只能是 open 或 closed，不能是「{echo(wrong[0])}」。")
    return statuses


def parse_w3c(name: str, raw: str) -> tuple[datetime, datetime]:
    """The instant a W3C date/time names and the end of the span it covers (exclusive).

    A bare date (or month, or year) covers that whole day in Shanghai time; a time without a zone is read as
    Shanghai time (the spec asks for a zone; being lenient costs nothing here).
    """
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", raw.strip())
    match = _W3C.match(text)
    if match is None:
        raise Open311Error(400, f"{name}「{echo(raw)}」不是 W3C 日期时间格式（如 2026-11-23T09:30:00+08:00）。")
    part = match.groupdict()
    year = int(part["year"])
    if year < EARLIEST.year:
        return EARLIEST, EARLIEST
    if year >= LATEST.year:
        return LATEST, LATEST
    try:
        zone = parse_zone(part["zone"])
        moment = datetime(
            year,
            int(part["month"] or 1),
            int(part["day"] or 1),
            int(part["hour"] or 0),
            int(part["minute"] or 0),
            int(part["second"] or 0),
            int((part["fraction"] or "0").ljust(6, "0")[:6]),
            tzinfo=zone,
        )
    except ValueError as err:
        raise Open311Error(400, f"{name}「{echo(raw)}」不是有效的日期时间。") from err
    if part["hour"] is not None:
        covered = moment + timedelta(microseconds=1)
    elif part["day"] is not None:
        covered = moment + timedelta(days=1)
    elif part["month"] is not None:
        covered = moment.replace(year=year + moment.month // 12, month=moment.month % 12 + 1)
    else:
        covered = moment.replace(year=year + 1)
    return moment.astimezone(UTC), covered.astimezone(UTC)


def parse_zone(text: str | None) -> tzinfo:
    if text is None:
        return DEFAULT_TIMEZONE
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


def window(start_raw: str | None, end_raw: str | None, now: datetime) -> tuple[datetime, datetime | None]:
    """[start, end) of requested_datetime: the last 90 days by default, never more than 90 days.

    A bare date as end_date includes that whole day.
    """
    start = parse_w3c("start_date", start_raw)[0] if start_raw and start_raw.strip() else None
    end_at, end = parse_w3c("end_date", end_raw) if end_raw and end_raw.strip() else (None, None)
    if start is None:
        if end_at is None or end is None:
            return max(EARLIEST, now - WINDOW), None
        return max(EARLIEST, end_at - WINDOW), end
    if end_at is None or end is None:
        return start, min(LATEST, start + WINDOW)
    if end_at < start:
        raise Open311Error(400, "end_date 早于 start_date。")
    if end_at - start > WINDOW:
        raise Open311Error(400, "start_date 与 end_date 的跨度不能超过 90 天。")
    return start, end
