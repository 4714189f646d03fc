"""热点问题（一类事）at the desk (issue 17): the station's rising hotspots and recurring problems, for
`gridstation cases hotspots` and the morning report. Counting is storage's one query; comparing is the domain's."""

from __future__ import annotations

from datetime import datetime

from gridstation.domain.hotspots import DEFAULT_BASELINE_WEEKS, HotspotRules, Hotspots, WeekWindows, find_hotspots
from gridstation.services.reference import ReferenceData
from gridstation.storage import hotspot_counts


class CaseHotspots(ReferenceData):
    def hotspots(
        self,
        *,
        baseline_weeks: int = DEFAULT_BASELINE_WEEKS,
        at: datetime | None = None,
        rules: HotspotRules | None = None,
    ) -> Hotspots:
        """Hotspots of the current week (the seven days of the station's calendar ending with today, up to `at` or
        now) against the `baseline_weeks` weeks before it; weeks on the station's calendar (Beijing time)."""
        windows = WeekWindows.ending_at(at or self._now(), baseline_weeks, self._zone())
        with self._read() as session:
            tallies = hotspot_counts.case_tallies(session, windows)
        return find_hotspots(
            tallies,
            windows,
            category_names=self.category_names(),
            grid_names={grid.code: grid.name for grid in self.grids()},
            rules=rules or HotspotRules(),
        )
