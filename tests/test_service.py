"""StationService: sign-in and lockout, roles, reference CSV import, search and filters, deadline settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gridstation.domain.case import CaseState, Intake
from gridstation.domain.enums import Channel, EventType, Role, Status, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.domain.sla import Colour, ColourScheme, DeadlinePolicy, Stage, default_policy
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import CategoryRow, CompoundRow
from tests.support.clock import FakeClock
from tests.support.staff import ADMIN_NAME, ADMIN_PIN, CLERK_NAME, CLERK_PIN

CHIEF_NAME = "测试网格长"
CHIEF_PIN = "8642"
US = timedelta(microseconds=1)


def register(
    service: StationService,
    actor: StaffMember,
    description: str,
    *,
    category: str = "GREEN.LIGHT",
    tier: Tier = Tier.TRACKED,
    grid: str = "",
    compound: str = "",
    building: str = "",
    name: str = "",
    answer: str = "",
) -> CaseState:
    return service.register_case(
        actor,
        Intake.validated(
            channel=Channel.HOTLINE_12345,
            category_code=category,
            description=description,
            tier=tier,
            grid_code=grid,
            compound=compound,
            building=building,
            complainant_name=name,
            phone="13800138000",
            answer=answer,
        ),
    )


@pytest.fixture
def chief(service: StationService, admin: StaffMember) -> StaffMember:
    service.add_staff(admin, CHIEF_NAME, Role.GRID_CHIEF, CHIEF_PIN)
    return service.sign_in(CHIEF_NAME, CHIEF_PIN)


def actions(service: StationService, admin: StaffMember) -> list[tuple[str, str]]:
    return [(e.action, e.staff_name) for e in service.audit_log(admin, limit=1000)]


# ---------------------------------------------------------------- sign-in


def test_wrong_pin_is_refused_and_audited(service: StationService, admin: StaffMember, clerk: StaffMember) -> None:
    """A wrong PIN is refused with a message that does not say which part was wrong, and is audited."""
    with pytest.raises(DomainError) as info:
        service.sign_in(CLERK_NAME, "0000")
    assert info.value.code == "auth.failed"
    assert info.value.message_zh == "姓名或 PIN 不正确。"
    with pytest.raises(DomainError) as unknown:
        service.sign_in("不存在的人", CLERK_PIN)
    assert unknown.value.message_zh == info.value.message_zh
    log = service.audit_log(admin)
    failed = [e for e in log if e.action == "sign_in.failed"]
    assert [e.staff_name for e in failed] == ["", CLERK_NAME]  # newest first
    assert failed[0].detail == {"name": "不存在的人"}


def test_five_failures_lock_for_five_minutes(
    service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock
) -> None:
    """Five wrong PINs lock the account for five minutes, even for the right PIN; then it opens again."""
    for _ in range(5):
        with pytest.raises(DomainError) as info:
            service.sign_in(CLERK_NAME, "9999")
        assert info.value.code == "auth.failed"
    with pytest.raises(DomainError) as locked:
        service.sign_in(CLERK_NAME, CLERK_PIN)
    assert locked.value.code == "auth.locked"
    assert "5 分钟后再试" in locked.value.message_zh
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(DomainError) as still:
        service.sign_in(CLERK_NAME, CLERK_PIN)
    assert still.value.code == "auth.locked"
    assert "1 分钟后再试" in still.value.message_zh
    clock.advance(seconds=1)
    assert service.sign_in(CLERK_NAME, CLERK_PIN).name == CLERK_NAME
    log = actions(service, admin)
    assert log.count(("sign_in.failed", CLERK_NAME)) == 5
    assert log.count(("sign_in.locked", CLERK_NAME)) == 2  # refused while locked, and audited


def test_a_good_sign_in_resets_the_failure_count(service: StationService, clerk: StaffMember, clock: FakeClock) -> None:
    """Four failures, a success, then four more failures do not lock the account."""
    for _ in range(4):
        with pytest.raises(DomainError):
            service.sign_in(CLERK_NAME, "9999")
    service.sign_in(CLERK_NAME, CLERK_PIN)
    for _ in range(4):
        with pytest.raises(DomainError):
            service.sign_in(CLERK_NAME, "9999")
    assert service.sign_in(CLERK_NAME, CLERK_PIN).role is Role.CLERK


def test_lockout_is_per_person(service: StationService, clerk: StaffMember) -> None:
    """Locking out the clerk does not lock out the admin."""
    for _ in range(5):
        with pytest.raises(DomainError):
            service.sign_in(CLERK_NAME, "9999")
    assert service.sign_in(ADMIN_NAME, ADMIN_PIN).role is Role.ADMIN


def test_staff_rules(service: StationService, admin: StaffMember) -> None:
    """PINs need four characters, names are unique, and names are trimmed."""
    with pytest.raises(DomainError) as short:
        service.add_staff(admin, "测试员戊", Role.CLERK, "123")
    assert short.value.code == "pin.too_short"
    service.add_staff(admin, "  测试员戊 ", Role.CLERK, "1234")
    with pytest.raises(DomainError) as dup:
        service.add_staff(admin, "测试员戊", Role.GRID_CHIEF, "5678")
    assert dup.value.code == "staff.exists"
    assert "测试员戊" in service.staff_names()


# ---------------------------------------------------------------- roles


def test_clerk_cannot_change_tier(service: StationService, clerk: StaffMember) -> None:
    """A clerk's tier change is refused in Chinese and the case is unchanged."""
    case = register(service, clerk, "隧道出口车辆乱鸣笛，夜里影响休息。", category="NOISE.TRAFFIC", tier=Tier.QUICK)
    with pytest.raises(DomainError) as info:
        service.record(clerk, case.id, EventType.TIER_CHANGED, {"to": "tracked", "reason": "需交警协同"})
    assert info.value.code == "permission.denied"
    assert "接待员" in info.value.message_zh and "调整处置分类" in info.value.message_zh
    assert service.case(case.id) == case


