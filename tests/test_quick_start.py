"""上手指南: one A4 page whose Chinese headings read back, saved by the command line without signing in, and
opened in the print preview from 帮助 → 上手指南."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gridstation.assets import FORMS
from gridstation.cli.main import main as desk_cli
from gridstation.printing.quick_start import render_quick_start
from gridstation.ui.main_window import MainWindow
from gridstation.ui.printing import PreviewDialog
from tests.test_help_menu import menu_action

A4_POINTS = (595.3, 841.9)


@pytest.fixture(autouse=True, scope="module")
def tools() -> None:
    missing = [tool for tool in ("pdftotext", "pdfinfo") if shutil.which(tool) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must install poppler-utils (scripts/test.sh does); missing {missing}")
    if missing:
        pytest.skip(f"missing {missing}: run scripts/test.sh, which installs them")


def headings() -> list[str]:
    with (FORMS / "quick_start.toml").open("rb") as handle:
        guide = tomllib.load(handle)
    return [guide["title"], *(section["heading"] for section in guide["section"])]


def read_back(path: Path) -> tuple[str, list[tuple[float, float]]]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9", str(path)], check=True, capture_output=True, text=True)
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)]
    return re.sub(r"\s+", "", text.stdout), sizes


def test_the_guide_is_one_a4_page_and_its_chinese_headings_read_back(tmp_path: Path) -> None:
    path = tmp_path / "上手指南.pdf"
    path.write_bytes(render_quick_start())
    text, sizes = read_back(path)
    assert len(sizes) == 1 and sizes[0] == pytest.approx(A4_POINTS, abs=1)
    for heading in headings():
        assert re.sub(r"\s+", "", heading) in text
    assert "首次设置向导" in text and "Ctrl+Shift+S" in text


def test_the_command_line_saves_the_guide_without_anyone_signed_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "上手指南.pdf"
    assert desk_cli(["--data-dir", str(tmp_path / "no-station"), "print", "guide", "-o", str(target)]) == 0
    assert "已保存上手指南" in capsys.readouterr().out
    text, _sizes = read_back(target)
    assert "上手指南" in text


def test_the_help_menu_opens_the_guide_in_the_print_preview(window: MainWindow, qtbot: QtBot) -> None:
    menu_action(window, "帮助(&H)", "上手指南(&G)…")

    controller = window.printing.controller
    qtbot.waitUntil(lambda: controller.preview is not None and controller.preview.isVisible(), timeout=15_000)
    preview = controller.preview
    assert isinstance(preview, PreviewDialog)
    assert "上手指南" in preview.windowTitle()
    assert preview.pdf_document.pageCount() == 1
    assert preview.print_button.isEnabled()  # printable from here, as every document is
