"""Issue 16, one deadline policy for the district: set at the centre (`gridstation-server policy show|set FILE.toml`),
versioned, sent to every station by sync; a station may only tighten it, and runs, step by step, the stricter of
its own and the district's. Before the centre sets one, a station's own policy stands as it always did."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from gridstation.domain.district_policy import looser_than, policy_from_toml, policy_to_toml, tightest
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.report import Rate
from gridstation.domain.sla import ALL_TIERS, ChannelRules, DeadlinePolicy, Stage, default_policy
from gridstation.domain.sla_document import policy_from_document
from gridstation.server.cli import main as server_main
from gridstation.storage.models import CaseRow
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.console import sign_in_to_console
from tests.support.sync import Centre, Desk


def with_minutes(policy: DeadlinePolicy, tier: Tier, stage: Stage, minutes: int | None) -> DeadlinePolicy:
    by_tier = {t: dict(stages) for t, stages in policy.by_tier.items()}
    by_tier[tier][stage] = minutes
    return DeadlinePolicy(by_tier=by_tier, by_category=policy.by_category, by_channel=policy.by_channel)


def test_the_stricter_step_by_step_and_what_loosens() -> None:
    district = with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 3)
    local = with_minutes(default_policy(), Tier.QUICK, Stage.ON_SITE, 45)  # tighter here, looser at 响应 (5 > 3)
    local = DeadlinePolicy(by_tier=local.by_tier, by_category={"BUILD.SHED": {"*": {Stage.DISPOSE: 1440}}})
    both = tightest(district, local)
    assert both.minutes(Tier.QUICK, "", Stage.RESPOND, None) == 3
    assert both.minutes(Tier.QUICK, "", Stage.ON_SITE, None) == 45
    assert both.minutes(Tier.QUICK, "BUILD.SHED", Stage.DISPOSE, None) == 30  # the district allows 30: a day is looser
    assert set(looser_than(local, district)) == {
        "协同快办·响应 5 分钟（街道标准 3 分钟）",
        "BUILD.SHED·协同快办·处置 1440 分钟（街道标准 30 分钟）",
        "BUILD.SHED·当场办·处置 1440 分钟（街道标准 30 分钟）",
        "BUILD.SHED·跟踪督办·处置 1440 分钟（街道标准 30 分钟）",
    }


def test_toml_round_trips_and_refuses_what_is_not_a_complete_policy() -> None:
    policy = DeadlinePolicy(
        by_tier=default_policy().by_tier,
        by_category={"BUILD.SHED": {"*": {Stage.DISPOSE: 1440, Stage.FOLLOW_UP: None}}},
    )
    text = policy_to_toml(policy, "街道时限标准 第 2 版")
    assert text.startswith("# 街道时限标准 第 2 版\n") and "follow_up = false" in text
    assert policy_from_toml(text, "p.toml") == policy
    with pytest.raises(DomainError, match=re.escape("不是有效的 TOML：p.toml")):
        policy_from_toml("[by_tier.quick\nrespond = 5", "p.toml")
    with pytest.raises(DomainError, match=re.escape("时限标准缺少字段：by_tier.quick.respond")):
        policy_from_toml(text.replace("respond = 5\non_site = 60", "on_site = 60"), "p.toml")
    with pytest.raises(DomainError, match=re.escape("by_tier.on_the_spot.dispose 应为正整数")):
        policy_from_toml(text.replace("dispose = 30", "dispose = -30", 1), "p.toml")


def test_a_channel_keeps_its_own_steps_before_categories_and_tiers() -> None:
    """码上就来 promises a first response in 5 minutes and 信访 runs on its statutory limits (信访工作条例: 15 days to
    accept, 60 to handle): a channel's own rule comes before a category override, which must not loosen it."""
    relaxed = with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 30)
    relaxed = DeadlinePolicy(
        by_tier=relaxed.by_tier,
        by_category={"GREEN.LIGHT": {ALL_TIERS: {Stage.RESPOND: 60}}},
        by_channel=relaxed.by_channel,
    )
    assert relaxed.minutes(Tier.QUICK, "GREEN.LIGHT", Stage.RESPOND, Channel.QR_REPORT) == 5
    assert relaxed.minutes(Tier.QUICK, "GREEN.LIGHT", Stage.RESPOND, Channel.HOTLINE_12345) == 60
    assert relaxed.minutes(Tier.QUICK, "GREEN.TRIM", Stage.RESPOND, Channel.WALK_IN) == 30
    assert relaxed.minutes(Tier.QUICK, "GREEN.TRIM", Stage.ON_SITE, Channel.QR_REPORT) == 60  # the tier's, as before
    statutory = [relaxed.minutes(Tier.TRACKED, "", stage, Channel.PETITION_DISPATCH) for stage in Stage]
    assert statutory[:4] == [15 * 1440, 15 * 1440, 30 * 1440, 15 * 1440]
    assert sum(statutory[1:4]) == 60 * 1440  # on site, disposed and answered within the 60 days after acceptance
    assert relaxed.promised_response_minutes(Tier.TRACKED, "GREEN.LIGHT", Channel.PETITION_DISPATCH) == 15 * 1440


