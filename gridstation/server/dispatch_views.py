"""What the dispatch and reply routes take and answer (issue 15, 吹哨报到): pydantic models, in the OpenAPI document.

Every write carries an idempotency key the caller makes once per action (a form's hidden field, a retry loop's
constant): the same key sent again — a double click, a retried request — answers with the first result and
stores nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from gridstation.domain.enums import ReplyKind, Status
from gridstation.server.case_views import ViewModel

IdempotencyKey = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
DepartmentCode = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[^\x00]*$")]
Words = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
Name = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")]
# What a reply may be: a department's answer (ReplyKind), or a gridlead's 牵头 / 联勤联动 meeting.
GRIDLEAD_KINDS = ("take_lead", "meeting")
ReplyKindName = Literal["accept", "reject", "progress", "on_site", "result", "take_lead", "meeting"]


class DispatchRequest(ViewModel):
    """The centre (or a gridlead in its own grid) dispatches a case to one lead and any co-operating departments."""

    lead: DepartmentCode
    assist: list[DepartmentCode] = Field(default_factory=list, max_length=10)  # co-operating departments
    due: datetime | None = None  # every department's deadline; by default the district policy's
    note: Words = ""
    idempotency_key: IdempotencyKey


class WithdrawRequest(ViewModel):
    reason: Words
    idempotency_key: IdempotencyKey


class ReplyRequest(ViewModel):
    """A department answers its part of a dispatch; a gridlead takes the lead or records a 联勤联动 meeting."""

    kind: ReplyKindName
    note: Words = ""  # the reason of a 退单, the words of progress or of the result
    idempotency_key: IdempotencyKey
    # A meeting's record (kind "meeting" only).
    attendees: list[Name] = Field(default_factory=list, max_length=50)
    decision: Words = ""
    owners: list[Name] = Field(default_factory=list, max_length=50)
    due: datetime | None = None


class DecisionRequest(ViewModel):
    """难题会诊's decision on a case on its agenda (the centre records the minutes)."""

    attendees: list[Name] = Field(min_length=1, max_length=50)  # the departments and people who came
    decision: Words
    owner: Name  # the one who carries it out
    due: datetime  # by when
    idempotency_key: IdempotencyKey


class ActionResult(ViewModel):
    event_id: str
    outcome: Literal["applied", "duplicate"]
    case_number: str
    status: Status


DEPARTMENT_KINDS = frozenset(str(kind) for kind in ReplyKind)
