"""Hand-written records of the similar-case evaluation set, part 1: the eight compounds of the seed reference data.

Everything here is made up: no case, person, phone number or room is real. Each block is one address; its earlier
cases come first (what the clerk wrote), then the new complaints (what a resident said or a clerk jotted down).
"""

from __future__ import annotations

from similar_eval_book import Book

# fmt: off


def add(book: Book) -> None:
    _fenglin(book)
    _kangle(book)
    _meiyuan(book)
    _yongjia(book)
    _jianguo(book)
    _taoyuan(book)
    _tianping(book)
    _hunan(book)


def _fenglin(book: Book) -> None:
    p = book.place("枫林苑", "3号楼")
    p.closed("lift_stop", "PROP.LIFT", "1201室", "13800131201", 96,
             "3号楼1201室居民反映：电梯停运两天，维保称曳引机故障，楼上老人无法下楼。",
             "维保单位更换曳引机轴承，电梯已恢复运行，经特检复检合格。")
    p.open("lift_screen", "PROP.LIFT", "803室", "13800130803",
           "3号楼电梯轿厢内广告屏音量过大，全天循环播放，住户要求关掉声音。")
    p.closed("stair_lamp", "FACIL.LAMP", "", "13800131201", 40,
             "3号楼底层老年活动室顶灯坏了三盏，老人晚上下棋看不清。",
             "物业已更换三盏LED灯管，活动室照明恢复。")
    p.open("ebike_indoor", "FIRE.CHARGE", "", "13900131530",
           "网格员巡查发现：3号楼有住户把电瓶车推进电梯带回家充电，邻居担心起火。")
    p.closed("upstairs_leak", "DRAIN.PIPE", "1402室", "15000131402", 210,
             "1402室卫生间天花板渗水，经查为楼上1502室地漏处防水层破损。",
             "已协调1502室重做卫生间防水，1402室吊顶已修复。")
    p.closed("gutter", "DRAIN.PIPE", "1102室", "18600131102", 15,
             "3号楼外墙雨水管裂开，下雨时水顺着外墙流进1102室窗台。",
             "物业已更换破裂的雨水管两节，雨天回看无渗水。")
    p.closed("handrail", "OTHER.MISC", "1601室", "13700131601", 70,
             "3号楼1601室八十多岁老人下楼时在楼梯上摔了，家属要求楼梯加装扶手。",
             "物业在3号楼一至三楼楼梯加装不锈钢扶手。")
    p.repeat("lift_stop", "PROP.LIFT", "1601室", "",
             "3号楼电梯又不动了，我妈八十几岁下不了楼，上次修好才三个月", ("handrail", "lift_screen", "ebike_indoor"))
    p.repeat("ebike_indoor", "FIRE.CHARGE", "905室", "13900131530",
             "又看到有人把电驴推进电梯拉上楼充电，电梯里一股焦糊味", ("lift_stop", "lift_screen"))
    p.repeat("upstairs_leak", "DRAIN.PIPE", "1402室", "15000131402",
             "1402天花板又在滴水了，还是卫生间顶上那块，吊顶都泡软了", ("gutter",))
    p.new("smoking", "OTHER.MISC", "1201室", "13800131201",
          "3号楼电梯里天天有人抽烟，烟味散不掉，老人闻了直咳嗽", ("lift_stop", "lift_screen"))

    p = book.place("枫林苑", "7号楼")
    p.closed("yard_shed", "BUILD.YARD", "101室", "13800130711", 130,
             "7号楼101室在南面院子里用铁皮瓦搭了一间小屋，挡住二楼窗户。",
             "城管中队上门约谈，搭建的小屋已自行拆除。")
    p.open("corridor", "FIRE.CORRIDOR", "", "13700130402",
           "7号楼二至四楼楼道里堆着旧家具、纸板箱，楼梯只剩一半宽。")
    p.closed("gas", "FIRE.CORRIDOR", "302室", "15000130302", 60,
             "7号楼302室门口常年放两只液化气罐，橡胶管从门缝接进屋。",
             "已劝导住户将液化气罐移入室内并更换燃气软管，签订安全承诺书。")
    p.open("stair_lamp", "FACIL.LAMP", "", "18600130506",
           "7号楼三楼到五楼楼道声控灯都不亮，晚上上楼摸黑。")
    p.closed("tree_light", "GREEN.LIGHT", "201室", "13900130201", 300,
             "7号楼南侧两棵水杉长到五楼高，201室常年晒不到太阳，衣服晒不干。",
             "绿化所已对两棵水杉截顶疏枝，修剪至三楼以下。")
    p.repeat("yard_shed", "BUILD.YARD", "201室", "13900130201",
             "楼下101又在院子里搭棚子了，铁皮顶一下雨叮叮当当响，我家窗户也被挡了", ("tree_light", "corridor"))
    p.open("handrail", "OTHER.MISC", "", "",
           "7号楼楼梯扶手断了一截，老人走路要扶着墙侧着身子下楼。")
    p.repeat("corridor", "FIRE.CORRIDOR", "402室", "",
             "7号楼楼梯上堆满破烂，沙发纸箱都有，走路要侧着身子", ("handrail", "gas", "stair_lamp"))
    p.repeat("gas", "FIRE.CORRIDOR", "301室", "13600130301",
             "对门302的煤气罐又拿出来放楼道里了，管子拖进门，看着就吓人", ("corridor",))
    p.closed("street_lamp", "FACIL.LAMP", "", "13900130201", 20,
             "7号楼楼前那两盏庭院灯坏了，晚上楼前很暗，居民要求修一修。",
             "物业更换两盏庭院灯灯头。")
    p.repeat("tree_light", "GREEN.LIGHT", "201室", "13900130201",
             "楼前那两棵大树又蹿上来了，屋里白天也暗，麻烦再修一修", ("street_lamp", "stair_lamp", "yard_shed"))
    p.new("facade", "OTHER.MISC", "502室", "",
          "7号楼楼道窗户玻璃碎了，风一吹碎片往下掉", ("corridor", "stair_lamp"))

    p = book.place("枫林苑")
    p.open("horn", "NOISE.TRAFFIC", "", "13800139101",
           "居民来电：枫林苑紧挨隧道出口，夜里大货车按喇叭，十二点以后还滴滴响。")
    p.closed("street_lamp", "FACIL.LAMP", "", "", 25,
             "枫林苑西门进来那段路三根路灯杆都不亮，一片漆黑。",
             "路灯所更换两只灯头并修复一处线路，三盏路灯恢复。")
    p.closed("access", "PROP.SECURITY", "", "13800139101", 50,
             "枫林苑西门门卫室旁的监控探头坏了，西门晚上没人看。",
             "物业更换监控探头，西门夜间增设保安巡逻。")
    p.open("square_dance", "NOISE.NEIGH", "", "15000139233",
           "枫林苑中心花园每晚七点到九点半跳广场舞，音响开得很响，孩子没法写作业。")
    p.closed("zombie_car", "BIKE.ZOMBIE", "", "", 75,
             "枫林苑地面车位上一辆白色面包车停了两年多，轮胎瘪了，落满树叶。",
             "经派出所查询联系车主，车辆已拖离，车位恢复使用。")
    p.open("fire_lane", "FIRE.ACCESS", "", "13600139877",
           "枫林苑东侧消防通道晚上停满私家车，救护车进不来。")
    p.closed("build_night", "NOISE.BUILD", "", "", 45,
             "枫林苑隧道口道路施工夜里一两点还在切割路面，老人整夜睡不着。",
             "城管约谈道路施工方，夜里十点后不再切割路面。")
    p.repeat("horn", "NOISE.TRAFFIC", "", "",
             "晚上隧道口那边喇叭按个不停，一两点钟还在响，老头子整夜睡不着", ("build_night", "square_dance"))
    p.repeat("square_dance", "NOISE.NEIGH", "", "",
             "花园里跳舞的音乐太吵了，天天放到九点多，小孩要考试", ("horn", "street_lamp"))
    p.repeat("street_lamp", "FACIL.LAMP", "", "13800139101",
             "西门那段路灯又不亮了，晚上黑漆漆的，差点摔跤", ("access", "fire_lane"))
    p.new("zombie_car", "BIKE.ZOMBIE", "", "",
          "枫林苑北边有辆黑色小轿车停了大半年没动过，车身上全是灰", ("zombie_car",),
          "不同车辆：原案的白色面包车已拖走")


