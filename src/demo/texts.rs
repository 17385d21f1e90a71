//! Vocabulary and sentence templates of the demo scenario: places, products with their everyday
//! aliases, incident sentences per hazard, and the stock phrases documents are assembled from.
//!
//! Everything here is data; `scenario.rs` draws from it with a seeded RNG, so the same seed always
//! yields the same texts. Category and hazard ids are the canonical ones of the taxonomy; the
//! sentences use the everyday words (充电宝, 电瓶车, 暖手宝 …) that the analyzer has to map back.

/// A province (GB/T 2260 full name), its short name as shops write it, and some of its cities
/// (for municipalities: districts, written after the municipality's name).
pub struct Province {
    pub name: &'static str,
    pub short: &'static str,
    pub cities: &'static [&'static str],
    /// Municipality: a place is written "上海市闵行区", not just "闵行区".
    pub municipality: bool,
}

impl Province {
    /// A place in this province as a text would write it ("温州市", "上海市浦东新区").
    pub fn place(&self, i: usize) -> String {
        let c = self
            .cities
            .get(i % self.cities.len().max(1))
            .copied()
            .unwrap_or("");
        if self.municipality {
            format!("{}{}", self.name, c)
        } else {
            c.to_string()
        }
    }

    /// City without its 市 suffix, for company names and datelines ("温州").
    pub fn city_stem(&self, i: usize) -> String {
        if self.municipality {
            return self.short.to_string();
        }
        let c = self
            .cities
            .get(i % self.cities.len().max(1))
            .copied()
            .unwrap_or("");
        c.trim_end_matches('市').to_string()
    }
}

pub const ZHEJIANG: &str = "浙江省";

pub static PROVINCES: &[Province] = &[
    Province {
        name: "浙江省",
        short: "浙江",
        cities: &[
            "杭州市",
            "宁波市",
            "温州市",
            "嘉兴市",
            "湖州市",
            "绍兴市",
            "金华市",
            "台州市",
        ],
        municipality: false,
    },
    Province {
        name: "江苏省",
        short: "江苏",
        cities: &["南京市", "苏州市", "无锡市", "徐州市", "常州市"],
        municipality: false,
    },
    Province {
        name: "广东省",
        short: "广东",
        cities: &["广州市", "深圳市", "东莞市", "佛山市", "珠海市"],
        municipality: false,
    },
    Province {
        name: "山东省",
        short: "山东",
        cities: &["济南市", "青岛市", "烟台市", "潍坊市"],
        municipality: false,
    },
    Province {
        name: "河南省",
        short: "河南",
        cities: &["郑州市", "洛阳市", "新乡市", "南阳市"],
        municipality: false,
    },
    Province {
        name: "四川省",
        short: "四川",
        cities: &["成都市", "绵阳市", "宜宾市", "南充市"],
        municipality: false,
    },
    Province {
        name: "湖北省",
        short: "湖北",
        cities: &["武汉市", "宜昌市", "襄阳市", "荆州市"],
        municipality: false,
    },
    Province {
        name: "湖南省",
        short: "湖南",
        cities: &["长沙市", "株洲市", "衡阳市", "岳阳市"],
        municipality: false,
    },
    Province {
        name: "福建省",
        short: "福建",
        cities: &["福州市", "厦门市", "泉州市", "漳州市"],
        municipality: false,
    },
    Province {
        name: "安徽省",
        short: "安徽",
        cities: &["合肥市", "芜湖市", "蚌埠市", "安庆市"],
        municipality: false,
    },
    Province {
        name: "江西省",
        short: "江西",
        cities: &["南昌市", "赣州市", "九江市", "上饶市"],
        municipality: false,
    },
    Province {
        name: "河北省",
        short: "河北",
        cities: &["石家庄市", "唐山市", "保定市", "邯郸市"],
        municipality: false,
    },
    Province {
        name: "陕西省",
        short: "陕西",
        cities: &["西安市", "宝鸡市", "咸阳市", "汉中市"],
        municipality: false,
    },
    Province {
        name: "辽宁省",
        short: "辽宁",
        cities: &["沈阳市", "大连市", "鞍山市", "锦州市"],
        municipality: false,
    },
    Province {
        name: "广西壮族自治区",
        short: "广西",
        cities: &["南宁市", "柳州市", "桂林市", "玉林市"],
        municipality: false,
    },
    Province {
        name: "云南省",
        short: "云南",
        cities: &["昆明市", "曲靖市", "玉溪市"],
        municipality: false,
    },
    Province {
        name: "贵州省",
        short: "贵州",
        cities: &["贵阳市", "遵义市", "六盘水市"],
        municipality: false,
    },
    Province {
        name: "山西省",
        short: "山西",
        cities: &["太原市", "大同市", "长治市"],
        municipality: false,
    },
    Province {
        name: "黑龙江省",
        short: "黑龙江",
        cities: &["哈尔滨市", "齐齐哈尔市", "大庆市"],
        municipality: false,
    },
    Province {
        name: "甘肃省",
        short: "甘肃",
        cities: &["兰州市", "天水市"],
        municipality: false,
    },
    Province {
        name: "海南省",
        short: "海南",
        cities: &["海口市", "三亚市"],
        municipality: false,
    },
    Province {
        name: "上海市",
        short: "上海",
        cities: &["浦东新区", "闵行区", "徐汇区"],
        municipality: true,
    },
    Province {
        name: "北京市",
        short: "北京",
        cities: &["朝阳区", "海淀区", "丰台区"],
        municipality: true,
    },
    Province {
        name: "天津市",
        short: "天津",
        cities: &["南开区", "滨海新区", "河西区"],
        municipality: true,
    },
    Province {
        name: "重庆市",
        short: "重庆",
        cities: &["渝北区", "江北区", "九龙坡区"],
        municipality: true,
    },
];

