"""Observability (issue 19): `/metrics`, who may read it and what it says; the request log's line per request; the
unsent count stations report and the last error they were answered with (`station_health`)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gridstation.domain.enums import Tier
from gridstation.protocol import PushRequest
from gridstation.server.api.observe import REQUEST_LOGGER
from gridstation.server.app import create_app
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.log_lines import Lines
from tests.support.server import Api, ModelStation, auth
from tests.support.sync import Centre, Desk

LOOPBACK = ("127.0.0.1", 50123)
TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def request_lines() -> Iterator[list[str]]:
    """What the request logger is given, whatever earlier tests' logging set-up did with its handlers."""
    logger = logging.getLogger(REQUEST_LOGGER)
    handler, level, propagate = Lines(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate


def scrape(client: TestClient, **headers: str) -> str:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the exposition text, or None when there is none."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))  # as prometheus-client writes
    found = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


@pytest.fixture
def local(api: Api) -> Iterator[TestClient]:
    """The same app, asked from this machine (a scraper on the server itself)."""
    with TestClient(api.client.app, client=LOOPBACK) as client:  # type: ignore[arg-type]
        yield client


def test_only_this_machine_straight_or_the_token_reads_metrics(server: ServerService, tmp_path: Path) -> None:
    app = create_app(server, tmp_path / "data", metrics_token=TOKEN)
    with TestClient(app) as remote, TestClient(app, client=LOOPBACK) as local:
        refused = remote.get("/metrics")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "metrics.forbidden"
        assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert remote.get("/metrics", headers=auth(TOKEN)).status_code == 200
        assert local.get("/metrics").status_code == 200
        # What nginx on this machine forwards comes from loopback too, and is not local for all that.
        assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    without_token = create_app(server, tmp_path / "data")
    with TestClient(without_token) as remote:
        assert remote.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403


def test_requests_sync_traffic_queues_and_overdue_cases_are_counted(
    api: Api, local: TestClient, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register(0, tier=Tier.QUICK)
    station.register(1)
    body = PushRequest(events=station.unsent(), unsent=len(station.unsent()) + 3).model_dump(mode="json")
    assert api.push(credential, body).status_code == 200
    api.pull_all(credential, station)
    number = station.server_states[case_id]["number"]
    assert api.client.get(f"/status/{number}").status_code == 200

    text = scrape(local)

    assert sample(text, "gridstation_station_unsent_events", station="JA01") == 3  # what it reported, less the batch
    assert sample(text, "gridstation_sync_pushed_events_total", station="JA01", outcome="applied") == 2
    assert sample(text, "gridstation_sync_pulled_events_total", station="JA01") == 2
    push = {"route": "/api/v1/sync/push", "method": "POST", "status": "200"}
    assert sample(text, "gridstation_http_requests_total", **push) == 1
    assert sample(text, "gridstation_http_request_duration_seconds_count", route="/api/v1/sync/push", method="POST")
    assert sample(text, "gridstation_http_requests_total", route="/status/{number}", method="GET", status="200") == 1
    assert sample(text, "gridstation_cases_overdue", station="JA01") == 0
    assert sample(text, "gridstation_station_last_sync_timestamp_seconds", station="JA01") == pytest.approx(
        server_clock().timestamp()
    )
    # Templates and codes only: no case number, no name, no phone, no words of a complaint.
    intake = complaint(0)
    for private in (number, intake.phone, intake.complainant_name, intake.description[:6]):
        assert private not in text

    server_clock.advance(days=30)
    assert sample(scrape(local), "gridstation_cases_overdue", station="JA01") == 2


def test_a_station_from_before_issue_19_reports_no_queue(api: Api, local: TestClient, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    station.register(0)
    api.push_ok(credential, station)  # no `unsent` in the body, no ?unsent= on the pull
    api.pull_all(credential, station)
    text = scrape(local)
    assert sample(text, "gridstation_station_unsent_events", station="JA01") is None
    assert sample(text, "gridstation_station_last_sync_timestamp_seconds", station="JA01") is not None


def test_the_desk_reports_its_queue(desk: Desk, centre: Centre) -> None:
    for index in range(3):
        desk.station.register_case(desk.clerk, complaint(index))
    assert centre.service.station_health()[0].unsent is None  # enrolled, never synced

    assert desk.sync.run().ok

    (health,) = centre.service.station_health()
    assert health.unsent == 0 and health.last_error_code == "" and health.last_sync_at is not None
    pushes = [r for r in centre.transport.requests if r == "POST /api/v1/sync/push"]
    assert pushes  # the count came with the push and the pull, not from the server's own guess


def test_an_error_answered_to_a_station_is_its_last_error(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    station.register(0)
    station.register(1)
    later = station.unsent()[1:]  # a gap: the first event never sent
    answer = api.push(credential, PushRequest(events=later, unsent=4).model_dump(mode="json"))
    assert answer.status_code == 409

    (health,) = server.station_health()
    assert (health.last_error_code, health.last_error_status) == ("sequence.gap", 409)
    assert health.error_since_last_sync and health.unsent is None  # a refused push reports nothing

    server_clock.advance(minutes=5)
    api.push_ok(credential, station)
    (health,) = server.station_health()
    assert health.last_error_code == "sequence.gap" and not health.error_since_last_sync


def test_every_request_is_one_structured_line_with_its_request_id(
    api: Api, server_clock: FakeClock, request_lines: list[str]
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register(0)
    api.push_ok(credential, station)
    api.pull_all(credential, station)
    number = station.server_states[case_id]["number"]
    phone = complaint(0).phone
    request_lines.clear()

    given = api.client.get(f"/status/{number}", params={"phone": phone}, headers={"X-Request-ID": "proxy-request-0001"})
    missing = api.client.get("/nowhere")
    pulled = api.client.get("/api/v1/sync/pull", params={"after": 0, "unsent": 0}, headers=auth(credential))

    lines = [json.loads(line) for line in request_lines]
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/status/{number}", 200),
        ("GET", "<unmatched>", 404),
        ("GET", "/api/v1/sync/pull", 200),
    ]
    assert lines[0]["request_id"] == given.headers["X-Request-ID"] == "proxy-request-0001"
    assert lines[1]["request_id"] == missing.headers["X-Request-ID"] and lines[1]["error"] == "http.404"
    assert lines[2]["who"] == "station:JA01" and lines[0]["who"] == "-"
    assert all(isinstance(line["duration_ms"], float) and line["ts"].endswith("Z") for line in lines)
    assert pulled.headers["X-Request-ID"] == lines[2]["request_id"]
    written = "\n".join(request_lines)
    assert phone not in written and number not in written and credential not in written


def test_the_request_log_may_be_key_value(server: ServerService, tmp_path: Path, request_lines: list[str]) -> None:
    app = create_app(server, tmp_path / "data", log_format="keyvalue")
    with TestClient(app) as client:
        client.get("/healthz", headers={"X-Request-ID": "kv-request-0001"})
    (line,) = request_lines
    assert re.fullmatch(
        r"ts=\S+Z request_id=kv-request-0001 method=GET route=/healthz status=200 duration_ms=[0-9.]+ who=-", line
    ), line
