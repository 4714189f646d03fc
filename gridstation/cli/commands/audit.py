"""`gridstation audit verify`: are the station's event log and audit log still what GridStation wrote?"""

from __future__ import annotations

import argparse
import sys

from gridstation.cli.context import open_station, resolve_data_dir
from gridstation.cli.defaults import EXIT_TAMPERED
from gridstation.cli.output import print_json

# Exit status when a log was changed outside GridStation (0: intact; 2: a user error such as no station here).


def cmd_audit_verify(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        show = not args.json and sys.stderr.isatty()

        def progress(done: int) -> None:
            if show:
                print(f"\r已核对 {done} 条事件…", end="", file=sys.stderr, flush=True)

        report = service.verify_logs(progress)
        if show:
            print(file=sys.stderr)
    if args.json:
        print_json({**report.to_json(), "exit_code": 0 if report.intact else EXIT_TAMPERED})
    else:
        print(report.message_zh())
        if not report.intact:
            print("以上是各日志中第一处断开的位置；之后的记录无法再证明未被改动。请保留本机数据，联系街道管理员。")
        print(f"（核对用时 {report.seconds:.1f} 秒）")
    return 0 if report.intact else EXIT_TAMPERED
