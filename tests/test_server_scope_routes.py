"""Issue 15, scope on every route: the test enumerates the app's routes, so a route added later without scope fails.

Every route of the app is either a route about cases, checked here against users who may not see a case (a
department it was never dispatched to, a gridlead of other grids: 404 like a case that does not exist, or an
empty list) and against no sign-in at all (401), or it is listed in `NOT_ABOUT_CASES` with the reason it needs no
user scope. A new route is in neither until someone decides which, and then this test checks it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute

from gridstation.domain.console_roles import ConsoleRole
from gridstation.server.console.auth import COOKIE_PATH, CSRF_FIELD, SESSION_COOKIE, session_csrf
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.console import GREEN, GREEN_NAME, WATER, WATER_NAME, Console, console_of
from tests.support.server import Api, auth

NOWHERE = "JA01-20261123-0099-Q"  # a well-formed case number no case has

# Routes that need no user scope, and why. Each is "METHOD path".
NOT_ABOUT_CASES = {
    "GET /api/v1/info": "server name and time, public",
    "POST /api/v1/enrol": "a station exchanges its code for a credential",
    "POST /api/v1/sync/push": "a station's own events, by its credential",
    "GET /api/v1/sync/pull": "a station's own feed, by its credential",
    "POST /api/v1/sync/receipt": "a station's own receipt, by its credential",
    "GET /api/v1/conflicts": "a station's own conflicts, by its credential",
    "GET /api/v1/policy": "the district's deadline policy (no cases), by a station's credential",
    "POST /console/policy": "a new district policy (no cases); centre and admins only (tests/test_district_policy.py)",
    "GET /api/v1/kb": "the knowledge base's articles (no cases) and the station's own proposals, by its credential",
    "POST /api/v1/kb/proposals": "a station's own proposed article, by its credential",
    **{
        route: "知识库 (no cases); centre and admins only (tests/test_knowledge_server.py)"
        for route in (
            "POST /console/kb/new",
            "GET /console/kb/articles/{article_id}",
            "POST /console/kb/articles/{article_id}",
            "POST /console/kb/articles/{article_id}/retire",
            "GET /console/kb/proposals/{proposal_id}",
            "POST /console/kb/proposals/{proposal_id}/approve",
            "POST /console/kb/proposals/{proposal_id}/reject",
        )
    },
    "POST /api/v1/attachments": "a station's own photos, by its credential",
    "GET /api/v1/attachments/{sha256}": "a station's own photos, by its credential",
    "PUT /api/v1/attachments/{sha256}/content": "a station's own photos, by its credential",
    "GET /api/v1/attachments/{sha256}/content": "a station's own photos, by its credential",
    "POST /api/v1/login": "signing in",
    "POST /api/v1/logout": "signing out: ends the caller's own token",
    "GET /status/{number}": "the public status page a receipt's QR code opens (no personal data)",
    "GET /healthz": "health probe",
    "GET /metrics": "counts by route template and station code, no cases; loopback or the metrics token only",
    "GET /openapi.json": "the API's own description",
    "GET /docs": "the API's own description",
    "GET /docs/oauth2-redirect": "the API's own description",
    "GET /redoc": "the API's own description",
    # Open311 GeoReport v2 is public by design: scrubbed case views (lookups.PublicCase), api_key-gated posts.
    "GET /open311/v2/discovery.{fmt}": "Open311, public",
    "GET /open311/v2/services.{fmt}": "Open311, public",
    "GET /open311/v2/services/{service_code}.{fmt}": "Open311, public",
    "GET /open311/v2/requests.{fmt}": "Open311, public scrubbed views",
    "POST /open311/v2/requests.{fmt}": "Open311, api_key of a station",
    "GET /open311/v2/requests/{service_request_id}.{fmt}": "Open311, public scrubbed view",
    "GET /open311/v2/tokens/{token}.{fmt}": "Open311, public",
    "GET /console/login": "the console's sign-in page",
    "POST /console/login": "signing in at the console",
    "POST /console/logout": "signing out: ends the caller's own session",
    "GET /console/static/{name}": "the console's stylesheet",
    "GET /console/stations": "stations and their last sync, no cases; centre and admins only",
    **{
        f"{method} /open311/v2/{{rest:path}}": "Open311's answer to an address it does not have"
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    },
}
# Case routes for those who see every case (centre, admin) alone: everyone else gets the 404 page, no case in it.
CENTRE_ONLY = {
    "GET /console/workorders",
    "GET /console/workorders/returns.csv",
    "GET /console/conference",
    "GET /console/conference.pdf",
    "GET /console/policy",
    "GET /console/kpi",
    "GET /console/kpi.csv",
    "GET /console/kpi.xlsx",
    "GET /console/hotspots",
    "GET /console/kb",
    "GET /console/kb/new",
    "GET /console/kb/proposals",
}
# Routes a department speaks to with its old token instead of a user's: checked with an out-of-scope token.
DEPARTMENT_TOKEN_ROUTES = {"POST /api/v1/department/updates"}
# A request body each case route needs to get past validation to its scope check (none of the reads need one).
BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/cases/{number}/dispatch": {"lead": WATER, "assist": [GREEN], "idempotency_key": "scope-dispatch"},
    "POST /api/v1/cases/{number}/withdraw": {"reason": "派错部门", "idempotency_key": "scope-withdraw"},
    "POST /api/v1/cases/{number}/reply": {"kind": "accept", "idempotency_key": "scope-reply"},
    "POST /api/v1/cases/{number}/conference": {
        "attendees": ["区水务局"],
        "decision": "更换井盖",
        "owner": "区水务局",
        "due": "2026-12-10T17:00:00+08:00",
        "idempotency_key": "scope-conference",
    },
}
# The console's forms post the same fields (and their session's CSRF token, added by `call`).
BODIES |= {f"POST /console/{route.removeprefix('POST /api/v1/')}": body for route, body in list(BODIES.items())}


def app_routes(api: Api) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, its own documentation pages and HTML routes included."""
    return sorted(_walk(api.client.app.routes, ""))  # type: ignore[attr-defined]


