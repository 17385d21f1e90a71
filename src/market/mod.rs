//! The market stage (issue 20): what is on sale. Reads the records the store keeps beside
//! listings and notices (`Store::records`) after each scoring run and finds recalled and failed
//! products still listed ([`onsale`]), under the rules of `rules/market.toml` ([`rules`]: model
//! prefixes, brand aliases, name endings, weights, examples) with the name normalisation of
//! [`names`].
//!
//! Data flow: store (records of listings, recalls, inspection notices) → [`onsale::find`] →
//! `OnSaleFinding`s → store (`onsale` table) → serve (`/api/onsale`, the 在售 page), CLI
//! (`jiance onsale`). Nothing here writes; the pipeline stores what it returns.

pub mod export;
pub mod exposure;
pub mod names;
pub mod onsale;
pub mod purchase;
pub mod rules;
pub mod standards;

pub use onsale::{OnSaleRun, find, find_in_records, flagged, listing};
pub use rules::{DEFAULT_MARKET_TOML, MARKET_FILE, MarketRules};
pub use standards::{STANDARDS_FILE, Standards};

/// The document kinds whose records the market stage reads.
pub const MARKET_KINDS: [crate::model::DocKind; 4] = [
    crate::model::DocKind::Listing,
    crate::model::DocKind::Recall,
    crate::model::DocKind::Inspection,
    crate::model::DocKind::Notice,
];
