"""Deadline policies (51530, 协同快办 one hour), category overrides and five-colour warnings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from gridstation.domain.enums import Channel, Status, Tier
from gridstation.domain.sla import (
    STANDARD_51530,
    Colour,
    ColourScheme,
    DeadlinePolicy,
    Stage,
    default_policy,
    describe_minutes,
)

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
US = timedelta(microseconds=1)

# (status, stage, minutes) for 跟踪督办 under 51530, written out by hand.
TRACKED_EXPECTED = [
    (Status.REGISTERED, Stage.RESPOND, 5),
    (Status.REOPENED, Stage.RESPOND, 5),
    (Status.CONTACTED, Stage.ON_SITE, 15),
    (Status.DISPATCHED, Stage.ON_SITE, 15),
    (Status.ON_SITE, Stage.DISPOSE, 30),
    (Status.DISPOSED, Stage.CLOSE_LOOP, 30),
]
QUICK_EXPECTED = [
    (Status.REGISTERED, Stage.RESPOND, 5),
    (Status.REOPENED, Stage.RESPOND, 5),
    (Status.CONTACTED, Stage.ON_SITE, 60),
    (Status.DISPATCHED, Stage.ON_SITE, 60),
    (Status.ON_SITE, Stage.DISPOSE, 30),
    (Status.DISPOSED, Stage.CLOSE_LOOP, 30),
]


def test_standard_51530_minutes() -> None:
    """51530 is respond 5, on site 15, dispose 30, close the loop 30, no deadline for follow-up."""
    assert STANDARD_51530 == {
        Stage.RESPOND: 5,
        Stage.ON_SITE: 15,
        Stage.DISPOSE: 30,
        Stage.CLOSE_LOOP: 30,
        Stage.FOLLOW_UP: None,
    }


@pytest.mark.parametrize(
    ("tier", "status", "stage", "minutes"),
    [(Tier.TRACKED, *row) for row in TRACKED_EXPECTED] + [(Tier.QUICK, *row) for row in QUICK_EXPECTED],
)
def test_deadline_per_stage_and_tier(tier: Tier, status: Status, stage: Stage, minutes: int) -> None:
    """Each open status has the deadline of its stage under the default policy, counted from the stage start."""
    started = T0 + timedelta(minutes=7)
    deadline = default_policy().deadline(tier, "NOISE.TRAFFIC", Channel.WALK_IN, status, started)
    assert deadline is not None
    assert deadline.stage is stage
    assert deadline.started_at == started
    assert deadline.due_at == started + timedelta(minutes=minutes)


@pytest.mark.parametrize("tier", list(Tier))
@pytest.mark.parametrize("status", [Status.CLOSED, Status.FOLLOWED_UP])
def test_finished_cases_have_no_running_deadline(tier: Tier, status: Status) -> None:
    """Closed cases wait for follow-up without a deadline; followed-up cases are done."""
    assert default_policy().deadline(tier, "GREEN.LIGHT", Channel.WALK_IN, status, T0) is None


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.CONTACTED, Status.CLOSED, Status.FOLLOWED_UP])
def test_on_the_spot_cases_have_no_deadline_at_the_desk(status: Status) -> None:
    """当场办 is answered at the desk, so it has no deadline while the desk can close it (or once closed)."""
    assert default_policy().deadline(Tier.ON_THE_SPOT, "GREEN.LIGHT", Channel.WALK_IN, status, T0) is None


@pytest.mark.parametrize(
    ("status", "minutes"),
    [(Status.REOPENED, 5), (Status.DISPATCHED, 15), (Status.ON_SITE, 30), (Status.DISPOSED, 30)],
)
def test_reopened_on_the_spot_case_runs_on_deadlines(status: Status, minutes: int) -> None:
    """Once a follow-up reopens a 当场办 case and it goes out into the field, each stage has its deadline."""
    deadline = default_policy().deadline(Tier.ON_THE_SPOT, "GREEN.LIGHT", Channel.WALK_IN, status, T0)
    assert deadline is not None and deadline.due_at == T0 + timedelta(minutes=minutes)


def test_promised_response_on_receipts() -> None:
    """A receipt promises the first deadline the desk counts: on site for a walk-in or a call at the desk (first
    contact is the registration), first contact for a case that came in any other way."""
    policy = default_policy()
    for channel in (Channel.WALK_IN, Channel.PHONE_CALL):
        assert policy.promised_response_minutes(Tier.QUICK, "DRAIN.COVER", channel) == 60
        assert policy.promised_response_minutes(Tier.TRACKED, "DRAIN.COVER", channel) == 15
    for channel in (Channel.HOTLINE_12345, Channel.QR_REPORT):
        assert policy.promised_response_minutes(Tier.QUICK, "DRAIN.COVER", channel) == 5
        assert policy.promised_response_minutes(Tier.TRACKED, "DRAIN.COVER", channel) == 5
    assert policy.promised_response_minutes(Tier.ON_THE_SPOT, "DRAIN.COVER", Channel.HOTLINE_12345) == 5


def overridden_policy() -> DeadlinePolicy:
    base = default_policy()
    return DeadlinePolicy(
        by_tier=base.by_tier,
        by_category={
            # Horns at a tunnel exit: traffic police need longer to get there for 协同快办.
            "NOISE.TRAFFIC": {"quick": {Stage.ON_SITE: 120}, "*": {Stage.DISPOSE: 60, Stage.ON_SITE: 45}},
            # Illegal structures in bicycle sheds: the loop is closed with the housing office, no deadline.
            "BUILD.SHED": {"*": {Stage.CLOSE_LOOP: None}},
        },
    )


@pytest.mark.parametrize(
    ("tier", "category", "stage", "minutes"),
    [
        (Tier.QUICK, "NOISE.TRAFFIC", Stage.ON_SITE, 120),  # the tier's own override wins over "*"
        (Tier.TRACKED, "NOISE.TRAFFIC", Stage.ON_SITE, 45),  # "*" applies to tiers without their own
        (Tier.QUICK, "NOISE.TRAFFIC", Stage.DISPOSE, 60),  # "*" fills stages the tier override lacks
        (Tier.TRACKED, "NOISE.TRAFFIC", Stage.DISPOSE, 60),
        (Tier.TRACKED, "NOISE.TRAFFIC", Stage.RESPOND, 5),  # stages not overridden keep the tier value
        (Tier.QUICK, "NOISE.NEIGH", Stage.ON_SITE, 60),  # other categories are untouched
        (Tier.TRACKED, "NOISE", Stage.ON_SITE, 15),  # overrides are per exact code
        (Tier.TRACKED, "BUILD.SHED", Stage.CLOSE_LOOP, None),  # an override may remove a deadline
        (Tier.TRACKED, "BUILD.SHED", Stage.DISPOSE, 30),
    ],
)
def test_category_overrides(tier: Tier, category: str, stage: Stage, minutes: int | None) -> None:
    """Lookup order: category override for the tier, then for "*", then the tier's own minutes."""
    assert overridden_policy().minutes(tier, category, stage, None) == minutes


