"""What a route is given: the service and the photo store (from the app's state), and who is speaking.

Callers are identified by the bearer credential they send, never by what the request body says: a station by the
credential it received at enrolment, a department by its token. Each is a typed dependency a route names in its
signature (`station: AuthStation`), so a route cannot forget to check; a console user signs in for a token (`AuthUser`).
A request to such a route is in the access log (`access_log`) even when it carries no credential at all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gridstation.server.access import authenticating
from gridstation.server.accounts import Department
from gridstation.server.attachments import AttachmentStore
from gridstation.server.errors import unauthorised
from gridstation.server.metrics import ServerMetrics
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


# The three below only read the app's state: async, so they run on the event loop rather than the thread pool.
async def service_of(request: Request) -> ServerService:
    service = request.app.state.service
    assert isinstance(service, ServerService)
    return service


async def attachment_store_of(request: Request) -> AttachmentStore:
    store = request.app.state.attachments
    assert isinstance(store, AttachmentStore)
    return store


async def metrics_of(request: Request) -> ServerMetrics:
    metrics = request.app.state.metrics
    assert isinstance(metrics, ServerMetrics)
    return metrics


Service = Annotated[ServerService, Depends(service_of)]
Metrics = Annotated[ServerMetrics, Depends(metrics_of)]
Attachments = Annotated[AttachmentStore, Depends(attachment_store_of)]


def station_of(service: Service, credentials: Credentials) -> str:
    authenticating()
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorised()
    return service.authenticate_station(credentials.credentials)


def department_of(service: Service, credentials: Credentials) -> Department:
    authenticating()
    if credentials is None:
        raise unauthorised("缺少部门令牌。")
    return service.authenticate_department(credentials.credentials)


AuthStation = Annotated[str, Depends(station_of)]  # the code of the station speaking
AuthDepartment = Annotated[Department, Depends(department_of)]


def user_of(service: Service, credentials: Credentials) -> Principal:
    """A signed-in user (`POST /api/v1/login`), by the bearer token the sign-in gave."""
    authenticating()
    if credentials is None:
        raise unauthorised("未登录，请先登录（POST /api/v1/login）。")
    return service.authenticate_user(credentials.credentials)


AuthUser = Annotated[Principal, Depends(user_of)]  # whose scope `visibility` decides
