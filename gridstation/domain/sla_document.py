"""Reading a deadline policy or colour bands that a person wrote or edited (`gridstation settings set …`).

The stored policy is read leniently (`DeadlinePolicy.from_json`): it was checked when it was saved. A file from
outside is checked strictly first, because anything missing from it would silently mean "no deadline": a stray
`{"respond": 5}` once wiped every deadline of a station. So a document is accepted only when it is a complete
policy — every tier with every stage — or the whole output of `gridstation settings show`, whose "deadlines"
section is then taken. Anything else is refused with a Chinese message naming the field, before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from gridstation.domain.enums import CHANNEL_LABELS, Channel, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.sla import ALL_TIERS, POLICY_STAGES, ChannelRules, Colour, ColourScheme, DeadlinePolicy, Stage

# A year: longer than any deadline a station has, and short enough that a due time can always be computed.
MAX_DEADLINE_MINUTES = 365 * 24 * 60

# The sections `gridstation settings show` prints besides "deadlines"; a policy document may carry them along.
SHOW_SECTIONS = frozenset({"deadlines", "colours", "retention", "idle_lock", "district_policy"})
POLICY_FIELDS = ("by_tier", "by_category", "by_channel")


def _refuse(code: str, detail: str, **params: Any) -> DomainError:
    return DomainError(code, f"设置文件内容不正确：{detail}（格式见 docs/sla.md）", **params)


def _shown(value: Any) -> str:
    """A value as the person wrote it in the file: 'abc', 5.5, true, {…}."""
    if isinstance(value, str):
        return f"'{value}'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "{…}" if isinstance(value, dict) else "[…]"
    return str(value)


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _refuse("settings.not_object", f"{path} 应为 JSON 对象，收到 {_shown(value)}", field=path)
    return value


def _unknown(keys: Mapping[str, Any], allowed: frozenset[str] | tuple[str, ...], path: str) -> None:
    extra = sorted(str(key) for key in keys if key not in allowed)
    if extra:
        name = f"{path}.{extra[0]}" if path else extra[0]
        raise _refuse("settings.unknown_field", f"设置中有未知字段：{name}", field=name)


def _minutes(value: Any, path: str) -> int | None:
    # bool is an int in Python, but `true` in a policy file is a mistake, not one minute.
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DEADLINE_MINUTES:
        return value
    raise _refuse(
        "settings.bad_minutes",
        f"{path} 应为正整数（分钟，最多 {MAX_DEADLINE_MINUTES}）或 null，收到 {_shown(value)}",
        field=path,
    )


def _stages(raw: Any, path: str, *, complete: bool) -> dict[Stage, int | None]:
    stages = _object(raw, path)
    _unknown(stages, tuple(str(stage) for stage in POLICY_STAGES), path)
    if complete:
        for stage in POLICY_STAGES:
            if str(stage) not in stages:
                name = f"{path}.{stage}"
                raise _refuse("settings.missing_field", f"时限标准缺少字段：{name}", field=name)
    return {Stage(key): _minutes(value, f"{path}.{key}") for key, value in stages.items()}


def read_document(text: str, source: str) -> Any:
    """The JSON in a settings file or the desk's settings editor (`source` names it in messages)."""
    if not text.strip():
        raise DomainError("settings.empty", f"设置内容是空的：{source}（格式见 docs/sla.md）")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(
            "settings.not_json", f"设置内容不是有效的 JSON：{source}（第 {exc.lineno} 行第 {exc.colno} 列）"
        ) from exc


