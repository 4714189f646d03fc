"""The knowledge base (知识库, issue 17: 经验沉淀): how cases like this one were solved before, for the desk.

An article is written at the centre — in the console, or as a Markdown file imported with `gridstation-server kb
import DIR` — and synced read-only to every station, where the desk searches it offline (F1 at intake). A clerk may
propose an article from a closed case; the proposal goes to the centre, which approves it (as an article, edited
first if need be) or rejects it with a reason.

The file format is Markdown with a TOML front matter between two `+++` lines (docs/knowledge.md):

    +++
    id = "corridor-clutter"
    title = "楼道堆物清理流程"
    categories = ["FIRE.CORRIDOR"]
    keywords = ["楼道堆物", "消防通道"]
    valid_from = 2026-01-01
    source = "《上海市消防条例》；街道城运中心工作规程"
    +++
    正文（Markdown）……

An article is in force on a day when it is not retired and the day lies within its validity (either end may be
open). Articles hold no resident's personal data: a text with what looks like a mobile number is refused.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.similarity import category_group, idf, text_similarity
from gridstation.domain.validation import char_count, check_characters, mask_phone

TITLE_MAX_CHARS = 100
# The console's forms are at most 64 KB, URL-encoded: 5000 Chinese characters fit with room for the other fields.
BODY_MAX_CHARS = 5000
SOURCE_MAX_CHARS = 200
KEYWORD_MAX_CHARS = 20
MAX_KEYWORDS = 20
MAX_CATEGORIES = 10
CATEGORY_CODE_MAX_CHARS = 40
KEY_MAX_CHARS = 64
REJECTION_MAX_CHARS = 500
PROPOSER_MAX_CHARS = 40

CATEGORY_CODE = re.compile(r"^[A-Za-z0-9_]{1,19}(?:\.[A-Za-z0-9_]{1,20})?$")
# An article's stable key: letters (汉字 too), digits, "-", "_" and "."; what a re-import finds the article by.
ARTICLE_KEY = re.compile(r"^\w[\w.\-]*$")
# A mainland mobile number standing alone in a text: a resident's, which an article must never carry.
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")

FRONT_MATTER_FENCE = "+++"
FRONT_MATTER_FIELDS = ("id", "title", "categories", "keywords", "valid_from", "valid_to", "source")


class ArticleStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


ARTICLE_STATUS_LABELS: dict[ArticleStatus, str] = {ArticleStatus.ACTIVE: "在用", ArticleStatus.RETIRED: "已停用"}


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


PROPOSAL_STATUS_LABELS: dict[ProposalStatus, str] = {
    ProposalStatus.PENDING: "待审核",
    ProposalStatus.APPROVED: "已采纳",
    ProposalStatus.REJECTED: "未采纳",
}


class ArticleInvalid(DomainError):
    """Several fields failed at once; `problems` lists each with its field (as `IntakeInvalid` does)."""

    def __init__(self, problems: list[ValidationError], prefix: str = "") -> None:
        super().__init__("kb.invalid", prefix + "；".join(p.message_zh for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """What a person wrote: an article's content before it has an id and a version. Build it with `validated`."""

    title: str
    body: str
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""

    @classmethod
    def validated(
        cls,
        *,
        title: str,
        body: str,
        categories: Iterable[str] = (),
        keywords: Iterable[str] = (),
        valid_from: date | None = None,
        valid_to: date | None = None,
        source: str = "",
    ) -> ArticleDraft:
        """Every field checked, every problem collected (`ArticleInvalid`), so a form can mark each one at once."""
        problems: list[ValidationError] = []
        values: dict[str, Any] = {}

        def check(name: str, work: Any, *args: Any) -> None:
            try:
                values[name] = work(*args)
            except ValidationError as problem:
                problems.append(problem)

        check("title", _title, title)
        check("body", _body, body)
        check("categories", _categories, categories)
        check("keywords", _keywords, keywords)
        check("source", _source, source)
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            problems.append(
                ValidationError(
                    "valid_to",
                    "kb.valid_to_before_from",
                    f"有效期止（{valid_to.isoformat()}）不能早于有效期起（{valid_from.isoformat()}）。",
                )
            )
        if problems:
            raise ArticleInvalid(problems)
        return cls(valid_from=valid_from, valid_to=valid_to, **values)

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Article:
    """An article as the centre keeps it and the stations hold it: its content, stable id, version and status."""

    id: str
    draft: ArticleDraft
    version: int
    updated_at: datetime
    status: ArticleStatus = ArticleStatus.ACTIVE

    @property
    def title(self) -> str:
        return self.draft.title

    @property
    def body(self) -> str:
        return self.draft.body

    @property
    def categories(self) -> tuple[str, ...]:
        return self.draft.categories

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.draft.keywords

    @property
    def source(self) -> str:
        return self.draft.source

    def in_force(self, day: date) -> bool:
        """Shown at the desk on `day`: not retired, and `day` within its validity."""
        return self.status is ArticleStatus.ACTIVE and self.draft.in_force(day)