def _kangle(book: Book) -> None:
    p = book.place("康乐小区", "12号楼")
    p.open("lift_fault", "PROP.LIFT", "1503室", "13800131503",
           "12号楼2号电梯运行时咣当咣当响，轿厢晃得厉害，住户不敢坐。")
    p.closed("lift_stop", "PROP.LIFT", "2201室", "18600132201", 45,
             "12号楼两部电梯同时停运一整天，22楼住户拎菜爬楼。",
             "维保人员抢修1号梯控制柜，当晚恢复运行，2号梯次日恢复。")
    p.open("water_pressure", "OTHER.MISC", "2003室", "13900132003",
           "12号楼18楼以上水压太低，早晚用水高峰水龙头只滴水，热水器打不着火。")
    p.closed("pump_noise", "NOISE.NEIGH", "101室", "13700130121", 90,
             "12号楼地下二次供水泵房噪声大，一楼住户夜里听得到嗡嗡声。",
             "物业给水泵加装减震垫并更换泵房隔音门，复测达标。")
    p.closed("group_rent", "OTHER.MISC", "907室", "13600130906", 150,
             "12号楼907室被二房东隔成六间出租，住了十几个人，进出很乱。",
             "街道联合派出所、房管办整治，隔断已拆除，恢复原状。")
    p.closed("corridor", "FIRE.CORRIDOR", "", "", 20,
             "12号楼15楼电梯厅堆放鞋柜、婴儿车和纸箱，挡住安全出口。",
             "物业已通知住户清理，安全出口门前已腾空。")
    p.repeat("lift_stop", "PROP.LIFT", "2201室", "18600132201",
             "12号楼电梯又停了，两部都不动，我住22楼，买的米扛不上去", ("lift_fault",))
    p.repeat("lift_fault", "PROP.LIFT", "1101室", "",
             "二号电梯开起来一直哐哐响，还往下一沉一沉的，吓死人", ("lift_stop",))
    p.repeat("water_pressure", "OTHER.MISC", "2003室", "13900132003",
             "家里水龙头出水细得像线，洗澡热水器点不着，还是高层水压的问题", ("pump_noise",))
    p.repeat("group_rent", "OTHER.MISC", "906室", "13600130906",
             "隔壁907又住进来好多人，一天到晚拖箱子进出，好像又隔成小间租了", ("corridor",))
    p.new("lift_fault", "PROP.LIFT", "1503室", "13800131503",
          "12号楼电梯按钮被人烧坏了几个，按15楼没反应", ("lift_fault", "lift_stop"),
          "同一部电梯的另一个故障（按钮），不是原案的异响")

    p = book.place("康乐小区", "5号楼")
    p.open("flying_lead", "FIRE.CHARGE", "401室", "15000130401",
           "5号楼401室从窗户放下一根电线到楼下给电动车充电，电线横在路中间。")
    p.closed("bikeshed_build", "BUILD.SHED", "", "", 100,
             "5号楼旁非机动车棚被人用木板围出一块，上了锁当自家仓库。",
             "已约谈当事住户，木板隔断拆除，车棚恢复公共使用。")
    p.open("zombie_bike", "BIKE.ZOMBIE", "", "13700130512",
           "5号楼车棚里十来辆破电动车、自行车没人骑，有的没有轮子，占着位置。")
    p.closed("charger", "FIRE.CHARGE", "", "", 35,
             "5号楼车棚里的充电桩有四个插座坏了，扫码后不通电。",
             "充电桩运营方更换四个插座模块，已恢复充电。")
    p.closed("sewer_overflow", "DRAIN.COVER", "101室", "13900130101", 55,
             "5号楼前污水井堵塞，101室厨房下水往上冒脏水。",
             "排水所疏通污水井和出户管，清出大量油污，排水恢复。")
    p.closed("manhole_broken", "DRAIN.COVER", "", "", 10,
             "5号楼门口窨井盖压坏了一角，电动车压过去哐当响。",
             "已更换新井盖。")
    p.repeat("flying_lead", "FIRE.CHARGE", "301室", "",
             "楼上又从窗口吊电线下来给电瓶车充电，晚上电线就挂在车棚边上", ("charger", "zombie_bike"))
    p.repeat("zombie_bike", "BIKE.ZOMBIE", "201室", "13600130201",
             "车棚里那些烂自行车一直没人清，好多年了，新车都停不进去", ("bikeshed_build", "charger"))
    p.repeat("sewer_overflow", "DRAIN.COVER", "101室", "13900130101",
             "厨房水槽又往上返黑水，楼前那个井肯定又堵了", ("manhole_broken",))
    p.new("bike_shelter", "OTHER.MISC", "301室", "",
          "5号楼车棚顶棚被风掀掉一块，下雨车都淋湿了", ("bikeshed_build", "zombie_bike"))

    p = book.place("康乐小区")
    p.open("shop_outside", "SHOP.OUTSIDE", "", "13800130609",
           "康乐小区南门外小饭馆把桌子摆到人行道上，晚上吃夜宵的人很多。")
    p.closed("fume", "SHOP.FUME", "", "13800130609", 70,
             "康乐小区南门烧烤店排烟管直接对着居民楼，油烟呛人。",
             "市场监管所责令加装油烟净化器并改排烟方向，已复查。")
    p.open("shop_noise", "NOISE.SHOP", "", "15000130877",
           "南门外烧烤摊夜里划拳喝酒到凌晨两点，附近居民睡不着。")
    p.closed("rubbish", "WASTE.STATION", "", "", 12,
             "康乐小区北门垃圾箱房两天没清运，垃圾桶满出来堆在地上。",
             "环卫所当天加派车辆清运，已恢复每日两次清运。")
    p.closed("fitness", "FACIL.FITNESS", "", "", 200,
             "康乐小区健身点的腰背按摩器转轴断了，老人差点摔倒。",
             "体育指导站更换转轴，器材恢复使用。")
    p.repeat("fume", "SHOP.FUME", "", "13800130609",
             "南门那家烧烤又在冒油烟了，窗户都不敢开，衣服一股烟味", ("shop_noise", "shop_outside"))
    p.repeat("shop_noise", "NOISE.SHOP", "", "",
             "南门烧烤那边半夜还在吵，喝酒划拳的声音，两点多都有", ("fume", "shop_outside"))
    p.open("sewer_overflow", "DRAIN.COVER", "", "15000130877",
           "康乐小区北门垃圾房旁边污水井堵了，污水漫出来臭得要命。")
    p.repeat("rubbish", "WASTE.STATION", "", "",
             "北门垃圾房又没人来收了，桶都满了，臭得要命", ("sewer_overflow",))
    p.new("pothole", "FACIL.ROAD", "", "",
          "康乐小区南门人行道上的地砖翘起来好几块，老人绊了一跤", ("shop_outside",))


