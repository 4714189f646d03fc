"""One cold start in a fresh interpreter, started by benchmarks/run.py. Not meant to be run by hand.

    cold_start_child.py bare    T0_NS
    cold_start_child.py station T0_NS DATA_DIR STAFF_NAME PIN

T0_NS is the parent's time.time_ns() taken just before it started this process, so every figure here
includes interpreter start-up, exactly like a user double-clicking the app.

`bare`:    import PySide6.QtWidgets, create QApplication, show an empty 1400×860 QMainWindow; done when its
           first paint event has been handled.
`station`: the desk's own start (ui/app.py): the command line declared, make_application(), the sign-in
           shown with the station opening behind it; after TYPING_MS the PIN is entered, the main window is
           built and shown; done once the case list model has loaded AND the table has finished painting
           after that (the clerk sees rows and can work). `usable` is what the clerk waits for: until the
           sign-in is painted, plus from Enter to the painted list less the PIN check (argon2id).

Prints one JSON line: {"usable_ms": ..., "phases": {name: ms since T0}} and exits at once (teardown is
not part of start-up). Exit code 3 on timeout, 4 if the case list failed to load.
"""

from __future__ import annotations

import json
import os
import sys
import time

T0_NS = int(sys.argv[2])
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
phases: dict[str, float] = {"interpreter_ready": (time.time_ns() - T0_NS) / 1e6}


def mark(name: str) -> None:
    phases[name] = round((time.time_ns() - T0_NS) / 1e6, 2)


def resident_memory() -> dict[str, float]:
    """This process's resident memory now and at its peak, in MB (Linux: /proc; elsewhere the peak only)."""
    memory: dict[str, float] = {}
    try:
        for line in open("/proc/self/status", encoding="ascii"):  # noqa: SIM115 - read once, closed at exit
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                memory[{"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb"}[key]] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        import resource

        memory["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return memory


def finish(code: int = 0, **extra: object) -> None:
    sys.stdout.write(json.dumps({"usable_ms": phases.get("usable"), "phases": phases, **extra}) + "\n")
    sys.stdout.flush()
    os._exit(code)


def bare() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    mark("imports")
    app = QApplication([sys.argv[0]])
    mark("qapplication")
    window = QMainWindow()
    window.resize(1400, 860)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "first_paint" not in phases:
                mark("first_paint")
                QTimer.singleShot(0, painted)  # runs once that paint event has been fully handled
            return False

    def painted() -> None:
        mark("usable")
        finish(memory=resident_memory())

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    QTimer.singleShot(60_000, lambda: finish(3, error="timeout"))
    window.show()
    mark("shown")
    app.exec()


# A clerk picks a name and types a 4-digit PIN and Enter while the sign-in is on screen: five keystrokes, one
# second at the counter's pace (counter.py). The station opens behind the sign-in meanwhile; if it is not open
# by then, the wait counts.
TYPING_MS = 1000
# `station … scroll`: after the start, scroll the whole list (a page every twentieth of it, each painted) before
# the memory is read: the desk's memory with a big station open and looked through (issue 18).
SCROLL = sys.argv[-1] == "scroll"


def scroll_through(window: object) -> None:
    panel = window.cases  # type: ignore[attr-defined]
    rows = panel.model.rowCount()
    for step in range(21):
        row = min(rows - 1, rows * step // 20)
        if row >= 0:
            panel.table.scrollTo(panel.proxy.index(row, 2))
            panel.table.viewport().repaint()  # the model fetches the page it paints, on this thread
    phases["scrolled_rows"] = rows


def station() -> None:
    import threading
    from pathlib import Path

    from PySide6.QtCore import QEvent, QObject, QTimer

    # The same imports as `gridstation` without a command: the command line is declared first.
    from gridstation.cli.parser import build_parser
    from gridstation.ui.app import build_main_window, make_application, sign_in_first, start_background_work

    build_parser()
    mark("imports")
    data_dir, name, pin = sys.argv[3:6]
    app = make_application()
    mark("make_application")
    first = sign_in_first(Path(data_dir))
    if first is None:
        finish(4, error="no station to sign in to")
    assert first is not None
    dialog, opening = first
    mark("sign_in_built")
    threading.Thread(target=lambda: (opening.service(), mark("station_open")), daemon=True).start()

    def timed_sign_in(name: str, pin: str) -> object:
        service = opening.service()
        mark("station_ready_for_sign_in")
        started = time.perf_counter()
        staff = service.sign_in(name, pin)
        phases["sign_in_check_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return staff

    dialog._sign_in = timed_sign_in  # type: ignore[assignment]

    def type_pin() -> None:
        dialog.name.setCurrentText(name)
        dialog.pin.setText(pin)
        mark("pin_entered")
        dialog.accept()

    window_box: list[object] = []

    def signed_in() -> None:
        mark("signed_in")
        service = opening.service()
        window = build_main_window(service, dialog.staff)  # type: ignore[arg-type]
        window.resize(1400, 860)
        start_background_work(window, service)
        mark("window_built")
        window_box.append(window)
        model = window.cases.model
        viewport = window.cases.table.viewport()

        def on_loaded(count: int) -> None:
            if "model_loaded" not in phases:
                mark("model_loaded")
                phases["rows"] = count
                viewport.update()  # make sure a paint follows even if Qt already coalesced one

        model.loaded.connect(on_loaded)
        model.load_failed.connect(lambda error: finish(4, error=repr(error)))
        window.installEventFilter(watcher)
        viewport.installEventFilter(watcher)
        watched["window"], watched["viewport"] = window, viewport
        window.show()
        mark("shown")

    watched: dict[str, object] = {}

    class Paints(QObject):
        def eventFilter(self, target: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                if target is dialog and "sign_in_usable" not in phases:
                    mark("sign_in_usable")
                    QTimer.singleShot(TYPING_MS, type_pin)
                if target is watched.get("window") and "first_paint" not in phases:
                    mark("first_paint")
                if target is watched.get("viewport") and "model_loaded" in phases and "table_paint" not in phases:
                    mark("table_paint")
                    QTimer.singleShot(0, painted)  # runs once that paint event has been fully handled
            return False

    def painted() -> None:
        mark("main_window_usable")
        # What the clerk waits for: the sign-in to appear, then from Enter to the list, less the PIN check itself
        # (argon2id, measured on its own in section 2). The typing is the clerk's time, not the program's.
        after_enter = phases["main_window_usable"] - phases["pin_entered"] - phases["sign_in_check_ms"]
        phases["after_enter"] = round(after_enter, 2)
        phases["usable"] = round(phases["sign_in_usable"] + after_enter, 2)
        if SCROLL:
            scroll_through(watched["window"])
        finish(memory=resident_memory())

    watcher = Paints()
    dialog.installEventFilter(watcher)
    dialog.accepted.connect(signed_in)
    QTimer.singleShot(60_000, lambda: finish(3, error="timeout"))
    dialog.show()
    mark("sign_in_shown")
    app.exec()


if __name__ == "__main__":
    {"bare": bare, "station": station}[sys.argv[1]]()
