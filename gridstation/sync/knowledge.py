"""The knowledge base in each sync run (issue 17): the proposals queued at this desk go up (经验沉淀), then the
articles changed at the centre and the decisions on this station's proposals come down.

Nothing is lost or doubled by a line that dies half-way: a proposal is marked sent only after the centre's answer,
and sent again (same idempotency key: a duplicate there) when the answer was lost; a page of changes is stored
with the cursor after it in one transaction, so a page is either kept whole with its cursor or read again. A
server without a knowledge base (404, an older version) changes nothing here and fails nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from gridstation.domain.errors import DomainError
from gridstation.domain.knowledge import Article, ArticleDraft, ArticleStatus, ProposalDecision, ProposalStatus
from gridstation.protocol import KB_PAGE, KnowledgeArticleOut, KnowledgeChanges, ProposalDecisionOut, ProposalIn
from gridstation.services.station import StationService
from gridstation.storage import knowledge
from gridstation.storage.knowledge import StoredProposal
from gridstation.sync.errors import SyncError
from gridstation.sync.summary import Progress, SyncSummary
from gridstation.sync.transport import ServerTransport

log = logging.getLogger(__name__)

Call = Callable[[Callable[[], Any]], Any]  # a request with the run's retries around it
MAX_RESETS = 3
NOT_HERE = 404  # a server older than the knowledge base


def sync_knowledge(
    station: StationService,
    transport: ServerTransport,
    call: Call,
    summary: SyncSummary,
    report: Progress,
    stop_if_asked: Callable[[], None],
    known_head: int | None = None,
) -> None:
    """Send the queued proposals, then store the knowledge feed's changes; counts what it did in `summary`.

    `known_head`: the knowledge feed's head as the pull just said (None: not said). A desk whose cursor is there and
    that sent nothing has every change already, and asks nothing."""
    sent_before = summary.knowledge_proposals_sent
    if not _send_proposals(station, transport, call, summary, report, stop_if_asked):
        return
    if known_head is not None and summary.knowledge_proposals_sent == sent_before:
        with station.reading() as session:
            if knowledge.knowledge_cursor(session) == known_head:
                return
    _pull_changes(station, transport, call, summary, report, stop_if_asked)


def _send_proposals(
    station: StationService,
    transport: ServerTransport,
    call: Call,
    summary: SyncSummary,
    report: Progress,
    stop_if_asked: Callable[[], None],
) -> bool:
    """False when the server has no knowledge base (the proposals wait here for one that has)."""
    with station.reading() as session:
        queued = knowledge.unsent_proposals(session)
    for done, stored in enumerate(queued):
        report("kb_proposals", done, len(queued))
        stop_if_asked()
        try:
            receipt = call(partial(transport.propose_article, _proposal_in(stored)))
        except SyncError as err:
            if err.status == NOT_HERE:
                return False
            if err.retryable:
                raise  # the line or the server is down: sent again next run, a duplicate if it did arrive
            log.warning("proposal %s set aside: %s", stored.proposal.id, err.message_zh)
            with station.transaction() as session:
                knowledge.set_aside(session, stored.proposal.id, err.message_zh)
            draft = stored.proposal.draft
            summary.knowledge_proposals_refused.append(
                f"{stored.proposal.case_number}「{draft.title}」：{err.message_zh}"
            )
            continue
        with station.transaction() as session:
            knowledge.mark_sent(
                session, stored.proposal.id, ProposalStatus(receipt.status), receipt.reason, station.now()
            )
        summary.knowledge_proposals_sent += 1
    return True


def _pull_changes(
    station: StationService,
    transport: ServerTransport,
    call: Call,
    summary: SyncSummary,
    report: Progress,
    stop_if_asked: Callable[[], None],
) -> None:
    resets = 0
    pages = 0
    while True:
        stop_if_asked()
        report("knowledge", pages, 0)
        with station.reading() as session:
            since = knowledge.knowledge_cursor(session)
        try:
            page: KnowledgeChanges = call(partial(transport.knowledge, since=since, limit=KB_PAGE))
        except SyncError as err:
            if err.status == NOT_HERE:
                return
            raise
        if page.reset:
            resets += 1
            if resets > MAX_RESETS:
                raise DomainError("sync.kb_reset_loop", "服务器反复要求重新下载知识库，已停止。请联系街道管理员。")
            with station.transaction() as session:
                dropped = knowledge.drop_articles(session)
                station.record_audit(session, None, "sync.kb_reset", dropped=dropped)
            continue
        with station.transaction() as session:
            stored = knowledge.store_changes(
                session,
                [_article(item) for item in page.articles],
                [_decision(item) for item in page.proposals],
                page.cursor,
                station.now(),
            )
        pages += 1
        summary.knowledge_articles_received += stored.received
        summary.knowledge_articles_removed += stored.removed
        summary.knowledge_proposals_decided += stored.decided
        if not page.has_more or page.cursor <= since:  # the second: a server that does not move on would loop
            return


def _proposal_in(stored: StoredProposal) -> ProposalIn:
    proposal, draft = stored.proposal, stored.proposal.draft
    return ProposalIn(
        idempotency_key=proposal.id,
        case_number=proposal.case_number,
        title=draft.title,
        body=draft.body,
        categories=list(draft.categories),
        keywords=list(draft.keywords),
        proposer=proposal.proposer,
        proposed_at=proposal.created_at,
    )


def _article(item: KnowledgeArticleOut) -> Article:
    draft = ArticleDraft(
        title=item.title,
        body=item.body,
        categories=tuple(item.categories),
        keywords=tuple(item.keywords),
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        source=item.source,
    )
    return Article(item.id, draft, item.version, item.updated_at, ArticleStatus(item.status))


def _decision(item: ProposalDecisionOut) -> ProposalDecision:
    return ProposalDecision(
        item.idempotency_key, ProposalStatus(item.status), item.reason, item.article_id, item.decided_at
    )