def test_grid_chief_can_change_tier(service: StationService, clerk: StaffMember, chief: StaffMember) -> None:
    """A grid chief may change the tier; the event carries who did it."""
    case = register(service, clerk, "隧道出口车辆乱鸣笛，夜里影响休息。", category="NOISE.TRAFFIC", tier=Tier.QUICK)
    changed = service.record(chief, case.id, EventType.TIER_CHANGED, {"to": "tracked", "reason": "需交警协同"})
    assert changed.tier is Tier.TRACKED
    assert service.timeline(case.id)[-1].actor_name == CHIEF_NAME


def test_clerk_cannot_manage_staff_or_settings(service: StationService, clerk: StaffMember) -> None:
    """Clerks cannot add staff, import reference data, change settings, read the audit log or restore."""
    with pytest.raises(DomainError) as staff:
        service.add_staff(clerk, "测试员己", Role.CLERK, "1234")
    assert staff.value.code == "permission.denied"
    assert "管理人员" in staff.value.message_zh
    refused = [
        lambda: service.import_reference_csv(clerk, "grids", "code,name\nG09,第九网格\n"),
        lambda: service.set_deadline_policy(clerk, default_policy()),
        lambda: service.set_colour_scheme(clerk, ColourScheme()),
        lambda: service.audit_log(clerk),
        lambda: service.restore(clerk, Path("whatever.db"), passphrase="whatever passphrase"),
    ]
    for attempt in refused:
        with pytest.raises(DomainError) as info:
            attempt()
        assert info.value.code == "permission.denied"
    assert "测试员己" not in service.staff_names()


def test_grid_chief_cannot_manage_staff(service: StationService, chief: StaffMember) -> None:
    """Grid chiefs maintain reference data and read the audit log, but do not manage staff."""
    with pytest.raises(DomainError) as info:
        service.add_staff(chief, "测试员庚", Role.CLERK, "1234")
    assert info.value.code == "permission.denied"
    assert service.import_reference_csv(chief, "grids", "code,name\nG09,第九网格\n") == 1
    assert service.audit_log(chief)