pub fn province(name: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.name == name)
}

/// One way a product hurts people, as a consumer would tell it. `{p}` is the product word.
pub struct Incident {
    pub hazard: &'static str,
    /// A few words for titles ("冒烟起火", "漏电").
    pub short: &'static str,
    pub text: &'static str,
}

const fn inc(hazard: &'static str, short: &'static str, text: &'static str) -> Incident {
    Incident {
        hazard,
        short,
        text,
    }
}

/// A product category (canonical id) with the words people use for it.
pub struct Cat {
    pub id: &'static str,
    pub aliases: &'static [&'static str],
    /// Mall department; searching it lists the product.
    pub dept: &'static str,
    /// Listing product names (without brand).
    pub goods: &'static [&'static str],
    pub features: &'static [&'static str],
    /// Price range in yuan.
    pub price: (u32, u32),
    pub incidents: &'static [Incident],
    /// Failed inspection items: (hazard, item wording).
    pub items: &'static [(&'static str, &'static str)],
}

pub const REGIONAL_CAT: &str = "电动自行车用蓄电池";
pub const SYSTEMIC_CAT: &str = "移动电源";
pub const LOCAL_CAT: &str = "电热毯";

pub static DEPTS: &[&str] = &["数码", "家电", "母婴", "出行", "家居"];

