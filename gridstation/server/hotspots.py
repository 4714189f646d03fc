"""热点问题（一类事）at the centre (issue 17): across all stations, the categories rising in a station's grid this week
against their own baseline (the desk's `domain/hotspots.py`, counted here per week, category, station and grid in
one query), and near-duplicate descriptions across stations (`near_duplicates.py`): one problem told at three
stations. For the centre and administrators (the console's 热点 page, `gridstation-server report hotspots`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from gridstation.common.week_buckets import week_index
from gridstation.domain.case import FINISHED
from gridstation.domain.enums import STATUS_LABELS, Status
from gridstation.domain.hotspots import DEFAULT_BASELINE_WEEKS, CaseTally, Hotspots, WeekWindows, find_hotspots
from gridstation.domain.localtime import BEIJING
from gridstation.domain.validation import joined_address
from gridstation.server.case_reads import CaseReads
from gridstation.server.models import ServerCaseRow
from gridstation.server.near_duplicates import cluster_texts

TEXT_WEEKS = 4  # near-duplicates: the open cases and those registered in the last four weeks


@dataclass(frozen=True, slots=True)
class SimilarCase:
    number: str
    station_code: str
    category_code: str
    category_name: str
    grid_code: str
    status: Status
    registered_at: datetime
    description: str
    place: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "station": self.station_code,
            "category": self.category_code,
            "category_name": self.category_name,
            "grid": self.grid_code,
            "status": str(self.status),
            "status_label": self.status_label,
            "registered_at": self.registered_at.astimezone(BEIJING).isoformat(timespec="seconds"),
            "address": self.place,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class SimilarCases:
    """Cases of two or more stations whose descriptions are near-duplicates, oldest first."""

    cases: tuple[SimilarCase, ...]
    lowest: float  # the lowest and highest similarity (Jaccard of shingles) of the pairs that joined them
    highest: float

    @property
    def stations(self) -> tuple[str, ...]:
        return tuple(sorted({case.station_code for case in self.cases}))

    @property
    def reason(self) -> str:
        spread = f"{self.lowest:.2f}" if self.lowest == self.highest else f"{self.lowest:.2f}–{self.highest:.2f}"
        return f"{len(self.stations)} 个工作站 {len(self.cases)} 件诉求内容相近（相似度 {spread}）"

    def to_json(self) -> dict[str, Any]:
        return {
            "stations": list(self.stations),
            "similarity": [round(self.lowest, 2), round(self.highest, 2)],
            "reason": self.reason,
            "cases": [case.to_json() for case in self.cases],
        }


@dataclass(frozen=True, slots=True)
class CentreHotspots:
    hotspots: Hotspots  # rising only: the server's board has no compound and building columns to cluster addresses
    similar: tuple[SimilarCases, ...]
    texts_since: datetime

    def to_json(self) -> dict[str, Any]:
        windows = self.hotspots.windows
        return {
            "now": windows.now.astimezone(BEIJING).isoformat(timespec="seconds"),
            "baseline_weeks": windows.baseline_weeks,
            "rising": self.hotspots.to_json(),
            "texts_since": self.texts_since.astimezone(BEIJING).isoformat(timespec="seconds"),
            "similar": [cluster.to_json() for cluster in self.similar],
        }


class HotspotReads(CaseReads):
    def centre_hotspots(
        self, baseline_weeks: int = DEFAULT_BASELINE_WEEKS, at: datetime | None = None
    ) -> CentreHotspots:
        """Rising hotspots per category × station grid, and near-duplicate descriptions across stations, as they
        stood at `at` (default now): cases registered from then on are not counted."""
        windows = WeekWindows.ending_at(at or self.now(), baseline_weeks, BEIJING)
        texts_since = windows.now - timedelta(weeks=TEXT_WEEKS)
        c = ServerCaseRow
        counted = (
            select(
                week_index(c.registered_at, windows.starts).label("week"), c.category_code, c.station_code, c.grid_code
            )
            .where(c.registered_at >= windows.start, c.registered_at < windows.now)
            .subquery()
        )
        keys = (counted.c.week, counted.c.category_code, counted.c.station_code, counted.c.grid_code)
        with self.reading() as session:
            tallies = [
                CaseTally(week=int(week), category_code=category, station_code=station, grid_code=grid, count=int(n))
                for week, category, station, grid, n in session.execute(select(*keys, func.count()).group_by(*keys))
            ]
            texts = session.execute(
                select(c.number, c.station_code, c.category_code, c.grid_code, c.status, c.registered_at, c.state)
                .where(
                    or_(c.registered_at >= texts_since, c.status.not_in([str(s) for s in FINISHED])),
                    c.registered_at < windows.now,
                )
                .order_by(c.registered_at, c.number)
            ).all()
            names = self._category_names(session)
        hotspots = find_hotspots(tallies, windows, category_names=names)
        cases = [_similar_case(row, names) for row in texts]
        return CentreHotspots(hotspots, _across_stations(cases), texts_since)


def _similar_case(row: Any, names: Mapping[str, str]) -> SimilarCase:
    number, station, category, grid, status, registered_at, state = row
    return SimilarCase(
        number=number,
        station_code=station,
        category_code=category,
        category_name=names.get(category, category),
        grid_code=grid,
        status=Status(status),
        registered_at=registered_at,
        description=str(state.get("description", "")),
        place=joined_address((str(state.get("compound", "")), str(state.get("building", "")))),
    )


def _across_stations(cases: list[SimilarCase]) -> tuple[SimilarCases, ...]:
    """The clusters of near-duplicate descriptions that span two stations or more, the widest first (cases at two
    known, different compounds or buildings are not joined: see `near_duplicates`)."""
    found = []
    for cluster in cluster_texts([case.description for case in cases], [case.place for case in cases]):
        members = tuple(cases[i] for i in cluster.members)
        if len({case.station_code for case in members}) >= 2:
            found.append(SimilarCases(members, cluster.lowest, cluster.highest))
    return tuple(sorted(found, key=lambda s: (-len(s.stations), -len(s.cases), s.cases[0].number)))
