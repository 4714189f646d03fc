"""`gridstation-server policy …`: the district's deadline policy (issue 16).

    policy show [--json]     the policy in force as TOML (edit it, then `policy set`), or JSON with its version
    policy set FILE.toml     a new version, checked completely first (a wrong file changes nothing)

Every station fetches the version in force with its next sync and runs it, or its own stricter policy.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from gridstation.common.cli_kit import ChineseArgumentParser
from gridstation.domain.district_policy import policy_from_toml, policy_to_toml
from gridstation.domain.errors import DomainError
from gridstation.domain.localtime import local_minute
from gridstation.server.credential_cli import Opener

NO_DEADLINE_NOTE = "分钟；false 表示该环节不设时限"


def add_policy_commands(commands: argparse._SubParsersAction[Any], open_for: Opener) -> None:
    """Add `policy` to the server's command line; `open_for(args)` opens the service."""
    policy = commands.add_parser("policy", help="街道时限标准：查看、设定（各工作站同步后执行，只能收紧）")
    actions = policy.add_subparsers(parser_class=ChineseArgumentParser)
    show = actions.add_parser("show", help="以 TOML 打印现行时限标准（可编辑后用 policy set 设定）")
    show.add_argument("--json", action="store_true", help="以 JSON 输出（含版本）")
    show.set_defaults(handler=lambda args: _show(open_for, args))
    put = actions.add_parser("set", help="从 TOML 文件设定新版时限标准（先完整校验，有误不作任何改动）")
    put.add_argument("file")
    put.set_defaults(handler=lambda args: _set(open_for, args))


def _show(open_for: Opener, args: argparse.Namespace) -> int:
    with open_for(args) as service:
        found = service.district_policy()
    if args.json:
        print(json.dumps({"version": found.version, "policy": found.policy.to_json()}, ensure_ascii=False, indent=2))
        return 0
    made = (
        f"，{local_minute(found.created_at)} 由 {found.created_by} 设定" if found.created_at else "（内置 51530 标准）"
    )
    print(policy_to_toml(found.policy, f"街道时限标准 第 {found.version} 版{made}\n{NO_DEADLINE_NOTE}"), end="")
    return 0


def _set(open_for: Opener, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DomainError("file.missing", f"找不到文件：{path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError("file.unreadable", f"无法读取文件：{path}（请保存为 UTF-8 编码）") from exc
    policy = policy_from_toml(text, path.name)
    with open_for(args) as service:
        found = service.set_district_policy(policy, "cli")
    print(f"已设定街道时限标准第 {found.version} 版；各工作站下次同步后执行。")
    return 0