pub static CATS: &[Cat] = &[
    Cat {
        id: "电动自行车用蓄电池",
        aliases: &[
            "电动车电瓶",
            "电瓶车锂电池",
            "电动自行车电池",
            "电动车锂电池",
            "电瓶",
        ],
        dept: "出行",
        goods: &[
            "48V20Ah电动车锂电池",
            "60V电瓶车锂电池大容量",
            "电动自行车电池48V12Ah",
            "石墨烯电动车电瓶",
        ],
        features: &[
            "续航约60公里，适配大部分两轮电动车",
            "支持以旧换新，安装视频指导",
            "电池盒尺寸请对照详情页核对",
        ],
        price: (380, 1500),
        incidents: &[
            inc(
                "火灾",
                "冒烟起火",
                "晚上把{p}拿到楼下车棚充电，凌晨一点多突然冒烟起火，火苗窜起半米多高",
            ),
            inc(
                "火灾",
                "充电时自燃",
                "{p}充电时外壳越来越烫，随后冒出浓烟并自燃，旁边两辆车也被烧坏",
            ),
            inc(
                "火灾",
                "骑行中起火",
                "骑行途中{p}突然起火，座垫下面往外冒烟，我赶紧跳车才躲开",
            ),
            inc(
                "火灾",
                "阳台起火",
                "{p}放在阳台充电，不到两个小时就起火燃烧，晾着的衣服烧掉一大片",
            ),
            inc(
                "火灾",
                "更换后起火",
                "新换的{p}才用了一个多月，停在小区充电桩充电时着火，物业拿灭火器才扑灭",
            ),
            inc(
                "火灾",
                "停放时自燃",
                "{p}充满拔下后放在门口，半小时后开始冒烟，接着就自燃了",
            ),
        ],
        items: &[
            ("火灾", "热失控（针刺、过充后起火）"),
            ("火灾", "外部短路保护"),
            ("标志说明不合格", "标志和说明"),
        ],
    },
    Cat {
        id: "移动电源",
        aliases: &["充电宝", "移动电源", "充电宝", "便携充电宝"],
        dept: "数码",
        goods: &[
            "20000毫安大容量充电宝",
            "22.5W双向快充移动电源",
            "自带线迷你充电宝10000mAh",
            "磁吸无线充电宝",
        ],
        features: &[
            "支持多种快充协议，手机平板都能充",
            "数显电量，出门一眼看清剩余电量",
            "可带上飞机，额定能量请见参数",
        ],
        price: (39, 199),
        incidents: &[
            inc(
                "爆炸",
                "炸裂",
                "{p}放在背包里给手机充电，突然“砰”的一声炸裂，背包被烧穿一个洞",
            ),
            inc(
                "爆炸",
                "鼓包后爆开",
                "{p}用了不到两个月就明显鼓包，第二天充电时鼓包后爆开，把书桌烧黑一块",
            ),
            inc(
                "火灾",
                "冒烟起火",
                "晚上给{p}充电，半夜闻到焦糊味，起来一看{p}正在冒烟起火",
            ),
            inc(
                "爆炸",
                "车内爆燃",
                "在车里用{p}给手机充电，{p}突然爆燃，副驾驶座椅被烧出一个大洞",
            ),
            inc(
                "爆炸",
                "炸伤孩子",
                "孩子拿着连着{p}的手机看动画，{p}突然鼓包炸裂，孩子手背被灼伤",
            ),
            inc(
                "火灾",
                "办公室起火",
                "{p}外壳鼓起来以后还在用，在办公室充电时突然冒烟着火，同事用灭火器扑灭",
            ),
            inc(
                "爆炸",
                "高铁上爆炸",
                "坐高铁时放在小桌板上的{p}突然爆炸，车厢里全是烟，乘务员拿灭火毯盖住",
            ),
        ],
        items: &[
            ("爆炸", "过充电保护"),
            ("火灾", "外部短路保护"),
            ("爆炸", "挤压（电芯起火爆炸）"),
            ("标志说明不合格", "标志和说明"),
        ],
    },
    Cat {
        id: "电热毯",
        aliases: &["电热毯", "电褥子", "电热毯", "双人电热毯"],
        dept: "家居",
        goods: &[
            "双人双控电热毯",
            "除螨电褥子单人",
            "水暖电热毯静音款",
            "学生宿舍小电热毯",
        ],
        features: &[
            "六档调温，定时自动断电",
            "面料亲肤可水洗",
            "尺寸150×180cm，适合1.5米床",
        ],
        price: (59, 299),
        incidents: &[
            inc(
                "触电",
                "漏电",
                "晚上睡觉时摸到{p}边缘发麻，用电笔一测，{p}漏电",
            ),
            inc(
                "触电",
                "老人被电",
                "{p}开到二档，老人起夜时腿上被电了一下，电工上门确认是{p}漏电",
            ),
            inc(
                "触电",
                "孩子被电醒",
                "孩子躺在{p}上被电醒了，检查发现温控器旁边的线皮破了，{p}漏电",
            ),
            inc(
                "触电",
                "触电感",
                "新买的{p}铺上第二天就有触电感，换了插座还是漏电",
            ),
            inc(
                "火灾",
                "烧焦",
                "{p}开了一夜，早上发现中间烧焦了，床单被烧出一个洞",
            ),
        ],
        items: &[
            ("触电", "泄漏电流和电气强度"),
            ("火灾", "非正常工作"),
            ("标志说明不合格", "标志和说明"),
        ],
    },
    Cat {
        id: "电热水壶",
        aliases: &["电热水壶", "烧水壶", "电水壶", "热水壶"],
        dept: "家电",
        goods: &[
            "1.7L不锈钢电热水壶",
            "家用自动断电烧水壶",
            "玻璃电水壶透明款",
            "保温电热水壶",
        ],
        features: &["304不锈钢内胆", "水开自动断电", "快速烧水五分钟即开"],
        price: (49, 199),
        incidents: &[
            inc(
                "触电",
                "漏电",
                "用{p}烧水时手碰到壶身被电了一下，手指麻了半天",
            ),
            inc(
                "火灾",
                "底座冒烟",
                "{p}烧水时底座突然冒烟，插头那里有明显的烧焦痕迹",
            ),
            inc(
                "烫伤/烧伤",
                "壶盖弹开烫伤",
                "{p}壶盖卡扣松了，倒水时壶盖弹开，开水溅到手上烫伤了",
            ),
        ],
        items: &[
            ("触电", "泄漏电流和电气强度"),
            ("烫伤/烧伤", "发热"),
            ("触电", "接地措施"),
        ],
    },
    Cat {
        id: "电动自行车",
        aliases: &["电动车", "电瓶车", "电动自行车", "小电驴"],
        dept: "出行",
        goods: &[
            "新国标电动自行车",
            "48V锂电电动车轻便款",
            "长续航电瓶车通勤款",
        ],
        features: &["新国标可上牌", "前后碟刹", "续航约50公里"],
        price: (1599, 3999),
        incidents: &[
            inc(
                "交通事故/失控",
                "刹车失灵",
                "骑{p}下坡时刹车失灵，连人带车撞到路边护栏上",
            ),
            inc(
                "交通事故/失控",
                "突然失控",
                "{p}行驶中自己突然加速失控，差点撞上前面的行人",
            ),
        ],
        items: &[
            ("交通事故/失控", "制动性能"),
            ("火灾", "防火性能"),
            ("交通事故/失控", "最高车速"),
        ],
    },
    Cat {
        id: "电动自行车充电器",
        aliases: &["电动车充电器", "电瓶车充电器", "电动自行车充电器"],
        dept: "出行",
        goods: &["48V电动车充电器自动断电", "60V20Ah电瓶车充电器"],
        features: &["充满自动转浮充", "适配多种车型"],
        price: (45, 129),
        incidents: &[
            inc(
                "火灾",
                "冒烟起火",
                "{p}插上电没多久就冒烟起火，外壳烧化变形",
            ),
            inc(
                "火灾",
                "烧焦",
                "{p}充了一晚上，早上发现接口处烧焦发黑，还有一股焦味",
            ),
        ],
        items: &[("火灾", "非正常工作"), ("触电", "电气强度")],
    },
    Cat {
        id: "移动式插座",
        aliases: &["插线板", "排插", "拖线板", "接线板"],
        dept: "家居",
        goods: &["带USB插线板3米", "家用多孔排插", "总控开关接线板"],
        features: &["独立开关", "加长线3米", "儿童保护门"],
        price: (19, 89),
        incidents: &[
            inc(
                "火灾",
                "烧焦冒烟",
                "{p}只插了一台电暖器，半小时后插孔那里烧焦冒烟",
            ),
            inc(
                "触电",
                "电击",
                "{p}插孔没有保护门，孩子拿发夹往里捅被电击了",
            ),
        ],
        items: &[
            ("火灾", "温升"),
            ("触电", "防触电保护"),
            ("火灾", "插头尺寸"),
        ],
    },
    Cat {
        id: "电热暖手器",
        aliases: &["暖手宝", "电热水袋", "充电暖手宝"],
        dept: "家居",
        goods: &["充电防爆暖手宝", "卡通电热水袋", "USB暖手宝充电款"],
        features: &["多档温度可调", "可爱毛绒外套可拆洗"],
        price: (19, 79),
        incidents: &[
            inc(
                "烫伤/烧伤",
                "爆裂烫伤",
                "{p}充电时突然爆裂，里面的热水喷出来把手烫伤了",
            ),
            inc(
                "火灾",
                "插口冒烟",
                "{p}通电加热时插口冒烟，闻到一股塑料烧焦的味道",
            ),
        ],
        items: &[("烫伤/烧伤", "非正常工作"), ("触电", "泄漏电流和电气强度")],
    },
    Cat {
        id: "玩具",
        aliases: &["儿童玩具", "积木", "玩具车", "毛绒玩具"],
        dept: "母婴",
        goods: &["儿童拼装积木玩具", "惯性回力玩具车套装", "毛绒公仔抱枕"],
        features: &["适合3岁以上儿童", "颜色鲜艳，锻炼动手能力"],
        price: (29, 199),
        incidents: &[
            inc(
                "窒息",
                "小零件脱落",
                "孩子把{p}上脱落的小零件塞进嘴里，呛得直咳嗽，差点窒息",
            ),
            inc(
                "机械伤害",
                "锐利边缘划伤",
                "{p}的塑料边缘有毛刺，孩子玩的时候手指被划伤出血",
            ),
        ],
        items: &[
            ("窒息", "小零件"),
            ("机械伤害", "锐利边缘"),
            ("化学危害", "增塑剂（邻苯二甲酸酯）"),
        ],
    },
    Cat {
        id: "磁性玩具",
        aliases: &["磁力珠", "巴克球", "磁力片"],
        dept: "母婴",
        goods: &["216颗磁力珠解压玩具", "儿童磁力片积木"],
        features: &["百变造型", "收纳盒包装"],
        price: (19, 99),
        incidents: &[
            inc(
                "误吞",
                "误吞",
                "三岁的孩子误吞了两颗{p}，送到医院做了手术才取出来",
            ),
            inc(
                "误吞",
                "吞食",
                "孩子趁大人不注意吞食了{p}，出现腹痛呕吐，在医院住了一周",
            ),
        ],
        items: &[("误吞", "磁通量指数"), ("误吞", "小零件")],
    },
    Cat {
        id: "童车",
        aliases: &["婴儿推车", "学步车", "儿童自行车", "滑步车"],
        dept: "母婴",
        goods: &["轻便可折叠婴儿推车", "防侧翻学步车", "儿童自行车带辅助轮"],
        features: &["一键收车", "五点式安全带"],
        price: (159, 899),
        incidents: &[
            inc(
                "夹伤/挤压",
                "夹伤手指",
                "{p}折叠关节的间隙太大，孩子的手指被夹伤了",
            ),
            inc(
                "跌落/倾倒",
                "翻倒摔伤",
                "孩子坐在{p}里，前轮突然掉了，{p}翻倒，孩子摔伤了额头",
            ),
        ],
        items: &[
            ("夹伤/挤压", "剪切和挤压"),
            ("跌落/倾倒", "稳定性"),
            ("机械伤害", "制动装置"),
        ],
    },
    Cat {
        id: "儿童家具",
        aliases: &["儿童床护栏", "高脚椅", "宝宝餐椅"],
        dept: "母婴",
        goods: &["升降款儿童床护栏", "多功能宝宝餐椅"],
        features: &["免打孔安装", "可调节高度"],
        price: (89, 399),
        incidents: &[
            inc(
                "跌落/倾倒",
                "跌落摔伤",
                "{p}的卡扣松脱了，孩子从床边跌落，额头摔出一个包",
            ),
            inc(
                "跌落/倾倒",
                "侧翻",
                "孩子坐在{p}上一晃就侧翻了，下巴磕破缝了三针",
            ),
        ],
        items: &[("跌落/倾倒", "稳定性"), ("夹伤/挤压", "孔和间隙")],
    },
    Cat {
        id: "家用燃气灶具",
        aliases: &["燃气灶", "卡式炉", "煤气灶"],
        dept: "家电",
        goods: &["嵌入式双眼燃气灶", "户外便携卡式炉"],
        features: &["熄火保护", "大火力猛火灶"],
        price: (99, 999),
        incidents: &[
            inc(
                "爆炸",
                "气罐爆炸",
                "用{p}吃火锅时气罐突然爆炸，一桌人吓坏了，有一个人被烧伤",
            ),
            inc(
                "中毒",
                "燃气泄漏",
                "{p}阀门关不严，厨房里燃气泄漏，家里老人出现头晕恶心",
            ),
        ],
        items: &[
            ("中毒", "熄火保护装置"),
            ("爆炸", "气密性"),
            ("中毒", "干烟气中一氧化碳含量"),
        ],
    },
    Cat {
        id: "室内加热器",
        aliases: &["取暖器", "小太阳", "电暖器", "电暖气"],
        dept: "家电",
        goods: &["家用小太阳取暖器", "油汀电暖器13片", "速热电暖气"],
        features: &["倾倒自动断电", "三档功率"],
        price: (69, 499),
        incidents: &[
            inc(
                "火灾",
                "冒烟起火",
                "{p}开了两个小时，后壳冒烟起火，把旁边的窗帘也引燃了",
            ),
            inc(
                "烫伤/烧伤",
                "外罩烫伤",
                "{p}的外罩间隙太大，孩子把手伸进去被烫伤了",
            ),
        ],
        items: &[
            ("火灾", "发热"),
            ("烫伤/烧伤", "对触及带电部件的防护"),
            ("火灾", "非正常工作"),
        ],
    },
    Cat {
        id: "头盔",
        aliases: &["骑行头盔", "电动车头盔", "安全头盔"],
        dept: "出行",
        goods: &["3C认证电动车头盔", "四季通用骑行头盔"],
        features: &["透气内衬可拆洗", "高清镜片"],
        price: (39, 199),
        incidents: &[
            inc(
                "机械伤害",
                "一摔就裂",
                "戴着{p}骑车摔了一跤，{p}当场碎裂，头皮被划伤",
            ),
            inc(
                "机械伤害",
                "卡扣断裂",
                "{p}的卡扣一拉就断裂，骑车时头盔直接飞了出去",
            ),
        ],
        items: &[
            ("机械伤害", "吸收碰撞能量性能"),
            ("机械伤害", "佩戴装置强度"),
        ],
    },
    Cat {
        id: "儿童及婴幼儿服装",
        aliases: &["童装", "儿童卫衣", "宝宝连体衣"],
        dept: "母婴",
        goods: &["纯棉儿童卫衣", "宝宝连体哈衣", "男童加绒外套"],
        features: &["A类标准面料", "宽松版型"],
        price: (39, 159),
        incidents: &[
            inc(
                "勒伤/缠绕",
                "拉带勒伤",
                "{p}帽子上的拉带太长，孩子玩滑梯时被卡住，脖子勒出一道红印",
            ),
            inc(
                "化学危害",
                "甲醛超标",
                "{p}有很刺鼻的味道，孩子穿了一天皮肤起红疹，送检发现甲醛超标",
            ),
        ],
        items: &[
            ("勒伤/缠绕", "绳带"),
            ("化学危害", "甲醛含量"),
            ("化学危害", "pH值"),
        ],
    },
    Cat {
        id: "床上用品",
        aliases: &["四件套", "被套", "床上四件套"],
        dept: "家居",
        goods: &["全棉四件套", "水洗棉被套床单"],
        features: &["亲肤透气", "多种花色可选"],
        price: (79, 399),
        incidents: &[inc(
            "化学危害",
            "甲醛超标",
            "新买的{p}味道很冲，送到检测机构一测，甲醛含量超标",
        )],
        items: &[("化学危害", "甲醛含量"), ("非安全质量", "纤维含量")],
    },
    Cat {
        id: "学生文具",
        aliases: &["橡皮擦", "中性笔", "文具套装"],
        dept: "母婴",
        goods: &["小学生文具套装", "香味橡皮擦"],
        features: &["开学必备", "卡通造型"],
        price: (9, 59),
        incidents: &[inc(
            "化学危害",
            "邻苯超标",
            "孩子用的{p}有很浓的香味，拿去检测后发现邻苯二甲酸酯超标",
        )],
        items: &[("化学危害", "邻苯二甲酸酯"), ("化学危害", "可迁移元素")],
    },
    Cat {
        id: "电源适配器及充电器",
        aliases: &["手机充电器", "充电头", "快充头"],
        dept: "数码",
        goods: &["65W氮化镓快充头", "双口手机充电器"],
        features: &["多协议快充", "折叠插脚"],
        price: (29, 129),
        incidents: &[
            inc(
                "火灾",
                "冒火花",
                "{p}插着给手机充电，突然冒火花，把插座面板都烧焦了",
            ),
            inc(
                "触电",
                "外壳开裂电击",
                "{p}的外壳开裂，拔插头的时候被电击了一下",
            ),
        ],
        items: &[
            ("触电", "电气强度"),
            ("火灾", "温升"),
            ("标志说明不合格", "标志和说明"),
        ],
    },
    Cat {
        id: "电动平衡车",
        aliases: &["平衡车", "体感车"],
        dept: "出行",
        goods: &["儿童智能平衡车", "10寸越野平衡车"],
        features: &["自平衡系统", "蓝牙音乐"],
        price: (599, 1999),
        incidents: &[
            inc(
                "火灾",
                "充电起火",
                "{p}放在客厅充电，突然冒出浓烟起火，地板烧坏了一大块",
            ),
            inc(
                "交通事故/失控",
                "失控摔伤",
                "孩子骑{p}时突然失控冲了出去，摔伤了胳膊",
            ),
        ],
        items: &[("火灾", "电池安全"), ("交通事故/失控", "过速保护")],
    },
    Cat {
        id: "电动滑板车",
        aliases: &["滑板车", "电动滑板车"],
        dept: "出行",
        goods: &["可折叠电动滑板车", "成人代步滑板车"],
        features: &["折叠便携", "前后减震"],
        price: (899, 2599),
        incidents: &[inc(
            "机械伤害",
            "车把断裂",
            "骑{p}上班的路上，车把立管突然断裂，人摔出去擦伤一大片",
        )],
        items: &[("机械伤害", "结构强度"), ("交通事故/失控", "制动性能")],
    },
    Cat {
        id: "储水式电热水器",
        aliases: &["电热水器", "热水器", "储水式热水器"],
        dept: "家电",
        goods: &["60升储水式电热水器", "速热一级能效电热水器"],
        features: &["防电墙", "一级能效"],
        price: (699, 2499),
        incidents: &[inc(
            "触电",
            "洗澡漏电",
            "洗澡的时候{p}漏电，身上一阵阵发麻，赶紧关了电闸",
        )],
        items: &[("触电", "泄漏电流和电气强度"), ("触电", "接地措施")],
    },
    Cat {
        id: "皮肤及毛发护理器具",
        aliases: &["电吹风", "卷发棒", "吹风机"],
        dept: "家电",
        goods: &["负离子电吹风", "自动卷发棒"],
        features: &["大功率速干", "恒温护发"],
        price: (59, 399),
        incidents: &[
            inc(
                "火灾",
                "冒火星",
                "{p}用了几分钟，出风口冒出火星，接着开始冒烟",
            ),
            inc(
                "烫伤/烧伤",
                "手柄烫伤",
                "{p}的手柄表面温度过高，握着用了一会儿手就被烫伤了",
            ),
        ],
        items: &[("火灾", "发热"), ("触电", "电气强度")],
    },
    Cat {
        id: "电压力锅",
        aliases: &["电压力锅", "电高压锅"],
        dept: "家电",
        goods: &["5L智能电压力锅", "双胆电高压锅"],
        features: &["预约定时", "多重安全保护"],
        price: (199, 599),
        incidents: &[inc(
            "烫伤/烧伤",
            "开盖喷汤烫伤",
            "{p}排气阀堵住了，开盖时锅盖弹开，热汤喷到身上烫伤",
        )],
        items: &[("烫伤/烧伤", "压力保护装置"), ("触电", "泄漏电流")],
    },
    Cat {
        id: "机动车儿童乘员用约束系统",
        aliases: &["儿童安全座椅", "安全座椅", "汽车安全座椅"],
        dept: "母婴",
        goods: &["ISOFIX儿童安全座椅", "0-12岁汽车安全座椅"],
        features: &["ISOFIX硬接口", "360度旋转"],
        price: (399, 1999),
        incidents: &[inc(
            "机械伤害",
            "卡扣断裂",
            "急刹车时{p}的卡扣断裂，孩子往前冲，撞到了前排座椅",
        )],
        items: &[("机械伤害", "动态试验"), ("机械伤害", "带扣强度")],
    },
    Cat {
        id: "灯具",
        aliases: &["台灯", "LED吸顶灯", "护眼灯"],
        dept: "家居",
        goods: &["LED护眼台灯", "客厅LED吸顶灯"],
        features: &["三色调光", "无频闪"],
        price: (49, 499),
        incidents: &[
            inc("触电", "被电", "换{p}灯泡时手碰到灯头金属部分，被电了一下"),
            inc("火灾", "冒烟", "{p}开了一晚上，灯罩发黑冒烟，屋里全是焦味"),
        ],
        items: &[("触电", "防触电保护"), ("火灾", "耐热和防火")],
    },
    Cat {
        id: "电线电缆",
        aliases: &["电线", "家装电线", "电源线"],
        dept: "家居",
        goods: &["国标铜芯家装电线", "2.5平方单股硬线"],
        features: &["100米整卷", "阻燃护套"],
        price: (99, 599),
        incidents: &[inc(
            "火灾",
            "发烫冒烟",
            "装修用的{p}线芯明显偏细，开空调后电线发烫冒烟，外皮都熔了",
        )],
        items: &[("火灾", "导体电阻"), ("火灾", "绝缘厚度")],
    },
    Cat {
        id: "家具",
        aliases: &["抽屉柜", "衣柜", "书柜"],
        dept: "家居",
        goods: &["五斗抽屉柜", "简易实木书柜"],
        features: &["实木框架", "大容量收纳"],
        price: (199, 1299),
        incidents: &[inc(
            "跌落/倾倒",
            "柜子翻倒",
            "{p}没有防倾倒装置，孩子拉抽屉时整个柜子翻倒压在身上",
        )],
        items: &[("跌落/倾倒", "稳定性"), ("化学危害", "甲醛释放量")],
    },
];

