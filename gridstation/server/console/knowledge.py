"""知识库 in the console (issue 17), for the centre and administrators: the articles with a search, a form to write or
edit one, retiring one, and the queue of the stations' proposals (经验沉淀) — each approved as an article, edited
first in the same form, or rejected with a reason the station sees.

A new article's form carries the id it will get (made when the page is rendered): posted twice, it makes one
article. An edit carries the version it started from, so two people editing at once cannot overwrite each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from gridstation.domain.events import new_id
from gridstation.domain.knowledge import (
    ARTICLE_STATUS_LABELS,
    PROPOSAL_STATUS_LABELS,
    ArticleDraft,
    ArticleInvalid,
    ProposalStatus,
    split_list,
)
from gridstation.server.console.auth import ConsoleRefusal, read_fields
from gridstation.server.console.pages import Fields, one, page, posted_form, render, require_sees_all
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

router = APIRouter(prefix="/console/kb", include_in_schema=False)


@dataclass(frozen=True, slots=True)
class ArticleForm:
    """What the article form shows: the values as posted or stored, in the form's own words."""

    title: str = ""
    body: str = ""
    categories: str = ""
    keywords: str = ""
    valid_from: str = ""
    valid_to: str = ""
    source: str = ""

    @classmethod
    def of(cls, draft: ArticleDraft) -> ArticleForm:
        return cls(
            title=draft.title,
            body=draft.body,
            categories=" ".join(draft.categories),
            keywords="、".join(draft.keywords),
            valid_from=draft.valid_from.isoformat() if draft.valid_from else "",
            valid_to=draft.valid_to.isoformat() if draft.valid_to else "",
            source=draft.source,
        )

    @classmethod
    def posted(cls, fields: Fields) -> ArticleForm:
        return cls(**{name: (fields.get(name) or [""])[0] for name in cls.__dataclass_fields__})

    def draft(self) -> ArticleDraft:
        """The article the form says, checked; every problem in one refusal."""
        try:
            return ArticleDraft.validated(
                title=self.title,
                body=self.body,
                categories=split_list(self.categories),
                keywords=split_list(self.keywords),
                valid_from=_date(self.valid_from, "有效期起"),
                valid_to=_date(self.valid_to, "有效期止"),
                source=self.source,
            )
        except ArticleInvalid as invalid:
            raise ConsoleRefusal(422, invalid.message_zh) from None


