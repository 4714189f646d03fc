"""A demo station with realistic (fictional) cases, so a newcomer can sign in and see a working desk.

Everything is built through `StationService` — registration, progress, follow-ups — so the event log, the
audit log and the case numbers are exactly what real use would produce. The station's clock is replaced by
one this module moves forward, which backdates the events over the past ten days.

All people, phone numbers and addresses are made up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gridstation.domain.case import Intake
from gridstation.domain.enums import (
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    Resolution,
    Role,
    Satisfaction,
    Status,
    Tier,
)
from gridstation.domain.reference import Compound
from gridstation.domain.sla import STAGE_FOR_STATUS, Stage
from gridstation.services.core import utc_now
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService

STATION_CODE = "JA01"
STATION_NAME = "枫林居委会民情快办工作站"
SUB_DISTRICT = "湖南路街道"
CONTACT_PHONE = "021-64331234"
TIMEZONE = "Asia/Shanghai"
DAYS_BACK = 10


@dataclass(frozen=True, slots=True)
class DemoAccount:
    name: str
    role: Role
    pin: str


ADMIN = DemoAccount("王芳", Role.ADMIN, "2468")
CLERK = DemoAccount("李明", Role.CLERK, "1357")
GRID_CHIEF = DemoAccount("赵建国", Role.GRID_CHIEF, "8642")
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (ADMIN, CLERK, GRID_CHIEF)

_ALL_CHANNELS = tuple(Channel)
_PEOPLE = (Channel.WALK_IN, Channel.HOTLINE_12345, Channel.QR_REPORT, Channel.PETITION_DISPATCH)
_SEEN = (Channel.WALK_IN, Channel.HOTLINE_12345, Channel.QR_REPORT, Channel.GRID_PATROL)
_ASK = (Channel.WALK_IN, Channel.HOTLINE_12345)
_WORK = (Tier.QUICK, Tier.TRACKED)
_SPOT = (Tier.ON_THE_SPOT,)


@dataclass(frozen=True, slots=True)
class Template:
    """One kind of complaint. `{p}` is the compound and building, `{c}` the compound alone."""

    category: str
    text: str
    tiers: tuple[Tier, ...]
    channels: tuple[Channel, ...]
    assignees: tuple[str, ...] = ()
    disposal: str = ""  # what was done on site
    plan: str = ""  # or the plan agreed on site, when the work itself takes longer
    answer: str = ""  # what the resident was told when the case closed


TEMPLATES: tuple[Template, ...] = (
    Template(
        "GREEN.LIGHT",
        "{p}楼前香樟树过高，遮挡三楼采光，白天屋里也要开灯，希望修剪。",
        _WORK,
        _PEOPLE,
        ("绿化市容所", "物业（{c}物业服务中心）"),
        "已将香樟树修剪至三楼窗台以下，枝叶已清运。",
        "绿化市容所现场查看，排期本周四上午修剪。",
        "已电话告知居民修剪安排，居民表示认可。",
    ),
    Template(
        "DRAIN.COVER",
        "{p}旁绿化带下的污水井盖被覆土堵塞，雨天污水倒灌进底楼。",
        _WORK,
        _ALL_CHANNELS,
        ("排水所", "物业（{c}物业服务中心）"),
        "已清除覆土、疏通井盖，试水排放正常。",
        "排水所已到场，明日上午调车疏通管道。",
        "已告知居民井盖已疏通，雨天将再回看。",
    ),
    Template(
        "NOISE.TRAFFIC",
        "{c}附近隧道出口机动车鸣笛扰民，夜间尤甚，影响老人休息。",
        _WORK,
        _PEOPLE,
        ("交警支队", "城管执法中队"),
        "交警已在隧道出口加强夜间巡查。",
        "已报交警部门，拟在隧道出口增设禁鸣标志和抓拍设备。",
        "已向居民反馈交警整治方案。",
    ),
    Template(
        "BUILD.SHED",
        "{c}非机动车棚内有人私自搭建杂物间，占用停车位。",
        _WORK,
        _SEEN,
        ("城管执法中队", "物业（{c}物业服务中心）"),
        "已约谈搭建人，杂物间当场拆除。",
        "已下发限期整改通知，三日内自行拆除。",
        "已告知居民整改结果。",
    ),
    Template(
        "FIRE.CORRIDOR",
        "{p}楼道内堆放大量纸箱和煤气罐，存在消防隐患。",
        _WORK,
        _SEEN,
        ("物业（{c}物业服务中心）", "消防站社区联络员"),
        "已督促住户清理，煤气罐已移出楼道。",
        "已张贴整改通知，物业明日统一清理。",
        "已告知居民楼道已清理完毕。",
    ),
    Template(
        "FIRE.CHARGE",
        "{p}有住户从窗口拉电线，在楼道里飞线给电动车充电。",
        _WORK,
        _SEEN,
        ("网格员 陈志强", "物业（{c}物业服务中心）"),
        "已拆除飞线，告知住户到小区充电桩充电。",
        "已上门宣传，约定今晚前拆除飞线。",
        "已反馈：飞线已拆除，将持续巡查。",
    ),
    Template(
        "BIKE.DISORDER",
        "共享单车堆满{c}门口，轮椅和童车都过不去。",
        _WORK,
        _SEEN,
        ("网格员 刘晓东", "共享单车运维"),
        "运维人员已清运四十余辆单车。",
        "已通知共享单车企业，今晚十点前清运。",
        "已告知居民门口已清理通畅。",
    ),
    Template(
        "FACIL.LAMP",
        "{c}内主干道路灯连续三晚不亮，老人夜间出行不便。",
        _WORK,
        _SEEN,
        ("路灯管理所", "物业（{c}物业服务中心）"),
        "已更换损坏的灯头，路灯恢复照明。",
        "经查为线路故障，路灯管理所明日抢修。",
        "已告知居民路灯已修复。",
    ),
    Template(
        "WASTE.STATION",
        "{c}垃圾箱房异味大，夏天招苍蝇，箱房门也关不上。",
        _WORK,
        _PEOPLE,
        ("物业（{c}物业服务中心）", "绿化市容所"),
        "已冲洗消杀箱房，修好箱房门。",
        "已安排每日冲洗两次，门锁本周更换。",
        "已向居民反馈箱房整改情况。",
    ),
    Template(
        "SHOP.OUTSIDE",
        "{c}门口水果店跨门营业，货架摆到人行道上。",
        _WORK,
        _SEEN,
        ("城管执法中队",),
        "已责令店主将货架收回店内。",
        "已开具整改通知，明日复查。",
        "已告知居民店家已整改。",
    ),
    Template(
        "SHOP.FUME",
        "{c}沿街饭店油烟直排，{b}住户窗户上都是油污。",
        _WORK,
        _PEOPLE,
        ("市场监管所", "城管执法中队"),
        "已责令饭店清洗油烟净化器并恢复使用。",
        "饭店承诺一周内加装油烟净化设备，到期复查。",
        "已向居民反馈整改期限。",
    ),
    Template(
        "POLICY.ELDER",
        "咨询高龄津贴申请条件和所需材料。",
        _SPOT,
        _ASK,
        answer="本市户籍年满80周岁的老人可申请高龄津贴，持身份证、户口本到社区事务受理服务中心办理，"
        "已当场告知并发放办事指南。",
    ),
    Template(
        "POLICY.ELDER",
        "咨询长期护理保险评估如何申请。",
        _SPOT,
        _ASK,
        answer="60周岁以上参加本市医保的老人可申请长护险评估，可到社区事务受理服务中心或在线申请，已发放申请指南。",
    ),
    Template(
        "POLICY.ELDER",
        "咨询社区助餐点的开放时间和用餐办法。",
        _SPOT,
        _ASK,
        answer="社区长者食堂每天11:00—12:30供餐，凭老年卡刷卡享受补贴，已告知地址。",
    ),
    Template(
        "POLICY.HOUSING",
        "咨询公共租赁住房的申请条件。",
        _SPOT,
        _ASK,
        answer="已说明公租房申请的户籍、收入和住房条件，请带材料到街道住房保障窗口申请。",
    ),
    Template(
        "POLICY.SOCIAL",
        "咨询灵活就业人员如何缴纳医保。",
        _SPOT,
        _ASK,
        answer="已告知可在社区事务受理服务中心或随申办办理灵活就业参保登记。",
    ),
    Template(
        "POLICY.SOCIAL",
        "咨询居住证积分怎么办理。",
        _SPOT,
        _ASK,
        answer="已告知居住证积分申请流程和所需材料，可在线预约受理。",
    ),
    Template(
        "WASTE.BULKY",
        "咨询小区大件垃圾如何预约清运。",
        _SPOT,
        _ASK,
        answer="小区大件垃圾每周二、周五统一清运，已告知联系物业登记预约。",
    ),
    Template(
        "WASTE.BULKY",
        "{p}门口堆放旧沙发和床垫多日，无人清运。",
        _WORK,
        _SEEN,
        ("物业（{c}物业服务中心）",),
        "已清运旧沙发和床垫。",
        "已登记周五大件清运。",
        "已告知居民大件垃圾已清运。",
    ),
    Template(
        "PROP.LIFT",
        "{p}电梯频繁停运，上周两次困人。",
        _WORK,
        _PEOPLE,
        ("物业（{c}物业服务中心）", "房管办"),
        "维保单位已更换门机板，电梯恢复运行。",
        "维保单位已检修，配件到货后更换，期间每日巡检。",
        "已告知居民维修进度。",
    ),
    Template(
        "PROP.SECURITY",
        "{c}北门门禁损坏，外来人员随意进出。",
        _WORK,
        _PEOPLE,
        ("物业（{c}物业服务中心）",),
        "门禁已修复，北门增派保安值守。",
        "门禁主板需更换，修复前安排专人值守。",
        "已反馈门禁修复情况。",
    ),
    Template(
        "DRAIN.FLOOD",
        "{c}下雨后{b}门口积水没过脚踝，排水不畅。",
        _WORK,
        _ALL_CHANNELS,
        ("排水所", "物业（{c}物业服务中心）"),
        "已疏通雨水口，积水已排净。",
        "需改造雨水管，已报房管办列入维修计划。",
        "已告知居民积水处置情况。",
    ),
    Template(
        "DRAIN.PIPE",
        "{p}楼上卫生间管道渗漏，楼下天花板发霉滴水。",
        _WORK,
        _PEOPLE,
        ("物业（{c}物业服务中心）", "房管办"),
        "已关闭阀门并更换渗漏管件。",
        "已协调楼上住户，约定周六上门维修。",
        "已告知居民维修安排。",
    ),
    Template(
        "NOISE.BUILD",
        "{c}旁工地晚上十点后仍在施工，噪声很大。",
        _WORK,
        _PEOPLE,
        ("城管执法中队", "建管所"),
        "已责令工地夜间停工。",
        "已约谈施工单位，夜间施工须办理许可。",
        "已告知居民工地夜间已停工。",
    ),
    Template(
        "NOISE.SHOP",
        "{c}沿街酒吧深夜音乐声大，影响附近居民休息。",
        _WORK,
        _PEOPLE,
        ("派出所社区民警", "市场监管所"),
        "民警到场，酒吧已调低音量并关闭门窗。",
        "已约谈经营者，承诺晚十点后降低音量。",
        "已反馈处置结果。",
    ),
    Template(
        "NOISE.NEIGH",
        "{p}楼上住户夜间经常拖动家具，多次沟通无果。",
        _WORK,
        _PEOPLE,
        ("人民调解员", "网格员 陈志强"),
        "调解员上门调解，双方达成谅解。",
        "已约双方周末到居委会调解。",
        "已回复居民调解情况。",
    ),
    Template(
        "BUILD.ROOF",
        "{p}顶楼住户在屋顶加建阳光房。",
        _WORK,
        _SEEN,
        ("城管执法中队", "房管办"),
        "已责令停工，搭建材料已拆除。",
        "已立案调查，下发限期拆除通知。",
        "已告知居民违建处置进度。",
    ),
    Template(
        "BUILD.YARD",
        "{p}底楼住户在院落里搭建彩钢板房。",
        _WORK,
        _SEEN,
        ("城管执法中队",),
        "已拆除彩钢板房。",
        "已下发整改通知，七日内自行拆除。",
        "已告知居民处置结果。",
    ),
    Template(
        "FIRE.ACCESS",
        "{c}消防通道长期被私家车占用。",
        _WORK,
        _SEEN,
        ("物业（{c}物业服务中心）", "派出所社区民警"),
        "已联系车主挪车，通道已施划禁停线。",
        "物业本周内施划禁停标线并安装地锁。",
        "已告知居民通道已清理。",
    ),
    Template(
        "BIKE.ZOMBIE",
        "{c}非机动车棚内有十几辆僵尸自行车，积灰多年占用车位。",
        _WORK,
        _SEEN,
        ("物业（{c}物业服务中心）", "网格员 刘晓东"),
        "已张贴认领公告，到期清理十四辆。",
        "已张贴认领公告，七日后统一清理。",
        "已告知居民清理安排。",
    ),
    Template(
        "FACIL.ROAD",
        "{c}主干道路面塌陷出现坑洞，已有老人绊倒。",
        _WORK,
        _SEEN,
        ("房管办", "物业（{c}物业服务中心）"),
        "已设置警示围挡并填补坑洞。",
        "已设置围挡，路面修复列入本月维修计划。",
        "已反馈路面修复情况。",
    ),
    Template(
        "FACIL.FITNESS",
        "{c}健身苑点的漫步机断裂，存在安全隐患。",
        _WORK,
        _SEEN,
        ("体育指导站", "物业（{c}物业服务中心）"),
        "已拆除损坏器材并贴停用告示。",
        "已报修，配件到货后更换，期间停用。",
        "已告知居民器材维修安排。",
    ),
    Template(
        "GREEN.DAMAGE",
        "{c}中心绿地被人开垦种菜。",
        _WORK,
        _SEEN,
        ("绿化市容所", "物业（{c}物业服务中心）"),
        "已劝导种植户清除菜地并恢复绿化。",
        "已告知种植户限期自行清除。",
        "已告知居民绿地已恢复。",
    ),
    Template(
        "GREEN.TRIM",
        "{p}旁树枝伸进阳台，台风季担心折断砸窗。",
        _WORK,
        _PEOPLE,
        ("绿化市容所",),
        "已修剪伸入阳台的树枝。",
        "已排期下周一修剪。",
        "已告知居民修剪完成。",
    ),
    Template(
        "WASTE.SORT",
        "{c}湿垃圾桶里经常混入干垃圾，分类指导员不在岗。",
        _WORK,
        _SEEN,
        ("物业（{c}物业服务中心）", "绿化市容所"),
        "已约谈物业，早晚投放时段指导员到岗。",
        "物业已调整排班，下周起早晚两次值守。",
        "已向居民反馈整改情况。",
    ),
    Template(
        "PROP.FEE",
        "咨询物业费上涨是否须经业主大会表决。",
        _SPOT,
        _ASK,
        answer="已说明物业费调整须经业主大会表决，并告知可向房管办核实调价程序。",
    ),
    Template(
        "OTHER.MISC",
        "{c}门口流浪猫聚集，夜间叫声扰民。",
        _WORK,
        _PEOPLE,
        ("物业（{c}物业服务中心）", "社区志愿者服务队"),
        "已联系志愿者开展诱捕绝育。",
        "已联系动物保护组织，下周上门诱捕绝育。",
        "已向居民反馈处理安排。",
    ),
)

_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蒋蔡余杜叶程魏"
_GIVEN = (
    "桂英",
    "建华",
    "秀兰",
    "志明",
    "丽娟",
    "文斌",
    "淑芬",
    "国强",
    "美玲",
    "德华",
    "晓燕",
    "海涛",
    "玉梅",
    "永康",
    "小红",
    "伟",
    "秀珍",
    "建平",
    "敏",
    "家豪",
    "雪梅",
    "振东",
    "慧",
    "宏伟",
    "凤英",
    "立新",
)
_BUILDINGS = ("1号楼", "3号楼", "5号楼", "7号楼", "12号楼", "15号楼", "18号", "23号", "32号", "41号")
_NOTES = (
    "居民来电询问进度，已告知正在处理。",
    "已与承办部门电话沟通，对方确认今日处理。",
    "居民补充了现场照片。",
    "网格长已知悉，要求跟进。",
)


@dataclass(slots=True)
class _Clock:
    """The demo's wall time: moved by hand while building, then the live (or given) clock."""

    current: datetime
    live: Callable[[], datetime] | None = None

    def __call__(self) -> datetime:
        return self.live() if self.live is not None else self.current


