"""`gridstation print …`: receipts, follow-up and area feedback forms, and the morning report, as PDF files (or a
receipt straight to the ESC/POS printer). A receipt sent to a printer is recorded in the case's history; a PDF file
is not a printed slip and is not recorded (printing it later from the desk is the first print, not a 补打)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from gridstation.cli.context import open_station, required_actor, resolve_data_dir, station_zone
from gridstation.domain.errors import DomainError


def _write_pdf(path: Path, pdf: bytes) -> Path:
    from gridstation.printing.paperwork import save_pdf

    target = path.expanduser()
    try:
        save_pdf(target, pdf)
    except OSError as exc:
        raise DomainError("file.write", f"无法写入文件 {target}：{exc.strerror}") from exc
    return target


def cmd_print_receipt(args: argparse.Namespace) -> int:
    # Renderers load reportlab: imported here so that other commands and the desk start without it.
    from gridstation.printing.escpos import print_escpos, receipt_escpos
    from gridstation.printing.paperwork import Paperwork
    from gridstation.printing.receipt import render_receipt
    from gridstation.printing.templates import receipt_papers

    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        paperwork = Paperwork(service)
        settings = paperwork.print_settings()
        paper = args.paper or settings.receipt_paper
        if paper not in receipt_papers():
            raise DomainError("print.paper", f"没有这种纸张：{paper}（可选 {' / '.join(receipt_papers())}）")
        case = service.case_by_number(args.number)
        data = paperwork.receipt(case.id)
        stub = args.stub or settings.station_stub
        if args.escpos:
            if not settings.escpos.enabled:
                raise DomainError("print.escpos_unset", "尚未设置 ESC/POS 热敏打印机（在桌面“打印设置”中设置）。")
            print_escpos(settings.escpos, receipt_escpos(data, paper, stub=stub))
            paperwork.record_receipt_printed(actor, case.id, paper)
            print(f"{'已补打' if data.reprint_at else '已打印'}回执 {case.number} → 热敏打印机")
            return 0
        if args.output is None:
            raise DomainError("print.output", "请用 -o 指定 PDF 文件名，或用 --escpos 直接打印。")
        saved = _write_pdf(args.output, render_receipt(data, paper, stub=stub))
    print(f"已保存回执 {case.number} 的 PDF → {saved}（文件不计为打印）")
    return 0


def cmd_print_form(args: argparse.Namespace) -> int:
    from gridstation.printing.forms import render_area_report_form, render_follow_up_form
    from gridstation.printing.paperwork import Paperwork

    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        paperwork = Paperwork(service)
        case_id = service.case_by_number(args.number).id if args.number else None
        if args.form == "follow-up":
            pdf = render_follow_up_form(paperwork.follow_up_form(case_id))
        else:
            pdf = render_area_report_form(
                paperwork.area_report(case_id, proposal=args.proposal, support=args.support, reporter=actor.name)
            )
    print(f"已生成 {_write_pdf(args.output, pdf)}")
    return 0


def cmd_print_morning_report(args: argparse.Namespace) -> int:
    from gridstation.printing.morning_report import render_morning_report
    from gridstation.printing.paperwork import Paperwork

    with open_station(resolve_data_dir(args)) as service:
        actor = required_actor(service, args)
        report_at = None
        if args.at:
            try:
                local = datetime.fromisoformat(args.at)
            except ValueError as exc:
                raise DomainError("report.at", f"统计时点格式应为 YYYY-MM-DDTHH:MM：{args.at}") from exc
            report_at = (local if local.tzinfo else local.replace(tzinfo=station_zone(service))).astimezone(UTC)
        data = Paperwork(service).morning_report(actor, report_at, args.days)
        target = _write_pdf(args.output, render_morning_report(data))
    kpis = data.report.kpis_period
    print(f"已生成晨会日报 {target}")
    print(
        f"新增 {len(data.new_rows)} 件，在办 {data.report.open_total} 件，超时 {len(data.overdue_rows)} 件；"
        f"近 {data.report.period_days} 天 先联率 {kpis.first_contact.percent()}、解决率 {kpis.resolution.percent()}、"
        f"满意率 {kpis.satisfaction.percent()}、按时率 {kpis.on_time.percent()}"
    )
    return 0


def cmd_print_guide(args: argparse.Namespace) -> int:
    """上手指南: no station data in it, so no sign-in (a technician prints it before the station exists)."""
    from gridstation.printing.quick_start import render_quick_start

    saved = _write_pdf(args.output, render_quick_start())
    print(f"已保存上手指南 → {saved}")
    return 0
