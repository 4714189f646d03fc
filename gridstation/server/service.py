"""ServerService: everything the API and the admin CLI do with the server's data goes through here.

It is its parts together, each one responsibility on the shared `ServerCore` (database, sessions, clocks, audit,
station lock): who may speak (`accounts`), what stations push (`ingest`) and pull (`feed`), the end-of-day
receipt (`receipts`), the centre's work orders and department updates (`workorder_service`), reads for the public
and for audits (`lookups`), the admin's repair of rows the sync cannot carry (`repair`), checking stored events
against their hashes (`audit`), erasing personal data past the retention period (`retention`), and the console's
users and sign-in (`users`), case board (`case_reads`), hotspots across stations (`hotspots`) and 吹哨报到's
dispatches and answers (`dispatch`), whose scope `visibility` decides, and the knowledge base the stations search
and propose to (`knowledge`, `knowledge_proposals`), and how each station is syncing
(`station_health`). Every event is stored through `eventlog`.
"""

from __future__ import annotations

from typing import Any

from gridstation.server.accounts import Accounts
from gridstation.server.audit import ServerIntegrity
from gridstation.server.conference import ConferenceReads
from gridstation.server.dispatch import Dispatching
from gridstation.server.district_policy import DistrictPolicies
from gridstation.server.feed import Feed
from gridstation.server.hotspots import HotspotReads
from gridstation.server.ingest import Ingest
from gridstation.server.knowledge_proposals import KnowledgeProposals
from gridstation.server.kpi_report import KpiReports
from gridstation.server.lookups import Lookups
from gridstation.server.receipts import Receipts
from gridstation.server.repair import Repair
from gridstation.server.retention import ServerRetention
from gridstation.server.station_health import StationHealthReads
from gridstation.server.supervision import Supervision
from gridstation.server.users import Users
from gridstation.server.workorder_returns import WorkOrderReturns
from gridstation.server.workorder_service import WorkOrders


class ServerService(
    Accounts,
    Users,
    ConferenceReads,
    HotspotReads,
    Ingest,
    Feed,
    Receipts,
    WorkOrders,
    WorkOrderReturns,
    Dispatching,
    Lookups,
    Repair,
    ServerIntegrity,
    ServerRetention,
    Supervision,
    KpiReports,
    DistrictPolicies,
    KnowledgeProposals,
    StationHealthReads,
):
    """The server's data, all of it: built by `gridstation-server` (and by tests) on one database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district_policy()  # the board's colours are projected with the district's policy from the start
