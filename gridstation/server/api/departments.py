"""Departments report progress on a case (dispatched, on site, disposed, closed) with their token."""

from __future__ import annotations

from fastapi import APIRouter

from gridstation.protocol import StatusUpdate, StatusUpdateResult
from gridstation.server.api.deps import AuthDepartment, Service
from gridstation.server.api.errors import ERROR_RESPONSES

router = APIRouter()


@router.post("/api/v1/department/updates", response_model=StatusUpdateResult, responses=ERROR_RESPONSES)
def department_update(body: StatusUpdate, department: AuthDepartment, service: Service) -> StatusUpdateResult:
    return service.department_update(department, body)
