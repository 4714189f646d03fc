"""Cases: registering them, recording each step, and reading them back one by one, as histories or as a list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from gridstation.domain.case import CaseState, Intake
from gridstation.domain.enums import EventType, Status
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.events import Event, new_id
from gridstation.domain.lifecycle import EventDraft, decide, decide_registration, legal_actions
from gridstation.domain.listing import CaseQuery, CaseSummary, Workload, workloads
from gridstation.domain.numbering import format_case_number
from gridstation.domain.roles import Permission, require
from gridstation.domain.sla import DeadlinePolicy
from gridstation.domain.validation import mask_phone
from gridstation.services.core import StationInfo
from gridstation.services.settings import StationSettings
from gridstation.services.staff import StaffMember
from gridstation.storage import case_search, case_store
from gridstation.storage.case_search import StationCalendar
from gridstation.storage.models import CaseRow, EventRow, StaffRow, StationRow

# The same search by the same person within this time is one search in the audit log (the desk re-runs its list's
# query on every refresh, the command line counts before it lists).
PHONE_SEARCH_AUDIT_INTERVAL = timedelta(minutes=10)
# Characters a stored phone number can hold (digits, and an extension: 转, ext, x, #).
_PHONE_CHARACTERS = frozenset("0123456789转#extEXT")
# The newest clock stamp issued, kept with the station (one row) in every write that stamps events.
_STATION_CLOCK = update(StationRow).values(hlc_last=bindparam("hlc_last"))


def _unknown_case() -> DomainError:
    return DomainError("case.unknown", "找不到该诉求。")


def phone_terms(text: str) -> list[str]:
    """The words of a case search that can match a resident's phone number.

    The full-text index holds phone numbers and matches any word of three or more characters as a substring, so
    a word of phone characters with three or more digits ("13800134537", "4537") finds whose number it is.
    """
    return [word for word in text.split() if set(word) <= _PHONE_CHARACTERS and sum(c.isdigit() for c in word) >= 3]


@dataclass(frozen=True, slots=True)
class RevealedPhone:
    """A resident's full phone number, shown after the unmasking was recorded in the case's log."""

    phone: str
    state: CaseState  # the case after the recording (its version moved on)


class CaseCommands(StationSettings):
    """Needs the settings: every stored step re-plans the case's deadline, and the list filters by colour."""

    def register_case(self, actor: StaffMember, intake: Intake) -> CaseState:
        """Number the case and store its first events in one transaction."""
        require(actor.role, Permission.REGISTER_CASE)
        station = self._require_station()
        policy = self.deadline_policy()
        now = self._now()
        day = self.local_date(now)
        day_key = f"{day:%Y%m%d}"
        case_id = new_id()
        with self._write() as session:
            if intake.owner and intake.owner != actor.name:
                self._check_new_owner(session, intake.owner)
            sequence = case_store.next_daily_sequence(session, day_key)
            number = format_case_number(station.code, day, sequence)
            drafts = decide_registration(case_id, number, intake)
            state, event_seq = self._append(session, actor, station, drafts, now, policy, new_case=True)
        self._remember_issued(event_seq, day_key, sequence)
        return state

    def record(
        self,
        actor: StaffMember,
        case_id: str,
        event_type: EventType,
        payload: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> CaseState:
        """Record a lifecycle step, a tier change, a correction, a follow-up or a note."""
        permission = {
            EventType.TIER_CHANGED: Permission.CHANGE_TIER,
            EventType.INTAKE_CORRECTED: Permission.CORRECT_INTAKE,
            EventType.CONFERENCE_FLAGGED: Permission.FLAG_CONFERENCE,
            EventType.PHONE_UNMASKED: Permission.SEE_FULL_PHONE,
            # 追加诉求: a visit taken at the desk, added to the open case it repeats instead of a new one.
            EventType.SUPPLEMENTED: Permission.REGISTER_CASE,
        }.get(event_type, Permission.RECORD_PROGRESS)
        require(actor.role, permission)
        station = self._require_station()
        policy = self.deadline_policy()
        now = self._now()
        with self._write() as session:
            state = case_store.load_state(session, case_id)
            if state is None:
                raise _unknown_case()
            if expected_version is not None and state.version != expected_version:
                raise DomainError("case.stale", f"诉求 {state.number} 刚被他人更新，请刷新后再操作。")
            draft = decide(state, event_type, payload)
            if event_type is EventType.OWNER_CHANGED:
                self._check_new_owner(session, draft.payload["to"])
            if "visited_on" in draft.payload:
                self._check_visit_date(state, date.fromisoformat(draft.payload["visited_on"]), now)
            state, event_seq = self._append(session, actor, station, [draft], now, policy)
        self._remember_issued(event_seq)
        return state

    def reveal_phone(self, actor: StaffMember, case_id: str, reason: str) -> RevealedPhone:
        """A resident's full phone number, for someone allowed to see it who says why, each time.

        The unmasking is an event in the case's log (who, when, why), synced to the centre like every event; the
        number is returned only after that event is stored.
        """
        require(actor.role, Permission.SEE_FULL_PHONE)
        state = self.record(actor, case_id, EventType.PHONE_UNMASKED, {"reason": reason})
        return RevealedPhone(state.phone, state)

    @staticmethod
    def _check_new_owner(session: Session, name: str) -> None:
        """A case is handed to someone who works here now: an active member of the station's staff."""
        if session.scalar(select(StaffRow.id).where(StaffRow.name == name, StaffRow.active)) is None:
            raise ValidationError("to", "owner.unknown", f"「{name}」不是本站在岗的工作人员，不能移交给他（她）。")

    def _check_visit_date(self, state: CaseState, visited_on: date, now: datetime) -> None:
        """A paper form's date lies between the day the case closed and today, on the station's calendar."""
        if visited_on > self.local_date(now):
            raise ValidationError("visited_on", "follow_up.date_future", "回访日期不能晚于今天。")
        if state.closed_at is not None and visited_on < self.local_date(state.closed_at):
            raise ValidationError("visited_on", "follow_up.date_early", "回访日期不能早于办结日期。")

    def _append(
        self,
        session: Session,
        actor: StaffMember,
        station: StationInfo,
        drafts: Sequence[EventDraft],
        now: datetime,
        policy: DeadlinePolicy,
        *,
        new_case: bool = False,
    ) -> tuple[CaseState, int]:
        """Stamp and store the drafts; returns the new state and the last event's station sequence."""
        self._require_current(session, actor)
        events = [self._stamp(draft, actor, station, now) for draft in drafts]
        state, event_seq = case_store.append_events(session, events, policy, new_case=new_case)
        self._index_words(session)
        session.connection().execute(_STATION_CLOCK, {"hlc_last": self._clock.last.encode()})
        return state, event_seq

    def _stamp(self, draft: EventDraft, actor: StaffMember, station: StationInfo, at: datetime) -> Event:
        """A decided event as this station records it: its id, who, where, when, and the next clock stamp."""
        return Event(
            id=new_id(),
            case_id=draft.case_id,
            type=draft.type,
            payload=draft.payload,
            actor_id=actor.id,
            actor_name=actor.name,
            station_code=station.code,
            occurred_at=at,
            hlc=self._clock.now().encode(),
        )

    # ------------------------------------------------------------------ reading one case or its history

    def case(self, case_id: str) -> CaseState:
        with self._read() as session:
            state = case_store.load_state(session, case_id)
        if state is None:
            raise _unknown_case()
        return state

    def case_by_number(self, number: str) -> CaseState:
        with self._read() as session:
            case_id = session.scalar(select(CaseRow.id).where(CaseRow.number == number.strip().upper()))
        if case_id is None:
            raise DomainError("case.unknown", f"找不到编号为 {number} 的诉求。")
        return self.case(case_id)

    def legal_actions(self, case_id: str) -> list[EventType]:
        return legal_actions(self.case(case_id))

    def timeline(self, case_id: str) -> list[Event]:
        with self._read() as session:
            return case_store.load_events(session, case_id)

    def all_events(self) -> list[Event]:
        with self._read() as session:
            rows = session.scalars(select(EventRow).order_by(case_store.STORED_ORDER))
            return [case_store.event_from_row(r) for r in rows]

    def histories_since(self, start: datetime) -> dict[str, list[Event]]:
        """Whole event logs of every open case and every case touched since `start` (for reports)."""
        open_statuses = [str(s) for s in Status if s not in (Status.CLOSED, Status.FOLLOWED_UP)]
        wanted = select(CaseRow.id).where(or_(CaseRow.status.in_(open_statuses), CaseRow.updated_at >= start))
        histories: dict[str, list[Event]] = {}
        with self._read() as session:
            rows = session.scalars(
                select(EventRow)
                .where(
                    EventRow.case_id.in_(wanted),
                    # What the centre refused or decided otherwise is kept in the log but is not part of the case.
                    EventRow.sync_outcome.not_in(("rejected", "conflict")),
                )
                .order_by(case_store.STORED_ORDER)
            )
            for row in rows:
                histories.setdefault(row.case_id, []).append(case_store.event_from_row(row))
        return histories

    # ------------------------------------------------------------------ the case list

    def search(self, query: CaseQuery, *, actor: StaffMember | None = None) -> list[CaseSummary]:
        """One page of matching cases, in the query's order. Searching by phone number needs `actor`.

        The ids and their rows in one read: a session costs about as much as the page's query (issue 18)."""
        query, calendar = self._prepared(query, actor)
        with self._read() as session:
            ids = case_search.case_ids(session, query, calendar, limit=query.limit, offset=query.offset)
            return case_search.summaries(session, ids)

    def workloads(self) -> list[Workload]:
        """Each owner's open cases by colour, most overdue first (the station head's 工作量 view)."""
        with self._read() as session:
            rows = case_search.open_deadlines_by_owner(session)
        return workloads(rows, self.colour_scheme(), self._now())

    def case_ids(
        self, query: CaseQuery, *, limit: int | None = None, offset: int = 0, actor: StaffMember | None = None
    ) -> list[str]:
        """Ids of every matching case in order: cheap enough for 200 000 rows, so a list can show exact counts.

        Searching by phone number needs `actor` (signed in), and is audited.
        """
        query, calendar = self._prepared(query, actor)
        with self._read() as session:
            return case_search.case_ids(session, query, calendar, limit=limit, offset=offset)

    def summaries(self, case_ids: Sequence[str]) -> list[CaseSummary]:
        """List rows for the given ids, in the same order; ids no longer present are skipped."""
        with self._read() as session:
            return case_search.summaries(session, case_ids)

    def count(self, query: CaseQuery, *, actor: StaffMember | None = None) -> int:
        query, calendar = self._prepared(query, actor)
        with self._read() as session:
            return case_search.count(session, query, calendar)

    def _prepared(self, query: CaseQuery, actor: StaffMember | None) -> tuple[CaseQuery, StationCalendar]:
        """A list query as it runs: a search by phone number audited, the words' meanings added, and the calendar
        its colours are judged by."""
        self._audit_phone_search(query, actor)
        return self._with_meanings(query), self._calendar(query)

    def _with_meanings(self, query: CaseQuery) -> CaseQuery:
        """The query with its words' meanings (services/similar.py fills them; here, none)."""
        return query

    def _index_words(self, session: Session) -> None:
        """Index the words of the cases just written (services/similar.py does; here, nothing)."""

    def _calendar(self, query: CaseQuery) -> StationCalendar:
        """Colours are judged at the moment the query names, if any (a fixed clock for measurements), else now."""
        return StationCalendar(query.now or self._now(), self.colour_scheme(), self.start_of_day)

    def _audit_phone_search(self, query: CaseQuery, actor: StaffMember | None) -> None:
        """Searching by phone number tells whose number it is: only signed-in staff may, and the audit log says who
        searched which (masked) number when."""
        self._audit_phone_lookup(actor, phone_terms(query.text), "cases.phone_search")

    def _audit_phone_lookup(self, actor: StaffMember | None, terms: Sequence[str], action: str) -> None:
        """A lookup by these phone numbers (a list search, similar cases at intake): signed-in staff only, audited
        once per number and person within PHONE_SEARCH_AUDIT_INTERVAL (a list's refresh is not a new search)."""
        if not terms:
            return
        if actor is None:
            raise DomainError(
                "search.sign_in_required", "按电话号码查找诉求须先登录（命令行请用 --user 和 --pin 指定操作人）。"
            )
        key = (actor.id, tuple(terms))
        now = self._now()
        last = self._phone_searches.get(key)
        if last is not None and last <= now < last + PHONE_SEARCH_AUDIT_INTERVAL:
            return
        with self._write() as session:
            self._audit(session, actor, action, phone=[mask_phone(term) for term in terms])
        self._phone_searches[key] = now

    def _forget_cached_data(self) -> None:
        super()._forget_cached_data()
        # Who searched for which number lately (not to audit a list's refresh as a new search).
        self._phone_searches: dict[tuple[str, tuple[str, ...]], datetime] = {}
