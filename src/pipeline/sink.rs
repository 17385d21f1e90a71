//! The one sink of every composition: what the per-page work ([`super::work`]) made of each page
//! goes into the search index and the store here, on one thread that owns the index writer.
//!
//! For each document, in arrival order: a document stored before with the same content is
//! passed over; its near-duplicate cluster is assigned (clusters depend on order, so never in
//! the workers); its signals are derived; a document reached through two sources keeps one
//! owner, decided by name (`store::owns_before`), whatever arrives first; then it is indexed.
//! Every `commit_every` documents (or, in the live service, when the oldest has waited
//! [`COMMIT_INTERVAL`]) the index is committed and only then the batch is stored and its pages
//! marked processed, in one transaction: a crash before the store write re-fetches the pages, and
//! a stored document is always an indexed one. `jiance reindex` runs it without a store (the index
//! alone is rebuilt).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::analyze::{ClusterIndex, DEFAULT_WINDOW, cluster_text, fold, story_fields_of};
use crate::index::{Index, IndexWriter};
use crate::model::{Document, Extraction, Signal};
use crate::store::Store;
use crate::telemetry::Counters;

use super::PipelineError;
use super::work::Worked;

/// Longest an indexed document waits for its commit (and so for being searchable) when documents
/// arrive slowly; a crash loses at most this tail, which is fetched again.
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(3);

/// A document with its analysis and signals, waiting for its commit.
struct Analyzed {
    doc: Document,
    extraction: Extraction,
    signals: Vec<Signal>,
}

pub struct Sink<'a> {
    writer: IndexWriter,
    store: Option<&'a Store>,
    counters: &'a Counters,
    clusters: ClusterIndex,
    pending: Vec<Analyzed>,
    /// Where each pending document id is in `pending` (a rerun's batch holds 20,000).
    positions: HashMap<String, usize>,
    /// Pages (url, source) whose documents are all in `pending` or passed over: marked processed
    /// with the next commit.
    pages: Vec<(String, String)>,
    commit_every: usize,
    /// Commit a batch whose first document has waited this long (the live service).
    interval: Option<Duration>,
    oldest: Option<Instant>,
    signals: u64,
}

