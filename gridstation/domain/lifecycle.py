"""The lifecycle of a case: which events a person may record in which state, and deciding them.

`decide_*` functions check the rules against the current state and return new events (drafts the store stamps);
`apply` in domain/case.py folds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gridstation.domain.case import CORRECTABLE_FIELDS, FINISHED, CaseState, Intake
from gridstation.domain.dispatch import check_centre_event, is_centre_dispatch
from gridstation.domain.enums import (
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
from gridstation.domain.errors import IllegalTransition, ValidationError
from gridstation.domain.payloads import CENTRE_ONLY_EVENTS, check_payload
from gridstation.domain.photos import clean_photo_payload
from gridstation.domain.sla import CONTACTED_AT_REGISTRATION
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
# and not offered as buttons among the lifecycle steps (the desk has its own commands for them). Unmasking a phone
# number is one: a resident may need a call back long after the case closed, and every look is on the record.
# A photo is one too: a resident may bring one after the case closed, and the desk has its own button for it.
BOOKKEEPING_EVENTS = frozenset({EventType.RECEIPT_PRINTED, EventType.PHONE_UNMASKED, EventType.PHOTO_ATTACHED})

# 当场办 cases are answered at the desk: they may close straight from registration or first contact.
ON_THE_SPOT_CLOSABLE = frozenset({Status.REGISTERED, Status.CONTACTED})


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
        actions.extend([EventType.FOLLOW_UP, EventType.VISIT_UNREACHABLE])
    if state.status not in FINISHED:
        actions.extend([EventType.TIER_CHANGED, EventType.SUPPLEMENTED])
    if state.status is not Status.FOLLOWED_UP:  # closed and waiting for its visits is still someone's work
        actions.append(EventType.OWNER_CHANGED)
    # A flagged case can always be taken off the conference list, even after it closed.
    if state.status not in FINISHED or state.conference_flagged:
        actions.append(EventType.CONFERENCE_FLAGGED)
    actions.extend([EventType.INTAKE_CORRECTED, EventType.NOTE_ADDED])
    return actions


def check_legal(state: CaseState, event_type: EventType, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Raise IllegalTransition / ValidationError if `event_type` may not happen now; return a clean payload.

    The payload given is checked against its typed shape first (unknown fields and values of the wrong type are
    refused, whether a person, a department or a pushed event gave them), and the clean payload returned always has
    the complete shape of a stored event (`domain/payloads.py`).
    """
    if event_type in CENTRE_ONLY_EVENTS or is_centre_dispatch(event_type, payload):
        # 吹哨报到: the centre's dispatch and the departments' and gridleads' answers have their own rules.
        check_payload(event_type, payload, stored=False)
        clean = check_centre_event(state, event_type, payload)
        check_payload(event_type, clean, stored=True)
        return clean
    if event_type not in legal_actions(state) and event_type not in BOOKKEEPING_EVENTS:
        raise _illegal(state, event_type)
    check_payload(event_type, payload, stored=False)
    clean = _clean_payload(state, event_type, payload)
    check_payload(event_type, clean, stored=True)
    return clean


def _clean_payload(state: CaseState, event_type: EventType, payload: Mapping[str, Any]) -> dict[str, Any]:
    clean = dict(payload)
    if event_type is EventType.SUPPLEMENTED:
        clean["note"] = validate_short_text(
            str(payload.get("note", "")), field="note", label="追加内容", limit=2000, required=True
        )
    elif event_type in (EventType.FIRST_CONTACT, EventType.ARRIVED_ON_SITE, EventType.NOTE_ADDED):
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
    elif event_type is EventType.VISIT_UNREACHABLE:
        clean.update(_check_unreachable(state, payload))
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
    elif event_type is EventType.OWNER_CHANGED:
        new_owner = validate_short_text(
            str(payload.get("to", "")), field="to", label="新责任人", limit=NAME_MAX_CHARS, required=True
        )
        if new_owner == state.owner:
            raise ValidationError("to", "owner.same", f"{new_owner} 已是该诉求的责任人。")
        clean = {"from": state.owner, "to": new_owner, "reason": validate_reason(str(payload.get("reason", "")))}
    elif event_type is EventType.RECEIPT_PRINTED:
        clean = {
            "reprint": state.receipts_printed > 0,
            "paper": validate_short_text(str(payload.get("paper", "")), field="paper", label="纸张", limit=40),
            "copies": _positive_int(payload.get("copies", 1), field="copies", label="份数", most=5),
        }
    elif event_type is EventType.PHONE_UNMASKED:
        if not state.phone:
            raise ValidationError("phone", "phone.none", f"诉求 {state.number} 没有留联系电话。")
        reason = validate_short_text(
            str(payload.get("reason", "")), field="reason", label="查看原因", limit=200, required=True
        )
        clean = {"reason": reason}
    elif event_type is EventType.PHOTO_ATTACHED:
        clean = clean_photo_payload(payload)
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


def _check_unreachable(state: CaseState, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A visit tried without reaching the resident: of the visit due now; the visit stays due."""
    due = state.pending_follow_up()
    try:
        kind = FollowUpKind(payload.get("kind", due))
        source = FollowUpSource(payload.get("source", FollowUpSource.PHONE))
    except ValueError as err:
        raise ValidationError("source", "follow_up.source", "请选择回访方式。") from err
    if kind is not due:
        raise IllegalTransition("follow_up.order", "双回访须先记录部门反馈回访，再记录工作站回访。")
    note = validate_short_text(str(payload.get("note", "")), field="note", label="说明", limit=2000)
    return {"kind": str(kind), "source": str(source), "note": note}


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


# The note of the first contact a registration records for a resident at the desk or on the line.
CONTACT_AT_REGISTRATION_NOTE = "登记时已与居民当面或通话沟通"
NO_RESIDENT_NOTE = "网格巡查发现，无需联系居民"


def decide_registration(case_id: str, number: str, intake: Intake) -> list[EventDraft]:
    """A new case; a 当场办 case is closed at once with the answer given at the desk.

    A walk-in or a call taken at the desk is in contact with the resident while it is registered: first contact is
    recorded with the registration, so no separate 先联 is due within minutes.
    """
    registration = {**intake.to_payload(), "number": number}
    check_payload(EventType.REGISTERED, registration, stored=True)
    drafts = [EventDraft(case_id, EventType.REGISTERED, registration)]
    if intake.tier is Tier.ON_THE_SPOT:
        drafts.append(EventDraft(case_id, EventType.CLOSED, {"answer": intake.answer, "on_the_spot": True}))
    elif contacted_at_registration(intake):
        note = CONTACT_AT_REGISTRATION_NOTE if intake.channel in CONTACTED_AT_REGISTRATION else NO_RESIDENT_NOTE
        drafts.append(_contact_at_registration(case_id, note))
    return drafts


def contacted_at_registration(intake: Intake) -> bool:
    """No 先联 is due after registration: the resident is at the desk or on the line, or a grid patrol's own find
    has nobody to call back (left out of 先联率; its on-site clock starts at once)."""
    if intake.channel in CONTACTED_AT_REGISTRATION:
        return True
    return intake.channel is Channel.GRID_PATROL and not (intake.phone or intake.complainant_name.strip())


def _contact_at_registration(case_id: str, note: str) -> EventDraft:
    contact = {"note": note}
    check_payload(EventType.FIRST_CONTACT, contact, stored=True)
    return EventDraft(case_id, EventType.FIRST_CONTACT, contact)


def decide(state: CaseState, event_type: EventType, payload: Mapping[str, Any]) -> EventDraft:
    return EventDraft(state.id, event_type, check_legal(state, event_type, payload))
