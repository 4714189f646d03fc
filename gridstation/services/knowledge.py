"""The knowledge base at the desk (知识库, issue 17): the centre's articles, searched offline, and proposals from
closed cases (经验沉淀) queued for the next sync.

A search segments the complaint with the station's segmenter (jieba with the field's terms and synonyms, the same
words the similar-case engine compares: 电瓶车 and 电动车 are one word) and ranks the articles in force today by
the domain's `rank_articles`. An article's own words are segmented once and kept with it, again when the word lists
change. The articles come and go with sync (`sync/knowledge.py`); nothing here changes one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gridstation.assets import RESOURCES
from gridstation.domain.case import FINISHED
from gridstation.domain.errors import DomainError
from gridstation.domain.events import new_id
from gridstation.domain.knowledge import (
    PROPOSAL_STATUS_LABELS,
    Article,
    ArticleDraft,
    IndexedArticle,
    KnowledgeMatch,
    Proposal,
    ProposalStatus,
    article_from_markdown,
    rank_articles,
    without_personal_numbers,
)
from gridstation.domain.roles import Permission, require
from gridstation.domain.words import Segmenter
from gridstation.services.cases import CaseCommands
from gridstation.services.reference import ReferenceData
from gridstation.services.similar import station_segmenter
from gridstation.services.staff import StaffMember
from gridstation.storage import case_store, case_words, knowledge
from gridstation.storage.knowledge import StoredProposal

__all__ = ["KnowledgeMatch", "ProposalView", "StationKnowledge"]

SAMPLE_ARTICLES = RESOURCES / "knowledge"
TITLE_FROM_DESCRIPTION = 24  # characters of the complaint a proposal's suggested title takes


@dataclass(frozen=True, slots=True)
class ProposalView:
    """One of the station's proposals, and where it stands: to be sent, waiting at the centre, or decided."""

    proposal: Proposal
    case_id: str
    sent_at: datetime | None
    refused: str  # the centre will not take it as it is, and why

    @property
    def status_label(self) -> str:
        if self.refused:
            return f"未被接收：{self.refused}"
        if self.sent_at is None:
            return "待发送（下次同步报送城运中心）"
        label = PROPOSAL_STATUS_LABELS[self.proposal.status]
        if self.proposal.status is ProposalStatus.REJECTED and self.proposal.reason:
            return f"{label}：{self.proposal.reason}"
        return label


