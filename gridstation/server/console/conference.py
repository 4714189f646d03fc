"""难题会诊 in the console: the weekly agenda across stations (a page, and an A4 PDF to print for the meeting),
and the minutes of each case's decision — who came, what was decided, who does it by when — recorded as an event
of the case (its own deadline, supervised like any other; in the station's timeline with the next sync).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from gridstation.common.pdf_text import MISSING_GLYPH_NOTE, Marked, register_fonts, shorten
from gridstation.domain.localtime import BEIJING, local_minute
from gridstation.server.conference import AgendaItem
from gridstation.server.console.actions import checked
from gridstation.server.console.auth import ConsoleRefusal, read_fields
from gridstation.server.console.forms import new_key
from gridstation.server.console.pages import Fields, one, page, posted_form, render
from gridstation.server.dispatch_views import DecisionRequest
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

router = APIRouter(prefix="/console", include_in_schema=False)
DECISION_DAYS = 7  # the due date the form suggests: by the next weekly conference


def agenda_page(service: ServerService, user: Principal, csrf: str, message: str = "", status: int = 200) -> Response:
    items = service.conference_agenda(user)
    suggested = (service.now() + timedelta(days=DECISION_DAYS)).astimezone(BEIJING)
    return render(
        "conference.html",
        status,
        user=user,
        csrf=csrf,
        items=items,
        keys={item.state.number: new_key() for item in items},
        suggested_due=suggested.strftime("%Y-%m-%dT17:00"),
        message=message,
    )


@router.get("/conference")
def conference(request: Request) -> Response:
    return page(request, lambda service, user, csrf: agenda_page(service, user, csrf))


@router.get("/conference.pdf")
def conference_pdf(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        items = service.conference_agenda(user)
        pdf = agenda_pdf(items, service.now())
        name = f"难题会诊议程-{service.now().astimezone(BEIJING):%Y%m%d}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}"},
        )

    return page(request, build)


def _form_due(fields: Fields) -> datetime:
    text = one(fields, "due")
    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        raise ConsoleRefusal(422, "请填写完成时限（如 2026-12-10 17:00）。") from None
    return due if due.tzinfo else due.replace(tzinfo=BEIJING)


def _decide(service: ServerService, user: Principal, number: str, fields: Fields) -> None:
    attendees = [name.strip() for name in one(fields, "attendees").replace("，", "、").replace(",", "、").split("、")]
    request = checked(
        DecisionRequest,
        attendees=[name for name in attendees if name],
        decision=one(fields, "decision"),
        owner=one(fields, "owner"),
        due=_form_due(fields),
        idempotency_key=one(fields, "idempotency_key"),
    )
    service.decide_conference(user, number, request)


def _decided(request: Request, number: str, fields: Fields | ConsoleRefusal) -> Response:
    """Back to the agenda at the case when recorded; the agenda again with why, when refused."""

    def done(service: ServerService, user: Principal, form: Fields) -> str:
        _decide(service, user, number, form)
        return f"/console/conference#case-{quote(number, safe='')}"

    def again(service: ServerService, user: Principal, csrf: str, status: int, message: str) -> Response:
        return agenda_page(service, user, csrf, f"{number}：{message}", status)

    return posted_form(request, fields, done, again)


@router.post("/cases/{number}/conference")
async def decision_form(request: Request, number: str) -> Response:
    try:
        fields: Fields | ConsoleRefusal = await read_fields(request)
    except ConsoleRefusal as refusal:
        fields = refusal
    return await run_in_threadpool(_decided, request, number, fields)


def agenda_pdf(items: list[AgendaItem], now: datetime) -> bytes:
    """An A4 agenda for the meeting: each case with its reason, its latest decision, and room for the minutes."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_fonts()
    marked = Marked()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm)
    flowables = [
        Paragraph("难题会诊议程", title),
        Paragraph(f"打印时间 {local_minute(now)}（北京时间） · 共 {len(items)} 件", body),
        Spacer(1, 6 * mm),
    ]
    rows = [
        [Paragraph(marked.markup(h), body) for h in ("编号 / 工作站", "诉求与会诊事由", "上次决定", "本次会议纪要")]
    ]
    for item in items:
        s = item.state
        late = "（已超时）" if item.overdue else ""
        decided = "—"
        if s.conference_decision:
            flag = "，已超期" if item.decision_late else ""
            decided = f"{s.conference_decision}（{s.conference_owner}，{local_minute(s.conference_due_at)}前{flag}）"
        rows.append(
            [
                Paragraph(marked.markup(f"{s.number}\n{s.station_code}{late}"), body),
                Paragraph(marked.markup(f"{shorten(s.description, 80, '…')}\n事由：{s.conference_reason}"), body),
                Paragraph(marked.markup(decided), body),
                Paragraph(marked.markup("参会：\n\n决定：\n\n责任人：　　　时限："), body),
            ]
        )
    table = Table(rows, colWidths=[38 * mm, 62 * mm, 40 * mm, 40 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    flowables.append(table)
    if marked.replaced:
        flowables += [Spacer(1, 4 * mm), Paragraph(MISSING_GLYPH_NOTE, body)]
    document.build(flowables)
    return out.getvalue()
