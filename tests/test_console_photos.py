"""Issue 15, photos in the console: the desk's photos of a case as thumbnails on its page (a scoped route, 404
outside the user's scope), and a department's 办理结果 with a photo of its own — checked by its bytes."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest

pytest.importorskip("jinja2", reason="the console's pages need jinja2 (a dependency in pyproject.toml)")
pytest.importorskip("multipart", reason="the result's photo is a multipart form")

from sqlalchemy import select

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType
from gridstation.server.models import ServerCaseRow, ServerEventRow
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.console import GREEN, GREEN_NAME, PASSWORD, WATER, Console, console_of
from tests.support.photos import photo_bytes
from tests.support.server import Api, auth

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'id="reply-result".*?name="idempotency_key" value="([^"]+)"', re.S)


@pytest.fixture
def console(api: Api, server: ServerService, server_clock: FakeClock) -> Console:
    console = console_of(api, server, server_clock)
    server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    server.add_user("water", ConsoleRole.DEPARTMENT, PASSWORD, department=WATER)
    server.add_user("green", ConsoleRole.DEPARTMENT, PASSWORD, department=GREEN)
    return console


def signed_in(console: Console, username: str) -> httpx.Client:
    client = console.api.client
    client.cookies.clear()
    login = client.get("/console/login")
    token = CSRF.search(login.text)
    assert token
    answer = client.post(
        "/console/login",
        data={"csrf_token": token.group(1), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def desk_uploads(console: Console, number: str, data: bytes, filename: str) -> str:
    """The station sends a photo of its case as the desk does: offered, then its bytes."""
    with console.server.reading() as session:
        case_id = session.scalar(select(ServerCaseRow.id).where(ServerCaseRow.number == number))
    sha256 = hashlib.sha256(data).hexdigest()
    headers = auth(console.credential)
    offer = {"sha256": sha256, "size": len(data), "case_id": case_id, "media_type": "image/jpeg", "filename": filename}
    client = console.api.client
    assert client.post("/api/v1/attachments", json=offer, headers=headers).status_code == 200
    sent = client.put(f"/api/v1/attachments/{sha256}/content", content=data, headers=headers)
    assert sent.status_code == 200 and sent.json()["complete"], sent.text
    return sha256


def test_a_desk_photo_is_a_thumbnail_on_the_centres_case_page(console: Console) -> None:
    number = console.case(grid="G01", dispatched_to=GREEN_NAME)
    data = photo_bytes("JPEG")
    sha256 = desk_uploads(console, number, data, "漏水.jpg")
    client = signed_in(console, "centre")
    page = client.get(f"/console/cases/{number}")
    assert page.status_code == 200
    src = f"/console/cases/{number}/photos/{sha256}"
    assert f'<img src="{src}"' in page.text and "漏水.jpg" in page.text
    photo = client.get(src)
    assert photo.status_code == 200 and photo.content == data
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/console/cases/{number}/photos/{'0' * 64}").status_code == 404


def test_a_photo_of_a_case_outside_the_departments_scope_is_not_found(console: Console) -> None:
    mine = console.case(grid="G01", dispatched_to=GREEN_NAME)
    theirs = console.case(grid="G02", dispatched_to="区水务局")
    sha256 = desk_uploads(console, mine, photo_bytes("JPEG"), "a.jpg")
    assert signed_in(console, "green").get(f"/console/cases/{mine}/photos/{sha256}").status_code == 200
    client = signed_in(console, "water")
    assert client.get(f"/console/cases/{mine}/photos/{sha256}").status_code == 404
    # Nor through a case it may see: the photo is not of that case.
    assert client.get(f"/console/cases/{theirs}/photos/{sha256}").status_code == 404
    assert sha256 not in client.get(f"/console/cases/{theirs}").text


def dispatched_to_green(console: Console) -> str:
    number = console.case(grid="G01")
    client = signed_in(console, "centre")
    page = client.get(f"/console/cases/{number}")
    token = CSRF.search(page.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert token and key
    sent = client.post(
        f"/console/cases/{number}/dispatch",
        data={"csrf_token": token.group(1), "idempotency_key": key.group(1), "lead": GREEN},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    return number


def post_result(client: httpx.Client, number: str, photo: tuple[str, bytes, str]) -> httpx.Response:
    page = client.get(f"/console/cases/{number}")
    token, key = CSRF.search(page.text), KEY.search(page.text)
    assert token and key, page.text
    assert 'enctype="multipart/form-data"' in page.text and 'name="photo"' in page.text
    fields = {"csrf_token": token.group(1), "idempotency_key": key.group(1), "kind": "result", "note": "已修复"}
    return client.post(f"/console/cases/{number}/reply", data=fields, files={"photo": photo}, follow_redirects=False)


def test_a_department_posts_its_result_with_a_photo_and_it_shows_on_the_case(console: Console) -> None:
    number = dispatched_to_green(console)
    client = signed_in(console, "green")
    data = photo_bytes("PNG")
    answer = post_result(client, number, ("修复后.png", data, "image/png"))
    assert answer.status_code == 303, answer.text
    sha256 = hashlib.sha256(data).hexdigest()
    page = client.get(f"/console/cases/{number}")
    assert f"/console/cases/{number}/photos/{sha256}" in page.text and "修复后.png" in page.text
    assert client.get(f"/console/cases/{number}/photos/{sha256}").content == data
    with console.server.reading() as session:
        types = session.scalars(select(ServerEventRow.type).order_by(ServerEventRow.received_at)).all()
    assert EventType.DEPARTMENT_REPLIED in types and EventType.PHOTO_ATTACHED in types
    centre = signed_in(console, "centre")
    assert centre.get(f"/console/cases/{number}/photos/{sha256}").content == data


def test_a_file_that_is_not_a_photo_is_refused_with_a_chinese_message(console: Console) -> None:
    number = dispatched_to_green(console)
    client = signed_in(console, "green")
    answer = post_result(client, number, ("报告.png", b"MZ\x90\x00 not an image at all", "image/png"))
    assert answer.status_code == 422
    assert "「报告.png」不是照片" in answer.text and "Traceback" not in answer.text
    with console.server.reading() as session:
        types = session.scalars(select(ServerEventRow.type)).all()
    assert EventType.DEPARTMENT_REPLIED not in types  # nothing stored: the form is refused as a whole