def _date(text: str, label: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConsoleRefusal(422, f"{label}的格式有误（如 2026-01-01）。") from None


def _version(fields: Fields) -> int | None:
    text = one(fields, "version")
    return int(text) if text.isdigit() else None


async def _fields(request: Request) -> Fields | ConsoleRefusal:
    try:
        return await read_fields(request)
    except ConsoleRefusal as refusal:
        return refusal


# --- the articles -----------------------------------------------------------------------------------------------


@router.get("")
def articles(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        require_sees_all(user)
        text = request.query_params.get("q", "")[:100]
        return render(
            "kb_list.html",
            user=user,
            csrf=csrf,
            text=text,
            records=service.kb_articles(text),
            status_labels=ARTICLE_STATUS_LABELS,
            pending=len(service.kb_proposals(ProposalStatus.PENDING)),
        )

    return page(request, build)


def article_page(
    service: ServerService,
    user: Principal,
    csrf: str,
    article_id: str = "",
    form: ArticleForm | None = None,
    message: str = "",
    status: int = 200,
    *,
    key: str = "",
) -> Response:
    """The form: a new article (with the id it will get), or an article to edit (with the version it is at)."""
    require_sees_all(user)
    record = service.kb_article(article_id) if article_id else None
    return render(
        "kb_article.html",
        status,
        user=user,
        csrf=csrf,
        record=record,
        form=form or (ArticleForm.of(record.article.draft) if record else ArticleForm()),
        key=key or new_id(),
        message=message,
        failed=status >= 400,
        status_labels=ARTICLE_STATUS_LABELS,
    )


@router.get("/new")
def new_article(request: Request) -> Response:
    return page(request, lambda service, user, csrf: article_page(service, user, csrf))


def _created(request: Request, fields: Fields | ConsoleRefusal) -> Response:
    def done(service: ServerService, user: Principal, form: Fields) -> str:
        require_sees_all(user)
        article = service.create_kb_article(ArticleForm.posted(form).draft(), user.access_name, key=one(form, "key"))
        return f"/console/kb/articles/{quote(article.id, safe='')}?saved=1"

    def again(service: ServerService, user: Principal, csrf: str, status: int, message: str) -> Response:
        posted = ArticleForm.posted(fields) if isinstance(fields, dict) else None
        key = one(fields, "key") if isinstance(fields, dict) else ""
        return article_page(service, user, csrf, form=posted, message=message, status=status, key=key)

    return posted_form(request, fields, done, again)


@router.post("/new")
async def create(request: Request) -> Response:
    return await run_in_threadpool(_created, request, await _fields(request))


@router.get("/articles/{article_id}")
def article(request: Request, article_id: str) -> Response:
    saved = "已保存；各工作站下次同步后生效。" if request.query_params.get("saved") else ""

    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        return article_page(service, user, csrf, article_id, message=saved)

    return page(request, build)


def _changed(request: Request, article_id: str, fields: Fields | ConsoleRefusal, retire: bool) -> Response:
    def done(service: ServerService, user: Principal, form: Fields) -> str:
        require_sees_all(user)
        if retire:
            service.retire_kb_article(article_id, user.access_name, expected_version=_version(form))
        else:
            draft = ArticleForm.posted(form).draft()
            service.update_kb_article(article_id, draft, user.access_name, expected_version=_version(form))
        return f"/console/kb/articles/{quote(article_id, safe='')}?saved=1"

    def again(service: ServerService, user: Principal, csrf: str, status: int, message: str) -> Response:
        posted = ArticleForm.posted(fields) if isinstance(fields, dict) and not retire else None
        return article_page(service, user, csrf, article_id, posted, message, status)

    return posted_form(request, fields, done, again)


@router.post("/articles/{article_id}")
async def update(request: Request, article_id: str) -> Response:
    return await run_in_threadpool(_changed, request, article_id, await _fields(request), False)


@router.post("/articles/{article_id}/retire")
async def retire(request: Request, article_id: str) -> Response:
    return await run_in_threadpool(_changed, request, article_id, await _fields(request), True)


# --- the stations' proposals ------------------------------------------------------------------------------------


@router.get("/proposals")
def proposals(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        require_sees_all(user)
        return render(
            "kb_proposals.html",
            user=user,
            csrf=csrf,
            records=service.kb_proposals(),
            status_labels=PROPOSAL_STATUS_LABELS,
        )

    return page(request, build)


def proposal_page(
    service: ServerService,
    user: Principal,
    csrf: str,
    proposal_id: str,
    form: ArticleForm | None = None,
    message: str = "",
    status: int = 200,
    reason: str = "",
) -> Response:
    """A proposal to decide: its text in the article form (edit, then approve), and the rejection's reason."""
    require_sees_all(user)
    record = service.kb_proposal(proposal_id)
    if form is None:
        form = replace(ArticleForm.of(record.proposal.draft), source=record.suggested_source())
    return render(
        "kb_proposal.html",
        status,
        user=user,
        csrf=csrf,
        record=record,
        form=form,
        message=message,
        reason=reason,
        status_labels=PROPOSAL_STATUS_LABELS,
        article_url=f"/console/kb/articles/{quote(record.proposal.article_id, safe='')}",
    )


@router.get("/proposals/{proposal_id}")
def proposal(request: Request, proposal_id: str) -> Response:
    return page(request, lambda service, user, csrf: proposal_page(service, user, csrf, proposal_id))


def _decided(request: Request, proposal_id: str, fields: Fields | ConsoleRefusal, approve: bool) -> Response:
    def done(service: ServerService, user: Principal, form: Fields) -> str:
        require_sees_all(user)
        if approve:
            service.approve_proposal(proposal_id, ArticleForm.posted(form).draft(), user.access_name)
        else:
            service.reject_proposal(proposal_id, one(form, "reason"), user.access_name)
        return "/console/kb/proposals"

    def again(service: ServerService, user: Principal, csrf: str, status: int, message: str) -> Response:
        posted = ArticleForm.posted(fields) if isinstance(fields, dict) and approve else None
        reason = one(fields, "reason") if isinstance(fields, dict) else ""
        return proposal_page(service, user, csrf, proposal_id, posted, message, status, reason)

    return posted_form(request, fields, done, again)


@router.post("/proposals/{proposal_id}/approve")
async def approve(request: Request, proposal_id: str) -> Response:
    return await run_in_threadpool(_decided, request, proposal_id, await _fields(request), True)


@router.post("/proposals/{proposal_id}/reject")
async def reject(request: Request, proposal_id: str) -> Response:
    return await run_in_threadpool(_decided, request, proposal_id, await _fields(request), False)
