//! The engine: one data directory with its store, index, analyzer and scoring rules, and the
//! operations the CLI and the service run on it (crawl once, score, serve, run continuously).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::analyze::{Analyzer, ClusterIndex};
use crate::config::{ConfigError, CrawlSettings, SourceConfig};
use crate::crawl::archive::ArchiveWriter;
use crate::crawl::{CrawlReport, Crawler};
use crate::index::Index;
use crate::model::{Alert, Document, Extraction, Fetched, SamplingRequest, Signal};
use crate::score::{ScoreInput, ScoringRules};
use crate::store::Store;

use super::Counters;

/// Channel capacities between stages (back-pressure: a slow stage slows the crawl, nothing queues
/// without bound).
pub const FETCHED_CAPACITY: usize = 64;
pub const DOCUMENT_CAPACITY: usize = 256;
pub const ANALYZED_CAPACITY: usize = 256;
/// Documents per index commit by default (`[crawl] commit_every`); a crash loses at most this
/// many, which are fetched again.
pub const COMMIT_EVERY: usize = crate::config::DEFAULT_COMMIT_EVERY;
/// Longest an indexed document waits for its commit (and so for being searchable) when documents
/// arrive slowly; a crash loses at most this tail, which is fetched again.
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(3);
/// How long a sampled shop, brand or enterprise is not proposed again.
pub const SAMPLING_EXCLUSION_DAYS: i64 = 365;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Config(Vec<ConfigError>),
    #[error("crawler: {0}")]
    Crawl(#[from] crate::crawl::CrawlError),
    #[error("a pipeline stage stopped unexpectedly: {0}")]
    Stage(String),
    #[error(transparent)]
    Signals(#[from] crate::store::signals::SignalTableError),
    #[error("scoring: {0}")]
    Score(#[from] crate::score::ScoreError),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PipelineError + '_ {
    move |source| PipelineError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The data directory's layout (design: Storage).
#[derive(Debug, Clone)]
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }
    pub fn archive(&self) -> PathBuf {
        self.root.join("archive")
    }
    pub fn index(&self) -> PathBuf {
        self.root.join("index")
    }
    pub fn state(&self) -> PathBuf {
        self.root.join("state.sqlite")
    }
    pub fn signals(&self) -> PathBuf {
        self.root.join("signals")
    }
    /// Create the directory and its sub-folders.
    pub fn create(&self) -> Result<(), PipelineError> {
        for d in [
            self.root.clone(),
            self.archive(),
            self.index(),
            self.signals(),
        ] {
            std::fs::create_dir_all(&d).map_err(io_err(&d))?;
        }
        Ok(())
    }
}

/// Where rules and dictionaries come from (`None`: the defaults built into the binary).
#[derive(Debug, Clone, Default)]
pub struct RuleDirs {
    pub rules: Option<PathBuf>,
    pub dictionaries: Option<PathBuf>,
}

/// What one pass of the pipeline did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    /// Responses received (every one archived).
    pub pages: u64,
    /// Detail pages not fetched because they were fetched and committed before.
    pub pages_skipped_seen: u64,
    /// Documents analysed, indexed and stored in this pass.
    pub documents: u64,
    /// Documents passed over because a re-fetched page had not changed.
    pub unchanged: u64,
    pub signals: u64,
    /// Failures by `stage:reason` (fetch errors, unparseable pages …).
    pub failures: BTreeMap<String, u64>,
    /// Documents that are not risk signals, by reason (drill, negated, no hazard …).
    pub not_signals: BTreeMap<String, u64>,
    pub seconds: f64,
}

