"""How an event reads in a case's timeline: one line in Chinese, for the desk, the CLI and paper."""

from __future__ import annotations

from datetime import datetime

from gridstation.domain.enums import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    REPLY_KIND_LABELS,
    TASK_ROLE_LABELS,
    TIER_LABELS,
    Channel,
    EventType,
    FollowUpKind,
    FollowUpSource,
    ReplyKind,
    Satisfaction,
    TaskRole,
    Tier,
)
from gridstation.domain.events import Event
from gridstation.domain.ledger_mark import ImportMark
from gridstation.domain.localtime import local_minute
from gridstation.domain.photos import describe_size
from gridstation.domain.supervision import describe_notice


def describe_event(event: Event) -> str:
    """One line for a timeline, in Chinese."""
    p = event.payload
    label = EVENT_LABELS[event.type]
    match event.type:
        case EventType.REGISTERED:
            mark = ImportMark.of(p)
            repeat = f"；复发，前次为 {p['repeat_of']}" if p.get("repeat_of") else ""
            imported = f"；{mark.describe()}" if mark else ""
            return f"{label}：{CHANNEL_LABELS[Channel(p['channel'])]}，{TIER_LABELS[Tier(p['tier'])]}{repeat}{imported}"
        case EventType.SUPPLEMENTED:
            return f"{label}（{CHANNEL_LABELS[Channel(p['channel'])]}）：{p['note']}"
        case EventType.DISPATCHED:
            assists = [t["department"] for t in p.get("tasks", []) if t.get("role") == TaskRole.ASSIST]
            return (
                f"{label}：{p.get('assignee', '')}"
                + ("（牵头）" if "lead" in p else "")
                + (f"，协办：{'、'.join(assists)}" if assists else "")
                + (f"（{p['note']}）" if p.get("note") else "")
            )
        case EventType.DEPARTMENT_REPLIED:
            role = TASK_ROLE_LABELS[TaskRole(p["role"])]
            kind = REPLY_KIND_LABELS[ReplyKind(p["kind"])]
            return f"{p['department']}（{role}）{kind}" + (f"：{p['note']}" if p.get("note") else "")
        case EventType.DISPATCH_WITHDRAWN:
            return f"{label}，原因：{p.get('reason', '')}"
        case EventType.GRIDLEAD_TOOK_LEAD:
            return f"{label}：{p.get('gridlead', '')}" + (f"（{p['note']}）" if p.get("note") else "")
        case EventType.CONFERENCE_DECIDED:
            due = local_minute(datetime.fromisoformat(p["due_at"]))
            who = "、".join(p.get("attendees", []))
            return f"{label}：{p['decision']}（参会：{who}；责任人：{p['owner']}；时限：{due}）"
        case EventType.SUPERVISED:
            return f"{label}：{describe_notice(p)}"
        case EventType.JOINT_MEETING:
            owners = f"，责任单位：{'、'.join(p['owners'])}" if p.get("owners") else ""
            due = f"，时限：{p['due_at']}" if p.get("due_at") else ""
            return f"{label}：{'、'.join(p.get('attendees', []))}参会，决定：{p.get('decision', '')}{owners}{due}"
        case EventType.OWNER_CHANGED:
            return f"{label}：{p.get('from') or '（无）'} → {p['to']}，原因：{p['reason']}"
        case EventType.TIER_CHANGED:
            return f"{label}：{TIER_LABELS[Tier(p['from'])]} → {TIER_LABELS[Tier(p['to'])]}，原因：{p['reason']}"
        case EventType.INTAKE_CORRECTED:
            return f"{label}：{p['field']}，原因：{p['reason']}"
        case EventType.CLOSED:
            return f"{label}：{p.get('answer', '')}"
        case EventType.VISIT_UNREACHABLE:
            from gridstation.domain.enums import FOLLOW_UP_KIND_LABELS

            said = f"，{p['note']}" if p.get("note") else ""
            return f"{FOLLOW_UP_KIND_LABELS[FollowUpKind(p['kind'])]}：联系不上{said}"
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
        case EventType.PHONE_UNMASKED:
            return f"{label}，原因：{p.get('reason', '')}"
        case EventType.PHOTO_ATTACHED:
            return f"{label}：{p.get('filename') or '照片'}（{describe_size(int(p.get('size', 0)))}）"
        case EventType.CONFERENCE_FLAGGED:
            return f"列入难题会诊：{p['reason']}" if p.get("flagged") else "移出难题会诊"
        case _:
            note = p.get("note", "")
            return f"{label}" + (f"：{note}" if note else "")
