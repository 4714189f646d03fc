# ruff: noqa: E501
"""Hand-written records of the similar-case evaluation set, part 3: 松涛苑, 望江公寓, 福寿新村, 玉兰苑, 和平里, 双桥小区,
银杏坊, 东风新村 (made-up compounds).

Everything here is made up: no case, person, phone number or room is real. Some addresses only hold earlier cases:
the same problems in the next building, so that a search which ignores the address finds the wrong one.
"""

from __future__ import annotations

from similar_eval_book import Book

# fmt: off


def add(book: Book) -> None:
    _songtao(book)
    _wangjiang(book)
    _fushou(book)
    _yulan(book)
    _heping(book)
    _shuangqiao(book)
    _yinxing(book)
    _dongfeng(book)


def _songtao(book: Book) -> None:
    p = book.place("松涛苑", "10号楼")
    p.closed("lift_stop", "PROP.LIFT", "", "13800131010", 120,
             "10号楼两部电梯有一部停用三周，物业说要等配件，早晚排长队。",
             "更换门机控制板，停用的电梯恢复运行。")
    p.open("ebike_indoor", "FIRE.CHARGE", "", "13900131077",
           "10号楼有人把电动车电池拎回家充电，晚上就放在走廊里充。")
    p.closed("bin_smell", "WASTE.STATION", "", "", 20,
             "10号楼垃圾桶摆在单元门口，夏天异味大、苍蝇多。",
             "垃圾桶移回箱房，单元门口每日冲洗。")
    p.closed("corridor", "FIRE.CORRIDOR", "1601室", "15000131016", 65,
             "10号楼16楼公共走道被住户装了铁门圈进自家，消防栓也在里面。",
             "城管中队责令拆除铁门，公共走道恢复通行。")
    p.closed("aircon", "NOISE.NEIGH", "803室", "18600130803", 45,
             "10号楼803室空调外机支架松动，运行时震得窗户响。",
             "物业协助住户加固外机支架。")
    p.repeat("lift_stop", "PROP.LIFT", "1205室", "",
             "10号楼又有一部电梯停了，又说等零件，上班高峰挤都挤不上", ("ebike_indoor",))
    p.repeat("ebike_indoor", "FIRE.CHARGE", "702室", "13900131077",
             "走廊里还有人给电瓶车电池充电，插一晚上，我们提心吊胆", ("corridor",))
    p.repeat("corridor", "FIRE.CORRIDOR", "1602室", "",
             "16楼那户把走廊又用铁门封起来了，消火栓又被关在里面", ("ebike_indoor",))
    p.repeat("bin_smell", "WASTE.STATION", "", "",
             "楼门口垃圾桶臭死了，苍蝇嗡嗡的，怎么又搬回门口放了", ())
    p.new("facade", "OTHER.MISC", "803室", "18600130803",
          "10号楼外墙瓷砖掉下来，砸到停在楼下的车", ("aircon",))

    p = book.place("松涛苑", "11号楼")
    p.open("lift_stop", "PROP.LIFT", "", "13700131111",
           "11号楼电梯停运一周，物业称电梯更新改造，未公布完工时间。")
    p.closed("upstairs_leak", "DRAIN.PIPE", "702室", "13600131172", 75,
             "11号楼702室卧室天花板渗水，楼上802室地暖管漏水。",
             "802室维修地暖管，702室天花板已重新批嵌。")
    p.closed("flying_lead", "FIRE.CHARGE", "", "", 30,
             "11号楼一楼住户把电线从窗户甩出去，给门口的电瓶车充电。",
             "已拆除飞线。")
    p.closed("tree_light", "GREEN.LIGHT", "201室", "15000131120", 130,
             "11号楼201室反映楼前香樟和桂花树挡住阳台，常年没有阳光。",
             "绿化所修剪楼前树木，打开采光面。")
    p.open("aircon", "NOISE.NEIGH", "201室", "15000131120",
           "11号楼201室阳台晾的衣服被楼上空调滴水弄湿，晒不干，请物业协调。")
    p.repeat("tree_light", "GREEN.TRIM", "201室", "15000131120",
             "阳台前面那些树又长密了，太阳一点都晒不进来，请再剪一次", ("aircon", "flying_lead"),
             "登记为树木修剪，原案是树木遮挡采光")
    p.repeat("upstairs_leak", "DRAIN.PIPE", "702室", "13600131172",
             "702卧室天花板又有水印了，还是楼上地暖那里吧", ("lift_stop",))

    p = book.place("松涛苑")
    p.closed("square_dance", "NOISE.NEIGH", "", "", 85,
             "松涛苑会所门前广场舞音响声音大，晚上九点后还在跳。",
             "居委会协调舞队九点前结束并使用定向音箱。")
    p.open("parking", "OTHER.MISC", "", "13800131099",
           "松涛苑地面车位有人私装地锁，占着公共车位不让别人停。")
    p.closed("fitness", "FACIL.FITNESS", "", "", 140,
             "松涛苑健身区的太空漫步器踏板脱落。",
             "器材厂家上门更换踏板。")