/// Rejections by reason, minus an earlier snapshot.
fn since(now: BTreeMap<String, u64>, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    now.into_iter()
        .map(|(k, n)| {
            let d = n - before.get(&k).copied().unwrap_or(0).min(n);
            (k, d)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// What a scoring run produced.
#[derive(Debug, Clone)]
pub struct ScoreSummary {
    pub as_of: NaiveDate,
    pub signals: usize,
    pub alerts: Vec<Alert>,
    pub sampling: Vec<SamplingRequest>,
    pub dismissed: usize,
}

/// How the store and the index agree, checked when a data directory is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consistency {
    pub store_documents: u64,
    pub index_documents: u64,
    /// Stored documents the index lacks; their pages are set to be fetched again.
    pub unindexed: usize,
}

/// Compare the store with the index and repair the difference: a stored document the index
/// lacks (left by a crash of a version that stored before it committed the index) gets its
/// fingerprint forgotten and its page marked unprocessed, so the next crawl re-fetches and
/// re-analyses it rather than skipping it as unchanged. Counts are compared first; ids only when
/// they differ.
pub fn reconcile(store: &Store, index: &Index) -> Result<Consistency, PipelineError> {
    let store_documents = store.document_count()?;
    let index_documents = index.num_docs();
    let mut unindexed = Vec::new();
    if store_documents != index_documents {
        for id in store.document_ids()? {
            if index.get(&id)?.is_none() {
                unindexed.push(id);
            }
        }
        store.forget_unindexed(&unindexed)?;
    }
    Ok(Consistency {
        store_documents,
        index_documents,
        unindexed: unindexed.len(),
    })
}

/// One analysed document on its way to the sink.
struct Analyzed {
    doc: Document,
    extraction: Extraction,
    signals: Vec<Signal>,
}

/// Everything a pipeline run needs, opened once.
pub struct Engine {
    pub data: DataDir,
    pub settings: CrawlSettings,
    pub analyzer: Arc<Analyzer>,
    pub scoring: Arc<ScoringRules>,
    pub store: Store,
    pub index: Arc<Index>,
    pub counters: Arc<Counters>,
}

impl Engine {
    /// Open (creating if needed) a data directory and load rules and dictionaries.
    pub fn open(
        data: DataDir,
        rules: &RuleDirs,
        settings: CrawlSettings,
    ) -> Result<Engine, PipelineError> {
        data.create()?;
        let analyzer = Analyzer::load(rules.rules.as_deref(), rules.dictionaries.as_deref())
            .map_err(PipelineError::Config)?;
        let scoring = ScoringRules::load(rules.rules.as_deref()).map_err(PipelineError::Config)?;
        let store = Store::open(&data.state())?;
        let index = Index::open(&data.index(), analyzer.jieba())?;
        let c = reconcile(&store, &index)?;
        if c.unindexed > 0 {
            warn!(
                unindexed = c.unindexed,
                store = c.store_documents,
                index = c.index_documents,
                "stored documents missing from the index: they are fetched and analysed again on the next crawl (`jiance reindex` rebuilds the index from the archive now)"
            );
        }
        Ok(Engine {
            data,
            settings,
            analyzer: Arc::new(analyzer),
            scoring: Arc::new(scoring),
            store,
            index: Arc::new(index),
            counters: Arc::new(Counters::default()),
        })
    }

    /// Crawl every enabled source once and carry everything through parse, analyze, index and
    /// store. Returns when the last document is committed.
    pub async fn crawl_once(&self, sources: &[SourceConfig]) -> Result<RunReport, PipelineError> {
        let started = Instant::now();
        let before_docs = self.counters.index.get_received();
        let before_unchanged = self
            .counters
            .parse
            .unchanged
            .load(std::sync::atomic::Ordering::Relaxed);
        let before: Vec<BTreeMap<String, u64>> = self
            .counters
            .stages()
            .iter()
            .map(|(_, c)| c.rejected())
            .collect();
        let archive = ArchiveWriter::open(&self.data.archive(), self.settings.archive_rotate_bytes)
            .map_err(io_err(&self.data.archive()))?;
        let crawler = Crawler::new(
            &self.settings,
            archive,
            self.store.clone(),
            self.counters.clone(),
            Arc::new(crate::parse::Links),
        )?
        .hold_until_committed();

        let (tx_fetched, rx_fetched) = mpsc::channel::<Fetched>(FETCHED_CAPACITY);
        let (tx_docs, rx_docs) = mpsc::channel::<Document>(DOCUMENT_CAPACITY);
        let (tx_analyzed, rx_analyzed) = mpsc::channel::<Analyzed>(ANALYZED_CAPACITY);

        let by_name: Arc<HashMap<String, SourceConfig>> = Arc::new(
            sources
                .iter()
                .map(|s| (s.name.clone(), s.clone()))
                .collect(),
        );
        let parse = {
            let (counters, store) = (self.counters.clone(), self.store.clone());
            tokio::task::spawn_blocking(move || {
                parse_stage(rx_fetched, tx_docs, &by_name, &counters, &store)
            })
        };
        let analyze = {
            let (analyzer, counters, store) = (
                self.analyzer.clone(),
                self.counters.clone(),
                self.store.clone(),
            );
            tokio::task::spawn_blocking(move || {
                analyze_stage(rx_docs, tx_analyzed, &analyzer, &counters, &store)
            })
        };
        let sink = {
            let (index, counters, store) = (
                self.index.clone(),
                self.counters.clone(),
                self.store.clone(),
            );
            let commit_every = self.settings.commit_every;
            tokio::task::spawn_blocking(move || {
                sink_stage(rx_analyzed, &index, &counters, &store, commit_every)
            })
        };
        let crawl_report: CrawlReport = crawler.crawl(sources, tx_fetched).await;
        for (name, task) in [("parse", parse), ("analyze", analyze)] {
            task.await
                .map_err(|e| PipelineError::Stage(format!("{name}: {e}")))??;
        }
        let signals = sink
            .await
            .map_err(|e| PipelineError::Stage(format!("sink: {e}")))??;
        // Everything the pass sent on is committed: only now may its list validators and
        // finished sources be recorded (see `Crawler::hold_until_committed`).
        crawl_report.held.record(&self.store)?;

        let mut failures = crawl_report.failed.clone();
        let mut not_signals = BTreeMap::new();
        for ((stage, c), before) in self.counters.stages().iter().zip(&before) {
            let delta = since(c.rejected(), before);
            match *stage {
                "crawl" => {}
                "analyze" => not_signals = delta,
                _ => failures.extend(
                    delta
                        .into_iter()
                        .map(|(reason, n)| (format!("{stage}:{reason}"), n)),
                ),
            }
        }
        Ok(RunReport {
            pages: crawl_report.pages,
            pages_skipped_seen: crawl_report.skipped_seen,
            documents: self.counters.index.get_received() - before_docs,
            unchanged: self
                .counters
                .parse
                .unchanged
                .load(std::sync::atomic::Ordering::Relaxed)
                - before_unchanged,
            signals,
            failures,
            not_signals,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Score every stored signal as of the end of `as_of`, store the alerts and sampling requests,
    /// and write the signal partitions.
    pub fn score(&self, as_of: NaiveDate) -> Result<ScoreSummary, PipelineError> {
        let signals = self.store.signals()?;
        let previous = self.store.alerts()?;
        let since = as_of - chrono::Duration::days(SAMPLING_EXCLUSION_DAYS);
        let sampled = self.store.sampled_parties(since)?;
        let analyzer = self.analyzer.clone();
        let test_items = move |h: &str| analyzer.test_items(h).to_vec();
        // Inspection results of the alerts' sampling enter their next score.
        let mut inspections = Vec::new();
        for a in &previous {
            inspections.extend(self.store.inspection_results(&a.id)?);
        }
        let out = crate::score::try_score(
            &self.scoring,
            &ScoreInput {
                signals: &signals,
                as_of,
                sampled: &sampled,
                test_items: &test_items,
                previous: &previous,
                inspections: &inspections,
            },
        )?;
        self.store.put_alerts(&out.alerts, &out.sampling)?;
        crate::store::signals::write_partitions(&self.data.signals(), &signals)?;
        self.counters
            .score
            .received
            .store(signals.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.counters.score.emitted(out.alerts.len() as u64);
        info!(as_of = %as_of, signals = signals.len(), alerts = out.alerts.len(), "scored");
        Ok(ScoreSummary {
            as_of,
            signals: signals.len(),
            alerts: out.alerts,
            sampling: out.sampling,
            dismissed: out.dismissed.len(),
        })
    }

    pub fn app_state(&self) -> crate::serve::AppState {
        crate::serve::AppState::new(
            self.store.clone(),
            Some(self.index.clone()),
            self.counters.clone(),
            self.data.root.clone(),
        )
    }
}

fn parse_stage(
    mut rx: mpsc::Receiver<Fetched>,
    tx: mpsc::Sender<Document>,
    sources: &HashMap<String, SourceConfig>,
    counters: &Counters,
    store: &Store,
) -> Result<(), PipelineError> {
    while let Some(f) = rx.blocking_recv() {
        counters.parse.received();
        counters.queues[0].set(rx.len(), rx.max_capacity());
        let Some(source) = sources.get(&f.source) else {
            warn!(url = %f.url, source = %f.source, "page from an unknown source");
            counters.parse.reject("unknown-source");
            continue;
        };
        let parsed = crate::parse::parse_page(&f, source).map(|p| {
            // an attachment that gave no rows leaves its notice as its page had it: counted by
            // reason here and in the source's health record, never the page's failure
            let reasons: Vec<&str> = p.attachment_errors.iter().map(|e| e.reason()).collect();
            for e in &p.attachment_errors {
                warn!(page = %f.url, reason = e.reason(), "attachment not read: {e}");
                counters.parse.reject(e.reason());
            }
            if let Err(e) = store.add_source_failures(&f.source, &reasons) {
                warn!(source = %f.source, "store: {e}");
            }
            p.docs
        });
        match parsed {
            Ok(docs) if docs.is_empty() => {
                // Nothing to commit: the page is done now.
                store.mark_processed(&[(f.url.clone(), f.source.clone())])?;
            }
            Ok(docs) => {
                let mut sent = 0;
                for d in docs {
                    // A re-fetched page (an API page, a list of items) mostly repeats what is
                    // stored; only what changed goes on.
                    if store.unchanged(&d)? {
                        counters
                            .parse
                            .unchanged
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        continue;
                    }
                    counters.parse.emitted(1);
                    sent += 1;
                    if tx.blocking_send(d).is_err() {
                        return Ok(());
                    }
                }
                if sent == 0 {
                    store.mark_processed(&[(f.url.clone(), f.source.clone())])?;
                }
            }
            Err(e) => {
                warn!(error = %e, "page not parsed");
                counters.parse.reject(e.reason());
                // A page that cannot be parsed now will not parse on a re-fetch either; it stays
                // in the archive for a rerun with better selectors.
                store.mark_processed(&[(f.url.clone(), f.source.clone())])?;
            }
        }
    }
    Ok(())
}

fn analyze_stage(
    mut rx: mpsc::Receiver<Document>,
    tx: mpsc::Sender<Analyzed>,
    analyzer: &Analyzer,
    counters: &Counters,
    store: &Store,
) -> Result<(), PipelineError> {
    // One thread owns the cluster index so cluster ids are assigned in arrival order.
    let mut clusters = ClusterIndex::from_entries(store.clusters()?);
    while let Some(doc) = rx.blocking_recv() {
        counters.analyze.received();
        counters.queues[1].set(rx.len(), rx.max_capacity());
        let extraction = analyzer.analyze(&doc, &mut clusters);
        // Persisted before the document is: a replay after a crash finds the same cluster.
        store.put_clusters(&clusters.take_new())?;
        let signals = crate::analyze::signals(&doc, &extraction);
        if !extraction.is_signal {
            counters
                .analyze
                .reject(extraction.reason.as_deref().unwrap_or("not a signal"));
        }
        counters.analyze.emitted(1);
        if tx
            .blocking_send(Analyzed {
                doc,
                extraction,
                signals,
            })
            .is_err()
        {
            break;
        }
    }
    Ok(())
}

/// Index each document; commit the index every [`COMMIT_EVERY`] documents or when the oldest
/// uncommitted one has waited [`COMMIT_INTERVAL`] (so a slow trickle in `jiance run` is searchable
/// within seconds), and only then store the batch and mark its pages processed, in one
/// transaction. A crash before the store write re-fetches the pages and, their documents not
/// being stored, analyses them again; a stored document is always an indexed one.
fn sink_stage(
    mut rx: mpsc::Receiver<Analyzed>,
    index: &Index,
    counters: &Counters,
    store: &Store,
    commit_every: usize,
) -> Result<u64, PipelineError> {
    // This runs on a blocking thread of the runtime: waiting with a timeout borrows its timer.
    let runtime = tokio::runtime::Handle::current();
    let mut writer = index.writer()?;
    let mut pending: Vec<Analyzed> = Vec::new();
    let mut oldest: Option<Instant> = None;
    let mut signals = 0u64;
    let commit = |pending: &mut Vec<Analyzed>,
                  writer: &mut crate::index::IndexWriter|
     -> Result<(), PipelineError> {
        writer.commit()?;
        let docs: Vec<(&Document, &Extraction, &[Signal])> = pending
            .iter()
            .map(|a| (&a.doc, &a.extraction, a.signals.as_slice()))
            .collect();
        let pages: Vec<(String, String)> = pending
            .iter()
            .map(|a| (a.doc.url.clone(), a.doc.source.clone()))
            .collect();
        store.put_batch(&docs, &pages)?;
        counters.index.emitted(pending.len() as u64);
        pending.clear();
        Ok(())
    };
    loop {
        let next = match oldest {
            None => rx.blocking_recv(),
            Some(t) => {
                let left = COMMIT_INTERVAL.saturating_sub(t.elapsed());
                match runtime.block_on(tokio::time::timeout(left, rx.recv())) {
                    Ok(next) => next,
                    // Nothing arrived in time: commit the tail now.
                    Err(_) => {
                        commit(&mut pending, &mut writer)?;
                        oldest = None;
                        continue;
                    }
                }
            }
        };
        let Some(a) = next else { break };
        counters.index.received();
        counters.queues[2].set(rx.len(), rx.max_capacity());
        // The same document through two sources (a site's HTML and API faces): the owner is
        // decided by name, not by which arrived first (see `owns_before`).
        let in_batch = pending.iter().position(|p| p.doc.id == a.doc.id);
        let owner = match in_batch {
            Some(i) => Some(pending[i].doc.source.clone()),
            None => store.owner(&a.doc.id)?,
        };
        if owner.is_some_and(|o| crate::store::owns_before(&o, &a.doc.source)) {
            counters
                .parse
                .unchanged
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            continue;
        }
        writer.upsert(&a.doc, &a.extraction)?;
        signals += a.signals.len() as u64;
        match in_batch {
            Some(i) => {
                signals -= pending[i].signals.len() as u64;
                pending[i] = a;
            }
            None => pending.push(a),
        }
        let since = *oldest.get_or_insert_with(Instant::now);
        if pending.len() >= commit_every.max(1) || since.elapsed() >= COMMIT_INTERVAL {
            commit(&mut pending, &mut writer)?;
            oldest = None;
        }
    }
    commit(&mut pending, &mut writer)?;
    Ok(signals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, DocKind};

    /// A store, an index and counters in `dir`, as a sink needs them.
    fn open_sink_parts(dir: &Path, analyzer: &Analyzer) -> (Store, Arc<Index>, Arc<Counters>) {
        let store = Store::open(&dir.join("state.sqlite")).unwrap();
        let index = Arc::new(Index::open(&dir.join("index"), analyzer.jieba()).unwrap());
        (store, index, Arc::new(Counters::default()))
    }

    /// A sink over them on a blocking thread, fed through the returned sender.
    fn spawn_sink(
        index: &Arc<Index>,
        counters: &Arc<Counters>,
        store: &Store,
    ) -> (
        mpsc::Sender<Analyzed>,
        tokio::task::JoinHandle<Result<u64, PipelineError>>,
    ) {
        let (tx, rx) = mpsc::channel(4);
        let (index, counters, store) = (index.clone(), counters.clone(), store.clone());
        let sink = tokio::task::spawn_blocking(move || {
            sink_stage(rx, &index, &counters, &store, COMMIT_EVERY)
        });
        (tx, sink)
    }

    fn analyzed(analyzer: &Analyzer, n: u32) -> Analyzed {
        let t = chrono::Utc::now();
        let doc = Document {
            id: format!("doc-{n}"),
            source: "s".into(),
            channel: Channel::Complaint,
            kind: Some(DocKind::Complaint),
            url: format!("http://127.0.0.1:9/{n}"),
            title: "网购移动电源充电时鼓包".into(),
            text: "本人在网上购买的移动电源充电时外壳发烫并鼓包，商家拒绝退货。".into(),
            published_at: Some(t),
            fetched_at: t,
            fields: BTreeMap::new(),
            rows: vec![],
            region_hint: None,
            weight: 1.0,
        };
        let extraction = analyzer.analyze(&doc, &mut ClusterIndex::new());
        let signals = crate::analyze::signals(&doc, &extraction);
        Analyzed {
            doc,
            extraction,
            signals,
        }
    }

    /// Regression (issue 16, 1): a kill -9 between the store write and the index commit of an
    /// older version left documents stored but not indexed, on pages not marked processed; the
    /// re-fetch found them unchanged and skipped them, so they never became searchable. Opening
    /// the directory now finds them and sets them to be fetched and analysed again.
    #[test]
    fn a_document_stored_but_never_indexed_is_fetched_and_analysed_again() {
        let dir = tempfile::tempdir().unwrap();
        let analyzer = Analyzer::load(None, None).unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let index = Index::open(&dir.path().join("index"), analyzer.jieba()).unwrap();
        let (a, b) = (analyzed(&analyzer, 1), analyzed(&analyzer, 2));
        // b went all the way; a was stored but its index commit was lost to the kill
        let mut w = index.writer().unwrap();
        w.upsert(&b.doc, &b.extraction).unwrap();
        w.commit().unwrap();
        drop(w);
        store
            .put_batch(
                &[(&b.doc, &b.extraction, b.signals.as_slice())],
                &[(b.doc.url.clone(), b.doc.source.clone())],
            )
            .unwrap();
        store
            .put_document(&a.doc, &a.extraction, &a.signals)
            .unwrap();
        assert!(store.unchanged(&a.doc).unwrap(), "the state the bug left");

        let c = reconcile(&store, &index).unwrap();
        assert_eq!(
            c,
            Consistency {
                store_documents: 2,
                index_documents: 1,
                unindexed: 1
            }
        );
        assert!(
            !store.unchanged(&a.doc).unwrap(),
            "a re-fetch analyses it again"
        );
        assert!(
            !store.page_seen(&a.doc.url).unwrap(),
            "and it is fetched again"
        );
        assert!(
            store.unchanged(&b.doc).unwrap(),
            "the indexed one is untouched"
        );
        assert!(store.page_seen(&b.doc.url).unwrap());
        // agreeing counts: nothing to do
        let mut w = index.writer().unwrap();
        w.upsert(&a.doc, &a.extraction).unwrap();
        w.commit().unwrap();
        assert_eq!(reconcile(&store, &index).unwrap().unindexed, 0);
    }

    /// The sink stores a document only with (after) the index commit that holds it: until the
    /// commit, a crash leaves nothing stored that the index lacks.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_sink_stores_nothing_before_its_index_commit() {
        let dir = tempfile::tempdir().unwrap();
        let analyzer = Analyzer::load(None, None).unwrap();
        let (store, index, counters) = open_sink_parts(dir.path(), &analyzer);
        let (tx, sink) = spawn_sink(&index, &counters, &store);
        tx.send(analyzed(&analyzer, 1)).await.unwrap();
        let give_up = Instant::now() + COMMIT_INTERVAL * 20;
        // every look at the store before the commit sees nothing stored
        while index.num_docs() == 0 && Instant::now() < give_up {
            let stored = store.document_count().unwrap();
            assert!(
                stored == 0 || index.num_docs() == 1,
                "stored before indexed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(tx);
        sink.await.unwrap().unwrap();
        assert_eq!(store.document_count().unwrap(), 1);
        assert_eq!(index.num_docs(), 1);
    }

    /// Regression (issue 16, 2): a complaint reached through a site's HTML pages and its API
    /// belonged to whichever face arrived first, so an alert's sources (and level) depended on
    /// crawl timing. The owner is now the same in either order, within a batch or across two.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_document_reached_through_two_sources_has_one_owner_in_any_order() {
        let analyzer = Analyzer::load(None, None).unwrap();
        for (order, batches) in [
            (["board-html", "board-api"], 1),
            (["board-api", "board-html"], 1),
            (["board-html", "board-api"], 2),
            (["board-api", "board-html"], 2),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (store, index, counters) = open_sink_parts(dir.path(), &analyzer);
            let mut copies = order.map(|source| {
                let mut a = analyzed(&analyzer, 7);
                a.doc.source = source.into();
                a
            });
            // the API face's copy differs in a field, so it is not an identical repeat
            copies[1].doc.fields.insert("via".into(), "api".into());
            let mut sent = copies.into_iter();
            for _ in 0..batches {
                let (tx, sink) = spawn_sink(&index, &counters, &store);
                for a in sent.by_ref().take(if batches == 1 { 2 } else { 1 }) {
                    // what the parse stage would pass on
                    if !store.unchanged(&a.doc).unwrap() {
                        tx.send(a).await.unwrap();
                    }
                }
                drop(tx);
                sink.await.unwrap().unwrap();
            }
            assert_eq!(
                store.owner("doc-7").unwrap().as_deref(),
                Some("board-api"),
                "{order:?} in {batches} batch(es)"
            );
            assert_eq!(store.document_count().unwrap(), 1);
            assert_eq!(index.num_docs(), 1);
        }
    }

    /// A trickle: one document and the channel stays open. It must become searchable (committed
    /// and counted) without waiting for 199 more documents or the end of the pass.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_trickle_is_committed_without_more_documents() {
        let dir = tempfile::tempdir().unwrap();
        let analyzer = Analyzer::load(None, None).unwrap();
        let (store, index, counters) = open_sink_parts(dir.path(), &analyzer);
        let (tx, sink) = spawn_sink(&index, &counters, &store);
        tx.send(analyzed(&analyzer, 1)).await.unwrap();
        // Generous bound: this checks that the commit happens, not how fast.
        let give_up = Instant::now() + COMMIT_INTERVAL * 20;
        while index.num_docs() == 0 && Instant::now() < give_up {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(index.num_docs(), 1, "the lone document was committed");
        assert_eq!(
            counters.index.get_emitted(),
            1,
            "and its page marked processed"
        );
        // The sink keeps going after a timed commit.
        tx.send(analyzed(&analyzer, 2)).await.unwrap();
        drop(tx);
        sink.await.unwrap().unwrap();
        assert_eq!(index.num_docs(), 2);
        assert_eq!(counters.index.get_emitted(), 2);
    }
}
