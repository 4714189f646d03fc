"""Writes the demo station through StationService: the station, its staff, then the planned cases event by event.

The station's clock is replaced by one this module moves forward, which backdates the events over the past ten
days; the events of all cases are written in the order of their times, as real use would have produced them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gridstation.domain.enums import EventType, Tier
from gridstation.services.core import utc_now
from gridstation.services.demo.data import DemoData, load_demo_data
from gridstation.services.demo.planner import CasePlan, Step, plan_cases
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService

DAYS_BACK = 10


@dataclass(slots=True)
class _Clock:
    """The demo's wall time: moved by hand while building, then the live (or given) clock."""

    current: datetime
    live: Callable[[], datetime] | None = None

    def __call__(self) -> datetime:
        return self.live() if self.live is not None else self.current


def create_demo_station(
    data_dir: Path,
    *,
    cases: int = 80,
    now: datetime | Callable[[], datetime] | None = None,
    seed: int = 7,
) -> StationService:
    """Create and fill a demo station in `data_dir`, which must not hold a station yet.

    `now` is the moment the demo ends (a datetime, or a clock to keep using afterwards); events are spread
    over the ten days before it. With 17 or more cases every status, channel and tier appears, and in-progress
    cases include both fresh ones and overdue (red) ones. The returned service runs on the live clock, or on
    `now` if it was given.
    """
    data = load_demo_data()  # before the station exists: a malformed data file leaves no half-built station
    live: Callable[[], datetime]
    if now is None:
        live = utc_now
    elif isinstance(now, datetime):
        fixed = now if now.tzinfo else now.replace(tzinfo=UTC)
        live = lambda: fixed  # noqa: E731
    else:
        live = now
    end = live()
    start = end - timedelta(days=DAYS_BACK, hours=1)
    clock = _Clock(start)
    service = StationService(Path(data_dir), now=clock)
    try:
        _fill(service, clock, end, max(0, cases), seed, data)
    except BaseException:
        service.close()
        raise
    clock.live = live
    return service


def _fill(service: StationService, clock: _Clock, end: datetime, count: int, seed: int, data: DemoData) -> None:
    station, staff = data.station, data.staff
    service.initialise(
        code=station.code,
        name=station.name,
        admin_name=staff.admin.name,
        admin_pin=staff.admin.pin,
        sub_district=station.sub_district,
        contact_phone=station.contact_phone,
        timezone=station.timezone,
    )
    admin = service.sign_in(staff.admin.name, staff.admin.pin)
    for account in (staff.clerk, staff.grid_chief):
        clock.current += timedelta(minutes=2)
        service.add_staff(admin, account.name, account.role, account.pin)
    members: dict[str, StaffMember] = {staff.admin.name: admin}
    for account in (staff.clerk, staff.grid_chief):
        clock.current += timedelta(minutes=1)
        members[account.name] = service.sign_in(account.name, account.pin)
    service.seed_knowledge()  # the sample articles of resources/knowledge, as a centre would send them (F1 at intake)

    plans = plan_cases(
        count,
        data=data,
        seed=seed,
        compounds=service.compounds(),
        policy=service.deadline_policy(),
        end=end,
        earliest=clock.current + timedelta(minutes=30),
    )
    case_ids = [""] * len(plans)

    schedule: list[tuple[datetime, int, int, CasePlan, Step | None]] = []
    for index, plan in enumerate(plans):
        schedule.append((plan.registered_at, index, -1, plan, None))
        for order, step in enumerate(plan.steps):
            at = plan.registered_at + timedelta(minutes=step.offset)
            if at < end:
                schedule.append((at, index, order, plan, step))
    schedule.sort(key=lambda item: (item[0], item[1], item[2]))
    for at, index, _order, plan, maybe_step in schedule:
        clock.current = max(clock.current, at)
        if maybe_step is None:
            case_ids[index] = service.register_case(members[plan.actor.name], plan.intake).id
        else:
            service.record(members[maybe_step.actor.name], case_ids[index], maybe_step.event, maybe_step.payload)
    clock.current = end
    # The grid chief puts the oldest open cross-department cases on the weekly hard-case conference (难题会诊).
    hard = [
        (plan, case_id)
        for plan, case_id in zip(plans, case_ids, strict=True)
        if case_id and plan.intake.tier is Tier.TRACKED and service.case(case_id).is_open
    ]
    for _plan, case_id in sorted(hard, key=lambda pair: pair[0].registered_at)[:2]:
        service.record(
            members[staff.grid_chief.name],
            case_id,
            EventType.CONFERENCE_FLAGGED,
            {"flagged": True, "reason": data.phrases.conference},
        )
