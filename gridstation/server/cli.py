"""`gridstation-server`: run the sub-district server, and administer stations, departments and work orders.

The department and api_key commands are in `credential_cli`, the user commands in `user_cli`.

The database is SQLite in the data directory unless `--db` (or GRIDSTATION_SERVER_DB) names another, e.g.
`postgresql+psycopg://gridstation@db.internal/gridstation`; every flag of `ServerSettings` overrides its
environment variable. User errors print their Chinese message to stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from gridstation.common.cli_kit import ChineseArgumentParser, read_csv_text, run_command
from gridstation.common.files import write_private_file
from gridstation.common.qr import save_qr_png
from gridstation.domain.enums import EVENT_LABELS, SUPERVISION_LABELS, EventType, SupervisionLevel
from gridstation.domain.errors import DomainError
from gridstation.domain.localtime import local_minute
from gridstation.logsetup import SERVER, configure_logging
from gridstation.protocol import enrolment_uri
from gridstation.server.backup_cli import add_backup_commands
from gridstation.server.credential_cli import add_credential_commands
from gridstation.server.kb_cli import add_kb_commands
from gridstation.server.policy_cli import add_policy_commands
from gridstation.server.repair import RepairReport
from gridstation.server.report_cli import add_report_commands
from gridstation.server.service import ServerService
from gridstation.server.serving import RETENTION_INTERVAL_SECONDS as RETENTION_INTERVAL_SECONDS
from gridstation.server.serving import open_service
from gridstation.server.serving import periodically as periodically
from gridstation.server.settings import CONFIG_ENV, ENV_PREFIX, ServerSettings, default_config_file
from gridstation.server.setup_cli import add_setup_commands
from gridstation.server.user_cli import add_user_commands
from gridstation.server.workorder_returns import DEFAULT_ENCODING, parse_encoding, parse_since, returns_csv
from gridstation.server.workorders import (
    build_work_order,
    parse_flag,
    parse_source,
    parse_time,
    parse_work_order_csv,
)

log = logging.getLogger(__name__)

# Exit status of `audit verify` when an event was changed outside the server (0 intact, 2 a user error).
EXIT_TAMPERED = 3

STATE_LABELS = {"pending": "待登记", "enrolled": "已登记", "revoked": "已停用"}
EXIT_NEEDS_A_PERSON = 1  # `repair` left rows it could not repair (listed): a person has to look at them


def settings_of(args: argparse.Namespace) -> ServerSettings:
    """The environment's settings, overridden by the flags given (the flags are named after the settings)."""
    flags = {name: value for name, value in vars(args).items() if name in ServerSettings.model_fields}
    return ServerSettings.load(config=getattr(args, "config", None), **flags)


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging(SERVER)
    return run_command(build_parser(), argv, error_prefix="gridstation-server：")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="gridstation-server", description="GridStation 街道城运中心服务器")
    parser.add_argument("--db", help=f"数据库地址（默认：数据目录下的 SQLite；也可用环境变量 {ENV_PREFIX}DB）")
    parser.add_argument("--data-dir", help=f"数据目录（照片、默认数据库；也可用环境变量 {ENV_PREFIX}DATA_DIR）")
    parser.add_argument(
        "--config", help=f"配置文件（默认 {default_config_file()}；也可用环境变量 {CONFIG_ENV}）", metavar="文件"
    )
    commands = parser.add_subparsers(parser_class=ChineseArgumentParser)
    add_setup_commands(commands, settings_of)
    add_backup_commands(commands, settings_of)

    serve = commands.add_parser("serve", help="启动服务器")
    serve.add_argument("--host", help="监听地址（默认 127.0.0.1；对外服务请放在 TLS 反向代理后）")
    serve.add_argument("--port", type=int)
    serve.add_argument("--ssl-certfile", help="直接提供 HTTPS：证书文件（PEM）")
    serve.add_argument("--ssl-keyfile", help="直接提供 HTTPS：私钥文件（PEM）")
    serve.add_argument(
        "--retention-years",
        type=int,
        help=f"已办结诉求的个人信息保存年限，每天执行一次匿名化（默认 3；环境变量 {ENV_PREFIX}RETENTION_YEARS）",
    )
    serve.add_argument(
        "--supervise-seconds",
        type=int,
        help=(
            "督办巡查间隔秒数（默认 60；0 为不自动巡查，可用 supervise 命令手动运行；"
            f"环境变量 {ENV_PREFIX}SUPERVISE_SECONDS）"
        ),
    )
    serve.add_argument(
        "--workers",
        type=int,
        help=(
            f"工作进程数（默认 1；多个进程时请用 PostgreSQL，督办和匿名化只在主进程运行；环境变量 {ENV_PREFIX}WORKERS）"
        ),
    )
    serve.add_argument(
        "--pool-size",
        type=int,
        help=f"每个工作进程保持的 PostgreSQL 连接数（默认 20，高峰时可再多同样数量；环境变量 {ENV_PREFIX}POOL_SIZE）",
    )
    serve.set_defaults(handler=run_serve)

    station = commands.add_parser("station", help="工作站：登记、列表、停用").add_subparsers(
        parser_class=ChineseArgumentParser
    )
    add = station.add_parser("add", help="新增工作站并打印一次性登记码")
    add.add_argument("code", help="工作站代码，如 JA01")
    add.add_argument("name", nargs="?", default="", help="工作站名称")
    add.add_argument("--new-code", action="store_true", help="为已有工作站重新签发登记码（如换了电脑）")
    add.add_argument(
        "--qr", type=Path, default=None, metavar="图片.png", help="另存一张登记二维码图片（工作站可扫码登记）"
    )
    add.add_argument("--server-url", default="", help="二维码里带上的服务器地址（工作站看到的地址）")
    add.set_defaults(handler=run_station_add)
    listing = station.add_parser("list", help="列出工作站")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_station_list)
    revoke = station.add_parser("revoke", help="停用工作站（立即生效）")
    revoke.add_argument("code")
    revoke.set_defaults(handler=run_station_revoke)
    resync = station.add_parser("resync", help="让工作站重新完整拉取（如服务器从备份恢复后）")
    resync.add_argument("code")
    resync.set_defaults(handler=run_station_resync)

    add_credential_commands(commands, lambda args: open_service(settings_of(args)))
    add_user_commands(commands, lambda args: open_service(settings_of(args)))

    workorder = commands.add_parser("workorder", help="工单（12345、信访、码上就来）").add_subparsers(
        parser_class=ChineseArgumentParser
    )
    wo_add = workorder.add_parser("add", help="派一张工单给工作站")
    wo_add.add_argument("--ticket", required=True, help="工单编号")
    wo_add.add_argument("--station", required=True, help="承办工作站代码")
    wo_add.add_argument("--source", default="12345", help="来源：12345、信访、码上就来")
    wo_add.add_argument("--category", required=True, help="诉求分类代码，如 GREEN.LIGHT")
    wo_add.add_argument("--description", required=True)
    wo_add.add_argument("--compound", default="")
    wo_add.add_argument("--building", default="")
    wo_add.add_argument("--address", default="")
    wo_add.add_argument("--name", default="", help="联系人")
    wo_add.add_argument("--phone", default="")
    wo_add.add_argument("--dispatched-at", default="", help="派单时间（默认现在），如 2026-11-23 09:30")
    wo_add.add_argument("--due-hours", type=float, help="处理时限（小时）")
    wo_add.add_argument("--urgent", default="否", help="是否紧急：是/否")
    wo_add.set_defaults(handler=run_workorder_add)
    wo_import = workorder.add_parser("import", help="导入 12345 热线导出的工单 CSV（全部正确才导入；已导入的跳过）")
    wo_import.add_argument("file")
    wo_import.set_defaults(handler=run_workorder_import)
    wo_export = workorder.add_parser(
        "export", help="导出回单：某日以来已处置或办结的 12345、信访工单（可再由 import 读回）"
    )
    wo_export.add_argument("--since", required=True, help="起始日期（北京时间），如 2026-11-02")
    wo_export.add_argument("file", help="写入的 CSV 文件")
    wo_export.add_argument(
        "--encoding", default=DEFAULT_ENCODING, help="gb18030（默认，Windows Excel 直接打开）或 utf-8"
    )
    wo_export.set_defaults(handler=run_workorder_export)

    add_policy_commands(commands, lambda args: open_service(settings_of(args)))
    add_report_commands(commands, lambda args: open_service(settings_of(args)))
    add_kb_commands(commands, lambda args: open_service(settings_of(args)))

    supervise = commands.add_parser(
        "supervise", help="督办：把到期的时限变成催办、升级、部门超期和难题会诊事项（serve 每分钟自动运行）"
    )
    supervise.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    supervise.set_defaults(handler=run_supervise)

    audit = commands.add_parser("audit", help="核对数据是否在服务器之外被改动").add_subparsers(
        parser_class=ChineseArgumentParser
    )
    verify = audit.add_parser(
        "verify",
        help="重新计算每条已存事件的校验值，指出第一条不符的事件",
        epilog=f"退出码：0 完整；{EXIT_TAMPERED} 有事件在服务器之外被改动（篡改）；2 使用错误。",
    )
    verify.add_argument("--station", default=None, help="只核对这个工作站的事件")
    verify.add_argument("--json", action="store_true", help="以 JSON 输出核对结果")
    verify.set_defaults(handler=run_audit_verify)

    retention = commands.add_parser("retention", help="个人信息保存期限").add_subparsers(
        parser_class=ChineseArgumentParser
    )
    retention_run = retention.add_parser(
        "run",
        help="匿名化办结已满保存年限的诉求中的姓名、电话和门牌室号（serve 每天自动执行一次）",
    )
    retention_run.add_argument(
        "--retention-years",
        type=int,
        help=f"保存年限（默认 3；也可用环境变量 {ENV_PREFIX}RETENTION_YEARS）",
    )
    retention_run.add_argument("--dry-run", action="store_true", help="只统计，不做改动")
    retention_run.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    retention_run.set_defaults(handler=run_retention)

    conflicts = commands.add_parser("conflicts", help="列出待人工确认的冲突")
    conflicts.add_argument("--station", required=True)
    conflicts.set_defaults(handler=run_conflicts)

    repair = commands.add_parser(
        "repair",
        help="修复无法同步的数据（旧版本存入的控制字符等）：清理文字、重新计算诉求、重新发给工作站",
    )
    repair.add_argument("--station", help="只检查该工作站（默认：全部工作站）")
    repair.add_argument("--dry-run", action="store_true", help="只列出将要修复的内容，不做任何修改")
    repair.set_defaults(handler=run_repair)
    return parser


