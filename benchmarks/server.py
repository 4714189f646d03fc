#!/usr/bin/env python
"""The sub-district server's figures, each as a ratio against a baseline measured in the same run.

    .venv/bin/python benchmarks/server.py                  # 20 000-event ingest; 200 stations' end-of-day sync
    .venv/bin/python benchmarks/server.py --quick          # smoke size: 2 000 events; 10 stations x 300 events
    .venv/bin/python benchmarks/server.py --stations 50 --postgres postgresql+psycopg://u@host/db --json out.json

Every figure runs against a real `gridstation-server serve` subprocess on 127.0.0.1 (a free port), spoken to
over HTTP with httpx, on SQLite and on PostgreSQL. The PostgreSQL URL comes from `--postgres` or the
environment variable GRIDSTATION_TEST_POSTGRES_URL; the script creates (and drops again before each run) a
separate database `gridstation_bench` next to it, so the test database is never touched. Without PostgreSQL,
the PostgreSQL rows are skipped and the script says so.

1. Server ingest rate (events/s). One enrolled station pushes a realistic history (2 000 cases, 20 000 events:
   registrations, receipts, first contact, dispatch, on site, disposal, close, the two follow-up visits, notes,
   a few tier changes, corrections and conference flags) in batches of 1 000 through POST /api/v1/sync/push,
   one request after another. Baseline: a raw bulk insert of the same rows into the same `events` table
   (SQLAlchemy Core `insert(ServerEventRow.__table__)`, executemany, one transaction) in a freshly migrated
   database of the same kind, opened with the server's own engine settings (SQLite: WAL, synchronous=FULL,
   BEGIN IMMEDIATE). Median of 3 bulk inserts, each into a fresh database. The ratio is HTTP time / bulk time:
   what the server's checks, state machine, projection and feed cost per event on top of storing the row.

2. End-of-day sync of N stations (default 200) at once, on loopback. Each station has a day of 300 cases and
   3 000 events. All stations start together (one thread and one httpx.Client each, released by a barrier);
   each pushes its events in batches of 1 000, pulls its feed (pages of 1 000) until has_more is false, then
   asks for its day receipt (POST /api/v1/sync/receipt, from_seq=1, to_seq=3000). The script fails loudly
   unless every event was applied, the feed returned exactly the station's events, the receipt has
   `missing == []` and its digest equals `receipt_digest` over the station's own (station_seq, content_hash).
   Baseline: the same N stations' syncs (same payloads, same requests) run one after another by a single
   client, against a fresh server and database of the same kind. The ratio concurrent wall time / sequential
   wall time says what 200 stations at once cost over the server's own serial throughput: below 1 the server
   overlaps work (e.g. PostgreSQL runs in its own processes), above 1 the stations get in each other's way
   (lock waits, retries). A raw bulk insert would not do as the baseline here: figure 1 already gives that
   per-event ratio, and it would say nothing about concurrency.

3. The case board (issue 15): ServerService.list_cases (GET /api/v1/cases) over 200 stations x 1 000 cases as a
   centre user, the first page and a text + status search, each against the same SQL run by hand with sqlite3
   (psycopg on PostgreSQL). In process; `--board-only` runs this figure alone. On PostgreSQL it runs in the
   bench database, except that `--board-only --postgres URL` uses the URL's own database and replaces its
   schema public (give it a scratch database). See benchmarks/server_board.py.

A station that gets a 5xx or a dropped connection does what a real one would: it backs off (0.2 s doubling to
5 s, jittered; never sooner than a Retry-After, which is jittered upwards as the desk does: `sync/retry.py`) and
resends the same request, up to 30 times, then gives up its sync. Every retry is counted and printed
(`RETRIES 5316 x 500 server.error`), and so is every unhandled error in the server's log. Stations that gave up
mark the figure FAILED (the wall time runs until the last station finished or gave up; the per-station times
are those of the stations that finished) and the script exits 1. A wrong answer (an event not applied, a
missing or extra feed item, a receipt that does not match) stops the script at once. Each line also says how
busy the server process was (its CPU time over the wall time, from /proc), which shows when the single server
process is the limit.

The events are generated with the domain's own code (Intake.validated, decide_registration, decide, apply,
Event.content_hash; the payloads are the ones `decide` returns) before any clock starts, and cached as ready
request bodies under benchmarks/.cache/server-g<version>/ (gitignored). Scratch databases live in a temporary
directory under benchmarks/.cache/ and are deleted at the end. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import server_board  # noqa: E402  (benchmarks/server_board.py: figure 3, the case board)
from sqlalchemy import create_engine, insert, make_url, text  # noqa: E402

from gridstation.domain.case import CaseState, Intake, apply  # noqa: E402
from gridstation.domain.enums import (  # noqa: E402
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    FollowUpSource,
    Resolution,
    Satisfaction,
    Tier,
)
from gridstation.domain.events import Event  # noqa: E402
from gridstation.domain.lifecycle import contacted_at_registration, decide, decide_registration  # noqa: E402
from gridstation.domain.numbering import format_case_number  # noqa: E402
from gridstation.protocol import (  # noqa: E402
    MAX_PULL_PAGE,
    MAX_PUSH_EVENTS,
    PROTOCOL_HEADER,
    PushRequest,
    receipt_digest,
)
from gridstation.sync.retry import Backoff  # noqa: E402

GENERATOR_VERSION = 2  # bump when the generated events change, so cached payloads are rebuilt
POSTGRES_ENV = "GRIDSTATION_TEST_POSTGRES_URL"
BENCH_DATABASE = "gridstation_bench"
BATCH = MAX_PUSH_EVENTS  # 1 000 events per push
PULL_PAGE = MAX_PULL_PAGE  # 1 000 feed items per pull
ZONE = ZoneInfo("Asia/Shanghai")
HISTORY_START = date(2026, 11, 16)  # the ingest station's history: about 250 cases a day from here
SYNC_DAY = date(2026, 11, 23)
# A station waits patiently: with 200 stations at once a push can queue for minutes, and a client that gives up
# and resends makes the server parse and check the same 1 000 events again (they come back as duplicates).
REQUEST_TIMEOUT = httpx.Timeout(1800.0, connect=60.0)
# What a station does with a 5xx or a dropped connection: back off (0.2 s doubling to 5 s, with jitter) and send
# the same request again. Every retry is counted and reported; a figure with retries is not a clean figure.
RETRIES = 30
# The desk's own formula (sync/retry.py), with the benchmark's bounds: half to all of the doubling ceiling, and a
# busy server's Retry-After waited with jitter above it.
STATION_BACKOFF = Backoff(first_delay=0.2, max_delay=5.0, jitter_floor=0.5)
BASELINE_REPS = 3  # bulk inserts per database (quick: 1)

# ---------------------------------------------------------------------------------------------- the events

# (category, description, department it goes to, what they found on site, disposal note, closing answer).
# `{c}` is the compound, `{p}` compound and building. Fictional: no real people or addresses.
COMPLAINTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "GREEN.LIGHT",
        "{p}楼前香樟树长得比五楼还高，遮挡低层住户采光，白天屋里也要开灯，希望修剪。",
        "区绿化市容局绿化所",
        "绿化所到场查看，树冠遮挡二至四楼窗户。",
        "已对香樟树疏枝修剪，低层住户采光明显改善。",
        "遮挡采光的树木已修剪，居民表示认可。",
    ),
    (
        "DRAIN.COVER",
        "{c}绿化带下的污水井盖被覆土和落叶盖住，井内堵塞，下雨时污水从井口冒出来。",
        "区排水管理所",
        "排水所到场，找到被绿化覆土掩埋的两个井盖。",
        "已清除井盖上的覆土并疏通井内淤堵，井盖旁加设标识桩。",
        "井盖已清理疏通，雨天不再冒水。",
    ),
    (
        "NOISE.TRAFFIC",
        "{c}旁边隧道出口车辆频繁鸣笛，早晚高峰尤其严重，夜里也有，影响老人休息。",
        "交警支队",
        "交警到隧道出口蹲点，记录鸣笛高发时段。",
        "已在隧道出口增设禁止鸣笛标志和违法鸣笛抓拍设备。",
        "隧道出口已设禁鸣标志并启用抓拍，鸣笛明显减少。",
    ),
    (
        "BUILD.SHED",
        "{c}非机动车棚里有人私自用彩钢板搭了杂物间，占掉十几个停车位。",
        "城管执法中队",
        "执法队员到场核实，违建约八平方米，已找到搭建人。",
        "搭建人已自行拆除杂物间，车棚车位恢复。",
        "车棚内违建已拆除，车位已恢复使用。",
    ),
    (
        "FIRE.CORRIDOR",
        "{p}楼道里堆满纸箱、旧家具，还有液化气罐，通道被堵，存在消防隐患。",
        "{c}物业服务中心",
        "物业和网格员到场，楼道二至六层均有堆物。",
        "物业已清理楼道堆物，液化气罐由住户移回并告知安全使用。",
        "楼道堆物已清理，消防通道畅通。",
    ),
    (
        "FIRE.CHARGE",
        "{p}有住户从窗口拉电线，在楼道里飞线给电动自行车充电。",
        "网格员 陈志强",
        "网格员到场，飞线仍在使用。",
        "已拆除飞线，告知住户使用小区集中充电桩。",
        "飞线充电已劝阻并拆除。",
    ),
    (
        "PROP.LIFT",
        "{p}电梯这个月停了三次，上周还困过人，老人上下楼很困难。",
        "街道房管办",
        "房管办和维保单位到场检查电梯。",
        "维保单位已更换门机板，电梯恢复运行并加密巡检。",
        "电梯已维修并加密巡检，居民表示满意。",
    ),
    (
        "WASTE.BULKY",
        "{p}门口堆着旧沙发和床垫已经一个星期，没人清运。",
        "{c}物业服务中心",
        "物业到场确认，大件垃圾约三立方。",
        "大件垃圾已清运，门口恢复整洁。",
        "大件垃圾已清运完毕。",
    ),
    (
        "FACIL.LAMP",
        "{c}主干道路灯连续几个晚上不亮，老人晚上出门不方便。",
        "区路灯管理所",
        "路灯所到场检测，三盏灯具损坏。",
        "已更换损坏灯具，路灯恢复照明。",
        "路灯已修复。",
    ),
    (
        "SHOP.FUME",
        "{c}沿街饭店油烟直排，{b}住户窗户上全是油污，夏天没法开窗。",
        "市场监管所",
        "市场监管所到店检查，油烟净化器未开启。",
        "已责令饭店清洗并正常使用油烟净化设施，一周后复查达标。",
        "饭店已整改，油烟直排问题解决。",
    ),
)
ON_THE_SPOT: tuple[tuple[str, str, str], ...] = (
    ("POLICY.ELDER", "咨询高龄津贴申请条件和所需材料。", "已当场告知申请条件和材料清单，并发放办事指南。"),
    ("POLICY.HOUSING", "咨询公共租赁住房的申请条件。", "已当场说明申请条件和办理窗口。"),
    ("POLICY.SOCIAL", "咨询灵活就业人员如何缴纳医保。", "已当场说明缴费渠道和标准。"),
)
NOTES = (
    "居民来电询问进度，已告知正在处理。",
    "已与物业经理电话沟通，约定明天上午到场。",
    "居民补充照片两张，已转承办部门。",
    "承办部门反馈需协调产权单位，处理时间稍长。",
    "网格员上门了解情况，居民情绪平稳。",
    "已提醒承办部门注意处置时限。",
)
COMPOUNDS = (
    ("枫林苑", "G01"),
    ("康乐小区", "G01"),
    ("梅园新村", "G02"),
    ("永嘉路弄", "G02"),
    ("建国西路弄", "G03"),
    ("桃源里", "G03"),
    ("天平公寓", "G04"),
    ("湖南路弄", "G04"),
)
BUILDINGS = ("1号楼", "3号楼", "5号楼", "7号楼", "12号楼", "15号楼", "18号", "23号")
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
GIVEN = ("桂英", "建华", "秀兰", "志明", "丽娟", "文斌", "淑芬", "国强", "美玲", "晓燕", "海涛", "玉梅", "永康", "雪梅")
STAFF = (("staff-01", "李明"), ("staff-02", "王芳"), ("staff-03", "周丽"))
CHANNELS = (Channel.WALK_IN, Channel.WALK_IN, Channel.HOTLINE_12345, Channel.QR_REPORT, Channel.GRID_PATROL)


def _uuid7(ms: int, rng: random.Random) -> str:
    """A UUIDv7 for the given millisecond, as new_id() would have made it then (reproducible from the seed)."""
    value = (ms & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return str(uuid.UUID(int=value))


@dataclass
class _Case:
    case_id: str
    number: str
    registered: datetime
    intake: Intake
    complaint: tuple[str, str, str, str, str, str] | None  # None for 当场办
    answer: str
    actor: tuple[str, str]
    steps: list[EventType] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)


def _plan(rng: random.Random, on_the_spot: bool, tier: Tier, contacted: bool) -> list[EventType]:
    """The events a clerk records for one case, in order: the legal lifecycle with a few asides.

    A case `contacted` at registration (a walk-in, a call: `decide_registration`) has its 先联 recorded with the
    registration, as the desk records it, not minutes later.
    """
    if on_the_spot:
        steps = [EventType.REGISTERED, EventType.CLOSED, EventType.RECEIPT_PRINTED]
        return steps + [EventType.FOLLOW_UP] * rng.choice((0, 1, 2, 2))
    if contacted:
        steps = [EventType.REGISTERED, EventType.FIRST_CONTACT, EventType.RECEIPT_PRINTED]
    else:
        steps = [EventType.REGISTERED, EventType.RECEIPT_PRINTED, EventType.FIRST_CONTACT]
    if tier is Tier.QUICK and rng.random() < 0.06:
        steps.append(EventType.TIER_CHANGED)
    if rng.random() < 0.06:
        steps.append(EventType.INTAKE_CORRECTED)
    steps.append(EventType.DISPATCHED)
    if rng.random() < 0.03:
        steps.append(EventType.CONFERENCE_FLAGGED)
    steps += [EventType.NOTE_ADDED] * rng.choice((0, 1, 1, 2))
    steps += [EventType.ARRIVED_ON_SITE, EventType.DISPOSED, EventType.CLOSED, EventType.FOLLOW_UP, EventType.FOLLOW_UP]
    if rng.random() < 0.12:  # still open at the end of the day
        steps = steps[: rng.randrange(3, len(steps))]
    return steps


GAP_MINUTES: dict[EventType, tuple[float, float]] = {
    EventType.REGISTERED: (0, 0),
    EventType.RECEIPT_PRINTED: (0.5, 2),
    EventType.FIRST_CONTACT: (3, 25),
    EventType.TIER_CHANGED: (2, 10),
    EventType.INTAKE_CORRECTED: (2, 20),
    EventType.DISPATCHED: (3, 15),
    EventType.CONFERENCE_FLAGGED: (5, 20),
    EventType.NOTE_ADDED: (5, 40),
    EventType.ARRIVED_ON_SITE: (10, 60),
    EventType.DISPOSED: (10, 40),
    EventType.CLOSED: (5, 20),
    EventType.FOLLOW_UP: (15, 60),
}


def _payload(case: _Case, state: CaseState, event_type: EventType, rng: random.Random) -> dict[str, Any]:
    """What the desk's form would send for this event; `decide` checks it and returns the clean payload."""
    complaint = case.complaint
    compound = state.compound
    if event_type is EventType.RECEIPT_PRINTED:
        return {"paper": "80mm", "copies": 1}
    if event_type is EventType.FIRST_CONTACT:
        return {"note": "已电话联系居民，了解具体情况。"}
    if event_type is EventType.TIER_CHANGED:
        return {"to": str(Tier.TRACKED), "reason": "涉及多个部门，转为跟踪督办。"}
    if event_type is EventType.INTAKE_CORRECTED:
        building = rng.choice([b for b in BUILDINGS if b != state.building])
        return {"field": "building", "value": building, "reason": "居民来电更正楼栋。"}
    if event_type is EventType.DISPATCHED:
        assert complaint is not None
        return {"assignee": complaint[2].format(c=compound), "note": "请尽快到场处置。"}
    if event_type is EventType.CONFERENCE_FLAGGED:
        return {"flagged": True, "reason": "涉及产权单位，提交难题会诊。"}
    if event_type is EventType.NOTE_ADDED:
        return {"note": rng.choice(NOTES)}
    if event_type is EventType.ARRIVED_ON_SITE:
        assert complaint is not None
        return {"note": complaint[3]}
    if event_type is EventType.DISPOSED:
        assert complaint is not None
        return {"outcome": str(DisposalOutcome.RESOLVED), "note": complaint[4]}
    if event_type is EventType.CLOSED:
        if complaint is None:
            return {"answer": case.answer, "on_the_spot": True}
        return {"answer": complaint[5]}
    if event_type is EventType.FOLLOW_UP:
        kind = state.pending_follow_up()
        unsatisfied = kind is FollowUpKind.STATION_REVISIT and rng.random() < 0.03
        return {
            "kind": str(kind),
            "satisfaction": str(Satisfaction.UNSATISFIED if unsatisfied else Satisfaction.SATISFIED),
            "resolution": str(Resolution.PARTLY if unsatisfied else Resolution.RESOLVED),
            "note": "居民认为问题仍未彻底解决。" if unsatisfied else "居民对处理结果满意。",
            "visitor": case.actor[1],
            "source": str(FollowUpSource.PHONE),
        }
    raise AssertionError(event_type)