pub fn cat(id: &str) -> Option<&'static Cat> {
    CATS.iter().find(|c| c.id == id)
}

pub static BRANDS: &[&str] = &[
    "优能达",
    "倍力源",
    "途悦",
    "安骑",
    "星野",
    "蓝鲸",
    "美居乐",
    "暖邦",
    "贝乐童",
    "小象宝",
    "格致",
    "众行",
    "启航",
    "宏旺",
    "瑞丰",
    "福满屋",
    "速驰",
    "闪电侠",
    "云朵",
    "暖阳阳",
    "欧睿",
    "万邦",
    "驰风",
    "酷能",
];

/// Company trades by mall department (so a 充电宝 is not made by a 车业 company).
pub fn trades(dept: &str) -> &'static [&'static str] {
    match dept {
        "数码" => &["电子科技", "智能科技", "新能源科技", "数码科技"],
        "家电" => &["电器", "电子科技", "智能家电", "实业"],
        "母婴" => &["玩具", "婴童用品", "日用品", "服饰"],
        "出行" => &["车业", "新能源科技", "科技", "电动车"],
        _ => &["日用品", "实业", "家居用品", "电器"],
    }
}

pub static PLATFORMS: &[&str] = &["优选商城", "惠购网", "好物集", "某直播平台"];

