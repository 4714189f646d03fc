"""What every request passes through before its route: the body size limit and the protocol version check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from gridstation.protocol import PROTOCOL_HEADER, SUPPORTED_VERSIONS, ErrorBody
from gridstation.server.api.errors import error_response

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[MutableMapping[str, Any]]], Callable[..., Awaitable[None]]],
    Awaitable[None],
]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse bodies over the limit with 413 before they are read into memory (a 100 000-event batch, say)."""

    def __init__(self, app: ASGIApp, limit: int, chunk_limit: int, photo_form_limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.chunk_limit = chunk_limit
        self.photo_form_limit = photo_form_limit or limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self.chunk_limit if path.endswith("/content") else self.limit
        if path.startswith("/console/cases/") and path.endswith("/reply"):  # a result's form may carry a photo
            limit = self.photo_form_limit
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        seen = 0
        too_large = False
        answered = False

        async def limited_receive() -> MutableMapping[str, Any]:
            nonlocal seen, too_large
            message: MutableMapping[str, Any] = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: MutableMapping[str, Any]) -> None:
            nonlocal answered
            if too_large:
                # Whatever the app makes of the interrupted body (FastAPI calls it a parse error), the answer is 413.
                if not answered and message["type"] == "http.response.start":
                    answered = True
                    await _too_large(send, limit)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception as exc:
            # Middleware running the app in a task group hands the refusal back wrapped in an ExceptionGroup.
            if not (too_large or _is_body_too_large(exc)):
                raise
        if too_large and not answered:
            await _too_large(send, limit)


def _is_body_too_large(exc: BaseException) -> bool:
    if isinstance(exc, BodyTooLarge):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return all(_is_body_too_large(inner) for inner in exc.exceptions)
    return False


async def _too_large(send: Any, limit: int) -> None:
    body = ErrorBody.model_validate(
        {"error": {"code": "request.too_large", "message": f"请求过大（上限 {limit // 1024} KB），请分批发送。"}}
    )
    payload = body.model_dump_json().encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def protocol_header(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Refuse a sync protocol version the server does not speak; tell every client the version it speaks."""
    asked = request.headers.get(PROTOCOL_HEADER)
    if asked is not None and (not asked.isdigit() or len(asked) > 3 or int(asked) not in SUPPORTED_VERSIONS):
        return error_response(
            400,
            "protocol.unsupported",
            f"服务器不支持同步协议版本 {asked[:10]!r}"
            f"（支持 {', '.join(map(str, SUPPORTED_VERSIONS))}），请升级工作站程序。",
            supported=list(SUPPORTED_VERSIONS),
        )
    response = await call_next(request)
    response.headers[PROTOCOL_HEADER] = str(SUPPORTED_VERSIONS[-1])
    return response
