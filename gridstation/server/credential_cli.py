"""`gridstation-server department …` and `gridstation-server apikey …`: the long-lived secrets the centre hands out.

    department add CODE 名称 [--expires-in-days N]     apikey add 名称 --station JA01 [--expires-in-days N]
    department list [--json]                          apikey list [--json]
    department revoke CODE                            apikey revoke 名称
    department rotate CODE [--expires-in-days N]      apikey rotate 名称 [--expires-in-days N]

A new or rotated secret is printed once (on the last line, for scripts); the old one stops working at once. Lists
show times in Beijing time to the minute, JSON in ISO 8601 (UTC). Every add, revoke and rotate is in the audit log.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from gridstation.common.cli_kit import ChineseArgumentParser
from gridstation.domain.localtime import local_minute
from gridstation.server.accounts import ApiKeySummary, DepartmentSummary
from gridstation.server.credentials import CREDENTIAL_STATE_LABELS
from gridstation.server.service import ServerService

Opener = Callable[[argparse.Namespace], AbstractContextManager[ServerService]]


def add_credential_commands(commands: argparse._SubParsersAction[Any], open_for: Opener) -> None:
    """Add `department` and `apikey` to the server's command line; `open_for(args)` opens the service."""
    run = CredentialCommands(open_for)
    department = commands.add_parser("department", help="部门令牌：新增、列表、停用、更换").add_subparsers(
        parser_class=ChineseArgumentParser
    )
    add = department.add_parser("add", help="新增部门并打印其令牌")
    add.add_argument("code", help="部门代码，如 GREEN")
    add.add_argument("name", help="部门名称，如 区绿化市容局（与工作站派单时填写的承办部门一致）")
    _expiry_flag(add, unset="长期有效")
    add.set_defaults(handler=run.department_add)
    listing = department.add_parser("list", help="列出部门令牌：状态、到期、最近使用")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run.department_list)
    revoke = department.add_parser("revoke", help="停用部门令牌（立即生效）")
    revoke.add_argument("code")
    revoke.set_defaults(handler=run.department_revoke)
    rotate = department.add_parser("rotate", help="更换部门令牌：打印新令牌，旧令牌立即失效（已停用的随之恢复）")
    rotate.add_argument("code")
    _expiry_flag(rotate, unset="与原令牌的有效期一样长")
    rotate.set_defaults(handler=run.department_rotate)

    apikey = commands.add_parser("apikey", help="Open311 api_key：新增、列表、停用、更换").add_subparsers(
        parser_class=ChineseArgumentParser
    )
    add = apikey.add_parser("add", help="新增 api_key；用它提交的诉求派给指定工作站")
    add.add_argument("name", help="名称（不可重复），如 码上就来")
    add.add_argument("--station", required=True, help="承办工作站代码")
    _expiry_flag(add, unset="长期有效")
    add.set_defaults(handler=run.apikey_add)
    listing = apikey.add_parser("list", help="列出 api_key：状态、工作站、到期、最近使用")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run.apikey_list)
    revoke = apikey.add_parser("revoke", help="停用 api_key（立即生效）")
    revoke.add_argument("name", help="名称（或 apikey list 显示的编号）")
    revoke.set_defaults(handler=run.apikey_revoke)
    rotate = apikey.add_parser("rotate", help="更换 api_key：打印新 key，旧 key 立即失效（已停用的随之恢复）")
    rotate.add_argument("name", help="名称（或 apikey list 显示的编号）")
    _expiry_flag(rotate, unset="与原 key 的有效期一样长")
    rotate.set_defaults(handler=run.apikey_rotate)


def _expiry_flag(parser: argparse.ArgumentParser, *, unset: str) -> None:
    parser.add_argument("--expires-in-days", type=int, default=None, metavar="N", help=f"N 天后失效（不设：{unset}）")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _validity(expires_at: datetime | None) -> str:
    return f"有效期至北京时间 {local_minute(expires_at, '')}" if expires_at else "长期有效"


def _days(args: argparse.Namespace) -> str:
    return f"{args.expires_in_days} 天内有效" if args.expires_in_days else "长期有效"


class CredentialCommands:
    def __init__(self, open_for: Opener) -> None:
        self.open_for = open_for

    # --- departments ------------------------------------------------------------------------------------------

    def department_add(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            token = service.add_department(args.code, args.name, expires_in_days=args.expires_in_days)
        print(f"部门 {args.code.strip().upper()} 的令牌（只显示这一次；{_days(args)}）：")
        print(token)
        return 0

    def department_list(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            departments = service.departments()
        if args.json:
            rows = [{"code": d.code, "name": d.name, "state": d.state, **_times(d)} for d in departments]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        if not departments:
            print("还没有部门。用 gridstation-server department add 代码 名称 新增。")
            return 0
        print("时间为北京时间。")
        for d in departments:
            print(
                f"{d.code:<10} {CREDENTIAL_STATE_LABELS[d.state]}  到期 {local_minute(d.expires_at, '长期有效'):<16}  "
                f"最近使用 {local_minute(d.last_used_at, '从未使用'):<16}  {d.name}"
            )
        return 0

    def department_revoke(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            service.revoke_department(args.code)
        code = args.code.strip().upper()
        print(f"部门 {code} 的令牌已停用，立即生效。如需恢复，请用 department rotate {code} 签发新令牌。")
        return 0

    def department_rotate(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            issued = service.rotate_department(args.code, expires_in_days=args.expires_in_days)
        code = args.code.strip().upper()
        print(f"部门 {code} 的新令牌（只显示这一次；{_validity(issued.expires_at)}），旧令牌已立即失效：")
        print(issued.secret)
        return 0

    # --- Open311 api_keys -------------------------------------------------------------------------------------

    def apikey_add(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            key = service.add_api_key(args.name, args.station, expires_in_days=args.expires_in_days)
        print(f"Open311 api_key（只显示这一次；{_days(args)}）：")
        print(key)
        return 0

    def apikey_list(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            keys = service.api_keys()
        if args.json:
            rows = [
                {"id": k.id, "name": k.name, "station": k.station_code, "state": k.state, **_times(k)} for k in keys
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        if not keys:
            print("还没有 api_key。用 gridstation-server apikey add 名称 --station 工作站代码 新增。")
            return 0
        print("时间为北京时间。")
        for k in keys:
            print(
                f"{k.name}  {CREDENTIAL_STATE_LABELS[k.state]}  工作站 {k.station_code}  "
                f"到期 {local_minute(k.expires_at, '长期有效')}  最近使用 {local_minute(k.last_used_at, '从未使用')}  "
                f"编号 {k.id}"
            )
        return 0

    def apikey_revoke(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            service.revoke_api_key(args.name)
        print(f"api_key「{' '.join(args.name.split())}」已停用，立即生效。")
        return 0

    def apikey_rotate(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            issued = service.rotate_api_key(args.name, expires_in_days=args.expires_in_days)
        name = " ".join(args.name.split())
        print(f"api_key「{name}」的新 key（只显示这一次；{_validity(issued.expires_at)}），旧 key 已立即失效：")
        print(issued.secret)
        return 0


def _times(summary: DepartmentSummary | ApiKeySummary) -> dict[str, str | None]:
    return {
        "created_at": _iso(summary.created_at),
        "issued_at": _iso(summary.issued_at),
        "expires_at": _iso(summary.expires_at),
        "last_used_at": _iso(summary.last_used_at),
        "revoked_at": _iso(summary.revoked_at),
    }
