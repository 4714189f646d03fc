"""Item 6 of issue 14: the people of a station — listing, PIN reset, disabling, role changes, the last-admin guard
and the idle-lock setting — through the service and the `gridstation staff` commands; every change audited."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from gridstation.cli import main as cli
from gridstation.cli.context import PIN_ENV, USER_ENV
from gridstation.domain.enums import EventType, Role
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.shifts import (
    DEFAULT_IDLE_LOCK_MINUTES,
    StaffStanding,
    check_keeps_an_admin,
    idle_lock_due,
    validate_idle_lock_minutes,
)
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import START
from tests.support.complaints import complaint
from tests.support.staff import ADMIN_NAME, ADMIN_PIN, CLERK_NAME, CLERK_PIN

ADMIN = ("--user", ADMIN_NAME, "--pin", ADMIN_PIN)


@pytest.fixture(autouse=True)
def no_operator_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PIN_ENV, raising=False)


def run(capsys: pytest.CaptureFixture[str], service: StationService, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["--data-dir", str(service.data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def audit_actions(service: StationService, admin: StaffMember) -> list[tuple[str, dict[str, object]]]:
    return [(e.action, e.detail) for e in reversed(service.audit_log(admin))]


# ---------------------------------------------------------------------- domain rules


def test_idle_lock_minutes_are_whole_minutes_within_a_day() -> None:
    assert validate_idle_lock_minutes("0") == 0
    assert validate_idle_lock_minutes(" 15 ") == 15
    for bad in ("abc", "-1", "1441", "2.5", ""):
        with pytest.raises(ValidationError) as raised:
            validate_idle_lock_minutes(bad)
        assert "自动锁定时间" in raised.value.message_zh and "invalid literal" not in raised.value.message_zh


def test_idle_lock_is_due_after_the_minutes_and_never_at_zero() -> None:
    assert not idle_lock_due(START, START + timedelta(minutes=9, seconds=59), 10)
    assert idle_lock_due(START, START + timedelta(minutes=10), 10)
    assert not idle_lock_due(START, START + timedelta(days=3), 0)


def test_last_active_admin_cannot_be_disabled_or_demoted() -> None:
    staff = [StaffStanding("王芳", Role.ADMIN, True), StaffStanding("李明", Role.CLERK, True)]
    for role, active in ((Role.ADMIN, False), (Role.CLERK, True)):
        with pytest.raises(DomainError, match="最后一位在岗的管理员"):
            check_keeps_an_admin(staff, "王芳", role=role, active=active)
    check_keeps_an_admin(staff, "李明", role=Role.CLERK, active=False)
    check_keeps_an_admin([*staff, StaffStanding("赵刚", Role.ADMIN, True)], "王芳", role=Role.CLERK, active=True)
    # A disabled administrator does not count.
    with pytest.raises(DomainError):
        check_keeps_an_admin([*staff, StaffStanding("赵刚", Role.ADMIN, False)], "王芳", role=Role.CLERK, active=True)


# ---------------------------------------------------------------------- the service


def test_disabled_member_cannot_sign_in_until_enabled(service: StationService, admin: StaffMember) -> None:
    service.add_staff(admin, CLERK_NAME, Role.CLERK, CLERK_PIN)
    assert not service.set_staff_active(admin, CLERK_NAME, False).active
    with pytest.raises(DomainError, match="姓名或 PIN 不正确"):
        service.sign_in(CLERK_NAME, CLERK_PIN)
    assert CLERK_NAME not in service.staff_names()
    assert [(r.name, r.active) for r in service.staff_records(admin)] == [(CLERK_NAME, False), (ADMIN_NAME, True)]
    service.set_staff_active(admin, CLERK_NAME, True)
    assert service.sign_in(CLERK_NAME, CLERK_PIN).name == CLERK_NAME
    actions = [a for a, _ in audit_actions(service, admin)]
    assert actions.count("staff.disabled") == 1 and actions.count("staff.enabled") == 1


def test_role_change_is_audited_and_takes_effect(service: StationService, admin: StaffMember) -> None:
    service.add_staff(admin, CLERK_NAME, Role.CLERK, CLERK_PIN)
    assert service.change_staff_role(admin, CLERK_NAME, Role.GRID_CHIEF).role is Role.GRID_CHIEF
    assert service.sign_in(CLERK_NAME, CLERK_PIN).role is Role.GRID_CHIEF
    assert ("staff.role_changed", {"name": CLERK_NAME, "before": "clerk", "role": "grid_chief"}) in audit_actions(
        service, admin
    )
    # Promoted to administrator with a 4-digit PIN: asked for a longer one at the next sign-in.
    service.change_staff_role(admin, CLERK_NAME, Role.ADMIN)
    assert service.sign_in(CLERK_NAME, CLERK_PIN).pin_change_required


def test_service_refuses_to_lose_the_last_admin(service: StationService, admin: StaffMember) -> None:
    with pytest.raises(DomainError, match="最后一位"):
        service.set_staff_active(admin, ADMIN_NAME, False)
    with pytest.raises(DomainError, match="最后一位"):
        service.change_staff_role(admin, ADMIN_NAME, Role.CLERK)
    assert service.sign_in(ADMIN_NAME, ADMIN_PIN).role is Role.ADMIN


def test_only_an_admin_manages_staff(service: StationService, clerk: StaffMember) -> None:
    for attempt in (
        lambda: service.staff_records(clerk),
        lambda: service.set_staff_active(clerk, ADMIN_NAME, False),
        lambda: service.change_staff_role(clerk, CLERK_NAME, Role.ADMIN),
        lambda: service.set_idle_lock_minutes(clerk, 0),
    ):
        with pytest.raises(DomainError, match="无权"):
            attempt()


def test_idle_lock_setting_defaults_and_is_audited(service: StationService, admin: StaffMember) -> None:
    assert service.idle_lock_minutes() == DEFAULT_IDLE_LOCK_MINUTES
    assert service.set_idle_lock_minutes(admin, "3") == 3
    assert service.idle_lock_minutes() == 3
    assert ("settings.idle_lock", {"minutes": 3, "before": None}) in audit_actions(service, admin)


# ---------------------------------------------------------------------- the command line


def test_staff_list_shows_people_and_never_pin_hashes(
    capsys: pytest.CaptureFixture[str], service: StationService, admin: StaffMember
) -> None:
    service.add_staff(admin, CLERK_NAME, Role.CLERK, CLERK_PIN)
    service.set_staff_active(admin, CLERK_NAME, False)
    code, out, _ = run(capsys, service, "staff", "list", *ADMIN)
    assert code == 0
    assert "李明" in out and "接待员" in out and "已停用" in out and "王芳" in out and "在岗" in out
    code, out, _ = run(capsys, service, "staff", "list", "--json", *ADMIN)
    people = {p["name"]: p for p in json.loads(out)}
    assert people[CLERK_NAME]["role"] == "clerk" and people[CLERK_NAME]["active"] is False
    assert people[ADMIN_NAME]["created_at"].endswith("+08:00")  # station-local time, as a person reads it
    assert "argon2" not in out and "hash" not in out and "pin" not in out.lower()


def test_staff_list_needs_an_admin(
    capsys: pytest.CaptureFixture[str], service: StationService, clerk: StaffMember
) -> None:
    code, _, err = run(capsys, service, "staff", "list", "--user", CLERK_NAME, "--pin", CLERK_PIN)
    assert code != 0 and "无权管理人员" in err


def test_reset_pin_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, service: StationService, clerk: StaffMember
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n"))
    code, out, _ = run(capsys, service, "staff", "reset-pin", CLERK_NAME, *ADMIN)
    assert code == 0 and "设置新 PIN" in out
    assert service.sign_in(CLERK_NAME, "8642").name == CLERK_NAME
    with pytest.raises(DomainError):
        service.sign_in(CLERK_NAME, CLERK_PIN)
    # Same PIN rules as `staff add`: an administrator's needs six digits.
    monkeypatch.setattr("sys.stdin", io.StringIO("1234\n"))
    code, _, err = run(capsys, service, "staff", "reset-pin", ADMIN_NAME, *ADMIN)
    assert code != 0 and "至少 6 位" in err
    admin = service.sign_in(ADMIN_NAME, ADMIN_PIN)
    assert [d for a, d in audit_actions(service, admin) if a == "pin.set"] == [{"name": CLERK_NAME}]


def test_disable_enable_and_role_from_the_command_line(
    capsys: pytest.CaptureFixture[str], service: StationService, clerk: StaffMember
) -> None:
    code, out, _ = run(capsys, service, "staff", "disable", CLERK_NAME, *ADMIN)
    assert code == 0 and "已停用" in out
    code, _, err = run(capsys, service, "cases", "list", "--user", CLERK_NAME, "--pin", CLERK_PIN)
    assert code != 0 and "姓名或 PIN 不正确" in err
    code, out, _ = run(capsys, service, "staff", "enable", CLERK_NAME, *ADMIN)
    assert code == 0 and "已启用" in out
    code, out, _ = run(capsys, service, "staff", "role", CLERK_NAME, "grid_chief", *ADMIN)
    assert code == 0 and "网格长" in out
    code, _, err = run(capsys, service, "staff", "role", ADMIN_NAME, "clerk", *ADMIN)
    assert code != 0 and "最后一位在岗的管理员" in err
    code, _, err = run(capsys, service, "staff", "disable", ADMIN_NAME, *ADMIN)
    assert code != 0 and "最后一位在岗的管理员" in err
    code, _, err = run(capsys, service, "staff", "disable", "无此人", *ADMIN)
    assert code != 0 and "找不到名为「无此人」" in err
    admin = service.sign_in(ADMIN_NAME, ADMIN_PIN)
    actions = [a for a, _ in audit_actions(service, admin)]
    assert {"staff.disabled", "staff.enabled", "staff.role_changed"} <= set(actions)


def test_settings_idle_lock(capsys: pytest.CaptureFixture[str], service: StationService) -> None:
    code, out, _ = run(capsys, service, "settings", "show")
    assert code == 0 and json.loads(out)["idle_lock"] == {"minutes": DEFAULT_IDLE_LOCK_MINUTES}
    code, out, _ = run(capsys, service, "settings", "set", "idle-lock", "5", *ADMIN)
    assert code == 0 and "5 分钟后自动锁定" in out
    code, out, _ = run(capsys, service, "settings", "set", "idle-lock", "0", *ADMIN)
    assert code == 0 and "不自动锁定" in out
    code, _, err = run(capsys, service, "settings", "set", "idle-lock", "abc", *ADMIN)
    assert code != 0 and "自动锁定时间应为" in err and "invalid literal" not in err
    assert service.idle_lock_minutes() == 0


def test_someone_disabled_while_signed_in_records_nothing_more(
    capsys: pytest.CaptureFixture[str], service: StationService, clerk: StaffMember
) -> None:
    """Issue 14, item 6: the clerk is still signed in at the desk when an administrator disables the account at the
    command line. The next thing the desk tries to record for them is refused, with nothing written; the role
    changed under a signed-in person likewise."""
    case = service.register_case(clerk, complaint(0))
    assert run(capsys, service, "staff", "disable", CLERK_NAME, *ADMIN)[0] == 0
    versions = (service.case(case.id).version, len(service.all_events()))
    with pytest.raises(DomainError, match="账号已被停用") as refused:
        service.record(clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    assert refused.value.code == "staff.no_longer_active"
    with pytest.raises(DomainError, match="账号已被停用"):
        service.register_case(clerk, complaint(1))
    with pytest.raises(DomainError, match="账号已被停用"):
        service.reveal_phone(clerk, case.id, "回访")
    assert (service.case(case.id).version, len(service.all_events())) == versions

    assert run(capsys, service, "staff", "enable", CLERK_NAME, *ADMIN)[0] == 0
    service.record(clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})  # the same session again
    assert run(capsys, service, "staff", "role", CLERK_NAME, "grid_chief", *ADMIN)[0] == 0
    with pytest.raises(DomainError, match="角色已被管理员更改") as changed:
        service.record(clerk, case.id, EventType.NOTE_ADDED, {"note": "居民再次来电"})
    assert changed.value.code == "staff.role_changed"
