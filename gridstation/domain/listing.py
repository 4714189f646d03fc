"""What the case list asks for and what it shows: the filters of a search and the row of each case.

Plain values, shared by the screens, the command line and the storage query that answers them
(storage/case_search.py), so a screen can ask without knowing SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from gridstation.domain.enums import Status, Tier
from gridstation.domain.sla import Colour


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
    limit: int = 500
    offset: int = 0
    order_by: str = ""  # a key of storage.case_search.SORTABLE_COLUMNS; empty means most urgent first
    descending: bool = False
    now: datetime | None = field(default=None)
