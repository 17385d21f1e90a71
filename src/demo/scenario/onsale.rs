//! The market part of the scenario (issue 20): recalled models still listed by several shops,
//! each writing the model its own way (full-width, lower case, another separator, in the model
//! attribute, under the brand's Latin name), and near-miss listings of the same brands with
//! other models, which must not be matched. Listings carry sales counts like every listing.
//!
//! It also seeds listings that break the rules (issue 20, item 2), each marked in its truth: in a
//! category of the CCC catalogue without any CCC claim; claiming the standard a new mandatory one
//! replaced, or none; selling a banned product. Every other listing claims what a compliant shop
//! claims ([`claims`]: the CCC mark or a certificate number in a CCC category, the standard in
//! force), derived from its title without a random draw.
//!
//! Drawn from their own random stream (`Gen::aside`) after everything else, and given paths from
//! their own range, so the rest of the scenario — texts, dates and paths — is what it was
//! without them.

use chrono::Duration;
use rand::Rng;
use rand::seq::SliceRandom;

use super::super::texts;
use super::super::{Detail, MarketTruth, Review, Role, Site};
use super::{Gen, truth};
use crate::market::names::alnum_upper;

/// The Latin names the demo's brands go by on some listings (the same aliases as in
/// `rules/market.toml`).
const LATIN: &[(&str, &str)] = &[
    ("优能达", "YOUNENGDA"),
    ("倍力源", "BEILIYUAN"),
    ("途悦", "TUYUE"),
    ("安骑", "ANQI"),
    ("星野", "XINGYE"),
    ("蓝鲸", "BLUEWHALE"),
    ("美居乐", "MEIJULE"),
    ("暖邦", "NUANBANG"),
    ("贝乐童", "BEILETONG"),
    ("小象宝", "XIAOXIANGBAO"),
    ("格致", "GEZHI"),
    ("众行", "ZHONGXING"),
    ("启航", "QIHANG"),
    ("宏旺", "HONGWANG"),
    ("瑞丰", "RUIFENG"),
    ("福满屋", "FUMANWU"),
    ("速驰", "SUCHI"),
    ("闪电侠", "FLASHMAN"),
    ("云朵", "YUNDUO"),
    ("暖阳阳", "NUANYANGYANG"),
    ("欧睿", "OURUI"),
    ("万邦", "WANBANG"),
    ("驰风", "CHIFENG"),
    ("酷能", "KUNENG"),
];

/// The demo's categories in the CCC catalogue (as `rules/compliance.toml` lists them): a
/// compliant listing claims the mark.
pub(crate) const CCC: &[&str] = &[
    "电动自行车用蓄电池",
    "移动电源",
    "电热水壶",
    "电动自行车",
    "电动自行车充电器",
    "移动式插座",
    "玩具",
    "磁性玩具",
    "童车",
    "家用燃气灶具",
    "室内加热器",
    "头盔",
    "电源适配器及充电器",
    "储水式电热水器",
    "皮肤及毛发护理器具",
    "机动车儿童乘员用约束系统",
    "灯具",
    "电线电缆",
];

/// The mandatory standard a category's listings must name at the scenario's end (as
/// `rules/standards.toml` tracks it), with the edition it replaced ("" for a new standard).
pub(crate) const STANDARD: &[(&str, &str, &str)] = &[
    ("头盔", "GB 811-2022", "GB 811-2010"),
    ("移动电源", "GB 31241-2022", "GB 31241-2014"),
    ("电源适配器及充电器", "GB 4943.1-2022", "GB 4943.1-2011"),
    ("电动自行车用蓄电池", "GB 43854-2024", ""),
];

/// A number from a text, without drawing from a random stream (FNV-1a).
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a compliant listing of `cat` says about certification and standards (its page's
/// 认证及标准 attribute; "" when nothing is required), written one of several ways by `key`.
pub(super) fn claims(cat: &str, key: &str) -> String {
    let h = hash(key);
    let mut parts = Vec::new();
    if CCC.contains(&cat) {
        let cert = format!("20{:014}", h % 100_000_000_000_000);
        parts.push(match h % 3 {
            0 => format!("3C认证 证书编号：{cert}"),
            1 => "CCC认证".to_string(),
            _ => format!("强制性产品认证证书号 {cert}"),
        });
    }
    if let Some((_, number, _)) = STANDARD.iter().find(|(c, _, _)| *c == cat) {
        parts.push(format!("执行标准：{number}"));
    }
    parts.join("；")
}

/// A banned product of the rules, as a listing category of its own.
const fn banned(
    id: &'static str,
    dept: &'static str,
    goods: &'static [&'static str],
    features: &'static [&'static str],
    price: (u32, u32),
) -> texts::Cat {
    texts::Cat {
        id,
        aliases: &[],
        dept,
        goods,
        features,
        price,
        incidents: &[],
        items: &[],
    }
}

