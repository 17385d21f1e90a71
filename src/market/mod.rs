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
    run.findings.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.id.cmp(&b.id))
    });
    run
}
