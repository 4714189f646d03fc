"""The sync protocol between stations and the sub-district server: one module, imported by both sides.

Everything on the wire is a pydantic model with unknown fields forbidden, so a typo or a field from a newer
version is refused with a precise answer instead of being silently dropped. `PROTOCOL_VERSION` changes when a
message changes shape; the server lists the versions it speaks at `/api/v1/info`.

Ordering never uses wall clocks: a station numbers its own events (`station_seq`, gap-free), and the server
numbers everything in a station's scope in commit order (`seq` in pull pages).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, quote, urlsplit

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ModelWrapValidatorHandler,
    StringConstraints,
    field_validator,
    model_validator,
)

from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.domain.events import Event, event_from_stored, event_record
from gridstation.domain.knowledge import (
    BODY_MAX_CHARS,
    CATEGORY_CODE_MAX_CHARS,
    KEY_MAX_CHARS,
    KEYWORD_MAX_CHARS,
    MAX_CATEGORIES,
    MAX_KEYWORDS,
    PROPOSER_MAX_CHARS,
    REJECTION_MAX_CHARS,
    SOURCE_MAX_CHARS,
    TITLE_MAX_CHARS,
)

PROTOCOL_VERSION: Literal[1] = 1
SUPPORTED_VERSIONS = (1,)
PROTOCOL_HEADER = "X-GridStation-Protocol"

MAX_PUSH_EVENTS = 1000
MAX_PULL_PAGE = 1000
DEFAULT_PULL_PAGE = 500
MAX_ATTACHMENT_CHUNK = 1024 * 1024
MAX_ATTACHMENT_SIZE = 20 * 1024 * 1024

# The patterns are also checked by the server's feed, which writes pages without building a model per event.
EVENT_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
STATION_CODE_PATTERN = r"^[A-Z0-9]{2,8}$"
HLC_PATTERN = r"^[0-9]{15}\.[0-9]{6}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_PAYLOAD_FIELDS = 64
MAX_ACTOR_ID = 100
MAX_ACTOR_NAME = 40
EventId = Annotated[str, StringConstraints(pattern=EVENT_ID_PATTERN)]
StationCode = Annotated[str, StringConstraints(pattern=STATION_CODE_PATTERN)]
HlcText = Annotated[str, StringConstraints(pattern=HLC_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
ShortText = Annotated[str, StringConstraints(max_length=MAX_ACTOR_ID)]


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _all_finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_all_finite(v) for v in value)
    return True


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _opaque(_value: object) -> None:
    return None  # a datetime, a model already checked: no text of ours to look into, as `_has_nul` says


def has_nul(value: Any) -> bool:
    """Whether any text in `value` (strings, dict keys, lists, tuples, nested) holds a NUL character.

    The walk in Python cost more than everything else in a pull page (issue 18): C's JSON encoder writes every NUL
    as the escape \\u0000, so text without that escape has none; only text with it (a NUL, or a backslash typed
    before "u0000") is walked to be sure.
    """
    if isinstance(value, str):
        return "\x00" in value
    try:
        text = json.dumps(value, default=_opaque, check_circular=False)
    except (TypeError, ValueError):  # a key json cannot write: walk it
        return _has_nul(value)
    return "\\u0000" in text and _has_nul(value)


# Set while a model's input is validated: its nested models' input was part of what was checked.
_NUL_CHECKED: ContextVar[bool] = ContextVar("nul_checked", default=False)


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)

    @model_validator(mode="wrap")
    @classmethod
    def _no_nul_characters(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        # PostgreSQL text cannot hold NUL, and no field of ours has a use for one: refuse it at the door. Checked
        # once, on the outermost model's whole input; a page's nested events are not walked again.
        if _NUL_CHECKED.get():
            return handler(data)
        if has_nul(data):
            raise ValueError("text must not contain NUL characters")
        token = _NUL_CHECKED.set(True)
        try:
            return handler(data)
        finally:
            _NUL_CHECKED.reset(token)


class WireEvent(WireModel):
    """One event as it travels. `content_hash` is `Event.content_hash()`, checked by the receiver."""

    id: EventId
    case_id: EventId
    type: EventType
    payload: dict[str, JsonValue] = Field(max_length=MAX_PAYLOAD_FIELDS)
    actor_id: ShortText
    actor_name: Annotated[str, StringConstraints(max_length=MAX_ACTOR_NAME)]
    station_code: StationCode
    occurred_at: AwareDatetime
    hlc: HlcText
    schema_version: Literal[1] = 1
    content_hash: Sha256

    @field_validator("occurred_at")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        if not EARLIEST <= value <= LATEST:
            raise ValueError("occurred_at must lie between 2000 and 2100")
        return value

    @field_validator("payload")
    @classmethod
    def _finite_numbers(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        if not _all_finite(value):
            raise ValueError("payload numbers must be finite (no NaN or Infinity)")
        return value

    @classmethod
    def of(cls, event: Event, content_hash: str | None = None) -> WireEvent:
        """`content_hash`: the hash stored with the event, when there is one (else computed)."""
        return cls(**event_record(event), content_hash=content_hash or event.content_hash())

    def to_event(self) -> Event:
        return event_from_stored(self)

    def hash_matches(self) -> bool:
        return self.to_event().content_hash() == self.content_hash


class PushedEvent(WireEvent):
    """A station's own event with its place in the station's gap-free sequence."""

    station_seq: int = Field(ge=1, le=2**62)

    @classmethod
    def numbered(cls, event: Event, station_seq: int, content_hash: str | None = None) -> PushedEvent:
        return cls(**event_record(event), content_hash=content_hash or event.content_hash(), station_seq=station_seq)


class PushRequest(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    events: list[PushedEvent] = Field(min_length=1, max_length=MAX_PUSH_EVENTS)
    # How many of its events the station had waiting when it sent this batch, the batch included: the centre's
    # status page and /metrics show each station's queue. Optional: stations before issue 19 do not send it.
    unsent: int | None = Field(default=None, ge=0, le=2**62)


Outcome = Literal["applied", "duplicate", "conflict", "rejected"]


class EventResult(WireModel):
    """What the server did with one pushed event. `rejected` events are kept in quarantine, never dropped."""

    id: str
    station_seq: int
    outcome: Outcome
    code: str = ""
    reason: str = ""
    conflict_id: str | None = None


class PushResponse(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    epoch: int
    acknowledged_seq: int  # every station_seq up to here is held by the server
    results: list[EventResult]


class ConflictOut(WireModel):
    """A value edited on both sides: both are kept until a person chooses."""

    id: str
    case_id: str
    case_number: str
    field: str
    base_value: JsonValue
    station_value: JsonValue
    server_value: JsonValue
    station_event_id: str
    station_actor: str
    station_at: datetime
    server_actor: str
    server_at: datetime | None
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str = ""


class PulledEvent(WireModel):
    """An event in the station's scope, in the server's commit order (`seq`).

    `origin` is "station" for events a station pushed (with their `station_seq`) and "server" for work orders and
    department updates. `applied` is false for an event kept as a conflict: the server's state does not include it.
    """

    seq: int
    origin: Literal["station", "server"]
    station_seq: int | None
    applied: bool
    event: WireEvent
    conflict: ConflictOut | None = None


class CaseSnapshot(WireModel):
    """The server's current state of a case in this page (the fold of all its applied events, including any that
    later pages will bring)."""

    case_id: str
    number: str
    version: int
    state: dict[str, Any]


class DayReceiptRequest(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    from_seq: int = Field(ge=1, le=2**62)
    to_seq: int = Field(ge=1, le=2**62)
    label: Annotated[str, StringConstraints(max_length=20)] = ""  # the station's own name for the day, echoed


class DayReceipt(WireModel):
    """What the server holds of a station's events numbered from_seq..to_seq, to compare with the local log."""

    protocol: Literal[1] = PROTOCOL_VERSION
    station_code: str
    label: str
    from_seq: int
    to_seq: int
    held: int
    applied: int
    conflicts: int
    quarantined: int
    cases_registered: int
    missing: list[tuple[int, int]]  # inclusive ranges of station_seq the server does not hold
    digest: str  # see `receipt_digest`
    server_time: datetime


