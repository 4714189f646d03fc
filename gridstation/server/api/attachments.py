"""Photos of a problem, uploaded by the station that owns the case in chunks that resume (`server.attachments`).

Each station sees only its own uploads. Content goes out as a download of its sniffed type, which browsers may
not second-guess (`X-Content-Type-Options: nosniff`, `Content-Disposition: attachment`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from gridstation.protocol import MAX_ATTACHMENT_CHUNK, AttachmentOffer, AttachmentStatus
from gridstation.server.api.deps import Attachments, AuthStation
from gridstation.server.api.errors import ERROR_RESPONSES
from gridstation.server.attachments import MEDIA_TYPES, UNKNOWN_MEDIA_TYPE
from gridstation.server.errors import ServerError

router = APIRouter()
SERVED_TYPES = (*MEDIA_TYPES, UNKNOWN_MEDIA_TYPE)  # what a photo is served as: its sniffed type, if it has one


@router.post("/api/v1/attachments", response_model=AttachmentStatus, responses=ERROR_RESPONSES)
def offer_attachment(body: AttachmentOffer, station: AuthStation, attachments: Attachments) -> AttachmentStatus:
    return attachments.offer(station, body)


@router.get("/api/v1/attachments/{sha256}", response_model=AttachmentStatus, responses=ERROR_RESPONSES)
def attachment_status(sha256: str, station: AuthStation, attachments: Attachments) -> AttachmentStatus:
    return attachments.status(station, _checked_sha(sha256))


@router.put(
    "/api/v1/attachments/{sha256}/content",
    response_model=AttachmentStatus,
    responses=ERROR_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_chunk(
    sha256: str,
    request: Request,
    station: AuthStation,
    attachments: Attachments,
    offset: Annotated[int, Query(ge=0, le=2**40)] = 0,
) -> AttachmentStatus:
    data = await request.body()
    if len(data) > MAX_ATTACHMENT_CHUNK:
        raise ServerError(413, "attachment.chunk_too_large", "单次上传的数据过大（最多 1 MB）。")
    return await run_in_threadpool(attachments.write_chunk, station, _checked_sha(sha256), offset, data)


@router.get(
    "/api/v1/attachments/{sha256}/content",
    response_class=FileResponse,
    responses={
        **ERROR_RESPONSES,
        200: {
            "description": "照片内容，按其实际类型作为下载发送（X-Content-Type-Options: nosniff）",
            "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in SERVED_TYPES},
        },
    },
)
def attachment_content(sha256: str, station: AuthStation, attachments: Attachments) -> FileResponse:
    path, media_type = attachments.content(station, _checked_sha(sha256))
    extension = MEDIA_TYPES[media_type][1] if media_type in MEDIA_TYPES else ".bin"
    return FileResponse(
        path,
        media_type=media_type,
        filename=sha256 + extension,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


def _checked_sha(text: str) -> str:
    if len(text) != 64 or any(ch not in "0123456789abcdef" for ch in text):
        raise ServerError(400, "attachment.bad_hash", "照片校验值须为 64 位小写十六进制 SHA-256。")
    return text
