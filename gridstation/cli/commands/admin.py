"""Station administration: `gridstation backup`, `restore`, `staff add|pin` and `settings show|set`."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from gridstation.cli.context import backup_passphrase, confirm, open_station, required_actor, resolve_data_dir
from gridstation.cli.output import print_json
from gridstation.common.files import new_private_dir
from gridstation.domain.enums import ROLE_LABELS, Role
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.domain.roles import Permission, require
from gridstation.domain.sla_document import colours_from_document, policy_from_document, read_document

if TYPE_CHECKING:
    from gridstation.services.backup import Restored


def cmd_backup(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        # A backup holds every resident's data: only a signed-in member of staff may take one, and it is sealed.
        actor = required_actor(service, args)
        target = Path(args.path).expanduser()
        if args.path.endswith(("/", os.sep)):  # clearly meant as a folder, even if it does not exist yet
            try:
                new_private_dir(target)
            except OSError as exc:
                raise DomainError("backup.folder", f"无法创建备份目录：{target}（{exc.strerror}）") from exc
        destination = service.backup(actor, target, passphrase=backup_passphrase(new=True))
    print(f"已加密备份到：{destination}")
    print("请牢记备份口令：没有口令无法恢复。备份不含同步凭证。")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    source: Path = args.path.expanduser()
    if not source.is_file():
        raise DomainError("restore.missing", f"找不到备份文件：{source}")
    from gridstation.services.backup_file import file_kind

    kind = file_kind(source)
    if not kind:
        raise DomainError("restore.not_a_backup", f"该文件不是有效的 GridStation 备份：{source.name}")
    with open_station(resolve_data_dir(args)) as service:
        # Restoring replaces every case at the station: only someone allowed to (an admin) may, by name.
        actor = required_actor(service, args)
        require(actor.role, Permission.RESTORE)  # before asking for a passphrase that would be of no use
        if kind == "plain":
            print(f"注意：{source.name} 是旧版未加密的备份。恢复前的安全副本将用下面输入的口令加密。")
        passphrase = backup_passphrase(new=kind == "plain")
        question = f"将用备份 {source} 覆盖当前数据（当前数据会先另存为加密的安全副本）。确认恢复？[y/N] "
        if not args.yes and not confirm(question):
            print("未确认，已取消恢复（可加 --yes 跳过确认）。")
            return 1
        restored = service.restore(actor, source, passphrase=passphrase)
        total = service.count(CaseQuery())
        station = service.station()
        code = station.code if station else ""
    print(f"已从 {source} 恢复数据，现有 {total} 条诉求。")
    print(f"恢复前的数据已另存为（已加密）：{restored.safety_copy}")
    print("如需撤销，可用同一口令再恢复这个安全副本。")
    _explain_restore(restored, code)
    return 0


def _explain_restore(restored: Restored, station_code: str) -> None:
    if restored.plain_backup:
        print(
            "警告：这是旧版未加密的备份，任何拿到该文件的人都能读出居民信息。"
            "请立即用 gridstation backup 重新做一份加密备份，并销毁这个未加密的文件。"
        )
    if restored.enrolment_needed:
        print(
            "本机尚未登记到城运中心（备份不含同步凭证）：请街道管理员运行 "
            f"gridstation-server station add {station_code or '工作站代码'} --new-code 签发新的登记码，"
            "再由本站管理员在桌面“同步 → 同步设置”或用 gridstation sync enrol 重新登记。"
        )


def cmd_staff_add(args: argparse.Namespace) -> int:
    generated = args.new_pin is None
    pin: str = f"{secrets.randbelow(10**6):06d}" if generated else args.new_pin
    role = Role(args.role)
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        member = service.add_staff(actor, args.name, role, pin)
    print(f"已添加{ROLE_LABELS[role]}「{member.name}」。")
    if generated:
        print(f"初始 PIN：{pin}（请当面告知本人，不要转发）")
    return 0


def cmd_staff_pin(args: argparse.Namespace) -> int:
    """An administrator sets a member's PIN (their own too: the way off a 4-digit admin PIN at the command line)."""
    generated = args.new_pin is None
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        pin: str = f"{secrets.randbelow(10**6):06d}" if generated else args.new_pin
        member = service.set_staff_pin(actor, args.name, pin)
    print(f"已为{ROLE_LABELS[member.role]}「{member.name}」设置新 PIN。")
    if generated:
        print(f"新 PIN：{pin}（请当面告知本人，不要转发）")
    return 0


def cmd_settings_show(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        current = {
            "deadlines": service.deadline_policy().to_json(),
            "colours": service.colour_scheme().to_json(),
            "retention": {"years": service.retention_years()},
            "idle_lock": {"minutes": service.idle_lock_minutes()},
            # The district's version this station runs (0: none received yet); informational, not set here.
            "district_policy": {"version": service.district_policy_version()[0]},
        }
    print_json(current)
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    if args.kind == "retention":
        with open_station(resolve_data_dir(args)) as service:
            years = service.set_retention_years(required_actor(service, args), args.file)
        print(f"已设置：已办结诉求的个人信息保存 {years} 年，期满后匿名化。")
        return 0
    if args.kind == "server-url":
        url = str(args.file).strip()
        if url and not url.startswith(("http://", "https://")):
            raise DomainError("settings.url", "服务器地址须以 http:// 或 https:// 开头。")
        with open_station(resolve_data_dir(args)) as service:
            from gridstation.storage.settings import SettingKey

            service.set_setting(required_actor(service, args), SettingKey.STATUS_PAGE_URL, url.rstrip("/"))
        print(f"已设置服务器地址：{url}" if url else "已清除服务器地址。")
        return 0
    path: Path = Path(args.file).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DomainError("file.missing", f"找不到文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise DomainError("settings.unreadable", f"设置文件须为 UTF-8 编码：{path}") from exc
    except OSError as exc:
        raise DomainError("settings.unreadable", f"无法读取设置文件：{path}（{exc.strerror}）") from exc
    data = read_document(text, str(path))
    # Checked completely before the station is opened: a file that is not a whole policy changes nothing.
    policy = policy_from_document(data) if args.kind == "deadlines" else None
    scheme = colours_from_document(data) if args.kind == "colours" else None
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        if policy is not None:
            service.set_deadline_policy(actor, policy)
            print("已更新时限标准，所有诉求的当前时限已按新标准重新计算。")
        if scheme is not None:
            service.set_colour_scheme(actor, scheme)
            print("已更新五色预警设置。")
    return 0
