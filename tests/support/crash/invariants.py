"""What must hold after a sync that was cut off and then run again, checked on both SQLite files directly."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.crash.station import Station


def read_sqlite(path: Path) -> contextlib.closing[sqlite3.Connection]:
    if not path.exists():
        raise AssertionError(f"no database at {path}")
    return contextlib.closing(sqlite3.connect(path, timeout=30))


def integrity(path: Path) -> str:
    with read_sqlite(path) as db:
        return "; ".join(str(row[0]) for row in db.execute("PRAGMA integrity_check"))


def check_invariants(station: Station, recovery: dict[str, Any], *, context: str = "") -> None:
    """Everything the issue asks of a sync that was cut off and then run again; raises naming every breach.

    (a) every station event exactly once on the server, same number and content hash; no id or number twice;
        the station's feed lists each of its events once; nothing quarantined.
    (b) nothing unsent here, no push outcome but applied/duplicate (and conflict where the centre moved the
        same cases).
    (c) `PRAGMA integrity_check` is "ok" on the station's and on the server's SQLite file.
    (d) the recovery sync succeeded and its receipt matches; the events here are exactly the server's events of
        this station (its own and the centre's), the cases the same (number, status, version), the feed read to
        its head.
    """
    problems: list[str] = []
    station_db = station.data_dir / "station.db"
    code = station.code

    # (c) both databases are sound
    for name, path in (("station", station_db), ("server", station.server.db_path)):
        try:
            result = integrity(path)
        except sqlite3.DatabaseError as err:
            result = str(err)
        if result != "ok":
            problems.append(f"PRAGMA integrity_check on the {name} database: {result}")

    try:
        local, local_cases, settings = _station_view(station_db)
        server_view = _server_view(station.server.db_path, code)
    except sqlite3.DatabaseError as err:  # a file too damaged to read is the worst breach of all
        raise _broken(context, [*problems, f"a database cannot be read: {err}"]) from err
    server_rows, doubled_ids, doubled_seqs, feed, (pushed_seq, feed_head), quarantined, server_cases = server_view
    server = {row[0]: row[1:] for row in server_rows}

    # (a) every station event exactly once on the server, the same content, nothing doubled or quarantined
    if len(server) != len(server_rows) or doubled_ids:
        problems.append(f"event ids held more than once on the server: {doubled_ids[:5]}")
    if doubled_seqs:
        problems.append(f"station numbers held more than once on the server: {doubled_seqs[:5]}")
    ours = {i: (seq, digest) for i, (origin, seq, digest, _, _) in local.items() if origin == "station"}
    for event_id, (seq, digest) in sorted(ours.items(), key=lambda item: item[1][0] or 0):
        held = server.get(event_id)
        if held is None:
            problems.append(f"station event {event_id} (#{seq}) is missing on the server")
        elif held != ("station", seq, digest):
            problems.append(f"station event {event_id}: here (#{seq}, {digest[:12]}), on the server {held}")
    if quarantined:
        problems.append(f"quarantined on the server: {quarantined[:5]}")
    seqs = sorted(seq for seq, _ in ours.values())
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append(f"the station's event numbers are not 1..{len(seqs)}: gaps or repeats")
    if pushed_seq != len(seqs):
        problems.append(f"the server acknowledged up to #{pushed_seq}, the station has {len(seqs)} events")
    doubled_feed = sorted(event_id for event_id, n in feed.items() if n != 1)
    if doubled_feed or set(feed) != set(server):
        problems.append(
            f"the feed of {code} lists {doubled_feed[:5]} more than once, "
            f"and differs from the events held in {sorted(set(server) ^ set(feed))[:5]}"
        )

    # (b) nothing unsent, nothing refused
    unsent = sorted(seq for origin, seq, _, at, _ in local.values() if origin == "station" and at is None)
    if unsent:
        problems.append(f"{len(unsent)} events still unsent after the recovery sync: #{unsent[:10]}")
    outcomes = Counter(outcome for origin, _, _, _, outcome in local.values() if origin == "station")
    expected_outcomes = {"applied", "duplicate", "conflict"} if station.contested else {"applied", "duplicate"}
    if set(outcomes) - expected_outcomes:
        problems.append(f"push outcomes other than {sorted(expected_outcomes)}: {dict(outcomes)}")

    # (d) the same events and cases on both sides, the pull caught up, the receipt matches
    if set(local) != set(server):
        problems.append(
            f"events only here: {sorted(set(local) - set(server))[:5]}; "
            f"only on the server: {sorted(set(server) - set(local))[:5]}"
        )
    for event_id, (origin, _, digest) in server.items():
        here = local.get(event_id)
        if here is not None and (here[0], here[2]) != (origin, digest):
            problems.append(f"event {event_id}: here {here[0]}/{here[2][:12]}, on the server {origin}/{digest[:12]}")
    for case_id, held in server_cases.items():
        if local_cases.get(case_id) != held:
            problems.append(f"case {case_id}: here {local_cases.get(case_id)}, on the server {held}")
    if set(local_cases) != set(server_cases):
        problems.append(f"cases only on one side: {sorted(set(local_cases) ^ set(server_cases))[:5]}")
    if settings.get("sync.cursor") != feed_head:
        problems.append(f"the station read its feed up to {settings.get('sync.cursor')}, the head is {feed_head}")
    problems += _recovery_problems(recovery)

    if problems:
        raise _broken(context, problems)


def _broken(context: str, problems: list[str]) -> AssertionError:
    return AssertionError("\n  ".join([f"invariants broken after the recovery sync ({context}):", *problems]))


def _station_view(path: Path) -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]], dict[str, Any]]:
    with read_sqlite(path) as db:
        query = "SELECT id, origin, station_seq, content_hash, acknowledged_at, sync_outcome FROM events"
        local = {row[0]: row[1:] for row in db.execute(query)}
        cases = {row[0]: row[1:] for row in db.execute("SELECT id, number, status, version FROM cases")}
        settings = {key: json.loads(value) for key, value in db.execute("SELECT key, value FROM settings")}
    return local, cases, settings


def _server_view(path: Path, code: str) -> tuple[Any, ...]:
    with read_sqlite(path) as db:
        rows = db.execute(
            "SELECT id, origin, station_seq, content_hash FROM events WHERE station_code = ?", (code,)
        ).fetchall()
        doubled_ids = db.execute("SELECT id, count(*) FROM events GROUP BY id HAVING count(*) > 1").fetchall()
        doubled_seqs = db.execute(
            "SELECT station_seq, count(*) FROM events WHERE station_code = ? AND station_seq IS NOT NULL "
            "GROUP BY station_seq HAVING count(*) > 1",
            (code,),
        ).fetchall()
        feed = Counter(row[0] for row in db.execute("SELECT event_id FROM feed WHERE station_code = ?", (code,)))
        heads = db.execute("SELECT pushed_seq, feed_head FROM stations WHERE code = ?", (code,)).fetchone()
        quarantined = db.execute(
            "SELECT event_id, code, station_seq FROM quarantine WHERE station_code = ?", (code,)
        ).fetchall()
        cases = {
            row[0]: row[1:]
            for row in db.execute("SELECT id, number, status, version FROM cases WHERE station_code = ?", (code,))
        }
    return rows, doubled_ids, doubled_seqs, feed, heads, quarantined, cases


def _recovery_problems(summary: dict[str, Any]) -> list[str]:
    problems = []
    receipt = summary.get("receipt")
    if not summary.get("ok") or summary.get("exit_code") != 0:
        problems.append(
            f"the recovery sync ended with exit code {summary.get('exit_code')} (ok={summary.get('ok')}, "
            f"error {summary.get('error_code')!r} {summary.get('error')!r})"
        )
    if receipt is None or receipt.get("matches") is not True:
        problems.append(f"the recovery sync's receipt does not match: {receipt}")
    if summary.get("unsent_after") != 0 or summary.get("rejected") or summary.get("mismatched"):
        problems.append(
            f"recovery: unsent_after={summary.get('unsent_after')} rejected={summary.get('rejected')} "
            f"mismatched={summary.get('mismatched')}"
        )
    return problems
