"""Triage at the desk (issue 16): which of 当场办 / 协同快办 / 跟踪督办 a new case is suggested, from its channel and
category, before the clerk confirms or changes it with one key (Ctrl+1 / Ctrl+2 / Ctrl+3).

Only 协同快办 and 跟踪督办 are ever suggested: 当场办 closes the case at the desk with an answer, which only the clerk
talking to the resident can decide. A 跟踪督办 case has a plan date (计划完成日期): when it passes with the case still
open, the supervision pass puts it on the 难题会诊 agenda (domain/supervision.py).
"""

from __future__ import annotations

from gridstation.domain.enums import Channel, Tier

# Category groups whose cases need several departments and weeks, not a visit: illegal structures, fire hazards.
TRACKED_GROUPS = frozenset({"BUILD", "FIRE"})
# Channels whose cases are tracked by rule: a 信访 dispatch has statutory time limits and a written answer.
TRACKED_CHANNELS = frozenset({Channel.PETITION_DISPATCH})


def suggest_tier(channel: Channel, category_code: str) -> Tier:
    group = category_code.split(".", 1)[0]
    if channel in TRACKED_CHANNELS or group in TRACKED_GROUPS:
        return Tier.TRACKED
    return Tier.QUICK
