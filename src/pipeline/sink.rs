//! The one sink of every composition: what the per-page work ([`super::work`]) made of each page
//! goes into the search index and the store here.
//!
//! For each document, in arrival order: a document stored before with the same content is
//! passed over; its near-duplicate cluster is assigned (clusters depend on order, so never in
//! the workers — they only sketch the text); its signals are derived; a document reached through
//! two sources keeps one owner, decided by name (`store::owns_before`), whatever arrives first;
//! then it is indexed. Every `commit_every` documents (or, in the live service, when the oldest
//! has waited [`COMMIT_INTERVAL`]) the index is committed and only then the batch is stored and
//! its pages marked processed, in one transaction: a crash before the store write re-fetches the
//! pages, and a stored document is always an indexed one.
//!
//! Two threads: the sink's caller decides (lookups, clusters, signals, owners), and a committer
//! thread owns the index writer — it indexes each document as it is decided, and at each commit
//! commits the index, then stores the batch, in that order. A [`Sink::pipelined`] sink (a rerun,
//! a reindex) goes on deciding the next batch while the committer commits the last: what was
//! sent but is not stored yet is looked up in memory (`inflight`), so every decision is the one
//! it would be with the batch already stored, and at most one batch is being committed while the
//! next fills. Otherwise (the live service) a commit waits for the committer, as a call would.
//! `jiance reindex` runs it without a store (the index alone is rebuilt).

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::analyze::{ClusterEntry, ClusterIndex, DEFAULT_WINDOW, Sketched, cluster_text, fold};
use crate::index::{Index, IndexWriter};
use crate::model::{Document, Extraction, Signal};
use crate::store::Store;
use crate::telemetry::Counters;

use super::PipelineError;
use super::work::Worked;

/// Longest an indexed document waits for its commit (and so for being searchable) when documents
/// arrive slowly; a crash loses at most this tail, which is fetched again.
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(3);

/// A document with its analysis and signals, waiting for its commit (on the committer).
struct Analyzed {
    doc: Document,
    extraction: Extraction,
    signals: Vec<Signal>,
    fingerprint: String,
}

/// What the sink remembers of a document it sent and that is not stored yet.
#[derive(Debug, Clone)]
struct Known {
    fingerprint: String,
    source: String,
    /// The batch it was sent in, and its place there.
    batch: u64,
    pos: usize,
    signals: usize,
}

/// Sink → committer, in order.
enum ToCommitter {
    /// Index this document; it joins the batch (or replaces the batch's document at `replaces`).
    Doc {
        doc: Box<Analyzed>,
        replaces: Option<usize>,
    },
    /// Commit the index, then store the batch (with these cluster entries first) and mark its
    /// pages processed.
    Commit {
        clusters: Vec<ClusterEntry>,
        pages: Vec<(String, String)>,
    },
    /// Commit nothing more: let the index finish its merges and end.
    Finish,
}

/// Committer → sink.
enum FromCommitter {
    /// One batch stored: how many documents.
    Stored(usize),
    Finished,
    Failed(PipelineError),
}

