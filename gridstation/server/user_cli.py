"""`gridstation-server user …`: the people who sign in to the console and the API (issue 15).

    user add USERNAME --role centre|department|gridlead|admin [--department CODE] [--grid CODE …] [--name 姓名]
             [--password-stdin]
    user list [--json]
    user disable USERNAME
    user reset-password USERNAME [--password-stdin]

Without `--password-stdin` the password is asked for twice at the terminal (not echoed); with it, the first line
of standard input is the password (for scripts). Lists show times in Beijing time, JSON in ISO 8601 (UTC). Every
change is in the audit log.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from gridstation.common.cli_kit import ChineseArgumentParser
from gridstation.domain.console_roles import CONSOLE_ROLE_LABELS, ConsoleRole, parse_role
from gridstation.domain.errors import DomainError
from gridstation.domain.localtime import local_minute
from gridstation.server.credential_cli import Opener
from gridstation.server.users import UserSummary


def add_user_commands(commands: argparse._SubParsersAction[Any], open_for: Opener) -> None:
    """Add `user` to the server's command line; `open_for(args)` opens the service."""
    run = UserCommands(open_for)
    user = commands.add_parser("user", help="城运中心、部门、网格长的登录账号").add_subparsers(
        parser_class=ChineseArgumentParser
    )
    add = user.add_parser("add", help="新增登录账号")
    add.add_argument("username", help="用户名（英文字母、数字或 . - _）")
    add.add_argument(
        "--role", required=True, help="角色：centre（城运中心）、department（部门）、gridlead（网格长）、admin"
    )
    add.add_argument("--department", default=None, help="部门用户所属部门的代码（见 department list）")
    add.add_argument("--grid", action="append", default=[], metavar="CODE", help="网格长负责的网格（可重复）")
    add.add_argument("--name", default="", help="姓名")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    add.set_defaults(handler=run.add)
    listing = user.add_parser("list", help="列出登录账号")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run.list)
    disable = user.add_parser("disable", help="停用账号（立即生效，已登录的随之退出）")
    disable.add_argument("username")
    disable.set_defaults(handler=run.disable)
    reset = user.add_parser("reset-password", help="重设密码（解除锁定，已登录的随之退出）")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码（第一行）")
    reset.set_defaults(handler=run.reset_password)


def read_password(from_stdin: bool) -> str:
    """The password from the first line of standard input, or asked for twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise DomainError("user.password_input", "没有终端可输入密码；请用 --password-stdin 从标准输入提供密码。")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise DomainError("user.password_mismatch", "两次输入的密码不一致，账号未改动。")
    return first


def _scope(user: UserSummary) -> str:
    if user.department:
        return f"部门 {user.department}"
    if user.grids:
        return f"网格 {'、'.join(user.grids)}"
    return "全部诉求"


class UserCommands:
    def __init__(self, open_for: Opener) -> None:
        self.open_for = open_for

    def add(self, args: argparse.Namespace) -> int:
        role = parse_role(args.role)
        password = read_password(args.password_stdin)
        with self.open_for(args) as service:
            user = service.add_user(
                args.username, role, password, department=args.department, grids=args.grid, display_name=args.name
            )
        print(f"已新增{CONSOLE_ROLE_LABELS[role]}账号 {user.username}（{_scope(user)}）。")
        return 0

    def list(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            users = service.users()
        if args.json:
            rows = [
                {
                    "username": u.username,
                    "role": str(u.role),
                    "name": u.display_name,
                    "department": u.department,
                    "grids": list(u.grids),
                    "disabled": u.disabled,
                    "locked_until": u.locked_until.isoformat() if u.locked_until else None,
                    "created_at": u.created_at.isoformat(),
                    "last_sign_in_at": u.last_sign_in_at.isoformat() if u.last_sign_in_at else None,
                }
                for u in users
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        if not users:
            print("还没有登录账号。用 gridstation-server user add 用户名 --role centre 新增。")
            return 0
        print("时间为北京时间。")
        for u in users:
            state = "已停用" if u.disabled else "有效"
            print(
                f"{u.username:<16} {CONSOLE_ROLE_LABELS[ConsoleRole(u.role)]:<4} {state}  {_scope(u)}  "
                f"最近登录 {local_minute(u.last_sign_in_at, '从未登录')}  {u.display_name}"
            )
        return 0

    def disable(self, args: argparse.Namespace) -> int:
        with self.open_for(args) as service:
            service.disable_user(args.username)
        print(f"账号 {args.username.strip().lower()} 已停用，立即生效。")
        return 0

    def reset_password(self, args: argparse.Namespace) -> int:
        password = read_password(args.password_stdin)
        with self.open_for(args) as service:
            service.reset_password(args.username, password)
        print(f"账号 {args.username.strip().lower()} 的密码已重设，锁定已解除。")
        return 0
