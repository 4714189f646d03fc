"""The demo station: realistic, varied, and built only from real events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gridstation.assets import RESOURCES
from gridstation.domain.case import fold
from gridstation.domain.enums import Channel, EventType, Status, Tier
from gridstation.domain.reference import parse_categories
from gridstation.domain.sla import Colour
from gridstation.services.demo import DEMO_ACCOUNTS, TEMPLATES, create_demo_station
from gridstation.services.station import StationService
from gridstation.storage.case_search import CaseQuery

END = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
CASES = 20


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StationService]:
    service = create_demo_station(tmp_path_factory.mktemp("demo") / "data", cases=CASES, now=END)
    yield service
    service.close()


def test_every_status_channel_and_tier_appears(demo: StationService) -> None:
    """Twenty cases are enough to show every lifecycle state, channel and tier."""
    rows = demo.search(CaseQuery(limit=1000))
    assert len(rows) == CASES
    assert {r.status for r in rows} == set(Status)
    assert {r.tier for r in rows} == set(Tier)
    channels = {demo.case(r.id).channel for r in rows}
    assert channels == set(Channel)


def test_some_cases_are_overdue_and_some_fresh(demo: StationService) -> None:
    """The five-colour warning has red cases and cases still inside their deadline."""
    scheme = demo.colour_scheme()
    colours = {
        scheme.colour_for(r.sla_started_at, r.sla_due_at, END)
        for r in demo.search(CaseQuery(open_only=True, limit=1000))
        if r.sla_started_at and r.sla_due_at
    }
    assert Colour.RED in colours
    assert colours & {Colour.GREEN, Colour.BLUE, Colour.YELLOW, Colour.ORANGE}


def test_projection_is_the_fold_of_real_events(demo: StationService) -> None:
    """Each case is exactly what its event log says, and every event lies in the ten days before the end."""
    events = demo.all_events()
    assert sum(e.type is EventType.REGISTERED for e in events) == CASES
    assert all(END - timedelta(days=11) <= e.occurred_at <= END for e in events)
    for row in demo.search(CaseQuery(limit=1000)):
        assert fold(demo.timeline(row.id)) == demo.case(row.id)


def test_demo_accounts_sign_in(demo: StationService) -> None:
    """The printed accounts work, with the roles the README promises."""
    for account in DEMO_ACCOUNTS:
        assert demo.sign_in(account.name, account.pin).role is account.role


def test_templates_are_varied_and_use_known_categories() -> None:
    """At least thirty distinct complaints, each filed under a leaf category of the seed taxonomy."""
    categories = parse_categories((RESOURCES / "seed" / "categories.csv").read_text(encoding="utf-8"))
    leaves = {c.code for c in categories if c.parent_code}
    assert len({t.text for t in TEMPLATES}) >= 30
    assert {t.category for t in TEMPLATES} <= leaves
    for template in TEMPLATES:
        if Tier.ON_THE_SPOT in template.tiers:
            assert template.answer


def test_same_seed_same_cases(tmp_path: Path) -> None:
    """A seed reproduces the same cases (numbers and texts), so screenshots and docs stay stable."""
    def snapshot(path: Path) -> list[tuple[str, str]]:
        service = create_demo_station(path, cases=4, now=END)
        try:
            return sorted((r.number, r.description) for r in service.search(CaseQuery(limit=100)))
        finally:
            service.close()

    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
