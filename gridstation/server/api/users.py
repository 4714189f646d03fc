"""Signing in and out of the server with a username and password (issue 15): a bearer token for the API."""

from __future__ import annotations

from fastapi import APIRouter, Response

from gridstation.server.api.deps import AuthUser, Credentials, Service
from gridstation.server.api.errors import ERROR_RESPONSES
from gridstation.server.case_views import LoginRequest, LoginResponse

router = APIRouter()


@router.post("/api/v1/login", response_model=LoginResponse, responses=ERROR_RESPONSES)
def login(body: LoginRequest, service: Service) -> LoginResponse:
    signed_in = service.login(body.username, body.password)
    return LoginResponse(token=signed_in.token, expires_at=signed_in.expires_at, role=signed_in.role)


@router.post("/api/v1/logout", status_code=204, response_class=Response, responses=ERROR_RESPONSES)
def logout(_: AuthUser, credentials: Credentials, service: Service) -> Response:
    assert credentials is not None  # AuthUser checked it
    service.logout(credentials.credentials)
    return Response(status_code=204)
