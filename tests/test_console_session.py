"""Issue 15, the console's session and CSRF rules without a browser: the cookie's flags, a token on every form,
sign-in refusals as a Chinese page, the scope of `visibility` on every page, and bad input that never is a 500."""

from __future__ import annotations

import re

import httpx
import pytest

pytest.importorskip("jinja2", reason="the console's pages need jinja2 (a dependency in pyproject.toml)")

from gridstation.domain.console_roles import ConsoleRole
from gridstation.server.console.auth import CSRF_REFUSED, SESSION_COOKIE
from gridstation.server.service import ServerService
from gridstation.server.users import SIGN_IN_REFUSED
from tests.support.clock import FakeClock
from tests.support.console import GREEN, GREEN_NAME, PASSWORD, WATER, WATER_NAME, Console, console_of
from tests.support.server import Api

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def console(api: Api, server: ServerService, server_clock: FakeClock) -> Console:
    console = console_of(api, server, server_clock)
    server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    server.add_user("water", ConsoleRole.DEPARTMENT, PASSWORD, department=WATER)
    server.add_user("green", ConsoleRole.DEPARTMENT, PASSWORD, department=GREEN)
    return console


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/console/login"))
    return client.post(
        "/console/login",
        data={"csrf_token": token, "username": username, "password": password},
        follow_redirects=False,
    )


def test_signing_in_sets_a_strict_http_only_session_cookie(console: Console) -> None:
    client = console.api.client
    assert client.get("/console/", follow_redirects=False).headers["location"] == "/console/login"
    answer = sign_in(client, "centre")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    board = client.get("/console/")
    assert board.status_code == 200 and "案件看板" in board.text and "centre" in board.text


def test_a_wrong_password_is_a_chinese_message_on_the_page(console: Console) -> None:
    answer = sign_in(console.api.client, "centre", "not-the-password")
    assert answer.status_code == 401
    assert SIGN_IN_REFUSED in answer.text
    assert not any(h.startswith(f"{SESSION_COOKIE}=") for h in answer.headers.get_list("set-cookie"))


