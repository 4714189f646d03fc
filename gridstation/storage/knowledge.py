"""The station's knowledge base (issue 17): read-only copies of the centre's articles with their segmented words, the
outbox of proposals from closed cases, and how far the knowledge feed was read. Every function works inside the
caller's transaction: sync stores a page of changes together with the cursor it reached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridstation.domain.knowledge import (
    Article,
    ArticleDraft,
    ArticleStatus,
    Proposal,
    ProposalDecision,
    ProposalStatus,
)
from gridstation.storage.models import KnowledgeArticleRow, KnowledgeProposalRow
from gridstation.storage.settings import SettingKey, put_setting, setting


@dataclass(frozen=True, slots=True)
class StoredProposal:
    """A proposal in the outbox, with where it stands on its way: sent when, or refused for good and why."""

    proposal: Proposal
    case_id: str
    sent_at: datetime | None
    refused: str


@dataclass(frozen=True, slots=True)
class StoredChanges:
    received: int  # articles new or in a new version here
    removed: int  # articles retired at the centre, dropped here
    decided: int  # proposals whose decision arrived


# --- the feed ---------------------------------------------------------------------------------------------------


def knowledge_cursor(session: Session) -> int:
    return int(setting(session, SettingKey.KNOWLEDGE_CURSOR, 0) or 0)


def store_changes(
    session: Session, articles: Sequence[Article], decisions: Sequence[ProposalDecision], cursor: int, now: datetime
) -> StoredChanges:
    """A page of the knowledge feed and the cursor after it (storing the same page again changes nothing)."""
    received = removed = decided = 0
    for article in articles:
        row = session.get(KnowledgeArticleRow, article.id)
        if article.status is ArticleStatus.RETIRED:
            if row is not None:
                session.delete(row)
                removed += 1
            continue
        if row is not None and row.version >= article.version:
            continue
        if row is None:
            row = KnowledgeArticleRow(id=article.id)
            session.add(row)
        _write_article(row, article, now)
        received += 1
    for decision in decisions:
        proposal = session.get(KnowledgeProposalRow, decision.proposal_id)
        if proposal is None:  # another desk's restored backup, or a proposal lost here: nothing to update
            continue
        changed = (proposal.status, proposal.reason, proposal.article_id) != (
            str(decision.status),
            decision.reason,
            decision.article_id,
        )
        proposal.status = str(decision.status)
        proposal.reason = decision.reason
        proposal.article_id = decision.article_id
        proposal.decided_at = decision.decided_at
        proposal.sent_at = proposal.sent_at or now  # decided there: it arrived, whatever became of its answer
        decided += int(changed)
    put_setting(session, SettingKey.KNOWLEDGE_CURSOR, cursor)
    return StoredChanges(received, removed, decided)


def drop_articles(session: Session) -> int:
    """The centre's feed started again (restored from a backup): its articles will all come again; how many went."""
    count = session.scalar(select(func.count()).select_from(KnowledgeArticleRow)) or 0
    session.execute(delete(KnowledgeArticleRow))
    put_setting(session, SettingKey.KNOWLEDGE_CURSOR, 0)
    return count


def _write_article(row: KnowledgeArticleRow, article: Article, now: datetime) -> None:
    draft = article.draft
    row.title = draft.title
    row.body = draft.body
    row.categories = list(draft.categories)
    row.keywords = list(draft.keywords)
    row.valid_from = draft.valid_from
    row.valid_to = draft.valid_to
    row.source = draft.source
    row.version = article.version
    row.updated_at = article.updated_at
    row.received_at = now
    row.words = row.headline_words = row.words_fingerprint = ""  # segmented again before the next search


# --- the articles and their words -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleWords:
    article: Article
    words: tuple[str, ...]
    headline_words: tuple[str, ...]
    fingerprint: str


