"""Issue 16, triage at the desk: 当场办 / 协同快办 / 跟踪督办 with one key (Ctrl+1/2/3), a suggestion from channel
and category until the clerk chooses (never 当场办: that closes the case, the clerk's call), and a 跟踪督办 case asks
for its planned completion date and owner; when the plan date passes with the case open, supervision puts it on the
难题会诊 agenda."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from gridstation.domain.enums import Channel, SupervisionLevel, Tier
from gridstation.domain.sla import ColourScheme
from gridstation.domain.supervision import due_notices
from gridstation.domain.triage import suggest_tier
from gridstation.services.station import StationService
from gridstation.ui.main_window import MainWindow
from tests.support.clock import FakeClock
from tests.support.qt_input import commit_text, press, type_chars
from tests.support.staff import ADMIN_NAME, CLERK_NAME


def test_the_suggestion_comes_from_channel_and_category() -> None:
    assert suggest_tier(Channel.WALK_IN, "BUILD.SHED") is Tier.TRACKED  # an illegal structure: weeks, departments
    assert suggest_tier(Channel.PETITION_DISPATCH, "GREEN.LIGHT") is Tier.TRACKED  # 信访: statutory limits
    assert suggest_tier(Channel.HOTLINE_12345, "NOISE.TRAFFIC") is Tier.QUICK
    assert all(suggest_tier(c, "POLICY.CONSULT") is not Tier.ON_THE_SPOT for c in Channel)


def test_one_key_triage_and_the_tracked_plan(
    qtbot: QtBot, window: MainWindow, service: StationService, clock: FakeClock
) -> None:
    form = window.intake
    form.category.select_code("BUILD.SHED")
    assert form.tier.currentData() == str(Tier.TRACKED)  # suggested
    assert form.triage.plan_row.isVisibleTo(form) and form.triage.owner.currentData() == CLERK_NAME
    press(form.category, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert form.tier.currentData() == str(Tier.QUICK) and not form.triage.plan_row.isVisibleTo(form)
    form.category.select_code("FIRE.CORRIDOR")
    assert form.tier.currentData() == str(Tier.QUICK)  # the clerk chose: no more suggestions
    press(form.category, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert form.tier.currentData() == str(Tier.TRACKED)
    today = service.local_date(clock.current)
    assert form.triage.plan.date() == QDate(today.year, today.month, today.day).addDays(14)
    planned = today + timedelta(days=3)
    form.triage.plan.setDate(QDate(planned.year, planned.month, planned.day))
    form.triage.owner.setCurrentIndex(form.triage.owner.findData(ADMIN_NAME))
    commit_text(form.description, "6号楼底楼住户在绿化带搭建彩钢板棚，已住人")
    type_chars(form.phone, "13912345678")
    with qtbot.waitSignal(form.case_saved, timeout=5000) as saved:
        press(form.phone, Qt.Key.Key_Return)
    state = saved.args[0]
    assert state.tier is Tier.TRACKED and state.owner == ADMIN_NAME
    assert state.plan_due_at is not None and service.local_date(state.plan_due_at) == planned + timedelta(days=1)
    assert form.tier.currentData() == str(Tier.QUICK) and not form.triage.chosen  # the next case starts afresh

    # The plan's own rule, with the case's steps otherwise on time (a step started at the plan's end):
    on_plan = replace(state, stage_started_at=state.plan_due_at)
    policy, scheme = service.deadline_policy(), ColourScheme()
    before = due_notices(on_plan, policy, scheme, state.plan_due_at - timedelta(minutes=1), set())
    assert not [n for n in before if n.level is SupervisionLevel.AGENDA]
    after = due_notices(on_plan, policy, scheme, state.plan_due_at, set())
    assert [(n.level, n.reason) for n in after] == [
        (SupervisionLevel.AGENDA, f"跟踪督办计划完成日期 {planned.isoformat()} 已过，诉求仍未办结")
    ]
