//! The provinces of the scenario (GB/T 2260 full names, the short names shops write, some
//! cities each) and how a text writes a place in them.

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
