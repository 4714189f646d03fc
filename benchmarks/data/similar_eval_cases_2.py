"""Hand-written records of the similar-case evaluation set, part 2: 春晖苑, 荷花里, 青枫苑, 翠竹新村, 锦绣苑, 丰泽小区,
景福里, 安居三村, 金桂园 (made-up compounds).

Everything here is made up: no case, person, phone number or room is real.
"""

from __future__ import annotations

from similar_eval_book import Book

# fmt: off


def add(book: Book) -> None:
    _chunhui(book)
    _hehua(book)
    _qingfeng(book)
    _cuizhu(book)
    _jinxiu(book)
    _fengze(book)
    _jingfu(book)
    _anju(book)
    _jingui(book)


def _chunhui(book: Book) -> None:
    p = book.place("春晖苑", "2号楼")
    p.closed("lift_stop", "PROP.LIFT", "1205室", "13800132125", 200,
             "2号楼电梯年检不合格被贴封停运，等待更换钢丝绳，住户出行困难。",
             "钢丝绳已更换，年检复检合格，电梯重新投用。")
    p.open("lift_fault", "PROP.LIFT", "", "13900132066",
           "2号楼电梯门关不严，关门时反复开合，有时夹到人。")
    p.open("roof_shed", "BUILD.ROOF", "1801室", "15000132118",
           "2号楼顶层1801室在屋顶平台搭建玻璃房，已在打地基。")
    p.closed("water_supply", "OTHER.MISC", "", "", 40,
             "2号楼早上七点左右突然停水，二次供水水箱清洗没提前通知。",
             "物业致歉，今后清洗水箱提前三天张贴通知。")
    p.closed("upstairs_leak", "DRAIN.PIPE", "1602室", "18600132162", 80,
             "1602室客厅天花板渗水，查为楼上1702室暖气片接头漏水。",
             "1702室更换暖气片接头，1602室顶面已修补。")
    p.repeat("lift_stop", "PROP.LIFT", "1205室", "13800132125",
             "2号楼电梯又坏了又贴了封条，说要换钢丝绳，上次不是刚换过吗", ("lift_fault",))
    p.closed("access", "PROP.SECURITY", "", "", 25,
             "2号楼单元门闭门器坏了，门开开关关关不上，还夹过小孩的手。",
             "物业更换闭门器。")
    p.repeat("lift_fault", "PROP.LIFT", "704室", "",
             "电梯门老是关不上，开开关关好几回，上次把我外孙的手夹了", ("access", "lift_stop"))
    p.repeat("roof_shed", "BUILD.ROOF", "1701室", "15000132171",
             "顶楼那家在楼顶盖玻璃房，现在钢架都立起来了，天天电焊", ())
    p.repeat("upstairs_leak", "DRAIN.PIPE", "1602室", "18600132162",
             "1602客厅顶上又湿了一大块，估计还是楼上暖气片漏", ("water_supply",))
    p.new("roof_shed", "OTHER.MISC", "903室", "",
          "2号楼顶楼平台堆了很多大水缸和花盆，怕把屋面压漏", ("roof_shed",),
          "屋顶堆物，不是原案的玻璃房")

    p = book.place("春晖苑")
    p.open("square_dance", "NOISE.NEIGH", "", "13700132200",
           "春晖苑南门广场两支广场舞队晚上抢场地，各放各的音响，吵得不行。")
    p.closed("parking", "FIRE.ACCESS", "", "", 22,
             "春晖苑2号楼到5号楼之间的消防车道被私装地锁占了三个车位。",
             "物业拆除三把私装地锁，消防车道施划黄色网格线。")
    p.closed("flood", "DRAIN.FLOOD", "", "", 300,
             "春晖苑地下车库入口下雨倒灌，车库积水半尺深。",
             "物业在车库入口加装挡水板和截水沟，并加大排水泵。")
    p.closed("dog_leash", "OTHER.MISC", "", "13800132288", 60,
             "春晖苑有住户遛狗不拴绳，大狗扑倒了一个小学生。",
             "居委会联合物业上门宣传文明养犬，狗主人已书面道歉。")
    p.open("bulky", "WASTE.BULKY", "", "",
           "春晖苑3号楼后面装修垃圾堆了半个月，都是碎砖和旧马桶。")
    p.repeat("square_dance", "NOISE.NEIGH", "", "",
             "南门广场那两帮跳舞的又在比谁音响大，一个比一个响", ())
    p.repeat("parking", "FIRE.ACCESS", "", "",
             "2号楼和5号楼中间那条消防车道又被人装了地锁", ("flood",))
    p.closed("cats", "OTHER.MISC", "", "", 15,
             "春晖苑小区里有几条流浪狗乱窜，小孩放学不敢一个人走。",
             "联系犬只收容部门捕捉三条流浪狗。")
    p.repeat("dog_leash", "OTHER.MISC", "", "",
             "又看到有人遛大狗不牵绳，在小区里乱窜，小孩吓得不敢下楼", ("cats", "square_dance"))
    p.repeat("bulky", "WASTE.BULKY", "", "",
             "3号楼后头那堆碎砖头破马桶还在，都快一个月了", ())
    p.new("stair_lamp", "FACIL.LAMP", "", "",
          "春晖苑地下车库的灯坏了一半，晚上取车黑咕隆咚", ("flood",))


