"""Similar cases at intake (issue 17): how well, and how fast.

    .venv/bin/python benchmarks/similar.py            # quality on the labelled set + latency on 200 000 cases
    .venv/bin/python benchmarks/similar.py --quick    # latency on the 5 000-case station instead

Quality: the labelled set in benchmarks/data/similar_eval.json (hand-written complaints and paraphrases, with
distractors at the same address; README_similar_eval.md) is registered as a station through the service — earlier
cases with their closing dates, then each new complaint asked through `StationService.similar_cases`, exactly as the
intake panel asks. Reported beside two baselines on the same set: plain full-text search (SQLite FTS5 trigram, the
complaint's trigrams OR'ed, ranked by bm25) and character-bigram overlap plus the address.

Latency: one keystroke batch's look-up on a generated station, against the raw FTS5 query for the same words in the
same run; and how long the GUI thread stalls while the panel looks up in the background (a 5 ms timer's worst
gaps), against the same timer with nothing looked up.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from gridstation.domain.case import Intake  # noqa: E402
from gridstation.domain.enums import Channel, EventType, Role, Tier  # noqa: E402
from gridstation.domain.similarity import Place, Reason  # noqa: E402
from gridstation.services.similar import station_segmenter  # noqa: E402
from gridstation.services.station import StationService  # noqa: E402

EVAL = ROOT / "benchmarks" / "data" / "similar_eval.json"
END = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ADDRESS_BONUS = 0.3


@dataclass
class Scores:
    at_3: int = 0
    first: int = 0
    repeats: int = 0

    def line(self, name: str) -> str:
        return (
            f"{name:<34} recall@3 {self.at_3 / self.repeats:.3f}   truth first {self.first / self.repeats:.3f}"
            f"   ({self.repeats} repeats)"
        )


class Clock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current


def build_station(folder: Path, data: dict[str, Any]) -> tuple[StationService, Any, Clock, dict[str, str]]:
    """The earlier cases as a station: registered, and the closed ones walked to 已办结 on their closing day."""
    clock = Clock(END - timedelta(days=400))
    service = StationService(folder, now=clock)
    service.initialise(code="EV01", name="评测工作站", admin_name="管理员", admin_pin="246810")
    admin = service.sign_in("管理员", "246810")
    service.add_staff(admin, "评测员", Role.CLERK, "1357")
    clerk = service.sign_in("评测员", "1357")
    numbers: dict[str, str] = {}
    rows = sorted(data["earlier"], key=lambda e: -(e["closed_days_ago"] or 3))
    for row in rows:
        closed_days = row["closed_days_ago"]
        clock.current = END - timedelta(days=(closed_days or 2) + 1)
        intake = Intake.validated(
            channel=Channel.HOTLINE_12345, category_code=row["category"], description=row["description"],
            tier=Tier.TRACKED, compound=row["compound"], building=row["building"], address=row["door"],
            phone=row["phone"], phone_required=False,
        )  # fmt: skip
        state = service.register_case(clerk, intake)
        numbers[state.number] = row["id"]
        if row["status"] == "closed":
            steps = (
                (EventType.FIRST_CONTACT, {"note": "已联系居民"}),
                (EventType.DISPATCHED, {"assignee": "物业", "note": "请处理"}),
                (EventType.ARRIVED_ON_SITE, {"note": "到场"}),
                (EventType.DISPOSED, {"outcome": "resolved", "note": row["result"] or "已处理"}),
            )
            for event_type, payload in steps:
                clock.current += timedelta(minutes=5)
                service.record(clerk, state.id, event_type, payload)
            clock.current = END - timedelta(days=closed_days)
            service.record(clerk, state.id, EventType.CLOSED, {"answer": "已向居民反馈"})
    clock.current = END
    service.index_similar()
    return service, clerk, clock, numbers


def engine_quality(service: StationService, clerk: Any, data: dict[str, Any], numbers: dict[str, str]) -> list[str]:
    scores = Scores()
    flagged = flagged_right = labelled = 0
    repeat_flags = repeat_right = repeat_labelled = 0
    by_id = {row["id"]: row for row in data["earlier"]}
    for query in data["queries"]:
        found = service.similar_cases(
            clerk, query["text"], place=Place(query["compound"], query["building"], query["door"]),
            phone=query["phone"], category_code=query["category"], limit=10,
        )  # fmt: skip
        ids = [numbers[case.number] for case in found]
        truth = query["truth"]
        if truth:
            scores.repeats += 1
            scores.at_3 += truth in ids[:3]
            scores.first += bool(ids) and ids[0] == truth
        duplicate = next((numbers[c.number] for c in found if Reason.OPEN_DUPLICATE in c.reasons), None)
        labelled += bool(query["open_duplicate"])
        if duplicate is not None:
            flagged += 1
            flagged_right += bool(query["open_duplicate"]) and duplicate == truth
        repeat = next((numbers[c.number] for c in found if Reason.REPEAT_AFTER_CLOSURE in c.reasons), None)
        recent = bool(truth) and by_id[truth]["status"] == "closed" and by_id[truth]["closed_days_ago"] <= 60
        repeat_labelled += recent
        if repeat is not None:
            repeat_flags += 1
            repeat_right += recent and repeat == truth
    return [
        scores.line("similar_cases (this engine)"),
        f"{'':<34} 疑似重复 flag: precision {flagged_right / max(flagged, 1):.3f} ({flagged_right}/{flagged}),"
        f" recall {flagged_right / max(labelled, 1):.3f} ({flagged_right}/{labelled})",
        f"{'':<34} 复发 flag (closed ≤ 60 days): precision {repeat_right / max(repeat_flags, 1):.3f}"
        f" ({repeat_right}/{repeat_flags}), recall {repeat_right / max(repeat_labelled, 1):.3f}"
        f" ({repeat_right}/{repeat_labelled})",
    ]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def baseline_quality(data: dict[str, Any]) -> list[str]:
    earlier = data["earlier"]
    repeats = [q for q in data["queries"] if q["truth"]]

    def bigram_rank(query: dict[str, Any]) -> list[str]:
        def score(row: dict[str, Any]) -> float:
            first, second = _bigrams(query["text"]), _bigrams(row["description"])
            same = (row["compound"], row["building"]) == (query["compound"], query["building"])
            return len(first & second) / max(1, len(first | second)) + ADDRESS_BONUS * same

        return [row["id"] for row in sorted(earlier, key=lambda row: -score(row))]

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, description, tokenize='trigram')")
    connection.executemany("INSERT INTO t VALUES (?, ?)", [(row["id"], row["description"]) for row in earlier])

    def fts_rank(query: dict[str, Any]) -> list[str]:
        text = "".join(ch for ch in query["text"] if ch.isalnum())
        grams = sorted({text[i : i + 3] for i in range(len(text) - 2)})
        if not grams:
            return []
        match = " OR ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
        rows = connection.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10", (match,)).fetchall()
        return [row[0] for row in rows]

    lines = []
    for name, rank in (("plain FTS (trigram OR, bm25)", fts_rank), ("bigram overlap + address", bigram_rank)):
        scores = Scores()
        for query in repeats:
            ids = rank(query)
            scores.repeats += 1
            scores.at_3 += query["truth"] in ids[:3]
            scores.first += bool(ids) and ids[0] == query["truth"]
        lines.append(scores.line(name))
    return lines


# ---------------------------------------------------------------------------------------------- latency


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def latency(cases: int, data: dict[str, Any], reps: int) -> list[str]:
    import run

    folder, _meta = run.cached_station(cases)
    service = StationService(folder)
    try:
        started = time.perf_counter()
        indexed = service.index_similar()
        lines = [f"index build: {indexed} cases in {time.perf_counter() - started:.1f} s (once, after an upgrade)"]
        clerk = service.sign_in("李明", "1357")
        compounds = [compound.name for compound in service.compounds()]
        rng = random.Random(17)
        texts = [q["text"] for q in data["queries"]]
        segmenter = station_segmenter()
        raw = sqlite3.connect(folder / "station.db")
        ours: list[float] = []
        bare: list[float] = []
        for i in range(reps):
            text = texts[i % len(texts)]
            place = Place(rng.choice(compounds), f"{rng.randint(1, 30)}号楼", "")
            words = list(dict.fromkeys(segmenter.words(text)))[:12]
            match = " OR ".join(f'"{word}"' for word in words) or '"树"'

            def raw_query(match: str = match) -> object:
                return raw.execute(
                    "SELECT rowid FROM case_words WHERE case_words MATCH ? ORDER BY bm25(case_words) LIMIT 60", (match,)
                ).fetchall()

            def engine(text: str = text, place: Place = place) -> object:
                return service.similar_cases(clerk, text, place=place)

            pair = [(raw_query, bare), (engine, ours)]
            for work, into in pair if i % 2 == 0 else reversed(pair):
                into.append(timed(work))
        raw.close()
        p50, p95 = statistics.median(ours), percentile(ours, 0.95)
        b50, b95 = statistics.median(bare), percentile(bare, 0.95)
        lines.append(
            f"look-up on {cases} cases: {p50:.1f} ms vs raw FTS5 query {b50:.1f} ms -> {p50 / b50:.1f}x"
            f"   [p95 {p95:.1f} vs {b95:.1f} ms -> {p95 / b95:.1f}x]"
        )
        lines.append(gui_stall(service, clerk, texts, reps))
        return lines
    finally:
        service.close()


def gui_stall(service: StationService, clerk: Any, texts: list[str], reps: int) -> str:
    """The GUI thread's worst pauses (a 5 ms timer's gaps) while the panel looks up, against an idle loop."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from gridstation.ui.similar_panel import SimilarPanel, Typed

    app = QApplication.instance() or QApplication([])
    panel = SimilarPanel(service, lambda: clerk)

    def gaps(look_up: bool, count: int = reps) -> list[float]:
        found: list[float] = []
        ticker, clock = QTimer(), QElapsedTimer()
        ticker.setInterval(5)
        last = [0]
        clock.start()

        def tick() -> None:
            now = clock.elapsed()
            found.append(float(now - last[0]))
            last[0] = now

        ticker.timeout.connect(tick)
        ticker.start()
        for i in range(count):
            loop = QEventLoop()
            if look_up:
                panel.answered.connect(loop.quit)
                panel.schedule(Typed(texts[i % len(texts)], "枫林苑", "3号楼", "", "", ""))
            else:
                QTimer.singleShot(400, loop.quit)  # about a look-up's wait (350 ms debounce + the query)
            loop.exec()
            if look_up:
                panel.answered.disconnect(loop.quit)
        ticker.stop()
        return found[1:]

    first = gaps(True, 1)  # the panel's first answer: Qt lays out its list for the first time
    idle, busy = gaps(False), gaps(True)
    app.processEvents()
    return (
        f"GUI thread stall while looking up: worst {max(busy):.0f} ms, p95 {percentile(busy, 0.95):.0f} ms"
        f" vs idle loop worst {max(idle):.0f} ms, p95 {percentile(idle, 0.95):.0f} ms (5 ms timer);"
        f" the first answer after start: worst {max(first):.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="latency on the 5 000-case station")
    parser.add_argument("--cases", type=int, default=None, help="cases in the latency station (default 200 000)")
    parser.add_argument("--reps", type=int, default=None, help="look-ups to time (default 60; quick 20)")
    parser.add_argument("--quality-only", action="store_true", help="only the labelled set")
    args = parser.parse_args()
    cases = args.cases or (5000 if args.quick else 200_000)
    reps = args.reps or (20 if args.quick else 60)
    data = json.loads(EVAL.read_text(encoding="utf-8"))
    print("== quality on the labelled set (benchmarks/data/similar_eval.json)", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        service, clerk, _clock, numbers = build_station(Path(folder) / "station", data)
        try:
            for line in engine_quality(service, clerk, data, numbers):
                print(line, flush=True)
        finally:
            service.close()
    for line in baseline_quality(data):
        print(line, flush=True)
    if args.quality_only:
        return 0
    print(f"\n== latency ({cases} cases)", flush=True)
    for line in latency(cases, data, reps):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