def test_category_override_changes_the_deadline_and_can_remove_it() -> None:
    """A category override is what deadline() uses; a None override means no running deadline."""
    policy = overridden_policy()
    quick = policy.deadline(Tier.QUICK, "NOISE.TRAFFIC", Channel.WALK_IN, Status.DISPATCHED, T0)
    assert quick is not None and quick.due_at == T0 + timedelta(hours=2)
    assert policy.deadline(Tier.TRACKED, "BUILD.SHED", Channel.WALK_IN, Status.DISPOSED, T0) is None
    assert policy.promised_response_minutes(Tier.QUICK, "NOISE.TRAFFIC", Channel.WALK_IN) == 120


# ---------------------------------------------------------------- five colours at their boundaries


@pytest.mark.parametrize("minutes", [5, 7, 15, 30, 60, 90])
@pytest.mark.parametrize(
    ("share", "before", "at"),
    [
        (0.5, Colour.GREEN, Colour.BLUE),
        (0.75, Colour.BLUE, Colour.YELLOW),
        (0.9, Colour.YELLOW, Colour.ORANGE),
    ],
)
def test_colour_changes_exactly_at_its_share(minutes: int, share: float, before: Colour, at: Colour) -> None:
    """Exactly 50 %, 75 % and 90 % used switch colour; one microsecond earlier is still the lower colour."""
    scheme = ColourScheme()
    started = T0 + timedelta(seconds=13, microseconds=250_000)
    due = started + timedelta(minutes=minutes)
    boundary = started + timedelta(seconds=minutes * 60 * share)
    assert scheme.colour_for(started, due, boundary - US) is before
    assert scheme.colour_for(started, due, boundary) is at


@pytest.mark.parametrize("minutes", [5, 15, 30, 60])
def test_exactly_at_deadline_is_orange_and_one_microsecond_later_red(minutes: int) -> None:
    """The deadline instant itself is still orange; a microsecond past it is red."""
    scheme = ColourScheme()
    due = T0 + timedelta(minutes=minutes)
    assert scheme.colour_for(T0, due, T0) is Colour.GREEN
    assert scheme.colour_for(T0, due, due) is Colour.ORANGE
    assert scheme.colour_for(T0, due, due + US) is Colour.RED
    assert scheme.colour_for(T0, due, due + timedelta(days=3)) is Colour.RED


