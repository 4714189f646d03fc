"""The morning report's 热点问题（一类事） section (issue 17): the top rising hotspots drawn as weekly bars (one small
chart each, the current week in orange, the baseline mean dashed), the rising list and the 易反复问题 list.

Draws what it is given (`domain.hotspots.Hotspots`); definitions in docs/report.md, 热点问题.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from gridstation.common.pdf_text import Marked, printable, register_fonts
from gridstation.domain.hotspots import SCOPE_LABELS, Hotspots, RisingHotspot, WeekWindows
from gridstation.printing.layout import grid_table, style

PAST_COLOUR = colors.HexColor("#9DB4CF")
CURRENT_COLOUR = colors.HexColor("#F58518")
BASELINE_COLOUR = colors.HexColor("#333333")
CHART_HEIGHT = 100.0
TITLE_PT = 8.0


def _fit(text: str, width: float, size: float) -> str:
    """`text` cut (with …) to fit `width` points in the CJK font."""
    font = register_fonts()
    safe = printable(text)[0]
    if stringWidth(safe, font, size) <= width:
        return safe
    while safe and stringWidth(safe + "…", font, size) > width:
        safe = safe[:-1]
    return safe + "…"


def _axis_top(values: Sequence[float]) -> tuple[int, int]:
    """A round top for the value axis and its step (at most about four steps)."""
    top = max(1, math.ceil(max(values)))
    step = max(1, math.ceil(top / 4))
    return step * math.ceil(top / step), step


def hotspot_chart(rising: Sequence[RisingHotspot], windows: WeekWindows, width: float, panels: int) -> Drawing:
    """One small bar chart per hotspot, side by side: its weeks oldest first, the current week highlighted, the
    baseline mean as a dashed line; `panels` fixes the panel width so one hotspot is not a page-wide chart."""
    font = register_fonts()
    drawing = Drawing(width, CHART_HEIGHT)
    panel = width / max(panels, 1)
    for i, hotspot in enumerate(rising[:panels]):
        left = i * panel
        chart = VerticalBarChart()
        chart.x, chart.y = left + 20, 16
        chart.width, chart.height = panel - 30, CHART_HEIGHT - 42
        chart.data = [list(hotspot.weeks)]
        top, step = _axis_top([*hotspot.weeks, hotspot.baseline])
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
        chart.valueAxis.labels.fontName = font
        chart.valueAxis.labels.fontSize = 6.5
        chart.valueAxis.labelTextFormat = "%d"
        names = [""] * len(hotspot.weeks)
        names[0], names[-1] = f"{windows.first_day(0):%m-%d}", "近7天"
        chart.categoryAxis.categoryNames = names
        chart.categoryAxis.labels.fontName = font
        chart.categoryAxis.labels.fontSize = 6.5
        chart.categoryAxis.labels.boxAnchor = "n"
        chart.barSpacing = 1
        chart.bars[0].fillColor = PAST_COLOUR
        chart.bars[0].strokeColor = None
        chart.bars[(0, len(hotspot.weeks) - 1)].fillColor = CURRENT_COLOUR
        drawing.add(chart)
        level = chart.y + chart.height * hotspot.baseline / top
        drawing.add(
            Line(
                chart.x,
                level,
                chart.x + chart.width,
                level,
                strokeColor=BASELINE_COLOUR,
                strokeWidth=0.6,
                strokeDashArray=[2, 2],
            )
        )
        # Two lines over each chart: what (and how many now), then where.
        what = f"{hotspot.category_name}（近7天 {hotspot.this_week} 件）"
        where = hotspot.place or hotspot.grid_name
        drawing.add(
            String(left + 6, CHART_HEIGHT - 8, _fit(what, panel - 10, TITLE_PT), fontName=font, fontSize=TITLE_PT)
        )
        drawing.add(
            String(
                left + 6,
                CHART_HEIGHT - 17,
                _fit(where, panel - 10, TITLE_PT - 1),
                fontName=font,
                fontSize=TITLE_PT - 1,
                fillColor=colors.HexColor("#555555"),
            )
        )
    return drawing


def hotspot_section(
    hotspots: Hotspots | None,
    *,
    heading: Any,
    title: str,
    width: float,
    size: float,
    marked: Marked,
    rows: int,
    panels: int,
    empty: str,
) -> list[Flowable]:
    """The section's flowables: heading, the chart of the top rising hotspots, the rising list, 易反复问题."""
    if hotspots is None:
        return []
    windows = hotspots.windows
    n = windows.baseline_weeks
    rules = hotspots.rules
    small = style(size - 1.5)
    cell = size - 1.5
    head: list[Flowable] = [
        Paragraph(f"{title}（上升 {len(hotspots.rising)} 项，易反复 {len(hotspots.recurring)} 处）", heading),
        Paragraph(
            f"近 7 天（{windows.label(windows.current)}）与此前 {n} 周比较：同一网格或同一楼栋的同类诉求明显多于平时"
            f"（按泊松分布 P&lt;{rules.p_limit:g} 且不少于 {rules.min_count} 件），及同一地点同类诉求"
            f"近 {n + 1} 周有 {rules.recurring_min} 件以上或办结后再次反映。口径见 docs/report.md。",
            small,
        ),
        Spacer(1, 3),
    ]
    flowables: list[Flowable] = []
    if hotspots.rising:
        head.append(hotspot_chart(hotspots.rising, windows, width, panels))
        head.append(Paragraph(f"柱：逐周件数（前 {n} 周，橙色为近 7 天）；虚线：前 {n} 周平均。", style(size - 2.5)))
        table: list[list[Any]] = [["范围", "类别", "网格", "地点", "说明"]]
        for hotspot in hotspots.rising[:rows]:
            values = (
                SCOPE_LABELS[hotspot.scope],
                hotspot.category_name,
                hotspot.grid_name,
                hotspot.place or "—",
                hotspot.reason,
            )
            table.append([Paragraph(marked.markup(v), style(cell)) for v in values])
        head.append(grid_table(table, [30, 70, 56, 90, width - 246], size=cell, header=True))
        head.extend(_more(len(hotspots.rising), rows, "项", size))
    else:
        head.append(Paragraph(f"热点上升：{empty}", style(size)))
    flowables.append(KeepTogether(head))  # the heading, its chart and the list on one page
    flowables.append(Spacer(1, 4))
    if hotspots.recurring:
        table = [["易反复问题", "网格", "地点", "件数", "说明"]]
        for problem in hotspots.recurring[:rows]:
            values = (problem.category_name, problem.grid_name, problem.place, str(problem.total), problem.reason)
            table.append([Paragraph(marked.markup(v), style(cell)) for v in values])
        flowables.append(grid_table(table, [70, 56, 100, 26, width - 252], size=cell, header=True))
        flowables.extend(_more(len(hotspots.recurring), rows, "处", size))
    else:
        flowables.append(Paragraph(f"易反复问题：{empty}", style(size)))
    return flowables


def _more(total: int, shown: int, unit: str, size: float) -> list[Flowable]:
    if total <= shown:
        return []
    return [Paragraph(f"另有 {total - shown} {unit}未列出，详见 gridstation cases hotspots。", style(size - 1))]
