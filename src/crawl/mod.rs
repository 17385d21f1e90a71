//! Crawl (stub until the crawl branch lands).
pub mod archive;
use crate::config::{CrawlSettings, SourceConfig};
use crate::model::Fetched;
use crate::pipeline::Counters;
use crate::store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;
#[derive(Debug, thiserror::Error)]
#[error("crawl")]
pub struct CrawlError;
#[derive(Debug, Default, Clone)]
pub struct CrawlReport {
    pub pages: u64,
    pub emitted: u64,
    pub skipped_seen: u64,
    pub not_modified: u64,
    pub bytes: u64,
    pub failed: BTreeMap<String, u64>,
}
pub struct Crawler;
impl Crawler {
    pub fn new(
        settings: &CrawlSettings,
        archive: archive::ArchiveWriter,
        store: Store,
        counters: Arc<Counters>,
    ) -> Result<Crawler, CrawlError> {
        todo!("{settings:?}{store:?}{counters:?}{}", archive.0)
    }
    pub async fn crawl(
        &self,
        sources: &[SourceConfig],
        out: tokio::sync::mpsc::Sender<Fetched>,
    ) -> CrawlReport {
        todo!("{sources:?}{out:?}")
    }
}
