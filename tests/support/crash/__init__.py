"""Kill a station's sync anywhere and prove nothing is lost or doubled: the harness behind `test_sync_crashes.py`.

Pieces, all real processes talking over loopback:

* `forks.py`, the fork server: a Python process that imports the station's sync path and the server once, then
  forks one child per job. A sync child runs the real headless command (`gridstation sync --json --data-dir …`);
  a server child runs the real `gridstation-server --db sqlite:///… serve --port …`. Each is a separate process
  with its own SQLite connections and sockets, so a SIGKILL (from a named crash point, `GRIDSTATION_CRASH_AT`, or
  from outside after a random delay) cuts it off exactly as a power cut would. A fresh interpreter spends 0.9 s
  (2 s under load) importing before it syncs, a fork a few milliseconds: that is what makes hundreds of kill runs
  affordable. `children.py`: `ForkServer`, the test's handle on it, and what became of each child.
* `server.py`, `CrashServer`: the server on a SQLite file, started once per test module, killed (SIGKILL) and
  started again on the same file, on the same port or another one.
* `station.py`, `Station`: a station data directory, initialised with the tests' admin and enrolled, that
  accumulates work: every kill run first records new cases and events, so it always has something unsent.
* `cutting_proxy.py`, `CuttingProxy`: a TCP relay between a station and the server that drops the connection once
  a chosen number of bytes has passed in one direction, i.e. in the middle of a request or of a response.
* `invariants.py`, `check_invariants`: after the recovery sync, every event exactly once on both sides with the
  same content, nothing unsent or quarantined, the same cases, the feed read to its head, the receipt matching,
  and both SQLite files passing `PRAGMA integrity_check`.
* `rig.py`, `Rig`: all of the above for one test module, with one method per kind of kill run.

Linux only (fork, pidfd); the station's own code under test is the same on every platform.
"""
