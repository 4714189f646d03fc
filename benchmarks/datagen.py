"""Fast generation of a realistic station database for the benchmarks.

The station itself (schema, first admin, seed categories/grids/compounds) is created through
`StationService`, exactly as a real first start does. The cases are then written directly with sqlite3:
each case's events are built as the desk would record them (same payload keys, HLC stamps, content
hashes), folded with the domain's own `apply`, and projected with the store's own `projection_values`, so the
`cases` rows are what `case_store.append_events` would have written. The FTS5 index is rebuilt in one
pass at the end (triggers and plain indexes are dropped during the bulk insert and recreated unchanged).

Generating 200 000 cases takes a minute or so; the result is cached by the caller.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from gridstation.domain.case import apply
from gridstation.domain.clock import HlcStamp
from gridstation.domain.enums import (
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    Resolution,
    Role,
    Satisfaction,
    Tier,
)
from gridstation.domain.events import Event
from gridstation.domain.integrity import GENESIS, event_link
from gridstation.domain.numbering import format_case_number
from gridstation.domain.sla import DeadlinePolicy
from gridstation.services.station import StationService
from gridstation.storage import case_store

STATION_CODE = "JA01"
ADMIN = ("王芳", "246810")
CLERK = ("李明", "1357")
ZONE = ZoneInfo("Asia/Shanghai")
GENERATOR_VERSION = 4  # bump when the generated data changes, so caches are rebuilt

# (category, text, tiers that fit, assignee) — `{p}` compound+building, `{c}` compound, `{b}` building.
TEMPLATES: tuple[tuple[str, str, tuple[Tier, ...], str], ...] = (
    ("GREEN.LIGHT", "{p}楼前香樟树过高，遮挡三楼采光，白天屋里也要开灯，希望修剪。", (Tier.QUICK, Tier.TRACKED),
     "绿化市容所"),
    ("DRAIN.COVER", "{p}旁绿化带下的污水井盖被覆土堵塞，雨天污水倒灌进底楼。", (Tier.QUICK, Tier.TRACKED), "排水所"),
    ("NOISE.TRAFFIC", "{c}附近隧道出口机动车鸣笛扰民，夜间尤甚，影响老人休息。", (Tier.QUICK, Tier.TRACKED),
     "交警支队"),
    ("BUILD.SHED", "{c}非机动车棚内有人私自搭建杂物间，占用停车位。", (Tier.QUICK, Tier.TRACKED), "城管执法中队"),
    ("FIRE.CORRIDOR", "{p}楼道内堆放大量纸箱和煤气罐，存在消防隐患。", (Tier.QUICK, Tier.TRACKED),
     "物业（{c}物业服务中心）"),
    ("FIRE.CHARGE", "{p}有住户从窗口拉电线，在楼道里飞线给电动车充电。", (Tier.QUICK, Tier.TRACKED), "网格员 陈志强"),
    ("BIKE.DISORDER", "共享单车堆满{c}门口，轮椅和童车都过不去。", (Tier.QUICK, Tier.TRACKED), "共享单车运维"),
    ("FACIL.LAMP", "{c}内主干道路灯连续三晚不亮，老人夜间出行不便。", (Tier.QUICK, Tier.TRACKED), "路灯管理所"),
    ("WASTE.STATION", "{c}垃圾箱房异味大，夏天招苍蝇，箱房门也关不上。", (Tier.QUICK, Tier.TRACKED),
     "物业（{c}物业服务中心）"),
    ("SHOP.OUTSIDE", "{c}门口水果店跨门营业，货架摆到人行道上。", (Tier.QUICK, Tier.TRACKED), "城管执法中队"),
    ("SHOP.FUME", "{c}沿街饭店油烟直排，{b}住户窗户上都是油污。", (Tier.QUICK, Tier.TRACKED), "市场监管所"),
    ("POLICY.ELDER", "咨询高龄津贴申请条件和所需材料。", (Tier.ON_THE_SPOT,), ""),
    ("POLICY.ELDER", "咨询长期护理保险评估如何申请。", (Tier.ON_THE_SPOT,), ""),
    ("POLICY.HOUSING", "咨询公共租赁住房的申请条件。", (Tier.ON_THE_SPOT,), ""),
    ("POLICY.SOCIAL", "咨询灵活就业人员如何缴纳医保。", (Tier.ON_THE_SPOT,), ""),
    ("WASTE.BULKY", "{p}门口堆放旧沙发和床垫多日，无人清运。", (Tier.QUICK,), "物业（{c}物业服务中心）"),
    ("PROP.LIFT", "{p}电梯频繁停运，上周两次困人。", (Tier.QUICK, Tier.TRACKED), "房管办"),
    ("PROP.SECURITY", "{c}北门门禁损坏，外来人员随意进出。", (Tier.QUICK, Tier.TRACKED), "物业（{c}物业服务中心）"),
    ("DRAIN.FLOOD", "{c}下雨后{b}门口积水没过脚踝，排水不畅。", (Tier.QUICK, Tier.TRACKED), "排水所"),
    ("DRAIN.PIPE", "{p}楼上卫生间管道渗漏，楼下天花板发霉滴水。", (Tier.QUICK, Tier.TRACKED), "房管办"),
    ("NOISE.BUILD", "{c}旁工地晚上十点后仍在施工，噪声很大。", (Tier.QUICK, Tier.TRACKED), "城管执法中队"),
    ("NOISE.SHOP", "{c}沿街酒吧深夜音乐声大，影响附近居民休息。", (Tier.QUICK, Tier.TRACKED), "派出所社区民警"),
    ("NOISE.NEIGH", "{p}楼上住户夜间经常拖动家具，噪声扰人，多次沟通无果。", (Tier.QUICK, Tier.TRACKED), "人民调解员"),
    ("BUILD.ROOF", "{p}顶楼住户在屋顶加建阳光房。", (Tier.QUICK, Tier.TRACKED), "城管执法中队"),
    ("BUILD.YARD", "{p}底楼住户在院落里搭建彩钢板房。", (Tier.QUICK, Tier.TRACKED), "城管执法中队"),
    ("FIRE.ACCESS", "{c}消防通道长期被私家车占用。", (Tier.QUICK, Tier.TRACKED), "物业（{c}物业服务中心）"),
    ("BIKE.ZOMBIE", "{c}非机动车棚内有十几辆僵尸自行车，积灰多年占用车位。", (Tier.QUICK, Tier.TRACKED),
     "网格员 刘晓东"),
    ("FACIL.ROAD", "{c}主干道路面塌陷出现坑洞，已有老人绊倒。", (Tier.QUICK, Tier.TRACKED), "房管办"),
    ("FACIL.FITNESS", "{c}健身苑点的漫步机断裂，存在安全隐患。", (Tier.QUICK, Tier.TRACKED), "体育指导站"),
    ("GREEN.DAMAGE", "{c}中心绿地被人开垦种菜。", (Tier.QUICK, Tier.TRACKED), "绿化市容所"),
    ("GREEN.TRIM", "{p}旁树枝伸进阳台，台风季担心折断砸窗。", (Tier.QUICK, Tier.TRACKED), "绿化市容所"),
    ("WASTE.SORT", "{c}湿垃圾桶里经常混入干垃圾，分类指导员不在岗。", (Tier.QUICK, Tier.TRACKED),
     "物业（{c}物业服务中心）"),
    ("OTHER.MISC", "{c}门口流浪猫聚集，夜间叫声扰民。", (Tier.QUICK, Tier.TRACKED), "社区志愿者服务队"),
)
COMPOUNDS = (("枫林苑", "G01"), ("康乐小区", "G01"), ("梅园新村", "G02"), ("永嘉路弄", "G02"),
             ("建国西路弄", "G03"), ("桃源里", "G03"), ("天平公寓", "G04"), ("湖南路弄", "G04"))
BUILDINGS = ("1号楼", "3号楼", "5号楼", "7号楼", "12号楼", "15号楼", "18号", "23号", "32号", "41号")
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蒋蔡余杜叶程魏"
GIVEN = ("桂英", "建华", "秀兰", "志明", "丽娟", "文斌", "淑芬", "国强", "美玲", "德华", "晓燕", "海涛", "玉梅",
         "永康", "小红", "伟", "秀珍", "建平", "敏", "家豪", "雪梅", "振东", "慧", "宏伟", "凤英", "立新")
CHANNELS = tuple(Channel)
PROGRESS = (EventType.FIRST_CONTACT, EventType.DISPATCHED, EventType.ARRIVED_ON_SITE, EventType.DISPOSED,
            EventType.CLOSED)

_CASE_COLUMNS = (
    "id", "number", "station_code", "channel", "category_code", "description", "tier", "status", "compound",
    "building", "address", "grid_code", "complainant_name", "phone", "anonymous", "assignee", "answer",
    "registered_at", "registered_by", "first_contact_at", "closed_at", "satisfaction", "reopen_count",
    "sla_stage", "sla_started_at", "sla_due_at", "state", "version", "last_hlc", "updated_at",
)
_EVENT_COLUMNS = (
    "id", "station_seq", "case_id", "type", "payload", "actor_id", "actor_name", "station_code", "occurred_at",
    "hlc", "schema_version", "content_hash", "acknowledged_at", "chain_hash",
)


@dataclass(frozen=True, slots=True)
class Generated:
    cases: int
    events: int
    end: datetime
    seconds: float


def _stamp(moment: datetime | None) -> str | None:
    """What common.sqltypes.UTCDateTime stores."""
    # isoformat is several times faster than strftime and gives the same text for UTC.
    return None if moment is None else moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _json(value: Any) -> str:
    """What common.sqltypes.JsonText stores."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _uuid7(ms: int, rng: random.Random) -> str:
    """A UUIDv7 for the given millisecond, as new_id() would have produced at that moment."""
    value = (ms & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return str(uuid.UUID(int=value))


CHUNK = 4000
CASE_SQL = f"INSERT INTO cases ({', '.join(_CASE_COLUMNS)}) VALUES ({', '.join('?' * len(_CASE_COLUMNS))})"
EVENT_SQL = f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"


def generate(data_dir: Path, cases: int, *, seed: int = 20261123, end: datetime | None = None,
             progress: Callable[[int, int], None] | None = None, workers: int | None = None) -> Generated:
    """Create a station in `data_dir` (which must not exist yet) holding `cases` generated cases."""
    started = time.perf_counter()
    end = (end or datetime.now(UTC)).replace(microsecond=0)
    span_days = max(30, cases // 250)  # a busy station: about 250 cases a day
    begin = end - timedelta(days=span_days)
    service = StationService(data_dir, now=lambda: begin - timedelta(hours=1))
    try:
        service.initialise(code=STATION_CODE, name="枫林居委会民情快办工作站", admin_name=ADMIN[0], admin_pin=ADMIN[1],
                           sub_district="湖南路街道", contact_phone="021-64331234")
        admin = service.sign_in(*ADMIN)
        clerk = service.add_staff(admin, CLERK[0], Role.CLERK, CLERK[1])
        policy = service.deadline_policy()
    finally:
        service.close()
    actors = [(clerk.id, clerk.name)] * 3 + [(admin.id, admin.name)]
    rng = random.Random(seed)

    # Registration moments, in order: office hours in Shanghai, spread over `span_days`; then numbers.
    moments: list[datetime] = []
    for _ in range(cases):
        day = begin + timedelta(days=rng.randrange(span_days))
        local = day.astimezone(ZONE).replace(hour=8, minute=0, second=0, microsecond=0)
        moment = local + timedelta(seconds=rng.randrange(11 * 3600), microseconds=rng.randrange(1_000_000))
        moments.append(moment - timedelta(days=1) if moment >= end else moment)
    moments.sort()
    counters: dict[str, int] = {}
    numbered: list[tuple[datetime, str]] = []
    for moment in moments:
        local_day = moment.astimezone(ZONE).date()
        key = f"{local_day:%Y%m%d}"
        counters[key] = counters.get(key, 0) + 1
        numbered.append((moment, format_case_number(STATION_CODE, local_day, counters[key])))
    jobs = [(numbered[i : i + CHUNK], seed + 1 + i, end, actors, policy.to_json())
            for i in range(0, len(numbered), CHUNK)]

    connection = sqlite3.connect(data_dir / "station.db", isolation_level=None)
    # A disposable cache, written in one transaction: no journal, no fsync, a large page cache. The search
    # triggers and the plain indexes are dropped during the bulk insert and recreated from their own SQL.
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -1000000")
    dropped = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('cases', 'events') "
        "AND (type = 'trigger' OR (type = 'index' AND sql IS NOT NULL))").fetchall()
    connection.execute("BEGIN")
    for kind, name, _sql in dropped:
        connection.execute(f"DROP {kind.upper()} {name}")
    seq = 0
    link = GENESIS  # the event chain, in insertion order, as storage/integrity.py links each event
    hlc_last = ""
    done = 0
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers > 1:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pool = context.Pool(workers)
        results: Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], str]] = pool.imap(_build_chunk, jobs)
    else:
        pool = None
        results = map(_build_chunk, jobs)
    try:
        for case_rows, event_rows, chunk_hlc in results:
            connection.executemany(CASE_SQL, case_rows)
            numbered_rows = []
            for i, e in enumerate(event_rows, 1):
                link = event_link(link, e[0], e[11])
                numbered_rows.append((e[0], seq + i, *e[2:], link))
            connection.executemany(EVENT_SQL, numbered_rows)
            seq += len(event_rows)
            hlc_last = max(hlc_last, chunk_hlc)
            done += len(case_rows)
            if progress:
                progress(done, len(numbered))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    connection.executemany(
        "INSERT INTO case_counters (day, last_sequence) VALUES (?, ?) "
        "ON CONFLICT(day) DO UPDATE SET last_sequence = max(last_sequence, excluded.last_sequence)",
        sorted(counters.items()))
    connection.execute("UPDATE station SET hlc_last = ?", (hlc_last,))
    for _kind, _name, sql in dropped:
        connection.execute(sql)
    connection.execute("INSERT INTO case_search(case_search) VALUES ('rebuild')")
    connection.execute("COMMIT")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    return Generated(len(numbered), seq, end, time.perf_counter() - started)