def _hehua(book: Book) -> None:
    p = book.place("荷花里", "11号")
    p.closed("flying_lead", "FIRE.CHARGE", "301室", "13600131130", 70,
             "11号301室飞线充电：接线板从窗口吊下来给电动车充电，电线挂在弄堂半空。",
             "网格员会同物业拆除飞线，住户签订安全承诺，改用弄口充电柜。")
    p.open("gas", "FIRE.CORRIDOR", "", "13900131121",
           "11号公共走廊堆放煤气罐和旧煤气灶，有住户在走廊里烧饭。")
    p.open("upstairs_leak", "DRAIN.PIPE", "201室", "13900131121",
           "11号201室卫生间顶上渗水，楼上301室说不是他家的。")
    p.closed("access", "PROP.SECURITY", "", "", 14,
             "11号前门弹簧锁坏了，门一直关不上，晚上有陌生人进来睡觉。",
             "已更换门锁和闭门器。")
    p.repeat("flying_lead", "FIRE.CHARGE", "201室", "",
             "三楼那户又从窗口挂电线下来充电瓶车了，线吊在半空中，晚上看不见", ("gas", "upstairs_leak"))
    p.repeat("gas", "FIRE.CORRIDOR", "", "",
             "走廊里那些液化气罐还在，还有人在门口炒菜，明火都有", ("flying_lead",))
    p.repeat("upstairs_leak", "DRAIN.PIPE", "201室", "13900131121",
             "卫生间顶上还在渗水，楼上一直说不关他事，到底谁来管", ("flying_lead",))
    p.repeat("access", "PROP.SECURITY", "", "13800131199",
             "前门锁又坏了，晚上门开着，昨天有个流浪汉睡在楼梯下面", ("gas",))

    p = book.place("荷花里", "6号")
    p.open("corridor", "FIRE.CORRIDOR", "", "13700130606",
           "6号楼梯过道里摆了两个旧冰箱和一张八仙桌，楼梯只够一个人过。")
    p.closed("renovation", "NOISE.BUILD", "", "", 35,
             "6号二楼装修天天早上七点不到就敲墙，楼里有上夜班的人。",
             "已约谈装修队，调整为八点以后施工。")
    p.open("rats", "OTHER.MISC", "101室", "15000130601",
           "6号101室灶间老鼠成群，咬坏米袋和电线，怀疑从下水道上来。")
    p.repeat("corridor", "FIRE.CORRIDOR", "", "",
             "6号楼梯上那两台旧冰箱还摆着，桌子也没搬，走路要侧着身", ("rats",))
    p.closed("wires", "OTHER.MISC", "101室", "15000130601", 25,
             "6号101室灶披间电线老化，电饭煲一插就跳闸冒火星。",
             "电工上门更换灶间线路和插座。")
    p.repeat("rats", "OTHER.MISC", "101室", "15000130601",
             "灶披间里老鼠还是很多，昨晚把电饭煲的电线都咬断了", ("wires", "corridor"))
    p.new("renovation", "NOISE.BUILD", "", "",
          "6号三楼又有一家开始装修，礼拜天一大早电钻钻个不停", ("renovation",),
          "另一户的装修，不是原案二楼那家")


