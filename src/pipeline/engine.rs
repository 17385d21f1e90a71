//! The engine: one data directory with its store, index, analyzer and scoring rules, and the
//! operations the CLI and the service run on it (crawl once, score, serve, run continuously).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::analyze::Analyzer;
use crate::config::{ConfigError, CrawlSettings, SourceConfig};
use crate::crawl::archive::ArchiveWriter;
use crate::crawl::{CrawlReport, Crawler};
use crate::index::Index;
use crate::market::MarketRules;
use crate::model::{Action, Alert, Document, Extraction, Fetched, SamplingRequest};
use crate::score::{ScoreInput, ScoringRules};
use crate::store::Store;

use super::sink::{COMMIT_INTERVAL, Sink};
use super::work::{Reading, Worked, pool, work_page};
use super::{Counters, FETCHED_CAPACITY};

/// Pages worked (parsed and analysed) waiting for the sink.
pub const WORKED_CAPACITY: usize = 256;
/// Documents per index commit by default (`[crawl] commit_every`); a crash loses at most this
/// many, which are fetched again.
pub const COMMIT_EVERY: usize = crate::config::DEFAULT_COMMIT_EVERY;
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
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
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
    /// Documents this pass added to the store (net: a copy that replaces one stored earlier in
    /// the pass counts once).
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
    /// On-sale findings stored by this run (listings still selling recalled or failed products).
    pub onsale: usize,
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