def _wangjiang(book: Book) -> None:
    p = book.place("望江公寓", "2号楼")
    p.open("lift_stop", "PROP.LIFT", "", "13800132002",
           "望江公寓2号楼唯一一部电梯停运，楼里多是老人，出行困难。")
    p.closed("water_supply", "OTHER.MISC", "", "13900132015", 15,
             "2号楼屋顶水箱水发黄有异味，居民担心水质。",
             "物业清洗消毒水箱并送检水质，结果合格。")
    p.closed("water_pressure", "OTHER.MISC", "1401室", "15000131401", 70,
             "2号楼高层水压不够，14楼以上水龙头出水很小。",
             "物业调高变频供水泵出水压力，高层用水恢复正常。")
    p.closed("corridor", "FIRE.CORRIDOR", "", "", 50,
             "2号楼电梯厅被住户放了旧沙发和自行车。",
             "物业清理电梯厅。")
    p.closed("high_throw", "OTHER.MISC", "", "18600132099", 110,
             "2号楼有人从高层往下扔酒瓶，碎玻璃落在楼下人行道。",
             "民警调取监控找到当事人，已批评教育并签承诺书。")
    p.open("stair_lamp", "FACIL.LAMP", "", "",
           "望江公寓2号楼楼道灯坏了，楼里老人多，晚上上下楼不方便，居民来电。")
    p.repeat("lift_stop", "PROP.LIFT", "1101室", "",
             "望江2#电梯停，老人多，居民来电催修", ("stair_lamp", "corridor"))
    p.repeat("water_supply", "OTHER.MISC", "", "13900132015",
             "水龙头放出来的水又是黄的，有股怪味，水箱是不是又脏了", ("water_pressure",))
    p.closed("gas_meter", "OTHER.MISC", "1502室", "", 55,
             "2号楼1502室燃气热水器打不着火，怀疑燃气管道压力不足。",
             "燃气公司检测管道压力正常，更换热水器点火针。")
    p.repeat("water_pressure", "OTHER.MISC", "1501室", "",
             "15楼水流小得可怜，热水器都打不着", ("gas_meter", "water_supply"))
    p.repeat("corridor", "FIRE.CORRIDOR", "", "",
             "电梯厅又有人放了旧沙发，还有几辆自行车", ("lift_stop",))
    p.repeat("high_throw", "OTHER.MISC", "", "",
             "2号楼上面又有人往下丢瓶子，啪一声碎了一地，差点砸到人", ())

    p = book.place("望江公寓", "3号楼")
    p.closed("lift_stop", "PROP.LIFT", "", "", 35,
             "望江公寓3号楼电梯停运两天，维保更换门锁回路。",
             "电梯恢复运行。")
    p.open("upstairs_leak", "DRAIN.PIPE", "1203室", "13700131203",
           "3号楼1203室卫生间吊顶滴水，楼上1303室出租户联系不上。")
    p.closed("gas", "FIRE.CORRIDOR", "", "", 95,
             "3号楼有住户在消防楼梯间存放两只液化气钢瓶。",
             "已督促住户移走钢瓶。")
    p.repeat("upstairs_leak", "DRAIN.PIPE", "1203室", "13700131203",
             "卫生间顶还在滴，楼上租房的人一直不开门", ("lift_stop",))

    p = book.place("望江公寓")
    p.closed("horn", "NOISE.TRAFFIC", "", "13600132600", 200,
             "望江公寓临沿江路，夜里集卡车经过一路按喇叭。",
             "交警在路段设置禁鸣标志和鸣笛抓拍。")
    p.open("street_lamp", "FACIL.LAMP", "", "",
           "望江公寓2号楼和3号楼之间的庭院灯坏了。")
    p.closed("dog_leash", "OTHER.MISC", "", "", 40,
             "望江公寓有人在大堂遛狗不牵绳，狗在电梯口便溺。",
             "物业张贴文明养犬告示并约谈狗主人。")
    p.closed("fire_lane", "FIRE.ACCESS", "", "", 28,
             "望江公寓大门内消防通道被送货面包车长期占用。",
             "物业设置隔离桩，送货车辆改停指定位置。")
    p.repeat("horn", "NOISE.TRAFFIC", "", "13600132600",
             "沿江路上那些集卡半夜又开始按喇叭了，一按好长一声", ("street_lamp",))
    p.repeat("fire_lane", "FIRE.ACCESS", "", "",
             "大门进来那条消防车道又被送货车占了", ("dog_leash",))