def _qingfeng(book: Book) -> None:
    p = book.place("青枫苑", "9号楼")
    p.open("lift_stop", "PROP.LIFT", "", "13800130909",
           "9号楼电梯停运三天，物业说主板烧了，要等厂家发货。")
    p.closed("ebike_indoor", "FIRE.CHARGE", "", "", 30,
             "9号楼住户推电动车进电梯，电梯里装的阻车器被人拔了线。",
             "维保单位修复电动车阻车识别系统，物业加强巡查。")
    p.open("corridor", "FIRE.CORRIDOR", "", "13900130977",
           "9号楼消防楼梯里堆了大量快递纸箱和泡沫箱，各楼层都有。")
    p.closed("group_rent", "OTHER.MISC", "1504室", "15000131503", 180,
             "9号楼1504室群租，一套房住了十二个人，晚上吵闹。",
             "派出所、房管办联合整治，清退多余租住人员，拆除隔断。")
    p.open("water_pressure", "OTHER.MISC", "1702室", "18600131702",
           "9号楼17楼以上早晚水压低，洗衣机进水报警。")
    p.repeat("lift_stop", "PROP.LIFT", "1102室", "",
             "青枫苑9号楼电梯三天了还没修好，说等什么主板，我腿不好天天爬11楼", ("ebike_indoor",))
    p.repeat("corridor", "FIRE.CORRIDOR", "", "",
             "9号楼消防楼梯全是纸箱子，楼梯都快堵住了", ("ebike_indoor",))
    p.repeat("group_rent", "OTHER.MISC", "1503室", "15000131503",
             "1504又在群租，门口一排鞋，半夜还有人拖行李", ("corridor",))
    p.repeat("water_pressure", "OTHER.MISC", "1702室", "18600131702",
             "楼层高水上不来，洗衣机老是报进水故障", ("lift_stop",))
    p.new("lift_phone", "PROP.LIFT", "1102室", "",
          "9号楼电梯里的应急电话按了没人接", ("lift_stop",))

    p = book.place("青枫苑")
    p.closed("motorbike", "NOISE.TRAFFIC", "", "13700131966", 150,
             "青枫苑靠高架一侧，夜里摩托车炸街轰油门，一晚上好几趟。",
             "交警在路段增设噪声抓拍，查处改装摩托车多辆。")
    p.open("street_lamp", "FACIL.LAMP", "", "",
           "青枫苑小区东门到9号楼的庭院灯一排都不亮。")
    p.open("fitness", "FACIL.FITNESS", "", "13600131999",
           "青枫苑儿童滑梯有一块塑料板裂开，边缘很锋利。")
    p.closed("sort", "WASTE.SORT", "", "", 10,
             "青枫苑垃圾投放点的破袋台坏了，湿垃圾撒一地。",
             "物业更换破袋台并增设洗手池。")
    p.repeat("motorbike", "NOISE.TRAFFIC", "", "13700131966",
             "半夜又有摩托车在高架下面轰油门，一趟一趟的，吵死了", ())
    p.repeat("street_lamp", "FACIL.LAMP", "", "",
             "东门进来到9号楼那排灯还是不亮，黑灯瞎火的", ("fitness",))
    p.repeat("fitness", "FACIL.FITNESS", "", "13600131999",
             "儿童滑梯那块裂开的板子还没换，小孩玩会划破手", ("street_lamp",))
    p.new("flood", "DRAIN.FLOOD", "", "",
          "青枫苑东门口积水，雨水口好像堵了", ("street_lamp",))