def test_the_stricter_of_a_channel_rule_and_a_stations_category_override() -> None:
    """The station's 3-minute 响应 for GREEN.LIGHT is stricter than the district's 5 for 码上就来; the district's 5 is
    stricter than the station's 30 for everything else. The merged policy keeps both, channel by channel."""
    district = default_policy()
    local = with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 4)
    local = DeadlinePolicy(by_tier=local.by_tier, by_category={"GREEN.LIGHT": {ALL_TIERS: {Stage.RESPOND: 3}}})
    both = tightest(district, local)
    assert both.minutes(Tier.QUICK, "GREEN.LIGHT", Stage.RESPOND, Channel.QR_REPORT) == 3
    assert both.minutes(Tier.QUICK, "GREEN.TRIM", Stage.RESPOND, Channel.QR_REPORT) == 4
    assert both.minutes(Tier.TRACKED, "GREEN.TRIM", Stage.RESPOND, Channel.QR_REPORT) == 5
    assert both.minutes(Tier.TRACKED, "GREEN.LIGHT", Stage.DISPOSE, Channel.PETITION_DISPATCH) == 30  # local: 51530
    for tier in Tier:
        for stage in Stage:
            for code in ("", "GREEN.LIGHT", "GREEN.TRIM"):
                for channel in (None, *Channel):
                    mine, theirs = (
                        local.minutes(tier, code, stage, channel),
                        district.minutes(tier, code, stage, channel),
                    )
                    expected = theirs if mine is None else mine if theirs is None else min(mine, theirs)
                    assert both.minutes(tier, code, stage, channel) == expected, (tier, code, stage, channel)
    assert tightest(district, both) == both  # and it reads back the same from JSON, as the desk stores it
    assert DeadlinePolicy.from_json(both.to_json()) == both

    loosened = DeadlinePolicy(
        by_tier=district.by_tier,
        by_channel={Channel.QR_REPORT: ChannelRules(by_tier={str(Tier.QUICK): {Stage.RESPOND: 10}})},
    )
    assert looser_than(loosened, district) == ["码上就来·协同快办·响应 10 分钟（街道标准 5 分钟）"]


def test_channel_rules_in_a_document_and_in_toml() -> None:
    text = policy_to_toml(default_policy())
    assert '[by_channel.qr_report."*"]\nrespond = 5' in text
    assert "[by_channel.petition_dispatch." in text
    assert policy_from_toml(text, "p.toml") == default_policy()
    document = default_policy().to_json()
    assert policy_from_document(document) == default_policy()
    document["by_channel"]["wechat"] = {"*": {"respond": 5}}
    with pytest.raises(DomainError, match=re.escape("by_channel.wechat 不是渠道代码，可用：walk_in（来访）")):
        policy_from_document(document)
    del document["by_channel"]["wechat"]
    document["by_channel"]["qr_report"]["quck"] = {"respond": 5}
    with pytest.raises(DomainError, match=re.escape("未知字段：by_channel.qr_report.quck")):
        policy_from_document(document)
    del document["by_channel"]["qr_report"]["quck"]
    document["by_channel"]["qr_report"]["*"]["respond"] = 0
    with pytest.raises(DomainError, match=re.escape("by_channel.qr_report.*.respond 应为正整数")):
        policy_from_document(document)


