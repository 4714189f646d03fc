"""帮助 menu: the log folder opens where the desk writes its log, and 关于 says which version and data this is."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from gridstation import __version__
from gridstation.cli.main import main as desk_cli
from gridstation.ui.main_window import MainWindow


def menu_action(window: MainWindow, menu_title: str, action_text: str) -> None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if action.text() == menu_title and isinstance(menu, QMenu):
            for item in menu.actions():
                if item.text() == action_text:
                    item.trigger()
                    return
    raise AssertionError(f"no {menu_title} → {action_text}")


def test_the_log_folder_item_opens_the_folder_the_desk_logs_to(window: MainWindow, qtbot: QtBot) -> None:
    opened: list[QUrl] = []
    window.help.open_url = opened.append

    menu_action(window, "帮助(&H)", "日志文件夹(&L)…")

    assert [url.toLocalFile() for url in opened] == [os.environ["GRIDSTATION_LOG_DIR"]]


def test_about_names_the_version_the_data_and_the_log_folder(window: MainWindow) -> None:
    text = window.help.about_text()
    assert __version__ in text
    assert str(window.service.data_dir) in text
    assert os.environ["GRIDSTATION_LOG_DIR"] in text


def test_the_command_line_logs_to_the_desks_rotating_file(tmp_path: Path) -> None:
    assert desk_cli(["--data-dir", str(tmp_path / "empty"), "cases", "list"]) == 2  # no station there
    files = [
        h.baseFilename
        for h in logging.getLogger("gridstation").handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert files == [str(Path(os.environ["GRIDSTATION_LOG_DIR"]) / "gridstation.log")]
