"""The console's 吹哨报到 forms posted: dispatch and withdraw (centre, admin, a gridlead in its grid), a
department's replies and a gridlead's 牵头 — each a call to the dispatch service, which holds every rule.

A form carries the session's CSRF token and the idempotency key its page was rendered with. Success answers 303 to
the case page (so a reload does not post again); a refusal is the case page again with the service's Chinese
message and its 4xx status; a case outside the user's scope is the same 404 page as a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pydantic
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from gridstation.domain.enums import ReplyKind
from gridstation.domain.localtime import BEIJING
from gridstation.domain.photos import MAX_PHOTO_BYTES
from gridstation.server.case_photos import CasePhotos, checked_photo
from gridstation.server.console.auth import (
    MAX_FORM_BYTES,
    ConsoleRefusal,
    read_fields,
)
from gridstation.server.console.pages import Fields, case_page, case_photos_of, one, posted_form
from gridstation.server.dispatch_views import DispatchRequest, ReplyRequest, WithdrawRequest
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

router = APIRouter(prefix="/console", include_in_schema=False)
Photo = tuple[bytes, str]  # a file sent with a form: its bytes and the name it had
Perform = Callable[[ServerService, Principal, str, Fields], object]

# What a field the request models refuse means to the person at the form.
FIELD_PROBLEMS = {
    "lead": "请选择牵头部门。",
    "assist": "协办部门有误（最多 10 个）。",
    "note": "说明过长（最多 2000 字）或含有无效字符。",
    "reason": "原因过长（最多 2000 字）或含有无效字符。",
    "kind": "请选择反馈类型。",
    "idempotency_key": "表单已失效，请刷新页面后重试。",
}


def form_due(fields: Fields) -> datetime | None:
    """The 办理时限 of a `datetime-local` field: Beijing time, as the station and the centre read it."""
    text = one(fields, "due")
    if not text:
        return None
    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        raise ConsoleRefusal(422, "办理时限的格式有误（如 2026-11-23 17:00）。") from None
    return due if due.tzinfo else due.replace(tzinfo=BEIJING)


def checked(model: type[pydantic.BaseModel], **values: Any) -> Any:
    try:
        return model(**values)
    except pydantic.ValidationError as error:
        where = str(error.errors()[0]["loc"][0]) if error.errors() and error.errors()[0]["loc"] else ""
        raise ConsoleRefusal(422, FIELD_PROBLEMS.get(where, "提交的内容有误，请检查后重试。")) from None


def dispatch(service: ServerService, user: Principal, number: str, fields: Fields) -> object:
    request = checked(
        DispatchRequest,
        lead=one(fields, "lead"),
        assist=[code for code in fields.get("assist", []) if code],
        due=form_due(fields),
        note=one(fields, "note"),
        idempotency_key=one(fields, "idempotency_key"),
    )
    return service.dispatch_case(user, number, request)


def withdraw(service: ServerService, user: Principal, number: str, fields: Fields) -> object:
    request = checked(WithdrawRequest, reason=one(fields, "reason"), idempotency_key=one(fields, "idempotency_key"))
    return service.withdraw_dispatch(user, number, request)


def reply(service: ServerService, user: Principal, number: str, fields: Fields) -> object:
    request = checked(
        ReplyRequest, kind=one(fields, "kind"), note=one(fields, "note"), idempotency_key=one(fields, "idempotency_key")
    )
    return service.reply_case(user, number, request)


def reply_with_photo(
    service: ServerService, photos: CasePhotos, user: Principal, number: str, fields: Fields, photo: Photo | None
) -> object:
    """A reply; a result's photo, if one came, is checked before the reply is stored and kept after it."""
    if photo is None:
        return reply(service, user, number, fields)
    if one(fields, "kind") != ReplyKind.RESULT:
        raise ConsoleRefusal(422, "只有“办理结果”可以附照片。")
    data, filename = photo
    checked = checked_photo(data, filename)  # a bad file refuses the whole form, before anything is stored
    answer = reply(service, user, number, fields)
    photos.add(user, number, data, filename)
    service.attach_result_photo(user, number, checked.payload(), one(fields, "idempotency_key"))
    return answer


def act(request: Request, number: str, fields: Fields | ConsoleRefusal, perform: Perform) -> Response:
    """A case's form: back to the case page when done, or the case page again with why it was refused."""

    def done(service: ServerService, user: Principal, form: Fields) -> str:
        perform(service, user, number, form)
        return f"/console/cases/{quote(number, safe='')}"

    def again(service: ServerService, user: Principal, csrf: str, status: int, message: str) -> Response:
        return case_page(service, case_photos_of(request), user, csrf, number, message, status)

    return posted_form(request, fields, done, again)


async def posted(request: Request, number: str, perform: Perform) -> Response:
    try:
        fields: Fields | ConsoleRefusal = await read_fields(request)
    except ConsoleRefusal as refusal:
        fields = refusal
    return await run_in_threadpool(act, request, number, fields, perform)


@router.post("/cases/{number}/dispatch")
async def dispatch_form(request: Request, number: str) -> Response:
    return await posted(request, number, dispatch)


@router.post("/cases/{number}/withdraw")
async def withdraw_form(request: Request, number: str) -> Response:
    return await posted(request, number, withdraw)


async def read_reply(request: Request) -> tuple[Fields, Photo | None]:
    """A reply form: a plain one, or a result's multipart form with its optional photo (field `photo`)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await read_fields(request), None
    try:
        form = await request.form(max_files=1, max_fields=20, max_part_size=MAX_FORM_BYTES)
    except HTTPException:
        raise ConsoleRefusal(400, "提交的内容无法识别，请刷新页面后重试。") from None
    fields: Fields = {}
    photo: Photo | None = None
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read(MAX_PHOTO_BYTES + 1)
            if name == "photo" and (data or value.filename):  # a file input left empty sends an empty part
                photo = (data, value.filename or "")
        else:
            fields.setdefault(name, []).append(value)
    await form.close()
    return fields, photo


@router.post("/cases/{number}/reply")
async def reply_form(request: Request, number: str) -> Response:
    photos = case_photos_of(request)
    try:
        fields: Fields | ConsoleRefusal
        fields, photo = await read_reply(request)
    except ConsoleRefusal as refusal:
        fields, photo = refusal, None

    def perform(service: ServerService, user: Principal, number: str, fields: Fields) -> object:
        return reply_with_photo(service, photos, user, number, fields, photo)

    return await run_in_threadpool(act, request, number, fields, perform)
