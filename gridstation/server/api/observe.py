"""Each answered request, seen once (called by the `AccessLog` middleware): counted in the metrics, written to the
request log, and an error answered to a station noted as its last error. And `GET /metrics`, for the scraper.

The request log is one line per request, every request (the access log beside it keeps only who presented a
secret): `gridstation.requests`, to `requests.log` and, under a service manager, its journal. JSON by default, or
key=value (`log_format` in the server's config):

    {"ts": "2026-11-23T01:30:00.123Z", "request_id": "3f2a…", "method": "POST", "route": "/api/v1/sync/push",
     "status": 200, "duration_ms": 41.2, "who": "station:JA01"}
    ts=2026-11-23T01:30:00.123Z request_id=3f2a… method=POST route=/api/v1/sync/push status=200 duration_ms=41.2 …

The route is the template (`/api/v1/cases/{number}`), never the path: a case number, a photo's hash or an Open311
token stays out. No query string, no body, no header but the request id: no phone number or complaint text can
reach this log. `who` is the principal the access log names (`station:JA01`, `user:zhangwei`), else `-`; `error`
is the code of a refusal (`sequence.gap`).

Who may read /metrics: a request made on this machine straight to the server (loopback, and no proxy's forwarding
header: nginx runs on the same machine, and what it forwards must not count as local), or one bearing the
`metrics_token` of the config. Anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from gridstation.logsetup import REQUEST_LOGGER
from gridstation.server.access import AccessRecord
from gridstation.server.api.errors import error_response
from gridstation.server.metrics import UNMATCHED_ROUTE, ServerMetrics
from gridstation.server.service import ServerService

STATION_PREFIX = "station:"
# What a station does when it syncs: its errors here are its "last error" on the status page.
STATION_ROUTES = ("/api/v1/sync/", "/api/v1/attachments", "/api/v1/conflicts", "/api/v1/policy", "/api/v1/kb")
FORWARDING_HEADERS = (b"x-forwarded-for", b"x-real-ip", b"forwarded")

log = logging.getLogger(REQUEST_LOGGER)
router = APIRouter()


class RequestObserver:
    def __init__(
        self,
        service: ServerService,
        metrics: ServerMetrics,
        log_format: Literal["json", "keyvalue"] = "json",
    ) -> None:
        self.service = service
        self.metrics = metrics
        self.log_format = log_format

    async def __call__(
        self, scope: MutableMapping[str, Any], record: AccessRecord, status: int, request_id: str, seconds: float
    ) -> None:
        route = route_of(scope)
        method = str(scope.get("method", ""))
        self.metrics.observe_request(route, method, status, seconds)
        who = record.principal or "-"
        fields: dict[str, Any] = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "request_id": request_id,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "who": who,
        }
        if record.error_code:
            fields["error"] = record.error_code
        log.info(_line(fields, self.log_format))
        if status >= 400 and who.startswith(STATION_PREFIX) and route.startswith(STATION_ROUTES):
            code = record.error_code or f"http.{status}"
            await run_in_threadpool(self.service.note_station_error, who.removeprefix(STATION_PREFIX), code, status)


def route_of(scope: MutableMapping[str, Any]) -> str:
    """The template of the route that answered (`scope["route"]`, set by the router), or `<unmatched>`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else UNMATCHED_ROUTE


def _line(fields: dict[str, Any], log_format: str) -> str:
    if log_format == "keyvalue":
        return " ".join(f"{key}={_kv(value)}" for key, value in fields.items())
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def _kv(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or any(c in text for c in ' "=\\')) else text


@router.get("/metrics", responses={403: {"description": "不是本机直接访问，也没有监控令牌"}})
async def metrics(request: Request) -> Response:
    """Prometheus metrics: requests, latency, sync traffic, each station's unsent queue and last sync, overdue
    cases. Only from this machine, straight to the server, or with the config's `metrics_token`."""
    token: str = request.app.state.metrics_token
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        allowed = True
    else:
        allowed = _local_and_direct(request)
    if not allowed:
        return error_response(
            403, "metrics.forbidden", "/metrics 只对本机直接访问或持有监控令牌（配置项 metrics_token）的请求开放。"
        )
    server_metrics: ServerMetrics = request.app.state.metrics
    body = await run_in_threadpool(server_metrics.exposition)  # reads the database for the per-station gauges
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _local_and_direct(request: Request) -> bool:
    if request.client is None:
        return False
    try:
        local = ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False
    forwarded = any(name in FORWARDING_HEADERS for name, _ in request.scope.get("headers") or [])
    return local and not forwarded
