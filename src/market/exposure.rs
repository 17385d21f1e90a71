//! Exposure and disproportionality per brand (issue 20, items 3 and 4), for an alert's page.
//!
//! Exposure: the units sold of a brand's listings in the category (the sales counts platforms
//! show — 月销, 已售, 付款人数 — one figure per listing, summed; a count of sales is a floor of
//! the units out there) make its complaints and incident reports a rate per 10,000 units, shown
//! beside the category's rate, so a best-seller with many complaints but a low rate is not taken
//! for a rare product with a high one: brands are ranked by the rate one is 95% sure of (the
//! lower Poisson bound of their reports, per 10,000 units), so neither a best-seller's many
//! reports nor one report against a handful of sales puts a brand on top. Each brand also shows
//! its models and shops with the most units sold. Disproportionality: the brand's most
//! over-represented hazard by the shrunk reporting ratio ([`crate::score::disproportion`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rules::MarketRules;
use crate::model::{Listing, Signal};
use crate::score::disproportion::{Disproportion, disproportions, poisson_low};

/// One brand of a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandExposure {
    pub brand: String,
    /// Complaints and incident reports naming the brand (each report once).
    pub reports: u32,
    /// Units sold by its listings, when any listing gives a count.
    pub units: Option<u64>,
    /// Reports per 10,000 units sold.
    pub rate: Option<f64>,
    /// The category's reports per 10,000 units (all brands with units).
    pub category_rate: Option<f64>,
    /// The rate one is 95% sure of: the lower Poisson bound of the reports per 10,000 units (what
    /// ranks the brands).
    pub rate_low: Option<f64>,
    /// Its models with the most units sold (a listing's model field or, failing it, none).
    #[serde(default)]
    pub models: Vec<Units>,
    /// Its shops with the most units sold.
    #[serde(default)]
    pub shops: Vec<Units>,
    /// Its most disproportionate hazard, when one has at least `min_reports` reports.
    pub disproportion: Option<Disproportion>,
}

/// Units sold of one model or shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Units {
    pub name: String,
    pub units: u64,
}

/// How many models and shops a brand lists.
const TOP: usize = 5;

/// The `TOP` names of a tally with the most units, most first.
fn top(tally: BTreeMap<String, u64>) -> Vec<Units> {
    let mut v: Vec<Units> = tally
        .into_iter()
        .filter(|(n, _)| !n.is_empty())
        .map(|(name, units)| Units { name, units })
        .collect();
    v.sort_by(|a, b| b.units.cmp(&a.units).then_with(|| a.name.cmp(&b.name)));
    v.truncate(TOP);
    v
}

