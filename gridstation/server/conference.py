"""难题会诊's agenda: every open case flagged for the weekly conference, across stations, with its latest decision.

A case goes on it when a person flags it (列入难题会诊 at a desk) or when the supervision pass does (late twice, a
跟踪督办 case late at all), and stays until it is finished; a decision whose due time has passed is marked. Only
those who see every case (the centre, administrators) read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, cast, select

from gridstation.domain.case import FINISHED, CaseState
from gridstation.domain.codec import state_from_json
from gridstation.domain.console_roles import SEES_ALL_CASES
from gridstation.domain.sla import DeadlinePolicy
from gridstation.server.case_reads import CaseReads
from gridstation.server.district_policy import DistrictPolicies
from gridstation.server.errors import not_found
from gridstation.server.models import ServerCaseRow
from gridstation.server.visibility import Principal

# How the flag reads in a stored state (JsonText writes compact JSON): a first cut in SQL, checked in Python.
_FLAGGED = '%"conference_flagged":true%'


@dataclass(frozen=True, slots=True)
class AgendaItem:
    state: CaseState
    overdue: bool  # its running deadline has passed
    decision_late: bool  # the conference's decision is past its due time


class ConferenceReads(CaseReads, DistrictPolicies):
    def conference_agenda(self, principal: Principal) -> list[AgendaItem]:
        """The open cases on the agenda, oldest first; 404 for anyone who does not see every case."""
        if principal.role not in SEES_ALL_CASES:
            raise not_found("该页面", "page.unknown")
        now = self.now()
        policy = self.district_policy().policy
        with self.reading() as session:
            rows = session.scalars(
                select(ServerCaseRow.state)
                .where(
                    ServerCaseRow.status.not_in([str(s) for s in FINISHED]),
                    cast(ServerCaseRow.state, Text).like(_FLAGGED),
                )
                .order_by(ServerCaseRow.registered_at, ServerCaseRow.number)
            ).all()
        items = []
        for raw in rows:
            state = state_from_json(raw)
            if state.conference_flagged:
                items.append(AgendaItem(state, _late(state, policy, now), _decision_late(state, now)))
        return items


def _late(state: CaseState, policy: DeadlinePolicy, now: datetime) -> bool:
    deadline = state.running_deadline(policy)
    return deadline is not None and now > deadline.due_at


def _decision_late(state: CaseState, now: datetime) -> bool:
    return state.conference_due_at is not None and now > state.conference_due_at
