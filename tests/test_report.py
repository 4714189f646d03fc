"""The morning-meeting daily report (晨会日报) and its KPIs, checked against figures computed by hand.

The domain scenario is eleven fictional cases (A–K) written out event by event with exact timestamps; every
expected number below is a literal with the hand computation beside it. The service test replays a smaller
scenario through StationService and Paperwork.

All times are UTC. The report is read at 2026-11-23 01:00 UTC (09:00 in Shanghai); the day window is the 24 hours
before it and the period window the 7 days before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gridstation.domain.case import CaseState, Intake, apply
from gridstation.domain.clock import HlcStamp
from gridstation.domain.enums import Channel, EventType, FollowUpKind, Status, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import decide, decide_registration
from gridstation.domain.report import (
    DeadlineOutcome,
    Kpis,
    MorningReport,
    Rate,
    build_morning_report,
    compute_kpis,
    deadline_outcomes,
    history_until,
)
from gridstation.domain.sla import Colour, ColourScheme, DeadlinePolicy, Stage, default_policy
from gridstation.domain.timeline import describe_event
from gridstation.printing.paperwork import Paperwork
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock

US = timedelta(microseconds=1)
POLICY = default_policy()
SCHEME = ColourScheme()
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(day: int, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    """A moment in November 2026, UTC."""
    return datetime(2026, 11, day, hour, minute, second, micro, tzinfo=UTC)


REPORT_AT = utc(23, 1, 0)  # 09:00 in Shanghai
SINCE = utc(22, 1, 0)  # the default: one day before
PERIOD_START = utc(16, 1, 0)  # 7 days before


class Log:
    """One case's event log with hand-chosen timestamps. Each step is checked by the domain's `decide`, so the
    scenario only contains legal histories; the events are kept as a plain list for the report functions."""

    def __init__(
        self,
        key: str,
        registered_at: datetime,
        description: str,
        *,
        category: str,
        tier: Tier = Tier.TRACKED,
        answer: str = "",
    ) -> None:
        self.key = key
        self.number = f"JA01-TEST-{key}"
        self.events: list[Event] = []
        self.state: CaseState | None = None
        intake = Intake.validated(
            channel=Channel.HOTLINE_12345,
            category_code=category,
            description=description,
            tier=tier,
            compound="枫林苑",
            phone="13800138000",
            answer=answer,
        )
        for draft in decide_registration(f"case-{key}", self.number, intake):
            self._store(registered_at, draft.type, draft.payload)

    def _store(self, at: datetime, event_type: EventType, payload: dict[str, Any]) -> None:
        n = len(self.events) + 1
        event = Event(
            id=f"event-{self.key}-{n:02d}",
            case_id=f"case-{self.key}",
            type=event_type,
            payload=payload,
            actor_id="staff-0001",
            actor_name="测试员甲",
            station_code="JA01",
            occurred_at=at,
            hlc=HlcStamp(int(at.timestamp() * 1000), n).encode(),
        )
        self.events.append(event)
        self.state = apply(self.state, event)

    def then(self, at: datetime, event_type: EventType, **payload: Any) -> Log:
        assert self.state is not None
        draft = decide(self.state, event_type, payload)
        self._store(at, draft.type, draft.payload)
        return self

    # Shorthands for the steps the scenario uses.
    def contact(self, at: datetime) -> Log:
        return self.then(at, EventType.FIRST_CONTACT, note="已电话联系居民")

    def dispatch(self, at: datetime, assignee: str = "物业公司") -> Log:
        return self.then(at, EventType.DISPATCHED, assignee=assignee)

    def arrive(self, at: datetime) -> Log:
        return self.then(at, EventType.ARRIVED_ON_SITE, note="网格员到场")

    def dispose(self, at: datetime) -> Log:
        return self.then(at, EventType.DISPOSED, outcome="resolved", note="已现场处置")

    def close(self, at: datetime) -> Log:
        return self.then(at, EventType.CLOSED, answer="已处理完毕并告知居民")

    def visit(self, at: datetime, kind: str, satisfaction: str, resolution: str) -> Log:
        return self.then(at, EventType.FOLLOW_UP, kind=kind, satisfaction=satisfaction, resolution=resolution)

    def flag(self, at: datetime, reason: str) -> Log:
        return self.then(at, EventType.CONFERENCE_FLAGGED, flagged=True, reason=reason)

    def unflag(self, at: datetime) -> Log:
        return self.then(at, EventType.CONFERENCE_FLAGGED, flagged=False)


DEPT = "department_feedback"
STATION = "station_revisit"
F_REASON = "涉及物业与消防多部门，需周例会会诊"
H_REASON = "共享单车企业多次整改不到位"


def scenario() -> dict[str, Log]:
    """Eleven cases; the comment on each lists its stage deadlines (start → due, how it ended)."""
    logs: dict[str, Log] = {}

    # A 跟踪督办, the whole lifecycle inside the day window, every deadline met; two visits in the day window.
    #   响应 02:00→02:05 ended 02:03 met | 到场 02:03→02:18 ended 02:13 met | 处置 02:13→02:43 ended 02:40 met |
    #   闭环 02:40→03:10 ended 03:00 met. Visits: 04:00 满意/已解决, then 07:00 基本满意/未解决 (the latest counts).
    logs["A"] = (
        Log("A", utc(22, 2, 0), "楼前香樟树长得太高，遮挡三楼住户采光，希望修剪。", category="GREEN.LIGHT")
        .contact(utc(22, 2, 3))
        .dispatch(utc(22, 2, 5), "绿化市容所")
        .arrive(utc(22, 2, 13))
        .dispose(utc(22, 2, 40))
        .close(utc(22, 3, 0))
        .visit(utc(22, 4, 0), DEPT, "satisfied", "resolved")
        .visit(utc(22, 7, 0), STATION, "basically_satisfied", "unresolved")
    )
    # B first contact after 7 minutes, late on site, stuck in 处置.
    #   响应 03:00→03:05 ended 03:07 missed | 到场 03:07→03:22 ended 03:30 missed |
    #   处置 03:30→04:00 still running at report: missed, overdue by 21 h.
    logs["B"] = (
        Log("B", utc(22, 3, 0), "绿化带下的污水井盖被泥土盖住堵塞，雨天污水倒灌。", category="DRAIN.COVER")
        .contact(utc(22, 3, 7))
        .dispatch(utc(22, 3, 10), "排水所")
        .arrive(utc(22, 3, 30))
    )
    # C registered 10 minutes before the report, nobody has called back: 响应 00:50→00:55 missed, overdue 5 min.
    logs["C"] = Log("C", utc(23, 0, 50), "隧道出口汽车夜间频繁鸣笛，噪声影响休息。", category="NOISE.TRAFFIC")
    # D registered 3 minutes before the report: 响应 00:57→01:02 still running and not due → undecided.
    #   3 of 5 minutes used = 60 % → BLUE. Flagged for the conference only after the report: ignored.
    logs["D"] = Log("D", utc(23, 0, 57), "自行车棚内有人违章搭建杂物间，占用停车位。", category="BUILD.SHED").flag(
        utc(23, 1, 5), "需城管执法中队协同"
    )
    # E 当场办: closed at registration, so no deadline at all; one visit in the day window: 满意/已解决.
    logs["E"] = Log(
        "E",
        utc(22, 5, 0),
        "咨询小区垃圾分类定时投放的时间和地点。",
        category="WASTE.SORT",
        tier=Tier.ON_THE_SPOT,
        answer="已告知投放时间为早 7 点至 9 点、晚 6 点至 8 点",
    ).visit(utc(22, 6, 0), DEPT, "satisfied", "resolved")
    # F a tier change during 响应, a reopening visit, then late on site again; flagged for the conference.
    #   响应 06:00→06:05 keeps its terms through the change to 协同快办 at 06:02 (issue 16): ended 06:06, missed |
    #   到场 (快办 60 min, the new tier plans the stages to come) 06:06→07:06 ended 07:00 met |
    #   处置 07:00→07:30 ended 07:20 met | 闭环 07:20→07:50 ended 07:45 met | visit 09:00 不满意/未解决 reopens |
    #   响应 09:00→09:05 ended 09:04 met | 到场 09:04→10:04 still running: missed, overdue by 14 h 56 min.
    logs["F"] = (
        Log("F", utc(22, 6, 0), "楼道里堆放大量纸箱和旧家具等易燃杂物，堵住疏散通道。", category="FIRE.CORRIDOR")
        .then(utc(22, 6, 2), EventType.TIER_CHANGED, to="quick", reason="需物业协同清理")
        .contact(utc(22, 6, 6))
        .dispatch(utc(22, 6, 10))
        .arrive(utc(22, 7, 0))
        .dispose(utc(22, 7, 20))
        .close(utc(22, 7, 45))
        .visit(utc(22, 9, 0), DEPT, "unsatisfied", "unresolved")
        .contact(utc(22, 9, 4))
        .dispatch(utc(22, 9, 10), "消防站")
        .flag(utc(22, 10, 30), F_REASON)
    )
    # G on site late; flagged then unflagged (not on the list); arrives only after the report (ignored).
    #   响应 12:00→12:05 ended 12:04 met | 到场 12:04→12:19 running at report: missed, overdue by 12 h 41 min.
    logs["G"] = (
        Log("G", utc(22, 12, 0), "地下车库顶板渗水，滴在车上。", category="DRAIN.PIPE")
        .contact(utc(22, 12, 4))
        .dispatch(utc(22, 12, 5))
        .flag(utc(22, 13, 0), "待定")
        .unflag(utc(22, 14, 0))
        .arrive(utc(23, 1, 30))
    )
    # H registered before the day window (period only); flagged while open and still listed after it closed.
    #   响应 02:00→02:05 ended 02:04 met | 到场 02:04→02:19 ended 02:15 met | 处置 02:15→02:45 ended 02:50 missed |
    #   闭环 02:50→03:20 ended 03:10 met. Visits: 11-21 基本满意/未解决 (period only), 11-22 08:00 满意/已解决.
    logs["H"] = (
        Log("H", utc(20, 2, 0), "小区门口共享单车乱停放，堵住人行道。", category="BIKE.DISORDER")
        .contact(utc(20, 2, 4))
        .dispatch(utc(20, 2, 6))
        .arrive(utc(20, 2, 15))
        .flag(utc(20, 2, 30), H_REASON)
        .dispose(utc(20, 2, 50))
        .close(utc(20, 3, 10))
        .visit(utc(21, 2, 0), DEPT, "basically_satisfied", "unresolved")
        .visit(utc(22, 8, 0), STATION, "satisfied", "resolved")
    )
    # I in the period only; every step exactly at its due instant (met).
    #   响应 02:00→02:05 | 到场 02:05→02:20 | 处置 02:20→02:50 | 闭环 02:50→03:20, all met; visit 11-19 基本满意/已解决.
    logs["I"] = (
        Log("I", utc(18, 2, 0), "垃圾箱房异味很重，夏天招苍蝇。", category="WASTE.STATION")
        .contact(utc(18, 2, 5))
        .dispatch(utc(18, 2, 6))
        .arrive(utc(18, 2, 20))
        .dispose(utc(18, 2, 50))
        .close(utc(18, 3, 20))
        .visit(utc(19, 2, 0), DEPT, "basically_satisfied", "resolved")
    )
    # J registered before the period; 响应 missed on 11-10 and 到场 02:10→02:25 on 11-10 still running: both decided
    #   before the period, so in no KPI; re-dispatching on 11-21 does not restart the clock. Overdue 12 d 22 h 35 min.
    logs["J"] = (
        Log("J", utc(10, 2, 0), "小区主干道路灯不亮，晚上回家看不清路。", category="FACIL.LAMP")
        .contact(utc(10, 2, 10))
        .dispatch(utc(10, 2, 12), "物业公司")
        .dispatch(utc(21, 3, 0), "路灯管理所")
    )
    # K changed to 当场办 while waiting for first contact: the 响应 20:00→20:05 that had started runs on its own
    #   terms (issue 16), nobody called back: missed, overdue by 4 h 55 min at the report.
    logs["K"] = Log("K", utc(22, 20, 0), "咨询电梯轿厢广告屏能否调低音量。", category="PROP.LIFT").then(
        utc(22, 20, 3), EventType.TIER_CHANGED, to="on_the_spot", reason="属咨询类，可当场答复"
    )
    return logs


def histories(logs: Mapping[str, Log]) -> dict[str, list[Event]]:
    return {log.events[0].case_id: log.events for log in logs.values()}


@pytest.fixture(scope="module")
def logs() -> dict[str, Log]:
    return scenario()


@pytest.fixture(scope="module")
def report(logs: dict[str, Log]) -> MorningReport:
    return build_morning_report(histories(logs), POLICY, SCHEME, REPORT_AT, period_days=7)


def numbers(states: Sequence[CaseState]) -> list[str]:
    return [s.number for s in states]


def n(*keys: str) -> list[str]:
    return [f"JA01-TEST-{k}" for k in keys]


# ---------------------------------------------------------------- Rate


def test_rate_percent_and_value() -> None:
    """A rate prints "—" when nothing was counted (never divides by zero) and one decimal otherwise."""
    assert Rate(0, 0).percent() == "—"
    assert Rate(0, 0).value is None
    assert Rate(2, 3).percent() == "66.7%"
    assert Rate(1, 3).percent() == "33.3%"
    assert Rate(3, 3).percent() == "100.0%"
    assert Rate(0, 4).percent() == "0.0%"
    assert Rate(3, 4).value == 0.75


# ---------------------------------------------------------------- the scenario report


def test_window_bounds(report: MorningReport) -> None:
    assert report.report_at == REPORT_AT
    assert report.since == SINCE  # default: one day before
    assert report.period_days == 7


def test_kpis_day(report: MorningReport) -> None:
    """KPIs over [11-22 01:00, 11-23 01:00)."""
    assert report.kpis_day == Kpis(
        # 先联 (registered in the day: A B C D E F G K): A met (3 min), B missed (7 min), C missed (due 00:55, no
        # contact), D pending (due 01:02) → excluded, E 当场办 → no deadline, F missed (06:06 against 06:05: the
        # tier change at 06:02 does not move it), G met (4 min), K missed (its 响应 outlives the change): 2/6.
        first_contact=Rate(2, 6),
        # Latest visit per case in the day: A 基本满意/未解决, E 满意/已解决, F 不满意/未解决, H 满意/已解决
        # (its 11-21 visit is outside the day); I's only visit was 11-19. 解决: E, H = 2/4; 满意: A, E, H = 3/4.
        resolution=Rate(2, 4),
        satisfaction=Rate(3, 4),
        # 按时: A 4/4; B 0/3 (响应, 到场, running 处置 due 04:00); C 0/1 (running 响应 due 00:55); D none due;
        # F 4/6 (响应 missed; 到场, 处置, 闭环, reopened 响应 met; running 到场 due 10:04 missed);
        # G 1/2 (到场 due 12:19 running; its arrival at 01:30 is after the report); H, I, J decided before the day;
        # K 0/1 (响应 due 20:05). Met 4+0+0+4+1+0 = 9 of 4+3+1+6+2+1 = 17.
        on_time=Rate(9, 17),
        # Closed in the day: A (03:00), E (at registration, 05:00), F (07:45); F's 09:00 visit reopened it: 1/3.
        # Each has a visit after its last close: none 未回访.
        reopened=Rate(1, 3),
        not_visited=0,
    )


def test_kpis_period(report: MorningReport) -> None:
    """KPIs over the 7 days [11-16 01:00, 11-23 01:00): the day's figures plus H and I; J is older."""
    assert report.kpis_period == Kpis(
        # Day 2/6 plus H met (4 min) and I met (exactly 5 min); J registered 11-10 is outside: 4/8.
        first_contact=Rate(4, 8),
        # Latest visit per case: A 基本满意/未解决, E 满意/已解决, F 不满意/未解决, H 满意/已解决 (not its earlier
        # 基本满意/未解决), I 基本满意/已解决. 解决: E, H, I = 3/5; 满意: A, E, H, I = 4/5.
        resolution=Rate(3, 5),
        satisfaction=Rate(4, 5),
        # Day 9/17 plus H 3/4 (处置 missed by 5 min) and I 4/4 (each exactly at due). J's deadlines were decided
        # (响应 ended, 到场 ran out) on 11-10, before the period; the 11-21 re-dispatch ends nothing: 16/25.
        on_time=Rate(16, 25),
        # Plus H (closed 11-20, visited 11-21 and 11-22) and I (closed 11-18, visited 11-19), neither reopened: 1/5.
        reopened=Rate(1, 5),
        not_visited=0,
    )


