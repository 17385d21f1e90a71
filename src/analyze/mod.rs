//! Analyze: `Document` → `Extraction` (+ `Signal`s). jieba-rs with our dictionaries, declarative
//! rules (rules/*.toml), regions, negation and hypothetical cues, parties, near-duplicates.

mod fold;

pub use fold::fold;
mod stub;
pub use stub::*;
