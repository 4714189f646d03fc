"""`gridstation`: start the desk, or work with a station's data from a terminal.

Every command reaches data through `StationService`. User errors (a `DomainError`) print their Chinese
message to stderr and exit with status 2; nothing a user can cause ends in a traceback. Qt is only imported
when the desk itself starts, so the commands work on a machine without a display.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import platform
import secrets
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO
from zoneinfo import ZoneInfo

from gridstation.domain.case import CaseState, describe_event
from gridstation.domain.enums import (
    CHANNEL_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    Role,
    Status,
)
from gridstation.domain.errors import DomainError
from gridstation.domain.sla import COLOUR_LABELS, STAGE_LABELS, Colour, ColourScheme, DeadlinePolicy
from gridstation.domain.validation import mask_name, mask_phone
from gridstation.services.paper import Paperwork, save_pdf
from gridstation.services.station import DB_FILE, LEDGER_FILE, CaseQuery, StaffMember, StationService
from gridstation.storage.sync_store import STATUS_PAGE_URL_KEY as SERVER_URL_KEY

APP_NAME = "GridStation"
DATA_DIR_ENV = "GRIDSTATION_DATA_DIR"
USER_ENV = "GRIDSTATION_USER"
PIN_ENV = "GRIDSTATION_PIN"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LIST_LIMIT = 100
DEMO_CASES = 80
EXIT_USER_ERROR = 2

Handler = Callable[[argparse.Namespace], int]


# ---------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    _ensure_printable_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a malformed command line (argparse has printed why)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    handler: Handler = getattr(args, "handler", run_desktop_command)
    try:
        return handler(args)
    except DomainError as exc:
        _error(exc.message_zh)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        _error("已中断。")
        return 130
    except BrokenPipeError:  # e.g. `gridstation cases list | head`
        return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"{self.prog}：参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gridstation",
        description="GridStation 民情快办工作站。不带子命令时启动桌面程序。",
    )
    _add_location_options(parser, data_dir=None, lang="zh_CN")
    parser.set_defaults(handler=run_desktop_command)
    parser.add_argument("--version", action="version", version=f"gridstation {_version()}")
    parser.add_argument("--demo-if-empty", action="store_true", help="数据目录里还没有工作站时，先创建演示工作站再启动")
    commands = parser.add_subparsers(title="子命令", metavar="命令", parser_class=_Parser)
    # --data-dir and --lang also work after a subcommand; there they default to SUPPRESS so they do not
    # overwrite what was given before it. Each parser gets its own copies of the options.
    common = _Parser(add_help=False)
    _add_location_options(common, data_dir=argparse.SUPPRESS, lang=argparse.SUPPRESS)

    demo = commands.add_parser("demo", parents=[common], help="创建演示工作站（虚构数据）")
    demo.add_argument("--cases", type=_non_negative, default=DEMO_CASES, help=f"演示诉求条数（默认 {DEMO_CASES}）")
    demo.add_argument("--seed", type=int, default=7, help="随机种子（默认 7）")
    demo.add_argument(
        "--force", action="store_true", help="已有数据时仍然创建：原数据库先改名保存在数据目录中，不会删除"
    )
    demo.set_defaults(handler=cmd_demo)

    cases = commands.add_parser("cases", parents=[common], help="查看诉求")
    case_commands = cases.add_subparsers(title="子命令", metavar="命令", parser_class=_Parser, required=True)
    listing = case_commands.add_parser("list", parents=[common], help="列出诉求（最紧急的在前）")
    listing.add_argument("--json", action="store_true", help="输出 JSON（不含电话号码）")
    listing.add_argument(
        "--status", action="append", default=[], metavar="状态", help="按状态筛选，可重复；如 registered 或 已登记"
    )
    listing.add_argument("--text", default="", metavar="关键词", help="按关键词搜索")
    listing.add_argument("--open", action="store_true", help="只看未办结的诉求")
    listing.add_argument(
        "--limit",
        type=_non_negative,
        default=DEFAULT_LIST_LIMIT,
        help=f"最多显示条数（默认 {DEFAULT_LIST_LIMIT}，0 表示全部）",
    )
    listing.set_defaults(handler=cmd_cases_list)
    show = case_commands.add_parser("show", parents=[common], help="查看一条诉求及办理记录")
    show.add_argument("number", metavar="编号")
    show.add_argument("--json", action="store_true", help="输出 JSON（电话号码已打码）")
    show.set_defaults(handler=cmd_cases_show)

    credentials = _Parser(add_help=False)
    credentials.add_argument("--user", default=None, metavar="姓名", help=f"操作人姓名（或环境变量 {USER_ENV}）")
    credentials.add_argument(
        "--pin", default=None, metavar="PIN", help=f"操作人 PIN（或环境变量 {PIN_ENV}；都不给时在终端询问）"
    )

    backup = commands.add_parser("backup", parents=[common, credentials], help="备份数据到文件或目录")
    backup.add_argument("path", metavar="路径", help="备份文件名，或一个目录（以 / 结尾的目录不存在时会创建）")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore", parents=[common, credentials], help="从备份恢复（当前数据先另存为安全副本）"
    )
    restore.add_argument("path", type=Path, metavar="备份文件")
    restore.add_argument("--yes", action="store_true", help="不再询问确认")
    restore.set_defaults(handler=cmd_restore)

    importing = commands.add_parser("import", parents=[common, credentials], help="从 CSV 导入基础数据或人员")
    importing.add_argument("kind", choices=tuple(IMPORT_KINDS), help="导入内容")
    importing.add_argument("file", type=Path, metavar="文件.csv")
    importing.set_defaults(handler=cmd_import)

    settings = commands.add_parser("settings", parents=[common], help="时限标准（51530）与五色预警设置")
    settings_commands = settings.add_subparsers(title="子命令", metavar="命令", parser_class=_Parser, required=True)
    settings_show = settings_commands.add_parser("show", parents=[common], help="以 JSON 显示当前设置")
    settings_show.set_defaults(handler=cmd_settings_show)
    settings_set = settings_commands.add_parser(
        "set", parents=[common, credentials], help="从 JSON 文件更新设置（格式见 docs/sla.md；仅管理员）"
    )
    settings_set.add_argument(
        "kind",
        choices=("deadlines", "colours", "server-url"),
        help="deadlines 时限，colours 五色预警，server-url 街道服务器地址（印在回执二维码中）",
    )
    settings_set.add_argument("file", metavar="文件.json|地址")
    settings_set.set_defaults(handler=cmd_settings_set)

    printing = commands.add_parser("print", parents=[common], help="生成回执、回访表、反馈表和晨会日报（PDF）")
    print_commands = printing.add_subparsers(title="子命令", metavar="命令", parser_class=_Parser, required=True)
    receipt = print_commands.add_parser(
        "receipt", parents=[common, credentials], help="诉求回执；再次生成记为补打并写入办理记录"
    )
    receipt.add_argument("number", metavar="受理编号")
    receipt.add_argument("--paper", default=None, help="纸张：thermal80 / thermal58 / a5 / a4（默认按打印设置）")
    receipt.add_argument("--stub", action="store_true", help="附工作站存根")
    receipt.add_argument("--escpos", action="store_true", help="直接发送到设置中的 ESC/POS 热敏打印机")
    receipt.add_argument("-o", "--output", type=Path, default=None, metavar="文件.pdf")
    receipt.set_defaults(handler=cmd_print_receipt)
    for name, help_text in (
        ("follow-up", "回访满意度表（不给编号则为空白表）"),
        ("area-report", "片区民情调研问题反馈表（不给编号则为空白表）"),
    ):
        form = print_commands.add_parser(name, parents=[common, credentials], help=help_text)
        form.add_argument("number", nargs="?", default=None, metavar="受理编号")
        form.add_argument("-o", "--output", type=Path, required=True, metavar="文件.pdf")
        if name == "area-report":
            form.add_argument("--proposal", default="", metavar="文字", help="拟解决方案")
            form.add_argument("--support", default="", metavar="文字", help="需协调支持事项")
        form.set_defaults(handler=cmd_print_form, form=name)
    morning = print_commands.add_parser("morning-report", parents=[common, credentials], help="晨会日报（A4）")
    morning.add_argument("--at", default=None, metavar="YYYY-MM-DDTHH:MM", help="统计时点（工作站当地时间，默认现在）")
    morning.add_argument("--days", type=int, default=None, help="指标统计天数（默认 30）")
    morning.add_argument("-o", "--output", type=Path, required=True, metavar="文件.pdf")
    morning.set_defaults(handler=cmd_print_morning_report)

    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="与城运中心服务器同步（不带子命令即同步一次）",
        description="与城运中心服务器同步一次：上传本站事件、下载工单和更新、核对今日回执。",
        epilog="退出码：0 完成且一致；1 未完成（网络或服务器问题，稍后重试，数据不会丢失）；"
        "3 未登记或凭证被拒（需管理员处理）；4 已完成但有被拒收的事件、未上传的事件或回执不一致。",
    )
    sync.add_argument("--json", action="store_true", help="以 JSON 输出同步结果（供计划任务和技术支持）")
    sync.add_argument("--no-receipt", action="store_true", help="不核对今日回执")
    sync.add_argument("--attempts", type=_positive, default=6, help="每个请求最多尝试几次（网络不稳时重试，默认 6）")
    sync.set_defaults(handler=cmd_sync_run)
    sync_commands = sync.add_subparsers(title="子命令", metavar="命令", parser_class=_Parser)
    sync_enrol = sync_commands.add_parser(
        "enrol", parents=[common, credentials], help="用一次性登记码把本工作站登记到服务器（需管理员）"
    )
    sync_enrol.add_argument("server", metavar="服务器地址", help="如 https://cyzx.example.gov.cn")
    sync_enrol.add_argument("code", metavar="登记码", help="街道管理员用 gridstation-server station add 生成的登记码")
    sync_enrol.set_defaults(handler=cmd_sync_enrol)
    sync_status = sync_commands.add_parser("status", parents=[common], help="查看同步状态")
    sync_status.add_argument("--json", action="store_true", help="输出 JSON")
    sync_status.set_defaults(handler=cmd_sync_status)

    staff = commands.add_parser("staff", parents=[common], help="管理工作人员")
    staff_commands = staff.add_subparsers(title="子命令", metavar="命令", parser_class=_Parser, required=True)
    add = staff_commands.add_parser("add", parents=[common, credentials], help="添加工作人员（需管理员）")
    add.add_argument("name", metavar="姓名")
    add.add_argument(
        "--role", choices=[str(r) for r in Role], required=True, help="clerk 接待员 / grid_chief 网格长 / admin 管理员"
    )
    add.add_argument("--new-pin", default=None, metavar="PIN", help="新人员的 PIN（不给则随机生成 6 位）")
    add.set_defaults(handler=cmd_staff_add)
    return parser


def _add_location_options(parser: argparse.ArgumentParser, *, data_dir: Any, lang: Any) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=data_dir,
        help=f"数据目录（默认取环境变量 {DATA_DIR_ENV}，否则为本机用户数据目录）",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default=lang, help="界面语言：zh_CN（默认）或 en")


IMPORT_KINDS = {"categories": "诉求分类", "grids": "网格", "compounds": "小区", "staff": "工作人员"}


# ---------------------------------------------------------------------- the desk


def run_desktop_command(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args)
    if args.demo_if_empty and not has_station(data_dir):
        _create_demo(data_dir, cases=DEMO_CASES, seed=7)
        print()
    if sys.platform.startswith("linux") and not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    ):
        # Qt would abort the process with an English message about the xcb plugin.
        _error(
            "未检测到图形界面（没有 DISPLAY），无法打开桌面程序。请在图形桌面中运行，"
            "或使用 `xvfb-run gridstation`；命令行功能见 `gridstation --help`。"
        )
        return 1
    try:
        # Imported here so every other command works without Qt (or without a display).
        from gridstation.ui.app import run_desktop
    except ImportError as exc:  # usually a system library Qt needs (libEGL, libxkbcommon …) is missing
        _error(
            f"无法启动桌面程序：{exc}\n"
            "请先运行 `bash scripts/run.sh` 安装所需的系统库；命令行功能见 `gridstation --help`。"
        )
        return 1
    return int(run_desktop(data_dir, args.lang))


# ---------------------------------------------------------------------- demo


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args)
    db = data_dir / DB_FILE
    if db.exists():
        if args.force:
            moved = move_station_aside(data_dir)
            print(f"原有数据已改名保存（未删除）：{moved}")
        elif has_station(data_dir):
            raise DomainError(
                "demo.data_exists",
                f"数据目录中已有工作站数据：{data_dir}\n"
                "为避免覆盖，未创建演示数据。如确需重建，请加 --force（原数据库会先改名保存，不会删除），"
                "或用 --data-dir 指定另一个目录。",
            )
    _create_demo(data_dir, cases=args.cases, seed=args.seed)
    return 0


def _create_demo(data_dir: Path, *, cases: int, seed: int) -> None:
    from gridstation.services.demo import DEMO_ACCOUNTS, create_demo_station

    print(f"正在创建演示工作站（{cases} 条虚构诉求）……", flush=True)
    service = create_demo_station(data_dir, cases=cases, seed=seed)
    try:
        station = service.station()
        total = service.count(CaseQuery())
    finally:
        service.close()
    assert station is not None
    print(f"已创建演示工作站「{station.name}」（编号 {station.code}，{station.sub_district}），共 {total} 条诉求。")
    print(f"数据目录：{data_dir}")
    print("登录账号（演示用）：")
    width = max(_width(a.name) for a in DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        print(f"  {_pad(ROLE_LABELS[account.role], 6)}  {_pad(account.name, width)}  PIN {account.pin}")


def move_station_aside(data_dir: Path) -> Path:
    """Rename the station database (and its WAL files and numbering ledger) with a timestamp; never delete."""
    db = data_dir / DB_FILE
    try:
        connection = sqlite3.connect(db)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error:
        pass  # a damaged file is moved as it is, WAL files with it
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = f"station-before-demo-{stamp}"
    n = 1
    while (data_dir / f"{stem}.db").exists():
        n += 1
        stem = f"station-before-demo-{stamp}-{n}"
    target = data_dir / f"{stem}.db"
    try:
        for suffix in ("", "-wal", "-shm"):
            source = data_dir / f"{DB_FILE}{suffix}"
            if source.exists():
                source.rename(data_dir / f"{stem}.db{suffix}")
        ledger = data_dir / LEDGER_FILE
        if ledger.exists():
            ledger.rename(data_dir / f"{stem}-{LEDGER_FILE}")
    except OSError as exc:
        raise DomainError("demo.move_failed", f"无法改名保存原有数据：{exc}") from exc
    return target


# ---------------------------------------------------------------------- cases


def cmd_cases_list(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        query = CaseQuery(
            text=args.text.strip(),
            statuses=frozenset(parse_status(s) for s in args.status),
            open_only=args.open,
        )
        total = service.count(query)
        query.limit = args.limit or max(total, 1)
        now = service.now()
        rows = service.search(query)
        zone = _zone(service)
        scheme = service.colour_scheme()
        categories = service.category_names()

        def colour(started: datetime | None, due: datetime | None) -> Colour:
            return scheme.colour_for(started, due, now) if started and due else Colour.NONE

        if args.json:
            _print_json(
                [
                    {
                        "number": r.number,
                        "registered_at": _iso(r.registered_at, zone),
                        "status": str(r.status),
                        "status_label": STATUS_LABELS[r.status],
                        "tier": str(r.tier),
                        "tier_label": TIER_LABELS[r.tier],
                        "category_code": r.category_code,
                        "category_name": categories.get(r.category_code, ""),
                        "compound": r.compound,
                        "grid_code": r.grid_code,
                        "description": r.description,
                        "assignee": r.assignee,
                        "sla_stage": r.sla_stage,
                        "sla_due_at": _iso(r.sla_due_at, zone),
                        "colour": str(colour(r.sla_started_at, r.sla_due_at)),
                    }
                    for r in rows
                ]
            )
            return 0
        if not rows:
            print("没有符合条件的诉求。")
            return 0
        header = ("编号", "登记时间", "状态", "处置分类", "分类", "小区", "诉求内容", "承办", "时限")
        table = [
            (
                r.number,
                f"{r.registered_at.astimezone(zone):%m-%d %H:%M}",
                STATUS_LABELS[r.status],
                TIER_LABELS[r.tier],
                categories.get(r.category_code, r.category_code),
                r.compound,
                _clip(r.description, 30),
                _clip(r.assignee, 16),
                _deadline_text(colour(r.sla_started_at, r.sla_due_at), r.sla_due_at, zone),
            )
            for r in rows
        ]
        _print_table(header, table)
        shown = f"，显示 {len(rows)} 条" if len(rows) < total else ""
        print(f"\n共 {total} 条{shown}。查看详情：gridstation cases show 编号")
    return 0


def cmd_cases_show(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        state = service.case_by_number(args.number)
        events = service.timeline(state.id)
        zone = _zone(service)
        now = service.now()
        categories = service.category_names()
        grids = {g.code: g.name for g in service.grids()}
        deadline = (
            service.deadline_policy().deadline(state.tier, state.category_code, state.status, state.stage_started_at)
            if state.stage_started_at
            else None
        )
        colour = (
            service.colour_scheme().colour_for(deadline.started_at, deadline.due_at, now) if deadline else Colour.NONE
        )
        complainant = "匿名" if state.anonymous else mask_name(state.complainant_name)
        phone = mask_phone(state.phone) if state.phone else ""
        timeline = [
            {
                "at": _iso(e.occurred_at, zone),
                "type": str(e.type),
                "actor": e.actor_name,
                "summary": describe_event(e),
            }
            for e in events
        ]
        if args.json:
            _print_json(
                {
                    "number": state.number,
                    "registered_at": _iso(state.registered_at, zone),
                    "registered_by": state.registered_by,
                    "status": str(state.status),
                    "status_label": STATUS_LABELS[state.status],
                    "tier": str(state.tier),
                    "tier_label": TIER_LABELS[state.tier],
                    "channel": str(state.channel),
                    "channel_label": CHANNEL_LABELS[state.channel],
                    "category_code": state.category_code,
                    "category_name": categories.get(state.category_code, ""),
                    "compound": state.compound,
                    "building": state.building,
                    "address": state.address,
                    "grid_code": state.grid_code,
                    "complainant": complainant,
                    "phone_masked": phone,
                    "description": state.description,
                    "assignee": state.assignee,
                    "answer": state.answer,
                    "reopen_count": state.reopen_count,
                    "sla_stage": str(deadline.stage) if deadline else "",
                    "sla_due_at": _iso(deadline.due_at if deadline else None, zone),
                    "colour": str(colour),
                    "timeline": timeline,
                }
            )
            return 0
        _print_case(state, categories, grids, complainant, phone, zone)
        if deadline:
            print(f"时限：{STAGE_LABELS[deadline.stage]} {_deadline_text(colour, deadline.due_at, zone)}")
        print("诉求内容：")
        print(f"  {state.description}")
        print("办理记录：")
        width = max((_width(e.actor_name) for e in events), default=0)
        for event in events:
            print(
                f"  {event.occurred_at.astimezone(zone):%Y-%m-%d %H:%M}  {_pad(event.actor_name, width)}  "
                f"{describe_event(event)}"
            )
    return 0


def _print_case(
    state: CaseState, categories: dict[str, str], grids: dict[str, str], complainant: str, phone: str, zone: ZoneInfo
) -> None:
    category = categories.get(state.category_code, state.category_code)
    parent = categories.get(state.category_code.rsplit(".", 1)[0], "") if "." in state.category_code else ""
    place = " ".join(p for p in (state.compound, state.building) if p)
    grid = grids.get(state.grid_code, state.grid_code)
    lines = [
        ("编号", state.number),
        (
            "状态",
            f"{STATUS_LABELS[state.status]}（{TIER_LABELS[state.tier]}）"
            + (f"，已重启 {state.reopen_count} 次" if state.reopen_count else ""),
        ),
        ("渠道", CHANNEL_LABELS[state.channel]),
        ("分类", f"{parent} / {category}" if parent else category),
        ("地点", place + (f"（{grid}）" if grid else "")),
        ("地址", state.address),
        ("诉求人", complainant + (f"，电话 {phone}" if phone else "")),
        ("登记", f"{state.registered_at.astimezone(zone):%Y-%m-%d %H:%M} {state.registered_by}"),
        ("承办", state.assignee),
        ("答复", state.answer),
    ]
    for label, value in lines:
        if value:
            print(f"{label}：{value}")


def parse_status(text: str) -> Status:
    wanted = text.strip()
    for status in Status:
        if wanted.lower() == str(status) or wanted == STATUS_LABELS[status]:
            return status
    choices = "、".join(f"{s}（{STATUS_LABELS[s]}）" for s in Status)
    raise DomainError("cli.status", f"不认识的状态「{text}」。可选：{choices}")


# ---------------------------------------------------------------------- backup, restore, import, staff


def cmd_backup(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        actor = _optional_actor(service, args)
        target = Path(args.path).expanduser()
        if args.path.endswith(("/", os.sep)):  # clearly meant as a folder, even if it does not exist yet
            try:
                target.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DomainError("backup.folder", f"无法创建备份目录：{target}（{exc.strerror}）") from exc
        destination = service.backup(actor, target)
    print(f"已备份到：{destination}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    source: Path = args.path.expanduser()
    if not source.is_file():
        raise DomainError("restore.missing", f"找不到备份文件：{source}")
    with open_station(resolve_data_dir(args)) as service:
        # Restoring replaces every case at the station: only someone allowed to (an admin) may, by name.
        actor = _required_actor(service, args)
        question = f"将用备份 {source} 覆盖当前数据（当前数据会先另存为安全副本）。确认恢复？[y/N] "
        if not args.yes and not _confirm(question):
            print("未确认，已取消恢复（可加 --yes 跳过确认）。")
            return 1
        safety = service.restore(actor, source)
        total = service.count(CaseQuery())
    print(f"已从 {source} 恢复数据，现有 {total} 条诉求。")
    print(f"恢复前的数据已另存为：{safety}")
    print("如需撤销，可再恢复这个安全副本。")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    text = read_csv_text(args.file.expanduser())
    with open_station(resolve_data_dir(args)) as service:
        actor = _required_actor(service, args)
        if args.kind == "staff":
            count = service.import_staff_csv(actor, text)
        else:
            count = service.import_reference_csv(actor, args.kind, text)
    print(f"已导入{IMPORT_KINDS[args.kind]} {count} 条。")
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    generated = args.new_pin is None
    pin: str = f"{secrets.randbelow(10**6):06d}" if generated else args.new_pin
    role = Role(args.role)
    with open_station(resolve_data_dir(args)) as service:
        actor = _required_actor(service, args)
        member = service.add_staff(actor, args.name, role, pin)
    print(f"已添加{ROLE_LABELS[role]}「{member.name}」。")
    if generated:
        print(f"初始 PIN：{pin}（请当面告知本人，不要转发）")
    return 0


def cmd_settings_show(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        current = {"deadlines": service.deadline_policy().to_json(), "colours": service.colour_scheme().to_json()}
    print(json.dumps(current, ensure_ascii=False, indent=2))
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    if args.kind == "server-url":
        url = str(args.file).strip()
        if url and not url.startswith(("http://", "https://")):
            raise DomainError("settings.url", "服务器地址须以 http:// 或 https:// 开头。")
        with open_station(resolve_data_dir(args)) as service:
            service.set_setting(_required_actor(service, args), SERVER_URL_KEY, url.rstrip("/"))
        print(f"已设置服务器地址：{url}" if url else "已清除服务器地址。")
        return 0
    path: Path = Path(args.file).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise DomainError("file.missing", f"找不到文件：{path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError("settings.unreadable", f"无法读取设置文件 {path}：{exc}") from exc
    try:
        if not isinstance(data, dict):
            raise TypeError("not an object")
        policy = DeadlinePolicy.from_json(data) if args.kind == "deadlines" else None
        scheme = ColourScheme.from_json(data) if args.kind == "colours" else None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise DomainError("settings.invalid", f"设置文件内容不正确（格式见 docs/sla.md）：{exc}") from exc
    with open_station(resolve_data_dir(args)) as service:
        actor = _required_actor(service, args)
        if policy is not None:
            service.set_deadline_policy(actor, policy)
            print("已更新时限标准，所有诉求的当前时限已按新标准重新计算。")
        if scheme is not None:
            service.set_colour_scheme(actor, scheme)
            print("已更新五色预警设置。")
    return 0


def _write_pdf(path: Path, pdf: bytes) -> Path:
    target = path.expanduser()
    try:
        save_pdf(target, pdf)
    except OSError as exc:
        raise DomainError("file.write", f"无法写入文件 {target}：{exc.strerror}") from exc
    return target


def cmd_print_receipt(args: argparse.Namespace) -> int:
    # Renderers load reportlab: imported here so that other commands and the desk start without it.
    from gridstation.printing.escpos import print_escpos, receipt_escpos
    from gridstation.printing.receipt import render_receipt
    from gridstation.printing.templates import receipt_papers

    with open_station(resolve_data_dir(args)) as service:
        actor = _required_actor(service, args)
        paperwork = Paperwork(service)
        settings = paperwork.print_settings()
        paper = args.paper or settings.receipt_paper
        if paper not in receipt_papers():
            raise DomainError("print.paper", f"没有这种纸张：{paper}（可选 {' / '.join(receipt_papers())}）")
        case = service.case_by_number(args.number)
        data = paperwork.receipt(case.id)
        stub = args.stub or settings.station_stub
        if args.escpos:
            if not settings.escpos.enabled:
                raise DomainError("print.escpos_unset", "尚未设置 ESC/POS 热敏打印机（在桌面“打印设置”中设置）。")
            print_escpos(settings.escpos, receipt_escpos(data, paper, stub=stub))
            where = "热敏打印机"
        else:
            if args.output is None:
                raise DomainError("print.output", "请用 -o 指定 PDF 文件名，或用 --escpos 直接打印。")
            where = str(_write_pdf(args.output, render_receipt(data, paper, stub=stub)))
        paperwork.record_receipt_printed(actor, case.id, paper)
    print(f"{'已补打' if data.reprint_at else '已打印'}回执 {case.number} → {where}")
    return 0


def cmd_print_form(args: argparse.Namespace) -> int:
    from gridstation.printing.forms import render_area_report_form, render_follow_up_form

    with open_station(resolve_data_dir(args)) as service:
        actor = _required_actor(service, args)
        paperwork = Paperwork(service)
        case_id = service.case_by_number(args.number).id if args.number else None
        if args.form == "follow-up":
            pdf = render_follow_up_form(paperwork.follow_up_form(case_id))
        else:
            pdf = render_area_report_form(
                paperwork.area_report(case_id, proposal=args.proposal, support=args.support, reporter=actor.name)
            )
    print(f"已生成 {_write_pdf(args.output, pdf)}")
    return 0


def cmd_print_morning_report(args: argparse.Namespace) -> int:
    from gridstation.printing.morning_report import render_morning_report

    with open_station(resolve_data_dir(args)) as service:
        actor = _required_actor(service, args)
        report_at = None
        if args.at:
            try:
                local = datetime.fromisoformat(args.at)
            except ValueError as exc:
                raise DomainError("report.at", f"统计时点格式应为 YYYY-MM-DDTHH:MM：{args.at}") from exc
            report_at = (local if local.tzinfo else local.replace(tzinfo=_zone(service))).astimezone(UTC)
        data = Paperwork(service).morning_report(actor, report_at, args.days)
        target = _write_pdf(args.output, render_morning_report(data))
    kpis = data.report.kpis_period
    print(f"已生成晨会日报 {target}")
    print(
        f"新增 {len(data.new_rows)} 件，在办 {data.report.open_total} 件，超时 {len(data.overdue_rows)} 件；"
        f"近 {data.report.period_days} 天 先联率 {kpis.first_contact.percent()}、解决率 {kpis.resolution.percent()}、"
        f"满意率 {kpis.satisfaction.percent()}、按时率 {kpis.on_time.percent()}"
    )
    return 0


# ---------------------------------------------------------------------- sync


def cmd_sync_run(args: argparse.Namespace) -> int:
    from gridstation.sync.engine import SyncService
    from gridstation.sync.report import as_text, exit_code
    from gridstation.sync.retry import RetryPolicy

    with open_station(resolve_data_dir(args)) as service:
        show = not args.json and sys.stderr.isatty()

        def progress(stage: str, done: int, total: int) -> None:
            if show:
                from gridstation.sync.summary import STAGE_LABELS

                amount = f" {done}/{total}" if total else (f" {done}" if done else "")
                print(f"\r{STAGE_LABELS.get(stage, stage)}{amount}      ", end="", file=sys.stderr, flush=True)

        sync = SyncService(service, retry=RetryPolicy(attempts=args.attempts))
        summary = sync.run("headless", progress=progress, check_receipt=not args.no_receipt)
        if show:
            print(file=sys.stderr)
        if args.json:
            _print_json({**summary.to_json(), "exit_code": exit_code(summary)})
        else:
            print(as_text(summary, _zone(service)))
        return exit_code(summary)


def cmd_sync_enrol(args: argparse.Namespace) -> int:
    from gridstation.sync.engine import SyncService

    with open_station(resolve_data_dir(args)) as service:
        actor = _required_actor(service, args)
        answer = SyncService(service).enrol(actor, args.server, args.code, device_name=platform.node())
        print(f"已登记：工作站 {answer.station_code}（{answer.station_name}）→ {args.server.strip()}")
    return 0


def cmd_sync_status(args: argparse.Namespace) -> int:
    from gridstation.sync.engine import SyncService

    with open_station(resolve_data_dir(args)) as service:
        status = SyncService(service).status()
        zone = _zone(service)
        if args.json:
            _print_json(
                {
                    "enrolled": status.enrolled,
                    "server_url": status.server_url,
                    "unsent": status.unsent,
                    "oldest_unsent_at": _iso(status.oldest_unsent_at, zone),
                    "last_success_at": _iso(status.last_success_at, zone),
                    "last_attempt_at": _iso(status.last_attempt_at, zone),
                    "last_error": status.last_error,
                    "unseen_work_orders": status.unseen_work_orders,
                    "open_conflicts": status.open_conflicts,
                }
            )
            return 0
        print(f"服务器：{status.server_url or '（未设置）'}{'' if status.enrolled else '，尚未登记'}")
        oldest = f"，最早的产生于 {_iso(status.oldest_unsent_at, zone)}" if status.oldest_unsent_at else ""
        print(f"未上传事件：{status.unsent} 条{oldest}")
        print(f"上次成功同步：{_iso(status.last_success_at, zone) or '从未'}")
        if status.last_error:
            print(f"上次同步失败：{status.last_error}")
        print(f"未查看的新工单：{status.unseen_work_orders} 件；待处理冲突：{status.open_conflicts} 条")
    return 0


def read_csv_text(path: Path) -> str:
    """CSV saved by Excel on a Chinese Windows is GB18030; everything else is UTF-8 (with or without BOM)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DomainError("file.missing", f"找不到文件：{path}") from exc
    except OSError as exc:
        raise DomainError("file.unreadable", f"无法读取文件：{path}（{exc.strerror}）") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("csv.encoding", f"无法识别文件编码：{path.name}。请另存为 UTF-8 编码的 CSV。")


