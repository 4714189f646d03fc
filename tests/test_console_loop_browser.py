"""Issue 15's acceptance test: 吹哨报到 end to end in a real browser, on SQLite and on PostgreSQL.

A real `gridstation-server serve` and a real desk (StationService, SyncService over HTTP). The 12345 hotline's work
order reaches the station; in a headless Chromium the centre dispatches it to WATER (lead) and GREEN (assist); WATER
accepts and answers; GREEN answers with a photo; ROADS sees neither the case nor its page. The desk pulls both
answers and the photo, closes the case and does 双回访; the centre's board and case page then show it 已回访.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jinja2", reason="the console's pages need jinja2 (a dependency in pyproject.toml)")
pytest.importorskip("multipart", reason="the result's photo is a multipart form")

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EVENT_LABELS, STATUS_LABELS, Channel, EventType, Status
from gridstation.domain.timeline import describe_event
from gridstation.server.db import open_database
from gridstation.server.service import ServerService
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.sync.engine import SyncService
from tests.support.browser import headless_chromium
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.console import PASSWORD
from tests.support.console_pages import PAGE_DEADLINE_SECONDS, click_and_wait, screenshot, sign_in
from tests.support.live_server import LiveServer
from tests.support.photos import photo_bytes

DEPARTMENTS = (("WATER", "区水务局"), ("GREEN", "区绿化市容局"), ("ROADS", "区建管委"))
TICKET = "GD20261203000015"  # the 12345 hotline's work-order number, which is the case's number too
PHOTO_NAME = "green-result.png"
PHOTO_SIZE = (320, 240)
WATER_RESULT = "井盖已更换，现场已清理"
GREEN_RESULT = "已清理井盖周边绿化"


@dataclass
class Centre:
    live: LiveServer
    enrolment: str  # station JA01's one-time enrolment code


@pytest.fixture
def centre(server_db_url: str, tmp_path: Path) -> Iterator[Centre]:
    """A server process on `server_db_url` with station JA01 to enrol, departments WATER, GREEN and ROADS with a
    user each, and the centre's user."""
    database = open_database(server_db_url)
    try:
        service = ServerService(database)
        enrolment = service.add_station("JA01", "枫林居委会民情快办工作站")
        for code, name in DEPARTMENTS:
            service.add_department(code, name)
            service.add_user(code.lower(), ConsoleRole.DEPARTMENT, PASSWORD, department=code)
        service.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    finally:
        database.dispose()
    live = LiveServer(server_db_url, tmp_path / "centre-data")
    live.start()
    try:
        yield Centre(live, enrolment)
    finally:
        live.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from headless_chromium()


def listed_numbers(browser: Any) -> list[str]:
    """The case numbers in the page's rows (each row links its case by its number)."""
    from selenium.webdriver.common.by import By

    return [link.text for link in browser.find_elements(By.CSS_SELECTOR, "tr.case a")]


def row_of(browser: Any, number: str) -> str:
    from selenium.webdriver.common.by import By

    found = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "tr.case") if number in row.text]
    assert len(found) == 1, f"one row for {number} on the page, not {found}"
    return str(found[0])


