"""Issue 15, signing in to the server: POST /api/v1/login gives a bearer token (stored hashed) that expires on the
server's clock and ends at logout; a wrong password, an unknown user, a disabled or a locked account all get the
same 401; the read API takes the token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridstation.domain.console_roles import MAX_FAILED_SIGN_INS, ConsoleRole
from gridstation.server.models import ServerSessionRow
from gridstation.server.service import ServerService
from gridstation.server.settings import ServerSettings
from gridstation.server.users import DEFAULT_SESSION_LIFETIME
from tests.support.clock import START, FakeClock
from tests.support.console import GREEN_NAME, PASSWORD, Console, console_of
from tests.support.server import Api, auth


@pytest.fixture
def console(api: Api, server: ServerService, server_clock: FakeClock) -> Console:
    return console_of(api, server, server_clock)


def test_login_gives_a_token_its_expiry_and_role(console: Console) -> None:
    console.server.add_user("centre", ConsoleRole.CENTRE, PASSWORD, display_name="李主任")
    answer = console.login("Centre ", PASSWORD)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["role"] == "centre"
    assert body["expires_at"] == (START + DEFAULT_SESSION_LIFETIME).isoformat().replace("+00:00", "Z")
    assert body["token"].startswith("gsu_")
    with console.server.reading() as session:
        stored = session.scalars(select(ServerSessionRow.token_hash)).all()
    assert len(stored) == 1 and body["token"] not in stored[0]  # kept only as its hash
    assert console.server.users()[0].last_sign_in_at == START


def test_every_refused_sign_in_gets_the_same_401(console: Console) -> None:
    console.server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    console.server.add_user("gone", ConsoleRole.CENTRE, PASSWORD)
    console.server.disable_user("gone")
    console.server.add_user("locked", ConsoleRole.CENTRE, PASSWORD)
    for _ in range(MAX_FAILED_SIGN_INS):
        assert console.login("locked", "wrong-password").status_code == 401

    answers = [
        console.login("centre", "wrong-password"),
        console.login("nobody", PASSWORD),
        console.login("gone", PASSWORD),
        console.login("locked", PASSWORD),
    ]
    assert [a.status_code for a in answers] == [401] * 4
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["error"]["code"] == "auth.sign_in_refused"
    assert "用户名或密码错误" in answers[0].json()["error"]["message"]


def test_a_token_expires_on_the_servers_clock(console: Console) -> None:
    token = console.add_user("centre", ConsoleRole.CENTRE)
    console.clock.advance(hours=11, minutes=59)
    assert console.get("/api/v1/cases", "centre").status_code == 200
    console.clock.advance(minutes=1)
    expired = console.get("/api/v1/cases", "centre")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "auth.expired"
    assert "重新登录" in expired.json()["error"]["message"]
    assert token


def test_the_session_lifetime_is_a_server_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDSTATION_SERVER_SESSION_HOURS", "2")
    assert timedelta(hours=ServerSettings.load().session_hours) == timedelta(hours=2)
    assert ServerSettings.load(session_hours=8).session_hours == 8


def test_logout_ends_the_token(console: Console) -> None:
    token = console.add_user("centre", ConsoleRole.CENTRE)
    assert console.api.client.post("/api/v1/logout", headers=auth(token)).status_code == 204
    answer = console.get("/api/v1/cases", "centre")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "auth.invalid"
    assert console.api.client.post("/api/v1/logout", headers=auth(token)).status_code == 401


def test_the_read_api_takes_the_bearer_token(console: Console) -> None:
    number = console.case(grid="G01", dispatched_to=GREEN_NAME)
    console.case(grid="G02")
    console.add_user("centre", ConsoleRole.CENTRE)

    assert console.get("/api/v1/cases").status_code == 401
    page = console.get("/api/v1/cases", "centre").json()
    assert page["total"] == 2 and len(page["items"]) == 2
    detail = console.get(f"/api/v1/cases/{number}", "centre")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["case"]["number"] == number and body["case"]["grid_code"] == "G01"
    assert body["departments"] == ["GREEN"]
    texts = [entry["text"] for entry in body["timeline"]]
    assert texts[0].startswith("登记") and any(GREEN_NAME in t for t in texts)
    # A station's credential is not a user's token.
    assert console.api.client.get("/api/v1/cases", headers=auth(console.credential)).status_code == 401
