"""A walk-in resident (or a call taken at the desk) is in contact while the case is registered: the registration
records first contact, the counter does not turn red for a missing 先联, and the receipt promises the deadline the
desk then counts (issue 14, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gridstation.domain.case import fold
from gridstation.domain.enums import Channel, EventType, Status, Tier
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import decide_registration, legal_actions
from gridstation.domain.listing import CaseQuery
from gridstation.domain.sla import Colour, Stage, describe_minutes, first_stage
from gridstation.printing.paperwork import Paperwork
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock
from tests.support.complaints import complaint

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
FACE_TO_FACE = (Channel.WALK_IN, Channel.PHONE_CALL)
ELSEWHERE = (Channel.HOTLINE_12345, Channel.QR_REPORT, Channel.PETITION_DISPATCH, Channel.GRID_PATROL)


def registered(channel: Channel, tier: Tier = Tier.QUICK) -> tuple[list[EventType], Status]:
    drafts = decide_registration("case-1", "JA01-20261123-0001-X", complaint(0, tier, channel))
    events = [
        Event(
            id=f"e{n}", case_id=d.case_id, type=d.type, payload=d.payload, occurred_at=T0, hlc=f"{n:04d}",
            station_code="JA01", actor_id="clerk", actor_name="李明",
        )
        for n, d in enumerate(drafts)
    ]
    return [d.type for d in drafts], fold(events).status


@pytest.mark.parametrize("channel", FACE_TO_FACE)
@pytest.mark.parametrize("tier", [Tier.QUICK, Tier.TRACKED])
def test_registering_a_resident_at_the_desk_records_first_contact(channel: Channel, tier: Tier) -> None:
    types, status = registered(channel, tier)
    assert types == [EventType.REGISTERED, EventType.FIRST_CONTACT]
    assert status is Status.CONTACTED
    assert first_stage(channel) is Stage.ON_SITE


@pytest.mark.parametrize("channel", ELSEWHERE)
def test_a_case_from_elsewhere_still_waits_for_first_contact(channel: Channel) -> None:
    types, status = registered(channel)
    assert types == [EventType.REGISTERED] and status is Status.REGISTERED
    assert first_stage(channel) is Stage.RESPOND


def test_an_on_the_spot_walk_in_is_closed_at_once_as_before() -> None:
    types, status = registered(Channel.WALK_IN, Tier.ON_THE_SPOT)
    assert types == [EventType.REGISTERED, EventType.CLOSED] and status is Status.CLOSED


def test_the_counter_does_not_turn_red_for_a_missing_first_contact(
    service: StationService, clerk: StaffMember, clock: FakeClock
) -> None:
    walk_in = service.register_case(clerk, complaint(0, Tier.QUICK, Channel.WALK_IN))
    hotline = service.register_case(clerk, complaint(1, Tier.QUICK, Channel.HOTLINE_12345))
    assert walk_in.first_contact_at == walk_in.registered_at
    assert EventType.FIRST_CONTACT not in legal_actions(walk_in)
    assert [e.type for e in service.timeline(walk_in.id)] == [EventType.REGISTERED, EventType.FIRST_CONTACT]

    clock.advance(minutes=10)  # past the 5-minute 先联 deadline, well inside the 1-hour on-site one
    red = {s.id for s in service.search(CaseQuery(colours=frozenset({Colour.RED})))}
    assert hotline.id in red and walk_in.id not in red
    summary = next(s for s in service.search(CaseQuery()) if s.id == walk_in.id)
    assert summary.sla_due_at == walk_in.registered_at + timedelta(hours=1)


@pytest.mark.parametrize(
    ("channel", "tier", "promise"),
    [
        (Channel.WALK_IN, Tier.QUICK, "1 小时内响应"),
        (Channel.PHONE_CALL, Tier.TRACKED, "15 分钟内响应"),
        (Channel.HOTLINE_12345, Tier.QUICK, "5 分钟内响应"),
    ],
)
def test_the_receipt_promises_the_deadline_the_desk_counts(
    service: StationService, clerk: StaffMember, channel: Channel, tier: Tier, promise: str
) -> None:
    state = service.register_case(clerk, complaint(0, tier, channel))
    policy = service.deadline_policy()
    deadline = policy.deadline(state.tier, state.category_code, state.channel, state.status, state.stage_started_at)
    assert deadline is not None and state.stage_started_at is not None
    counted = int((deadline.due_at - state.stage_started_at) / timedelta(minutes=1))
    assert Paperwork(service).receipt(state.id).promise == promise == f"{describe_minutes(counted)}内响应"
    assert policy.promised_response_minutes(state.tier, state.category_code, state.channel) == counted

