"""Who may speak to the server: stations (registration, enrolment, revocation), departments and Open311 api_keys.

Secrets are handed out once and kept only as hashes (`credentials`); every request is identified by the
credential it carries, never by what its body says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from gridstation.domain.errors import DomainError
from gridstation.domain.events import new_id
from gridstation.domain.numbering import validate_station_code
from gridstation.protocol import EnrolResponse
from gridstation.server.core import ServerCore
from gridstation.server.credentials import (
    new_enrolment_code,
    new_token,
    normalise_enrolment_code,
    secret_hash,
)
from gridstation.server.errors import ServerError, not_found, unauthorised
from gridstation.server.models import ApiKeyRow, DepartmentRow, ServerStationRow
from gridstation.server.scope import record_past_dispatches

ENROLMENT_VALID_FOR = timedelta(days=7)
ENROL_RETRY_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class StationSummary:
    code: str
    name: str
    state: str  # "pending" (code issued, not enrolled), "enrolled", "revoked"
    pushed_seq: int
    feed_head: int
    epoch: int
    last_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str


class Accounts(ServerCore):
    # --- stations -----------------------------------------------------------------------------------------

    def add_station(self, code: str, name: str, *, new_code: bool = False) -> str:
        """Register a station (or issue a fresh enrolment code for it); returns the one-time code."""
        code = validate_station_code(code.strip().upper())
        name = " ".join(name.split())
        if not name and not new_code:
            raise DomainError("station.name", "请填写工作站名称。")
        enrolment = new_enrolment_code()
        now = self.now()
        with self.writing() as session:
            row = session.get(ServerStationRow, code)
            if row is None:
                if new_code:
                    raise not_found(f"工作站 {code}", "station.unknown")
                row = ServerStationRow(code=code, name=name, created_at=now, epoch=1, pushed_seq=0, feed_head=0)
                session.add(row)
            elif not new_code:
                raise DomainError("station.exists", f"工作站 {code} 已存在。如需新的登记码，请加 --new-code。")
            if row.revoked_at is not None:
                row.credential_hash = ""  # a reinstated station enrols afresh; the old credential never returns
            row.enrol_code_hash = secret_hash(normalise_enrolment_code(enrolment))
            row.enrol_expires_at = now + ENROLMENT_VALID_FOR
            row.revoked_at = None
            self._audit(session, "admin", "station.code_issued", station=code)
        return enrolment

    def stations(self) -> list[StationSummary]:
        with self.reading() as session:
            rows = session.scalars(select(ServerStationRow).order_by(ServerStationRow.code)).all()
        return [
            StationSummary(
                r.code,
                r.name,
                "revoked" if r.revoked_at else ("enrolled" if r.credential_hash else "pending"),
                r.pushed_seq,
                r.feed_head,
                r.epoch,
                r.last_seen_at,
            )
            for r in rows
        ]

    def revoke_station(self, code: str) -> None:
        with self.writing() as session:
            row = self._lock_station(session, code.strip().upper())
            # The credential's hash stays so the station is told "revoked" (403), not "unknown" (401).
            row.revoked_at = self.now()
            row.enrol_code_hash = ""
            self._audit(session, "admin", "station.revoked", station=row.code)

    def resync_station(self, code: str) -> int:
        """Tell the station to drop its cursor and pull everything again (after a server restore, say)."""
        with self.writing() as session:
            row = self._lock_station(session, code.strip().upper())
            row.epoch += 1
            self._audit(session, "admin", "station.epoch", station=row.code, epoch=row.epoch)
            return row.epoch

    def enrol(self, code_text: str, device_name: str = "", attempt_id: str | None = None) -> EnrolResponse:
        """Exchange a one-time code for a credential; only the credential's hash is kept.

        After a success the code is gone, but the same code with the same `attempt_id` works again for a few
        minutes (a retry whose first answer was lost); it gets a fresh credential and the lost one stops working.
        """
        code = normalise_enrolment_code(code_text)
        code_hash = secret_hash(code)
        retry_hash = secret_hash(f"retry:{code}:{attempt_id}") if attempt_id else None
        credential = new_token("gs1")
        with self.writing() as session:
            row = session.scalar(select(ServerStationRow).where(ServerStationRow.enrol_code_hash == code_hash))
            retried = False
            if row is None and retry_hash is not None:
                row = session.scalar(select(ServerStationRow).where(ServerStationRow.enrol_code_hash == retry_hash))
                retried = row is not None
            if row is None or row.revoked_at is not None:
                raise ServerError(401, "enrol.invalid_code", "登记码无效或已使用，请向街道管理员索取新的登记码。")
            if row.enrol_expires_at is None or row.enrol_expires_at < self.now():
                raise ServerError(401, "enrol.expired", "登记码已过期，请向街道管理员索取新的登记码。")
            row.enrol_code_hash = retry_hash or ""
            row.enrol_expires_at = self.now() + ENROL_RETRY_WINDOW if retry_hash else None
            row.credential_hash = secret_hash(credential)
            row.enrolled_at = self.now()
            action = "station.enrol_retried" if retried else "station.enrolled"
            self._audit(session, row.code, action, device=device_name[:100])
            return EnrolResponse(station_code=row.code, station_name=row.name, credential=credential, epoch=row.epoch)

    def authenticate_station(self, credential: str) -> str:
        """The station a credential belongs to; the request body never decides who is speaking."""
        if not credential.startswith("gs1_"):
            raise unauthorised()
        with self.reading() as session:
            row = session.scalar(
                select(ServerStationRow).where(ServerStationRow.credential_hash == secret_hash(credential))
            )
        if row is None:
            raise unauthorised()
        if row.revoked_at is not None:
            raise ServerError(403, "station.revoked", "该工作站已被停用，请联系街道管理员。")
        return row.code

    # --- departments and API keys -------------------------------------------------------------------------

    def add_department(self, code: str, name: str) -> str:
        code = code.strip().upper()
        if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
            raise DomainError("department.code", "部门代码须为 1–20 位字母或数字。")
        name = " ".join(name.split())
        if not name:
            raise DomainError("department.name", "请填写部门名称。")
        token = new_token("gsd")
        with self.writing() as session:
            if session.get(DepartmentRow, code) is not None:
                raise DomainError("department.exists", f"部门 {code} 已存在。")
            now = self.now()
            session.add(
                DepartmentRow(code=code, name=name, token_hash=secret_hash(token), created_at=now, issued_at=now)
            )
            # A station may have dispatched cases to it by name before the centre gave it a token.
            cases = record_past_dispatches(session, code, name)
            self._audit(session, "admin", "department.added", department=code, cases=cases)
        return token

    def authenticate_department(self, token: str) -> Department:
        with self.reading() as session:
            row = session.scalar(select(DepartmentRow).where(DepartmentRow.token_hash == secret_hash(token)))
        if row is None or not token.startswith("gsd_"):
            raise unauthorised("缺少或无效的部门令牌。")
        if row.revoked_at is not None:
            raise ServerError(403, "department.revoked", "该部门令牌已停用。")
        return Department(row.code, row.name)

    def add_api_key(self, name: str, station_code: str) -> str:
        key = new_token("o311")
        with self.writing() as session:
            self._lock_station(session, station_code.strip().upper())
            session.add(
                ApiKeyRow(
                    id=new_id(),
                    name=" ".join(name.split())[:100] or "Open311",
                    key_hash=secret_hash(key),
                    station_code=station_code.strip().upper(),
                    created_at=self.now(),
                    issued_at=self.now(),
                )
            )
            self._audit(session, "admin", "api_key.added", station=station_code, name=name)
        return key

    def api_key_station(self, key: str) -> str | None:
        with self.reading() as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == secret_hash(key)))
        if row is None or row.revoked_at is not None:
            return None
        return row.station_code
