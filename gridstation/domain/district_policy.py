"""The district's deadline policy (issue 16): one policy for every station, set at the 城运中心, versioned, and sent
to the stations by sync. A station may only tighten it: its own policy (`gridstation settings set deadlines`) may
allow less time than the district's for any step, never more, and the policy it runs is, step by step, the stricter
of the two (`tightest`).

A policy is edited at the centre as TOML (`gridstation-server policy show|set FILE.toml`, the console's 时限标准
page). TOML has no null, so a step with no deadline is written `false`; otherwise the document is checked exactly as
a station's own JSON one is (`domain/sla_document.py`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gridstation.domain.enums import CHANNEL_LABELS, TIER_LABELS, Channel, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.sla import POLICY_STAGES, STAGE_LABELS, ChannelRules, DeadlinePolicy, Stage
from gridstation.domain.sla_document import policy_from_document

NO_DEADLINE_WORDS = ("none", "无")


def _stricter(a: int | None, b: int | None) -> int | None:
    """The shorter of two allowances; None (no deadline) gives way to any number."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _codes(*policies: DeadlinePolicy) -> list[str]:
    return sorted({code for policy in policies for code in policy.category_codes()})


def _channels(*policies: DeadlinePolicy) -> list[Channel]:
    return [channel for channel in Channel if any(channel in policy.by_channel for policy in policies)]


MinutesOf = Callable[[Tier, str, Stage], int | None]


def _tables(minutes_of: MinutesOf, codes: Sequence[str]) -> tuple[dict[str, dict[Stage, int | None]], dict[str, Any]]:
    """Every tier's full table by `minutes_of`, and the categories (of `codes`) where a step differs from it."""
    by_tier = {str(tier): {stage: minutes_of(tier, "", stage) for stage in POLICY_STAGES} for tier in Tier}
    by_category: dict[str, dict[str, dict[Stage, int | None]]] = {}
    for code in codes:
        for tier in Tier:
            for stage in POLICY_STAGES:
                minutes = minutes_of(tier, code, stage)
                if minutes != by_tier[str(tier)][stage]:
                    by_category.setdefault(code, {}).setdefault(str(tier), {})[stage] = minutes
    return by_tier, by_category


def tightest(district: DeadlinePolicy, local: DeadlinePolicy | None) -> DeadlinePolicy:
    """Step by step, tier by tier, category by category and channel by channel, the stricter of the two policies.

    A channel either policy has rules for gets full tables of its own in the result (its rules come before the
    categories, so the stricter value for each of its categories has to be written within the channel)."""
    if local is None:
        return district
    codes = _codes(district, local)

    def stricter_for(channel: Channel | None) -> MinutesOf:
        def minutes_of(tier: Tier, code: str, stage: Stage) -> int | None:
            return _stricter(district.minutes(tier, code, stage, channel), local.minutes(tier, code, stage, channel))

        return minutes_of

    by_tier, by_category = _tables(stricter_for(None), codes)
    by_channel = {}
    for channel in _channels(district, local):
        tables, categories = _tables(stricter_for(channel), codes)
        by_channel[channel] = ChannelRules(by_tier=tables, by_category=categories)
    return DeadlinePolicy(
        by_tier={Tier(tier): stages for tier, stages in by_tier.items()},
        by_category=by_category,
        by_channel=by_channel,
    )


def looser_than(local: DeadlinePolicy, district: DeadlinePolicy) -> list[str]:
    """Where `local` allows more time than the district does (a station may only tighten), as people read it:
    "协同快办·到场 90 分钟（街道标准 60 分钟）". A step is named once, at the widest level where it shows: a category
    or channel that follows its tier's values is not repeated."""

    def both(tier: Tier, code: str, stage: Stage, channel: Channel | None) -> tuple[int | None, int | None]:
        return local.minutes(tier, code, stage, channel), district.minutes(tier, code, stage, channel)

    found = []
    for channel in [None, *_channels(district, local)]:
        for code in ["", *_codes(district, local)]:
            for tier in Tier:
                for stage in POLICY_STAGES:
                    mine, theirs = both(tier, code, stage, channel)
                    if code and (mine, theirs) == both(tier, "", stage, channel):
                        continue
                    if channel and (mine, theirs) == both(tier, code, stage, None):
                        continue
                    if theirs is not None and (mine is None or mine > theirs):
                        where = (f"{CHANNEL_LABELS[channel]}·" if channel else "") + (f"{code}·" if code else "")
                        allowed = "不限" if mine is None else f"{mine} 分钟"
                        step = f"{where}{TIER_LABELS[tier]}·{STAGE_LABELS[stage]}"
                        found.append(f"{step} {allowed}（街道标准 {theirs} 分钟）")
    return sorted(set(found))


def refuse_looser(local: DeadlinePolicy, district: DeadlinePolicy, version: int) -> None:
    looser = looser_than(local, district)
    if looser:
        shown = "；".join(looser[:3]) + ("等" if len(looser) > 3 else "")
        raise DomainError(
            "settings.looser_than_district",
            f"本站时限标准只能比街道标准（第 {version} 版）更严，不能放宽：{shown}。",
            field="deadlines",
        )


def policy_from_toml(text: str, source: str) -> DeadlinePolicy:
    """A policy written as TOML; refused with a Chinese message naming the line or the field."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DomainError("policy.not_toml", f"时限标准文件不是有效的 TOML：{source}（{err}）") from err
    return policy_from_document(_nulls(document))


def _nulls(value: Any) -> Any:
    """`false` (or "none", "无") where a step has no deadline, as JSON's null."""
    if isinstance(value, Mapping):
        return {key: _nulls(item) for key, item in value.items()}
    if value is False or (isinstance(value, str) and value.strip().lower() in NO_DEADLINE_WORDS):
        return None
    return value


def policy_to_toml(policy: DeadlinePolicy, header: str = "") -> str:
    """The policy as TOML that `policy_from_toml` reads back unchanged (a step with no deadline is `false`)."""
    lines = [f"# {line}" for line in header.splitlines()]

    def stages(values: Mapping[Stage, int | None]) -> list[str]:
        shown = {stage: "false" if values[stage] is None else str(values[stage]) for stage in values}
        return [f"{stage} = {shown[stage]}" for stage in POLICY_STAGES if stage in shown]

    for tier in Tier:
        lines += ["", f"[by_tier.{tier}]", *stages(policy.by_tier.get(tier, {}))]
    for code, tiers in sorted(policy.by_category.items()):
        for key, values in tiers.items():
            lines += ["", f'[by_category."{code}"."{key}"]', *stages(values)]
    for channel, rules in policy.by_channel.items():
        comment = f"# {CHANNEL_LABELS[channel]}：本渠道自己的时限，先于分类和处置方式的时限"
        tables = [(f'[by_channel.{channel}."{key}"]', values) for key, values in rules.by_tier.items()]
        tables += [
            (f'[by_channel.{channel}.by_category."{code}"."{key}"]', values)
            for code, tiers in sorted(rules.by_category.items())
            for key, values in tiers.items()
        ]
        for index, (header, values) in enumerate(tables):
            lines += ["", *([comment] if index == 0 else []), header, *stages(values)]
    return "\n".join(lines).lstrip("\n") + "\n"
