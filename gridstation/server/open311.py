"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the sub-district's cases for third-party apps.

Every resource answers in XML (the spec's required format) and JSON, chosen by the path's suffix
(`services.xml`, `requests/{id}.json`). Reading is public; posting a request needs an api_key, and the request
becomes a 码上就来 work order for the station the key belongs to.

Services are the active leaf categories (the top-level categories are their groups). A service request is a
case; its id is the case number. What is shown is what the public may see: never the complainant's name or
phone. Every refusal is an Open311 error list (`<errors><error><code>…`, or `[{"code", "description"}]`) with
the status the spec asks for: 404 for what does not exist, 403 for a missing or wrong api_key, 400 for the rest.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Annotated, Any
from urllib.parse import parse_qs
from xml.etree import ElementTree

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.routing import Match

from gridstation.domain.case import FINISHED
from gridstation.domain.enums import STATUS_LABELS, Channel, Status
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.validation import joined_address, validate_description
from gridstation.server.models import ServerCaseRow, ServerCategoryRow, ServerStationRow, WorkOrderRow
from gridstation.server.service import ServerService
from gridstation.server.workorders import DEFAULT_TIMEZONE, build_work_order

log = logging.getLogger("gridstation.server.open311")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-20T00:00:00+08:00"  # when this document (the endpoint's shape) last changed
CONTACT = "街道城运中心（各居委会民情快办工作站可代为联系）"
KEY_SERVICE = "api_key 由街道城运中心发放（gridstation-server apikey add），提交诉求时必须携带；查询无需 api_key。"
FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DISCOVERY_FORMATS = ["text/xml", "application/json"]

# Response volume (spec): the most recent 90 days or the first 1000 requests, whichever is smaller.
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_FORM_FIELDS = 200
# Stored instants are UTC text of four-digit years; dates asked for outside this range are clamped to it.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

TICKET_PREFIX = "O311-"
TICKET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # uppercase letters and digits without 0/O, 1/I/L
TICKET_SUFFIX_LENGTH = 12
TOKEN_BYTES = 24  # 32 url-safe characters; work_orders.open311_token holds 40

GENERAL_ERROR = "服务暂时无法处理该请求，请稍后重试；如持续出现，请联系街道城运中心。"
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "errors": "error",
}
# Characters XML 1.0 cannot carry (and lone surrogates, which UTF-8 cannot): replaced on the way out.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_W3C = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)
# "+08:00" sent unencoded in a query string arrives as " 08:00".
_SPACE_FOR_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}:?\d{2})$")
_DEGREES = re.compile(r"^[+-]?\d{1,3}(?:\.\d{1,15})?$")
_MEDIA_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)

JSON_OR_XML = {"content": {"text/xml": {"schema": {"type": "string"}}, "application/json": {}}}
ERROR_DOCS: dict[int | str, dict[str, Any]] = {
    status: {"description": "Open311 错误列表（errors/error: code, description）", **JSON_OR_XML}
    for status in (400, 403, 404)
}
FORMAT_PATH = Annotated[str, Path(description="返回格式：xml 或 json")]
POST_FIELDS: dict[str, str] = {
    "api_key": "城运中心发放的 api_key（必填）",
    "service_code": "诉求分类代码，取自 services（必填）",
    "lat": "纬度（WGS84），与 long 同时提供",
    "long": "经度（WGS84），与 lat 同时提供",
    "address_string": "地址（lat/long、address_string、address_id 三者至少其一）",
    "address_id": "地址编号",
    "email": "提交人邮箱（不保存）",
    "device_id": "设备编号（不保存）",
    "account_id": "账号编号（不保存）",
    "first_name": "名",
    "last_name": "姓",
    "phone": "联系电话（不公开）",
    "description": "诉求内容（必填，最多 4000 字）",
    "media_url": "图片等附件的 http(s) 链接",
}
POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code", "description"],
                    "properties": {name: {"type": "string", "description": text} for name, text in POST_FIELDS.items()},
                    "additionalProperties": {
                        "type": "string",
                        "description": "attribute[code]=value（本服务无附加属性）",
                    },
                }
            }
        },
    }
}


