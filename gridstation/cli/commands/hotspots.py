"""`gridstation cases hotspots [--weeks N] [--at TIME] [--json]`: 热点问题（一类事）— the categories rising in a grid or
at a building this week against their own baseline, and the problems that keep coming back to one address
(definitions in docs/report.md, 热点问题)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from gridstation.cli.context import open_station, required_actor, resolve_data_dir, station_zone
from gridstation.cli.output import clip, print_json, print_table
from gridstation.domain.errors import DomainError
from gridstation.domain.hotspots import SCOPE_LABELS, Hotspots


def cmd_cases_hotspots(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        required_actor(service, args)  # the station's cases, counted: signed-in staff only, as at the desk
        at = None
        if args.at:
            try:
                local = datetime.fromisoformat(args.at)
            except ValueError as exc:
                raise DomainError("hotspots.at", f"统计时点格式应为 YYYY-MM-DDTHH:MM：{args.at}") from exc
            at = (local if local.tzinfo else local.replace(tzinfo=station_zone(service))).astimezone(UTC)
        found = service.hotspots(baseline_weeks=args.weeks, at=at)
    if args.json:
        print_json(found.to_json())
        return 0
    print_hotspots(found)
    return 0


def weeks_text(weeks: tuple[int, ...]) -> str:
    """The weekly counts, oldest first, the current week after an arrow: "1 2 1 0 → 7"."""
    return " ".join(str(n) for n in weeks[:-1]) + f" → {weeks[-1]}"


def print_hotspots(found: Hotspots) -> None:
    windows = found.windows
    n = windows.baseline_weeks
    print(
        f"热点问题（一类事）：近 7 天（{windows.label(windows.current)}）与此前 {n} 周"
        f"（{windows.first_day(0):%Y-%m-%d} 起）比较"
    )
    print("\n一、热点上升（同一网格或同一楼栋的同类诉求明显多于平时）")
    if found.rising:
        print_table(
            ("范围", "类别", "网格", "地点", f"逐周件数（前 {n} 周 → 近 7 天）", "说明"),
            [
                (
                    SCOPE_LABELS[h.scope],
                    h.category_name,
                    h.grid_name,
                    h.place or "—",
                    weeks_text(h.weeks),
                    f"{h.reason}，P={h.p_value:.2g}",
                )
                for h in found.rising
            ],
        )
    else:
        print("（无）")
    print("\n二、易反复问题（同一地点同类诉求反复出现，或办结后再次反映）")
    if found.recurring:
        print_table(
            ("类别", "网格", "地点", "件数", "说明", "受理编号"),
            [
                (
                    r.category_name,
                    r.grid_name,
                    r.place,
                    str(r.total),
                    r.reason,
                    clip("、".join(r.numbers), 48),
                )
                for r in found.recurring
            ],
        )
    else:
        print("（无）")
    print(f"\n上升 {len(found.rising)} 项，易反复 {len(found.recurring)} 处。口径见 docs/report.md「热点问题」。")
