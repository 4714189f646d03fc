"""What the console's JSON API answers with about cases and sign-in: pydantic models, in the OpenAPI document.

These travel between the server and a browser or a department's system, not to a desk, so they live with the
server rather than in `protocol.py`. Times are UTC (ISO 8601); labels are the Chinese a person reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.sla import Colour


class ViewModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LoginRequest(ViewModel):
    username: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class LoginResponse(ViewModel):
    token: str
    expires_at: datetime
    role: ConsoleRole


class CaseListItem(ViewModel):
    number: str
    station_code: str
    category_code: str
    category_name: str  # the district's name for the code ("" for a code the server does not know)
    status: str
    status_label: str
    tier: str
    channel: str
    grid_code: str
    registered_at: datetime
    updated_at: datetime
    due_at: datetime | None  # of the running deadline (the district's default policy)
    colour: Colour
    overdue: bool


class CasePage(ViewModel):
    total: int  # every case matching the filters that the caller may see
    limit: int
    offset: int
    items: list[CaseListItem]


class TimelineEntry(ViewModel):
    event_id: str
    type: str
    text: str  # how the desk shows it (domain/timeline.py)
    actor_name: str
    station_code: str
    occurred_at: datetime


class CaseDetail(ViewModel):
    case: CaseListItem
    description: str
    compound: str
    building: str
    assignee: str
    answer: str
    work_order: str
    departments: list[str]  # codes of the departments the case was ever dispatched to
    timeline: list[TimelineEntry]
