"""`gridstation cases similar --text T [--address A] [--phone P] [--limit N] [--json]`: the earlier cases the desk's
intake panel would show for a complaint, best first, with why each is shown (issue 17)."""

from __future__ import annotations

import argparse

from gridstation.cli.context import open_station, required_actor, resolve_data_dir, station_zone
from gridstation.cli.output import clip, iso, print_json, print_table
from gridstation.domain.errors import DomainError
from gridstation.domain.similarity import REASON_LABELS


def cmd_cases_similar(args: argparse.Namespace) -> int:
    text = args.text.strip()
    if not text and not args.address.strip() and not args.phone.strip():
        raise DomainError("similar.empty", "请至少给出 --text、--address 或 --phone 之一。")
    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        pending = service.similar_index_pending()
        if pending > 1000 and not args.json:
            print(f"正在建立相似诉求索引（{pending} 件）…")
        found = service.similar_cases(
            actor, text, address=args.address, phone=args.phone, limit=args.limit, category_code=args.category
        )
        zone = station_zone(service)
        if args.json:
            print_json(
                [
                    {
                        "number": case.number,
                        "score": case.score,
                        "reasons": [str(reason) for reason in case.reasons],
                        "description": case.description,
                        "address": case.address,
                        "status": str(case.status),
                        "status_label": case.status_label,
                        "category_code": case.category_code,
                        "registered_at": iso(case.registered_at, zone),
                        "closed_at": iso(case.closed_at, zone),
                        "result": case.result,
                        "satisfaction": case.satisfaction,
                    }
                    for case in found
                ]
            )
            return 0
        if not found:
            print("没有相似的诉求。")
            return 0
        header = ("编号", "得分", "原因", "状态", "地址", "诉求内容", "处置情况")
        rows = [
            (
                case.number,
                f"{case.score:.2f}",
                "、".join(REASON_LABELS[reason] for reason in case.reasons),
                case.status_label,
                clip(case.address, 16),
                clip(case.description, 30),
                clip(case.result, 20),
            )
            for case in found
        ]
        print_table(header, rows)
    return 0