impl<'a> Sink<'a> {
    /// A sink into `index` and, unless `None`, `store` (whose clusters it continues).
    pub fn open(
        index: &Index,
        store: Option<&'a Store>,
        counters: &'a Counters,
        commit_every: usize,
        interval: Option<Duration>,
    ) -> Result<Sink<'a>, PipelineError> {
        // Bounded memory however many documents the store holds: the latest entries are loaded,
        // and a document the window has dropped is looked up when it comes again (`accept`).
        let clusters = ClusterIndex::windowed(DEFAULT_WINDOW);
        let clusters = match store {
            Some(s) => clusters.loaded(s.latest_clusters(DEFAULT_WINDOW)?),
            None => clusters,
        };
        Ok(Sink {
            writer: index.writer()?,
            store,
            counters,
            clusters,
            pending: Vec::new(),
            positions: HashMap::new(),
            pages: Vec::new(),
            commit_every: commit_every.max(1),
            interval,
            oldest: None,
            signals: 0,
        })
    }

    /// Take what the work made of the page `url` of `source`; commits when a batch is due.
    pub fn accept(&mut self, url: &str, source: &str, worked: Worked) -> Result<(), PipelineError> {
        for (doc, mut extraction, sketch) in worked.docs {
            let unchanged = || {
                self.counters
                    .parse
                    .unchanged
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            };
            // The authority, in arrival order: the live workers' own look (`work_page`'s `keep`)
            // only spares the analysis of what is plainly unchanged; a rerun's workers cannot look.
            // One lookup answers this and, below, the owner (the store changes only at commits).
            let stored = match self.store {
                Some(store) => store.stored(&doc.id)?,
                None => None,
            };
            if stored.as_ref().is_some_and(|s| s.unchanged(&doc)) {
                unchanged();
                continue;
            }
            // the same page twice in one batch (archived again, fetched by two passes): the
            // store has not seen the first yet, the batch has
            let in_batch = self.positions.get(&doc.id).copied();
            if let Some(p) = in_batch.and_then(|i| self.pending.get(i))
                && p.doc.source == doc.source
                && crate::store::fingerprint(&p.doc).ok() == crate::store::fingerprint(&doc).ok()
            {
                unchanged();
                continue;
            }
            let c = &self.counters.analyze;
            c.received();
            // a document seen before the window keeps its stored cluster (reruns are idempotent)
            if let Some(store) = self.store
                && !self.clusters.knows(&doc.id)
                && let Some(entry) = store.cluster_of(&doc.id)?
            {
                self.clusters.remember(entry);
            }
            extraction.cluster = match &sketch {
                Some(sk) => self.clusters.assign_sketch(&doc.id, sk),
                None => self.clusters.assign_folded_with(
                    &doc.id,
                    &fold(&cluster_text(&doc)),
                    &story_fields_of(&doc, &extraction),
                ),
            };
            let signals = crate::analyze::signals(&doc, &extraction);
            if !extraction.is_signal {
                c.reject(extraction.reason.as_deref().unwrap_or("not a signal"));
            }
            c.emitted(1);
            // The same document through two sources (a site's HTML and API faces): the owner is
            // decided by name, not by which arrived first.
            let owner = match in_batch {
                Some(i) => self.pending.get(i).map(|p| p.doc.source.clone()),
                None => stored.map(|s| s.source),
            };
            if owner.is_some_and(|o| crate::store::owns_before(&o, &doc.source)) {
                unchanged();
                continue;
            }
            self.counters.index.received();
            self.writer.upsert(&doc, &extraction)?;
            self.signals += signals.len() as u64;
            let a = Analyzed {
                doc,
                extraction,
                signals,
            };
            match in_batch.and_then(|i| self.pending.get_mut(i)) {
                Some(p) => {
                    self.signals -= p.signals.len() as u64;
                    *p = a;
                }
                None => {
                    self.positions.insert(a.doc.id.clone(), self.pending.len());
                    self.pending.push(a);
                }
            }
        }
        self.pages.push((url.to_string(), source.to_string()));
        let since = *self.oldest.get_or_insert_with(Instant::now);
        if self.pending.len() >= self.commit_every
            || self.interval.is_some_and(|i| since.elapsed() >= i)
        {
            self.commit()?;
        }
        Ok(())
    }

    /// How long until the waiting batch must be committed (live service); `None` when nothing
    /// waits.
    pub fn due_in(&self) -> Option<Duration> {
        let (oldest, interval) = (self.oldest?, self.interval?);
        Some(interval.saturating_sub(oldest.elapsed()))
    }

    /// Commit the index, then store the batch and mark its pages processed.
    pub fn commit(&mut self) -> Result<(), PipelineError> {
        let started = Instant::now();
        self.writer.commit()?;
        let indexed = started.elapsed();
        if let Some(store) = self.store {
            // Clusters before the documents that name them: a replay after a crash finds them.
            store.put_clusters(&self.clusters.take_new())?;
            let docs: Vec<(&Document, &Extraction, &[Signal])> = self
                .pending
                .iter()
                .map(|a| (&a.doc, &a.extraction, a.signals.as_slice()))
                .collect();
            store.put_batch(&docs, &self.pages)?;
        }
        tracing::debug!(
            documents = self.pending.len(),
            index_ms = indexed.as_millis() as u64,
            store_ms = (started.elapsed() - indexed).as_millis() as u64,
            "sink: batch committed"
        );
        self.counters.index.emitted(self.pending.len() as u64);
        self.pending.clear();
        self.positions.clear();
        self.pages.clear();
        self.oldest = None;
        Ok(())
    }

    /// Commit what waits and let the index finish its merges; returns the signals committed.
    pub fn finish(mut self) -> Result<u64, PipelineError> {
        self.commit()?;
        self.writer.finish()?;
        Ok(self.signals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::model::{Channel, DocKind};

    fn worked(analyzer: &Analyzer, id: &str, source: &str) -> Worked {
        use chrono::TimeZone;
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .unwrap();
        let doc = Document {
            id: id.into(),
            source: source.into(),
            channel: Channel::Complaint,
            kind: Some(DocKind::Complaint),
            url: format!("http://127.0.0.1:9/{id}"),
            title: "网购电热水壶底座漏电".into(),
            text: "消费者反映网购的电热水壶使用时底座漏电，手碰到壶身有麻感，商家拒绝退货。".into(),
            published_at: Some(t),
            fetched_at: t,
            fields: Default::default(),
            rows: vec![],
            region_hint: None,
            weight: 1.0,
        };
        let ex = analyzer.analyze(&doc, &mut ClusterIndex::new());
        Worked {
            docs: vec![(doc, ex, None)],
            ..Worked::default()
        }
    }

    struct Parts {
        _dir: tempfile::TempDir,
        store: Store,
        index: Index,
        counters: Counters,
        analyzer: Analyzer,
    }

    fn parts() -> Parts {
        let dir = tempfile::tempdir().unwrap();
        let analyzer = Analyzer::load(None, None).unwrap();
        Parts {
            store: Store::open(&dir.path().join("state.sqlite")).unwrap(),
            index: Index::open(&dir.path().join("index"), analyzer.jieba()).unwrap(),
            counters: Counters::default(),
            analyzer,
            _dir: dir,
        }
    }

    /// A document is stored only with (after) the index commit that holds it: until then a crash
    /// leaves nothing stored that the index lacks.
    #[test]
    fn nothing_is_stored_before_its_index_commit() {
        let p = parts();
        let mut sink = Sink::open(&p.index, Some(&p.store), &p.counters, 200, None).unwrap();
        sink.accept("http://127.0.0.1:9/a", "s", worked(&p.analyzer, "a", "s"))
            .unwrap();
        assert_eq!(p.store.document_count().unwrap(), 0);
        assert_eq!(p.index.num_docs(), 0);
        assert_eq!(sink.due_in(), None, "no interval: nothing timed");
        sink.commit().unwrap();
        assert_eq!(p.store.document_count().unwrap(), 1);
        assert_eq!(p.index.num_docs(), 1);
        // the same content again is passed over
        sink.accept("http://127.0.0.1:9/a", "s", worked(&p.analyzer, "a", "s"))
            .unwrap();
        sink.finish().unwrap();
        assert_eq!(p.counters.index.get_received(), 1, "indexed once");
        assert_eq!(
            p.counters
                .parse
                .unchanged
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
    }

    /// Regression (issue 16, 2): a complaint reached through a site's HTML pages and its API
    /// belonged to whichever face arrived first, so an alert's sources (and level) depended on
    /// crawl timing. The owner is now the same in either order, within a batch or across two.
    #[test]
    fn a_document_reached_through_two_sources_has_one_owner_in_any_order() {
        for (order, batches) in [
            (["board-html", "board-api"], 1),
            (["board-api", "board-html"], 1),
            (["board-html", "board-api"], 2),
            (["board-api", "board-html"], 2),
        ] {
            let p = parts();
            let mut sink = Sink::open(&p.index, Some(&p.store), &p.counters, 200, None).unwrap();
            for (i, source) in order.iter().enumerate() {
                let mut w = worked(&p.analyzer, "doc-7", source);
                if *source == "board-api" {
                    // the API face's copy differs in a field, so it is not an identical repeat
                    w.docs[0].0.fields.insert("via".into(), "api".into());
                }
                sink.accept("http://127.0.0.1:9/doc-7", source, w).unwrap();
                if batches == 2 && i == 0 {
                    sink.commit().unwrap();
                }
            }
            sink.finish().unwrap();
            assert_eq!(
                p.store.owner("doc-7").unwrap().as_deref(),
                Some("board-api"),
                "{order:?} in {batches} batch(es)"
            );
            assert_eq!(p.store.document_count().unwrap(), 1);
            assert_eq!(p.index.num_docs(), 1);
        }
    }

    /// With an interval, a waiting batch says when it is due, and is committed by the next
    /// document after it.
    #[test]
    fn a_batch_waiting_longer_than_the_interval_is_committed() {
        let p = parts();
        let interval = Duration::from_millis(100);
        let mut sink =
            Sink::open(&p.index, Some(&p.store), &p.counters, 200, Some(interval)).unwrap();
        sink.accept("http://127.0.0.1:9/a", "s", worked(&p.analyzer, "a", "s"))
            .unwrap();
        assert!(sink.due_in().is_some_and(|d| d <= interval));
        std::thread::sleep(interval);
        assert_eq!(sink.due_in(), Some(Duration::ZERO));
        sink.accept("http://127.0.0.1:9/b", "s", worked(&p.analyzer, "b", "s"))
            .unwrap();
        assert_eq!(p.index.num_docs(), 2);
        assert_eq!(sink.due_in(), None);
    }
}
