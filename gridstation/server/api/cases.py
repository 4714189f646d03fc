"""The case board's read API for signed-in users: cases across all stations and one case with its timeline.

What a caller sees is decided in one place (`visibility`): a case outside its scope is 404 like a case that does
not exist, and lists hold only what it may see.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gridstation.domain.enums import Channel, Status, Tier
from gridstation.domain.sla import Colour
from gridstation.server.api.deps import AuthUser, Service
from gridstation.server.api.errors import ERROR_RESPONSES
from gridstation.server.case_reads import DEFAULT_PAGE, MAX_PAGE, CaseFilter
from gridstation.server.case_views import CaseDetail, CasePage

router = APIRouter()
Code = Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")]


@router.get("/api/v1/cases", response_model=CasePage, responses=ERROR_RESPONSES)
def list_cases(
    user: AuthUser,
    service: Service,
    station: Code = None,
    grid: Code = None,
    category: Code = None,
    tier: Tier | None = None,
    channel: Channel | None = None,
    status: Status | None = None,
    colour: Colour | None = None,
    overdue: bool | None = None,
    text: Annotated[str, Query(max_length=100, pattern=r"^[^\x00]*$")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CasePage:
    wanted = CaseFilter(station, grid, category, tier, channel, status, colour, overdue, text)
    return service.list_cases(user, wanted, limit=limit, offset=offset)


@router.get("/api/v1/cases/{number}", response_model=CaseDetail, responses=ERROR_RESPONSES)
def case_detail(number: str, user: AuthUser, service: Service) -> CaseDetail:
    return service.case_detail(user, number)
