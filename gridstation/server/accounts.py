"""Who may speak to the server: stations (registration, enrolment, revocation), departments and Open311 api_keys.

Secrets are handed out once and kept only as hashes (`credentials`); every request is identified by the
credential it carries, never by what its body says, and named to the access log (`access`). Department tokens and
api_keys can be revoked, rotated and given an expiry; their last use is kept to the minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from gridstation.domain.errors import DomainError
from gridstation.domain.events import new_id
from gridstation.domain.numbering import validate_station_code
from gridstation.protocol import EnrolResponse
from gridstation.server.access import authenticating, identified
from gridstation.server.core import ServerCore
from gridstation.server.credentials import (
    LAST_USE_RESOLUTION,
    CredentialState,
    credential_state,
    last_use_due,
    new_enrolment_code,
    new_token,
    normalise_enrolment_code,
    secret_hash,
    validity,
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


@dataclass(frozen=True, slots=True)
class DepartmentSummary:
    code: str
    name: str
    state: CredentialState
    created_at: datetime
    issued_at: datetime  # of the current token
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApiKeySummary:
    id: str
    name: str
    station_code: str
    state: CredentialState
    created_at: datetime
    issued_at: datetime  # of the current key
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    """A rotated token or key: shown once, never stored."""

    secret: str
    expires_at: datetime | None


CredentialRow = DepartmentRow | ApiKeyRow


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
        authenticating()
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
            identified(f"station:{row.code}")
            return EnrolResponse(station_code=row.code, station_name=row.name, credential=credential, epoch=row.epoch)

    def authenticate_station(self, credential: str) -> str:
        """The station a credential belongs to; the request body never decides who is speaking."""
        authenticating()
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
        identified(f"station:{row.code}")
        return row.code

    # --- departments ---------------------------------------------------------------------------------------

    def add_department(self, code: str, name: str, *, expires_in_days: int | None = None) -> str:
        """Register a department; returns its token (shown once). Cases already dispatched to it join its scope."""
        code = code.strip().upper()
        if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
            raise DomainError("department.code", "部门代码须为 1–20 位字母或数字。")
        name = " ".join(name.split())
        if not name:
            raise DomainError("department.name", "请填写部门名称。")
        lifetime = validity(expires_in_days)
        token = new_token("gsd")
        now = self.now()
        with self.writing() as session:
            if session.get(DepartmentRow, code) is not None:
                raise DomainError(
                    "department.exists", f"部门 {code} 已存在。如需新的令牌，请用 department rotate {code}。"
                )
            session.add(
                DepartmentRow(
                    code=code,
                    name=name,
                    token_hash=secret_hash(token),
                    created_at=now,
                    issued_at=now,
                    expires_at=now + lifetime if lifetime else None,
                )
            )
            # A station may have dispatched cases to it by name before the centre gave it a token.
            cases = record_past_dispatches(session, code, name)
            self._audit(
                session, "admin", "department.added", department=code, expires_at=_iso(now, lifetime), cases=cases
            )
        return token

    def departments(self) -> list[DepartmentSummary]:
        now = self.now()
        with self.reading() as session:
            rows = session.scalars(select(DepartmentRow).order_by(DepartmentRow.code)).all()
        return [
            DepartmentSummary(
                r.code,
                r.name,
                credential_state(r.revoked_at, r.expires_at, now),
                r.created_at,
                r.issued_at,
                r.expires_at,
                r.last_used_at,
                r.revoked_at,
            )
            for r in rows
        ]

    def revoke_department(self, code: str) -> None:
        """The department's token stops working at once (the department and its cases stay)."""
        with self.writing() as session:
            row = self._department(session, code)
            row.revoked_at = row.revoked_at or self.now()
            self._audit(session, "admin", "department.revoked", department=row.code)

    def rotate_department(self, code: str, *, expires_in_days: int | None = None) -> IssuedSecret:
        """A new token for the department, shown once; the old one stops working at once. A revoked department is
        reinstated. Without `expires_in_days` the new token lives as long as the old one was issued for."""
        token = new_token("gsd")
        with self.writing() as session:
            row = self._department(session, code)
            self._reissue(row, expires_in_days)
            row.token_hash = secret_hash(token)
            self._audit(session, "admin", "department.rotated", department=row.code, expires_at=_iso_of(row))
            return IssuedSecret(token, row.expires_at)

    def authenticate_department(self, token: str) -> Department:
        authenticating()
        now = self.now()
        with self.reading() as session:
            row = session.scalar(select(DepartmentRow).where(DepartmentRow.token_hash == secret_hash(token)))
        # A revoked token is answered like an unknown one: nothing to learn from trying old tokens.
        if row is None or not token.startswith("gsd_") or row.revoked_at is not None:
            raise unauthorised("缺少或无效的部门令牌。")
        if credential_state(None, row.expires_at, now) == "expired":
            raise ServerError(401, "auth.expired", "部门令牌已过期，请向城运中心管理员申请新的令牌。")
        self._note_use(DepartmentRow, DepartmentRow.code == row.code, row.last_used_at, now)
        identified(f"dept:{row.code}")
        return Department(row.code, row.name)

    def _department(self, session: Session, code: str) -> DepartmentRow:
        row = session.get(DepartmentRow, code.strip().upper(), with_for_update=True)
        if row is None:
            raise not_found(f"部门 {code.strip().upper()}", "department.unknown")
        return row

    # --- Open311 api_keys -----------------------------------------------------------------------------------

    def add_api_key(self, name: str, station_code: str, *, expires_in_days: int | None = None) -> str:
        """An api_key whose Open311 requests go to the station; returns the key (shown once)."""
        name = " ".join(name.split())[:100] or "Open311"
        station_code = station_code.strip().upper()
        lifetime = validity(expires_in_days)
        key = new_token("o311")
        now = self.now()
        with self.writing() as session:
            self._lock_station(session, station_code)
            if session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.name == name).limit(1)) is not None:
                raise DomainError(
                    "api_key.exists", f"已有名为「{name}」的 api_key。如需新的 key，请用 apikey rotate {name}。"
                )
            session.add(
                ApiKeyRow(
                    id=new_id(),
                    name=name,
                    key_hash=secret_hash(key),
                    station_code=station_code,
                    created_at=now,
                    issued_at=now,
                    expires_at=now + lifetime if lifetime else None,
                )
            )
            self._audit(
                session, "admin", "api_key.added", station=station_code, name=name, expires_at=_iso(now, lifetime)
            )
        return key

    def api_keys(self) -> list[ApiKeySummary]:
        now = self.now()
        with self.reading() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.name, ApiKeyRow.created_at)).all()
        return [
            ApiKeySummary(
                r.id,
                r.name,
                r.station_code,
                credential_state(r.revoked_at, r.expires_at, now),
                r.created_at,
                r.issued_at,
                r.expires_at,
                r.last_used_at,
                r.revoked_at,
            )
            for r in rows
        ]

    def revoke_api_key(self, name_or_id: str) -> None:
        with self.writing() as session:
            row = self._api_key(session, name_or_id)
            row.revoked_at = row.revoked_at or self.now()
            self._audit(session, "admin", "api_key.revoked", name=row.name, id=row.id)

    def rotate_api_key(self, name_or_id: str, *, expires_in_days: int | None = None) -> IssuedSecret:
        """A new key under the same name, shown once; the old one stops working at once (as `rotate_department`)."""
        key = new_token("o311")
        with self.writing() as session:
            row = self._api_key(session, name_or_id)
            self._reissue(row, expires_in_days)
            row.key_hash = secret_hash(key)
            self._audit(session, "admin", "api_key.rotated", name=row.name, id=row.id, expires_at=_iso_of(row))
            return IssuedSecret(key, row.expires_at)

    def api_key_station(self, key: str) -> str | None:
        """The station an Open311 api_key posts to; None for an unknown, revoked or expired key."""
        authenticating()
        now = self.now()
        with self.reading() as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == secret_hash(key)))
        if row is None or credential_state(row.revoked_at, row.expires_at, now) != "active":
            return None
        self._note_use(ApiKeyRow, ApiKeyRow.id == row.id, row.last_used_at, now)
        identified(f"apikey:{row.name}")
        return row.station_code

    def _api_key(self, session: Session, name_or_id: str) -> ApiKeyRow:
        """The key named so (names are unique since issue 13; an older duplicate is chosen by its id)."""
        wanted = " ".join(name_or_id.split())
        rows = session.scalars(select(ApiKeyRow).where(ApiKeyRow.name == wanted).with_for_update()).all()
        if not rows:
            rows = session.scalars(select(ApiKeyRow).where(ApiKeyRow.id == wanted).with_for_update()).all()
        if not rows:
            message = f"找不到 api_key「{wanted}」。用 apikey list 查看已有的 api_key。"
            raise ServerError(404, "api_key.unknown", message)
        if len(rows) > 1:
            ids = "、".join(r.id for r in rows)
            raise DomainError("api_key.ambiguous", f"有 {len(rows)} 个名为「{wanted}」的 api_key，请改用编号：{ids}")
        return rows[0]

    # --- what departments and api_keys share ----------------------------------------------------------------

    def _reissue(self, row: CredentialRow, expires_in_days: int | None) -> None:
        """Make a credential row ready for a freshly issued secret: reinstated, unused, valid from now."""
        now = self.now()
        lifetime = validity(expires_in_days)
        if lifetime is None and row.expires_at is not None:
            lifetime = row.expires_at - row.issued_at
        row.issued_at = now
        row.expires_at = now + lifetime if lifetime else None
        row.revoked_at = None
        row.last_used_at = None

    def _note_use(
        self, row_type: type[CredentialRow], which: ColumnElement[bool], last_used_at: datetime | None, now: datetime
    ) -> None:
        """Record a credential's use, at most once a minute: most uses only read. The condition is in the UPDATE as
        well, so that server processes sharing the database write it once between them too."""
        if not last_use_due(last_used_at, now):
            return
        stale = or_(row_type.last_used_at.is_(None), row_type.last_used_at <= now - LAST_USE_RESOLUTION)
        with self.writing() as session:
            session.execute(update(row_type).where(which, stale).values(last_used_at=now))


def _iso(now: datetime, lifetime: timedelta | None) -> str | None:
    return (now + lifetime).isoformat() if lifetime else None


def _iso_of(row: CredentialRow) -> str | None:
    return row.expires_at.isoformat() if row.expires_at else None
