"""Who works at the station: staff accounts, signing in with a PIN and its lockout, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError
from gridstation.domain.events import new_id
from gridstation.domain.reference import parse_staff
from gridstation.domain.roles import Permission, require
from gridstation.domain.validation import NAME_MAX_CHARS, validate_short_text
from gridstation.services.core import StationCore
from gridstation.services.passwords import hash_secret, verify_secret
from gridstation.storage.models import AuditRow, StaffRow

PIN_MIN_LENGTH = 4
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: str
    name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        try:
            require(self.role, permission)
        except DomainError:
            return False
        return True


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    staff_name: str
    action: str
    detail: dict[str, Any]


def _member(row: StaffRow) -> StaffMember:
    return StaffMember(row.id, row.name, Role(row.role))


class StaffAccounts(StationCore):
    @staticmethod
    def _checked_pin_hash(pin: str) -> str:
        if len(pin) < PIN_MIN_LENGTH:
            raise DomainError("pin.too_short", f"PIN 或密码至少 {PIN_MIN_LENGTH} 位。", limit=PIN_MIN_LENGTH)
        return hash_secret(pin)

    def _new_staff_row(self, name: str, role: Role, secret_hash: str) -> StaffRow:
        """An active account with no failed sign-ins; the caller has checked the name and hashed the PIN."""
        return StaffRow(
            id=new_id(),
            name=name,
            role=str(role),
            secret_hash=secret_hash,
            active=True,
            failed_attempts=0,
            created_at=self._now(),
        )

    def add_staff(self, actor: StaffMember, name: str, role: Role, pin: str) -> StaffMember:
        require(actor.role, Permission.MANAGE_STAFF)
        name = validate_short_text(name, field="name", label="姓名", limit=NAME_MAX_CHARS, required=True)
        secret = self._checked_pin_hash(pin)
        with self._write() as session:
            if session.scalar(select(StaffRow).where(StaffRow.name == name)):
                raise DomainError("staff.exists", f"已有名为「{name}」的工作人员。")
            row = self._new_staff_row(name, role, secret)
            session.add(row)
            self._audit(session, actor, "staff.added", name=name, role=str(role))
        return StaffMember(row.id, name, role)

    def import_staff_csv(self, actor: StaffMember, csv_text: str) -> int:
        """Add staff from CSV (name, role, pin) all or nothing: one bad row adds nobody."""
        require(actor.role, Permission.MANAGE_STAFF)
        rows = parse_staff(csv_text)
        prepared: list[StaffRow] = []
        for line, item in enumerate(rows, start=2):
            name = validate_short_text(item.name, field="name", label="姓名", limit=NAME_MAX_CHARS, required=True)
            try:
                role = Role(item.role)
            except ValueError as err:
                raise DomainError("csv.role", f"人员 CSV 第 {line} 行的角色「{item.role}」不正确。") from err
            prepared.append(self._new_staff_row(name, role, self._checked_pin_hash(item.pin)))
        with self._write() as session:
            names = [r.name for r in prepared]
            clashes = sorted(
                {n for n in names if names.count(n) > 1} | (set(names) & set(session.scalars(select(StaffRow.name))))
            )
            if clashes:
                raise DomainError("staff.exists", f"已有名为「{clashes[0]}」的工作人员。")
            session.add_all(prepared)
            self._audit(session, actor, "staff.imported", names=[r.name for r in prepared])
        return len(prepared)

    def staff_members(self, actor: StaffMember) -> list[StaffMember]:
        require(actor.role, Permission.MANAGE_STAFF)
        with self._read() as session:
            rows = session.scalars(select(StaffRow).where(StaffRow.active).order_by(StaffRow.name))
            return [_member(r) for r in rows]

    def staff_names(self) -> list[str]:
        with self._read() as session:
            return list(session.scalars(select(StaffRow.name).where(StaffRow.active).order_by(StaffRow.name)))

    def sign_in(self, name: str, pin: str) -> StaffMember:
        """Check a PIN; five wrong tries lock the account for five minutes. Every attempt is audited."""
        refusal: DomainError | None = None
        with self._write() as session:
            row = session.scalar(select(StaffRow).where(StaffRow.name == name.strip(), StaffRow.active))
            now = self._now()
            if row is None:
                self._audit(session, None, "sign_in.failed", name=name.strip()[:NAME_MAX_CHARS])
                refusal = DomainError("auth.failed", "姓名或 PIN 不正确。")
            elif row.locked_until and row.locked_until > now:
                minutes = max(1, -(-(row.locked_until - now) // timedelta(minutes=1)))  # whole minutes, rounded up
                self._audit(session, _member(row), "sign_in.locked")
                refusal = DomainError("auth.locked", f"连续输错次数过多，请 {minutes} 分钟后再试。", minutes=minutes)
            elif not verify_secret(pin, row.secret_hash):
                row.failed_attempts += 1
                if row.failed_attempts >= MAX_FAILED_SIGN_INS:
                    row.locked_until = now + LOCKOUT
                    row.failed_attempts = 0
                self._audit(session, _member(row), "sign_in.failed")
                refusal = DomainError("auth.failed", "姓名或 PIN 不正确。")
            else:
                row.failed_attempts = 0
                row.locked_until = None
                member = _member(row)
                self._audit(session, member, "sign_in")
        # Raised after the commit, so failed attempts and the lockout are remembered.
        if refusal is not None:
            raise refusal
        return member

    def audit_log(self, actor: StaffMember, limit: int = 200) -> list[AuditEntry]:
        require(actor.role, Permission.VIEW_AUDIT)
        with self._read() as session:
            rows = session.scalars(select(AuditRow).order_by(AuditRow.at.desc()).limit(limit))
            return [AuditEntry(r.at, r.staff_name, r.action, r.detail) for r in rows]
