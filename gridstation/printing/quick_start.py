"""上手指南 (A4, one page): the quick-start guide for clerks and the station's technician.

The text is forms/quick_start.toml; the desk previews and prints it from 帮助, the command line saves it.
"""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, Paragraph, Spacer

from gridstation.common.pdf_text import Marked
from gridstation.printing.layout import build_pdf, missing_glyph_note, style
from gridstation.printing.templates import load_template

TEMPLATE = "quick_start"
FILE_NAME = "上手指南.pdf"
MARGIN_MM = 15


def quick_start_title() -> str:
    return str(load_template(TEMPLATE)["title"])


def quick_start_flowables() -> list[Flowable]:
    template = load_template(TEMPLATE)
    marked = Marked()
    body = style(9.5, leading=14, space_after=2)
    flowables: list[Flowable] = [
        Paragraph(marked.markup(str(template["title"])), style(17, align=TA_CENTER, space_after=3)),
        Paragraph(marked.markup(str(template.get("subtitle", ""))), style(9.5, align=TA_CENTER, space_after=10)),
    ]
    for section in template["section"]:
        flowables.append(Paragraph(marked.markup(str(section["heading"])), style(12.5, leading=17, space_after=3)))
        flowables += [Paragraph(marked.markup(str(line)), body) for line in section["lines"]]
        flowables.append(Spacer(1, 7))
    return flowables + missing_glyph_note(marked, 8)


def render_quick_start() -> bytes:
    margin = MARGIN_MM * 72 / 25.4
    return build_pdf(quick_start_flowables(), A4, margin, title=quick_start_title())