def _fushou(book: Book) -> None:
    p = book.place("福寿新村", "7号")
    p.closed("yard_shed", "BUILD.YARD", "101室", "13800130701", 200,
             "7号101室在房子后面搭建彩钢棚，占用公共通道。",
             "城管中队拆除彩钢棚，通道恢复。")
    p.open("sewer_overflow", "DRAIN.COVER", "", "13900130777",
           "7号楼前化粪池井盖被压碎，粪水溢到路面。")
    p.closed("handrail", "OTHER.MISC", "", "", 30,
             "7号楼梯扶手松脱，老人上下楼不安全。",
             "房管所加固楼梯扶手。")
    p.closed("stair_lamp", "FACIL.LAMP", "", "", 8,
             "7号楼道灯不亮，开关按了没反应。",
             "物业更换开关和灯泡。")
    p.open("roof_shed", "BUILD.ROOF", "602室", "15000130760",
           "7号602室在屋顶搭鸽棚，还在楼顶放了很多泡沫箱种菜。")
    p.repeat("yard_shed", "BUILD.YARD", "102室", "13600130702",
             "101后面那个铁皮棚又搭起来了，通道又被堵死了", ("roof_shed",))
    p.repeat("sewer_overflow", "DRAIN.COVER", "", "",
             "楼前那个化粪池盖子还是碎的，粪水往外冒，整个楼都臭", ())
    p.repeat("stair_lamp", "FACIL.LAMP", "", "13900130777",
             "楼道灯又坏了，开关按半天不亮，上礼拜刚换过", ("handrail",))
    p.repeat("handrail", "OTHER.MISC", "", "",
             "楼梯扶手又松了，一扶就晃，我们老人害怕", ("stair_lamp",))
    p.repeat("roof_shed", "BUILD.ROOF", "601室", "",
             "楼顶那个鸽子棚越搭越大，还种了一堆菜，屋顶会漏的", ("yard_shed",))

    p = book.place("福寿新村", "9号")
    p.closed("upstairs_leak", "DRAIN.PIPE", "201室", "18600130920", 60,
             "9号201室厨房天花板滴水，楼上301室水槽下水管脱落。",
             "301室重新接好下水管。")
    p.open("gas", "FIRE.CORRIDOR", "", "",
           "9号二楼楼梯平台放着一只液化气罐，不知道是谁家的。")
    p.closed("tree_light", "GREEN.LIGHT", "101室", "13700130901", 250,
             "9号101室窗前两棵棕榈和一棵香樟挡住阳光，屋内潮湿。",
             "绿化所修剪香樟，移除枯死棕榈一棵。")
    p.closed("group_rent", "OTHER.MISC", "", "", 160,
             "9号三楼一套房被改成多间出租，楼道里陌生人多。",
             "房管办责令整改，隔断已拆除。")
    p.repeat("tree_light", "GREEN.LIGHT", "101室", "13700130901",
             "窗口那棵香樟又长大了，家里又晒不到太阳，地上都返潮", ("gas",))

    p = book.place("福寿新村")
    p.closed("square_dance", "NOISE.NEIGH", "", "13800130699", 150,
             "福寿新村文化广场晚上广场舞音响太响，7号、9号住户受影响。",
             "居委会协调舞队降低音量，九点前结束。")
    p.closed("rubbish", "WASTE.STATION", "", "", 6,
             "福寿新村垃圾房三天没清运，垃圾堆到门外。",
             "环卫所当日清运。")
    p.open("zombie_bike", "BIKE.ZOMBIE", "", "",
           "福寿新村车棚里有二十多辆积灰的旧自行车和没电瓶的电动车。")
    p.repeat("square_dance", "NOISE.NEIGH", "", "13800130699",
             "文化广场又有人跳舞跳到很晚，音箱开到最大", ("rubbish",))