def _meiyuan(book: Book) -> None:
    p = book.place("梅园新村", "23号")
    p.open("upstairs_leak:302", "DRAIN.PIPE", "302室", "13800132302",
           "23号302室厨房天花板渗水发黄，楼上402室不在家，联系不上。")
    p.closed("upstairs_leak:202", "DRAIN.PIPE", "202室", "13900130202", 160,
             "23号202室卫生间顶上滴水，查为楼上302室马桶下水管接口漏。",
             "已协调302室更换马桶下水管接口，202室顶面已晾干补刷。")
    p.closed("stack_blocked", "DRAIN.PIPE", "101室", "15000132101", 30,
             "23号底楼101室下水道堵塞，楼上一放水就从地漏冒出来。",
             "物业疏通立管及出户管，并加装防返水地漏。")
    p.open("roof_leak", "OTHER.MISC", "602室", "18600132602",
           "23号顶楼602室屋面防水老化，下雨天房间墙角渗水。")
    p.closed("corridor", "FIRE.CORRIDOR", "", "", 80,
             "23号一楼楼梯口停放三辆电动自行车和一辆童车，挡住通道。",
             "已劝导车主将车辆移至车棚，楼道已清空。")
    p.repeat("upstairs_leak:302", "DRAIN.PIPE", "302室", "13800132302",
             "302厨房顶上水渍越来越大，楼上还是找不到人，墙皮都掉了", ("upstairs_leak:202", "roof_leak"))
    p.repeat("upstairs_leak:202", "DRAIN.PIPE", "202室", "13900130202",
             "202卫生间顶上又开始滴水了，上回楼上修过马桶管子", ("upstairs_leak:302", "stack_blocked"))
    p.repeat("stack_blocked", "DRAIN.PIPE", "101室", "",
             "我家在一楼，楼上一用水地漏就冒水，又堵了", ("upstairs_leak:302", "upstairs_leak:202"))
    p.repeat("roof_leak", "OTHER.MISC", "602室", "",
             "顶楼房间下雨又渗水了，墙角全是霉，屋顶防水到底弄不弄", ("upstairs_leak:302",))
    p.new("stack_blocked", "DRAIN.PIPE", "402室", "",
          "23号402室卫生间地漏反臭，晚上满屋臭味", ("stack_blocked", "upstairs_leak:302"),
          "另一户的地漏反味，不是101室的立管堵塞")

    p = book.place("梅园新村")
    p.open("manhole_loose", "DRAIN.COVER", "", "13700132318",
           "梅园新村主通道18号门口窨井盖松动，车开过去咣咣响，晚上特别吵。")
    p.closed("manhole_broken", "DRAIN.COVER", "", "", 18,
             "梅园新村菜场旁边井盖丢了，只用一块木板盖着，有人踩空。",
             "排水所已补装球墨铸铁井盖并加防坠网。")
    p.open("dog_leash", "OTHER.MISC", "", "13600132777",
           "梅园新村有人早上在中心绿地遛大狗不牵绳，狗还追小孩。")
    p.closed("green_taken", "GREEN.DAMAGE", "", "", 90,
             "梅园新村西侧绿化带被挖开种了青菜和葱，还浇粪水。",
             "种菜的几户已自行铲除青菜，物业补种草皮。")
    p.closed("square_dance", "NOISE.NEIGH", "", "13800132555", 120,
             "梅园新村小广场早上六点就跳广场舞，音响声音很大。",
             "居委会约谈领队，调整至七点半后开始并控制音量。")
    p.repeat("manhole_loose", "DRAIN.COVER", "", "13700132318",
             "18号门口那个下水道盖子还是松的，车子一压就哐当一声，半夜都被吵醒", ("manhole_broken",))
    p.open("pothole", "FACIL.ROAD", "", "",
           "梅园新村菜场边上路面塌了个洞，有人在上面搭块木板，车子压过去会翘起来。")
    p.repeat("manhole_broken", "DRAIN.COVER", "", "",
             "菜场边上那个井盖又没了，就剩个洞，上面搭块板", ("pothole", "manhole_loose"))
    p.open("fitness", "FACIL.FITNESS", "", "13600132777",
           "梅园新村中心绿地边的儿童秋千链条断了，孙子差点摔下来。")
    p.repeat("dog_leash", "OTHER.MISC", "", "",
             "绿地那边大狗又不拴绳子跑来跑去，我孙子被吓哭了", ("fitness", "green_taken"))
    p.repeat("square_dance", "NOISE.NEIGH", "", "13800132555",
             "小广场大妈跳舞又提早到六点了，喇叭放得震天响", ())
    p.new("dog_leash", "OTHER.MISC", "", "",
          "梅园新村绿地里狗屎没人清理，早上锻炼踩了一脚", ("dog_leash", "green_taken"),
          "狗粪，不是原案的不牵绳")


