"""How commands print: JSON, tables that line up with Chinese text, station-local times, and streams that accept
Chinese wherever the process runs."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gridstation.domain.sla import COLOUR_LABELS, Colour


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------------- times


def iso(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def deadline_text(colour: Colour, due: datetime | None, zone: ZoneInfo) -> str:
    if due is None:
        return "—"
    overdue = "（已超时）" if colour is Colour.RED else ""
    return f"{COLOUR_LABELS[colour]} {due.astimezone(zone):%m-%d %H:%M}{overdue}"


# ---------------------------------------------------------------------- tables


def text_width(text: str) -> int:
    """Columns a terminal uses: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - text_width(text))


def clip(text: str, width: int) -> str:
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(text_width(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(pad(str(cell), w) for cell, w in zip(row, widths, strict=True)).rstrip())
