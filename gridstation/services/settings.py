"""The station's settings as the desk sees them: the deadline policy and colour bands (typed and cached), and any
other setting by its key, every change audited. The keys themselves are in storage/settings.py."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.codec import state_from_json
from gridstation.domain.district_policy import refuse_looser, tightest
from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission, require
from gridstation.domain.shifts import DEFAULT_IDLE_LOCK_MINUTES, validate_idle_lock_minutes
from gridstation.domain.sla import ColourScheme, DeadlinePolicy, default_policy
from gridstation.services.core import StationCore
from gridstation.services.staff import StaffMember
from gridstation.storage import case_store
from gridstation.storage import settings as stored_settings
from gridstation.storage.models import CaseRow, CategoryRow
from gridstation.storage.settings import SettingKey


class StationSettings(StationCore):
    # Read on nearly every call (deadlines, colours), changed rarely and only through this class.
    _policy_cache: DeadlinePolicy | None = None
    _colours_cache: ColourScheme | None = None

    def _forget_cached_data(self) -> None:
        super()._forget_cached_data()
        self._policy_cache = self._colours_cache = None

    def deadline_policy(self) -> DeadlinePolicy:
        """The policy this station runs: its own, within the district's once the centre has set one (step by step
        the stricter of the two, `district_policy.tightest`); the built-in 51530 policy when neither is set."""
        if self._policy_cache is None:
            with self._read() as session:
                self._policy_cache = _policy_in_force(session)
        return self._policy_cache

    def district_policy_version(self) -> tuple[int, datetime | None]:
        """The version of the district's policy this station runs and when it came (0, None: none received)."""
        with self._read() as session:
            district = stored_settings.setting(session, SettingKey.DISTRICT_POLICY)
        if district is None:
            return 0, None
        return int(district["version"]), datetime.fromisoformat(district["received_at"])

    def adopt_district_policy(self, version: int, policy: DeadlinePolicy) -> bool:
        """Run the district's policy received by sync (a newer version only); re-plans every case's deadline.
        True if it was newer than the one this station had."""
        now = self._now()
        with self._write() as session:
            held = stored_settings.setting(session, SettingKey.DISTRICT_POLICY)
            if held is not None and int(held["version"]) >= version:
                return False
            before = _current_terms(session)
            value = {"version": version, "policy": policy.to_json(), "received_at": now.isoformat()}
            stored_settings.put_setting(session, SettingKey.DISTRICT_POLICY, value)
            self._policy_cache = None
            self._replan(session, before, now)
            self._audit(session, None, "settings.district_policy", version=version)
        return True

    def colour_scheme(self) -> ColourScheme:
        if self._colours_cache is None:
            with self._read() as session:
                value = stored_settings.setting(session, SettingKey.COLOUR_SCHEME)
                self._colours_cache = ColourScheme() if value is None else ColourScheme.from_json(value)
        return self._colours_cache

    def set_deadline_policy(self, actor: StaffMember, policy: DeadlinePolicy) -> None:
        """Store a new policy and re-plan the deadlines of every case from its own events."""
        require(actor.role, Permission.MANAGE_SETTINGS)
        with self._write() as session:
            district = stored_settings.setting(session, SettingKey.DISTRICT_POLICY)
            if district is not None:  # a station may only tighten the district's policy
                refuse_looser(policy, DeadlinePolicy.from_json(district["policy"]), int(district["version"]))
            # An override for a code no case can have (a typo such as GREEN.LIHGT) would silently change nothing.
            known = set(session.scalars(select(CategoryRow.code)))
            unknown = sorted(code for code in policy.category_codes() if code not in known)
            if unknown:
                name = f"by_category.{unknown[0]}"
                close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
                hint = f"，是否为 {close[0]}？" if close else "（分类代码见登记窗口的分类列表）"
                raise DomainError(
                    "settings.unknown_category", f"设置文件内容不正确：{name} 不是本站的诉求分类代码{hint}", field=name
                )
            before = _current_terms(session)
            stored_settings.put_setting(session, SettingKey.DEADLINE_POLICY, policy.to_json())
            self._policy_cache = None
            self._replan(session, before, self._now())
            self._audit(session, actor, "settings.deadline_policy", policy=policy.to_json())

    def _replan(self, session: Session, before: DeadlinePolicy, now: datetime) -> None:
        """Every case's current deadline again, now that the terms changed from `before` (read inside `session`):
        a deadline already running keeps the version it started under; the stages to come get the new one."""
        _record_change(session, before, now)
        policy = _policy_in_force(session)
        for row in session.scalars(select(CaseRow)):
            case_store.write_projection(session, state_from_json(row.state), policy)
        self._policy_cache = policy

    def set_colour_scheme(self, actor: StaffMember, scheme: ColourScheme) -> None:
        require(actor.role, Permission.MANAGE_SETTINGS)
        with self._write() as session:
            stored_settings.put_setting(session, SettingKey.COLOUR_SCHEME, scheme.to_json())
            self._audit(session, actor, "settings.colour_scheme", scheme=scheme.to_json())
        self._colours_cache = scheme

    def setting(self, key: SettingKey) -> Any:
        """A stored setting's JSON value, or None."""
        with self._read() as session:
            return stored_settings.setting(session, key)

    def _whole_number(self, key: SettingKey, default: int) -> int:
        """A whole-number setting (years, minutes …), or its default while none is stored."""
        value = self.setting(key)
        return default if value is None else int(value)

    def _set_whole_number(
        self,
        actor: StaffMember,
        key: SettingKey,
        value: object,
        validate: Callable[[object], int],
        *,
        audit: str,
        unit: str,
    ) -> int:
        """Check `value` with `validate` (a Chinese refusal names the setting), store it, and audit the change as
        `audit` with the new value under `unit` and the value before."""
        require(actor.role, Permission.MANAGE_SETTINGS)
        checked = validate(value)
        with self._write() as session:
            before = stored_settings.setting(session, key)
            stored_settings.put_setting(session, key, checked)
            self._audit(session, actor, audit, **{unit: checked}, before=before)
        return checked

    def idle_lock_minutes(self) -> int:
        return self._whole_number(SettingKey.IDLE_LOCK_MINUTES, DEFAULT_IDLE_LOCK_MINUTES)

    def set_idle_lock_minutes(self, actor: StaffMember, minutes: object) -> int:
        return self._set_whole_number(
            actor,
            SettingKey.IDLE_LOCK_MINUTES,
            minutes,
            validate_idle_lock_minutes,
            audit="settings.idle_lock",
            unit="minutes",
        )

    def set_setting(self, actor: StaffMember, key: SettingKey, value: Any) -> None:
        require(actor.role, Permission.MANAGE_SETTINGS)
        with self._write() as session:
            stored_settings.put_setting(session, key, value)
            self._audit(session, actor, f"settings.{key}", value=value)


