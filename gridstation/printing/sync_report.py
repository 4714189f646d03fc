"""日终同步结果 (A4): the end-of-day sync summary on paper, worded by gridstation.sync.report."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, Paragraph, Spacer

from gridstation.common.pdf_text import Marked
from gridstation.printing.layout import build_pdf, missing_glyph_note, style

TITLE = "日终同步结果"
MARGIN_MM = 18


def render_sync_report(
    station_line: str, printed_at: datetime, printed_by: str, sections: list[tuple[str, list[str]]]
) -> bytes:
    marked = Marked()
    body = style(10.5, leading=15)
    flowables: list[Flowable] = [
        Paragraph(marked.markup(station_line), style(11, align=TA_CENTER)),
        Paragraph(TITLE, style(16, align=TA_CENTER, space_after=4)),
        Paragraph(
            marked.markup(f"打印时间：{printed_at:%Y-%m-%d %H:%M}　打印人：{printed_by}"),
            style(9.5, align=TA_CENTER, space_after=10),
        ),
    ]
    for title, lines in sections:
        flowables.append(Paragraph(marked.markup(title), style(12, space_after=3)))
        flowables += [Paragraph(marked.markup(line), body) for line in lines]
        flowables.append(Spacer(1, 8))
    flowables += missing_glyph_note(marked, 8)
    margin = MARGIN_MM * 72 / 25.4
    return build_pdf(flowables, A4, margin, title=f"{TITLE} {printed_at:%Y-%m-%d}")
