"""A sync killed anywhere loses nothing and doubles nothing (issue requirement: crash-safe sync).

Every run kills something mid-sync, after the desk recorded new work: the station's sync process at each named
crash point (SIGKILL from inside, `GRIDSTATION_CRASH_AT`, also at the 2nd and 3rd batch or page), the station's
sync process at seeded random moments (SIGKILL from outside; up to three killed syncs in a row, each resuming the
last; some while the centre moves the same cases on), the server process during a push, or the TCP connection in
the middle of a request or a response. Then another sync runs to the end and `check_invariants`
demands: every station event exactly once on the server with the same content hash, no duplicate ids or numbers,
nothing quarantined, nothing unsent, the same events and cases on both sides, the feed read to its head, the
day's receipt matching, and `PRAGMA integrity_check` = ok on both SQLite files. 231 kill runs in all (see
`test_every_crash_point_is_exercised_and_there_are_at_least_200_kill_runs`), plus 12 cut connections. The
harness (a real server process, a fork server for the syncs) is in `tests/support/crash/`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from gridstation.common.crashpoints import POINTS
from tests.support.crash.rig import ONCE_PER_SYNC, Rig

RANDOM_CHAINS = 80  # seeds; seed n kills 1 + n % 3 syncs in a row (the later ones while resuming), then recovers
RANDOM_RUNS = [(seed, 1 + seed % 3) for seed in range(RANDOM_CHAINS)]
RANDOM_STATIONS = 4
CONTESTED_RUNS = [(seed, 1 + seed % 2) for seed in range(16)]
SERVER_KILLS = [(seed, where) for where in ("in_transaction", "after_commit", "random") for seed in range(2)]
CUTS = 12
FRESH_POINTS = ("push.after_response", "pull.before_cursor")


def _crash_cases() -> list[tuple[str, int, bool]]:
    cases = []
    for point in POINTS:
        counts = (1,) if point in ONCE_PER_SYNC else (1, 2, 3)
        cases += [(point, count, True) for count in counts]
        cases.append((point, 1, False))  # the shipped batch sizes: one push batch, one pull page
    return cases


CRASH_CASES = _crash_cases()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """One server process, one fork server, the stations; kept under pytest's tmp folder for a post-mortem."""
    made = Rig(tmp_path_factory.mktemp("crashes"))
    try:
        made.calibrate(made.station("RND0"), random.Random(0))
        yield made
    finally:
        made.close()


@pytest.mark.parametrize(
    ("point", "count", "small"),
    CRASH_CASES,
    ids=[f"{point}-{count}{'' if small else '-default_batches'}" for point, count, small in CRASH_CASES],
)
def test_a_sync_killed_at_a_named_point_loses_and_doubles_nothing(
    rig: Rig, point: str, count: int, small: bool
) -> None:
    station = rig.station(f"P{POINTS.index(point):02d}")

    run = rig.crash_at(station, point, count, small=small)

    assert run.killed.sigkilled and run.recovery is not None and run.recovery.exit_code == 0


def test_every_crash_point_is_exercised_and_there_are_at_least_200_kill_runs() -> None:
    assert {point for point, _, _ in CRASH_CASES} == set(POINTS)
    assert all((point, 2, True) in CRASH_CASES for point in POINTS if point not in ONCE_PER_SYNC)
    random_kills = sum(kills for _, kills in RANDOM_RUNS + CONTESTED_RUNS)
    kill_runs = len(CRASH_CASES) + random_kills + len(SERVER_KILLS) + len(FRESH_POINTS)
    assert kill_runs >= 200, kill_runs


@pytest.mark.parametrize(
    ("seed", "kills"), RANDOM_RUNS, ids=[f"seed{seed:03d}-{kills}_kills" for seed, kills in RANDOM_RUNS]
)
def test_syncs_killed_at_random_moments_lose_and_double_nothing(rig: Rig, seed: int, kills: int) -> None:
    station = rig.station(f"RND{seed % RANDOM_STATIONS}")

    run = rig.kill_at_random(station, seed, kills=kills)

    assert run.killed.killed_by_parent and run.killed.sigkilled


@pytest.mark.parametrize(
    ("seed", "kills"), CONTESTED_RUNS, ids=[f"seed{seed:03d}-{kills}_kills" for seed, kills in CONTESTED_RUNS]
)
def test_syncs_killed_while_the_centre_moves_the_same_cases_lose_and_double_nothing(
    rig: Rig, seed: int, kills: int
) -> None:
    station = rig.station("MIX")

    run = rig.kill_at_random(station, 1000 + seed, kills=kills, contested=True)

    assert run.killed.sigkilled


@pytest.mark.parametrize(("seed", "where"), SERVER_KILLS, ids=[f"{where}-seed{seed}" for seed, where in SERVER_KILLS])
def test_the_server_killed_during_a_push_loses_and_doubles_nothing(rig: Rig, seed: int, where: str) -> None:
    station = rig.station("SRV")

    run = rig.kill_server_during_push(station, seed, where=where, new_port=seed % 2 == 1)

    assert run.recovery is not None and run.recovery.exit_code == 0


@pytest.mark.parametrize(
    ("seed", "direction"),
    [(seed, "up" if seed % 2 else "down") for seed in range(CUTS)],
    ids=[f"seed{seed}-{'mid_request' if seed % 2 else 'mid_response'}" for seed in range(CUTS)],
)
def test_a_connection_cut_mid_request_or_mid_response_loses_and_doubles_nothing(
    rig: Rig, seed: int, direction: str
) -> None:
    station = rig.station("CUT", via_proxy=True)

    run = rig.cut_connection(station, seed, direction)

    assert run.recovery is not None and run.recovery.exit_code == 0


@pytest.mark.parametrize("point", FRESH_POINTS)
def test_a_crash_point_kills_the_real_command_in_a_fresh_interpreter(rig: Rig, point: str) -> None:
    station = rig.station("FRESH")

    run = rig.fresh_interpreter_crash(station, point)

    assert run.killed.sigkilled