pub static SHOP_SUFFIX: &[&str] = &[
    "官方旗舰店",
    "数码专营店",
    "生活馆",
    "优选店",
    "工厂店",
    "家居专营店",
];

pub static USERS: &[&str] = &[
    "t***8",
    "小***猫",
    "用户3562",
    "a***n",
    "阳光***",
    "j***9",
    "木***子",
    "匿名用户",
    "晴***天",
];

/// Ordinary product reviews with no hazard in them.
pub static GOOD_REVIEWS: &[&str] = &[
    "物流很快，包装完好，用了几天感觉不错。",
    "性价比挺高的，和描述一致，客服态度也好。",
    "第二次回购了，家里人都说好用。",
    "颜色比图片稍微深一点，整体还可以。",
    "收到货就试了，做工可以，值这个价。",
    "快递慢了两天，东西本身没毛病。",
    "给爸妈买的，老人说用着顺手。",
    "外观简洁，尺寸合适，推荐购买。",
];

/// Service complaints with no safety content: (title, text). `{p}` is a product word.
pub static SERVICE_COMPLAINTS: &[(&str, &str)] = &[
    (
        "{p}下单半个月仍未发货",
        "下单付款后商家一直显示待发货，联系客服只回复“尽快安排”，至今已经过去十五天，要求商家立即发货或全额退款。",
    ),
    (
        "退货寄回后商家迟迟不退款",
        "{p}尺寸不合适申请了七天无理由退货，快递显示商家已签收十天，退款一直没有到账，客服电话无人接听。",
    ),
    (
        "收到的{p}颜色型号与订单不符",
        "订单上写的是白色款，收到的却是灰色旧款，商家让我自己承担来回运费，我认为不合理。",
    ),
    (
        "物流信息长期不更新",
        "购买的{p}物流信息停在中转站一周没有更新，平台客服和快递公司互相推诿。",
    ),
    (
        "会员自动续费未提示",
        "购买{p}时被默认勾选了平台会员，每月自动扣费二十九元，事先没有任何明显提示，要求退还已扣款项。",
    ),
    (
        "预售商品多次延期发货",
        "{p}页面承诺七天内发货，结果先后三次延期，商家单方面修改发货时间，要求按规定赔付。",
    ),
    (
        "优惠券无法叠加与宣传不一致",
        "活动页面写明可以叠加满减券，结算时却提示不可使用，实际多付了六十元，要求补偿差价。",
    ),
    (
        "商家拒绝开具发票",
        "购买{p}后申请开具电子发票，商家以活动商品为由拒绝，要求商家依法开票。",
    ),
    (
        "二次销售的{p}包装有拆封痕迹",
        "收到的{p}外包装已被拆开，配件有使用过的痕迹，疑似退货商品再次销售，要求换新。",
    ),
    (
        "售后维修收费过高",
        "{p}过了保修期送修，售后报价比新机价格还高一半，检测费也不退，认为收费不合理。",
    ),
];

