"""The morning-meeting daily report (晨会日报) and the station's KPIs, computed from case event logs.

Everything here is a pure function of events, the deadline policy, the colour scheme and the report time, so a
report for a past morning is reproducible: events after the report time are ignored. Definitions are in
docs/report.md; each is covered by a test with hand-computed figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gridstation.domain.case import CaseState, apply
from gridstation.domain.clock import HlcStamp
from gridstation.domain.enums import EventType, Resolution, Satisfaction, Tier
from gridstation.domain.events import Event
from gridstation.domain.ledger_mark import is_imported
from gridstation.domain.sla import Colour, ColourScheme, Deadline, DeadlinePolicy, Stage

SATISFIED_ANSWERS = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


@dataclass(frozen=True, slots=True)
class Rate:
    """A share with its counts, so a report can print "12/15" beside "80.0%" and never divide by zero."""

    met: int
    total: int

    @property
    def value(self) -> float | None:
        return self.met / self.total if self.total else None

    def percent(self) -> str:
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True, slots=True)
class Kpis:
    first_contact: Rate  # 先联率: first contact within the response deadline
    resolution: Rate  # 解决率: the latest visit says the problem is solved
    satisfaction: Rate  # 满意率: the latest visit says 满意 or 基本满意
    on_time: Rate  # 按时率: stage deadlines met
    reopened: Rate = Rate(0, 0)  # 重办率: of the cases closed in the window, those an unsatisfied visit reopened
    not_visited: int = 0  # 未回访: closed in the window, no visit recorded since (not in 解决率 and 满意率)
    unreachable: int = 0  # 联系不上: visits tried in the window without reaching the resident


KPI_LABELS: dict[str, str] = {
    "first_contact": "先联率",
    "resolution": "解决率",
    "satisfaction": "满意率",
    "on_time": "按时率",
    "reopened": "重办率",
}


@dataclass(frozen=True, slots=True)
class DeadlineOutcome:
    """One stage deadline of a case and what became of it by the end of the events seen."""

    stage: Stage
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None  # None: still running

    @property
    def met(self) -> bool:
        return self.ended_at is not None and self.ended_at <= self.due_at

    def decided_at(self, end: datetime) -> datetime | None:
        """When it counts in 按时率: the earlier of its end and its due time (a late step is counted once, when it
        came due, not again when it ended); None while it runs and is not yet due at `end`."""
        if self.ended_at is not None:
            return min(self.ended_at, self.due_at)
        return self.due_at if self.due_at < end else None


@dataclass(frozen=True, slots=True)
class OverdueCase:
    case: CaseState
    stage: Stage
    due_at: datetime
    late_by: timedelta
    # Of `late_by`, the time a work order had spent before it reached the system (dispatched, or backdated, earlier
    # than the centre entered it): lateness the station could not have prevented.
    before_received: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class MorningReport:
    report_at: datetime
    since: datetime  # start of the "new cases" window (the previous morning)
    period_days: int
    new_cases: tuple[CaseState, ...]
    open_by_colour: Mapping[Colour, Mapping[Tier, int]]
    overdue: tuple[OverdueCase, ...]  # latest first
    conference: tuple[CaseState, ...]
    kpis_day: Kpis  # over [since, report_at)
    kpis_period: Kpis  # over the `period_days` days before report_at
    open_total: int = field(default=0)
    # 一件事 → 一类事 (issue 17): residents who came back about an open case (追加诉求) in the window.
    supplements: int = field(default=0)

    @property
    def repeats(self) -> int:
        """New cases that repeat a case closed at the same address (复发)."""
        return sum(1 for state in self.new_cases if state.repeat_of)


def history_until(events: Iterable[Event], end: datetime) -> list[Event]:
    """The events that had happened before `end`, in log order."""
    return [e for e in events if e.occurred_at < end]


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """One case as it stood at the end of a window: its events, its state and its deadlines, folded once."""

    history: list[Event]
    state: CaseState
    outcomes: list[DeadlineOutcome]

    @property
    def imported(self) -> bool:
        """Brought in from a historic ledger: its steps before the import are undated (recorded at a time the
        ledger gives), so its deadlines until then stay out of the deadline figures (先联率, 按时率; docs/report.md)."""
        return is_imported(self.history[0])

    def timed_outcomes(self) -> list[DeadlineOutcome]:
        """The deadlines that measure work: an imported case's only from the moment it was imported (its
        registration's clock stamp), when the desk took it over; every deadline of any other case."""
        if not self.imported:
            return self.outcomes
        imported_at = _received_at(self.history[0])
        return [o for o in self.outcomes if o.started_at >= imported_at]


