"""A case (民情诉求) as the fold of its events: what the clerk typed (`Intake`), the state (`CaseState`) and `apply`.

The stored projection is always `fold(stored events)`. Which events are legal when is `domain/lifecycle.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from gridstation.domain.enums import (
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    ReplyKind,
    Resolution,
    Satisfaction,
    Status,
    SupervisionLevel,
    Tier,
)
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.events import Event
from gridstation.domain.localtime import BEIJING
from gridstation.domain.payloads import check_payload
from gridstation.domain.sla import Deadline, DeadlinePolicy, Stage, answered_at_the_desk
from gridstation.domain.tasks import DepartmentTask, tasks_of_dispatch, with_reply, withdraw_all
from gridstation.domain.validation import (
    ADDRESS_MAX_CHARS,
    NAME_MAX_CHARS,
    check_characters,
    phone_needed,
    validate_description,
    validate_phone,
    validate_short_text,
)

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
    # 跟踪督办: the day the work is planned to be done, and who answers for it (default: the registering clerk).
    plan_due_on: date | None = None
    owner: str = ""
    # 复发 (issue 17): the number of the closed case at the same address this one repeats, as the desk warned.
    repeat_of: str = ""

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
        answer_required: bool = True,
        content_required: bool = True,
        plan_due_on: date | None = None,
        owner: str = "",
        plan_required: bool = False,
        repeat_of: str = "",
    ) -> Intake:
        """Validate every field and collect all problems, so the form can mark each one at once.

        `answer_required=False` for a registration already made: a 当场办 case's answer travels in its closing event.
        """
        problems: list[ValidationError] = []
        values: dict[str, Any] = {}

        def check(name: str, fn: Any, *args: Any, **kwargs: Any) -> None:
            try:
                values[name] = fn(*args, **kwargs)
            except ValidationError as err:
                problems.append(err)

        check("description", validate_description, description, require_content=content_required)
        check("phone", validate_phone, phone, required=phone_required and phone_needed(anonymous=anonymous))
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
        check("category_code", check_characters, category_code, field="category_code", label="诉求分类")
        check("grid_code", check_characters, grid_code, field="grid_code", label="网格")
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
                required=answer_required,
            )
        if plan_required and tier is Tier.TRACKED and plan_due_on is None:
            problems.append(ValidationError("plan_due_on", "intake.plan_missing", "跟踪督办须填写计划完成日期。"))
        check("owner", validate_short_text, owner, field="owner", label="责任人", limit=NAME_MAX_CHARS)
        check("repeat_of", validate_short_text, repeat_of, field="repeat_of", label="复发关联的诉求编号", limit=40)
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
            plan_due_on=plan_due_on if tier is Tier.TRACKED else None,
            owner=values["owner"],
            repeat_of=values["repeat_of"],
        )

    @classmethod
    def of_registration(cls, payload: Mapping[str, Any]) -> Intake:
        """The intake a registration event carries, checked as strictly as a clerk's typing: its typed shape
        (`domain/payloads.py`: no unknown fields, text where text belongs), then every field's own rule.

        Raises ValidationError for a payload of the wrong shape, IntakeInvalid for fields that break their rules.
        """
        check_payload(EventType.REGISTERED, payload, stored=True)
        return cls.validated(
            channel=Channel(payload["channel"]),
            category_code=payload["category_code"],
            description=payload["description"],
            tier=Tier(payload["tier"]),
            compound=payload.get("compound", ""),
            building=payload.get("building", ""),
            address=payload.get("address", ""),
            grid_code=payload.get("grid_code", ""),
            complainant_name=payload.get("complainant_name", ""),
            phone=payload.get("phone", ""),
            anonymous=payload.get("anonymous", False),
            phone_required=False,
            answer_required=False,
            # A registration stored before descriptions had to say something in words still syncs.
            content_required=False,
            plan_due_on=_plan_date(payload.get("plan_due_on")),
            owner=payload.get("owner", ""),
            repeat_of=payload.get("repeat_of", ""),
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
            # Only when given: a registration without them keeps the shape (and the hash) it always had.
            **({"plan_due_on": self.plan_due_on.isoformat()} if self.plan_due_on else {}),
            **({"owner": self.owner} if self.owner else {}),
            **({"repeat_of": self.repeat_of} if self.repeat_of else {}),
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
    # 吹哨报到: the departments of the centre's current dispatch (domain/tasks.py), the gridlead who took the lead,
    # and why the case went back to the centre's queue (a withdrawal, or the lead's 退单) until it is dispatched again.
    tasks: tuple[DepartmentTask, ...] = ()
    gridlead: str = ""
    returned_reason: str = ""
    version: int = 0
    last_hlc: str = ""
    updated_at: datetime | None = None
    # The tier and category the running stage's deadline started under (`apply` sets them whenever a stage starts).
    # A deadline, once started, ends met or missed on its own terms: a tier change or a category correction plans
    # the stages still to come, never the one running, or a late case could be made to look on time (issue 16).
    # None in a state stored before they existed: the current tier and category stand in.
    deadline_tier: Tier | None = None
    deadline_category: str | None = None
    # 专人专责: the one person answerable for the case — the clerk who registered it, for a work order the clerk
    # who took it up (first contact), a 网格长 who took the lead; handed over only by an OWNER_CHANGED event.
    owner: str = ""
    # 复发 (issue 17): the closed case at the same address this one repeats (its number), "" if none.
    repeat_of: str = ""
    # 跟踪督办: when the plan made at registration runs out (the start of the day after its plan date, Beijing time).
    plan_due_at: datetime | None = None
    # 难题会诊's latest decision on the case (the case stays on the agenda until it is done): what, who, by when.
    conference_decision: str = ""
    conference_owner: str = ""
    conference_due_at: datetime | None = None

    @property
    def satisfaction(self) -> Satisfaction | None:
        return self.follow_ups[-1].satisfaction if self.follow_ups else None

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED

    @property
    def has_resident(self) -> bool:
        """Someone to call back: a grid patrol's own find (a dumped sofa, a blocked drain) may have nobody."""
        return self.channel is not Channel.GRID_PATROL or bool(self.phone or self.complainant_name.strip())

    def running_deadline(self, policy: DeadlinePolicy) -> Deadline | None:
        """The deadline that comes due first: the running stage's, or a work order's own due time while it is not
        answered yet (an urgent 12345 ticket due 21:00 is red at 21:01 whatever its stage's clock says)."""
        stage = self.stage_deadline(policy)
        ticket = self.work_order_deadline()
        if ticket is not None and (stage is None or ticket.due_at < stage.due_at):
            return ticket
        return stage

    def stage_deadline(self, policy: DeadlinePolicy) -> Deadline | None:
        """The deadline of the stage the case is in, on the terms it started under; None if none runs."""
        if self.stage_started_at is None:
            return None
        tier = self.deadline_tier or self.tier
        category = self.category_code if self.deadline_category is None else self.deadline_category
        return policy.deadline(tier, category, self.channel, self.status, self.stage_started_at)

    def work_order_deadline(self) -> Deadline | None:
        """A work order's own due time, from its dispatch (`registered_at`) until it is first disposed."""
        if not self.work_order or self.due_at is None or self.disposed_at is not None or not self.is_open:
            return None
        return Deadline(Stage.WORK_ORDER, self.registered_at, self.due_at)

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


