"""考核 in the console (issue 16): the KPIs of a period per station, department, grid or owner — a table with a bar
per rate (plain SVG drawn by the server: no script, no CDN), and the same table as CSV and as an Excel workbook.
Centre and administrators only."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import QueryParams

from gridstation.domain.kpi_table import TABLE_HEADINGS, KpiDimension, KpiRow, table_row
from gridstation.domain.localtime import BEIJING
from gridstation.server.console.auth import ConsoleRefusal
from gridstation.server.console.pages import page, render, require_sees_all
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

router = APIRouter(prefix="/console", include_in_schema=False)
BY_LABELS = {"station": "工作站", "department": "部门", "grid": "网格", "owner": "责任人"}
CHART_RATES = (("first_contact", "先联率"), ("on_time", "按时率"), ("resolution", "解决率"), ("satisfaction", "满意率"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KpiQuery:
    """The page's filters, read from the address; a wrong one is a Chinese message, not a 500."""

    def __init__(self, params: QueryParams, today: date) -> None:
        self.by = params.get("by", "station")
        self.first_text = params.get("from", (today - timedelta(days=29)).isoformat())
        self.last_text = params.get("to", today.isoformat())
        if self.by not in BY_LABELS:
            raise ConsoleRefusal(400, "统计方式应为工作站、部门、网格或责任人。")
        try:
            self.first, self.last = date.fromisoformat(self.first_text), date.fromisoformat(self.last_text)
        except ValueError:
            raise ConsoleRefusal(400, "日期格式不对，应为 年-月-日，如 2026-11-01。") from None
        if self.last < self.first:
            raise ConsoleRefusal(400, "截止日期早于起始日期。")

    def rows(self, service: ServerService) -> list[KpiRow]:
        start = datetime.combine(self.first, time(0), tzinfo=BEIJING)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=BEIJING)
        return service.kpi_report(KpiDimension(self.by), start, end)

    def link(self, suffix: str) -> str:
        return f"/console/kpi{suffix}?by={self.by}&from={self.first}&to={self.last}"

    def filename(self, extension: str) -> str:
        return f"考核-{BY_LABELS[self.by]}-{self.first}至{self.last}.{extension}"


def _query(service: ServerService, user: Principal, params: QueryParams) -> KpiQuery:
    require_sees_all(user)
    return KpiQuery(params, service.now().astimezone(BEIJING).date())


@router.get("/kpi")
def kpi(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        query = _query(service, user, request.query_params)
        rows = query.rows(service)
        bars = [(row.key, [(label, getattr(row.kpis, name).value) for name, label in CHART_RATES]) for row in rows]
        return render(
            "kpi.html",
            user=user,
            csrf=csrf,
            query=query,
            by_labels=BY_LABELS,
            headings=TABLE_HEADINGS,
            table=[table_row(row) for row in rows],
            bars=bars,
        )

    return page(request, build)


def _download(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data, media_type=media_type, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )


@router.get("/kpi.csv")
def kpi_csv(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        query = _query(service, user, request.query_params)
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(TABLE_HEADINGS)
        writer.writerows(["" if cell is None else cell for cell in table_row(row)] for row in query.rows(service))
        # With a BOM: Excel on a Chinese Windows opens UTF-8 as UTF-8 only then.
        return _download(out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", query.filename("csv"))

    return page(request, build)


@router.get("/kpi.xlsx")
def kpi_xlsx(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        from openpyxl import Workbook

        query = _query(service, user, request.query_params)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = f"按{BY_LABELS[query.by]}"
        sheet.append(list(TABLE_HEADINGS))
        for row in query.rows(service):
            sheet.append(table_row(row))
        out = io.BytesIO()
        book.save(out)
        return _download(out.getvalue(), XLSX, query.filename("xlsx"))

    return page(request, build)
