//! The crawl state in the JetStream key-value bucket, shared by every fetch worker: a host's
//! next crawl job may go to any of them, and it must find the seen-set, validators, redirects,
//! parked URLs and resume flags the last one left. Keys are `<kind>.<hash of the URL or key>`
//! (bucket keys allow only a few characters); values are JSON. The sink writes `done.` keys after
//! its commit — the seen-set means "committed", as in the local store.
//!
//! A source's health record is not kept here: each pass's tally goes to the sink with the pages
//! (`pipeline::distributed`), which owns the store that `jiance status` and `/metrics` read.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_nats::jetstream::kv;
use bytes::Bytes;

use crate::crawl::CrawlState;
use crate::model::{Timestamp, doc_id};
use crate::store::{PageRecord, ParkedUrl, SourceHealth, SourcePassTally, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

/// A source's pass tally, waiting to be sent to the sink by the fetch worker.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PassTally {
    pub source: String,
    pub tally: SourcePassTally,
    pub at: Timestamp,
    pub stale_after_secs: u64,
}

pub struct KvState {
    kv: kv::Store,
    rt: tokio::runtime::Handle,
    tallies: Mutex<Vec<PassTally>>,
}

fn key(kind: &str, s: &str) -> String {
    format!("{kind}.{}", doc_id(s))
}

fn remote(what: &str) -> impl FnOnce(String) -> StoreError + '_ {
    move |e| StoreError::Remote(format!("{what}: {e}"))
}

impl KvState {
    /// State in `kv`; its calls block the calling worker thread of the runtime `rt` (which must
    /// be a multi-thread runtime), as the crawler's calls into the local store do.
    pub fn new(kv: kv::Store, rt: tokio::runtime::Handle) -> KvState {
        KvState {
            kv,
            rt,
            tallies: Mutex::default(),
        }
    }

    fn block<F: std::future::Future>(&self, f: F) -> F::Output {
        tokio::task::block_in_place(|| self.rt.block_on(f))
    }

    fn get<T: serde::de::DeserializeOwned>(&self, k: &str) -> Result<Option<T>> {
        let v = self
            .block(self.kv.get(k))
            .map_err(|e| remote(k)(e.to_string()))?;
        match v {
            None => Ok(None),
            Some(b) => Ok(Some(serde_json::from_slice(&b)?)),
        }
    }

    fn put<T: serde::Serialize>(&self, k: &str, v: &T) -> Result<()> {
        let b = Bytes::from(serde_json::to_vec(v)?);
        self.block(self.kv.put(k, b))
            .map(|_| ())
            .map_err(|e| remote(k)(e.to_string()))
    }

    fn delete(&self, k: &str) -> Result<()> {
        self.block(self.kv.delete(k))
            .map_err(|e| remote(k)(e.to_string()))
    }

    fn done(&self, url: &str) -> Result<bool> {
        let done: Option<bool> = self.get(&key("done", url))?;
        if done != Some(true) {
            return Ok(false);
        }
        let rec: Option<PageRecord> = self.get(&key("page", url))?;
        Ok(rec.is_none_or(|r| (200..300).contains(&r.status)))
    }

    /// The pass tallies recorded since the last call (the fetch worker sends them on).
    pub fn take_tallies(&self, sources: &[String]) -> Vec<PassTally> {
        let mut all = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        let (mine, rest): (Vec<_>, Vec<_>) =
            all.drain(..).partition(|t| sources.contains(&t.source));
        *all = rest;
        mine
    }
}

/// Mark pages committed (the sink, after its commit): a fetch worker's seen-check finds them.
pub async fn mark_processed(
    kv: &kv::Store,
    urls: &[(String, String)],
) -> std::result::Result<(), super::QueueError> {
    use futures::StreamExt;
    // Concurrent puts: one at a time would cost the sink a round trip per page.
    let mut puts = futures::stream::iter(urls.iter().map(|(url, _)| async move {
        let k = key("done", url);
        kv.put(&k, Bytes::from_static(b"true"))
            .await
            .map_err(super::nats(format!("key-value put {k}")))
    }))
    .buffer_unordered(super::CONCURRENT_REQUESTS);
    while let Some(put) = puts.next().await {
        put?;
    }
    Ok(())
}

impl CrawlState for KvState {
    fn page(&self, url: &str) -> Result<Option<PageRecord>> {
        self.get(&key("page", url))
    }

