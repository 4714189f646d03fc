"""The demo station: realistic, varied, and built only from real events."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gridstation.assets import RESOURCES
from gridstation.domain.case import fold
from gridstation.domain.enums import Channel, EventType, Status, Tier
from gridstation.domain.listing import CaseQuery
from gridstation.domain.reference import Compound, parse_categories
from gridstation.domain.sla import Colour, default_policy
from gridstation.services.demo import DEMO_ACCOUNTS, TEMPLATES, create_demo_station
from gridstation.services.demo.data import DEMO_DATA_DIR, DemoDataError, load_demo_data
from gridstation.services.demo.planner import plan_cases
from gridstation.services.station import StationService

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
    # The demo's templates predate calls taken at the desk (来电), which register like walk-ins.
    assert channels == set(Channel) - {Channel.PHONE_CALL}


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


def test_planner_needs_no_station() -> None:
    """The planner is pure: the same seed and inputs give the same plans, without a database or a clock."""
    def plans(seed: int) -> list[tuple[str, datetime, list[tuple[float, EventType]]]]:
        planned = plan_cases(
            CASES,
            data=load_demo_data(),
            seed=seed,
            compounds=[Compound("枫林苑", "G01")],
            policy=default_policy(),
            end=END,
            earliest=END - timedelta(days=10),
        )
        return [(p.intake.description, p.registered_at, [(s.offset, s.event) for s in p.steps]) for p in planned]

    assert plans(7) == plans(7)
    assert plans(7) != plans(8)


def test_demo_data_files_say_they_are_made_up() -> None:
    """Each data file opens with a comment saying what it holds and that all of it is fictional."""
    files = sorted(DEMO_DATA_DIR.glob("*.toml"))
    names = ["accounts.toml", "phrases.toml", "residents.toml", "station.toml", "templates.toml"]
    assert [f.name for f in files] == names
    for file in files:
        header = file.read_text(encoding="utf-8").split("\n\n")[0]
        assert header.startswith("# ") and "made up" in header, file.name


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("station.toml", 'code = "JA01"', 'code = "JA01', "station.toml: not valid TOML"),
        ("station.toml", 'code = "JA01"\n', "", "station.toml, code: missing"),
        ("station.toml", '"Asia/Shanghai"', '"Asia/Shanghi"', "station.toml, timezone: unknown time zone"),
        ("accounts.toml", 'role = "clerk"', 'role = "cleric"', "[[account]] #2, role: 'cleric' is not one of"),
        ("accounts.toml", 'role = "clerk"', 'role = "admin"', "[[account]] #2, role: a second admin account"),
        ("templates.toml", 'channels = "people"', 'channels = "folk"', "[[template]] #1, channels: no [channels]"),
        ("templates.toml", "{p}楼前香樟树", "{q}楼前香樟树", "[[template]] #1, text: unknown placeholder {q}"),
        ("templates.toml", "disposal = ", "dispsal = ", "[[template]] #1, dispsal: unexpected key"),
        ("templates.toml", '["quick", "tracked"]', '["fast"]', "[[template]] #1, tiers[0]: 'fast' is not one of"),
        ("residents.toml", "floors = 6", "floors = 0", "[homes], floors: must be a whole number"),
        ("residents.toml", '{tail:04d}"', '{tail:04x}}"', "[phones], mobile: malformed braces"),
        ("phrases.toml", '"{who}表示满意。"', '"表示满意。{}"', "[follow_up.notes], satisfied: unknown placeholder {}"),
        ("phrases.toml", 'to_quick = "物业', 'to_quick = "{c}物业', "[retriage], to_quick: takes no placeholders"),
    ],
)
def test_malformed_data_names_the_file_and_key(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    """A mistake in a data file is reported with the file and the key at fault."""
    directory = tmp_path / "demo"
    shutil.copytree(DEMO_DATA_DIR, directory)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DemoDataError, match=re.escape(message)) as raised:
        load_demo_data(directory)
    assert str(path) in str(raised.value)