class Open311Error(Exception):
    """A refusal, answered as an Open311 error list with this HTTP status."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass(frozen=True, slots=True)
class RawForm:
    body: bytes
    content_type: str


async def read_form(request: Request) -> RawForm:
    """The raw body, read here so the route itself can run in the thread pool (its database work blocks)."""
    return RawForm(await request.body(), request.headers.get("content-type", ""))


def open311_router(service: ServerService) -> APIRouter:
    router = APIRouter(tags=["Open311 GeoReport v2"])

    @router.get(
        "/discovery.{fmt}",
        summary="服务发现（Service Discovery）",
        response_class=Response,
        responses={200: JSON_OR_XML, 404: ERROR_DOCS[404]},
    )
    def discovery(fmt: FORMAT_PATH, request: Request) -> Response:
        path = request.url.path
        base = request.url.replace(path=path[: path.rfind("/discovery.")], query="", fragment="")
        return answer(fmt, "discovery", lambda: discovery_document(str(base)))

    @router.get(
        "/services.{fmt}",
        summary="服务列表（GET Service List）",
        response_class=Response,
        responses={200: JSON_OR_XML, **ERROR_DOCS},
    )
    def services(fmt: FORMAT_PATH) -> Response:
        return answer(fmt, "services", lambda: service_list(service))

    @router.get(
        "/services/{service_code}.{fmt}",
        summary="服务定义（GET Service Definition）",
        response_class=Response,
        responses={200: JSON_OR_XML, **ERROR_DOCS},
    )
    def service_definition(service_code: str, fmt: FORMAT_PATH) -> Response:
        return answer(fmt, "service_definition", lambda: definition(service, service_code))

    @router.get(
        "/requests.{fmt}",
        summary="查询诉求（GET Service Requests）",
        description="默认最近 90 天、最多 1000 条；service_request_id 给出时忽略其他条件。无需 api_key。",
        response_class=Response,
        responses={200: JSON_OR_XML, **ERROR_DOCS},
    )
    def requests(
        fmt: FORMAT_PATH,
        service_request_id: Annotated[list[str] | None, Query(description="诉求编号，逗号分隔")] = None,
        service_code: Annotated[list[str] | None, Query(description="诉求分类代码，逗号分隔")] = None,
        start_date: Annotated[
            str | None, Query(description="最早登记时间（W3C 格式，如 2026-11-01T00:00:00+08:00）")
        ] = None,
        end_date: Annotated[str | None, Query(description="最晚登记时间（W3C 格式）")] = None,
        status: Annotated[list[str] | None, Query(description="open、closed，逗号分隔")] = None,
    ) -> Response:
        def produce() -> list[dict[str, Any]]:
            ids = split_values(service_request_id)
            if ids:
                return requests_by_id(service, ids)
            start, end = window(start_date, end_date, service.now())
            return search_requests(service, split_values(service_code), start, end, parse_statuses(status))

        return answer(fmt, "service_requests", produce)

    @router.post(
        "/requests.{fmt}",
        summary="提交诉求（POST Service Request）",
        description=(
            "表单提交（application/x-www-form-urlencoded），须带 api_key；"
            "诉求作为“码上就来”工单派给该 api_key 所属工作站。"
        ),
        response_class=Response,
        responses={200: JSON_OR_XML, **ERROR_DOCS},
        openapi_extra=POST_BODY,
    )
    def create_request(fmt: FORMAT_PATH, form: Annotated[RawForm, Depends(read_form)]) -> Response:
        # 200, not 201: the spec names no success status for POST (its example shows only the body; every
        # status it lists is an error), so it answers like every other method here.
        return answer(fmt, "service_requests", lambda: create(service, parse_form(form)))

    @router.get(
        "/requests/{service_request_id}.{fmt}",
        summary="查询单个诉求（GET Service Request）",
        response_class=Response,
        responses={200: JSON_OR_XML, **ERROR_DOCS},
    )
    def request_by_id(service_request_id: str, fmt: FORMAT_PATH) -> Response:
        def produce() -> list[dict[str, Any]]:
            found = requests_by_id(service, [service_request_id.strip()])
            if not found:
                raise Open311Error(404, f"没有编号为「{echo(service_request_id)}」的诉求。")
            return found

        return answer(fmt, "service_requests", produce)

    @router.get(
        "/tokens/{token}.{fmt}",
        summary="由 token 查诉求编号（GET service_request_id from a token）",
        response_class=Response,
        responses={200: JSON_OR_XML, **ERROR_DOCS},
    )
    def token_lookup(token: str, fmt: FORMAT_PATH) -> Response:
        return answer(fmt, "service_requests", lambda: request_of_token(service, token))

    @router.api_route(
        "/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        include_in_schema=False,
    )
    def unknown(rest: str, request: Request) -> Response:
        """Anything else under the prefix: Open311's own error format, not the sync API's."""
        kind = "json" if rest.lower().endswith(".json") else "xml"
        # Our own routes, without the prefix the app mounts them at: a path that exists with another method.
        scope = {"type": "http", "path": "/" + rest, "root_path": "", "method": request.method}
        allowed: set[str] = set()
        for route in router.routes:
            if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.PARTIAL:
                allowed |= route.methods or set()
        if allowed:
            methods = ", ".join(sorted(allowed))
            response = error(kind, 405, f"该地址不支持 {echo(request.method)} 请求（可用：{methods}）。")
            response.headers["Allow"] = methods
            return response
        return error(
            kind, 404, "没有这个 Open311 资源。可用：discovery、services、requests、tokens（加 .xml 或 .json）。"
        )

    return router


# --- answering ------------------------------------------------------------------------------------------------


def answer(fmt: str, root: str, produce: Callable[[], object]) -> Response:
    kind = fmt.lower()
    if kind not in FORMATS:
        return error("xml", 404, f"不支持的格式「{echo(fmt)}」：请在地址末尾用 .xml 或 .json。")
    try:
        body = produce()
    except Open311Error as err:
        return error(kind, err.status, err.description)
    except Exception:
        # The spec's "general service error" is a 400; the details go to the log, not to the client.
        log.exception("Open311 request failed")
        return error(kind, 400, GENERAL_ERROR)
    return render(kind, root, body)


def error(kind: str, status: int, description: str) -> Response:
    return render(kind, "errors", [{"code": status, "description": description}], status)


def render(kind: str, root: str, body: object, status: int = 200) -> Response:
    if kind == "json":
        content = json.dumps(clean(body), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    else:
        tree = ElementTree.tostring(element(root, body), encoding="unicode")
        content = '<?xml version="1.0" encoding="utf-8"?>\n' + tree
    return Response(content.encode("utf-8"), status_code=status, media_type=CONTENT_TYPES[kind])


def element(tag: str, value: object) -> ElementTree.Element:
    """XML without attributes or namespaces, as the spec asks; empty values are empty elements."""
    node = ElementTree.Element(tag)
    if isinstance(value, Mapping):
        for key, item in value.items():
            node.append(element(str(key), item))
    elif isinstance(value, list):
        for item in value:
            node.append(element(ITEM_TAGS[tag], item))
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = clean_text(str(value))
    return node


def clean(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def clean_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def echo(text: str, limit: int = 40) -> str:
    """A piece of the client's input quoted back in an error: short and printable."""
    short = _CONTROL.sub("", text)
    return short if len(short) <= limit else short[: limit - 1] + "…"


