//! Wiring: the compositions of the stages, the data directory, scoring runs and the continuous
//! service loop.
//!
//! Three compositions share the same parts — the per-page work ([`work::work_page`]: parse and
//! analyse, on a pool of worker threads) and the one sink ([`sink::Sink`]: clusters in arrival
//! order, index, store, batched commits) — and count into one set of [`Counters`]:
//!
//! ```text
//! live     crawler ──Fetched(64)──► work pool ──Worked(256)──► sink (index + store)
//!            │ archive (WARC) written before send                 │ commit every 200 docs or 3 s,
//!            └ pages seen-set in store ◄── processed mark ────────┘ then store + mark processed
//! rerun    archive reader ──(256)──► work pool ──(256)──► re-sequence ──► sink ──► score
//! reindex  archive reader ──────────► work ──────────────────────────────► sink (index only)
//! store.signals ──► score ──► alerts + sampling requests (store) ──► serve
//! ```
//! A bad page or document is counted by reason and logged, never stops the pipeline.

mod attachments;
pub mod distributed;
mod engine;
pub mod probe;
pub mod reindex;
pub mod rerun;
pub mod schedule;
pub mod sink;
mod source_match;
pub mod work;

pub use crate::telemetry::{Counters, StageCounters};
pub use engine::*;

/// Fetched pages waiting for the work pool, in the live crawl and in a NATS fetch worker: the
/// channel capacities between stages give back-pressure (a slow stage slows the crawl, nothing
/// queues without bound). Here, not in `engine.rs`, because both compositions read it.
pub const FETCHED_CAPACITY: usize = 64;
