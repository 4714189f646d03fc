"""Fonts and translations shipped in resources/, so Chinese renders on a machine with no CJK font."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from gridstation.assets import FONT_FILE, RESOURCES

I18N_DIR = RESOURCES / "i18n"
SUPPORTED_LANGUAGES = ("zh_CN", "en")


def install_font(app: QApplication) -> str:
    """Load the bundled CJK font and make it the application font; returns its family name."""
    font_id = QFontDatabase.addApplicationFont(str(FONT_FILE))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return app.font().family()
    font = QFont(families[0])
    font.setPointSize(max(app.font().pointSize(), 10))
    app.setFont(font)
    return families[0]


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Chinese is the source language of the desk's own strings; other languages load a compiled .qm from
    resources/i18n. Qt's own strings (OK/Close/Yes/No, the right-click menu of a text field, the file and print
    dialogs) are English in Qt: in Chinese they come from the qtbase_zh_CN.qm that ships with PySide6."""
    if language.startswith("zh"):
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        qt_strings = QTranslator(app)
        if qt_strings.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt_strings)
            return qt_strings
        return None
    translator = QTranslator(app)
    if translator.load(str(qm_path(language))):
        app.installTranslator(translator)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return translator
    return None


def qm_path(language: str) -> Path:
    return I18N_DIR / f"gridstation_{language}.qm"
