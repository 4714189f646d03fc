"""Closed vocabularies of the domain. Values are stable identifiers stored in events; labels are Chinese."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    WALK_IN = "walk_in"
    HOTLINE_12345 = "hotline_12345"
    QR_REPORT = "qr_report"
    PETITION_DISPATCH = "petition_dispatch"
    GRID_PATROL = "grid_patrol"
    PHONE_CALL = "phone_call"  # a resident's call taken at the station's own desk (not a 12345 work order)


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.WALK_IN: "来访",
    Channel.HOTLINE_12345: "12345热线",
    Channel.QR_REPORT: "码上就来",
    Channel.PETITION_DISPATCH: "信访派单",
    Channel.GRID_PATROL: "网格巡查",
    Channel.PHONE_CALL: "来电",
}


class Tier(StrEnum):
    """Triage tiers (分类处置)."""

    ON_THE_SPOT = "on_the_spot"
    QUICK = "quick"
    TRACKED = "tracked"


TIER_LABELS: dict[Tier, str] = {
    Tier.ON_THE_SPOT: "当场办",
    Tier.QUICK: "协同快办",
    Tier.TRACKED: "跟踪督办",
}


class Status(StrEnum):
    REGISTERED = "registered"
    CONTACTED = "contacted"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    DISPOSED = "disposed"
    CLOSED = "closed"
    FOLLOWED_UP = "followed_up"
    REOPENED = "reopened"


STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "已登记",
    Status.CONTACTED: "已先联",
    Status.DISPATCHED: "已派单",
    Status.ON_SITE: "已到场",
    Status.DISPOSED: "已处置",
    Status.CLOSED: "已办结",
    Status.FOLLOWED_UP: "已回访",
    Status.REOPENED: "已重启",
}


class EventType(StrEnum):
    REGISTERED = "case.registered"
    FIRST_CONTACT = "case.first_contact"
    DISPATCHED = "case.dispatched"
    ARRIVED_ON_SITE = "case.arrived_on_site"
    DISPOSED = "case.disposed"
    CLOSED = "case.closed"
    FOLLOW_UP = "case.follow_up"
    # A visit tried and the resident not reached (联系不上): recorded, counted apart, the visit still due.
    VISIT_UNREACHABLE = "case.visit_unreachable"
    TIER_CHANGED = "case.tier_changed"
    # 专人专责: the case's one named owner hands it over to another (issue 16).
    OWNER_CHANGED = "case.owner_changed"
    INTAKE_CORRECTED = "case.intake_corrected"
    NOTE_ADDED = "case.note_added"
    RECEIPT_PRINTED = "case.receipt_printed"
    CONFERENCE_FLAGGED = "case.conference_flagged"
    # Someone was shown the resident's full phone number (with the reason they gave): the log says who saw it.
    PHONE_UNMASKED = "case.phone_unmasked"
    # A photo of the problem was added to the case (its bytes travel apart, by the resumable upload).
    PHOTO_ATTACHED = "case.photo_attached"
    # 吹哨报到 (issue 15): the centre withdraws its dispatch, a department answers it, a gridlead takes the lead
    # or records a 联勤联动 meeting. The centre's dispatch itself is a DISPATCHED naming a lead (domain/dispatch.py).
    DISPATCH_WITHDRAWN = "case.dispatch_withdrawn"
    DEPARTMENT_REPLIED = "case.department_replied"
    GRIDLEAD_TOOK_LEAD = "case.gridlead_took_lead"
    JOINT_MEETING = "case.joint_meeting"
    # 督办: the server's supervision pass turned a deadline into an act (domain/supervision.py).
    SUPERVISED = "case.supervised"
    # 难题会诊: the weekly conference's decision on a case: who came, what was decided, who does it by when.
    CONFERENCE_DECIDED = "case.conference_decided"
    # 追加诉求 (issue 17): the same problem reported again while the case is open, added to it instead of a new case.
    SUPPLEMENTED = "case.supplemented"


EVENT_LABELS: dict[EventType, str] = {
    EventType.REGISTERED: "登记",
    EventType.FIRST_CONTACT: "先联",
    EventType.DISPATCHED: "派单",
    EventType.ARRIVED_ON_SITE: "到场",
    EventType.DISPOSED: "处置",
    EventType.CLOSED: "办结",
    EventType.FOLLOW_UP: "回访",
    EventType.VISIT_UNREACHABLE: "回访未联系上",
    EventType.TIER_CHANGED: "调整分类",
    EventType.OWNER_CHANGED: "移交责任人",
    EventType.INTAKE_CORRECTED: "更正登记信息",
    EventType.NOTE_ADDED: "备注",
    EventType.RECEIPT_PRINTED: "打印回执",
    EventType.CONFERENCE_FLAGGED: "难题会诊",
    EventType.PHONE_UNMASKED: "查看完整电话",
    EventType.PHOTO_ATTACHED: "添加照片",
    EventType.DISPATCH_WITHDRAWN: "撤回派单",
    EventType.DEPARTMENT_REPLIED: "部门反馈",
    EventType.GRIDLEAD_TOOK_LEAD: "网格长牵头",
    EventType.JOINT_MEETING: "联勤联动",
    EventType.SUPERVISED: "督办",
    EventType.CONFERENCE_DECIDED: "难题会诊决定",
    EventType.SUPPLEMENTED: "追加诉求",
}


class ReplyKind(StrEnum):
    """What a department answers a dispatch with (部门报到)."""

    ACCEPT = "accept"
    REJECT = "reject"
    PROGRESS = "progress"
    ON_SITE = "on_site"
    RESULT = "result"


REPLY_KIND_LABELS: dict[ReplyKind, str] = {
    ReplyKind.ACCEPT: "接单",
    ReplyKind.REJECT: "退单",
    ReplyKind.PROGRESS: "进展",
    ReplyKind.ON_SITE: "到场",
    ReplyKind.RESULT: "办理结果",
}


class TaskRole(StrEnum):
    """A department's part in a dispatch: the one lead (牵头) or one of the co-operating departments (协办)."""

    LEAD = "lead"
    ASSIST = "assist"


