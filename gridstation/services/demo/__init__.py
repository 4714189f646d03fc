"""A demo station with realistic (fictional) cases, so a newcomer can sign in and see a working desk.

Everything is built through `StationService` — registration, progress, follow-ups — so the event log, the
audit log and the case numbers are exactly what real use would produce.

All people, phone numbers and addresses are made up; they live in `resources/seed/demo/*.toml` (read by
`data.py`). `planner.py` decides what cases to make from them, and `build.py` writes them.
"""

from __future__ import annotations

from gridstation.services.demo.build import create_demo_station
from gridstation.services.demo.data import DemoAccount, Template, load_demo_data

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = load_demo_data().staff.accounts
TEMPLATES: tuple[Template, ...] = load_demo_data().templates

__all__ = ["DEMO_ACCOUNTS", "TEMPLATES", "create_demo_station"]
