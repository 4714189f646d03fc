"""Issue 15: the departments' answers show in the desk's case list, not only in the timeline — the 承办 column of a
dispatched case says where each department's part stands ("区水务局 已反馈 · GREEN 办理中"), updated by each sync.
A desk upgraded from before this column gets it filled for cases already dispatched (desk migration 0006)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import TaskRole, TaskState
from gridstation.domain.tasks import DepartmentTask, TaskDigest, read_digest, tasks_digest
from gridstation.server.dispatch_views import DispatchRequest, ReplyRequest
from gridstation.server.visibility import Principal
from gridstation.storage.migrate import alembic_config
from gridstation.ui.case_model import COLUMN_OF, CaseTableModel
from tests.support.complaints import complaint
from tests.support.sync import Centre, Desk

CENTRE = Principal("u-centre", "centre", ConsoleRole.CENTRE)


def department(code: str) -> Principal:
    return Principal(f"u-{code}", code.lower(), ConsoleRole.DEPARTMENT, department=code)


def handling_shown(desk: Desk, case_id: str) -> tuple[str, str]:
    """The 承办 cell of the case in the desk's list: its text and its tooltip."""
    model = CaseTableModel(desk.station)
    model.reload_sync()
    [row] = [r for r in range(model.rowCount()) if getattr(model.summary(r), "id", None) == case_id]
    cell = model.index(row, COLUMN_OF["assignee"])
    return str(cell.data()), str(cell.data(Qt.ItemDataRole.ToolTipRole))


def test_each_departments_standing_shows_in_the_list_after_a_sync(desk: Desk, centre: Centre, qtbot: QtBot) -> None:
    case = desk.station.register_case(desk.clerk, complaint())
    assert desk.sync.run().ok
    for code, name in (("WATER", "区水务局"), ("GREEN", "区绿化市容局")):
        centre.service.add_department(code, name)
    dispatch = DispatchRequest(lead="WATER", assist=["GREEN"], idempotency_key="dispatch-0001")
    centre.service.dispatch_case(CENTRE, case.number, dispatch)
    assert desk.sync.run().ok
    assert handling_shown(desk, case.id)[0] == "区水务局 待接单 · GREEN 待接单"

    accept = ReplyRequest(kind="accept", idempotency_key="g-accept-1")
    centre.service.reply_case(department("GREEN"), case.number, accept)
    result = ReplyRequest(kind="result", note="已更换破损井盖", idempotency_key="w-result-01")
    centre.service.reply_case(department("WATER"), case.number, result)
    assert desk.sync.run().ok

    shown, tooltip = handling_shown(desk, case.id)
    assert shown == "区水务局 已反馈 · GREEN 办理中"
    assert tooltip == shown  # the whole text when the column is narrow


def test_the_digest_reads_back_and_skips_what_it_does_not_know() -> None:
    tasks = [
        DepartmentTask("GREEN", TaskRole.ASSIST, None, TaskState.ANSWERED),
        DepartmentTask("ROADS", TaskRole.ASSIST, None, TaskState.WITHDRAWN),
        DepartmentTask("WATER", TaskRole.LEAD, None, TaskState.ACCEPTED),
    ]
    digest = tasks_digest(tasks)
    assert digest == "WATER:lead:accepted GREEN:assist:answered"  # lead first, the withdrawn part left out
    assert read_digest(digest + " JUNK BAD:role:x") == [
        TaskDigest("WATER", TaskRole.LEAD, TaskState.ACCEPTED),
        TaskDigest("GREEN", TaskRole.ASSIST, TaskState.ANSWERED),
    ]


def test_upgrading_a_desk_fills_the_column_for_cases_already_dispatched(desk: Desk, centre: Centre) -> None:
    from alembic import command

    case = desk.station.register_case(desk.clerk, complaint())
    assert desk.sync.run().ok
    centre.service.add_department("WATER", "区水务局")
    centre.service.dispatch_case(CENTRE, case.number, DispatchRequest(lead="WATER", idempotency_key="dispatch-0002"))
    assert desk.sync.run().ok
    path = desk.station.data_dir / "station.db"
    desk.station.close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        config = alembic_config(engine)
        command.downgrade(config, "0005")
        command.upgrade(config, "head")
        with engine.connect() as connection:
            digest = connection.scalar(text("SELECT departments FROM cases WHERE id = :id"), {"id": case.id})
    finally:
        engine.dispose()
    assert digest == "WATER:lead:dispatched"
