//! Homogeneous corpora for the benches and the clustering tests: texts that differ in a few tokens,
//! as a platform crawl is (one product family's listings), small-vocabulary text, and one
//! complaint template with its details varying. Deterministic for a seed.
//!
//! They exist because near-duplicate lookup that is fast on varied news can collapse here: every
//! lookup key's postings hold every document.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn pick<'a>(rng: &mut ChaCha8Rng, from: &[&'a str]) -> &'a str {
    from.get(rng.random_range(0..from.len()))
        .copied()
        .unwrap_or("")
}

const BRANDS: [&str; 16] = [
    "雅迪", "爱玛", "台铃", "新日", "绿源", "小牛", "九号", "立马", "欧派", "速珂", "哈啰", "凤凰",
    "永久", "飞鸽", "小刀", "金箭",
];
const PROVINCES: [&str; 12] = [
    "浙江", "江苏", "广东", "山东", "河北", "河南", "天津", "福建", "安徽", "湖北", "上海", "四川",
];

/// E-commerce listing titles from a few product-family templates: brand, model, voltage,
/// capacity, range, shipping province and sales varying.
pub fn template_listings(n: usize, seed: u64) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let brand = pick(&mut rng, &BRANDS);
            let model = format!(
                "{}{}",
                pick(&mut rng, &["Q", "M", "DT", "TDR", "Z", "F"]),
                rng.random_range(1..400)
            );
            let from = pick(&mut rng, &PROVINCES);
            let sold = rng.random_range(0..20_000);
            match rng.random_range(0..3) {
                0 => format!(
                    "{brand}{model}新国标电动自行车{}V{}Ah锂电池长续航{}公里男女通勤代步电瓶车 {from}发货 已售{sold}件",
                    pick(&mut rng, &["48", "60", "72"]),
                    rng.random_range(12..40),
                    rng.random_range(40..160)
                ),
                1 => format!(
                    "{brand}{model}充电宝{}毫安大容量{}W快充移动电源适用苹果华为小米 {from}发货 月销{sold}",
                    pick(&mut rng, &["10000", "20000", "30000", "50000"]),
                    pick(&mut rng, &["18", "22.5", "65"])
                ),
                _ => format!(
                    "{brand}{model}电热水壶{}L家用304不锈钢{}W自动断电烧水壶 {from}仓 已售{sold}+",
                    pick(&mut rng, &["1.5", "1.7", "1.8", "2.0"]),
                    pick(&mut rng, &["1500", "1800", "2200"])
                ),
            }
        })
        .collect()
}

/// Lines of text drawn from a vocabulary of a few dozen words: every 4-shingle is common.
pub fn small_vocabulary(n: usize, seed: u64) -> Vec<String> {
    const WORDS: [&str; 40] = [
        "产品",
        "质量",
        "安全",
        "消费者",
        "投诉",
        "电池",
        "充电",
        "起火",
        "冒烟",
        "商家",
        "退货",
        "售后",
        "检测",
        "合格",
        "不合格",
        "召回",
        "市场",
        "监管",
        "部门",
        "抽查",
        "电动车",
        "插座",
        "儿童",
        "玩具",
        "食品",
        "包装",
        "标签",
        "过期",
        "网购",
        "平台",
        "店铺",
        "客服",
        "维修",
        "更换",
        "赔偿",
        "使用",
        "发现",
        "问题",
        "严重",
        "隐患",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let len = rng.random_range(10..30);
            let mut line = String::new();
            for i in 0..len {
                line.push_str(pick(&mut rng, &WORDS));
                if i % 7 == 6 {
                    line.push('，');
                }
            }
            line.push('。');
            line
        })
        .collect()
}

/// Complaints written from one template, the consumer, platform, product, days, symptom and
/// demand varying.
pub fn complaint_template(n: usize, seed: u64) -> Vec<String> {
    const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    const PLATFORMS: [&str; 5] = ["淘宝", "京东", "拼多多", "抖音商城", "快手小店"];
    const PRODUCTS: [&str; 8] = [
        "电动自行车充电器",
        "移动电源",
        "电热毯",
        "儿童滑板车",
        "电吹风",
        "插线板",
        "空气炸锅",
        "暖手宝",
    ];
    const SYMPTOMS: [&str; 6] = [
        "外壳发烫变形",
        "冒烟并有焦糊味",
        "突然起火",
        "漏电麻手",
        "插头熔化",
        "无法断电",
    ];
    const DEMANDS: [&str; 4] = [
        "要求退款并赔偿损失",
        "要求商家召回同批次产品",
        "希望监管部门调查处理",
        "要求更换并出具检测报告",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            format!(
                "{}月{}日，{}女士/先生反映，其在{}购买的{}{}使用{}天后出现{}的情况，联系客服后商家称{}，消费者{}。订单号{}。",
                rng.random_range(1..13),
                rng.random_range(1..29),
                pick(&mut rng, &SURNAMES),
                pick(&mut rng, &PLATFORMS),
                pick(&mut rng, &BRANDS),
                pick(&mut rng, &PRODUCTS),
                rng.random_range(1..90),
                pick(&mut rng, &SYMPTOMS),
                pick(&mut rng, &["属于人为损坏", "需要寄回检测", "超过七天无理由期限", "可以补偿优惠券"]),
                pick(&mut rng, &DEMANDS),
                rng.random_range(100_000_000u64..999_999_999)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpora_are_deterministic_and_homogeneous() {
        for make in [template_listings, small_vocabulary, complaint_template] {
            let a = make(300, 7);
            assert_eq!(a, make(300, 7));
            assert_ne!(a, make(300, 8));
            let distinct: std::collections::HashSet<&String> = a.iter().collect();
            assert!(distinct.len() > 290, "{}", distinct.len());
            assert!(a.iter().all(|t| t.chars().count() >= 20), "{:?}", a.first());
        }
    }
}