def _plan_date(raw: Any) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError("plan_due_on", "intake.plan_date", "计划完成日期的格式有误（如 2026-12-10）。") from None


def _plan_due_at(raw: Any) -> datetime | None:
    day = _plan_date(raw)
    return None if day is None else datetime.combine(day + timedelta(days=1), time(0), tzinfo=BEIJING)


def apply(state: CaseState | None, event: Event) -> CaseState:
    """Fold one event into the state. Events are assumed legal (checked when decided)."""
    if state is None:
        return _registered(event)
    if event.type is EventType.REGISTERED:
        raise DomainError("case.already_registered", "该诉求已登记。")
    at = _ts(event)
    # One new state per event: the server folds every pushed event and the desk every pulled one, and building
    # the state once (not once for the version bump and again for the event's own change) halved the fold's cost.
    changes: dict[str, Any] = {
        "version": state.version + 1,
        "last_hlc": max(state.last_hlc, event.hlc),
        "updated_at": at,
    }
    changes.update(_changes(state, event, at))
    if changes.get("stage_started_at", state.stage_started_at) != state.stage_started_at:
        # A stage (and its deadline) starts: on the case's terms as they are now.
        changes["deadline_tier"] = changes.get("tier", state.tier)
        changes["deadline_category"] = changes.get("category_code", state.category_code)
    return replace(state, **changes)


