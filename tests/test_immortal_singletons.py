"""PySide6 6.12 on Python 3.11 drops a reference to None on every void call; the desk must not abort for it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from gridstation.ui.immortal_singletons import needed

# More void calls than None has references after the desk's imports (~53 000), so the old code aborts here.
CALLS = 250_000

SCRIPT = textwrap.dedent(
    f"""
    import sys
    {{prelude}}
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    label = QLabel()
    for _ in range({CALLS}):
        label.setText("井盖松动")
        label.setVisible(False)
    del label, app
    print("alive")
    """
)


def run(prelude: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(prelude=prelude)], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_desk_survives_many_void_calls() -> None:
    result = run("import gridstation.ui")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "alive"


@pytest.mark.skipif(not needed(), reason="None is immortal on this Python: nothing to guard")
def test_the_spare_references_are_added_once() -> None:
    result = run(
        "import gridstation.ui\n"
        "from gridstation.ui.immortal_singletons import make_singletons_immortal, SPARE_REFERENCES\n"
        "before = sys.getrefcount(None); make_singletons_immortal()\n"
        "assert abs(sys.getrefcount(None) - before) < SPARE_REFERENCES // 2, 'added twice'\n"
        "assert sys.getrefcount(True) > SPARE_REFERENCES // 2 and sys.getrefcount(False) > SPARE_REFERENCES // 2"
    )
    assert result.returncode == 0, result.stderr[-2000:]
