"""文件 → 导入历史台账… at the desk: choose the file, see it checked with progress, confirm, see the result and the
cases in the list; a bad ledger shows every bad row, copyable, and imports nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from gridstation.domain.listing import CaseQuery
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui import ledger_import
from gridstation.ui.ledger_import import LedgerImport, ProblemsDialog
from gridstation.ui.main_window import MainWindow
from tests.test_case_import import LEDGER, write_csv

MENU = "文件(&F)"
ITEM = "导入历史台账(&I)…"


def menu_item(window: MainWindow) -> object:
    for action in window.menuBar().actions():
        menu = action.menu()
        if action.text() == MENU and isinstance(menu, QMenu):
            return next(item for item in menu.actions() if item.text() == ITEM)
    raise AssertionError(f"no {MENU} → {ITEM}")


@pytest.fixture
def stages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The progress stages the import showed, in order (each one once)."""
    seen: list[str] = []
    shown = LedgerImport._on_progress

    def record(self: LedgerImport, stage: str, done: int, total: int) -> None:
        assert self.progress is not None and self.progress.isVisible()
        if not seen or seen[-1] != stage:
            seen.append(stage)
        shown(self, stage, done, total)

    monkeypatch.setattr(LedgerImport, "_on_progress", record)
    return seen


def choose(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[QWidget]:
    asked: list[QWidget] = []

    def ask(parent: QWidget) -> str:
        asked.append(parent)
        return str(path) if path else ""

    monkeypatch.setattr(ledger_import, "ask_ledger_file", ask)
    return asked


def open_box(qtbot: QtBot, window: MainWindow, name: str) -> QMessageBox:
    qtbot.waitUntil(lambda: any(box.isVisible() for box in window.findChildren(QMessageBox, name)))
    return next(box for box in window.findChildren(QMessageBox, name) if box.isVisible())


def click(qtbot: QtBot, box: QMessageBox, button: QMessageBox.StandardButton) -> None:
    widget = box.button(button)
    assert widget is not None
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_import_through_the_menu(
    qtbot: QtBot,
    window: MainWindow,
    service: StationService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stages: list[str],
) -> None:
    asked = choose(monkeypatch, write_csv(tmp_path / "枫林台账.csv", LEDGER))
    item = menu_item(window)
    assert item.isEnabled()  # a clerk registers cases, so may bring old ones in
    item.trigger()
    assert asked == [window]

    confirm = open_box(qtbot, window, "ledger_import_confirm")
    assert (
        "「枫林台账.csv」核对无误，将导入 4 件（已先联 1，已派单 1，已到场 1，已办结 1）。跳过已导入 0 件。"
        in confirm.text()
    )
    assert service.search(CaseQuery()) == []  # checked, not yet written
    click(qtbot, confirm, QMessageBox.StandardButton.Yes)

    result = open_box(qtbot, window, "ledger_import_result")
    assert result.text() == "已导入 4 件（已先联 1，已派单 1，已到场 1，已办结 1），跳过已导入 0 件。"
    assert stages == ["read", "check", "read", "check", "write"]  # the check, then the import
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 4)
    click(qtbot, result, QMessageBox.StandardButton.Ok)
    assert window.findChildren(ledger_import.QProgressDialog, "ledger_import_progress") == []


def test_a_bad_ledger_lists_every_bad_row_to_copy_and_imports_nothing(
    qtbot: QtBot, window: MainWindow, service: StationService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [list(r) for r in LEDGER]
    rows[0][8] = ""  # 已办结 without 办结时间
    rows[2][5] = "乱扔垃圾"
    choose(monkeypatch, write_csv(tmp_path / "台账.csv", rows, encoding="gb18030"))
    menu_item(window).trigger()

    qtbot.waitUntil(lambda: window.findChild(ProblemsDialog, "ledger_import_problems") is not None)
    dialog = window.findChild(ProblemsDialog, "ledger_import_problems")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    lines = [
        "第 2 行：状态为「已办结」，但办结时间为空",
        "第 4 行：类别「乱扔垃圾」不是本站的诉求分类（可写分类名称或代码，如「楼道堆物」或 FIRE.CORRIDOR）",
    ]
    assert dialog.text.toPlainText().splitlines() == lines
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QApplication.clipboard()
    assert clipboard.text().splitlines() == lines
    assert window.findChildren(QMessageBox, "ledger_import_confirm") == []
    assert service.search(CaseQuery()) == []


def test_answering_no_imports_nothing(
    qtbot: QtBot, window: MainWindow, service: StationService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose(monkeypatch, write_csv(tmp_path / "台账.csv", LEDGER))
    menu_item(window).trigger()
    click(qtbot, open_box(qtbot, window, "ledger_import_confirm"), QMessageBox.StandardButton.No)
    qtbot.waitUntil(lambda: not window.findChildren(QMessageBox, "ledger_import_confirm")[0].isVisible())
    assert service.search(CaseQuery()) == []
    assert window.findChildren(QMessageBox, "ledger_import_result") == []


def test_a_ledger_already_imported_says_so(
    qtbot: QtBot,
    window: MainWindow,
    service: StationService,
    clerk: StaffMember,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_csv(tmp_path / "台账.csv", LEDGER)
    service.import_ledger(clerk, path)
    choose(monkeypatch, path)
    menu_item(window).trigger()
    box = open_box(qtbot, window, "ledger_import_result")
    assert box.text() == "「台账.csv」中没有新的诉求需要导入：跳过已导入 4 件。"
    assert window.findChildren(QMessageBox, "ledger_import_confirm") == []


def test_choosing_no_file_does_nothing(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = choose(monkeypatch, None)
    importer = window.open_ledger_import()
    assert asked == [window] and not importer.running and importer.progress is None


def test_the_problems_dialog_closes_with_its_own_word(qtbot: QtBot) -> None:
    """关闭 comes from the desk's own translation, not from Qt's (which an installation may lack)."""
    from PySide6.QtWidgets import QDialogButtonBox

    from gridstation.domain.ledger_rows import LedgerInvalid

    dialog = ProblemsDialog(LedgerInvalid("台账.csv", []))
    qtbot.addWidget(dialog)
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    assert sorted(b.text() for b in box.buttons()) == sorted(["关闭", "复制全部(&C)"])
