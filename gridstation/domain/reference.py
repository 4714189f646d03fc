"""Reference data shapes (categories, grids, compounds) and how to read them from CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from gridstation.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Category:
    """Two-level taxonomy: a top-level category has no parent; a leaf names its parent's code."""

    code: str
    name: str
    parent_code: str = ""


@dataclass(frozen=True, slots=True)
class Grid:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Compound:
    name: str
    grid_code: str = ""


def _rows(text: str, required: tuple[str, ...], kind: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError("csv.columns", f"{kind} CSV 缺少列：{', '.join(missing)}", missing=missing)
    rows = []
    for line_no, row in enumerate(reader, start=2):
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(clean.values()):
            continue
        for column in required[:1]:
            if not clean.get(column):
                raise DomainError(
                    "csv.empty_field",
                    f"{kind} CSV 第 {line_no} 行的「{column}」为空。",
                    line=line_no,
                    column=column,
                )
        rows.append(clean)
    return rows


def parse_categories(text: str, existing: Mapping[str, str] | None = None) -> list[Category]:
    """Read categories; `existing` maps codes already stored to their parent codes.

    A row may name a parent that is in the file or already stored; the result must stay two levels deep.
    """
    rows = _rows(text, ("code", "name", "parent_code"), "分类")
    categories = [Category(r["code"], r["name"], r.get("parent_code", "")) for r in rows]
    parent_of = {**(existing or {}), **{c.code: c.parent_code for c in categories}}
    for c in categories:
        if not c.name:
            raise DomainError("csv.empty_field", f"分类 {c.code} 没有名称。")
        if c.parent_code and c.parent_code not in parent_of:
            raise DomainError("category.parent_unknown", f"分类 {c.code} 的上级 {c.parent_code} 不存在。")
    for code, parent in parent_of.items():
        if parent and parent_of.get(parent):
            raise DomainError("category.too_deep", f"分类 {code} 超过两级。")
    return categories


def parse_grids(text: str) -> list[Grid]:
    return [Grid(r["code"], r.get("name") or r["code"]) for r in _rows(text, ("code", "name"), "网格")]


def parse_compounds(text: str) -> list[Compound]:
    return [Compound(r["name"], r.get("grid_code", "")) for r in _rows(text, ("name",), "小区")]


@dataclass(frozen=True, slots=True)
class StaffImport:
    name: str
    role: str
    pin: str


def parse_staff(text: str) -> list[StaffImport]:
    return [
        StaffImport(r["name"], r.get("role") or "clerk", r.get("pin", ""))
        for r in _rows(text, ("name", "role", "pin"), "人员")
    ]