def test_clerk_can_correct_intake(service: StationService, clerk: StaffMember) -> None:
    """Correcting a typo in the registration is a clerk's job."""
    case = register(service, clerk, "楼道堆放杂物", category="FIRE.CORRIDOR", compound="康乐小区")
    fixed = service.record(
        clerk, case.id, EventType.INTAKE_CORRECTED, {"field": "compound", "value": "桃源里", "reason": "登记错小区"}
    )
    assert fixed.compound == "桃源里"


# ---------------------------------------------------------------- reference CSV import


def category_row(service: StationService, code: str) -> CategoryRow | None:
    with service._read() as session:
        return session.get(CategoryRow, code)


def test_pinyin_initials_are_stored_for_categories(service: StationService) -> None:
    """The seed category 噪声扰民 is stored with initials 'zsrm' and full pinyin for type-to-search."""
    row = category_row(service, "NOISE")
    assert row is not None
    assert (row.name, row.pinyin_initials, row.pinyin_full) == ("噪声扰民", "zsrm", "zaoshengraomin")


def test_import_categories_good_file(service: StationService, admin: StaffMember) -> None:
    """A good category file is imported with pinyin keys, and leaves show under their parent."""
    text = "code,name,parent_code\nPET,宠物管理,\nPET.DOG,犬只扰民,PET\nPET.FEED,投喂流浪猫,PET\n"
    assert service.import_reference_csv(admin, "categories", text) == 3
    row = category_row(service, "PET.DOG")
    assert row is not None and row.pinyin_initials == "qzrm" and row.parent_code == "PET"
    choices = {c.code: c for c in service.category_choices()}
    assert choices["PET.DOG"].label == "宠物管理 / 犬只扰民"
    assert "PET" not in choices  # a parent is not itself pickable
    assert ("reference.imported", ADMIN_NAME) in actions(service, admin)


def test_import_tolerates_a_byte_order_mark(service: StationService, admin: StaffMember) -> None:
    """Excel saves CSV with a BOM; the first column is still recognised."""
    text = "\ufeffcode,name,parent_code\r\nROAD,道路设施,\r\nROAD.LAMP,路灯不亮,ROAD\r\n"
    assert service.import_reference_csv(admin, "categories", text) == 2
    assert category_row(service, "ROAD.LAMP") is not None
    grids = "\ufeffcode,name\nG05,第五网格\n"
    assert service.import_reference_csv(admin, "grids", grids) == 1
    assert ("G05", "第五网格") in [(g.code, g.name) for g in service.grids()]


def test_import_children_of_an_existing_category(service: StationService, admin: StaffMember) -> None:
    """A file may add leaves under a category that is already in the database."""
    assert service.import_reference_csv(admin, "categories", "code,name,parent_code\nNOISE.PET,宠物吠叫,NOISE\n") == 1
    choices = {c.code: c for c in service.category_choices()}
    assert choices["NOISE.PET"].label == "噪声扰民 / 宠物吠叫"


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("code,name\nPET,宠物管理\n", "csv.columns", ["缺少列", "parent_code"]),
        ("code,name,parent_code\nPET.DOG,犬只扰民,PET\n", "category.parent_unknown", ["PET.DOG", "PET"]),
        (
            "code,name,parent_code\nPET,宠物管理,\nPET.DOG,犬只,PET\nPET.DOG.BIG,大型犬,PET.DOG\n",
            "category.too_deep",
            ["PET.DOG.BIG", "两级"],
        ),
        ("code,name,parent_code\nGREEN.TRIM.TALL,高大乔木,GREEN.TRIM\n", "category.too_deep", ["两级"]),
        ("code,name,parent_code\nPET,宠物管理,\n,犬只扰民,PET\n", "csv.empty_field", ["第 3 行", "code"]),
        ("code,name,parent_code\nPET,,\n", "csv.empty_field", ["PET"]),
    ],
    ids=["missing-column", "parent-unknown", "three-levels", "three-levels-with-database", "empty-code", "no-name"],
)
def test_import_bad_category_files(
    service: StationService, admin: StaffMember, text: str, code: str, words: list[str]
) -> None:
    """A bad category file is refused whole, with a Chinese message pointing at the problem."""
    before = service.categories()
    with pytest.raises(DomainError) as info:
        service.import_reference_csv(admin, "categories", text)
    assert info.value.code == code
    for word in words:
        assert word in info.value.message_zh
    assert service.categories() == before