pub struct Sink<'a> {
    /// The store the sink looks documents up in (with a pipelined sink, a connection of its own:
    /// the committer's long write transactions do not hold up its reads).
    lookups: Option<Store>,
    counters: &'a Counters,
    clusters: ClusterIndex,
    /// The documents of the batch being filled, by id.
    current: HashMap<String, Known>,
    /// Documents of batches sent but not yet stored, by id: their latest version.
    inflight: HashMap<String, Known>,
    /// Number of the batch being filled; every batch before `stored` is stored.
    batch: u64,
    stored: u64,
    /// Documents in the batch being filled.
    pending: usize,
    /// Pages (url, source) whose documents are all in the batch or passed over: marked processed
    /// with the next commit.
    pages: Vec<(String, String)>,
    commit_every: usize,
    /// Commit a batch whose first document has waited this long (the live service).
    interval: Option<Duration>,
    oldest: Option<Instant>,
    signals: u64,
    pipelined: bool,
    to_committer: Option<Sender<ToCommitter>>,
    from_committer: Receiver<FromCommitter>,
    committer: Option<JoinHandle<()>>,
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
        // (A batch is far smaller than the window, so a document still being committed is never
        // one the window has dropped.)
        let clusters = ClusterIndex::windowed(DEFAULT_WINDOW);
        let clusters = match store {
            Some(s) => clusters.loaded(s.latest_clusters(DEFAULT_WINDOW)?),
            None => clusters,
        };
        let writer = index.writer()?;
        let (to_committer, rx) = channel();
        let (tx, from_committer) = channel();
        let for_committer = store.cloned();
        let committer = std::thread::Builder::new()
            .name("sink-commit".into())
            .spawn(move || commit_loop(writer, for_committer.as_ref(), &rx, &tx))
            .map_err(|e| PipelineError::Stage(format!("sink: cannot start the committer: {e}")))?;
        Ok(Sink {
            lookups: store.cloned(),
            counters,
            clusters,
            current: HashMap::new(),
            inflight: HashMap::new(),
            batch: 0,
            stored: 0,
            pending: 0,
            pages: Vec::new(),
            commit_every: commit_every.max(1),
            interval,
            oldest: None,
            signals: 0,
            pipelined: false,
            to_committer: Some(to_committer),
            from_committer,
            committer: Some(committer),
        })
    }

    /// This sink with commits that do not wait for the store write (a rerun, a reindex): the
    /// next batch is decided while the last is committed. Lookups go through a connection of
    /// their own.
    pub fn pipelined(mut self) -> Result<Sink<'a>, PipelineError> {
        if let Some(s) = &self.lookups {
            self.lookups = Some(s.reopen()?);
        }
        self.pipelined = true;
        Ok(self)
    }

    /// Fingerprint and source of a stored document, or of the latest version of one sent to be
    /// stored: what the store will hold when the batches sent are stored.
    fn stored(&self, id: &str) -> Result<Option<(String, String)>, PipelineError> {
        if let Some(k) = self.inflight.get(id) {
            return Ok(Some((k.fingerprint.clone(), k.source.clone())));
        }
        match &self.lookups {
            Some(store) => Ok(store.stored(id)?),
            None => Ok(None),
        }
    }

    /// Take what the work made of the page `url` of `source`; commits when a batch is due.
    pub fn accept(&mut self, url: &str, source: &str, worked: Worked) -> Result<(), PipelineError> {
        self.poll()?;
        for a in worked.docs {
            let (doc, mut extraction) = (a.doc, a.extraction);
            let unchanged = || {
                self.counters
                    .parse
                    .unchanged
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            };
            let fingerprint = match a.fingerprint {
                Some(f) => f,
                None => crate::store::fingerprint(&doc)?,
            };
            // The authority, in arrival order: the live workers' own look (`work_page`'s `keep`)
            // only spares the analysis of what is plainly unchanged; a rerun's workers cannot look.
            let stored = self.stored(&doc.id)?;
            if let Some((fp, owner)) = &stored
                && (crate::store::owns_before(owner, &doc.source)
                    || (*owner == doc.source && *fp == fingerprint))
            {
                unchanged();
                continue;
            }
            // the same page twice in one batch (archived again, fetched by two passes): the
            // store has not seen the first yet, the batch has
            let in_batch = self.current.get(&doc.id);
            if let Some(p) = in_batch
                && p.source == doc.source
                && p.fingerprint == fingerprint
            {
                unchanged();
                continue;
            }
            let c = &self.counters.analyze;
            c.received();
            // a document seen before the window keeps its stored cluster (reruns are idempotent)
            if let Some(store) = &self.lookups
                && !self.clusters.knows(&doc.id)
                && let Some(entry) = store.cluster_of(&doc.id)?
            {
                self.clusters.remember(entry);
            }
            extraction.cluster = match &a.sketched {
                Some(s) => self.clusters.assign_sketched(&doc.id, s),
                None => {
                    let s = Sketched::of_folded(&fold(&cluster_text(&doc)));
                    self.clusters.assign_sketched(&doc.id, &s)
                }
            };
            let signals = crate::analyze::signals(&doc, &extraction);
            if !extraction.is_signal {
                c.reject(extraction.reason.as_deref().unwrap_or("not a signal"));
            }
            c.emitted(1);
            // The same document through two sources (a site's HTML and API faces): the owner is
            // decided by name, not by which arrived first.
            let owner = match in_batch {
                Some(p) => Some(p.source.as_str()),
                None => stored.as_ref().map(|(_, s)| s.as_str()),
            };
            if owner.is_some_and(|o| crate::store::owns_before(o, &doc.source)) {
                unchanged();
                continue;
            }
            self.counters.index.received();
            self.signals += signals.len() as u64;
            let replaces = in_batch.map(|p| p.pos);
            if let Some(p) = in_batch {
                self.signals -= p.signals as u64;
            }
            let known = Known {
                fingerprint: fingerprint.clone(),
                source: doc.source.clone(),
                batch: self.batch,
                pos: replaces.unwrap_or(self.pending),
                signals: signals.len(),
            };
            if replaces.is_none() {
                self.pending += 1;
            }
            self.current.insert(doc.id.clone(), known);
            self.send(ToCommitter::Doc {
                doc: Box::new(Analyzed {
                    doc,
                    extraction,
                    signals,
                    fingerprint,
                }),
                replaces,
            })?;
        }
        self.pages.push((url.to_string(), source.to_string()));
        let since = *self.oldest.get_or_insert_with(Instant::now);
        let timed_out = self.interval.is_some_and(|i| since.elapsed() >= i);
        if timed_out {
            self.commit()?;
        } else if self.pending >= self.commit_every {
            self.hand_off()?;
            if !self.pipelined {
                self.wait_stored(self.batch)?;
            }
        }
        Ok(())
    }

    /// How long until the waiting batch must be committed (live service); `None` when nothing
    /// waits.
    pub fn due_in(&self) -> Option<Duration> {
        let (oldest, interval) = (self.oldest?, self.interval?);
        Some(interval.saturating_sub(oldest.elapsed()))
    }

    /// Commit the index, then store the batch and mark its pages processed; returns when both
    /// are done.
    pub fn commit(&mut self) -> Result<(), PipelineError> {
        self.hand_off()?;
        self.wait_stored(self.batch)
    }

    /// Commit what waits and let the index finish its merges; returns the signals committed.
    pub fn finish(mut self) -> Result<u64, PipelineError> {
        self.commit()?;
        self.send(ToCommitter::Finish)?;
        loop {
            match self.from_committer.recv() {
                Ok(FromCommitter::Finished) => break,
                Ok(m) => self.handle(m)?,
                Err(_) => return Err(committer_gone()),
            }
        }
        if let Some(h) = self.committer.take() {
            h.join().map_err(|_| committer_gone())?;
        }
        Ok(self.signals)
    }

    /// Send the batch being filled to be committed and start the next; waits first while the
    /// batch before is still being committed (so at most one is, while the next fills: memory
    /// stays bounded, and commits do not queue up behind each other).
    fn hand_off(&mut self) -> Result<(), PipelineError> {
        self.wait_stored(self.batch)?;
        // Cluster entries go with their batch: stored before the documents that name them, so
        // a replay after a crash finds them.
        let clusters = self.clusters.take_new();
        let pages = std::mem::take(&mut self.pages);
        self.send(ToCommitter::Commit { clusters, pages })?;
        self.inflight.extend(self.current.drain());
        self.batch += 1;
        self.pending = 0;
        self.oldest = None;
        Ok(())
    }

    fn send(&self, m: ToCommitter) -> Result<(), PipelineError> {
        match &self.to_committer {
            Some(tx) if tx.send(m).is_ok() => Ok(()),
            // the committer ended: its last message says why
            _ => Err(self.committer_error()),
        }
    }

    /// Wait until every batch before `batch` is stored.
    fn wait_stored(&mut self, batch: u64) -> Result<(), PipelineError> {
        while self.stored < batch {
            match self.from_committer.recv() {
                Ok(m) => self.handle(m)?,
                Err(_) => return Err(committer_gone()),
            }
        }
        Ok(())
    }

    /// Take the committer's news without waiting.
    fn poll(&mut self) -> Result<(), PipelineError> {
        while let Ok(m) = self.from_committer.try_recv() {
            self.handle(m)?;
        }
        Ok(())
    }

    fn handle(&mut self, m: FromCommitter) -> Result<(), PipelineError> {
        match m {
            FromCommitter::Stored(n) => {
                let batch = self.stored;
                self.inflight.retain(|_, k| k.batch != batch);
                self.stored += 1;
                self.counters.index.emitted(n as u64);
                Ok(())
            }
            FromCommitter::Finished => Ok(()),
            FromCommitter::Failed(e) => Err(e),
        }
    }

    /// Why the committer stopped (its error, if it sent one).
    fn committer_error(&self) -> PipelineError {
        while let Ok(m) = self.from_committer.try_recv() {
            if let FromCommitter::Failed(e) = m {
                return e;
            }
        }
        committer_gone()
    }
}

