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
from collections.abc import Mapping
from typing import Any

from gridstation.domain.enums import TIER_LABELS, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.sla import POLICY_STAGES, STAGE_LABELS, DeadlinePolicy, Stage
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
    return sorted({code for policy in policies for code in policy.by_category})


def tightest(district: DeadlinePolicy, local: DeadlinePolicy | None) -> DeadlinePolicy:
    """Step by step, tier by tier and category by category, the stricter of the two policies."""
    if local is None:
        return district
    by_tier = {
        tier: {
            stage: _stricter(district.minutes(tier, "", stage), local.minutes(tier, "", stage))
            for stage in POLICY_STAGES
        }
        for tier in Tier
    }
    by_category: dict[str, dict[str, dict[Stage, int | None]]] = {}
    for code in _codes(district, local):
        for tier in Tier:
            for stage in POLICY_STAGES:
                minutes = _stricter(district.minutes(tier, code, stage), local.minutes(tier, code, stage))
                if minutes != by_tier[tier][stage]:
                    by_category.setdefault(code, {}).setdefault(str(tier), {})[stage] = minutes
    return DeadlinePolicy(by_tier=by_tier, by_category=by_category)


def looser_than(local: DeadlinePolicy, district: DeadlinePolicy) -> list[str]:
    """Where `local` allows more time than the district does (a station may only tighten), as people read it:
    "协同快办·到场 90 分钟（街道标准 60 分钟）"."""
    found = []
    for code in ["", *_codes(district, local)]:
        for tier in Tier:
            for stage in POLICY_STAGES:
                if code and not (_overrides(local, code, tier, stage) or _overrides(district, code, tier, stage)):
                    continue  # the category follows the tier there: said once, on the tier's line
                mine, theirs = local.minutes(tier, code, stage), district.minutes(tier, code, stage)
                if theirs is not None and (mine is None or mine > theirs):
                    where = f"{code}·" if code else ""
                    allowed = "不限" if mine is None else f"{mine} 分钟"
                    step = f"{where}{TIER_LABELS[tier]}·{STAGE_LABELS[stage]}"
                    found.append(f"{step} {allowed}（街道标准 {theirs} 分钟）")
    return sorted(set(found))


def _overrides(policy: DeadlinePolicy, code: str, tier: Tier, stage: Stage) -> bool:
    tiers = policy.by_category.get(code, {})
    return stage in tiers.get(str(tier), {}) or stage in tiers.get("*", {})


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
    return "\n".join(lines).lstrip("\n") + "\n"