def w3c(moment: datetime) -> str:
    return moment.astimezone(DEFAULT_TIMEZONE).isoformat(timespec="seconds")


# --- discovery and services -----------------------------------------------------------------------------------


def discovery_document(url: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(DISCOVERY_FORMATS),
            }
        ],
    }


def service_list(service: ServerService) -> list[dict[str, Any]]:
    with service.reading() as session:
        rows = session.scalars(select(ServerCategoryRow).order_by(ServerCategoryRow.code)).all()
    names = {row.code: row.name for row in rows}
    return [
        service_entry(row, names.get(row.parent_code, row.parent_code))
        for row in rows
        if row.active and row.parent_code
    ]


def service_entry(row: ServerCategoryRow, group: str) -> dict[str, Any]:
    return {
        "service_code": row.code,
        "service_name": row.name,
        "description": f"{group}类诉求：{row.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": f"{row.name}, {group}",
        "group": group,
    }


def offered_service(session: Session, code: str) -> ServerCategoryRow | None:
    """The category behind a service code: only active leaves are services."""
    if not code or len(code) > 40:
        return None
    row = session.get(ServerCategoryRow, code)
    return row if row is not None and row.active and row.parent_code else None


def definition(service: ServerService, code: str) -> dict[str, Any]:
    with service.reading() as session:
        row = offered_service(session, code.strip())
    if row is None:
        raise Open311Error(404, f"没有诉求分类「{echo(code)}」。可用的分类见 services。")
    return {"service_code": row.code, "attributes": []}


# --- reading requests -----------------------------------------------------------------------------------------


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


def search_requests(
    service: ServerService, codes: list[str], start: datetime, end: datetime | None, statuses: set[str]
) -> list[dict[str, Any]]:
    query = select(ServerCaseRow).where(ServerCaseRow.registered_at >= start)
    if end is not None:
        query = query.where(ServerCaseRow.registered_at < end)
    if codes:
        query = query.where(ServerCaseRow.category_code.in_(codes))
    finished = [str(s) for s in FINISHED]
    if statuses == {"open"}:
        query = query.where(ServerCaseRow.status.not_in(finished))
    elif statuses == {"closed"}:
        query = query.where(ServerCaseRow.status.in_(finished))
    query = query.order_by(ServerCaseRow.registered_at.desc(), ServerCaseRow.number).limit(MAX_RESULTS)
    with service.reading() as session:
        rows = list(session.scalars(query).all())
        return request_entries(session, rows)