@dataclass(slots=True)
class _Step:
    offset: float  # minutes after registration
    actor: DemoAccount
    event: EventType
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Plan:
    intake: Intake
    actor: DemoAccount
    steps: list[_Step]
    registered_at: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))
    case_id: str = ""


# In-progress targets get a "fresh" case (within its deadline) and an overdue one; the rest cover the
# finished states and each tier. Channels are dealt round-robin (and every template of the first five
# slots' tiers accepts each channel), so the first five cases cover them all.
_COVERAGE: tuple[tuple[Status, bool, Tier], ...] = (
    (Status.REGISTERED, True, Tier.QUICK),
    (Status.CONTACTED, True, Tier.TRACKED),
    (Status.DISPATCHED, False, Tier.QUICK),
    (Status.ON_SITE, True, Tier.TRACKED),
    (Status.DISPOSED, False, Tier.TRACKED),
    (Status.CLOSED, False, Tier.ON_THE_SPOT),
    (Status.REOPENED, True, Tier.QUICK),
    (Status.FOLLOWED_UP, False, Tier.TRACKED),
    (Status.REGISTERED, False, Tier.TRACKED),
    (Status.CONTACTED, False, Tier.QUICK),
    (Status.DISPATCHED, True, Tier.TRACKED),
    (Status.ON_SITE, False, Tier.QUICK),
    (Status.DISPOSED, True, Tier.QUICK),
    (Status.FOLLOWED_UP, False, Tier.ON_THE_SPOT),
    (Status.REOPENED, False, Tier.TRACKED),
    (Status.CLOSED, False, Tier.QUICK),
    (Status.FOLLOWED_UP, False, Tier.QUICK),
)
_FRESH_SHARES = (0.2, 0.6, 0.82, 0.95, 0.35)
_ORDER = (Status.REGISTERED, Status.CONTACTED, Status.DISPATCHED, Status.ON_SITE, Status.DISPOSED, Status.CLOSED)


