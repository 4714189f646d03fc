"""Issue 15, the console in a real browser: a headless Chromium against a real `gridstation-server serve`, with its
users made by `gridstation-server user add`. Signing in (a wrong password is a Chinese message), the board with its
colour badges and text search, a department that sees only its own case (another is the 404 page), a form posted
without its CSRF token refused; screenshots of the board, a case page and a department's inbox for docs/console/."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jinja2", reason="the console's pages need jinja2 (a dependency in pyproject.toml)")

from gridstation.server.console.auth import CSRF_REFUSED
from gridstation.server.service import ServerService
from gridstation.server.users import SIGN_IN_REFUSED
from tests.support.browser import headless_chromium
from tests.support.clock import FakeClock
from tests.support.console import GREEN_NAME, PASSWORD, WATER_NAME, console_of
from tests.support.console_pages import click_and_wait, rows, screenshot, sign_in
from tests.support.live_server import LiveServer
from tests.support.server import Api

USERS = {
    "centre": ("--role", "centre", "--name", "城运中心值班员"),
    "water": ("--role", "department", "--department", "WATER"),
    "green": ("--role", "department", "--department", "GREEN"),
}


@dataclass
class Site:
    live: LiveServer
    watered: str  # a case dispatched to WATER
    greened: str  # one dispatched to GREEN
    plain: str  # one dispatched to nobody


@pytest.fixture
def site(
    api: Api, server: ServerService, server_clock: FakeClock, server_db_url: str, tmp_path: Path
) -> Iterator[Site]:
    """Cases pushed by station JA01 through the in-process API, then a real server on the same database."""
    console = console_of(api, server, server_clock)
    watered = console.case(grid="G01", dispatched_to=WATER_NAME)
    greened = console.case(grid="G02", dispatched_to=GREEN_NAME)
    plain = console.case(grid="G01")
    live = LiveServer(server_db_url, tmp_path / "live")
    for username, options in USERS.items():
        subprocess.run(
            [*live.base, "user", "add", username, *options, "--password-stdin"],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            check=True,
        )
    live.start()
    try:
        yield Site(live, watered, greened, plain)
    finally:
        live.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from headless_chromium()


def test_the_centre_signs_in_and_works_the_board(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    sign_in(browser, site.live.url, "centre", "wrong-password-1")
    assert SIGN_IN_REFUSED in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    sign_in(browser, site.live.url, "centre")
    assert browser.current_url == f"{site.live.url}/console/"
    for number in (site.watered, site.greened, site.plain):
        assert number in rows(browser)
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.case .badge")) == 3
    screenshot(browser, "board.png")

    search = browser.find_element(By.ID, "text")
    search.send_keys("窨井")
    click_and_wait(browser, browser.find_element(By.ID, "filter"))
    assert site.greened in rows(browser)
    assert site.watered not in rows(browser) and site.plain not in rows(browser)

    click_and_wait(browser, browser.find_element(By.LINK_TEXT, site.greened))
    assert "办理经过" in browser.page_source
    assert browser.find_elements(By.CSS_SELECTOR, "ol.timeline li")
    screenshot(browser, "case.png")


def test_a_department_sees_only_its_own_case(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    sign_in(browser, site.live.url, "water")
    assert site.watered in rows(browser)
    assert site.greened not in rows(browser) and site.plain not in rows(browser)
    browser.get(f"{site.live.url}/console/inbox")
    trays = {
        tray.find_element(By.TAG_NAME, "h2").text.split()[0]: tray.text
        for tray in browser.find_elements(By.CSS_SELECTOR, "section.tray")
    }
    assert list(trays) == ["待接单", "办理中", "已反馈", "超期"]
    assert site.watered in trays["超期"]  # its deadline passed long ago on the real server's clock
    assert site.greened not in browser.page_source
    screenshot(browser, "inbox.png")
    browser.get(f"{site.live.url}/console/cases/{site.greened}")
    assert f"找不到诉求 {site.greened}" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text


def test_a_form_posted_without_its_csrf_token_is_refused(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    sign_in(browser, site.live.url, "centre")
    browser.execute_script("document.querySelector('form.inline input[name=csrf_token]').remove()")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.inline button"))
    assert CSRF_REFUSED in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    browser.get(f"{site.live.url}/console/")
    assert site.plain in rows(browser)  # still signed in: the forged logout changed nothing


def test_the_centre_dispatches_and_water_accepts_and_answers_in_the_browser(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    sign_in(browser, site.live.url, "centre")
    browser.get(f"{site.live.url}/console/cases/{site.plain}")
    Select(browser.find_element(By.ID, "lead")).select_by_value("WATER")
    Select(browser.find_element(By.ID, "assist")).select_by_value("GREEN")
    browser.find_element(By.ID, "dispatch-note").send_keys("请水务局牵头，绿化市容局协办")
    click_and_wait(browser, browser.find_element(By.ID, "dispatch"))
    assert browser.current_url == f"{site.live.url}/console/cases/{site.plain}"
    tasks = browser.find_element(By.CSS_SELECTOR, "table.tasks").text
    assert "WATER 牵头" in tasks and "GREEN 协办" in tasks

    browser.delete_all_cookies()
    sign_in(browser, site.live.url, "water")
    browser.get(f"{site.live.url}/console/inbox")
    waiting = next(t for t in browser.find_elements(By.CSS_SELECTOR, "section.tray") if "待接单" in t.text)
    click_and_wait(browser, waiting.find_element(By.LINK_TEXT, site.plain))
    click_and_wait(browser, browser.find_element(By.ID, "submit-accept"))
    browser.find_element(By.ID, "note-result").send_keys("井盖已更换，现场已清理")
    click_and_wait(browser, browser.find_element(By.ID, "submit-result"))

    assert "已处置" in browser.find_element(By.TAG_NAME, "h1").text
    timeline = browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert "WATER（牵头）接单" in timeline
    assert "WATER（牵头）办理结果：井盖已更换，现场已清理" in timeline
