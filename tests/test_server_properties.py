"""A hypothesis state machine: several stations, work orders and department updates, random pushes and pulls with
duplicates, reordered batches, replays and lost responses.

Whatever happens, every event exists exactly once on the server, each station converges to the server's state of
its scope after a final sync, and cursors only move forward.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from gridstation.domain.codec import state_from_json
from gridstation.domain.enums import Channel, EventType, Status
from gridstation.domain.errors import DomainError
from gridstation.domain.lifecycle import legal_actions
from gridstation.protocol import PushRequest, StatusUpdate
from gridstation.server.accounts import Department
from gridstation.server.db import open_database
from gridstation.server.service import ServerService
from gridstation.server.workorders import build_work_order
from tests.support.clock import FakeClock
from tests.support.server import ModelStation, fresh_postgres, postgres_url

STATIONS = ("JA01", "JB02", "JC03")
DEPARTMENT = Department("GREEN", "区绿化市容局")
STATION_ACTIONS = (
    EventType.FIRST_CONTACT,
    EventType.DISPATCHED,
    EventType.ARRIVED_ON_SITE,
    EventType.DISPOSED,
    EventType.CLOSED,
    EventType.NOTE_ADDED,
    EventType.INTAKE_CORRECTED,
)
PAYLOADS: dict[EventType, dict[str, Any]] = {
    EventType.FIRST_CONTACT: {"note": "已电话联系"},
    EventType.DISPATCHED: {"assignee": DEPARTMENT.name, "note": ""},  # the department may report on its cases
    EventType.ARRIVED_ON_SITE: {"note": "网格员到场"},
    EventType.DISPOSED: {"outcome": "resolved", "note": "已清理"},
    EventType.CLOSED: {"answer": "问题已解决"},
    EventType.NOTE_ADDED: {"note": "居民来电催办"},
}


class SyncMachine(RuleBasedStateMachine):
    database_url = ""  # set per test run

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="gs-prop-"))
        url = self.database_url or f"sqlite:///{self.folder / 'server.db'}"
        if url.startswith("postgresql"):
            fresh_postgres(url)
        self.database = open_database(url)
        self.clock = FakeClock()
        self.server = ServerService(self.database, clock=self.clock)
        self.server.add_department(DEPARTMENT.code, DEPARTMENT.name)
        self.stations: dict[str, ModelStation] = {}
        for code in STATIONS:
            self.server.add_station(code, f"{code} 工作站")
            self.stations[code] = ModelStation(code, self.clock)
        self.tickets = 0
        self.rng = random.Random(0)

    def teardown(self) -> None:
        try:
            self._final_sync_and_check()
        finally:
            self.database.dispose()
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- what happens at the desks and the centre ----------------------------------------------------------

    @rule(code=st.sampled_from(STATIONS), index=st.integers(0, 2))
    def register(self, code: str, index: int) -> None:
        self.stations[code].register(index)
        self.clock.advance(minutes=1)

    @rule(code=st.sampled_from(STATIONS), pick=st.integers(0, 10_000), kind=st.sampled_from(STATION_ACTIONS))
    def station_records(self, code: str, pick: int, kind: EventType) -> None:
        station = self.stations[code]
        if not station.local_states:
            return
        case_id = sorted(station.local_states)[pick % len(station.local_states)]
        state = station.local_states[case_id]
        if kind not in legal_actions(state):
            return
        payload = dict(PAYLOADS.get(kind, {}))
        if kind is EventType.INTAKE_CORRECTED:
            payload = {"field": "address", "value": f"湖南路 {pick % 50 + 1} 弄", "reason": "居民更正"}
        try:
            station.record(case_id, kind, **payload)
        except DomainError:
            return  # e.g. the same address again: the desk refuses it too
        self.clock.advance(seconds=30)

    @rule(pick=st.integers(0, 10_000), update=st.sampled_from(["dispatched", "on_site", "disposed", "closed"]))
    def department_reports(self, pick: int, update: str) -> None:
        numbers = sorted(state["number"] for code in STATIONS for state in self.server.case_states(code).values())
        if not numbers:
            return
        number = numbers[pick % len(numbers)]
        try:
            self.server.department_update(
                DEPARTMENT,
                StatusUpdate(case_number=number, update=update, note="绿化所处理", answer="已处理"),  # type: ignore[arg-type]
            )
        except DomainError:
            return  # not legal in the server's state: refused, nothing stored

    @rule(code=st.sampled_from(STATIONS))
    def hotline_dispatches(self, code: str) -> None:
        self.tickets += 1
        order = build_work_order(
            ticket=f"12345-20261123-{self.tickets:04d}",
            source=Channel.HOTLINE_12345,
            station_code=code,
            category_code="GREEN.DAMAGE",
            description="来电反映：小区绿化带下窨井盖被堵，雨后积水。",
            dispatched_at=self.clock(),
        )
        self.server.add_work_order(order)

    # --- the network --------------------------------------------------------------------------------------

    @rule(
        code=st.sampled_from(STATIONS),
        size=st.integers(1, 8),
        replay=st.integers(0, 3),
        shuffle=st.booleans(),
        lose_response=st.booleans(),
    )
    def push(self, code: str, size: int, replay: int, shuffle: bool, lose_response: bool) -> None:
        station = self.stations[code]
        unsent = station.unsent()[:size]
        sent_before = [e for e in station.events if e.station_seq <= station.acknowledged][-replay:] if replay else []
        batch = sent_before + unsent
        if not batch:
            return
        if shuffle:
            self.rng.shuffle(batch)
        response = self.server.push(code, PushRequest(events=batch))
        outcomes = {r.station_seq: r.outcome for r in response.results}
        for event in sent_before:
            assert outcomes[event.station_seq] == "duplicate"
        assert all(outcome != "rejected" for outcome in outcomes.values())
        if not lose_response:
            station.acknowledged = max(station.acknowledged, response.acknowledged_seq)

    @rule(code=st.sampled_from(STATIONS), limit=st.integers(1, 6), lose_response=st.booleans())
    def pull(self, code: str, limit: int, lose_response: bool) -> None:
        station = self.stations[code]
        page = self.server.pull(code, after=station.cursor, epoch=station.epoch, limit=limit)
        if lose_response:
            return
        before = station.cursor
        station.absorb(page)
        assert page.reset or station.cursor >= before
        self._adopt_server_states(station)

    @precondition(lambda self: self.tickets < 100)
    @rule(code=st.sampled_from(STATIONS))
    def centre_asks_for_a_full_pull(self, code: str) -> None:
        self.server.resync_station(code)

    # --- what must hold ------------------------------------------------------------------------------------

    @invariant()
    def server_never_holds_more_than_was_sent(self) -> None:
        for summary in self.server.stations():
            station = self.stations[summary.code]
            assert station.acknowledged <= summary.pushed_seq <= station.seq

    def _adopt_server_states(self, station: ModelStation) -> None:
        """The desk shows the server's state for cases with nothing unsent; its own for the rest."""
        pending = {e.case_id for e in station.unsent()}
        for case_id, state in station.server_states.items():
            if case_id not in pending:
                station.local_states[case_id] = state_from_json(state)

    def _final_sync_and_check(self) -> None:
        for code, station in self.stations.items():
            while station.unsent():
                response = self.server.push(code, PushRequest(events=station.unsent()[:50]))
                station.acknowledged = response.acknowledged_seq
            while True:
                page = self.server.pull(code, after=station.cursor, epoch=station.epoch, limit=50)
                station.absorb(page)
                if not page.has_more and not page.reset:
                    break
        held = self.server.events_held()
        ids = [event_id for event_id, _ in held]
        assert len(ids) == len(set(ids))
        hashes = dict(held)
        for code, station in self.stations.items():
            assert self.server.quarantined(code) == []
            for event in station.events:  # every station event exactly once, unchanged
                assert hashes[event.id] == event.content_hash
            scope = self.server.case_states(code)
            assert station.server_states == scope  # converged
            mine = {event.id for event in station.events}
            assert mine <= station.pulled_ids
            for case_id, state in scope.items():
                assert Status(state["status"])  # a valid status, decided by the server
                assert case_id in station.server_states


def run_machine(url: str, examples: int) -> None:
    SyncMachine.database_url = url
    test = SyncMachine.TestCase
    test.settings = settings(
        max_examples=examples,
        stateful_step_count=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    test().runTest()


@pytest.mark.slow
def test_stations_converge_on_sqlite() -> None:
    run_machine("", examples=60)


@pytest.mark.slow
@pytest.mark.postgres
def test_stations_converge_on_postgres() -> None:
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not available")
    run_machine(url, examples=15)
