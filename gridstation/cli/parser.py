"""The `gridstation` command line: every command, option, help text and default, and the handler each one runs."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gridstation.cli.context import DATA_DIR_ENV, PASSPHRASE_ENV, PIN_ENV, USER_ENV
from gridstation.cli.defaults import (
    DEFAULT_SIMILAR_LIMIT,
    DEMO_CASES,
    DEMO_SEED,
    EXIT_TAMPERED,
    IMPORT_KINDS,
    LEDGER_KIND,
)
from gridstation.common.cli_kit import ChineseArgumentParser
from gridstation.domain.enums import Role
from gridstation.domain.hotspots import DEFAULT_BASELINE_WEEKS, MAX_BASELINE_WEEKS, MIN_BASELINE_WEEKS
from gridstation.domain.ledger_columns import LEDGER_COLUMNS

LANGUAGES = ("zh_CN", "en")


def _command(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    """The handler `function` of `gridstation.cli.commands.<module>`, imported when its command runs: declaring
    the command line loads no command, so the desk's sign-in shows before the database layer is even imported
    (benchmarks/README.md, cold start)."""

    def handler(args: argparse.Namespace) -> int:
        run: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module(f"gridstation.cli.commands.{module}"), function
        )
        return run(args)

    handler.__name__ = function
    return handler


DEFAULT_LIST_LIMIT = 100


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="gridstation",
        description="GridStation 民情快办工作站。不带子命令时启动桌面程序。",
    )
    _add_location_options(parser, data_dir=None, lang="zh_CN")
    parser.set_defaults(handler=_command("desk", "run_desktop_command"))
    parser.add_argument("--version", action="version", version=f"gridstation {_version()}", help="显示版本号并退出")
    parser.add_argument("--demo-if-empty", action="store_true", help="数据目录里还没有工作站时，先创建演示工作站再启动")
    parser.add_argument(
        "--smoke-exit",
        action="store_true",
        help=f"安装检查：窗口显示出来后立即关闭并退出（给出 {USER_ENV}/{PIN_ENV} 时先登录，检查主窗口）",
    )
    commands = _subcommands(parser, required=False)
    # --data-dir and --lang also work after a subcommand; there they default to SUPPRESS so they do not
    # overwrite what was given before it. Each parser gets its own copies of the options.
    common = ChineseArgumentParser(add_help=False)
    _add_location_options(common, data_dir=argparse.SUPPRESS, lang=argparse.SUPPRESS)

    demo = commands.add_parser("demo", parents=[common], help="创建演示工作站（虚构数据）")
    demo.add_argument("--cases", type=_non_negative, default=DEMO_CASES, help=f"演示诉求条数（默认 {DEMO_CASES}）")
    demo.add_argument("--seed", type=int, default=DEMO_SEED, help=f"随机种子（默认 {DEMO_SEED}）")
    demo.add_argument(
        "--force", action="store_true", help="已有数据时仍然创建：原数据库先改名保存在数据目录中，不会删除"
    )
    demo.set_defaults(handler=_command("demo", "cmd_demo"))

    # Who runs a command that reads or changes the station's data (signed in as at the desk).
    credentials = ChineseArgumentParser(add_help=False)
    credentials.add_argument("--user", default=None, metavar="姓名", help=f"操作人姓名（或环境变量 {USER_ENV}）")
    credentials.add_argument(
        "--pin", default=None, metavar="PIN", help=f"操作人 PIN（或环境变量 {PIN_ENV}；都不给时在终端询问）"
    )

    cases = commands.add_parser("cases", parents=[common], help="查看诉求（需登录）")
    case_commands = _subcommands(cases, required=True)
    listing = case_commands.add_parser("list", parents=[common, credentials], help="列出诉求（最紧急的在前）")
    listing.add_argument("--json", action="store_true", help="输出 JSON（不含电话号码）")
    listing.add_argument(
        "--status", action="append", default=[], metavar="状态", help="按状态筛选，可重复；如 registered 或 已登记"
    )
    listing.add_argument("--text", default="", metavar="关键词", help="按关键词搜索（按电话号码查找会记入审计日志）")
    listing.add_argument("--open", action="store_true", help="只看未办结的诉求")
    listing.add_argument(
        "--limit",
        type=_non_negative,
        default=DEFAULT_LIST_LIMIT,
        help=f"最多显示条数（默认 {DEFAULT_LIST_LIMIT}，0 表示全部）",
    )
    listing.set_defaults(handler=_command("cases", "cmd_cases_list"))
    similar = case_commands.add_parser(
        "similar", parents=[common, credentials], help="查找相似诉求：同一地址、同一电话、内容相近、复发与疑似重复"
    )
    similar.add_argument("--text", default="", metavar="诉求内容", help="新诉求的内容")
    similar.add_argument("--address", default="", metavar="地址", help="如：枫林苑3号楼1201室")
    similar.add_argument("--phone", default="", metavar="电话", help="诉求人电话（记入审计日志）")
    similar.add_argument("--category", default="", metavar="分类代码", help="诉求分类代码，如 GREEN.LIGHT")
    similar.add_argument(
        "--limit", type=_positive, default=DEFAULT_SIMILAR_LIMIT, help=f"最多列出条数（默认 {DEFAULT_SIMILAR_LIMIT}）"
    )
    similar.add_argument("--json", action="store_true", help="输出 JSON：[{number, score, reasons, …}]，最相似的在前")
    similar.set_defaults(handler=_command("similar", "cmd_cases_similar"))
    show = case_commands.add_parser("show", parents=[common, credentials], help="查看一条诉求及办理记录")
    show.add_argument("number", metavar="编号")
    show.add_argument("--json", action="store_true", help="输出 JSON（电话号码已打码）")
    show.set_defaults(handler=_command("cases", "cmd_cases_show"))
    attach = case_commands.add_parser(
        "attach", parents=[common, credentials], help="为诉求添加照片（JPEG、PNG 或 WebP，每张不超过 10 MB）"
    )
    attach.add_argument("number", metavar="编号")
    attach.add_argument("files", nargs="+", metavar="照片文件")
    attach.set_defaults(handler=_command("cases", "cmd_cases_attach"))
    hotspots = case_commands.add_parser(
        "hotspots", parents=[common, credentials], help="热点问题（一类事）：明显上升的同类诉求和易反复问题"
    )
    hotspots.add_argument(
        "--weeks",
        type=int,
        default=DEFAULT_BASELINE_WEEKS,
        help=f"与此前几周比较（默认 {DEFAULT_BASELINE_WEEKS}，{MIN_BASELINE_WEEKS} 至 {MAX_BASELINE_WEEKS}）",
    )
    hotspots.add_argument("--at", default=None, metavar="YYYY-MM-DDTHH:MM", help="统计时点（工作站当地时间，默认现在）")
    hotspots.add_argument("--json", action="store_true", help="输出 JSON（先列上升的热点，再列易反复问题）")
    hotspots.set_defaults(handler=_command("hotspots", "cmd_cases_hotspots"))

    backup = commands.add_parser(
        "backup",
        parents=[common, credentials],
        help="加密备份数据到文件或目录",
        description="用口令加密备份本站数据（不含同步凭证）。口令在终端中输入两次，"
        f"或取自环境变量 {PASSPHRASE_ENV}（计划任务用）。",
    )
    backup.add_argument("path", metavar="路径", help="备份文件名，或一个目录（以 / 结尾的目录不存在时会创建）")
    backup.set_defaults(handler=_command("admin", "cmd_backup"))

    restore = commands.add_parser(
        "restore",
        parents=[common, credentials],
        help="从备份恢复（当前数据先另存为加密的安全副本；需管理员）",
        description=f"从加密备份恢复。口令在终端中输入，或取自环境变量 {PASSPHRASE_ENV}。",
    )
    restore.add_argument("path", type=Path, metavar="备份文件")
    restore.add_argument("--yes", action="store_true", help="不再询问确认")
    restore.set_defaults(handler=_command("admin", "cmd_restore"))

    importing = commands.add_parser(
        "import",
        parents=[common, credentials],
        help="从 CSV 导入基础数据或人员，或从 CSV/Excel 导入历史台账",
        epilog=f"历史台账（cases）的表头须有这些列，顺序不限：{'、'.join(LEDGER_COLUMNS)}。",
    )
    importing.add_argument(
        "kind",
        choices=(*IMPORT_KINDS, LEDGER_KIND),
        help="导入内容：categories 分类、grids 网格、compounds 小区、staff 人员（CSV）；"
        "cases 历史台账（CSV 或 .xlsx；有一行不对就一件也不导入）",
    )
    importing.add_argument("file", type=Path, metavar="文件.csv|.xlsx")
    importing.add_argument("--dry-run", action="store_true", help="只用于 cases：只核对并统计将导入多少件，不写入")
    importing.set_defaults(handler=_command("imports", "cmd_import"))

    settings = commands.add_parser(
        "settings", parents=[common], help="时限标准（51530）、五色预警与个人信息保存年限设置"
    )
    settings_commands = _subcommands(settings, required=True)
    settings_show = settings_commands.add_parser("show", parents=[common], help="以 JSON 显示当前设置")
    settings_show.set_defaults(handler=_command("admin", "cmd_settings_show"))
    settings_set = settings_commands.add_parser(
        "set", parents=[common, credentials], help="从 JSON 文件更新设置（格式见 docs/sla.md；仅管理员）"
    )
    settings_set.add_argument(
        "kind",
        choices=("deadlines", "colours", "server-url", "retention", "idle-lock"),
        help="deadlines 时限，colours 五色预警，server-url 街道服务器地址（印在回执二维码中），"
        "retention 办结诉求的个人信息保存年限（如 3），idle-lock 桌面无操作几分钟后自动锁定（0 不锁定，默认 10）",
    )
    settings_set.add_argument("file", metavar="文件.json|地址|年数|分钟")
    settings_set.set_defaults(handler=_command("staff", "cmd_settings_set_with_idle_lock"))

    printing = commands.add_parser("print", parents=[common], help="生成回执、回访表、反馈表和晨会日报（PDF）")
    print_commands = _subcommands(printing, required=True)
    receipt = print_commands.add_parser(
        "receipt", parents=[common, credentials], help="诉求回执；再次生成记为补打并写入办理记录"
    )
    receipt.add_argument("number", metavar="受理编号")
    receipt.add_argument("--paper", default=None, help="纸张：thermal80 / thermal58 / a5 / a4（默认按打印设置）")
    receipt.add_argument("--stub", action="store_true", help="附工作站存根")
    receipt.add_argument("--escpos", action="store_true", help="直接发送到设置中的 ESC/POS 热敏打印机")
    receipt.add_argument("-o", "--output", type=Path, default=None, metavar="文件.pdf")
    receipt.set_defaults(handler=_command("print", "cmd_print_receipt"))
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
        form.set_defaults(handler=_command("print", "cmd_print_form"), form=name)
    morning = print_commands.add_parser("morning-report", parents=[common, credentials], help="晨会日报（A4）")
    morning.add_argument("--at", default=None, metavar="YYYY-MM-DDTHH:MM", help="统计时点（工作站当地时间，默认现在）")
    morning.add_argument("--days", type=int, default=None, help="指标统计天数（默认 30）")
    morning.add_argument("-o", "--output", type=Path, required=True, metavar="文件.pdf")
    morning.set_defaults(handler=_command("print", "cmd_print_morning_report"))
    guide = print_commands.add_parser("guide", parents=[common], help="上手指南（A4 一页，无需登录）")
    guide.add_argument("-o", "--output", type=Path, required=True, metavar="文件.pdf")
    guide.set_defaults(handler=_command("print", "cmd_print_guide"))

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
    sync.set_defaults(handler=_command("sync", "cmd_sync_run"))
    sync_commands = _subcommands(sync, required=False)
    sync_enrol = sync_commands.add_parser(
        "enrol", parents=[common, credentials], help="用一次性登记码把本工作站登记到服务器（需管理员）"
    )
    sync_enrol.add_argument("server", metavar="服务器地址", help="如 https://cyzx.example.gov.cn")
    sync_enrol.add_argument("code", metavar="登记码", help="街道管理员用 gridstation-server station add 生成的登记码")
    sync_enrol.set_defaults(handler=_command("sync", "cmd_sync_enrol"))
    sync_status = sync_commands.add_parser("status", parents=[common], help="查看同步状态")
    sync_status.add_argument("--json", action="store_true", help="输出 JSON")
    sync_status.set_defaults(handler=_command("sync", "cmd_sync_status"))

    retention = commands.add_parser("retention", parents=[common], help="个人信息保存期限")
    retention_commands = _subcommands(retention, required=True)
    retention_run = retention_commands.add_parser(
        "run",
        parents=[common, credentials],
        help="匿名化超过保存期限的已办结诉求中的姓名、电话和门牌室号（需管理员；桌面程序每天自动执行）",
        description="办结满保存年限（gridstation settings set retention 年数，默认 3 年）的诉求，"
        "其投诉人姓名、电话和地址中的门牌室号被抹去；分类、小区、时间、状态等统计数据不变。每次执行都记入审计日志。",
    )
    retention_run.add_argument("--dry-run", action="store_true", help="只统计将匿名化多少件，不做改动")
    retention_run.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    retention_run.set_defaults(handler=_command("retention", "cmd_retention_run"))

    audit = commands.add_parser("audit", parents=[common], help="日志防篡改核对")
    audit_commands = _subcommands(audit, required=True)
    verify = audit_commands.add_parser(
        "verify",
        parents=[common],
        help="核对事件日志和审计日志是否在 GridStation 之外被改动",
        description="重新计算每条事件的校验值，并沿事件日志和审计日志的哈希链逐条核对；"
        "发现断开时指出每个日志中第一处断开的位置（诉求编号、事件类型或审计操作、时间）。",
        epilog=f"退出码：0 日志完整；{EXIT_TAMPERED} 日志在 GridStation 之外被改动（篡改）；"
        "2 使用错误（如数据目录中没有工作站）。",
    )
    verify.add_argument("--json", action="store_true", help="以 JSON 输出核对结果")
    verify.set_defaults(handler=_command("audit", "cmd_audit_verify"))

    staff = commands.add_parser("staff", parents=[common], help="管理工作人员")
    staff_commands = _subcommands(staff, required=True)
    add = staff_commands.add_parser("add", parents=[common, credentials], help="添加工作人员（需管理员）")
    add.add_argument("name", metavar="姓名")
    add.add_argument(
        "--role", choices=[str(r) for r in Role], required=True, help="clerk 接待员 / grid_chief 网格长 / admin 管理员"
    )
    add.add_argument("--new-pin", default=None, metavar="PIN", help="新人员的 PIN（不给则随机生成 6 位）")
    add.set_defaults(handler=_command("admin", "cmd_staff_add"))
    set_pin = staff_commands.add_parser(
        "pin",
        parents=[common, credentials],
        help="为工作人员设置新 PIN（需管理员；管理员的 PIN 至少 6 位，接待员、网格长至少 4 位）",
    )
    set_pin.add_argument("name", metavar="姓名")
    set_pin.add_argument("--new-pin", default=None, metavar="PIN", help="新 PIN（不给则随机生成 6 位）")
    set_pin.set_defaults(handler=_command("admin", "cmd_staff_pin"))
    _add_staff_admin_commands(staff_commands, [common, credentials])
    return parser


def _add_staff_admin_commands(
    staff_commands: argparse._SubParsersAction[ChineseArgumentParser], parents: list[ChineseArgumentParser]
) -> None:
    """`staff list|reset-pin|disable|enable|role`: all need an administrator (--user/--pin), all are audited."""
    listing = staff_commands.add_parser("list", parents=parents, help="列出工作人员（需管理员；不含 PIN）")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    listing.set_defaults(handler=_command("staff", "cmd_staff_list"))
    reset = staff_commands.add_parser(
        "reset-pin",
        parents=parents,
        help="重置工作人员的 PIN（需管理员；新 PIN 在终端输入两次，或从标准输入读一行）",
    )
    reset.add_argument("name", metavar="姓名")
    reset.add_argument("--new-pin", default=None, metavar="PIN", help="新 PIN（不给则在终端询问或从标准输入读取）")
    reset.set_defaults(handler=_command("staff", "cmd_staff_reset_pin"))
    for command, active, help_text in (
        ("disable", False, "停用工作人员：不能再登录，记录保留（需管理员）"),
        ("enable", True, "重新启用已停用的工作人员（需管理员）"),
    ):
        toggle = staff_commands.add_parser(command, parents=parents, help=help_text)
        toggle.add_argument("name", metavar="姓名")
        toggle.set_defaults(handler=_command("staff", "cmd_staff_active"), active=active)
    role = staff_commands.add_parser("role", parents=parents, help="更改工作人员的角色（需管理员）")
    role.add_argument("name", metavar="姓名")
    role.add_argument(
        "role", choices=[str(r) for r in Role], metavar="角色", help="clerk 接待员 / grid_chief 网格长 / admin 管理员"
    )
    role.set_defaults(handler=_command("staff", "cmd_staff_role"))


def _subcommands(
    parser: argparse.ArgumentParser, *, required: bool
) -> argparse._SubParsersAction[ChineseArgumentParser]:
    """Subcommands listed under one heading, each complaining about a malformed command line in Chinese too."""
    return parser.add_subparsers(title="子命令", metavar="命令", parser_class=ChineseArgumentParser, required=required)


def _add_location_options(parser: argparse.ArgumentParser, *, data_dir: Any, lang: Any) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=data_dir,
        help=f"数据目录（默认取环境变量 {DATA_DIR_ENV}，否则为本机用户数据目录）",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default=lang, help="界面语言：zh_CN（默认）或 en")


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
