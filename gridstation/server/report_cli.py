"""`gridstation-server report kpi --by station|department|grid|owner --from DATE --to DATE [--json]` (issue 16).

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
from gridstation.domain.kpi_table import KpiDimension, KpiRow, Spread
from gridstation.domain.localtime import BEIJING
from gridstation.server.credential_cli import Opener

BY_WORDS = {"station": "工作站", "department": "部门", "grid": "网格", "owner": "责任人"}


def add_report_commands(commands: argparse._SubParsersAction[Any], open_for: Opener) -> None:
    report = commands.add_parser("report", help="考核报表").add_subparsers(parser_class=ChineseArgumentParser)
    kpi = report.add_parser("kpi", help="某段时间各工作站、部门、网格或责任人的考核指标")
    kpi.add_argument("--by", required=True, choices=list(BY_WORDS), help="按工作站、部门、网格或责任人统计")
    kpi.add_argument("--from", dest="start", required=True, help="起始日期（北京时间，含），如 2026-11-01")
    kpi.add_argument("--to", dest="end", required=True, help="截止日期（北京时间，含），如 2026-11-30")
    kpi.add_argument("--json", action="store_true", help="以 JSON 输出")
    kpi.set_defaults(handler=lambda args: _kpi(open_for, args))


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
