"""吹哨报到's writes for signed-in users: dispatch a case, withdraw the dispatch, answer it, and 难题会诊's decision
(`server/dispatch.py`).

A case outside the caller's scope is 404 like one that does not exist; an action the caller's role may not take
is 403; one the case's state does not allow now is 409; bad words are 422 — each with a Chinese message.
"""

from __future__ import annotations

from fastapi import APIRouter

from gridstation.server.api.deps import AuthUser, Service
from gridstation.server.api.errors import ERROR_RESPONSES
from gridstation.server.dispatch_views import (
    ActionResult,
    DecisionRequest,
    DispatchRequest,
    ReplyRequest,
    WithdrawRequest,
)

router = APIRouter()


@router.post("/api/v1/cases/{number}/dispatch", response_model=ActionResult, responses=ERROR_RESPONSES)
def dispatch_case(number: str, body: DispatchRequest, user: AuthUser, service: Service) -> ActionResult:
    return service.dispatch_case(user, number, body)


@router.post("/api/v1/cases/{number}/withdraw", response_model=ActionResult, responses=ERROR_RESPONSES)
def withdraw_dispatch(number: str, body: WithdrawRequest, user: AuthUser, service: Service) -> ActionResult:
    return service.withdraw_dispatch(user, number, body)


@router.post("/api/v1/cases/{number}/reply", response_model=ActionResult, responses=ERROR_RESPONSES)
def reply_case(number: str, body: ReplyRequest, user: AuthUser, service: Service) -> ActionResult:
    return service.reply_case(user, number, body)


@router.post("/api/v1/cases/{number}/conference", response_model=ActionResult, responses=ERROR_RESPONSES)
def decide_conference(number: str, body: DecisionRequest, user: AuthUser, service: Service) -> ActionResult:
    """难题会诊's decision on a case on the agenda (the centre and administrators only)."""
    return service.decide_conference(user, number, body)
