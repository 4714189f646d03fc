"""The server's settings: from the environment (`GRIDSTATION_SERVER_<NAME>`), each overridden by its CLI flag.

`GRIDSTATION_SERVER_DB` and `GRIDSTATION_SERVER_DATA_DIR` are the documented ones (README); the others follow
the same pattern (`GRIDSTATION_SERVER_PORT`, `…_POOL_SIZE`). An empty variable counts as unset, as it always did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from gridstation.domain.errors import DomainError
from gridstation.domain.retention import DEFAULT_RETENTION_YEARS, MAX_RETENTION_YEARS, MIN_RETENTION_YEARS
from gridstation.server.db import sqlite_url

ENV_PREFIX = "GRIDSTATION_SERVER_"
DEFAULT_PORT = 8311


def default_data_dir() -> Path:
    return user_data_path("GridStationServer", appauthor=False)


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True)

    # e.g. postgresql+psycopg://gridstation@db.internal/gridstation; empty: SQLite in the data directory.
    db: str = ""
    # Photos, and the default SQLite database.
    data_dir: Path = Field(default_factory=default_data_dir)
    # Loopback by default: anything wider belongs behind a reverse proxy that terminates TLS (README).
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    # PostgreSQL connections kept open, and as many again allowed in a rush (SQLite has no pool to size).
    pool_size: int = Field(default=20, ge=1)
    # API worker processes of `serve` (server/serving.py): each has its own pool of `pool_size` connections.
    workers: int = Field(default=1, ge=1, le=64)
    # Years a closed case keeps its complainant's name, phone and room number (server/retention.py, daily in serve).
    retention_years: int = Field(default=DEFAULT_RETENTION_YEARS, ge=MIN_RETENTION_YEARS, le=MAX_RETENTION_YEARS)

    # How often `serve` runs the supervision pass (督办, server/supervision.py), in seconds; 0 leaves it to
    # `gridstation-server supervise` (tests whose cases are dated in the past, a second server on the same database).
    supervise_seconds: int = Field(default=60, ge=0, le=3600)

    # How long a console user's sign-in (its bearer token) lasts.
    session_hours: float = Field(default=12, gt=0, le=24 * 30)

    @property
    def database_url(self) -> str:
        return self.db or sqlite_url(self.data_dir / "server.db")

    @classmethod
    def load(cls, **overrides: Any) -> ServerSettings:
        """The environment's settings with `overrides` (the CLI's flags) on top; a flag not given (None or "")
        overrides nothing."""
        given = {name: value for name, value in overrides.items() if value is not None and value != ""}
        try:
            return cls(**given)
        except ValidationError as err:
            problems = "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in err.errors())
            message = f"服务器设置有误（命令行参数或 {ENV_PREFIX}* 环境变量）：{problems}"
            raise DomainError("server.settings", message) from err
