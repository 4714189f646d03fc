"""The stations' proposed articles (经验沉淀, issue 17) at the centre: received with a sync (`POST
/api/v1/kb/proposals`), waiting in the console's queue, approved as an article (edited first if need be) or rejected
with a reason. Each decision takes a number in the knowledge feed, so the station hears of it with its next sync.

A proposal is the station's: its `idempotency_key` (the desk's id for it) makes a resend after a lost answer a
duplicate; the same key with other content is refused, never stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from gridstation.domain.errors import ValidationError
from gridstation.domain.events import new_id
from gridstation.domain.knowledge import (
    PROPOSAL_STATUS_LABELS,
    Article,
    ArticleDraft,
    ArticleInvalid,
    Proposal,
    ProposalStatus,
    validate_rejection,
)
from gridstation.protocol import ProposalIn, ProposalReceipt
from gridstation.server.errors import ServerError, not_found
from gridstation.server.knowledge import KnowledgeBase, article_of
from gridstation.server.models import KnowledgeProposalRow, ServerStationRow


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    """A proposal as the console shows it: which station sent it, when, and who decided it."""

    id: str  # the server's
    station_code: str
    station_name: str
    proposal: Proposal
    received_at: datetime
    decided_by: str
    decided_at: datetime | None

    @property
    def status_label(self) -> str:
        return PROPOSAL_STATUS_LABELS[self.proposal.status]

    def suggested_source(self) -> str:
        """What the approval form offers as the article's 来源."""
        return f"经验沉淀：{self.station_name or self.station_code} {self.proposal.case_number}"[:200]


