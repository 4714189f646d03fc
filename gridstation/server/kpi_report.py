"""考核 at the centre: KPIs of any period per station, department, grid or owner, from the events the server holds
(`domain/kpi_table.py`, the same functions the desk's morning report uses), under the district's policy in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from gridstation.domain.case import FINISHED
from gridstation.domain.events import event_from_stored
from gridstation.domain.kpi_table import KpiDimension, KpiRow, histories_by_case, kpi_rows
from gridstation.server.district_policy import DistrictPolicies
from gridstation.server.models import ServerCaseRow, ServerEventRow


class KpiReports(DistrictPolicies):
    def kpi_report(self, by: KpiDimension, start: datetime, end: datetime) -> list[KpiRow]:
        """One row per station / department / grid / owner with anything in [start, end), busiest first."""
        policy = self.district_policy().policy
        with self.reading() as session:
            touched = select(ServerCaseRow.id).where(
                ServerCaseRow.registered_at < end,
                or_(ServerCaseRow.updated_at >= start, ServerCaseRow.status.not_in([str(s) for s in FINISHED])),
            )
            rows = session.scalars(
                select(ServerEventRow)
                .where(ServerEventRow.applied.is_(True), ServerEventRow.case_id.in_(touched))
                .order_by(ServerEventRow.case_id, ServerEventRow.hlc, ServerEventRow.id)
            ).all()
            events = [event_from_stored(row) for row in rows]
        return kpi_rows(histories_by_case(events).values(), policy, start, end, by)
