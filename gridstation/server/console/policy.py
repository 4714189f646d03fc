"""时限标准 in the console: the district's deadline policy in force, its history, and a new version edited as TOML
(the same document `gridstation-server policy show|set` reads and writes). Centre and administrators only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from gridstation.domain.district_policy import policy_from_toml, policy_to_toml
from gridstation.domain.errors import DomainError
from gridstation.server.console.auth import ConsoleRefusal, read_fields
from gridstation.server.console.pages import Fields, page, posted_form, render, require_sees_all
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

router = APIRouter(prefix="/console", include_in_schema=False)


def policy_page(
    service: ServerService, user: Principal, csrf: str, text: str = "", message: str = "", status: int = 200
) -> Response:
    require_sees_all(user)
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
    """A new version, then the page again; a refused one: the page with the text as it was posted, and why."""
    text = ""  # the posted TOML, once the form got past its token and the user's role

    def done(service: ServerService, user: Principal, form: Fields) -> str:
        nonlocal text
        require_sees_all(user)
        text = (form.get("policy") or [""])[0]
        try:
            policy = policy_from_toml(text, "时限标准")
        except DomainError as error:
            raise ConsoleRefusal(422, error.message_zh) from None
        service.set_district_policy(policy, user.access_name)
        return "/console/policy"

    def again(service: ServerService, user: Principal, csrf: str, status: int, message: str) -> Response:
        return policy_page(service, user, csrf, text, message, status)

    return posted_form(request, fields, done, again)


@router.post("/policy")
async def set_policy(request: Request) -> Response:
    try:
        fields: Fields | ConsoleRefusal = await read_fields(request)
    except ConsoleRefusal as refusal:
        fields = refusal
    return await run_in_threadpool(_set, request, fields)