def test_forms_without_their_csrf_token_are_refused(console: Console) -> None:
    client = console.api.client
    client.get("/console/login")
    refused = client.post("/console/login", data={"username": "centre", "password": PASSWORD})
    assert refused.status_code == 403 and CSRF_REFUSED in refused.text
    forged = client.post("/console/login", data={"csrf_token": "guess", "username": "centre", "password": PASSWORD})
    assert forged.status_code == 403
    assert sign_in(client, "centre").status_code == 303
    board = client.get("/console/")
    no_token = client.post("/console/logout", data={}, follow_redirects=False)
    assert no_token.status_code == 403 and CSRF_REFUSED in no_token.text
    assert client.get("/console/").status_code == 200  # still signed in
    out = client.post("/console/logout", data={"csrf_token": csrf_of(board)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_a_department_sees_only_its_own_cases_and_another_is_not_found(console: Console) -> None:
    watered = console.case(grid="G01", dispatched_to=WATER_NAME)
    greened = console.case(grid="G02", dispatched_to=GREEN_NAME)
    client = console.api.client
    sign_in(client, "water")
    board = client.get("/console/")
    assert watered in board.text and greened not in board.text
    inbox = client.get("/console/inbox")
    assert watered in inbox.text and greened not in inbox.text and "待接单" in inbox.text
    assert client.get(f"/console/cases/{watered}").status_code == 200
    hidden = client.get(f"/console/cases/{greened}")
    unknown = client.get("/console/cases/JA01-NO-SUCH")
    assert hidden.status_code == unknown.status_code == 404
    assert "找不到诉求" in hidden.text
    assert client.get("/console/stations").status_code == 404


def test_the_board_filters_and_bad_input_is_named_not_a_500(console: Console) -> None:
    first = console.case(grid="G01")
    second = console.case(grid="G02")
    client = console.api.client
    sign_in(client, "centre")
    found = client.get("/console/", params={"text": "窨井"})
    assert second in found.text and first not in found.text
    assert first in client.get("/console/", params={"grid": "G01"}).text
    bad = client.get("/console/", params={"status": "nonsense", "page": "-3", "text": "x" * 300})
    assert bad.status_code == 400
    assert "没有这个状态" in bad.text and "页码" in bad.text and "搜索文字" in bad.text
    assert first in bad.text  # the board still shows, without the bad filters
    case_page = client.get(f"/console/cases/{first}")
    assert "办理经过" in case_page.text and 'id="dispatch-and-replies"' in case_page.text
    stations = client.get("/console/stations")
    assert "JA01" in stations.text


KEY = re.compile(r'id="(dispatch-form|reply-[a-z_]+|withdraw-form)".*?name="idempotency_key" value="([^"]+)"', re.S)
ROAD = "ROAD"


def form_keys(page: httpx.Response) -> dict[str, str]:
    return dict(KEY.findall(page.text))


def timeline_entries(page: httpx.Response) -> int:
    return page.text.split('<ol class="timeline">')[1].split("</ol>")[0].count("<li>")


def dispatch_form(client: httpx.Client, number: str, **extra: object) -> httpx.Response:
    case_page = client.get(f"/console/cases/{number}")
    fields: dict[str, object] = {
        "csrf_token": csrf_of(case_page),
        "idempotency_key": form_keys(case_page)["dispatch-form"],
        "lead": WATER,
        "assist": [GREEN],
        "note": "请尽快处置",
        **extra,
    }
    return client.post(f"/console/cases/{number}/dispatch", data=fields, follow_redirects=False)  # type: ignore[arg-type]


def reply_form(client: httpx.Client, number: str, kind: str, note: str = "") -> httpx.Response:
    case_page = client.get(f"/console/cases/{number}")
    fields = {
        "csrf_token": csrf_of(case_page),
        "idempotency_key": form_keys(case_page)[f"reply-{kind}"],
        "kind": kind,
        "note": note,
    }
    return client.post(f"/console/cases/{number}/reply", data=fields, follow_redirects=False)


def trays(client: httpx.Client) -> dict[str, str]:
    text = client.get("/console/inbox").text
    return {part.split("<small>")[0].strip(): part for part in text.split('<section class="tray">\n<h2>')[1:]}


def test_the_centre_dispatches_and_the_lead_department_answers_through_the_forms(console: Console) -> None:
    number = console.case(grid="G01")
    client = console.api.client
    sign_in(client, "centre")
    dispatched = dispatch_form(client, number)
    assert dispatched.status_code == 303 and dispatched.headers["location"] == f"/console/cases/{number}"
    page_after = client.get(f"/console/cases/{number}")
    assert 'id="withdraw-form"' in page_after.text and "区水务局" in page_after.text

    client.cookies.clear()
    sign_in(client, "water")
    assert number in trays(client)["待接单"]
    assert reply_form(client, number, "accept").status_code == 303
    assert number in trays(client)["办理中"] and number not in trays(client)["待接单"]
    assert reply_form(client, number, "result", "井盖已更换").status_code == 303
    done = client.get(f"/console/cases/{number}")
    assert "已处置" in done.text and "井盖已更换" in done.text
    assert 'id="reply-result"' not in done.text  # its part is answered: no more reply forms
    assert number in trays(client)["已反馈"]


def test_a_cooperating_department_is_in_its_own_tray_when_the_lead_is_done(console: Console) -> None:
    number = console.case(grid="G01")
    sign_in(console.api.client, "centre")
    assert dispatch_form(console.api.client, number).status_code == 303
    console.api.client.cookies.clear()
    sign_in(console.api.client, "water")
    reply_form(console.api.client, number, "result", "已处置完毕")
    console.api.client.cookies.clear()
    sign_in(console.api.client, "green")
    mine = trays(console.api.client)
    assert number in mine["待接单"] and number not in mine["已反馈"]  # the case is disposed; GREEN's part is not


def test_a_double_posted_form_stores_one_event(console: Console) -> None:
    number = console.case(grid="G01")
    client = console.api.client
    sign_in(client, "centre")
    case_page = client.get(f"/console/cases/{number}")
    before = timeline_entries(case_page)
    fields = {
        "csrf_token": csrf_of(case_page),
        "idempotency_key": form_keys(case_page)["dispatch-form"],
        "lead": WATER,
        "note": "",
    }
    first = client.post(f"/console/cases/{number}/dispatch", data=fields, follow_redirects=False)
    second = client.post(f"/console/cases/{number}/dispatch", data=fields, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert timeline_entries(client.get(f"/console/cases/{number}")) == before + 1


def test_a_department_without_a_part_gets_404_and_refusals_are_chinese(console: Console) -> None:
    console.server.add_department(ROAD, "区建管委")
    console.server.add_user("road", ConsoleRole.DEPARTMENT, PASSWORD, department=ROAD)
    number = console.case(grid="G01")
    client = console.api.client
    sign_in(client, "centre")
    no_lead = dispatch_form(client, number, lead="")
    assert no_lead.status_code == 422 and "请选择牵头部门" in no_lead.text
    both = dispatch_form(client, number, assist=[WATER])
    assert both.status_code == 422 and "已是牵头部门" in both.text
    assert dispatch_form(client, number).status_code == 303
    client.cookies.clear()
    sign_in(client, "road")
    board = client.get("/console/")
    outsider = client.post(
        f"/console/cases/{number}/reply",
        data={"csrf_token": csrf_of(board), "idempotency_key": "abcdefgh12", "kind": "accept"},
    )
    assert outsider.status_code == 404 and "找不到诉求" in outsider.text
    client.cookies.clear()
    sign_in(client, "water")
    no_reason = reply_form(client, number, "reject")
    assert no_reason.status_code == 422 and "退单原因" in no_reason.text


def test_a_dispatch_form_without_its_csrf_token_is_refused(console: Console) -> None:
    number = console.case(grid="G01")
    client = console.api.client
    sign_in(client, "centre")
    case_page = client.get(f"/console/cases/{number}")
    before = timeline_entries(case_page)
    fields = {"idempotency_key": form_keys(case_page)["dispatch-form"], "lead": WATER}
    refused = client.post(f"/console/cases/{number}/dispatch", data=fields, follow_redirects=False)
    assert refused.status_code == 403 and CSRF_REFUSED in refused.text
    assert timeline_entries(client.get(f"/console/cases/{number}")) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/console/cases/{number}"),
        ("POST", "/console/cases/{number}/dispatch"),
        ("POST", "/console/cases/{number}/withdraw"),
        ("POST", "/console/cases/{number}/reply"),
    ],
)
def test_every_console_case_route_keeps_to_the_users_scope(console: Console, method: str, path: str) -> None:
    """The console's half of tests/test_server_scope_routes.py: cookie sessions instead of bearer tokens."""
    number = console.case(grid="G01", dispatched_to=GREEN_NAME)
    client = console.api.client
    url = path.replace("{number}", number)
    assert client.request(method, url, follow_redirects=False).headers["location"] == "/console/login"
    sign_in(client, "water")
    token = csrf_of(client.get("/console/"))
    fields = {"csrf_token": token, "idempotency_key": "scope-console", "lead": WATER, "reason": "x", "kind": "accept"}
    body = fields if method == "POST" else None
    hidden = client.request(method, url, data=body)
    missing = client.request(method, path.replace("{number}", "JA01-NO-SUCH"), data=body)
    assert hidden.status_code == missing.status_code == 404
    assert "找不到诉求" in hidden.text
