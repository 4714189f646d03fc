"""Deadline policies ("51530" and the 1-hour rule for 协同快办) and five-colour warnings (五色管理).

A case has at most one running deadline: the one for the stage it is in. Each stage's clock starts
when the case enters the stage. Policies are plain data so a station can configure them; see
docs/sla.md for the defaults and how to change them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from gridstation.domain.enums import Channel, Status, Tier


class Stage(StrEnum):
    RESPOND = "respond"  # first contact (先联) after registration or reopening
    ON_SITE = "on_site"  # someone on site after first contact
    DISPOSE = "dispose"  # disposed, or a plan for it, after arriving
    CLOSE_LOOP = "close_loop"  # loop closed with the resident after disposal
    FOLLOW_UP = "follow_up"  # follow-up visits after closing (optional)
    # Not a stage of the policy: a work order's own due time (12345, 信访), from its dispatch to its first disposal.
    WORK_ORDER = "work_order"


# The stages a deadline policy sets minutes for (a policy document names each of them).
POLICY_STAGES: tuple[Stage, ...] = (Stage.RESPOND, Stage.ON_SITE, Stage.DISPOSE, Stage.CLOSE_LOOP, Stage.FOLLOW_UP)

STAGE_LABELS: dict[Stage, str] = {
    Stage.RESPOND: "响应",
    Stage.ON_SITE: "到场",
    Stage.DISPOSE: "处置",
    Stage.CLOSE_LOOP: "闭环",
    Stage.FOLLOW_UP: "回访",
    Stage.WORK_ORDER: "工单时限",
}

STAGE_FOR_STATUS: dict[Status, Stage] = {
    Status.REGISTERED: Stage.RESPOND,
    Status.REOPENED: Stage.RESPOND,
    Status.CONTACTED: Stage.ON_SITE,
    Status.DISPATCHED: Stage.ON_SITE,
    Status.ON_SITE: Stage.DISPOSE,
    Status.DISPOSED: Stage.CLOSE_LOOP,
    Status.CLOSED: Stage.FOLLOW_UP,
}

# The sub-district's "51530" standard, in minutes.
STANDARD_51530: dict[Stage, int | None] = {
    Stage.RESPOND: 5,
    Stage.ON_SITE: 15,
    Stage.DISPOSE: 30,
    Stage.CLOSE_LOOP: 30,
    Stage.FOLLOW_UP: None,
}


# A resident standing at the desk, or on the line with the clerk, is in contact while the case is registered: the
# registration records first contact (先联) at once, and the first deadline that runs is the on-site one.
CONTACTED_AT_REGISTRATION: frozenset[Channel] = frozenset({Channel.WALK_IN, Channel.PHONE_CALL})


def first_stage(channel: Channel) -> Stage:
    """The stage a case is in right after registration."""
    return Stage.ON_SITE if channel in CONTACTED_AT_REGISTRATION else Stage.RESPOND


class Colour(StrEnum):
    NONE = "none"  # no running deadline (closed and followed up, or on-the-spot)
    GREEN = "green"
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


COLOUR_LABELS: dict[Colour, str] = {
    Colour.NONE: "无时限",
    Colour.GREEN: "绿",
    Colour.BLUE: "蓝",
    Colour.YELLOW: "黄",
    Colour.ORANGE: "橙",
    Colour.RED: "红",
}


_MICROSECOND = timedelta(microseconds=1)


def used_share(started_at: datetime, due_at: datetime, now: datetime) -> float:
    """The share of a deadline used at `now`: 1.0 for a deadline with no length.

    Computed from whole microseconds with one division, so the database's colour filter, which does the
    same integer arithmetic on stored timestamps, agrees with `ColourScheme.colour_for` at every boundary.
    """
    span = (due_at - started_at) // _MICROSECOND
    if span <= 0:
        return 1.0
    return ((now - started_at) // _MICROSECOND) / span


@dataclass(frozen=True, slots=True)
class ColourScheme:
    """Five colours by the share of the current deadline used.

    A case is GREEN below `blue_from`, BLUE from `blue_from`, YELLOW from `yellow_from`, ORANGE from
    `orange_from` up to and including the deadline itself, and RED once the deadline has passed.
    """

    blue_from: float = 0.5
    yellow_from: float = 0.75
    orange_from: float = 0.9
    hex_colours: Mapping[Colour, str] = field(
        default_factory=lambda: {
            Colour.NONE: "#9e9e9e",
            Colour.GREEN: "#2e7d32",
            Colour.BLUE: "#1565c0",
            Colour.YELLOW: "#f9a825",
            Colour.ORANGE: "#ef6c00",
            Colour.RED: "#c62828",
        }
    )

    def __post_init__(self) -> None:
        if not 0 < self.blue_from < self.yellow_from < self.orange_from < 1:
            raise ValueError("colour thresholds must satisfy 0 < blue < yellow < orange < 1")

    def band_floor(self, colour: Colour) -> float:
        """The share of the deadline used at which `colour` starts (RED starts strictly after 1)."""
        return {
            Colour.GREEN: 0.0,
            Colour.BLUE: self.blue_from,
            Colour.YELLOW: self.yellow_from,
            Colour.ORANGE: self.orange_from,
            Colour.RED: 1.0,
        }[colour]

    def colour_for(self, started_at: datetime, due_at: datetime, now: datetime) -> Colour:
        if now > due_at:
            return Colour.RED
        used = used_share(started_at, due_at, now)
        if used >= self.orange_from:
            return Colour.ORANGE
        if used >= self.yellow_from:
            return Colour.YELLOW
        if used >= self.blue_from:
            return Colour.BLUE
        return Colour.GREEN

    def to_json(self) -> dict[str, Any]:
        return {
            "blue_from": self.blue_from,
            "yellow_from": self.yellow_from,
            "orange_from": self.orange_from,
            "colours": {str(k): v for k, v in self.hex_colours.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColourScheme:
        default = cls()
        colours = dict(default.hex_colours)
        colours.update({Colour(k): str(v) for k, v in data.get("colours", {}).items()})
        return cls(
            blue_from=float(data.get("blue_from", default.blue_from)),
            yellow_from=float(data.get("yellow_from", default.yellow_from)),
            orange_from=float(data.get("orange_from", default.orange_from)),
            hex_colours=colours,
        )


def band_starts(scheme: ColourScheme, started_at: datetime, due_at: datetime) -> dict[Colour, datetime]:
    """The first instant (to the microsecond) at which a deadline shows BLUE, YELLOW and ORANGE: exactly where
    `scheme.colour_for` changes colour, so that comparing these with the time now filters by colour."""
    span = (due_at - started_at) // _MICROSECOND
    starts: dict[Colour, datetime] = {}
    for colour in (Colour.BLUE, Colour.YELLOW, Colour.ORANGE):
        if span <= 0:  # a deadline with no length is used up at once (`used_share`)
            starts[colour] = started_at
            continue
        floor = scheme.band_floor(colour)
        elapsed = math.ceil(floor * span)
        # The float product may round either way: settle on the least whole count whose share reaches the floor.
        while elapsed > 0 and (elapsed - 1) / span >= floor:
            elapsed -= 1
        while elapsed / span < floor:
            elapsed += 1
        starts[colour] = started_at + elapsed * _MICROSECOND
    return starts


def answered_at_the_desk(tier: Tier, status: Status) -> bool:
    """当场办 is answered at the desk: no deadline while the desk can still close it at once (registered or
    contacted). Once a follow-up reopens it and it goes out to be dispatched, it runs like any case."""
    return tier is Tier.ON_THE_SPOT and status in (Status.REGISTERED, Status.CONTACTED)


@dataclass(frozen=True, slots=True)
class Deadline:
    stage: Stage
    started_at: datetime
    due_at: datetime


StageMinutes = Mapping[Stage, int | None]
# Tables keyed by a tier's value or ALL_TIERS ("*", every tier).
TierTables = Mapping[str, StageMinutes]
ALL_TIERS = "*"
_UNSET = object()


def _looked_up(tables: TierTables, tier: Tier, stage: Stage) -> object:
    """The minutes `tables` set for `stage` of `tier` (the tier's own table first, then "*"), or _UNSET."""
    for key in (str(tier), ALL_TIERS):
        if key in tables and stage in tables[key]:
            return tables[key][stage]
    return _UNSET


def _stages_to_json(stages: StageMinutes) -> dict[str, int | None]:
    return {str(stage): minutes for stage, minutes in stages.items()}


def _stages_from_json(raw: Mapping[str, Any]) -> dict[Stage, int | None]:
    return {Stage(s): (None if m is None else int(m)) for s, m in raw.items()}


def _tables_to_json(tables: TierTables) -> dict[str, dict[str, int | None]]:
    return {key: _stages_to_json(stages) for key, stages in tables.items()}


def _tables_from_json(raw: Mapping[str, Any]) -> dict[str, dict[Stage, int | None]]:
    return {str(key): _stages_from_json(stages) for key, stages in raw.items()}


@dataclass(frozen=True, slots=True)
class ChannelRules:
    """A channel's own steps (码上就来's five-minute first response, 信访's statutory limits): tables per tier or
    for every tier ("*"), and per category code within the channel. Only the steps named here differ from the
    district-wide tables; they come first, because a channel's rule is a promise made outside the sub-district (the
    platform's, or the law's) that a category override must not loosen."""

    by_tier: TierTables = field(default_factory=dict)
    by_category: Mapping[str, TierTables] = field(default_factory=dict)

    def lookup(self, tier: Tier, category_code: str, stage: Stage) -> object:
        found = _looked_up(self.by_category.get(category_code, {}), tier, stage)
        return _looked_up(self.by_tier, tier, stage) if found is _UNSET else found

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = _tables_to_json(self.by_tier)
        if self.by_category:
            document["by_category"] = {code: _tables_to_json(tables) for code, tables in self.by_category.items()}
        return document

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChannelRules:
        tables = {key: value for key, value in data.items() if key != "by_category"}
        categories = data.get("by_category", {})
        return cls(
            by_tier=_tables_from_json(tables),
            by_category={code: _tables_from_json(value) for code, value in categories.items()},
        )


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """Minutes allowed per stage, per tier, with a channel's own rules and overrides per category code.

    Lookup order for a stage: the case's channel rules (its category override, then its tier table, `ChannelRules`),
    then the category override for the tier, the category override for all tiers (tier key "*"), the tier's own
    value. `None` means the stage has no deadline.
    """

    by_tier: Mapping[Tier, StageMinutes]
    by_category: Mapping[str, TierTables] = field(default_factory=dict)
    by_channel: Mapping[Channel, ChannelRules] = field(default_factory=dict)
    # The versions in force before this one, oldest first: (until, policy) — a deadline whose stage started before
    # `until` keeps that version's terms, so a new policy plans the deadlines to come and a past report reads as it
    # did (issue 16). Not part of the policy's JSON: kept apart, as a history (`with_history`).
    earlier: tuple[tuple[datetime, DeadlinePolicy], ...] = ()

    def minutes(self, tier: Tier, category_code: str, stage: Stage, channel: Channel | None) -> int | None:
        """The minutes for `stage`; `channel` None asks the district-wide tables only (no channel's own rule)."""
        rules = None if channel is None else self.by_channel.get(channel)
        if rules is not None:
            found = rules.lookup(tier, category_code, stage)
            if found is not _UNSET:
                return found  # type: ignore[return-value]  # _looked_up only returns stored minutes or _UNSET
        found = _looked_up(self.by_category.get(category_code, {}), tier, stage)
        if found is not _UNSET:
            return found  # type: ignore[return-value]
        return self.by_tier.get(tier, {}).get(stage)

    def category_codes(self) -> set[str]:
        """Every category code the policy names, district-wide or within a channel."""
        codes = set(self.by_category)
        for rules in self.by_channel.values():
            codes |= set(rules.by_category)
        return codes

    def deadline(
        self, tier: Tier, category_code: str, channel: Channel, status: Status, stage_started_at: datetime
    ) -> Deadline | None:
        """The deadline of the stage `status` is in, started at `stage_started_at` under `tier` and `category_code`
        (a case's are `CaseState.running_deadline`: the terms its stage started under, not its current ones)."""
        if answered_at_the_desk(tier, status):
            return None
        stage = STAGE_FOR_STATUS.get(status)
        if stage is None:
            return None
        minutes = self.in_force_at(stage_started_at).minutes(tier, category_code, stage, channel)
        if minutes is None:
            return None
        return Deadline(stage, stage_started_at, stage_started_at + timedelta(minutes=minutes))

    def in_force_at(self, moment: datetime) -> DeadlinePolicy:
        """The version whose terms a deadline started at `moment` keeps."""
        for until, version in self.earlier:
            if moment < until:
                return version
        return self

    def with_history(self, history: Sequence[tuple[datetime, DeadlinePolicy]]) -> DeadlinePolicy:
        """This policy with the versions before it: `history` is (in force from, policy), oldest first, this one
        last (its start is where the previous version ends)."""
        earlier = tuple((history[i + 1][0], history[i][1]) for i in range(len(history) - 1))
        return replace(self, earlier=earlier)

    def promised_response_minutes(self, tier: Tier, category_code: str, channel: Channel) -> int | None:
        """What a receipt promises the resident: the deadline the desk counts first once the case is registered.

        For a walk-in or a call taken at the desk that is the on-site deadline (first contact is the registration
        itself); for a case that came in any other way, the deadline for first contact.
        """
        return self.minutes(tier, category_code, first_stage(channel), channel)

    def to_json(self) -> dict[str, Any]:
        return {
            "by_tier": {str(t): _stages_to_json(stages) for t, stages in self.by_tier.items()},
            "by_category": {code: _tables_to_json(tiers) for code, tiers in self.by_category.items()},
            "by_channel": {str(channel): rules.to_json() for channel, rules in self.by_channel.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeadlinePolicy:
        return cls(
            by_tier={Tier(t): _stages_from_json(v) for t, v in data.get("by_tier", {}).items()},
            by_category={code: _tables_from_json(tiers) for code, tiers in data.get("by_category", {}).items()},
            by_channel={Channel(ch): ChannelRules.from_json(v) for ch, v in data.get("by_channel", {}).items()},
        )


# 信访工作条例 (2022): whether a petition is accepted is decided and told within 15 days; an accepted one is handled
# and answered within 60 days. The station's steps within those 60: 15 days to be on site, 30 to dispose, 15 to
# close the loop with the petitioner.
PETITION_STATUTORY_MINUTES: dict[Stage, int | None] = {
    Stage.RESPOND: 15 * 1440,
    Stage.ON_SITE: 15 * 1440,
    Stage.DISPOSE: 30 * 1440,
    Stage.CLOSE_LOOP: 15 * 1440,
}
# 码上就来: the platform promises the resident who scanned the code a first response within five minutes.
QR_REPORT_FIRST_RESPONSE_MINUTES = 5


def default_policy() -> DeadlinePolicy:
    """51530 for tracked cases; 协同快办 gives the grid worker or property one hour to respond on site; 码上就来's
    five-minute first response and 信访's statutory limits as their channels' own rules."""
    quick = dict(STANDARD_51530)
    quick[Stage.ON_SITE] = 60
    return DeadlinePolicy(
        by_tier={
            Tier.ON_THE_SPOT: dict(STANDARD_51530),
            Tier.QUICK: quick,
            Tier.TRACKED: dict(STANDARD_51530),
        },
        by_channel={
            Channel.QR_REPORT: ChannelRules(by_tier={ALL_TIERS: {Stage.RESPOND: QR_REPORT_FIRST_RESPONSE_MINUTES}}),
            Channel.PETITION_DISPATCH: ChannelRules(by_tier={ALL_TIERS: dict(PETITION_STATUTORY_MINUTES)}),
        },
    )


def describe_minutes(minutes: int) -> str:
    """'5 分钟' / '1 小时' / '1 小时 30 分钟' / '2 天': used on receipts and in the desk."""
    if minutes > 0 and minutes % 1440 == 0:
        return f"{minutes // 1440} 天"
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")
    return f"{minutes} 分钟"
