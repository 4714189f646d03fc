"""The Open311 routes, mounted by the app at /open311/v2 (see the package's docstring for what they serve)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.routing import Match

from gridstation.server.api.deps import Service
from gridstation.server.open311.formats import (
    FORMATS,
    GENERAL_ERROR,
    Open311Error,
    discovery_document,
    echo,
    error,
    render,
    request_entry,
    service_entry,
)
from gridstation.server.open311.params import (
    MAX_PAGE_SIZE,
    parse_page,
    parse_statuses,
    refuse_control_characters,
    split_values,
    window,
)
from gridstation.server.open311.submit import POST_BODY, RawForm, create, parse_form, read_form

log = logging.getLogger("gridstation.server.open311")

JSON_OR_XML = {"content": {"text/xml": {"schema": {"type": "string"}}, "application/json": {}}}
ERROR_DOCS: dict[int | str, dict[str, Any]] = {
    status: {"description": "Open311 错误列表（errors/error: code, description）", **JSON_OR_XML}
    for status in (400, 403, 404)
}
FORMAT_PATH = Annotated[str, Path(description="返回格式：xml 或 json")]

router = APIRouter(tags=["Open311 GeoReport v2"])


@router.get(
    "/discovery.{fmt}",
    summary="服务发现（Service Discovery）",
    response_class=Response,
    responses={200: JSON_OR_XML, 404: ERROR_DOCS[404]},
)
def discovery(fmt: FORMAT_PATH, request: Request) -> Response:
    path = request.url.path
    base = request.url.replace(path=path[: path.rfind("/discovery.")], query="", fragment="")
    return answer(fmt, "discovery", lambda: discovery_document(str(base)), request)


@router.get(
    "/services.{fmt}",
    summary="服务列表（GET Service List）",
    response_class=Response,
    responses={200: JSON_OR_XML, **ERROR_DOCS},
)
def services(fmt: FORMAT_PATH, service: Service, request: Request) -> Response:
    return answer(
        fmt, "services", lambda: [service_entry(row, group) for row, group in service.offered_services()], request
    )


@router.get(
    "/services/{service_code}.{fmt}",
    summary="服务定义（GET Service Definition）",
    response_class=Response,
    responses={200: JSON_OR_XML, **ERROR_DOCS},
)
def service_definition(service_code: str, fmt: FORMAT_PATH, service: Service, request: Request) -> Response:
    def produce() -> dict[str, Any]:
        row = service.offered_service(service_code.strip())
        if row is None:
            raise Open311Error(404, f"没有诉求分类「{echo(service_code)}」。可用的分类见 services。")
        return {"service_code": row.code, "attributes": []}

    return answer(fmt, "service_definition", produce, request)


@router.get(
    "/requests.{fmt}",
    summary="查询诉求（GET Service Requests）",
    description=(
        "默认最近 90 天、最多 1000 条，按城运中心收到的先后倒序；service_request_id 给出时忽略其他条件。"
        f"分页：page（从 1 起）与 page_size（1～{MAX_PAGE_SIZE}，默认 {MAX_PAGE_SIZE}），还有下一页时回复带 "
        'Link: <…>; rel="next"。无需 api_key。'
    ),
    response_class=Response,
    responses={200: JSON_OR_XML, **ERROR_DOCS},
)
def requests(
    fmt: FORMAT_PATH,
    service: Service,
    request: Request,
    service_request_id: Annotated[list[str] | None, Query(description="诉求编号，逗号分隔")] = None,
    service_code: Annotated[list[str] | None, Query(description="诉求分类代码，逗号分隔")] = None,
    start_date: Annotated[
        str | None, Query(description="最早登记时间（W3C 格式，如 2026-11-01T00:00:00+08:00）")
    ] = None,
    end_date: Annotated[str | None, Query(description="最晚登记时间（W3C 格式）")] = None,
    status: Annotated[list[str] | None, Query(description="open、closed，逗号分隔")] = None,
    page: Annotated[str | None, Query(description="页码，从 1 起（默认 1）")] = None,
    page_size: Annotated[str | None, Query(description=f"每页条数，1～{MAX_PAGE_SIZE}（默认 {MAX_PAGE_SIZE}）")] = None,
) -> Response:
    next_page: list[int] = []

    def produce() -> list[dict[str, Any]]:
        ids = split_values(service_request_id)
        if ids:
            return [request_entry(case) for case in service.public_cases_by_number(ids)]
        number, size = parse_page(page, page_size)
        start, end = window(start_date, end_date, service.now())
        codes, statuses = split_values(service_code), parse_statuses(status)
        # One more than the page holds: whether a next page exists, without counting them all.
        found = service.search_public_cases(codes, start, end, statuses, limit=size + 1, offset=(number - 1) * size)
        if len(found) > size:
            next_page.append(number + 1)
        return [request_entry(case) for case in found[:size]]

    response = answer(fmt, "service_requests", produce, request)
    if next_page:
        following = request.url.include_query_params(page=next_page[0])
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@router.post(
    "/requests.{fmt}",
    summary="提交诉求（POST Service Request）",
    description=(
        "表单提交（application/x-www-form-urlencoded），须带 api_key；诉求作为“码上就来”工单派给该 api_key 所属工作站。"
    ),
    response_class=Response,
    responses={200: JSON_OR_XML, **ERROR_DOCS},
    openapi_extra=POST_BODY,
)
def create_request(
    fmt: FORMAT_PATH, form: Annotated[RawForm, Depends(read_form)], service: Service, request: Request
) -> Response:
    # 200, not 201: the spec names no success status for POST (its example shows only the body; every
    # status it lists is an error), so it answers like every other method here.
    return answer(fmt, "service_requests", lambda: create(service, parse_form(form)), request)


@router.get(
    "/requests/{service_request_id}.{fmt}",
    summary="查询单个诉求（GET Service Request）",
    response_class=Response,
    responses={200: JSON_OR_XML, **ERROR_DOCS},
)
def request_by_id(service_request_id: str, fmt: FORMAT_PATH, service: Service, request: Request) -> Response:
    def produce() -> list[dict[str, Any]]:
        found = service.public_cases_by_number([service_request_id.strip()])
        if not found:
            raise Open311Error(404, f"没有编号为「{echo(service_request_id)}」的诉求。")
        return [request_entry(case) for case in found]

    return answer(fmt, "service_requests", produce, request)


@router.get(
    "/tokens/{token}.{fmt}",
    summary="由 token 查诉求编号（GET service_request_id from a token）",
    response_class=Response,
    responses={200: JSON_OR_XML, **ERROR_DOCS},
)
def token_lookup(token: str, fmt: FORMAT_PATH, service: Service, request: Request) -> Response:
    def produce() -> list[dict[str, Any]]:
        wanted = token.strip()
        number = service.number_of_token(wanted)
        if number is None:
            raise Open311Error(404, f"没有 token 为「{echo(wanted)}」的诉求。")
        return [{"service_request_id": number, "token": wanted}]

    return answer(fmt, "service_requests", produce, request)


@router.api_route(
    "/{rest:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
def unknown(rest: str, request: Request) -> Response:
    """Anything else under the prefix: Open311's own error format, not the sync API's."""
    kind = "json" if rest.lower().endswith(".json") else "xml"
    # Our own routes, without the prefix the app mounts them at: a path that exists with another method.
    scope = {"type": "http", "path": "/" + rest, "root_path": "", "method": request.method}
    allowed: set[str] = set()
    for route in router.routes:
        if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.PARTIAL:
            allowed |= route.methods or set()
    if allowed:
        methods = ", ".join(sorted(allowed))
        response = error(kind, 405, f"该地址不支持 {echo(request.method)} 请求（可用：{methods}）。")
        response.headers["Allow"] = methods
        return response
    return error(kind, 404, "没有这个 Open311 资源。可用：discovery、services、requests、tokens（加 .xml 或 .json）。")


def answer(fmt: str, root: str, produce: Callable[[], object], request: Request) -> Response:
    kind = fmt.lower()
    if kind not in FORMATS:
        return error("xml", 404, f"不支持的格式「{echo(fmt)}」：请在地址末尾用 .xml 或 .json。")
    try:
        refuse_control_characters([*request.query_params.multi_items(), *request.path_params.items()])
        body = produce()
    except Open311Error as err:
        return error(kind, err.status, err.description)
    except Exception:
        # The spec's "general service error" is a 400; the details go to the log, not to the client.
        log.exception("Open311 request failed")
        return error(kind, 400, GENERAL_ERROR)
    return render(kind, root, body)