def test_new_cases(report: MorningReport) -> None:
    """Registered in [since, report_at), in registration order; closed ones (A, E) included, H/I/J older."""
    assert numbers(report.new_cases) == n("A", "B", "E", "F", "G", "K", "C", "D")


def test_open_cases_by_colour_and_tier(report: MorningReport) -> None:
    # Open at report: B, C, F, G, J past due → RED (F is 协同快办); K, now 当场办, past the 响应 it started with →
    # RED; D 60 % used → BLUE. A (已回访), E (已办结), H (已回访) and I (已办结) are finished.
    expected: dict[Colour, dict[Tier, int]] = {c: dict.fromkeys(Tier, 0) for c in Colour}
    expected[Colour.RED][Tier.TRACKED] = 4
    expected[Colour.RED][Tier.QUICK] = 1
    expected[Colour.RED][Tier.ON_THE_SPOT] = 1
    expected[Colour.BLUE][Tier.TRACKED] = 1
    assert report.open_by_colour == expected
    assert report.open_total == 7


def test_overdue_list_most_late_first(report: MorningReport) -> None:
    """Each open case past its current deadline, with how late it is at the report time (09:00 Shanghai)."""
    assert [(o.case.number, o.stage, o.due_at, o.late_by) for o in report.overdue] == [
        # J 到场 due 11-10 02:25 → 11-23 01:00: 12 days 22 h 35 min
        (n("J")[0], Stage.ON_SITE, utc(10, 2, 25), timedelta(days=12, hours=22, minutes=35)),
        # B 处置 due 11-22 04:00 → 21 h
        (n("B")[0], Stage.DISPOSE, utc(22, 4, 0), timedelta(hours=21)),
        # F reopened, 到场 due 10:04 → 14 h 56 min
        (n("F")[0], Stage.ON_SITE, utc(22, 10, 4), timedelta(hours=14, minutes=56)),
        # G 到场 due 12:19 → 12 h 41 min (its arrival at 01:30 is after the report)
        (n("G")[0], Stage.ON_SITE, utc(22, 12, 19), timedelta(hours=12, minutes=41)),
        # K 响应 due 20:05 (started before its change to 当场办) → 4 h 55 min
        (n("K")[0], Stage.RESPOND, utc(22, 20, 5), timedelta(hours=4, minutes=55)),
        # C 响应 due 00:55 → 5 min
        (n("C")[0], Stage.RESPOND, utc(23, 0, 55), timedelta(minutes=5)),
    ]


