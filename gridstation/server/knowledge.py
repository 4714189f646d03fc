"""The knowledge base at the centre (知识库, issue 17): articles written in the console or imported from Markdown
files, and the feed the stations read them from (`GET /api/v1/kb`).

Every change — a new article, an edit, a retirement, a decision on a station's proposal — takes the next number of
the knowledge feed, under a lock on its one row (`kb_feed`), so the numbers follow commit order and a station that
saves its cursor with what it stored never skips a change. Retired articles stay (the stations learn to drop them).
The stations' proposals are `knowledge_proposals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridstation.domain.events import new_id
from gridstation.domain.knowledge import Article, ArticleDraft, ArticleFile, ArticleStatus
from gridstation.protocol import KB_PAGE, KnowledgeArticleOut, KnowledgeChanges, ProposalDecisionOut
from gridstation.server.core import ServerCore
from gridstation.server.errors import ServerError, not_found
from gridstation.server.models import KnowledgeArticleRow, KnowledgeFeedRow, KnowledgeProposalRow

Origin = Literal["console", "import", "proposal"]
ImportOutcomeKind = Literal["created", "updated", "restored", "unchanged"]
IMPORT_OUTCOME_LABELS: dict[str, str] = {
    "created": "新增",
    "updated": "已更新",
    "restored": "已恢复使用并更新",
    "unchanged": "未变",
}
ORIGIN_LABELS: dict[str, str] = {"console": "控制台", "import": "文件导入", "proposal": "经验沉淀"}


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """An article as the console shows it: the article, and where and by whom it was last changed."""

    article: Article
    origin: str
    updated_by: str
    seq: int

    @property
    def origin_label(self) -> str:
        return ORIGIN_LABELS.get(self.origin, self.origin)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    file_name: str
    key: str
    outcome: ImportOutcomeKind
    version: int

    @property
    def label(self) -> str:
        return IMPORT_OUTCOME_LABELS[self.outcome]


class KnowledgeBase(ServerCore):
    # --- reading -------------------------------------------------------------------------------------------

    def kb_articles(self, text: str = "", *, include_retired: bool = True) -> list[ArticleRecord]:
        """Every article (in use first, then by title), or those whose title, keywords, body or id hold `text`."""
        query = select(KnowledgeArticleRow)
        words = text.split()
        for word in words[:5]:
            query = query.where(
                or_(
                    KnowledgeArticleRow.title.contains(word, autoescape=True),
                    KnowledgeArticleRow.body.contains(word, autoescape=True),
                    KnowledgeArticleRow.keywords.contains(word, autoescape=True),
                    KnowledgeArticleRow.id.contains(word, autoescape=True),
                )
            )
        if not include_retired:
            query = query.where(KnowledgeArticleRow.status == str(ArticleStatus.ACTIVE))
        with self.reading() as session:
            rows = session.scalars(query).all()
            found = [_record(row) for row in rows]
        return sorted(found, key=lambda r: (r.article.status is not ArticleStatus.ACTIVE, r.article.title))

    def kb_article(self, article_id: str) -> ArticleRecord:
        with self.reading() as session:
            row = session.get(KnowledgeArticleRow, article_id)
            if row is None:
                raise not_found(f"知识库条目 {article_id}", "kb.unknown")
            return _record(row)

    # --- writing -------------------------------------------------------------------------------------------

    def create_kb_article(self, draft: ArticleDraft, by: str, *, key: str = "") -> Article:
        """A new article in use (its id `key`, or a new one); every station gets it with its next sync. The same
        key with the same content again (a form posted twice) is the article already made."""
        with self.writing() as session:
            existing = session.get(KnowledgeArticleRow, key) if key else None
            if existing is not None:
                if _draft(existing) == draft:
                    return article_of(existing)
                raise ServerError(409, "kb.key_taken", f"编号 {key} 已有条目，请换一个编号。")
            row = self._new_article(session, key or new_id(), draft, by, "console")
            self._audit(session, by, "kb.created", id=row.id)
            return article_of(row)

    def update_kb_article(
        self, article_id: str, draft: ArticleDraft, by: str, *, expected_version: int | None = None
    ) -> Article:
        """A new version of an article (a retired one is in use again); refused if someone saved one meanwhile."""
        with self.writing() as session:
            row = self._article_for_change(session, article_id, expected_version)
            self._change(session, row, draft, ArticleStatus.ACTIVE, by)
            self._audit(session, by, "kb.updated", id=row.id, version=row.version)
            return article_of(row)

    def retire_kb_article(self, article_id: str, by: str, *, expected_version: int | None = None) -> Article:
        """No longer shown at any desk (the stations drop it with their next sync); kept here, and may be edited
        back into use."""
        with self.writing() as session:
            row = self._article_for_change(session, article_id, expected_version)
            if row.status == str(ArticleStatus.RETIRED):
                return article_of(row)
            self._change(session, row, _draft(row), ArticleStatus.RETIRED, by)
            self._audit(session, by, "kb.retired", id=row.id, version=row.version)
            return article_of(row)

    def import_kb_articles(self, files: Sequence[tuple[str, ArticleFile]], by: str) -> list[ImportOutcome]:
        """Articles read from Markdown files (`gridstation-server kb import`), all in one transaction: a file whose
        key is new makes an article, one whose content changed a new version, an unchanged one nothing."""
        keys = [found.key for _, found in files]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            names = "；".join(f"{key}：{'、'.join(n for n, f in files if f.key == key)}" for key in twice)
            raise ServerError(422, "kb.key_twice", f"多个文件用了同一个编号（id），请改成各不相同：{names}")
        outcomes: list[ImportOutcome] = []
        with self.writing() as session:
            for file_name, found in files:
                row = session.get(KnowledgeArticleRow, found.key)
                if row is None:
                    row = self._new_article(session, found.key, found.draft, by, "import")
                    outcomes.append(ImportOutcome(file_name, found.key, "created", row.version))
                    continue
                retired = row.status == str(ArticleStatus.RETIRED)
                if not retired and _draft(row) == found.draft:
                    outcomes.append(ImportOutcome(file_name, found.key, "unchanged", row.version))
                    continue
                self._change(session, row, found.draft, ArticleStatus.ACTIVE, by, origin="import")
                outcomes.append(ImportOutcome(file_name, found.key, "restored" if retired else "updated", row.version))
            changed = [o.key for o in outcomes if o.outcome != "unchanged"]
            self._audit(session, by, "kb.imported", files=len(files), changed=changed)
        return outcomes

    # --- the stations' feed --------------------------------------------------------------------------------

    def kb_changes(self, station_code: str, since: int = 0, limit: int = KB_PAGE) -> KnowledgeChanges:
        """What changed after `since`: articles (retired ones too) and decisions on this station's proposals, in
        feed order, at most `limit` of them."""
        with self.reading() as session:
            head = self._kb_head(session)
            if since > head:
                return KnowledgeChanges(cursor=0, has_more=True, reset=True, articles=[], proposals=[])
            articles = session.scalars(
                select(KnowledgeArticleRow)
                .where(KnowledgeArticleRow.seq > since)
                .order_by(KnowledgeArticleRow.seq)
                .limit(limit)
            ).all()
            decisions = session.scalars(
                select(KnowledgeProposalRow)
                .where(KnowledgeProposalRow.station_code == station_code, KnowledgeProposalRow.seq > since)
                .order_by(KnowledgeProposalRow.seq)
                .limit(limit)
            ).all()
        items: list[KnowledgeArticleRow | KnowledgeProposalRow] = sorted([*articles, *decisions], key=_seq)
        taken = items[:limit]
        has_more = len(items) > limit or len(articles) == limit or len(decisions) == limit
        # Nothing more for this station: past the head (other stations' decisions included), so the next read
        # starts after them.
        cursor = _seq(taken[-1]) if has_more and taken else head
        return KnowledgeChanges(
            cursor=cursor,
            has_more=has_more,
            articles=[_article_out(row) for row in taken if isinstance(row, KnowledgeArticleRow)],
            proposals=[_decision_out(row) for row in taken if isinstance(row, KnowledgeProposalRow)],
        )

    # --- plumbing ------------------------------------------------------------------------------------------

    def _kb_head(self, session: Session) -> int:
        return session.scalar(select(KnowledgeFeedRow.head).where(KnowledgeFeedRow.id == 1)) or 0

    def _lock_kb_feed(self, session: Session) -> KnowledgeFeedRow:
        """The feed's row, locked until the caller's transaction ends: one change of the knowledge base at a time."""
        feed = session.scalar(
            select(KnowledgeFeedRow)
            .where(KnowledgeFeedRow.id == 1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert feed is not None, "the knowledge feed's row is made by migration 0007"
        return feed

    def _next_kb_seq(self, session: Session) -> int:
        """The feed's next number (under its lock: numbers follow commit order)."""
        feed = self._lock_kb_feed(session)
        feed.head += 1
        return feed.head

    def _new_article(
        self, session: Session, key: str, draft: ArticleDraft, by: str, origin: Origin
    ) -> KnowledgeArticleRow:
        now = self.now()
        row = KnowledgeArticleRow(
            id=key,
            status=str(ArticleStatus.ACTIVE),
            version=1,
            seq=self._next_kb_seq(session),
            origin=origin,
            created_at=now,
            updated_at=now,
            updated_by=by[:100],
            **_columns(draft),
        )
        session.add(row)
        return row

    def _article_for_change(
        self, session: Session, article_id: str, expected_version: int | None
    ) -> KnowledgeArticleRow:
        self._lock_kb_feed(session)  # first: two editors of one article take turns
        row = session.get(KnowledgeArticleRow, article_id, populate_existing=True)
        if row is None:
            raise not_found(f"知识库条目 {article_id}", "kb.unknown")
        if expected_version is not None and row.version != expected_version:
            raise ServerError(
                409,
                "kb.stale",
                f"条目「{row.title}」已被他人改为第 {row.version} 版，请重新打开后再修改。",
                version=row.version,
            )
        return row

    def _change(
        self,
        session: Session,
        row: KnowledgeArticleRow,
        draft: ArticleDraft,
        status: ArticleStatus,
        by: str,
        origin: Origin | None = None,
    ) -> None:
        for name, value in _columns(draft).items():
            setattr(row, name, value)
        row.status = str(status)
        row.version += 1
        row.seq = self._next_kb_seq(session)
        row.updated_at = self.now()
        row.updated_by = by[:100]
        if origin is not None:
            row.origin = origin