def _registered(event: Event) -> CaseState:
    if event.type is not EventType.REGISTERED:
        raise DomainError("case.unknown", "找不到该诉求。")
    p = event.payload
    tier = Tier(p["tier"])
    # The first stage starts at registration, on the terms the case was registered with.
    return CaseState(
        id=event.case_id,
        number=p["number"],
        station_code=event.station_code,
        channel=Channel(p["channel"]),
        category_code=p["category_code"],
        description=p["description"],
        tier=tier,
        status=Status.REGISTERED,
        registered_at=_ts(event),
        registered_by=event.actor_name,
        owner=p.get("owner") or ("" if isinstance(p.get("work_order"), Mapping) else event.actor_name),
        plan_due_at=_plan_due_at(p.get("plan_due_on")),
        repeat_of=p.get("repeat_of", ""),
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
        deadline_tier=tier,
        deadline_category=p["category_code"],
    )


def _changes(state: CaseState, event: Event, at: datetime) -> dict[str, Any]:
    """The fields an event after the registration changes, besides the version, clock and time every event moves."""
    p = event.payload
    match event.type:
        case EventType.FIRST_CONTACT:
            return {
                "status": Status.CONTACTED,
                "first_contact_at": state.first_contact_at or at,
                "stage_started_at": at,
                "owner": state.owner or event.actor_name,
            }
        case EventType.OWNER_CHANGED:
            return {"owner": p["to"]}
        case EventType.DISPATCHED:
            return {
                "status": Status.DISPATCHED,
                "assignee": p.get("assignee", ""),
                "tasks": tasks_of_dispatch(p, state.tasks) if "tasks" in p else state.tasks,
                "returned_reason": "",
                "dispatched_at": state.dispatched_at or at,
                # The on-site stage starts at first contact: dispatching within it (or re-dispatching)
                # does not restart its clock. From a reopened case, dispatching starts the stage.
                "stage_started_at": (
                    state.stage_started_at if state.status in (Status.CONTACTED, Status.DISPATCHED) else at
                ),
            }
        case EventType.ARRIVED_ON_SITE:
            return {"status": Status.ON_SITE, "on_site_at": at, "stage_started_at": at}
        case EventType.DISPOSED:
            return {
                "status": Status.DISPOSED,
                "disposed_at": at,
                "disposal_outcome": DisposalOutcome(p["outcome"]),
                "stage_started_at": at,
            }
        case EventType.CLOSED:
            return {
                "status": Status.CLOSED,
                "closed_at": at,
                "stage_started_at": at,
                "answer": p.get("answer", state.answer),
            }
        case EventType.FOLLOW_UP:
            record = FollowUpRecord(
                FollowUpKind(p["kind"]), Satisfaction(p["satisfaction"]), Resolution(p["resolution"]), at
            )
            follow_ups = (*state.follow_ups, record)
            if record.satisfaction is Satisfaction.UNSATISFIED:
                return {
                    "status": Status.REOPENED,
                    "follow_ups": follow_ups,
                    "reopen_count": state.reopen_count + 1,
                    "stage_started_at": at,
                    "closed_at": None,
                }
            if record.kind is FollowUpKind.STATION_REVISIT:
                return {"status": Status.FOLLOWED_UP, "follow_ups": follow_ups, "stage_started_at": at}
            return {"follow_ups": follow_ups}
        case EventType.TIER_CHANGED:
            # The running deadline keeps its terms (see `deadline_tier`); the new tier plans the stages to come.
            # Only a case the desk was to answer at once (当场办, no deadline) that now goes out starts one here.
            tier = Tier(p["to"])
            started = state.deadline_tier or state.tier
            if answered_at_the_desk(started, state.status) and not answered_at_the_desk(tier, state.status):
                return {"tier": tier, "stage_started_at": at, "deadline_tier": tier}
            return {"tier": tier}
        case EventType.INTAKE_CORRECTED:
            return {p["field"]: p["value"]}
        case (
            EventType.NOTE_ADDED
            | EventType.PHONE_UNMASKED
            | EventType.PHOTO_ATTACHED
            | EventType.VISIT_UNREACHABLE
            | EventType.SUPPLEMENTED
            | EventType.JOINT_MEETING
        ):
            return {}
        case EventType.RECEIPT_PRINTED:
            return {"receipts_printed": state.receipts_printed + 1}
        case EventType.DISPATCH_WITHDRAWN:
            return {**_back_to_queue(state, p["reason"]), "tasks": withdraw_all(state.tasks)}
        case EventType.DEPARTMENT_REPLIED:
            return _fold_reply(state, p, at)
        case EventType.GRIDLEAD_TOOK_LEAD:
            lead = f"网格长 {p['gridlead']}"
            taken: dict[str, Any] = {"gridlead": p["gridlead"], "assignee": lead, "owner": lead, "returned_reason": ""}
            if state.status in (Status.REGISTERED, Status.CONTACTED, Status.REOPENED):
                taken.update(status=Status.DISPATCHED, dispatched_at=state.dispatched_at or at)
            return taken
        case EventType.CONFERENCE_DECIDED:
            return {
                "conference_decision": p["decision"],
                "conference_owner": p["owner"],
                "conference_due_at": datetime.fromisoformat(p["due_at"]),
            }
        case EventType.SUPERVISED:
            if p["level"] == SupervisionLevel.AGENDA:  # onto the weekly 难题会诊, as a person's flag would put it
                return {"conference_flagged": True, "conference_reason": f"督办：{p['reason']}"}
            return {}
        case EventType.CONFERENCE_FLAGGED:
            flagged = bool(p["flagged"])
            return {"conference_flagged": flagged, "conference_reason": p["reason"] if flagged else ""}
    raise DomainError("event.unknown_type", f"未知的事件类型：{event.type}")