# Where the first recorded version starts: before any case this desk can hold.
BEFORE_ALL_CASES = datetime(2000, 1, 1, tzinfo=UTC)


def _policy_in_force(session: Session) -> DeadlinePolicy:
    """The terms in force now, with the versions before them (a deadline keeps the version it started under)."""
    current = _current_terms(session)
    stored = stored_settings.setting(session, SettingKey.POLICY_HISTORY) or []
    if not stored:
        return current
    history = [(datetime.fromisoformat(h["from"]), DeadlinePolicy.from_json(h["policy"])) for h in stored]
    return current.with_history([*history[:-1], (history[-1][0], current)])


def _record_change(session: Session, before: DeadlinePolicy, now: datetime) -> None:
    """The terms in force changed at `now`: the history gets the new version (and the one before, the first time)."""
    after = _current_terms(session)
    if after == before:
        return
    stored = list(stored_settings.setting(session, SettingKey.POLICY_HISTORY) or [])
    if not stored:
        stored.append({"from": BEFORE_ALL_CASES.isoformat(), "policy": before.to_json()})
    stored.append({"from": now.isoformat(), "policy": after.to_json()})
    stored_settings.put_setting(session, SettingKey.POLICY_HISTORY, stored)


def _current_terms(session: Session) -> DeadlinePolicy:
    """The station's own policy within the district's, as stored (see `StationSettings.deadline_policy`)."""
    value = stored_settings.setting(session, SettingKey.DEADLINE_POLICY)
    district = stored_settings.setting(session, SettingKey.DISTRICT_POLICY)
    local = None if value is None else DeadlinePolicy.from_json(value)
    if district is None:
        return local or default_policy()
    return tightest(DeadlinePolicy.from_json(district["policy"]), local)
