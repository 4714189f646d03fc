"""Reference data, staff and the audit log, for grid chiefs and administrators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.enums import ROLE_LABELS, Role
from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text
from gridstation.ui.staff_tab import StaffPeople
from gridstation.ui.workers import run_in_background


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()
    return table


class AdminDialog(QDialog):
    """Each tab lists what is there; imports read CSV (UTF-8, with or without BOM) and add or update rows."""

    def __init__(self, service: StationService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self.setWindowTitle(self.tr("基础数据与人员"))
        self.resize(760, 520)
        self.tabs = QTabWidget()
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.message)
        self.rebuild()

    def rebuild(self) -> None:
        current = self.tabs.currentIndex()
        self.tabs.clear()
        names = {c.code: c.name for c in self._service.categories()}
        categories = [[c.code, c.name, names.get(c.parent_code, "")] for c in self._service.categories()]
        self._add_tab(self.tr("分类"), "categories", [self.tr("编码"), self.tr("名称"), self.tr("上级")], categories)
        grids = [[g.code, g.name] for g in self._service.grids()]
        self._add_tab(self.tr("网格"), "grids", [self.tr("编码"), self.tr("名称")], grids)
        compounds = [[c.name, c.grid_code] for c in self._service.compounds()]
        self._add_tab(self.tr("小区"), "compounds", [self.tr("名称"), self.tr("网格")], compounds)
        if self._staff.can(Permission.MANAGE_STAFF):
            self.tabs.addTab(self._staff_tab(), self.tr("人员"))
        if self._staff.can(Permission.VIEW_AUDIT):
            entries = self._service.audit_log(self._staff, limit=500)
            rows = [
                [
                    f"{self._service.local_time(e.at):%Y-%m-%d %H:%M:%S}",
                    e.staff_name,
                    e.action,
                    ", ".join(f"{k}={v}" for k, v in e.detail.items()),
                ]
                for e in entries
            ]
            table = _table([self.tr("时间"), self.tr("人员"), self.tr("操作"), self.tr("内容")], rows)
            self.tabs.addTab(table, self.tr("审计日志"))
        self.tabs.setCurrentIndex(max(0, current))

    def _add_tab(self, title: str, kind: str, headers: list[str], rows: list[list[str]]) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(_table(headers, rows))
        button = QPushButton(self.tr("从 CSV 导入…"))
        button.setObjectName(f"import_{kind}")
        button.setEnabled(self._staff.can(Permission.MANAGE_REFERENCE))
        button.clicked.connect(lambda _checked=False, k=kind: self.ask_import(k))
        column.addWidget(button)
        self.tabs.addTab(page, title)

    def _staff_tab(self) -> QWidget:
        page = QWidget()
        self.people = StaffPeople(self._service, self._staff, self._write, lambda text: self._say(text, ok=False), page)
        self.new_name = QLineEdit()
        self.new_role = QComboBox()
        for role, label in ROLE_LABELS.items():
            self.new_role.addItem(tr_label(label), str(role))
        self.new_pin = QLineEdit()
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        add = QPushButton(self.tr("添加人员"))
        add.clicked.connect(self.add_staff)
        form = QFormLayout()
        form.addRow(self.tr("姓名"), self.new_name)
        form.addRow(self.tr("角色"), self.new_role)
        form.addRow(self.tr("PIN"), self.new_pin)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addStretch(1)
        column = QVBoxLayout(page)
        column.addWidget(self.people)
        column.addLayout(form)
        column.addLayout(buttons)
        return page

    def ask_import(self, kind: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择 CSV 文件"), str(Path.home()), "CSV (*.csv)")
        if path:
            self.import_file(kind, Path(path))

    def import_file(self, kind: str, path: Path) -> None:
        def work() -> int:
            text = path.read_text(encoding="utf-8-sig")
            return self._service.import_reference_csv(self._staff, kind, text)

        def failed(error: BaseException) -> None:
            unreadable = isinstance(error, (OSError, UnicodeDecodeError)) and not isinstance(error, DomainError)
            self._say(self.tr("无法读取文件：{0}").format(error) if unreadable else error_text(error), ok=False)

        self._write(work, lambda count: self.tr("已导入 {0} 行。").format(count), failed)

    def add_staff(self) -> None:
        name, role, pin = self.new_name.text(), Role(self.new_role.currentData()), self.new_pin.text()
        self._write(
            lambda: self._service.add_staff(self._staff, name, role, pin),
            lambda _member: self.tr("已添加 {0}。").format(name.strip()),
            lambda error: self._say(error_text(error), ok=False),
        )

    def _write(
        self,
        work: Callable[[], object],
        success: Callable[[Any], str],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Write on the thread pool (a sync may hold the database for a moment); the tabs wait meanwhile."""
        self.tabs.setEnabled(False)

        def done(result: object) -> None:
            self.tabs.setEnabled(True)
            self._say(success(result), ok=True)
            self.rebuild()

        def refused(error: BaseException) -> None:
            self.tabs.setEnabled(True)
            failed(error)

        run_in_background(work, done, refused, owner=self)

    def _say(self, text: str, *, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #2e7d32;" if ok else "color: #c62828;")
