"""Issue 17, 知识库 at the desk: the articles a complaint needs are found offline with the field's words (电瓶车 is
电动车, 拉电线 is 飞线充电), only those in force today; F1 in the intake form opens them with the complaint typed so
far; a closed case's 经验沉淀 is proposed from its detail view and queued for the next sync."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gridstation.domain.case import CaseState, Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.knowledge import ArticleInvalid
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import AuditRow
from gridstation.ui.knowledge import KnowledgeDialog, ProposalDialog
from gridstation.ui.main_window import MainWindow
from tests.support.complaints import walk_in

ROOT = Path(__file__).resolve().parents[1]
CORRIDOR, CHARGING, COVER = "楼道堆物清理流程", "电动车飞线充电劝阻与处置", "窨井盖松动：报修渠道与临时防护"

OUT_OF_DATE = """+++
id = "{key}"
title = "{title}"
categories = ["FIRE.CHARGE"]
keywords = ["电动车", "飞线充电"]
valid_from = {start}
valid_to = {end}
+++
电动车充电的旧规定。
"""


def first_titles(service: StationService, text: str, category: str = "", count: int = 1) -> list[str]:
    return [match.article.title for match in service.knowledge_matches(text, category)][:count]


def test_a_complaint_finds_its_article_offline_in_the_fields_own_words(service: StationService) -> None:
    assert service.seed_knowledge() >= 5
    found = service.knowledge_matches("有人从三楼窗口拉电线给电瓶车充电，电线一直垂到一楼")
    assert found[0].article.title == CHARGING
    assert {"电动车", "飞线充电"} <= set(found[0].matched_words)  # 电瓶车 and 拉电线, as the field says them
    assert first_titles(service, "3号楼楼道里堆满了纸箱和旧家具，过不去") == [CORRIDOR]
    assert first_titles(service, "小区门口井盖一踩就晃，哐当响") == [COVER]
    assert first_titles(service, "香樟树太高挡住二楼阳光") == ["树木遮挡采光：修剪审批与季节要求"]
    # The category comes first when the words alone do not decide; alone, it lists its articles.
    assert first_titles(service, "", "PROP.LIFT") == ["电梯故障、困人的应急与报修"]
    assert service.knowledge_matches("", "") == [] and service.knowledge_matches("今天天气不错") == []
    assert len(service.knowledge_matches("处置 清理 消防 楼道 电动车 窨井盖", limit=2)) == 2


def test_only_articles_in_force_today_are_shown(service: StationService, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    for key, title, start, end in (
        ("old", "电动车充电旧规定", "2025-01-01", "2025-12-31"),
        ("next-year", "电动车充电新规定", "2027-01-01", "2027-12-31"),
        ("now", "电动车充电现行规定", "2026-11-01", "2026-11-30"),
    ):
        text = OUT_OF_DATE.format(key=key, title=title, start=start, end=end)
        (folder / f"{key}.md").write_text(text, encoding="utf-8")
    service.seed_knowledge(folder)  # the clock: 2026-11-23
    assert [a.title for a in service.knowledge_articles()] == ["电动车充电现行规定"]
    assert [m.article.title for m in service.knowledge_matches("电动车飞线充电")] == ["电动车充电现行规定"]
    assert service.knowledge_article_count() == 3


def closed_case(service: StationService, clerk: StaffMember, description: str) -> CaseState:
    intake = dataclasses.replace(walk_in(0), category_code="FIRE.CHARGE", description=description)
    case = service.register_case(clerk, intake)
    service.record(clerk, case.id, EventType.DISPATCHED, {"assignee": "物业服务中心"})
    service.record(clerk, case.id, EventType.ARRIVED_ON_SITE, {"note": "网格员到场"})
    service.record(clerk, case.id, EventType.DISPOSED, {"outcome": "resolved", "note": "拆除飞线，告知充电桩位置"})
    return service.record(clerk, case.id, EventType.CLOSED, {"answer": "已劝阻，住户改到充电桩充电"})


def test_a_proposal_comes_only_from_a_closed_case_and_is_audited(service: StationService, clerk: StaffMember) -> None:
    open_case = service.register_case(clerk, walk_in(0))
    with pytest.raises(DomainError, match="尚未办结：办结后才能提出经验沉淀"):
        service.propose_article(clerk, open_case.id, "香樟树修剪", "冬季疏枝", ["GREEN.LIGHT"], [])
    case = closed_case(service, clerk, "5号楼居民反映 302 室从窗口拉线给电动车充电，联系电话 13812341234")
    template = service.proposal_template(case.id)
    assert template.title.startswith("电动车违规充电：5号楼居民反映")
    assert "138****1234" in template.body and "13812341234" not in template.body
    assert "## 处置\n拆除飞线，告知充电桩位置" in template.body and "## 答复居民\n已劝阻" in template.body
    assert template.categories == ("FIRE.CHARGE",) and template.keywords == ("电动车违规充电",)
    with pytest.raises(ArticleInvalid, match="请填写标题"):
        service.propose_article(clerk, case.id, "", template.body, template.categories, [])
    made = service.propose_article(clerk, case.id, "飞线充电：先拆线再告知充电桩", template.body, ["FIRE.CHARGE"], [])
    assert made.sent_at is None and made.status_label == "待发送（下次同步报送城运中心）"
    assert [v.proposal.id for v in service.knowledge_proposals()] == [made.proposal.id]
    with service.reading() as session:
        audited = session.scalars(select(AuditRow).where(AuditRow.action == "kb.proposed")).all()
    assert [(row.staff_name, row.detail["case"]) for row in audited] == [(clerk.name, case.number)]


def open_dialog(window: MainWindow, qtbot: QtBot, widget: object) -> KnowledgeDialog:
    before = set(window.findChildren(KnowledgeDialog))
    qtbot.keyClick(widget, Qt.Key.Key_F1)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: len(set(window.findChildren(KnowledgeDialog)) - before) == 1)
    [dialog] = set(window.findChildren(KnowledgeDialog)) - before
    qtbot.waitUntil(lambda: not dialog.searching)
    return dialog


def test_f1_in_the_intake_opens_the_articles_for_the_complaint_typed_so_far(
    window: MainWindow, qtbot: QtBot, service: StationService, tmp_path: Path, chinese_font: None
) -> None:
    service.seed_knowledge()
    intake = window.intake
    intake.category.select_code("FIRE.CHARGE")
    intake.description.setPlainText("居民反映8号楼有人从窗口拉电线给电瓶车充电")
    intake.description.setFocus()
    qtbot.waitUntil(intake.description.hasFocus)
    dialog = open_dialog(window, qtbot, intake.description)

    assert dialog.search.text() == "居民反映8号楼有人从窗口拉电线给电瓶车充电"
    assert dialog.by_category.isChecked() and dialog.by_category.text() == "“电动车违规充电”分类优先"
    first = dialog.results.item(0)
    assert first is not None and first.text().startswith(f"{CHARGING}\n相关：")
    assert "电动车" in first.text() and "飞线充电" in first.text()
    shown = dialog.view.toPlainText()
    assert CHARGING in shown and "当场劝阻" in shown and "来源：《高层民用建筑消防安全管理规定》" in shown
    assert "适用分类：电动车违规充电" in shown

    folder = ROOT / "docs" / "screenshots" if os.environ.get("GRIDSTATION_SAVE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(folder / "knowledge.png"))
    assert (folder / "knowledge.png").stat().st_size > 10_000

    # Another search as the clerk types it (after a short pause, off the screen's thread).
    dialog.by_category.setChecked(False)
    dialog.search.setText("小区门口井盖一踩就晃")
    qtbot.waitUntil(
        lambda: not dialog.searching and dialog.results.count() > 0 and COVER in dialog.results.item(0).text()
    )
    dialog.search.setText("火星上的问题")
    qtbot.waitUntil(lambda: not dialog.searching and dialog.results.count() == 0)
    assert dialog.status.text() == "没有找到相关条目，可换个说法或少输几个字。"
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    # Elsewhere, F1 opens every article in force, by title.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.cases.search.setFocus()
    qtbot.waitUntil(window.cases.search.hasFocus)
    browsing = open_dialog(window, qtbot, window.cases.search)
    assert browsing.search.text() == "" and not browsing.by_category.isVisible()
    assert browsing.results.count() == service.knowledge_article_count()
    assert browsing.status.text() == f"共 {service.knowledge_article_count()} 篇条目"


def test_an_empty_knowledge_base_says_where_articles_come_from(window: MainWindow, qtbot: QtBot) -> None:
    window.cases.search.setFocus()
    qtbot.waitUntil(window.cases.search.hasFocus)
    dialog = open_dialog(window, qtbot, window.cases.search)
    assert dialog.results.count() == 0
    assert dialog.status.text() == "本站还没有知识库条目：城运中心发布后，同步时会自动下载。"


def test_a_closed_case_proposes_an_article_from_its_detail_view(
    window: MainWindow, qtbot: QtBot, service: StationService, clerk: StaffMember
) -> None:
    open_case = service.register_case(clerk, walk_in(1))
    window.show_case(open_case.id)
    assert not window.detail.propose_button.isVisibleTo(window.detail)  # not before the case is closed
    case = closed_case(service, clerk, "7号楼住户从窗口拉线给电动车充电")
    window.show_case(case.id)
    assert window.detail.propose_button.isVisibleTo(window.detail)

    qtbot.mouseClick(window.detail.propose_button, Qt.MouseButton.LeftButton)
    dialog = window.detail.findChild(ProposalDialog)
    assert isinstance(dialog, ProposalDialog)
    assert dialog.title.text() == "电动车违规充电：7号楼住户从窗口拉线给电动车充电"
    assert dialog.categories.text() == "FIRE.CHARGE" and "拆除飞线" in dialog.body.toPlainText()
    dialog.body.setPlainText("")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.error.text() == "请填写正文。" and service.knowledge_proposals() == []

    dialog.title.setText("飞线充电：先拆线，再告知充电桩位置")
    dialog.keywords.setText("飞线充电、充电桩")
    dialog.body.setPlainText("## 处置\n当天拆除飞线，告知小区充电桩位置和收费。")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.proposed is not None and not dialog.isVisible())
    [made] = service.knowledge_proposals()
    assert (made.proposal.case_number, made.proposal.draft.keywords) == (case.number, ("飞线充电", "充电桩"))
    assert made.proposal.proposer == clerk.name

    browsing = window.open_knowledge()
    browsing.tabs.setCurrentWidget(browsing.proposals)
    qtbot.waitUntil(lambda: browsing.proposals.topLevelItemCount() == 1 and bool(browsing.proposals.topLevelItem(0)))
    row = browsing.proposals.topLevelItem(0)
    assert row is not None
    qtbot.waitUntil(lambda: row.text(1) == case.number)
    assert row.text(2) == "飞线充电：先拆线，再告知充电桩位置" and row.text(3) == "待发送（下次同步报送城运中心）"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row.text(0))
    assert QApplication.activeModalWidget() is None or QApplication.activeModalWidget() is browsing


def test_a_grid_patrol_case_answered_on_the_spot_can_be_proposed_too(
    service: StationService, clerk: StaffMember
) -> None:
    spot = Intake.validated(
        channel=Channel.WALK_IN,
        category_code="BIKE.ZOMBIE",
        description="车棚里有十几辆落满灰的自行车，居民问怎么清理",
        tier=Tier.ON_THE_SPOT,
        phone="13812341234",
        answer="告知清理流程：公告 7 天后登记移走",
    )
    case = service.register_case(clerk, spot)
    template = service.proposal_template(case.id)
    assert "## 答复居民\n告知清理流程" in template.body and "## 处置" not in template.body
    made = service.propose_article(clerk, case.id, "车棚僵尸车怎么答复居民", template.body, ["BIKE.ZOMBIE"], [])
    assert made.proposal.case_number == case.number
