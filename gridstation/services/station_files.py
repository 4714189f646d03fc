"""The names of a station's files in its data folder, for whatever must find them without opening the station
(the desk's start, `gridstation demo`): importing them costs nothing, unlike the service that opens them."""

from __future__ import annotations

DB_FILE = "station.db"
LEDGER_FILE = "numbering-ledger.json"