def test_import_compounds_and_grids(service: StationService, admin: StaffMember) -> None:
    """Compounds are stored with pinyin initials; a missing grid column is reported; unknown kinds refused."""
    assert service.import_reference_csv(admin, "compounds", "name,grid_code\n银杏花园,G04\n") == 1
    with service._read() as session:
        row = session.get(CompoundRow, "银杏花园")
        assert row is not None and (row.pinyin_initials, row.grid_code) == ("yxhy", "G04")
    with pytest.raises(DomainError) as missing:
        service.import_reference_csv(admin, "grids", "code\nG07\n")
    assert missing.value.code == "csv.columns"
    with pytest.raises(DomainError) as kind:
        service.import_reference_csv(admin, "staff", "name,role,pin\n")
    assert kind.value.code == "csv.kind"
    with service._read() as session:
        assert session.scalar(select(CompoundRow).where(CompoundRow.name == "银杏花园")) is not None


# ---------------------------------------------------------------- search


@pytest.fixture
def cases(service: StationService, clerk: StaffMember, clock: FakeClock) -> dict[str, CaseState]:
    out = {}
    out["tree"] = register(
        service,
        clerk,
        "楼前香樟树遮挡阳光，三楼白天也要开灯。",
        category="GREEN.LIGHT",
        grid="G01",
        compound="枫林苑",
        name="测试居民甲",
    )
    clock.advance(minutes=7)
    out["sewer"] = register(
        service,
        clerk,
        "绿化带下的污水井盖被泥土盖住，下雨倒灌。",
        category="DRAIN.COVER",
        grid="G02",
        compound="梅园新村",
        tier=Tier.QUICK,
    )
    clock.advance(minutes=7)
    out["horn"] = register(
        service,
        clerk,
        "隧道出口车辆乱鸣笛，夜里吵得睡不着。",
        category="NOISE.TRAFFIC",
        grid="G03",
        compound="桃源里",
        tier=Tier.ON_THE_SPOT,
        answer="已向交警反映，将加装禁鸣标志",
    )
    clock.advance(minutes=7)
    out["shed"] = register(
        service,
        clerk,
        "非机动车棚里有人私自砌墙搭建小屋。",
        category="BUILD.SHED",
        grid="G01",
        compound="康乐小区",
    )
    clock.advance(minutes=7)
    out["corridor"] = register(
        service,
        clerk,
        "楼道里堆放纸箱和煤气罐，消防隐患。",
        category="FIRE.CORRIDOR",
        grid="G04",
        compound="天平公寓",
        building="A座北楼",
    )
    return out


def found(service: StationService, **query: object) -> set[str]:
    q = CaseQuery(**query)  # type: ignore[arg-type]
    result = {s.id for s in service.search(q)}
    assert service.count(q) == len(result)
    return result


SEARCHES: list[tuple[str, set[str]]] = [
    ("井盖", {"sewer"}),  # two characters: substring match
    ("鸣笛", {"horn"}),
    ("楼道", {"corridor"}),
    ("污水井盖", {"sewer"}),  # three or more: full-text trigram index
    ("隧道出口", {"horn"}),
    ("非机动车棚", {"shed"}),
    ("遮挡阳光", {"tree"}),
    ("梅园新村", {"sewer"}),  # compound
    ("测试居民甲", {"tree"}),  # complainant
    ("楼 白天", {"tree"}),  # several words must all match
    ("楼道 井盖", set()),
    ("污水井盖 隧道出口", set()),  # two long words: each its own condition, neither the other's
    ("污水井盖 倒灌", {"sewer"}),
    ("电瓶车", set()),  # by meaning (电动车) too: no case is about one
    ("垃圾分类", set()),
    ("A座", {"corridor"}),  # building, two characters
    ("A座北", {"corridor"}),  # building, three characters
]


