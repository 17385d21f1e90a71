//! Embedded state in SQLite (`state.sqlite`): crawl seen-set and validators, document metadata,
//! near-duplicate clusters, signals, alerts, sampling requests and sampling history.
//!
//! Every write is keyed (URL, document id, alert id) and idempotent, so a crash and a replay never
//! count anything twice. The connection sits behind a mutex; calls are short.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::model::{Alert, Document, Extraction, SamplingRequest, Signal, Timestamp};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("state database: bad stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What the crawler remembers of a fetched URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageRecord {
    pub url: String,
    pub source: String,
    pub status: u16,
    pub record_id: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: Option<Timestamp>,
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<rusqlite::Connection>>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        todo!("{}", path.display())
    }
    /// Was this (canonical) URL fetched with a 2xx status before?
    pub fn page_seen(&self, url: &str) -> Result<bool> {
        todo!("{url}")
    }
    pub fn page(&self, url: &str) -> Result<Option<PageRecord>> {
        todo!("{url}")
    }
    pub fn record_page(&self, rec: &PageRecord) -> Result<()> {
        todo!("{rec:?}")
    }
    /// Document metadata and its signals, replacing any earlier version of the same document.
    pub fn put_document(&self, doc: &Document, ex: &Extraction, signals: &[Signal]) -> Result<()> {
        todo!("{doc:?}{ex:?}{signals:?}")
    }
    pub fn signals(&self) -> Result<Vec<Signal>> {
        todo!()
    }
    /// Near-duplicate cluster entries: (doc id, simhash, cluster id).
    pub fn clusters(&self) -> Result<Vec<(String, u64, String)>> {
        todo!()
    }
    pub fn put_cluster(&self, doc_id: &str, simhash: u64, cluster: &str) -> Result<()> {
        todo!("{doc_id}{simhash}{cluster}")
    }
    /// Replace the current alerts and sampling requests with a scoring run's, keeping each alert's
    /// `first_seen` and acknowledgement.
    pub fn put_alerts(&self, alerts: &[Alert], sampling: &[SamplingRequest]) -> Result<()> {
        todo!("{alerts:?}{sampling:?}")
    }
    /// Alerts, ranked (level, then score, descending).
    pub fn alerts(&self) -> Result<Vec<Alert>> {
        todo!()
    }
    pub fn alert(&self, id: &str) -> Result<Option<Alert>> {
        todo!("{id}")
    }
    pub fn sampling_requests(&self) -> Result<Vec<SamplingRequest>> {
        todo!()
    }
    /// Shops, brands and enterprises sampled on or after `since`.
    pub fn sampled_parties(&self, since: NaiveDate) -> Result<HashSet<String>> {
        todo!("{since}")
    }
    pub fn document_count(&self) -> Result<u64> {
        todo!()
    }
}
