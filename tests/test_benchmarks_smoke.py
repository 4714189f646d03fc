"""benchmarks/run.py --quick still runs end to end and prints every figure as a ratio."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RATIO = r": [\d.]+ ms vs .+ [\d.]+ ms -> [\d.]+x"


# Only a guard against a hang: on a fresh clone --quick first builds its small stations, and CI machines are
# shared. Figures are the benchmark's business, never the test's.
HANG_GUARD_SECONDS = 300


@pytest.mark.slow
def test_quick_benchmark_prints_ratios() -> None:
    """The quick benchmark runs end to end and prints every figure as a ratio against its baseline."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for label in (
        "cold start to usable main window",
        "intake save",
        "search: text 污水井盖",
        "search: text 噪声",
        "search: status: open only",
        "search: colour: red",
        "search: category",
        "case list reload: all cases",
        "save walk-in to receipt PDF",
        "receipts in a batch",
        "GUI stall during that reload",
    ):
        assert re.search(re.escape(label) + r"[^\n]*" + RATIO, out), f"no ratio line for {label!r}:\n{out}"


@pytest.mark.slow
def test_counter_benchmark_counts_keys_and_prints_its_ratios() -> None:
    """The counter benchmark types five standard walk-ins into the real desk and reports keys and ratios."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "counter.py"), "--quick"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"control keystrokes per walk-in: (\d+) \(goal ≤ 10\)", done.stdout)
    for label in ("typing a walk-in", "walk-in to printed receipt"):
        assert re.search(re.escape(label) + r"[^\n]*" + RATIO, done.stdout), f"no ratio line for {label!r}"


@pytest.mark.slow
def test_server_case_board_figure_prints_its_ratios() -> None:
    """The server benchmark's case board figure (issue 15) fills its small database and prints both ratios."""
    done = subprocess.run(
        # --no-postgres: scripts/test.sh exports the test database's URL, and the board on PostgreSQL would
        # replace a database's schema; this test is about the SQLite path.
        [sys.executable, str(ROOT / "benchmarks" / "server.py"), "--quick", "--board-only", "--no-postgres"],
        cwd=ROOT, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for label in ("board first page (centre, no filter)", "board text 井盖 + status closed"):
        assert re.search(re.escape(label) + r"[^\n]*" + RATIO, done.stdout), f"no ratio line for {label!r}"