def station_events(code: str, cases: int, events: int, first_day: date, days: int, seed: int) -> list[dict[str, Any]]:
    """A station's events as PushedEvent JSON (numbered 1..events), decided and folded with the domain's code.

    `cases` cases are registered in office hours over `days` days from `first_day`; each follows the lifecycle
    a clerk records. Notes are added to (or the last events of open cases dropped from) random cases until the
    station has exactly `events` events.
    """
    rng = random.Random(seed)
    per_day = -(-cases // days)
    planned: list[_Case] = []
    for n in range(cases):
        day = first_day + timedelta(days=n // per_day)
        local = datetime(day.year, day.month, day.day, 8, 30, tzinfo=ZONE)
        registered = (local + timedelta(seconds=rng.uniform(0, 8.5 * 3600))).astimezone(UTC)
        spot = rng.random() < 0.1
        compound, grid = rng.choice(COMPOUNDS)
        building = rng.choice(BUILDINGS)
        channel = rng.choice(CHANNELS)
        if spot:
            category, description, answer = rng.choice(ON_THE_SPOT)
            complaint = None
            tier = Tier.ON_THE_SPOT
        else:
            complaint = rng.choice(COMPLAINTS)
            category, description, answer = complaint[0], complaint[1], ""
            description = description.format(c=compound, p=f"{compound}{building}", b=building)
            tier = rng.choice((Tier.QUICK, Tier.QUICK, Tier.TRACKED))
        anonymous = channel is Channel.QR_REPORT and rng.random() < 0.4
        patrol = channel is Channel.GRID_PATROL
        name = "" if anonymous or patrol else rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = "" if anonymous or patrol else f"1380013{rng.randrange(10000):04d}"
        intake = Intake.validated(
            channel=channel,
            category_code=category,
            description=("网格巡查发现：" + description) if patrol else description,
            tier=tier,
            compound=compound,
            building=building,
            address=f"{compound}{building}{rng.randrange(1, 7)}0{rng.randrange(1, 4)}室" if name else "",
            grid_code=grid,
            complainant_name=name,
            phone=phone,
            anonymous=anonymous,
            answer=answer,
            phone_required=not patrol,
        )
        case_id = _uuid7(int(registered.timestamp() * 1000), rng)
        contacted = not spot and contacted_at_registration(intake)
        steps = _plan(rng, spot, tier, contacted)
        planned.append(_Case(case_id, "", registered, intake, complaint, answer, rng.choice(STAFF), steps))
    planned.sort(key=lambda c: c.registered)
    daily: Counter[date] = Counter()
    for case in planned:
        local_day = case.registered.astimezone(ZONE).date()
        daily[local_day] += 1
        case.number = format_case_number(code, local_day, daily[local_day])

    def recorded_at_registration(case: _Case) -> int:
        """How many of its first steps the desk records in one go when it registers the case."""
        return 2 if case.steps[1] is EventType.FIRST_CONTACT else 1

    total = sum(len(c.steps) for c in planned)
    while total > events:  # drop the last event of a case that has more than its registration and receipt
        case = rng.choice(planned)
        if len(case.steps) > 1 + recorded_at_registration(case):
            case.steps.pop()
            total -= 1
    while total < events:
        case = rng.choice(planned)
        first = recorded_at_registration(case)
        case.steps.insert(rng.randrange(first, len(case.steps) + 1), EventType.NOTE_ADDED)
        total += 1

    order: list[tuple[datetime, int, int]] = []
    for index, case in enumerate(planned):
        at = case.registered
        for step_index, step in enumerate(case.steps):
            low, high = (0, 0) if step_index < recorded_at_registration(case) else GAP_MINUTES[step]
            at += timedelta(minutes=rng.uniform(low, high))
            case.times.append(at)
            order.append((at, index, step_index))
    order.sort()

    states: dict[int, CaseState] = {}
    out: list[dict[str, Any]] = []
    last_wall, counter = 0, 0
    for seq, (at, index, step_index) in enumerate(order, 1):
        case = planned[index]
        step = case.steps[step_index]
        if step_index < recorded_at_registration(case):
            draft = decide_registration(case.case_id, case.number, case.intake)[step_index]
        else:
            draft = decide(states[index], step, _payload(case, states[index], step, rng))
        wall = int(at.timestamp() * 1000)
        if wall > last_wall:
            last_wall, counter = wall, 0
        else:
            counter += 1
        actor_id, actor_name = case.actor
        event = Event(
            id=_uuid7(wall, rng),
            case_id=case.case_id,
            type=draft.type,
            payload=draft.payload,
            actor_id=actor_id,
            actor_name=actor_name,
            station_code=code,
            occurred_at=at,
            hlc=f"{last_wall:015d}.{counter:06d}",
        )
        states[index] = apply(states.get(index), event)
        out.append(
            {
                "id": event.id,
                "case_id": event.case_id,
                "type": str(event.type),
                "payload": event.payload,
                "actor_id": actor_id,
                "actor_name": actor_name,
                "station_code": code,
                "occurred_at": at.isoformat(),
                "hlc": event.hlc,
                "schema_version": 1,
                "content_hash": event.content_hash(),
                "station_seq": seq,
            }
        )
    return out


def push_bodies(events: list[dict[str, Any]]) -> list[bytes]:
    return [
        json.dumps({"protocol": 1, "events": events[i : i + BATCH]}, ensure_ascii=False, separators=(",", ":")).encode()
        for i in range(0, len(events), BATCH)
    ]


@dataclass
class StationData:
    """One station's day (or history), ready to send: request bodies and what its receipt must say."""

    code: str
    name: str
    cases: int
    events: int
    bodies: list[bytes]
    digest: str  # receipt_digest over its own (station_seq, content_hash)


def _generate_station(job: tuple[str, str, int, int, str, int, int, Path]) -> dict[str, Any]:
    code, name, cases, events, first_day, days, seed, path = job
    wire = station_events(code, cases, events, date.fromisoformat(first_day), days, seed)
    digest = receipt_digest([(e["station_seq"], e["content_hash"]) for e in wire])
    bodies = push_bodies(wire)
    meta = {"code": code, "name": name, "cases": cases, "events": len(wire), "digest": digest, "batches": len(bodies)}
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(b"\n".join(bodies))  # compact JSON holds no raw newline
    tmp.replace(path)
    path.with_suffix(".meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return meta


def dataset(
    label: str, stations: int, cases: int, events: int, first_day: date, days: int, *, fresh: bool
) -> list[StationData]:
    """`stations` stations' events, generated in worker processes on first use and cached as request bodies."""
    directory = CACHE / f"server-g{GENERATOR_VERSION}" / f"{label}-{cases}c-{events}e-{first_day:%Y%m%d}-{days}d"
    if fresh and directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    codes = (
        [("JA01", "枫林居委会民情快办工作站")]
        if stations == 1
        else [(f"ST{n:03d}", f"第{n}居委会民情快办工作站") for n in range(1, stations + 1)]
    )
    jobs = []
    for n, (code, name) in enumerate(codes):
        path = directory / f"{code}.bodies"
        if not (path.exists() and path.with_suffix(".meta.json").exists()):
            jobs.append((code, name, cases, events, first_day.isoformat(), days, 20261123 + 7919 * n, path))
    if jobs:
        started = time.perf_counter()
        print(
            f"generating {len(jobs)} station(s) x {events} events in {directory.relative_to(ROOT)} "
            "(cached for later runs)…",
            flush=True,
        )
        workers = min(len(jobs), os.cpu_count() or 1)
        if workers > 1:
            methods = multiprocessing.get_all_start_methods()
            with multiprocessing.get_context("fork" if "fork" in methods else "spawn").Pool(workers) as pool:
                list(pool.imap_unordered(_generate_station, jobs))
        else:
            for job in jobs:
                _generate_station(job)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    out = []
    for code, _name in codes:
        path = directory / f"{code}.bodies"
        meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
        bodies = path.read_bytes().split(b"\n")
        if len(bodies) != meta["batches"]:
            raise BenchmarkError(f"{path}: {len(bodies)} batches, expected {meta['batches']}; rerun with --fresh")
        out.append(StationData(code, meta["name"], meta["cases"], meta["events"], bodies, meta["digest"]))
    _self_check(out[0])
    return out


def _self_check(station: StationData) -> None:
    """The cached bodies are what the protocol's own models make: valid requests whose hashes match."""
    request = PushRequest.model_validate_json(station.bodies[0])
    bad = [e.id for e in request.events if not e.hash_matches()]
    if bad or request.events[0].station_seq != 1:
        raise BenchmarkError(f"generated events of {station.code} do not validate ({len(bad)} bad hashes)")


def event_rows(station: StationData, received_at: datetime) -> list[dict[str, Any]]:
    """The station's events as `events` table rows, exactly what the server stores for an applied event."""
    rows = []
    for body in station.bodies:
        for e in json.loads(body)["events"]:
            rows.append(
                {
                    "id": e["id"],
                    "case_id": e["case_id"],
                    "station_code": e["station_code"],
                    "origin": "station",
                    "station_seq": e["station_seq"],
                    "type": e["type"],
                    "payload": e["payload"],
                    "actor_id": e["actor_id"],
                    "actor_name": e["actor_name"],
                    "occurred_at": datetime.fromisoformat(e["occurred_at"]),
                    "hlc": e["hlc"],
                    "schema_version": e["schema_version"],
                    "content_hash": e["content_hash"],
                    "applied": True,
                    "received_at": received_at,
                }
            )
    return rows


# ---------------------------------------------------------------------------------------------- databases


class BenchmarkError(RuntimeError):
    pass


@dataclass
class Backend:
    """A kind of database: `fresh()` returns the URL of an empty database of that kind (not yet migrated)."""

    name: str
    fresh: Callable[[str], str]
    note: str = ""


def sqlite_backend(workdir: Path) -> Backend:
    def fresh(tag: str) -> str:
        path = workdir / f"{tag}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"

    return Backend("SQLite", fresh, f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=FULL")


def postgres_backend(url: str) -> Backend | str:
    """A backend on a separate database `gridstation_bench`, or the reason PostgreSQL is not usable."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # any malformed URL is a reason to skip, printed as such
        return f"bad URL: {exc}"
    admin = create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as connection:
            version = connection.scalar(text("SHOW server_version"))
            settings = {
                name: connection.scalar(text(f"SHOW {name}"))
                for name in ("fsync", "synchronous_commit", "max_connections", "shared_buffers")
            }
    except Exception as exc:  # unreachable server, bad credentials: skip with the reason
        admin.dispose()
        return f"cannot connect: {str(exc).splitlines()[0]}"
    bench_url = parsed.set(database=BENCH_DATABASE)

    def fresh(_tag: str) -> str:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
        return bench_url.render_as_string(hide_password=False)

    note = f"PostgreSQL {version} at {parsed.host}:{parsed.port}, database {BENCH_DATABASE}; " + ", ".join(
        f"{k}={v}" for k, v in settings.items()
    )
    return Backend("PostgreSQL", fresh, note)


def prepare_server_db(url: str, stations: Sequence[StationData]) -> dict[str, str]:
    """Migrate the database and add the stations (as `gridstation-server station add` does): code -> enrolment."""
    from gridstation.server.db import open_database
    from gridstation.server.service import ServerService

    database = open_database(url)
    try:
        service = ServerService(database)
        return {s.code: service.add_station(s.code, s.name) for s in stations}
    finally:
        database.dispose()


def bulk_insert_seconds(url: str, rows: list[dict[str, Any]]) -> float:
    """The baseline: the same rows into the same table, one executemany in one transaction."""
    from gridstation.server.db import open_database
    from gridstation.server.models import ServerEventRow

    database = open_database(url)
    try:
        engine = database.write_engine
        with engine.connect() as connection:  # open the connection (and its pragmas) before the clock
            connection.execute(text("SELECT 1"))
            connection.rollback()
            statement = insert(ServerEventRow.__table__)
            started = time.perf_counter()
            with connection.begin():
                connection.execute(statement, rows)
            seconds = time.perf_counter() - started
            held = connection.scalar(text("SELECT count(*) FROM events"))
        if held != len(rows):
            raise BenchmarkError(f"bulk insert left {held} rows, expected {len(rows)}")
        return seconds
    finally:
        database.dispose()


# ---------------------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server's processes so far (with `--workers`, the supervisor and its
        workers; Linux /proc), None elsewhere."""
        try:
            total = 0
            for pid in process_tree(self.pid):
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                total += int(fields[11]) + int(fields[12])
            return total / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            return None


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo.extend(int(child) for child in task.read_text().split())
    return found


@contextmanager
def running_server(url: str, data_dir: Path, options: Sequence[str] = ()) -> Iterator[Server]:
    """`python -m gridstation.server.cli --db URL --data-dir DIR serve [options]` on a free port, stopped at the
    end (`options` e.g. `--workers 2 --pool-size 10`)."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    command = [sys.executable, "-m", "gridstation.server.cli", "--db", url, "--data-dir", str(data_dir), "serve"]
    # No supervision pass: it would add its own work (and 督办 events) to what is timed.
    command += ["--host", "127.0.0.1", "--port", str(port), "--supervise-seconds", "0", *options]
    with log_path.open("wb") as log:
        # Its own process group: with --workers, what is left of it (a worker the supervisor did not stop in time)
        # is stopped with it, not left running after the benchmark.
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise BenchmarkError(f"the server exited with {process.returncode}:\n{_tail(log_path)}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise BenchmarkError(f"the server did not answer /healthz within 90 s:\n{_tail(log_path)}")
            time.sleep(0.1)
        yield Server(base, process.pid)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        report_server_log(log_path)


def report_server_log(path: Path) -> None:
    """Unhandled errors the server logged (each one answered 500), counted by their exception line."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
    errors: Counter[str] = Counter()
    block: list[str] = []
    for line in [*lines, "unhandled error"]:
        if line.startswith(("unhandled error", "Exception in ASGI application")):
            found = [b for b in block if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\w*\b", b)]
            if found:
                errors[found[-1][:160]] += 1
            block = []
        else:
            block.append(line)
    for message, count in errors.most_common():
        print(f"  !! the server logged {count} x {message}", flush=True)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Client:
    """One station's connection to the server, with the retries a real station makes."""

    http: httpx.Client
    station: StationData
    epoch: int = 1
    retries: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0  # the longest single request, in seconds

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        jitter = random.Random(self.station.code)
        problem = ""
        for attempt in range(1, RETRIES + 2):
            retry_after: float | None = None
            started = time.perf_counter()
            try:
                answer = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                problem = repr(exc)
                self.retries[type(exc).__name__] += 1
            else:
                if answer.status_code == 200:
                    self.slowest = max(self.slowest, time.perf_counter() - started)
                    return answer.json()
                if answer.status_code < 500:
                    raise BenchmarkError(
                        f"{self.station.code} {method} {path}: {answer.status_code} {answer.text[:600]}"
                    )
                try:
                    code = answer.json()["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = str(answer.status_code)
                problem = f"{answer.status_code} {code}"
                self.retries[problem] += 1
                try:
                    retry_after = float(answer.headers.get("Retry-After", ""))
                except ValueError:
                    retry_after = None
            self.slowest = max(self.slowest, time.perf_counter() - started)
            time.sleep(STATION_BACKOFF.delay(attempt, jitter, retry_after))
        raise Unavailable(f"{self.station.code} {method} {path}: gave up after {RETRIES} retries; last: {problem}")


class Unavailable(BenchmarkError):
    """The server kept answering 5xx (or dropping the connection): the station gives up this sync."""


def connect(base: str, station: StationData, enrolment: str) -> Client:
    http = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, headers={PROTOCOL_HEADER: "1"})
    answer = http.post("/api/v1/enrol", json={"code": enrolment, "device_name": "benchmark"})
    if answer.status_code != 200:
        raise BenchmarkError(f"enrolling {station.code}: {answer.status_code} {answer.text[:300]}")
    enrolled = answer.json()
    http.headers["Authorization"] = f"Bearer {enrolled['credential']}"
    return Client(http, station, epoch=int(enrolled["epoch"]))


def push_all(client: Client) -> None:
    acknowledged = 0
    for body in client.station.bodies:
        answer = client.call("POST", "/api/v1/sync/push", content=body, headers={"Content-Type": "application/json"})
        outcomes = Counter(r["outcome"] for r in answer["results"])
        if set(outcomes) - {"applied", "duplicate"}:  # a retried batch may come back as duplicates
            odd = [r for r in answer["results"] if r["outcome"] not in ("applied", "duplicate")][:3]
            raise BenchmarkError(f"{client.station.code}: push outcomes {dict(outcomes)}, e.g. {odd}")
        acknowledged = answer["acknowledged_seq"]
    if acknowledged != client.station.events:
        raise BenchmarkError(f"{client.station.code}: acknowledged {acknowledged} of {client.station.events}")


def pull_all(client: Client) -> int:
    cursor, pages, seqs = 0, 0, set()
    while True:
        page = client.call(
            "GET", "/api/v1/sync/pull", params={"after": cursor, "epoch": client.epoch, "limit": PULL_PAGE}
        )
        pages += 1
        if page["reset"]:
            cursor, client.epoch, seqs = 0, page["epoch"], set()
            continue
        seqs.update(item["station_seq"] for item in page["items"])
        if page["cursor"] < cursor:
            raise BenchmarkError(f"{client.station.code}: the cursor went back from {cursor} to {page['cursor']}")
        cursor = page["cursor"]  # a station saves this with what it applied
        if not page["has_more"]:
            break
        if pages > 10_000:
            raise BenchmarkError(f"{client.station.code}: the pull does not finish")
    if seqs != set(range(1, client.station.events + 1)):
        raise BenchmarkError(f"{client.station.code}: pulled {len(seqs)} of its {client.station.events} events")
    return pages


def check_receipt(client: Client) -> None:
    station = client.station
    receipt = client.call(
        "POST",
        "/api/v1/sync/receipt",
        json={"protocol": 1, "from_seq": 1, "to_seq": station.events, "label": f"{SYNC_DAY:%Y-%m-%d}"},
    )
    if receipt["missing"] != [] or receipt["held"] != station.events:
        raise BenchmarkError(f"{station.code}: receipt holds {receipt['held']}, missing {receipt['missing'][:5]}")
    if receipt["digest"] != station.digest:
        raise BenchmarkError(f"{station.code}: receipt digest {receipt['digest']} != local {station.digest}")


@dataclass
class SyncTiming:
    code: str
    start: float
    pushed: float
    pulled: float
    end: float
    pages: int
    retries: Counter[str]
    slowest: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def sync_station(client: Client) -> SyncTiming:
    start = time.perf_counter()
    push_all(client)
    pushed = time.perf_counter()
    pages = pull_all(client)
    pulled = time.perf_counter()
    check_receipt(client)
    end = time.perf_counter()
    return SyncTiming(client.station.code, start, pushed, pulled, end, pages, client.retries, client.slowest)


# ---------------------------------------------------------------------------------------------- reporting


@dataclass
class Figure:
    section: str
    database: str
    label: str
    seconds: float
    baseline_label: str
    baseline_seconds: float
    events: int
    note: str = ""
    failed: str = ""  # why the figure is not a clean measurement (stations that gave up), or ""
    done: int | None = None  # events of the stations that finished, when not all of them did

    @property
    def done_events(self) -> int:
        return self.events if self.done is None else self.done

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds if self.baseline_seconds > 0 else float("inf")

    @property
    def ratio_text(self) -> str:
        return f"{self.ratio:.2f}x" + (" FAILED" if self.failed else "")


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        f = figure
        line = (
            f"{f.database}: {f.label}: {fmt_s(f.seconds)} ({rate(f.done_events, f.seconds)} ev/s) "
            f"vs {f.baseline_label} {fmt_s(f.baseline_seconds)} ({rate(f.events, f.baseline_seconds)} ev/s) "
            f"-> {f.ratio_text}"
        )
        if not f.events:  # a read figure (the case board): times only, in ms even above a second
            line = (
                f"{f.database}: {f.label}: {f.seconds * 1000:.2f} ms vs {f.baseline_label} "
                f"{f.baseline_seconds * 1000:.2f} ms -> {f.ratio_text}"
            )
        print(line + (f"   [{f.note}]" if f.note else ""), flush=True)
        if f.failed:
            print(f"  !! FAILED: {f.failed}", flush=True)

    def table(self) -> str:
        rows = [("figure", "db", "GridStation", "ev/s", "baseline", "baseline", "ev/s", "ratio")]
        for f in self.figures:
            rows.append(
                (
                    f.label,
                    f.database,
                    fmt_s(f.seconds),
                    rate(f.done_events, f.seconds) if f.events else "",
                    f.baseline_label,
                    fmt_s(f.baseline_seconds),
                    rate(f.events, f.baseline_seconds) if f.events else "",
                    f.ratio_text,
                )
            )
        return aligned_table(rows, right=(2, 3, 5, 6, 7))


def aligned_table(rows: Sequence[Sequence[str]], *, right: Sequence[int]) -> str:
    """A plain-text table: a header row, a rule, then the rows; columns in `right` aligned right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def rate(events: int, seconds: float) -> str:
    return f"{events / seconds:,.0f}" if seconds > 0 else "inf"


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def cpu_note(server_cpu: float | None, client_cpu: float, wall: float) -> str:
    """How busy the server process and this client were: in cores, over the wall time."""
    server = f"server process {server_cpu / wall:.2f} cores" if server_cpu is not None else "server CPU unknown"
    return f"{server}, client {client_cpu / wall:.2f} cores"


def retries_note(retries: Counter[str]) -> str:
    if not retries:
        return "no retries"
    return "RETRIES " + ", ".join(f"{count} x {what}" for what, count in retries.most_common())


# ---------------------------------------------------------------------------------------------- 1. ingest


def bench_ingest(report: Report, backend: Backend, station: StationData, workdir: Path, reps: int) -> dict[str, Any]:
    url = backend.fresh("ingest")
    enrolment = prepare_server_db(url, [station])
    with running_server(url, workdir / f"ingest-{backend.name}") as server:
        client = connect(server.base, station, enrolment[station.code])
        try:
            latencies = []
            client.call("GET", "/api/v1/info")  # the connection is open before the clock starts
            cpu_before, client_before = server.cpu_seconds(), time.process_time()
            started = time.perf_counter()
            acknowledged = 0
            for body in station.bodies:
                t = time.perf_counter()
                answer = client.call(
                    "POST", "/api/v1/sync/push", content=body, headers={"Content-Type": "application/json"}
                )
                latencies.append(time.perf_counter() - t)
                outcomes = Counter(r["outcome"] for r in answer["results"])
                if set(outcomes) != {"applied"}:
                    raise BenchmarkError(f"ingest: push outcomes {dict(outcomes)}")
                acknowledged = answer["acknowledged_seq"]
            seconds = time.perf_counter() - started
            cpu_after, client_after = server.cpu_seconds(), time.process_time()
        finally:
            client.http.close()
    if acknowledged != station.events:
        raise BenchmarkError(f"ingest: acknowledged {acknowledged} of {station.events}")
    server_cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None

    rows = event_rows(station, datetime.now(UTC))
    baselines = [bulk_insert_seconds(backend.fresh("bulk"), rows) for _ in range(reps)]
    baseline = statistics.median(baselines)
    per_event_us = seconds / station.events * 1e6
    report.add(
        Figure(
            "ingest",
            backend.name,
            f"ingest {station.events} events over HTTP",
            seconds,
            "raw bulk insert",
            baseline,
            station.events,
            f"{len(station.bodies)} pushes of {BATCH}; {per_event_us:.0f} µs/event "
            f"(bulk {baseline / station.events * 1e6:.0f}); per push median "
            f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
            f"{cpu_note(server_cpu, client_after - client_before, seconds)}; {retries_note(client.retries)}",
        )
    )
    return {
        "database": backend.name,
        "events": station.events,
        "seconds": round(seconds, 3),
        "push_seconds": [round(x, 3) for x in latencies],
        "bulk_seconds": [round(x, 4) for x in baselines],
        "server_cpu_s": None if server_cpu is None else round(server_cpu, 2),
    }


# ---------------------------------------------------------------------------------------------- 2. end-of-day sync


@dataclass
class SyncRun:
    wall: float
    timings: list[SyncTiming]
    failures: list[str]  # stations that gave up: the server kept failing their requests
    server_cpu: float | None
    client_cpu: float
    retries: Counter[str]  # of every station, finished or not

    def summary(self) -> dict[str, Any]:
        per = [t.seconds for t in self.timings] or [float("nan")]
        return {
            "wall_s": round(self.wall, 3),
            "finished": len(self.timings),
            "failed": len(self.failures),
            "failures": self.failures[:20],
            "per_station_median_s": round(statistics.median(per), 3),
            "per_station_p99_s": round(percentile(per, 0.99), 3),
            "per_station_max_s": round(max(per), 3),
            "push_median_s": round(statistics.median(t.pushed - t.start for t in self.timings), 3),
            "pull_median_s": round(statistics.median(t.pulled - t.pushed for t in self.timings), 3),
            "receipt_median_s": round(statistics.median(t.end - t.pulled for t in self.timings), 3),
            "slowest_request_s": round(max(t.slowest for t in self.timings), 3),
            "retries": dict(self.retries),
            "server_cpu_s": None if self.server_cpu is None else round(self.server_cpu, 2),
            "client_cpu_s": round(self.client_cpu, 2),
        }


def run_syncs(server: Server, stations: Sequence[StationData], enrolments: dict[str, str], concurrent: bool) -> SyncRun:
    """Enrol every station, then sync them all at once (one thread each) or one after another."""
    clients = [connect(server.base, s, enrolments[s.code]) for s in stations]
    try:
        for client in clients:  # each station's connection is open before the clock starts
            client.call("GET", "/api/v1/info")
        results: list[SyncTiming | BaseException | None] = [None] * len(clients)

        def work(index: int, barrier: threading.Barrier | None) -> None:
            if barrier is not None:
                barrier.wait()
            try:
                results[index] = sync_station(clients[index])
            except BaseException as exc:  # sorted out by the caller
                results[index] = exc

        cpu_before, client_before = server.cpu_seconds(), time.process_time()
        if concurrent:
            barrier = threading.Barrier(len(clients) + 1)
            threads = [threading.Thread(target=work, args=(i, barrier), daemon=True) for i in range(len(clients))]
            for thread in threads:
                thread.start()
            barrier.wait()
            started = time.perf_counter()
            for thread in threads:
                thread.join()
        else:
            started = time.perf_counter()
            for index in range(len(clients)):
                work(index, None)
        wall = time.perf_counter() - started
        cpu_after, client_after = server.cpu_seconds(), time.process_time()
    finally:
        for client in clients:
            client.http.close()
    wrong = [r for r in results if not isinstance(r, SyncTiming | Unavailable)]
    if wrong:  # a wrong answer (not a refusal to answer) stops the benchmark: the figures would mean nothing
        raise BenchmarkError(f"{len(wrong)} of {len(clients)} stations got wrong answers; first: {wrong[0]!r}")
    server_cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
    return SyncRun(
        wall,
        [r for r in results if isinstance(r, SyncTiming)],
        [str(r) for r in results if isinstance(r, Unavailable)],
        server_cpu,
        client_after - client_before,
        sum((c.retries for c in clients), Counter()),
    )


def bench_sync(report: Report, backend: Backend, stations: Sequence[StationData], workdir: Path) -> dict[str, Any]:
    total_events = sum(s.events for s in stations)
    runs: dict[bool, SyncRun] = {}
    # Alternate which side goes first between the two databases, so drift from other load hits both alike.
    order = (False, True) if backend.name == "SQLite" else (True, False)
    for concurrent in order:
        url = backend.fresh("sync")
        enrolments = prepare_server_db(url, stations)
        kind = "concurrent" if concurrent else "serial"
        with running_server(url, workdir / f"sync-{backend.name}-{kind}") as server:
            run = runs[concurrent] = run_syncs(server, stations, enrolments, concurrent)
        if not run.timings:
            raise BenchmarkError(f"{backend.name} {kind}: no station finished; first failure: {run.failures[0]}")
        per = [t.seconds for t in run.timings]
        print(
            f"  {backend.name} {'all at once' if concurrent else 'one after another'}: wall {fmt_s(run.wall)}; "
            f"per station median {fmt_s(statistics.median(per))}, p99 {fmt_s(percentile(per, 0.99))}, "
            f"max {fmt_s(max(per))}; push / pull / receipt medians "
            f"{fmt_s(statistics.median(t.pushed - t.start for t in run.timings))} / "
            f"{fmt_s(statistics.median(t.pulled - t.pushed for t in run.timings))} / "
            f"{fmt_s(statistics.median(t.end - t.pulled for t in run.timings))}; slowest single request "
            f"{fmt_s(max(t.slowest for t in run.timings))}; {cpu_note(run.server_cpu, run.client_cpu, run.wall)}; "
            f"{retries_note(run.retries)}",
            flush=True,
        )
        if run.failures:
            print(f"  !! {len(run.failures)} of {len(stations)} stations gave up: {run.failures[0]}", flush=True)
    together, serial = runs[True], runs[False]
    per = [t.seconds for t in together.timings]
    failed = [
        f"{name}: {len(run.failures)} of {len(stations)} stations gave up (the server kept answering 5xx)"
        for name, run in (("all at once", together), ("one after another", serial))
        if run.failures
    ]
    report.add(
        Figure(
            "sync",
            backend.name,
            f"{len(stations)} stations' day sync at once",
            together.wall,
            "the same syncs one after another",
            serial.wall,
            total_events,
            f"{len(stations)} x {stations[0].events} events; per station median {fmt_s(statistics.median(per))}, "
            f"p99 {fmt_s(percentile(per, 0.99))}; one station alone (serial median) "
            f"{fmt_s(statistics.median(t.seconds for t in serial.timings))}; {retries_note(together.retries)}",
            "; ".join(failed),
            sum(s.events for s in stations if s.code in {t.code for t in together.timings}) if failed else None,
        )
    )
    return {
        "database": backend.name,
        "stations": len(stations),
        "events": total_events,
        "concurrent": together.summary(),
        "serial": serial.summary(),
    }


# ---------------------------------------------------------------------------------------------- main


# ---------------------------------------------------------------------------------------------- 3. case board


def bench_board_figures(
    report: Report, stations: int, cases: int, reps: int, *, fresh: bool, postgres_url: str | None = None
) -> None:
    """Figure 3 on SQLite and, given `postgres_url` (a scratch database: its schema public is replaced), PostgreSQL."""
    databases = "SQLite and PostgreSQL" if postgres_url else "SQLite"
    section(
        f"3. case board: {stations} stations x {cases:,} cases; ServerService.list_cases (GET /api/v1/cases) as a "
        f"centre user, count + first page of {server_board.PAGE}, vs the same SQL by hand ({databases}, median of "
        f"{reps})"
    )
    for f in server_board.bench_board(
        CACHE, stations, cases, reps, COMPLAINTS, COMPOUNDS, BUILDINGS, fresh=fresh, postgres_url=postgres_url
    ):
        report.add(Figure("board", f.database, f.label, f.seconds, f.baseline_label, f.baseline_seconds, 0, f.note))


def board_only_postgres(given: str | None, from_environment: str | None) -> str | None:
    """The database `--board-only` replaces the schema of: a URL given with --postgres is taken as a scratch
    database and used itself; $GRIDSTATION_TEST_POSTGRES_URL names the test database (scripts/test.sh sets it),
    so from it only the server is taken and the board goes to the bench database, as the other figures do."""
    if given:
        print(f"PostgreSQL: the board runs in {make_url(given).database} itself (its schema public is replaced)")
        return given
    if not from_environment:
        print(f"PostgreSQL rows skipped: no --postgres URL and ${POSTGRES_ENV} is not set")
        return None
    found = postgres_backend(from_environment)
    if isinstance(found, str):
        print(f"PostgreSQL rows skipped: {found}")
        return None
    print(f"PostgreSQL: the board runs in the bench database ({found.note})")
    return found.fresh("board")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 000-event ingest, 10 stations x 300 events")
    parser.add_argument("--stations", type=int, default=None, help="stations syncing at once (default 200; quick 10)")
    parser.add_argument("--postgres", default=None, help=f"PostgreSQL URL (default: ${POSTGRES_ENV})")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--fresh", action="store_true", help="regenerate the cached event payloads")
    parser.add_argument("--board-stations", type=int, default=None, help="case board: stations (default 200; quick 20)")
    parser.add_argument(
        "--board-cases", type=int, default=None, help="case board: cases per station (default 1000; quick 500)"
    )
    parser.add_argument(
        "--board-only",
        action="store_true",
        help="only figure 3, the case board; on PostgreSQL too given --postgres (a scratch database: its schema "
        f"public is replaced) or ${POSTGRES_ENV} (then in the bench database {BENCH_DATABASE})",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    load = parser.add_argument_group("load runs (benchmarks/server_load.py): run instead of figures 1-3")
    load.add_argument("--load", action="store_true", help="--stations stations x --events events at once")
    load.add_argument("--events", type=int, default=300, help="--load: events per station (default 300)")
    load.add_argument("--memory-syncs", type=int, default=0, help="N consecutive syncs of one station, RSS sampled")
    load.add_argument("--db", default=None, help="database URL for the load runs (PostgreSQL: a bench database)")
    load.add_argument("--workers", type=int, default=1, help="serve --workers (default 1)")
    load.add_argument("--pool-size", type=int, default=10, help="serve --pool-size (default 10)")
    args = parser.parse_args(argv)
    if args.load or args.memory_syncs:
        import server_load

        args.stations = args.stations or 200
        return server_load.main(args)
    stations = args.stations or (10 if args.quick else 200)
    ingest_cases, ingest_events = (200, 2000) if args.quick else (2000, 20_000)
    sync_cases, sync_events = (30, 300) if args.quick else (300, 3000)
    reps = 1 if args.quick else BASELINE_REPS
    board_stations = args.board_stations or (20 if args.quick else 200)
    board_cases = args.board_cases or (500 if args.quick else 1000)
    board_reps = 5 if args.quick else 15
    started = time.perf_counter()

    print("GridStation server benchmarks" + (" (quick)" if args.quick else ""))
    print(
        f"python {platform.python_version()}, httpx {httpx.__version__}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, load average {os.getloadavg()[0]:.2f}"
    )
    report = Report()
    postgres_url = None if args.no_postgres else (args.postgres or os.environ.get(POSTGRES_ENV))
    if args.board_only:
        if args.no_postgres:
            board_url = None
            print("PostgreSQL rows skipped: --no-postgres")
        else:
            board_url = board_only_postgres(args.postgres, os.environ.get(POSTGRES_ENV))
        bench_board_figures(report, board_stations, board_cases, board_reps, fresh=args.fresh, postgres_url=board_url)
        print("\n== summary (ratio = GridStation / baseline, lower is better)")
        print(report.table())
        print(f"\nload average now {os.getloadavg()[0]:.2f}")
        return 0
    history = dataset("ingest", 1, ingest_cases, ingest_events, HISTORY_START, 8, fresh=args.fresh)[0]
    day = dataset("day", stations, sync_cases, sync_events, SYNC_DAY, 1, fresh=args.fresh)

    CACHE.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="server-work-", dir=CACHE))
    backends = [sqlite_backend(workdir)]
    if args.no_postgres:
        print("PostgreSQL rows skipped: --no-postgres")
    elif not postgres_url:
        print(f"PostgreSQL rows skipped: no --postgres URL and ${POSTGRES_ENV} is not set")
    else:
        found = postgres_backend(postgres_url)
        if isinstance(found, Backend):
            backends.append(found)
        else:
            print(f"PostgreSQL rows skipped: {found}")
    for backend in backends:
        print(f"{backend.name}: {backend.note}")
    ingest_details, sync_details = [], []
    try:
        section(
            f"1. server ingest: one station pushes {history.events} events ({history.cases} cases) in batches of "
            f"{BATCH} over HTTP, vs a raw bulk insert of the same rows (median of {reps})"
        )
        for backend in backends:
            ingest_details.append(bench_ingest(report, backend, history, workdir, reps))
        section(
            f"2. end-of-day sync: {stations} stations x {day[0].events} events ({day[0].cases} cases) push, pull "
            f"and check their day receipt, all at once vs the same syncs one after another (fresh server each)"
        )
        for backend in backends:
            sync_details.append(bench_sync(report, backend, day, workdir))
        # The board replaces its database's schema: in a full run that is the bench database made afresh, never
        # the test database the URL names.
        board_url = next((b.fresh("board") for b in backends if b.name == "PostgreSQL"), None)
        bench_board_figures(report, board_stations, board_cases, board_reps, fresh=args.fresh, postgres_url=board_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print("\n== summary (ratio = GridStation / baseline, lower is better)")
    print(report.table())
    total = time.perf_counter() - started
    failed = [f for f in report.figures if f.failed]
    for f in failed:
        print(f"!! {f.database}: {f.label}: FAILED: {f.failed}")
    print(f"\ntotal {total:.0f} s, load average now {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "quick": args.quick,
                    "seconds": round(total, 1),
                    "databases": {b.name: b.note for b in backends},
                    "figures": [
                        {
                            "section": f.section,
                            "database": f.database,
                            "label": f.label,
                            "seconds": round(f.seconds, 4),
                            "events": f.events,
                            "events_per_s": round(f.done_events / f.seconds, 1),
                            "baseline": f.baseline_label,
                            "baseline_seconds": round(f.baseline_seconds, 4),
                            "baseline_events_per_s": round(f.events / f.baseline_seconds, 1),
                            "ratio": round(f.ratio, 3),
                            "note": f.note,
                            "failed": f.failed,
                        }
                        for f in report.figures
                    ],
                    "ingest": ingest_details,
                    "sync": sync_details,
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