def _build_chunk(
    job: tuple[list[tuple[datetime, str]], int, datetime, list[tuple[str, str]], dict[str, Any]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], str]:
    """Rows for one slice of cases (events carry a placeholder station_seq, numbered by the caller)."""
    numbered, chunk_seed, end, actors, policy_json = job
    policy = DeadlinePolicy.from_json(policy_json)
    rng = random.Random(chunk_seed)
    case_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    hlc_last = ""
    for registered, number in numbered:
        category, text, tiers, assignee = rng.choice(TEMPLATES)
        tier = rng.choice(tiers) if len(tiers) == 1 else rng.choices(tiers, weights=(5, 4))[0]
        channel = rng.choice(CHANNELS)
        compound, grid = rng.choice(COMPOUNDS)
        building = rng.choice(BUILDINGS)
        description = text.format(p=f"{compound}{building}", c=compound, b=building)
        anonymous = channel is Channel.QR_REPORT and rng.random() < 0.4
        name = phone = address = ""
        if channel is Channel.GRID_PATROL:
            description = "网格巡查发现：" + description
        elif not anonymous:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            number_tail = rng.randrange(10000)
            phone = f"1380013{number_tail:04d}" if rng.random() < 0.8 else f"021-6433{number_tail:04d}"
            address = f"{compound}{building}{rng.randrange(1, 7)}0{rng.randrange(1, 4)}室"
        case_id = _uuid7(int(registered.timestamp() * 1000), rng)
        actor_id, actor_name = rng.choice(actors)
        registration = {
            "channel": str(channel), "category_code": category, "description": description, "tier": str(tier),
            "compound": compound, "building": building, "address": address, "grid_code": grid,
            "complainant_name": name, "phone": phone, "anonymous": anonymous, "number": number,
        }
        steps: list[tuple[datetime, EventType, dict[str, Any]]] = [(registered, EventType.REGISTERED, registration)]
        age = end - registered
        if tier is Tier.ON_THE_SPOT:
            steps.append((registered, EventType.CLOSED, {"answer": "已当场答复并发放办事指南。", "on_the_spot": True}))
            finished = True
        else:
            # Old cases are almost all finished; the last week's are at every stage.
            if age > timedelta(days=7):
                reached = len(PROGRESS) if rng.random() < 0.98 else rng.randrange(len(PROGRESS))
            else:
                reached = rng.randrange(len(PROGRESS) + 1)
            at = registered
            for step in PROGRESS[:reached]:
                at += timedelta(minutes=rng.uniform(2, 40))
                if at >= end:
                    break
                payload: dict[str, Any] = {"note": ""}
                if step is EventType.DISPATCHED:
                    payload = {"assignee": assignee.format(c=compound), "note": ""}
                elif step is EventType.DISPOSED:
                    payload = {"outcome": str(DisposalOutcome.RESOLVED), "note": "已到现场处置完毕。"}
                elif step is EventType.CLOSED:
                    payload = {"answer": f"已告知居民处理结果（{description[:12]}…）。"}
                steps.append((at, step, payload))
            finished = steps[-1][1] is EventType.CLOSED
        if finished and age > timedelta(days=3) and rng.random() < 0.7:
            at = steps[-1][0]
            unsatisfied = rng.random() < 0.03
            for kind in (FollowUpKind.DEPARTMENT_FEEDBACK, FollowUpKind.STATION_REVISIT):
                at += timedelta(hours=rng.uniform(2, 30))
                if at >= end:
                    break
                satisfaction = Satisfaction.UNSATISFIED if unsatisfied else Satisfaction.SATISFIED
                steps.append((at, EventType.FOLLOW_UP, {
                    "kind": str(kind), "satisfaction": str(satisfaction),
                    "resolution": str(Resolution.PARTLY if unsatisfied else Resolution.RESOLVED),
                    "note": "", "visitor": actor_name,
                }))
                if unsatisfied:
                    break

        state = None
        last_wall = 0
        counter = 0
        for at, event_type, payload in steps:
            wall = int(at.timestamp() * 1000)
            counter = counter + 1 if wall <= last_wall else 0
            last_wall = max(wall, last_wall)
            hlc = HlcStamp(last_wall, counter).encode()
            event = Event(id=_uuid7(wall, rng), case_id=case_id, type=event_type, payload=payload,
                          actor_id=actor_id, actor_name=actor_name, station_code=STATION_CODE, occurred_at=at,
                          hlc=hlc)
            state = apply(state, event)
            event_rows.append((event.id, 0, case_id, str(event_type), _json(payload), actor_id, actor_name,
                               STATION_CODE, _stamp(at), hlc, event.schema_version, event.content_hash(), None))
            hlc_last = max(hlc_last, hlc)
        assert state is not None
        row = SimpleNamespace(**case_store.projection_values(state, policy))  # exactly as append_events writes it
        case_rows.append((
            case_id, row.number, row.station_code, row.channel, row.category_code, row.description, row.tier,
            row.status, row.compound, row.building, row.address, row.grid_code, row.complainant_name, row.phone,
            int(row.anonymous), row.assignee, row.answer, _stamp(row.registered_at), row.registered_by,
            _stamp(row.first_contact_at), _stamp(row.closed_at), row.satisfaction, row.reopen_count,
            row.sla_stage, _stamp(row.sla_started_at), _stamp(row.sla_due_at), _json(row.state),
            row.version, row.last_hlc, _stamp(row.updated_at),
        ))
    return case_rows, event_rows, hlc_last