@dataclass(frozen=True, slots=True)
class Proposal:
    """A clerk's proposed article from a closed case (经验沉淀), on its way to the centre and back with a decision.

    `id` is the desk's: it is also the key that makes sending it again (after a lost answer) a duplicate."""

    id: str
    case_number: str
    draft: ArticleDraft  # title, body, categories and keywords; no validity or source until the centre sets them
    proposer: str
    created_at: datetime
    status: ProposalStatus = ProposalStatus.PENDING
    reason: str = ""  # why the centre rejected it
    article_id: str = ""  # the article it became


@dataclass(frozen=True, slots=True)
class ProposalDecision:
    """What the centre decided on a proposal, as the station hears of it."""

    proposal_id: str
    status: ProposalStatus
    reason: str = ""
    article_id: str = ""
    decided_at: datetime | None = None


def validate_article_key(key: str, what: str = "条目编号") -> str:
    key = key.strip()
    if not key or len(key) > KEY_MAX_CHARS or not ARTICLE_KEY.match(key):
        raise ValidationError(
            "id",
            "kb.key_invalid",
            f"{what}「{key}」不可用：应为 1–{KEY_MAX_CHARS} 个字母、汉字、数字或 - _ .，如 corridor-clutter。",
        )
    return key


def validate_rejection(reason: str) -> str:
    text = " ".join(check_characters(reason, field="reason", label="不采纳的原因").split())
    if not text:
        raise ValidationError("reason", "kb.reason_required", "请填写不采纳的原因，工作站会看到它。")
    if char_count(text) > REJECTION_MAX_CHARS:
        raise ValidationError("reason", "kb.reason_too_long", f"原因过长：最多 {REJECTION_MAX_CHARS} 字。")
    return text


def split_list(text: str) -> tuple[str, ...]:
    """Words typed into one field ("楼道堆物、消防通道, 杂物"), each once, in order."""
    return tuple(dict.fromkeys(word for word in _LIST_SEPARATORS.split(text) if word))


def without_personal_numbers(text: str) -> str:
    """`text` with every mobile number masked (for pre-filling a proposal from a case's description)."""
    return _MOBILE_IN_TEXT.sub(lambda found: mask_phone(found.group()), text)


def _no_personal_numbers(text: str, field: str, label: str) -> None:
    found = _MOBILE_IN_TEXT.search(text)
    if found:
        raise ValidationError(
            field,
            "kb.personal_data",
            f"{label}中有疑似手机号码（{mask_phone(found.group())}）：知识库不得含居民个人信息，请删去。",
        )


def _title(raw: str) -> str:
    text = " ".join(check_characters(raw, field="title", label="标题").split())
    if not text:
        raise ValidationError("title", "kb.title_required", "请填写标题。")
    if char_count(text) > TITLE_MAX_CHARS:
        count = char_count(text)
        raise ValidationError("title", "kb.title_too_long", f"标题过长：{count} 字，最多 {TITLE_MAX_CHARS} 字。")
    _no_personal_numbers(text, "title", "标题")
    return text


