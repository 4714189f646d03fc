"""The receipt slip (民情诉求受理回执) on a thermal roll or a sheet; layout in forms/receipt.toml."""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_CENTER
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from gridstation.common.pdf_text import Marked, register_fonts, shorten
from gridstation.printing.documents import ReceiptData
from gridstation.printing.layout import (
    LaidOutParagraph,
    build_pdf,
    content_height,
    local_text,
    missing_glyph_note,
    style,
)
from gridstation.printing.qr import QrFlowable
from gridstation.printing.templates import Paper, load_template, receipt_papers


def receipt_field_values(data: ReceiptData, template: dict[str, Any]) -> dict[str, str]:
    """Every row the template may name, as text (empty rows are left out when printed)."""
    summary = shorten(data.description, int(template["summary_max_chars"]), str(template["truncation_mark"]))
    return {
        "registered_at": local_text(data.registered_at),
        "channel": data.channel,
        "category": data.category,
        "complainant": data.complainant,
        "phone": data.phone,
        "location": data.location,
        "summary": summary,
        "promise": str(template["promise_format"]).format(promise=data.promise, tier=data.tier),
        "answer": data.answer,
        "clerk": data.clerk,
    }


def receipt_lines(data: ReceiptData, template: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows in template order, skipping empty values. Shared with the ESC/POS slip."""
    values = receipt_field_values(data, template)
    return [(str(f["label"]), values[f["key"]]) for f in template["fields"] if values.get(f["key"])]


def receipt_lookup_text(data: ReceiptData, template: dict[str, Any]) -> str:
    """How the visitor checks on the case: the server's lookup address, or the station's phone."""
    if data.lookup_url:
        return str(template["lookup_online"]).format(lookup_url=data.lookup_url)
    return str(template["lookup"]).format(station_phone=data.station.contact_phone or "本站")


def _copy(data: ReceiptData, paper: Paper, template: dict[str, Any], marked: Marked, *, stub: bool) -> list[Flowable]:
    width = paper.width - 2 * paper.margin
    body = style(paper.body_pt)
    small = style(paper.small_pt)
    title = template["stub_title"] if stub else template["title"]
    parts: list[Flowable] = [
        LaidOutParagraph(marked.markup(data.station.name), style(paper.body_pt, align=TA_CENTER)),
        LaidOutParagraph(
            marked.markup(str(title)), style(paper.title_pt, align=TA_CENTER, space_after=paper.body_pt * 0.4)
        ),
    ]
    if data.reprint_at is not None:
        parts.append(
            LaidOutParagraph(
                f"【{template['reprint_mark']}】 {local_text(data.reprint_at)}",
                style(paper.body_pt, align=TA_CENTER, space_after=2),
            )
        )
    parts.append(LaidOutParagraph(f"{template['number_label']}：", style(paper.body_pt, align=TA_CENTER)))
    parts.append(
        LaidOutParagraph(
            marked.markup(data.number), style(paper.number_pt, align=TA_CENTER, space_after=paper.body_pt * 0.5)
        )
    )
    label_width = paper.body_pt * 5.2
    rows = [
        [LaidOutParagraph(marked.markup(label) + "：", body), LaidOutParagraph(marked.markup(value), body)]
        for label, value in receipt_lines(data, template)
    ]
    table = Table(rows, colWidths=[label_width, width - label_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    parts.append(table)
    if stub:
        return parts
    parts.append(Spacer(1, paper.body_pt * 0.5))
    parts.append(QrFlowable(data.qr_payload, paper.qr_size))
    parts.append(LaidOutParagraph(marked.markup(receipt_lookup_text(data, template)), small))
    parts.append(Spacer(1, paper.small_pt * 0.5))
    parts.append(LaidOutParagraph(marked.markup(str(template["notice"])), small))
    return parts


def render_receipt(data: ReceiptData, paper_key: str = "thermal80", *, stub: bool = False) -> bytes:
    """PDF bytes of the receipt; with `stub`, a station copy follows after a cut line."""
    template = load_template("receipt")
    papers = receipt_papers()
    if paper_key not in papers:
        raise KeyError(paper_key)
    paper = papers[paper_key]
    register_fonts()
    marked = Marked()
    flowables = _copy(data, paper, template, marked, stub=False)
    if stub:
        flowables.append(Spacer(1, paper.body_pt))
        flowables.append(LaidOutParagraph(str(template["cut_line"]), style(paper.small_pt, align=TA_CENTER)))
        flowables.append(Spacer(1, paper.body_pt))
        flowables.extend(_copy(data, paper, template, marked, stub=True))
    flowables.extend(missing_glyph_note(marked, paper.small_pt))
    width = paper.width - 2 * paper.margin
    # A roll is cut to the content's length; a little slack absorbs rounding in reportlab's table layout.
    height = paper.height if paper.height is not None else content_height(flowables, width) + 2 * paper.margin + 4
    # Uncompressed: a slip goes straight to the printer, and compressing its font outlines was a fifth of its
    # making (~2 ms of ~10; 60 KB instead of 37 KB).
    return build_pdf(
        flowables,
        (paper.width, height),
        paper.margin,
        title=f"{template['title']} {data.number}",
        compressed=False,
    )
