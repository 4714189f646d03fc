"""StationService: everything the desk and the CLI do with a station's data goes through here.

It is composed of one part per responsibility, each over the same core (services/core.py: database, sessions,
clock, numbering ledger, audit trail): staff.py, reference.py, settings.py, cases.py, photos.py (photos of
cases), backup.py, integrity.py (checking the chained logs), retention.py (anonymising old closed cases),
hotspots.py (热点问题: rising hotspots and recurring problems). Only
setting up a new station, which touches several of them at once, is written here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError
from gridstation.domain.numbering import validate_station_code
from gridstation.domain.validation import NAME_MAX_CHARS, validate_short_text
from gridstation.services.backup import Backups
from gridstation.services.case_import import CaseImport
from gridstation.services.core import DEFAULT_TIMEZONE
from gridstation.services.hotspots import CaseHotspots
from gridstation.services.integrity import LogIntegrity
from gridstation.services.knowledge import StationKnowledge
from gridstation.services.photos import CasePhotos
from gridstation.services.reference import ReferenceData, seed_reference
from gridstation.services.retention import Retention
from gridstation.services.settings import StationSettings
from gridstation.services.similar import SimilarCases
from gridstation.services.staff import StaffMember
from gridstation.services.staff_admin import StaffAdministration
from gridstation.storage.models import StationRow


class StationService(
    StaffAdministration,
    SimilarCases,
    CaseHotspots,
    CaseImport,
    StationKnowledge,
    ReferenceData,
    CasePhotos,
    Retention,
    StationSettings,
    Backups,
    LogIntegrity,
):
    """One open station database. Thread-safe: each call uses its own session."""

    def initialise(
        self,
        *,
        code: str,
        name: str,
        admin_name: str,
        admin_pin: str,
        sub_district: str = "",
        contact_phone: str = "",
        timezone: str = DEFAULT_TIMEZONE,
    ) -> StaffMember:
        """First start: the station itself, its first admin and the seed reference data."""
        code = validate_station_code(code)
        name = validate_short_text(name, field="station_name", label="工作站名称", limit=100, required=True)
        ZoneInfo(timezone)
        if self.is_initialised():
            raise DomainError("station.exists", "本工作站已初始化。")
        secret = self._checked_pin_hash(admin_pin, Role.ADMIN)
        admin_name = validate_short_text(admin_name, field="name", label="姓名", limit=NAME_MAX_CHARS, required=True)
        with self._write() as session:
            session.add(
                StationRow(
                    code=code,
                    name=name,
                    sub_district=sub_district,
                    contact_phone=contact_phone,
                    timezone=timezone,
                    created_at=self._now(),
                    hlc_last="",
                )
            )
            admin = self._new_staff_row(admin_name, Role.ADMIN, secret)
            session.add(admin)
            member = StaffMember(admin.id, admin.name, Role.ADMIN)
            seed_reference(session)
            self._audit(session, member, "station.initialised", code=code, name=name)
        self._station_cache = None
        return member
