"""The console's pages: sign-in and out, the case board, one case, a department's inbox, the stations' sync status
and the 回单 export.

Every page reads through the service (the same `list_cases`/`case_detail` as the JSON API), so a case outside the
user's scope (`visibility`) is the same 404 page as a case that does not exist. Refusals and bad input become a
Chinese message on the page (`ConsoleRefusal`, `ServerError`), never a traceback. The case page carries the
forms of 吹哨报到 (`forms.case_forms`), which post to `actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gridstation.domain.console_roles import CONSOLE_ROLE_LABELS, SEES_ALL_CASES
from gridstation.domain.enums import TASK_ROLE_LABELS, TASK_STATE_LABELS, Status
from gridstation.domain.errors import DomainError
from gridstation.domain.localtime import BEIJING, local_minute
from gridstation.domain.photos import PHOTO_TYPES, describe_size
from gridstation.domain.sla import COLOUR_LABELS
from gridstation.server.case_photos import CasePhotos
from gridstation.server.case_reads import MAX_PAGE
from gridstation.server.console.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    ConsoleRefusal,
    check_csrf,
    end_session,
    new_login_csrf,
    read_form,
    session_csrf,
    set_login_csrf,
    set_session,
    signed_in,
)
from gridstation.server.console.board import BOARD_PAGE, COLOUR_CHOICES, STATUS_CHOICES, board_query, inbox_groups
from gridstation.server.console.forms import case_forms
from gridstation.server.errors import ServerError
from gridstation.server.service import ServerService
from gridstation.server.station_health import AGE_LABELS, ERROR_LABELS, ago
from gridstation.server.visibility import Principal
from gridstation.server.workorder_returns import DEFAULT_ENCODING, parse_encoding, parse_since, returns_csv

HERE = Path(__file__).parent
STATIC_FILES = {"console.css": (HERE / "static" / "console.css", "text/css; charset=utf-8")}
NOT_SIGNED_IN = "/console/login"

templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
templates.filters["beijing"] = lambda moment: local_minute(moment, "—")
templates.globals.update(
    colour_labels=COLOUR_LABELS,
    role_labels=CONSOLE_ROLE_LABELS,
    csrf_field=CSRF_FIELD,
    status_choices=STATUS_CHOICES,
    colour_choices=COLOUR_CHOICES,
    task_role_labels=TASK_ROLE_LABELS,
    task_state_labels=TASK_STATE_LABELS,
    photo_types=PHOTO_TYPES,
)
templates.filters["size"] = describe_size
templates.filters["ago"] = ago
STATION_STATE_LABELS = {"pending": "待登记", "enrolled": "已登记", "revoked": "已停用"}

router = APIRouter(prefix="/console", include_in_schema=False)


def service_of(request: Request) -> ServerService:
    service = request.app.state.service
    assert isinstance(service, ServerService)
    return service


def case_photos_of(request: Request) -> CasePhotos:
    return CasePhotos(request.app.state.attachments)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status)


def refused(status: int, message: str, user: Principal | None = None, csrf: str = "") -> HTMLResponse:
    return render("error.html", status, message=message, user=user, csrf=csrf)


NOT_A_PAGE_FOR_YOU = "找不到该页面。"
Fields = dict[str, list[str]]
# What a refused form shows: (service, user, csrf, status, message) -> the page again with the message.
Refused = Callable[[ServerService, Principal, str, int, str], Response]


def one(fields: Fields, name: str) -> str:
    values = fields.get(name) or [""]
    return values[0].strip()


def require_sees_all(user: Principal) -> None:
    """Pages for those who see every case (the centre, administrators): everyone else gets the 404 page."""
    if user.role not in SEES_ALL_CASES:
        raise ConsoleRefusal(404, NOT_A_PAGE_FOR_YOU)


def posted_form(
    request: Request,
    fields: Fields | ConsoleRefusal,
    perform: Callable[[ServerService, Principal, Fields], str],
    on_refused: Refused,
) -> Response:
    """A form the signed-in user posted: its CSRF token checked, `perform(service, user, fields)` run and the address
    it answers followed (303); to the sign-in page without a user; a refusal is `on_refused`'s page, or the 404
    page (a case or a page the user may not see)."""
    service = service_of(request)
    session = signed_in(request, service)
    if session is None:
        return RedirectResponse(NOT_SIGNED_IN, status_code=303)
    user, token = session
    csrf = session_csrf(token)
    try:
        if isinstance(fields, ConsoleRefusal):
            raise fields
        check_csrf(one(fields, CSRF_FIELD), csrf)
        done = perform(service, user, fields)
    except (ConsoleRefusal, ServerError) as refusal:
        message = refusal.message if isinstance(refusal, ConsoleRefusal) else refusal.message_zh
        if refusal.status == 404:
            return refused(404, message, user, csrf)
        try:
            return on_refused(service, user, csrf, refusal.status, message)
        except ServerError as error:
            return refused(error.status, error.message_zh, user, csrf)
    return RedirectResponse(done, status_code=303)


def page(request: Request, build: Any) -> Response:
    """Run `build(user, csrf)` for the signed-in user; to the sign-in page without one; refusals as a page."""
    service = service_of(request)
    session = signed_in(request, service)
    if session is None:
        return RedirectResponse(NOT_SIGNED_IN, status_code=303)
    user, token = session
    csrf = session_csrf(token)
    try:
        response: Response = build(service, user, csrf)
        return response
    except ConsoleRefusal as refusal:
        return refused(refusal.status, refusal.message, user, csrf)
    except ServerError as error:
        return refused(error.status, error.message_zh, user, csrf)


# --- signing in and out ---------------------------------------------------------------------------------------


def login_page(message: str = "", username: str = "", status: int = 200) -> HTMLResponse:
    value = new_login_csrf()
    response = render("login.html", status, message=message, username=username, csrf=value)
    set_login_csrf(response, value)
    return response


@router.get("/login")
def login_form() -> HTMLResponse:
    return login_page()


@router.post("/login")
async def login(request: Request) -> Response:
    try:
        form = await read_form(request)
        check_csrf(form.get(CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE))
    except ConsoleRefusal as refusal:
        return login_page(refusal.message, status=refusal.status)
    username, password = form.get("username", "").strip(), form.get("password", "")
    if not username or not password:
        return login_page("请填写用户名和密码。", username[:40], 400)
    if len(username) > 40 or len(password) > 200:
        return login_page("用户名或密码过长。", status=400)
    try:
        session = await run_in_threadpool(service_of(request).login, username, password)
    except ServerError as error:
        return login_page(error.message_zh, username, error.status)
    response = RedirectResponse("/console/", status_code=303)
    set_session(response, session.token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    service = service_of(request)
    session = await run_in_threadpool(signed_in, request, service)
    try:
        form = await read_form(request)
        check_csrf(form.get(CSRF_FIELD), session_csrf(session[1]) if session else None)
    except ConsoleRefusal as refusal:
        return refused(refusal.status, refusal.message)
    assert session is not None
    await run_in_threadpool(service.logout, session[1])
    response = RedirectResponse(NOT_SIGNED_IN, status_code=303)
    end_session(response)
    return response


# --- pages ------------------------------------------------------------------------------------------------------


@router.get("/")
def board(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        query = board_query(request.query_params)
        cases = service.list_cases(user, query.wanted, limit=BOARD_PAGE, offset=(query.page - 1) * BOARD_PAGE)
        pages = max(1, -(-cases.total // BOARD_PAGE))
        return render(
            "board.html",
            400 if query.problems else 200,
            user=user,
            csrf=csrf,
            query=query,
            cases=cases,
            pages=pages,
            previous_link=query.link(query.page - 1) if query.page > 1 else "",
            next_link=query.link(query.page + 1) if query.page < pages else "",
        )

    return page(request, build)


def case_page(
    service: ServerService,
    photos: CasePhotos,
    user: Principal,
    csrf: str,
    number: str,
    message: str = "",
    status: int = 200,
) -> HTMLResponse:
    """One case with its photos and the forms of what this user may do on it (`case_forms`), and a message from a
    refused one."""
    detail = service.case_detail(user, number)
    tasks = service.case_tasks(user, [detail.case.number]).get(detail.case.number, ())
    forms = case_forms(user, tasks, service.departments(), Status(detail.case.status))
    shown = photos.photos(user, detail.case.number)
    return render("case.html", status, user=user, csrf=csrf, detail=detail, forms=forms, message=message, photos=shown)


@router.get("/cases/{number}")
def case(request: Request, number: str) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        return case_page(service, case_photos_of(request), user, csrf, number)

    return page(request, build)


@router.get("/cases/{number}/photos/{sha256}")
def case_photo(request: Request, number: str, sha256: str) -> Response:
    """A photo of the case, for its page's thumbnails: shown inline only if it is an image (by its bytes)."""

    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        path, media_type = case_photos_of(request).content(user, number, sha256[:64])
        return FileResponse(
            path,
            media_type=media_type,
            content_disposition_type="inline" if media_type in PHOTO_TYPES else "attachment",
            filename=sha256[:64],
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
        )

    return page(request, build)