    fn page_seen(&self, url: &str) -> Result<bool> {
        if self.done(url)? {
            return Ok(true);
        }
        match self.get::<String>(&key("alias", url))? {
            Some(target) => self.done(&target),
            None => Ok(false),
        }
    }

    /// As the local store: a 304 keeps the earlier status and record, validators are kept when
    /// a response omits them, and a failure never overwrites a success.
    fn record_page(&self, rec: &PageRecord) -> Result<()> {
        let k = key("page", &rec.url);
        let prior: Option<PageRecord> = self.get(&k)?;
        let ok = (200..300).contains(&rec.status) || rec.status == 304;
        let next = match prior {
            None => rec.clone(),
            Some(p) if ok => PageRecord {
                status: if rec.status == 304 {
                    p.status
                } else {
                    rec.status
                },
                record_id: if rec.status == 304 {
                    p.record_id
                } else {
                    rec.record_id.clone()
                },
                etag: rec.etag.clone().or(p.etag),
                last_modified: rec.last_modified.clone().or(p.last_modified),
                ..rec.clone()
            },
            Some(p) if (200..300).contains(&p.status) => return Ok(()),
            Some(p) => PageRecord {
                fetched_at: rec.fetched_at,
                ..p
            },
        };
        self.put(&k, &next)
    }

    fn record_alias(&self, url: &str, target: &str) -> Result<()> {
        self.put(&key("alias", url), &target)
    }

    fn meta(&self, k: &str) -> Result<Option<String>> {
        self.get(&key("meta", k))
    }

    fn set_meta(&self, k: &str, value: &str) -> Result<()> {
        self.put(&key("meta", k), &value)
    }

    fn park(
        &self,
        url: &str,
        source: &str,
        reason: &str,
        now: Timestamp,
        retry_at: Timestamp,
    ) -> Result<()> {
        let attempts = self.parked_attempts(url)?.saturating_add(1);
        let p = ParkedUrl {
            url: url.to_string(),
            source: source.to_string(),
            reason: reason.to_string(),
            attempts,
            parked_at: now,
            retry_at,
        };
        self.put(&key("park", url), &p)?;
        // The source's list: one crawl job owns a source at a time, so no one else writes it.
        let lk = key("parked", source);
        let mut list: BTreeMap<String, ()> = self.get(&lk)?.unwrap_or_default();
        list.insert(url.to_string(), ());
        self.put(&lk, &list)
    }

    fn parked_attempts(&self, url: &str) -> Result<u32> {
        Ok(self
            .get::<ParkedUrl>(&key("park", url))?
            .map_or(0, |p| p.attempts))
    }

    fn unpark(&self, url: &str) -> Result<()> {
        let k = key("park", url);
        let Some(p) = self.get::<ParkedUrl>(&k)? else {
            return Ok(());
        };
        self.delete(&k)?;
        let lk = key("parked", &p.source);
        let mut list: BTreeMap<String, ()> = self.get(&lk)?.unwrap_or_default();
        list.remove(url);
        self.put(&lk, &list)
    }

    fn parked(&self, source: &str) -> Result<Vec<ParkedUrl>> {
        let list: BTreeMap<String, ()> = self.get(&key("parked", source))?.unwrap_or_default();
        let mut out = Vec::new();
        for url in list.keys() {
            if let Some(p) = self.get::<ParkedUrl>(&key("park", url))? {
                out.push(p);
            }
        }
        out.sort_by(|a, b| (a.retry_at, &a.url).cmp(&(b.retry_at, &b.url)));
        Ok(out)
    }

    fn parked_until(&self, url: &str, now: Timestamp) -> Result<Option<Timestamp>> {
        Ok(self
            .get::<ParkedUrl>(&key("park", url))?
            .map(|p| p.retry_at)
            .filter(|t| *t > now))
    }

    fn record_source_pass(
        &self,
        source: &str,
        tally: &SourcePassTally,
        now: Timestamp,
        stale_after_secs: u64,
    ) -> Result<()> {
        self.tallies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(PassTally {
                source: source.to_string(),
                tally: tally.clone(),
                at: now,
                stale_after_secs,
            });
        Ok(())
    }

    /// Kept by the sink's store: a fetch worker does not judge staleness (`jiance status` does).
    fn source_health(&self, _source: &str) -> Result<Option<SourceHealth>> {
        Ok(None)
    }
}