/// Everything a pipeline run needs, opened once.
pub struct Engine {
    pub data: DataDir,
    pub settings: CrawlSettings,
    pub analyzer: Arc<Analyzer>,
    pub scoring: Arc<ScoringRules>,
    /// `market.toml`: on-sale matching and name normalisation.
    pub market: Arc<MarketRules>,
    /// `standards.toml`: which standard sets which test items (sampling requests).
    pub standards: Arc<crate::market::Standards>,
    /// `compliance.toml` (with `standards.toml`): the rules every listing must keep.
    pub compliance: Arc<crate::market::Compliance>,
    /// Case building, suppression and dismissal reasons (`review.toml`).
    pub review: Arc<crate::review::ReviewRules>,
    /// How warnings and consumer tips are drafted (`warnings.toml`).
    pub warnings: Arc<crate::review::WarningRules>,
    /// The repeat-offender rules (`parties.toml`).
    pub parties: Arc<crate::review::PartyRules>,
    /// Whom to hand alerts to per jurisdiction (`jurisdictions.toml`).
    pub contacts: Arc<crate::score::Contacts>,
    pub store: Store,
    pub index: Arc<Index>,
    pub counters: Arc<Counters>,
    /// The NATS transport, when `[queue] kind = "nats"`: a crawl pass is then published as
    /// crawl jobs and worked by worker processes ([`super::distributed`]).
    pub queue: Option<crate::queue::Nats>,
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
        let market = MarketRules::load(rules.rules.as_deref()).map_err(PipelineError::Config)?;
        let standards = crate::market::Standards::load(rules.rules.as_deref())
            .map_err(PipelineError::Config)?;
        let compliance = crate::market::Compliance::load(rules.rules.as_deref())
            .map_err(PipelineError::Config)?;
        let review = crate::review::ReviewRules::load(rules.rules.as_deref())
            .map_err(PipelineError::Config)?;
        let contacts =
            crate::score::Contacts::load(rules.rules.as_deref()).map_err(PipelineError::Config)?;
        let warnings = crate::review::WarningRules::load(rules.rules.as_deref())
            .map_err(PipelineError::Config)?;
        let parties = crate::review::PartyRules::load(rules.rules.as_deref())
            .map_err(PipelineError::Config)?;
        let store = Store::open(&data.state())?;
        let mut index = Index::open(&data.index(), analyzer.jieba())?;
        index.set_vocabulary(&analyzer.vocabulary());
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
            market: Arc::new(market),
            standards: Arc::new(standards),
            compliance: Arc::new(compliance),
            review: Arc::new(review),
            warnings: Arc::new(warnings),
            parties: Arc::new(parties),
            contacts: Arc::new(contacts),
            store,
            index: Arc::new(index),
            counters: Arc::new(Counters::default()),
            queue: None,
        })
    }

    /// Crawl through NATS JetStream workers instead of in this process.
    pub fn with_queue(mut self, nats: crate::queue::Nats) -> Engine {
        self.queue = Some(nats);
        self
    }

    /// A pass through the NATS transport: publish a crawl job per host and wait until the
    /// workers have crawled, worked and committed all of it. Pages and failures are counted in
    /// the workers' processes and reach the store as each source's pass tally (through the
    /// sink, once per tally however often it is delivered); this reports what the store gained,
    /// those tallies included — the summary said "0 pages" for the pages its workers fetched.
    async fn crawl_once_queued(
        &self,
        nats: &crate::queue::Nats,
        sources: &[SourceConfig],
    ) -> Result<RunReport, PipelineError> {
        let started = Instant::now();
        let (docs, signals) = (self.store.document_count()?, self.store.signal_count()?);
        let (pages, failed) = self.tallied()?;
        super::distributed::publish_pass(nats, sources).await?;
        super::distributed::wait_drained(nats, std::time::Duration::from_millis(250)).await?;
        let (pages_after, failed_after) = self.tallied()?;
        Ok(RunReport {
            pages: pages_after.saturating_sub(pages),
            failures: since(failed_after, &failed),
            documents: self.store.document_count()?.saturating_sub(docs),
            signals: self.store.signal_count()?.saturating_sub(signals),
            seconds: started.elapsed().as_secs_f64(),
            ..RunReport::default()
        })
    }

    /// Responses (304s included, as [`RunReport::pages`] counts them) and failures by reason
    /// over every source's pass tallies so far.
    fn tallied(&self) -> Result<(u64, BTreeMap<String, u64>), PipelineError> {
        let mut pages = 0;
        let mut failed: BTreeMap<String, u64> = BTreeMap::new();
        for h in self.store.source_health()? {
            pages += h.fetched + h.not_modified;
            for (reason, n) in h.failed {
                *failed.entry(reason).or_default() += n;
            }
        }
        Ok((pages, failed))
    }

    /// Crawl every enabled source once and carry everything through parse, analyze, index and
    /// store. Returns when the last document is committed.
    pub async fn crawl_once(&self, sources: &[SourceConfig]) -> Result<RunReport, PipelineError> {
        if let Some(nats) = &self.queue {
            return self.crawl_once_queued(nats, sources).await;
        }
        let started = Instant::now();
        // what the store gained: a document whose copy from a second source replaces the first
        // one's in a later batch is indexed twice but stored once (the run's printed counts
        // varied with arrival order while the store did not)
        let (before_docs, before_signals) =
            (self.store.document_count()?, self.store.signal_count()?);
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

        let by_name: Arc<HashMap<String, SourceConfig>> = Arc::new(
            sources
                .iter()
                .map(|s| (s.name.clone(), s.clone()))
                .collect(),
        );
        let stages = {
            let (analyzer, counters, store, index) = (
                self.analyzer.clone(),
                self.counters.clone(),
                self.store.clone(),
                self.index.clone(),
            );
            let commit_every = self.settings.commit_every;
            tokio::task::spawn_blocking(move || {
                work_and_sink(
                    rx_fetched,
                    &by_name,
                    &analyzer,
                    &counters,
                    &store,
                    &index,
                    commit_every,
                )
            })
        };
        let crawl_report: CrawlReport = crawler.crawl(sources, tx_fetched).await;
        stages
            .await
            .map_err(|e| PipelineError::Stage(format!("work and sink: {e}")))??;
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
            documents: self.store.document_count()?.saturating_sub(before_docs),
            unchanged: self
                .counters
                .parse
                .unchanged
                .load(std::sync::atomic::Ordering::Relaxed)
                - before_unchanged,
            signals: self.store.signal_count()?.saturating_sub(before_signals),
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
        let outages = self.outages(as_of)?;
        let mut out = crate::score::try_score(
            &self.scoring,
            &ScoreInput {
                signals: &signals,
                as_of,
                sampled: &sampled,
                test_items: &test_items,
                previous: &previous,
                inspections: &inspections,
                outages: &outages,
            },
        )?;
        // On-sale matching first: a party it finds recalled and still on sale (召回后仍在售) is a
        // repeat offender whose listings this run's sampling buys first (issue 47). The partitions
        // are files of their own: written while on-sale matching reads the store.
        let (onsale, partitions) = std::thread::scope(|scope| {
            let partitions = scope
                .spawn(|| crate::store::signals::write_partitions(&self.data.signals(), &signals));
            (self.match_onsale(as_of), partitions.join())
        });
        let onsale = onsale?;
        partitions
            .map_err(|_| PipelineError::Stage("writing signal partitions panicked".into()))??;
        // A held `sample` alert's cell read no signals this run, so its request is the stored
        // one (redrafted below like the others: purchases and items as of today).
        let kept =
            crate::score::keep_held_requests(&mut out, |id| self.store.sampling_request(id))?;
        if kept > 0 {
            info!(kept, "held sample alerts keep their sampling requests");
        }
        let (mut alerts, mut sampling) = self.review_alerts(out.alerts, out.sampling, as_of)?;
        // listings say where their shops ship from (routing) and are what sampling buys
        let listings = if alerts.is_empty() {
            Vec::new()
        } else {
            self.store.records(&[crate::model::DocKind::Listing])?
        };
        self.route_alerts(&mut alerts, &listings)?;
        self.draft_purchases(&mut sampling, &alerts, &listings, &sampled, as_of)?;
        // a case whose alerts have all closed stays as it was, with the decisions taken on it
        let previous: Vec<crate::review::Case> = self.store.cases()?;
        let (mut cases, pointers) =
            crate::review::build_cases(&signals, &alerts, &previous, &self.review.cases);
        crate::review::cases::add_attached(&mut cases, &self.store.case_documents()?);
        let keyed: Vec<(String, &crate::review::Case)> =
            cases.iter().map(|c| (c.id.clone(), c)).collect();
        self.store.put_cases(&keyed, &pointers)?;
        self.store.put_alerts(&alerts, &sampling)?;
        self.counters
            .score
            .received
            .store(signals.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.counters.score.emitted(alerts.len() as u64);
        info!(as_of = %as_of, signals = signals.len(), alerts = alerts.len(), cases = cases.len(), "scored");
        Ok(ScoreSummary {
            as_of,
            signals: signals.len(),
            alerts,
            sampling,
            dismissed: out.dismissed.len(),
            onsale,
        })
    }

    /// Name what each sampling request buys (the market stage, issue 20): the test items of the
    /// product's standards, each once, and concrete listings — one per shop, brand and
    /// enterprise, none sampled since the exclusion day, repeat offenders' first.
    fn draft_purchases(
        &self,
        sampling: &mut [SamplingRequest],
        alerts: &[Alert],
        records: &[(Document, Extraction)],
        sampled: &std::collections::HashSet<String>,
        as_of: NaiveDate,
    ) -> Result<(), PipelineError> {
        if sampling.is_empty() {
            return Ok(());
        }
        let listings: Vec<crate::model::Listing> = records
            .iter()
            .map(|(d, e)| crate::market::listing(d, e))
            .collect();
        // repeat offenders' listings are bought first (issue 47): the parties' history as the
        // store holds it, with this run's on-sale findings (matched before purchases are planned)
        let mut repeat = crate::market::purchase::RepeatOffenders::default();
        for p in crate::review::parties::from_store(&self.store, &self.market, &self.parties)? {
            if p.repeat.is_empty() {
                continue;
            }
            let rules: Vec<&str> = p.repeat.iter().map(|m| m.rule.as_str()).collect();
            let mut names = p.names.clone();
            names.push(p.key.clone());
            repeat.add(&self.market, &names, &rules.join("、"));
        }
        for r in sampling.iter_mut() {
            r.items = self.standards.items(&r.category, &r.test_items, as_of);
            // the request asks for what its items name, not every item its hazards know
            r.test_items = r.items.iter().map(|t| t.item.clone()).collect();
            let evidence = alerts
                .iter()
                .find(|a| a.id == r.alert_id)
                .map(|a| a.evidence.clone())
                .unwrap_or_default();
            crate::market::purchase::plan(&self.market, r, &listings, sampled, &evidence, &repeat);
        }
        Ok(())
    }

    /// Name the regulators each `notify` and `sample` alert is handed to (属地, issue 47): the
    /// jurisdictions of the enterprises and shops of its evidence, placed by the evidence itself
    /// or, for a shop a complaint names, by where its stored listing (`records`) ships from.
    fn route_alerts(
        &self,
        alerts: &mut [Alert],
        records: &[(Document, Extraction)],
    ) -> Result<(), PipelineError> {
        let mut places = crate::score::PartyPlaces::default();
        for (_, ex) in records {
            places.learn(ex);
        }
        let mut extractions = HashMap::new();
        for a in alerts.iter().filter(|a| a.action != Action::Dismiss) {
            for id in &a.evidence {
                if extractions.contains_key(id) {
                    continue;
                }
                if let Some(ex) = self.store.extraction(id)? {
                    places.learn(&ex);
                    extractions.insert(id.clone(), ex);
                }
            }
        }
        for a in alerts.iter_mut().filter(|a| a.action != Action::Dismiss) {
            let mut to = crate::score::jurisdictions(&a.evidence, &extractions, &places);
            self.contacts.address(&mut to);
            crate::score::route(a, to);
        }
        Ok(())
    }

    /// Match the stored listings against the stored recalls and failed batches, and check each
    /// against the rules of `compliance.toml` (the market stage), and replace the stored on-sale
    /// findings with what is found as of `as_of`.
    pub fn match_onsale(&self, as_of: NaiveDate) -> Result<usize, PipelineError> {
        let records = self.store.records(&crate::market::MARKET_KINDS)?;
        let mut run = crate::market::scan(&self.market, &self.compliance, &records, as_of);
        for f in &mut run.findings {
            self.contacts.address(&mut f.jurisdictions);
        }
        self.store.put_onsale(&run.findings)?;
        let c = &self.counters.market;
        c.received.store(
            (run.listings + run.flagged) as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        c.emitted(run.findings.len() as u64);
        for (reason, n) in &run.skipped {
            for _ in 0..*n {
                c.reject(reason);
            }
        }
        info!(
            listings = run.listings,
            flagged = run.flagged,
            merged = run.merged,
            findings = run.findings.len(),
            breaches = run.breaches,
            "on-sale matching"
        );
        Ok(run.findings.len())
    }

    /// Source health as scoring needs it: the days each source was down (failing passes, or
    /// stale up to now), by the publishers its signals carry. Days after `as_of` do not matter.
    fn outages(&self, as_of: NaiveDate) -> Result<Vec<crate::score::Outage>, PipelineError> {
        let mut out = Vec::new();
        for o in self.store.source_outages(chrono::Utc::now())? {
            if o.from > as_of {
                continue;
            }
            for publisher in self.store.publishers_of(&o.source)? {
                info!(source = %o.source, %publisher, from = %o.from, to = %o.to, reason = %o.reason, "outage discounted in scoring");
                out.push(crate::score::Outage {
                    source: Some(publisher),
                    channel: None,
                    from: o.from,
                    to: o.to.min(as_of),
                    reason: format!("{} {}", o.source, o.reason),
                });
            }
        }
        Ok(out)
    }

    /// Analysts' dismissals applied to a scoring run: a suppressed alert's action becomes
    /// `dismiss` and its sampling request is dropped; one that escalated past its dismissal goes
    /// back to review (the suppression ends, and the history says why).
    fn review_alerts(
        &self,
        mut alerts: Vec<crate::model::Alert>,
        sampling: Vec<crate::model::SamplingRequest>,
        as_of: NaiveDate,
    ) -> Result<(Vec<crate::model::Alert>, Vec<crate::model::SamplingRequest>), PipelineError> {
        use crate::review::{Dismissal, TriageChange, TriageState};
        let dismissals: HashMap<String, Dismissal> = self
            .store
            .dismissals::<Dismissal>()?
            .into_iter()
            .map(|d| (d.alert_id.clone(), d))
            .collect();
        if dismissals.is_empty() {
            return Ok((alerts, sampling));
        }
        let rules = &self.review;
        let suppressed =
            crate::review::suppress(&mut alerts, &dismissals, as_of, &rules.suppression, |k| {
                rules.reason_label(k)
            });
        let sampling = sampling
            .into_iter()
            .filter(|s| !suppressed.contains(&s.alert_id))
            .collect();
        for a in &alerts {
            if !a.breakdown.iter().any(|t| t.name == "suppression_ended") {
                continue;
            }
            let current = self.store.triage("alert", &a.id)?;
            let Some(from) = TriageState::parse(&current.state) else {
                continue;
            };
            if !from.can_become(TriageState::Review) {
                continue;
            }
            let now = chrono::Utc::now();
            let change = TriageChange {
                subject: "alert".into(),
                id: a.id.clone(),
                from,
                to: TriageState::Review,
                reason: format!("escalated: level {}", a.level),
                by: "jiance".into(),
                at: now,
            };
            let row = crate::store::TriageRow {
                state: TriageState::Review.as_str().into(),
                reason: change.reason.clone(),
                by: change.by.clone(),
                at: now.to_rfc3339(),
            };
            // Someone moving it at the same moment wins; the next run looks again.
            let _ = self.store.set_triage::<_, Dismissal>(
                "alert",
                &a.id,
                from.as_str(),
                &row,
                &change,
                None,
                &crate::store::Actor::new("jiance", "system"),
            )?;
        }
        Ok((alerts, sampling))
    }

    pub fn app_state(&self) -> crate::serve::AppState {
        crate::serve::AppState::new(
            self.store.clone(),
            Some(self.index.clone()),
            self.counters.clone(),
            self.data.root.clone(),
        )
        .with_market(self.market.clone())
        .with_review(self.review.clone())
        .with_warnings(self.warnings.clone())
        .with_parties(self.parties.clone())
    }
}

/// The live composition below the crawler: a pool of [`work_page`] workers taking the crawler's
/// pages, and the [`Sink`] on this thread, committing every `commit_every` documents or
/// [`COMMIT_INTERVAL`]. A page of a source not in `sources` is counted and left.
pub fn work_and_sink(
    mut rx: mpsc::Receiver<Fetched>,
    sources: &HashMap<String, SourceConfig>,
    analyzer: &Analyzer,
    counters: &Counters,
    store: &Store,
    index: &Index,
    commit_every: usize,
) -> Result<u64, PipelineError> {
    // This runs on a blocking thread of the runtime: waiting with a timeout borrows its timer.
    let runtime = tokio::runtime::Handle::current();
    let mut sink = Sink::open(
        index,
        Some(store),
        counters,
        commit_every,
        Some(COMMIT_INTERVAL),
    )?;
    let (tx_worked, rx_worked) = mpsc::channel::<(String, String, Worked)>(WORKED_CAPACITY);
    std::thread::scope(|scope| {
        // Moved in, so an early return drops it and the workers' sends fail: they stop, their
        // receiver of pages goes, and the crawler's next send ends the pass.
        let mut rx_worked = rx_worked;
        pool(
            scope,
            workers(),
            move || {
                let page = rx.blocking_recv();
                counters.queues[0].set(rx.len(), rx.max_capacity());
                page
            },
            move |r: Option<(String, String, Worked)>| match r {
                Some(r) => tx_worked.blocking_send(r).is_ok(),
                None => true,
            },
            |f: Fetched| {
                let Some(source) = sources.get(&f.source) else {
                    warn!(url = %f.url, source = %f.source, "page from an unknown source");
                    counters.parse.reject("unknown-source");
                    return None;
                };
                // A re-fetched page (an API page, a list of items) mostly repeats what is
                // stored: only what changed is analysed.
                let keep = |d: &Document| !store.unchanged(d).unwrap_or(false);
                let worked = work_page(&f, Reading::Source(source), analyzer, counters, &keep);
                // files that gave no rows go into the source's health record too
                if let Err(e) = store.add_source_failures(&f.source, &worked.attachment_errors) {
                    warn!(source = %f.source, "store: {e}");
                }
                Some((f.url, f.source, worked))
            },
        );
        loop {
            let next = match sink.due_in() {
                None => rx_worked.blocking_recv(),
                Some(left) => {
                    match runtime.block_on(tokio::time::timeout(left, rx_worked.recv())) {
                        Ok(next) => next,
                        // Nothing arrived in time: commit the tail now.
                        Err(_) => {
                            sink.commit()?;
                            continue;
                        }
                    }
                }
            };
            let Some((url, source, worked)) = next else {
                break;
            };
            counters.queues[1].set(rx_worked.len(), rx_worked.max_capacity());
            sink.accept(&url, &source, worked)?;
        }
        sink.finish()
    })
}

/// Worker threads of the per-page work: the cores there are, at most four (the crawler, the
/// sink and the server want some too).
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, DocKind, Extraction, PageRole, Signal};

    fn analyzed(analyzer: &Analyzer, n: u32) -> (Document, Extraction, Vec<Signal>) {
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
        let extraction = analyzer.analyze(&doc, &mut crate::analyze::ClusterIndex::new());
        let signals = crate::analyze::signals(&doc, &extraction);
        (doc, extraction, signals)
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
        w.upsert(&b.0, &b.1).unwrap();
        w.commit().unwrap();
        drop(w);
        store
            .put_batch(
                &[(&b.0, &b.1, b.2.as_slice())],
                &[(b.0.url.clone(), b.0.source.clone())],
            )
            .unwrap();
        store.put_document(&a.0, &a.1, &a.2).unwrap();
        assert!(store.unchanged(&a.0).unwrap(), "the state the bug left");

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
            !store.unchanged(&a.0).unwrap(),
            "a re-fetch analyses it again"
        );
        assert!(
            !store.page_seen(&a.0.url).unwrap(),
            "and it is fetched again"
        );
        assert!(
            store.unchanged(&b.0).unwrap(),
            "the indexed one is untouched"
        );
        assert!(store.page_seen(&b.0.url).unwrap());
        // agreeing counts: nothing to do
        let mut w = index.writer().unwrap();
        w.upsert(&a.0, &a.1).unwrap();
        w.commit().unwrap();
        assert_eq!(reconcile(&store, &index).unwrap().unindexed, 0);
    }

    /// A trickle: one page and the crawler's channel stays open. Its document must become
    /// searchable (committed and stored, the page marked processed) without waiting for 199 more
    /// documents or the end of the pass.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_trickle_is_committed_without_more_documents() {
        let dir = tempfile::tempdir().unwrap();
        let analyzer = Arc::new(Analyzer::load(None, None).unwrap());
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let index = Arc::new(Index::open(&dir.path().join("index"), analyzer.jieba()).unwrap());
        let counters = Arc::new(Counters::default());
        let source = SourceConfig::for_page("media", "127.0.0.1");
        let sources: HashMap<String, SourceConfig> = [("media".to_string(), source)].into();
        let page = |n: u32| {
            Fetched::page(
                "media",
                &format!("http://127.0.0.1:9/news/{n}.html"),
                PageRole::Detail,
                format!(
                    "<html><body><article><h1>移动电源充电鼓包第{n}例</h1><p>消费者反映，网购的移动电源充电时外壳发烫鼓包，\
                     商家拒绝退货，已向市场监管部门投诉，要求检测同批次产品。</p><p>记者联系商家未获回复。</p></article></body></html>"
                )
                .into_bytes(),
            )
            .with_content_type("text/html; charset=utf-8")
        };
        let (tx, rx) = mpsc::channel::<Fetched>(4);
        let stages = {
            let (analyzer, counters, store, index) = (
                analyzer.clone(),
                counters.clone(),
                store.clone(),
                index.clone(),
            );
            tokio::task::spawn_blocking(move || {
                work_and_sink(rx, &sources, &analyzer, &counters, &store, &index, 200)
            })
        };
        tx.send(page(1)).await.unwrap();
        // Generous bound: this checks that the commit happens, not how fast. The first analysis
        // of a debug build on a loaded two-core machine took over 20 intervals once; without the
        // timed commit the document is never committed, so the bound only decides how long a
        // failing run waits.
        // The commit ends with the emitted counter (index, then store, then the counter): wait
        // for that last step, or the index may be seen before the store has the batch (a race a
        // loaded full run met).
        let give_up = Instant::now() + COMMIT_INTERVAL * 60;
        while counters.index.get_emitted() == 0 && Instant::now() < give_up {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(index.num_docs(), 1, "the lone document was committed");
        assert_eq!(counters.index.get_emitted(), 1);
        assert_eq!(store.document_count().unwrap(), 1, "and stored");
        // The sink keeps going after a timed commit.
        tx.send(page(2)).await.unwrap();
        drop(tx);
        stages.await.unwrap().unwrap();
        assert_eq!(index.num_docs(), 2);
        assert_eq!(counters.index.get_emitted(), 2);
    }
}
