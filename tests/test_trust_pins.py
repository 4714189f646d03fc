"""Issue 13, item 6: PINs hashed with argon2id (an old scrypt hash works once and is replaced), six digits for
administrators (four still for clerks and grid chiefs), existing 4-digit admin PINs sign in and are asked to change,
and the lockout counted from the chained audit log, not from a counter anyone with the file can zero."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gridstation.cli import main as cli
from gridstation.cli.context import DATA_DIR_ENV, PIN_ENV, USER_ENV
from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError
from gridstation.services.core import DB_FILE
from gridstation.services.staff import LOCKOUT, MAX_FAILED_SIGN_INS, StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock
from tests.support.staff import ADMIN_NAME, ADMIN_PIN, CLERK_NAME, CLERK_PIN


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (DATA_DIR_ENV, USER_ENV, PIN_ENV):
        monkeypatch.delenv(name, raising=False)


def stored_hash(data_dir: Path, name: str) -> str:
    connection = sqlite3.connect(data_dir / DB_FILE)
    value = connection.execute("SELECT secret_hash FROM staff WHERE name = ?", (name,)).fetchone()[0]
    connection.close()
    return str(value)


def put_hash(data_dir: Path, name: str, secret_hash: str) -> None:
    connection = sqlite3.connect(data_dir / DB_FILE)
    with connection:
        connection.execute("UPDATE staff SET secret_hash = ? WHERE name = ?", (secret_hash, name))
    connection.close()


def old_scrypt_hash(pin: str) -> str:
    """A hash as GridStation stored PINs before argon2id (scrypt N=2^14, r=8, p=1)."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_item6_pins_are_stored_as_argon2id(service: StationService, clerk: StaffMember) -> None:
    assert stored_hash(service.data_dir, CLERK_NAME).startswith("$argon2id$")
    assert stored_hash(service.data_dir, ADMIN_NAME).startswith("$argon2id$")


def test_item6_an_old_scrypt_hash_signs_in_once_and_is_replaced_by_argon2id(
    service: StationService, clerk: StaffMember
) -> None:
    put_hash(service.data_dir, CLERK_NAME, old_scrypt_hash(CLERK_PIN))

    with pytest.raises(DomainError):
        service.sign_in(CLERK_NAME, "9999")
    assert stored_hash(service.data_dir, CLERK_NAME).startswith("scrypt$")  # a wrong PIN changes nothing
    service.sign_in(CLERK_NAME, CLERK_PIN)

    assert stored_hash(service.data_dir, CLERK_NAME).startswith("$argon2id$")
    assert service.sign_in(CLERK_NAME, CLERK_PIN).name == CLERK_NAME
    admin = service.sign_in(ADMIN_NAME, ADMIN_PIN)
    assert "pin.rehashed" in [entry.action for entry in service.audit_log(admin)]


def test_item6_administrators_need_six_digits_clerks_and_grid_chiefs_four(tmp_path: Path, clock: FakeClock) -> None:
    service = StationService(tmp_path / "new", now=clock)
    try:
        station = {"code": "JA01", "name": "枫林居委会民情快办工作站", "admin_name": ADMIN_NAME}
        with pytest.raises(DomainError) as short:
            service.initialise(**station, admin_pin="2468")
        assert short.value.code == "pin.too_short" and "管理员的 PIN 或密码至少 6 位" in short.value.message_zh
        admin = service.initialise(**station, admin_pin="246810")
        with pytest.raises(DomainError, match="至少 6 位"):
            service.add_staff(admin, "周强", Role.ADMIN, "1234")
        service.add_staff(admin, "周强", Role.ADMIN, "135790")
        service.add_staff(admin, CLERK_NAME, Role.CLERK, CLERK_PIN)
        service.add_staff(admin, "赵建国", Role.GRID_CHIEF, "8642")
        with pytest.raises(DomainError, match="至少 4 位"):
            service.add_staff(admin, "孙丽", Role.CLERK, "123")
        with pytest.raises(DomainError, match="至少 6 位"):
            service.set_staff_pin(admin, "周强", "1111")
        with pytest.raises(DomainError, match="至少 6 位"):
            service.change_own_pin(admin, "246810", "2222")
        assert service.set_staff_pin(admin, CLERK_NAME, "7531").role is Role.CLERK
        assert service.sign_in(CLERK_NAME, "7531").name == CLERK_NAME
    finally:
        service.close()