def test_conference_list(report: MorningReport) -> None:
    """Flagged cases, oldest first: H stays listed after closing; G was unflagged; D was flagged after the report."""
    assert numbers(report.conference) == n("H", "F")
    assert [s.conference_reason for s in report.conference] == [H_REASON, F_REASON]
    assert [s.status for s in report.conference] == [Status.FOLLOWED_UP, Status.DISPATCHED]


def test_events_after_the_report_change_the_report(logs: dict[str, Log]) -> None:
    """Read at 01:31, G's arrival (01:30) and D's flag (01:05) count: so the report at 01:00 did ignore them."""
    later = build_morning_report(histories(logs), POLICY, SCHEME, utc(23, 1, 31), period_days=7)
    assert numbers(later.conference) == n("H", "F", "D")
    # G is now in 处置 (01:30 → 02:00) and off the list; D's 响应 (due 01:02) has run out: 29 min, C's 36 min.
    assert [(o.case.number, o.late_by) for o in later.overdue][3:] == [
        (n("K")[0], timedelta(hours=5, minutes=26)),
        (n("C")[0], timedelta(minutes=36)),
        (n("D")[0], timedelta(minutes=29)),
    ]
    assert numbers([o.case for o in later.overdue]) == n("J", "B", "F", "K", "C", "D")