def _yongjia(book: Book) -> None:
    p = book.place("永嘉路弄", "18号")
    p.open("roof_shed", "BUILD.ROOF", "301室", "13900131833",
           "18号三楼晒台上用木头和石棉瓦搭了阁楼，还在往上加。")
    p.closed("flying_lead", "FIRE.CHARGE", "", "", 40,
             "18号天井里有住户拉插线板给电瓶车充电，线从灶披间窗户拉出来。",
             "已拆除私拉电线，劝导住户到弄口集中充电点充电。")
    p.open("gas", "FIRE.CORRIDOR", "", "13800131801",
           "18号公用灶披间里堆了五只液化气钢瓶，有一只阀门漏气有味道。")
    p.closed("rats", "OTHER.MISC", "", "13800131801", 60,
             "18号天井下水道口老鼠多，晚上在灶间跑来跑去。",
             "爱卫办投放鼠药并封堵鼠洞，已回访。")
    p.closed("pipe_burst", "DRAIN.PIPE", "", "", 5,
             "18号天井里自来水总管冻裂，水漫到客堂间。",
             "自来水公司抢修更换总管，已恢复供水。")
    p.closed("handrail", "OTHER.MISC", "", "", 110,
             "18号三楼晒台的木栏杆朽了，怕塌下来砸到天井里的人。",
             "房管所更换晒台木栏杆。")
    p.repeat("roof_shed", "BUILD.ROOF", "201室", "15000131822",
             "楼上晒台搭的那个棚子越搭越大了，木头堆着，怕着火也怕塌", ("handrail", "gas"))
    p.repeat("flying_lead", "FIRE.CHARGE", "101室", "",
             "天井里又拖了根插线板在给电驴充电，从灶间窗口拉出来的", ("gas", "pipe_burst"))
    p.repeat("gas", "FIRE.CORRIDOR", "", "13800131801",
             "灶披间里那些煤气瓶还堆着，今天又闻到煤气味", ("flying_lead", "rats"))
    p.new("meter_box", "OTHER.MISC", "", "",
          "18号天井里公用水表箱的盖子坏了，小孩会掉下去", ("pipe_burst",))

    p = book.place("永嘉路弄", "23号")
    p.closed("tree_light", "GREEN.LIGHT", "102室", "13700132302", 240,
             "23号前面弄堂里的老梧桐把102室整扇窗挡住，房间终年阴暗。",
             "绿化所对伸向窗户的枝条回缩修剪。")
    p.open("aircon", "NOISE.NEIGH", "202室", "13600132323",
           "23号隔壁住户新装的空调外机正对202室卧室窗户，夜里噪声大、热风直吹。")
    p.closed("renovation", "NOISE.BUILD", "", "", 28,
             "23号三楼装修中午和周日也在电钻，楼里老人休息不了。",
             "已约谈装修队，按规定时段施工，中午和周日停工。")
    p.closed("street_lamp", "FACIL.LAMP", "", "", 14,
             "23号弄堂里那盏路灯坏了，晚上102室门口要开手电才看得见。",
             "路灯所更换灯泡。")
    p.repeat("tree_light", "GREEN.LIGHT", "102室", "13700132302",
             "弄堂里那棵梧桐又把我家窗口挡死了，大白天要开灯", ("street_lamp", "aircon"))
    p.repeat("aircon", "NOISE.NEIGH", "202室", "13600132323",
             "隔壁那台空调外机还对着我卧室，晚上轰轰响，热风吹进来", ("renovation",))