def _cuizhu(book: Book) -> None:
    p = book.place("翠竹新村", "14号")
    p.closed("yard_shed", "BUILD.YARD", "101室", "13800131401", 90,
             "14号101室在楼前绿地上围铁栅栏，圈成自家院子种菜。",
             "城管中队责令拆除栅栏，绿地已恢复。")
    p.open("tree_light", "GREEN.LIGHT", "201室", "13900131420",
           "14号南面的雪松太高太密，201室和301室阳台终年照不到太阳。")
    p.open("gas", "FIRE.CORRIDOR", "401室", "15000131440",
           "14号401室把液化气钢瓶放在楼梯平台上，说家里没地方放。")
    p.closed("stair_lamp", "FACIL.LAMP", "", "", 5,
             "14号楼道感应灯全坏，晚上老人上下楼摔了一跤。",
             "物业更换六只感应灯。")
    p.repeat("yard_shed", "BUILD.YARD", "201室", "13900131420",
             "101又把楼前绿地围起来了，铁栏杆又装上了，还种了丝瓜", ("tree_light",))
    p.repeat("tree_light", "GREEN.LIGHT", "301室", "",
             "楼前那几棵雪松还是没修，阳台晒不到太阳，被子一股霉味", ("yard_shed",))
    p.repeat("gas", "FIRE.CORRIDOR", "402室", "",
             "401那个煤气罐还放在楼梯口，上下楼都要绕过去", ("stair_lamp",))
    p.closed("facade", "OTHER.MISC", "", "", 12,
             "14号楼道窗户合页坏了，上回修好没几天又掉下来，窗扇悬着。",
             "物业更换合页并加装限位器。")
    p.repeat("stair_lamp", "FACIL.LAMP", "", "",
             "楼道里的灯又坏了，黑乎乎的，上回修好没几天", ("facade", "gas"))
    p.new("access", "PROP.SECURITY", "501室", "",
          "14号顶楼通往屋顶的铁门锁被撬了，小孩会爬上去", ("stair_lamp",))

    p = book.place("翠竹新村", "16号")
    p.closed("tree_light", "GREEN.LIGHT", "101室", "13700131601", 180,
             "16号101室前面的水杉挡光，屋里潮湿，申请修剪。",
             "绿化所修剪水杉侧枝。")
    p.open("flying_lead", "FIRE.CHARGE", "", "13800131677",
           "16号有人从二楼窗口垂下电线给楼下电动三轮车充电。")
    p.closed("high_throw", "OTHER.MISC", "", "", 55,
             "16号有住户从楼上往下倒剩饭剩菜，落在一楼晾衣架上。",
             "居委会上门劝导并张贴文明公约。")
    p.repeat("flying_lead", "FIRE.CHARGE", "", "13800131677",
             "二楼那根充电线还从窗户挂下来，电动三轮停在下面充一夜", ("high_throw",))
    p.new("yard_shed", "BUILD.YARD", "101室", "13700131601",
          "16号101室隔壁一楼在院子里搭了个阳光棚", ("tree_light",))


def _jinxiu(book: Book) -> None:
    p = book.place("锦绣苑", "6号楼")
    p.open("lift_stop", "PROP.LIFT", "", "13900130666",
           "锦绣苑6号楼电梯从昨天下午停到现在，楼里有位透析病人要出门。")
    p.closed("lift_screen", "PROP.LIFT", "1203室", "13800131203", 60,
             "6号楼电梯里电视广告声音太大，早晚循环播放。",
             "已联系广告公司将轿厢广告屏调为静音。")
    p.open("flying_lead", "FIRE.CHARGE", "201室", "",
           "6号楼2楼有住户从阳台垂下插线板给楼下电动车充电。")
    p.closed("charger", "PROP.FEE", "", "15000130612", 45,
             "6号楼车棚充电桩收费太贵，充一次要三四块钱，居民有意见。",
             "物业公示充电收费标准，下调夜间充电价格。")
    p.open("fee", "PROP.FEE", "1203室", "13800131203",
           "1203室反映物业费按建筑面积收，车位管理费又另收，想要收费明细。")
    p.closed("upstairs_leak", "DRAIN.PIPE", "905室", "18600130905", 25,
             "905室天花板渗水，楼上1005室热水器进水管爆了。",
             "1005室已更换热水器进水软管，905室损失双方协商赔偿。")
    p.repeat("lift_stop", "PROP.LIFT", "1602室", "",
             "6号楼电梯到现在还不动，我爸要去医院透析，下不了楼啊", ("lift_screen",))
    p.open("aircon", "NOISE.NEIGH", "", "",
           "6号楼二楼空调外机冷凝水往下滴，楼下停的电瓶车座垫天天湿的。")
    p.repeat("flying_lead", "FIRE.CHARGE", "301室", "13600130631",
             "二楼阳台还在往下吊插座给电瓶车充电，线就拖在草地上", ("aircon", "charger"))
    p.repeat("lift_screen", "PROP.LIFT", "1203室", "13800131203",
             "电梯里那个广告屏声音又开了，吵得头痛", ("lift_stop", "fee"))
    p.repeat("upstairs_leak", "DRAIN.PIPE", "905室", "18600130905",
             "905天花板又渗水了，又是楼上热水器那根管子", ())
    p.new("parking", "OTHER.MISC", "1203室", "13800131203",
          "6号楼我的地下车位被外面的车占了，物业不管", ("fee",))

    p = book.place("锦绣苑")
    p.open("build_night", "NOISE.BUILD", "", "13700130688",
           "锦绣苑北面地铁工地夜里打桩，凌晨一两点还在施工。")
    p.closed("street_lamp", "FACIL.LAMP", "", "", 60,
             "锦绣苑北门外人行道路灯不亮，工地围挡旁边很黑。",
             "路灯所修复线路，路灯恢复。")
    p.closed("shared_bike", "BIKE.DISORDER", "", "", 16,
             "锦绣苑北门口共享单车乱停，堵住小区出入口。",
             "运维人员清运并在门外划定停放区。")
    p.repeat("build_night", "NOISE.BUILD", "", "",
             "北面工地晚上还在打桩，咚咚咚一直到后半夜", ("street_lamp",))
    p.open("fire_lane", "FIRE.ACCESS", "", "",
           "锦绣苑北门门口快递车停满，电瓶车、行人都进不去。")
    p.repeat("shared_bike", "BIKE.DISORDER", "", "13700130688",
             "北门门口单车又停满了，电瓶车都开不进去", ("fire_lane", "street_lamp"))