def _yulan(book: Book) -> None:
    p = book.place("玉兰苑", "8号楼")
    p.closed("lift_fault", "PROP.LIFT", "", "13800130888", 40,
             "玉兰苑8号楼电梯多次在两层之间停住，门打不开。",
             "维保单位更换平层感应器和门锁回路，电梯运行正常。")
    p.open("flying_lead", "FIRE.CHARGE", "302室", "13900130832",
           "8号楼302室从窗口吊下电线到绿化带里给电瓶车充电。")
    p.closed("tree_light", "GREEN.LIGHT", "302室", "15000130830", 150,
             "8号楼302室窗前的桂花树和女贞长得太高，挡住客厅采光。",
             "绿化所已修剪桂花树和女贞。")
    p.closed("high_throw", "OTHER.MISC", "", "", 80,
             "8号楼有人从窗户往外扔烟头，掉到楼下晾的被子上烧了个洞。",
             "物业逐户宣传，张贴高空抛物法律提示。")
    p.open("dog_leash", "OTHER.MISC", "", "",
           "8号楼有住户遛狗不牵绳，狗在电梯里撒尿。")
    p.repeat("lift_fault", "PROP.LIFT", "1505室", "",
             "8号楼电梯又停在半截了，门打不开，里面的人直拍门", ("dog_leash",))
    p.repeat("flying_lead", "FIRE.CORRIDOR", "202室", "",
             "302还是从窗户放电线下来充电瓶车，线就拖在绿化带里", ("tree_light",),
             "登记为楼道堆物，原案是电动车违规充电")
    p.repeat("tree_light", "GREEN.LIGHT", "302室", "15000130830",
             "客厅窗前的树又长高了，屋里暗得很", ("flying_lead",))
    p.repeat("high_throw", "OTHER.MISC", "202室", "",
             "楼上又有人往下扔烟头，落在我家晒的衣服上", ())
    p.new("flood", "DRAIN.FLOOD", "", "",
          "8号楼地下室进水了，自行车泡在水里", ())

    p = book.place("玉兰苑", "2号楼")
    p.closed("lift_stop", "PROP.LIFT", "", "", 300,
             "玉兰苑2号楼电梯停运，维保更换曳引钢丝绳。",
             "电梯恢复运行。")
    p.closed("corridor", "FIRE.CORRIDOR", "", "", 20,
             "2号楼楼道内堆放装修剩下的瓷砖和水泥袋。",
             "装修户已清运。")
    p.open("charger", "FIRE.CHARGE", "", "13600130222",
           "2号楼旁边的电动车充电棚有两个充电口烧黑了，不敢用。")
    p.repeat("lift_stop", "PROP.LIFT", "", "",
             "玉兰苑2号楼电梯今天早上又停了，又是钢丝绳的毛病吗", ("corridor", "charger"))

    p = book.place("玉兰苑")
    p.open("street_lamp", "FACIL.LAMP", "", "",
           "玉兰苑中心花园的草坪灯大半不亮。")
    p.closed("sort", "WASTE.SORT", "", "", 45,
             "玉兰苑有人把装修垃圾和湿垃圾一起扔进定时投放点。",
             "物业加强定时投放点值守。")
    p.closed("cats", "OTHER.MISC", "", "", 100,
             "玉兰苑地下车库流浪猫多，在车上留下脚印和抓痕。",
             "联系志愿者诱捕绝育并放归。")


