//! Sampling plans that name purchases (issue 20, item 5): a drafted sampling request gets the
//! concrete listings to buy — at most one per shop, per brand and per enterprise, none whose
//! shop, brand or enterprise was sampled before — ordered by repeat offence (a listing of a
//! shop, brand or enterprise that `rules/parties.toml` makes a repeat offender comes first,
//! issue 47: the centre re-checks those it has caught before), then by evidence (the listing is
//! itself evidence of the alert, or its shop or brand is named by the alert's signals), then by
//! where the shop is (inside the alert's regions first), then by exposure (units sold), as many
//! as the plan's batches. A request that buys from a repeat offender says so in its `reason`,
//! and each such purchase in its `why`. Shop and enterprise names are compared normalised ([`names::shop`],
//! [`names::enterprise`]), so a shop written three ways is one shop, and the request's own
//! lists of shops and enterprises lose their near-duplicates the same way.

use std::collections::{HashMap, HashSet};

use super::names;
use super::rules::MarketRules;
use crate::model::{Listing, Purchase, SamplingRequest};

/// The keys a party name is compared by ([`MarketRules::identity`]).
pub fn party_keys(rules: &MarketRules, name: &str) -> Vec<String> {
    rules.identity(name)
}

/// The brands a listing stands for: its brand field's identity and the brand its shop's name
/// carries, so two shops of one brand are one brand whatever the brand field says.
fn listing_brands(rules: &MarketRules, l: &Listing) -> Vec<String> {
    let mut out = Vec::new();
    if !l.brand.trim().is_empty() {
        out.push(rules.brand(&l.brand));
    }
    if let Some(b) = rules.shop_brand(&l.shop)
        && !out.contains(&b)
    {
        out.push(b);
    }
    out.retain(|b| !b.is_empty());
    out
}

/// A repeat offender as a plan names it: (its name, the rules it meets).
type Offence = (String, String);

/// The repeat offenders (issue 47 item 3) whose listings a plan buys first. Found by
/// `review::parties` from the store's history, which sits above this stage; the pipeline hands
/// them in. Compared by the same identity keys as the sampling history, so a party written
/// another way on a listing is still the same party.
#[derive(Debug, Clone, Default)]
pub struct RepeatOffenders {
    /// Identity key → (the party's name, the rules it meets).
    by_key: HashMap<String, Offence>,
}

