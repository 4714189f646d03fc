#!/usr/bin/env python
"""Counter speed: a standard walk-in typed into the real desk with key events, as a clerk would type it.

    .venv/bin/python benchmarks/counter.py            # 30 walk-ins
    .venv/bin/python benchmarks/counter.py --quick    # 5 walk-ins, a few seconds
    .venv/bin/python benchmarks/counter.py --profile 25   # and where the desk's typing time goes (cProfile)
    .venv/bin/python benchmarks/counter.py --steps        # and the desk's time for each key or commit

The standard walk-in: the category by its pinyin initials, the compound, the building, a 31-character complaint,
the resident's phone, save, and F9 for the receipt. Reported, each against a baseline in the same run:
- control keystrokes: every key that is not part of the typed content (Tab, Enter, F9 …); goal ≤ 10;
- typing: the time the desk spends on all of the walk-in's key events (content and control) up to the save,
  against the same content typed into a bare QLineEdit; goal ≤ 1.5×;
- walk-in to receipt: from the first key to the receipt recorded as printed (saving and printing run on the
  thread pool), against the same bare typing, for information.
Content is typed the way the desk receives it: ASCII as key presses, Chinese as input-method commits.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from run import Report, median, section  # noqa: E402  (benchmarks/run.py: one report layout for all benchmarks)

GOAL_CONTROL_KEYS = 10
GOAL_TYPING_RATIO = 1.5
COMPLAINT = "楼道里堆满纸箱和旧家具，消防通道被堵，晚上还有人在楼道给电瓶车充电。"  # 31 characters


@dataclass(frozen=True)
class Step:
    """One thing the clerk does: type content (keys or an input-method commit) or press a control key."""

    kind: str  # "keys" (ASCII content), "ime" (a Chinese commit), "control"
    text: str = ""
    key: int = 0


def walk_in_script() -> list[Step]:
    from PySide6.QtCore import Qt

    tab = Step("control", key=Qt.Key.Key_Tab)
    return [
        Step("keys", "smzd"),  # 树木遮挡: the initials open the matches, the first is highlighted
        tab,  # Tab takes the highlighted category and moves on to 处置方式 (协同快办 stays)
        tab,  # → 小区
        Step("ime", "枫林苑"),
        tab,  # → 楼栋
        Step("keys", "12"),
        Step("ime", "号"),
        Step("keys", "301"),
        tab,  # → 地址
        tab,  # → 网格 (filled from the compound)
        tab,  # → 诉求内容
        *[Step("ime", COMPLAINT[i : i + 4]) for i in range(0, len(COMPLAINT), 4)],  # an IME commits word by word
        tab,  # → 姓名
        tab,  # → 电话
        Step("keys", "13800138000"),
        Step("control", key=Qt.Key.Key_Return),  # save
    ]


def send_step(widget: object, step: Step) -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QInputMethodEvent, QKeyEvent
    from PySide6.QtWidgets import QApplication, QComboBox, QWidget

    assert isinstance(widget, QWidget)
    receiver: QWidget = widget
    if isinstance(widget, QComboBox) and widget.isEditable() and widget.lineEdit() is not None:
        line = widget.lineEdit()
        assert line is not None
        receiver = line
        completer = line.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None and popup.isVisible() and step.kind == "control":
            receiver = popup  # an open completion list takes the keys, as it does for a real keyboard
    if step.kind == "ime":
        event = QInputMethodEvent("", [])
        event.setCommitString(step.text)
        QApplication.sendEvent(receiver, event)
        QApplication.processEvents()
        return
    keys = [(Qt.Key.Key_unknown, ch) for ch in step.text] if step.kind == "keys" else [(Qt.Key(step.key), "")]
    for key, text in keys:
        QApplication.sendEvent(receiver, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, text))
        QApplication.sendEvent(receiver, QKeyEvent(QEvent.Type.KeyRelease, key, Qt.KeyboardModifier.NoModifier, text))
    # What the event loop does between two keys (a completer's deferred work, timers that came due) counts too.
    QApplication.processEvents()


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s  # a hang guard, not a measurement
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.001)


def settle() -> None:
    """Let the desk finish what earlier steps started (list reloads on the pool, their repaints) before a clock
    starts, so neither side's figure includes the other's leftovers."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    for _ in range(3):  # a finished job posts its result; handling it may start or post more
        QThreadPool.globalInstance().waitForDone(10_000)  # a hang guard, should a job never end
        QApplication.processEvents()


