"""What the case list asks for and what it shows: the filters of a search and the row of each case.

Plain values, shared by the screens, the command line and the storage query that answers them
(storage/case_search.py), so a screen can ask without knowing SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from gridstation.domain.enums import Status, Tier
from gridstation.domain.sla import Colour, ColourScheme


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One row of the case list."""

    id: str
    number: str
    registered_at: datetime
    category_code: str
    compound: str
    address: str
    description: str
    tier: Tier
    status: Status
    grid_code: str
    assignee: str
    sla_stage: str
    sla_started_at: datetime | None
    sla_due_at: datetime | None
    departments: str = ""  # where each department's part of the dispatch stands (`domain.tasks.tasks_digest`)


@dataclass(slots=True)
class CaseQuery:
    """Filters of the case list. Empty means "any"."""

    text: str = ""
    statuses: frozenset[Status] = frozenset()
    tiers: frozenset[Tier] = frozenset()
    colours: frozenset[Colour] = frozenset()
    category_code: str = ""
    grid_code: str = ""
    registered_from: date | None = None
    registered_to: date | None = None
    open_only: bool = False
    owner: str = ""  # 我的诉求: the cases this person owns
    limit: int = 500
    offset: int = 0
    order_by: str = ""  # a key of storage.case_search.SORTABLE_COLUMNS; empty means most urgent first
    descending: bool = False
    now: datetime | None = field(default=None)
    # The words of each word of `text` as the similar-case engine reads them (电瓶车 → 电动车; 坏了 → 故障), filled by
    # the station before it searches: a case matches a word by its text or by these meanings.
    meanings: tuple[tuple[str, ...], ...] = ()


class TimeUnit(StrEnum):
    DAY = "天"
    HOUR = "时"
    MINUTE = "分"


@dataclass(frozen=True, slots=True)
class CompactTime:
    """What the list's narrow 剩余时间 column shows: the largest whole unit, "超 9天" / "剩 3时" / "剩 25分".

    Whole units are counted down (9 days 23 hours overdue is "超 9天"; 3 h 59 min left is "剩 3时"), so the
    column never promises more time than there is. Under a minute is `amount` 0 ("剩 <1分"). The exact time
    stays in the tooltip and the detail pane.
    """

    overdue: bool
    amount: int
    unit: TimeUnit

    @property
    def text(self) -> str:
        sign = "超" if self.overdue else "剩"
        if self.amount == 0:
            return f"{sign} <1{self.unit}"
        return f"{sign} {self.amount}{self.unit}"


def compact_remaining(due_at: datetime | None, now: datetime) -> CompactTime | None:
    """The compact form of the time left until `due_at` (None: no running deadline)."""
    if due_at is None:
        return None
    seconds = int((due_at - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    if seconds >= 86400:
        return CompactTime(overdue, seconds // 86400, TimeUnit.DAY)
    if seconds >= 3600:
        return CompactTime(overdue, seconds // 3600, TimeUnit.HOUR)
    return CompactTime(overdue, seconds // 60, TimeUnit.MINUTE)


@dataclass(frozen=True, slots=True)
class Workload:
    """One person's open cases by the colour of their running deadline (专人专责: the station head's view)."""

    owner: str
    open_cases: int
    by_colour: dict[Colour, int]

    @property
    def overdue(self) -> int:
        return self.by_colour.get(Colour.RED, 0)


def workloads(
    deadlines: Iterable[tuple[str, datetime | None, datetime | None]], scheme: ColourScheme, now: datetime
) -> list[Workload]:
    """Each owner's open cases (from (owner, deadline start, due) rows), most overdue first, then busiest."""
    counts: dict[str, dict[Colour, int]] = {}
    for owner, started, due in deadlines:
        colour = scheme.colour_for(started, due, now) if started is not None and due is not None else Colour.NONE
        by_colour = counts.setdefault(owner, {})
        by_colour[colour] = by_colour.get(colour, 0) + 1
    rows = [Workload(owner, sum(c.values()), c) for owner, c in counts.items()]
    return sorted(rows, key=lambda w: (-w.overdue, -w.open_cases, w.owner))
