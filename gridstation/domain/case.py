"""A case (民情诉求) as the fold of its events, and the lifecycle that decides which events are legal.

`decide_*` functions check the rules against the current state and return new events; `apply`
folds one event into a state. The stored projection is always `fold(stored events)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from gridstation.domain.enums import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    FollowUpSource,
    Resolution,
    Satisfaction,
    Status,
    Tier,
)
from gridstation.domain.errors import DomainError, IllegalTransition, ValidationError
from gridstation.domain.events import Event
from gridstation.domain.validation import (
    ADDRESS_MAX_CHARS,
    NAME_MAX_CHARS,
    validate_description,
    validate_phone,
    validate_reason,
    validate_short_text,
)

# Which event moves a case from which status to which. Events not listed here (notes, tier changes,
# corrections, follow-ups) have their own rules below.
TRANSITIONS: dict[EventType, dict[Status, Status]] = {
    EventType.FIRST_CONTACT: {Status.REGISTERED: Status.CONTACTED, Status.REOPENED: Status.CONTACTED},
    EventType.DISPATCHED: {
        Status.CONTACTED: Status.DISPATCHED,
        Status.DISPATCHED: Status.DISPATCHED,
        Status.REOPENED: Status.DISPATCHED,
    },
    EventType.ARRIVED_ON_SITE: {Status.DISPATCHED: Status.ON_SITE},
    EventType.DISPOSED: {Status.ON_SITE: Status.DISPOSED},
    EventType.CLOSED: {Status.DISPOSED: Status.CLOSED},
}

# Events that record something about the paper trail rather than the case's progress: allowed in every status,
# and not offered as buttons among the lifecycle steps (the desk has its own commands for them).
BOOKKEEPING_EVENTS = frozenset({EventType.RECEIPT_PRINTED})

# 当场办 cases are answered at the desk: they may close straight from registration or first contact.
ON_THE_SPOT_CLOSABLE = frozenset({Status.REGISTERED, Status.CONTACTED})
FINISHED = frozenset({Status.CLOSED, Status.FOLLOWED_UP})
CORRECTABLE_FIELDS = (
    "category_code",
    "compound",
    "building",
    "address",
    "grid_code",
    "complainant_name",
    "phone",
    "anonymous",
    "description",
)
FIELD_LABELS = {
    "category_code": "分类",
    "compound": "小区",
    "building": "楼栋",
    "address": "地址",
    "grid_code": "网格",
    "complainant_name": "姓名",
    "phone": "电话",
    "anonymous": "匿名",
    "description": "诉求内容",
    "tier": "处置分类",
}


@dataclass(frozen=True, slots=True)
class Intake:
    """What the clerk typed for a new case, already validated."""

    channel: Channel
    category_code: str
    description: str
    tier: Tier
    compound: str = ""
    building: str = ""
    address: str = ""
    grid_code: str = ""
    complainant_name: str = ""
    phone: str = ""
    anonymous: bool = False
    answer: str = ""  # the on-the-spot answer for 当场办

    @classmethod
    def validated(
        cls,
        *,
        channel: Channel,
        category_code: str,
        description: str,
        tier: Tier,
        compound: str = "",
        building: str = "",
        address: str = "",
        grid_code: str = "",
        complainant_name: str = "",
        phone: str = "",
        anonymous: bool = False,
        answer: str = "",
        phone_required: bool = True,
    ) -> Intake:
        """Validate every field and collect all problems, so the form can mark each one at once."""
        problems: list[ValidationError] = []
        values: dict[str, Any] = {}

        def check(name: str, fn: Any, *args: Any, **kwargs: Any) -> None:
            try:
                values[name] = fn(*args, **kwargs)
            except ValidationError as err:
                problems.append(err)

        check("description", validate_description, description)
        check("phone", validate_phone, phone, required=phone_required and not anonymous)
        check(
            "complainant_name",
            validate_short_text,
            complainant_name,
            field="complainant_name",
            label="姓名",
            limit=NAME_MAX_CHARS,
        )
        check("compound", validate_short_text, compound, field="compound", label="小区", limit=ADDRESS_MAX_CHARS)
        check("building", validate_short_text, building, field="building", label="楼栋", limit=60)
        check("address", validate_short_text, address, field="address", label="地址", limit=ADDRESS_MAX_CHARS)
        if not category_code.strip():
            problems.append(ValidationError("category_code", "category.required", "请选择诉求分类。"))
        if tier is Tier.ON_THE_SPOT:
            check(
                "answer",
                validate_short_text,
                answer,
                field="answer",
                label="当场答复内容",
                limit=2000,
                required=True,
            )
        if problems:
            raise IntakeInvalid(problems)
        return cls(
            channel=channel,
            category_code=category_code.strip(),
            description=values["description"],
            tier=tier,
            compound=values["compound"],
            building=values["building"],
            address=values["address"],
            grid_code=grid_code.strip(),
            complainant_name=values["complainant_name"],
            phone=values["phone"],
            anonymous=anonymous,
            answer=values.get("answer", ""),
        )

    def to_payload(self) -> dict[str, Any]:
        return {
            "channel": str(self.channel),
            "category_code": self.category_code,
            "description": self.description,
            "tier": str(self.tier),
            "compound": self.compound,
            "building": self.building,
            "address": self.address,
            "grid_code": self.grid_code,
            "complainant_name": self.complainant_name,
            "phone": self.phone,
            "anonymous": self.anonymous,
        }


class IntakeInvalid(DomainError):
    """Several fields failed at once; `problems` lists each with its field."""

    def __init__(self, problems: list[ValidationError]) -> None:
        super().__init__("intake.invalid", "；".join(p.message_zh for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    kind: FollowUpKind
    satisfaction: Satisfaction
    resolution: Resolution
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseState:
    """The projection of a case: everything the desk shows, derived only from events."""

    id: str
    number: str
    station_code: str
    channel: Channel
    category_code: str
    description: str
    tier: Tier
    status: Status
    registered_at: datetime
    registered_by: str
    compound: str = ""
    building: str = ""
    address: str = ""
    grid_code: str = ""
    complainant_name: str = ""
    phone: str = ""
    anonymous: bool = False
    assignee: str = ""
    answer: str = ""
    stage_started_at: datetime | None = None
    first_contact_at: datetime | None = None
    dispatched_at: datetime | None = None
    on_site_at: datetime | None = None
    disposed_at: datetime | None = None
    disposal_outcome: DisposalOutcome | None = None
    closed_at: datetime | None = None
    follow_ups: tuple[FollowUpRecord, ...] = ()
    reopen_count: int = 0
    receipts_printed: int = 0
    conference_flagged: bool = False
    conference_reason: str = ""
    # A work order dispatched by the centre (12345 hotline, 信访, 码上就来): its ticket, its own deadline and
    # whether the dispatcher marked it urgent. Its 51530 clock runs from dispatch (`registered_at`).
    work_order: str = ""
    due_at: datetime | None = None
    urgent: bool = False
    version: int = 0
    last_hlc: str = ""
    updated_at: datetime | None = None

    @property
    def satisfaction(self) -> Satisfaction | None:
        return self.follow_ups[-1].satisfaction if self.follow_ups else None

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED

    def pending_follow_up(self) -> FollowUpKind | None:
        """The next visit of 双回访 that is due, if the case is closed."""
        if self.status is not Status.CLOSED:
            return None
        # Every unsatisfied visit reopens the case, so the visits since the last close are those after the
        # last unsatisfied one. Counting by timestamp instead breaks when two events share an instant or
        # the wall clock jumps back.
        kinds_since_close: list[FollowUpKind] = []
        for record in self.follow_ups:
            if record.satisfaction is Satisfaction.UNSATISFIED:
                kinds_since_close = []
            else:
                kinds_since_close.append(record.kind)
        if FollowUpKind.DEPARTMENT_FEEDBACK not in kinds_since_close:
            return FollowUpKind.DEPARTMENT_FEEDBACK
        return FollowUpKind.STATION_REVISIT


def _ts(event: Event) -> datetime:
    return event.occurred_at


def _work_order_fields(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {}
    due = raw.get("due_at")
    return {
        "work_order": str(raw.get("ticket", "")),
        "due_at": datetime.fromisoformat(due) if isinstance(due, str) and due else None,
        "urgent": bool(raw.get("urgent", False)),
    }


def apply(state: CaseState | None, event: Event) -> CaseState:
    """Fold one event into the state. Events are assumed legal (checked when decided)."""
    p = event.payload
    if event.type is EventType.REGISTERED:
        if state is not None:
            raise DomainError("case.already_registered", "该诉求已登记。")
        return CaseState(
            id=event.case_id,
            number=p["number"],
            station_code=event.station_code,
            channel=Channel(p["channel"]),
            category_code=p["category_code"],
            description=p["description"],
            tier=Tier(p["tier"]),
            status=Status.REGISTERED,
            registered_at=_ts(event),
            registered_by=event.actor_name,
            compound=p.get("compound", ""),
            building=p.get("building", ""),
            address=p.get("address", ""),
            grid_code=p.get("grid_code", ""),
            complainant_name=p.get("complainant_name", ""),
            phone=p.get("phone", ""),
            anonymous=bool(p.get("anonymous", False)),
            stage_started_at=_ts(event),
            **_work_order_fields(p.get("work_order")),
            version=1,
            last_hlc=event.hlc,
            updated_at=_ts(event),
        )
    if state is None:
        raise DomainError("case.unknown", "找不到该诉求。")
    bumped = replace(state, version=state.version + 1, last_hlc=max(state.last_hlc, event.hlc), updated_at=_ts(event))
    at = _ts(event)
    match event.type:
        case EventType.FIRST_CONTACT:
            return replace(
                bumped,
                status=Status.CONTACTED,
                first_contact_at=state.first_contact_at or at,
                stage_started_at=at,
            )
        case EventType.DISPATCHED:
            return replace(
                bumped,
                status=Status.DISPATCHED,
                assignee=p.get("assignee", ""),
                dispatched_at=state.dispatched_at or at,
                # The on-site stage starts at first contact: dispatching within it (or re-dispatching)
                # does not restart its clock. From a reopened case, dispatching starts the stage.
                stage_started_at=(
                    state.stage_started_at if state.status in (Status.CONTACTED, Status.DISPATCHED) else at
                ),
            )
        case EventType.ARRIVED_ON_SITE:
            return replace(bumped, status=Status.ON_SITE, on_site_at=at, stage_started_at=at)
        case EventType.DISPOSED:
            return replace(
                bumped,
                status=Status.DISPOSED,
                disposed_at=at,
                disposal_outcome=DisposalOutcome(p["outcome"]),
                stage_started_at=at,
            )
        case EventType.CLOSED:
            return replace(
                bumped,
                status=Status.CLOSED,
                closed_at=at,
                stage_started_at=at,
                answer=p.get("answer", state.answer),
            )
        case EventType.FOLLOW_UP:
            record = FollowUpRecord(
                FollowUpKind(p["kind"]), Satisfaction(p["satisfaction"]), Resolution(p["resolution"]), at
            )
            follow_ups = (*state.follow_ups, record)
            if record.satisfaction is Satisfaction.UNSATISFIED:
                return replace(
                    bumped,
                    status=Status.REOPENED,
                    follow_ups=follow_ups,
                    reopen_count=state.reopen_count + 1,
                    stage_started_at=at,
                    closed_at=None,
                )
            if record.kind is FollowUpKind.STATION_REVISIT:
                return replace(bumped, status=Status.FOLLOWED_UP, follow_ups=follow_ups, stage_started_at=at)
            return replace(bumped, follow_ups=follow_ups)
        case EventType.TIER_CHANGED:
            # A new tier re-plans deadlines: the current stage's clock restarts under the new policy.
            return replace(bumped, tier=Tier(p["to"]), stage_started_at=at)
        case EventType.INTAKE_CORRECTED:
            return replace(bumped, **{p["field"]: p["value"]})
        case EventType.NOTE_ADDED:
            return bumped
        case EventType.RECEIPT_PRINTED:
            return replace(bumped, receipts_printed=state.receipts_printed + 1)
        case EventType.CONFERENCE_FLAGGED:
            flagged = bool(p["flagged"])
            return replace(bumped, conference_flagged=flagged, conference_reason=p["reason"] if flagged else "")
    raise DomainError("event.unknown_type", f"未知的事件类型：{event.type}")


def fold(events: Iterable[Event]) -> CaseState:
    state: CaseState | None = None
    for event in events:
        state = apply(state, event)
    if state is None:
        raise DomainError("case.unknown", "找不到该诉求。")
    return state


def _illegal(state: CaseState, event_type: EventType) -> IllegalTransition:
    return IllegalTransition(
        "transition.illegal",
        f"诉求 {state.number} 当前状态为「{STATUS_LABELS[state.status]}」，不能执行「{EVENT_LABELS[event_type]}」。",
        status=str(state.status),
        event=str(event_type),
    )


def legal_actions(state: CaseState) -> list[EventType]:
    """The events a person may record now, in the order the desk shows them."""
    actions = [t for t, table in TRANSITIONS.items() if state.status in table]
    if state.tier is Tier.ON_THE_SPOT and state.status in ON_THE_SPOT_CLOSABLE:
        actions.append(EventType.CLOSED)
    if state.status is Status.CLOSED:
        actions.append(EventType.FOLLOW_UP)
    if state.status not in FINISHED:
        actions.append(EventType.TIER_CHANGED)
    # A flagged case can always be taken off the conference list, even after it closed.
    if state.status not in FINISHED or state.conference_flagged:
        actions.append(EventType.CONFERENCE_FLAGGED)
    actions.extend([EventType.INTAKE_CORRECTED, EventType.NOTE_ADDED])
    return actions


def check_legal(state: CaseState, event_type: EventType, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Raise IllegalTransition / ValidationError if `event_type` may not happen now; return a clean payload."""
    if event_type not in legal_actions(state) and event_type not in BOOKKEEPING_EVENTS:
        raise _illegal(state, event_type)
    clean = dict(payload)
    if event_type in (EventType.FIRST_CONTACT, EventType.ARRIVED_ON_SITE, EventType.NOTE_ADDED):
        clean["note"] = validate_short_text(
            str(payload.get("note", "")),
            field="note",
            label="说明",
            limit=2000,
            required=event_type is EventType.NOTE_ADDED,
        )
    elif event_type is EventType.DISPATCHED:
        clean["assignee"] = validate_short_text(
            str(payload.get("assignee", "")), field="assignee", label="承办人或部门", limit=100, required=True
        )
        clean["note"] = validate_short_text(str(payload.get("note", "")), field="note", label="说明", limit=2000)
    elif event_type is EventType.DISPOSED:
        try:
            clean["outcome"] = str(DisposalOutcome(payload.get("outcome", DisposalOutcome.RESOLVED)))
        except ValueError as err:
            raise ValidationError("outcome", "outcome.invalid", "请选择处置结果。") from err
        clean["note"] = validate_short_text(
            str(payload.get("note", "")), field="note", label="处置情况", limit=2000, required=True
        )
    elif event_type is EventType.CLOSED:
        clean["answer"] = validate_short_text(
            str(payload.get("answer", "")), field="answer", label="办结答复", limit=2000, required=True
        )
    elif event_type is EventType.FOLLOW_UP:
        clean.update(_check_follow_up(state, payload))
    elif event_type is EventType.TIER_CHANGED:
        try:
            to = Tier(payload.get("to", ""))
        except ValueError as err:
            raise ValidationError("tier", "tier.invalid", "请选择处置分类。") from err
        if to is state.tier:
            raise ValidationError("tier", "tier.unchanged", f"该诉求已是「{TIER_LABELS[to]}」。")
        clean = {
            "from": str(state.tier),
            "to": str(to),
            "reason": validate_reason(str(payload.get("reason", ""))),
        }
    elif event_type is EventType.INTAKE_CORRECTED:
        clean = _check_correction(state, payload)
    elif event_type is EventType.RECEIPT_PRINTED:
        clean = {
            "reprint": state.receipts_printed > 0,
            "paper": validate_short_text(str(payload.get("paper", "")), field="paper", label="纸张", limit=40),
            "copies": _positive_int(payload.get("copies", 1), field="copies", label="份数", most=5),
        }
    elif event_type is EventType.CONFERENCE_FLAGGED:
        flagged = _as_flag(payload.get("flagged", True))
        if flagged == state.conference_flagged:
            message = "该诉求已列入难题会诊。" if flagged else "该诉求不在难题会诊名单中。"
            raise ValidationError("flagged", "conference.unchanged", message)
        clean = {
            "flagged": flagged,
            "reason": validate_short_text(
                str(payload.get("reason", "")), field="reason", label="会诊事由", limit=500, required=flagged
            ),
        }
    if "resolves_conflict" in payload:
        # A correction or note that settles a sync conflict names it, so the server can close the conflict.
        clean["resolves_conflict"] = validate_short_text(
            str(payload["resolves_conflict"]), field="resolves_conflict", label="冲突编号", limit=36, required=True
        )
    return clean