def _body(raw: str) -> str:
    text = check_characters(raw.replace("\r\n", "\n"), field="body", label="正文").strip()
    if not text:
        raise ValidationError("body", "kb.body_required", "请填写正文。")
    if char_count(text) > BODY_MAX_CHARS:
        count = char_count(text)
        raise ValidationError("body", "kb.body_too_long", f"正文过长：{count} 字，最多 {BODY_MAX_CHARS} 字。")
    _no_personal_numbers(text, "body", "正文")
    return text


def _categories(codes: Iterable[str]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    for code in found:
        if len(code) > CATEGORY_CODE_MAX_CHARS or not CATEGORY_CODE.match(code):
            raise ValidationError(
                "categories", "kb.category_invalid", f"分类代码「{code}」格式不对，应类似 FIRE.CORRIDOR。"
            )
    if len(found) > MAX_CATEGORIES:
        raise ValidationError("categories", "kb.too_many_categories", f"分类最多 {MAX_CATEGORIES} 个。")
    return found


def _keywords(words: Iterable[str]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(" ".join(word.split()) for word in words if word.strip()))
    for word in found:
        check_characters(word, field="keywords", label="关键词")
        if char_count(word) > KEYWORD_MAX_CHARS:
            raise ValidationError(
                "keywords", "kb.keyword_too_long", f"关键词「{word}」过长：每个最多 {KEYWORD_MAX_CHARS} 字。"
            )
    if len(found) > MAX_KEYWORDS:
        raise ValidationError("keywords", "kb.too_many_keywords", f"关键词最多 {MAX_KEYWORDS} 个。")
    return found


def _source(raw: str) -> str:
    text = " ".join(check_characters(raw, field="source", label="来源").split())
    if char_count(text) > SOURCE_MAX_CHARS:
        raise ValidationError("source", "kb.source_too_long", f"来源过长：最多 {SOURCE_MAX_CHARS} 字。")
    return text


# --- Markdown files with a TOML front matter -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """One Markdown file read: the key a re-import finds its article by (its `id`, else its name), and the content."""

    key: str
    draft: ArticleDraft


def article_from_markdown(text: str, file_name: str) -> ArticleFile:
    """Read a Markdown file with a TOML front matter between `+++` lines; every refusal names the file."""
    name = PurePath(file_name).name
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise DomainError(
            "kb.front_matter_missing", f"{name}：第一行应为 +++，其后是标题、分类等（TOML），再以 +++ 结束。"
        )
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE), None)
    if end is None:
        raise DomainError("kb.front_matter_open", f"{name}：开头的 +++ 之后缺少结束的 +++ 行。")
    try:
        fields = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as err:
        raise DomainError("kb.toml_invalid", f"{name}：开头部分不是有效的 TOML（{err}）。") from None
    unknown = sorted(set(fields) - set(FRONT_MATTER_FIELDS))
    if unknown:
        allowed = "、".join(FRONT_MATTER_FIELDS)
        raise DomainError("kb.unknown_field", f"{name}：未知字段 {'、'.join(unknown)}（可用：{allowed}）。")
    try:
        key = validate_article_key(_text_field(fields, "id", name) or PurePath(name).stem, "条目编号（id 或文件名）")
        draft = ArticleDraft.validated(
            title=_text_field(fields, "title", name),
            body="\n".join(lines[end + 1 :]),
            categories=_list_field(fields, "categories", name),
            keywords=_list_field(fields, "keywords", name),
            valid_from=_date_field(fields, "valid_from", name),
            valid_to=_date_field(fields, "valid_to", name),
            source=_text_field(fields, "source", name),
        )
    except ArticleInvalid as invalid:
        raise ArticleInvalid(invalid.problems, prefix=f"{name}：") from None
    except ValidationError as problem:
        raise ArticleInvalid([problem], prefix=f"{name}：") from None
    return ArticleFile(key, draft)


def _text_field(fields: Mapping[str, Any], field: str, name: str) -> str:
    value = fields.get(field, "")
    if not isinstance(value, str):
        raise DomainError("kb.field_type", f'{name}：{field} 应为带引号的文字，如 {field} = "……"。')
    return value