def create_demo_station(
    data_dir: Path,
    *,
    cases: int = 80,
    now: datetime | Callable[[], datetime] | None = None,
    seed: int = 7,
) -> StationService:
    """Create and fill a demo station in `data_dir`, which must not hold a station yet.

    `now` is the moment the demo ends (a datetime, or a clock to keep using afterwards); events are spread
    over the ten days before it. With 17 or more cases every status, channel and tier appears, and in-progress
    cases include both fresh ones and overdue (red) ones. The returned service runs on the live clock, or on
    `now` if it was given.
    """
    live: Callable[[], datetime]
    if now is None:
        live = utc_now
    elif isinstance(now, datetime):
        fixed = now if now.tzinfo else now.replace(tzinfo=UTC)
        live = lambda: fixed  # noqa: E731
    else:
        live = now
    end = live()
    start = end - timedelta(days=DAYS_BACK, hours=1)
    clock = _Clock(start)
    service = StationService(Path(data_dir), now=clock)
    try:
        _fill(service, clock, end, max(0, cases), random.Random(seed))
    except BaseException:
        service.close()
        raise
    clock.live = live
    return service


def _fill(service: StationService, clock: _Clock, end: datetime, count: int, rng: random.Random) -> None:
    service.initialise(
        code=STATION_CODE,
        name=STATION_NAME,
        admin_name=ADMIN.name,
        admin_pin=ADMIN.pin,
        sub_district=SUB_DISTRICT,
        contact_phone=CONTACT_PHONE,
        timezone=TIMEZONE,
    )
    admin = service.sign_in(ADMIN.name, ADMIN.pin)
    for account in (CLERK, GRID_CHIEF):
        clock.current += timedelta(minutes=2)
        service.add_staff(admin, account.name, account.role, account.pin)
    members: dict[str, StaffMember] = {ADMIN.name: admin}
    for account in (CLERK, GRID_CHIEF):
        clock.current += timedelta(minutes=1)
        members[account.name] = service.sign_in(account.name, account.pin)

    compounds = service.compounds() or [Compound("枫林苑", "")]
    planner = _Planner(service, rng, compounds, end, clock.current + timedelta(minutes=30))
    plans = [planner.plan(i) for i in range(count)]

    schedule: list[tuple[datetime, int, int, _Plan, _Step | None]] = []
    for index, plan in enumerate(plans):
        schedule.append((plan.registered_at, index, -1, plan, None))
        for order, step in enumerate(plan.steps):
            at = plan.registered_at + timedelta(minutes=step.offset)
            if at < end:
                schedule.append((at, index, order, plan, step))
    schedule.sort(key=lambda item: (item[0], item[1], item[2]))
    for at, _index, _order, plan, maybe_step in schedule:
        clock.current = max(clock.current, at)
        if maybe_step is None:
            plan.case_id = service.register_case(members[plan.actor.name], plan.intake).id
        else:
            service.record(members[maybe_step.actor.name], plan.case_id, maybe_step.event, maybe_step.payload)
    clock.current = end
    # The grid chief puts the oldest open cross-department cases on the weekly hard-case conference (难题会诊).
    hard = [p for p in plans if p.case_id and p.intake.tier is Tier.TRACKED and service.case(p.case_id).is_open]
    for plan in sorted(hard, key=lambda p: p.registered_at)[:2]:
        service.record(
            members[GRID_CHIEF.name],
            plan.case_id,
            EventType.CONFERENCE_FLAGGED,
            {"flagged": True, "reason": "涉及多个部门，现场处置后仍未解决，提请周例会会诊"},
        )