# ---------------------------------------------------------------------- data directory and sign-in


def resolve_data_dir(args: argparse.Namespace) -> Path:
    chosen: Path | None = args.data_dir
    if chosen is None:
        env = os.environ.get(DATA_DIR_ENV, "").strip()
        if env:
            chosen = Path(env)
        else:
            import platformdirs

            chosen = Path(platformdirs.user_data_dir(APP_NAME, APP_NAME))
    return chosen.expanduser()


def has_station(data_dir: Path) -> bool:
    """True if `data_dir` holds an initialised station; never creates a database."""
    if not (data_dir / DB_FILE).exists():
        return False
    service = StationService(data_dir)
    try:
        return service.is_initialised()
    finally:
        service.close()


@contextmanager
def open_station(data_dir: Path) -> Iterator[StationService]:
    """The station in `data_dir`; refuses (rather than creating an empty database) if there is none."""
    if not (data_dir / DB_FILE).exists():
        raise _no_station(data_dir)
    service = StationService(data_dir)
    try:
        if not service.is_initialised():
            raise _no_station(data_dir)
        yield service
    finally:
        service.close()


def _no_station(data_dir: Path) -> DomainError:
    return DomainError(
        "station.none",
        f"数据目录中还没有工作站：{data_dir}\n"
        "可运行 `gridstation demo` 创建演示工作站，或运行 `gridstation` 在桌面程序中初始化；"
        f"也可用 --data-dir 或环境变量 {DATA_DIR_ENV} 指定其他数据目录。",
    )