def _jianguo(book: Book) -> None:
    p = book.place("建国西路弄", "32号")
    p.open("group_rent", "OTHER.MISC", "201室", "18600133201",
           "32号二楼前厢房被分隔成四间出租，住了十多个外卖骑手，电瓶车停满弄堂。")
    p.closed("fire_lane", "FIRE.ACCESS", "", "", 25,
             "32号弄堂口电动车乱停，把消防栓挡住了。",
             "网格员联系车主挪车，消防栓前施划禁停线。")
    p.closed("upstairs_noise", "NOISE.NEIGH", "101室", "13900133101", 50,
             "32号101室反映楼上住户半夜打麻将，洗牌声很响。",
             "调解员上门沟通，楼上已加铺桌垫并承诺十点后不打牌。")
    p.open("sewer_overflow", "DRAIN.COVER", "", "13900133101",
           "32号底楼化粪池满了往外冒，整个弄堂一股臭味。")
    p.closed("aircon", "NOISE.NEIGH", "301室", "15000133301", 200,
             "32号隔壁人家空调外机装在301室窗口，热风直吹，半夜嗡嗡响。",
             "已协调邻居将外机移位并加装导风板。")
    p.repeat("group_rent", "OTHER.MISC", "101室", "13900133101",
             "二楼那户还是住了一大帮人，半夜回来上楼咚咚响，电瓶车把弄堂堵死", ("fire_lane", "upstairs_noise"))
    p.repeat("fire_lane", "FIRE.ACCESS", "", "",
             "弄堂口电瓶车又停得乱七八糟，消防栓前面挤满了", ("group_rent",))
    p.repeat("upstairs_noise", "NOISE.NEIGH", "101室", "13900133101",
             "楼上又在打麻将，哗啦哗啦到一两点", ("group_rent",))
    p.repeat("sewer_overflow", "DRAIN.COVER", "", "",
             "化粪池还在冒，整条弄堂臭气熏天，啥时候来抽", ())
    p.new("facade", "OTHER.MISC", "301室", "15000133301",
          "32号三楼外墙有块水泥往下掉，砸到晾的衣服", ("aircon",))


