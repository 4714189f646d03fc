"""`gridstation-server kb …`: the knowledge base (知识库, issue 17).

    kb import DIR      every *.md file in DIR an article (TOML front matter between +++ lines, docs/knowledge.md);
                       all files are checked first and every bad one named, and then all are imported or none;
                       a file imported again updates its article (found by its `id`, else its file name)
    kb list [--json]   the articles, in use first

Every station gets the changes with its next sync.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from gridstation.common.cli_kit import ChineseArgumentParser
from gridstation.domain.errors import DomainError
from gridstation.domain.knowledge import ARTICLE_STATUS_LABELS, ArticleFile, article_from_markdown
from gridstation.domain.localtime import local_minute
from gridstation.server.credential_cli import Opener


def add_kb_commands(commands: argparse._SubParsersAction[Any], open_for: Opener) -> None:
    """Add `kb` to the server's command line; `open_for(args)` opens the service."""
    kb = commands.add_parser("kb", help="知识库：从 Markdown 文件导入条目、列出条目（各工作站同步后可离线检索）")
    actions = kb.add_subparsers(parser_class=ChineseArgumentParser)
    imports = actions.add_parser(
        "import", help="导入目录中的每个 .md 文件为一篇条目（先全部校验，有误一篇也不导入；再次导入即更新）"
    )
    imports.add_argument("folder", metavar="DIR", help="存放 Markdown 文件的目录")
    imports.set_defaults(handler=lambda args: _import(open_for, args))
    listing = actions.add_parser("list", help="列出知识库条目")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(handler=lambda args: _list(open_for, args))


def read_article_files(folder: Path) -> list[tuple[str, ArticleFile]]:
    """Every *.md file of `folder`, by name, read and checked; one DomainError naming every bad file."""
    if not folder.is_dir():
        raise DomainError("file.missing", f"找不到目录：{folder}")
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise DomainError("kb.no_files", f"目录 {folder} 中没有 .md 文件。")
    found: list[tuple[str, ArticleFile]] = []
    problems: list[str] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
            found.append((path.name, article_from_markdown(text, path.name)))
        except (OSError, UnicodeDecodeError):
            problems.append(f"{path.name}：无法读取（请保存为 UTF-8 编码）。")
        except DomainError as err:
            problems.append(err.message_zh)
    if problems:
        lines = "\n".join(f"  {line}" for line in problems)
        raise DomainError("kb.files_invalid", f"有 {len(problems)} 个文件有误，未导入任何条目：\n{lines}")
    return found


def _import(open_for: Opener, args: argparse.Namespace) -> int:
    files = read_article_files(Path(args.folder))
    with open_for(args) as service:
        outcomes = service.import_kb_articles(files, "cli")
    for outcome in outcomes:
        print(f"{outcome.file_name}\t{outcome.key}\t{outcome.label}（第 {outcome.version} 版）")
    changed = sum(1 for outcome in outcomes if outcome.outcome != "unchanged")
    print(f"共 {len(outcomes)} 个文件，{changed} 篇新增或更新；各工作站下次同步后生效。")
    return 0


def _list(open_for: Opener, args: argparse.Namespace) -> int:
    with open_for(args) as service:
        records = service.kb_articles()
    if args.json:
        rows = [
            {
                "id": r.article.id,
                "title": r.article.title,
                "categories": list(r.article.categories),
                "keywords": list(r.article.keywords),
                "valid_from": r.article.draft.valid_from.isoformat() if r.article.draft.valid_from else None,
                "valid_to": r.article.draft.valid_to.isoformat() if r.article.draft.valid_to else None,
                "source": r.article.source,
                "status": str(r.article.status),
                "version": r.article.version,
                "updated_at": r.article.updated_at.isoformat(),
            }
            for r in records
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("知识库中还没有条目（gridstation-server kb import DIR 导入）。")
    for r in records:
        status = ARTICLE_STATUS_LABELS[r.article.status]
        when = local_minute(r.article.updated_at)
        print(f"{r.article.id}\t{r.article.title}\t{status}\t第 {r.article.version} 版\t{when}")
    return 0