def _fengze(book: Book) -> None:
    p = book.place("丰泽小区", "3号楼")
    p.closed("lift_stop", "PROP.LIFT", "", "", 15,
             "丰泽小区3号楼电梯停运，维保单位称变频器故障。",
             "维保更换变频器后电梯已正常运行。")
    p.open("corridor", "FIRE.CORRIDOR", "", "13800130355",
           "3号楼5楼走道里放了两只旧冰箱和一个旧衣柜。")
    p.closed("flying_lead", "FIRE.CHARGE", "101室", "", 100,
             "3号楼101室在自家窗口拉电线到楼道口，给三辆电瓶车充电。",
             "已拆除电线，住户改到小区充电棚充电。")
    p.open("upstairs_noise", "NOISE.NEIGH", "402室", "13900130342",
           "3号楼502室小孩在家跳绳拍球，楼下402室老人受不了。")
    p.closed("dog_bark", "NOISE.NEIGH", "", "15000130377", 40,
             "3号楼601室养的两条狗白天关在阳台上一直叫。",
             "调解员上门沟通，狗主人已将狗移到室内。")
    p.open("corridor:lobby", "FIRE.CORRIDOR", "", "",
           "3号楼一楼大堂有人把电瓶车停在那里一直不动，住户反映挡路。")
    p.repeat("lift_stop", "PROP.LIFT", "702室", "13600130372",
             "3#楼电梯又不能用，停在一楼不动，住户反映", ("corridor:lobby", "corridor"))
    p.repeat("corridor", "FIRE.CORRIDOR", "501室", "",
             "5楼走廊那两个冰箱一个柜子还没搬走，挡路", ("corridor:lobby", "lift_stop"))
    p.repeat("flying_lead", "FIRE.CHARGE", "201室", "",
             "101又从窗户拉线给电瓶车充电了，就在楼道口", ("corridor",))
    p.repeat("upstairs_noise", "NOISE.NEIGH", "402室", "13900130342",
             "楼上小孩天天蹦跳拍皮球，晚上九点还咚咚咚", ("dog_bark",))
    p.repeat("dog_bark", "NOISE.NEIGH", "502室", "15000130377",
             "601家的狗又关在阳台上叫，一叫叫一下午", ("upstairs_noise",))

    p = book.place("丰泽小区", "8号楼")
    p.open("lift_stop", "PROP.LIFT", "", "18600130808",
           "丰泽小区8号楼电梯停用，贴了加装改造通知，住户不清楚工期。")
    p.closed("fire_lane", "FIRE.ACCESS", "", "", 30,
             "8号楼门前消防登高场地停满私家车。",
             "物业施划禁停标线并设置隔离桩。")
    p.new("hoarding", "FACIL.ROAD", "", "",
          "丰泽8号楼门口电梯改造的围挡占了半条路", ("lift_stop", "fire_lane"),
          "施工围挡占道，不是电梯停用本身")

    p = book.place("丰泽小区")
    p.new("policy", "POLICY.ELDER", "", "",
          "我爸今年满80了，那个老年补贴怎么领，要带什么", ())
    p.new("policy", "POLICY.SOCIAL", "", "",
          "孩子在外地上学，医保在这边怎么续交", ())


