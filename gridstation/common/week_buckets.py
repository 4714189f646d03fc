"""Counting by week in SQL, the same on SQLite and PostgreSQL: which of a list of weeks a time column falls in.

The weeks are given by their first instants (`domain.hotspots.WeekWindows.starts`), so a week is whatever the
caller's calendar says (seven Beijing days) and no database date function is needed. Group by the index in an
outer query over a subquery that selects it: PostgreSQL does not recognise an expression with bound parameters
in GROUP BY as the same as the one selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, SQLColumnExpression, case, literal_column


def week_index(column: SQLColumnExpression[Any], starts: Sequence[datetime]) -> ColumnElement[int]:
    """0 for the first week … len(starts) − 1 for the last. Rows before `starts[0]` are 0 too: filter them out."""
    # The indexes are written into the SQL (not bound): PostgreSQL cannot always tell a bound CASE result's type.
    later_first = [
        (column >= start, literal_column(str(index), Integer))
        for index, start in reversed(list(enumerate(starts)))
        if index
    ]
    if not later_first:
        return literal_column("0", Integer)
    return case(*later_first, else_=literal_column("0", Integer))