def _heping(book: Book) -> None:
    p = book.place("和平里", "15号")
    p.closed("group_rent", "OTHER.MISC", "", "13800131515", 100,
             "15号二楼亭子间和前楼住了八九个人，像是群租。",
             "房东清退多余租客，拆除隔断。")
    p.open("gas", "FIRE.CORRIDOR", "", "13900131522",
           "15号楼梯口放着三只液化气罐，还有人在楼梯上烧煤球炉。")
    p.closed("flying_lead", "FIRE.CHARGE", "", "", 20,
             "15号住户从亭子间窗口拉电线到弄堂给电动车充电。",
             "已拆除电线，告知到集中充电点充电。")
    p.closed("rats", "OTHER.MISC", "", "", 30,
             "15号后门垃圾堆引来老鼠，晚上咬坏电线。",
             "清理后门垃圾并投放鼠饵。")
    p.repeat("group_rent", "NOISE.NEIGH", "", "",
             "15号二楼又住满了人，七八个小年轻进进出出，半夜吵", ("flying_lead",),
             "登记为邻里噪声，原案是群租")
    p.repeat("gas", "FIRE.CORRIDOR", "", "13900131522",
             "15号楼梯口煤气罐仍未清，居民再次来电", ("flying_lead",))
    p.repeat("flying_lead", "FIRE.CHARGE", "", "",
             "亭子间窗口又有电线吊到弄堂里给电驴充电", ("gas", "group_rent"))
    p.closed("wires", "OTHER.MISC", "", "", 35,
             "15号后门口墙上的电线老化打火，冰箱一开就跳闸。",
             "供电所更换进户线。")
    p.repeat("rats", "OTHER.MISC", "", "13800131515",
             "后门老鼠又多起来了，把我家冰箱后面的电线咬了", ("wires", "gas"))
    p.new("manhole_broken", "DRAIN.COVER", "", "",
          "15号后门口的窨井盖没了，晚上怕人掉下去", ("rats",))

    p = book.place("和平里", "9号")
    p.open("roof_leak", "OTHER.MISC", "301室", "15000130930",
           "9号三层阁屋顶漏雨，301室墙面发霉。")
    p.closed("termite", "OTHER.MISC", "", "", 150,
             "9号楼梯木踏板有白蚁，一到春天飞蚁成群。",
             "白蚁防治所上门灭治。")
    p.closed("yard_shed", "BUILD.YARD", "", "", 40,
             "9号天井有住户用铁皮搭了储物间。",
             "已自行拆除。")
    p.repeat("termite", "OTHER.MISC", "", "",
             "楼梯又有白蚁了，这两天晚上开灯全是飞蚂蚁", ("roof_leak",))

    p = book.place("和平里")
    p.closed("manhole_loose", "DRAIN.COVER", "", "", 66,
             "和平里弄堂中间的窨井盖晃动，自行车骑过去会翘起来。",
             "排水所重新安装井座并更换防响井盖。")
    p.open("shop_outside", "SHOP.OUTSIDE", "", "13700131500",
           "和平里弄口五金店把货物摆出来，占了半条弄堂。")
    p.closed("cats", "OTHER.MISC", "", "", 70,
             "和平里流浪猫在弄堂里繁殖，夜里叫春。",
             "志愿者已诱捕绝育六只。")
    p.repeat("manhole_loose", "DRAIN.COVER", "", "",
             "弄堂中间那块井盖又晃了，骑车过去咣当一下差点摔", ("shop_outside",))