impl Drop for Sink<'_> {
    /// A sink dropped unfinished (an error upstream): the committer ends with what it holds
    /// uncommitted (the index rolls it back, nothing of it is stored) before the index may be
    /// closed.
    fn drop(&mut self) {
        self.to_committer = None;
        if let Some(h) = self.committer.take() {
            let _ = h.join();
        }
    }
}

fn committer_gone() -> PipelineError {
    PipelineError::Stage("sink: the index committer stopped".into())
}

/// The committer thread: index each document, and at each commit commit the index, then store
/// the batch. It stops at the first error, which it sends.
fn commit_loop(
    mut writer: IndexWriter,
    store: Option<&Store>,
    rx: &Receiver<ToCommitter>,
    tx: &Sender<FromCommitter>,
) {
    let mut pending: Vec<Analyzed> = Vec::new();
    let mut step = |m: ToCommitter, writer: &mut IndexWriter| -> Result<bool, PipelineError> {
        match m {
            ToCommitter::Doc { doc, replaces } => {
                writer.upsert(&doc.doc, &doc.extraction)?;
                match replaces.and_then(|i| pending.get_mut(i)) {
                    Some(p) => *p = *doc,
                    None => pending.push(*doc),
                }
            }
            ToCommitter::Commit { clusters, pages } => {
                writer.commit()?;
                if let Some(store) = store {
                    store.put_clusters(&clusters)?;
                    let docs: Vec<(&Document, &Extraction, &[Signal], &str)> = pending
                        .iter()
                        .map(|a| {
                            (
                                &a.doc,
                                &a.extraction,
                                a.signals.as_slice(),
                                a.fingerprint.as_str(),
                            )
                        })
                        .collect();
                    store.put_batch(&docs, &pages)?;
                }
                let _ = tx.send(FromCommitter::Stored(pending.len()));
                pending.clear();
            }
            ToCommitter::Finish => return Ok(false),
        }
        Ok(true)
    };
    while let Ok(m) = rx.recv() {
        match step(m, &mut writer) {
            Ok(true) => {}
            Ok(false) => {
                let done = writer.finish();
                let _ = tx.send(match done {
                    Ok(()) => FromCommitter::Finished,
                    Err(e) => FromCommitter::Failed(e.into()),
                });
                return;
            }
            Err(e) => {
                let _ = tx.send(FromCommitter::Failed(e));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Analyzer, ClusterIndex};
    use crate::model::{Channel, DocKind};
    use crate::pipeline::work::Analysed;

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
            docs: vec![Analysed::plain(doc, ex)],
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
                    w.docs[0].doc.fields.insert("via".into(), "api".into());
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
