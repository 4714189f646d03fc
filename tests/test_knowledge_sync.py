"""Issue 17, 知识库 by sync: the centre's articles reach the desk (a retired one disappears, an edited one is replaced),
the desk's proposals from closed cases reach the centre exactly once whatever the line does, the centre's decision
comes back, and a server without a knowledge base changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx
import pytest

from gridstation.assets import RESOURCES
from gridstation.domain.case import CaseState
from gridstation.domain.enums import EventType
from gridstation.domain.knowledge import ArticleDraft, ProposalStatus
from gridstation.server.kb_cli import read_article_files
from gridstation.storage.models import KnowledgeArticleRow
from gridstation.storage.settings import SettingKey, put_setting
from gridstation.sync import knowledge as sync_knowledge
from gridstation.sync.report import as_text
from tests.support.complaints import walk_in
from tests.support.sync import Centre, Desk, lose_response, refuse_connection

SAMPLES = RESOURCES / "knowledge"
ZONE = ZoneInfo("Asia/Shanghai")


def pass_through(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
    return forward(request)


def not_there(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
    return httpx.Response(404, json={"error": {"code": "http.404", "message": "没有这个地址。", "detail": {}}})


def titles(desk: Desk) -> set[str]:
    return {article.title for article in desk.station.knowledge_articles()}


def closed_case(desk: Desk) -> CaseState:
    """A walk-in about a tree blocking the light, dispatched, disposed and closed."""
    station, clerk = desk.station, desk.clerk
    case = station.register_case(clerk, walk_in(0))
    station.record(clerk, case.id, EventType.DISPATCHED, {"assignee": "绿化市容所"})
    station.record(clerk, case.id, EventType.ARRIVED_ON_SITE, {"note": "绿化队到场"})
    station.record(clerk, case.id, EventType.DISPOSED, {"outcome": "resolved", "note": "绿化队疏枝，保留树冠"})
    return station.record(clerk, case.id, EventType.CLOSED, {"answer": "已修剪，居民确认采光恢复"})


def propose(desk: Desk, case: CaseState, title: str = "香樟树遮挡采光：先疏枝、保树冠") -> str:
    made = desk.station.propose_article(
        desk.clerk,
        case.id,
        title,
        "## 处置\n冬季疏枝，保留树冠。\n\n## 要点\n- 先征求同楼层住户意见",
        ["GREEN.LIGHT"],
        ["香樟树"],
    )
    return made.proposal.id


def test_articles_arrive_by_sync_and_a_retired_one_disappears(desk: Desk, centre: Centre) -> None:
    centre.service.import_kb_articles(read_article_files(SAMPLES), "cli")
    count = len(list(SAMPLES.glob("*.md")))
    first = desk.sync.run()
    assert first.ok and first.knowledge_articles_received == count
    assert "知识库：收到新增或修改的条目" in as_text(first, ZONE)
    assert "楼道堆物清理流程" in titles(desk) and "窨井盖松动：报修渠道与临时防护" in titles(desk)
    assert desk.sync.run().knowledge_articles_received == 0  # nothing new: nothing stored again

    centre.service.retire_kb_article("loose-manhole-cover", "user:centre")
    corridor = centre.service.kb_article("corridor-clutter").article
    edited = ArticleDraft.validated(
        title=corridor.title, body=corridor.body.replace("3 个工作日", "2 个工作日"), categories=corridor.categories
    )
    centre.service.update_kb_article("corridor-clutter", edited, "user:centre")
    second = desk.sync.run()
    assert (second.knowledge_articles_received, second.knowledge_articles_removed) == (1, 1)
    assert "撤下 1 篇" in as_text(second, ZONE)
    assert "窨井盖松动：报修渠道与临时防护" not in titles(desk)
    held = desk.station.knowledge_article("corridor-clutter")
    assert held.version == 2 and "2 个工作日" in held.body
    with desk.station.reading() as session:
        assert session.get(KnowledgeArticleRow, "loose-manhole-cover") is None


def test_a_dead_line_between_pages_loses_nothing_and_doubles_nothing(
    desk: Desk, centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_knowledge, "KB_PAGE", 2)
    centre.service.import_kb_articles(read_article_files(SAMPLES), "cli")
    centre.transport.add("/api/v1/kb", pass_through)  # the first page arrives …
    centre.transport.add("/api/v1/kb", refuse_connection, times=6)  # … then the line is dead for the whole run
    broken = desk.sync.run()
    assert not broken.ok and broken.knowledge_articles_received == 2
    assert len(titles(desk)) == 2  # the first page was kept, with its cursor

    resumed = desk.sync.run()
    assert resumed.ok and resumed.knowledge_articles_received == len(list(SAMPLES.glob("*.md"))) - 2
    assert len(titles(desk)) == len(list(SAMPLES.glob("*.md")))


def test_a_proposal_reaches_the_centre_once_across_a_lost_answer_and_a_failed_run(desk: Desk, centre: Centre) -> None:
    case = closed_case(desk)
    lost = propose(desk, case)
    centre.transport.add("/api/v1/kb/proposals", lose_response)  # stored there, the answer lost on the way back
    first = desk.sync.run()
    assert first.ok and first.knowledge_proposals_sent == 1 and first.retries >= 1
    assert [r.proposal.id for r in centre.service.kb_proposals()] == [lost]  # the resend was a duplicate

    second = propose(desk, case, "香樟树修剪的季节")
    centre.transport.add("/api/v1/kb/proposals", refuse_connection, times=6)
    failed = desk.sync.run()
    assert not failed.ok and failed.knowledge_proposals_sent == 0
    [waiting] = [v for v in desk.station.knowledge_proposals() if v.proposal.id == second]
    assert waiting.sent_at is None and waiting.status_label.startswith("待发送")
    assert desk.sync.run().knowledge_proposals_sent == 1
    assert desk.sync.run().knowledge_proposals_sent == 0
    assert sorted(r.proposal.id for r in centre.service.kb_proposals()) == sorted([lost, second])
    received = {r.proposal.id: r for r in centre.service.kb_proposals()}[lost]
    assert (received.station_code, received.proposal.case_number, received.proposal.proposer) == (
        "JA01",
        case.number,
        desk.clerk.name,
    )


def test_the_centres_decision_comes_back_and_an_approved_proposal_as_an_article(desk: Desk, centre: Centre) -> None:
    case = closed_case(desk)
    taken, declined = propose(desk, case), propose(desk, case, "香樟树修剪的季节")
    assert desk.sync.run().knowledge_proposals_sent == 2
    by_key = {r.proposal.id: r for r in centre.service.kb_proposals()}
    proposed = by_key[taken].proposal.draft
    centre.service.approve_proposal(by_key[taken].id, proposed, "user:centre")
    centre.service.reject_proposal(by_key[declined].id, "与《树木遮挡采光》条目重复", "user:centre")

    synced = desk.sync.run()
    assert synced.knowledge_proposals_decided == 2 and synced.knowledge_articles_received == 1
    assert "城运中心已处理 2 条" in as_text(synced, ZONE)
    views = {v.proposal.id: v for v in desk.station.knowledge_proposals()}
    assert views[taken].proposal.status is ProposalStatus.APPROVED and views[taken].status_label == "已采纳"
    assert views[declined].status_label == "未采纳：与《树木遮挡采光》条目重复"
    assert proposed.title in titles(desk)
    assert desk.station.knowledge_article(views[taken].proposal.article_id).title == proposed.title


def test_a_proposal_the_centre_will_never_take_is_set_aside_with_its_reason(desk: Desk, centre: Centre) -> None:
    case = closed_case(desk)
    key = propose(desk, case)

    def refuse(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
        error = {"code": "kb.invalid", "message": "正文过长：6000 字，最多 5000 字。", "detail": {}}
        return httpx.Response(422, json={"error": error})

    centre.transport.add("/api/v1/kb/proposals", refuse)
    summary = desk.sync.run()
    assert summary.ok and summary.knowledge_proposals_refused == [
        f"{case.number}「香樟树遮挡采光：先疏枝、保树冠」：正文过长：6000 字，最多 5000 字。"
    ]
    assert "未被接收" in as_text(summary, ZONE)
    assert desk.station.knowledge_proposals()[0].status_label == "未被接收：正文过长：6000 字，最多 5000 字。"
    assert desk.sync.run().knowledge_proposals_sent == 0  # not sent again
    assert key not in {r.proposal.id for r in centre.service.kb_proposals()}


def test_a_server_without_a_knowledge_base_changes_nothing(desk: Desk, centre: Centre) -> None:
    centre.service.import_kb_articles(read_article_files(SAMPLES), "cli")
    centre.transport.add("/api/v1/kb", not_there)  # GET /api/v1/kb: no such route on an older server
    summary = desk.sync.run()
    assert summary.ok and summary.knowledge_articles_received == 0 and titles(desk) == set()

    key = propose(desk, closed_case(desk))
    centre.transport.add("/api/v1/kb/proposals", not_there)
    summary = desk.sync.run()
    assert summary.ok and summary.knowledge_proposals_sent == 0 and not summary.knowledge_proposals_refused
    assert titles(desk) == set() and desk.station.knowledge_proposals()[0].sent_at is None  # it waits, not refused
    upgraded = desk.sync.run()  # once the server has a knowledge base, the proposal goes and the articles come
    assert upgraded.knowledge_proposals_sent == 1 and len(titles(desk)) == len(list(SAMPLES.glob("*.md")))
    assert [r.proposal.id for r in centre.service.kb_proposals()] == [key]


def test_after_the_centre_was_restored_the_desk_reads_the_knowledge_base_again(desk: Desk, centre: Centre) -> None:
    centre.service.import_kb_articles(read_article_files(SAMPLES), "cli")
    assert desk.sync.run().ok
    with desk.station.transaction() as session:  # the desk read further than the restored centre's feed
        put_setting(session, SettingKey.KNOWLEDGE_CURSOR, 10_000)
    again = desk.sync.run()
    assert again.ok and again.knowledge_articles_received == len(list(SAMPLES.glob("*.md")))
    assert len(titles(desk)) == len(list(SAMPLES.glob("*.md")))
