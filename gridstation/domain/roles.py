"""Role-based access: what each role at a station may do."""

from __future__ import annotations

from enum import StrEnum

from gridstation.domain.enums import ROLE_LABELS, Role
from gridstation.domain.errors import DomainError, ValidationError


class Permission(StrEnum):
    REGISTER_CASE = "register_case"
    RECORD_PROGRESS = "record_progress"
    CORRECT_INTAKE = "correct_intake"
    CHANGE_TIER = "change_tier"
    # Unmasking a resident's phone number. Checked by the service (not only by the screen), needs a reason each
    # time, and each use is an event in the case's log. Granted to every role that calls residents back
    # (docs/security.md, "Who may see a resident's full phone number").
    SEE_FULL_PHONE = "see_full_phone"
    MANAGE_REFERENCE = "manage_reference"
    MANAGE_STAFF = "manage_staff"
    MANAGE_SETTINGS = "manage_settings"
    BACKUP = "backup"
    RESTORE = "restore"
    VIEW_AUDIT = "view_audit"
    FLAG_CONFERENCE = "flag_conference"


_CLERK = {
    Permission.REGISTER_CASE,
    Permission.RECORD_PROGRESS,
    Permission.CORRECT_INTAKE,
    # A clerk makes the 先联 call (within 5 minutes) and the 回访 calls: the number is the work.
    Permission.SEE_FULL_PHONE,
    Permission.BACKUP,
}
_GRID_CHIEF = _CLERK | {
    Permission.CHANGE_TIER,
    Permission.VIEW_AUDIT,
    Permission.MANAGE_REFERENCE,
    Permission.FLAG_CONFERENCE,
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(_CLERK),
    Role.GRID_CHIEF: frozenset(_GRID_CHIEF),
    Role.ADMIN: frozenset(Permission),
}

PERMISSION_LABELS: dict[Permission, str] = {
    Permission.REGISTER_CASE: "登记诉求",
    Permission.RECORD_PROGRESS: "记录办理进度",
    Permission.CORRECT_INTAKE: "更正登记信息",
    Permission.CHANGE_TIER: "调整处置分类",
    Permission.SEE_FULL_PHONE: "查看完整电话",
    Permission.MANAGE_REFERENCE: "维护基础数据",
    Permission.MANAGE_STAFF: "管理人员",
    Permission.MANAGE_SETTINGS: "修改设置",
    Permission.BACKUP: "备份数据",
    Permission.RESTORE: "恢复数据",
    Permission.VIEW_AUDIT: "查看审计日志",
    Permission.FLAG_CONFERENCE: "提交难题会诊",
}


def require(role: Role, permission: Permission) -> None:
    if permission not in PERMISSIONS[role]:
        raise DomainError(
            "permission.denied",
            f"「{ROLE_LABELS[role]}」无权{PERMISSION_LABELS[permission]}，请联系网格长或管理员。",
            permission=str(permission),
        )


# A PIN (or password) must be at least this long. Administrators can restore backups, change settings and add
# staff: a 4-digit PIN falls offline in about a minute however it is hashed, six digits hold a hundred times longer,
# so theirs must have six. Clerks and grid chiefs keep four (typed many times a day at a shared counter).
PIN_MIN_LENGTH: dict[Role, int] = {Role.CLERK: 4, Role.GRID_CHIEF: 4, Role.ADMIN: 6}


def pin_meets_rules(role: Role, pin: str) -> bool:
    return len(pin) >= PIN_MIN_LENGTH[role]


def check_pin(role: Role, pin: str) -> str:
    """`pin` if it is long enough for `role`, else a ValidationError saying how long it must be."""
    if not pin_meets_rules(role, pin):
        limit = PIN_MIN_LENGTH[role]
        raise ValidationError(
            "pin",
            "pin.too_short",
            f"{ROLE_LABELS[role]}的 PIN 或密码至少 {limit} 位。",
            limit=limit,
        )
    return pin
