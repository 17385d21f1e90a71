//! Vocabulary and sentence templates of the demo scenario: places, products with their everyday
//! aliases, incident sentences per hazard, and the stock phrases documents are assembled from.
//!
//! Everything here is data; `scenario.rs` draws from it with a seeded RNG, so the same seed always
//! yields the same texts. Category and hazard ids are the canonical ones of the taxonomy; the
//! sentences use the everyday words (充电宝, 电瓶车, 暖手宝 …) that the analyzer has to map back.
//!
//! One file per subject: `places`, `products` (categories and their incidents), `market` (brands,
//! shops, users, listing lines), the phrases of `complaints` and of `news`, and the `traps`; all
//! re-exported here, so the scenario names everything `texts::X`.

mod complaints;
mod market;
mod news;
mod places;
mod products;
mod traps;

pub use complaints::*;
pub use market::*;
pub use news::*;
pub use places::*;
pub use products::*;
pub use traps::*;