def _optional_actor(service: StationService, args: argparse.Namespace) -> StaffMember | None:
    if args.user or os.environ.get(USER_ENV):
        return _required_actor(service, args)
    return None


def _required_actor(service: StationService, args: argparse.Namespace) -> StaffMember:
    name = (args.user or os.environ.get(USER_ENV, "")).strip()
    if not name:
        raise DomainError("auth.user_missing", f"请用 --user 指定操作人姓名（或设置环境变量 {USER_ENV}）。")
    pin = args.pin if args.pin is not None else os.environ.get(PIN_ENV)
    if pin is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise DomainError("auth.pin_missing", f"请用 --pin 或环境变量 {PIN_ENV} 提供 PIN。")
        pin = getpass.getpass(f"{name} 的 PIN：")
    return service.sign_in(name, pin)


def _confirm(prompt: str) -> bool:
    try:
        answer = input(prompt)
    except EOFError:
        print()
        return False
    return answer.strip().lower() in {"y", "yes", "是", "确认"}


# ---------------------------------------------------------------------- output helpers


def _zone(service: StationService) -> ZoneInfo:
    station = service.station()
    return ZoneInfo(station.timezone if station else "Asia/Shanghai")


def _iso(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def _deadline_text(colour: Colour, due: datetime | None, zone: ZoneInfo) -> str:
    if due is None:
        return "—"
    overdue = "（已超时）" if colour is Colour.RED else ""
    return f"{COLOUR_LABELS[colour]} {due.astimezone(zone):%m-%d %H:%M}{overdue}"


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _width(text: str) -> int:
    """Columns a terminal uses: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _clip(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(_width(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(_pad(str(cell), w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _error(message: str) -> None:
    print(message, file=sys.stderr)


def _ensure_printable_streams() -> None:
    """Chinese output must not crash where the locale is C/ASCII or where a windowed build has no console."""
    for name in ("stdout", "stderr"):
        stream: TextIO | None = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
            continue
        try:
            "民情".encode(stream.encoding or "ascii")
        except (LookupError, UnicodeEncodeError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gridstation")
    except PackageNotFoundError:
        return "unknown"


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数：{text}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"不能为负数：{text}")
    return value


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"应至少为 1：{text}")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