/// News on unrelated or harmless consumer topics: (title, paragraphs). `{c}` is a city.
pub static NEUTRAL_NEWS: &[(&str, &[&str])] = &[
    (
        "{c}启动新一轮家电以旧换新补贴活动",
        &[
            "记者从当地商务部门获悉，{c}本月起启动新一轮家电以旧换新补贴，消费者购买一级能效的冰箱、空调、洗衣机等产品可享受最高一千元补贴。",
            "参与活动的门店已达两百余家，补贴资金将直接在结算时抵扣。",
        ],
    ),
    (
        "{c}快递业务量同比增长两成",
        &[
            "邮政管理部门公布的数据显示，{c}上月快递业务量同比增长约百分之二十，农产品寄递需求明显上升。",
            "业内人士表示，县乡寄递网络的完善带动了农村网购消费。",
        ],
    ),
    (
        "直播电商进社区 {c}举办消费季活动",
        &[
            "为提振消费，{c}举办“品质生活消费季”活动，邀请本地商家开展直播带货，并设置线下体验区。",
            "活动期间还发放了多轮数字消费券，市民可通过手机领取。",
        ],
    ),
    (
        "{c}消保委发布年度消费维权报告",
        &[
            "{c}消保委日前发布年度消费维权报告，全年受理投诉同比下降，网络购物、预付式消费和售后服务仍是投诉热点。",
            "报告提醒消费者保存好购物凭证，遇到纠纷及时通过正规渠道维权。",
        ],
    ),
    (
        "{c}新建一批社区便民服务点",
        &[
            "今年以来，{c}在老旧小区新建家电维修、衣物修补、配钥匙等便民服务点六十余个。",
            "居民表示，家门口就能修小家电，省时又省心。",
        ],
    ),
    (
        "小家电线上销售额稳步增长",
        &[
            "多家电商平台数据显示，空气炸锅、破壁机、洗地机等小家电线上销售额稳步增长，年轻消费者成为购买主力。",
            "{c}的一家家电门店负责人说，线上线下融合经营已成为常态。",
        ],
    ),
    (
        "{c}开展“放心消费”示范街区评选",
        &[
            "{c}近日启动“放心消费”示范街区评选，将从商品质量、明码标价、售后服务等方面对商户进行综合评价。",
            "评选结果将向社会公示，并纳入商户信用记录。",
        ],
    ),
    (
        "冬季取暖产品走俏 {c}商场备货充足",
        &[
            "随着气温下降，{c}各大商场的取暖产品销售进入旺季，油汀、暖风机等产品备货充足。",
            "商家介绍，今年节能款产品更受欢迎。",
        ],
    ),
    (
        "{c}举办质量月主题活动",
        &[
            "{c}市场监管部门联合行业协会举办质量月主题活动，组织企业开展质量开放日，邀请市民参观生产线。",
            "多家企业现场展示了自己的质量管理做法。",
        ],
    ),
    (
        "电商平台推出适老化购物服务",
        &[
            "多家电商平台近期推出适老化购物服务，简化下单流程，放大页面字体，并开通老年人专属客服热线。",
            "{c}一位七十岁的老人说，现在自己也能在手机上买东西了。",
        ],
    ),
];