def _positive_int(raw: Any, *, field: str, label: str, most: int) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise ValidationError(field, "number.range", f"{label}须为 1 至 {most} 之间的整数。")
    return value


def _check_follow_up(state: CaseState, payload: Mapping[str, Any]) -> dict[str, Any]:
    due = state.pending_follow_up()
    try:
        kind = FollowUpKind(payload.get("kind", due))
        satisfaction = Satisfaction(payload.get("satisfaction", ""))
        resolution = Resolution(payload.get("resolution", ""))
    except ValueError as err:
        raise ValidationError("satisfaction", "follow_up.incomplete", "请选择是否解决和满意度。") from err
    if kind is not due:
        raise IllegalTransition("follow_up.order", "双回访须先记录部门反馈回访，再记录工作站回访。")
    note = validate_short_text(str(payload.get("note", "")), field="note", label="回访意见", limit=2000)
    try:
        source = FollowUpSource(payload.get("source", FollowUpSource.PHONE))
    except ValueError as err:
        raise ValidationError("source", "follow_up.source", "请选择回访方式。") from err
    clean: dict[str, Any] = {
        "kind": str(kind),
        "satisfaction": str(satisfaction),
        "resolution": str(resolution),
        "note": note,
        "visitor": validate_short_text(
            str(payload.get("visitor", "")),
            field="visitor",
            label="回访人",
            limit=NAME_MAX_CHARS,
            required=source is FollowUpSource.PAPER_FORM,
        ),
        "source": str(source),
    }
    if source is FollowUpSource.PAPER_FORM:
        # A paper form is entered after the visit: the form's own date is what counts as the visit's date.
        # The service checks the date against the station's calendar (not before closing, not in the future).
        clean["visited_on"] = parse_visit_date(payload.get("visited_on")).isoformat()
    return clean


