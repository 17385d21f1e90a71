//! The market stage (issue 20): what is on sale. Reads the records the store keeps beside
//! listings and notices (`Store::records`) after each scoring run and finds recalled and failed
//! products still listed ([`onsale`]), under the rules of `rules/market.toml` ([`rules`]: model
//! prefixes, brand aliases, name endings, weights, examples) with the name normalisation of
//! [`names`], and listings that break the rules of `rules/compliance.toml` ([`compliance`]: no
//! CCC claim in a CCC category, an older standard or none after a new mandatory one took effect,
//! a banned product).
//!
//! Data flow: store (records of listings, recalls, inspection notices, standards) → [`scan`] →
//! `OnSaleFinding`s → store (`onsale` table) → serve (`/api/onsale`, the 在售 page), CLI
//! (`jiance onsale`). Nothing here writes; the pipeline stores what it returns.

pub mod compliance;
pub mod export;
pub mod exposure;
mod load;
pub mod names;
pub mod onsale;
pub mod purchase;
pub mod rules;
pub mod standards;

pub use compliance::{COMPLIANCE_FILE, Compliance};
pub use onsale::{OnSaleRun, find, find_in_records, flagged, listing};
pub use rules::{DEFAULT_MARKET_TOML, MARKET_FILE, MarketRules};
pub use standards::{STANDARDS_FILE, Standards};

/// The document kinds whose records the market stage reads.
pub const MARKET_KINDS: [crate::model::DocKind; 5] = [
    crate::model::DocKind::Listing,
    crate::model::DocKind::Recall,
    crate::model::DocKind::Inspection,
    crate::model::DocKind::Notice,
    crate::model::DocKind::Standard,
];

/// One market run over stored records: recalled and failed products matched to listings
/// ([`find_in_records`]), then the rules every listing must keep ([`Compliance::find`], with the
/// standards the channel announced), most certain first.
pub fn scan(
    rules: &MarketRules,
    compliance: &Compliance,
    records: &[(crate::model::Document, crate::model::Extraction)],
    as_of: chrono::NaiveDate,
) -> OnSaleRun {
    use crate::model::DocKind;
    let mut run = find_in_records(rules, records, as_of);
    let mut listings = Vec::new();
    let mut channel = Vec::new();
    for (doc, ex) in records {
        match ex.kind {
            DocKind::Listing => listings.push((listing(doc, ex), compliance::claim_text(doc))),
            DocKind::Standard => channel.extend(compliance::tracked_from(doc, ex)),
            _ => {}
        }
    }
    let broken = compliance.find(&listings, &channel, as_of);
    run.breaches = broken.len();
    run.findings.extend(broken);
    let mut places = crate::score::PartyPlaces::default();
    for (_, ex) in records {
        places.learn(ex);
    }
    for f in &mut run.findings {
        route(f, &places);
    }
    run.findings.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.id.cmp(&b.id))
    });
    run
}

