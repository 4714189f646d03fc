"""Administering the people of a station, shared by `gridstation staff …` and the desk's 人员 tab: listing them,
disabling and enabling, changing a role (never leaving the station without an active administrator), and the
desk's idle-lock setting. Every change is an entry in the chained audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission, require
from gridstation.domain.shifts import (
    StaffStanding,
    check_keeps_an_admin,
)
from gridstation.services.staff import StaffAccounts, StaffMember
from gridstation.storage.models import StaffRow


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """One member of staff as an administrator sees them (never their PIN hash)."""

    name: str
    role: Role
    active: bool
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": str(self.role),
            "active": self.active,
            "created_at": self.created_at.isoformat(),
        }


class StaffAdministration(StaffAccounts):
    def staff_records(self, actor: StaffMember) -> list[StaffRecord]:
        """Everyone, active or disabled, by name."""
        require(actor.role, Permission.MANAGE_STAFF)
        with self._read() as session:
            rows = session.scalars(select(StaffRow).order_by(StaffRow.name))
            return [StaffRecord(r.name, Role(r.role), bool(r.active), r.created_at) for r in rows]

    def set_staff_active(self, actor: StaffMember, name: str, active: bool) -> StaffRecord:
        """Disable (they can no longer sign in, at the desk or the command line) or enable a member."""
        require(actor.role, Permission.MANAGE_STAFF)
        with self._write() as session:
            row = self._staff_row(session, name)
            if bool(row.active) != active:
                if not active:
                    check_keeps_an_admin(self._standings(session), row.name, role=Role(row.role), active=False)
                row.active = active
                self._audit(session, actor, "staff.enabled" if active else "staff.disabled", name=row.name)
            return StaffRecord(row.name, Role(row.role), active, row.created_at)

    def change_staff_role(self, actor: StaffMember, name: str, role: Role) -> StaffRecord:
        """A new role. The PIN is not known here: a member promoted to administrator with a 4-digit PIN is asked for
        a 6-digit one at their next sign-in (StaffMember.pin_change_required)."""
        require(actor.role, Permission.MANAGE_STAFF)
        with self._write() as session:
            row = self._staff_row(session, name)
            before = Role(row.role)
            if before is not role:
                check_keeps_an_admin(self._standings(session), row.name, role=role, active=bool(row.active))
                row.role = str(role)
                self._audit(session, actor, "staff.role_changed", name=row.name, before=str(before), role=str(role))
            return StaffRecord(row.name, role, bool(row.active), row.created_at)

    def record_desk_shift(self, member: StaffMember, action: str, **detail: Any) -> None:
        """Audit a lock, an unlock or a change of user at the desk."""
        with self._write() as session:
            self._audit(session, member, action, **detail)

    @staticmethod
    def _staff_row(session: Session, name: str) -> StaffRow:
        row = session.scalar(select(StaffRow).where(StaffRow.name == name.strip()))
        if row is None:
            raise DomainError("staff.missing", f"找不到名为「{name.strip()}」的工作人员。")
        return row

    @staticmethod
    def _standings(session: Session) -> list[StaffStanding]:
        return [StaffStanding(r.name, Role(r.role), bool(r.active)) for r in session.scalars(select(StaffRow))]