impl RepeatOffenders {
    /// A party by its names (the first is the one shown) and the rules it meets, as one text.
    pub fn add(&mut self, rules: &MarketRules, names: &[String], why: &str) {
        let Some(shown) = names.first() else {
            return;
        };
        for key in names.iter().flat_map(|n| party_keys(rules, n)) {
            self.by_key
                .entry(key)
                .or_insert_with(|| (shown.clone(), why.to_string()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The repeat offender among `keys`, if any: (its name, the rules it meets).
    fn among<'a>(&self, keys: impl IntoIterator<Item = &'a String>) -> Option<&Offence> {
        keys.into_iter()
            .filter(|k| !k.is_empty())
            .find_map(|k| self.by_key.get(k))
    }

    fn is_one(&self, rules: &MarketRules, name: &str) -> bool {
        self.among(&party_keys(rules, name)).is_some()
    }
}

/// The keys a listing's parties are compared by: its shop, its brands, its enterprise, and its
/// shop's name read as an enterprise's (a factory shop named after its maker).
fn listing_keys(rules: &MarketRules, l: &Listing) -> Vec<String> {
    let suffixes = &rules.names.enterprise_suffixes;
    let mut keys = vec![
        rules.shop(&l.shop),
        names::enterprise(&l.enterprise, suffixes),
        names::enterprise(&l.shop, suffixes),
    ];
    keys.extend(listing_brands(rules, l));
    keys.retain(|k| !k.is_empty());
    keys
}

/// Names with their near-duplicates removed (the first spelling kept), by `key`.
pub fn dedupe(list: &[String], key: impl Fn(&str) -> String) -> Vec<String> {
    let mut seen = HashSet::new();
    list.iter()
        .filter(|n| {
            let k = key(n);
            k.is_empty() || seen.insert(k)
        })
        .cloned()
        .collect()
}

/// Fill `request.purchases` from `listings` and clean its party lists. `sampled` holds the
/// names in the sampling history (within the exclusion period); `evidence` the alert's evidence
/// document ids; `repeat` the repeat offenders, whose listings and names come first.
pub fn plan(
    rules: &MarketRules,
    request: &mut SamplingRequest,
    listings: &[Listing],
    sampled: &HashSet<String>,
    evidence: &[String],
    repeat: &RepeatOffenders,
) {
    let suffixes = &rules.names.enterprise_suffixes;
    request.shops = dedupe(&request.shops, |s| rules.shop(s));
    request.enterprises = dedupe(&request.enterprises, |s| names::enterprise(s, suffixes));
    request.brands = dedupe(&request.brands, |s| rules.brand(s));

    let history: HashSet<String> = sampled
        .iter()
        .flat_map(|n| party_keys(rules, n))
        .filter(|k| !k.is_empty())
        .collect();
    // The request names no party the history holds in any spelling: the score stage left out
    // exact spellings only, so GEZHI sampled still let 格致工厂店 through.
    let unsampled = |n: &String| !party_keys(rules, n).iter().any(|k| history.contains(k));
    request.shops.retain(unsampled);
    request.brands.retain(unsampled);
    request.enterprises.retain(unsampled);
    // whom to buy from: repeat offenders first, each list otherwise in its own order
    for list in [
        &mut request.shops,
        &mut request.brands,
        &mut request.enterprises,
    ] {
        list.sort_by_key(|n| !repeat.is_one(rules, n));
    }
    let named_shops: HashSet<String> = request.shops.iter().map(|s| rules.shop(s)).collect();
    let named_brands: HashSet<String> = request.brands.iter().map(|b| rules.brand(b)).collect();
    let nationwide = request.regions.iter().any(|r| r == "全国");
    let mut candidates: Vec<(Option<&Offence>, u8, bool, u64, &Listing)> = listings
        .iter()
        .filter(|l| l.categories.iter().any(|c| c == &request.category))
        .filter(|l| !l.url.is_empty() && !l.shop.trim().is_empty())
        .map(|l| {
            let mut ev = 0u8;
            if evidence.contains(&l.doc_id) {
                ev += 2;
            }
            if named_shops.contains(&rules.shop(&l.shop)) {
                ev += 1;
            }
            if listing_brands(rules, l)
                .iter()
                .any(|b| named_brands.contains(b))
            {
                ev += 1;
            }
            let here = nationwide
                || l.province
                    .as_ref()
                    .is_some_and(|p| request.regions.contains(p));
            let offender = repeat.among(&listing_keys(rules, l));
            (offender, ev, here, l.sales.unwrap_or(0), l)
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.0.is_some()
            .cmp(&a.0.is_some())
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
            .then(b.3.cmp(&a.3))
            .then_with(|| a.4.doc_id.cmp(&b.4.doc_id))
    });
    let (mut shops, mut brands, mut makers) = (HashSet::new(), HashSet::new(), HashSet::new());
    let mut out = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for (offender, ev, here, _, l) in candidates {
        if out.len() >= request.batches as usize {
            break;
        }
        let shop = rules.shop(&l.shop);
        let own_brands = listing_brands(rules, l);
        let maker = names::enterprise(&l.enterprise, suffixes);
        let sampled_before = listing_keys(rules, l).iter().any(|k| history.contains(k));
        if sampled_before
            || shops.contains(&shop)
            || own_brands.iter().any(|b| brands.contains(b))
            || (!maker.is_empty() && makers.contains(&maker))
        {
            continue;
        }
        shops.insert(shop);
        brands.extend(own_brands);
        if !maker.is_empty() {
            makers.insert(maker);
        }
        let mut why = Vec::new();
        if let Some((name, rule)) = offender {
            let said = format!("{name}（{rule}）");
            if !reasons.contains(&said) {
                reasons.push(said.clone());
            }
            why.push(format!("重复违法：{said}"));
        }
        if ev >= 2 {
            why.push("预警证据".into());
        } else if ev > 0 {
            why.push("涉事店铺或品牌".into());
        }
        if here && !nationwide {
            why.push("属地店铺".into());
        }
        if l.sales.is_some() {
            why.push("销量".into());
        }
        out.push(Purchase {
            doc_id: l.doc_id.clone(),
            url: l.url.clone(),
            platform: l.platform.clone(),
            shop: l.shop.clone(),
            brand: l.brand.clone(),
            model: l.model.clone(),
            enterprise: l.enterprise.clone(),
            price: l.price,
            sales: l.sales,
            province: l.province.clone(),
            title: l.title.clone(),
            why: why.join("、"),
        });
    }
    request.purchases = out;
    request.reason = if reasons.is_empty() {
        String::new()
    } else {
        format!("优先抽购重复违法者的在售商品：{}", reasons.join("；"))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn listing(
        id: &str,
        shop: &str,
        brand: &str,
        maker: &str,
        sales: u64,
        province: &str,
    ) -> Listing {
        Listing {
            doc_id: id.into(),
            url: format!("http://mall/{id}"),
            title: format!("{brand} 移动电源"),
            platform: "优选商城".into(),
            shop: shop.into(),
            shop_region: String::new(),
            province: Some(province.into()),
            brand: brand.into(),
            model: String::new(),
            enterprise: maker.into(),
            price: Some(59.0),
            sales: Some(sales),
            sales_text: String::new(),
            categories: vec!["移动电源".into()],
            day: NaiveDate::MIN,
        }
    }

    fn none() -> RepeatOffenders {
        RepeatOffenders::default()
    }

    fn request(batches: u32) -> SamplingRequest {
        SamplingRequest {
            alert_id: "a".into(),
            category: "移动电源".into(),
            test_items: vec![],
            regions: vec!["浙江省".into()],
            platforms: vec![],
            shops: vec![
                "倍力源官方旗舰店".into(),
                "倍力源 官方旗艦店".into(),
                "酷能数码专营店".into(),
            ],
            brands: vec![],
            enterprises: vec![
                "深圳市倍力源电子科技有限公司".into(),
                "深圳市倍力源电子科技公司".into(),
            ],
            batches,
            deadline: NaiveDate::MIN,
            purchases: vec![],
            items: vec![],
            reason: String::new(),
        }
    }

    #[test]
    fn one_listing_per_shop_brand_and_enterprise_none_sampled_before() {
        let rules = MarketRules::load(None).unwrap();
        let listings = vec![
            listing("1", "倍力源官方旗舰店", "倍力源", "", 5000, "浙江省"),
            // the same shop written another way, and the same brand under its Latin name
            listing(
                "2",
                "倍力源 官方旗艦店（企业店）",
                "BEILIYUAN",
                "",
                9000,
                "浙江省",
            ),
            listing("3", "倍力源数码专营店", "倍力源", "", 8000, "浙江省"),
            listing(
                "4",
                "酷能数码专营店",
                "酷能",
                "深圳市酷能科技有限公司",
                100,
                "广东省",
            ),
            listing(
                "5",
                "酷能工厂店",
                "星野",
                "深圳市酷能科技公司",
                7000,
                "浙江省",
            ),
            listing("6", "途悦生活馆", "途悦", "", 3000, "浙江省"),
            listing("7", "小象宝优选店", "小象宝", "", 20000, "浙江省"),
        ];
        let sampled: HashSet<String> = ["小象宝".to_string()].into();
        let mut r = request(10);
        plan(
            &rules,
            &mut r,
            &listings,
            &sampled,
            &["6".to_string()],
            &none(),
        );
        assert_eq!(r.shops, ["倍力源官方旗舰店", "酷能数码专营店"]);
        assert_eq!(r.enterprises.len(), 1);
        let ids: Vec<&str> = r.purchases.iter().map(|p| p.doc_id.as_str()).collect();
        // 6 is evidence; then the named shops (2 outsells 1, same shop; 4 by its shop);
        // 3 and 1 share 2's brand; 5 shares 4's maker; 7's brand was sampled
        assert_eq!(ids, ["6", "2", "4"], "{:#?}", r.purchases);
        let mut r = request(1);
        plan(&rules, &mut r, &listings, &sampled, &[], &none());
        assert_eq!(r.purchases.len(), 1);
    }

    #[test]
    fn two_shops_of_one_brand_gezhi_slash_and_chinese_are_never_both_bought() {
        let rules = MarketRules::load(None).unwrap();
        let listings = vec![
            listing("1", "格致优选店", "GEZHI/格致", "", 9000, "浙江省"),
            listing("2", "格致工厂店", "格致", "", 8000, "浙江省"),
            // no brand field: the shop's name carries the brand
            listing("3", "格致旗舰店", "", "", 7000, "浙江省"),
            // an unknown brand written both ways is one brand too
            listing("4", "北辰数码专营店", "BEICHEN/北辰", "", 6000, "浙江省"),
            listing("5", "北辰工厂店", "北辰", "", 5000, "浙江省"),
            listing("6", "途悦生活馆", "途悦", "", 100, "浙江省"),
        ];
        let mut r = request(10);
        plan(&rules, &mut r, &listings, &HashSet::new(), &[], &none());
        let ids: Vec<&str> = r.purchases.iter().map(|p| p.doc_id.as_str()).collect();
        assert_eq!(ids, ["1", "4", "6"], "{:#?}", r.purchases);
        assert_eq!(rules.brand("GEZHI/格致"), rules.brand("格致"));
        assert_eq!(rules.shop_brand("格致优选店").as_deref(), Some("格致"));
        // the history is checked against the same identity: 格致 sampled, none of its shops
        let sampled: HashSet<String> = ["GEZHI".to_string()].into();
        let mut r = request(10);
        plan(&rules, &mut r, &listings, &sampled, &[], &none());
        let ids: Vec<&str> = r.purchases.iter().map(|p| p.doc_id.as_str()).collect();
        assert_eq!(ids, ["4", "6"], "{:#?}", r.purchases);
    }

    #[test]
    fn a_request_names_no_shop_brand_or_enterprise_sampled_before_in_another_spelling() {
        let rules = MarketRules::load(None).unwrap();
        let mut r = request(2);
        r.shops = vec![
            "格致工厂店".into(),
            "倍力源数码专营店".into(),
            "途悦生活馆".into(),
        ];
        r.brands = vec!["GEZHI/格致".into(), "BEILIYUAN".into(), "途悦".into()];
        r.enterprises = vec![
            "深圳市倍力源电子科技公司".into(),
            "杭州途悦车业有限公司".into(),
        ];
        // the history writes each party another way than the request
        let sampled: HashSet<String> = [
            "格致优选店".to_string(),
            "倍力源".to_string(),
            "深圳市倍力源电子科技有限公司".to_string(),
        ]
        .into();
        plan(&rules, &mut r, &[], &sampled, &[], &none());
        assert_eq!(r.shops, ["途悦生活馆"]);
        assert_eq!(r.brands, ["途悦"]);
        assert_eq!(r.enterprises, ["杭州途悦车业有限公司"]);
    }

    /// A repeat offender's listing is bought first, before the alert's own evidence and whatever
    /// its sales or place; its why and the request's reason say so; it is still bought once per
    /// shop, brand and enterprise; and without the repeat offenders the same listings plan as
    /// before.
    #[test]
    fn a_repeat_offenders_listing_comes_first_and_says_why() {
        let rules = MarketRules::load(None).unwrap();
        let listings = vec![
            listing("A", "明川数码专营店", "明川", "", 9000, "浙江省"),
            listing(
                "B",
                "澜舟电子旗舰店",
                "澜舟",
                "宁波澜舟电器有限公司",
                50,
                "广东省",
            ),
            listing("C", "青禾生活馆", "青禾", "", 3000, "浙江省"),
            listing("D", "澜舟工厂店", "澜舟", "", 8000, "浙江省"),
            // the same maker again: never bought twice, repeat offender or not
            listing(
                "E",
                "舟行配件店",
                "舟行",
                "宁波澜舟电器有限公司",
                10,
                "广东省",
            ),
        ];
        let ids = |r: &SamplingRequest| -> Vec<String> {
            r.purchases.iter().map(|p| p.doc_id.clone()).collect()
        };
        let evidence = ["A".to_string()];
        let mut plain = request(10);
        plain.enterprises = vec!["杭州明川电子有限公司".into(), "宁波澜舟电器有限公司".into()];
        plan(
            &rules,
            &mut plain,
            &listings,
            &HashSet::new(),
            &evidence,
            &none(),
        );
        // A is evidence; D outsells C and E; B shares D's brand
        assert_eq!(ids(&plain), ["A", "D", "C", "E"], "{:#?}", plain.purchases);
        assert!(plain.reason.is_empty());

        let mut repeat = RepeatOffenders::default();
        // the rules wrote the enterprise another way than the listing
        repeat.add(
            &rules,
            &["宁波澜舟电器公司".to_string()],
            "24个月内两次抽查不合格",
        );
        let mut r = request(10);
        r.enterprises = vec!["杭州明川电子有限公司".into(), "宁波澜舟电器有限公司".into()];
        plan(
            &rules,
            &mut r,
            &listings,
            &HashSet::new(),
            &evidence,
            &repeat,
        );
        // B first, whatever its sales and place; E shares its maker, D its brand
        assert_eq!(ids(&r), ["B", "A", "C"], "{:#?}", r.purchases);
        assert!(
            r.purchases[0]
                .why
                .starts_with("重复违法：宁波澜舟电器公司（24个月内两次抽查不合格）"),
            "{}",
            r.purchases[0].why
        );
        assert!(!r.purchases[1].why.contains("重复违法"));
        assert_eq!(
            r.reason,
            "优先抽购重复违法者的在售商品：宁波澜舟电器公司（24个月内两次抽查不合格）"
        );
        assert_eq!(
            r.enterprises,
            ["宁波澜舟电器有限公司", "杭州明川电子有限公司"]
        );
        // a brand sampled within the exclusion period is still not bought, even a repeat
        // offender's: the offender's other listing (its maker's, under another brand) takes B's place
        let sampled: HashSet<String> = ["澜舟".to_string()].into();
        let mut r = request(10);
        plan(&rules, &mut r, &listings, &sampled, &evidence, &repeat);
        assert_eq!(ids(&r), ["E", "A", "C"], "{:#?}", r.purchases);
        assert!(r.reason.contains("宁波澜舟电器公司"), "{}", r.reason);
    }
}
