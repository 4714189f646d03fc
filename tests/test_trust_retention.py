"""Issue 13, item 15 (retention half): personal data of closed cases is kept for a set number of years (3 unless an
admin sets another; `gridstation settings` shows it), then the complainant's name, phone and room number are
anonymised at the desk and at the server, statistics stay, every run is audited, and anonymising does not look like
tampering while a real edit is still caught."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from gridstation.cli import main as cli
from gridstation.cli.context import DATA_DIR_ENV, PIN_ENV, USER_ENV
from gridstation.domain.enums import EventType, Status
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.domain.report import Kpis, compute_kpis
from gridstation.server import cli as server_cli
from gridstation.server.models import ServerEventRow
from gridstation.services.core import DB_FILE
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock
from tests.support.complaints import resident, walk_in
from tests.support.staff import ADMIN_NAME, ADMIN_PIN
from tests.support.sync import Centre, Desk

ADMIN = ("--user", ADMIN_NAME, "--pin", ADMIN_PIN)
THREE_YEARS_AND_A_DAY = timedelta(days=3 * 365 + 2)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (DATA_DIR_ENV, USER_ENV, PIN_ENV):
        monkeypatch.delenv(name, raising=False)


def statistics(service: StationService, since: datetime) -> tuple[Kpis, list[tuple[Any, ...]]]:
    """What the reports count: the KPIs over every case since `since`, and each case's category, place, times,
    status and tier."""
    histories = service.histories_since(since - timedelta(days=1))
    kpis = compute_kpis(histories.values(), service.deadline_policy(), since - timedelta(days=1), service.now())
    cases = sorted(
        (s.number, s.category_code, s.compound, s.building, s.status, s.tier, s.registered_at, s.closed_at)
        for s in (service.case(case_id) for case_id in histories)
    )
    return kpis, cases


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_item15_settings_show_the_retention_period_and_an_admin_sets_it(
    service: StationService, clerk: StaffMember, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("--data-dir", str(service.data_dir))
    code, out, _ = run_cli(capsys, *base, "settings", "show")
    assert code == 0 and json.loads(out)["retention"] == {"years": 3}

    code, out, _ = run_cli(capsys, *base, "settings", "set", "retention", "5", *ADMIN)
    assert code == 0 and "5 年" in out
    code, out, _ = run_cli(capsys, *base, "settings", "show")
    assert json.loads(out)["retention"] == {"years": 5}

    code, _, err = run_cli(capsys, *base, "settings", "set", "retention", "0", *ADMIN)
    assert code == 2 and "1–30" in err
    with pytest.raises(DomainError, match="无权"):
        service.set_retention_years(clerk, 1)


def test_item15_a_run_anonymises_old_closed_cases_keeps_statistics_and_stays_verifiable(
    service: StationService,
    clerk: StaffMember,
    admin: StaffMember,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = service.register_case(clerk, resident())
    service.record(
        clerk, old.id, EventType.INTAKE_CORRECTED, {"field": "phone", "value": "13900001111", "reason": "居民更正号码"}
    )
    still_open = service.register_case(clerk, walk_in(0))
    clock.advance(days=400)
    recent = service.register_case(clerk, resident())
    clock.current = old.closed_at + THREE_YEARS_AND_A_DAY  # type: ignore[operator]
    stats_before = statistics(service, old.registered_at)

    result = service.run_retention(admin)

    assert (result.cases, result.events, result.refused) == (1, 2, [])
    assert statistics(service, old.registered_at) == stats_before
    gone = service.case(old.id)
    assert (gone.complainant_name, gone.phone, gone.address) == ("", "", "")
    assert (gone.category_code, gone.compound, gone.building, gone.status) == (
        "GREEN.LIGHT",
        "枫林苑",
        "3号楼",
        Status.CLOSED,
    )
    assert gone.closed_at == old.closed_at and gone.registered_at == old.registered_at
    payloads = [event.payload for event in service.timeline(old.id)]
    assert "张伟" not in json.dumps(payloads, ensure_ascii=False)
    assert "1381234" not in json.dumps(payloads) and "13900001111" not in json.dumps(payloads)
    assert service.count(CaseQuery(text="张伟")) == 2  # the two not yet due: `recent` and the open one
    assert service.case(recent.id).complainant_name == "张伟"
    assert service.case(still_open.id).phone == "13812341234"

    # Anonymising is not tampering: the chained retention record vouches for exactly these events...
    report = service.verify_logs()
    assert report.intact and report.events.anonymised == 2
    actions = [entry.action for entry in service.audit_log(admin)]
    assert "retention.run" in actions and "retention.anonymised" in actions
    # ...and a real edit of an anonymised event afterwards is still caught.
    connection = sqlite3.connect(service.data_dir / DB_FILE)
    with connection:
        connection.execute(
            "UPDATE events SET payload = json_set(payload, '$.complainant_name', '李四') "
            "WHERE case_id = ? AND type = 'case.registered'",
            (old.id,),
        )
    connection.close()
    code, out, _ = run_cli(capsys, "--data-dir", str(service.data_dir), "audit", "verify", "--json")
    broken = json.loads(out)["events"]["first_broken"]
    assert code != 0 and broken["case_number"] == old.number and broken["problem"] == "content"

    # A second run finds nothing more to do.
    assert service.run_retention(None).cases == 0


def test_item15_a_dry_run_changes_nothing_and_every_run_is_audited(
    service: StationService,
    clerk: StaffMember,
    admin: StaffMember,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The command runs on the real clock: this case was closed four years before today.
    clock.current = datetime.now(UTC) - timedelta(days=4 * 365)
    old = service.register_case(clerk, resident())
    base = ("--data-dir", str(service.data_dir))

    code, out, _ = run_cli(capsys, *base, "retention", "run", "--dry-run", "--json", *ADMIN)
    assert code == 0 and json.loads(out)["cases"] == 1 and json.loads(out)["dry_run"] is True
    assert service.case(old.id).complainant_name == "张伟"

    code, out, _ = run_cli(capsys, *base, "retention", "run", *ADMIN)
    assert code == 0 and "已匿名化 1 件诉求" in out
    assert service.case(old.id).complainant_name == ""
    runs = [entry for entry in service.audit_log(admin) if entry.action == "retention.run"]
    assert [(entry.staff_name, entry.detail["dry_run"], entry.detail["cases"]) for entry in runs] == [
        (ADMIN_NAME, False, 1),
        (ADMIN_NAME, True, 1),
    ]
    code, _, err = run_cli(capsys, *base, "retention", "run")
    assert code == 2 and "--user" in err  # an administrator's decision


def test_item15_a_case_with_an_edited_event_is_not_anonymised(
    service: StationService, clerk: StaffMember, admin: StaffMember, clock: FakeClock
) -> None:
    old = service.register_case(clerk, resident())
    clock.current = old.closed_at + THREE_YEARS_AND_A_DAY  # type: ignore[operator]
    connection = sqlite3.connect(service.data_dir / DB_FILE)
    with connection:
        connection.execute("UPDATE events SET actor_name = '某人' WHERE case_id = ?", (old.id,))
    connection.close()

    result = service.run_retention(admin)

    assert result.cases == 0 and result.refused == [old.number]
    assert "篡改" in result.message_zh()
    assert not service.verify_logs().intact  # still reported: retention launders nothing


def test_item15_the_server_anonymises_too_and_its_audit_verify_accepts_only_that(
    desk: Desk, centre: Centre, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = desk.station.register_case(desk.clerk, resident())
    open_case = desk.station.register_case(desk.clerk, walk_in(1))
    assert desk.sync.run("manual").ok
    centre.clock.current = old.closed_at + THREE_YEARS_AND_A_DAY  # type: ignore[operator]

    dry = centre.service.run_retention(3, dry_run=True)
    assert dry.cases == 1 and centre.service.case_states("JA01")[old.id]["phone"] == "13812341234"
    result = centre.service.run_retention(3)

    assert (result.cases, result.events, result.refused) == (1, 1, [])
    states = centre.service.case_states("JA01")
    assert (states[old.id]["complainant_name"], states[old.id]["phone"], states[old.id]["address"]) == ("", "", "")
    assert states[old.id]["status"] == "closed" and states[old.id]["category_code"] == "GREEN.LIGHT"
    assert states[open_case.id]["complainant_name"] == "张伟"
    report = centre.service.verify_events()
    assert report.intact and report.anonymised == 1

    # gridstation-server audit verify: a payload edited in the server's database is named.
    with centre.service.writing() as session:
        session.execute(
            update(ServerEventRow)
            .where(ServerEventRow.case_id == open_case.id, ServerEventRow.type == "case.registered")
            .values(payload={**_payload(session, open_case.id), "description": "被改过"})
        )
    database_url = centre.service.database.url
    code = server_cli.main(["--db", database_url, "audit", "verify", "--station", "ja01", "--json"])
    out, _ = capsys.readouterr()
    answer: dict[str, Any] = json.loads(out)
    assert code == server_cli.EXIT_TAMPERED != 0
    assert answer["first_broken"]["case_number"] == open_case.number
    assert answer["first_broken"]["kind"] == "case.registered" and "篡改" in answer["first_broken"]["message"]
    code = server_cli.main(["--db", database_url, "retention", "run", "--dry-run", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["cases"] == 0  # already done; the edited open case is not due


def _payload(session: Any, case_id: str) -> dict[str, Any]:
    registration = (ServerEventRow.case_id == case_id, ServerEventRow.type == "case.registered")
    payload = session.scalar(select(ServerEventRow.payload).where(*registration))
    assert isinstance(payload, dict)
    return payload


def test_item15_serve_runs_the_retention_at_start_and_stops_with_the_server(
    centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    ran = threading.Event()
    years_seen: list[int] = []

    def run_retention(years: int, *, dry_run: bool = False) -> Any:
        years_seen.append(years)
        ran.set()
        return centre.service.__class__.run_retention(centre.service, years, dry_run=dry_run)

    monkeypatch.setattr(centre.service, "run_retention", run_retention)
    with server_cli.periodically("retention", server_cli.RETENTION_INTERVAL_SECONDS, lambda: run_retention(4)):
        assert ran.wait(timeout=30)
    assert years_seen == [4]
    assert not any(thread.name == "retention" for thread in threading.enumerate())
