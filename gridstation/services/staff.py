"""Who works at the station: staff accounts, signing in with a PIN and its lockout, changing PINs, and the audit
trail.

The lockout is not a counter in the staff table (which anyone with the file could zero unseen): it is counted
from the chained audit log, failed sign-ins since the member's last successful one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError
from gridstation.domain.events import new_id
from gridstation.domain.reference import parse_staff
from gridstation.domain.roles import Permission, check_pin, pin_meets_rules, require
from gridstation.domain.validation import NAME_MAX_CHARS, validate_short_text
from gridstation.services.core import StationCore
from gridstation.services.passwords import hash_secret, needs_rehash, verify_secret
from gridstation.storage import integrity
from gridstation.storage.models import AuditRow, StaffRow

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: str
    name: str
    role: Role
    # Signed in with a PIN shorter than the role now requires (an administrator's 4-digit PIN from before 6 digits
    # were required): the desk asks for a new one before the main window opens, the command line warns.
    pin_change_required: bool = field(default=False, compare=False)

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


def locked_until(failures: Sequence[datetime]) -> datetime | None:
    """When the lockout that `failures` (failed sign-ins since the last success, oldest first) caused ends.

    Every fifth failure locks the account for LOCKOUT; while it is locked attempts are refused without counting,
    so after it ends the count starts again.
    """
    until = None
    count = 0
    for at in failures:
        count += 1
        if count == MAX_FAILED_SIGN_INS:
            until, count = at + LOCKOUT, 0
    return until


class StaffAccounts(StationCore):
    @staticmethod
    def _checked_pin_hash(pin: str, role: Role) -> str:
        return hash_secret(check_pin(role, pin))

    def _new_staff_row(self, name: str, role: Role, secret_hash: str) -> StaffRow:
        """An active account with no failed sign-ins; the caller has checked the name and hashed the PIN."""
        return StaffRow(
            id=new_id(),
            name=name,
            role=str(role),
            secret_hash=secret_hash,
            active=True,
            created_at=self._now(),
        )

    def add_staff(self, actor: StaffMember, name: str, role: Role, pin: str) -> StaffMember:
        require(actor.role, Permission.MANAGE_STAFF)
        name = validate_short_text(name, field="name", label="姓名", limit=NAME_MAX_CHARS, required=True)
        secret = self._checked_pin_hash(pin, role)
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
            prepared.append(self._new_staff_row(name, role, self._checked_pin_hash(item.pin, role)))
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
        """Check a PIN; five wrong tries lock the account for five minutes. Every attempt is audited.

        A hash of an older kind (scrypt) or weaker parameters is replaced by an argon2id one on success.
        """
        refusal: DomainError | None = None
        with self._write() as session:
            row = session.scalar(select(StaffRow).where(StaffRow.name == name.strip(), StaffRow.active))
            now = self._now()
            until = None if row is None else locked_until(integrity.failed_sign_ins_since_success(session, row.id))
            if row is None:
                self._audit(session, None, "sign_in.failed", name=name.strip()[:NAME_MAX_CHARS])
                refusal = DomainError("auth.failed", "姓名或 PIN 不正确。")
            elif until is not None and until > now:
                minutes = max(1, -(-(until - now) // timedelta(minutes=1)))  # whole minutes, rounded up
                self._audit(session, _member(row), "sign_in.locked")
                refusal = DomainError("auth.locked", f"连续输错次数过多，请 {minutes} 分钟后再试。", minutes=minutes)
            elif not verify_secret(pin, row.secret_hash):
                self._audit(session, _member(row), "sign_in.failed")
                refusal = DomainError("auth.failed", "姓名或 PIN 不正确。")
            else:
                role = Role(row.role)
                member = StaffMember(row.id, row.name, role, pin_change_required=not pin_meets_rules(role, pin))
                if needs_rehash(row.secret_hash):
                    row.secret_hash = hash_secret(pin)
                    self._audit(session, member, "pin.rehashed")
                self._audit(session, member, "sign_in")
        # Raised after the commit, so failed attempts and the lockout are remembered.
        if refusal is not None:
            raise refusal
        return member

    def change_own_pin(self, member: StaffMember, current_pin: str, new_pin: str) -> StaffMember:
        """A signed-in member replaces their PIN; the current one is checked (and a wrong one counts as a failed
        sign-in, so this is no way around the lockout)."""
        secret = self._checked_pin_hash(new_pin, member.role)
        refusal: DomainError | None = None
        with self._write() as session:
            row = session.get(StaffRow, member.id)
            if row is None or not row.active:
                raise DomainError("staff.missing", "找不到该工作人员。")
            until = locked_until(integrity.failed_sign_ins_since_success(session, row.id))
            if until is not None and until > self._now():
                refusal = DomainError("auth.locked", "连续输错次数过多，请稍后再试。")
            elif not verify_secret(current_pin, row.secret_hash):
                self._audit(session, member, "sign_in.failed", during="pin.change")
                refusal = DomainError("auth.failed", "当前 PIN 不正确。")
            else:
                row.secret_hash = secret
                self._audit(session, member, "pin.changed")
        if refusal is not None:
            raise refusal
        return StaffMember(member.id, member.name, member.role)

    def set_staff_pin(self, actor: StaffMember, name: str, new_pin: str) -> StaffMember:
        """An administrator gives a member a new PIN (forgotten, or too short for an administrator)."""
        require(actor.role, Permission.MANAGE_STAFF)
        with self._write() as session:
            row = session.scalar(select(StaffRow).where(StaffRow.name == name.strip(), StaffRow.active))
            if row is None:
                raise DomainError("staff.missing", f"找不到名为「{name.strip()}」的工作人员。")
            member = _member(row)
            row.secret_hash = self._checked_pin_hash(new_pin, member.role)
            self._audit(session, actor, "pin.set", name=member.name)
        return member

    def audit_log(self, actor: StaffMember, limit: int = 200) -> list[AuditEntry]:
        require(actor.role, Permission.VIEW_AUDIT)
        with self._read() as session:
            rows = session.scalars(select(AuditRow).order_by(AuditRow.at.desc()).limit(limit))
            return [AuditEntry(r.at, r.staff_name, r.action, r.detail) for r in rows]