/// Lines a listing description may end with (harmless).
pub static LISTING_TAILS: &[&str] = &[
    "支持七天无理由退换货，运费险已开通。",
    "下单后48小时内发货，偏远地区除外。",
    "全国联保一年，售后无忧。",
    "因显示器不同，颜色可能略有差异，请以实物为准。",
];

/// Complaint openings: `{md}` date, `{pl}` platform, `{shop}`, `{p}` product, `{who}` a family member.
pub static COMPLAINT_OPENINGS: &[&str] = &[
    "本人于{md}在{pl}“{shop}”购买了一款{p}，",
    "{md}通过{pl}下单买了{p}，商家是{shop}，",
    "家里{who}前段时间在{pl}的{shop}买了{p}，",
    "我在{pl}{shop}买了两个{p}，{md}收到货，",
];

pub static WHO: &[&str] = &["老人", "孩子", "爱人", "母亲", "父亲"];

/// Where the event happened: `{place}`.
pub static COMPLAINT_PLACES: &[&str] = &[
    "事发地在{place}。",
    "本人现居{place}。",
    "我是{place}的消费者。",
    "事发地点：{place}。",
];

/// After a fire or explosion.
pub static AFTER_FIRE: &[&str] = &[
    "现场一股刺鼻的焦糊味，周围的物品被熏黑烧坏了好几样。",
    "火被扑灭后，周边的东西都熏黑了，财物损失不小。",
    "当时一家人都吓坏了，现在想起来还后怕。",
    "现场照片和购买记录我都保存好了。",
];

