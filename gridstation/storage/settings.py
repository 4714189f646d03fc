"""Every key of the `settings` table in one place, and reading and writing them inside a caller's transaction.

The key strings are stored in every station database: never change one, only add new keys.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from gridstation.storage.models import SettingRow


class SettingKey(StrEnum):
    # The 51530 deadline policy as JSON (domain.sla.DeadlinePolicy); absent means the default policy.
    DEADLINE_POLICY = "deadline_policy"
    # The district's policy last received by sync: {"version", "policy", "received_at"}; absent: none yet (the
    # station's own policy, or the built-in one, stands alone).
    DISTRICT_POLICY = "district_policy"
    # The policies this station has run, oldest first: [{"from", "policy"}] (the last is the one in force); absent
    # until the first change. A deadline keeps the version it started under (domain.sla.DeadlinePolicy.earlier).
    POLICY_HISTORY = "deadline_policy_history"
    # The five-colour warning bands as JSON (domain.sla.ColourScheme); absent means the default bands.
    COLOUR_SCHEME = "colour_scheme"
    # Paper sizes, receipt mode, printers (services.paper.PrintSettings as JSON).
    PRINTING = "printing"
    # The highest event number this station issued even where no stored event holds it (after a restore or a
    # sync renumbering): the next event gets a higher one.
    EVENT_SEQUENCE_FLOOR = "event_sequence_floor"
    # The sub-district server this desk is enrolled with and syncs to.
    SERVER_URL = "sync.server_url"
    # The receipt's QR code opens <this>/status/<number>; set by hand or, if empty, on enrolment.
    STATUS_PAGE_URL = "server_url"
    # The secret the server gave this desk on enrolment; sent with every sync request.
    CREDENTIAL = "sync.credential"
    # How far this desk has read the server's event feed.
    CURSOR = "sync.cursor"
    # The server's feed epoch the cursor belongs to (a new epoch after a server restore means reading again).
    EPOCH = "sync.epoch"
    # The hashed enrolment code and its attempt id, kept so a retried enrolment is the same attempt.
    ENROL_ATTEMPT = "sync.enrol_attempt"
    # How many years after closing a case keeps its complainant's personal data (services/retention.py);
    # absent means domain.retention.DEFAULT_RETENTION_YEARS.
    RETENTION_YEARS = "retention.years"
    # Minutes without input after which the desk locks (0 never); absent means domain.shifts.DEFAULT_IDLE_LOCK_MINUTES.
    IDLE_LOCK_MINUTES = "desk.idle_lock_minutes"
    # The word lists (domain.words.WordList.fingerprint) the similar-case index was built with; another value means
    # the lists changed and every case is indexed again.
    CASE_WORDS_FINGERPRINT = "similar.words_fingerprint"
    # How far this desk has read the centre's knowledge feed (articles and decisions on its proposals, issue 17).
    KNOWLEDGE_CURSOR = "kb.cursor"


def setting(session: Session, key: SettingKey, default: Any = None) -> Any:
    """The stored JSON value of `key`, or `default` when it was never set."""
    row = session.get(SettingRow, key)
    return default if row is None else row.value


def put_setting(session: Session, key: SettingKey, value: Any) -> None:
    session.merge(SettingRow(key=key, value=value))


def forget_setting(session: Session, key: SettingKey) -> None:
    row = session.get(SettingRow, key)
    if row is not None:
        session.delete(row)
