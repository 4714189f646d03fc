"""`gridstation staff list|reset-pin|disable|enable|role` and `settings set idle-lock`: the people of a station,
through the same service as the desk's 人员 tab (services/staff_admin.py)."""

from __future__ import annotations

import argparse
import getpass
import sys

from gridstation.cli.commands.admin import cmd_settings_set
from gridstation.cli.context import open_station, required_actor, resolve_data_dir, station_zone
from gridstation.cli.output import iso, print_json, print_table
from gridstation.domain.enums import ROLE_LABELS, Role
from gridstation.domain.errors import DomainError


def cmd_staff_list(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        records = service.staff_records(required_actor(service, args))
        zone = station_zone(service)
    if args.json:
        print_json([{**r.to_json(), "created_at": iso(r.created_at, zone)} for r in records])
        return 0
    rows = [
        [r.name, ROLE_LABELS[r.role], "在岗" if r.active else "已停用", f"{r.created_at.astimezone(zone):%Y-%m-%d}"]
        for r in records
    ]
    print_table(["姓名", "角色", "状态", "添加日期"], rows)
    return 0


def _new_pin(args: argparse.Namespace) -> str:
    """The new PIN: --new-pin, else typed twice in a terminal, else the first line of standard input (scripts)."""
    if args.new_pin is not None:
        return str(args.new_pin)
    if sys.stdin is not None and sys.stdin.isatty():
        pin = getpass.getpass(f"「{args.name}」的新 PIN：")
        if getpass.getpass("再次输入新 PIN：") != pin:
            raise DomainError("pin.mismatch", "两次输入的 PIN 不一致，未做任何更改。")
        return pin
    pin = sys.stdin.readline().strip() if sys.stdin is not None else ""
    if not pin:
        raise DomainError("pin.missing", "请用 --new-pin 给出新 PIN，或从标准输入提供（一行）。")
    return pin


def cmd_staff_reset_pin(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        member = service.set_staff_pin(actor, args.name, _new_pin(args))
    print(f"已为{ROLE_LABELS[member.role]}「{member.name}」设置新 PIN。")
    return 0


def cmd_staff_active(args: argparse.Namespace) -> int:
    active: bool = args.active
    with open_station(resolve_data_dir(args)) as service:
        record = service.set_staff_active(required_actor(service, args), args.name, active)
    if active:
        print(f"已启用{ROLE_LABELS[record.role]}「{record.name}」，可以重新登录。")
    else:
        print(f"已停用{ROLE_LABELS[record.role]}「{record.name}」：不能再登录，已有记录保留。")
    return 0


def cmd_staff_role(args: argparse.Namespace) -> int:
    role = Role(args.role)
    with open_station(resolve_data_dir(args)) as service:
        record = service.change_staff_role(required_actor(service, args), args.name, role)
    print(f"「{record.name}」的角色已改为{ROLE_LABELS[record.role]}。")
    return 0


def cmd_settings_set_with_idle_lock(args: argparse.Namespace) -> int:
    """`settings set idle-lock MINUTES`; every other kind is handled by cmd_settings_set."""
    if args.kind != "idle-lock":
        return cmd_settings_set(args)
    with open_station(resolve_data_dir(args)) as service:
        minutes = service.set_idle_lock_minutes(required_actor(service, args), args.file)
    print(f"已设置：桌面程序无操作 {minutes} 分钟后自动锁定。" if minutes else "已设置：桌面程序不自动锁定。")
    return 0