/// The brands of `category`, ranked by the reports-per-units rate one is 95% sure of (brands
/// without sales counts after, by reports), with exposure and their most disproportionate hazard.
pub fn brands(
    rules: &MarketRules,
    category: &str,
    signals: &[Signal],
    listings: &[Listing],
    min_reports: u32,
) -> Vec<BrandExposure> {
    // The brands known in the category: its listings' (canonical), longest first, so a report
    // naming only a shop ("倍力源官方旗舰店") is the brand's whose name the shop carries.
    let mut known: Vec<String> = listings
        .iter()
        .filter(|l| l.categories.iter().any(|c| c == category) && !l.brand.trim().is_empty())
        .flat_map(|l| {
            super::names::brand_parts(&l.brand)
                .map(|b| rules.brand(b))
                .collect::<Vec<_>>()
        })
        .collect();
    known.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    known.dedup();
    let in_category: Vec<Signal> = signals
        .iter()
        .filter(|s| s.category == category)
        .map(|s| {
            let mut s = s.clone();
            if let Some(b) = s.parties.brands.first_mut() {
                *b = rules.brand(b);
            } else if let Some(b) = s.parties.shops.iter().find_map(|shop| {
                let key = rules.shop(shop);
                known
                    .iter()
                    .find(|k| k.chars().count() >= 2 && key.contains(k.as_str()))
                    .cloned()
            }) {
                s.parties.brands.push(b);
            }
            s
        })
        .collect();
    let mut reports: BTreeMap<String, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for s in in_category.iter().filter(|s| {
        matches!(
            s.kind,
            crate::model::DocKind::Complaint | crate::model::DocKind::Media
        )
    }) {
        if let Some(b) = s.parties.brands.first() {
            reports
                .entry(b.clone())
                .or_default()
                .insert(s.doc_id.as_str());
        }
    }
    let mut units: BTreeMap<String, u64> = BTreeMap::new();
    let mut models: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut shops: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for l in listings
        .iter()
        .filter(|l| l.categories.iter().any(|c| c == category))
    {
        if let (Some(n), false) = (l.sales, l.brand.trim().is_empty()) {
            let brand = rules.brand(&l.brand);
            *units.entry(brand.clone()).or_default() += n;
            let model = super::names::model(
                &l.model,
                &rules.model.prefixes,
                rules.model.min_chars,
                rules.model.min_digits_only,
            )
            .unwrap_or_default();
            *models
                .entry(brand.clone())
                .or_default()
                .entry(model)
                .or_default() += n;
            *shops
                .entry(brand)
                .or_default()
                .entry(rules.shop(&l.shop))
                .or_default() += n;
        }
    }
    // The category's rate over the brands whose exposure is known.
    let (cat_reports, cat_units) = reports
        .iter()
        .filter_map(|(b, r)| units.get(b).map(|u| (r.len() as u64, *u)))
        .fold((0u64, 0u64), |(r, u), (a, b)| (r + a, u + b));
    let category_rate = (cat_units > 0).then(|| cat_reports as f64 * 10_000.0 / cat_units as f64);
    let table = disproportions(&in_category, min_reports);
    let mut out: Vec<BrandExposure> = reports
        .iter()
        .map(|(brand, r)| {
            let u = units.get(brand).copied().filter(|u| *u > 0);
            BrandExposure {
                brand: brand.clone(),
                reports: r.len() as u32,
                units: u,
                rate: u.map(|u| r.len() as f64 * 10_000.0 / u as f64),
                category_rate,
                rate_low: u.map(|u| poisson_low(r.len() as u32) * 10_000.0 / u as f64),
                models: top(models.get(brand).cloned().unwrap_or_default()),
                shops: top(shops.get(brand).cloned().unwrap_or_default()),
                disproportion: table.iter().find(|d| &d.brand == brand).cloned(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let low = |x: &BrandExposure| x.rate_low.unwrap_or(-1.0);
        low(b)
            .total_cmp(&low(a))
            .then_with(|| b.reports.cmp(&a.reports))
            .then_with(|| a.brand.cmp(&b.brand))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, DocKind, Parties};
    use chrono::NaiveDate;

    fn signal(i: usize, brand: &str, hazard: &str) -> Signal {
        Signal {
            doc_id: format!("d{i}"),
            time: chrono::Utc::now(),
            category: "移动电源".into(),
            hazard: hazard.into(),
            severity: 3,
            province: None,
            city: None,
            source: "s".into(),
            channel: Channel::Complaint,
            kind: DocKind::Complaint,
            weight: 1.0,
            cluster: format!("c{i}"),
            parties: Parties {
                brands: vec![brand.into()],
                ..Parties::default()
            },
            product: None,
        }
    }

    fn listing(brand: &str, sales: u64) -> Listing {
        Listing {
            doc_id: brand.into(),
            url: String::new(),
            title: String::new(),
            platform: String::new(),
            shop: format!("{brand}官方旗舰店"),
            shop_region: String::new(),
            province: None,
            brand: brand.into(),
            model: String::new(),
            enterprise: String::new(),
            price: None,
            sales: Some(sales),
            sales_text: String::new(),
            categories: vec!["移动电源".into()],
            day: NaiveDate::MIN,
        }
    }

    #[test]
    fn a_best_seller_with_many_reports_has_a_lower_rate_than_a_rare_brand() {
        let rules = MarketRules::load(None).unwrap();
        let mut signals = Vec::new();
        for i in 0..20 {
            signals.push(signal(i, "酷能", "火灾"));
        }
        for i in 20..24 {
            signals.push(signal(i, "BEILIYUAN", "爆炸"));
        }
        // the same report twice (two provinces) counts once
        signals.push(signal(23, "倍力源", "爆炸"));
        // a report naming only the shop is the brand's whose name the shop carries
        let mut by_shop = signal(24, "", "爆炸");
        by_shop.parties.brands.clear();
        by_shop.parties.shops = vec!["好物集的倍力源官方旗舰店".into()];
        signals.push(by_shop);
        let listings = [
            listing("酷能", 100_000),
            listing("倍力源", 1_000),
            listing("酷能", 100_000),
        ];
        let t = brands(&rules, "移动电源", &signals, &listings, 3);
        // the rare brand with the high rate ranks above the best-seller with many reports
        assert_eq!(t[0].brand, "倍力源", "aliases are one brand");
        assert_eq!(t[0].reports, 5);
        assert_eq!(t[1].brand, "酷能");
        assert_eq!(t[1].reports, 20);
        assert_eq!(t[1].units, Some(200_000));
        // 20 per 200,000 = 1 per 10,000; 5 per 1,000 = 50 per 10,000; category 25 per 201,000
        assert!((t[1].rate.unwrap() - 1.0).abs() < 1e-9);
        assert!((t[0].rate.unwrap() - 50.0).abs() < 1e-9);
        assert!((t[1].category_rate.unwrap() - 25.0 * 10_000.0 / 201_000.0).abs() < 1e-9);
        // lower bounds: Poisson(5) ≥ 1.62 (exact 1.6235), Poisson(20) ≥ 12.22 (exact 12.217)
        assert!(
            (t[0].rate_low.unwrap() - 16.2).abs() < 0.2,
            "{:?}",
            t[0].rate_low
        );
        assert!(
            (t[1].rate_low.unwrap() - 0.611).abs() < 0.01,
            "{:?}",
            t[1].rate_low
        );
        assert_eq!(
            t[1].shops,
            [Units {
                name: rules.shop("酷能官方旗舰店"),
                units: 200_000
            }]
        );
        let d = t[0].disproportion.as_ref().unwrap();
        assert_eq!((d.hazard.as_str(), d.reports), ("爆炸", 5));
    }
}