def _taoyuan(book: Book) -> None:
    p = book.place("桃源里", "5号楼")
    p.open("tree_light", "GREEN.LIGHT", "102室", "13800130512",
           "5号楼北面三棵广玉兰枝叶把102室窗户全遮住，屋里常年阴暗潮湿。")
    p.closed("branch", "GREEN.TRIM", "302室", "13900130532", 140,
             "5号楼西头梧桐树枝伸到302室空调外机上，刮风就敲打。",
             "绿化所修剪伸向住户的枝条，与外机保持一米以上。")
    p.closed("dead_tree", "GREEN.TRIM", "", "", 10,
             "5号楼门口一棵枯死的樱花树歪向车道，怕倒下来砸车。",
             "绿化所已将枯树移除，树穴待补种。")
    p.open("gutter", "OTHER.MISC", "", "",
           "5号楼屋顶天沟被树叶堵死，下雨水从顶楼外墙漫下来。")
    p.open("pigeons", "OTHER.MISC", "601室", "15000130556",
           "5号楼601室在屋顶养了几十只鸽子，鸽子屎弄脏各家窗台。")
    p.closed("stair_lamp", "FACIL.LAMP", "", "", 30,
             "5号楼一楼楼道窗口那盏灯坏了，大白天楼道里也黑乎乎的。",
             "物业更换楼道灯。")
    p.repeat("tree_light", "GREEN.LIGHT", "102室", "13800130512",
             "我家窗口那几棵大树把光全挡了，大白天屋里黑乎乎的，被子都是潮的", ("stair_lamp", "branch", "dead_tree"))
    p.repeat("branch", "GREEN.TRIM", "302室", "13900130532",
             "梧桐树枝又碰到我家空调外机了，风一吹啪啪敲", ("tree_light",))
    p.repeat("pigeons", "OTHER.MISC", "501室", "",
             "楼顶养鸽子的还在养，阳台上天天一层鸽子粪", ("gutter",))
    p.new("green_taken", "GREEN.DAMAGE", "402室", "",
          "5号楼门口新种的小树被人折断了", ("dead_tree",))

    p = book.place("桃源里")
    p.open("street_lamp", "FACIL.LAMP", "", "13700130333",
           "桃源里3号楼到5号楼之间那段路灯坏了一个多礼拜。")
    p.closed("pothole", "FACIL.ROAD", "", "", 33,
             "桃源里主路靠近车棚处路面塌了一个坑，下雨积水。",
             "已回填并铺设沥青，路面平整。")
    p.open("flood", "DRAIN.FLOOD", "", "13800130345",
           "桃源里大门口每逢下雨积水到小腿，雨水口被落叶盖住。")
    p.closed("shared_bike", "BIKE.DISORDER", "", "", 8,
             "桃源里门口人行道被共享单车占满，几十辆横七竖八，进出只能走机动车道。",
             "单车企业运维人员清运三十余辆，并设置停放区。")
    p.open("sort", "WASTE.SORT", "", "",
           "桃源里垃圾厢房早上没人值守，湿垃圾连袋扔进干垃圾桶里。")
    p.closed("dog_leash", "OTHER.MISC", "", "", 26,
             "桃源里3号楼和5号楼中间的小路上有人遛狗不牵绳，晚上遛弯的老人害怕。",
             "居委会上门提醒狗主人文明养犬。")
    p.repeat("street_lamp", "FACIL.LAMP", "", "",
             "三号楼跟五号楼中间的路灯还是黑的，晚上遛弯看不见路", ("dog_leash", "pothole"))
    p.repeat("flood", "DRAIN.FLOOD", "", "13800130345",
             "大门口一下雨又是一汪水，淌过去鞋子全湿", ("shared_bike", "pothole"))
    p.open("ramp", "FACIL.ROAD", "", "13700130333",
           "桃源里门口无障碍坡道被商户的水泥墩堵住，推轮椅出不去。")
    p.repeat("shared_bike", "BIKE.DISORDER", "", "",
             "门口那些小黄车小蓝车又堆成山了，推轮椅出不去", ("ramp", "flood"))
    p.new("access", "PROP.SECURITY", "", "",
          "桃源里大门口的道闸坏了一直抬着，外面的车随便开进来", ("flood", "shared_bike"))