def bench_counter(report: Report, walk_ins: int, workdir: Path, profile: cProfile.Profile | None = None,
                  steps: bool = False) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication, QLineEdit

    from gridstation.domain.enums import Role
    from gridstation.services.station import StationService
    from gridstation.ui.main_window import MainWindow
    from gridstation.ui.resources import install_font

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    install_font(app)
    section(f"counter speed: a standard walk-in typed by key events into the real desk ({walk_ins} walk-ins)")
    service = StationService(workdir / "station")
    admin = service.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name="王芳", admin_pin="246810")
    service.add_staff(admin, "李明", Role.CLERK, "1357")
    clerk = service.sign_in("李明", "1357")
    window = MainWindow(service, clerk)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    wait_for(window.isActiveWindow, "the desk's window to be active")
    printed: list[Path] = []

    def to_file(_name: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printed.append(workdir / f"receipt-{len(printed)}.pdf")
        printer.setOutputFileName(str(printed[-1]))
        return printer

    controller = window.printing.controller
    controller.check_printer = lambda _name: None
    controller.make_printer = to_file
    recorded: list[object] = []
    controller.receipt_recorded.connect(recorded.append)
    saved: list[object] = []
    window.intake.case_saved.connect(saved.append)

    script = walk_in_script()
    control_keys = sum(1 for step in script if step.kind == "control") + 1  # + F9
    content = "".join(step.text for step in script if step.kind != "control")
    # A child of the desk's window, so that focus moves between the two without activation; shown (a widget given
    # a parent is hidden until shown), so that it paints what is typed as the desk's fields do.
    bare = QLineEdit(window)
    bare.setGeometry(8, window.height() - 34, 360, 26)
    bare.show()
    bare.raise_()
    typing_ms: list[float] = []
    content_ms: list[float] = []  # the desk's part of typing_ms spent on content keys, for the diagnostic line
    walk_in_ms: list[float] = []
    bare_ms: list[float] = []
    step_ms: list[list[float]] = [[] for _ in walk_in_script()]  # the desk's time per step, for --steps
    for n in range(walk_ins):
        wait_for(lambda: window.intake.category.lineEdit().hasFocus() or window.intake.category.hasFocus(),
                 "the category field to have focus")
        settle()
        started = time.perf_counter()
        typing = 0.0
        on_content = 0.0
        for index, step in enumerate(script):
            focused = QApplication.focusWidget()
            target = window.intake.category if focused is window.intake.category.lineEdit() else focused
            begun = time.perf_counter()
            if profile is not None:
                profile.enable()
            send_step(target, step)
            if profile is not None:
                profile.disable()
            spent = time.perf_counter() - begun
            step_ms[index].append(spent * 1000)
            typing += spent
            on_content += spent if step.kind != "control" else 0.0
        wait_for(lambda n=n: len(saved) > n, "the walk-in to be saved")
        send_step(window.intake.category, Step("control", key=Qt.Key.Key_F9))
        wait_for(lambda n=n: len(recorded) > n, "the receipt to be printed")
        walk_in_ms.append((time.perf_counter() - started) * 1000)
        typing_ms.append(typing * 1000)
        content_ms.append(on_content * 1000)

        bare.clear()
        bare.setFocus()
        settle()
        begun = time.perf_counter()
        for step in script:
            if step.kind != "control":
                send_step(bare, step)
        bare_ms.append((time.perf_counter() - begun) * 1000)
        assert bare.text() == content
        window.intake.category.setFocus()
    last = service.case(saved[-1].id)  # type: ignore[attr-defined]
    assert last.category_code == "GREEN.LIGHT" and last.phone == "13800138000" and last.description == COMPLAINT
    assert last.receipts_printed == 1
    window.close()
    window.deleteLater()
    app.processEvents()
    service.close()

    print(f"control keystrokes per walk-in: {control_keys} (goal ≤ {GOAL_CONTROL_KEYS}); "
          f"typed content: {len(content)} characters", flush=True)
    report.add("counter", f"typing a walk-in ({control_keys} control keys)", median(typing_ms),
               "same content into a bare QLineEdit", median(bare_ms), f"goal ≤ {GOAL_TYPING_RATIO}x")
    control = [whole - part for whole, part in zip(typing_ms, content_ms, strict=True)]
    print(f"  of which content {median(content_ms):.2f} ms (bare {median(bare_ms):.2f} ms), "
          f"{control_keys - 1} control keys up to the save {median(control):.2f} ms", flush=True)
    if steps:
        print("  the desk's median time per step:")
        for step, times in zip(script, step_ms, strict=True):
            what = step.text if step.kind != "control" else Qt.Key(step.key).name.removeprefix("Key_")
            print(f"    {median(times):6.3f} ms  {step.kind:7s} {what}")
    report.add("counter", "walk-in to printed receipt", median(walk_in_ms),
               "same content into a bare QLineEdit", median(bare_ms), "saving and printing on the thread pool")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 walk-ins")
    parser.add_argument("--walk-ins", type=int, default=None, help="how many walk-ins to time (default 30)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="cProfile the desk's typing (not the bare side, the save or the print) and print the "
                             "top N entries by own and by cumulative time; the profiler slows the timed figures")
    parser.add_argument("--steps", action="store_true", help="also print the desk's median time for each step")
    args = parser.parse_args(argv)
    walk_ins = args.walk_ins or (5 if args.quick else 30)
    print(f"GridStation counter benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"load average {os.getloadavg()[0]:.2f}")
    report = Report()
    profile = cProfile.Profile() if args.profile else None
    workdir = Path(tempfile.mkdtemp(prefix="counter-"))
    try:
        bench_counter(report, walk_ins, workdir, profile, args.steps)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if profile is not None:
        print(f"\n== profile of the desk's typing, {walk_ins} walk-ins (times include the profiler's overhead)")
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
    print("\n== summary (ratio = GridStation / baseline, lower is better)")
    print(report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