def _back_to_queue(state: CaseState, reason: str) -> dict[str, Any]:
    """The centre's queue: the case waits to be dispatched again, where it stood before it was dispatched."""
    status = Status.CONTACTED if state.first_contact_at else Status.REGISTERED
    return {"status": status, "assignee": "", "returned_reason": reason}


def _fold_reply(state: CaseState, p: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """A department's answer: its own task moves; the lead's answers move the case (on site, disposed, returned)."""
    kind = ReplyKind(p["kind"])
    answered: dict[str, Any] = {"tasks": with_reply(state.tasks, p["department"], kind, p.get("note", ""))}
    if p["role"] != "lead":
        return answered  # a co-operating department's answers are kept beside the lead's
    if kind is ReplyKind.REJECT:
        return {**answered, **_back_to_queue(state, p.get("note", ""))}
    if kind is ReplyKind.ON_SITE and state.status is Status.DISPATCHED:
        return {**answered, "status": Status.ON_SITE, "on_site_at": at, "stage_started_at": at}
    if kind is ReplyKind.RESULT:
        return {
            **answered,
            "status": Status.DISPOSED,
            "disposed_at": at,
            "disposal_outcome": DisposalOutcome.RESOLVED,
            "stage_started_at": at,
        }
    return answered


def fold(events: Iterable[Event]) -> CaseState:
    state: CaseState | None = None
    for event in events:
        state = apply(state, event)
    if state is None:
        raise DomainError("case.unknown", "找不到该诉求。")
    return state