def _list_field(fields: Mapping[str, Any], field: str, name: str) -> tuple[str, ...]:
    value = fields.get(field, [])
    if isinstance(value, str):
        return split_list(value)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DomainError("kb.field_type", f'{name}：{field} 应为文字列表，如 {field} = ["甲", "乙"]。')
    return tuple(value)


def _date_field(fields: Mapping[str, Any], field: str, name: str) -> date | None:
    value = fields.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise DomainError("kb.field_type", f"{name}：{field} 应为日期，如 {field} = 2026-01-01。")


def article_to_markdown(key: str, draft: ArticleDraft) -> str:
    """The file `article_from_markdown` reads back as the same article (for exporting one)."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [FRONT_MATTER_FENCE, f"id = {quoted(key)}", f"title = {quoted(draft.title)}"]
    lines.append(f"categories = [{', '.join(quoted(code) for code in draft.categories)}]")
    lines.append(f"keywords = [{', '.join(quoted(word) for word in draft.keywords)}]")
    if draft.valid_from:
        lines.append(f"valid_from = {draft.valid_from.isoformat()}")
    if draft.valid_to:
        lines.append(f"valid_to = {draft.valid_to.isoformat()}")
    if draft.source:
        lines.append(f"source = {quoted(draft.source)}")
    return "\n".join([*lines, FRONT_MATTER_FENCE, draft.body, ""])


# --- matching a complaint to articles ------------------------------------------------------------------------

# What besides the text: the complaint's category named by the article, or only its group (FIRE for FIRE.CHARGE).
TEXT_WEIGHT = 0.5
HEADLINE_WEIGHT = 0.5  # the words of the title and the keywords, which say what the article is about
CATEGORY_WEIGHT = 0.25
CATEGORY_GROUP_WEIGHT = 0.1
MIN_SCORE = 0.05


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """An article with its words as the station's segmenter gives them: all of them, and the title's and keywords'."""

    article: Article
    words: tuple[str, ...]
    headline_words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KnowledgeMatch:
    """An article for the complaint at hand: how well it fits, and the complaint's words it shares (rarest first)."""

    article: Article
    score: float
    matched_words: tuple[str, ...]


def article_weights(articles: Sequence[IndexedArticle]) -> dict[str, float]:
    """Each word's idf over the articles: a word every article has (处置) counts for less than 飞线充电."""
    frequency: dict[str, int] = {}
    for indexed in articles:
        for word in set(indexed.words):
            frequency[word] = frequency.get(word, 0) + 1
    total = max(len(articles), 1)
    return {word: idf(count, total) for word, count in frequency.items()}


def rank_articles(
    words: Sequence[str], category_code: str, articles: Sequence[IndexedArticle], limit: int = 5
) -> list[KnowledgeMatch]:
    """The articles that fit the complaint's `words` and category, best first; the text counts most, the category
    adds to it (and alone, with no words yet, it lists the category's articles)."""
    weight = article_weights(articles)
    code = category_code.strip().upper()
    found: list[KnowledgeMatch] = []
    for indexed in articles:
        text = text_similarity(words, indexed.words, weight)
        headline = text_similarity(words, indexed.headline_words, weight)
        categories = indexed.article.categories
        category = 0.0
        if code and code in categories:
            category = CATEGORY_WEIGHT
        elif code and category_group(code) in {category_group(c) for c in categories}:
            category = CATEGORY_GROUP_WEIGHT
        score = TEXT_WEIGHT * text + HEADLINE_WEIGHT * headline + category
        # With words to go by, an article must share one, or be of the complaint's very category.
        if score < MIN_SCORE or (words and not text and category < CATEGORY_WEIGHT):
            continue
        shared = set(indexed.words)
        matched = sorted({w for w in words if w in shared}, key=lambda w: (-weight.get(w, 0.0), w))
        found.append(KnowledgeMatch(indexed.article, round(score, 4), tuple(matched)))
    found.sort(key=lambda match: (-match.score, match.article.title))
    return found[: max(limit, 0)]
