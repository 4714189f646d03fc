"""`gridstation sync`: one sync with the sub-district server (as a scheduled task would run it), enrolment, status."""

from __future__ import annotations

import argparse
import platform
import sys

from gridstation.cli.context import open_station, required_actor, resolve_data_dir, station_zone
from gridstation.cli.output import iso, print_json


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
        try:
            summary = sync.run("headless", progress=progress, check_receipt=not args.no_receipt)
        finally:
            sync.close()
        if show:
            print(file=sys.stderr)
        if args.json:
            print_json({**summary.to_json(), "exit_code": exit_code(summary)})
        else:
            print(as_text(summary, station_zone(service)))
        return exit_code(summary)


def cmd_sync_enrol(args: argparse.Namespace) -> int:
    from gridstation.sync.engine import SyncService

    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        answer = SyncService(service).enrol(actor, args.server, args.code, device_name=platform.node())
        print(f"已登记：工作站 {answer.station_code}（{answer.station_name}）→ {args.server.strip()}")
    return 0


def cmd_sync_status(args: argparse.Namespace) -> int:
    from gridstation.sync.engine import SyncService

    with open_station(resolve_data_dir(args)) as service:
        status = SyncService(service).status()
        zone = station_zone(service)
        if args.json:
            print_json(
                {
                    "enrolled": status.enrolled,
                    "server_url": status.server_url,
                    "unsent": status.unsent,
                    "oldest_unsent_at": iso(status.oldest_unsent_at, zone),
                    "last_success_at": iso(status.last_success_at, zone),
                    "last_attempt_at": iso(status.last_attempt_at, zone),
                    "last_error": status.last_error,
                    "unseen_work_orders": status.unseen_work_orders,
                    "open_conflicts": status.open_conflicts,
                }
            )
            return 0
        print(f"服务器：{status.server_url or '（未设置）'}{'' if status.enrolled else '，尚未登记'}")
        oldest = f"，最早的产生于 {iso(status.oldest_unsent_at, zone)}" if status.oldest_unsent_at else ""
        print(f"未上传事件：{status.unsent} 条{oldest}")
        print(f"上次成功同步：{iso(status.last_success_at, zone) or '从未'}")
        if status.last_error:
            print(f"上次同步失败：{status.last_error}")
        print(f"未查看的新工单：{status.unseen_work_orders} 件；待处理冲突：{status.open_conflicts} 条")
    return 0
