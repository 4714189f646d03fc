"""A sync summary in words: one wording for the terminal, the end-of-day dialog and the printed sheet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from gridstation.domain.enums import CHANNEL_LABELS, Channel
from gridstation.sync.summary import SyncSummary, needs_a_person

OUTCOME_LABELS = {
    "applied": "已生效",
    "duplicate": "服务器已有",
    "conflict": "有冲突（两边的值都已保留）",
    "rejected": "被拒收",
}

# `gridstation sync` exit codes (documented in `gridstation sync --help`).
EXIT_OK = 0
EXIT_FAILED = 1  # the server could not be reached or answered with an error; nothing is lost, run again later
EXIT_REFUSED = 3  # not enrolled, refused, or a problem only an administrator can settle (see NEEDS_A_PERSON)
EXIT_ATTENTION = 4  # synced, but something needs a person: rejected events, a receipt that does not match


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: list[str]


def exit_code(summary: SyncSummary) -> int:
    if not summary.ok:
        return EXIT_REFUSED if needs_a_person(summary) else EXIT_FAILED
    if (
        summary.rejected
        or summary.photos_refused
        or summary.knowledge_proposals_refused
        or (summary.receipt is not None and not summary.receipt.matches)
        or summary.unsent_after
    ):
        return EXIT_ATTENTION
    return EXIT_OK


HEADLINES = {
    "failed": "同步未完成：{0}",
    "attention": "同步已完成，但有需要处理的事项（见下）。",
    "ok": "同步完成，数据一致。",
}


def headline(summary: SyncSummary, translate: Callable[[str], str] = str) -> str:
    """One line on how the sync went; `translate` words it in the desk's language (the reason stays as given)."""
    if not summary.ok:
        return translate(HEADLINES["failed"]).format(summary.error)
    return translate(HEADLINES["attention" if exit_code(summary) == EXIT_ATTENTION else "ok"])


def sections(summary: SyncSummary, zone: ZoneInfo) -> list[Section]:
    """The summary as titled groups of lines, in the order a clerk reads them."""
    out = [Section("概况", [headline(summary), _times(summary, zone)])]
    pushed = [f"上传本站事件 {summary.pushed} 条"]
    for outcome in ("applied", "duplicate", "conflict", "rejected"):
        if summary.outcomes.get(outcome):
            pushed.append(f"  {OUTCOME_LABELS[outcome]}：{summary.outcomes[outcome]} 条")
    if summary.resent:
        pushed.append(f"服务器曾丢失数据，已重新上传 {summary.resent} 条")
    if summary.renumbered:
        pushed.append(f"本机曾从备份恢复，已为 {summary.renumbered} 条未上传事件重新编号")
    if summary.unsent_after is None:
        pushed.append("仍未上传：未能统计（见状态栏的“未上传”）")
    else:
        pushed.append(f"仍未上传：{summary.unsent_after} 条")
    out.append(Section("上传", pushed))
    pulled = [f"下载城运中心更新 {summary.pulled} 条"]
    if summary.resets:
        pulled.append("服务器要求重新下载，已完成（未上传的事件都已保留）")
    if summary.district_policy_adopted:
        pulled.append(f"已执行街道时限标准第 {summary.district_policy_adopted} 版（各诉求的时限已按新标准重算）")
    if summary.knowledge_articles_received or summary.knowledge_articles_removed:
        removed = f"，撤下 {summary.knowledge_articles_removed} 篇" if summary.knowledge_articles_removed else ""
        pulled.append(f"知识库：收到新增或修改的条目 {summary.knowledge_articles_received} 篇{removed}")
    out.append(Section("下载", pulled))
    uploads = summary.photos_uploaded or summary.photos_waiting or summary.photos_refused
    downloads = summary.photos_downloaded or summary.photos_to_download or summary.photo_downloads_failed
    if uploads or downloads:
        photos = [f"上传照片 {summary.photos_uploaded} 张"]
        if summary.photos_waiting:
            photos.append(f"仍未上传：{summary.photos_waiting} 张（下次同步继续）")
        photos += [f"未被接收：{line}" for line in summary.photos_refused]
        if downloads:
            photos.append(f"下载照片 {summary.photos_downloaded} 张")
        if summary.photos_to_download:
            photos.append(f"仍未下载：{summary.photos_to_download} 张（下次同步继续）")
        photos += [f"未能下载：{line}" for line in summary.photo_downloads_failed]
        out.append(Section("照片", photos))
    proposals = summary.knowledge_proposals_sent or summary.knowledge_proposals_decided
    if proposals or summary.knowledge_proposals_refused:
        lines = [
            f"已报送 {summary.knowledge_proposals_sent} 条，城运中心已处理 {summary.knowledge_proposals_decided} 条"
        ]
        lines += [f"未被接收：{line}" for line in summary.knowledge_proposals_refused]
        out.append(Section("经验沉淀", lines))
    if summary.new_work_orders:
        orders = []
        for order in summary.new_work_orders:
            channel = CHANNEL_LABELS.get(Channel(order.channel), order.channel) if order.channel else ""
            due = f"，时限 {_local(order.due_at, zone)}" if order.due_at else ""
            urgent = "【紧急】" if order.urgent else ""
            orders.append(f"{urgent}{order.number}（{channel}）{order.description}{due}")
        out.append(Section(f"新工单 {len(summary.new_work_orders)} 件", orders))
    if summary.rejected:
        out.append(
            Section(
                f"被拒收的事件 {len(summary.rejected)} 条（已由城运中心隔离保存，请联系管理员）",
                [f"{r.case_number} 第 {r.station_seq} 号 {r.event}：{r.reason}" for r in summary.rejected],
            )
        )
    conflicts = [f"新冲突 {summary.new_conflicts} 条，待处理冲突共 {summary.open_conflicts} 条"]
    if summary.open_conflicts:
        conflicts.append("请在“冲突处理”中逐条选择保留哪个值。")
    out.append(Section("冲突", conflicts))
    out.append(Section("今日回执核对", _receipt_lines(summary)))
    if summary.mismatched:
        out.append(
            Section("内容不一致的事件", [f"{event_id}：服务器上的内容与本机不同" for event_id in summary.mismatched])
        )
    return out


