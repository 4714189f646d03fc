"""时限标准 in the console: the district's deadline policy in force, its history, and a new version edited as TOML
(the same document `gridstation-server policy show|set` reads and writes). Centre and administrators only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from gridstation.domain.console_roles import SEES_ALL_CASES
from gridstation.domain.district_policy import policy_from_toml, policy_to_toml
from gridstation.domain.errors import DomainError
from gridstation.server.console.actions import Fields, one
from gridstation.server.console.auth import CSRF_FIELD, ConsoleRefusal, check_csrf, read_fields, session_csrf, signed_in
from gridstation.server.console.pages import NOT_SIGNED_IN, page, refused, render, service_of
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

router = APIRouter(prefix="/console", include_in_schema=False)
NOT_HERE = "找不到该页面。"


def policy_page(
    service: ServerService, user: Principal, csrf: str, text: str = "", message: str = "", status: int = 200
) -> Response:
    if user.role not in SEES_ALL_CASES:
        raise ConsoleRefusal(404, NOT_HERE)
    found = service.district_policy()
    return render(
        "policy.html",
        status,
        user=user,
        csrf=csrf,
        current=found,
        history=service.policy_history(),
        text=text or policy_to_toml(found.policy),
        message=message,
    )


@router.get("/policy")
def policy(request: Request) -> Response:
    return page(request, lambda service, user, csrf: policy_page(service, user, csrf))


def _set(request: Request, fields: Fields | ConsoleRefusal) -> Response:
    service = service_of(request)
    session = signed_in(request, service)
    if session is None:
        return RedirectResponse(NOT_SIGNED_IN, status_code=303)
    user, token = session
    csrf = session_csrf(token)
    text = ""
    try:
        if isinstance(fields, ConsoleRefusal):
            raise fields
        check_csrf(one(fields, CSRF_FIELD), csrf)
        if user.role not in SEES_ALL_CASES:
            raise ConsoleRefusal(404, NOT_HERE)
        text = (fields.get("policy") or [""])[0]
        service.set_district_policy(policy_from_toml(text, "时限标准"), user.access_name)
    except ConsoleRefusal as refusal:
        if refusal.status == 404:
            return refused(404, refusal.message, user, csrf)
        return policy_page(service, user, csrf, text, refusal.message, refusal.status)
    except DomainError as error:
        return policy_page(service, user, csrf, text, error.message_zh, 422)
    return RedirectResponse("/console/policy", status_code=303)


@router.post("/policy")
async def set_policy(request: Request) -> Response:
    try:
        fields: Fields | ConsoleRefusal = await read_fields(request)
    except ConsoleRefusal as refusal:
        fields = refusal
    return await run_in_threadpool(_set, request, fields)