def _tianping(book: Book) -> None:
    p = book.place("天平公寓", "1号楼")
    p.open("lift_stop", "PROP.LIFT", "", "13800131011",
           "天平公寓1号楼三部电梯只有一部能用，早高峰排队要等十分钟。")
    p.closed("lift_fault", "PROP.LIFT", "1905室", "13900131905", 65,
             "1号楼电梯卡在19楼和20楼之间，困人四十分钟。",
             "维保单位到场救出被困人员，更换平层感应器，电梯经检测恢复。")
    p.open("fire_door", "FIRE.CORRIDOR", "", "",
           "1号楼各层防火门被住户用砖头顶着常开，有的门闭门器坏了。")
    p.closed("smoking", "FIRE.CORRIDOR", "", "", 120,
             "1号楼有人在楼梯间抽烟乱扔烟头，把楼梯间纸箱引燃冒烟。",
             "物业清理楼梯间杂物，张贴禁烟告示并加装监控。")
    p.closed("fee", "PROP.FEE", "2301室", "15000132301", 30,
             "1号楼2301室对公摊电费有异议，认为电梯电费分摊不合理。",
             "物业出示公摊电费明细，房管办解释分摊方法，居民表示理解。")
    p.open("high_throw", "OTHER.MISC", "", "18600131088",
           "1号楼高空抛物：有人从高层往下扔垃圾袋，砸在底商门口雨棚上。")
    p.open("access:gate", "PROP.SECURITY", "", "",
           "1号楼地库出口早上排长队，道闸抬杆太慢，车子等半天出不去。")
    p.repeat("lift_stop", "PROP.LIFT", "806室", "",
             "1号楼又只开一个电梯，早上上班排长队，等半天下不去", ("access:gate", "lift_fault", "fee"))
    p.closed("access:store", "PROP.SECURITY", "", "", 200,
             "1号楼地下储藏室门锁坏了，住户被关在里面半个多小时。",
             "物业更换储藏室门锁，门内加装应急开门按钮。")
    p.repeat("lift_fault", "PROP.LIFT", "1905室", "13900131905",
             "电梯又把人关在里面了，卡在半中间，我儿媳被困了半个多小时", ("access:store", "lift_stop"))
    p.repeat("high_throw", "OTHER.MISC", "", "",
             "天平公寓1号楼楼上又往下丢东西，一袋垃圾掉在雨棚上炸开", ("smoking",))
    p.repeat("smoking", "FIRE.CORRIDOR", "1201室", "",
             "楼梯间又有人抽烟，地上全是烟头，旁边还堆了纸板，怕着火", ("fire_door",))
    p.new("fee", "PROP.FEE", "2301室", "15000132301",
          "物业说明年物业费要涨，业主大会都没开，我们不认", ("fee",),
          "同一户的另一项收费争议")


