"""Shifts at a shared desk: when an idle desk locks itself, and which staff changes would leave the station
without an administrator.

Pure rules, no clock of their own: the caller passes the station's (injected) time, so tests move it by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError, ValidationError

# Minutes without keyboard or mouse input after which the desk locks; 0 means never.
DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 24 * 60


def validate_idle_lock_minutes(value: object) -> int:
    """Whole minutes 0–1440 (0 = the desk never locks by itself), else a ValidationError in Chinese."""
    text = str(value).strip()
    try:
        minutes = int(text)
    except ValueError:
        minutes = -1
    if not 0 <= minutes <= MAX_IDLE_LOCK_MINUTES:
        raise ValidationError(
            "idle_lock_minutes",
            "settings.idle_lock",
            f"自动锁定时间应为 0–{MAX_IDLE_LOCK_MINUTES} 之间的整数（分钟，0 表示不自动锁定），收到「{text}」。",
        )
    return minutes


def idle_lock_due(last_input: datetime, now: datetime, minutes: int) -> bool:
    """True once the desk has had no input for `minutes` (never when `minutes` is 0)."""
    return minutes > 0 and now - last_input >= timedelta(minutes=minutes)


@dataclass(frozen=True, slots=True)
class StaffStanding:
    """What the last-admin guard needs to know about one member of staff."""

    name: str
    role: Role
    active: bool


def check_keeps_an_admin(staff: Iterable[StaffStanding], name: str, *, role: Role, active: bool) -> None:
    """Refuse a change of `name` to (`role`, `active`) that would leave no active administrator: nobody could
    then add staff, reset a forgotten PIN or restore a backup."""
    after = [StaffStanding(s.name, role, active) if s.name == name else s for s in staff]
    if not any(s.role is Role.ADMIN and s.active for s in after):
        raise DomainError(
            "staff.last_admin",
            f"「{name}」是本站最后一位在岗的管理员，不能停用或更改其角色。请先添加或启用另一位管理员。",
            name=name,
        )