def run_serve(args: argparse.Namespace) -> int:
    from gridstation.server.serving import serve

    return serve(settings_of(args))


def run_station_add(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        code = service.add_station(args.code, args.name, new_code=args.new_code)
    if args.qr is not None:
        save_qr_png(enrolment_uri(args.server_url, code) if args.server_url else code, args.qr)
        print(f"登记二维码已保存：{args.qr}（与登记码同样保密）")
    print(f"工作站 {args.code.upper()} 的一次性登记码（7 天内有效，只显示这一次）：")
    print(code)
    if args.server_url:
        # What the QR code holds, as text: pasted into the desk's 首次设置向导 it fills in the server and the code.
        print("或在工作站「首次设置向导」的登记码一栏粘贴：")
        print(enrolment_uri(args.server_url, code))
    return 0


def run_station_list(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        stations = service.stations()
    if args.json:
        rows = [
            {
                "code": s.code,
                "name": s.name,
                "state": s.state,
                "pushed_seq": s.pushed_seq,
                "feed_head": s.feed_head,
                "epoch": s.epoch,
                "last_seen_at": s.last_seen_at.isoformat() if s.last_seen_at else None,
            }
            for s in stations
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not stations:
        print("还没有工作站。用 gridstation-server station add CODE 名称 新增。")
        return 0
    for s in stations:
        seen = local_minute(s.last_seen_at, "从未同步")  # Beijing time, whatever zone the server runs in
        print(f"{s.code:<8} {STATE_LABELS[s.state]:<4} 已收事件 {s.pushed_seq:>7}  最近同步 {seen}  {s.name}")
    return 0


def run_station_revoke(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        service.revoke_station(args.code)
    print(f"工作站 {args.code.upper()} 已停用，其凭证立即失效。")
    return 0


def run_station_resync(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        epoch = service.resync_station(args.code)
    print(f"工作站 {args.code.upper()} 下次同步时将重新完整拉取（第 {epoch} 轮）。")
    return 0


def run_workorder_add(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        return _add_work_order(service, args)


def _add_work_order(service: ServerService, args: argparse.Namespace) -> int:
    try:
        order = build_work_order(
            ticket=args.ticket,
            source=parse_source(args.source),
            station_code=args.station,
            category_code=args.category,
            description=args.description,
            dispatched_at=parse_time(args.dispatched_at, service.now()),
            compound=args.compound,
            building=args.building,
            address=args.address,
            complainant_name=args.name,
            phone=args.phone,
            due_hours=args.due_hours,
            urgent=parse_flag(args.urgent),
        )
    except ValueError as err:
        raise DomainError("workorder.invalid", str(err)) from err
    service.add_work_order(order)
    print(f"工单 {order.ticket} 已派给工作站 {order.station_code}。")
    return 0


def run_workorder_import(args: argparse.Namespace) -> int:
    text = read_csv_text(Path(args.file))
    with open_service(settings_of(args)) as service:
        orders = parse_work_order_csv(text, service.now())
        result = service.import_work_orders(orders)
    print(f"导入 {len(result.added)} 张工单；{len(result.skipped)} 张已导入过，跳过。")
    for ticket in result.skipped:
        print(f"  跳过 {ticket}")
    return 0


def run_workorder_export(args: argparse.Namespace) -> int:
    since, encoding = parse_since(args.since), parse_encoding(args.encoding)
    with open_service(settings_of(args)) as service:
        slips = service.return_slips(since)
    target = Path(args.file)
    write_private_file(target, returns_csv(slips, encoding))
    print(f"已导出 {len(slips)} 张回单（{args.since.strip()} 起，{encoding.upper()} 编码）到 {target}。")
    return 0


def run_supervise(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        run = service.supervise()
    if args.json:
        print(json.dumps(run.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(run.message_zh())
    for r in run.recorded:
        print(f"  {r.number}（{r.station_code}）{SUPERVISION_LABELS[SupervisionLevel(r.level)]} → {r.to}：{r.reason}")
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        report = service.verify_events(args.station.upper() if args.station else None)
    if args.json:
        print(json.dumps({**report.to_json(), "exit_code": 0 if report.intact else EXIT_TAMPERED}, ensure_ascii=False))
    else:
        print(report.message_zh())
        print(f"（核对用时 {report.seconds:.1f} 秒）")
    return 0 if report.intact else EXIT_TAMPERED


def run_retention(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    with open_service(settings) as service:
        result = service.run_retention(settings.retention_years, dry_run=args.dry_run)
    if args.json:
        print(json.dumps({**result.to_json(), "message": result.message_zh()}, ensure_ascii=False, indent=2))
    else:
        print(result.message_zh())
    return 0


def run_conflicts(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        conflicts = service.conflicts(args.station.upper())
    if not conflicts:
        print("没有待确认的冲突。")
    for c in conflicts:
        station_side = f"工作站「{c.station_value}」（{c.station_actor}）"
        print(f"{c.case_number} {c.field}：{station_side} / 城运中心「{c.server_value}」")
    return 0


def run_repair(args: argparse.Namespace) -> int:
    with open_service(settings_of(args)) as service:
        report = service.repair(station=args.station, dry_run=args.dry_run)
    print_repair_report(report)
    return EXIT_NEEDS_A_PERSON if report.unrepairable else 0


def print_repair_report(report: RepairReport) -> None:
    print(f"检查工作站：{'、'.join(report.stations) or '（没有工作站）'}")
    if report.found_nothing:
        print("没有发现无法同步的数据。")
        return
    verb = "将清理" if report.dry_run else "已清理"
    for cleaned in report.cleaned:
        label = EVENT_LABELS.get(EventType(cleaned.event_type), cleaned.event_type)
        fields = "；".join(f"{name} 去除 {'、'.join(points)}" for name, points in cleaned.removed.items())
        print(f"{verb}诉求 {cleaned.case_number} 的「{label}」事件 {cleaned.event_id}：{fields}")
    verb = "将重新计算" if report.dry_run else "已重新计算"
    print(f"{verb}诉求 {len(report.reprojected)} 件，重新发给工作站的事件 {report.refed} 条。")
    if report.unrepairable:
        print(f"无法自动修复 {len(report.unrepairable)} 项（需人工处理）：")
        for item in report.unrepairable:
            print(f"  {item.what}：{item.reason}")
    if report.dry_run:
        print("（试运行：以上是将要进行的修改，数据库未做任何改动。）")
    else:
        print("修改已记入审计日志。")


if __name__ == "__main__":
    sys.exit(main())
