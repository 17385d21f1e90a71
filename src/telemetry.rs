//! Telemetry, at the bottom of the layer order so every stage can count: per-stage counters of
//! what each stage received, emitted and rejected (by reason), and the queue gauges.
//!
//! Stages own an `Arc<StageCounters>` and bump it; the CLI's progress bars, `/metrics` and the
//! end-of-run summary read it. Failures are counted by reason and never stop the pipeline.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct StageCounters {
    pub received: AtomicU64,
    pub emitted: AtomicU64,
    pub bytes: AtomicU64,
    /// Items passed over because nothing changed (a re-fetched page with the same content).
    pub unchanged: AtomicU64,
    rejected: Mutex<BTreeMap<String, u64>>,
    /// Items read only after extra work (a feed's bare `&` repaired, a page rendered), by
    /// reason: accepted, but worth seeing.
    repaired: Mutex<BTreeMap<String, u64>>,
}

impl StageCounters {
    pub fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }
    pub fn emitted(&self, n: u64) {
        self.emitted.fetch_add(n, Ordering::Relaxed);
    }
    pub fn bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }
    /// Count one rejection under a short, stable reason (`http-500`, `timeout`, `bad-selector`).
    pub fn reject(&self, reason: &str) {
        let mut m = self.rejected.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry(reason.to_string()).or_default() += 1;
    }
    pub fn rejected(&self) -> BTreeMap<String, u64> {
        self.rejected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
    /// Count one item read only after extra work, under a short, stable reason: a repair
    /// (`feed-entities`) or a page rendered in a browser (`rendered`).
    pub fn repair(&self, reason: &str) {
        let mut m = self.repaired.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry(reason.to_string()).or_default() += 1;
    }
    pub fn repaired(&self) -> BTreeMap<String, u64> {
        self.repaired
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
    pub fn rejected_total(&self) -> u64 {
        self.rejected().values().sum()
    }
    pub fn get_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
    pub fn get_emitted(&self) -> u64 {
        self.emitted.load(Ordering::Relaxed)
    }
}

/// The counters of every stage, shared by the pipeline, the CLI and the server.
#[derive(Debug, Default)]
pub struct Counters {
    pub crawl: StageCounters,
    pub parse: StageCounters,
    pub analyze: StageCounters,
    pub index: StageCounters,
    pub score: StageCounters,
    /// The market stage (on-sale matching): listings and flagged products received, findings
    /// emitted, flagged products that cannot be matched by reason (`no-model`).
    pub market: StageCounters,
    /// The NATS transport: messages received and acknowledged by this process's workers, and
    /// poison messages terminated after `max_deliver`, by reason (`poison-panic` …).
    pub queue: StageCounters,
    /// Items waiting in each inter-stage queue, as last seen by the stage that reads it.
    pub queues: [QueueGauge; 2],
}

/// Depth of one bounded queue between stages: a full queue shows which stage is the bottleneck.
#[derive(Debug, Default)]
pub struct QueueGauge {
    pub depth: AtomicU64,
    pub capacity: AtomicU64,
}

impl QueueGauge {
    pub fn set(&self, depth: usize, capacity: usize) {
        self.depth.store(depth as u64, Ordering::Relaxed);
        self.capacity.store(capacity as u64, Ordering::Relaxed);
    }
}

/// Names of [`Counters::queues`], in order: crawl → work pool, work pool → sink.
pub const QUEUES: [&str; 2] = ["fetched", "worked"];

impl Counters {
    pub fn stages(&self) -> [(&'static str, &StageCounters); 7] {
        [
            ("crawl", &self.crawl),
            ("parse", &self.parse),
            ("analyze", &self.analyze),
            ("index", &self.index),
            ("score", &self.score),
            ("market", &self.market),
            ("queue", &self.queue),
        ]
    }
}
