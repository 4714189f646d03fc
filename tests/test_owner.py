"""Issue 16, 专人专责: every case has one named owner — the clerk who registered it, for a work order the clerk who
first contacted its resident, a 网格长 who took the lead — handed over only by an event (移交责任人, with a reason,
to someone who works at the station). The desk's 我的诉求 (Ctrl+M) shows the signed-in person's open cases; the
station head's 工作量 shows everyone's by colour; the morning report names each overdue case's owner."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text

from gridstation.domain.enums import Channel, EventType
from gridstation.domain.errors import ValidationError
from gridstation.domain.sla import Colour
from gridstation.domain.timeline import describe_event
from gridstation.server.workorders import build_work_order
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.migrate import alembic_config
from gridstation.ui.main_window import MainWindow
from tests.support.clock import FakeClock
from tests.support.complaints import complaint, walk_in
from tests.support.staff import ADMIN_NAME, CLERK_NAME
from tests.support.sync import Centre, Desk


def test_the_registering_clerk_owns_a_case_until_it_is_handed_over(service: StationService, clerk: StaffMember) -> None:
    case = service.register_case(clerk, walk_in(0))
    assert case.owner == CLERK_NAME
    with pytest.raises(ValidationError, match="不是本站在岗的工作人员"):
        service.record(clerk, case.id, EventType.OWNER_CHANGED, {"to": "无此人", "reason": "调岗交接"})
    with pytest.raises(ValidationError, match="已是该诉求的责任人"):
        service.record(clerk, case.id, EventType.OWNER_CHANGED, {"to": CLERK_NAME, "reason": "调岗交接"})
    with pytest.raises(ValidationError, match="原因"):
        service.record(clerk, case.id, EventType.OWNER_CHANGED, {"to": ADMIN_NAME, "reason": ""})
    handed = service.record(clerk, case.id, EventType.OWNER_CHANGED, {"to": ADMIN_NAME, "reason": "调岗交接"})
    assert handed.owner == ADMIN_NAME
    assert describe_event(service.timeline(case.id)[-1]) == f"移交责任人：{CLERK_NAME} → {ADMIN_NAME}，原因：调岗交接"


def test_a_work_order_is_owned_by_whoever_first_contacts_its_resident(
    desk: Desk, centre: Centre, clock: FakeClock
) -> None:
    order = build_work_order(
        ticket="ZX2026112300201",
        source=Channel.HOTLINE_12345,
        station_code="JA01",
        category_code="GREEN.LIGHT",
        description="来电反映：香樟树遮挡三楼采光。",
        dispatched_at=clock.current,
        due_hours=24,
    )
    case_id = centre.service.add_work_order(order)
    assert desk.sync.run().ok
    assert desk.station.case(case_id).owner == ""  # nobody here has taken it up yet
    contacted = desk.station.record(desk.clerk, case_id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    assert contacted.owner == desk.clerk.name


def test_my_cases_and_the_workload_view(
    qtbot: QtBot, window: MainWindow, service: StationService, clerk: StaffMember, admin: StaffMember,
    clock: FakeClock,
) -> None:  # fmt: skip
    mine = [service.register_case(clerk, complaint(i)).id for i in range(2)]
    closed = service.register_case(clerk, walk_in(0))
    service.record(clerk, closed.id, EventType.DISPATCHED, {"assignee": "物业"})
    theirs = service.register_case(admin, complaint(2))
    clock.advance(minutes=6)  # every 先联 is late now: red
    window.cases.reload()

    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 3)
    shown = {window.cases.model.summary(r).id for r in range(3)}  # type: ignore[union-attr]
    assert shown == {*mine, closed.id} and theirs.id not in shown
    assert window.cases.count_label.text() == "我的诉求：3 件在办（Ctrl+M 显示全部）"
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 4)

    rows = service.workloads()
    assert [(w.owner, w.open_cases, w.overdue) for w in rows] == [(CLERK_NAME, 3, 2), (ADMIN_NAME, 1, 1)]
    assert rows[0].by_colour[Colour.RED] == 2  # the walk-in's on-site hour still runs: not red yet


def test_upgrading_a_desk_names_the_owner_of_every_case(service: StationService, clerk: StaffMember) -> None:
    from alembic import command

    case = service.register_case(clerk, walk_in(0))
    path = service.data_dir / "station.db"
    service.close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        config = alembic_config(engine)
        command.downgrade(config, "0006")
        command.upgrade(config, "head")
        with engine.connect() as connection:
            owner, state = connection.execute(
                text("SELECT owner, json_extract(state, '$.owner') FROM cases WHERE id = :id"), {"id": case.id}
            ).one()
    finally:
        engine.dispose()
    assert owner == state == CLERK_NAME


def test_a_grid_lead_who_takes_the_lead_becomes_the_owner(desk: Desk, centre: Centre) -> None:
    import dataclasses

    from gridstation.domain.console_roles import ConsoleRole
    from gridstation.server.dispatch_views import ReplyRequest
    from gridstation.server.visibility import Principal

    case = desk.station.register_case(desk.clerk, dataclasses.replace(complaint(0), grid_code="G01"))
    assert desk.sync.run().ok
    lead = Principal("u-lead", "lead01", ConsoleRole.GRIDLEAD, grids=("G01",))
    centre.service.reply_case(
        lead, case.number, ReplyRequest(kind="take_lead", note="网格长牵头", idempotency_key="lead-0001")
    )
    assert desk.sync.run().ok
    assert desk.station.case(case.id).owner == "网格长 lead01"


def test_handing_over_at_the_desk(
    qtbot: QtBot, window: MainWindow, service: StationService, clerk: StaffMember
) -> None:
    """The detail pane's 移交责任人 offers the station's other active staff and needs a reason."""
    from PySide6.QtWidgets import QComboBox, QPlainTextEdit

    case = service.register_case(clerk, walk_in(0))
    window.detail.show_case(case.id)
    assert "移交责任人" in window.detail.action_buttons[EventType.OWNER_CHANGED].text()
    dialog = window.detail.run_action(EventType.OWNER_CHANGED)
    assert dialog is not None
    people = dialog.inputs["to"]
    assert isinstance(people, QComboBox) and [people.itemText(i) for i in range(people.count())] == [ADMIN_NAME]
    reason = dialog.inputs["reason"]
    assert isinstance(reason, QPlainTextEdit)
    reason.setPlainText("下周轮休，交王主任跟进")
    dialog.accept()
    qtbot.waitUntil(lambda: service.case(case.id).owner == ADMIN_NAME)