def requests_by_id(service: ServerService, ids: list[str]) -> list[dict[str, Any]]:
    """The requests named, in the order asked for; unknown ids are left out."""
    keys = {key for number in ids for key in (number, number.upper()) if len(key) <= 40}
    if not keys:
        return []
    with service.reading() as session:
        rows = session.scalars(select(ServerCaseRow).where(ServerCaseRow.number.in_(keys))).all()
        by_number = {row.number: row for row in rows}
        ordered: dict[str, ServerCaseRow] = {}
        for number in ids:
            row = by_number.get(number) or by_number.get(number.upper())
            if row is not None:
                ordered.setdefault(row.id, row)
        return request_entries(session, list(ordered.values()))


def request_entries(session: Session, rows: list[ServerCaseRow]) -> list[dict[str, Any]]:
    if not rows:
        return []
    categories = dict(session.execute(select(ServerCategoryRow.code, ServerCategoryRow.name)).tuples().all())
    stations = dict(
        session.execute(
            select(ServerStationRow.code, ServerStationRow.name).where(
                ServerStationRow.code.in_({row.station_code for row in rows})
            )
        )
        .tuples()
        .all()
    )
    due = dict(
        session.execute(
            select(WorkOrderRow.case_id, WorkOrderRow.due_at).where(WorkOrderRow.case_id.in_([r.id for r in rows]))
        )
        .tuples()
        .all()
    )
    return [
        request_entry(
            row,
            category=categories.get(row.category_code, row.category_code),
            station=stations.get(row.station_code, row.station_code),
            due_at=due.get(row.id),
        )
        for row in rows
    ]


