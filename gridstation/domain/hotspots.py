"""热点问题（一类事）: problems that rise above their own usual level, and problems that keep coming back to one place.

The practice asks a station to act on a class of problems, not one call at a time (一件事 → 一类事). Two findings:

- **rising** (热点上升): the cases of one category in one grid (or at one building: the same compound and building),
  counted week by week, whose current week is improbable under that series' own baseline — the mean of the weeks
  before it — read as a Poisson rate: P(X ≥ this week's count) below `HotspotRules.p_limit`, with at least
  `HotspotRules.min_count` cases;
- **recurring** (易反复问题): the same category at the same address (compound, building and door; compound and building
  when no door is given) reported `HotspotRules.recurring_min` times or more in the window, or reported again after an
  earlier case there was closed.

Weeks are 7 days of the station's calendar (Beijing time unless said): the current week is the seven days ending
with the day `now` falls in (today counts up to `now`), and the baseline weeks are the seven-day blocks before it.
Everything here is a pure function of the counted cases and `now` (no wall clock); storage counts the cases per
week in SQL (`CaseTally`), and `find_hotspots` compares. Definitions and thresholds: docs/report.md, 热点问题.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from gridstation.domain.errors import ValidationError
from gridstation.domain.localtime import BEIJING
from gridstation.domain.validation import joined_address

DEFAULT_BASELINE_WEEKS = 10
MIN_BASELINE_WEEKS = 4
MAX_BASELINE_WEEKS = 26
NO_GRID = "（未指定网格）"


class HotspotScope(StrEnum):
    GRID = "grid"  # one category in one grid
    ADDRESS = "address"  # one category at one building (the same compound and building)


SCOPE_LABELS = {HotspotScope.GRID: "网格", HotspotScope.ADDRESS: "楼栋"}


@dataclass(frozen=True, slots=True)
class HotspotRules:
    """The thresholds (docs/report.md): a week is "rising" when it has at least `min_count` cases and so many would
    happen by chance less often than `p_limit` at the baseline rate; the rate is never taken below `baseline_floor`
    a week, so a category a grid never had is not flagged by one or two cases. An address is "recurring" with
    `recurring_min` cases of one category in the window, or with one reported again after a close."""

    min_count: int = 3
    p_limit: float = 0.01
    baseline_floor: float = 0.2
    recurring_min: int = 3


@dataclass(frozen=True, slots=True)
class WeekWindows:
    """The weeks counted: `starts` holds each week's first instant, oldest first; the last one is the current week,
    which ends at the start of the day after `now` (only cases registered before `now` count)."""

    now: datetime
    starts: tuple[datetime, ...]
    end: datetime
    zone: ZoneInfo = BEIJING

    @classmethod
    def ending_at(
        cls, now: datetime, baseline_weeks: int = DEFAULT_BASELINE_WEEKS, zone: ZoneInfo = BEIJING
    ) -> WeekWindows:
        if not MIN_BASELINE_WEEKS <= baseline_weeks <= MAX_BASELINE_WEEKS:
            raise ValidationError(
                "weeks",
                "hotspots.weeks",
                f"基线周数须在 {MIN_BASELINE_WEEKS} 至 {MAX_BASELINE_WEEKS} 之间（现为 {baseline_weeks}）。",
            )
        today = now.astimezone(zone).date()
        current_first_day = today - timedelta(days=6)
        days = [current_first_day - timedelta(weeks=k) for k in range(baseline_weeks, -1, -1)]
        return cls(now, tuple(_start_of(day, zone) for day in days), _start_of(today + timedelta(days=1), zone), zone)

    @property
    def baseline_weeks(self) -> int:
        return len(self.starts) - 1

    @property
    def current(self) -> int:
        """The index of the current week (the last)."""
        return len(self.starts) - 1

    @property
    def start(self) -> datetime:
        return self.starts[0]

    def week_of(self, moment: datetime) -> int | None:
        """The index of the week `moment` falls in; None before the first week or from `now` on."""
        if moment < self.starts[0] or moment >= self.now:
            return None
        return bisect_right(self.starts, moment) - 1

    def first_day(self, week: int) -> date:
        return self.starts[week].astimezone(self.zone).date()

    def last_day(self, week: int) -> date:
        following = self.starts[week + 1] if week + 1 < len(self.starts) else self.end
        return (following - timedelta(microseconds=1)).astimezone(self.zone).date()

    def label(self, week: int) -> str:
        return f"{self.first_day(week):%m-%d}—{self.last_day(week):%m-%d}"

    def local_day(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%m-%d}"


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class CaseTally:
    """Cases registered in one week (`WeekWindows` index) that share category, grid and address: one row of what
    storage counts in SQL. A single case is a tally of one."""

    week: int
    category_code: str
    grid_code: str = ""
    compound: str = ""
    building: str = ""
    address: str = ""
    count: int = 1
    open_count: int = 0
    last_registered_at: datetime | None = None
    first_closed_at: datetime | None = None  # the earliest close among them (None: none closed)
    numbers: tuple[str, ...] = ()
    station_code: str = ""  # at the centre, where the cases come from


@dataclass(frozen=True, slots=True)
class RisingHotspot:
    """A category in a grid, or at a building, whose current week stands out from its own baseline."""

    scope: HotspotScope
    category_code: str
    category_name: str
    grid_code: str
    grid_name: str
    place: str  # compound and building for `HotspotScope.ADDRESS`, empty for a grid
    weeks: tuple[int, ...]  # cases per week, oldest first; the last is the current week
    baseline: float  # mean cases a week before the current week
    p_value: float  # P(X ≥ this week's count) at the baseline rate (floored)
    reason: str
    station_code: str = ""

    @property
    def this_week(self) -> int:
        return self.weeks[-1]

    @property
    def ratio(self) -> float | None:
        """This week over the baseline mean; None when the baseline weeks had none."""
        return self.this_week / self.baseline if self.baseline else None

    @property
    def title(self) -> str:
        where = self.place or self.grid_name
        return f"{where} · {self.category_name}"

    def to_json(self, windows: WeekWindows) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "kind": "rising",
            "scope": str(self.scope),
            **_common_json(self.category_code, self.category_name, self.grid_code, self.grid_name, self.station_code),
            "address": self.place,
            **_weeks_json(self.weeks, windows),
            "baseline": round(self.baseline, 2),
            "p_value": float(f"{self.p_value:.3g}"),
            "ratio": None if ratio is None else round(ratio, 1),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class RecurringProblem:
    """易反复问题: one category at one address, again and again, or again after it was closed."""

    category_code: str
    category_name: str
    grid_code: str
    grid_name: str
    place: str  # compound, building and door as the clerk typed them
    weeks: tuple[int, ...]
    total: int
    open_count: int
    reported_after_close: bool
    first_closed_at: datetime | None
    last_registered_at: datetime | None
    numbers: tuple[str, ...]
    reason: str
    station_code: str = ""

    @property
    def this_week(self) -> int:
        return self.weeks[-1]

    @property
    def baseline(self) -> float:
        return _mean(self.weeks[:-1])

    def to_json(self, windows: WeekWindows) -> dict[str, Any]:
        return {
            "kind": "recurring",
            "scope": str(HotspotScope.ADDRESS),
            **_common_json(self.category_code, self.category_name, self.grid_code, self.grid_name, self.station_code),
            "address": self.place,
            **_weeks_json(self.weeks, windows),
            "baseline": round(self.baseline, 2),
            "total": self.total,
            "open": self.open_count,
            "reported_after_close": self.reported_after_close,
            "numbers": list(self.numbers),
            "reason": self.reason,
        }


def _common_json(category: str, category_name: str, grid: str, grid_name: str, station: str) -> dict[str, Any]:
    return {
        "category": category,
        "category_name": category_name,
        "grid": grid,
        "grid_name": grid_name,
        **({"station": station} if station else {}),
    }


def _weeks_json(weeks: tuple[int, ...], windows: WeekWindows) -> dict[str, Any]:
    return {
        "weeks": list(weeks),
        "week_starts": [windows.first_day(i).isoformat() for i in range(len(weeks))],
        "this_week": weeks[-1],
    }


@dataclass(frozen=True, slots=True)
class Hotspots:
    windows: WeekWindows
    rising: tuple[RisingHotspot, ...] = ()
    recurring: tuple[RecurringProblem, ...] = ()
    rules: HotspotRules = HotspotRules()

    def to_json(self) -> list[dict[str, Any]]:
        """Rising first (most improbable first), then the recurring problems (most cases first)."""
        return [h.to_json(self.windows) for h in self.rising] + [r.to_json(self.windows) for r in self.recurring]


def poisson_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean), summed from the k-th term up (exact where 1 − P(X < k) would cancel)."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    term = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
    total, i = 0.0, k
    while term > 0:
        total += term
        i += 1
        term *= mean / i
        if i > mean and term < total * 1e-17:
            break
    return min(1.0, total)


def _mean(values: Iterable[int]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def bare(text: str) -> str:
    """An address part for comparing: without spaces (clerks type 3号楼 and 3 号楼 alike)."""
    return "".join(text.split())


@dataclass(slots=True)
class _Series:
    weeks: list[int]
    grids: dict[str, int] = field(default_factory=dict)
    place: str = ""
    open_count: int = 0
    last_registered_at: datetime | None = None
    first_closed_at: datetime | None = None
    numbers: list[str] = field(default_factory=list)

    def add(self, tally: CaseTally) -> None:
        self.weeks[tally.week] += tally.count
        self.grids[tally.grid_code] = self.grids.get(tally.grid_code, 0) + tally.count
        self.open_count += tally.open_count
        self.numbers.extend(tally.numbers)
        last, closed = tally.last_registered_at, tally.first_closed_at
        if last is not None and (self.last_registered_at is None or last > self.last_registered_at):
            self.last_registered_at = last
        if closed is not None and (self.first_closed_at is None or closed < self.first_closed_at):
            self.first_closed_at = closed

    @property
    def grid(self) -> str:
        """The grid most of the cases are in (a building belongs to one; a clerk's slip should not split it)."""
        return min(self.grids.items(), key=lambda item: (-item[1], item[0]))[0]


def find_hotspots(
    tallies: Iterable[CaseTally],
    windows: WeekWindows,
    *,
    category_names: Mapping[str, str] | None = None,
    grid_names: Mapping[str, str] | None = None,
    rules: HotspotRules = HotspotRules(),
) -> Hotspots:
    """The rising hotspots (per category × grid and per category × building) and the recurring problems of
    `tallies`, counted in `windows`."""
    categories = category_names or {}
    grids = grid_names or {}
    size = len(windows.starts)
    by_grid: dict[tuple[str, str, str], _Series] = {}
    by_building: dict[tuple[str, str, str], _Series] = {}
    by_address: dict[tuple[str, str, str], _Series] = {}
    places: dict[tuple[str, ...], tuple[str, str]] = {}  # address parts → (as shown, as compared), worked out once

    def place(*parts: str) -> tuple[str, str]:
        if parts not in places:
            shown = joined_address(parts)
            places[parts] = (shown, bare(shown))
        return places[parts]

    def series_of(groups: dict[tuple[str, str, str], _Series], key: tuple[str, str, str], shown: str = "") -> _Series:
        found = groups.get(key)
        if found is None:
            found = groups[key] = _Series([0] * size, place=shown)
        return found

    for tally in tallies:
        if not 0 <= tally.week < size or tally.count <= 0:
            continue
        station, category = tally.station_code, tally.category_code
        series_of(by_grid, (station, category, tally.grid_code)).add(tally)
        if tally.compound.strip() and tally.building.strip():
            shown, compared = place(tally.compound, tally.building)
            series_of(by_building, (station, category, compared), shown).add(tally)
        if tally.building.strip() or tally.address.strip():
            shown, compared = place(tally.compound, tally.building, tally.address)
            series_of(by_address, (station, category, compared), shown).add(tally)

    def grid_name(code: str) -> str:
        return grids.get(code, code) if code else NO_GRID

    rising: list[RisingHotspot] = []
    for scope, groups in ((HotspotScope.GRID, by_grid), (HotspotScope.ADDRESS, by_building)):
        for (station, category, _), series in groups.items():
            found = _rising(series.weeks, rules, windows)
            if found is None:
                continue
            baseline, p_value, reason = found
            grid = series.grid
            rising.append(
                RisingHotspot(
                    scope=scope,
                    category_code=category,
                    category_name=categories.get(category, category),
                    grid_code=grid,
                    grid_name=grid_name(grid),
                    place=series.place,
                    weeks=tuple(series.weeks),
                    baseline=baseline,
                    p_value=p_value,
                    reason=reason,
                    station_code=station,
                )
            )
    rising.sort(key=lambda h: (h.p_value, -h.this_week, h.scope != HotspotScope.GRID, h.category_code, h.place))

    recurring: list[RecurringProblem] = []
    for (station, category, _), series in by_address.items():
        total = sum(series.weeks)
        again = (
            series.first_closed_at is not None
            and series.first_closed_at < windows.now
            and series.last_registered_at is not None
            and series.last_registered_at > series.first_closed_at
        )
        if total < rules.recurring_min and not again:
            continue
        grid = series.grid
        recurring.append(
            RecurringProblem(
                category_code=category,
                category_name=categories.get(category, category),
                grid_code=grid,
                grid_name=grid_name(grid),
                place=series.place,
                weeks=tuple(series.weeks),
                total=total,
                open_count=series.open_count,
                reported_after_close=again,
                first_closed_at=series.first_closed_at if again else None,
                last_registered_at=series.last_registered_at,
                numbers=tuple(sorted(series.numbers)),
                reason=_recurring_reason(series, total, again, windows),
                station_code=station,
            )
        )
    recurring.sort(
        key=lambda r: (
            -r.total,
            not r.reported_after_close,
            -(r.last_registered_at or windows.start).timestamp(),
            r.place,
        )
    )
    return Hotspots(windows, tuple(rising), tuple(recurring), rules)


def _rising(weeks: list[int], rules: HotspotRules, windows: WeekWindows) -> tuple[float, float, str] | None:
    """(baseline mean, p-value, reason) when the current week stands out; None otherwise."""
    current = weeks[-1]
    if current < rules.min_count:
        return None
    baseline = _mean(weeks[:-1])
    p_value = poisson_tail(current, max(baseline, rules.baseline_floor))
    if p_value >= rules.p_limit:
        return None
    n = windows.baseline_weeks
    if baseline == 0:
        return baseline, p_value, f"近 7 天 {current} 件，前 {n} 周没有"
    return (
        baseline,
        p_value,
        f"近 7 天 {current} 件，前 {n} 周平均每周 {baseline:.1f} 件（{current / baseline:.1f} 倍）",
    )


def _recurring_reason(series: _Series, total: int, again: bool, windows: WeekWindows) -> str:
    parts = [f"近 {len(series.weeks)} 周同一地点同类诉求 {total} 件"]
    if again and series.first_closed_at is not None and series.last_registered_at is not None:
        closed, again_at = windows.local_day(series.first_closed_at), windows.local_day(series.last_registered_at)
        parts.append(f"{closed} 办结后 {again_at} 又有反映")
    if series.open_count:
        parts.append(f"{series.open_count} 件在办")
    return "，".join(parts)