# ---------------------------------------------------------------- deadline outcomes of one case


def test_deadline_outcomes_through_the_whole_lifecycle(logs: dict[str, Log]) -> None:
    """A: registered → 先联 → 派单 → 到场 → 处置 → 办结 → two visits; one outcome per stage, the follow-up stage has
    no deadline; dispatching within the on-site stage does not end or restart it."""
    outcomes = deadline_outcomes(logs["A"].events, POLICY)
    assert outcomes == [
        DeadlineOutcome(Stage.RESPOND, utc(22, 2, 0), utc(22, 2, 5), utc(22, 2, 3)),
        DeadlineOutcome(Stage.ON_SITE, utc(22, 2, 3), utc(22, 2, 18), utc(22, 2, 13)),
        DeadlineOutcome(Stage.DISPOSE, utc(22, 2, 13), utc(22, 2, 43), utc(22, 2, 40)),
        DeadlineOutcome(Stage.CLOSE_LOOP, utc(22, 2, 40), utc(22, 3, 10), utc(22, 3, 0)),
    ]
    assert [o.met for o in outcomes] == [True, True, True, True]


def test_deadline_outcomes_with_tier_change_and_reopening(logs: dict[str, Log]) -> None:
    """F: the tier change leaves the running 响应 as it started (missed at 06:06), 快办 then gets 60 min on site, the
    unsatisfied visit opens a new 响应, and the last 到场 is still running at the report."""
    outcomes = deadline_outcomes(history_until(logs["F"].events, REPORT_AT), POLICY)
    assert outcomes == [
        DeadlineOutcome(Stage.RESPOND, utc(22, 6, 0), utc(22, 6, 5), utc(22, 6, 6)),
        DeadlineOutcome(Stage.ON_SITE, utc(22, 6, 6), utc(22, 7, 6), utc(22, 7, 0)),
        DeadlineOutcome(Stage.DISPOSE, utc(22, 7, 0), utc(22, 7, 30), utc(22, 7, 20)),
        DeadlineOutcome(Stage.CLOSE_LOOP, utc(22, 7, 20), utc(22, 7, 50), utc(22, 7, 45)),
        DeadlineOutcome(Stage.RESPOND, utc(22, 9, 0), utc(22, 9, 5), utc(22, 9, 4)),
        DeadlineOutcome(Stage.ON_SITE, utc(22, 9, 4), utc(22, 10, 4), None),
    ]
    assert [o.met for o in outcomes] == [False, True, True, True, True, False]


def test_deadline_outcomes_of_other_shapes(logs: dict[str, Log]) -> None:
    """当场办 closed at the desk has no deadline; a case changed to 当场办 keeps the 响应 it started with (still
    running: nobody called back); B's missed steps end late; re-dispatching (J) keeps the on-site clock of the first
    contact."""
    assert deadline_outcomes(logs["E"].events, POLICY) == []
    assert deadline_outcomes(logs["K"].events, POLICY) == [
        DeadlineOutcome(Stage.RESPOND, utc(22, 20, 0), utc(22, 20, 5), None)
    ]
    assert deadline_outcomes(logs["B"].events, POLICY) == [
        DeadlineOutcome(Stage.RESPOND, utc(22, 3, 0), utc(22, 3, 5), utc(22, 3, 7)),
        DeadlineOutcome(Stage.ON_SITE, utc(22, 3, 7), utc(22, 3, 22), utc(22, 3, 30)),
        DeadlineOutcome(Stage.DISPOSE, utc(22, 3, 30), utc(22, 4, 0), None),
    ]
    assert deadline_outcomes(logs["J"].events, POLICY) == [
        DeadlineOutcome(Stage.RESPOND, utc(10, 2, 0), utc(10, 2, 5), utc(10, 2, 10)),
        DeadlineOutcome(Stage.ON_SITE, utc(10, 2, 10), utc(10, 2, 25), None),
    ]


# ---------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    ("delay", "expected"),
    [
        (timedelta(minutes=5), Rate(1, 1)),  # exactly at the due instant: met
        (timedelta(minutes=5) + US, Rate(0, 1)),  # one microsecond later: missed
    ],
)
def test_first_contact_at_the_due_instant(delay: timedelta, expected: Rate) -> None:
    registered = utc(22, 10, 0)
    log = Log("X", registered, "隧道出口汽车鸣笛噪声扰民。", category="NOISE.TRAFFIC").contact(registered + delay)
    # Window ends at 10:10: the 到场 deadline (due 10:20 or later) is still running and not due → only 响应 counts.
    kpis = compute_kpis([log.events], POLICY, SINCE, utc(22, 10, 10))
    assert kpis.first_contact == expected
    assert kpis.on_time == expected