def parse_visit_date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError as err:
        raise ValidationError("visited_on", "follow_up.date", "请填写回访表上的日期（如 2026-11-23）。") from err


_TRUE_WORDS = {"1", "true", "yes", "y", "是", "匿名"}
_FALSE_WORDS = {"0", "false", "no", "n", "否", "", "不匿名"}


def _as_flag(raw: Any) -> bool:
    """A yes/no value as a person or a CSV writes it; "false" must not become True."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValidationError("value", "correction.flag", "请填写“是”或“否”。")


def _check_correction(state: CaseState, payload: Mapping[str, Any]) -> dict[str, Any]:
    name = str(payload.get("field", ""))
    if name not in CORRECTABLE_FIELDS:
        raise ValidationError("field", "correction.field", "该项不能更正。")
    raw = payload.get("value", "")
    value: Any
    if name == "description":
        value = validate_description(str(raw))
    elif name == "phone":
        value = validate_phone(str(raw), required=False)
    elif name == "anonymous":
        value = _as_flag(raw)
    else:
        value = validate_short_text(
            str(raw), field=name, label="更正内容", limit=ADDRESS_MAX_CHARS, required=name == "category_code"
        )
    if getattr(state, name) == value:
        raise ValidationError("value", "correction.unchanged", "更正后的内容与原内容相同。")
    return {
        "field": name,
        "old": getattr(state, name),
        "value": value,
        "reason": validate_reason(str(payload.get("reason", ""))),
    }


@dataclass(slots=True)
class EventDraft:
    """An event decided by the domain, before the store stamps id, clock and actor on it."""

    case_id: str
    type: EventType
    payload: dict[str, Any] = field(default_factory=dict)


def decide_registration(case_id: str, number: str, intake: Intake) -> list[EventDraft]:
    """A new case; a 当场办 case is closed at once with the answer given at the desk."""
    drafts = [EventDraft(case_id, EventType.REGISTERED, {**intake.to_payload(), "number": number})]
    if intake.tier is Tier.ON_THE_SPOT:
        drafts.append(EventDraft(case_id, EventType.CLOSED, {"answer": intake.answer, "on_the_spot": True}))
    return drafts


def decide(state: CaseState, event_type: EventType, payload: Mapping[str, Any]) -> EventDraft:
    return EventDraft(state.id, event_type, check_legal(state, event_type, payload))


def describe_event(event: Event) -> str:
    """One line for a timeline, in Chinese."""
    p = event.payload
    label = EVENT_LABELS[event.type]
    match event.type:
        case EventType.REGISTERED:
            return f"{label}：{CHANNEL_LABELS[Channel(p['channel'])]}，{TIER_LABELS[Tier(p['tier'])]}"
        case EventType.DISPATCHED:
            return f"{label}：{p.get('assignee', '')}" + (f"（{p['note']}）" if p.get("note") else "")
        case EventType.TIER_CHANGED:
            return f"{label}：{TIER_LABELS[Tier(p['from'])]} → {TIER_LABELS[Tier(p['to'])]}，原因：{p['reason']}"
        case EventType.INTAKE_CORRECTED:
            return f"{label}：{p['field']}，原因：{p['reason']}"
        case EventType.CLOSED:
            return f"{label}：{p.get('answer', '')}"
        case EventType.FOLLOW_UP:
            from gridstation.domain.enums import FOLLOW_UP_KIND_LABELS, FOLLOW_UP_SOURCE_LABELS, SATISFACTION_LABELS

            source = ""
            if p.get("source") == FollowUpSource.PAPER_FORM:
                paper = FOLLOW_UP_SOURCE_LABELS[FollowUpSource.PAPER_FORM]
                source = f"（{paper}，回访人 {p.get('visitor', '')}，{p.get('visited_on', '')}）"
            return (
                f"{FOLLOW_UP_KIND_LABELS[FollowUpKind(p['kind'])]}："
                f"{SATISFACTION_LABELS[Satisfaction(p['satisfaction'])]}"
                + source
                + (f"，{p['note']}" if p.get("note") else "")
            )
        case EventType.RECEIPT_PRINTED:
            copies = int(p.get("copies", 1))
            return (
                ("补打回执" if p.get("reprint") else label)
                + (f"（{p['paper']}）" if p.get("paper") else "")
                + (f"，{copies} 份" if copies > 1 else "")
            )
        case EventType.CONFERENCE_FLAGGED:
            return f"列入难题会诊：{p['reason']}" if p.get("flagged") else "移出难题会诊"
        case _:
            note = p.get("note", "")
            return f"{label}" + (f"：{note}" if note else "")