def test_search_by_chinese_words(service: StationService, cases: dict[str, CaseState]) -> None:
    """Chinese words of two characters and of three or more find exactly the cases that contain them."""
    wrong = {
        words: got for words, keys in SEARCHES if (got := found(service, text=words)) != {cases[k].id for k in keys}
    }
    assert wrong == {}


def test_search_by_case_number(service: StationService, cases: dict[str, CaseState]) -> None:
    """The full case number, in any case, finds exactly that case; so does its sequence part."""
    number = cases["shed"].number
    assert found(service, text=number) == {cases["shed"].id}
    assert found(service, text=number.lower()) == {cases["shed"].id}
    assert found(service, text=number.rsplit("-", 1)[0]) == {cases["shed"].id}


def test_search_follows_an_intake_correction(
    service: StationService, clerk: StaffMember, cases: dict[str, CaseState]
) -> None:
    """After a description is corrected, the new words are found and the old ones are not."""
    service.record(
        clerk,
        cases["tree"].id,
        EventType.INTAKE_CORRECTED,
        {"field": "description", "value": "楼前银杏树枝伸进阳台，遮挡采光。", "reason": "居民更正树种"},
    )
    assert found(service, text="银杏树枝") == {cases["tree"].id}
    assert found(service, text="香樟树") == set()


def test_filter_by_status_tier_and_open(
    service: StationService, clerk: StaffMember, cases: dict[str, CaseState]
) -> None:
    """Status, tier and open-only filters narrow the list as the desk expects."""
    service.record(clerk, cases["tree"].id, EventType.FIRST_CONTACT, {})
    assert found(service, statuses=frozenset({Status.CONTACTED})) == {cases["tree"].id}
    assert found(service, statuses=frozenset({Status.CLOSED})) == {cases["horn"].id}
    assert found(service, tiers=frozenset({Tier.QUICK})) == {cases["sewer"].id}
    assert found(service, tiers=frozenset({Tier.QUICK, Tier.ON_THE_SPOT})) == {cases["sewer"].id, cases["horn"].id}
    assert found(service, open_only=True) == {c.id for k, c in cases.items() if k != "horn"}
    assert found(service, open_only=True, tiers=frozenset({Tier.ON_THE_SPOT})) == set()


def test_filter_by_category_prefix_and_grid(
    service: StationService, clerk: StaffMember, cases: dict[str, CaseState]
) -> None:
    """A parent category matches its children but not a code that merely starts with the same letters."""
    flood = register(service, clerk, "小区门口积水严重", category="DRAIN.FLOOD")
    lookalike = register(service, clerk, "排水沟盖板松动", category="DRAINAGE")
    assert found(service, category_code="DRAIN") == {cases["sewer"].id, flood.id}
    assert found(service, category_code="DRAIN.COVER") == {cases["sewer"].id}
    assert lookalike.id not in found(service, category_code="DRAIN")
    assert found(service, grid_code="G01") == {cases["tree"].id, cases["shed"].id}
    assert found(service, grid_code="G01", category_code="BUILD") == {cases["shed"].id}


def test_filter_by_local_date_range(service: StationService, clerk: StaffMember, clock: FakeClock) -> None:
    """Date filters use Shanghai dates: 23:30 belongs to the 23rd, 00:30 (still the 23rd in UTC) to the 24th."""
    clock.current = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 on the 23rd in Shanghai
    late = register(service, clerk, "深夜隧道口鸣笛")
    clock.current = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 00:30 on the 24th in Shanghai
    early = register(service, clerk, "凌晨隧道口鸣笛")
    day23, day24 = date(2026, 11, 23), date(2026, 11, 24)
    assert found(service, registered_from=day23, registered_to=day23) == {late.id}
    assert found(service, registered_from=day24, registered_to=day24) == {early.id}
    assert found(service, registered_from=day24) == {early.id}
    assert found(service, registered_to=day23) == {late.id}
    assert found(service, registered_from=day23, registered_to=day24) == {late.id, early.id}