def test_the_centre_sets_a_version_with_the_command_line(
    centre: Centre, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = centre.service.database.url
    assert server_main(["--db", url, "policy", "show"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("# 街道时限标准 第 0 版（内置 51530 标准）")
    edited = tmp_path / "policy.toml"
    edited.write_text(shown.replace("respond = 5", "respond = 3"), encoding="utf-8")
    assert server_main(["--db", url, "policy", "set", str(edited)]) == 0
    assert "已设定街道时限标准第 1 版" in capsys.readouterr().out
    broken = tmp_path / "broken.toml"
    broken.write_text("[by_tier.quick]\nrespond = 0\n", encoding="utf-8")
    assert server_main(["--db", url, "policy", "set", str(broken)]) != 0
    assert "时限标准缺少字段" in capsys.readouterr().err
    assert server_main(["--db", url, "policy", "show", "--json"]) == 0
    assert '"version": 1' in capsys.readouterr().out


def due_of(desk: Desk, case_id: str) -> object:
    with desk.station.reading() as session:
        row = session.get(CaseRow, case_id)
        assert row is not None
        return row.sla_due_at


def test_a_new_version_reaches_the_station_by_sync_and_plans_the_deadlines_to_come(
    desk: Desk, centre: Centre, clock: FakeClock
) -> None:
    """A deadline already running keeps the version it started under (issue 16, item 4); the cases and stages that
    start after the change get the new one."""
    case = desk.station.register_case(desk.clerk, complaint(0))  # 协同快办, 5 minutes to 先联
    first = desk.sync.run()
    assert first.ok and first.district_policy_adopted is None  # version 0: nothing set at the centre
    assert desk.station.district_policy_version() == (0, None)
    assert due_of(desk, case.id) == case.registered_at + timedelta(minutes=5)

    clock.advance(minutes=1)
    centre.service.set_district_policy(with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 3), "test")
    synced = desk.sync.run()
    assert synced.ok and synced.district_policy_adopted == 1
    assert desk.station.district_policy_version()[0] == 1
    assert due_of(desk, case.id) == case.registered_at + timedelta(minutes=5)  # started under version 0: kept
    later = desk.station.register_case(desk.clerk, complaint(1))
    assert due_of(desk, later.id) == later.registered_at + timedelta(minutes=3)
    assert desk.sync.run().district_policy_adopted is None  # already running it

    # The station may tighten it, never loosen it.
    with pytest.raises(DomainError, match=r"只能比街道标准（第 1 版）更严.*协同快办·响应 10 分钟（街道标准 3 分钟）"):
        desk.station.set_deadline_policy(desk.admin, with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 10))
    clock.advance(minutes=1)
    tighter = with_minutes(with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 2), Tier.QUICK, Stage.ON_SITE, 60)
    desk.station.set_deadline_policy(desk.admin, tighter)
    assert desk.station.deadline_policy().minutes(Tier.QUICK, "", Stage.RESPOND, None) == 2
    newest = desk.station.register_case(desk.clerk, complaint(2))
    assert due_of(desk, newest.id) == newest.registered_at + timedelta(minutes=2)
    assert due_of(desk, later.id) == later.registered_at + timedelta(minutes=3)  # its version kept
    assert due_of(desk, case.id) == case.registered_at + timedelta(minutes=5)


def test_a_server_without_a_district_policy_changes_nothing(desk: Desk, centre: Centre) -> None:
    def not_there(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "找不到该地址。", "detail": {}}})

    centre.transport.add("/api/v1/policy", not_there)
    summary = desk.sync.run()
    assert summary.ok and summary.district_policy_adopted is None


