"""How many requests a sync makes (issue 18): an up-to-date station syncs in one request, a station's day in two, and
a server from before the pull answered the rest still gets every request it expects."""

from __future__ import annotations

import httpx
import pytest

from gridstation.domain.enums import EventType, Tier
from gridstation.domain.knowledge import ArticleDraft
from gridstation.domain.sla import Stage, default_policy
from gridstation.protocol import PullResponse
from gridstation.storage.settings import SettingKey, setting
from gridstation.sync.engine import SyncService
from gridstation.sync.retry import RetryPolicy
from gridstation.sync.transport import ServerTransport
from tests.support.complaints import complaint
from tests.support.sync import Centre, Desk, Fault, FaultyTransport, answer_status, refuse_connection, truncate_body
from tests.test_district_policy import with_minutes

PULL = "GET /api/v1/sync/pull"
PUSH = "POST /api/v1/sync/push"
EVERY_QUESTION = ["GET /api/v1/policy", "GET /api/v1/kb", "POST /api/v1/sync/receipt", "GET /api/v1/conflicts"]
NEW_FIELDS = {"heads", "receipt"}
NEW_PARAMETERS = {"heads", "receipt_from", "receipt_to", "receipt_label"}


def a_day_of_work(desk: Desk, cases: int = 3) -> None:
    for index in range(cases):
        case = desk.station.register_case(desk.clerk, complaint(index))
        desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民，约好下午上门"})


def credential_of(desk: Desk) -> dict[str, str]:
    with desk.station.reading() as session:
        return {"Authorization": f"Bearer {setting(session, SettingKey.CREDENTIAL)}"}


def requests_of(centre: Centre, desk: Desk) -> tuple[list[str], object]:
    centre.transport.requests.clear()
    summary = desk.sync.run("end_of_day")
    assert summary.ok, summary.error
    return list(centre.transport.requests), summary


def test_an_up_to_date_station_syncs_in_one_request(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    assert desk.sync.run().ok

    requests, summary = requests_of(centre, desk)

    assert requests == [PULL]
    assert summary.pushed == 0 and summary.pulled == 0  # type: ignore[attr-defined]
    receipt = summary.receipt  # type: ignore[attr-defined]
    assert receipt is not None and receipt.matches and (receipt.from_seq, receipt.to_seq) == (1, 6)


def test_a_stations_day_is_one_push_and_one_pull(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)

    requests, summary = requests_of(centre, desk)

    assert requests == [PUSH, PULL]
    receipt = summary.receipt  # type: ignore[attr-defined]
    assert receipt is not None and receipt.matches and receipt.server_held == 6


def test_what_changed_at_the_centre_is_still_fetched(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    assert desk.sync.run().ok
    centre.service.set_district_policy(with_minutes(default_policy(), Tier.QUICK, Stage.RESPOND, 3), "test")

    requests, summary = requests_of(centre, desk)

    assert requests == [PULL, "GET /api/v1/policy"]
    assert summary.district_policy_adopted == 1  # type: ignore[attr-defined]
    assert requests_of(centre, desk)[0] == [PULL]


def test_a_new_article_at_the_centre_is_fetched(desk: Desk, centre: Centre) -> None:
    assert desk.sync.run().ok
    draft = ArticleDraft.validated(
        title="窨井盖松动：先围挡再报修", body="## 处置\n先设围挡，再报排水所。", categories=()
    )
    centre.service.create_kb_article(draft, "user:centre")

    requests, summary = requests_of(centre, desk)

    assert requests == [PULL, "GET /api/v1/kb"]
    assert summary.knowledge_articles_received == 1  # type: ignore[attr-defined]
    assert requests_of(centre, desk)[0] == [PULL]


class OldServer(httpx.BaseTransport):
    """A server from before issue 18 in front of this one: it does not know the pull's new parameters (so it ignores
    them) and never sends the new fields."""

    def __init__(self, inner: FaultyTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/sync/pull":
            params = [(k, v) for k, v in request.url.params.multi_items() if k not in NEW_PARAMETERS]
            request = httpx.Request(request.method, request.url.copy_with(params=params), headers=request.headers)
        response = self.inner.handle_request(request)
        if request.url.path == "/api/v1/sync/pull":
            body = response.read()
            assert NEW_FIELDS.isdisjoint(PullResponse.model_validate_json(body).model_dump(exclude_unset=True))
        return response


def test_a_server_from_before_the_one_round_trip_still_gets_every_question(desk: Desk, centre: Centre) -> None:
    old = OldServer(centre.transport)
    desk.sync.close()
    desk.sync = SyncService(desk.station, transport_factory=lambda url, key: ServerTransport(url, key, transport=old))
    a_day_of_work(desk)

    requests, summary = requests_of(centre, desk)

    assert requests == [PUSH, PULL, *EVERY_QUESTION]
    receipt = summary.receipt  # type: ignore[attr-defined]
    assert receipt is not None and receipt.matches and receipt.server_held == 6
    assert requests_of(centre, desk)[0] == [PULL, *EVERY_QUESTION]


@pytest.mark.parametrize("fault", [refuse_connection, answer_status(503, "1"), truncate_body])
def test_an_older_servers_receipt_and_conflicts_are_retried_like_any_request(
    desk: Desk, centre: Centre, fault: Fault
) -> None:
    old = OldServer(centre.transport)
    desk.sync.close()
    desk.sync = SyncService(
        desk.station,
        transport_factory=lambda url, key: ServerTransport(url, key, transport=old),
        retry=RetryPolicy(attempts=6, first_delay=0.01, max_delay=0.05),
        sleep=desk.sleeps.append,
    )
    a_day_of_work(desk)
    for path in ("/sync/receipt", "/conflicts"):
        centre.transport.add(path, fault, times=2)

    requests, summary = requests_of(centre, desk)

    assert summary.retries == 4  # type: ignore[attr-defined]
    assert requests.count("POST /api/v1/sync/receipt") == requests.count("GET /api/v1/conflicts") == 3
    receipt = summary.receipt  # type: ignore[attr-defined]
    assert receipt is not None and receipt.matches


def test_a_station_from_before_gets_no_field_it_does_not_know(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    assert desk.sync.run().ok
    headers = credential_of(desk)

    old = centre.client.get("/api/v1/sync/pull", params={"limit": 1000}, headers=headers)
    new = centre.client.get(
        "/api/v1/sync/pull",
        params={"limit": 1000, "heads": "true", "receipt_from": 1, "receipt_to": 6, "receipt_label": "2026-11-23"},
        headers=headers,
    )

    assert old.status_code == new.status_code == 200
    assert NEW_FIELDS.isdisjoint(old.json())
    assert set(new.json()) >= NEW_FIELDS
    assert new.json()["receipt"]["held"] == 6
    assert {k: v for k, v in new.json().items() if k not in NEW_FIELDS} == old.json()


def test_only_the_last_page_answers_the_new_questions(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    assert desk.sync.run().ok
    ask = {"limit": 4, "heads": "true", "receipt_from": 1, "receipt_to": 6}
    headers = credential_of(desk)

    first = centre.client.get("/api/v1/sync/pull", params=ask, headers=headers).json()
    last = centre.client.get(
        "/api/v1/sync/pull", params={**ask, "after": first["cursor"], "epoch": first["epoch"]}, headers=headers
    ).json()

    assert first["has_more"] and NEW_FIELDS.isdisjoint(first)
    assert not last["has_more"] and set(last) >= NEW_FIELDS