def _jingfu(book: Book) -> None:
    p = book.place("景福里", "25号")
    p.open("yard_shed", "BUILD.YARD", "101室", "13700132525",
           "25号底楼住户把后门外公共通道圈进来，搭了简易房放杂物。")
    p.closed("roof_leak", "OTHER.MISC", "301室", "13800132531", 200,
             "25号三楼屋面瓦片碎了，下雨漏到301室床上。",
             "房管所翻修屋面瓦片并做防水，雨天回访无渗漏。")
    p.closed("street_lamp", "FACIL.LAMP", "", "", 20,
             "25号门口墙上的弄堂灯不亮了，晚上进门看不见。",
             "已更换灯泡。")
    p.open("corridor", "FIRE.CORRIDOR", "", "",
           "25号楼梯下面堆着旧床板、藤椅，还有人放了电瓶。")
    p.open("rubbish", "WASTE.STATION", "", "",
           "25号后门口的垃圾桶被人挪走，住户倒垃圾要绕到弄口。")
    p.repeat("yard_shed", "BUILD.YARD", "201室", "",
             "楼下那户占了后门通道搭的房子还没拆，我们倒垃圾都要绕路", ("rubbish", "corridor"))
    p.repeat("roof_leak", "OTHER.MISC", "301室", "13800132531",
             "屋顶又漏雨了，滴到床上，还是去年修过的那块", ("yard_shed",))
    p.repeat("corridor", "FIRE.CORRIDOR", "", "13700132525",
             "楼梯底下那堆旧床板藤椅还在，现在又多了几个电瓶", ("street_lamp",))
    p.new("sewer_overflow", "DRAIN.COVER", "", "",
          "25号门口下水道反臭，夏天味道很重", ("street_lamp",))

    p = book.place("景福里")
    p.open("horn", "NOISE.TRAFFIC", "", "13900132500",
           "景福里紧邻隧道出入口，晚上车流大，鸣笛声不断，朝马路的房间没法睡。")
    p.closed("shop_outside", "SHOP.OUTSIDE", "", "", 35,
             "景福里弄口早点摊把蒸笼炉子摆到人行道上。",
             "城管责令收回店内经营。")
    p.open("rubbish", "WASTE.STATION", "", "",
           "景福里垃圾箱房周末没人收，垃圾袋堆到弄堂里。")
    p.repeat("horn", "NOISE.TRAFFIC", "", "",
             "隧道那边的车喇叭一晚上没停过，临街的房间根本睡不着", ())
    p.repeat("shop_outside", "SHOP.OUTSIDE", "", "13900132500",
             "弄口卖早点的又把炉子蒸笼摆到人行道了，走路要下到马路上", ("rubbish",))
    p.repeat("rubbish", "WASTE.STATION", "", "",
             "周末垃圾又没人来拉，堆在弄堂里发臭", ("shop_outside",))


def _anju(book: Book) -> None:
    p = book.place("安居三村", "41号")
    p.open("group_rent", "OTHER.MISC", "502室", "13800134150",
           "41号502室隔成五间出租，阳台也住了人，用电负荷大经常跳闸。")
    p.closed("tree_light", "GREEN.LIGHT", "102室", "13900134102", 60,
             "41号前面的银杏树遮挡一楼、二楼采光，居民要求修剪。",
             "绿化所已修剪银杏树下层枝条。")
    p.open("manhole_broken", "DRAIN.COVER", "", "15000134100",
           "41号楼门口窨井盖碎裂塌陷，已有电瓶车轮卡进去。")
    p.closed("flying_lead", "FIRE.CHARGE", "502室", "", 12,
             "41号502室租客从窗户甩线到楼下给电动车充电。",
             "电线已拆除，并约谈房东管好租客。")
    p.open("upstairs_leak", "DRAIN.PIPE", "302室", "18600134302",
           "41号302室厨房天花板渗水发霉，楼上402室水管接口漏。")
    p.repeat("group_rent", "OTHER.MISC", "501室", "13800134150",
             "对门502那家群租房还是住着很多人，这两天又跳闸好几次", ("flying_lead",))
    p.repeat("manhole_broken", "DRAIN.COVER", "", "",
             "41号门口那个碎掉的井盖还没换，今天又有电动车轮子卡进去了", ())
    p.repeat("flying_lead", "FIRE.CHARGE", "402室", "",
             "502的租客又从窗户扔电线下去充电瓶车", ("group_rent",))
    p.repeat("upstairs_leak", "DRAIN.PIPE", "302室", "18600134302",
             "厨房顶上还在漏，霉斑越来越大，楼上一直不修", ("manhole_broken",))
    p.new("green_taken", "GREEN.DAMAGE", "102室", "13900134102",
          "41号楼前草坪被人停车压坏了，一片泥", ("tree_light",))

    p = book.place("安居三村", "43号")
    p.closed("group_rent", "OTHER.MISC", "301室", "", 90,
             "43号301室住了七八个年轻人，楼道里常有陌生人进出。",
             "房东已清退多余租客，签订合规租赁承诺。")
    p.open("upstairs_leak", "DRAIN.PIPE", "202室", "13700134320",
           "43号202室卫生间吊顶滴水，楼上302室下水管老化。")
    p.new("stack_blocked", "DRAIN.PIPE", "102室", "",
          "43号102室厨房下水管堵了，洗碗水半天下不去", ("upstairs_leak",))


