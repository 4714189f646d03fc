"""Which cases a signed-in principal may see: the one place every route, page and export asks (issue 15).

The centre and administrators see every case; a department the cases dispatched to it, now or in the past (the
`case_departments` table, `scope.py`); a gridlead the cases in its grids. A case outside a principal's scope is
answered exactly like a case that does not exist (404 `case.unknown`), so nothing tells the caller it is there.

`visible_cases` is the SQL condition for lists and counts; `may_see` the same rule for one case already loaded;
`visible_case` finds a case by number and applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from gridstation.domain.console_roles import SEES_ALL_CASES, ConsoleRole
from gridstation.server.accounts import Department
from gridstation.server.errors import not_found
from gridstation.server.models import CaseDepartmentRow, ServerCaseRow
from gridstation.server.scope import department_may_see


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is speaking, once their token was found good: a console user, or a department by its old token."""

    user_id: str  # "" for a department's token
    username: str
    role: ConsoleRole
    department: str | None = None
    grids: tuple[str, ...] = ()

    @property
    def access_name(self) -> str:
        """How the access log and the events name this principal."""
        return f"user:{self.username}" if self.user_id else f"dept:{self.department}"


def department_principal(department: Department) -> Principal:
    """A department speaking with its token (`/api/v1/department/updates`): the scope of its department's users."""
    return Principal(user_id="", username="", role=ConsoleRole.DEPARTMENT, department=department.code)


def visible_cases(principal: Principal) -> ColumnElement[bool]:
    """The condition on `ServerCaseRow` that holds for exactly the cases `principal` may see."""
    if principal.role in SEES_ALL_CASES:
        return true()
    if principal.role is ConsoleRole.DEPARTMENT and principal.department:
        dispatched = select(CaseDepartmentRow.case_id).where(CaseDepartmentRow.department_code == principal.department)
        return ServerCaseRow.id.in_(dispatched)
    if principal.role is ConsoleRole.GRIDLEAD and principal.grids:
        return ServerCaseRow.grid_code.in_(principal.grids)
    return false()


def may_see(session: Session, principal: Principal, case: ServerCaseRow) -> bool:
    if principal.role in SEES_ALL_CASES:
        return True
    if principal.role is ConsoleRole.DEPARTMENT and principal.department:
        return department_may_see(session, principal.department, case.id)
    if principal.role is ConsoleRole.GRIDLEAD:
        return case.grid_code in principal.grids
    return False


def visible_case(session: Session, principal: Principal, number: str) -> ServerCaseRow:
    """The case numbered so, if `principal` may see it; otherwise the 404 a case that does not exist gets."""
    row = session.scalar(select(ServerCaseRow).where(ServerCaseRow.number == number[:40]))
    if row is None or not may_see(session, principal, row):
        raise not_found(f"诉求 {number[:40]}", "case.unknown")
    return row
