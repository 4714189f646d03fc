"""How refusals and failures are answered: one JSON error body, with the status each kind of error is due.

A `ServerError` carries its own status, a domain refusal is a conflict (409), a malformed request 422; a busy or
unreachable database is 503 with Retry-After, since the request changed nothing and will succeed a little later.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridstation.domain.errors import DomainError
from gridstation.protocol import ErrorBody
from gridstation.server.access import answered_with_error
from gridstation.server.errors import ServerError

log = logging.getLogger("gridstation.server")

# What the OpenAPI document promises for the sync API's routes: these statuses answer with an ErrorBody.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 422)
}
# SQLite's lock timeout and PostgreSQL's lock, deadlock and serialisation give-ups.
BUSY_WORDS = ("locked", "busy", "deadlock", "could not obtain lock", "could not serialize", "too many clients")
RETRY_AFTER_BUSY_S = 2
RETRY_AFTER_DOWN_S = 10


def error_response(status: int, code: str, message: str, **detail: Any) -> JSONResponse:
    answered_with_error(code)
    body = ErrorBody.model_validate({"error": {"code": code, "message": message, "detail": detail}})
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServerError, on_server_error)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_invalid)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, on_database_unavailable)
    app.add_exception_handler(PoolTimeout, on_database_unavailable)
    app.add_exception_handler(Exception, on_crash)


async def on_server_error(_: Request, exc: ServerError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message_zh, **exc.params)


async def on_domain_error(_: Request, exc: DomainError) -> JSONResponse:
    return error_response(409, exc.code, exc.message_zh)


async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [
        {
            "at": ".".join(str(p) for p in e.get("loc", ())),
            "problem": e.get("msg", ""),
            "input": _short(e.get("input")),
        }
        for e in exc.errors()[:20]
    ]
    first = problems[0] if problems else {"at": "", "problem": ""}
    return error_response(
        422,
        "request.invalid",
        f"请求格式有误：{first['at']} {first['problem']}".strip(),
        problems=problems,
    )


async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    messages = {404: "没有这个地址。", 405: "该地址不支持此请求方法。"}
    message = messages.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, f"http.{exc.status_code}", message)


async def on_database_unavailable(_: Request, exc: Exception) -> JSONResponse:
    # Waiting writers, a full connection pool or a database restart: the request changed nothing (its
    # transaction rolled back), and the same request will succeed a little later.
    text = str(getattr(exc, "orig", exc)).lower()
    busy = isinstance(exc, PoolTimeout) or any(word in text for word in BUSY_WORDS)
    log.warning("database unavailable (%s): %s", "busy" if busy else "down", text[:200])
    if busy:
        return busy_response(RETRY_AFTER_BUSY_S)
    response = error_response(
        503, "server.database_unavailable", "城运中心数据库暂时无法连接，请求未生效，请稍后重试。"
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_DOWN_S)
    return response


def busy_response(retry_after_s: int) -> JSONResponse:
    """503 `server.busy`: the request changed nothing; the station tries again after `retry_after_s`."""
    response = error_response(503, "server.busy", "城运中心服务器正忙，请求未生效，请稍后自动重试。")
    response.headers["Retry-After"] = str(retry_after_s)
    return response


async def on_crash(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error")
    return error_response(500, "server.error", "服务器内部错误，请求未生效。请稍后重试或联系管理员。")


def _short(value: Any) -> Any:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