def test_item6_an_existing_four_digit_admin_pin_signs_in_and_is_asked_to_change(
    service: StationService, capsys: pytest.CaptureFixture[str]
) -> None:
    put_hash(service.data_dir, ADMIN_NAME, old_scrypt_hash("2468"))  # an admin of a station from before item 6

    admin = service.sign_in(ADMIN_NAME, "2468")
    assert admin.pin_change_required

    # The command line still works for it (a scheduled task must not stop) but says so every time.
    base = ["--data-dir", str(service.data_dir)]
    code = cli.main([*base, "staff", "add", "孙丽", "--role", "clerk", "--new-pin", "9753", "--user", ADMIN_NAME,
                     "--pin", "2468"])
    _, err = capsys.readouterr()
    assert code == 0 and "PIN 太短" in err and "gridstation staff pin" in err
    code = cli.main([*base, "staff", "pin", ADMIN_NAME, "--new-pin", "864200", "--user", ADMIN_NAME, "--pin", "2468"])
    out, _ = capsys.readouterr()
    assert code == 0 and "设置新 PIN" in out
    assert not service.sign_in(ADMIN_NAME, "864200").pin_change_required
    with pytest.raises(DomainError):
        service.sign_in(ADMIN_NAME, "2468")


def test_item6_the_desk_asks_an_admin_for_a_new_pin(qtbot: QtBot, service: StationService) -> None:
    from gridstation.ui.change_pin import ChangePinDialog

    put_hash(service.data_dir, ADMIN_NAME, old_scrypt_hash("2468"))
    admin = service.sign_in(ADMIN_NAME, "2468")
    dialog = ChangePinDialog(service, admin, required=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.current.setText("2468")
    dialog.new_pin.setText("1357")
    dialog.again.setText("1357")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert "至少 6 位" in dialog.error.text()

    dialog.new_pin.setText("975310")
    dialog.again.setText("975310")
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    assert dialog.staff is not None and not dialog.staff.pin_change_required
    assert not service.sign_in(ADMIN_NAME, "975310").pin_change_required


def test_item6_the_lockout_is_counted_from_the_audit_log(
    service: StationService, clerk: StaffMember, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = {row[1] for row in sqlite3.connect(service.data_dir / DB_FILE).execute("PRAGMA table_info(staff)")}
    assert not columns & {"failed_attempts", "locked_until"}  # no counter to zero

    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(DomainError):
            service.sign_in(CLERK_NAME, "0000")
    with pytest.raises(DomainError) as locked:
        service.sign_in(CLERK_NAME, CLERK_PIN)
    assert locked.value.code == "auth.locked"

    # Restarting the desk does not forget it: the state is in the audit log.
    data_dir = service.data_dir
    reopened = StationService(data_dir, now=clock)
    try:
        with pytest.raises(DomainError, match="分钟后再试"):
            reopened.sign_in(CLERK_NAME, CLERK_PIN)
        clock.advance(seconds=LOCKOUT.total_seconds() + 1)
        assert reopened.sign_in(CLERK_NAME, CLERK_PIN).name == CLERK_NAME
    finally:
        reopened.close()

    # What an attacker would now have to do to hide guesses, deleting them from the audit log, is detected.
    connection = sqlite3.connect(data_dir / DB_FILE)
    with connection:
        connection.execute("DELETE FROM audit_log WHERE action IN ('sign_in.failed', 'sign_in.locked')")
    connection.close()
    assert cli.main(["--data-dir", str(data_dir), "audit", "verify"]) != 0
    out, _ = capsys.readouterr()
    assert "审计日志" in out and "篡改" in out
