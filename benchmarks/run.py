#!/usr/bin/env python
"""GridStation performance figures, each as a ratio against a baseline measured in the same run.

    .venv/bin/python benchmarks/run.py              # 200 000 cases (first run generates and caches them)
    .venv/bin/python benchmarks/run.py --quick      # small smoke run, well under 30 s
    .venv/bin/python benchmarks/run.py --cases 50000 --json out.json

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
COLD_START_CASES = 300
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import datagen  # noqa: E402  (benchmarks/datagen.py)

# ---------------------------------------------------------------------------------------------- reporting


@dataclass
class Figure:
    section: str
    label: str
    subject_ms: float
    baseline_label: str
    baseline_ms: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.subject_ms / self.baseline_ms if self.baseline_ms > 0 else float("inf")


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def add(self, section: str, label: str, subject_ms: float, baseline_label: str, baseline_ms: float,
            note: str = "") -> Figure:
        figure = Figure(section, label, subject_ms, baseline_label, baseline_ms, note)
        self.figures.append(figure)
        line = f"{label}: {fmt(subject_ms)} ms vs {baseline_label} {fmt(baseline_ms)} ms -> {figure.ratio:.1f}x"
        print(line + (f"   [{note}]" if note else ""), flush=True)
        return figure

    def table(self) -> str:
        rows = [("figure", "GridStation ms", "baseline", "baseline ms", "ratio")]
        for f in self.figures:
            rows.append((f.label, fmt(f.subject_ms), f.baseline_label, fmt(f.baseline_ms), f"{f.ratio:.1f}x"))
        widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = []
        for n, row in enumerate(rows):
            cells = [_pad(cell, widths[i], right=i in (1, 3, 4)) for i, cell in enumerate(row)]
            lines.append("  ".join(cells))
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def fmt(ms: float) -> str:
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


# ---------------------------------------------------------------------------------------------- stations


def cached_station(cases: int, *, fresh: bool = False) -> tuple[Path, dict[str, Any]]:
    """A generated station with `cases` cases under benchmarks/.cache, generated on first use."""
    directory = CACHE / f"station-{cases}-g{datagen.GENERATOR_VERSION}"
    marker = directory / "benchmark-meta.json"
    if fresh and directory.exists():
        shutil.rmtree(directory)
    if marker.exists():
        return directory, json.loads(marker.read_text(encoding="utf-8"))
    if directory.exists():
        shutil.rmtree(directory)  # an interrupted generation
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"generating a station with {cases} cases in {directory.relative_to(ROOT)} (cached for later runs)…",
          flush=True)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 10 or done == total:
            last[0] = time.monotonic()
            print(f"  {done}/{total} cases", flush=True)

    generated = datagen.generate(directory, cases, progress=progress if cases > 20000 else None)
    meta = {"cases": generated.cases, "events": generated.events, "end": generated.end.isoformat(),
            "seconds": round(generated.seconds, 1), "generator": datagen.GENERATOR_VERSION}
    marker.write_text(json.dumps(meta), encoding="utf-8")
    print(f"  generated {generated.cases} cases / {generated.events} events in {generated.seconds:.1f} s",
          flush=True)
    return directory, meta


def clerk_of(data_dir: Path) -> tuple[str, str, str]:
    connection = sqlite3.connect(data_dir / "station.db")
    try:
        row = connection.execute("SELECT id, name, role FROM staff WHERE name = ?", (datagen.CLERK[0],)).fetchone()
    finally:
        connection.close()
    return row[0], row[1], row[2]


# ---------------------------------------------------------------------------------------------- 1. cold start


def run_child(args: list[str]) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = HERE / "cold_start_child.py"
    t0 = time.time_ns()
    done = subprocess.run([sys.executable, str(child), args[0], str(t0), *args[1:]], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    wall_ms = (time.time_ns() - t0) / 1e6
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"cold start child {args[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_wall_ms"] = wall_ms
    return result


PHASES = ("interpreter_ready", "imports", "make_application", "sign_in_built", "sign_in_usable", "station_open",
          "pin_entered", "sign_in_check_ms", "signed_in", "window_built", "shown", "first_paint", "model_loaded",
          "main_window_usable", "after_enter", "usable")


def bench_cold_start(report: Report, reps: int, station_dir: Path, big_dir: Path, big_cases: int, *,
                     quick: bool) -> None:
    section(f"1. cold start to a usable window (fresh process each, offscreen, median of {reps})")
    staff = datagen.CLERK  # signs in with the PIN, as at the desk
    station_args = ["station", str(station_dir), *staff]
    big_args = ["station", str(big_dir), *staff]
    for args in ([["bare"], station_args] if quick else [["bare"], station_args, big_args]):
        run_child(args)  # warm the OS file cache and .pyc files; not counted
    bare: list[dict[str, Any]] = []
    app: list[dict[str, Any]] = []
    big: list[dict[str, Any]] = []
    for rep in range(reps):  # rotate which goes first, so drift hits every side alike
        runs = [("bare", bare), ("station", app), ("big", big)]
        for kind, bucket in runs[rep % 3:] + runs[: rep % 3]:
            bucket.append(run_child({"bare": ["bare"], "station": station_args, "big": big_args}[kind]))
    bare_ms = median([r["usable_ms"] for r in bare])
    app_ms = median([r["usable_ms"] for r in app])
    breakdown = ", ".join(f"{p} {median([r['phases'][p] for r in app]):.0f}" for p in PHASES)
    report.add("cold start", "cold start to usable main window", app_ms, "bare PySide6 window", bare_ms,
               f"{COLD_START_CASES} cases; sign-in shown + Enter to list, PIN check excluded")
    print(f"  GridStation milestones (ms since launch, median): {breakdown}")
    print("  (usable = sign_in_usable + after_enter; after_enter = main_window_usable - pin_entered - sign_in_check_ms;"
          " the PIN is entered 1 s after the sign-in is painted)")
    print("  bare window milestones: " + ", ".join(
        f"{p} {median([r['phases'][p] for r in bare]):.0f}" for p in ("interpreter_ready", "imports", "usable")))
    app_wall, bare_wall = (median([r["process_wall_ms"] for r in runs]) for runs in (app, bare))
    print(f"  whole-process wall time incl. exit (median): GridStation {app_wall:.0f} ms, bare {bare_wall:.0f} ms")
    report.add("cold start", f"cold start, {big_cases} cases", median([r["usable_ms"] for r in big]),
               "bare PySide6 window", bare_ms, "the same, on the search station")
    print("  milestones: " + ", ".join(f"{p} {median([r['phases'][p] for r in big]):.0f}" for p in PHASES))
    report.info["cold_start"] = {"bare": bare, "station": app, "big": big}
    # Memory: the desk with the big station open and its whole list scrolled through, against the bare window.
    scrolled = run_child([*big_args, "scroll"])
    bare_memory = median([r["memory"]["rss_mb"] for r in bare])
    print(f"  memory: desk with {big_cases} cases open, list scrolled through ({scrolled['phases']['scrolled_rows']} "
          f"rows): resident {scrolled['memory']['rss_mb']:.0f} MB (peak {scrolled['memory']['peak_rss_mb']:.0f} MB)"
          f" vs bare window {bare_memory:.0f} MB")
    report.info["desk_memory"] = {"desk": scrolled["memory"], "bare_rss_mb": bare_memory}
    if not quick:
        print("  largest imports at start (python -X importtime, cumulative ms, nested):")
        for name, ms in import_costs(station_dir, staff):
            print(f"    {name:34} {ms:7.0f}")


def import_costs(station_dir: Path, staff: tuple[str, str]) -> list[tuple[str, float]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = HERE / "cold_start_child.py"
    done = subprocess.run([sys.executable, "-X", "importtime", str(child), "station", str(time.time_ns()),
                           str(station_dir), *staff], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    watch = ("gridstation.services.station", "gridstation.ui.app", "gridstation.ui.main_window", "sqlalchemy",
             "sqlalchemy.orm", "alembic", "gridstation.storage.migrate", "PySide6.QtWidgets", "PySide6.QtGui",
             "pypinyin", "reportlab", "mako.exceptions", "pygments.lexers")
    found: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s+(\S+)", line)
        if match and match.group(2) in watch:
            found[match.group(2)] = max(found.get(match.group(2), 0), int(match.group(1)) / 1000)
    return sorted(((n, ms) for n, ms in found.items() if ms >= 5), key=lambda item: -item[1])


# ---------------------------------------------------------------------------------------------- 2. intake save

RAW_TABLE = """CREATE TABLE intake (
    id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, registered_at TEXT NOT NULL, status TEXT NOT NULL,
    payload TEXT NOT NULL)"""


def make_intakes(count: int, seed: int) -> list[Any]:
    from gridstation.domain.case import Intake
    from gridstation.domain.enums import Channel, Tier

    rng = random.Random(seed)
    intakes = []
    for _ in range(count):
        category, text, tiers, _assignee = rng.choice([t for t in datagen.TEMPLATES if Tier.ON_THE_SPOT not in t[2]])
        compound, grid = rng.choice(datagen.COMPOUNDS)
        building = rng.choice(datagen.BUILDINGS)
        intakes.append(Intake.validated(
            channel=Channel.WALK_IN, category_code=category, tier=rng.choice(tiers),
            description=text.format(p=f"{compound}{building}", c=compound, b=building),
            compound=compound, building=building, address=f"{compound}{building}{rng.randrange(1, 7)}02室",
            grid_code=grid, complainant_name=rng.choice(datagen.SURNAMES) + rng.choice(datagen.GIVEN),
            phone=f"1380013{rng.randrange(10000):04d}"))
    return intakes


def bench_intake(report: Report, saves: int, workdir: Path) -> None:
    section(f"2. saving one intake (median of {saves}, interleaved with the raw inserts)")
    from sqlalchemy import event

    import gridstation.services.ledger as ledger_module
    from gridstation.domain.enums import Role
    from gridstation.domain.events import new_id
    from gridstation.services.passwords import verify_secret
    from gridstation.services.station import StationService

    service = StationService(workdir / "intake-station")
    try:
        service.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name=datagen.ADMIN[0],
                           admin_pin=datagen.ADMIN[1])
        admin = service.sign_in(*datagen.ADMIN)
        service.add_staff(admin, datagen.CLERK[0], Role.CLERK, datagen.CLERK[1])

        # Sign-in is scrypt plus an audited write; reported here because the cold start excludes it.
        connection = sqlite3.connect(service.db_path)
        secret = connection.execute("SELECT secret_hash FROM staff WHERE name = ?", (datagen.CLERK[0],)).fetchone()[0]
        connection.close()
        sign_in_ms, verify_ms = [], []
        for _ in range(3):
            t = time.perf_counter()
            clerk = service.sign_in(*datagen.CLERK)
            sign_in_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            verify_secret(datagen.CLERK[1], secret)
            verify_ms.append((time.perf_counter() - t) * 1000)

        warmup = 10
        intakes = make_intakes(saves + warmup, seed=7)
        statements = [0]
        event.listen(service.engine, "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1))
        ledger_ms: list[float] = []
        original_write_ledger = ledger_module.write_ledger

        def timed_write_ledger(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original_write_ledger(*args, **kwargs)
            finally:
                ledger_ms.append((time.perf_counter() - t) * 1000)

        ledger_module.write_ledger = timed_write_ledger

        raw = sqlite3.connect(workdir / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = FULL")
        raw.execute("PRAGMA busy_timeout = 3000")
        raw.execute(RAW_TABLE)
        today = datetime.now(UTC)
        raw_rows = []
        for i, intake in enumerate(intakes):
            payload = json.dumps({**intake.to_payload(), "number": f"JA01-{today:%Y%m%d}-{i + 1:04d}-X"},
                                 ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            raw_rows.append((new_id(), f"JA01-{today:%Y%m%d}-{i + 1:04d}-X",
                             today.strftime("%Y-%m-%d %H:%M:%S.%f"), "registered", payload))
        row_bytes = median([sum(len(str(v).encode()) for v in row) for row in raw_rows])

        def save_app(intake: Any) -> float:
            t = time.perf_counter()
            service.register_case(clerk, intake)
            return (time.perf_counter() - t) * 1000

        def save_raw(row: tuple[Any, ...]) -> float:
            t = time.perf_counter()
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT INTO intake VALUES (?, ?, ?, ?, ?)", row)
            raw.execute("COMMIT")
            return (time.perf_counter() - t) * 1000

        for i in range(warmup):
            save_app(intakes[i])
            save_raw(raw_rows[i])
        app_ms, raw_ms = [], []
        statements[0] = 0
        ledger_ms.clear()
        for i in range(warmup, warmup + saves):
            if i % 2:
                app_ms.append(save_app(intakes[i]))
                raw_ms.append(save_raw(raw_rows[i]))
            else:
                raw_ms.append(save_raw(raw_rows[i]))
                app_ms.append(save_app(intakes[i]))
        raw.close()
        service.ledger.flush()
        ledger_module.write_ledger = original_write_ledger
    finally:
        service.close()
    report.add("intake", "intake save", median(app_ms), "raw insert", median(raw_ms),
               f"p95 {fmt(p95(app_ms))} vs {fmt(p95(raw_ms))} ms")
    print(f"  each save ran {statements[0] / saves:.1f} SQL statements; the numbering ledger is written behind the "
          f"saves: {len(ledger_ms)} file writes for {saves} saves, {fmt(median(ledger_ms))} ms each "
          f"(write + fsync + rename, median; not part of the save)")
    print(f"  raw row: {row_bytes:.0f} bytes, one BEGIN IMMEDIATE/INSERT/COMMIT per row, WAL + synchronous=FULL")
    report.add("intake", "sign-in (scrypt; excluded from cold start)", median(sign_in_ms),
               "bare scrypt verify", median(verify_ms))


# ---------------------------------------------------------------------------------------------- 3. search

ORDER = "ORDER BY sla_due_at IS NULL, sla_due_at, registered_at DESC"
SUMMARY = ("id, number, registered_at, category_code, compound, address, substr(description, 1, 120), tier, status, "
           "grid_code, assignee, sla_stage, sla_started_at, sla_due_at")
PAGE = 200


def minimal_reportlab_page(font: str) -> bytes:
    """The baseline: one page, one line of Chinese text in the same embedded font, nothing else."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(226.77, 340.0), invariant=True)
    page.setFont(font, 9)
    page.drawString(12, 300, "民情诉求受理回执")
    page.save()
    return buffer.getvalue()


