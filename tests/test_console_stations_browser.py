"""Issue 19, the centre's status page in a real browser: a headless Chromium against a real `gridstation-server
serve`, stations synced over HTTP a moment ago. Each row shows the last sync in Beijing time with its age colour,
the unsent count the station reported, and a refusal it got since its last good sync; a station that never synced
is red; a department user is not shown the page."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("jinja2", reason="the console's pages need jinja2 (a dependency in pyproject.toml)")

from gridstation.protocol import PushRequest
from tests.support.browser import headless_chromium
from tests.support.clock import FakeClock
from tests.support.console import PASSWORD
from tests.support.console_pages import click_and_wait, screenshot, sign_in
from tests.support.live_server import LiveServer
from tests.support.server import ModelStation, auth


def enrol(client: httpx.Client, live: LiveServer, code: str) -> str:
    enrolment = live.admin("station", "add", code, f"{code} 居委会民情快办工作站").strip().splitlines()[-1]
    answer = client.post("/api/v1/enrol", json={"code": enrolment})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["credential"])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server: JA01 synced with 3 events still waiting, JA02 refused for a gap, JA03 never synced."""
    server = LiveServer(f"sqlite:///{tmp_path / 'server.db'}", tmp_path / "live")
    for username, options in {
        "centre": ("--role", "centre"),
        "water": ("--role", "department", "--department", "WATER"),
    }.items():
        if username == "water":
            server.admin("department", "add", "WATER", "区水务局")
        subprocess.run(
            [*server.base, "user", "add", username, *options, "--password-stdin"],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            check=True,
        )
    server.start()
    clock = FakeClock()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            synced, refused = ModelStation("JA01", clock), ModelStation("JA02", clock)
            credential = enrol(client, server, "JA01")
            synced.register(0)
            body = PushRequest(events=synced.unsent(), unsent=len(synced.unsent()) + 3).model_dump(mode="json")
            assert client.post("/api/v1/sync/push", json=body, headers=auth(credential)).status_code == 200
            credential = enrol(client, server, "JA02")
            refused.register(0)
            refused.register(1)
            gap = PushRequest(events=refused.unsent()[1:]).model_dump(mode="json")
            assert client.post("/api/v1/sync/push", json=gap, headers=auth(credential)).status_code == 409
            server.admin("station", "add", "JA03", "从未同步的工作站")
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from headless_chromium()


def test_the_centre_sees_each_stations_last_sync_queue_and_error(browser: Any, live: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    sign_in(browser, live.url, "centre")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "工作站"))

    assert browser.find_element(By.TAG_NAME, "h1").text == "工作站同步状态"
    synced = browser.find_element(By.ID, "station-JA01")
    assert synced.get_attribute("data-age") == "green"
    assert "正常" in synced.text and "刚刚" in synced.text
    assert synced.find_element(By.CSS_SELECTOR, ".unsent").text.startswith("3")
    assert synced.find_element(By.CSS_SELECTOR, ".last-sync").text.startswith("20")  # a Beijing time
    assert synced.find_element(By.CSS_SELECTOR, ".last-error").text == "—"

    refused = browser.find_element(By.ID, "station-JA02")
    error = refused.find_element(By.CSS_SELECTOR, ".last-error .error-now")
    assert "服务器缺少部分事件" in error.text
    assert refused.get_attribute("data-age") == "red" and "从未同步" in refused.text  # nothing went through

    never = browser.find_element(By.ID, "station-JA03")
    assert never.get_attribute("data-age") == "red" and "待登记" in never.text and "未报告" in never.text
    assert never.find_element(By.CSS_SELECTOR, ".badge").text == "从未同步"
    colour = never.find_element(By.CSS_SELECTOR, ".badge").value_of_css_property("background-color")
    assert colour in ("rgba(198, 40, 40, 1)", "rgb(198, 40, 40)")  # the console's red
    screenshot(browser, "stations.png")


def test_a_department_is_not_shown_the_stations(browser: Any, live: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    sign_in(browser, live.url, "water")
    assert not browser.find_elements(By.LINK_TEXT, "工作站")
    browser.get(f"{live.url}/console/stations")
    assert not browser.find_elements(By.ID, "station-JA01")
