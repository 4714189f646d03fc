"""The columns of a historic ledger (历史台账) import, by their Chinese headers: on their own, so the command line's
help can name them without loading the import's rules."""

from __future__ import annotations

TIME, CHANNEL, NAME, PHONE, ADDRESS, CATEGORY, DESCRIPTION, STATUS, CLOSED_AT, RESULT = (
    "登记时间", "渠道", "诉求人", "电话", "地址", "类别", "诉求内容", "状态", "办结时间", "处置结果",
)  # fmt: skip
LEDGER_COLUMNS: tuple[str, ...] = (
    TIME,
    CHANNEL,
    NAME,
    PHONE,
    ADDRESS,
    CATEGORY,
    DESCRIPTION,
    STATUS,
    CLOSED_AT,
    RESULT,
)