/// Products `rules/compliance.toml` bans, listed anyway.
static BANNED: [texts::Cat; 3] = [
    banned(
        "电子烟",
        "数码",
        &["一次性电子烟 水果味", "电子烟 烟弹套装"],
        &["多种口味可选", "小巧便携"],
        (29, 129),
    ),
    banned(
        "洁面产品",
        "家居",
        &["磨砂微珠洁面乳 深层清洁", "去角质磨砂微珠洗面奶"],
        &["温和不紧绷", "男女通用"],
        (19, 69),
    ),
    banned(
        "塑料购物袋",
        "家居",
        &["超薄塑料袋 背心袋 1000只", "超薄购物袋 加厚款以外批发"],
        &["一次性使用", "整箱发货"],
        (9, 39),
    ),
];

/// A model written in full-width characters (３ＰＢ－１２３).
fn full_width(model: &str) -> String {
    model
        .chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A recall of the scenario, as the market part needs it.
struct Recalled {
    cat: &'static texts::Cat,
    brand: String,
    enterprise: String,
    model: String,
    /// The recalled product without its brand (多功能宝宝餐椅): what its listings sell.
    goods: String,
    day: chrono::NaiveDate,
}

impl Gen {
    pub(super) fn onsale(&mut self) {
        let mut recalls: Vec<Recalled> = Vec::new();
        for d in &self.docs {
            let Detail::Recall {
                enterprise,
                product,
                model,
                ..
            } = &d.detail
            else {
                continue;
            };
            let Some(cat) = d.truth.category.as_deref().and_then(texts::cat) else {
                continue;
            };
            let brand = product.split('牌').next().unwrap_or_default().to_string();
            let goods = product
                .split_once('牌')
                .map_or(product.as_str(), |(_, g)| g)
                .to_string();
            recalls.push(Recalled {
                cat,
                brand,
                goods,
                enterprise: enterprise.clone(),
                model: model.clone(),
                day: d.published,
            });
        }
        // Two recalls of one model number would make the truth ambiguous: keep the first.
        let all_keys: Vec<String> = recalls.iter().map(|r| alnum_upper(&r.model)).collect();
        recalls.retain(|r| {
            all_keys
                .iter()
                .filter(|k| **k == alnum_upper(&r.model))
                .count()
                == 1
        });
        for (k, r) in recalls.iter().enumerate() {
            let shops = 2 + k % 2;
            let mut suffixes = texts::SHOP_SUFFIX.to_vec();
            suffixes.shuffle(&mut self.aside);
            for (j, suffix) in suffixes.iter().take(shops).enumerate() {
                let latin = LATIN
                    .iter()
                    .find(|(b, _)| *b == r.brand)
                    .map_or(r.brand.as_str(), |(_, l)| l);
                // A listing of the recalled model sells the recalled product: a bed rail with the
                // model of a recalled high chair is another product (the draw keeps the stream of
                // the other choices as it was).
                let _ = self.aside.random_range(0..r.cat.goods.len());
                let goods = r.goods.as_str();
                // Each shop writes the model its own way.
                let (title, brand, model, maker) = match (j + k) % 4 {
                    0 => (
                        format!("{} {goods} {}", r.brand, r.model),
                        r.brand.clone(),
                        String::new(),
                        String::new(),
                    ),
                    1 => (
                        format!("{latin} {goods} {}", full_width(&r.model)),
                        latin.to_string(),
                        String::new(),
                        String::new(),
                    ),
                    2 => (
                        format!("{} {goods} 正品现货", r.brand),
                        r.brand.clone(),
                        format!("型号：{}", r.model.replace('-', " ").to_lowercase()),
                        r.enterprise.clone(),
                    ),
                    _ => (
                        format!(
                            "{}{goods} {}",
                            r.brand,
                            r.model.replace('-', "").to_lowercase()
                        ),
                        format!("{latin}/{}", r.brand),
                        String::new(),
                        String::new(),
                    ),
                };
                let shop = format!("{}{suffix}", r.brand);
                let truth_model = r.model.clone();
                self.market_listing(
                    r,
                    title,
                    brand,
                    shop,
                    model,
                    maker,
                    MarketTruth::Recalled { model: truth_model },
                );
            }
            // Near misses: the same brand, another model.
            let misses = 1 + (k + 1) % 2;
            for m in 0..misses {
                let other = self.near_miss(&r.model, m + k, &all_keys);
                let goods = r.cat.goods[self.aside.random_range(0..r.cat.goods.len())];
                let title = format!("{} {goods} {other}", r.brand);
                let suffix =
                    texts::SHOP_SUFFIX[self.aside.random_range(0..texts::SHOP_SUFFIX.len())];
                let shop = format!("{}{suffix}", r.brand);
                self.market_listing(
                    r,
                    title,
                    r.brand.clone(),
                    shop,
                    String::new(),
                    String::new(),
                    MarketTruth::NearMiss {
                        model: r.model.clone(),
                    },
                );
            }
        }
        self.breaches();
    }

    /// Another model of the same range: one more digit, the last digit changed, or other
    /// letters — never a model some recall names.
    fn near_miss(&mut self, model: &str, variant: usize, taken: &[String]) -> String {
        for attempt in 0..20 {
            let candidate = match (variant + attempt) % 3 {
                0 => format!("{model}{}", self.aside.random_range(0..10)),
                1 => {
                    let mut chars: Vec<char> = model.chars().collect();
                    if let Some(last) = chars.iter_mut().rev().find(|c| c.is_ascii_digit()) {
                        let d = last.to_digit(10).unwrap_or(0);
                        *last =
                            char::from_digit((d + 1 + attempt as u32 % 8) % 10, 10).unwrap_or('0');
                    }
                    chars.into_iter().collect()
                }
                _ => {
                    let letters = ["PB", "KX", "HT", "ZX", "YD", "QS"];
                    let own: String = model.chars().filter(char::is_ascii_alphabetic).collect();
                    let other = letters
                        .iter()
                        .find(|l| **l != own && (attempt == 0 || self.aside.random_bool(0.5)))
                        .copied()
                        .unwrap_or("QS");
                    model.replacen(own.as_str(), other, 1)
                }
            };
            if alnum_upper(&candidate) != alnum_upper(model)
                && !taken.contains(&alnum_upper(&candidate))
            {
                return candidate;
            }
        }
        format!("{model}X9")
    }

    #[allow(clippy::too_many_arguments)]
    fn market_listing(
        &mut self,
        r: &Recalled,
        title: String,
        brand: String,
        shop: String,
        model: String,
        maker: String,
        market: MarketTruth,
    ) {
        let claims = claims(r.cat.id, &title);
        self.listed(
            r.cat, r.day, title, brand, shop, model, maker, claims, market,
        );
    }

    /// Listings that break the rules: in a CCC category without a claim, claiming the replaced
    /// standard or none after the new one took effect, selling a banned product.
    fn breaches(&mut self) {
        let end = self.end;
        let since = end - Duration::days(60);
        let latin = |rng: &mut rand_chacha::ChaCha8Rng| LATIN[rng.random_range(0..LATIN.len())].0;
        // No CCC claim: the standard (where one is tracked) is named, so only the mark is missing.
        let mut ccc: Vec<&str> = CCC.to_vec();
        ccc.shuffle(&mut self.aside);
        for id in ccc.into_iter().filter_map(texts::cat).take(4) {
            let brand = latin(&mut self.aside);
            let goods = id.goods[self.aside.random_range(0..id.goods.len())];
            let title = format!("{brand} {goods} 特价清仓");
            let claims = STANDARD
                .iter()
                .find(|(c, _, _)| *c == id.id)
                .map(|(_, n, _)| format!("执行标准：{n}"))
                .unwrap_or_default();
            let shop = format!("{brand}{}", self.suffix());
            self.listed(
                id,
                since,
                title,
                brand.to_string(),
                shop,
                String::new(),
                String::new(),
                claims,
                MarketTruth::Breaks { basis: "ccc" },
            );
        }
        // The replaced edition claimed, or no standard at all; the mark is claimed.
        for (k, (cat, _, old)) in STANDARD.iter().enumerate() {
            let Some(c) = texts::cat(cat) else { continue };
            let brand = latin(&mut self.aside);
            let goods = c.goods[self.aside.random_range(0..c.goods.len())];
            let title = format!("{brand} {goods}");
            let standard = if old.is_empty() || k % 2 == 1 {
                String::new()
            } else {
                format!("；执行标准：{old}")
            };
            let claims = format!("CCC认证{standard}");
            let shop = format!("{brand}{}", self.suffix());
            self.listed(
                c,
                since,
                title,
                brand.to_string(),
                shop,
                String::new(),
                String::new(),
                claims,
                MarketTruth::Breaks { basis: "standard" },
            );
        }
        // Banned products.
        for c in BANNED.iter() {
            let brand = latin(&mut self.aside);
            let goods = c.goods[self.aside.random_range(0..c.goods.len())];
            let title = format!("{brand} {goods}");
            let shop = format!("{brand}{}", self.suffix());
            self.listed(
                c,
                since,
                title,
                brand.to_string(),
                shop,
                String::new(),
                String::new(),
                String::new(),
                MarketTruth::Breaks { basis: "banned" },
            );
        }
    }

    fn suffix(&mut self) -> &'static str {
        texts::SHOP_SUFFIX[self.aside.random_range(0..texts::SHOP_SUFFIX.len())]
    }

    /// A listing of the market part, on sale from some day after `since` to the scenario's end.
    #[allow(clippy::too_many_arguments)]
    fn listed(
        &mut self,
        cat: &'static texts::Cat,
        since: chrono::NaiveDate,
        title: String,
        brand: String,
        shop: String,
        model: String,
        maker: String,
        claims: String,
        market: MarketTruth,
    ) {
        let r = Recalled {
            cat,
            brand: String::new(),
            enterprise: String::new(),
            model: String::new(),
            goods: String::new(),
            day: since,
        };
        let rng = &mut self.aside;
        let seat = &texts::PROVINCES[rng.random_range(0..texts::PROVINCES.len())];
        let seat_city = rng.random_range(0..seat.cities.len().max(1));
        let shop_region = format!("{} {}", seat.short, seat.city_stem(seat_city));
        let (lo, hi) = r.cat.price;
        let price = format!(
            "{}.{:02}",
            rng.random_range(lo..=hi),
            [0u32, 90, 50, 99][rng.random_range(0..4)]
        );
        let sales = [
            "月销 30+",
            "月销 200+",
            "月销 500+",
            "月销 1200+",
            "已售 3000+",
            "2万+人付款",
        ][rng.random_range(0..6)]
        .to_string();
        let mut feats: Vec<&str> = r.cat.features.to_vec();
        feats.shuffle(rng);
        let mut body: Vec<String> = feats.iter().take(2).map(|f| f.to_string()).collect();
        body.push(
            texts::LISTING_TAILS[rng.random_range(0..texts::LISTING_TAILS.len())].to_string(),
        );
        // Listed after the recall, still on sale at the end of the scenario.
        let since = (self.end - r.day).num_days().clamp(0, 40);
        let day = self.end - Duration::days(rng.random_range(0..=since));
        let mut reviews: Vec<Review> = (0..rng.random_range(1..3))
            .map(|i| Review {
                user: texts::USERS[rng.random_range(0..texts::USERS.len())].to_string(),
                date: day - Duration::days(rng.random_range(1..20) + 3 * i),
                stars: rng.random_range(4..=5),
                text: texts::GOOD_REVIEWS[rng.random_range(0..texts::GOOD_REVIEWS.len())]
                    .to_string(),
            })
            .collect();
        reviews.sort_by_key(|r| std::cmp::Reverse(r.date));
        let detail = Detail::Listing {
            dept: r.cat.dept.to_string(),
            brand,
            shop,
            shop_region,
            price,
            sales,
            reviews,
            model,
            maker,
            claims,
        };
        let mut t = truth(r.cat.id, None, None, false, Role::Noise);
        t.market = Some(market);
        let time =
            chrono::NaiveTime::from_hms_opt(rng.random_range(8..22), rng.random_range(0..60), 0)
                .unwrap_or(chrono::NaiveTime::MIN);
        self.docs.push(super::super::DemoDoc {
            site: Site::Mall,
            path: String::new(),
            kind: detail.kind(),
            published: day,
            time,
            title,
            body,
            detail,
            truth: t,
        });
    }
}
