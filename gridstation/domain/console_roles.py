"""Who works in the server's console and API, and the rules their accounts follow (issue 15).

Four roles: the 城运中心 (centre) dispatches and sees every case; an administrator sees every case and manages
accounts; a department sees only the cases dispatched to it, now or in the past; a 网格长 (gridlead) sees the cases
in its grids. A department user belongs to exactly one department; a gridlead has one grid or more.

Passwords have at least `PASSWORD_MIN_LENGTH` characters (the console is reachable over the network, unlike a
desk's PIN); `MAX_FAILED_SIGN_INS` wrong passwords in a row lock the account for `LOCKOUT`, on the server's clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gridstation.domain.errors import ValidationError


class ConsoleRole(StrEnum):
    CENTRE = "centre"
    DEPARTMENT = "department"
    GRIDLEAD = "gridlead"
    ADMIN = "admin"


CONSOLE_ROLE_LABELS: dict[ConsoleRole, str] = {
    ConsoleRole.CENTRE: "城运中心",
    ConsoleRole.DEPARTMENT: "职能部门",
    ConsoleRole.GRIDLEAD: "网格长",
    ConsoleRole.ADMIN: "管理员",
}

# Roles that see every case of every station.
SEES_ALL_CASES = frozenset({ConsoleRole.CENTRE, ConsoleRole.ADMIN})

PASSWORD_MIN_LENGTH = 10
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
USERNAME_MAX_LENGTH = 40
DISPLAY_NAME_MAX_LENGTH = 40


def parse_role(text: str) -> ConsoleRole:
    try:
        return ConsoleRole(text.strip().lower())
    except ValueError:
        choices = "、".join(f"{role.value}（{label}）" for role, label in CONSOLE_ROLE_LABELS.items())
        raise ValidationError("role", "user.role", f"角色须为 {choices} 之一。") from None


def check_username(text: str) -> str:
    """A username as stored: trimmed, lower case; letters, digits, '.', '-' and '_' only."""
    name = text.strip().lower()
    allowed = name.replace(".", "").replace("-", "").replace("_", "")
    if not name or len(name) > USERNAME_MAX_LENGTH or not allowed.isascii() or not allowed.isalnum():
        raise ValidationError(
            "username",
            "user.username",
            f"用户名须为 1–{USERNAME_MAX_LENGTH} 位英文字母、数字或 . - _。",
        )
    return name


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError(
            "password",
            "user.password_too_short",
            f"密码至少 {PASSWORD_MIN_LENGTH} 位。",
            limit=PASSWORD_MIN_LENGTH,
        )
    return password


@dataclass(frozen=True, slots=True)
class Assignment:
    """What a user of a role is attached to: a department's code, or grid codes (normalised, upper case)."""

    department: str | None
    grids: tuple[str, ...]


def check_assignment(role: ConsoleRole, department: str | None, grids: Iterable[str]) -> Assignment:
    """The department and grids a user of `role` has: a department user exactly one department and no grid, a
    gridlead one grid or more and no department, the centre and administrators neither (they see everything)."""
    code = (department or "").strip().upper() or None
    grid_codes = tuple(sorted({g.strip().upper() for g in grids if g.strip()}))
    if role is ConsoleRole.DEPARTMENT:
        if code is None:
            raise ValidationError("department", "user.department_missing", "部门用户须用 --department 指定所属部门。")
        if grid_codes:
            raise ValidationError("grid", "user.grid_not_allowed", "部门用户不能指定网格。")
    elif role is ConsoleRole.GRIDLEAD:
        if not grid_codes:
            raise ValidationError("grid", "user.grid_missing", "网格长须用 --grid 指定至少一个网格。")
        if code is not None:
            raise ValidationError("department", "user.department_not_allowed", "网格长不能指定部门。")
    elif code is not None or grid_codes:
        label = CONSOLE_ROLE_LABELS[role]
        raise ValidationError("role", "user.scope_not_allowed", f"{label}可查看全部诉求，不能指定部门或网格。")
    return Assignment(code, grid_codes)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failed_sign_in(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """The failure count after one more wrong password, and until when the account is then locked (None: not).
    Reaching the limit locks the account and starts the count again, so the next lock needs as many failures."""
    failures += 1
    if failures >= MAX_FAILED_SIGN_INS:
        return 0, now + LOCKOUT
    return failures, None
