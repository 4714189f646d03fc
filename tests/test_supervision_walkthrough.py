"""Issue 16's walkthrough, with the fake clock the desk and the in-process centre share: one 跟踪督办 case goes yellow
(预警催办) → red (超时升级, and onto the 难题会诊 agenda, being 跟踪督办) → the conference decides (minutes, owner, due)
→ the decision's due time passes (会诊决定超期) → the case is worked and closed at the desk → the supervision pass has
nothing more to say. Every supervision event is checked at the server and in the station's timeline, and the KPIs of
the day against figures worked out by hand."""

from __future__ import annotations

from datetime import timedelta

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType, Tier
from gridstation.domain.report import Rate, compute_kpis
from gridstation.domain.timeline import describe_event
from gridstation.server.dispatch_views import DecisionRequest
from gridstation.server.visibility import Principal
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.sync import Centre, Desk

CENTRE = Principal("u-centre", "centre", ConsoleRole.CENTRE)


def test_one_case_from_yellow_to_closed(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    start = clock.current
    case = desk.station.register_case(desk.clerk, complaint(0, Tier.TRACKED))  # 5 minutes to 先联
    assert desk.sync.run().ok

    def levels_now() -> list[str]:
        return [str(r.level) for r in centre.service.supervise().recorded]

    clock.current = start + timedelta(minutes=4)  # 80 % of the 响应 deadline: yellow
    assert levels_now() == ["urge"]
    clock.current = start + timedelta(minutes=6)  # past it: red; a 跟踪督办 case late goes to the conference
    assert levels_now() == ["escalate", "agenda"]
    assert levels_now() == []  # the pass again: nothing

    [item] = centre.service.conference_agenda(CENTRE)
    assert item.state.number == case.number
    due = start + timedelta(days=2)
    decision = DecisionRequest(
        attendees=["区建管委", "街道城管中队"], decision="限期拆除违建", owner="街道城管中队", due=due,
        idempotency_key="walkthrough-decision",
    )  # fmt: skip
    centre.service.decide_conference(CENTRE, case.number, decision)

    # At the desk the work goes on: 先联 (late), dispatch, on site, disposed.
    clock.current = start + timedelta(minutes=10)
    assert desk.sync.run().ok
    desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    clock.current = start + timedelta(minutes=12)
    desk.station.record(desk.clerk, case.id, EventType.DISPATCHED, {"assignee": "街道城管中队"})
    clock.current = start + timedelta(minutes=20)  # on site 10 minutes after contact: within 15
    desk.station.record(desk.clerk, case.id, EventType.ARRIVED_ON_SITE, {"note": "城管中队到场"})
    assert desk.sync.run().ok

    clock.current = due + timedelta(minutes=1)  # the decision's due time has passed with the case still open
    # The 处置 deadline (30 minutes from on site) passed long ago: escalated too; the agenda flag is already set.
    assert sorted(levels_now()) == ["decision_overdue", "escalate"]
    assert levels_now() == []

    disposed_at = due + timedelta(minutes=5)
    clock.current = disposed_at
    assert desk.sync.run().ok
    desk.station.record(desk.clerk, case.id, EventType.DISPOSED, {"outcome": "resolved", "note": "违建已拆除"})
    clock.current = disposed_at + timedelta(minutes=20)  # within the 30-minute 闭环
    desk.station.record(desk.clerk, case.id, EventType.CLOSED, {"answer": "违建已拆除，已告知居民"})
    assert desk.sync.run().ok
    assert levels_now() == []  # closed: nothing more to supervise

    lines = [describe_event(e) for e in desk.station.timeline(case.id)]
    supervised = [line for line in lines if line.startswith("督办：")]
    assert [line.split("（")[0] for line in supervised] == [
        "督办：预警催办",  # +4
        "督办：超时升级",  # +6, the 响应 deadline
        "督办：列入难题会诊",  # +6, a 跟踪督办 case late
        "督办：超时升级",  # due + 1 minute, the 处置 deadline (the pass records it first)
        "督办：会诊决定超期",  # due + 1 minute
    ]
    assert any(line.startswith("难题会诊决定：限期拆除违建") for line in lines)
    assert desk.station.case(case.id).conference_flagged

    # KPIs over the whole period, by hand: 先联 at +10 against +5: missed (0/1). Deadlines: 响应 missed (ended +10,
    # due +5); 到场 met (+10 → +20, due +25); 处置 missed (+20 → due+5, due +50); 闭环 met (20 of 30 minutes); the
    # follow-up stage has no deadline. 按时 2/4. No visit yet: 解决率, 满意率 0/0; closed once, not visited: 未回访 1.
    histories = desk.station.histories_since(start - timedelta(days=1))
    kpis = compute_kpis(histories.values(), desk.station.deadline_policy(), start, clock.current + timedelta(minutes=1))
    assert kpis.first_contact == Rate(0, 1)
    assert kpis.on_time == Rate(2, 4)
    assert (kpis.resolution, kpis.satisfaction, kpis.not_visited, kpis.reopened) == (
        Rate(0, 0),
        Rate(0, 0),
        1,
        Rate(0, 1),
    )