def as_text(summary: SyncSummary, zone: ZoneInfo) -> str:
    lines: list[str] = []
    for section in sections(summary, zone):
        lines.append(f"【{section.title}】")
        lines += [f"  {line}" for line in section.lines]
    return "\n".join(lines)


def _receipt_lines(summary: SyncSummary) -> list[str]:
    receipt = summary.receipt
    if receipt is None:
        return ["今日本站没有事件，无需核对。" if summary.ok else "未能核对（同步未完成）。"]
    lines = [
        f"核对范围：第 {receipt.from_seq}–{receipt.to_seq} 号事件（{receipt.label}）",
        f"本机 {receipt.local_events} 条；服务器收到 {receipt.server_held} 条"
        f"（生效 {receipt.server_applied}，冲突 {receipt.server_conflicts}，隔离 {receipt.server_quarantined}）",
    ]
    if receipt.matches:
        lines.append(f"一致 ✓ 校验码 {receipt.server_digest[:16]}")
        return lines
    if receipt.missing_on_server:
        lines.append("服务器缺少：" + "、".join(_ranges(receipt.missing_on_server)))
    if receipt.missing_here:
        lines.append("本机缺少：" + "、".join(_ranges(receipt.missing_here)))
    if not receipt.missing_on_server and not receipt.missing_here:
        lines.append("条数相同但内容校验码不同，请联系管理员核查。")
    lines.append(f"本机校验码 {receipt.local_digest[:16]}，服务器校验码 {receipt.server_digest[:16]}")
    return lines


def _ranges(ranges: list[tuple[int, int]]) -> list[str]:
    return [f"第 {a} 号" if a == b else f"第 {a}–{b} 号" for a, b in ranges]


def _times(summary: SyncSummary, zone: ZoneInfo) -> str:
    end = summary.finished_at or summary.started_at
    seconds = (end - summary.started_at).total_seconds()
    retries = f"，网络重试 {summary.retries} 次" if summary.retries else ""
    return f"{_local(summary.started_at, zone)} 开始，用时 {seconds:.1f} 秒{retries}"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