def _seq(row: KnowledgeArticleRow | KnowledgeProposalRow) -> int:
    return row.seq or 0


def _columns(draft: ArticleDraft) -> dict[str, object]:
    return {
        "title": draft.title,
        "body": draft.body,
        "categories": list(draft.categories),
        "keywords": list(draft.keywords),
        "valid_from": draft.valid_from,
        "valid_to": draft.valid_to,
        "source": draft.source,
    }


def _draft(row: KnowledgeArticleRow) -> ArticleDraft:
    return ArticleDraft(
        title=row.title,
        body=row.body,
        categories=tuple(row.categories or ()),
        keywords=tuple(row.keywords or ()),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.source,
    )


def article_of(row: KnowledgeArticleRow) -> Article:
    return Article(row.id, _draft(row), row.version, row.updated_at, ArticleStatus(row.status))


def _record(row: KnowledgeArticleRow) -> ArticleRecord:
    return ArticleRecord(article_of(row), row.origin, row.updated_by, row.seq)


def _article_out(row: KnowledgeArticleRow) -> KnowledgeArticleOut:
    return KnowledgeArticleOut(
        seq=row.seq,
        id=row.id,
        title=row.title,
        body=row.body,
        categories=list(row.categories or ()),
        keywords=list(row.keywords or ()),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.source,
        version=row.version,
        updated_at=row.updated_at,
        status="retired" if row.status == str(ArticleStatus.RETIRED) else "active",
    )


def _decision_out(row: KnowledgeProposalRow) -> ProposalDecisionOut:
    return ProposalDecisionOut(
        seq=row.seq or 0,
        idempotency_key=row.idempotency_key,
        status=row.status,  # type: ignore[arg-type]  # one of ProposalStatus, as stored
        reason=row.reason,
        article_id=row.article_id or "",
        decided_at=row.decided_at,
    )
