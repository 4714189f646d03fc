"""The public status page a receipt's QR code opens (`/status/<number>`), and the health probe.

It renders the case's public view (`lookups.PublicCase`, the same Open311 publishes, scrubbed of personal details)
and shows less of it: number, category, status and times.
"""

from __future__ import annotations

import html
from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gridstation.server.api.deps import Service
from gridstation.server.errors import ServerError
from gridstation.server.workorders import DEFAULT_TIMEZONE

router = APIRouter()


@router.get("/status/{number}", response_class=HTMLResponse, responses={404: {"content": {"text/html": {}}}})
def status_page(number: str, service: Service) -> HTMLResponse:
    try:
        if "\x00" in number:
            raise ServerError(404, "case.unknown", "找不到该诉求。")
        view = service.case_status(number[:40])
    except ServerError:
        missing = f"<p>没有编号为 {html.escape(number[:40])} 的诉求。请核对回执上的编号。</p>"
        return HTMLResponse(_page("未找到诉求", missing), 404)
    rows = [
        ("诉求编号", view.number),
        ("诉求分类", view.category),
        ("当前状态", view.status_label),
        ("登记时间", _local(view.registered_at)),
        ("最近更新", _local(view.updated_at)),
    ]
    body = "<table>" + "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows) + "</table>"
    note = "已办结，感谢您的反映。" if view.closed else "正在办理中，如有疑问请致电工作站。"
    return HTMLResponse(_page(f"诉求 {view.number}", body + f"<p>{note}</p>"))


@router.get("/healthz", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


def _local(moment: datetime) -> str:
    return moment.astimezone(DEFAULT_TIMEZONE).strftime("%Y-%m-%d %H:%M")


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}"
        "th{text-align:left;padding-right:1em;color:#555}td,th{padding:.3em 0}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