def test_zero_length_deadline_is_orange_then_red() -> None:
    """A zero-minute deadline is fully used at once: orange at the instant, red after."""
    scheme = ColourScheme()
    assert scheme.colour_for(T0, T0, T0) is Colour.ORANGE
    assert scheme.colour_for(T0, T0, T0 + US) is Colour.RED


def test_custom_thresholds_are_honoured() -> None:
    """A station's own thresholds move the colour boundaries."""
    scheme = ColourScheme(blue_from=0.3, yellow_from=0.6, orange_from=0.8)
    due = T0 + timedelta(minutes=10)
    assert scheme.colour_for(T0, due, T0 + timedelta(minutes=3) - US) is Colour.GREEN
    assert scheme.colour_for(T0, due, T0 + timedelta(minutes=3)) is Colour.BLUE
    assert scheme.colour_for(T0, due, T0 + timedelta(minutes=6)) is Colour.YELLOW
    assert scheme.colour_for(T0, due, T0 + timedelta(minutes=8)) is Colour.ORANGE
    assert scheme.band_floor(Colour.YELLOW) == 0.6
    assert scheme.band_floor(Colour.RED) == 1.0


@pytest.mark.parametrize(
    ("blue", "yellow", "orange"),
    [(0.0, 0.5, 0.9), (0.5, 0.5, 0.9), (0.8, 0.75, 0.9), (0.5, 0.9, 0.9), (0.5, 0.75, 1.0), (-0.1, 0.5, 0.9)],
)
def test_colour_scheme_rejects_thresholds_out_of_order(blue: float, yellow: float, orange: float) -> None:
    """Thresholds must satisfy 0 < blue < yellow < orange < 1."""
    with pytest.raises(ValueError):
        ColourScheme(blue_from=blue, yellow_from=yellow, orange_from=orange)


def test_colour_scheme_json_round_trip() -> None:
    """A custom scheme survives to_json → JSON text → from_json unchanged."""
    scheme = ColourScheme(
        blue_from=0.4,
        yellow_from=0.7,
        orange_from=0.95,
        hex_colours={**ColourScheme().hex_colours, Colour.RED: "#ff0000", Colour.GREEN: "#00aa00"},
    )
    again = ColourScheme.from_json(json.loads(json.dumps(scheme.to_json())))
    assert again == scheme
    assert again.hex_colours[Colour.RED] == "#ff0000"


def test_colour_scheme_from_partial_json_uses_defaults() -> None:
    """Missing keys fall back to the defaults; invalid thresholds in JSON are still rejected."""
    default = ColourScheme()
    partial = ColourScheme.from_json({"orange_from": 0.85, "colours": {"blue": "#0000ff"}})
    assert partial.blue_from == default.blue_from
    assert partial.orange_from == 0.85
    assert partial.hex_colours[Colour.BLUE] == "#0000ff"
    assert partial.hex_colours[Colour.RED] == default.hex_colours[Colour.RED]
    assert ColourScheme.from_json({}) == default
    with pytest.raises(ValueError):
        ColourScheme.from_json({"blue_from": 0.95})


@pytest.mark.parametrize("policy", [default_policy(), overridden_policy()], ids=["default", "overrides"])
def test_deadline_policy_json_round_trip(policy: DeadlinePolicy) -> None:
    """A policy (with None stages and category overrides) survives to_json → JSON text → from_json."""
    text = json.dumps(policy.to_json(), ensure_ascii=False)
    again = DeadlinePolicy.from_json(json.loads(text))
    assert again == policy
    for tier in Tier:
        for stage in Stage:
            for category in ("NOISE.TRAFFIC", "BUILD.SHED", "GREEN.LIGHT"):
                for channel in (None, *Channel):
                    assert again.minutes(tier, category, stage, channel) == policy.minutes(
                        tier, category, stage, channel
                    )


def test_deadline_policy_from_json_rejects_unknown_stage() -> None:
    """A policy naming a stage that does not exist is rejected rather than silently ignored."""
    with pytest.raises(ValueError):
        DeadlinePolicy.from_json({"by_tier": {"tracked": {"lunch_break": 60}}})


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 分钟"),
        (1, "1 分钟"),
        (5, "5 分钟"),
        (59, "59 分钟"),
        (60, "1 小时"),
        (90, "1 小时 30 分钟"),
        (120, "2 小时"),
        (1439, "23 小时 59 分钟"),
        (1440, "1 天"),
        (2880, "2 天"),
        (1500, "25 小时"),
    ],
)
def test_describe_minutes(minutes: int, text: str) -> None:
    """Minutes are worded for receipts in 分钟, 小时 and 天."""
    assert describe_minutes(minutes) == text
