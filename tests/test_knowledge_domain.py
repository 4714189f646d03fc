"""Issue 17, 知识库: an article's rules (Chinese messages for each field, all at once), when it is in force, its
Markdown file with a TOML front matter, and how articles are matched to a complaint's words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gridstation.assets import RESOURCES
from gridstation.domain.errors import DomainError
from gridstation.domain.knowledge import (
    Article,
    ArticleDraft,
    ArticleInvalid,
    ArticleStatus,
    IndexedArticle,
    article_from_markdown,
    article_to_markdown,
    rank_articles,
    split_list,
    validate_article_key,
    without_personal_numbers,
)

WHEN = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

CORRIDOR = """+++
id = "corridor-clutter"
title = "楼道堆物清理流程"
categories = ["FIRE.CORRIDOR", "fire.access"]
keywords = ["楼道堆物", "消防通道"]
valid_from = 2026-01-01
valid_to = "2027-12-31"
source = "《中华人民共和国消防法》第二十八条"
+++
楼道是疏散通道。

## 处置步骤
1. 张贴《限期清理告知书》。
"""


def test_a_markdown_file_becomes_an_article_with_its_key_and_fields() -> None:
    found = article_from_markdown("\ufeff" + CORRIDOR.replace("\n", "\r\n"), "楼道.md")
    assert found.key == "corridor-clutter"
    draft = found.draft
    assert draft.title == "楼道堆物清理流程"
    assert draft.categories == ("FIRE.CORRIDOR", "FIRE.ACCESS")  # codes as the stations write them
    assert draft.keywords == ("楼道堆物", "消防通道")
    assert (draft.valid_from, draft.valid_to) == (date(2026, 1, 1), date(2027, 12, 31))
    assert draft.body.startswith("楼道是疏散通道。\n\n## 处置步骤") and "\r" not in draft.body
    assert draft.source == "《中华人民共和国消防法》第二十八条"
    assert article_from_markdown(article_to_markdown(found.key, draft), "again.md") == found


def test_without_an_id_the_file_name_is_the_key() -> None:
    text = CORRIDOR.replace('id = "corridor-clutter"\n', "")
    assert article_from_markdown(text, "/some/dir/窨井盖-报修.md").key == "窨井盖-报修"
    with pytest.raises(ArticleInvalid, match=re.escape("a b.md：条目编号（id 或文件名）「a b」不可用")):
        article_from_markdown(text, "a b.md")


@pytest.mark.parametrize(
    "text, message",
    [
        ("title = 'x'\n+++\n正文", "x.md：第一行应为 +++"),
        ("+++\ntitle = 'x'\n正文", "x.md：开头的 +++ 之后缺少结束的 +++ 行。"),
        ("+++\ntitle = x\n+++\n正文", "x.md：开头部分不是有效的 TOML"),
        ("+++\ntitle = 'x'\nkeyword = ['a']\n+++\n正文", "x.md：未知字段 keyword（可用：id、title"),
        ("+++\ntitle = 3\n+++\n正文", 'x.md：title 应为带引号的文字，如 title = "……"。'),
        ("+++\ntitle = 'x'\ncategories = [1]\n+++\n正文", "x.md：categories 应为文字列表"),
        ("+++\ntitle = 'x'\nvalid_from = '明年'\n+++\n正文", "x.md：valid_from 应为日期，如 valid_from = 2026-01-01。"),
    ],
)
def test_a_broken_file_is_refused_with_its_name_and_why(text: str, message: str) -> None:
    with pytest.raises(DomainError, match=re.escape(message)):
        article_from_markdown(text, "dir/x.md")


def test_every_problem_of_an_article_is_named_at_once_in_chinese() -> None:
    with pytest.raises(ArticleInvalid) as refused:
        ArticleDraft.validated(
            title="长" * 101,
            body="   ",
            categories=["FIRE CORRIDOR"],
            keywords=["很长的关键词" * 4],
            valid_from=date(2026, 3, 1),
            valid_to=date(2026, 1, 1),
        )
    messages = {problem.field: problem.message_zh for problem in refused.value.problems}
    assert messages == {
        "title": "标题过长：101 字，最多 100 字。",
        "body": "请填写正文。",
        "categories": "分类代码「FIRE CORRIDOR」格式不对，应类似 FIRE.CORRIDOR。",
        "keywords": "关键词「很长的关键词很长的关键词很长的关键词很长的关键词」过长：每个最多 20 字。",
        "valid_to": "有效期止（2026-01-01）不能早于有效期起（2026-03-01）。",
    }
    with pytest.raises(ArticleInvalid, match="请填写标题。"):
        ArticleDraft.validated(title=" ", body="正文")


def test_an_article_carries_no_residents_phone_number() -> None:
    with pytest.raises(
        ArticleInvalid, match=re.escape("正文中有疑似手机号码（138****4537）：知识库不得含居民个人信息")
    ):
        ArticleDraft.validated(title="楼道堆物", body="联系王阿姨 13800134537 处理")
    assert ArticleDraft.validated(title="电梯困人", body="拨打 96333 电梯应急电话").body == "拨打 96333 电梯应急电话"
    assert without_personal_numbers("居民13800134537反映") == "居民138****4537反映"


def test_keys_and_lists_as_people_type_them() -> None:
    assert validate_article_key(" ebike-flying-wire ") == "ebike-flying-wire"
    assert validate_article_key("树木_采光.v2") == "树木_采光.v2"
    with pytest.raises(DomainError, match="条目编号「a/b」不可用"):
        validate_article_key("a/b")
    assert split_list("楼道堆物、消防通道, 杂物，楼道堆物  纸箱") == ("楼道堆物", "消防通道", "杂物", "纸箱")


def test_in_force_between_its_dates_and_never_when_retired() -> None:
    draft = ArticleDraft.validated(
        title="冬季修剪", body="休眠期修剪", valid_from=date(2026, 11, 1), valid_to=date(2027, 3, 31)
    )
    article = Article("winter-trim", draft, 1, WHEN)
    assert not article.in_force(date(2026, 10, 31))
    assert article.in_force(date(2026, 11, 1)) and article.in_force(date(2027, 3, 31))
    assert not article.in_force(date(2027, 4, 1))
    assert not Article("winter-trim", draft, 2, WHEN, ArticleStatus.RETIRED).in_force(date(2026, 12, 1))
    open_ended = Article("a", ArticleDraft.validated(title="长期", body="有效"), 1, WHEN)
    assert open_ended.in_force(date(2000, 1, 1)) and open_ended.in_force(date(2099, 12, 31))


def indexed(key: str, title: str, words: str, headline: str, categories: tuple[str, ...]) -> IndexedArticle:
    article = Article(key, ArticleDraft(title=title, body=words, categories=categories), 1, WHEN)
    return IndexedArticle(article, tuple(words.split()), tuple(headline.split()))


ARTICLES = [
    indexed(
        "corridor", "楼道堆物清理流程", "楼道 堆物 清理 消防 通道 告知书 处置", "楼道 堆物 清理", ("FIRE.CORRIDOR",)
    ),
    indexed("charging", "电动车飞线充电", "电动车 飞线充电 劝阻 消防 处置", "电动车 飞线充电 劝阻", ("FIRE.CHARGE",)),
    indexed("cover", "窨井盖松动", "窨井盖 松动 报修 防护 处置", "窨井盖 松动", ("DRAIN.COVER",)),
]


def test_the_article_about_the_complaint_comes_first_with_the_words_it_shares() -> None:
    found = rank_articles(["电动车", "飞线充电", "楼道"], "", ARTICLES)
    assert [m.article.id for m in found] == ["charging", "corridor"]
    assert found[0].matched_words == ("电动车", "飞线充电")  # the rarer first (both in one article): by weight, name
    assert found[0].score > found[1].score > 0


def test_the_category_adds_and_alone_lists_its_articles() -> None:
    # "消防" and "处置" are in several articles: the category decides between the two fire articles.
    found = rank_articles(["消防"], "FIRE.CHARGE", ARTICLES)
    assert [m.article.id for m in found] == ["charging", "corridor"]
    only_category = rank_articles([], "FIRE.CORRIDOR", ARTICLES)
    assert [m.article.id for m in only_category] == ["corridor", "charging"]  # its own, then its group's
    assert only_category[0].matched_words == ()
    assert rank_articles([], "", ARTICLES) == []
    assert rank_articles(["电梯"], "PROP.LIFT", ARTICLES) == []  # nothing fits: nothing shown
    # With words, the category's group alone does not bring in an article that shares none of them.
    assert [m.article.id for m in rank_articles(["飞线充电"], "FIRE.ACCESS", ARTICLES)] == ["charging"]
    assert rank_articles(["处置"], "", ARTICLES) == []  # a word every article has says nothing on its own
    assert len(rank_articles(["消防"], "", ARTICLES)) == 2 and len(rank_articles(["消防"], "", ARTICLES, limit=1)) == 1


def test_the_sample_articles_are_valid_files() -> None:
    files = sorted((RESOURCES / "knowledge").glob("*.md"))
    assert 5 <= len(files) <= 8
    found = [article_from_markdown(path.read_text(encoding="utf-8"), path.name) for path in files]
    assert len({item.key for item in found}) == len(found)
    titles = {item.draft.title for item in found}
    assert {"楼道堆物清理流程", "电动车飞线充电劝阻与处置", "窨井盖松动：报修渠道与临时防护"} <= titles
    assert "树木遮挡采光：修剪审批与季节要求" in titles
    assert all(item.draft.categories and item.draft.keywords and item.draft.source for item in found)
    assert all(Path(path).suffix == ".md" for path in files)
