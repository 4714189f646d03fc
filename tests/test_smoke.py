"""The station opens, numbers a case and finds it again."""

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, Tier
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.case_search import CaseQuery


def test_register_and_find(service: StationService, clerk: StaffMember) -> None:
    """A walk-in is numbered for today's local date and found by a Chinese word."""
    intake = Intake.validated(channel=Channel.WALK_IN, category_code="DRAIN.COVER", tier=Tier.QUICK,
                              description="绿化带下的污水井盖被土盖住，下雨天积水倒灌", phone="13800138000")
    state = service.register_case(clerk, intake)
    assert state.number.startswith("JA01-20261123-0001-")
    assert [c.id for c in service.search(CaseQuery(text="污水井盖"))] == [state.id]
