"""The access log: one line per request that presented a secret, to `access.log` (see `gridstation.logsetup`).

    2026-11-23T09:30:00+0800 dept:WATER POST /api/v1/department/updates 200 3f2a9c0e5b7d4e1fa6c8b2d4e6f8a0c1

Time, who (`station:JA01`, `dept:WATER`, `apikey:码上就来`, or `-` when the secret was refused), method, path, status,
request id. The path goes without its query string, whose values may carry personal data in some future route;
the request id is also sent back in the `X-Request-ID` header, so a caller's complaint can be found in the log (a
reverse proxy's own X-Request-ID is kept, to join its log to ours).

Unauthenticated public reads — the status page, Open311 GETs, discovery, `/api/v1/info`, `/healthz` — are not
logged: no principal makes them and they serve only what is public anyway (item 7 of issue 13 keeps it so), and a
line for each would bury the accesses that matter. A refused secret is logged (who `-`): that is how guessing
shows up.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from gridstation.logsetup import ACCESS_LOGGER
from gridstation.server.access import AccessRecord, recording
from gridstation.server.api.middleware import ASGIApp

log = logging.getLogger(ACCESS_LOGGER)
REQUEST_ID_HEADER = b"x-request-id"
_PROXY_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")
# Characters a path keeps as they are; anything else (spaces, control characters, non-ASCII) is percent-encoded,
# so that one request is always one line with six fields.
_PATH_SAFE = "/-._~!$&'()*+,;=:@"


# Told of every answered request, whoever made it: the metrics, the request log (`observe.RequestObserver`).
Observer = Callable[[MutableMapping[str, Any], AccessRecord, int, str, float], Awaitable[None]]


class AccessLog:
    """ASGI middleware: opens the request's access record (`server.access`), writes its line when it is answered,
    and tells the observer of every request (the request id, status and time taken are known here)."""

    def __init__(self, app: ASGIApp, observer: Observer | None = None) -> None:
        self.app = app
        self.observer = observer

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 500  # unless an answer starts: a crash is answered outside this middleware

        async def send_with_id(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        started = time.perf_counter()
        with recording() as record:
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if record.authenticating:
                    who = _field(record.principal or "-")
                    log.info("%s %s %s %d %s", who, _field(scope["method"]), _path(scope), status, request_id)
                if self.observer is not None:
                    await self.observer(scope, record, status, request_id, time.perf_counter() - started)


def _request_id(scope: MutableMapping[str, Any]) -> str:
    for name, value in scope.get("headers") or []:
        if name == REQUEST_ID_HEADER and _PROXY_REQUEST_ID.match(value):
            return str(value.decode("ascii"))
    return uuid.uuid4().hex


def _path(scope: MutableMapping[str, Any]) -> str:
    return quote(str(scope.get("path", "")), safe=_PATH_SAFE)


def _field(text: str) -> str:
    """A principal's name as one field: whitespace and control characters cannot split or forge a line."""
    return "".join(ch if ch.isprintable() and not ch.isspace() else quote(ch) for ch in text)
