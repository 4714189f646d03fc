"""Residents' complaints as the desk registers them: the intake behind most cases the tests make."""

from __future__ import annotations

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock

COMPLAINTS = (
    ("GREEN.LIGHT", "枫林苑 3 号楼前香樟树过高，遮挡二楼住户采光，希望修剪。"),
    ("GREEN.DAMAGE", "康乐小区绿化带下窨井盖被泥土和落叶堵住，下雨积水。"),
    ("GREEN.TRIM", "梅园新村 12 号楼旁树枝伸进阳台，请安排修剪。"),
)


def complaint(index: int = 0, tier: Tier = Tier.QUICK, channel: Channel = Channel.HOTLINE_12345) -> Intake:
    """A resident's complaint (one of COMPLAINTS, by index) that still waits for first contact (先联): passed on by
    the 12345 hotline unless `channel` says otherwise."""
    category, description = COMPLAINTS[index % len(COMPLAINTS)]
    return Intake.validated(
        channel=channel,
        category_code=category,
        description=description,
        tier=tier,
        compound="枫林苑",
        building="3号楼",
        phone="13812341234",
        complainant_name="张伟",
        answer="已当场解释政策" if tier is Tier.ON_THE_SPOT else "",
    )


def walk_in(index: int = 0, tier: Tier = Tier.QUICK) -> Intake:
    """A resident's complaint told at the desk: registering it records first contact (issue 14, item 4)."""
    return complaint(index, tier, Channel.WALK_IN)


def resident(answer: str = "当场解释了政策") -> Intake:
    """A walk-in answered on the spot (closed at once), with everything that identifies the resident."""
    return Intake.validated(
        channel=Channel.WALK_IN,
        category_code="GREEN.LIGHT",
        description="枫林苑 3 号楼前香樟树过高，遮挡采光。",
        tier=Tier.ON_THE_SPOT,
        compound="枫林苑",
        building="3号楼",
        address="1201室",
        phone="13812341234",
        complainant_name="张伟",
        answer=answer,
    )


def walk_to_closed(
    service: StationService, actor: StaffMember, clock: FakeClock, case_id: str, result: str = "已处理完毕"
) -> None:
    """First contact, dispatch, on site, disposed with `result` (its 处置情况), closed: four minutes a step."""
    for event_type, payload in (
        (EventType.FIRST_CONTACT, {"note": "已电话联系居民"}),
        (EventType.DISPATCHED, {"assignee": "绿化市容所", "note": "请安排处理"}),
        (EventType.ARRIVED_ON_SITE, {"note": "工作人员到场"}),
        (EventType.DISPOSED, {"outcome": "resolved", "note": result}),
        (EventType.CLOSED, {"answer": "已向居民反馈"}),
    ):
        clock.advance(minutes=4)
        service.record(actor, case_id, event_type, payload)
