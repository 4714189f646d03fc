"""晨会日报 (A4): new cases, open cases by colour and tier, overdue cases, the 难题会诊 list, the KPIs with a chart and
the hotspots (热点问题, printing/hotspots.py).

Layout in forms/morning_report.toml; the figures come from gridstation.domain.report (definitions in docs/report.md).
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from gridstation.common.pdf_text import Marked, register_fonts, shorten
from gridstation.domain.report import KPI_LABELS, Kpis, MorningReport, Rate
from gridstation.printing.documents import MorningReportData, ReportRow
from gridstation.printing.hotspots import hotspot_section
from gridstation.printing.layout import build_pdf, grid_table, local_text, missing_glyph_note, style
from gridstation.printing.templates import load_template, page_size

DAY_COLOUR = colors.HexColor("#4C78A8")
PERIOD_COLOUR = colors.HexColor("#F58518")


def _rates(kpis: Kpis) -> list[Rate]:
    return [getattr(kpis, key) for key in KPI_LABELS]


def kpi_chart(data: MorningReportData, width: float, title: str) -> Drawing:
    """Grouped bars: each KPI for the last day and for the period, in percent."""
    font = register_fonts()
    height = 170.0
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = width - 170, height - 60
    chart.data = [
        [round((r.value or 0) * 100, 1) for r in _rates(data.report.kpis_day)],
        [round((r.value or 0) * 100, 1) for r in _rates(data.report.kpis_period)],
    ]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.categoryAxis.categoryNames = list(KPI_LABELS.values())
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 9
    chart.bars[0].fillColor = DAY_COLOUR
    chart.bars[1].fillColor = PERIOD_COLOUR
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 120, height - 40
    legend.fontName = font
    legend.fontSize = 9
    legend.colorNamePairs = [(DAY_COLOUR, "近 24 小时"), (PERIOD_COLOUR, f"近 {data.report.period_days} 天")]
    drawing.add(legend)
    drawing.add(String(width / 2, height - 12, title, fontName=font, fontSize=10, textAnchor="middle"))
    return drawing


def _case_table(
    rows: tuple[ReportRow, ...], extra_label: str, width: float, size: float, marked: Marked, limit: int, empty: str
) -> list[Flowable]:
    if not rows:
        return [Paragraph(empty, style(size))]
    cell_size = size - 1.5
    cell = style(cell_size)
    header = ["受理编号", "受理时间", "类别", "地点", "诉求摘要", "分类", "状态"]
    header += [extra_label] if extra_label else []
    widths: list[float] = [96.0, 52.0, 66.0, 62.0, 0.0, 38.0, 36.0] + ([66.0] if extra_label else [])
    widths[4] = width - sum(widths)
    table_rows: list[list[Any]] = [header]
    for row in rows[:limit]:
        values = [
            row.number,
            f"{row.registered_at:%m-%d %H:%M}",
            row.category,
            row.location,
            shorten(row.summary, 60, "…"),
            row.tier,
            row.status,
        ] + ([row.extra] if extra_label else [])
        table_rows.append([Paragraph(marked.markup(v), cell) for v in values])
    out: list[Flowable] = [grid_table(table_rows, widths, size=cell_size, header=True)]
    if len(rows) > limit:
        out.append(Paragraph(f"另有 {len(rows) - limit} 件未列出，详见工作站系统。", style(size - 1)))
    return out


def render_morning_report(data: MorningReportData) -> bytes:
    template = load_template("morning_report")
    marked = Marked()
    page = page_size(template)
    margin = float(template["margin_mm"]) * 72 / 25.4
    width = page[0] - 2 * margin
    size = float(template["body_pt"])
    heading = style(template["heading_pt"], space_after=4)
    sections = template["sections"]
    limit = int(template["max_list_rows"])
    empty = str(template["empty"])
    report = data.report
    flowables: list[Flowable] = [
        Paragraph(
            marked.markup(f"{data.station.sub_district} {data.station.name}".strip()), style(size + 1, align=TA_CENTER)
        ),
        Paragraph(str(template["title"]), style(template["title_pt"], align=TA_CENTER, space_after=4)),
        Paragraph(
            marked.markup(
                f"统计时点：{local_text(data.report_at)}　新增统计自：{local_text(data.since)}　"
                f"在办 {report.open_total} 件　超时 {len(report.overdue)} 件　制表：{data.generated_by}"
            ),
            style(size, align=TA_CENTER, space_after=8),
        ),
        Paragraph(f"{sections['new']}（{len(data.new_rows)} 件{_repeats_text(report)}）", heading),
        *_case_table(data.new_rows, "", width, size, marked, limit, empty),
        Spacer(1, 8),
        Paragraph(f"{sections['open']}（{report.open_total} 件）", heading),
    ]
    colour_rows: list[list[Any]] = [["预警颜色", *data.tier_labels, "合计"]]
    for label, counts in zip(data.colour_labels, data.open_counts, strict=True):
        colour_rows.append([label, *[str(c) for c in counts], str(sum(counts))])
    totals = [sum(column) for column in zip(*data.open_counts, strict=True)] if data.open_counts else []
    colour_rows.append(["合计", *[str(t) for t in totals], str(sum(totals))])
    column = (width - 80) / (len(data.tier_labels) + 1)
    flowables.append(
        grid_table(
            colour_rows,
            [80] + [column] * (len(data.tier_labels) + 1),
            size=size,
            header=True,
            extra=[("ALIGN", (1, 0), (-1, -1), "CENTER")],
        )
    )
    flowables += [
        Spacer(1, 8),
        Paragraph(f"{sections['overdue']}（{len(data.overdue_rows)} 件）", heading),
        *_case_table(data.overdue_rows, "超时", width, size, marked, limit, empty),
        Spacer(1, 8),
        Paragraph(f"{sections['conference']}（{len(data.conference_rows)} 件）", heading),
        *_case_table(data.conference_rows, "会诊事由", width, size, marked, limit, empty),
        Spacer(1, 8),
    ]
    kpi_block: list[Flowable] = [Paragraph(str(sections["kpis"]), heading)]
    kpi_rows: list[list[Any]] = [["指标", "近 24 小时", f"近 {report.period_days} 天", "口径"]]
    meanings = {
        "first_contact": "按时限先联的件数 / 应先联件数",
        "resolution": "回访“已解决” / 回访件数",
        "satisfaction": "回访“满意”“基本满意” / 回访件数",
        "on_time": "按时完成的环节 / 到期环节",
        "reopened": "回访不满意重办的件数 / 办结件数",
    }
    for key, label in KPI_LABELS.items():
        day, period = getattr(report.kpis_day, key), getattr(report.kpis_period, key)
        kpi_rows.append(
            [
                label,
                f"{day.percent()}（{day.met}/{day.total}）",
                f"{period.percent()}（{period.met}/{period.total}）",
                meanings[key],
            ]
        )
    kpi_rows.append(
        [
            "未回访",
            f"{report.kpis_day.not_visited} 件",
            f"{report.kpis_period.not_visited} 件",
            "已办结、尚未回访（不计入解决率、满意率）",
        ]
    )
    kpi_rows.append(
        [
            "联系不上",
            f"{report.kpis_day.unreachable} 次",
            f"{report.kpis_period.unreachable} 次",
            "回访时未联系上居民的次数（回访仍待完成）",
        ]
    )
    kpi_block.append(grid_table(kpi_rows, [60, 100, 100, width - 260], size=size, header=True))
    kpi_block.append(Spacer(1, 6))
    kpi_block.append(kpi_chart(data, width, str(template["chart_title"])))
    flowables.append(KeepTogether(kpi_block))  # the figures and their chart on one page
    flowables.append(Spacer(1, 8))
    flowables += hotspot_section(
        data.hotspots,
        heading=heading,
        title=str(sections["hotspots"]),
        width=width,
        size=size,
        marked=marked,
        rows=int(template["hotspot_rows"]),
        panels=int(template["hotspot_charts"]),
        empty=empty,
    )
    flowables.extend(missing_glyph_note(marked, template["small_pt"]))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(register_fonts(), template["small_pt"])
        canvas.drawCentredString(page[0] / 2, margin / 2, f"{template['title']}　第 {doc.page} 页")
        canvas.restoreState()

    return build_pdf(flowables, page, margin, title=f"{template['title']} {data.report_at:%Y-%m-%d}", on_page=footer)


def _repeats_text(report: MorningReport) -> str:
    """ "，其中复发 2 件，追加诉求 3 次" — residents who came back about the same problem (issue 17)."""
    parts = [f"其中复发 {report.repeats} 件"] if report.repeats else []
    if report.supplements:
        parts.append(f"另有追加诉求 {report.supplements} 次")
    return "，" + "，".join(parts) if parts else ""