class FeedHeads(WireModel):
    """Where the station's other exchanges stand, so a station already up to date asks nothing more (issue 18):
    the district policy's version, the knowledge feed's head (a station whose cursor is there has every change) and
    `conflicts_digest` of the station's open conflicts."""

    policy_version: int = Field(ge=0)
    knowledge: int = Field(ge=0)
    conflicts: Sha256


def conflicts_digest(open_ids: Iterable[str]) -> str:
    """SHA-256 over the ids of the open conflicts, one a line in sorted order; both sides compute it the same way."""
    return hashlib.sha256("".join(f"{id_}\n" for id_ in sorted(open_ids)).encode("utf-8")).hexdigest()


class PullResponse(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    epoch: int
    reset: bool = False  # the station must drop its cursor and pull from 0 (it keeps its unsent events)
    items: list[PulledEvent]
    cases: list[CaseSnapshot]
    cursor: int  # save this with what was applied, in one transaction
    has_more: bool
    remaining: int = 0  # feed items after `cursor` when the page was read: for a progress bar only
    # Only on the last page, and only when asked (`heads=true`, `receipt_from`/`receipt_to`): a station that does
    # not ask never sees these fields (it would refuse them), a server that does not know them never sends them.
    heads: FeedHeads | None = None
    receipt: DayReceipt | None = None


def receipt_digest(items: list[tuple[int, str]]) -> str:
    """SHA-256 over "station_seq:content_hash" lines in sequence order; both sides compute it the same way."""
    digest = hashlib.sha256()
    for station_seq, content_hash in sorted(items):
        digest.update(f"{station_seq}:{content_hash}\n".encode("ascii"))
    return digest.hexdigest()


def missing_ranges(held: set[int], first: int, last: int) -> list[tuple[int, int]]:
    """Inclusive ranges within first..last that are not in `held`."""
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for seq in range(first, last + 1):
        if seq in held:
            if start is not None:
                ranges.append((start, seq - 1))
                start = None
        elif start is None:
            start = seq
    if start is not None:
        ranges.append((start, last))
    return ranges


class EnrolRequest(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    code: Annotated[str, StringConstraints(min_length=4, max_length=40)]
    device_name: Annotated[str, StringConstraints(max_length=100)] = ""
    # Chosen by the station once per enrolment and sent again on a retry: if the answer to the first try was
    # lost, the same code and attempt get a fresh credential instead of "code already used".
    attempt_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")] | None = None


class EnrolResponse(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    station_code: str
    station_name: str
    credential: str  # shown once; the server keeps only its hash
    epoch: int


ENROL_SCHEME = "gridstation-enrol"


def enrolment_uri(server_url: str, code: str) -> str:
    """What the server's `station add --qr` puts in the QR code: `gridstation-enrol:?server=<address>&code=<code>`."""
    return f"{ENROL_SCHEME}:?server={quote(server_url, safe=':/')}&code={quote(code, safe='')}"


def parse_enrolment(text: str) -> tuple[str, str]:
    """(server address or "", one-time code) from what a QR code or a clerk gave; a plain code is accepted too."""
    text = text.strip()
    if not text.lower().startswith(f"{ENROL_SCHEME}:"):
        if not text or len(text) > 40 or any(ch.isspace() for ch in text):
            raise DomainError("enrol.qr_unknown", "二维码里不是工作站登记码。")
        return "", text
    query = parse_qs(urlsplit(text).query)
    code = (query.get("code") or [""])[0].strip()
    if not code:
        raise DomainError("enrol.qr_unknown", "二维码里没有登记码。")
    return (query.get("server") or [""])[0].strip(), code


class DistrictPolicyOut(WireModel):
    """The district's deadline policy in force (`GET /api/v1/policy`): its version, and the policy as
    `DeadlinePolicy.to_json` writes it; version 0 is the built-in 51530 policy, never set at the centre."""

    protocol: Literal[1] = PROTOCOL_VERSION
    version: int = Field(ge=0)
    policy: dict[str, Any]


KB_PAGE = 100
MAX_KB_PAGE = 500
ProposalState = Literal["pending", "approved", "rejected"]
CategoryCode = Annotated[str, StringConstraints(min_length=1, max_length=CATEGORY_CODE_MAX_CHARS)]
Keyword = Annotated[str, StringConstraints(min_length=1, max_length=KEYWORD_MAX_CHARS)]


class KnowledgeArticleOut(WireModel):
    """One article of the knowledge base as it changed at the centre (`GET /api/v1/kb`); a retired one comes too,
    so that the stations drop it. `seq` is its place in the knowledge feed."""

    seq: int = Field(ge=1)
    id: Annotated[str, StringConstraints(min_length=1, max_length=KEY_MAX_CHARS)]
    title: Annotated[str, StringConstraints(max_length=TITLE_MAX_CHARS)]
    body: Annotated[str, StringConstraints(max_length=BODY_MAX_CHARS)]
    categories: list[CategoryCode] = Field(max_length=MAX_CATEGORIES)
    keywords: list[Keyword] = Field(max_length=MAX_KEYWORDS)
    valid_from: date | None = None
    valid_to: date | None = None
    source: Annotated[str, StringConstraints(max_length=SOURCE_MAX_CHARS)] = ""
    version: int = Field(ge=1)
    updated_at: AwareDatetime
    status: Literal["active", "retired"]


class ProposalDecisionOut(WireModel):
    """Where one of the station's proposals stands at the centre (sent again whenever it changes)."""

    seq: int = Field(ge=1)
    idempotency_key: EventId
    status: ProposalState
    reason: str = ""
    article_id: str = ""
    decided_at: AwareDatetime | None = None


class KnowledgeChanges(WireModel):
    """What changed in the knowledge base after the station's cursor: articles, and decisions on its proposals, in
    the centre's commit order. Save `cursor` with what was stored, in one transaction; `reset`: the centre's feed is
    behind the cursor (restored from a backup), so the station drops its copy and reads from 0."""

    protocol: Literal[1] = PROTOCOL_VERSION
    cursor: int = Field(ge=0)
    has_more: bool
    reset: bool = False
    articles: list[KnowledgeArticleOut]
    proposals: list[ProposalDecisionOut]


class ProposalIn(WireModel):
    """A station's proposed article from one of its closed cases (经验沉淀). `idempotency_key` is the station's id
    for it: sent again with the same content it is a duplicate, with other content it is refused."""

    protocol: Literal[1] = PROTOCOL_VERSION
    idempotency_key: EventId
    case_number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    title: Annotated[str, StringConstraints(max_length=TITLE_MAX_CHARS * 2)]
    body: Annotated[str, StringConstraints(max_length=BODY_MAX_CHARS * 2)]
    categories: list[CategoryCode] = Field(default_factory=list, max_length=MAX_CATEGORIES)
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    proposer: Annotated[str, StringConstraints(max_length=PROPOSER_MAX_CHARS)] = ""
    proposed_at: AwareDatetime

    @field_validator("proposed_at")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        if not EARLIEST <= value <= LATEST:
            raise ValueError("proposed_at must lie between 2000 and 2100")
        return value


class ProposalReceipt(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    idempotency_key: str
    outcome: Literal["received", "duplicate"]
    status: ProposalState
    reason: Annotated[str, StringConstraints(max_length=REJECTION_MAX_CHARS)] = ""


class ServerInfo(WireModel):
    name: str
    protocol_versions: list[int]
    server_time: datetime


StatusUpdateKind = Literal["dispatched", "on_site", "disposed", "closed"]


class StatusUpdate(WireModel):
    """A department's or dispatcher's report on a case it handles; applied through the server's state machine."""

    protocol: Literal[1] = PROTOCOL_VERSION
    id: EventId | None = None  # optional idempotency key: a retried update with the same id is a duplicate
    case_number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    update: StatusUpdateKind
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    assignee: Annotated[str, StringConstraints(max_length=100)] = ""
    outcome: Literal["resolved", "plan"] = "resolved"
    answer: Annotated[str, StringConstraints(max_length=2000)] = ""


class StatusUpdateResult(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    event_id: str
    outcome: Literal["applied", "duplicate"]
    case_number: str
    status: str


class AttachmentOffer(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    sha256: Sha256
    size: int = Field(ge=1, le=MAX_ATTACHMENT_SIZE)
    case_id: EventId
    media_type: Literal["image/jpeg", "image/png", "image/webp", "application/pdf"]
    filename: Annotated[str, StringConstraints(max_length=200)] = ""


class AttachmentStatus(WireModel):
    protocol: Literal[1] = PROTOCOL_VERSION
    sha256: str
    size: int
    received: int  # resume the upload from here
    complete: bool


class ApiError(WireModel):
    code: str
    message: str  # Chinese, for the person at the desk
    detail: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(WireModel):
    error: ApiError
