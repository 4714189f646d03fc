"""The station sync API: server info, enrolment, push, pull, the end-of-day receipt and conflicts (docs/sync.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from gridstation.protocol import (
    DEFAULT_PULL_PAGE,
    MAX_PULL_PAGE,
    SUPPORTED_VERSIONS,
    ConflictOut,
    DayReceipt,
    DayReceiptRequest,
    DistrictPolicyOut,
    EnrolRequest,
    EnrolResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    ServerInfo,
    WireModel,
)
from gridstation.server.api.deps import AuthStation, Metrics, Service
from gridstation.server.api.errors import ERROR_RESPONSES

router = APIRouter()


@router.get("/api/v1/info", response_model=ServerInfo)
def info(service: Service) -> ServerInfo:
    return ServerInfo(name="GridStation", protocol_versions=list(SUPPORTED_VERSIONS), server_time=service.now())


@router.post("/api/v1/enrol", response_model=EnrolResponse, responses=ERROR_RESPONSES)
def enrol(body: EnrolRequest, service: Service) -> EnrolResponse:
    return service.enrol(body.code, body.device_name, body.attempt_id)


@router.post("/api/v1/sync/push", response_model=PushResponse, responses=ERROR_RESPONSES)
def push(body: PushRequest, station: AuthStation, service: Service, metrics: Metrics) -> PushResponse:
    answer = service.push(station, body)
    # What still waits at the station once this batch is answered (an older station does not say).
    waiting = None if body.unsent is None else max(0, body.unsent - len(body.events))
    service.note_sync(station, "push", waiting)
    metrics.counted_push(station, answer)
    return answer


@router.get("/api/v1/sync/pull", response_model=PullResponse, responses=ERROR_RESPONSES)
def pull(
    station: AuthStation,
    service: Service,
    metrics: Metrics,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    epoch: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
    unsent: Annotated[
        int | None, Query(ge=0, le=2**62, description="工作站尚未上传的事件数（供城运中心的状态页与监控）")
    ] = None,
    heads: Annotated[
        bool,
        Query(description="最后一页附上区级时限版本、知识库进度与未决冲突摘要（heads），无变化时工作站不再另行请求"),
    ] = False,
    receipt_from: Annotated[int | None, Query(ge=1, le=2**62, description="最后一页附上这段编号的当日回执")] = None,
    receipt_to: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    receipt_label: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A page of the station's feed, written from the stored text (`Feed.pull_json`). Only a station that asks gets
    `heads` and `receipt`, on the last page: an older station would refuse fields it does not know."""
    asked = (
        DayReceiptRequest(from_seq=receipt_from, to_seq=receipt_to, label=receipt_label)
        if (receipt_from is not None and receipt_to is not None)
        else None
    )

    def extras() -> dict[str, WireModel]:
        found: dict[str, WireModel] = {}
        if heads:
            found["heads"] = service.feed_heads(station, service.district_policy().version)
        if asked is not None:
            found["receipt"] = service.day_receipt(station, asked)
        return found

    page = service.pull_json(station, after=after, epoch=epoch, limit=limit, extras=extras)
    service.note_sync(station, "pull", unsent)
    metrics.pulled.labels(station).inc(page.items)
    return Response(content=page.body, media_type="application/json")


@router.post("/api/v1/sync/receipt", response_model=DayReceipt, responses=ERROR_RESPONSES)
def receipt(body: DayReceiptRequest, station: AuthStation, service: Service) -> DayReceipt:
    return service.day_receipt(station, body)


@router.get("/api/v1/conflicts", response_model=list[ConflictOut], responses=ERROR_RESPONSES)
def conflicts(station: AuthStation, service: Service, include_resolved: bool = False) -> list[ConflictOut]:
    return service.conflicts(station, open_only=not include_resolved)


@router.get("/api/v1/policy", response_model=DistrictPolicyOut, responses=ERROR_RESPONSES)
def district_policy(station: AuthStation, service: Service) -> DistrictPolicyOut:
    """The district's deadline policy in force: every station fetches it with each sync (and may only tighten it)."""
    found = service.district_policy()
    return DistrictPolicyOut(version=found.version, policy=found.policy.to_json())