class _Planner:
    """Decides each case's intake and lifecycle, and when it was registered."""

    def __init__(
        self,
        service: StationService,
        rng: random.Random,
        compounds: list[Compound],
        end: datetime,
        earliest: datetime,
    ) -> None:
        self.service = service
        self.rng = rng
        self.compounds = compounds
        self.end = end
        self.earliest = earliest
        self.policy = service.deadline_policy()
        self.zone = ZoneInfo(TIMEZONE)
        self.deck: list[Template] = []
        self.fresh_dealt = -1

    # -------------------------------------------------------------- choosing what happened

    def plan(self, index: int) -> _Plan:
        rng = self.rng
        channel = _ALL_CHANNELS[index % len(_ALL_CHANNELS)]
        if index < len(_COVERAGE):
            target, fresh, tier = _COVERAGE[index]
        else:
            target, fresh = self._random_target()
            tier = rng.choices(list(Tier), weights=[2, 5, 4])[0]
            if tier is Tier.ON_THE_SPOT and target not in (Status.CLOSED, Status.FOLLOWED_UP):
                tier = Tier.QUICK
        template = self._template(tier, channel)
        if channel not in template.channels:
            channel = rng.choice(template.channels)
        intake = self._intake(template, tier, channel)
        actor = GRID_CHIEF if channel is Channel.GRID_PATROL else rng.choice((CLERK, CLERK, CLERK, ADMIN))
        extras = target in (Status.CLOSED, Status.FOLLOWED_UP) and rng.random() < 0.3
        steps = self._lifecycle(template, intake, target, extras=extras)
        plan = _Plan(intake, actor, steps)
        plan.registered_at = self._registration_time(plan, target, fresh, channel)
        if not fresh or target in (Status.CLOSED, Status.FOLLOWED_UP):
            self._follow_ups_in_daytime(plan)
        return plan

    def _random_target(self) -> tuple[Status, bool]:
        statuses = [*_ORDER, Status.FOLLOWED_UP, Status.REOPENED]
        weights = [5, 4, 4, 3, 3, 14, 30, 2]
        target = self.rng.choices(statuses, weights=weights)[0]
        return target, self.rng.random() < 0.5

    def _template(self, tier: Tier, channel: Channel) -> Template:
        """Templates are dealt from a shuffled deck, so each one is used before any repeats."""
        fits = [t for t in TEMPLATES if tier in t.tiers]
        for _ in range(2):
            if not self.deck:
                self.deck = list(TEMPLATES)
                self.rng.shuffle(self.deck)
            for need_channel in (True, False):
                for i, template in enumerate(self.deck):
                    if template in fits and (channel in template.channels or not need_channel):
                        return self.deck.pop(i)
            self.deck = []
        return self.rng.choice(fits)

    def _intake(self, template: Template, tier: Tier, channel: Channel) -> Intake:
        rng = self.rng
        compound = rng.choice(self.compounds)
        building = rng.choice(_BUILDINGS)
        description = template.text.format(p=f"{compound.name}{building}", c=compound.name, b=building)
        anonymous = channel is Channel.QR_REPORT and rng.random() < 0.4
        name = phone = ""
        if channel is not Channel.GRID_PATROL and not anonymous:
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
            phone = (
                f"1380013{rng.randrange(10000):04d}" if rng.random() < 0.8 else f"021-6433{rng.randrange(10000):04d}"
            )
        if channel is Channel.GRID_PATROL:
            description = "网格巡查发现：" + description
        address = f"{rng.randrange(1, 7)}0{rng.randrange(1, 4)}室" if name else ""
        return Intake.validated(
            channel=channel,
            category_code=template.category,
            description=description,
            tier=tier,
            compound=compound.name,
            building=building if "{p}" in template.text or "{b}" in template.text else "",
            address=address,
            grid_code=compound.grid_code,
            complainant_name=name,
            phone=phone,
            anonymous=anonymous,
            answer=template.answer if tier is Tier.ON_THE_SPOT else "",
            phone_required=channel is not Channel.GRID_PATROL,
        )

    def _minutes(self, intake: Intake, tier: Tier, stage: Stage) -> float:
        minutes = self.policy.minutes(tier, intake.category_code, stage)
        return float(minutes) if minutes is not None else 30.0

    def _lifecycle(self, template: Template, intake: Intake, target: Status, *, extras: bool) -> list[_Step]:
        """The steps after registration that lead to `target`, with realistic gaps (a few steps run late).

        With `extras`, a finished case also gets a note, a corrected building or a re-triage.
        """
        rng = self.rng
        steps: list[_Step] = []
        t = 0.0
        tier = intake.tier
        assignee = (rng.choice(template.assignees) if template.assignees else "物业（{c}物业服务中心）").format(
            c=intake.compound
        )
        extra = rng.choice(("note", "note", "correct", "tier")) if extras else ""
        patrol = intake.channel is Channel.GRID_PATROL

        def add(gap: float, actor: DemoAccount, event: EventType, payload: dict[str, Any]) -> None:
            nonlocal t
            t += max(gap, 0.2)
            steps.append(_Step(t, actor, event, payload))

        def gap(low: float, high: float, stage: Stage) -> float:
            if rng.random() < 0.1:  # this step ran late
                return self._minutes(intake, tier, stage) + rng.uniform(2, 40)
            return rng.uniform(low, high)

        def work_through(last: Status, *, contact_note: str = "") -> None:
            nonlocal tier, extra
            upto = _ORDER.index(last)
            if upto >= 1:
                note = contact_note or ("已电话联系居民，了解现场情况。" if intake.phone else "已到现场核实情况。")
                add(gap(1, 4, Stage.RESPOND), CLERK, EventType.FIRST_CONTACT, {"note": note})
            if extra == "tier" and upto >= 2:
                # The grid chief re-triages after first contact; the on-site clock follows the new tier.
                tier = Tier.TRACKED if tier is Tier.QUICK else Tier.QUICK
                reason = "涉及多个部门，转跟踪督办。" if tier is Tier.TRACKED else "物业可自行处理，转协同快办。"
                add(rng.uniform(0.3, 1), GRID_CHIEF, EventType.TIER_CHANGED, {"to": str(tier), "reason": reason})
                extra = ""
            if upto >= 2:
                add(rng.uniform(0.5, 3), GRID_CHIEF, EventType.DISPATCHED, {"assignee": assignee})
            if upto >= 3:
                low, high = (4, 11) if tier is Tier.TRACKED else (15, 50)
                add(
                    gap(low, high, Stage.ON_SITE),
                    GRID_CHIEF,
                    EventType.ARRIVED_ON_SITE,
                    {"note": f"{assignee}已到场。"},
                )
            planned = False
            if upto >= 4:
                planned = bool(template.plan) and rng.random() < 0.4
                add(
                    gap(8, 27, Stage.DISPOSE),
                    GRID_CHIEF,
                    EventType.DISPOSED,
                    {
                        "outcome": str(DisposalOutcome.PLAN if planned else DisposalOutcome.RESOLVED),
                        "note": template.plan if planned else (template.disposal or "已处置。"),
                    },
                )
            if upto >= 5:
                if patrol:
                    answer = "网格员已复查，将跟踪方案落实。" if planned else "网格员已复查，现场已整改。"
                elif planned:
                    answer = "已向居民说明处置方案和时间安排，将跟踪落实。"
                else:
                    answer = template.answer or "已向居民反馈处置结果。"
                add(gap(5, 25, Stage.CLOSE_LOOP), CLERK, EventType.CLOSED, {"answer": answer})

        def follow_up(kind: FollowUpKind, satisfaction: Satisfaction, hours: tuple[float, float]) -> None:
            resolution = Resolution.UNRESOLVED if satisfaction is Satisfaction.UNSATISFIED else Resolution.RESOLVED
            visitor = assignee if kind is FollowUpKind.DEPARTMENT_FEEDBACK else CLERK.name
            who = "周边居民" if patrol else "居民"
            note = {
                Satisfaction.SATISFIED: f"{who}表示满意。",
                Satisfaction.BASICALLY_SATISFIED: f"{who}基本满意，希望后续保持。",
                Satisfaction.UNSATISFIED: f"{who}反映问题仍未解决，要求重新处理。",
            }[satisfaction]
            add(
                rng.uniform(*hours) * 60,
                CLERK,
                EventType.FOLLOW_UP,
                {
                    "kind": str(kind),
                    "satisfaction": str(satisfaction),
                    "resolution": str(resolution),
                    "note": note,
                    "visitor": visitor[:40],
                },
            )

        if extra == "correct" and intake.building:
            new_building = rng.choice([b for b in _BUILDINGS if b != intake.building])
            add(
                rng.uniform(0.3, 1),
                CLERK,
                EventType.INTAKE_CORRECTED,
                {
                    "field": "building",
                    "value": new_building,
                    "reason": "居民补充说明，楼号登记有误。",
                },
            )
        good = (Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
        if target in _ORDER[:5]:
            work_through(target)
            return steps
        if tier is not Tier.ON_THE_SPOT:
            work_through(Status.CLOSED)
        if extra == "note" and steps:
            add(rng.uniform(30, 300), rng.choice((CLERK, ADMIN)), EventType.NOTE_ADDED, {"note": rng.choice(_NOTES)})
        if target is Status.REOPENED:
            follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.UNSATISFIED, (18, 40))
            return steps
        if target is Status.CLOSED:
            if rng.random() < 0.5:  # the department has called back; the station's own revisit is still due
                follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, rng.choice(good), (18, 40))
            return steps
        if tier is not Tier.ON_THE_SPOT and rng.random() < 0.15:
            # Reopened once after an unsatisfied call, then handled again.
            follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.UNSATISFIED, (18, 30))
            work_through(Status.CLOSED, contact_note="已再次联系居民，约定重新处理。")
        follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, rng.choice(good), (18, 40))
        follow_up(FollowUpKind.STATION_REVISIT, rng.choice(good), (20, 50))
        return steps

    # -------------------------------------------------------------- choosing when

    def _registration_time(self, plan: _Plan, target: Status, fresh: bool, channel: Channel) -> datetime:
        """Fresh in-progress cases end just inside their current deadline; the rest sit somewhere in the past."""
        rng = self.rng
        span = plan.steps[-1].offset if plan.steps else 0.0
        stage = STAGE_FOR_STATUS.get(target)
        running = stage is not None and target not in (Status.CLOSED, Status.FOLLOWED_UP)
        if running and stage is not None:
            tier = plan.intake.tier
            for step in plan.steps:
                if step.event is EventType.TIER_CHANGED:
                    tier = Tier(step.payload["to"])
            limit = self._minutes(plan.intake, tier, stage)
            if fresh:
                # Deal the used share of the deadline so fresh cases show green, blue, yellow and orange.
                self.fresh_dealt += 1
                share = _FRESH_SHARES[self.fresh_dealt % len(_FRESH_SHARES)] + rng.uniform(-0.03, 0.03)
                since_last = share * limit
                return self.end - timedelta(minutes=span + since_last)
            latest = self.end - timedelta(minutes=span + limit + rng.uniform(10, 600))
        else:
            latest = self.end - timedelta(minutes=span + rng.uniform(5, 120))
        return self._daytime_between(self.earliest, latest, channel)

    def _follow_ups_in_daytime(self, plan: _Plan) -> None:
        """Move follow-up calls made at night to the next morning, unless that would run past the demo's end."""
        shift = 0.0
        shifted: list[float] = []
        for step in plan.steps:
            if step.event is EventType.FOLLOW_UP:
                local = (plan.registered_at + timedelta(minutes=step.offset + shift)).astimezone(self.zone)
                if not time(9) <= local.time() <= time(19):
                    morning = datetime.combine(local.date(), time(9), self.zone)
                    if local.time() > time(19):
                        morning += timedelta(days=1)
                    shift += (morning - local).total_seconds() / 60 + self.rng.uniform(0, 150)
            shifted.append(step.offset + shift)
        if shifted and plan.registered_at + timedelta(minutes=shifted[-1]) < self.end - timedelta(minutes=5):
            for step, offset in zip(plan.steps, shifted, strict=True):
                step.offset = offset

    def _daytime_between(self, earliest: datetime, latest: datetime, channel: Channel) -> datetime:
        """A moment in the station's opening hours (the hotline and QR reports also come in the evening)."""
        rng = self.rng
        if latest <= earliest:
            return earliest
        opens, closes = (
            (time(7, 30), time(21, 30))
            if channel in (Channel.HOTLINE_12345, Channel.QR_REPORT)
            else (time(8, 30), time(17, 30))
        )
        first_day = earliest.astimezone(self.zone).date()
        days = (latest.astimezone(self.zone).date() - first_day).days
        for _ in range(40):
            day = first_day + timedelta(days=rng.randint(0, days))
            lo = datetime.combine(day, opens, self.zone)
            hi = datetime.combine(day, closes, self.zone)
            moment = (lo + (hi - lo) * rng.random()).astimezone(UTC)
            if earliest <= moment <= latest:
                return moment
        return earliest + (latest - earliest) * rng.random()
