//! The market part of the scenario (issue 20): recalled models still listed by several shops,
//! each writing the model its own way (full-width, lower case, another separator, in the model
//! attribute, under the brand's Latin name), and near-miss listings of the same brands with
//! other models, which must not be matched. Listings carry sales counts like every listing.
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

/// The letters and digits of a model, upper case (what matching compares).
fn key(model: &str) -> String {
    model
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_uppercase()
}

/// A recall of the scenario, as the market part needs it.
struct Recalled {
    cat: &'static texts::Cat,
    brand: String,
    enterprise: String,
    model: String,
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
            recalls.push(Recalled {
                cat,
                brand,
                enterprise: enterprise.clone(),
                model: model.clone(),
                day: d.published,
            });
        }
        // Two recalls of one model number would make the truth ambiguous: keep the first.
        let all_keys: Vec<String> = recalls.iter().map(|r| key(&r.model)).collect();
        recalls.retain(|r| all_keys.iter().filter(|k| **k == key(&r.model)).count() == 1);
        for (k, r) in recalls.iter().enumerate() {
            let shops = 2 + k % 2;
            let mut suffixes = texts::SHOP_SUFFIX.to_vec();
            suffixes.shuffle(&mut self.aside);
            for (j, suffix) in suffixes.iter().take(shops).enumerate() {
                let latin = LATIN
                    .iter()
                    .find(|(b, _)| *b == r.brand)
                    .map_or(r.brand.as_str(), |(_, l)| l);
                let goods = r.cat.goods[self.aside.random_range(0..r.cat.goods.len())];
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
            if key(&candidate) != key(model) && !taken.contains(&key(&candidate)) {
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