def _walk(routes: list[Any], prefix: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if hasattr(route, "original_router"):  # a router included in the app (FastAPI 0.165 keeps them whole)
            found |= _walk(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, BaseRoute) and getattr(route, "methods", None):
            found |= {(m, prefix + route.path) for m in route.methods if m != "HEAD"}  # type: ignore[attr-defined]
        else:
            raise AssertionError(f"a route this test cannot enumerate: {route!r}")
    return found


def case_routes(api: Api) -> list[tuple[str, str]]:
    return [
        (method, path)
        for method, path in app_routes(api)
        if f"{method} {path}" not in NOT_ABOUT_CASES and f"{method} {path}" not in DEPARTMENT_TOKEN_ROUTES
    ]


def is_page(path: str) -> bool:
    """A console page: signed in by the session cookie (which holds the same kind of token), answers in HTML."""
    return path.startswith("/console/")


def call(console: Console, method: str, path: str, number: str, token: str | None) -> httpx.Response:
    url = path.replace("{number}", number).replace("{sha256}", "0" * 64)  # a case's photo: any hash will do
    if path.endswith("returns.csv"):
        url += "?since=2020-01-01"  # every answered work order there is
    assert "{" not in url, f"{method} {path}: a path parameter this test does not know how to fill"
    body = BODIES.get(f"{method} {path}")
    client = console.api.client
    if is_page(path):
        client.cookies.clear()
        if token:
            client.cookies.set(SESSION_COOKIE, token, path=COOKIE_PATH)
            if method == "POST":
                body = {**(body or {}), CSRF_FIELD: session_csrf(token)}
        try:
            return client.request(method, url, data=body, follow_redirects=False)
        finally:
            client.cookies.clear()
    headers = auth(token) if token else {}
    return client.request(method, url, headers=headers, json=body)


def same_answer(hidden: httpx.Response, missing: httpx.Response, number: str) -> bool:
    """A hidden case is answered exactly as one that does not exist (its number aside)."""
    if hidden.headers.get("content-type", "").startswith("text/html"):
        return hidden.text.replace(number, NOWHERE) == missing.text
    return (
        hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "case.unknown"
        and hidden.json()["error"]["message"].replace(number, NOWHERE) == missing.json()["error"]["message"]
    )


@pytest.fixture
def console(api: Api, server: ServerService, server_clock: FakeClock) -> Console:
    console = console_of(api, server, server_clock)
    server.add_department("ROADS", "区建管委")
    console.in_g01_to_green = console.case(grid="G01", dispatched_to=GREEN_NAME)  # type: ignore[attr-defined]
    console.in_g02_to_water = console.case(grid="G02", dispatched_to=WATER_NAME)  # type: ignore[attr-defined]
    console.add_user("centre", ConsoleRole.CENTRE)
    console.add_user("water", ConsoleRole.DEPARTMENT, department=WATER)
    console.add_user("green", ConsoleRole.DEPARTMENT, department=GREEN)
    console.add_user("roads", ConsoleRole.DEPARTMENT, department="ROADS")
    console.add_user("lead-g01", ConsoleRole.GRIDLEAD, grids=["G01"])
    console.add_user("lead-g03", ConsoleRole.GRIDLEAD, grids=["G03"])
    return console


def test_every_route_is_either_about_cases_or_says_why_not(api: Api) -> None:
    everything = {f"{m} {p}" for m, p in app_routes(api)}
    assert set(NOT_ABOUT_CASES) <= everything, set(NOT_ABOUT_CASES) - everything
    assert "POST /api/v1/sync/push" in everything and "GET /open311/v2/requests.{fmt}" in everything
    reads = {"GET /api/v1/cases", "GET /api/v1/cases/{number}"}
    assert {f"{m} {p}" for m, p in case_routes(api)} >= reads | set(BODIES)


def test_no_case_route_shows_a_case_outside_the_callers_scope(console: Console, subtests: pytest.Subtests) -> None:
    g01 = console.in_g01_to_green  # type: ignore[attr-defined]
    # (user, a case the user may not see)
    outsiders = [("water", g01), ("roads", g01), ("lead-g03", g01), ("lead-g01", console.in_g02_to_water)]  # type: ignore[attr-defined]
    for method, path in case_routes(console.api):
        for username, number in outsiders:
            with subtests.test(route=f"{method} {path}", user=username):
                token = console.tokens[username]
                if "{number}" in path:
                    hidden = call(console, method, path, number, token)
                    missing = call(console, method, path, NOWHERE, token)
                    assert hidden.status_code == missing.status_code == 404, hidden.text
                    assert same_answer(hidden, missing, number)
                else:
                    answer = call(console, method, path, number, token)
                    assert answer.status_code == (404 if f"{method} {path}" in CENTRE_ONLY else 200), answer.text
                    assert number not in answer.text
        with subtests.test(route=f"{method} {path}", user="nobody signed in"):
            answer = call(console, method, path, g01, None)
            if is_page(path):  # a page sends the browser to the sign-in page instead
                assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")
                assert g01 not in answer.text
            else:
                assert answer.status_code == 401, answer.text


def test_a_list_holds_exactly_the_callers_cases(console: Console) -> None:
    g01, g02 = console.in_g01_to_green, console.in_g02_to_water  # type: ignore[attr-defined]

    def numbers(username: str, **filters: object) -> set[str]:
        page = console.get("/api/v1/cases", username, **filters).json()
        assert page["total"] == len(page["items"])
        return {item["number"] for item in page["items"]}

    assert numbers("centre") == {g01, g02}
    assert numbers("green") == {g01}
    assert numbers("water") == {g02}
    assert numbers("lead-g01") == {g01}
    assert numbers("roads") == numbers("lead-g03") == set()
    # Filters narrow the caller's scope, never widen it.
    assert numbers("water", grid="G01") == set()
    assert numbers("centre", grid="G02") == {g02}
    assert console.get(f"/api/v1/cases/{g01}", "green").status_code == 200
    assert console.get(f"/api/v1/cases/{g01}", "lead-g01").status_code == 200


def test_a_department_token_cannot_touch_a_case_outside_its_scope(console: Console) -> None:
    """The old token route asks the same place (`visibility`) as the user routes."""
    token = console.server.rotate_department(WATER).secret
    for route in DEPARTMENT_TOKEN_ROUTES:
        method, path = route.split(" ")
        body = {"case_number": console.in_g01_to_green, "update": "on_site", "note": "已到场"}  # type: ignore[attr-defined]
        hidden = console.api.client.request(method, path, json=body, headers=auth(token))
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "case.unknown"
        body["case_number"] = console.in_g02_to_water  # type: ignore[attr-defined]
        assert console.api.client.request(method, path, json=body, headers=auth(token)).status_code == 200