def articles(session: Session) -> list[ArticleWords]:
    """Every article held here, by title, with its words as last segmented."""
    rows = session.scalars(select(KnowledgeArticleRow).order_by(KnowledgeArticleRow.title)).all()
    return [
        ArticleWords(_article(row), tuple(row.words.split()), tuple(row.headline_words.split()), row.words_fingerprint)
        for row in rows
    ]


def article(session: Session, article_id: str) -> Article | None:
    row = session.get(KnowledgeArticleRow, article_id)
    return None if row is None else _article(row)


def save_words(session: Session, article_id: str, words: str, headline_words: str, fingerprint: str) -> None:
    row = session.get(KnowledgeArticleRow, article_id)
    if row is not None:  # dropped by a sync meanwhile: nothing to keep
        row.words, row.headline_words, row.words_fingerprint = words, headline_words, fingerprint


def article_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(KnowledgeArticleRow)) or 0


def _article(row: KnowledgeArticleRow) -> Article:
    draft = ArticleDraft(
        title=row.title,
        body=row.body,
        categories=tuple(row.categories or ()),
        keywords=tuple(row.keywords or ()),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.source,
    )
    return Article(row.id, draft, row.version, row.updated_at, ArticleStatus.ACTIVE)


# --- the proposals' outbox --------------------------------------------------------------------------------------


def add_proposal(session: Session, proposal: Proposal, case_id: str) -> None:
    draft = proposal.draft
    session.add(
        KnowledgeProposalRow(
            id=proposal.id,
            case_id=case_id,
            case_number=proposal.case_number,
            title=draft.title,
            body=draft.body,
            categories=list(draft.categories),
            keywords=list(draft.keywords),
            proposer=proposal.proposer,
            created_at=proposal.created_at,
            sent_at=None,
            refused="",
            status=str(ProposalStatus.PENDING),
            reason="",
            article_id="",
            decided_at=None,
        )
    )


def unsent_proposals(session: Session, limit: int = 100) -> list[StoredProposal]:
    """The proposals still to send, oldest first (not those the centre refused for good)."""
    rows = session.scalars(
        select(KnowledgeProposalRow)
        .where(KnowledgeProposalRow.sent_at.is_(None), KnowledgeProposalRow.refused == "")
        .order_by(KnowledgeProposalRow.created_at, KnowledgeProposalRow.id)
        .limit(limit)
    ).all()
    return [_stored(row) for row in rows]


def unsent_proposal_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(KnowledgeProposalRow)
            .where(KnowledgeProposalRow.sent_at.is_(None), KnowledgeProposalRow.refused == "")
        )
        or 0
    )


def mark_sent(session: Session, proposal_id: str, status: ProposalStatus, reason: str, at: datetime) -> None:
    row = session.get(KnowledgeProposalRow, proposal_id)
    if row is not None:
        row.sent_at = row.sent_at or at
        row.status = str(status)
        row.reason = reason


def set_aside(session: Session, proposal_id: str, why: str) -> None:
    """The centre will never take it as it is (refused with a reason): not sent again; a person sees why."""
    row = session.get(KnowledgeProposalRow, proposal_id)
    if row is not None:
        row.refused = why


def proposals(session: Session) -> list[StoredProposal]:
    """Every proposal made here, latest first."""
    rows = session.scalars(
        select(KnowledgeProposalRow).order_by(KnowledgeProposalRow.created_at.desc(), KnowledgeProposalRow.id)
    ).all()
    return [_stored(row) for row in rows]


def _stored(row: KnowledgeProposalRow) -> StoredProposal:
    draft = ArticleDraft(
        title=row.title, body=row.body, categories=tuple(row.categories or ()), keywords=tuple(row.keywords or ())
    )
    proposal = Proposal(
        id=row.id,
        case_number=row.case_number,
        draft=draft,
        proposer=row.proposer,
        created_at=row.created_at,
        status=ProposalStatus(row.status),
        reason=row.reason,
        article_id=row.article_id,
    )
    return StoredProposal(proposal, row.case_id, row.sent_at, row.refused)
