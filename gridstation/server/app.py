"""The server's FastAPI app: the routers of `api` and `open311`, their error handlers and middleware, assembled."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import FastAPI

from gridstation.domain.photos import MAX_PHOTO_BYTES
from gridstation.protocol import MAX_ATTACHMENT_CHUNK
from gridstation.server.api import (
    attachments,
    cases,
    departments,
    dispatch,
    knowledge,
    observe,
    status_page,
    sync,
    users,
)
from gridstation.server.api.access_log import AccessLog
from gridstation.server.api.admission import PushAdmission
from gridstation.server.api.errors import install_error_handlers
from gridstation.server.api.middleware import BodyLimit, protocol_header
from gridstation.server.api.observe import RequestObserver
from gridstation.server.attachments import AttachmentStore
from gridstation.server.console import install_console
from gridstation.server.metrics import ServerMetrics
from gridstation.server.open311.router import router as open311_router
from gridstation.server.service import ServerService

MAX_JSON_BODY = 4 * 1024 * 1024


def create_app(
    service: ServerService,
    data_dir: Path,
    *,
    log_format: Literal["json", "keyvalue"] = "json",
    metrics_token: str = "",
    push_concurrency: int = 4,
    push_wait_seconds: float = 10.0,
) -> FastAPI:
    app = FastAPI(
        title="GridStation 城运中心服务器",
        version="1",
        description="民情快办工作站与街道城运中心之间的同步接口，以及 Open311 GeoReport v2。",
    )
    app.state.service = service
    app.state.attachments = AttachmentStore(service, data_dir / "attachments")
    app.state.metrics = ServerMetrics(service)
    app.state.metrics_token = metrics_token
    install_error_handlers(app)
    app.middleware("http")(protocol_header)
    for area in (sync, knowledge, departments, attachments, users, cases, dispatch, status_page, observe):
        app.include_router(area.router)
    app.include_router(open311_router, prefix="/open311/v2")
    install_console(app)
    # Before a push's body is read: a push refused after waiting costs no memory (inside the access log, which
    # counts the refusal).
    app.add_middleware(PushAdmission, concurrency=push_concurrency, max_wait_s=push_wait_seconds)
    # Outside the routes and their error handlers, so that it logs the status the caller was answered with.
    app.add_middleware(AccessLog, observer=RequestObserver(service, app.state.metrics, log_format))
    # Added last, so it is outermost: an oversized body is refused before anything else reads it.
    app.add_middleware(
        BodyLimit,
        limit=MAX_JSON_BODY,
        chunk_limit=MAX_ATTACHMENT_CHUNK + 64 * 1024,
        photo_form_limit=MAX_PHOTO_BYTES + 64 * 1024,
    )
    return app