def test_case_registered_exactly_at_since_is_new() -> None:
    """A case registered at `since` is new and in the day's 先联; 1 µs earlier it is neither (but in the period)."""
    at_since = Log("S", SINCE, "香樟树遮挡采光。", category="GREEN.LIGHT")
    before = Log("P", SINCE - US, "香樟树遮挡采光。", category="GREEN.LIGHT")
    report = build_morning_report(histories({"S": at_since, "P": before}), POLICY, SCHEME, REPORT_AT, period_days=7)
    assert numbers(report.new_cases) == n("S")
    # Neither was contacted, both 响应 deadlines ran out long before the report.
    assert report.kpis_day.first_contact == Rate(0, 1)
    assert report.kpis_period.first_contact == Rate(0, 2)
    # 按时: P's 响应 ran out at 01:04:59.999999 (inside the day too), S's at 01:05: both missed in the day window.
    assert report.kpis_day.on_time == Rate(0, 2)


def test_event_exactly_at_report_time_is_ignored() -> None:
    """The report covers [since, report_at): a first contact at 01:00:00 and a registration at 01:00:00 are not in it;
    1 µs later they are."""
    late = Log("C", utc(23, 0, 50), "隧道出口汽车鸣笛噪声扰民。", category="NOISE.TRAFFIC").contact(REPORT_AT)
    fresh = Log("N", REPORT_AT, "楼道堆放易燃杂物。", category="FIRE.CORRIDOR")
    logs = histories({"C": late, "N": fresh})

    report = build_morning_report(logs, POLICY, SCHEME, REPORT_AT)
    assert numbers(report.new_cases) == n("C")
    assert report.open_total == 1
    # C is still 已登记 at the report: its 响应 (due 00:55) ran out 5 minutes ago.
    assert [(o.case.number, o.case.status, o.stage, o.late_by) for o in report.overdue] == [
        (n("C")[0], Status.REGISTERED, Stage.RESPOND, timedelta(minutes=5))
    ]
    assert report.kpis_day.first_contact == Rate(0, 1)

    after = build_morning_report(logs, POLICY, SCHEME, REPORT_AT + US)
    assert numbers(after.new_cases) == n("C", "N")
    assert after.open_total == 2
    assert after.overdue == ()  # C now in 到场 (due 01:15), N in 响应 (due 01:05)
    assert after.kpis_day.first_contact == Rate(0, 1)  # contacted 10 minutes after registering: missed


@pytest.mark.parametrize(
    ("registered", "colour", "late_by", "first_contact"),
    [
        (utc(22, 0, 55), Colour.ORANGE, None, Rate(0, 0)),  # due exactly at the report: not yet late, undecided
        (utc(22, 0, 55) - US, Colour.RED, US, Rate(0, 1)),  # due 1 µs before: late by 1 µs, missed
    ],
)
def test_deadline_due_exactly_at_report_time(
    registered: datetime, colour: Colour, late_by: timedelta | None, first_contact: Rate
) -> None:
    report_at = utc(22, 1, 0)
    log = Log("X", registered, "绿化带下污水井盖堵塞。", category="DRAIN.COVER")
    report = build_morning_report(histories({"X": log}), POLICY, SCHEME, report_at)
    assert report.open_by_colour[colour][Tier.TRACKED] == 1
    assert [o.late_by for o in report.overdue] == ([] if late_by is None else [late_by])
    assert report.kpis_day.first_contact == first_contact
    assert report.kpis_day.on_time == first_contact


# ---------------------------------------------------------------- through the service and Paperwork


def register(service: StationService, actor: StaffMember, description: str, category: str, **kw: Any) -> CaseState:
    return service.register_case(
        actor,
        Intake.validated(
            channel=Channel.HOTLINE_12345,
            category_code=category,
            description=description,
            compound="康乐小区",
            phone="13800138000",
            tier=kw.pop("tier", Tier.TRACKED),
            **kw,
        ),
    )