def test_the_console_page_sets_a_new_version_for_the_centre_only(centre: Centre, qtbot: object) -> None:
    from gridstation.domain.console_roles import ConsoleRole

    password = "correct-horse-42"
    centre.service.add_department("WATER", "区水务局")
    centre.service.add_user("centre", ConsoleRole.CENTRE, password)
    centre.service.add_user("water", ConsoleRole.DEPARTMENT, password, department="WATER")
    client = centre.client

    csrf = sign_in_to_console(client, "centre", password)
    page = client.get("/console/policy").text
    assert "第 0 版" in page and "respond = 5" in page
    text = policy_to_toml(default_policy()).replace("respond = 5", "respond = 4", 1)
    bad = client.post("/console/policy", data={"csrf_token": csrf, "policy": "respond = 4"}, follow_redirects=False)
    assert bad.status_code == 422 and "时限标准缺少字段" in bad.text and centre.service.district_policy().version == 0
    done = client.post("/console/policy", data={"csrf_token": csrf, "policy": text}, follow_redirects=False)
    assert done.status_code == 303
    assert centre.service.district_policy().version == 1
    assert centre.service.district_policy().policy.minutes(Tier.ON_THE_SPOT, "", Stage.RESPOND, None) == 4
    assert "user:centre" in client.get("/console/policy").text  # who set it, in the history

    csrf = sign_in_to_console(client, "water", password)
    assert client.get("/console/policy").status_code == 404
    refused = client.post("/console/policy", data={"csrf_token": csrf, "policy": text}, follow_redirects=False)
    assert refused.status_code == 404 and centre.service.district_policy().version == 1


def test_the_desk_says_which_version_it_runs(qtbot: object, desk: Desk, centre: Centre) -> None:
    from gridstation.ui.deadline_settings import DeadlineSettingsDialog

    assert "尚未收到街道时限标准" in DeadlineSettingsDialog(desk.station, desk.admin).district.text()
    centre.service.set_district_policy(default_policy(), "test")
    assert desk.sync.run().district_policy_adopted == 1
    assert "执行街道时限标准第 1 版" in DeadlineSettingsDialog(desk.station, desk.admin).district.text()


def test_a_past_mornings_report_reads_the_same_after_the_policy_changed(desk: Desk, clock: FakeClock) -> None:
    """Issue 16, item 4: a case contacted 4 minutes after registration met its 5-minute 先联; tightening the policy to
    3 minutes afterwards leaves that morning's report as it was (the deadline keeps the version it started under)."""
    from gridstation.printing.paperwork import Paperwork

    start = clock.current
    case = desk.station.register_case(desk.clerk, complaint(0))
    clock.current = start + timedelta(minutes=4)
    desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    morning = start + timedelta(hours=1)

    def first_contact() -> Rate:
        return Paperwork(desk.station).morning_report(desk.admin, report_at=morning).report.kpis_day.first_contact

    assert first_contact() == Rate(1, 1)
    clock.current = start + timedelta(hours=2)
    desk.station.set_deadline_policy(desk.admin, with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 3))
    assert first_contact() == Rate(1, 1)  # not rewritten into a miss by the later, stricter policy


def test_a_channel_rule_set_at_the_centre_reaches_the_station(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    """The centre tightens 码上就来's first response to 3 minutes in TOML; after a sync a new 码上就来 case at the desk
    is due in 3 minutes while a 12345 case keeps 5, and a 信访 case runs on its statutory 15 days."""
    shown = policy_to_toml(default_policy())
    edited = shown.replace('[by_channel.qr_report."*"]\nrespond = 5', '[by_channel.qr_report."*"]\nrespond = 3')
    assert edited != shown
    centre.service.set_district_policy(policy_from_toml(edited, "policy.toml"), "test")
    assert desk.sync.run().district_policy_adopted == 1
    clock.advance(minutes=1)
    scanned = desk.station.register_case(desk.clerk, complaint(0, channel=Channel.QR_REPORT))
    hotline = desk.station.register_case(desk.clerk, complaint(1))
    petition = desk.station.register_case(desk.clerk, complaint(2, Tier.TRACKED, Channel.PETITION_DISPATCH))
    assert due_of(desk, scanned.id) == scanned.registered_at + timedelta(minutes=3)
    assert due_of(desk, hotline.id) == hotline.registered_at + timedelta(minutes=5)
    assert due_of(desk, petition.id) == petition.registered_at + timedelta(days=15)