class KnowledgeProposals(KnowledgeBase):
    def receive_proposal(self, station_code: str, proposal: ProposalIn) -> ProposalReceipt:
        """Store a station's proposal, once per idempotency key (checked as an article's content is)."""
        try:
            draft = ArticleDraft.validated(
                title=proposal.title, body=proposal.body, categories=proposal.categories, keywords=proposal.keywords
            )
        except ArticleInvalid as invalid:
            raise ServerError(
                422, "kb.invalid", invalid.message_zh, fields=[p.field for p in invalid.problems]
            ) from None
        with self.writing() as session:
            self._lock_station(session, station_code)  # one station's proposals one at a time: a resend waits
            row = session.scalar(
                select(KnowledgeProposalRow).where(
                    KnowledgeProposalRow.station_code == station_code,
                    KnowledgeProposalRow.idempotency_key == proposal.idempotency_key,
                )
            )
            if row is not None:
                if (row.case_number, _proposal_draft(row)) != (proposal.case_number, draft):
                    raise ServerError(
                        409,
                        "kb.proposal_key_reused",
                        "该经验沉淀的编号已用于另一条内容不同的建议，未保存。",
                        idempotency_key=proposal.idempotency_key,
                    )
                return _receipt(row, "duplicate")
            row = KnowledgeProposalRow(
                id=new_id(),
                station_code=station_code,
                idempotency_key=proposal.idempotency_key,
                case_number=proposal.case_number,
                title=draft.title,
                body=draft.body,
                categories=list(draft.categories),
                keywords=list(draft.keywords),
                proposer=proposal.proposer[:40],
                proposed_at=proposal.proposed_at,
                received_at=self.now(),
                status=str(ProposalStatus.PENDING),
                reason="",
                article_id=None,
                decided_by="",
                decided_at=None,
                seq=None,
            )
            session.add(row)
            self._audit(session, f"station:{station_code}", "kb.proposal_received", case=proposal.case_number)
            return _receipt(row, "received")

    def kb_proposals(self, status: ProposalStatus | None = None) -> list[ProposalRecord]:
        """The queue: pending ones first (oldest first), then the decided ones (latest decision first)."""
        query = select(KnowledgeProposalRow, ServerStationRow.name).join(
            ServerStationRow, ServerStationRow.code == KnowledgeProposalRow.station_code
        )
        if status is not None:
            query = query.where(KnowledgeProposalRow.status == str(status))
        pending_first = case((KnowledgeProposalRow.status == str(ProposalStatus.PENDING), 0), else_=1)
        query = query.order_by(
            pending_first, KnowledgeProposalRow.seq.desc(), KnowledgeProposalRow.received_at, KnowledgeProposalRow.id
        )
        with self.reading() as session:
            return [_record(row, name) for row, name in session.execute(query).all()]

    def kb_proposal(self, proposal_id: str) -> ProposalRecord:
        with self.reading() as session:
            return self._proposal_record(session, proposal_id)

    def approve_proposal(self, proposal_id: str, draft: ArticleDraft, by: str) -> Article:
        """The proposal becomes an article in use, with `draft` as the centre edited it."""
        with self.writing() as session:
            row = self._pending(session, proposal_id)
            article = self._new_article(session, new_id(), draft, by, "proposal")
            self._decide(session, row, ProposalStatus.APPROVED, by, article_id=article.id)
            self._audit(session, by, "kb.proposal_approved", proposal=row.id, article=article.id)
            return article_of(article)

    def reject_proposal(self, proposal_id: str, reason: str, by: str) -> ProposalRecord:
        """Not taken; the station sees the reason with its next sync."""
        try:
            reason = validate_rejection(reason)
        except ValidationError as problem:
            raise ServerError(422, problem.code, problem.message_zh) from None
        with self.writing() as session:
            row = self._pending(session, proposal_id)
            self._decide(session, row, ProposalStatus.REJECTED, by, reason=reason)
            self._audit(session, by, "kb.proposal_rejected", proposal=row.id)
            return self._proposal_record(session, proposal_id)

    # --- plumbing ------------------------------------------------------------------------------------------

    def _proposal_record(self, session: Session, proposal_id: str) -> ProposalRecord:
        found = session.execute(
            select(KnowledgeProposalRow, ServerStationRow.name)
            .join(ServerStationRow, ServerStationRow.code == KnowledgeProposalRow.station_code)
            .where(KnowledgeProposalRow.id == proposal_id)
        ).first()
        if found is None:
            raise not_found(f"经验沉淀建议 {proposal_id}", "kb.proposal_unknown")
        return _record(found[0], found[1])

    def _pending(self, session: Session, proposal_id: str) -> KnowledgeProposalRow:
        self._lock_kb_feed(session)  # first: two people deciding one proposal take turns
        row = session.get(KnowledgeProposalRow, proposal_id, populate_existing=True)
        if row is None:
            raise not_found(f"经验沉淀建议 {proposal_id}", "kb.proposal_unknown")
        if row.status != str(ProposalStatus.PENDING):
            label = PROPOSAL_STATUS_LABELS[ProposalStatus(row.status)]
            raise ServerError(409, "kb.proposal_decided", f"这条建议已处理（{label}，{row.decided_by}）。")
        return row

    def _decide(
        self,
        session: Session,
        row: KnowledgeProposalRow,
        status: ProposalStatus,
        by: str,
        *,
        reason: str = "",
        article_id: str | None = None,
    ) -> None:
        row.status = str(status)
        row.reason = reason
        row.article_id = article_id
        row.decided_by = by[:100]
        row.decided_at = self.now()
        row.seq = self._next_kb_seq(session)


def _proposal_draft(row: KnowledgeProposalRow) -> ArticleDraft:
    return ArticleDraft(
        title=row.title, body=row.body, categories=tuple(row.categories or ()), keywords=tuple(row.keywords or ())
    )


def _record(row: KnowledgeProposalRow, station_name: str) -> ProposalRecord:
    proposal = Proposal(
        id=row.idempotency_key,
        case_number=row.case_number,
        draft=_proposal_draft(row),
        proposer=row.proposer,
        created_at=row.proposed_at,
        status=ProposalStatus(row.status),
        reason=row.reason,
        article_id=row.article_id or "",
    )
    return ProposalRecord(
        row.id, row.station_code, station_name, proposal, row.received_at, row.decided_by, row.decided_at
    )


def _receipt(row: KnowledgeProposalRow, outcome: str) -> ProposalReceipt:
    return ProposalReceipt(
        idempotency_key=row.idempotency_key,
        outcome=outcome,  # type: ignore[arg-type]  # "received" or "duplicate"
        status=row.status,  # type: ignore[arg-type]
        reason=row.reason,
    )