def test_morning_report_through_the_service(
    service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock
) -> None:
    """Cases recorded through StationService at FakeClock times; Paperwork builds the printable report.

    T0 = 11-23 01:30 UTC. Report at R = T0 + 10 days + 30 min = 12-03 02:00 UTC (10:00 Shanghai), period 7 days.
    """
    t0 = clock.current
    # Day 0 (before the period): L is never contacted (stays open); Q is 当场办, closed at once and never touched.
    lamp = register(service, clerk, "小区主干道路灯不亮，晚上看不清路。", "FACIL.LAMP")
    quiet = register(
        service,
        clerk,
        "咨询养老助餐点的开放时间。",
        "POLICY.ELDER",
        tier=Tier.ON_THE_SPOT,
        answer="已告知助餐点开放时间",
    )
    # Day 5 (in the period, not the day): M contacted after 4 minutes (met), never on site (到场 due +19 min).
    clock.advance(days=5)
    bikes = register(service, clerk, "小区门口共享单车乱停放，堵住人行道。", "BIKE.DISORDER")
    clock.advance(minutes=4)
    service.record(clerk, bikes.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})

    # Day 10, T1 = 12-03 01:30 UTC.
    clock.current = t1 = t0 + timedelta(days=10)
    tree = register(service, clerk, "楼前香樟树遮挡三楼采光，希望修剪。", "GREEN.LIGHT")  # S1 at T1
    clock.advance(minutes=1)
    drain = register(service, clerk, "绿化带下污水井盖堵塞，雨天污水倒灌。", "DRAIN.COVER")  # S2 at T1+1
    clock.advance(minutes=1)
    spot = register(
        service, clerk, "咨询垃圾分类定时投放时间。", "WASTE.SORT", tier=Tier.ON_THE_SPOT, answer="已告知投放时间"
    )  # S3 at T1+2, closed at once
    clock.advance(minutes=1)
    service.record(clerk, tree.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})  # T1+3: 3 min, met
    clock.advance(minutes=5)
    service.record(clerk, drain.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})  # T1+8: 7 min, missed
    clock.advance(minutes=2)
    noise = register(service, clerk, "隧道出口汽车鸣笛噪声扰民。", "NOISE.TRAFFIC")  # S4 at T1+10, due T1+15
    clock.advance(minutes=2)
    service.record(clerk, tree.id, EventType.DISPATCHED, {"assignee": "绿化市容所"})  # T1+12
    with pytest.raises(DomainError) as denied:
        service.record(clerk, drain.id, EventType.CONFERENCE_FLAGGED, {"flagged": True, "reason": "多部门"})
    assert denied.value.code == "permission.denied"
    service.record(admin, drain.id, EventType.CONFERENCE_FLAGGED, {"flagged": True, "reason": "涉及排水所与物业"})
    clock.advance(minutes=3)
    service.record(clerk, tree.id, EventType.ARRIVED_ON_SITE, {"note": "到场查看"})  # T1+15: 到场 due T1+18, met
    clock.advance(minutes=5)
    service.record(
        clerk,
        spot.id,
        EventType.FOLLOW_UP,
        {"kind": "department_feedback", "satisfaction": "satisfied", "resolution": "resolved"},
    )  # T1+20
    clock.advance(minutes=10)
    report_at = clock.current  # R = T1+30
    register(service, clerk, "楼道堆放易燃杂物。", "FIRE.CORRIDOR")  # exactly at R: not in the report
    clock.advance(minutes=1)
    service.record(clerk, noise.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})  # after R: ignored

    # Q (closed, last touched 10 days before R) is not even read; L is (still open).
    assert quiet.id not in service.histories_since(report_at - timedelta(days=7))
    assert lamp.id in service.histories_since(report_at - timedelta(days=7))

    data = Paperwork(service).morning_report(admin, report_at=report_at, period_days=7)
    report = data.report
    assert report.kpis_day == Kpis(
        # 先联: S1 met (3 min), S2 missed (7 min), S3 当场办 excluded, S4 missed (due T1+15, contact after R ignored).
        first_contact=Rate(1, 3),
        # S3's visit: 满意, 已解决.
        resolution=Rate(1, 1),
        satisfaction=Rate(1, 1),
        # 按时: S1 响应 + 到场 met (处置 due T1+45 running); S2 响应 missed, 到场 due T1+23 running → missed;
        # S4 响应 due T1+15 running → missed: 2/5.
        on_time=Rate(2, 5),
        # Closed in the day: S3 alone (当场办), visited, not reopened.
        reopened=Rate(0, 1),
    )
    assert report.kpis_period == Kpis(
        # Plus M (day 5): 先联 met (4 min); 到场 due +19 min running → missed. L registered before the period.
        first_contact=Rate(2, 4),
        resolution=Rate(1, 1),
        satisfaction=Rate(1, 1),
        on_time=Rate(3, 7),
        reopened=Rate(0, 1),  # Q was closed 10 days before R, outside the period
    )
    assert data.report.kpis_day.first_contact.percent() == "33.3%"
    assert data.report_at == report_at.astimezone(SHANGHAI)
    assert f"{data.report_at:%m-%d %H:%M}" == "12-03 10:00"
    assert f"{data.since:%m-%d %H:%M}" == "12-02 10:00"
    assert data.generated_by == admin.name

    assert [r.number for r in data.new_rows] == [tree.number, drain.number, spot.number, noise.number]
    assert [(r.tier, r.status) for r in data.new_rows] == [
        ("跟踪督办", "已到场"),
        ("跟踪督办", "已先联"),
        ("当场办", "已办结"),
        ("跟踪督办", "已登记"),
    ]
    assert data.new_rows[0].category == "绿化 / 树木遮挡采光"
    assert data.new_rows[0].location == "康乐小区"
    assert data.new_rows[0].registered_at == t1.astimezone(SHANGHAI)

    # Overdue, most late first: L 响应 due T0+5 → 10 d 25 min = 14425 min; M 到场 due T0+5d+19 → 5 d 11 min =
    # 7211 min; S4 响应 due T1+15 → 15 min; S2 到场 due T1+23 → 7 min.
    # Each with the one person who answers for it (专人专责): here the clerk who registered them.
    assert [(r.number, r.extra) for r in data.overdue_rows] == [
        (lamp.number, f"响应超 240 小时 25 分钟 · 责任人 {clerk.name}"),
        (bikes.number, f"到场超 120 小时 11 分钟 · 责任人 {clerk.name}"),
        (noise.number, f"响应超 15 分钟 · 责任人 {clerk.name}"),
        (drain.number, f"到场超 7 分钟 · 责任人 {clerk.name}"),
    ]
    assert [(r.number, r.extra) for r in data.conference_rows] == [(drain.number, "涉及排水所与物业")]

    # Open at R: L, M, S2, S4 past due → RED; S1 in 处置 T1+15 → T1+45, half used → BLUE. S3 is closed.
    assert data.tier_labels == ("当场办", "协同快办", "跟踪督办")
    assert data.colour_labels == ("红色", "橙色", "黄色", "蓝色", "绿色", "无时限")
    assert data.open_counts == ((0, 0, 4), (0, 0, 0), (0, 0, 0), (0, 0, 1), (0, 0, 0), (0, 0, 0))


@pytest.mark.parametrize(
    ("changed_after", "expected"),
    [
        (timedelta(minutes=2), Rate(1, 1)),  # re-triaged while the 响应 deadline ran: the new deadline counts (met)
        (timedelta(minutes=8), Rate(0, 1)),  # re-triaged after it was missed: it stays missed
    ],
)
def test_a_tier_change_cannot_erase_a_missed_deadline(changed_after: timedelta, expected: Rate) -> None:
    registered = utc(22, 2, 0)
    log = Log("T", registered, "楼道堆放易燃杂物，存在火灾隐患。", category="FIRE.CORRIDOR")
    log.then(registered + changed_after, EventType.TIER_CHANGED, to="quick", reason="物业可先行处置")
    log.contact(registered + changed_after + timedelta(minutes=1))
    kpis = compute_kpis([log.events], POLICY, SINCE, REPORT_AT)
    assert kpis.first_contact == expected


# ---------------------------------------------------------------- KPIs that can bear 考核 (issue 16)


