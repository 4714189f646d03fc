"""A headless Chromium driven by Selenium for the console's tests: Debian's `chromium` and its `chromedriver`
(scripts/common.sh installs both, so their versions match). The driver's path is passed explicitly, so Selenium
never tries to download one (there is no internet on the test machines)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = "1280,900"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def headless_chromium() -> Iterator[Any]:
    """A fresh headless browser (no profile shared between tests); skipped where none is installed."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the test extra) is not installed")
    browser = chromium()
    if browser is None or not CHROMEDRIVER.exists():
        pytest.skip("chromium and chromium-driver are not installed (scripts/test.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={WINDOW}"):
        options.add_argument(argument)
    from selenium.webdriver.chrome.service import Service

    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()
