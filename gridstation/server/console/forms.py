"""Which 吹哨报到 forms the case page shows a user, each with the idempotency key it will post.

The key is made when the page is rendered, one per form: a double click or a re-posted form sends the same key,
and the dispatch service stores one event for it (`dispatch._act`). Whether the action may happen now is the
service's and the domain's to say when the form is posted; this only leaves out forms a user has no part in.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from gridstation.domain.console_roles import SEES_ALL_CASES, ConsoleRole
from gridstation.domain.dispatch import DISPATCHABLE
from gridstation.domain.enums import REPLY_KIND_LABELS, ReplyKind, Status
from gridstation.domain.tasks import DepartmentTask, task_of
from gridstation.server.accounts import DepartmentSummary
from gridstation.server.visibility import Principal

# The reply forms in the order a department works a case; the words its note field asks for.
REPLY_FORMS: tuple[tuple[ReplyKind, str], ...] = (
    (ReplyKind.ACCEPT, "说明（可不填）"),
    (ReplyKind.REJECT, "退单原因（必填）"),
    (ReplyKind.PROGRESS, "进展情况（必填）"),
    (ReplyKind.ON_SITE, "到场情况（可不填）"),
    (ReplyKind.RESULT, "办理结果（必填）"),
)


@dataclass(frozen=True, slots=True)
class ReplyForm:
    kind: str
    label: str
    prompt: str
    key: str


@dataclass(frozen=True, slots=True)
class CaseForms:
    tasks: Sequence[DepartmentTask]
    departments: list[DepartmentSummary] = field(default_factory=list)  # to dispatch to; empty: no dispatch form
    dispatch_key: str = ""
    withdraw_key: str = ""
    replies: list[ReplyForm] = field(default_factory=list)
    take_lead_key: str = ""

    @property
    def any(self) -> bool:
        return bool(self.tasks or self.departments or self.replies or self.take_lead_key)


def new_key() -> str:
    return secrets.token_urlsafe(18)


def case_forms(
    user: Principal, tasks: Sequence[DepartmentTask], departments: list[DepartmentSummary], status: Status
) -> CaseForms:
    """The forms `user` gets on a case in `status`: no dispatch form on one that can no longer be dispatched
    (disposed, closed, visited; the service would refuse it, and a form that can only fail is noise)."""
    dispatches = (user.role in SEES_ALL_CASES or user.role is ConsoleRole.GRIDLEAD) and status in DISPATCHABLE
    own = task_of(tasks, user.department) if user.role is ConsoleRole.DEPARTMENT and user.department else None
    replies = (
        [ReplyForm(str(kind), REPLY_KIND_LABELS[kind], prompt, new_key()) for kind, prompt in REPLY_FORMS]
        if own is not None and own.is_open
        else []
    )
    return CaseForms(
        tasks=tasks,
        departments=[d for d in departments if d.revoked_at is None] if dispatches else [],
        dispatch_key=new_key() if dispatches else "",
        withdraw_key=new_key() if dispatches and any(t.is_open for t in tasks) else "",
        replies=replies,
        take_lead_key=new_key() if user.role is ConsoleRole.GRIDLEAD else "",
    )