def policy_from_document(document: Any) -> DeadlinePolicy:
    """The policy in a settings file, checked completely; a DomainError naming the field otherwise."""
    data = _object(document, "设置文件")
    if "deadlines" in data:  # the whole output of `settings show`
        _unknown(data, SHOW_SECTIONS, "")
        data = _object(data["deadlines"], "deadlines")
    if "by_tier" not in data:
        raise _refuse("settings.missing_field", "时限标准缺少字段：by_tier", field="by_tier")
    _unknown(data, POLICY_FIELDS, "")
    tiers = _object(data["by_tier"], "by_tier")
    _unknown(tiers, tuple(str(tier) for tier in Tier), "by_tier")
    by_tier: dict[Tier, dict[Stage, int | None]] = {}
    for tier in Tier:
        if str(tier) not in tiers:
            name = f"by_tier.{tier}"
            raise _refuse("settings.missing_field", f"时限标准缺少字段：{name}", field=name)
        by_tier[tier] = _stages(tiers[str(tier)], f"by_tier.{tier}", complete=True)
    by_category = _categories(data.get("by_category", {}), "by_category")
    by_channel: dict[Channel, ChannelRules] = {}
    for key, raw in _object(data.get("by_channel", {}), "by_channel").items():
        path = f"by_channel.{key}"
        if key not in tuple(str(channel) for channel in Channel):
            known = "、".join(f"{channel}（{label}）" for channel, label in CHANNEL_LABELS.items())
            raise _refuse("settings.unknown_field", f"{path} 不是渠道代码，可用：{known}", field=path)
        rules = _object(raw, path)
        _unknown(rules, (*_TIER_KEYS, "by_category"), path)
        by_channel[Channel(key)] = ChannelRules(
            by_tier={
                str(tier): _stages(value, f"{path}.{tier}", complete=False)
                for tier, value in rules.items()
                if tier != "by_category"
            },
            by_category=_categories(rules.get("by_category", {}), f"{path}.by_category"),
        )
    return DeadlinePolicy(by_tier=by_tier, by_category=by_category, by_channel=by_channel)


_TIER_KEYS = (ALL_TIERS, *(str(tier) for tier in Tier))


def _categories(raw: Any, path: str) -> dict[str, dict[str, dict[Stage, int | None]]]:
    """Category overrides: code → tier (or "*") → some of the stages."""
    by_category: dict[str, dict[str, dict[Stage, int | None]]] = {}
    for code, overrides in _object(raw, path).items():
        where = f"{path}.{code}"
        tiers_of_code = _object(overrides, where)
        _unknown(tiers_of_code, _TIER_KEYS, where)
        by_category[str(code)] = {
            str(key): _stages(value, f"{where}.{key}", complete=False) for key, value in tiers_of_code.items()
        }
    return by_category


COLOUR_THRESHOLDS = ("blue_from", "yellow_from", "orange_from")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def colours_from_document(document: Any) -> ColourScheme:
    """The colour bands in a settings file (bare, or the whole `settings show` output), checked completely."""
    data = _object(document, "设置文件")
    if (SHOW_SECTIONS - {"colours"}) & data.keys():  # the whole output of `settings show`
        _unknown(data, SHOW_SECTIONS, "")
        if "colours" not in data:
            raise _refuse("settings.missing_field", "五色预警设置缺少字段：colours", field="colours")
        data = _object(data["colours"], "colours")
    _unknown(data, (*COLOUR_THRESHOLDS, "colours"), "")
    thresholds: dict[str, float] = {}
    for name in COLOUR_THRESHOLDS:
        if name not in data:
            raise _refuse("settings.missing_field", f"五色预警设置缺少字段：{name}", field=name)
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise _refuse("settings.bad_share", f"{name} 应为 0 到 1 之间的小数，收到 {_shown(value)}", field=name)
        thresholds[name] = float(value)
    if not thresholds["blue_from"] < thresholds["yellow_from"] < thresholds["orange_from"]:
        raise _refuse("settings.bad_order", "须满足 blue_from < yellow_from < orange_from", field="blue_from")
    hex_colours = dict(ColourScheme().hex_colours)
    raw_colours = _object(data.get("colours", {}), "colours")
    _unknown(raw_colours, tuple(str(colour) for colour in Colour), "colours")
    for key, value in raw_colours.items():
        if not isinstance(value, str) or not _HEX_COLOUR.match(value):
            name = f"colours.{key}"
            raise _refuse("settings.bad_colour", f"{name} 应为 #RRGGBB 形式的颜色，收到 {_shown(value)}", field=name)
        hex_colours[Colour(key)] = value
    return ColourScheme(hex_colours=hex_colours, **thresholds)
