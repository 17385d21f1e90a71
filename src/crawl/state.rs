//! What the crawler remembers between passes — validators and fetch records, the seen-set,
//! redirects, parked URLs, per-source flags and health — behind one trait, so the same crawler
//! keeps it in the local store (one machine) or in a key-value bucket that fetch workers on
//! several machines share (`queue::KvState`, the NATS transport).

use crate::model::Timestamp;
use crate::store::{PageRecord, ParkedUrl, SourceHealth, SourcePassTally, Store, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

/// The crawler's long-lived state. Every method is a short lookup or write; an error is logged by
/// the crawler and the pass goes on (fetching again is cheaper than losing a page).
pub trait CrawlState: Send + Sync {
    /// The last fetch record of `url`.
    fn page(&self, url: &str) -> Result<Option<PageRecord>>;
    /// `url` (or where it redirected) was fetched and its documents committed by the sink.
    fn page_seen(&self, url: &str) -> Result<bool>;
    fn record_page(&self, rec: &PageRecord) -> Result<()>;
    /// `url` redirected to `target` (the sink marks the target processed).
    fn record_alias(&self, url: &str, target: &str) -> Result<()>;
    fn meta(&self, key: &str) -> Result<Option<String>>;
    fn set_meta(&self, key: &str, value: &str) -> Result<()>;
    fn park(
        &self,
        url: &str,
        source: &str,
        reason: &str,
        now: Timestamp,
        retry_at: Timestamp,
    ) -> Result<()>;
    fn parked_attempts(&self, url: &str) -> Result<u32>;
    fn unpark(&self, url: &str) -> Result<()>;
    /// A source's parked URLs.
    fn parked(&self, source: &str) -> Result<Vec<ParkedUrl>>;
    /// When `url` may be fetched again, if it is parked beyond `now`.
    fn parked_until(&self, url: &str, now: Timestamp) -> Result<Option<Timestamp>>;
    fn record_source_pass(
        &self,
        source: &str,
        tally: &SourcePassTally,
        now: Timestamp,
        stale_after_secs: u64,
    ) -> Result<()>;
    /// The source's health record, where this state keeps one.
    fn source_health(&self, source: &str) -> Result<Option<SourceHealth>>;
}

impl CrawlState for Store {
    fn page(&self, url: &str) -> Result<Option<PageRecord>> {
        Store::page(self, url)
    }
    fn page_seen(&self, url: &str) -> Result<bool> {
        Store::page_seen(self, url)
    }
    fn record_page(&self, rec: &PageRecord) -> Result<()> {
        Store::record_page(self, rec)
    }
    fn record_alias(&self, url: &str, target: &str) -> Result<()> {
        Store::record_alias(self, url, target)
    }
    fn meta(&self, key: &str) -> Result<Option<String>> {
        Store::meta(self, key)
    }
    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        Store::set_meta(self, key, value)
    }
    fn park(
        &self,
        url: &str,
        source: &str,
        reason: &str,
        now: Timestamp,
        retry_at: Timestamp,
    ) -> Result<()> {
        Store::park(self, url, source, reason, now, retry_at)
    }
    fn parked_attempts(&self, url: &str) -> Result<u32> {
        Store::parked_attempts(self, url)
    }
    fn unpark(&self, url: &str) -> Result<()> {
        Store::unpark(self, url)
    }
    fn parked(&self, source: &str) -> Result<Vec<ParkedUrl>> {
        Store::parked(self, Some(source))
    }
    fn parked_until(&self, url: &str, now: Timestamp) -> Result<Option<Timestamp>> {
        Store::parked_until(self, url, now)
    }
    fn record_source_pass(
        &self,
        source: &str,
        tally: &SourcePassTally,
        now: Timestamp,
        stale_after_secs: u64,
    ) -> Result<()> {
        Store::record_source_pass(self, source, tally, now, stale_after_secs)
    }
    fn source_health(&self, source: &str) -> Result<Option<SourceHealth>> {
        Ok(Store::source_health(self)?
            .into_iter()
            .find(|h| h.source == source))
    }
}
