"""Fault injection: named places where a test can hold up or break the server, handed in at construction.

The server calls every hook at its place; an injector built with no arguments (the default of `ServerService`)
does nothing there. A test that needs one passes its own injector, or sets a hook on the service's `faults`, and
can see from this class every place it can reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _no_fault(station_code: str) -> None:
    return None


@dataclass
class FaultInjector:
    # Inside a write to `station_code`'s scope, its station row locked, just before the transaction commits. Tests
    # hold a transaction open here to show a late commit is not skipped by a pull.
    before_commit: Callable[[str], None] = _no_fault
