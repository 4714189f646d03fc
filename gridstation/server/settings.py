"""The server's settings, in one model: from its config file, the environment and the command line.

Precedence, highest first: a command-line flag (`--port 8400`), an environment variable (`GRIDSTATION_SERVER_PORT`),
the config file (`port = 8400`), the default here. An empty variable counts as unset, as it always did.

The config file is TOML, written by `gridstation-server init` (`setup_cli.py`). It is the file named by
`--config` or `GRIDSTATION_SERVER_CONFIG`, else `server.toml` in the platform's config folder for the account the
server runs as (`~/.config/GridStationServer/server.toml` on Linux); a missing default file is no error, a missing
file that was named is. Its keys are the field names below; a key the model does not know is refused, so a typo
does not pass silently.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_path, user_data_path
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from gridstation.domain.errors import DomainError
from gridstation.domain.retention import DEFAULT_RETENTION_YEARS, MAX_RETENTION_YEARS, MIN_RETENTION_YEARS
from gridstation.server.db import sqlite_url

ENV_PREFIX = "GRIDSTATION_SERVER_"
CONFIG_ENV = "GRIDSTATION_SERVER_CONFIG"
DEFAULT_PORT = 8311
PROGRAM = "GridStationServer"
LogFormat = Literal["json", "keyvalue"]


def default_data_dir() -> Path:
    return user_data_path(PROGRAM, appauthor=False)


def default_config_file() -> Path:
    return user_config_path(PROGRAM, appauthor=False) / "server.toml"


def config_file_path(chosen: str | Path | None = None) -> tuple[Path, bool]:
    """The config file to read and whether it was named (`--config`, then GRIDSTATION_SERVER_CONFIG) rather than
    the default; a named file must exist, the default need not."""
    named = chosen or os.environ.get(CONFIG_ENV) or ""
    return (Path(named).expanduser(), True) if named else (default_config_file(), False)


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid")

    # e.g. postgresql+psycopg://gridstation@db.internal/gridstation; empty: SQLite in the data directory.
    db: str = ""
    # Photos, and the default SQLite database.
    data_dir: Path = Field(default_factory=default_data_dir)
    # Loopback by default: anything wider belongs behind a reverse proxy that terminates TLS (deploy/nginx).
    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    # PostgreSQL connections kept open, and as many again allowed in a rush (SQLite has no pool to size).
    pool_size: int = Field(default=20, ge=1)
    # API worker processes of `serve` (server/serving.py): each has its own pool of `pool_size` connections; 1 for
    # SQLite, which has one writer anyway.
    workers: int = Field(default=1, ge=1, le=64)
    # Pushes a worker works on at once; more wait, at most `push_wait_seconds` (kept under a desk's 30 s timeout),
    # then are told to come back (503 with Retry-After): api/admission.py says why.
    push_concurrency: int = Field(default=4, ge=1, le=64)
    push_wait_seconds: float = Field(default=10.0, ge=0, le=25)
    # Years a closed case keeps its complainant's name, phone and room number (server/retention.py, daily in serve).
    retention_years: int = Field(default=DEFAULT_RETENTION_YEARS, ge=MIN_RETENTION_YEARS, le=MAX_RETENTION_YEARS)

    # How often `serve` runs the supervision pass (督办, server/supervision.py), in seconds; 0 leaves it to
    # `gridstation-server supervise` (tests whose cases are dated in the past, a second server on the same database).
    supervise_seconds: int = Field(default=60, ge=0, le=3600)

    # How long a console user's sign-in (its bearer token) lasts.
    session_hours: float = Field(default=12, gt=0, le=24 * 30)

    # The request log (one line per request, `api/observe.py`): JSON for a log collector, key=value for reading.
    log_format: LogFormat = "json"
    # Who may read /metrics besides a scraper on this machine (docs/deploy.md): a bearer token; empty: loopback only.
    metrics_token: str = ""
    # `check` warns when the data directory's disk has less free than this, and fails below a tenth of it.
    disk_warn_mb: int = Field(default=2048, ge=1)

    @property
    def database_url(self) -> str:
        return self.db or sqlite_url(self.data_dir / "server.db")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Flags over the environment over the config file: the file holds what an installation decided, a
        # variable or flag what one run wants differently.
        return init_settings, env_settings, ConfigFileSource(settings_cls)

    @classmethod
    def load(cls, *, config: str | Path | None = None, **overrides: Any) -> ServerSettings:
        """The settings of the config file (`config`, else GRIDSTATION_SERVER_CONFIG, else the default file) and
        the environment, with `overrides` (the CLI's flags) on top; a flag not given (None or "") overrides nothing."""
        given = {name: value for name, value in overrides.items() if value is not None and value != ""}
        path, named = config_file_path(config)
        values = read_config_file(path, must_exist=named)
        try:
            with _config_values(values):
                return cls(**given)
        except ValidationError as err:
            problems = "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in err.errors())
            message = f"服务器设置有误（命令行参数、{ENV_PREFIX}* 环境变量或配置文件 {path}）：{problems}"
            raise DomainError("server.settings", message) from err


def read_config_file(path: Path, *, must_exist: bool) -> dict[str, Any]:
    """The config file's keys; {} when the default file is absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if must_exist:
            raise DomainError(
                "server.config_missing",
                f"找不到服务器配置文件：{path}（由 --config 或 {CONFIG_ENV} 指定）。"
                "可用 gridstation-server init 生成。",
            ) from None
        return {}
    except OSError as err:
        raise DomainError("server.config_unreadable", f"无法读取服务器配置文件 {path}：{err.strerror or err}") from err
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DomainError("server.config_invalid", f"服务器配置文件 {path} 格式有误：{err}") from err


# The config file's values for the settings being built now (a context variable: `load` may run in many threads).
_file_values: ContextVar[dict[str, Any] | None] = ContextVar("gridstation_server_config_values", default=None)


@contextmanager
def _config_values(values: dict[str, Any]) -> Iterator[None]:
    token = _file_values.set(values)
    try:
        yield
    finally:
        _file_values.reset(token)


class ConfigFileSource(PydanticBaseSettingsSource):
    """The config file's values, below the environment's (read by `load` before the model is built)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return (_file_values.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_values.get() or {})
