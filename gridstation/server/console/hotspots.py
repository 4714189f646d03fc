"""热点问题（一类事）in the console (issue 17): across all stations, the categories rising in a station's grid this
week (each with its weekly bars, plain SVG drawn by the server), and the near-duplicate descriptions told at several
stations. Centre and administrators only, like 考核."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gridstation.domain.errors import ValidationError
from gridstation.domain.hotspots import DEFAULT_BASELINE_WEEKS, MAX_BASELINE_WEEKS, MIN_BASELINE_WEEKS, RisingHotspot
from gridstation.server.console.auth import ConsoleRefusal
from gridstation.server.console.pages import page, render, require_sees_all
from gridstation.server.hotspots import TEXT_WEEKS
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

router = APIRouter(prefix="/console", include_in_schema=False)
BAR_WIDTH, BAR_GAP, BARS_HEIGHT = 8, 2, 32


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: float
    height: float
    count: int
    current: bool


def weekly_bars(hotspot: RisingHotspot) -> list[Bar]:
    """The hotspot's weeks as bars of an SVG `BARS_HEIGHT` high, the current week last."""
    top = max(max(hotspot.weeks), 1)
    bars = []
    for i, count in enumerate(hotspot.weeks):
        height = round(BARS_HEIGHT * count / top, 1)
        bars.append(Bar(i * (BAR_WIDTH + BAR_GAP), BARS_HEIGHT - height, height, count, i == len(hotspot.weeks) - 1))
    return bars


def _weeks(text: str | None) -> int:
    if text is None or not text.strip():
        return DEFAULT_BASELINE_WEEKS
    try:
        return int(text)
    except ValueError:
        raise ConsoleRefusal(400, f"基线周数应为 {MIN_BASELINE_WEEKS} 至 {MAX_BASELINE_WEEKS} 之间的整数。") from None


@router.get("/hotspots")
def hotspots(request: Request) -> Response:
    def build(service: ServerService, user: Principal, csrf: str) -> Response:
        require_sees_all(user)
        weeks = _weeks(request.query_params.get("weeks"))
        try:
            found = service.centre_hotspots(weeks)
        except ValidationError as refused:
            raise ConsoleRefusal(400, refused.message_zh) from None
        windows = found.hotspots.windows
        return render(
            "hotspots.html",
            user=user,
            csrf=csrf,
            found=found,
            windows=windows,
            weeks=weeks,
            text_weeks=TEXT_WEEKS,
            rising=[(hotspot, weekly_bars(hotspot)) for hotspot in found.hotspots.rising],
            svg_width=len(windows.starts) * (BAR_WIDTH + BAR_GAP),
            bar_width=BAR_WIDTH,
            bars_height=BARS_HEIGHT,
        )

    return page(request, build)