def test_switching_tiers_does_not_keep_a_late_first_contact_met() -> None:
    """跟踪督办 → 快办 → 跟踪督办 every 4 minutes, first contact at +16: the 响应 that started at registration (due +5)
    was missed; the switches moved nothing. (They used to restart the clock: "met".)"""
    registered = utc(22, 2, 0)
    log = Log("S", registered, "楼道堆放易燃杂物，存在火灾隐患。", category="FIRE.CORRIDOR")
    for minutes, tier in ((4, "quick"), (8, "tracked"), (12, "quick"), (16, "tracked")):
        log.then(registered + timedelta(minutes=minutes), EventType.TIER_CHANGED, to=tier, reason="重新研判")
    log.contact(registered + timedelta(minutes=16))
    assert compute_kpis([log.events], POLICY, SINCE, REPORT_AT).first_contact == Rate(0, 1)
    [respond, *_] = deadline_outcomes(log.events, POLICY)
    assert (respond.stage, respond.due_at, respond.met) == (Stage.RESPOND, registered + timedelta(minutes=5), False)


def test_changing_to_on_the_spot_does_not_take_a_case_out_of_first_contact() -> None:
    """跟踪督办 → 当场办 at +2 min, contact at +42: a late first contact, counted, not a case without one."""
    registered = utc(22, 2, 0)
    log = Log("O", registered, "咨询电梯轿厢广告屏能否调低音量。", category="PROP.LIFT")
    log.then(registered + timedelta(minutes=2), EventType.TIER_CHANGED, to="on_the_spot", reason="属咨询类")
    log.contact(registered + timedelta(minutes=42))
    assert compute_kpis([log.events], POLICY, SINCE, REPORT_AT).first_contact == Rate(0, 1)


def test_a_case_to_be_answered_at_the_desk_that_goes_out_starts_its_deadline_then() -> None:
    """A 当场办 case reopened by an unsatisfied visit and contacted has no 到场 deadline while the desk can still
    answer it; changed to 快办 10 minutes later, its 到场 deadline starts then (60 min), not at the contact."""
    registered = utc(22, 2, 0)
    log = Log("Q", registered, "咨询垃圾分类投放时间。", category="WASTE.SORT", tier=Tier.ON_THE_SPOT, answer="已告知")
    log.visit(registered + timedelta(hours=1), DEPT, "unsatisfied", "unresolved")
    contacted = registered + timedelta(hours=1, minutes=3)
    log.contact(contacted)
    assert log.state is not None and log.state.running_deadline(POLICY) is None
    log.then(contacted + timedelta(minutes=10), EventType.TIER_CHANGED, to="quick", reason="需物业上门处理")
    on_site = log.state.running_deadline(POLICY)
    assert on_site is not None
    assert (on_site.stage, on_site.started_at, on_site.due_at) == (
        Stage.ON_SITE,
        contacted + timedelta(minutes=10),
        contacted + timedelta(minutes=70),
    )


def test_a_category_correction_does_not_rescue_a_deadline_that_came_due() -> None:
    """处置 due at +45 (on site at +15); at +65, already 20 minutes late, the category is corrected to one with a
    1,440-minute 处置 override; disposed at +90: still missed, and the next stage gets the new category's terms."""
    policy = DeadlinePolicy(by_tier=POLICY.by_tier, by_category={"BUILD.SHED": {"*": {Stage.DISPOSE: 1440}}})
    registered = utc(22, 2, 0)
    log = Log("C2", registered, "自行车棚内有人违章搭建杂物间。", category="FACIL.LAMP")
    log.contact(registered + timedelta(minutes=3)).dispatch(registered + timedelta(minutes=5))
    log.arrive(registered + timedelta(minutes=15))
    log.then(
        registered + timedelta(minutes=65),
        EventType.INTAKE_CORRECTED,
        field="category_code",
        value="BUILD.SHED",
        reason="实为车棚违建",
    )
    assert log.state is not None
    running = log.state.running_deadline(policy)
    assert running is not None and running.due_at == registered + timedelta(minutes=45)
    log.dispose(registered + timedelta(minutes=90))
    outcomes = deadline_outcomes(log.events, policy)
    dispose = next(o for o in outcomes if o.stage is Stage.DISPOSE)
    assert (dispose.due_at, dispose.met) == (registered + timedelta(minutes=45), False)
    # 响应, 到场 met; 处置 missed; 闭环 (+90 → +120, 30 min: BUILD.SHED overrides only 处置) not done: missed.
    assert compute_kpis([log.events], policy, SINCE, REPORT_AT).on_time == Rate(2, 4)


def test_a_late_step_counts_once_in_daily_on_time() -> None:
    """到场 due 11-22 02:18, done only on 11-23 at 09:00: missed in the day it came due, and not counted again in
    the next day's report (it used to be: once at its due time, once when it ended)."""
    registered = utc(22, 2, 0)
    log = Log("L2", registered, "路灯不亮。", category="FACIL.LAMP").contact(registered + timedelta(minutes=3))
    log.dispatch(registered + timedelta(minutes=4)).arrive(utc(23, 9, 0)).dispose(utc(23, 9, 20))
    day_one = compute_kpis([log.events], POLICY, utc(22, 1, 0), utc(23, 1, 0))
    day_two = compute_kpis([log.events], POLICY, utc(23, 1, 0), utc(24, 1, 0))
    assert day_one.on_time == Rate(1, 2)  # 响应 met, 到场 missed (came due 02:18)
    # 处置 09:00 → 09:30 ended 09:20 met; 闭环 09:20 → 09:50 not done: missed. The late 到场 is not here.
    assert day_two.on_time == Rate(1, 2)


def work_order_log(key: str, dispatched_at: datetime, due_at: datetime, received_at: datetime | None = None) -> Log:
    """A 12345 ticket as the centre registers it: its work-order block, registered at its dispatch time, stamped by
    the centre's clock when it was entered (`received_at`, later for a backdated ticket)."""
    log = Log(key, dispatched_at, "隧道出口汽车夜间频繁鸣笛，噪声影响休息。", category="NOISE.TRAFFIC", tier=Tier.QUICK)
    registered = log.events[0]
    block = {"ticket": f"ZX2026112200{key}", "source": "hotline_12345", "urgent": True}
    block |= {"dispatched_at": dispatched_at.isoformat(), "due_at": due_at.isoformat()}
    stamp = HlcStamp(int((received_at or dispatched_at).timestamp() * 1000), 1).encode()
    log.events[0] = replace(registered, payload={**registered.payload, "work_order": block}, hlc=stamp)
    log.state = apply(None, log.events[0])
    return log


