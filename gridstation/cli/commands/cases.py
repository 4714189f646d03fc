"""`gridstation cases list|show|attach`: the station's cases, most urgent first, one case with its whole timeline,
and adding photos to a case."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from gridstation.cli.context import open_station, required_actor, resolve_data_dir, station_zone
from gridstation.cli.output import clip, deadline_text, iso, pad, print_json, print_table, text_width
from gridstation.domain.case import CaseState
from gridstation.domain.enums import CHANNEL_LABELS, STATUS_LABELS, TIER_LABELS, Status
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.domain.photos import describe_size
from gridstation.domain.sla import STAGE_LABELS, Colour
from gridstation.domain.timeline import describe_event
from gridstation.domain.validation import mask_name, mask_phone


def cmd_cases_list(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        query = CaseQuery(
            text=args.text.strip(),
            statuses=frozenset(parse_status(s) for s in args.status),
            open_only=args.open,
        )
        # Residents' complaints, and a search by phone number says whose number it is: signed-in staff only.
        actor = required_actor(service, args)
        total = service.count(query, actor=actor)
        query.limit = args.limit or max(total, 1)
        now = service.now()
        rows = service.search(query, actor=actor)
        zone = station_zone(service)
        scheme = service.colour_scheme()
        categories = service.category_names()

        def colour(started: datetime | None, due: datetime | None) -> Colour:
            return scheme.colour_for(started, due, now) if started and due else Colour.NONE

        if args.json:
            print_json(
                [
                    {
                        "number": r.number,
                        "registered_at": iso(r.registered_at, zone),
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
                        "sla_due_at": iso(r.sla_due_at, zone),
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
                clip(r.description, 30),
                clip(r.assignee, 16),
                deadline_text(colour(r.sla_started_at, r.sla_due_at), r.sla_due_at, zone),
            )
            for r in rows
        ]
        print_table(header, table)
        shown = f"，显示 {len(rows)} 条" if len(rows) < total else ""
        print(f"\n共 {total} 条{shown}。查看详情：gridstation cases show 编号")
    return 0


def cmd_cases_attach(args: argparse.Namespace) -> int:
    """Add photo files to a case, as 添加照片 at the desk; the next sync uploads them."""
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        state = service.case_by_number(args.number)
        for name in args.files:
            photo = service.attach_photo(actor, state.id, Path(name))
            print(f"已为诉求 {state.number} 添加照片 {photo.filename}（{describe_size(photo.size)}），下次同步时上传。")
    return 0


def cmd_cases_show(args: argparse.Namespace) -> int:
    with open_station(resolve_data_dir(args)) as service:
        required_actor(service, args)  # a case's whole record: signed-in staff only, as at the desk
        state = service.case_by_number(args.number)
        events = service.timeline(state.id)
        zone = station_zone(service)
        now = service.now()
        categories = service.category_names()
        grids = {g.code: g.name for g in service.grids()}
        deadline = state.running_deadline(service.deadline_policy())
        colour = (
            service.colour_scheme().colour_for(deadline.started_at, deadline.due_at, now) if deadline else Colour.NONE
        )
        complainant = "匿名" if state.anonymous else mask_name(state.complainant_name)
        phone = mask_phone(state.phone) if state.phone else ""
        timeline = [
            {
                "at": iso(e.occurred_at, zone),
                "type": str(e.type),
                "actor": e.actor_name,
                "summary": describe_event(e),
            }
            for e in events
        ]
        if args.json:
            print_json(
                {
                    "number": state.number,
                    "registered_at": iso(state.registered_at, zone),
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
                    "sla_due_at": iso(deadline.due_at if deadline else None, zone),
                    "colour": str(colour),
                    "timeline": timeline,
                }
            )
            return 0
        _print_case(state, categories, grids, complainant, phone, zone)
        if deadline:
            print(f"时限：{STAGE_LABELS[deadline.stage]} {deadline_text(colour, deadline.due_at, zone)}")
        print("诉求内容：")
        print(f"  {state.description}")
        print("办理记录：")
        width = max((text_width(e.actor_name) for e in events), default=0)
        for event in events:
            print(
                f"  {event.occurred_at.astimezone(zone):%Y-%m-%d %H:%M}  {pad(event.actor_name, width)}  "
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
