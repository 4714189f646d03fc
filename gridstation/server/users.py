"""The people who sign in to the server: the centre, departments, gridleads and administrators (issue 15).

Accounts are made and changed with `gridstation-server user …` (`user_cli`), each change audited. Signing in
(`login`) checks the argon2id password hash (`passwords`) and hands out a random bearer token kept only as its
hash, valid for `session_lifetime`; a wrong password, an unknown username, a disabled or a locked account all get
the same 401, so a caller learns nothing about which. Five wrong passwords in a row lock an account for fifteen
minutes on the server's clock (`domain.console_roles`). `authenticate_user` turns a token into a `Principal`,
whose scope `visibility` decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, distinct, select
from sqlalchemy.orm import Session

from gridstation.assets import RESOURCES
from gridstation.domain.console_roles import (
    ConsoleRole,
    after_failed_sign_in,
    check_assignment,
    check_password,
    check_username,
    is_locked,
)
from gridstation.domain.errors import ValidationError
from gridstation.domain.events import new_id
from gridstation.domain.reference import parse_grids
from gridstation.server.access import authenticating, identified
from gridstation.server.core import ServerCore
from gridstation.server.credentials import new_token, secret_hash
from gridstation.server.errors import ServerError, not_found
from gridstation.server.models import DepartmentRow, ServerCaseRow, ServerSessionRow, ServerUserRow
from gridstation.server.passwords import hash_password, needs_rehash, verify_password, waste_a_verification
from gridstation.server.visibility import Principal

DEFAULT_SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "gsu"
SIGN_IN_REFUSED = "用户名或密码错误，或账号已停用或暂时锁定。"


@dataclass(frozen=True, slots=True)
class UserSummary:
    username: str
    role: ConsoleRole
    display_name: str
    department: str | None
    grids: tuple[str, ...]
    disabled: bool
    locked_until: datetime | None
    created_at: datetime
    last_sign_in_at: datetime | None


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # shown once; the server keeps its hash
    expires_at: datetime
    role: ConsoleRole


def refused_sign_in() -> ServerError:
    return ServerError(401, "auth.sign_in_refused", SIGN_IN_REFUSED)


class Users(ServerCore):
    session_lifetime: timedelta = DEFAULT_SESSION_LIFETIME  # `serve` sets it from the settings

    # --- accounts (the admin CLI) -----------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        role: ConsoleRole,
        password: str,
        *,
        department: str | None = None,
        grids: Iterable[str] = (),
        display_name: str = "",
    ) -> UserSummary:
        name = check_username(username)
        assignment = check_assignment(role, department, grids)
        check_password(password)
        shown = " ".join(display_name.split())[:40]
        encoded = hash_password(password)
        with self.writing() as session:
            if session.scalar(select(ServerUserRow.id).where(ServerUserRow.username == name)) is not None:
                raise ValidationError("username", "user.exists", f"用户 {name} 已存在。")
            if assignment.department is not None and session.get(DepartmentRow, assignment.department) is None:
                raise ValidationError(
                    "department",
                    "user.department_unknown",
                    f"没有部门 {assignment.department}。请先用 gridstation-server department add 新增该部门。",
                )
            unknown = sorted(set(assignment.grids) - self._known_grids(session))
            if unknown:
                raise ValidationError("grid", "user.grid_unknown", f"没有网格 {'、'.join(unknown)}。")
            row = ServerUserRow(
                id=new_id(),
                username=name,
                role=str(role),
                display_name=shown,
                department_code=assignment.department,
                grid_codes=list(assignment.grids),
                password_hash=encoded,
                failed_sign_ins=0,
                created_at=self.now(),
            )
            session.add(row)
            self._audit(
                session,
                "admin",
                "user.added",
                username=name,
                role=str(role),
                department=assignment.department,
                grids=list(assignment.grids),
            )
            return _summary(row)

    def users(self) -> list[UserSummary]:
        with self.reading() as session:
            return [_summary(r) for r in session.scalars(select(ServerUserRow).order_by(ServerUserRow.username))]

    def disable_user(self, username: str) -> None:
        """The account can no longer sign in, and its tokens stop working at once."""
        with self.writing() as session:
            row = self._user(session, username)
            row.disabled_at = row.disabled_at or self.now()
            session.execute(delete(ServerSessionRow).where(ServerSessionRow.user_id == row.id))
            self._audit(session, "admin", "user.disabled", username=row.username)

    def reset_password(self, username: str, password: str) -> None:
        """A new password; the lockout is lifted and every token of the account stops working."""
        check_password(password)
        encoded = hash_password(password)
        with self.writing() as session:
            row = self._user(session, username)
            row.password_hash = encoded
            row.failed_sign_ins = 0
            row.locked_until = None
            session.execute(delete(ServerSessionRow).where(ServerSessionRow.user_id == row.id))
            self._audit(session, "admin", "user.password_reset", username=row.username)

    def _user(self, session: Session, username: str) -> ServerUserRow:
        wanted = username.strip().lower()
        row = session.scalar(select(ServerUserRow).where(ServerUserRow.username == wanted).with_for_update())
        if row is None:
            raise not_found(f"用户 {wanted}。用 gridstation-server user list 查看已有用户", "user.unknown")
        return row

    def _known_grids(self, session: Session) -> set[str]:
        """Grids a gridlead may be given: the district's grid list, and any grid a station's case names."""
        seeded = {g.code.upper() for g in parse_grids((RESOURCES / "seed" / "grids.csv").read_text(encoding="utf-8"))}
        on_cases = {str(g).upper() for g in session.scalars(select(distinct(ServerCaseRow.grid_code))) if g}
        return seeded | on_cases

    # --- signing in -------------------------------------------------------------------------------------------

    def login(self, username: str, password: str) -> SignedIn:
        authenticating()
        now = self.now()
        wanted = username.strip().lower()
        with self.reading() as session:
            row = session.scalar(select(ServerUserRow).where(ServerUserRow.username == wanted))
        if row is None or row.disabled_at is not None or is_locked(row.locked_until, now):
            waste_a_verification(password)  # as long as a wrong password takes: the answer's time tells nothing
            raise refused_sign_in()
        good = verify_password(password, row.password_hash)
        rehashed = hash_password(password) if good and needs_rehash(row.password_hash) else None
        token = new_token(TOKEN_PREFIX)
        with self.writing() as session:
            user = session.get(ServerUserRow, row.id, with_for_update=True, populate_existing=True)
            assert user is not None
            if not good:
                user.failed_sign_ins, locked_until = after_failed_sign_in(user.failed_sign_ins, now)
                if locked_until is not None:
                    user.locked_until = locked_until
                    self._audit(
                        session, "server", "user.locked", username=user.username, until=locked_until.isoformat()
                    )
            else:
                user.failed_sign_ins = 0
                user.locked_until = None
                user.last_sign_in_at = now
                if rehashed:
                    user.password_hash = rehashed
                expires_at = now + self.session_lifetime
                session.add(
                    ServerSessionRow(
                        token_hash=secret_hash(token), user_id=user.id, created_at=now, expires_at=expires_at
                    )
                )
        if not good:
            raise refused_sign_in()
        identified(f"user:{row.username}")
        return SignedIn(token, expires_at, ConsoleRole(row.role))

    def logout(self, token: str) -> None:
        """End the session the token belongs to (an unknown or ended one: nothing to do)."""
        with self.writing() as session:
            session.execute(delete(ServerSessionRow).where(ServerSessionRow.token_hash == secret_hash(token)))

    def authenticate_user(self, token: str) -> Principal:
        """Who a bearer token belongs to; 401 for an unknown, expired or ended token and for a disabled account."""
        authenticating()
        now = self.now()
        with self.reading() as session:
            found = session.execute(
                select(ServerSessionRow.expires_at, ServerUserRow)
                .join(ServerUserRow, ServerUserRow.id == ServerSessionRow.user_id)
                .where(ServerSessionRow.token_hash == secret_hash(token))
            ).first()
        if found is None or not token.startswith(f"{TOKEN_PREFIX}_"):
            raise ServerError(401, "auth.invalid", "未登录或登录已失效，请重新登录。")
        expires_at, user = found
        if now >= expires_at:
            raise ServerError(401, "auth.expired", "登录已过期，请重新登录。")
        if user.disabled_at is not None:
            raise ServerError(401, "auth.invalid", "未登录或登录已失效，请重新登录。")
        principal = Principal(
            user_id=user.id,
            username=user.username,
            role=ConsoleRole(user.role),
            department=user.department_code,
            grids=tuple(user.grid_codes or ()),
        )
        identified(principal.access_name)
        return principal


def _summary(row: ServerUserRow) -> UserSummary:
    return UserSummary(
        username=row.username,
        role=ConsoleRole(row.role),
        display_name=row.display_name,
        department=row.department_code,
        grids=tuple(row.grid_codes or ()),
        disabled=row.disabled_at is not None,
        locked_until=row.locked_until,
        created_at=row.created_at,
        last_sign_in_at=row.last_sign_in_at,
    )
