"""Named places in the sync path where a test can kill the process, to prove a sync cut off anywhere loses nothing.

Inactive unless the environment names a point: `GRIDSTATION_CRASH_AT=push.after_response` makes the process
kill itself with SIGKILL (no clean-up, no flushing: as a power cut or the task manager would) the
`GRIDSTATION_CRASH_COUNT`-th time (default 1st) it reaches that point.
"""

from __future__ import annotations

import os
import signal
import sys

CRASH_AT_ENV = "GRIDSTATION_CRASH_AT"
CRASH_COUNT_ENV = "GRIDSTATION_CRASH_COUNT"

# Every point the sync path announces, in the order a sync passes them.
POINTS = (
    "sync.locked",  # holds the sync lock, nothing sent yet
    "push.before_request",  # a batch is read from the log, not yet sent
    "push.after_response",  # the server committed and answered; the answer is not stored yet
    "push.in_transaction",  # the acknowledgements are written but not committed
    "push.after_commit",  # acknowledgements committed
    "pull.after_response",  # a page arrived, nothing applied yet
    "pull.mid_page",  # half of a page's events are stored, in the open transaction
    "pull.before_cursor",  # the page is stored, the cursor not yet, same transaction
    "pull.after_commit",  # page and cursor committed
    "receipt.after_response",  # the day's receipt arrived
    "conflicts.in_transaction",  # conflict records written, not committed
    "run.before_record",  # everything done; the run's summary not yet recorded
)

_seen: dict[str, int] = {}


def crash_point(name: str) -> None:
    target = os.environ.get(CRASH_AT_ENV)
    if not target or target != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] < int(os.environ.get(CRASH_COUNT_ENV, "1")):
        return
    sys.stderr.flush()
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)  # Windows: no SIGKILL; _exit skips every clean-up just the same
