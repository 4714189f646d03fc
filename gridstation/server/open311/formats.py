"""What Open311 answers look like: the documents (discovery, services, requests) and their XML or JSON rendering.

Times are W3C (ISO 8601 with the Shanghai offset); text that XML 1.0 cannot carry is replaced on the way out, in
JSON too, so both formats say the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from fastapi.responses import Response

from gridstation.server.lookups import PublicCase
from gridstation.server.models import ServerCategoryRow
from gridstation.server.workorders import DEFAULT_TIMEZONE

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-20T00:00:00+08:00"  # when this document (the endpoint's shape) last changed
CONTACT = "街道城运中心（各居委会民情快办工作站可代为联系）"
KEY_SERVICE = "api_key 由街道城运中心发放（gridstation-server apikey add），提交诉求时必须携带；查询无需 api_key。"
FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DISCOVERY_FORMATS = ["text/xml", "application/json"]

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
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """A refusal, answered as an Open311 error list with this HTTP status."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering ------------------------------------------------------------------------------------------------


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
    short = CONTROL_CHARACTERS.sub("", text)
    return short if len(short) <= limit else short[: limit - 1] + "…"


def w3c(moment: datetime) -> str:
    return moment.astimezone(DEFAULT_TIMEZONE).isoformat(timespec="seconds")


# --- documents ------------------------------------------------------------------------------------------------


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


def request_entry(case: PublicCase) -> dict[str, Any]:
    """One case as a service request: the public view (`lookups.PublicCase`) field by field, nothing else."""
    return {
        "service_request_id": case.number,
        "status": case.status,
        "status_notes": f"{case.status_label}（承办：{case.department}）" if case.department else case.status_label,
        "service_name": case.category,
        "service_code": case.category_code,
        "description": case.summary,
        "agency_responsible": case.department or case.station,
        "service_notice": None,
        "requested_datetime": w3c(case.registered_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_at) if case.due_at is not None else None,
        "address": case.location,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