def test_a_work_orders_own_due_time_drives_colour_and_the_overdue_list() -> None:
    """An urgent ticket due 21:00, on site at 20:50 (处置 runs to 21:20): at 21:10 it is red and on the 超时 list by
    its ticket, not blue by its stage; disposed at 21:15 its ticket counts missed in 按时率."""
    log = work_order_log("W1", utc(22, 20, 0), utc(22, 21, 0))
    log.contact(utc(22, 20, 3)).dispatch(utc(22, 20, 5)).arrive(utc(22, 20, 50))
    at = utc(22, 21, 10)
    report = build_morning_report(histories({"W1": log}), POLICY, SCHEME, at)
    assert report.open_by_colour[Colour.RED][Tier.QUICK] == 1
    [late] = report.overdue
    assert (late.stage, late.due_at, late.late_by, late.before_received) == (
        Stage.WORK_ORDER,
        utc(22, 21, 0),
        timedelta(minutes=10),
        timedelta(0),
    )
    assert log.state is not None and log.state.stage_deadline(POLICY) is not None  # the stage's own clock still runs
    log.dispose(utc(22, 21, 15))
    outcomes = deadline_outcomes(log.events, POLICY)
    ticket = next(o for o in outcomes if o.stage is Stage.WORK_ORDER)
    assert (ticket.started_at, ticket.due_at, ticket.ended_at, ticket.met) == (
        utc(22, 20, 0),
        utc(22, 21, 0),
        utc(22, 21, 15),
        False,
    )
    # 响应 met (3 min), 到场 met (45 of 60 min), 处置 met (25 of 30 min), the ticket missed; 闭环 still running.
    assert compute_kpis([log.events], POLICY, utc(22, 1, 0), utc(22, 21, 20)).on_time == Rate(3, 4)
    assert log.state.running_deadline(POLICY) == log.state.stage_deadline(POLICY)  # answered: the stage's again


def test_the_report_separates_lateness_from_before_the_station_received_a_ticket() -> None:
    """A ticket dispatched 18:00 and due 19:00 but entered only at 21:00 (backdated): at 21:30 it is 2 h 30 min
    late, 2 h of it before anyone here could act; its 响应 (due 18:05) likewise."""
    log = work_order_log("W2", utc(22, 18, 0), utc(22, 19, 0), received_at=utc(22, 21, 0))
    report = build_morning_report(histories({"W2": log}), POLICY, SCHEME, utc(22, 21, 30))
    [late] = report.overdue
    assert (late.stage, late.late_by, late.before_received) == (
        Stage.RESPOND,
        timedelta(hours=3, minutes=25),
        timedelta(hours=2, minutes=55),
    )


def test_a_grid_patrols_find_with_nobody_to_call_back_has_no_first_contact() -> None:
    """A patrol's dumped sofa with no name or phone: registration starts the on-site clock at once and the case is
    left out of 先联率; the same find reported by a named resident is counted as usual."""
    nobody = Intake.validated(
        channel=Channel.GRID_PATROL,
        category_code="WASTE.BULKY",
        description="巡查发现3号楼东侧绿化带有人丢弃旧沙发。",
        tier=Tier.QUICK,
        phone_required=False,
        anonymous=True,
    )
    drafts = decide_registration("case-P", "JA01-TEST-P", nobody)
    assert [d.type for d in drafts] == [EventType.REGISTERED, EventType.FIRST_CONTACT]
    log = Log("P", utc(22, 2, 0), "巡查发现3号楼东侧绿化带有人丢弃旧沙发。", category="WASTE.BULKY")
    assert log.state is not None and log.state.has_resident  # Log registers by 12345 with a phone
    patrol = [
        replace(event, payload={**event.payload, "channel": "grid_patrol", "phone": "", "anonymous": True})
        if event.type is EventType.REGISTERED
        else event
        for event in log.events
    ]
    patrol.append(replace(log.events[0], id="event-P-contact", type=EventType.FIRST_CONTACT, payload=drafts[1].payload))
    kpis = compute_kpis([patrol], POLICY, SINCE, REPORT_AT)
    assert kpis.first_contact == Rate(0, 0)
    state = None
    for event in patrol:
        state = apply(state, event)
    assert state is not None and not state.has_resident
    deadline = state.running_deadline(POLICY)
    assert deadline is not None and deadline.stage is Stage.ON_SITE


def test_closed_but_not_visited_and_reopened_are_counted_apart() -> None:
    """Three cases closed in the day: one visited and satisfied, one reopened by an unsatisfied visit, one not visited
    yet. 解决率 and 满意率 count the two visited; 未回访 is 1; 重办率 1/3."""
    logs = []
    for key, visit in (("V1", "satisfied"), ("V2", "unsatisfied"), ("V3", None)):
        log = Log(key, utc(22, 2, 0), "楼道灯不亮。", category="FACIL.LAMP").contact(utc(22, 2, 3))
        log.dispatch(utc(22, 2, 4)).arrive(utc(22, 2, 10)).dispose(utc(22, 2, 30)).close(utc(22, 2, 50))
        if visit:
            resolution = "resolved" if visit == "satisfied" else "unresolved"
            log.visit(utc(22, 4, 0), DEPT, visit, resolution)
        else:  # tried twice, nobody answered: 联系不上, counted apart; the visit is still due
            for hour in (4, 6):
                log.then(utc(22, hour, 0), EventType.VISIT_UNREACHABLE, kind=DEPT, note="电话无人接听")
            assert log.state is not None and log.state.status is Status.CLOSED
            assert log.state.pending_follow_up() is FollowUpKind.DEPARTMENT_FEEDBACK
            assert describe_event(log.events[-1]) == "部门反馈回访：联系不上，电话无人接听"
        logs.append(log.events)
    kpis = compute_kpis(logs, POLICY, SINCE, REPORT_AT)
    assert (kpis.resolution, kpis.satisfaction) == (Rate(1, 2), Rate(1, 2))
    assert (kpis.reopened, kpis.not_visited, kpis.unreachable) == (Rate(1, 3), 1, 2)