def heading(browser: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(browser.find_element(By.TAG_NAME, "h1").text)


def switch_user(browser: Any, server_url: str, username: str) -> None:
    """Sign out by forgetting the session's cookie, and sign in as `username`."""
    browser.delete_all_cookies()
    sign_in(browser, server_url, username)


def dispatch(browser: Any, lead: str, assist: tuple[str, ...] = (), note: str = "") -> None:
    """Fill in and send the dispatch form of the case page on screen."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    Select(browser.find_element(By.ID, "lead")).select_by_value(lead)
    for department in assist:
        Select(browser.find_element(By.ID, "assist")).select_by_value(department)
    browser.find_element(By.ID, "dispatch-note").send_keys(note)
    click_and_wait(browser, browser.find_element(By.ID, "dispatch"))


def shown_photo_width(browser: Any) -> int:
    """The natural width of the one photo under the case page's 照片, once the browser has loaded its bytes from
    the photo route (it loads lazily: scrolled into view first)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    images = browser.find_elements(By.CSS_SELECTOR, "#photos li.photo img")
    assert len(images) == 1, "one photo under 照片"
    image = images[0]
    assert image.get_attribute("alt") == PHOTO_NAME
    browser.execute_script("arguments[0].scrollIntoView();", image)
    WebDriverWait(browser, PAGE_DEADLINE_SECONDS).until(
        lambda _: browser.execute_script("return arguments[0].complete;", image)
    )
    return int(browser.execute_script("return arguments[0].naturalWidth;", image))


def test_the_whistle_loop_from_a_12345_work_order_to_the_revisit_in_a_browser(
    centre: Centre,
    browser: Any,
    service: StationService,
    admin: StaffMember,
    clerk: StaffMember,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By

    live = centre.live
    case_page = f"{live.url}/console/cases/{TICKET}"
    # The desk's clock agrees with the server process's, whose events it will fold among its own.
    clock.current = datetime.now(UTC)
    sync = SyncService(service)
    sync.enrol(admin, live.url, centre.enrolment)
    # The 12345 hotline's work order is dispatched to the station by the centre (a desk cannot make up a ticket:
    # the work-order fields are the centre's only); another 12345 call the desk took down itself.
    live.admin(
        "workorder", "add", "--ticket", TICKET, "--station", "JA01", "--source", "12345", "--category", "DRAIN.COVER",
        "--description", "来电反映：5 号楼旁污水井盖破损，周边绿化带被泥水淹没。", "--compound", "枫林苑",
        "--building", "5号楼", "--name", "张伟", "--phone", "13812341234", "--due-hours", "48",
    )  # fmt: skip
    other = service.register_case(clerk, complaint(1))
    assert sync.run().ok
    order = service.case_by_number(TICKET)
    assert (order.channel, order.work_order, order.status) == (Channel.HOTLINE_12345, TICKET, Status.REGISTERED)

    # The centre finds the work order on its board and dispatches it; the other case goes to ROADS.
    sign_in(browser, live.url, "centre")
    assert {TICKET, other.number} <= set(listed_numbers(browser))
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, TICKET))
    assert browser.current_url == case_page
    assert TICKET in heading(browser)
    dispatch(browser, lead="WATER", assist=("GREEN",), note="请水务局牵头，绿化市容局协办")
    assert browser.current_url == case_page
    tasks = browser.find_element(By.CSS_SELECTOR, "table.tasks").text
    assert "WATER 牵头" in tasks and "GREEN 协办" in tasks
    assert STATUS_LABELS[Status.DISPATCHED] in heading(browser)
    browser.get(f"{live.url}/console/cases/{other.number}")
    dispatch(browser, lead="ROADS")
    assert "ROADS 牵头" in browser.find_element(By.CSS_SELECTOR, "table.tasks").text

    # WATER sees only its case, accepts it from its inbox and answers.
    switch_user(browser, live.url, "water")
    assert listed_numbers(browser) == [TICKET]
    browser.get(f"{live.url}/console/inbox")
    waiting = next(t for t in browser.find_elements(By.CSS_SELECTOR, "section.tray") if "待接单" in t.text)
    assert waiting.find_element(By.LINK_TEXT, TICKET)
    screenshot(browser, "loop-inbox.png")
    click_and_wait(browser, waiting.find_element(By.LINK_TEXT, TICKET))
    click_and_wait(browser, browser.find_element(By.ID, "submit-accept"))
    browser.find_element(By.ID, "note-result").send_keys(WATER_RESULT)
    click_and_wait(browser, browser.find_element(By.ID, "submit-result"))
    assert STATUS_LABELS[Status.DISPOSED] in heading(browser)
    assert f"WATER（牵头）办理结果：{WATER_RESULT}" in browser.find_element(By.CSS_SELECTOR, "ol.timeline").text

    # GREEN answers with a photo of the cleared green belt: a real PNG through the multipart result form.
    photo = photo_bytes("PNG", PHOTO_SIZE)
    photo_file = tmp_path / PHOTO_NAME
    photo_file.write_bytes(photo)
    switch_user(browser, live.url, "green")
    assert listed_numbers(browser) == [TICKET]
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, TICKET))
    browser.find_element(By.ID, "note-result").send_keys(GREEN_RESULT)
    browser.find_element(By.ID, "photo-result").send_keys(str(photo_file))
    click_and_wait(browser, browser.find_element(By.ID, "submit-result"))
    assert browser.current_url == case_page
    assert f"GREEN（协办）办理结果：{GREEN_RESULT}" in browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert shown_photo_width(browser) == PHOTO_SIZE[0]

    # ROADS, busy with its own case, sees neither this one on its board nor its page.
    switch_user(browser, live.url, "roads")
    assert listed_numbers(browser) == [other.number]
    browser.get(case_page)
    assert f"找不到诉求 {TICKET}" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text

    # The desk pulls both answers and the photo.
    clock.current = datetime.now(UTC)
    pulled = sync.run()
    assert pulled.ok, (pulled.error_code, pulled.error)
    assert service.case(order.id).status is Status.DISPOSED
    lines = [describe_event(event) for event in service.timeline(order.id)]
    assert f"WATER（牵头）办理结果：{WATER_RESULT}" in lines
    assert f"GREEN（协办）办理结果：{GREEN_RESULT}" in lines
    assert any(line.startswith(f"{EVENT_LABELS[EventType.PHOTO_ATTACHED]}：{PHOTO_NAME}") for line in lines), lines
    listed = [(p.filename, p.sha256, p.size, p.media_type) for p in service.photos(order.id)]
    assert listed == [(PHOTO_NAME, hashlib.sha256(photo).hexdigest(), len(photo), "image/png")]
    # Its bytes came down with the same sync, kept like a photo added at the desk, with a thumbnail.
    [kept] = service.photos(order.id)
    assert kept.came_down and kept.path is not None and kept.path.read_bytes() == photo
    assert service.thumbnail(kept.sha256) is not None and pulled.photos_downloaded == 1

    # The clerk closes the case and does 回访 as today.
    clock.current = datetime.now(UTC)
    service.record(clerk, order.id, EventType.CLOSED, {"answer": "井盖已更换，绿化带已清理，已告知居民"})
    assert sync.run().ok
    for kind in ("department_feedback", "station_revisit"):
        visit = {"kind": kind, "satisfaction": "satisfied", "resolution": "resolved"}
        service.record(clerk, order.id, EventType.FOLLOW_UP, visit)
    assert sync.run().ok
    assert service.case(order.id).status is Status.FOLLOWED_UP

    # The centre sees it 已回访 on its board and on the case page, the photo still there.
    switch_user(browser, live.url, "centre")
    followed_up = STATUS_LABELS[Status.FOLLOWED_UP]
    assert followed_up in row_of(browser, TICKET)
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, TICKET))
    assert followed_up in heading(browser)
    assert "工作站回访：满意" in browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert shown_photo_width(browser) == PHOTO_SIZE[0]
    assert not browser.find_elements(By.ID, "dispatch")  # a visited case can no longer be dispatched: no form
    screenshot(browser, "loop-case.png")