class StationKnowledge(ReferenceData, CaseCommands):
    def knowledge_segmenter(self) -> Segmenter:
        return station_segmenter()

    # --- searching -----------------------------------------------------------------------------------------

    def knowledge_matches(self, text: str, category_code: str = "", limit: int = 5) -> list[KnowledgeMatch]:
        """The articles in force today that fit a complaint (`text`) and its category, best first, each with its
        score and the complaint's words it shares. Nothing for an empty text without a category."""
        if not text.strip() and not category_code.strip():
            return []
        words = self.knowledge_segmenter().words(text) if text.strip() else []
        return rank_articles(words, category_code, self._indexed_in_force(), limit)

    def knowledge_articles(self) -> list[Article]:
        """Every article in force today, by title (the knowledge dialog before anything is typed)."""
        today = self.local_date(self._now())
        with self._read() as session:
            return [held.article for held in knowledge.articles(session) if held.article.in_force(today)]

    def knowledge_article(self, article_id: str) -> Article:
        with self._read() as session:
            found = knowledge.article(session, article_id)
        if found is None:
            raise DomainError("kb.unknown", "找不到该知识库条目（可能已被城运中心停用）。")
        return found

    def knowledge_article_count(self) -> int:
        with self._read() as session:
            return knowledge.article_count(session)

    def _indexed_in_force(self) -> list[IndexedArticle]:
        """The articles in force today with their words, segmenting those not yet segmented with these lists."""
        segmenter = self.knowledge_segmenter()
        fingerprint = segmenter.word_list.fingerprint
        with self._read() as session:
            held = knowledge.articles(session)
        fresh: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for item in held:
            if item.fingerprint != fingerprint:
                article = item.article
                headline = "\n".join([article.title, *article.keywords])
                fresh[article.id] = (
                    tuple(dict.fromkeys(segmenter.words(f"{headline}\n{article.body}"))),
                    tuple(dict.fromkeys(segmenter.words(headline))),
                )
        if fresh:
            with self._write() as session:
                for article_id, (words, headline_words) in fresh.items():
                    knowledge.save_words(session, article_id, " ".join(words), " ".join(headline_words), fingerprint)
        today = self.local_date(self._now())
        return [
            IndexedArticle(item.article, *fresh.get(item.article.id, (item.words, item.headline_words)))
            for item in held
            if item.article.in_force(today)
        ]

    # --- 经验沉淀: proposals from closed cases -------------------------------------------------------------

    def proposal_template(self, case_id: str) -> ArticleDraft:
        """What a proposal from this case starts as (for the clerk to edit): its category, the complaint (any mobile
        number masked), how it was disposed of and answered, and headings for what to remember."""
        state = self.case(case_id)
        name = self.category_names().get(state.category_code, "")
        with self._read() as session:
            disposal = case_words.disposal_results(session, [case_id]).get(case_id, "")
        complaint = without_personal_numbers(" ".join(state.description.split()))
        head = complaint[:TITLE_FROM_DESCRIPTION] + ("…" if len(complaint) > TITLE_FROM_DESCRIPTION else "")
        sections = [f"## 情况\n{complaint}"]
        if disposal:
            sections.append(f"## 处置\n{without_personal_numbers(disposal)}")
        if state.answer:
            sections.append(f"## 答复居民\n{without_personal_numbers(state.answer)}")
        sections.append("## 要点\n- ")
        return ArticleDraft(
            title=f"{name}：{head}" if name else head,
            body="\n\n".join(sections),
            categories=(state.category_code,) if state.category_code else (),
            keywords=(name,) if name else (),
        )

    def propose_article(
        self,
        actor: StaffMember,
        case_id: str,
        title: str,
        body: str,
        categories: Iterable[str],
        keywords: Iterable[str],
    ) -> ProposalView:
        """A proposed article from a closed case, checked and queued for the next sync to the centre; audited."""
        require(actor.role, Permission.RECORD_PROGRESS)
        draft = ArticleDraft.validated(title=title, body=body, categories=categories, keywords=keywords)
        with self._write() as session:
            state = case_store.load_state(session, case_id)
            if state is None:
                raise DomainError("case.unknown", "找不到该诉求。")
            if state.status not in FINISHED:
                raise DomainError("kb.case_open", f"诉求 {state.number} 尚未办结：办结后才能提出经验沉淀。")
            proposal = Proposal(new_id(), state.number, draft, actor.name, self._now())
            knowledge.add_proposal(session, proposal, case_id)
            self._audit(session, actor, "kb.proposed", case=state.number, proposal=proposal.id, title=draft.title)
        return ProposalView(proposal, case_id, None, "")

    def knowledge_proposals(self) -> list[ProposalView]:
        """Every proposal made at this station, latest first, with where it stands."""
        with self._read() as session:
            return [_view(stored) for stored in knowledge.proposals(session)]

    # --- the demo station ----------------------------------------------------------------------------------

    def seed_knowledge(self, folder: Path = SAMPLE_ARTICLES) -> int:
        """The sample articles, as if a sync had brought them (for the demo station, which has no centre): version
        0, so that a real centre's first sync replaces each. How many."""
        found = [article_from_markdown(path.read_text(encoding="utf-8"), path.name) for path in folder.glob("*.md")]
        now = self._now()
        articles = [Article(item.key, item.draft, 0, now) for item in found]
        with self._write() as session:
            knowledge.store_changes(session, articles, [], knowledge.knowledge_cursor(session), now)
        return len(articles)


def _view(stored: StoredProposal) -> ProposalView:
    return ProposalView(stored.proposal, stored.case_id, stored.sent_at, stored.refused)