def _shuangqiao(book: Book) -> None:
    p = book.place("双桥小区", "20号楼")
    p.open("upstairs_leak:301", "DRAIN.PIPE", "301室", "13800132031",
           "20号楼301室卧室天花板渗水，楼上401室空调冷凝水管漏。")
    p.closed("upstairs_leak:501", "DRAIN.PIPE", "501室", "13900132051", 45,
             "20号楼501室卫生间顶面漏水，楼上601室浴缸下水管破裂。",
             "601室更换浴缸下水管，501室吊顶已修复。")
    p.closed("stack_blocked", "DRAIN.PIPE", "101室", "15000132010", 25,
             "20号楼污水立管堵塞，101室卫生间地漏返污水。",
             "物业疏通污水立管，清出毛巾和油块。")
    p.closed("tree_light", "GREEN.LIGHT", "101室", "15000132010", 365,
             "20号楼101室窗前梧桐树冠压到窗口，屋里终年晒不到太阳。",
             "绿化所修剪梧桐树冠。")
    p.closed("flood", "DRAIN.FLOOD", "", "", 70,
             "20号楼单元门口地势低，雨天积水漫进楼道。",
             "物业抬高门口地坪并加装截水沟。")
    p.repeat("upstairs_leak:301", "DRAIN.PIPE", "301室", "13800132031",
             "卧室顶上一直渗水，楼上空调那根管子还没弄好", ("upstairs_leak:501",))
    p.repeat("upstairs_leak:501", "DRAIN.PIPE", "501室", "13900132051",
             "20#501卫生间顶漏，复发，楼上浴缸管子", ("upstairs_leak:301", "stack_blocked"))
    p.repeat("stack_blocked", "DRAIN.COVER", "101室", "15000132010",
             "我家卫生间地漏又往外冒脏水，整个屋子都是臭味", ("flood",),
             "登记为污水井盖堵塞，原案是管道")
    p.repeat("tree_light", "GREEN.LIGHT", "101室", "15000132010",
             "窗前梧桐又长到窗口了，屋里又晒不到太阳", ("flood",))
    p.open("pipe_burst", "DRAIN.PIPE", "", "",
           "20号楼楼道里自来水管阀门漏水，水漫到一楼楼道口。")
    p.repeat("flood", "DRAIN.FLOOD", "201室", "",
             "一下雨楼门口又积水，水都漫进楼道了", ("pipe_burst", "stack_blocked"))

    p = book.place("双桥小区", "21号楼")
    p.closed("upstairs_leak", "DRAIN.PIPE", "401室", "", 100,
             "21号楼401室客厅吊顶滴水，楼上501室洗衣机排水管脱落。",
             "501室重新固定排水管。")
    p.closed("yard_shed", "BUILD.YARD", "102室", "", 55,
             "21号楼102室在院子里搭了一间砖房。",
             "城管中队依法拆除。")
    p.open("stair_lamp", "FACIL.LAMP", "", "13600132121",
           "21号楼一到三楼楼道灯都不亮，楼梯很黑。")
    p.repeat("stair_lamp", "FACIL.LAMP", "", "",
             "21号楼楼道里还是黑乎乎的，灯一直没人修", ("yard_shed",))

    p = book.place("双桥小区")
    p.closed("zombie_car", "BIKE.ZOMBIE", "", "", 90,
             "双桥小区北门停车场有一辆红色轿车积灰两年，四个轮胎没气。",
             "联系车主后车辆已移走。")
    p.open("bulky", "WASTE.BULKY", "", "13800132099",
           "双桥小区大件垃圾堆放点旧沙发床垫堆成小山，半个月没运走。")
    p.closed("shared_bike", "BIKE.DISORDER", "", "", 12,
             "双桥小区门口共享单车堆在盲道上。",
             "运维已清理。")
    p.repeat("bulky", "WASTE.BULKY", "", "",
             "大件垃圾那里旧床垫旧沙发越堆越高了，还没拉走", ())


def _yinxing(book: Book) -> None:
    p = book.place("银杏坊")
    p.closed("zombie_bike", "BIKE.ZOMBIE", "", "13800133030", 40,
             "银杏坊大门两侧十几辆旧自行车、电动车锈死在那里，没人认领。",
             "张贴认领公告后清理十三辆。")
    p.closed("square_dance", "NOISE.NEIGH", "", "13900133045", 45,
             "银杏坊广场舞在3号楼窗下跳，晚上音响声音很大。",
             "居委会协调舞队移到小区南侧空地。")
    p.open("street_lamp", "FACIL.LAMP", "", "",
           "银杏坊中间那条路四盏路灯全不亮。")
    p.open("fire_lane", "FIRE.ACCESS", "", "15000133077",
           "银杏坊消防通道被小区外的车长期占用，晚上停满。")
    p.open("shared_bike", "BIKE.DISORDER", "", "",
           "银杏坊大门边上共享单车堆了一堆，人行道都走不通。")
    p.repeat("zombie_bike", "BIKE.ZOMBIE", "", "",
             "大门边上又堆了一堆破自行车，上次清了又有了，锈得都烂了", ("shared_bike",))
    p.repeat("square_dance", "NOISE.NEIGH", "", "13900133045",
             "广场舞又回到3号楼窗户底下跳了，音响开得老大", ("street_lamp",))
    p.repeat("fire_lane", "FIRE.ACCESS", "", "",
             "消防通道晚上还是停满外来车，万一着火消防车进不来", ())
    p.new("shop_outside", "SHOP.OUTSIDE", "", "",
          "银杏坊门口有人摆摊卖菜，占了人行道", ())

    p = book.place("银杏坊", "3号")
    p.closed("yard_shed", "BUILD.YARD", "101室", "", 120,
             "3号101室在门前搭了一个雨棚，伸到公共通道上。",
             "已拆除雨棚。")
    p.open("upstairs_noise", "NOISE.NEIGH", "201室", "13700133201",
           "3号201室反映楼上住户凌晨练跆拳道，地板震动。")
    p.closed("tree_light", "GREEN.LIGHT", "", "", 210,
             "3号南面的银杏树遮挡采光，底楼两户白天屋里也暗。",
             "绿化所修剪。")
    p.repeat("upstairs_noise", "NOISE.NEIGH", "201室", "13700133201",
             "楼上那家又在半夜咚咚咚地蹦，说是练跆拳道", ("yard_shed",))

    p = book.place("银杏坊", "7号")
    p.open("flying_lead", "FIRE.CHARGE", "", "",
           "7号二楼住户用插线板从窗户吊下来给电动自行车充电。")
    p.closed("corridor", "FIRE.CORRIDOR", "", "", 33,
             "7号楼道里有人堆了十几袋旧衣服和纸板。",
             "住户已自行清理。")
    p.closed("pigeons", "OTHER.MISC", "", "", 160,
             "7号有住户在阳台外挂鸽笼，鸽子粪掉在楼下窗台。",
             "住户已拆除鸽笼。")