def bench_printing(report: Report, saves: int, batch: int, workdir: Path) -> None:
    section(f"3. receipts (save-to-PDF median of {saves}; a batch of {batch})")
    from gridstation.common.pdf_text import register_fonts
    from gridstation.domain.enums import Role
    from gridstation.printing.paperwork import Paperwork
    from gridstation.printing.receipt import render_receipt
    from gridstation.services.station import StationService

    font = register_fonts()
    service = StationService(workdir / "print-station")
    try:
        service.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name=datagen.ADMIN[0],
                           admin_pin=datagen.ADMIN[1], contact_phone="021-64331234")
        admin = service.sign_in(*datagen.ADMIN)
        service.add_staff(admin, datagen.CLERK[0], Role.CLERK, datagen.CLERK[1])
        clerk = service.sign_in(*datagen.CLERK)
        paperwork = Paperwork(service)
        warmup = 5
        intakes = make_intakes(saves + warmup, seed=11)
        save_ms: list[float] = []
        baseline_ms: list[float] = []
        for index, intake in enumerate(intakes):
            t = time.perf_counter()
            minimal_reportlab_page(font)
            baseline = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            state = service.register_case(clerk, intake)
            pdf = render_receipt(paperwork.receipt(state.id), "thermal80")
            elapsed = (time.perf_counter() - t) * 1000
            assert pdf.startswith(b"%PDF")
            if index >= warmup:
                save_ms.append(elapsed)
                baseline_ms.append(baseline)
        report.add("printing", "save walk-in to receipt PDF (80 mm, QR)", median(save_ms),
                   "minimal reportlab page, one line", median(baseline_ms),
                   note=f"p95 {fmt(p95(save_ms))} ms")

        ids = [service.register_case(clerk, intake).id for intake in make_intakes(batch, seed=13)]
        t = time.perf_counter()
        for _ in range(batch):
            minimal_reportlab_page(font)
        baseline_batch = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        total_bytes = 0
        for case_id in ids:
            total_bytes += len(render_receipt(paperwork.receipt(case_id), "thermal80"))
        batch_ms = (time.perf_counter() - t) * 1000
        report.add("printing", f"{batch} receipts in a batch", batch_ms, f"{batch} minimal pages", baseline_batch,
                   note=f"{fmt(batch_ms / batch)} ms and {total_bytes // batch // 1024} KB per receipt")
    finally:
        service.close()


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def raw_ids_and_page(connection: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[str]:
    ids = [r[0] for r in connection.execute(f"SELECT id FROM cases WHERE {where} {ORDER}", params)]
    page = ids[:PAGE]
    connection.execute(f"SELECT {SUMMARY} FROM cases WHERE id IN ({', '.join('?' * len(page))})", page).fetchall()
    return ids


def by_meaning(where: str, params: list[Any], word: str) -> tuple[str, list[Any]]:
    """A word's hand-written condition, OR its meaning in the similar-case word index (issue 17): what the case
    list's search does for each word (噪声 also finds 噪音 and 吵)."""
    from gridstation.services.similar import station_segmenter

    meaning = list(dict.fromkeys(station_segmenter().words(word)))
    if not meaning:
        return where, params
    match = " AND ".join(f'"{w}"' for w in meaning)
    return f"({where} OR rowid IN (SELECT rowid FROM case_words WHERE case_words MATCH ?))", [*params, match]


def search_cases(service: Any, now: datetime) -> list[tuple[str, Any, str, list[Any]]]:
    """(label, CaseQuery, raw WHERE, raw parameters) — the raw SQL is written by hand to return the same ids."""
    from gridstation.domain.enums import Status
    from gridstation.domain.listing import CaseQuery
    from gridstation.domain.sla import Colour

    zone = ZoneInfo(service.station().timezone)
    today = now.astimezone(zone).date()

    def local_midnight(day: date) -> datetime:
        return datetime.combine(day, dtime(0), zone)
    start = today - timedelta(days=90)
    like_columns = ("description", "compound", "address", "number", "complainant_name")
    return [
        ("all cases, most urgent first", CaseQuery(now=now), "1", []),
        ("text 污水井盖 (FTS trigram + words)", CaseQuery(text="污水井盖", now=now),
         *by_meaning("rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)", ['"污水井盖"'], "污水井盖")),
        ("text 噪声 (2 chars, LIKE + words)", CaseQuery(text="噪声", now=now),
         *by_meaning("(" + " OR ".join(f"{c} LIKE ? ESCAPE '/'" for c in like_columns) + ")",
                     ["%噪声%"] * len(like_columns), "噪声")),
        ("status: open only", CaseQuery(open_only=True, now=now), "status NOT IN (?, ?)",
         [str(Status.CLOSED), str(Status.FOLLOWED_UP)]),
        ("colour: red", CaseQuery(colours=frozenset({Colour.RED}), now=now), "sla_due_at < ?", [stamp(now)]),
        ("category NOISE.* + grid G02 + 90 days",
         CaseQuery(category_code="NOISE", grid_code="G02", registered_from=start, registered_to=today, now=now),
         "(category_code = ? OR category_code LIKE ? ESCAPE '/') AND grid_code = ? "
         "AND registered_at >= ? AND registered_at < ?",
         ["NOISE", "NOISE.%", "G02", stamp(local_midnight(start)), stamp(local_midnight(today + timedelta(days=1)))]),
    ]


def bench_search(report: Report, service: Any, raw: sqlite3.Connection, reps: int, cases: int) -> None:
    section(f"3. filtering/searching {cases} cases: case_ids() + summaries() of the first {PAGE} vs raw sqlite3 "
            f"(median of {reps})")
    now = datetime.now(UTC)
    for label, query, where, params in search_cases(service, now):
        def app(query: Any = query) -> list[str]:
            ids: list[str] = service.case_ids(query)
            service.summaries(ids[:PAGE])
            return ids

        def hand(where: str = where, params: list[Any] = params) -> list[str]:
            return raw_ids_and_page(raw, where, params)

        app_ids, raw_ids = app(), hand()  # warm-up, and the check that both return the same cases
        if len(app_ids) != len(raw_ids) or set(app_ids) != set(raw_ids):
            raise AssertionError(f"{label}: app found {len(app_ids)} cases, raw SQL {len(raw_ids)}")
        same_order = app_ids == raw_ids
        app_ms, raw_ms = [], []
        for rep in range(reps):
            for fn, bucket in ((app, app_ms), (hand, raw_ms)) if rep % 2 == 0 else ((hand, raw_ms), (app, app_ms)):
                t = time.perf_counter()
                fn()
                bucket.append((time.perf_counter() - t) * 1000)
        note = f"{len(app_ids)} matches" + ("" if same_order else ", same set but different tie order")
        report.add("search", f"search: {label}", median(app_ms), "raw SQL", median(raw_ms), note)


# ---------------------------------------------------------------------------------------------- 3b. case list


def bench_case_list(report: Report, service: Any, raw: sqlite3.Connection, reps: int) -> None:
    section(f"3b. the desk's case list (CaseListPanel) on the same station: apply_filters() until loaded and "
            f"painted, GUI-thread stalls sampled by a 10 ms timer (median of {reps})")
    from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer

    from gridstation.ui.app import make_application
    from gridstation.ui.case_list import CaseListPanel
    from gridstation.ui.case_model import CASE_ID_ROLE

    app = make_application()
    quiet_qt_warnings()

    class Monitor(QObject):
        """Ticks every 10 ms on the GUI thread; the longest gap between ticks is the longest stall."""

        def __init__(self) -> None:
            super().__init__()
            self.timer = QTimer(self)
            self.timer.setTimerType(Qt.TimerType.PreciseTimer)
            self.timer.setInterval(10)
            self.timer.timeout.connect(self.tick)
            self.last = 0.0
            self.gaps: list[tuple[float, float]] = []  # (when the gap ended, its length in ms)

        def start(self) -> None:
            self.last, self.gaps = time.perf_counter(), []
            self.timer.start()

        def tick(self) -> None:
            now = time.perf_counter()
            self.gaps.append((now, (now - self.last) * 1000))
            self.last = now

        def stop(self) -> float:
            self.tick()
            self.timer.stop()
            return max(gap for _, gap in self.gaps)

        def worst_between(self, start: float, end: float) -> float:
            """The longest stall that ended after `start` and by `end` (perf_counter seconds)."""
            return max((gap for when, gap in self.gaps if start < when <= end), default=0.0)

    panel = CaseListPanel(service)
    panel.resize(1200, 700)
    panel.show()
    monitor = Monitor()
    viewport = panel.table.viewport()
    state: dict[str, float] = {}
    loop = QEventLoop()

    def painted() -> None:  # runs once the paint event that followed the load has been fully handled
        if "paint" in state:  # not a leftover from before wait() cleared the state
            state["painted"] = time.perf_counter()
            loop.quit()

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "loaded" in state and "paint" not in state:
                state["paint"] = time.perf_counter()
                QTimer.singleShot(0, painted)
            return False

    watcher = Paints()
    viewport.installEventFilter(watcher)

    def on_loaded(_count: int) -> None:
        state["loaded"] = time.perf_counter()
        viewport.update()

    panel.model.loaded.connect(on_loaded)
    panel.model.load_failed.connect(lambda error: (state.__setitem__("failed", 1.0), loop.quit()))

    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.setInterval(120_000)
    give_up.timeout.connect(loop.quit)

    @dataclass
    class Reload:
        loaded_ms: float  # apply_filters() until the model's `loaded` signal
        painted_ms: float  # … until the table has finished painting the new rows
        stall_ms: float  # the GUI thread's longest stall in all that time
        stall_querying_ms: float  # … while the query ran on the thread pool
        stall_showing_ms: float  # … while the model reset and the table painted (GUI thread)
        gc_ms: float  # the longest full (generation 2) garbage collection in that time, in any thread

    collections: list[tuple[int, float]] = []  # (generation, ms) of garbage collections during wait()

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            on_gc.started = time.perf_counter()  # type: ignore[attr-defined]
        elif hasattr(on_gc, "started"):
            collections.append((info["generation"], (time.perf_counter() - on_gc.started) * 1000))  # type: ignore[attr-defined]

    def wait(action: Callable[[], None], *, expect_load: bool = True) -> Reload:
        state.clear()
        if not expect_load:
            state["loaded"] = 0.0
        give_up.start()
        collections.clear()
        gc.callbacks.append(on_gc)
        monitor.start()
        t0 = time.perf_counter()
        try:
            action()
            loop.exec()
        finally:
            stall = monitor.stop()
            stopped = time.perf_counter()
            gc.callbacks.remove(on_gc)
            give_up.stop()
        if "failed" in state or "painted" not in state or "loaded" not in state:
            raise RuntimeError(f"the case list did not load and paint: {sorted(state)}")
        loaded = state["loaded"] if expect_load else t0
        return Reload((loaded - t0) * 1000, (state["painted"] - t0) * 1000, stall,
                      monitor.worst_between(t0, loaded), monitor.worst_between(loaded, stopped),
                      max((ms for generation, ms in collections if generation == 2), default=0.0))

    def spin(ms: int) -> None:
        """Run the event loop for `ms` milliseconds."""
        pause = QEventLoop()
        QTimer.singleShot(ms, pause.quit)
        pause.exec()

    end = time.perf_counter() + 60
    panel.reload()  # what MainWindow does once at start; the panel itself runs no query until asked
    while not (panel.windowHandle() and panel.windowHandle().isExposed() and panel.model.rowCount()):
        if time.perf_counter() > end:
            raise RuntimeError("the case list did not come up")
        spin(20)
    wait(panel.apply_filters)  # first load, as at start
    expected = [r[0] for r in raw.execute(f"SELECT id FROM cases {ORDER} LIMIT {PAGE}")]
    shown = [panel.model.data(panel.model.index(i, 0), CASE_ID_ROLE) for i in range(min(PAGE, len(expected)))]
    if shown != expected:
        print("  warning: the case list's first page is not in most-urgent-first order")

    monitor.start()  # the idle desk: the 1 s countdown tick repaints the visible rows
    spin(1100)  # includes one 1 s countdown tick
    idle_stall = monitor.stop()

    for label, text, where, params in (
        ("all cases, most urgent first", "", "1", []),
        ("search 噪声 (LIKE + words)", "噪声", *by_meaning("(" + " OR ".join(
            f"{c} LIKE ? ESCAPE '/'" for c in ("description", "compound", "address", "number", "complainant_name"))
         + ")", ["%噪声%"] * 5, "噪声")),
        ("search 污水井盖 (FTS + words)", "污水井盖", *by_meaning(
            "rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)", ['"污水井盖"'], "污水井盖")),
    ):
        panel.search.setText(text)
        wait(panel.apply_filters)  # warm-up
        runs: list[Reload] = []
        raw_ms = []
        for _ in range(reps):
            runs.append(wait(panel.apply_filters))
            t = time.perf_counter()
            raw.execute(f"SELECT id FROM cases WHERE {where} {ORDER}", params).fetchall()
            raw_ms.append((time.perf_counter() - t) * 1000)
        rows = panel.model.rowCount()
        report.add("case list", f"case list reload: {label}", median([r.loaded_ms for r in runs]),
                   "raw ids query", median(raw_ms),
                   f"{rows} rows; apply_filters() -> loaded; "
                   f"rows painted at {fmt(median([r.painted_ms for r in runs]))} ms")
        report.add("case list", "  GUI stall during that reload", median([r.stall_ms for r in runs]),
                   "idle desk", idle_stall,
                   f"longest stall per reload, median; worst of all {fmt(max(r.stall_ms for r in runs))} ms: "
                   f"querying {fmt(median([r.stall_querying_ms for r in runs]))}, resetting+painting "
                   f"{fmt(median([r.stall_showing_ms for r in runs]))}, longest full GC "
                   f"{fmt(median([r.gc_ms for r in runs]))} ms (medians)")

    # Scrolling far down: the model fetches the new page with summaries() on the GUI thread.
    panel.search.setText("")
    wait(panel.apply_filters)
    jumps, stalls, repaints, raw_ms = [], [], [], []
    rows = panel.model.rowCount()
    for rep in range(reps):
        row = rows // 2 + rep * 1000 if rows > 2000 else rows - 1 - rep
        target = panel.proxy.index(row, 2)
        jump = wait(lambda target=target: panel.table.scrollTo(target), expect_load=False)
        jumps.append(jump.painted_ms)
        stalls.append(jump.stall_ms)
        t = time.perf_counter()
        viewport.repaint()  # the same rows again, now from the model's page cache
        repaints.append((time.perf_counter() - t) * 1000)
        first = row // PAGE * PAGE  # the page the model just fetched (and now holds in its cache)
        page = [panel.model.data(panel.model.index(i, 0), CASE_ID_ROLE) for i in range(first, min(rows, first + PAGE))]
        t = time.perf_counter()
        raw.execute(f"SELECT {SUMMARY} FROM cases WHERE id IN ({', '.join('?' * len(page))})", page).fetchall()
        raw_ms.append((time.perf_counter() - t) * 1000)
    report.add("case list", "case list: jump to a far page (scrollTo -> painted)", median(jumps),
               "repaint, page cached", median(repaints),
               f"on the GUI thread: worst stall {fmt(max(stalls))} ms; "
               f"the raw page query takes {fmt(median(raw_ms))} ms")
    panel.close()
    panel.deleteLater()
    app.processEvents()


def quiet_qt_warnings() -> None:
    """The offscreen platform warns that it cannot propagate size hints; everything else still prints."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            sys.stderr.write(f"qt: {message}\n")

    qInstallMessageHandler(handler)


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small smoke run (5 000 cases, few repetitions)")
    parser.add_argument("--cases", type=int, default=None, help="cases in the search station (default 200000)")
    parser.add_argument("--reps", type=int, default=None, help="repetitions of cold starts and queries")
    parser.add_argument("--saves", type=int, default=None, help="intake saves to time (default 200)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the cached stations")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    cases = args.cases or (5000 if args.quick else 200_000)
    reps = args.reps or (2 if args.quick else 5)
    saves = args.saves or (30 if args.quick else 200)
    started = time.perf_counter()

    import PySide6

    print("GridStation benchmarks" + (" (quick)" if args.quick else ""))
    print(f"python {platform.python_version()}, PySide6 {PySide6.__version__}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, load average {os.getloadavg()[0]:.2f}")
    report = Report()
    small_dir, _ = cached_station(COLD_START_CASES, fresh=args.fresh)
    big_dir, meta = cached_station(cases, fresh=args.fresh)

    bench_cold_start(report, reps, small_dir, big_dir, meta["cases"], quick=args.quick)

    CACHE.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="work-", dir=CACHE))  # same file system as the stations
    try:
        bench_intake(report, saves, workdir)
        bench_printing(report, max(10, saves // 4), 100 if args.quick else 1000, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    from gridstation.services.station import StationService

    service = StationService(big_dir)
    raw = sqlite3.connect(big_dir / "station.db")
    raw.execute("PRAGMA query_only = ON")
    try:
        bench_search(report, service, raw, max(3, reps), meta["cases"])
        bench_case_list(report, service, raw, reps)
    finally:
        raw.close()
        service.close()

    print(f"\n== summary ({meta['cases']} cases, {meta['events']} events; ratio = GridStation / baseline, "
          f"lower is better)")
    print(report.table())
    total = time.perf_counter() - started
    print(f"\ntotal {total:.0f} s, load average now {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({
            "cases": meta["cases"], "events": meta["events"], "seconds": round(total, 1),
            "figures": [{"section": f.section, "label": f.label.strip(), "ms": round(f.subject_ms, 3),
                         "baseline": f.baseline_label, "baseline_ms": round(f.baseline_ms, 3),
                         "ratio": round(f.ratio, 3), "note": f.note} for f in report.figures],
        }, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
