//! Wiring: the stages as tasks joined by bounded channels, the data directory, scoring runs and
//! the continuous service loop.
//!
//! ```text
//! crawl ──Fetched(64)──► parse ──Document(256)──► analyze ──Analyzed(256)──► sink (index + store)
//!   │ archive (WARC) written before send                                        │ commit every 200 docs,
//!   └ pages seen-set in store ◄──────────── processed mark after commit ────────┘ then mark pages processed
//! store.signals ──► score ──► alerts + sampling requests (store) ──► serve
//! ```
//! Each stage counts what it received, emitted and rejected (by reason) in [`Counters`]; a bad
//! page or document is counted and logged, never stops the pipeline.

mod attachments;
mod engine;
pub mod probe;
pub mod reindex;
pub mod rerun;
pub mod schedule;

pub use crate::telemetry::{Counters, StageCounters};
pub use engine::*;