def colours_of(service: StationService, case_id: str, now: datetime) -> set[Colour]:
    return {c for c in Colour if case_id in found(service, colours=frozenset({c}), now=now)}


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(seconds=17, microseconds=345_678)])
def test_colour_filter_matches_colour_for_at_every_boundary(
    service: StationService, clerk: StaffMember, clock: FakeClock, offset: timedelta
) -> None:
    """The database colour filter puts a case in exactly the colour colour_for gives, at and around each boundary."""
    clock.advance(seconds=offset.total_seconds())
    scheme = service.colour_scheme()
    tracked = register(service, clerk, "楼道堆物", category="FIRE.CORRIDOR")  # 5-minute response
    clock.advance(minutes=1, microseconds=3)
    quick = register(service, clerk, "井盖被土盖住", category="DRAIN.COVER", tier=Tier.QUICK)
    clock.advance(seconds=41, microseconds=999_999)
    quick = service.record(clerk, quick.id, EventType.FIRST_CONTACT, {})  # 60-minute on-site deadline
    policy = service.deadline_policy()
    for case in (tracked, quick):
        assert case.stage_started_at is not None
        deadline = policy.deadline(case.tier, case.category_code, case.channel, case.status, case.stage_started_at)
        assert deadline is not None
        span = deadline.due_at - deadline.started_at
        for share in (0.0, 0.5, 0.75, 0.9, 1.0):
            moment = deadline.started_at + span * share
            for probe in (moment - US, moment, moment + US):
                expected = scheme.colour_for(deadline.started_at, deadline.due_at, probe)
                assert colours_of(service, case.id, probe) == {expected}, (case.tier, share, probe)
    horn = register(service, clerk, "鸣笛", category="NOISE.TRAFFIC", tier=Tier.ON_THE_SPOT, answer="已答复")
    assert colours_of(service, horn.id, clock.current) == {Colour.NONE}


def test_colour_filter_uses_the_service_clock(service: StationService, clerk: StaffMember, clock: FakeClock) -> None:
    """Without an explicit time the colour filter uses the station's clock."""
    case = register(service, clerk, "污水井盖堵塞", category="DRAIN.COVER")
    assert found(service, colours=frozenset({Colour.GREEN})) == {case.id}
    clock.advance(minutes=4, seconds=30)  # 90 % of 5 minutes
    assert found(service, colours=frozenset({Colour.ORANGE})) == {case.id}
    clock.advance(minutes=1)
    assert found(service, colours=frozenset({Colour.RED})) == {case.id}
    assert found(service, colours=frozenset({Colour.GREEN, Colour.BLUE})) == set()


def test_colour_scheme_setting_changes_the_filter(
    service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock
) -> None:
    """A station's own thresholds are used by the colour filter once saved."""
    case = register(service, clerk, "树木遮挡采光")
    clock.advance(minutes=2)  # 40 % of 5 minutes
    assert found(service, colours=frozenset({Colour.GREEN})) == {case.id}
    service.set_colour_scheme(admin, ColourScheme(blue_from=0.3, yellow_from=0.6, orange_from=0.8))
    assert found(service, colours=frozenset({Colour.BLUE})) == {case.id}


# ---------------------------------------------------------------- deadline policy


