"""The console's pages in a real browser (issue 15): signing in, clicking through to the next page and waiting for
it, the board's rows, and screenshots for docs/console/. Shared by the browser tests of the console."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from tests.support.console import PASSWORD

PAGE_DEADLINE_SECONDS = 30  # only a guard against a hang
# GRIDSTATION_SAVE_SCREENSHOTS=1 writes the README's screenshots to docs/console/; otherwise a temporary folder, so
# a test run leaves the checkout as it was.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "console"
    if os.environ.get("GRIDSTATION_SAVE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "gridstation-console-screenshots"
)


def click_and_wait(browser: Any, element: Any) -> None:
    """Click what loads a new page, and wait until the new page has loaded (a click returns before it).

    The old page is marked; the wait ends when the document in the window no longer carries the mark and has
    finished loading. Asking the old element whether it went stale instead raced the navigation: chromedriver
    sometimes answered "Node with given id does not belong to the document" mid-way, an error, not a stale element.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    browser.execute_script("window.__gridstationOldPage = true;")
    element.click()

    def new_page_loaded(driver: Any) -> bool:
        return bool(
            driver.execute_script(
                "return window.__gridstationOldPage === undefined && document.readyState === 'complete';"
            )
        )

    WebDriverWait(browser, PAGE_DEADLINE_SECONDS, ignored_exceptions=(WebDriverException,)).until(new_page_loaded)


def screenshot(browser: Any, name: str) -> None:
    """The page as a person sees it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOTS / name))
    assert (SCREENSHOTS / name).stat().st_size > 10_000  # a page, not a blank


def sign_in(browser: Any, server_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the console's login page of the server at `server_url`; the next page has loaded on return."""
    from selenium.webdriver.common.by import By

    browser.get(f"{server_url}/console/login")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)
    click_and_wait(browser, browser.find_element(By.ID, "sign-in"))


def rows(browser: Any) -> str:
    """The text of the case rows on the page (the board, or a search's result)."""
    from selenium.webdriver.common.by import By

    return "\n".join(row.text for row in browser.find_elements(By.CSS_SELECTOR, "tr.case"))
