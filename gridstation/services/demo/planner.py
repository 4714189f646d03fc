"""Decides what the demo's cases are: each one's intake, the steps of its lifecycle, and when it was registered.

Pure: no database and no clock. The same data, seed, compounds, deadline policy and end give the same plans, which
`build.py` then writes through StationService.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gridstation.domain.case import Intake
from gridstation.domain.enums import (
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    Resolution,
    Satisfaction,
    Status,
    Tier,
)
from gridstation.domain.lifecycle import contacted_at_registration
from gridstation.domain.reference import Compound
from gridstation.domain.sla import (
    STAGE_FOR_STATUS,
    DeadlinePolicy,
    Stage,
)
from gridstation.services.demo.data import DemoAccount, DemoData, Template

# The demo's templates know the five channels a station had before calls at the desk (来电) were told apart from
# walk-ins; dealing only those keeps the demo's cases what they were.
_ALL_CHANNELS: tuple[Channel, ...] = tuple(channel for channel in Channel if channel is not Channel.PHONE_CALL)

# In-progress targets get a "fresh" case (within its deadline) and an overdue one; the rest cover the
# finished states and each tier. Channels are dealt round-robin (and every template of the first five
# slots' tiers accepts each channel), so the first five cases cover them all.
_COVERAGE: tuple[tuple[Status, bool, Tier], ...] = (
    (Status.REGISTERED, True, Tier.QUICK),
    (Status.CONTACTED, True, Tier.TRACKED),
    (Status.DISPATCHED, False, Tier.QUICK),
    (Status.ON_SITE, True, Tier.TRACKED),
    (Status.DISPOSED, False, Tier.TRACKED),
    (Status.CLOSED, False, Tier.ON_THE_SPOT),
    (Status.REOPENED, True, Tier.QUICK),
    (Status.FOLLOWED_UP, False, Tier.TRACKED),
    (Status.REGISTERED, False, Tier.TRACKED),
    (Status.CONTACTED, False, Tier.QUICK),
    (Status.DISPATCHED, True, Tier.TRACKED),
    (Status.ON_SITE, False, Tier.QUICK),
    (Status.DISPOSED, True, Tier.QUICK),
    (Status.FOLLOWED_UP, False, Tier.ON_THE_SPOT),
    (Status.REOPENED, False, Tier.TRACKED),
    (Status.CLOSED, False, Tier.QUICK),
    (Status.FOLLOWED_UP, False, Tier.QUICK),
)
_FRESH_SHARES = (0.2, 0.6, 0.82, 0.95, 0.35)
_ORDER = (Status.REGISTERED, Status.CONTACTED, Status.DISPATCHED, Status.ON_SITE, Status.DISPOSED, Status.CLOSED)


@dataclass(slots=True)
class Step:
    offset: float  # minutes after registration
    actor: DemoAccount
    event: EventType
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CasePlan:
    intake: Intake
    actor: DemoAccount
    steps: list[Step]
    registered_at: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))


def plan_cases(
    count: int,
    *,
    data: DemoData,
    seed: int,
    compounds: Sequence[Compound],
    policy: DeadlinePolicy,
    end: datetime,
    earliest: datetime,
) -> list[CasePlan]:
    """`count` cases registered between `earliest` and `end`; the first seventeen cover every state and tier.

    `compounds` are the station's (the demo's fallback compound if there are none); `policy` its deadlines,
    which decide which cases are still fresh and which are overdue at `end`.
    """
    planner = _Planner(
        data,
        random.Random(seed),
        list(compounds) or [Compound(data.station.fallback_compound, "")],
        policy,
        end,
        earliest,
    )
    return [planner.plan(index) for index in range(count)]


class _Planner:
    """Decides each case's intake and lifecycle, and when it was registered."""

    def __init__(
        self,
        data: DemoData,
        rng: random.Random,
        compounds: list[Compound],
        policy: DeadlinePolicy,
        end: datetime,
        earliest: datetime,
    ) -> None:
        self.data = data
        self.rng = rng
        self.compounds = compounds
        self.end = end
        self.earliest = earliest
        self.policy = policy
        self.zone = ZoneInfo(data.station.timezone)
        self.deck: list[Template] = []
        self.fresh_dealt = -1

    # -------------------------------------------------------------- choosing what happened

    def plan(self, index: int) -> CasePlan:
        rng = self.rng
        staff = self.data.staff
        channel = _ALL_CHANNELS[index % len(_ALL_CHANNELS)]
        if index < len(_COVERAGE):
            target, fresh, tier = _COVERAGE[index]
        else:
            target, fresh = self._random_target()
            tier = rng.choices(list(Tier), weights=[2, 5, 4])[0]
            if tier is Tier.ON_THE_SPOT and target not in (Status.CLOSED, Status.FOLLOWED_UP):
                tier = Tier.QUICK
        template = self._template(tier, channel)
        if channel not in template.channels:
            channel = rng.choice(template.channels)
        intake = self._intake(template, tier, channel)
        if channel is Channel.GRID_PATROL:
            actor = staff.grid_chief
        else:
            actor = rng.choice((staff.clerk, staff.clerk, staff.clerk, staff.admin))
        extras = target in (Status.CLOSED, Status.FOLLOWED_UP) and rng.random() < 0.3
        steps = self._lifecycle(template, intake, target, extras=extras)
        plan = CasePlan(intake, actor, steps)
        plan.registered_at = self._registration_time(plan, target, fresh, channel)
        if not fresh or target in (Status.CLOSED, Status.FOLLOWED_UP):
            self._follow_ups_in_daytime(plan)
        return plan

    def _random_target(self) -> tuple[Status, bool]:
        statuses = [*_ORDER, Status.FOLLOWED_UP, Status.REOPENED]
        weights = [5, 4, 4, 3, 3, 14, 30, 2]
        target = self.rng.choices(statuses, weights=weights)[0]
        return target, self.rng.random() < 0.5

    def _template(self, tier: Tier, channel: Channel) -> Template:
        """Templates are dealt from a shuffled deck, so each one is used before any repeats."""
        templates = self.data.templates
        fits = [t for t in templates if tier in t.tiers]
        for _ in range(2):
            if not self.deck:
                self.deck = list(templates)
                self.rng.shuffle(self.deck)
            for need_channel in (True, False):
                for i, template in enumerate(self.deck):
                    if template in fits and (channel in template.channels or not need_channel):
                        return self.deck.pop(i)
            self.deck = []
        return self.rng.choice(fits)

    def _intake(self, template: Template, tier: Tier, channel: Channel) -> Intake:
        rng = self.rng
        residents = self.data.residents
        compound = rng.choice(self.compounds)
        building = rng.choice(residents.buildings)
        description = template.text.format(p=f"{compound.name}{building}", c=compound.name, b=building)
        anonymous = channel is Channel.QR_REPORT and rng.random() < 0.4
        name = phone = ""
        if channel is not Channel.GRID_PATROL and not anonymous:
            name = rng.choice(residents.surnames) + rng.choice(residents.given_names)
            phone_format = residents.mobile_phone if rng.random() < 0.8 else residents.landline_phone
            phone = phone_format.format(tail=rng.randrange(10000))
        if channel is Channel.GRID_PATROL:
            description = self.data.phrases.patrol_prefix + description
        address = ""
        if name:
            floor = rng.randrange(1, residents.floors + 1)
            door = rng.randrange(1, residents.doors_per_floor + 1)
            address = residents.room.format(floor=floor, door=door)
        return Intake.validated(
            channel=channel,
            category_code=template.category,
            description=description,
            tier=tier,
            compound=compound.name,
            building=building if "{p}" in template.text or "{b}" in template.text else "",
            address=address,
            grid_code=compound.grid_code,
            complainant_name=name,
            phone=phone,
            anonymous=anonymous,
            answer=template.answer if tier is Tier.ON_THE_SPOT else "",
            phone_required=channel is not Channel.GRID_PATROL,
        )

    def _minutes(self, intake: Intake, tier: Tier, stage: Stage) -> float:
        minutes = self.policy.minutes(tier, intake.category_code, stage, intake.channel)
        return float(minutes) if minutes is not None else 30.0

    def _lifecycle(self, template: Template, intake: Intake, target: Status, *, extras: bool) -> list[Step]:
        """The steps after registration that lead to `target`, with realistic gaps (a few steps run late).

        With `extras`, a finished case also gets a note, a corrected building or a re-triage.
        """
        rng = self.rng
        phrases = self.data.phrases
        clerk, grid_chief = self.data.staff.clerk, self.data.staff.grid_chief
        steps: list[Step] = []
        t = 0.0
        tier = intake.tier
        assignee = (rng.choice(template.assignees) if template.assignees else self.data.default_assignee).format(
            c=intake.compound
        )
        extra = rng.choice(("note", "note", "correct", "tier")) if extras else ""
        patrol = intake.channel is Channel.GRID_PATROL

        def add(gap: float, actor: DemoAccount, event: EventType, payload: dict[str, Any]) -> None:
            nonlocal t
            t += max(gap, 0.2)
            steps.append(Step(t, actor, event, payload))

        def gap(low: float, high: float, stage: Stage) -> float:
            if rng.random() < 0.1:  # this step ran late
                return self._minutes(intake, tier, stage) + rng.uniform(2, 40)
            return rng.uniform(low, high)

        def work_through(last: Status, *, contact_note: str = "") -> None:
            nonlocal tier, extra
            upto = _ORDER.index(last)
            # A walk-in's registration is its first contact (domain/lifecycle.py): only a reopened one needs another.
            if upto >= 1 and (contact_note or not contacted_at_registration(intake)):
                note = contact_note or (phrases.contact_by_phone if intake.phone else phrases.contact_on_site)
                add(gap(1, 4, Stage.RESPOND), clerk, EventType.FIRST_CONTACT, {"note": note})
            if extra == "tier" and upto >= 2:
                # The grid chief re-triages after first contact; the on-site clock follows the new tier.
                tier = Tier.TRACKED if tier is Tier.QUICK else Tier.QUICK
                reason = phrases.retriage_to_tracked if tier is Tier.TRACKED else phrases.retriage_to_quick
                add(rng.uniform(0.3, 1), grid_chief, EventType.TIER_CHANGED, {"to": str(tier), "reason": reason})
                extra = ""
            if upto >= 2:
                add(rng.uniform(0.5, 3), grid_chief, EventType.DISPATCHED, {"assignee": assignee})
            if upto >= 3:
                low, high = (4, 11) if tier is Tier.TRACKED else (15, 50)
                add(
                    gap(low, high, Stage.ON_SITE),
                    grid_chief,
                    EventType.ARRIVED_ON_SITE,
                    {"note": phrases.arrived.format(assignee=assignee)},
                )
            planned = False
            if upto >= 4:
                planned = bool(template.plan) and rng.random() < 0.4
                add(
                    gap(8, 27, Stage.DISPOSE),
                    grid_chief,
                    EventType.DISPOSED,
                    {
                        "outcome": str(DisposalOutcome.PLAN if planned else DisposalOutcome.RESOLVED),
                        "note": template.plan if planned else (template.disposal or phrases.disposed),
                    },
                )
            if upto >= 5:
                if patrol:
                    answer = phrases.closing_patrol_planned if planned else phrases.closing_patrol_resolved
                elif planned:
                    answer = phrases.closing_planned
                else:
                    answer = template.answer or phrases.closing_resolved
                add(gap(5, 25, Stage.CLOSE_LOOP), clerk, EventType.CLOSED, {"answer": answer})

        def follow_up(kind: FollowUpKind, satisfaction: Satisfaction, hours: tuple[float, float]) -> None:
            resolution = Resolution.UNRESOLVED if satisfaction is Satisfaction.UNSATISFIED else Resolution.RESOLVED
            visitor = assignee if kind is FollowUpKind.DEPARTMENT_FEEDBACK else clerk.name
            who = phrases.follow_up_patrol_neighbours if patrol else phrases.follow_up_resident
            note = phrases.follow_up_notes[satisfaction].format(who=who)
            add(
                rng.uniform(*hours) * 60,
                clerk,
                EventType.FOLLOW_UP,
                {
                    "kind": str(kind),
                    "satisfaction": str(satisfaction),
                    "resolution": str(resolution),
                    "note": note,
                    "visitor": visitor[:40],
                },
            )

        if extra == "correct" and intake.building:
            new_building = rng.choice([b for b in self.data.residents.buildings if b != intake.building])
            add(
                rng.uniform(0.3, 1),
                clerk,
                EventType.INTAKE_CORRECTED,
                {
                    "field": "building",
                    "value": new_building,
                    "reason": phrases.building_corrected,
                },
            )
        good = (Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
        if target in _ORDER[:5]:
            work_through(target)
            return steps
        if tier is not Tier.ON_THE_SPOT:
            work_through(Status.CLOSED)
        if extra == "note" and steps:
            add(
                rng.uniform(30, 300),
                rng.choice((clerk, self.data.staff.admin)),
                EventType.NOTE_ADDED,
                {"note": rng.choice(phrases.progress_notes)},
            )
        if target is Status.REOPENED:
            follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.UNSATISFIED, (18, 40))
            return steps
        if target is Status.CLOSED:
            if rng.random() < 0.5:  # the department has called back; the station's own revisit is still due
                follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, rng.choice(good), (18, 40))
            return steps
        if tier is not Tier.ON_THE_SPOT and rng.random() < 0.15:
            # Reopened once after an unsatisfied call, then handled again.
            follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.UNSATISFIED, (18, 30))
            work_through(Status.CLOSED, contact_note=phrases.contact_again)
        follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, rng.choice(good), (18, 40))
        follow_up(FollowUpKind.STATION_REVISIT, rng.choice(good), (20, 50))
        return steps

    # -------------------------------------------------------------- choosing when

    def _registration_time(self, plan: CasePlan, target: Status, fresh: bool, channel: Channel) -> datetime:
        """Fresh in-progress cases end just inside their current deadline; the rest sit somewhere in the past."""
        rng = self.rng
        span = plan.steps[-1].offset if plan.steps else 0.0
        # A walk-in planned to stay "registered" is in fact contacted at registration: its on-site deadline runs.
        contacted = contacted_at_registration(plan.intake)
        stage = (Stage.ON_SITE if contacted else Stage.RESPOND) if target is Status.REGISTERED else None
        stage = stage or STAGE_FOR_STATUS.get(target)
        running = stage is not None and target not in (Status.CLOSED, Status.FOLLOWED_UP)
        if running and stage is not None:
            # The running stage keeps the tier it started under: a re-triage after first contact (the planner's
            # only one) sets the terms from 处置 on, not of the on-site stage it happens in.
            tier = plan.intake.tier
            if target not in (Status.REGISTERED, Status.CONTACTED, Status.DISPATCHED):
                for step in plan.steps:
                    if step.event is EventType.TIER_CHANGED:
                        tier = Tier(step.payload["to"])
            limit = self._minutes(plan.intake, tier, stage)
            if fresh:
                # Deal the used share of the deadline so fresh cases show green, blue, yellow and orange.
                self.fresh_dealt += 1
                share = _FRESH_SHARES[self.fresh_dealt % len(_FRESH_SHARES)] + rng.uniform(-0.03, 0.03)
                since_last = share * limit
                return self.end - timedelta(minutes=span + since_last)
            latest = self.end - timedelta(minutes=span + limit + rng.uniform(10, 600))
        else:
            latest = self.end - timedelta(minutes=span + rng.uniform(5, 120))
        return self._daytime_between(self.earliest, latest, channel)

    def _follow_ups_in_daytime(self, plan: CasePlan) -> None:
        """Move follow-up calls made at night to the next morning, unless that would run past the demo's end."""
        shift = 0.0
        shifted: list[float] = []
        for step in plan.steps:
            if step.event is EventType.FOLLOW_UP:
                local = (plan.registered_at + timedelta(minutes=step.offset + shift)).astimezone(self.zone)
                if not time(9) <= local.time() <= time(19):
                    morning = datetime.combine(local.date(), time(9), self.zone)
                    if local.time() > time(19):
                        morning += timedelta(days=1)
                    shift += (morning - local).total_seconds() / 60 + self.rng.uniform(0, 150)
            shifted.append(step.offset + shift)
        if shifted and plan.registered_at + timedelta(minutes=shifted[-1]) < self.end - timedelta(minutes=5):
            for step, offset in zip(plan.steps, shifted, strict=True):
                step.offset = offset

    def _daytime_between(self, earliest: datetime, latest: datetime, channel: Channel) -> datetime:
        """A moment in the station's opening hours (the hotline and QR reports also come in the evening)."""
        rng = self.rng
        if latest <= earliest:
            return earliest
        opens, closes = (
            (time(7, 30), time(21, 30))
            if channel in (Channel.HOTLINE_12345, Channel.QR_REPORT)
            else (time(8, 30), time(17, 30))
        )
        first_day = earliest.astimezone(self.zone).date()
        days = (latest.astimezone(self.zone).date() - first_day).days
        for _ in range(40):
            day = first_day + timedelta(days=rng.randint(0, days))
            lo = datetime.combine(day, opens, self.zone)
            hi = datetime.combine(day, closes, self.zone)
            moment = (lo + (hi - lo) * rng.random()).astimezone(UTC)
            if earliest <= moment <= latest:
                return moment
        return earliest + (latest - earliest) * rng.random()
