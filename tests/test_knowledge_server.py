"""Issue 17, 知识库 at the centre: `gridstation-server kb import DIR` (a report per file, a re-import updates by key,
all or nothing with every bad file named), the stations' feed (`GET /api/v1/kb`: in commit order, retired articles
too, decisions only to their station), proposals received once per idempotency key, and the console's pages for
the centre alone (write, edit, retire, and the 经验沉淀 queue: approve as edited, or reject with a reason)."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from gridstation.assets import RESOURCES
from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.knowledge import ArticleDraft, ArticleStatus, ProposalStatus
from gridstation.protocol import KnowledgeChanges
from gridstation.server.cli import main as server_main
from gridstation.server.service import ServerService
from tests.support.clock import START, FakeClock
from tests.support.console import PASSWORD, sign_in_to_console
from tests.support.server import Api, auth

SAMPLES = RESOURCES / "knowledge"


def draft(title: str, body: str = "先到场核实，再告知物主限期清理。", **more: Any) -> ArticleDraft:
    return ArticleDraft.validated(title=title, body=body, **more)


def proposal(key: str | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "idempotency_key": key or str(uuid.uuid4()),
        "case_number": "JA01-20261123-0007-K",
        "title": "楼道自行车劝离的说法",
        "body": "## 情况\n3号楼楼道停放多辆自行车。\n\n## 要点\n- 先请楼组长一起上门",
        "categories": ["FIRE.CORRIDOR"],
        "keywords": ["楼道", "自行车"],
        "proposer": "李明",
        "proposed_at": START.isoformat(),
    }
    return body | changes


def changes(api: Api, credential: str, since: int = 0, limit: int = 100) -> KnowledgeChanges:
    answer = api.client.get("/api/v1/kb", params={"since": since, "limit": limit}, headers=auth(credential))
    assert answer.status_code == 200, answer.text
    return KnowledgeChanges.model_validate(answer.json())


# --- the command line ---------------------------------------------------------------------------------------------


def test_kb_import_reports_each_file_and_a_second_import_updates_by_key(
    server: ServerService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(SAMPLES, folder)
    url = server.database.url
    assert server_main(["--db", url, "kb", "import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "corridor-clutter.md\tcorridor-clutter\t新增（第 1 版）" in out
    assert f"共 {len(list(folder.glob('*.md')))} 个文件" in out
    records = {r.article.id: r for r in server.kb_articles()}
    assert records["ebike-flying-wire"].article.title == "电动车飞线充电劝阻与处置"
    assert records["ebike-flying-wire"].origin == "import"

    edited = folder / "corridor-clutter.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("3 个工作日", "2 个工作日"), encoding="utf-8")
    (folder / "ebike-charging.md").rename(folder / "电动车.md")  # renamed: its id keeps it the same article
    assert server_main(["--db", url, "kb", "import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "corridor-clutter.md\tcorridor-clutter\t已更新（第 2 版）" in out
    assert "电动车.md\tebike-flying-wire\t未变（第 1 版）" in out
    assert len(server.kb_articles()) == len(records)
    assert "2 个工作日" in server.kb_article("corridor-clutter").article.body

    assert server_main(["--db", url, "kb", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {row["id"] for row in listed} == set(records)
    assert next(row for row in listed if row["id"] == "corridor-clutter")["version"] == 2


def test_kb_import_is_all_or_nothing_and_names_every_bad_file(
    server: ServerService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(SAMPLES, folder)
    (folder / "no-title.md").write_text("+++\nid = 'x'\n+++\n只有正文", encoding="utf-8")
    (folder / "phone.md").write_text("+++\ntitle = '回访'\n+++\n请拨打 13800134537", encoding="utf-8")
    (folder / "twice.md").write_text((folder / "tree-light.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert server_main(["--db", server.database.url, "kb", "import", str(folder)]) == 2
    error = capsys.readouterr().err
    assert "有 2 个文件有误，未导入任何条目" in error
    assert "no-title.md：请填写标题。" in error and "phone.md：正文中有疑似手机号码（138****4537）" in error
    assert server.kb_articles() == []
    (folder / "no-title.md").unlink()
    (folder / "phone.md").unlink()
    assert server_main(["--db", server.database.url, "kb", "import", str(folder)]) == 2  # two files, one id
    error = capsys.readouterr().err
    assert "多个文件用了同一个编号（id）" in error and "tree-blocking-light：tree-light.md、twice.md" in error
    assert server.kb_articles() == []


# --- the stations' feed -----------------------------------------------------------------------------------------


def test_the_feed_pages_in_order_with_retired_articles_and_starts_again_after_a_restore(api: Api) -> None:
    credential = api.enrol_station("JA01")
    server = api.service
    for title in ("楼道堆物清理流程", "电动车飞线充电劝阻与处置", "窨井盖松动：报修渠道与临时防护"):
        server.create_kb_article(draft(title), "user:centre")
    first = changes(api, credential, limit=2)
    assert [a.title for a in first.articles] == ["楼道堆物清理流程", "电动车飞线充电劝阻与处置"] and first.has_more
    rest = changes(api, credential, first.cursor, limit=2)
    assert [a.title for a in rest.articles] == ["窨井盖松动：报修渠道与临时防护"] and not rest.has_more
    assert changes(api, credential, rest.cursor).articles == []

    cover = rest.articles[0].id
    server.retire_kb_article(cover, "user:centre")
    retired = changes(api, credential, rest.cursor)
    assert [(a.id, a.status, a.version) for a in retired.articles] == [(cover, "retired", 2)]
    assert server.kb_article(cover).article.status is ArticleStatus.RETIRED  # kept at the centre

    behind = changes(api, credential, retired.cursor + 50)  # the station read further than this server has
    assert behind.reset and behind.cursor == 0 and behind.articles == []
    assert api.client.get("/api/v1/kb").status_code == 401


def test_a_proposal_is_stored_once_per_key_and_its_decision_goes_to_its_station_only(api: Api) -> None:
    ja01, jb02 = api.enrol_station("JA01"), api.enrol_station("JB02", "梧桐居委会")
    server = api.service
    sent = proposal()
    first = api.client.post("/api/v1/kb/proposals", json=sent, headers=auth(ja01))
    again = api.client.post("/api/v1/kb/proposals", json=sent, headers=auth(ja01))
    assert (first.json()["outcome"], again.json()["outcome"]) == ("received", "duplicate")
    assert len(server.kb_proposals()) == 1
    reused = api.client.post("/api/v1/kb/proposals", json=sent | {"title": "另一条"}, headers=auth(ja01))
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "kb.proposal_key_reused"
    other = api.client.post("/api/v1/kb/proposals", json=sent, headers=auth(jb02))  # its own key space
    assert other.json()["outcome"] == "received" and len(server.kb_proposals()) == 2
    invalid = api.client.post("/api/v1/kb/proposals", json=proposal(body="王阿姨 13800134537"), headers=auth(ja01))
    assert invalid.status_code == 422 and "疑似手机号码" in invalid.json()["error"]["message"]

    seen_by_ja01 = changes(api, ja01).cursor
    mine = next(r for r in server.kb_proposals() if r.station_code == "JA01")
    server.reject_proposal(mine.id, "与《楼道堆物清理流程》重复，请补充到该条目", "user:centre")
    decided = changes(api, ja01, seen_by_ja01)
    assert [(d.idempotency_key, d.status, d.reason) for d in decided.proposals] == [
        (sent["idempotency_key"], "rejected", "与《楼道堆物清理流程》重复，请补充到该条目")
    ]
    assert changes(api, jb02).proposals == []  # JB02's own proposal is still waiting; JA01's decision is not its
    assert changes(api, jb02).cursor == decided.cursor  # but its cursor passes it


# --- the console --------------------------------------------------------------------------------------------------


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*? value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def alert(page: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', page)
    return found.group(1) if found else ""


def test_the_centre_writes_edits_and_retires_an_article_in_the_console(api: Api, server_clock: FakeClock) -> None:
    server = api.service
    server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    client = api.client
    csrf = sign_in_to_console(client, "centre")
    form = client.get("/console/kb/new").text
    posted = {
        "csrf_token": csrf,
        "key": field(form, "key"),
        "title": "树木遮挡采光：修剪审批与季节要求",
        "categories": "green.light GREEN.TRIM",
        "keywords": "采光、修剪，香樟树",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "source": "《上海市绿化条例》",
        "body": "## 季节要求\n11 月至次年 3 月适合较大幅度修剪。",
    }
    made = client.post("/console/kb/new", data=posted, follow_redirects=False)
    assert made.status_code == 303
    twice = client.post("/console/kb/new", data=posted, follow_redirects=False)  # a double click
    assert twice.headers["location"] == made.headers["location"] and len(server.kb_articles()) == 1
    article = server.kb_articles()[0].article
    assert article.categories == ("GREEN.LIGHT", "GREEN.TRIM") and article.keywords == ("采光", "修剪", "香樟树")
    assert "已保存" in client.get(made.headers["location"]).text

    bad = client.post("/console/kb/new", data=posted | {"key": "k2", "title": "", "valid_to": "2025-12-31"})
    assert bad.status_code == 422
    assert alert(bad.text) == "请填写标题。；有效期止（2025-12-31）不能早于有效期起（2026-01-01）。"
    assert field(bad.text, "source") == "《上海市绿化条例》"  # what was typed stays in the form

    page = client.get(f"/console/kb/articles/{article.id}").text
    edit = posted | {"version": field(page, "version"), "title": "树木遮挡采光：修剪审批"}
    assert client.post(f"/console/kb/articles/{article.id}", data=edit, follow_redirects=False).status_code == 303
    stale = client.post(f"/console/kb/articles/{article.id}", data=edit | {"title": "晚到的修改"})
    assert stale.status_code == 409 and "已被他人改为第 2 版" in alert(stale.text)
    assert server.kb_article(article.id).article.title == "树木遮挡采光：修剪审批"

    retire = {"csrf_token": csrf, "version": "2"}
    assert (
        client.post(f"/console/kb/articles/{article.id}/retire", data=retire, follow_redirects=False).status_code == 303
    )
    assert server.kb_article(article.id).article.status is ArticleStatus.RETIRED
    listing = client.get("/console/kb", params={"q": "修剪"}).text
    assert "树木遮挡采光：修剪审批" in listing and "已停用" in listing
    assert "没有包含「电梯」的条目" in client.get("/console/kb", params={"q": "电梯"}).text


def test_the_queue_approves_an_edited_proposal_or_rejects_it_with_a_reason(api: Api) -> None:
    credential = api.enrol_station("JA01")
    server = api.service
    server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    for sent in (proposal(), proposal(title="电梯困人先报 96333")):
        assert api.client.post("/api/v1/kb/proposals", json=sent, headers=auth(credential)).status_code == 200
    client = api.client
    csrf = sign_in_to_console(client, "centre")
    queue = client.get("/console/kb/proposals").text
    assert "楼道自行车劝离的说法" in queue and "待审核" in queue
    first, second = server.kb_proposals()
    page = client.get(f"/console/kb/proposals/{first.id}").text
    assert field(page, "source") == "经验沉淀：枫林居委会 JA01-20261123-0007-K"

    approved = {
        "csrf_token": csrf,
        "title": "楼道停放自行车的劝离",  # edited before approval
        "categories": field(page, "categories"),
        "keywords": field(page, "keywords"),
        "valid_from": "",
        "valid_to": "",
        "source": field(page, "source"),
        "body": first.proposal.draft.body,
    }
    done = client.post(f"/console/kb/proposals/{first.id}/approve", data=approved, follow_redirects=False)
    assert done.status_code == 303
    decided = server.kb_proposal(first.id).proposal
    assert decided.status is ProposalStatus.APPROVED
    article = server.kb_article(decided.article_id).article
    assert (article.title, article.categories, article.status) == (
        "楼道停放自行车的劝离",
        ("FIRE.CORRIDOR",),
        ArticleStatus.ACTIVE,
    )
    assert server.kb_articles()[0].origin_label == "经验沉淀"
    again = client.post(f"/console/kb/proposals/{first.id}/approve", data=approved)
    assert again.status_code == 409 and "这条建议已处理（已采纳" in alert(again.text)

    reject = {"csrf_token": csrf, "reason": " "}
    refused = client.post(f"/console/kb/proposals/{second.id}/reject", data=reject)
    assert refused.status_code == 422 and alert(refused.text) == "请填写不采纳的原因，工作站会看到它。"
    reject["reason"] = "96333 的说明已在《电梯故障、困人的应急与报修》中"
    assert (
        client.post(f"/console/kb/proposals/{second.id}/reject", data=reject, follow_redirects=False).status_code == 303
    )
    assert server.kb_proposal(second.id).proposal.reason == reject["reason"]
    assert len(changes(api, credential).proposals) == 2


def test_only_the_centre_and_administrators_reach_the_knowledge_pages(api: Api) -> None:
    credential = api.enrol_station("JA01")
    server = api.service
    server.add_department("WATER", "区水务局")
    server.add_user("water", ConsoleRole.DEPARTMENT, PASSWORD, department="WATER")
    server.add_user("admin", ConsoleRole.ADMIN, PASSWORD)
    article = server.create_kb_article(draft("窨井盖松动：报修渠道与临时防护"), "user:centre")
    api.client.post("/api/v1/kb/proposals", json=proposal(), headers=auth(credential))
    pending = server.kb_proposals()[0].id
    client = api.client

    csrf = sign_in_to_console(client, "water")
    gets = ["/console/kb", "/console/kb/new", "/console/kb/proposals", f"/console/kb/articles/{article.id}"]
    gets.append(f"/console/kb/proposals/{pending}")
    for path in gets:
        assert client.get(path).status_code == 404, path
    posts = {
        "/console/kb/new": {"key": "x", "title": "偷偷写的", "body": "正文"},
        f"/console/kb/articles/{article.id}": {"title": "改掉", "body": "正文", "version": "1"},
        f"/console/kb/articles/{article.id}/retire": {"version": "1"},
        f"/console/kb/proposals/{pending}/approve": {"title": "采纳", "body": "正文"},
        f"/console/kb/proposals/{pending}/reject": {"reason": "不要"},
    }
    for path, form in posts.items():
        assert client.post(path, data=form | {"csrf_token": csrf}).status_code == 404, path
    assert server.kb_article(article.id).article.version == 1
    assert server.kb_proposals()[0].proposal.status is ProposalStatus.PENDING
    assert "/console/kb" not in client.get("/console/").text  # not in the department's menu either

    sign_in_to_console(client, "admin")
    assert client.get("/console/kb").status_code == 200 and "窨井盖松动" in client.get("/console/kb").text