def test_a_new_deadline_policy_plans_the_deadlines_to_come_and_survives_a_restart(
    service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock, data_dir: Path
) -> None:
    """A deadline already running keeps the policy version it started under (issue 16, item 4); a stage that starts
    after the change gets the new one; the versions are still there after a restart."""
    sewer = register(service, clerk, "污水井盖堵塞，绿化带里积水", category="DRAIN.COVER", tier=Tier.QUICK)
    clock.advance(minutes=2)
    sewer = service.record(clerk, sewer.id, EventType.FIRST_CONTACT, {})
    horn = register(service, clerk, "隧道口鸣笛", category="NOISE.TRAFFIC", tier=Tier.ON_THE_SPOT, answer="已答复")
    summaries = {s.id: s for s in service.search(CaseQuery())}
    assert sewer.stage_started_at is not None
    assert summaries[sewer.id].sla_due_at == sewer.stage_started_at + timedelta(minutes=60)
    clock.advance(minutes=10)
    base = default_policy()
    policy = DeadlinePolicy(
        by_tier={**base.by_tier, Tier.QUICK: {**base.by_tier[Tier.QUICK], Stage.ON_SITE: 45}},
        by_category={"DRAIN.COVER": {"*": {Stage.ON_SITE: 20}}},
    )
    service.set_deadline_policy(admin, policy)
    summaries = {s.id: s for s in service.search(CaseQuery())}
    assert summaries[sewer.id].sla_due_at == sewer.stage_started_at + timedelta(minutes=60)  # its version kept
    assert summaries[sewer.id].sla_stage == "on_site"
    assert summaries[horn.id].sla_due_at is None
    assert service.case(sewer.id) == sewer  # re-planning does not invent events
    assert ("settings.deadline_policy", ADMIN_NAME) in actions(service, admin)
    drain = register(service, clerk, "雨水井盖缺失", category="DRAIN.COVER", tier=Tier.QUICK)
    clock.advance(minutes=1)
    drain = service.record(clerk, drain.id, EventType.FIRST_CONTACT, {})
    assert drain.stage_started_at is not None
    new_due = {s.id: s for s in service.search(CaseQuery())}[drain.id].sla_due_at
    assert new_due == drain.stage_started_at + timedelta(minutes=20)  # started after the change: the new terms
    service.close()
    reopened = StationService(data_dir, now=clock)
    try:
        in_force = reopened.deadline_policy()
        assert replace(in_force, earlier=()) == policy
        assert [version for _until, version in in_force.earlier] == [base]
    finally:
        reopened.close()


def test_reopened_on_the_spot_case_gets_deadlines(
    service: StationService, clerk: StaffMember, clock: FakeClock
) -> None:
    """A 当场办 case has no deadline once answered, but after an unsatisfied follow-up it is timed again."""
    horn = register(
        service, clerk, "隧道出口鸣笛扰民", category="NOISE.TRAFFIC", tier=Tier.ON_THE_SPOT, answer="已解释禁鸣措施"
    )
    assert found(service, colours=frozenset({Colour.NONE})) == {horn.id}
    clock.advance(days=1)
    service.record(clerk, horn.id, EventType.FOLLOW_UP, {"satisfaction": "unsatisfied", "resolution": "unresolved"})
    summary = service.search(CaseQuery(text="隧道出口"))[0]
    assert summary.status is Status.REOPENED
    assert summary.sla_due_at == clock.current + timedelta(minutes=5)
    clock.advance(minutes=3)
    service.record(clerk, horn.id, EventType.DISPATCHED, {"assignee": "交警支队"})
    summary = service.search(CaseQuery(text="隧道出口"))[0]
    assert (summary.sla_stage, summary.sla_due_at) == ("on_site", clock.current + timedelta(minutes=15))


def test_staff_import_is_all_or_nothing(service: StationService, admin: StaffMember) -> None:
    """A staff CSV with one bad row (short PIN, unknown role or a taken name) adds nobody."""
    for bad_row in ("赵六,clerk,12", "赵六,mayor,1234", f"{admin.name},clerk,1234"):
        with pytest.raises(DomainError):
            service.import_staff_csv(admin, f"name,role,pin\n钱五,clerk,5555\n{bad_row}\n")
        assert "钱五" not in service.staff_names()
    assert service.import_staff_csv(admin, "name,role,pin\n钱五,clerk,5555\n孙七,grid_chief,7777\n") == 2
    assert service.sign_in("孙七", "7777").role is Role.GRID_CHIEF


def test_listing_ids_pauses_and_restores_garbage_collection(service: StationService, clerk: StaffMember) -> None:
    """Listing every id pauses the collector only while fetching (the desk must not freeze), then restores it."""
    import gc

    from gridstation.domain.listing import CaseQuery

    assert gc.isenabled()
    service.case_ids(CaseQuery())
    assert gc.isenabled()
    gc.disable()
    try:
        service.case_ids(CaseQuery())
        assert not gc.isenabled()  # a collector the caller switched off stays off
    finally:
        gc.enable()
