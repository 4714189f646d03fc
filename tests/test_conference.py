"""Issue 16, 难题会诊: the weekly agenda collects the open cases flagged for it across stations (by a person, or by the
supervision pass: late twice, a 跟踪督办 case late at all); the centre records each decision — who came, what was
decided, one owner, a due time — as an event of the case, which the station's timeline shows and whose due time is
supervised like any deadline. The agenda is a console page and an A4 PDF to print for the meeting."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import Tier
from gridstation.domain.timeline import describe_event
from gridstation.server.dispatch_views import DecisionRequest
from gridstation.server.errors import ServerError
from gridstation.server.visibility import Principal
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.console import sign_in_to_console
from tests.support.sync import Centre, Desk

CENTRE = Principal("u-centre", "centre", ConsoleRole.CENTRE)
WATER = Principal("u-water", "water", ConsoleRole.DEPARTMENT, department="WATER")
PASSWORD = "correct-horse-42"


def on_the_agenda(desk: Desk, centre: Centre, clock: FakeClock) -> str:
    """A 跟踪督办 case nobody called back: the supervision pass puts it on the agenda. Its number."""
    case = desk.station.register_case(desk.clerk, complaint(0, Tier.TRACKED))
    assert desk.sync.run().ok
    clock.advance(minutes=6)
    centre.service.supervise()
    return case.number


def test_the_agenda_a_decision_and_its_own_deadline(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    number = on_the_agenda(desk, centre, clock)
    [item] = centre.service.conference_agenda(CENTRE)
    assert item.state.number == number and item.overdue
    assert item.state.conference_reason == "督办：跟踪督办事项超过时限"
    with pytest.raises(ServerError) as hidden:
        centre.service.conference_agenda(WATER)
    assert hidden.value.status == 404

    due = clock.current + timedelta(days=7)
    decision = DecisionRequest(
        attendees=["区水务局", "区绿化市容局"],
        decision="水务局更换井盖，绿化市容局清理绿化带",
        owner="区水务局",
        due=due,
        idempotency_key="decision-0001",
    )
    assert centre.service.decide_conference(CENTRE, number, decision).outcome == "applied"
    assert centre.service.decide_conference(CENTRE, number, decision).outcome == "duplicate"  # a double click
    [item] = centre.service.conference_agenda(CENTRE)  # still on the agenda until the case is done
    assert item.state.conference_decision == "水务局更换井盖，绿化市容局清理绿化带" and not item.decision_late

    assert desk.sync.run().ok
    case = desk.station.case_by_number(number)
    lines = [describe_event(e) for e in desk.station.timeline(case.id)]
    assert any(line.startswith("难题会诊决定：水务局更换井盖") and "责任人：区水务局" in line for line in lines), lines

    clock.current = due + timedelta(minutes=1)
    late = [r for r in centre.service.supervise().recorded if r.number == number]
    assert [(str(r.level), r.to) for r in late] == [("decision_overdue", "区水务局")]
    assert centre.service.supervise().recorded == []
    assert centre.service.conference_agenda(CENTRE)[0].decision_late


def test_a_case_not_on_the_agenda_gets_no_decision(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    case = desk.station.register_case(desk.clerk, complaint(1))
    assert desk.sync.run().ok
    request = DecisionRequest(
        attendees=["区水务局"],
        decision="更换井盖",
        owner="区水务局",
        due=clock.current,
        idempotency_key="decision-0002",
    )
    with pytest.raises(ServerError) as refused:
        centre.service.decide_conference(CENTRE, case.number, request)
    assert refused.value.status == 409 and "不在难题会诊议程上" in refused.value.message_zh


def test_the_console_agenda_records_minutes_and_prints_an_a4_pdf(
    desk: Desk, centre: Centre, clock: FakeClock, tmp_path: Path
) -> None:
    number = on_the_agenda(desk, centre, clock)
    centre.service.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    centre.service.add_department("WATER", "区水务局")
    centre.service.add_user("water", ConsoleRole.DEPARTMENT, PASSWORD, department="WATER")
    client = centre.client
    csrf = sign_in_to_console(client, "centre", PASSWORD)
    page = client.get("/console/conference").text
    assert number in page and "跟踪督办事项超过时限" in page
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key is not None
    form = {
        "csrf_token": csrf,
        "idempotency_key": key.group(1),
        "attendees": "区水务局，区绿化市容局",
        "decision": "限期更换井盖",
        "owner": "区水务局",
        "due": "2026-12-10T17:00",
    }
    bad = client.post(f"/console/cases/{number}/conference", data={**form, "due": "下周"}, follow_redirects=False)
    assert bad.status_code == 422 and "请填写完成时限" in bad.text
    done = client.post(f"/console/cases/{number}/conference", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/console/conference")
    page = client.get("/console/conference").text
    assert "上次决定：限期更换井盖（责任人 区水务局，2026-12-10 17:00 前" in page

    pdf = client.get("/console/conference.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "agenda.pdf").write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(tmp_path / "agenda.pdf"), "-"], capture_output=True, text=True)
        assert "难题会诊议程" in text.stdout and number in text.stdout and "限期更换井盖" in text.stdout

    sign_in_to_console(client, "water", PASSWORD)
    assert client.get("/console/conference").status_code == 404
    assert client.get("/console/conference.pdf").status_code == 404
