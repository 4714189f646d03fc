"""Posting an Open311 service request: the form read and checked field by field, then a 码上就来 work order.

The request goes to the station its api_key belongs to; the poster gets the case number to look it up and a
token (as batch services hand out) that finds it too.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from gridstation.domain.enums import Channel
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.validation import FORBIDDEN_CHARACTERS, check_characters, validate_description
from gridstation.server.open311.formats import GENERAL_ERROR, Open311Error, echo
from gridstation.server.service import ServerService
from gridstation.server.workorders import build_work_order

MAX_FORM_FIELDS = 200
TICKET_PREFIX = "O311-"
TICKET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # uppercase letters and digits without 0/O, 1/I/L
TICKET_SUFFIX_LENGTH = 12
TOKEN_BYTES = 24  # 32 url-safe characters; work_orders.open311_token holds 40
_DEGREES = re.compile(r"^[+-]?\d{1,3}(?:\.\d{1,15})?$")
# The fields whose text is kept (in the case, or to find its category): a control character in any of them is
# refused, never stored (one NUL in a stored case once stopped its station's sync for good).
KEPT_FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)
_MEDIA_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)

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


@dataclass(frozen=True, slots=True)
class RawForm:
    body: bytes
    content_type: str


async def read_form(request: Request) -> RawForm:
    """The raw body, read here so the route itself can run in the thread pool (its database work blocks)."""
    return RawForm(await request.body(), request.headers.get("content-type", ""))


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
    # No category code holds a control character: such a code is unknown without asking the database (PostgreSQL
    # refuses a NUL even in a query).
    category = None if FORBIDDEN_CHARACTERS.search(code) else service.offered_service(code)
    if category is None:
        raise Open311Error(404, f"没有诉求分类「{echo(code)}」。可用的分类见 services。")
    check_kept_text(fields)
    address = location(fields)
    description = full_description(fields)
    name = complainant(first(fields, "first_name"), first(fields, "last_name"))
    station_name = service.station_name(station_code)
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


def check_kept_text(fields: Mapping[str, list[str]]) -> None:
    """Refuse the request if any value of a field we keep holds a control character (tab and line breaks are text)."""
    for name in KEPT_FIELDS:
        for value in fields.get(name, []):
            try:
                check_characters(value, field=name, label=name)
            except ValidationError as err:
                raise Open311Error(
                    400,
                    f"{name} 中含有不可见的控制字符（{err.params['character']}，第 {err.params['position']} 个字符），"
                    "诉求未提交。请删除后重新提交。",
                ) from err


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
        text = validate_description(raw.replace("\r\n", "\n"))
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