def _dongfeng(book: Book) -> None:
    p = book.place("东风新村", "9号")
    p.open("yard_shed", "BUILD.YARD", "101室", "13800130901",
           "9号101室把南面院子封起来，砌墙加顶做成房间。")
    p.closed("corridor", "FIRE.CORRIDOR", "", "", 40,
             "9号三楼平台堆放泡沫箱和花盆，还有一辆旧自行车。",
             "住户已清理。")
    p.open("gas", "FIRE.CORRIDOR", "301室", "13900130931",
           "9号301室把煤气瓶放在门外楼道，上面还盖着旧被子。")
    p.closed("stair_lamp", "FACIL.LAMP", "", "", 25,
             "9号楼道二楼和三楼的灯泡坏了，晚上看不清台阶。",
             "已更换灯泡。")
    p.closed("upstairs_noise", "NOISE.NEIGH", "201室", "15000130921", 60,
             "9号201室反映楼上每天夜里十二点后洗衣机甩干，震动很大。",
             "调解员上门沟通，楼上调整洗衣时间。")
    p.repeat("yard_shed", "BUILD.YARD", "201室", "",
             "楼下那户院子砌墙加盖的事怎么还没人管，现在都封顶了", ())
    p.repeat("gas", "OTHER.MISC", "302室", "",
             "对门那个液化气罐还放在楼道里，还用被子盖着，更危险了", ("corridor",),
             "登记为其他诉求，原案是楼道堆物")
    p.repeat("corridor", "FIRE.CORRIDOR", "", "",
             "三楼平台又堆满了泡沫箱、花盆，还有破自行车", ("gas",))
    p.repeat("upstairs_noise", "NOISE.NEIGH", "201室", "15000130921",
             "楼上半夜又开洗衣机了，甩干的时候整个房子都在震", ())
    p.new("corridor", "FIRE.CORRIDOR", "202室", "",
          "9号一楼有人在楼道里装了个鞋柜，把电表箱挡住了", ("corridor", "gas"),
          "另一处的堆物，原案三楼平台已清理")

    p = book.place("东风新村", "12号")
    p.closed("flying_lead", "FIRE.CHARGE", "", "", 50,
             "12号三楼住户飞线充电，从窗口吊线给楼下电动车充。",
             "已拆除飞线。")
    p.open("tree_light", "GREEN.LIGHT", "102室", "13700131202",
           "12号102室窗前的广玉兰挡光，屋里白天也黑。")
    p.closed("sewer_overflow", "DRAIN.COVER", "", "", 15,
             "12号门口污水井冒水，污水流到路上。",
             "排水所疏通。")
    p.repeat("tree_light", "GREEN.LIGHT", "102室", "13700131202",
             "窗口那棵广玉兰还是没人来剪，屋里一整天不见光", ("flying_lead",))

    p = book.place("东风新村")
    p.closed("pothole", "FACIL.ROAD", "", "", 45,
             "东风新村主干道9号门口路面下沉，积水坑洼。",
             "房管所修补路面。")
    p.open("rubbish", "WASTE.STATION", "", "",
           "东风新村北门垃圾房满了两天，湿垃圾桶盖都盖不上。")
    p.closed("fume", "SHOP.FUME", "", "", 130,
             "东风新村沿街面馆油烟从后门排到小区里。",
             "面馆加装油烟净化器，排烟口改至屋顶。")
