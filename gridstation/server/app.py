"""The HTTP face of the server: the station sync API, department updates, the public status page, Open311.

Every refusal is a precise 4xx with a JSON body `{"error": {"code", "message", "detail"}}` (Open311 answers in
its own error format); nothing is stored by a refused request.
"""

import html
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridstation.domain.errors import DomainError
from gridstation.protocol import (
    DEFAULT_PULL_PAGE,
    MAX_ATTACHMENT_CHUNK,
    MAX_PULL_PAGE,
    PROTOCOL_HEADER,
    SUPPORTED_VERSIONS,
    AttachmentOffer,
    AttachmentStatus,
    ConflictOut,
    DayReceipt,
    DayReceiptRequest,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    PullResponse,
    PushRequest,
    PushResponse,
    ServerInfo,
    StatusUpdate,
    StatusUpdateResult,
)
from gridstation.server.attachments import AttachmentStore
from gridstation.server.errors import ServerError, unauthorised
from gridstation.server.service import Department, ServerService

log = logging.getLogger("gridstation.server")

MAX_JSON_BODY = 4 * 1024 * 1024
DISPLAY_TIMEZONE = ZoneInfo("Asia/Shanghai")
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 422)
}

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[MutableMapping[str, Any]]], Callable[..., Awaitable[None]]],
    Awaitable[None],
]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse bodies over the limit with 413 before they are read into memory (a 100 000-event batch, say)."""

    def __init__(self, app: ASGIApp, limit: int, chunk_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.chunk_limit = chunk_limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.chunk_limit if scope["path"].endswith("/content") else self.limit
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


# SQLite's lock timeout and PostgreSQL's lock, deadlock and serialisation give-ups.
BUSY_WORDS = ("locked", "busy", "deadlock", "could not obtain lock", "could not serialize", "too many clients")
RETRY_AFTER_BUSY_S = 2
RETRY_AFTER_DOWN_S = 10


def error_response(status: int, code: str, message: str, **detail: Any) -> JSONResponse:
    body = ErrorBody.model_validate({"error": {"code": code, "message": message, "detail": detail}})
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


def _short(value: Any) -> Any:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def create_app(service: ServerService, data_dir: Path) -> FastAPI:
    app = FastAPI(
        title="GridStation 城运中心服务器",
        version="1",
        description="民情快办工作站与街道城运中心之间的同步接口，以及 Open311 GeoReport v2。",
    )
    attachments = AttachmentStore(service, data_dir / "attachments")
    bearer = HTTPBearer(auto_error=False)
    Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

    @app.exception_handler(ServerError)
    async def on_server_error(_: Request, exc: ServerError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message_zh, **exc.params)

    @app.exception_handler(DomainError)
    async def on_domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(409, exc.code, exc.message_zh)

    @app.exception_handler(RequestValidationError)
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

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "没有这个地址。", 405: "该地址不支持此请求方法。"}
        message = messages.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, f"http.{exc.status_code}", message)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def on_database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        # Waiting writers, a full connection pool or a database restart: the request changed nothing (its
        # transaction rolled back), and the same request will succeed a little later.
        text = str(getattr(exc, "orig", exc)).lower()
        busy = isinstance(exc, PoolTimeout) or any(word in text for word in BUSY_WORDS)
        log.warning("database unavailable (%s): %s", "busy" if busy else "down", text[:200])
        response = (
            error_response(503, "server.busy", "城运中心服务器正忙，请求未生效，请稍后自动重试。")
            if busy
            else error_response(
                503, "server.database_unavailable", "城运中心数据库暂时无法连接，请求未生效，请稍后重试。"
            )
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_BUSY_S if busy else RETRY_AFTER_DOWN_S)
        return response

    @app.exception_handler(Exception)
    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, "server.error", "服务器内部错误，请求未生效。请稍后重试或联系管理员。")

    @app.middleware("http")
    async def protocol_header(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
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

    def station_of(credentials: Credentials) -> str:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise unauthorised()
        return service.authenticate_station(credentials.credentials)

    def department_of(credentials: Credentials) -> Department:
        if credentials is None:
            raise unauthorised("缺少部门令牌。")
        return service.authenticate_department(credentials.credentials)

    Station = Annotated[str, Depends(station_of)]

    @app.get("/api/v1/info", response_model=ServerInfo)
    def info() -> ServerInfo:
        return ServerInfo(name="GridStation", protocol_versions=list(SUPPORTED_VERSIONS), server_time=service.now())

    @app.post("/api/v1/enrol", response_model=EnrolResponse, responses=ERROR_RESPONSES)
    def enrol(body: EnrolRequest) -> EnrolResponse:
        return service.enrol(body.code, body.device_name, body.attempt_id)

    @app.post("/api/v1/sync/push", response_model=PushResponse, responses=ERROR_RESPONSES)
    def push(body: PushRequest, station: Station) -> PushResponse:
        return service.push(station, body)

    @app.get("/api/v1/sync/pull", response_model=PullResponse, responses=ERROR_RESPONSES)
    def pull(
        station: Station,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        epoch: Annotated[int, Query(ge=0, le=2**31)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
    ) -> PullResponse:
        return service.pull(station, after=after, epoch=epoch, limit=limit)

    @app.post("/api/v1/sync/receipt", response_model=DayReceipt, responses=ERROR_RESPONSES)
    def receipt(body: DayReceiptRequest, station: Station) -> DayReceipt:
        return service.day_receipt(station, body)

    @app.get("/api/v1/conflicts", response_model=list[ConflictOut], responses=ERROR_RESPONSES)
    def conflicts(station: Station, include_resolved: bool = False) -> list[ConflictOut]:
        return service.conflicts(station, open_only=not include_resolved)

    @app.post("/api/v1/department/updates", response_model=StatusUpdateResult, responses=ERROR_RESPONSES)
    def department_update(
        body: StatusUpdate, department: Annotated[Department, Depends(department_of)]
    ) -> StatusUpdateResult:
        return service.department_update(department, body)

    @app.post("/api/v1/attachments", response_model=AttachmentStatus, responses=ERROR_RESPONSES)
    def offer_attachment(body: AttachmentOffer, station: Station) -> AttachmentStatus:
        return attachments.offer(station, body)

    sha_path = Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]

    @app.get("/api/v1/attachments/{sha256}", response_model=AttachmentStatus, responses=ERROR_RESPONSES)
    def attachment_status(sha256: str, station: Station) -> AttachmentStatus:
        return attachments.status(station, _checked_sha(sha256))

    @app.put(
        "/api/v1/attachments/{sha256}/content",
        response_model=AttachmentStatus,
        responses=ERROR_RESPONSES,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    )
    async def upload_chunk(
        sha256: str,
        request: Request,
        station: Station,
        offset: Annotated[int, Query(ge=0, le=2**40)] = 0,
    ) -> AttachmentStatus:
        data = await request.body()
        if len(data) > MAX_ATTACHMENT_CHUNK:
            raise ServerError(413, "attachment.chunk_too_large", "单次上传的数据过大（最多 1 MB）。")
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(attachments.write_chunk, station, _checked_sha(sha256), offset, data)

    @app.get("/api/v1/attachments/{sha256}/content", responses=ERROR_RESPONSES, response_class=FileResponse)
    def attachment_content(sha256: str, station: Station) -> FileResponse:
        return FileResponse(attachments.content(station, _checked_sha(sha256)))

    del sha_path

    @app.get("/status/{number}", response_class=HTMLResponse, responses={404: {"content": {"text/html": {}}}})
    def status_page(number: str) -> HTMLResponse:
        try:
            if "\x00" in number:
                raise ServerError(404, "case.unknown", "找不到该诉求。")
            view = service.case_status(number[:40])
        except ServerError:
            missing = f"<p>没有编号为 {html.escape(number[:40])} 的诉求。请核对回执上的编号。</p>"
            return HTMLResponse(_page("未找到诉求", missing), 404)
        rows = [
            ("诉求编号", view.number),
            ("诉求分类", view.category),
            ("当前状态", view.status_label),
            ("登记时间", _local(view.registered_at)),
            ("最近更新", _local(view.updated_at)),
        ]
        body = "<table>" + "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows) + "</table>"
        note = "已办结，感谢您的反映。" if view.closed else "正在办理中，如有疑问请致电工作站。"
        return HTMLResponse(_page(f"诉求 {view.number}", body + f"<p>{note}</p>"))

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    from gridstation.server.open311 import open311_router

    app.include_router(open311_router(service), prefix="/open311/v2")
    app.add_middleware(BodyLimit, limit=MAX_JSON_BODY, chunk_limit=MAX_ATTACHMENT_CHUNK + 64 * 1024)
    return app


def _checked_sha(text: str) -> str:
    if len(text) != 64 or any(ch not in "0123456789abcdef" for ch in text):
        raise ServerError(400, "attachment.bad_hash", "照片校验值须为 64 位小写十六进制 SHA-256。")
    return text


def _local(moment: datetime) -> str:
    return moment.astimezone(DISPLAY_TIMEZONE).strftime("%Y-%m-%d %H:%M")


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}"
        "th{text-align:left;padding-right:1em;color:#555}td,th{padding:.3em 0}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
