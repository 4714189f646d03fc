"""Issue 16, deadlines that act: the supervision pass (`gridstation-server supervise`, every minute in `serve`) turns
deadlines into events of the case's log: 预警催办 when the running deadline turns yellow, 超时升级 to the grid's 网格长
once it has passed, 部门超期 to the centre when a department's part is past its own due time, and a case late twice
(a 跟踪督办 case at its first miss) onto the 难题会诊 agenda. Each once: running the pass again adds nothing. The
events reach the station with its next sync. Driven by the fake clock the desk and the in-process centre share."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType, SupervisionLevel, Tier
from gridstation.domain.timeline import describe_event
from gridstation.server.cli import main as server_main
from gridstation.server.dispatch_views import DispatchRequest
from gridstation.server.visibility import Principal
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.sync import Centre, Desk

CENTRE = Principal("u-centre", "centre", ConsoleRole.CENTRE)


def levels(run: object) -> list[tuple[str, str]]:
    return [(str(r.level), r.number) for r in run.recorded]  # type: ignore[attr-defined]


@pytest.fixture
def gridlead(centre: Centre) -> None:
    centre.service.add_user("lead01", ConsoleRole.GRIDLEAD, "correct-horse-42", grids=["G01"], display_name="周网格长")


def test_yellow_urges_red_escalates_to_the_grids_lead_and_a_second_pass_adds_nothing(
    desk: Desk, centre: Centre, clock: FakeClock, gridlead: None
) -> None:
    """A 协同快办 hotline case has 5 minutes to 先联: at +4 (80 %, yellow) the owner is urged, at +6 it goes up to
    the 网格长 of G01; each pass run twice records each notice once; the station's timeline shows both."""
    case = desk.station.register_case(desk.clerk, dataclasses.replace(complaint(0), grid_code="G01"))
    assert desk.sync.run().ok
    registered = clock.current

    clock.current = registered + timedelta(minutes=2)  # 40 %: green, nothing due
    assert centre.service.supervise().recorded == []
    clock.current = registered + timedelta(minutes=4)
    urged = centre.service.supervise()
    assert levels(urged) == [("urge", case.number)]
    assert "响应时限" in urged.recorded[0].reason and "将到" in urged.recorded[0].reason
    assert centre.service.supervise().recorded == []  # the same pass again: nothing new

    clock.current = registered + timedelta(minutes=6)
    escalated = centre.service.supervise()
    assert levels(escalated) == [("escalate", case.number)]
    assert escalated.recorded[0].to == "网格长 周网格长"
    assert centre.service.supervise().recorded == []

    assert desk.sync.run().ok
    lines = [describe_event(e) for e in desk.station.timeline(case.id)]
    assert any(line.startswith("督办：预警催办（") for line in lines), lines
    assert any(line.startswith("督办：超时升级（网格长 周网格长）：响应时限") for line in lines), lines


def test_a_tracked_case_late_once_goes_onto_the_conference_agenda(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    case = desk.station.register_case(desk.clerk, complaint(1, Tier.TRACKED))
    assert desk.sync.run().ok
    clock.advance(minutes=6)
    run = centre.service.supervise()
    assert [str(r.level) for r in run.recorded] == ["escalate", "agenda"]
    assert run.recorded[0].to == "网格 未指定 的网格长"  # no grid on the case: said so, not hidden
    assert desk.sync.run().ok
    state = desk.station.case(case.id)
    assert state.conference_flagged and state.conference_reason == "督办：跟踪督办事项超过时限"


def test_a_case_late_twice_goes_onto_the_agenda(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    case = desk.station.register_case(desk.clerk, complaint(2))
    assert desk.sync.run().ok
    clock.advance(minutes=6)
    assert levels(centre.service.supervise()) == [("escalate", case.number)]  # late once: not yet
    desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    assert desk.sync.run().ok
    clock.advance(minutes=61)  # 协同快办: an hour to be on site, missed too
    run = centre.service.supervise()
    assert [str(r.level) for r in run.recorded] == ["escalate", "agenda"]
    assert run.recorded[1].reason == "多次超过时限"


def test_a_departments_overdue_part_goes_to_the_centre(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    case = desk.station.register_case(desk.clerk, complaint(0))
    desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    assert desk.sync.run().ok
    centre.service.add_department("WATER", "区水务局")
    due = clock.current + timedelta(minutes=30)
    request = DispatchRequest(lead="WATER", due=due, idempotency_key="dispatch-0001")
    centre.service.dispatch_case(CENTRE, case.number, request)
    clock.current = due + timedelta(minutes=1)
    run = centre.service.supervise()
    assert (SupervisionLevel.DEPARTMENT_OVERDUE, "城运中心督办") in [(r.level, r.to) for r in run.recorded]
    overdue = next(r for r in run.recorded if r.level is SupervisionLevel.DEPARTMENT_OVERDUE)
    assert overdue.reason.startswith("WATER（牵头）办理时限") and "尚无办理结果" in overdue.reason
    assert centre.service.supervise().recorded == []


def test_the_command_prints_what_it_recorded_and_twice_adds_nothing(
    desk: Desk, centre: Centre, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    case = desk.station.register_case(desk.clerk, complaint(0))
    assert desk.sync.run().ok
    clock.advance(minutes=10)
    url = centre.service.database.url
    assert server_main(["--db", url, "supervise", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert [(r["number"], r["level"]) for r in first["recorded"]] == [(case.number, "escalate")]
    assert server_main(["--db", url, "supervise"]) == 0
    assert "没有新的督办事项" in capsys.readouterr().out


def test_the_desk_reminds_of_the_supervision_due_before_it_arrives(
    qtbot: object, desk: Desk, centre: Centre, clock: FakeClock
) -> None:
    """Offline, the desk works out the same notices from the same policy and shows them on the countdown; once the
    centre's 督办 has come down, that one is no longer a reminder."""
    from gridstation.ui.case_detail import CaseDetailPanel

    case = desk.station.register_case(desk.clerk, complaint(0))
    assert desk.sync.run().ok
    panel = CaseDetailPanel(desk.station, desk.clerk)
    clock.advance(minutes=4)
    panel.show_case(case.id)
    assert panel.sla_label.toolTip().startswith("督办提醒：预警催办（承办人）：响应时限")
    centre.service.supervise()
    assert desk.sync.run().ok
    panel.show_case(case.id)
    assert panel.sla_label.toolTip() == ""


def test_serve_runs_the_pass_beside_the_server_unless_told_not_to(
    desk: Desk, centre: Centre, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` runs the pass at start and then every `--supervise-seconds` on a thread of its own, which stops with
    the server; 0 runs none (the pass is then `gridstation-server supervise`'s)."""
    import threading

    from gridstation.server import serving

    case = desk.station.register_case(desk.clerk, complaint(0))
    assert desk.sync.run().ok
    clock.advance(minutes=10)
    with serving.supervision_every(0, centre.service):
        pass
    assert not any(thread.name == "supervision" for thread in threading.enumerate())
    ran = threading.Event()
    recorded: list[str] = []

    def supervise() -> object:
        run = type(centre.service).supervise(centre.service)
        recorded.extend(r.number for r in run.recorded)
        ran.set()
        return run

    monkeypatch.setattr(centre.service, "supervise", supervise)
    with serving.supervision_every(60, centre.service):
        assert ran.wait(timeout=30)
    assert recorded == [case.number]
    assert not any(thread.name == "supervision" for thread in threading.enumerate())
