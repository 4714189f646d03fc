"""The desk speaks English when asked, and the catalogue keeps up with the code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.app import build_main_window
from gridstation.ui.resources import install_font, install_translator, qm_path

ROOT = Path(__file__).resolve().parents[1]


def test_english_catalogue_is_complete() -> None:
    """Every message the desk can show has an English translation, and the .qm is shipped."""
    result = subprocess.run([sys.executable, "scripts/i18n.py", "check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert qm_path("en").is_file()
    ts = (ROOT / "resources" / "i18n" / "gridstation_en.ts").read_text(encoding="utf-8")
    assert 'type="vanished"' not in ts, "domain labels were dropped from the catalogue"


def test_domain_labels_are_translated(english: None) -> None:
    """Every status, tier, channel and colour label has English in the compiled catalogue."""
    from gridstation.ui.labels import all_domain_labels, tr_label

    untranslated = [label for label in all_domain_labels() if tr_label(label) == label]
    assert untranslated == []


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    install_font(qapp)
    translator = install_translator(qapp, "en")
    assert translator is not None
    yield
    qapp.removeTranslator(translator)


def test_main_window_in_english(qtbot: QtBot, english: None, service: StationService, clerk: StaffMember) -> None:
    """Menus, column headers and domain labels come out in English."""
    window = build_main_window(service, clerk)
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Cases", "&Print", "&Sync", "&Help"]
    header = window.cases.model.headerData(2, Qt.Orientation.Horizontal)
    assert header == "Number"
    assert window.intake.tier.currentText() == "Quick coordinated"
    assert window.intake.save_button.text() == "Save (Enter)"
    (ROOT / "shots").mkdir(exist_ok=True)
    window.grab().save(str(ROOT / "shots" / "desk-english.png"))


def test_qts_own_strings_are_chinese_in_the_chinese_desk(qapp: QApplication) -> None:
    """Close/Yes/No/OK buttons and the text field's right-click menu were English (issue 14, item 5)."""
    from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

    translator = install_translator(qapp, "zh_CN")
    assert translator is not None
    try:
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Close
            | QDialogButtonBox.StandardButton.Yes
            | QDialogButtonBox.StandardButton.No
            | QDialogButtonBox.StandardButton.Ok
        )
        texts = {b.text().replace("&", "") for b in buttons.buttons()}
        assert {"关闭", "确定"} <= texts and not {"Close", "OK", "Yes", "No"} & texts
        field = QLineEdit()
        menu = field.createStandardContextMenu()
        assert menu is not None
        labels = [a.text() for a in menu.actions() if a.text()]
        assert any("撤消" in label or "撤销" in label for label in labels), labels
        assert not any(label.replace("&", "").startswith(("Undo", "Paste")) for label in labels)
    finally:
        qapp.removeTranslator(translator)
