//! The market: brands, the trades of their makers, platforms, shop names, users, and the
//! harmless lines of listings and reviews.

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

/// Lines a listing description may end with (harmless).
pub static LISTING_TAILS: &[&str] = &[
    "支持七天无理由退换货，运费险已开通。",
    "下单后48小时内发货，偏远地区除外。",
    "全国联保一年，售后无忧。",
    "因显示器不同，颜色可能略有差异，请以实物为准。",
];