/// Address an on-sale finding to the regulators of its parties' places (属地, issue 47): the
/// shop's (where its listing ships from) and the enterprise's behind the product (the place in its
/// name, as its notice or the listing writes it); the summary names them after the platform.
pub fn route(f: &mut crate::model::OnSaleFinding, places: &crate::score::PartyPlaces) {
    use crate::model::PartyRole;
    use crate::score::Place;
    let l = &f.listing;
    let (enterprise, by) = if f.flagged.basis.is_match() && !f.flagged.enterprise.is_empty() {
        (f.flagged.enterprise.as_str(), f.flagged.doc_id.as_str())
    } else {
        (l.enterprise.as_str(), l.doc_id.as_str())
    };
    // the listing's own place: a shop name may be used in several places
    let shop_place = places
        .listing(&l.doc_id)
        .cloned()
        .or_else(|| l.province.as_deref().and_then(|p| Place::new(p, None)));
    let named = [
        (PartyRole::Enterprise, enterprise, None, by),
        (
            PartyRole::Shop,
            l.shop.as_str(),
            shop_place,
            l.doc_id.as_str(),
        ),
    ];
    f.jurisdictions = crate::score::jurisdictions_of(&named, places);
    if f.jurisdictions.is_empty() {
        return;
    }
    let to: Vec<String> = f
        .jurisdictions
        .iter()
        .map(|j| {
            let roles: Vec<&str> = j.parties.iter().map(|p| p.role.label()).collect();
            format!("{}（{}）", j.name(), roles.join("、"))
        })
        .collect();
    f.summary
        .push_str(&format!("建议同时通报属地监管部门：{}。", to.join("、")));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Action, DocKind, Extraction, FlagBasis, Flagged, Listing, OnSaleFinding, Parties,
        PartyRole, RegionMention, RegionRole,
    };
    use chrono::NaiveDate;

    fn mention(text: &str, province: &str, city: Option<&str>, role: RegionRole) -> RegionMention {
        RegionMention {
            text: text.into(),
            code: String::new(),
            province: province.into(),
            city: city.map(Into::into),
            role,
        }
    }

    /// A recall naming a 宁波 maker matched to a listing of a shop shipping from 广东 深圳, whose
    /// name a 北京 shop uses too.
    #[test]
    fn a_finding_goes_to_the_shops_and_the_makers_regulators() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let mut recall = Extraction::empty("r1", DocKind::Recall);
        recall.parties = Parties {
            enterprises: vec!["宁波市暖康电器有限公司".into()],
            ..Parties::default()
        };
        recall.regions = vec![mention(
            "宁波市",
            "浙江省",
            Some("宁波市"),
            RegionRole::Company,
        )];
        let mut other = Extraction::empty("l0", DocKind::Listing);
        other.parties.shops = vec!["暖康专营店".into()];
        other.regions = vec![mention("北京", "北京市", None, RegionRole::Shop)];
        let mut own = Extraction::empty("l1", DocKind::Listing);
        own.parties.shops = vec!["暖康专营店".into()];
        own.regions = vec![mention(
            "广东 深圳",
            "广东省",
            Some("深圳市"),
            RegionRole::Shop,
        )];
        let mut places = crate::score::PartyPlaces::default();
        for ex in [&recall, &other, &own] {
            places.learn(ex);
        }
        let mut f = OnSaleFinding {
            id: "f".into(),
            listing: Listing {
                doc_id: "l1".into(),
                shop: "暖康专营店".into(),
                province: Some("广东省".into()),
                day,
                ..Listing::default()
            },
            flagged: Flagged {
                doc_id: "r1".into(),
                row: 0,
                basis: FlagBasis::Recall,
                url: String::new(),
                title: String::new(),
                product: "电热毯".into(),
                categories: vec![],
                brand: String::new(),
                model: "NK-1".into(),
                batch: String::new(),
                enterprise: "宁波市暖康电器有限公司".into(),
                day,
                also_in: vec![],
                notices: 1,
            },
            matched: vec!["model".into()],
            confidence: 1.0,
            action: Action::Notify,
            notify: "某平台".into(),
            summary: "请平台核实并下架。".into(),
            reason: String::new(),
            first_seen: day,
            jurisdictions: Vec::new(),
        };
        route(&mut f, &places);
        let names: Vec<String> = f.jurisdictions.iter().map(|j| j.name()).collect();
        assert_eq!(names, ["浙江省宁波市", "广东省深圳市"]);
        assert_eq!(f.jurisdictions[0].parties[0].role, PartyRole::Enterprise);
        assert_eq!(f.jurisdictions[0].documents, ["r1"]);
        assert_eq!(f.jurisdictions[1].documents, ["l1"]);
        assert_eq!(
            f.summary,
            "请平台核实并下架。建议同时通报属地监管部门：浙江省宁波市（生产企业）、广东省深圳市（销售店铺）。"
        );
    }
}
