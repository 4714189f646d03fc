"""Times as people read them. Everything is stored and sent in UTC; a person reads local time: the station's own
zone at the desk (`StationService.local_time`), Beijing time at the centre, whatever zone its machine runs in
(a server in a container usually runs in UTC, and its operators once read 01:30 for a sync at 09:30)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# The centre's time, and the default zone of every station.
BEIJING = ZoneInfo("Asia/Shanghai")
MINUTE_FORMAT = "%Y-%m-%d %H:%M"


def local_minute(moment: datetime | None, never: str = "", *, zone: ZoneInfo = BEIJING) -> str:
    """`moment` in `zone` (Beijing unless said), to the minute, as a person reads it; `never` when there is none."""
    return moment.astimezone(zone).strftime(MINUTE_FORMAT) if moment else never