def request_entry(row: ServerCaseRow, *, category: str, station: str, due_at: datetime | None) -> dict[str, Any]:
    """One case as a service request. Deliberately field by field: no name, no phone, nothing else private."""
    state: Mapping[str, Any] = row.state if isinstance(row.state, Mapping) else {}
    try:
        status = Status(row.status)
        label, closed = STATUS_LABELS[status], status in FINISHED
    except ValueError:
        label, closed = row.status, False
    assignee = text_field(state, "assignee")
    # Residents who post through Open311 or a 码上就来 code publish their report themselves. What was told to a
    # clerk or a hotline stays private: the public list shows its category and only the compound (小区).
    published = state.get("channel") == Channel.QR_REPORT
    if published:
        description = text_field(state, "description") or None
        address = joined_address(text_field(state, k) for k in ("compound", "building", "address")) or None
    else:
        description = f"{category}（详情仅承办工作站可见）"
        address = text_field(state, "compound") or None
    return {
        "service_request_id": row.number,
        "status": "closed" if closed else "open",
        "status_notes": f"{label}（承办：{assignee}）" if assignee else label,
        "service_name": category,
        "service_code": row.category_code,
        "description": description,
        "agency_responsible": assignee or station,
        "service_notice": None,
        "requested_datetime": w3c(row.registered_at),
        "updated_datetime": w3c(row.updated_at),
        "expected_datetime": w3c(due_at) if due_at is not None else None,
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def text_field(state: Mapping[str, Any], name: str) -> str:
    value = state.get(name)
    return value.strip() if isinstance(value, str) else ""


def request_of_token(service: ServerService, token: str) -> list[dict[str, Any]]:
    token = token.strip()
    number = None
    if token and len(token) <= 40:  # the empty token of orders not posted through Open311 is no token
        with service.reading() as session:
            number = session.scalar(
                select(ServerCaseRow.number)
                .join(WorkOrderRow, WorkOrderRow.case_id == ServerCaseRow.id)
                .where(WorkOrderRow.open311_token == token)
            )
    if number is None:
        raise Open311Error(404, f"没有 token 为「{echo(token)}」的诉求。")
    return [{"service_request_id": number, "token": token}]


# --- posting a request ----------------------------------------------------------------------------------------


def parse_form(form: RawForm) -> dict[str, list[str]]:
    kind = form.content_type.split(";")[0].strip().lower()
    if kind not in ("", "application/x-www-form-urlencoded"):
        raise Open311Error(400, f"请以 application/x-www-form-urlencoded 表单提交（收到的是 {echo(kind)}）。")
    try:
        text = form.body.decode("utf-8")
        return parse_qs(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except UnicodeDecodeError as err:
        raise Open311Error(400, "表单内容须为 UTF-8 编码。") from err
    except ValueError as err:
        raise Open311Error(400, f"表单字段过多（最多 {MAX_FORM_FIELDS} 个）。") from err


def first(fields: Mapping[str, list[str]], name: str) -> str:
    """The first non-empty value of a field: an empty field counts as not sent."""
    return next((value.strip() for value in fields.get(name, []) if value.strip()), "")


def create(service: ServerService, fields: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    key = first(fields, "api_key")
    if not key:
        raise Open311Error(403, "缺少 api_key：提交诉求须携带街道城运中心发放的 api_key。")
    station_code = service.api_key_station(key)
    if station_code is None:
        raise Open311Error(403, "api_key 无效或已停用，诉求未提交。")
    code = first(fields, "service_code")
    if not code:
        raise Open311Error(400, "缺少 service_code（诉求分类代码），可用的分类见 services。")
    with service.reading() as session:
        category = offered_service(session, code)
        station = session.get(ServerStationRow, station_code)
    if category is None:
        raise Open311Error(404, f"没有诉求分类「{echo(code)}」。可用的分类见 services。")
    address = location(fields)
    description = full_description(fields)
    name = complainant(first(fields, "first_name"), first(fields, "last_name"))
    station_name = station.name if station is not None else station_code
    for _ in range(3):
        ticket = new_ticket()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            order = build_work_order(
                ticket=ticket,
                source=Channel.QR_REPORT,
                station_code=station_code,
                category_code=category.code,
                description=description,
                dispatched_at=service.now(),
                address=address,
                complainant_name=name,
                phone=first(fields, "phone"),
            )
        except ValueError as err:
            raise Open311Error(400, str(err)) from err
        try:
            service.add_work_order(order, open311_token=token)
        except DomainError as err:
            if err.code == "workorder.exists":
                continue  # a ticket drawn twice: draw again
            if err.code == "workorder.station_revoked":
                raise Open311Error(403, "该 api_key 所属的工作站已停用，诉求未提交。") from err
            raise Open311Error(400, err.message_zh) from err
        # The spec says a realtime service returns the id and not a token; we return both, so a client that
        # keeps only the token (as for batch services) still finds the request through tokens/{token}.
        return [
            {
                "service_request_id": ticket,
                "token": token,
                "service_notice": f"诉求已受理，已派至{station_name}办理。可凭编号 {ticket} 查询办理进度。",
                "account_id": None,
            }
        ]
    raise Open311Error(400, GENERAL_ERROR)


def new_ticket() -> str:
    return TICKET_PREFIX + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_SUFFIX_LENGTH))


def location(fields: Mapping[str, list[str]]) -> str:
    """The address the work order carries: address_string, else the coordinates, else the address id."""
    lat, lon = first(fields, "lat"), first(fields, "long")
    if lat or lon:
        check_coordinates(lat, lon)
    address = " ".join(first(fields, "address_string").split())
    if address:
        return address
    if lat:
        return f"{lat},{lon}"
    address_id = first(fields, "address_id")
    if address_id:
        return f"地址编号 {address_id}"
    raise Open311Error(400, "缺少位置：请提供 lat 和 long，或 address_string，或 address_id。")


def check_coordinates(lat: str, lon: str) -> None:
    if not lat or not lon:
        raise Open311Error(400, "lat 与 long 须同时提供。")
    if not _DEGREES.match(lat) or not _DEGREES.match(lon) or abs(float(lat)) > 90 or abs(float(lon)) > 180:
        raise Open311Error(400, "lat/long 须为十进制度数（纬度 -90～90，经度 -180～180）。")


def full_description(fields: Mapping[str, list[str]]) -> str:
    """The description as the domain requires it, with the media link (if any) for the station to open."""
    raw = next((value for value in fields.get("description", []) if value.strip()), "")
    try:
        text = validate_description(_CONTROL.sub("", raw.replace("\r\n", "\n")))
    except ValidationError as err:
        raise Open311Error(400, err.message_zh) from err
    media = first(fields, "media_url")
    if media:
        if len(media) > 500 or not _MEDIA_URL.match(media):
            raise Open311Error(400, "media_url 须为 http:// 或 https:// 开头的链接（最长 500 字符）。")
        text = f"{text}\n附图：{media}"
    return text


def complainant(first_name: str, last_name: str) -> str:
    """姓 (last_name) before 名 (first_name) for Chinese names; "First Last" for names in Latin letters."""
    given, family = " ".join(first_name.split()), " ".join(last_name.split())
    if given.isascii() and family.isascii():
        return " ".join(part for part in (given, family) if part)
    return f"{family}{given}"
