"""Figure 3 of benchmarks/server.py: the case board over many stations' cases, against the raw SQL it runs.

A SQLite server database (migrated by `open_database`, so with the server's own tables and indexes) is filled with
N stations x M cases by one bulk `sqlite3` executemany. The rows are shaped like `eventlog.project` writes them:
the board columns come from the same kinds of values (numbers from `format_case_number`, the complaint texts,
compounds and buildings of server.py's generator, `search_text` built like `search_text_of`, the SLA band
columns a day apart) and `state` is a JSON document of about the size of a real case's state. The database is
cached under benchmarks/.cache/ and only read afterwards.

Each row of the figure times `ServerService.list_cases` (what GET /api/v1/cases calls) in process, as a centre
user, against `sqlite3` running the same two statements by hand: the count and the first page with the same
WHERE, ORDER BY and LIMIT, fetching every column as the ORM does. The two sides alternate (A B, B A, ...), after
one warm-up each, and the medians are compared. Both sides must find the same total and the same page.

Given a PostgreSQL URL, the same two rows are measured there too. The database's schema `public` is dropped
and made again, migrated by `open_database(url)`, and the rows of the cached SQLite file are copied into it
with psycopg's COPY, then vacuumed and analysed. Nothing is cached on PostgreSQL: every run loads it afresh
(about 5 s), so a changed generator or migration never leaves stale rows behind. The raw side is psycopg 3
running the same statements.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from gridstation.common.sqltypes import UTC_TEXT_FORMAT
from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import Channel, Status, Tier
from gridstation.domain.numbering import format_case_number

BOARD_GENERATOR_VERSION = 1  # bump when the generated rows change, so the cached database is rebuilt
PAGE = 50  # the API's default page (case_reads.DEFAULT_PAGE)
FIRST_DAY = date(2024, 6, 1)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TEXT = "井盖"
STATUS = Status.CLOSED
CASE_COLUMNS = (
    "id, number, station_code, category_code, status, registered_at, updated_at, state, version, anonymised_at, "
    "grid_code, tier, channel, sla_started_at, sla_due_at, blue_at, yellow_at, orange_at, search_text"
)
STATION_COLUMNS = "code, name, enrol_code_hash, credential_hash, epoch, pushed_seq, feed_head, created_at"
TIERS = (Tier.ON_THE_SPOT, Tier.QUICK, Tier.TRACKED, Tier.TRACKED)
CHANNELS = (Channel.WALK_IN, Channel.WALK_IN, Channel.HOTLINE_12345, Channel.QR_REPORT, Channel.GRID_PATROL)


@dataclass(frozen=True, slots=True)
class BoardFigure:
    database: str  # "SQLite" or "PostgreSQL"
    label: str
    seconds: float
    baseline_label: str
    baseline_seconds: float
    note: str


def _utc_text(moment: datetime) -> str:
    return moment.strftime(UTC_TEXT_FORMAT)


def _status_for(age_days: int, rng: random.Random) -> Status:
    """Almost every case older than a week is closed or followed up; recent ones are at every stage."""
    if age_days > 7:
        return Status.FOLLOWED_UP if rng.random() < 0.3 else Status.CLOSED if rng.random() < 0.97 else Status.DISPATCHED
    return rng.choice(list(Status))


def _station_rows(
    code: str,
    cases: int,
    complaints: Sequence[tuple[str, ...]],
    compounds: Sequence[tuple[str, str]],
    buildings: Sequence[str],
    seed: int,
) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    span_days = (NOW.date() - FIRST_DAY).days
    per_day = max(1, -(-cases // span_days))
    rows = []
    for n in range(cases):
        day = FIRST_DAY + timedelta(days=n // per_day)
        registered = datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(
            seconds=(n % per_day) * 60 + rng.randrange(60)
        )
        number = format_case_number(code, day, n % per_day + 1)
        category, description, _dept, *_rest = rng.choice(complaints)
        (compound, grid), building = rng.choice(compounds), rng.choice(buildings)
        description = description.format(c=compound, p=f"{compound}{building}", b=building)
        status = _status_for((NOW - registered).days, rng)
        running = status not in (Status.CLOSED, Status.FOLLOWED_UP)
        due = registered + timedelta(days=3) if running else None
        tier, channel = rng.choice(TIERS), rng.choice(CHANNELS)
        # About the size and keys of a real case's state JSON (codec.state_to_json); the board list never reads it.
        state = {
            "number": number, "station_code": code, "category_code": category, "status": str(status),
            "tier": str(tier), "channel": str(channel), "grid_code": grid, "description": description,
            "compound": compound, "building": building, "address": f"{compound}{building}{rng.randrange(101, 2402)}室",
            "complainant_name": "居民", "complainant_phone": f"139{rng.randrange(10**8):08d}", "assignee": "网格员",
            "answer": "", "work_order": "", "registered_at": registered.isoformat(), "tasks": [],
        }
        rows.append((
            f"{code}-{n:07d}", number, code, category, str(status), _utc_text(registered),
            _utc_text(registered + timedelta(hours=2)), json.dumps(state, ensure_ascii=False), 7, None,
            grid, str(tier), str(channel),
            _utc_text(registered) if due else None, _utc_text(due) if due else None,
            _utc_text(registered + timedelta(days=1)) if due else None,
            _utc_text(registered + timedelta(days=2)) if due else None,
            _utc_text(registered + timedelta(days=2, hours=12)) if due else None,
            " ".join((number, description, compound, building)).casefold(),
        ))
    return rows


def board_database(
    cache: Path, stations: int, cases: int, complaints: Sequence[tuple[str, ...]], compounds: Sequence[tuple[str, str]],
    buildings: Sequence[str], *, fresh: bool = False,
) -> tuple[Path, float]:
    """The cached database of `stations` x `cases` cases, and how many seconds building it took (0 when cached)."""
    from gridstation.server.db import open_database

    path = cache / f"board-g{BOARD_GENERATOR_VERSION}" / f"{stations}x{cases}.db"
    if path.exists() and not fresh:
        return path, 0.0
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", ".tmp", ".tmp-wal", ".tmp-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    building = path.with_suffix(".tmp")
    open_database(f"sqlite:///{building}").dispose()  # the server's schema, migrated as on a first start
    connection = sqlite3.connect(building)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")  # a scratch build: only the finished file counts
        created = _utc_text(datetime(2024, 5, 1, tzinfo=UTC))
        codes = [f"B{i:03d}" for i in range(stations)]
        connection.executemany(
            f"INSERT INTO stations ({STATION_COLUMNS}) VALUES (?, ?, '', '', 1, 0, 0, ?)",
            [(code, f"基准站 {code}", created) for code in codes],
        )
        marks = ", ".join("?" * len(CASE_COLUMNS.split(",")))
        for index, code in enumerate(codes):
            rows = _station_rows(code, cases, complaints, compounds, buildings, seed=index)
            connection.executemany(f"INSERT INTO cases ({CASE_COLUMNS}) VALUES ({marks})", rows)
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    building.rename(path)
    return path, time.perf_counter() - started


def _alternate(reps: int, ours: Callable[[], Any], raw: Callable[[], Any]) -> tuple[list[float], list[float]]:
    """Time both sides alternately (A B, B A, ...) after one warm-up each: the seconds of each run per side."""
    ours()
    raw()
    times: tuple[list[float], list[float]] = ([], [])
    for rep in range(reps):
        order = ((0, ours), (1, raw)) if rep % 2 == 0 else ((1, raw), (0, ours))
        for side, call in order:
            started = time.perf_counter()
            call()
            times[side].append(time.perf_counter() - started)
    return times


def _plain_postgres_url(url: str) -> str:
    """The SQLAlchemy URL `postgresql+psycopg://…` as the libpq URI psycopg itself connects with."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def load_postgres(url: str, source: Path) -> tuple[str, float]:
    """Replace the schema `public` of the database at `url` with the server's, holding `source`'s stations and
    cases: the server's version and the seconds the load took. The database must be a scratch one."""
    import psycopg

    from gridstation.server.db import open_database

    started = time.perf_counter()
    with psycopg.connect(_plain_postgres_url(url), autocommit=True) as connection:
        version = str(connection.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    open_database(url).dispose()  # the server's schema and indexes, migrated as on a first start
    rows = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        with psycopg.connect(_plain_postgres_url(url)) as connection:
            # UTCDateTime is String(32) on every database, so the SQLite file's UTC texts are already the values
            # the server writes on PostgreSQL too; `state` (JsonText) is text as well. Stations first: cases
            # refer to them.
            for table, columns in (("stations", STATION_COLUMNS), ("cases", CASE_COLUMNS)):
                with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows.execute(f"SELECT {columns} FROM {table}"):
                        copy.write_row(row)
            connection.commit()
            connection.autocommit = True  # VACUUM runs outside a transaction
            # ANALYZE, or the planner guesses the new table's size. VACUUM too: autovacuum would otherwise visit
            # the freshly copied table at some moment of the run (naptime 1 min) and, by setting the visibility
            # map, switch the count from a heap scan to an index-only scan mid-figure; a live server's table is
            # vacuumed by then anyway.
            connection.execute("VACUUM (ANALYZE) stations, cases")
    finally:
        rows.close()
    return version, time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class _Search:
    label: str
    wanted: Any  # a case_reads.CaseFilter (imported late, like the server)
    where: str  # the same condition by hand, with `?` for each parameter
    params: tuple[str, ...]


def _searches() -> tuple[_Search, ...]:
    from gridstation.server.case_reads import CaseFilter

    return (
        _Search("first page (centre, no filter)", CaseFilter(), "", ()),
        _Search(
            f"text {TEXT} + status {STATUS}",
            CaseFilter(text=TEXT, status=STATUS),
            "WHERE status = ? AND search_text LIKE ? ESCAPE '/'",
            (str(STATUS), f"%{TEXT}%"),
        ),
    )


def _measure(
    database_name: str, database: Any, raw_page: Callable[[str, tuple[str, ...]], tuple[int, list[str]]],
    total_cases: int, reps: int,
) -> list[BoardFigure]:
    """Each search through `list_cases` on `database` (a ServerDatabase) against `raw_page(where, params)`."""
    from gridstation.server.service import ServerService
    from gridstation.server.visibility import Principal

    service = ServerService(database, clock=lambda: NOW)
    centre = Principal(user_id="bench-centre", username="centre", role=ConsoleRole.CENTRE)
    figures = []
    for search in _searches():
        def ours(wanted: Any = search.wanted) -> tuple[int, list[str]]:
            page = service.list_cases(centre, wanted, limit=PAGE)
            return page.total, [item.number for item in page.items]

        def by_hand(search: _Search = search) -> tuple[int, list[str]]:
            return raw_page(search.where, search.params)

        mine, theirs = ours(), by_hand()
        if mine != theirs:
            raise RuntimeError(
                f"board {database_name} {search.label}: list_cases found {mine[0]} / {mine[1][:3]}, raw SQL "
                f"{theirs[0]} / {theirs[1][:3]}"
            )
        ours_s, raw_s = _alternate(reps, ours, by_hand)
        figures.append(
            BoardFigure(
                database=database_name,
                label=f"board {search.label}, {total_cases:,} cases",
                seconds=statistics.median(ours_s),
                baseline_label="raw SQL",
                baseline_seconds=statistics.median(raw_s),
                note=f"{mine[0]:,} matches, page of {len(mine[1])}, median of {reps}",
            )
        )
    return figures


def _page_sql(where: str) -> tuple[str, str]:
    """The count and the first page with `where`, as `list_cases` asks them; `?` for each parameter."""
    return (
        f"SELECT count(*) FROM cases {where}",
        f"SELECT {CASE_COLUMNS} FROM cases {where} ORDER BY registered_at DESC, number DESC LIMIT ?",
    )


def bench_board(
    cache: Path, stations: int, cases: int, reps: int, complaints: Sequence[tuple[str, ...]],
    compounds: Sequence[tuple[str, str]], buildings: Sequence[str], *, fresh: bool = False,
    postgres_url: str | None = None,
) -> list[BoardFigure]:
    """The board's first page and a filtered text search, each against its raw SQL, on SQLite and, given
    `postgres_url` (a scratch database: its schema `public` is replaced), on PostgreSQL; raises on a wrong answer."""
    from gridstation.server.db import open_database

    path, built = board_database(cache, stations, cases, complaints, compounds, buildings, fresh=fresh)
    total_cases = stations * cases
    size = path.stat().st_size / 1e6
    print(
        f"  board database: {total_cases:,} cases, {size:,.0f} MB"
        + (f", built in {built:.1f} s" if built else " (cached)"),
        flush=True,
    )
    database = open_database(f"sqlite:///{path}")
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        def sqlite_page(where: str, params: tuple[str, ...]) -> tuple[int, list[str]]:
            count_sql, page_sql = _page_sql(where)
            total = raw.execute(count_sql, params).fetchone()[0]
            rows = raw.execute(page_sql, (*params, PAGE)).fetchall()
            return total, [row[1] for row in rows]

        figures = _measure("SQLite", database, sqlite_page, total_cases, reps)
    finally:
        raw.close()
        database.dispose()
    if postgres_url:
        figures += _bench_board_postgres(postgres_url, path, total_cases, reps)
    return figures


def _bench_board_postgres(url: str, source: Path, total_cases: int, reps: int) -> list[BoardFigure]:
    import psycopg

    from gridstation.server.db import open_database

    version, loaded = load_postgres(url, source)
    print(f"  PostgreSQL {version}: schema public replaced and {total_cases:,} cases copied in {loaded:.1f} s",
          flush=True)
    database = open_database(url)
    # Not autocommit: like the server's session, each call is one transaction (count and page agree), ended
    # by a rollback as SQLAlchemy's pool ends a read.
    raw = psycopg.connect(_plain_postgres_url(url))
    try:
        def postgres_page(where: str, params: tuple[str, ...]) -> tuple[int, list[str]]:
            count_sql, page_sql = (sql.replace("?", "%s") for sql in _page_sql(where))
            total = raw.execute(count_sql, params).fetchone()[0]  # type: ignore[index]
            rows = raw.execute(page_sql, (*params, PAGE)).fetchall()
            raw.rollback()
            return total, [row[1] for row in rows]

        return _measure("PostgreSQL", database, postgres_page, total_cases, reps)
    finally:
        raw.close()
        database.dispose()