TASK_ROLE_LABELS: dict[TaskRole, str] = {TaskRole.LEAD: "牵头", TaskRole.ASSIST: "协办"}


class TaskState(StrEnum):
    """Where a department's part of a dispatch stands."""

    DISPATCHED = "dispatched"  # 待接单
    ACCEPTED = "accepted"  # 办理中
    REJECTED = "rejected"  # 已退单
    ANSWERED = "answered"  # 已反馈 (its result is in)
    WITHDRAWN = "withdrawn"  # 已撤回 (the centre withdrew or re-dispatched without it)


TASK_STATE_LABELS: dict[TaskState, str] = {
    TaskState.DISPATCHED: "待接单",
    TaskState.ACCEPTED: "办理中",
    TaskState.REJECTED: "已退单",
    TaskState.ANSWERED: "已反馈",
    TaskState.WITHDRAWN: "已撤回",
}


class FollowUpKind(StrEnum):
    """双回访: the department's feedback comes first, then the station's own revisit."""

    DEPARTMENT_FEEDBACK = "department_feedback"
    STATION_REVISIT = "station_revisit"


FOLLOW_UP_KIND_LABELS: dict[FollowUpKind, str] = {
    FollowUpKind.DEPARTMENT_FEEDBACK: "部门反馈回访",
    FollowUpKind.STATION_REVISIT: "工作站回访",
}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


SATISFACTION_LABELS: dict[Satisfaction, str] = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.UNSATISFIED: "不满意",
}


class FollowUpSource(StrEnum):
    """How a visit's answers reached the station; a returned paper form is entered by a clerk later."""

    PHONE = "phone"
    VISIT = "visit"
    PAPER_FORM = "paper_form"


FOLLOW_UP_SOURCE_LABELS: dict[FollowUpSource, str] = {
    FollowUpSource.PHONE: "电话回访",
    FollowUpSource.VISIT: "上门回访",
    FollowUpSource.PAPER_FORM: "纸质回访表",
}


class Resolution(StrEnum):
    RESOLVED = "resolved"
    PARTLY = "partly"
    UNRESOLVED = "unresolved"


RESOLUTION_LABELS: dict[Resolution, str] = {
    Resolution.RESOLVED: "已解决",
    Resolution.PARTLY: "部分解决",
    Resolution.UNRESOLVED: "未解决",
}


class DisposalOutcome(StrEnum):
    """51530 accepts either a disposal or a plan for it within 30 minutes."""

    RESOLVED = "resolved"
    PLAN = "plan"


DISPOSAL_OUTCOME_LABELS: dict[DisposalOutcome, str] = {
    DisposalOutcome.RESOLVED: "已处置",
    DisposalOutcome.PLAN: "已拿出方案",
}


class Role(StrEnum):
    CLERK = "clerk"
    GRID_CHIEF = "grid_chief"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "接待员",
    Role.GRID_CHIEF: "网格长",
    Role.ADMIN: "管理员",
}


class SupervisionLevel(StrEnum):
    """What the supervision pass did about a case (domain/supervision.py)."""

    URGE = "urge"  # 预警催办: the deadline turned yellow
    ESCALATE = "escalate"  # 超时升级: it passed; up to the grid's 网格长
    DEPARTMENT_OVERDUE = "department_overdue"  # 部门超期: a department's part passed its due time; to the centre
    AGENDA = "agenda"  # 列入难题会诊: late twice, or a 跟踪督办 case late at all
    DECISION_OVERDUE = "decision_overdue"  # 会诊决定超期: the conference's decision is past its due date


SUPERVISION_LABELS: dict[SupervisionLevel, str] = {
    SupervisionLevel.URGE: "预警催办",
    SupervisionLevel.ESCALATE: "超时升级",
    SupervisionLevel.DEPARTMENT_OVERDUE: "部门超期",
    SupervisionLevel.AGENDA: "列入难题会诊",
    SupervisionLevel.DECISION_OVERDUE: "会诊决定超期",
}