def _fold(events: Sequence[Event], policy: DeadlinePolicy) -> tuple[CaseState | None, list[DeadlineOutcome]]:
    """The final state and every deadline the case ran under: each stage's, which ends when the case leaves the
    stage, and a work order's own due time, which ends when the case is first disposed (or closed)."""
    outcomes: list[DeadlineOutcome] = []
    state: CaseState | None = None
    running: Deadline | None = None
    ticket: Deadline | None = None
    for event in events:
        state = apply(state, event)
        following = state.stage_deadline(policy)
        if running is not None and (
            following is None or (following.stage, following.started_at) != (running.stage, running.started_at)
        ):
            # A deadline keeps the terms it started under (`CaseState.stage_deadline`): only leaving its stage ends
            # it, never a tier change or a correction.
            outcomes.append(DeadlineOutcome(running.stage, running.started_at, running.due_at, event.occurred_at))
        running = following
        if ticket is None:
            ticket = state.work_order_deadline()
        elif state.work_order_deadline() is None:
            outcomes.append(DeadlineOutcome(ticket.stage, ticket.started_at, ticket.due_at, event.occurred_at))
            ticket = None
    for still in (running, ticket):
        if still is not None:
            outcomes.append(DeadlineOutcome(still.stage, still.started_at, still.due_at, None))
    return state, outcomes


def _received_at(registration: Event) -> datetime:
    """When the case entered the system: its registration's clock stamp (a work order's `occurred_at` is its
    dispatch time, which may be earlier); never earlier than `occurred_at`."""
    stamped = datetime.fromtimestamp(HlcStamp.decode(registration.hlc).wall_ms / 1000, tz=UTC)
    return max(stamped, registration.occurred_at)


def deadline_outcomes(events: Sequence[Event], policy: DeadlinePolicy) -> list[DeadlineOutcome]:
    """Every stage deadline the case ran under, in order."""
    return _fold(events, policy)[1]


def case_facts(histories: Iterable[Sequence[Event]], policy: DeadlinePolicy, end: datetime) -> list[CaseFacts]:
    facts: list[CaseFacts] = []
    for full_history in histories:
        history = history_until(full_history, end)
        state, outcomes = _fold(history, policy)
        if state is not None:
            facts.append(CaseFacts(history, state, outcomes))
    return facts


def compute_kpis(histories: Iterable[Sequence[Event]], policy: DeadlinePolicy, start: datetime, end: datetime) -> Kpis:
    """The four KPIs over [start, end). `histories` are whole case logs; later events are ignored."""
    return kpis_of(case_facts(histories, policy, end), start, end)


