"""One cold start in a fresh interpreter, started by benchmarks/run.py. Not meant to be run by hand.

    cold_start_child.py bare    T0_NS
    cold_start_child.py station T0_NS DATA_DIR STAFF_ID STAFF_NAME ROLE

T0_NS is the parent's time.time_ns() taken just before it started this process, so every figure here
includes interpreter start-up, exactly like a user double-clicking the app.

`bare`:    import PySide6.QtWidgets, create QApplication, show an empty 1400×860 QMainWindow; done when its
           first paint event has been handled.
`station`: open the existing station with StationService, make_application(), build_main_window() for
           the given (already signed-in) staff member, show it; done once the case list model has loaded
           AND the table has finished painting after that (the clerk sees rows and can work).

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
        finish()

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    QTimer.singleShot(60_000, lambda: finish(3, error="timeout"))
    window.show()
    mark("shown")
    app.exec()


def station() -> None:
    from pathlib import Path

    from PySide6.QtCore import QEvent, QObject, QTimer

    from gridstation.domain.enums import Role
    from gridstation.services.staff import StaffMember
    from gridstation.services.station import StationService
    from gridstation.ui.app import build_main_window, make_application

    mark("imports")
    data_dir, staff_id, staff_name, role = sys.argv[3:7]
    service = StationService(Path(data_dir))
    mark("service_open")
    app = make_application()
    mark("make_application")
    window = build_main_window(service, StaffMember(staff_id, staff_name, Role(role)))
    window.resize(1400, 860)
    mark("window_built")
    model = window.cases.model
    viewport = window.cases.table.viewport()

    def on_loaded(count: int) -> None:
        if "model_loaded" not in phases:
            mark("model_loaded")
            phases["rows"] = count
            viewport.update()  # make sure a paint follows even if Qt already coalesced one

    model.loaded.connect(on_loaded)
    model.load_failed.connect(lambda error: finish(4, error=repr(error)))

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                if watched is window and "first_paint" not in phases:
                    mark("first_paint")
                if watched is viewport and "model_loaded" in phases and "table_paint" not in phases:
                    mark("table_paint")
                    QTimer.singleShot(0, painted)  # runs once that paint event has been fully handled
            return False

    def painted() -> None:
        mark("usable")
        finish()

    watcher = Paints()
    window.installEventFilter(watcher)
    viewport.installEventFilter(watcher)
    QTimer.singleShot(60_000, lambda: finish(3, error="timeout"))
    window.show()
    mark("shown")
    app.exec()


if __name__ == "__main__":
    {"bare": bare, "station": station}[sys.argv[1]]()
