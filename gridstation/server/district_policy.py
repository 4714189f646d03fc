"""The district's deadline policy at the server (issue 16): versions kept in `district_policies`, the newest in force.

Until the centre sets one, the district runs the built-in 51530 policy as version 0. The server's own deadline
work — the supervision pass, a department's default due time, the case board's colours — uses the version in
force; the stations fetch it with each sync (`GET /api/v1/policy`). A worker reads it again at most once a minute,
so a change made through another worker (or the command line) is in force everywhere within a minute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from gridstation.domain.sla import DeadlinePolicy, default_policy
from gridstation.server import eventlog
from gridstation.server.core import ServerCore
from gridstation.server.models import DistrictPolicyRow

REREAD_AFTER = timedelta(minutes=1)
BEFORE_ALL_CASES = datetime(2000, 1, 1, tzinfo=UTC)  # where the built-in policy's reign starts


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version: int  # 0: the built-in default, never set at the centre
    policy: DeadlinePolicy
    created_at: datetime | None = None
    created_by: str = ""


class DistrictPolicies(ServerCore):
    _policy_read: tuple[PolicyVersion, datetime] | None = None

    def district_policy(self) -> PolicyVersion:
        """The version in force (read again when more than a minute old)."""
        now = self.now()
        if self._policy_read is None or now - self._policy_read[1] > REREAD_AFTER or now < self._policy_read[1]:
            with self.reading() as session:
                rows = session.scalars(select(DistrictPolicyRow).order_by(DistrictPolicyRow.version)).all()
                found = PolicyVersion(0, default_policy()) if not rows else _with_versions(rows)
            self._remember(found, now)
        assert self._policy_read is not None
        return self._policy_read[0]

    def set_district_policy(self, policy: DeadlinePolicy, by: str) -> PolicyVersion:
        """A new version (checked as a document before it gets here); in force at once on this worker."""
        now = self.now()
        with self.writing() as session:
            latest = session.scalar(select(func.max(DistrictPolicyRow.version))) or 0
            row = DistrictPolicyRow(version=latest + 1, policy=policy.to_json(), created_at=now, created_by=by[:100])
            session.add(row)
            self._audit(session, by, "policy.set", version=row.version)
        self._policy_read = None  # read again, with the versions before it
        return self.district_policy()

    def policy_history(self) -> list[PolicyVersion]:
        with self.reading() as session:
            rows = session.scalars(select(DistrictPolicyRow).order_by(DistrictPolicyRow.version.desc())).all()
            return [_version(row) for row in rows]

    def _remember(self, found: PolicyVersion, now: datetime) -> None:
        self._policy_read = (found, now)
        eventlog.use_policy(found.policy)  # the board's colour columns, written as cases are projected


def _version(row: DistrictPolicyRow) -> PolicyVersion:
    return PolicyVersion(row.version, DeadlinePolicy.from_json(row.policy), row.created_at, row.created_by)


def _with_versions(rows: Sequence[DistrictPolicyRow]) -> PolicyVersion:
    """The newest version, carrying the ones before it (the built-in policy first): a deadline keeps the terms of
    the version in force when its stage started (`DeadlinePolicy.earlier`)."""
    history = [(BEFORE_ALL_CASES, default_policy())]
    history += [(row.created_at, DeadlinePolicy.from_json(row.policy)) for row in rows]
    newest = rows[-1]
    policy = history[-1][1].with_history(history)
    return PolicyVersion(newest.version, policy, newest.created_at, newest.created_by)
