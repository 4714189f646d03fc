"""The console: server-rendered pages for the centre, departments and gridleads (issue 15), in the same process.

Jinja2 templates with plain forms, no JavaScript and nothing from the internet: the stylesheet and the Chinese
font are served by the server itself. The pages read through the same service layer and scope (`visibility`) as
the JSON API. Jinja2 is a dependency of the package; should an installation lack it, `/console/` answers with a
Chinese 503 that says so, and the rest of the server works as before.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

MISSING_JINJA = "控制台页面需要 jinja2 组件，本服务器未安装。请重新安装 gridstation（pip install -e .）后重启服务器。"


def install_console(app: FastAPI) -> None:
    try:
        from gridstation.server.console.actions import router as actions
        from gridstation.server.console.conference import router as conference
        from gridstation.server.console.hotspots import router as hotspots
        from gridstation.server.console.knowledge import router as knowledge
        from gridstation.server.console.kpi import router as kpi
        from gridstation.server.console.pages import router
        from gridstation.server.console.policy import router as policy
    except ModuleNotFoundError as missing:  # jinja2 absent: the API still serves, the console says why it cannot
        if missing.name != "jinja2":
            raise

        async def unavailable() -> HTMLResponse:
            return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{MISSING_JINJA}</p>", status_code=503)

        app.add_api_route("/console/{rest:path}", unavailable, methods=["GET", "POST"], include_in_schema=False)
        return
    app.include_router(router)
    app.include_router(actions)
    app.include_router(conference)
    app.include_router(policy)
    app.include_router(kpi)
    app.include_router(hotspots)
    app.include_router(knowledge)
