"""Issue 15, the server's users: accounts made with `gridstation-server user …`, argon2id passwords of ten
characters or more, a lockout after five wrong passwords on the server's clock, disabling and resetting, each
change in the audit log."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from gridstation.domain.console_roles import LOCKOUT, MAX_FAILED_SIGN_INS, ConsoleRole, after_failed_sign_in
from gridstation.domain.errors import DomainError
from gridstation.server.cli import main
from gridstation.server.errors import ServerError
from gridstation.server.models import ServerUserRow
from gridstation.server.service import ServerService
from tests.support.clock import START, FakeClock

PASSWORD = "correct-horse-42"


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(server: ServerService, username: str, password: str) -> ServerError:
    with pytest.raises(ServerError) as raised:
        server.login(username, password)
    assert raised.value.status == 401
    return raised.value


def test_the_user_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server_db_url: str
) -> None:
    url = server_db_url
    assert run(capsys, monkeypatch, url, "department", "add", "WATER", "区水务局")[0] == 0
    code, out, err = run(
        capsys, monkeypatch, url, "user", "add", "Wang.Fang", "--role", "department", "--department", "water",
        "--name", "王芳", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert "wang.fang" in out and "部门 WATER" in out
    code, out, err = run(
        capsys, monkeypatch, url, "user", "add", "lead1", "--role", "gridlead", "--grid", "G01", "--grid", "g02",
        "--password-stdin", stdin=PASSWORD,
    )  # fmt: skip
    assert code == 0, err
    assert (
        run(capsys, monkeypatch, url, "user", "add", "centre", "--role", "centre", "--password-stdin", stdin=PASSWORD)[
            0
        ]
        == 0
    )

    code, out, _ = run(capsys, monkeypatch, url, "user", "list", "--json")
    listed = {u["username"]: u for u in json.loads(out)}
    assert listed["wang.fang"]["role"] == "department" and listed["wang.fang"]["department"] == "WATER"
    assert listed["wang.fang"]["name"] == "王芳"
    assert listed["lead1"]["grids"] == ["G01", "G02"]
    assert listed["centre"]["last_sign_in_at"] is None
    code, out, _ = run(capsys, monkeypatch, url, "user", "list")
    assert "时间为北京时间" in out and "网格长" in out and "从未登录" in out

    # Refusals, in Chinese, naming what is wrong; nothing added.
    cases = [
        (("user", "add", "x1", "--role", "department", "--department", "NOPE"), "没有部门 NOPE"),
        (("user", "add", "x2", "--role", "gridlead", "--grid", "G99"), "没有网格 G99"),
        (("user", "add", "x3", "--role", "department"), "--department"),
        (("user", "add", "x4", "--role", "chief"), "角色须为"),
        (("user", "add", "x5", "--role", "centre", "--grid", "G01"), "不能指定部门或网格"),
        (("user", "add", "wang.fang", "--role", "centre"), "已存在"),
        (("user", "disable", "nobody"), "找不到用户 nobody"),
    ]
    for args, message in cases:
        code, _, err = (
            run(capsys, monkeypatch, url, *args, "--password-stdin", stdin=PASSWORD)
            if args[1] == "add"
            else run(capsys, monkeypatch, url, *args)
        )
        assert code == 2 and message in err, (args, err)
    code, _, err = run(
        capsys, monkeypatch, url, "user", "add", "short", "--role", "centre", "--password-stdin", stdin="123456789"
    )
    assert code == 2 and "密码至少 10 位" in err
    code, _, err = run(capsys, monkeypatch, url, "user", "add", "tty", "--role", "centre")  # no terminal to ask on
    assert code == 2 and "--password-stdin" in err
    code, out, _ = run(capsys, monkeypatch, url, "user", "list", "--json")
    assert sorted(u["username"] for u in json.loads(out)) == ["centre", "lead1", "wang.fang"]

    assert (
        run(
            capsys, monkeypatch, url, "user", "reset-password", "lead1", "--password-stdin", stdin="another-password-1"
        )[0]
        == 0
    )
    code, out, _ = run(capsys, monkeypatch, url, "user", "disable", "LEAD1")
    assert code == 0 and "已停用" in out
    code, out, _ = run(capsys, monkeypatch, url, "user", "list", "--json")
    assert {u["username"]: u["disabled"] for u in json.loads(out)} == {
        "centre": False,
        "lead1": True,
        "wang.fang": False,
    }


def test_passwords_are_stored_as_argon2id_hashes_and_must_be_long_enough(server: ServerService) -> None:
    server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    with server.reading() as session:
        stored = session.scalar(select(ServerUserRow.password_hash))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(DomainError, match="密码至少 10 位"):
        server.add_user("other", ConsoleRole.CENTRE, "x" * 9)
    with pytest.raises(DomainError, match="密码至少 10 位"):
        server.reset_password("centre", "x" * 9)
    assert server.login("centre", PASSWORD).role is ConsoleRole.CENTRE


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes_on_the_servers_clock(
    server: ServerService, server_clock: FakeClock
) -> None:
    server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        refused(server, "centre", "wrong-password")
    assert server.login("centre", PASSWORD).token  # a success starts the count again
    for _ in range(MAX_FAILED_SIGN_INS):
        refused(server, "centre", "wrong-password")
    locked = refused(server, "centre", PASSWORD)  # the right password, but locked: the same answer
    assert locked.code == refused(server, "nobody", PASSWORD).code == "auth.sign_in_refused"
    assert locked.message_zh == refused(server, "nobody", PASSWORD).message_zh
    assert server.users()[0].locked_until == START + LOCKOUT

    server_clock.advance(minutes=14, seconds=59)
    refused(server, "centre", PASSWORD)
    server_clock.advance(seconds=1)
    assert server.login("centre", PASSWORD).token
    actions = [action for _, _, action, _ in server.audit()]
    assert actions.count("user.locked") == 1


def test_the_lockout_rule() -> None:
    failures, until = 0, None
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        failures, until = after_failed_sign_in(failures, START)
        assert until is None
    assert after_failed_sign_in(failures, START) == (0, START + LOCKOUT)


def test_disabling_ends_sign_in_and_every_token_and_a_reset_lifts_the_lockout(
    server: ServerService, server_clock: FakeClock
) -> None:
    server.add_department("WATER", "区水务局")
    server.add_user("water1", ConsoleRole.DEPARTMENT, PASSWORD, department="WATER")
    token = server.login("water1", PASSWORD).token
    assert server.authenticate_user(token).department == "WATER"

    for _ in range(MAX_FAILED_SIGN_INS):
        refused(server, "water1", "wrong-password")
    server.reset_password("water1", "a-new-password")
    with pytest.raises(ServerError):
        server.authenticate_user(token)  # a reset ends the sessions it had
    token = server.login("water1", "a-new-password").token

    server.disable_user("water1")
    with pytest.raises(ServerError) as raised:
        server.authenticate_user(token)
    assert raised.value.status == 401
    refused(server, "water1", "a-new-password")

    audited = [(action, detail.get("username")) for _, _, action, detail in server.audit()]
    for action in ("user.added", "user.locked", "user.password_reset", "user.disabled"):
        assert (action, "water1") in audited, action