def _hunan(book: Book) -> None:
    p = book.place("湖南路弄", "8号")
    p.open("yard_shed", "BUILD.YARD", "101室", "13700130801",
           "8号底楼人家把天井加了顶棚做成厨房，后门被封死。")
    p.closed("gutter", "DRAIN.PIPE", "201室", "13600130822", 45,
             "8号201室外墙铸铁落水管锈穿，水一直往墙里渗。",
             "房管所更换落水管，墙面待干后修补。")
    p.open("termite", "OTHER.MISC", "", "13600130822",
           "8号木楼梯被白蚁蛀空，踩上去吱吱响，有一级已经塌了。")
    p.closed("corridor", "FIRE.CORRIDOR", "", "", 15,
             "8号木楼梯转角堆放旧报纸和木柴，居民担心失火。",
             "已清运旧报纸和木柴，楼梯转角张贴禁止堆物提示。")
    p.repeat("yard_shed", "BUILD.YARD", "201室", "13600130822",
             "楼下那户天井顶棚还在，现在又在里面砌灶头了，后门都堵了", ("corridor",))
    p.repeat("termite", "OTHER.MISC", "", "",
             "木楼梯白蚁越来越厉害，又塌了一级，老人上下楼太危险", ("corridor",))
    p.repeat("corridor", "FIRE.CORRIDOR", "", "",
             "楼梯拐角又堆了一堆木头和旧报纸，一点就着", ("termite",))
    p.new("gas_meter", "OTHER.MISC", "201室", "13600130822",
          "8号二楼灶披间煤气表老化，一直有股煤气味", ("corridor",))

    p = book.place("湖南路弄")
    p.closed("horn", "NOISE.TRAFFIC", "", "13900130899", 100,
             "湖南路弄口出租车等客一直按喇叭，夜里十一点以后还在按。",
             "交警在弄口设置禁鸣标志，并加强夜间巡查。")
    p.open("zombie_car", "BIKE.ZOMBIE", "", "",
           "湖南路弄内一辆银色旧桑塔纳停了三年没动，车牌也没了，疑似僵尸车。")
    p.closed("street_lamp", "FACIL.LAMP", "", "", 50,
             "湖南路弄内路灯灯罩掉了，灯泡忽明忽暗。",
             "路灯所更换灯具。")
    p.open("cats", "OTHER.MISC", "", "15000130866",
           "湖南路弄有人天天在弄堂里喂流浪猫，猫越来越多，夜里叫。")
    p.repeat("horn", "NOISE.TRAFFIC", "", "13900130899",
             "弄口出租车又在滴滴按喇叭了，半夜十二点还在按", ("zombie_car",))
    p.closed("fire_lane", "FIRE.ACCESS", "", "", 20,
             "湖南路弄里有辆桑塔纳天天停在弄堂口，挡住消防通道。",
             "联系车主挪车，弄堂口施划禁停线。")
    p.repeat("zombie_car", "BIKE.ZOMBIE", "", "",
             "那辆没牌照的破桑塔纳还停在弄堂里，轮胎都烂了", ("fire_lane", "horn"))
    p.repeat("cats", "OTHER.MISC", "", "",
             "弄堂里野猫越来越多了，还是那个人在喂，晚上叫得像小孩哭", ("street_lamp",))
    p.new("shop_outside", "SHOP.OUTSIDE", "", "",
          "湖南路弄口有人摆摊卖水果，占了半条路", ())