/// After an electric shock.
pub static AFTER_SHOCK: &[&str] = &[
    "当时手臂发麻好一阵，后来去医院做了心电图检查。",
    "家里人吓得不轻，已经把插头拔掉不敢再用。",
    "请电工上门检测，确认是产品本身的问题。",
];

/// After other injuries.
pub static AFTER_INJURY: &[&str] = &[
    "到医院处理花了几百元医药费。",
    "去医院检查后医生建议观察几天。",
    "伤口处理了好几次，至今还没完全好。",
];

pub static DEMANDS: &[&str] = &[
    "联系商家后对方只同意退货，拒绝承担任何损失，现要求商家赔偿并说明原因。",
    "客服一直拖延处理，请求有关部门介入调查这批产品。",
    "要求商家退款并赔偿损失，同时希望平台下架该商品，避免其他人受害。",
    "商家称是使用不当，我不认可，希望监管部门依法处理。",
];

pub static STATUSES: &[&str] = &["已受理", "处理中", "已办结"];

/// People who tell a reporter what happened.
pub static PERSONS: &[&str] = &[
    "张女士",
    "刘先生",
    "陈女士",
    "黄先生",
    "杨女士",
    "周先生",
    "吴女士",
    "郑先生",
];

pub static REPORTERS: &[&str] = &["王晓东", "李倩", "陈立", "周敏", "赵一鸣", "孙婷", "吴凡"];

/// Closing paragraphs of incident news (no hazard words, so they add no mention).
pub static NEWS_CLOSINGS: &[&str] = &[
    "目前，当地市场监管部门已介入调查，涉事产品的销售渠道正在核查中。",
    "记者联系了涉事商家，截至发稿时尚未得到回复。",
    "事发后，涉事店铺已下架同款商品，具体原因仍在调查。",
    "据了解，涉事产品购自网络平台，消费者已向当地消保委投诉。",
];

/// Words that start a repost's added sentence.
pub static REPOST_ADDITIONS: &[&str] = &[
    "有网友表示，自己也买过同一款产品，已经停止使用。",
    "多位业内人士认为，网售产品的质量把关仍需加强。",
    "当地消保委表示将持续关注此事进展。",
];

/// Drill stories (hazard words under a drill cue). `{c}` city, `{p}` product.
pub static DRILLS: &[(&str, &[&str])] = &[
    (
        "{c}一小区开展电动车消防演练",
        &[
            "为提高居民火灾应急处置能力，{c}某社区近日联合消防救援站开展消防演练，现场模拟{p}充电时起火的场景。",
            "消防员演示了灭火器的使用方法，并讲解了楼道内不得停放车辆、不得私拉电线充电等注意事项。",
            "这次演练持续约一个小时，三百余名居民参加。",
        ],
    ),
    (
        "{c}地铁站举行应急演练 模拟乘客{p}冒烟",
        &[
            "{c}地铁运营单位近日在站厅举行应急演练，模拟乘客随身携带的{p}突然冒烟起火的情形。",
            "工作人员按照预案疏散乘客、使用灭火毯处置，整个过程用时五分钟。",
            "演练结束后，站方提醒乘客乘车时留意随身电子产品的状态。",
        ],
    ),
    (
        "{c}一学校开展消防安全科普课",
        &[
            "{c}一所小学日前请来消防员为学生上科普课，用模型模拟{p}过充引发燃烧的过程。",
            "消防员提醒同学们，如果发现电池发烫、变形，要立即告诉家长并远离。",
        ],
    ),
];

/// Negated hazard texts: (title, text). `{c}` city/place, `{p}` product.
pub static NEGATED: &[(&str, &str)] = &[
    (
        "{p}充电时有异味，检查后确认无事",
        "{c}一位市民反映，{p}充电时闻到异味，担心出问题，联系售后上门检测。维修师傅经检查未发生起火，也没有短路痕迹，异味来自新车座垫的胶水，已更换充电线后正常使用。",
    ),
    (
        "{p}发热报修 售后检测正常",
        "我在{c}使用的{p}充电时有些发热，担心有危险报了售后。师傅检测后说属于正常温度，没有发生爆炸或起火的迹象，也没有鼓包，建议不要边充边用。这里记录一下处理过程，商家态度不错。",
    ),
    (
        "楼道冒出异味 消防排查后虚惊一场",
        "{c}一居民楼楼道内飘出焦味，居民以为是{p}出了问题，随即报警。消防员到场排查后确认并未发生起火，异味来自楼下餐馆排风。",
    ),
];

/// Safety advertising lines for listings (every hazard word negated).
pub static ADVERTS: &[&str] = &[
    "采用A品质防爆电芯，多重保护，不会爆炸，不会鼓包。",
    "阻燃外壳，即使过充也不会起火，安全放心。",
    "内置智能保护板，过充过放全方位防护，长期使用不会起火、不会爆炸。",
    "通过多项安全检测，高温环境下也不会自燃，请放心选购。",
];