def kpis_of(cases: Iterable[CaseFacts], start: datetime, end: datetime) -> Kpis:
    """The KPIs over [start, end) of cases folded up to `end`."""
    contact_met = contact_total = 0
    resolved = satisfied = visited = 0
    closed = reopened = not_visited = unreachable = 0
    on_time_met = on_time_total = 0
    for case in cases:
        outcomes = case.timed_outcomes()
        if start <= case.history[0].occurred_at and case.state.has_resident:
            # The first response deadline decides 先联; one still running and not yet due is not decided yet. A
            # grid patrol's find with nobody to call back has no 先联 to count.
            first_response = next((o for o in outcomes if o.stage is Stage.RESPOND), None)
            if first_response is not None and (first_response.ended_at is not None or first_response.due_at < end):
                contact_total += 1
                contact_met += first_response.met
        for outcome in outcomes:
            decided_at = outcome.decided_at(end)
            if decided_at is not None and start <= decided_at < end:
                on_time_total += 1
                on_time_met += outcome.met
        visits = [e for e in case.history if e.type is EventType.FOLLOW_UP and start <= e.occurred_at]
        if visits:
            latest = visits[-1].payload
            visited += 1
            resolved += Resolution(latest["resolution"]) is Resolution.RESOLVED
            satisfied += Satisfaction(latest["satisfaction"]) in SATISFIED_ANSWERS
        unreachable += sum(1 for e in case.history if e.type is EventType.VISIT_UNREACHABLE and start <= e.occurred_at)
        closes = [e for e in case.history if e.type is EventType.CLOSED and start <= e.occurred_at]
        if closes:
            closed += 1
            after = [
                e for e in case.history if e.type is EventType.FOLLOW_UP and e.occurred_at >= closes[0].occurred_at
            ]
            reopened += any(Satisfaction(e.payload["satisfaction"]) is Satisfaction.UNSATISFIED for e in after)
            last_close = closes[-1].occurred_at
            not_visited += not any(e.occurred_at >= last_close for e in after)
    return Kpis(
        first_contact=Rate(contact_met, contact_total),
        resolution=Rate(resolved, visited),
        satisfaction=Rate(satisfied, visited),
        on_time=Rate(on_time_met, on_time_total),
        reopened=Rate(reopened, closed),
        not_visited=not_visited,
        unreachable=unreachable,
    )


def build_morning_report(
    histories: Mapping[str, Sequence[Event]],
    policy: DeadlinePolicy,
    scheme: ColourScheme,
    report_at: datetime,
    *,
    since: datetime | None = None,
    period_days: int = 30,
) -> MorningReport:
    """The report as read at `report_at`; new cases and the day's KPIs cover [since, report_at)."""
    since = since if since is not None else report_at - timedelta(days=1)
    period_start = report_at - timedelta(days=period_days)
    new_cases: list[CaseState] = []
    open_by_colour: dict[Colour, dict[Tier, int]] = {colour: dict.fromkeys(Tier, 0) for colour in Colour}
    overdue: list[OverdueCase] = []
    conference: list[CaseState] = []
    open_total = supplements = 0
    cases = case_facts(histories.values(), policy, report_at)
    for case in cases:
        state = case.state
        supplements += sum(
            1 for e in case.history if e.type is EventType.SUPPLEMENTED and since <= e.occurred_at < report_at
        )
        if since <= state.registered_at:
            new_cases.append(state)
        if state.conference_flagged:
            conference.append(state)
        if not state.is_open:
            continue
        open_total += 1
        deadline = state.running_deadline(policy)
        if deadline is None:
            open_by_colour[Colour.NONE][state.tier] += 1
            continue
        open_by_colour[scheme.colour_for(deadline.started_at, deadline.due_at, report_at)][state.tier] += 1
        if deadline.due_at < report_at:
            late_by = report_at - deadline.due_at
            before = min(late_by, max(timedelta(0), _received_at(case.history[0]) - deadline.due_at))
            overdue.append(OverdueCase(state, deadline.stage, deadline.due_at, late_by, before))
    return MorningReport(
        report_at=report_at,
        since=since,
        period_days=period_days,
        new_cases=tuple(sorted(new_cases, key=lambda s: (s.registered_at, s.number))),
        open_by_colour=open_by_colour,
        overdue=tuple(sorted(overdue, key=lambda o: (-o.late_by, o.case.number))),
        conference=tuple(sorted(conference, key=lambda s: (s.registered_at, s.number))),
        kpis_day=kpis_of(cases, since, report_at),
        kpis_period=kpis_of(cases, period_start, report_at),
        open_total=open_total,
        supplements=supplements,
    )