def _jingui(book: Book) -> None:
    p = book.place("金桂园", "5号楼")
    p.open("lift_stop", "PROP.LIFT", "", "13800130505",
           "金桂园5号楼电梯停运，物业贴通知说更换主机，要停一个月。")
    p.closed("lift_fault", "PROP.LIFT", "", "", 10,
             "5号楼电梯轿厢照明灯坏了，里面漆黑一片。",
             "维保更换轿厢照明。")
    p.closed("fee", "PROP.FEE", "1102室", "13900131102", 90,
             "5号楼1102室质疑电梯更新费用从维修基金列支的表决程序。",
             "房管办解释表决结果和公示流程，居民认可。")
    p.closed("water_supply", "OTHER.MISC", "", "", 12,
             "5号楼停水两天，物业说二次供水水泵坏了。",
             "水泵已更换，供水恢复。")
    p.closed("renovation", "NOISE.BUILD", "902室", "15000130902", 30,
             "5号楼902室反映楼下802室装修周末一早就开始砸墙。",
             "约谈装修队，周末上午九点前不得施工。")
    p.repeat("lift_stop", "PROP.LIFT", "1701室", "",
             "5号楼电梯要停一个月，我七十多了怎么爬17楼，能不能先想个临时办法", ("lift_fault", "fee"))
    p.closed("flood", "DRAIN.FLOOD", "", "", 60,
             "5号楼地下室排水泵坏了，下雨后地下室又进水。",
             "物业更换排水泵，地下室积水已抽干。")
    p.repeat("water_supply", "OTHER.MISC", "", "",
             "5号楼又没水了，是不是水泵又坏了", ("flood", "lift_stop"))
    p.repeat("renovation", "NOISE.BUILD", "902室", "15000130902",
             "楼下又在装修砸墙了，礼拜天早上七点就开始", ())
    p.new("fee", "PROP.FEE", "1102室", "13900131102",
          "5号楼电梯停一个月，这期间物业费能不能减免", ("fee", "lift_stop"))

    p = book.place("金桂园", "7号楼")
    p.open("lift_stop", "PROP.LIFT", "", "",
           "金桂园7号楼1号电梯停运，2号电梯超负荷。")
    p.closed("ebike_indoor", "FIRE.CHARGE", "", "", 25,
             "7号楼有人把电动车停在一楼大堂充电。",
             "物业劝离并安装监控。")
    p.closed("access", "PROP.SECURITY", "", "", 44,
             "7号楼单元门禁刷卡失灵，门一直开着。",
             "门禁控制器已更换。")
    p.new("access", "PROP.SECURITY", "", "13600130707",
          "7号楼地下车库通往楼里的门禁坏了，谁都能进", ("access", "lift_stop"),
          "车库门禁，不是原案的单元门禁")

    p = book.place("金桂园")
    p.closed("build_night", "NOISE.BUILD", "", "", 180,
             "金桂园东侧商品房工地夜间浇混凝土，噪声扰民。",
             "城管责令夜间停工，工地补办夜间施工许可并公示。")
    p.open("flood", "DRAIN.FLOOD", "", "",
           "金桂园西门内道路雨后积水，雨水篦子被垃圾堵住。")
    p.closed("street_lamp", "FACIL.LAMP", "", "", 22,
             "金桂园环路南段三盏路灯不亮，晚上很黑。",
             "修复线路。")
    p.repeat("build_night", "NOISE.BUILD", "", "",
             "东边工地晚上又在浇混凝土了，搅拌车轰到半夜", ("flood",))
