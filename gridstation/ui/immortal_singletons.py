"""Keep None, True and False alive however often PySide6 6.12 releases them.

PySide6 6.12.0 returns None from every void method (``label.setText``, ``widget.hide``, ``button.setEnabled`` …)
without taking a reference to it. On Python 3.12 and later that is harmless: None, True and False are immortal
there and their reference counts are never changed. On Python 3.11, which the desk supports and the 信创 desktops
ship, each such call takes one reference away for good; after some 50 000 calls (an afternoon at the counter, or
one long test session) the count reaches zero and the interpreter aborts with "Fatal Python error: none_dealloc"
(or bool_dealloc). Measured: 100 calls of ``QLabel.setText`` lower ``sys.getrefcount(None)`` by 100 on 6.12.0 and
by 0 on 6.11.3.

The fix does what Python 3.12 does: it gives the three singletons a reference count no program can use up.
tests/test_immortal_singletons.py runs a quarter of a million void calls in a fresh process to prove it.
"""

from __future__ import annotations

import ctypes
import sys

# 2**40 references: a desk making a million void calls a second would need twelve days to use them up.
SPARE_REFERENCES = 1 << 40
_applied = False


def needed() -> bool:
    """Only CPython before 3.12 counts references to None, True and False; debug builds lay out objects
    differently (the count is not the first field), so they are left alone."""
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12) and not hasattr(sys, "gettotalrefcount")


def make_singletons_immortal() -> None:
    """Add the spare references once per process (the count is the first field of every CPython object)."""
    global _applied
    if _applied or not needed():
        return
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += SPARE_REFERENCES
    _applied = True
