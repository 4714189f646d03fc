"""The record book behind benchmarks/data/similar_eval.json: earlier cases and new complaints, address by address.

The records themselves are written by hand in similar_eval_cases_*.py; this module only keeps them, checks each as
it is added, and numbers them. A case is named inside its address by a key `problem` or `problem:which` (problem
from PROBLEMS), so a query can name the case it repeats and its look-alikes without knowing the final ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The kinds of problem the set covers, so the report can say how many and which. A case's key starts with one.
PROBLEMS = {
    "tree_light": "树木遮挡采光",
    "branch": "树枝碰窗、碰空调外机",
    "dead_tree": "枯树歪树有倒伏危险",
    "green_taken": "绿地、树苗被圈占、种菜或毁坏",
    "manhole_loose": "窨井盖松动异响",
    "manhole_broken": "窨井盖缺失或破损",
    "sewer_overflow": "污水井、化粪池冒溢",
    "stack_blocked": "下水立管堵塞返水",
    "upstairs_leak": "楼上漏水、天花板渗水",
    "pipe_burst": "供水管破裂漏水",
    "gutter": "雨水管、落水管破损",
    "roof_leak": "屋面漏雨",
    "flood": "路面、车库积水",
    "water_pressure": "水压低",
    "water_supply": "停水、水质发黄",
    "horn": "隧道口、弄口机动车鸣笛",
    "motorbike": "摩托车炸街",
    "build_night": "工地夜间施工",
    "renovation": "装修噪声",
    "square_dance": "广场舞噪声",
    "upstairs_noise": "楼上、邻居噪声",
    "shop_noise": "商铺、摊点噪声",
    "aircon": "空调外机噪声、滴水",
    "dog_bark": "狗叫扰民",
    "pump_noise": "水泵房噪声",
    "yard_shed": "底楼院落、通道搭建",
    "roof_shed": "屋顶、晒台搭建",
    "bikeshed_build": "车棚内违建",
    "corridor": "楼道堆物、占用公共部位",
    "gas": "液化气罐放在楼道",
    "fire_door": "防火门常开损坏",
    "smoking": "楼梯间、电梯内抽烟",
    "flying_lead": "飞线充电",
    "ebike_indoor": "电动车进楼、进电梯、电池入户充电",
    "charger": "充电桩故障、收费",
    "fire_lane": "消防通道占用",
    "lift_stop": "电梯停运",
    "lift_fault": "电梯异响、门夹人、困人等故障",
    "lift_screen": "电梯广告屏太吵",
    "access": "门禁、门锁、道闸损坏",
    "fee": "物业费、公摊费争议",
    "parking": "车位被占、私装地锁",
    "group_rent": "群租",
    "high_throw": "高空抛物",
    "dog_leash": "遛狗不牵绳、狗粪",
    "cats": "流浪猫、流浪狗",
    "rats": "老鼠",
    "pigeons": "养鸽子",
    "zombie_car": "僵尸汽车",
    "zombie_bike": "僵尸自行车、电动车",
    "shared_bike": "共享单车乱停",
    "street_lamp": "路灯、庭院灯不亮",
    "stair_lamp": "楼道灯、室内公共照明坏",
    "pothole": "路面、地砖破损",
    "fitness": "健身、儿童游乐器材损坏",
    "rubbish": "垃圾未清运",
    "bin_smell": "垃圾桶、箱房异味",
    "sort": "垃圾分类投放不规范",
    "bulky": "大件、装修垃圾堆放",
    "shop_outside": "跨门营业、占道摆摊",
    "fume": "油烟扰民",
    "facade": "外墙、窗玻璃脱落",
    "termite": "白蚁蛀蚀木楼梯",
    "handrail": "楼梯扶手、栏杆损坏",
    "lift_phone": "电梯应急电话不通",
    "bike_shelter": "车棚顶棚损坏",
    "gas_meter": "燃气表、燃气管漏气",
    "meter_box": "水表箱、电表箱损坏",
    "hoarding": "施工围挡占道",
    "ramp": "无障碍坡道被堵",
    "wires": "电线老化打火",
    "policy": "政策咨询",
}


@dataclass
class Earlier:
    key: str  # "compound/building/problem[:which]"
    problem: str
    category: str
    compound: str
    building: str
    door: str
    phone: str
    description: str
    status: str  # "closed" or "open"
    closed_days_ago: int | None
    result: str


@dataclass
class Query:
    category: str
    problem: str
    compound: str
    building: str
    door: str
    phone: str
    text: str
    truth: str | None  # key of the earlier case it repeats
    lookalikes: tuple[str, ...]  # keys of earlier cases at the same address about a different problem
    note: str = ""


@dataclass
class Book:
    earlier: list[Earlier] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)
    _keys: dict[str, Earlier] = field(default_factory=dict)

    def place(self, compound: str, building: str = "") -> Place:
        return Place(self, compound, building)

    def add_earlier(self, case: Earlier) -> None:
        if case.key in self._keys:
            raise ValueError(f"{case.key}: the same key twice at one address")
        self._keys[case.key] = case
        self.earlier.append(case)

    def case(self, key: str) -> Earlier:
        return self._keys[key]


class Place:
    """One address (compound, and building or "" for the compound as a whole): its earlier cases and new queries."""

    def __init__(self, book: Book, compound: str, building: str) -> None:
        self.book = book
        self.compound = compound
        self.building = building

    def _key(self, name: str) -> str:
        problem = name.split(":")[0]
        if problem not in PROBLEMS:
            raise ValueError(f"{name}: unknown problem {problem}")
        return f"{self.compound}/{self.building}/{name}"

    def closed(self, name: str, category: str, door: str, phone: str, days: int, description: str, result: str) -> None:
        """An earlier case closed `days` ago with `result` (what was done)."""
        self.book.add_earlier(
            Earlier(
                self._key(name), name.split(":")[0], category, self.compound, self.building, door, phone,
                description, "closed", days, result,
            )
        )  # fmt: skip

    def open(self, name: str, category: str, door: str, phone: str, description: str) -> None:
        """An earlier case still open now."""
        self.book.add_earlier(
            Earlier(
                self._key(name), name.split(":")[0], category, self.compound, self.building, door, phone,
                description, "open", None, "",
            )
        )  # fmt: skip

    def repeat(
        self,
        of: str,
        category: str,
        door: str,
        phone: str,
        text: str,
        lookalikes: tuple[str, ...] = (),
        note: str = "",
    ) -> None:
        """A new complaint about the same problem as earlier case `of` at this address."""
        truth = self._key(of)
        self.book.case(truth)  # must exist already
        self.book.queries.append(
            Query(
                category, of.split(":")[0], self.compound, self.building, door, phone, text, truth,
                tuple(self._key(name) for name in lookalikes), note,
            )
        )  # fmt: skip

    def new(
        self,
        problem: str,
        category: str,
        door: str,
        phone: str,
        text: str,
        lookalikes: tuple[str, ...] = (),
        note: str = "",
    ) -> None:
        """A new complaint with no earlier case of its own; `lookalikes` are cases here it could be mistaken for."""
        if problem not in PROBLEMS:
            raise ValueError(f"{problem}: unknown problem")
        self.book.queries.append(
            Query(
                category, problem, self.compound, self.building, door, phone, text, None,
                tuple(self._key(name) for name in lookalikes), note,
            )
        )  # fmt: skip