@router.get("/inbox")
def inbox(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        cases = service.list_cases(user, board_query({}).wanted, limit=MAX_PAGE)
        tasks = service.case_tasks(user, [item.number for item in cases.items]) if user.department else {}
        groups = inbox_groups(cases.items, tasks, user.department, service.now())
        return render("inbox.html", user=user, csrf=csrf, groups=groups, total=cases.total)

    return page(request, build)


@router.get("/stations")
def stations(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        require_sees_all(user)
        return render(
            "stations.html",
            user=user,
            csrf=csrf,
            stations=service.station_health(),
            now=service.now(),
            state_labels=STATION_STATE_LABELS,
            age_labels=AGE_LABELS,
            error_labels=ERROR_LABELS,
        )

    return page(request, build)


@router.get("/workorders")
def workorders(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        require_sees_all(user)
        week_ago = (service.now() - timedelta(days=7)).astimezone(BEIJING).date().isoformat()
        return render("workorders.html", user=user, csrf=csrf, since=week_ago)

    return page(request, build)


@router.get("/workorders/returns.csv")
def workorder_returns(request: Request) -> Response:
    """The 回单 file, as `gridstation-server workorder export` writes it; only for those who see every case."""

    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        require_sees_all(user)
        since_text = request.query_params.get("since", "")
        try:
            since = parse_since(since_text)
            encoding = parse_encoding(request.query_params.get("encoding", DEFAULT_ENCODING))
        except DomainError as error:
            return render("workorders.html", 400, user=user, csrf=csrf, since=since_text, message=error.message_zh)
        data = returns_csv(service.return_slips(since), encoding)
        name = f"回单-{since.date().isoformat()}.csv"
        return Response(
            data,
            media_type=f"text/csv; charset={encoding}",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )

    return page(request, build)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        return refused(404, "找不到该文件。")
    path, media_type = STATIC_FILES[name]
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "max-age=3600"})
