"""The typed shape of every event's payload: which fields each type of event carries, and of which JSON type.

One table, read on both sides with the same code: the desk checks what a person gave and what it decided before it
stores an event (`lifecycle.check_legal`), and the server checks every payload a station pushes before it folds it
(`server/ingest.py`, then `check_legal` as well). A payload is a JSON object whose keys are all listed for its type,
each value of the listed type, and every string in it free of control characters (`validation.check_characters`).

Unknown fields are refused, not dropped: a stored event is hashed as it is (`Event.content_hash`), so the server
could not drop a field without changing the event, and a field no code reads is either a mistake or a smuggled
value. Some fields only the centre writes (a work order's ticket block, the department that reported a step): a
station never sends them (`CENTRE_ONLY_FIELDS`, enforced where the server takes a station's events).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gridstation.domain.enums import (
    EVENT_LABELS,
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    FollowUpSource,
    ReplyKind,
    Resolution,
    Satisfaction,
    SupervisionLevel,
    TaskRole,
    Tier,
)
from gridstation.domain.errors import ValidationError
from gridstation.domain.validation import check_characters

TEXT: tuple[type, ...] = (str,)
YES_NO: tuple[type, ...] = (bool,)
WHOLE_NUMBER: tuple[type, ...] = (int,)
TEXT_OR_YES_NO: tuple[type, ...] = (str, bool)
TEXT_OR_EMPTY: tuple[type, ...] = (str, type(None))
OBJECT: tuple[type, ...] = (dict,)
LIST: tuple[type, ...] = (list,)

_TYPE_WORDS = {str: "文字", bool: "是/否", int: "整数", dict: "对象", type(None): "空值", list: "列表", float: "小数"}


@dataclass(frozen=True, slots=True)
class FieldShape:
    """One field of a payload: its Chinese label (for messages), its JSON types, and what a stored event needs."""

    label: str
    types: tuple[type, ...] = TEXT
    # Needed in a stored event (the fold and the timeline read it); what a person gives may leave it out, and the
    # domain fills it in or says in its own words what is missing.
    stored_required: bool = False
    # For a closed vocabulary: the values a stored event may hold.
    choices: type[StrEnum] | None = None
    # For a nested object (the work order block): its own fields.
    fields: Mapping[str, FieldShape] | None = None
    # For a list (a dispatch's departments, a meeting's attendees): the shape of each item.
    items: FieldShape | None = None


def _needed(label: str, types: tuple[type, ...] = TEXT, choices: type[StrEnum] | None = None) -> FieldShape:
    return FieldShape(label, types, stored_required=True, choices=choices)


_NOTE = FieldShape("说明")
# Which department reported a step: written by the server on a department's update, never by a station.
_DEPARTMENT = FieldShape("上报部门")

WORK_ORDER_FIELDS: dict[str, FieldShape] = {
    "ticket": _needed("工单编号"),
    "source": _needed("工单来源", choices=Channel),
    "dispatched_at": _needed("派单时间"),
    "due_at": FieldShape("处理时限", TEXT_OR_EMPTY),
    "urgent": FieldShape("紧急", YES_NO),
}

# One department's part of a centre's dispatch (吹哨报到, domain/dispatch.py).
TASK_FIELDS: dict[str, FieldShape] = {
    "department": _needed("部门"),
    "role": _needed("牵头或协办", choices=TaskRole),
    "due_at": FieldShape("办理时限", TEXT_OR_EMPTY),
}
_TEXT_ITEM = FieldShape("名称")
# A case brought in from a station's historic ledger (domain/ledger_history.py): the file, its row, the row's
# fingerprint (which recognises the row when the same ledger is imported again).
IMPORT_FIELDS: dict[str, FieldShape] = {
    "file": _needed("台账文件"),
    "row": _needed("台账行号", WHOLE_NUMBER),
    "fingerprint": _needed("台账行指纹"),
}

PAYLOAD_SHAPES: dict[EventType, dict[str, FieldShape]] = {
    EventType.REGISTERED: {
        "number": _needed("诉求编号"),
        "channel": _needed("渠道", choices=Channel),
        "category_code": _needed("诉求分类"),
        "description": _needed("诉求内容"),
        "tier": _needed("处置分类", choices=Tier),
        "compound": FieldShape("小区"),
        "building": FieldShape("楼栋"),
        "address": FieldShape("地址"),
        "grid_code": FieldShape("网格"),
        "complainant_name": FieldShape("姓名"),
        "phone": FieldShape("电话"),
        "anonymous": FieldShape("匿名", YES_NO),
        "work_order": FieldShape("工单", OBJECT, fields=WORK_ORDER_FIELDS),
        "plan_due_on": FieldShape("计划完成日期"),
        "owner": FieldShape("责任人"),
        "repeat_of": FieldShape("复发关联"),
        "imported": FieldShape("历史台账导入", OBJECT, fields=IMPORT_FIELDS),
    },
    EventType.FIRST_CONTACT: {"note": _NOTE},
    EventType.DISPATCHED: {
        "assignee": _needed("承办人或部门"),
        "note": _NOTE,
        "department": _DEPARTMENT,
        # The centre's dispatch to departments: its lead's code, and every department's part with its deadline.
        "lead": FieldShape("牵头部门"),
        "tasks": FieldShape("承办部门", LIST, items=FieldShape("承办部门", OBJECT, fields=TASK_FIELDS)),
    },
    EventType.ARRIVED_ON_SITE: {"note": _NOTE, "department": _DEPARTMENT},
    EventType.DISPOSED: {
        "outcome": _needed("处置结果", choices=DisposalOutcome),
        "note": _needed("处置情况"),
        "department": _DEPARTMENT,
    },
    EventType.CLOSED: {
        "answer": _needed("办结答复"),
        "on_the_spot": FieldShape("当场办结", YES_NO),
        "department": _DEPARTMENT,
    },
    EventType.VISIT_UNREACHABLE: {
        "kind": _needed("回访类型", choices=FollowUpKind),
        "source": FieldShape("回访方式", choices=FollowUpSource),
        "note": FieldShape("说明"),
    },
    EventType.FOLLOW_UP: {
        "kind": _needed("回访类型", choices=FollowUpKind),
        "satisfaction": _needed("满意度", choices=Satisfaction),
        "resolution": _needed("是否解决", choices=Resolution),
        "note": FieldShape("回访意见"),
        "visitor": FieldShape("回访人"),
        "source": FieldShape("回访方式", choices=FollowUpSource),
        "visited_on": FieldShape("回访表日期"),
    },
    EventType.OWNER_CHANGED: {
        "from": FieldShape("原责任人"),
        "to": _needed("新责任人"),
        "reason": _needed("原因"),
    },
    EventType.TIER_CHANGED: {
        "from": _needed("原处置分类", choices=Tier),
        "to": _needed("新处置分类", choices=Tier),
        "reason": _needed("原因"),
    },
    EventType.INTAKE_CORRECTED: {
        "field": _needed("更正项目"),
        "old": FieldShape("原内容", TEXT_OR_YES_NO),
        "value": _needed("更正内容", TEXT_OR_YES_NO),
        "reason": _needed("原因"),
    },
    EventType.NOTE_ADDED: {"note": _needed("说明")},
    # 追加诉求 (issue 17): a resident reports again what an open case already holds; no new case is made.
    EventType.SUPPLEMENTED: {"note": _needed("追加内容"), "channel": _needed("渠道", choices=Channel)},
    EventType.RECEIPT_PRINTED: {
        "reprint": FieldShape("补打", YES_NO),
        "paper": FieldShape("纸张"),
        "copies": FieldShape("份数", WHOLE_NUMBER),
    },
    EventType.CONFERENCE_FLAGGED: {"flagged": _needed("操作", YES_NO), "reason": _needed("会诊事由")},
    # Who saw a resident's full phone number and why (issue 13, item 8); the number itself is never in the log.
    EventType.PHONE_UNMASKED: {"reason": _needed("查看原因")},
    # A photo by its content (domain/photos.py): the bytes are uploaded apart and found by this hash.
    EventType.PHOTO_ATTACHED: {
        "sha256": _needed("照片校验值"),
        "size": _needed("照片大小", WHOLE_NUMBER),
        "media_type": _needed("照片格式"),
        "filename": FieldShape("文件名"),
    },
    EventType.DISPATCH_WITHDRAWN: {"reason": _needed("撤回原因")},
    EventType.DEPARTMENT_REPLIED: {
        "kind": _needed("反馈类型", choices=ReplyKind),
        "department": _needed("反馈部门"),
        "role": _needed("牵头或协办", choices=TaskRole),
        "note": FieldShape("说明"),
    },
    EventType.GRIDLEAD_TOOK_LEAD: {"gridlead": _needed("网格长"), "note": _NOTE},
    EventType.SUPERVISED: {
        "level": _needed("督办类型", choices=SupervisionLevel),
        "key": _needed("督办事项"),
        "to": _needed("督办对象"),
        "reason": _needed("督办原因"),
    },
    EventType.CONFERENCE_DECIDED: {
        "attendees": FieldShape("参会单位", LIST, stored_required=True, items=_TEXT_ITEM),
        "decision": _needed("会诊决定"),
        "owner": _needed("责任人"),
        "due_at": _needed("完成时限"),
    },
    EventType.JOINT_MEETING: {
        "convened_by": _needed("召集人"),
        "attendees": FieldShape("参会单位", LIST, stored_required=True, items=_TEXT_ITEM),
        "decision": _needed("会议决定"),
        "owners": FieldShape("责任单位", LIST, items=_TEXT_ITEM),
        "due_at": FieldShape("完成时限", TEXT_OR_EMPTY),
    },
}
# Every event but a registration may say which sync conflict it settles.
COMMON_FIELDS: dict[str, FieldShape] = {"resolves_conflict": FieldShape("冲突编号")}
CENTRE_ONLY_FIELDS = frozenset({"work_order", "department", "lead", "tasks"})
# Events only the server records (the centre, departments, gridleads in the console): no station sends them.
CENTRE_ONLY_EVENTS = frozenset(
    {
        EventType.DISPATCH_WITHDRAWN,
        EventType.DEPARTMENT_REPLIED,
        EventType.GRIDLEAD_TOOK_LEAD,
        EventType.JOINT_MEETING,
        EventType.SUPERVISED,
        EventType.CONFERENCE_DECIDED,
    }
)
# The intake fields whose corrections are yes/no rather than text (see `Intake`).
YES_NO_CORRECTIONS = frozenset({"anonymous"})


def payload_fields(event_type: EventType) -> dict[str, FieldShape]:
    shapes = PAYLOAD_SHAPES[event_type]
    return shapes if event_type is EventType.REGISTERED else {**shapes, **COMMON_FIELDS}


def check_payload(event_type: EventType, payload: Mapping[str, Any], *, stored: bool) -> None:
    """Raise ValidationError unless `payload` has the shape of `event_type`'s payload.

    `stored=False` checks what a person gave the domain (fields may be missing: the domain fills them in or says
    what is missing in its own words); `stored=True` checks an event as it is kept (every field the fold needs is
    there, closed vocabularies hold one of their values).
    """
    if not isinstance(payload, Mapping):
        raise ValidationError("payload", "payload.not_object", f"「{EVENT_LABELS[event_type]}」事件的内容格式有误。")
    _check_fields(payload, payload_fields(event_type), EVENT_LABELS[event_type], stored=stored, path="")
    if stored and event_type is EventType.INTAKE_CORRECTED:
        _check_correction_types(payload)


def _check_fields(
    payload: Mapping[str, Any], shapes: Mapping[str, FieldShape], what: str, *, stored: bool, path: str
) -> None:
    for name, value in payload.items():
        where = f"{path}{name}"
        if not isinstance(name, str) or name not in shapes:
            raise ValidationError(
                where, "payload.unknown_field", f"「{what}」事件不应含有字段「{str(name)[:40]}」。", field_name=name
            )
        shape = shapes[name]
        if not _has_type(value, shape.types):
            wanted = "或".join(_TYPE_WORDS.get(t, t.__name__) for t in shape.types)
            got = _TYPE_WORDS.get(type(value), type(value).__name__)
            raise ValidationError(
                where,
                "payload.field_type",
                f"「{what}」事件的「{shape.label}」（{where}）应为{wanted}，收到的是{got}。",
                field_name=where,
            )
        if isinstance(value, str):
            check_characters(value, field=where, label=shape.label)
            if stored and shape.choices is not None and value not in {str(c) for c in shape.choices}:
                raise ValidationError(
                    where,
                    "payload.field_value",
                    f"「{what}」事件的「{shape.label}」（{where}）的值「{value[:40]}」无效。",
                    field_name=where,
                )
        elif isinstance(value, Mapping) and shape.fields is not None:
            _check_fields(value, shape.fields, what, stored=stored, path=f"{where}.")
        elif isinstance(value, list) and shape.items is not None:
            _check_items(value, shape.items, what, stored=stored, where=where)
    if stored:
        for name, shape in shapes.items():
            if shape.stored_required and name not in payload:
                raise ValidationError(
                    f"{path}{name}",
                    "payload.field_missing",
                    f"「{what}」事件缺少「{shape.label}」（{path}{name}）。",
                    field_name=f"{path}{name}",
                )


def _check_items(values: list[Any], shape: FieldShape, what: str, *, stored: bool, where: str) -> None:
    """Each item of a list field, checked as a field of its own (`where[0]`, `where[1]` …)."""
    if len(values) > 50:
        raise ValidationError(
            where, "payload.too_many", f"「{what}」事件的「{shape.label}」最多 50 项。", field_name=where
        )
    _check_fields(
        {f"{where}[{i}]": v for i, v in enumerate(values)},
        {f"{where}[{i}]": shape for i in range(len(values))},
        what,
        stored=stored,
        path="",
    )


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    # JSON's true/false are not numbers here, though Python's bool is an int.
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def _check_correction_types(payload: Mapping[str, Any]) -> None:
    """A correction keeps the type of the field it corrects: yes/no for `anonymous`, text for the rest."""
    wanted = bool if payload.get("field") in YES_NO_CORRECTIONS else str
    for name in ("old", "value"):
        if name in payload and type(payload[name]) is not wanted:
            label = PAYLOAD_SHAPES[EventType.INTAKE_CORRECTED][name].label
            raise ValidationError(
                name,
                "payload.field_type",
                f"「更正登记信息」事件的「{label}」（{name}）应为{_TYPE_WORDS[wanted]}。",
                field_name=name,
            )
