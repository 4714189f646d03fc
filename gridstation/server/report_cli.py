"""`gridstation-server report kpi --by station|department|grid|owner --from DATE --to DATE [--json]` (issue 16), and
`gridstation-server report hotspots [--weeks N] [--json]` (issue 17, 热点问题 across all stations).

The dates are days in Beijing time, both included. The table gives each row's rates with their counts, how long
first contact and closing took (median / 90th percentile), the cases overdue at the period's end and the repeat
complaints; `--json` gives the same numbers for a spreadsheet or a script (docs/report.md defines each).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from gridstation.common.cli_kit import ChineseArgumentParser
from gridstation.domain.errors import DomainError
from gridstation.domain.hotspots import DEFAULT_BASELINE_WEEKS, MAX_BASELINE_WEEKS, MIN_BASELINE_WEEKS
from gridstation.domain.kpi_table import KpiDimension, KpiRow, Spread
from gridstation.domain.localtime import BEIJING
from gridstation.server.credential_cli import Opener
from gridstation.server.hotspots import CentreHotspots

BY_WORDS = {"station": "工作站", "department": "部门", "grid": "网格", "owner": "责任人"}


def add_report_commands(commands: argparse._SubParsersAction[Any], open_for: Opener) -> None:
    report = commands.add_parser("report", help="考核报表").add_subparsers(parser_class=ChineseArgumentParser)
    kpi = report.add_parser("kpi", help="某段时间各工作站、部门、网格或责任人的考核指标")
    kpi.add_argument("--by", required=True, choices=list(BY_WORDS), help="按工作站、部门、网格或责任人统计")
    kpi.add_argument("--from", dest="start", required=True, help="起始日期（北京时间，含），如 2026-11-01")
    kpi.add_argument("--to", dest="end", required=True, help="截止日期（北京时间，含），如 2026-11-30")
    kpi.add_argument("--json", action="store_true", help="以 JSON 输出")
    kpi.set_defaults(handler=lambda args: _kpi(open_for, args))
    hotspots = report.add_parser(
        "hotspots", help="热点问题（一类事）：各工作站网格内明显上升的同类诉求，及多站相近诉求"
    )
    hotspots.add_argument(
        "--weeks",
        type=int,
        default=DEFAULT_BASELINE_WEEKS,
        help=f"与此前几周比较（默认 {DEFAULT_BASELINE_WEEKS}，{MIN_BASELINE_WEEKS} 至 {MAX_BASELINE_WEEKS}）",
    )
    hotspots.add_argument("--at", default=None, metavar="YYYY-MM-DDTHH:MM", help="统计时点（北京时间，默认现在）")
    hotspots.add_argument("--json", action="store_true", help="以 JSON 输出")
    hotspots.set_defaults(handler=lambda args: _hotspots(open_for, args))


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError("report.date", f"{what}「{text.strip()}」格式不对，应为 年-月-日，如 2026-11-01。") from None


def _kpi(open_for: Opener, args: argparse.Namespace) -> int:
    first, last = _day(args.start, "起始日期"), _day(args.end, "截止日期")
    if last < first:
        raise DomainError("report.range", "截止日期早于起始日期。")
    start = datetime.combine(first, time(0), tzinfo=BEIJING)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=BEIJING)
    with open_for(args) as service:
        rows = service.kpi_report(KpiDimension(args.by), start, end)
    if args.json:
        body = {"by": args.by, "from": first.isoformat(), "to": last.isoformat(), "rows": [r.to_json() for r in rows]}
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    print(f"考核指标（按{BY_WORDS[args.by]}，{first} 至 {last}，北京时间）")
    if not rows:
        print("这段时间没有诉求。")
        return 0
    for row in rows:
        print(_line(row))
    return 0


def _spread(spread: Spread, unit: float, word: str) -> str:
    if spread.median is None or spread.p90 is None:
        return "—"
    return f"{spread.median / unit:.1f}/{spread.p90 / unit:.1f}{word}"


def _line(row: KpiRow) -> str:
    k = row.kpis

    def rate(r: Any) -> str:
        return f"{r.percent()}（{r.met}/{r.total}）"

    return (
        f"{row.key}：{row.cases} 件；先联率 {rate(k.first_contact)}，按时率 {rate(k.on_time)}，"
        f"解决率 {rate(k.resolution)}，满意率 {rate(k.satisfaction)}，"
        f"退单率 {rate(row.rejected)}，重办率 {rate(k.reopened)}；"
        f"先联用时 {_spread(row.first_contact_minutes, 1, ' 分钟')}，办结用时 {_spread(row.close_minutes, 60, ' 小时')}"
        f"（中位/P90）；超期 {row.overdue} 件，重复诉求 {row.repeats} 件，未回访 {k.not_visited} 件"
    )


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DomainError("report.at", f"统计时点「{text.strip()}」格式不对，应为 YYYY-MM-DDTHH:MM。") from None
    return local if local.tzinfo else local.replace(tzinfo=BEIJING)


def _hotspots(open_for: Opener, args: argparse.Namespace) -> int:
    at = _moment(args.at)
    with open_for(args) as service:
        found = service.centre_hotspots(args.weeks, at)
    if args.json:
        print(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
        return 0
    _print_hotspots(found)
    return 0


def _print_hotspots(found: CentreHotspots) -> None:
    windows = found.hotspots.windows
    n = windows.baseline_weeks
    print(f"热点问题（一类事）：近 7 天（{windows.label(windows.current)}）与此前 {n} 周比较（北京时间）")
    print("\n一、热点上升（某工作站某网格的同类诉求明显多于平时）")
    for h in found.hotspots.rising:
        weeks = " ".join(str(count) for count in h.weeks[:-1]) + f" → {h.this_week}"
        print(f"{h.station_code} {h.grid_name} {h.category_name}：{h.reason}，P={h.p_value:.2g}；逐周 {weeks}")
    if not found.hotspots.rising:
        print("（无）")
    print(f"\n二、多个工作站反映的相近诉求（在办及 {found.texts_since.astimezone(BEIJING):%Y-%m-%d} 以来登记的）")
    for cluster in found.similar:
        print(f"{'、'.join(cluster.stations)}：{cluster.reason}")
        for case in cluster.cases:
            place = f"（{case.place}）" if case.place else ""
            print(f"  {case.number} {case.category_name}{place} {case.status_label}：{case.description}")
    if not found.similar:
        print("（无）")
