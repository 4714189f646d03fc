"""Templates of the paper documents, read from `forms/*.toml` beside the package."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm

from gridstation.assets import FORMS


@cache
def load_template(name: str) -> dict[str, Any]:
    path = FORMS / f"{name}.toml"
    with path.open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True, slots=True)
class Paper:
    """A receipt paper: a thermal roll (no fixed height) or a sheet."""

    key: str
    label: str
    width: float  # points
    height: float | None  # points; None for a roll
    margin: float
    title_pt: float
    number_pt: float
    body_pt: float
    small_pt: float
    qr_size: float
    escpos_columns: int

    @property
    def is_roll(self) -> bool:
        return self.height is None


def receipt_papers() -> dict[str, Paper]:
    papers: dict[str, Paper] = {}
    for key, raw in load_template("receipt")["paper"].items():
        height = raw.get("height_mm")
        papers[key] = Paper(
            key=key,
            label=str(raw["label"]),
            width=float(raw["width_mm"]) * mm,
            height=None if height is None else float(height) * mm,
            margin=float(raw["margin_mm"]) * mm,
            title_pt=float(raw["title_pt"]),
            number_pt=float(raw["number_pt"]),
            body_pt=float(raw["body_pt"]),
            small_pt=float(raw["small_pt"]),
            qr_size=float(raw["qr_mm"]) * mm,
            escpos_columns=int(raw.get("escpos_columns", 0)),
        )
    return papers


PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "a5": A5}


def page_size(template: dict[str, Any]) -> tuple[float, float]:
    return PAGE_SIZES[str(template.get("page", "a4"))]
