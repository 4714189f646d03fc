"""回访满意度表 and 片区民情调研问题反馈表 (A4), prefilled from a case or blank; layouts in forms/*.toml."""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.platypus import Flowable, Paragraph, Spacer

from gridstation.common.pdf_text import Marked
from gridstation.printing.documents import AreaReportData, FollowUpFormData, StationHeader
from gridstation.printing.layout import UNCHECKED, build_pdf, grid_table, local_text, missing_glyph_note, style
from gridstation.printing.templates import load_template, page_size

WRITING_LINE_PT = 20  # height of one handwriting line
BLANK = "_" * 16  # a field or signature left to be filled in by hand


def _header(station: StationHeader, title: str, template: dict[str, Any], marked: Marked) -> list[Flowable]:
    return [
        Paragraph(
            marked.markup(f"{station.sub_district} {station.name}".strip()),
            style(template["body_pt"], align=TA_CENTER),
        ),
        Paragraph(marked.markup(title), style(template["title_pt"], align=TA_CENTER, space_after=8)),
    ]


def _options(options: tuple[str, ...]) -> str:
    return "    ".join(f"{UNCHECKED} {label}" for label in options)


def _writing_space(lines: int) -> Spacer:
    return Spacer(1, lines * WRITING_LINE_PT)


def render_follow_up_form(data: FollowUpFormData) -> bytes:
    template = load_template("follow_up_form")
    marked = Marked()
    page = page_size(template)
    margin = float(template["margin_mm"]) * 72 / 25.4
    width = page[0] - 2 * margin
    body = style(template["body_pt"])
    flowables = _header(data.station, str(template["title"]), template, marked)
    values = {
        "number": data.number,
        "registered_at": local_text(data.registered_at),
        "category": data.category,
        "location": data.location,
        "complainant": data.complainant,
        "phone": data.phone,
        "summary": data.description,
        "answer": data.answer,
        "closed_at": local_text(data.closed_at),
    }
    label_width = template["body_pt"] * 9
    rows = [
        [Paragraph(marked.markup(label), body), Paragraph(marked.markup(values[key]) or BLANK, body)]
        for key, label in template["case_rows"]
    ]
    kind = data.visit_kind or "□ 部门反馈回访    □ 工作站回访"
    rows.append([Paragraph(str(template["visit_kind_label"]), body), Paragraph(marked.markup(kind), body)])
    rows.append(
        [Paragraph(str(template["resolution_label"]), body), Paragraph(_options(data.resolution_options), body)]
    )
    rows.append(
        [Paragraph(str(template["satisfaction_label"]), body), Paragraph(_options(data.satisfaction_options), body)]
    )
    comments = Paragraph(str(template["comments_label"]), body)
    rows.append([comments, _writing_space(int(template["comment_lines"]))])
    flowables.append(grid_table(rows, [label_width, width - label_width], size=template["body_pt"]))
    flowables.append(Spacer(1, 16))
    flowables.extend(_signature_rows(template["signatures"], template["body_pt"]))
    flowables.append(Spacer(1, 10))
    flowables.append(Paragraph(marked.markup(str(template["notice"])), style(template["small_pt"])))
    flowables.extend(missing_glyph_note(marked, template["small_pt"]))
    return build_pdf(flowables, page, margin, title=f"{template['title']} {data.number}".strip())


def _signature_rows(labels: list[str], size: float) -> list[Flowable]:
    return [Paragraph(f"{label}：{BLANK}", style(size, align=TA_RIGHT, leading=size * 2.4)) for label in labels]


def render_area_report_form(data: AreaReportData) -> bytes:
    template = load_template("area_report_form")
    marked = Marked()
    page = page_size(template)
    margin = float(template["margin_mm"]) * 72 / 25.4
    width = page[0] - 2 * margin
    size = template["body_pt"]
    body = style(size)
    flowables = _header(data.station, str(template["title"]), template, marked)
    header_values = {
        "station": data.station.name,
        "grid": data.grid,
        "number": data.number,
        "reported_at": local_text(data.reported_at),
    }
    cells: list[Any] = []
    for key, label in template["header_rows"]:
        cells.extend([Paragraph(label, body), Paragraph(marked.markup(header_values[key]) or BLANK, body)])
    label_width = size * 5.5
    value_width = width / 2 - label_width
    header_rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    flowables.append(grid_table(header_rows, [label_width, value_width] * 2, size=size))
    flowables.append(Spacer(1, 6))
    section_values: dict[str, str] = {
        "problem": data.problem,
        "location": data.location,
        "departments": "、".join(data.departments),
        "actions": "\n".join(data.actions),
        "proposal": data.proposal,
        "support": data.support,
    }
    rows: list[list[Any]] = []
    for key, label, lines in template["sections"]:
        text = section_values[key]
        content: Flowable = Paragraph(marked.markup(text), body) if text else _writing_space(int(lines))
        rows.append([Paragraph(label, body), content])
    flowables.append(grid_table(rows, [size * 8, width - size * 8], size=size))
    flowables.append(Spacer(1, 16))
    signatures = list(template["signatures"])
    if data.reporter:
        signatures[0] = f"{signatures[0]}（{data.reporter}）"
    flowables.extend(_signature_rows(signatures, size))
    flowables.extend(missing_glyph_note(marked, template["small_pt"]))
    return build_pdf(flowables, page, margin, title=f"{template['title']} {data.number}".strip())
