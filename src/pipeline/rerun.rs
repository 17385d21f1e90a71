//! `jiance rerun`: replay a WARC archive through today's parsing, rules and dictionaries into a
//! fresh data directory, to see what the current rules would have caught.
//!
//! Data flow (one pass, in archive order):
//!
//! ```text
//! reader thread ── Job(seq) ──► worker pool (parse + analyze, no clustering) ── Done(seq) ──►
//!   WARC files in name order,                                                  sink (calling thread):
//!   date filter, source + role                                                 re-sequence by seq, then
//!   (metadata record, else URL match)                                          cluster → signals → index
//!                                                                              + store, in archive order
//! then: Engine::score as of the last replayed day (or --until / --as-of) → alerts, signal partitions
//! ```
//!
//! Parsing and analysis are the live pipeline's ([`crate::parse::parse`], [`Analyzer::analyze`],
//! [`crate::analyze::signals`], [`Index`] upsert, [`crate::store::Store::put_document`],
//! [`Engine::score`]); only the wiring differs. Near-duplicate clustering depends on the order
//! documents arrive in, so workers analyse with a scratch cluster index and the sink assigns
//! clusters in archive order: the same archive and rules give byte-identical signal partitions
//! and the same alerts whatever the thread timing. Scoring never uses the wall clock.
//!
//! Any standard WARC is accepted. Our own records carry a `metadata` record naming the source and
//! page role; a foreign response is matched to a configured source by [`SourceMatcher`] (host and
//! port of the source's start URLs, the start URLs' paths and list patterns for the start role,
//! everything else on that host as a detail page). A bad or unmatched record is counted by reason
//! and the run goes on.
//!
//! The output is built in a staging directory beside `--out` and swapped in at the end, so a
//! previous rerun's output stays usable until the new one is whole. `--out` must be empty, absent
//! or a previous rerun's output (it has [`MANIFEST`]); anything else is refused.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tracing::{info, warn};

use crate::analyze::Analyzer;
use crate::config::{CrawlSettings, SourceConfig};
use crate::model::{Alert, Fetched, PageRole, china_day};
use crate::util::fsx;

use super::reindex::open_archive;
use super::sink::Sink;
pub use super::source_match::SourceMatcher;
use super::work::{Reading, Worked, pool, work_page};
use super::{DataDir, Engine, PipelineError, RuleDirs};
use crate::telemetry::Counters;

/// The file that marks a directory as a rerun's output (and so one a later rerun may replace).
pub const MANIFEST: &str = "rerun.json";
/// Documents per index commit during a rerun (a crashed rerun is simply run again).
const RERUN_COMMIT_EVERY: usize = 20_000;
/// SQLite's page cache for the rerun's store, which takes a batch of RERUN_COMMIT_EVERY documents
/// in one transaction.
const RERUN_STORE_CACHE_MIB: u32 = 64;
/// Batches of jobs and of results in flight between the reader, the workers and the sink: as
/// many records (8 × 32) as when each record was a message of its own.
const QUEUE: usize = 8;
/// Batches of results waiting for the sink: enough for the workers to go on through the sink's
/// commit of a batch of RERUN_COMMIT_EVERY documents (about half a second, 5,000 documents),
/// instead of waiting with it.
const DONE_QUEUE: usize = 192;
/// Records a batch carries. One record per message woke a thread per record at each of the two
/// queues (41-56 k context switches on a 16 k-document archive, 14-32 k in batches); a batch is
/// a few ms of work.
const BATCH: usize = 32;
/// How often the progress callback runs.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// What to replay and where to.
#[derive(Debug, Clone, Default)]
pub struct RerunOptions {
    /// A directory of WARC files (`*.warc`, `*.warc.gz`, read in name order) or one WARC file.
    pub archive: PathBuf,
    /// The fresh data directory to build (absent, empty, or a previous rerun's output).
    pub out: PathBuf,
    /// Replay only records whose `WARC-Date` falls on or after this day (Beijing time).
    pub from: Option<NaiveDate>,
    /// Replay only records whose `WARC-Date` falls on or before this day (Beijing time).
    pub until: Option<NaiveDate>,
    /// Score as of this day [default: `until`, else the last replayed record's day].
    pub as_of: Option<NaiveDate>,
    /// Rules and dictionaries [default: the config's, else the built-in ones].
    pub rules: RuleDirs,
    /// Service config whose sources parse the records (and whose rules / dictionaries dirs are
    /// used when `rules` names none).
    pub config: Option<PathBuf>,
    /// Sources given directly (take precedence over `config`'s). With neither, no page is
    /// claimed by a source (`jiance rerun` hands in the demo's sources,
    /// `crate::demo::sources_from_archive`, when it has no config).
    pub sources: Option<Vec<SourceConfig>>,
    /// Parse + analyze threads [0: one per available core].
    pub workers: usize,
    /// Read HTML responses no source claims (a foreign archive) by generic article extraction
    /// instead of counting them `unmatched-url`.
    pub generic: bool,
}

/// What a rerun read and produced; also the progress handed to the caller as it goes.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct RerunReport {
    /// Response records read (and unreadable records, which count under `failures`).
    pub records: u64,
    /// Records inside the `--from` / `--until` range.
    pub replayed: u64,
    /// Records passed over without being failures, by reason (`before-from`, `after-until`,
    /// `role:list`, `status:404` …).
    pub skipped: BTreeMap<String, u64>,
    /// Pages that went to the parser.
    pub pages: u64,
    /// Documents analysed, indexed and stored.
    pub documents: u64,
    /// Documents passed over because an earlier record of the same page had the same content.
    pub unchanged: u64,
    pub signals: u64,
    pub alerts: u64,
    /// Failures by reason (`archive:corrupt`, `unmatched-url`, `unknown-source`, `parse:…`).
    pub failures: BTreeMap<String, u64>,
    /// Documents that are not risk signals, by reason.
    pub not_signals: BTreeMap<String, u64>,
    /// Source names in our metadata records with no config (their records are matched by URL
    /// when possible, otherwise counted as `unknown-source`).
    pub unknown_sources: BTreeSet<String>,
    /// First and last day (Beijing time) of the replayed records.
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    /// The day scored (None when nothing was replayed).
    pub as_of: Option<NaiveDate>,
    /// Archive bytes (as stored) read so far and in all.
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub seconds: f64,
}

impl RerunReport {
    /// Total failures over all reasons.
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }
}

/// What the manifest of an output directory records.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub jiance_rerun: u32,
    pub archive: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub rules: Option<String>,
    pub dictionaries: Option<String>,
    pub config: Option<String>,
    pub report: RerunReport,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PipelineError + '_ {
    move |source| PipelineError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn refuse(path: &Path, message: String) -> PipelineError {
    PipelineError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, message),
    }
}

// ---------------------------------------------------------------------------------------------
// The run

/// What the reader decided about one record, and what the workers made of it.
enum Outcome {
    /// Passed over, not a failure (reason).
    Skipped(String),
    /// Counted as a failure (reason).
    Failed(String),
    /// Parsed and analysed (without clustering) from the page at `url` of `source`.
    Worked {
        url: String,
        source: String,
        worked: Worked,
    },
}

struct Done {
    seq: u64,
    /// Archive bytes read when the record was.
    bytes: u64,
    /// The record's day, when inside the date range.
    day: Option<NaiveDate>,
    /// A source name from our metadata that the config lacks.
    unknown_source: Option<String>,
    /// The page went to the parser (whatever came of it).
    parsed: bool,
    outcome: Outcome,
}

enum Job {
    /// Nothing for a worker to do: forwarded as is.
    Ready(Done),
    Parse {
        done: Done,
        fetched: Fetched,
        source: usize,
    },
}

/// Replay the archive into a fresh data directory (see the module docs). `progress` is called
/// from the calling thread a few times a second and once at the end.
pub fn rerun(
    opts: &RerunOptions,
    progress: &dyn Fn(&RerunReport),
) -> Result<RerunReport, PipelineError> {
    let started = Instant::now();
    if !opts.archive.exists() {
        return Err(PipelineError::Io {
            path: opts.archive.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such archive"),
        });
    }
    let config = match &opts.config {
        Some(p) => Some(crate::config::Config::load(p).map_err(PipelineError::Config)?),
        None => None,
    };
    let sources: Vec<SourceConfig> = match (&opts.sources, &config) {
        (Some(s), _) => s.clone(),
        (None, Some(c)) => c.sources.clone(),
        // the CLI hands in the demo's sources for an archive without a config
        (None, None) => Vec::new(),
    };
    let rules = RuleDirs {
        rules: opts
            .rules
            .rules
            .clone()
            .or_else(|| config.as_ref().and_then(|c| c.rules_dir.clone())),
        dictionaries: opts
            .rules
            .dictionaries
            .clone()
            .or_else(|| config.as_ref().and_then(|c| c.dictionaries_dir.clone())),
    };
    let staging = prepare_out(&opts.out, &opts.archive)?;
    let engine = Engine::open(DataDir::new(&staging), &rules, CrawlSettings::default())?;
    engine.store.set_cache_mib(RERUN_STORE_CACHE_MIB)?;
    // the staging directory is removed when a crashed rerun starts over: nothing needs syncing
    // until the output is whole
    engine.store.set_scratch()?;
    let mut report = replay(opts, &engine, Arc::new(sources), progress, started)?;
    // Input that holds no readable record (not a WARC archive, or wholly damaged) is an error,
    // and a previous output stays as it was.
    let unreadable: u64 = ["archive:corrupt", "archive:unreadable-file"]
        .iter()
        .filter_map(|k| report.failures.get(*k))
        .sum();
    if report.records <= unreadable {
        drop(engine);
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
        return Err(PipelineError::Io {
            path: opts.archive.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "no WARC record could be read ({unreadable} corrupt or unreadable); is this a \
                     WARC archive (.warc or .warc.gz)? {} was left as it was",
                    opts.out.display()
                ),
            ),
        });
    }

    let as_of = opts.as_of.or(opts.until).or(report.last_day);
    report.as_of = as_of;
    if let Some(day) = as_of {
        let summary = engine.score(day)?;
        report.alerts = summary.alerts.len() as u64;
    }
    engine.store.sync()?;
    report.seconds = started.elapsed().as_secs_f64();
    let manifest = Manifest {
        jiance_rerun: 1,
        archive: opts.archive.display().to_string(),
        from: opts.from,
        until: opts.until,
        rules: rules.rules.as_ref().map(|p| p.display().to_string()),
        dictionaries: rules.dictionaries.as_ref().map(|p| p.display().to_string()),
        config: opts.config.as_ref().map(|p| p.display().to_string()),
        report: report.clone(),
    };
    let path = staging.join(MANIFEST);
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| PipelineError::Stage(format!("rerun manifest: {e}")))?;
    std::fs::write(&path, json).map_err(io_err(&path))?;
    // The index must be closed (no mmaps, no lock) before the directory moves.
    drop(engine);
    swap_out(&staging, &opts.out)?;
    progress(&report);
    info!(
        records = report.records,
        documents = report.documents,
        signals = report.signals,
        alerts = report.alerts,
        "rerun done"
    );
    Ok(report)
}

/// The reader → workers → sink pipeline; returns the counts (scoring is the caller's).
fn replay(
    opts: &RerunOptions,
    engine: &Engine,
    sources: Arc<Vec<SourceConfig>>,
    progress: &dyn Fn(&RerunReport),
    started: Instant,
) -> Result<RerunReport, PipelineError> {
    let reader = open_archive(&opts.archive).map_err(io_err(&opts.archive))?;
    let mut report = RerunReport {
        bytes_total: reader.bytes_total(),
        ..RerunReport::default()
    };
    let workers = match opts.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let (tx_jobs, rx_jobs) = sync_channel::<Vec<Job>>(QUEUE);
    let (tx_done, rx_done) = sync_channel::<Vec<Done>>(DONE_QUEUE);
    let window = Window {
        from: opts.from,
        until: opts.until,
        generic: opts.generic,
    };

    std::thread::scope(|scope| -> Result<(), PipelineError> {
        {
            let sources = sources.clone();
            scope.spawn(move || read_stage(reader, &sources, window, tx_jobs));
        }
        let (analyzer, counters) = (&*engine.analyzer, &*engine.counters);
        let sources = &*sources;
        // Only the workers hold the job queue's receiving end and the result queue's sending one.
        pool(
            scope,
            workers,
            move || rx_jobs.recv().ok(),
            move |done| tx_done.send(done).is_ok(),
            move |jobs: Vec<Job>| {
                jobs.into_iter()
                    .map(|job| work(job, analyzer, counters, sources))
                    .collect::<Vec<Done>>()
            },
        );
        let result = sink(&rx_done, engine, &mut report, progress, started);
        // On an error the sink returned early: dropping its end makes the workers' sends fail,
        // they stop, then the reader's sends fail, it stops, and the scope can end.
        drop(rx_done);
        result
    })?;
    Ok(report)
}

/// Which records a rerun takes: its days, and whether unclaimed pages are read generically.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    generic: bool,
}

/// The `source` of a job whose page no source claims, read by generic article extraction.
const GENERIC: usize = usize::MAX;

fn read_stage(
    reader: crate::crawl::ArchiveReader,
    sources: &[SourceConfig],
    window: Window,
    tx: SyncSender<Vec<Job>>,
) {
    let by_name: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let matcher = SourceMatcher::new(sources);
    let mut reader = reader;
    // each record with the bytes read so far; attachments joined to their notices
    let records = std::iter::from_fn(move || {
        let r = reader.next()?;
        Some((r, reader.bytes_read()))
    });
    let mut batch = Vec::with_capacity(BATCH);
    for (seq, (record, bytes)) in (0u64..).zip(super::attachments::Regroup::new(records)) {
        let mut done = Done {
            seq,
            bytes,
            day: None,
            unknown_source: None,
            parsed: false,
            outcome: Outcome::Skipped(String::new()),
        };
        let job = match record {
            Err(e) => {
                warn!(error = %e, "archive record skipped");
                done.outcome = Outcome::Failed(match e {
                    crate::crawl::ArchiveError::Io { .. } => "archive:unreadable-file".into(),
                    crate::crawl::ArchiveError::Corrupt { .. } => "archive:corrupt".into(),
                });
                Job::Ready(done)
            }
            Ok(f) => classify(f, done, &by_name, &matcher, sources, window),
        };
        batch.push(job);
        if batch.len() == BATCH
            && tx
                .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                .is_err()
        {
            return;
        }
    }
    if !batch.is_empty() {
        // a failed send means the sink has stopped, and it reports why
        let _ = tx.send(batch);
    }
}

/// Date filter, source and role of one record.
fn classify(
    mut f: Fetched,
    mut done: Done,
    by_name: &HashMap<&str, usize>,
    matcher: &SourceMatcher,
    sources: &[SourceConfig],
    window: Window,
) -> Job {
    let day = china_day(f.fetched_at);
    if window.from.is_some_and(|d| day < d) {
        done.outcome = Outcome::Skipped("before-from".into());
        return Job::Ready(done);
    }
    if window.until.is_some_and(|d| day > d) {
        done.outcome = Outcome::Skipped("after-until".into());
        return Job::Ready(done);
    }
    done.day = Some(day);
    let source = if f.source.is_empty() {
        // A foreign record: no metadata, so source and role come from the URL.
        match matcher.classify(&f.url, f.header("content-type")) {
            Some((i, role)) => {
                f.role = role;
                f.source = sources.get(i).map(|s| s.name.clone()).unwrap_or_default();
                Some(i)
            }
            None if window.generic
                && (200..300).contains(&f.status)
                && f.header("content-type")
                    .is_none_or(|ct| ct.contains("html")) =>
            {
                f.role = PageRole::Detail;
                f.source = "generic".into();
                return Job::Parse {
                    done,
                    fetched: f,
                    source: GENERIC,
                };
            }
            None => {
                done.outcome = Outcome::Failed("unmatched-url".into());
                return Job::Ready(done);
            }
        }
    } else if let Some(&i) = by_name.get(f.source.as_str()) {
        Some(i)
    } else {
        // Our record of a source the config no longer has: its URL may still name one.
        done.unknown_source = Some(f.source.clone());
        match matcher.classify(&f.url, f.header("content-type")) {
            Some((i, _)) => {
                f.source = sources.get(i).map(|s| s.name.clone()).unwrap_or_default();
                Some(i)
            }
            None => None,
        }
    };
    let Some(source) = source else {
        done.outcome = Outcome::Failed("unknown-source".into());
        return Job::Ready(done);
    };
    if !sources
        .get(source)
        .is_some_and(|s| s.carries_documents(f.role))
    {
        done.outcome = Outcome::Skipped(format!("role:{}", f.role.as_str()));
        return Job::Ready(done);
    }
    if !(200..300).contains(&f.status) {
        done.outcome = Outcome::Skipped(format!("status:{}", f.status));
        return Job::Ready(done);
    }
    Job::Parse {
        done,
        fetched: f,
        source,
    }
}

/// The per-page work of one job (a record that needs none is passed through).
fn work(job: Job, analyzer: &Analyzer, counters: &Counters, sources: &[SourceConfig]) -> Done {
    let (mut done, fetched, source) = match job {
        Job::Ready(done) => return done,
        Job::Parse {
            done,
            fetched,
            source,
        } => (done, fetched, source),
    };
    done.parsed = true;
    let reading = if source == GENERIC {
        Reading::Generic
    } else {
        match sources.get(source) {
            Some(src) => Reading::Source(src),
            None => {
                done.outcome = Outcome::Failed("unknown-source".into());
                return done;
            }
        }
    };
    // Unchanged documents are passed over by the sink, in archive order.
    let worked = work_page(&fetched, reading, analyzer, counters, &|_| true);
    done.outcome = match worked.failure {
        Some(reason) => Outcome::Failed(reason),
        None => Outcome::Worked {
            url: fetched.url,
            source: fetched.source,
            worked,
        },
    };
    done
}

/// Re-sequence results into archive order and hand them to the [`Sink`] (cluster, index, store).
fn sink(
    rx: &Receiver<Vec<Done>>,
    engine: &Engine,
    report: &mut RerunReport,
    progress: &dyn Fn(&RerunReport),
    started: Instant,
) -> Result<(), PipelineError> {
    let counters = &*engine.counters;
    let mut sink = Sink::open(
        &engine.index,
        Some(&engine.store),
        counters,
        RERUN_COMMIT_EVERY,
        None,
    )?;
    let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0u64;
    let mut last_progress = Instant::now();
    progress(report);
    let bump = |map: &mut BTreeMap<String, u64>, reason: String| {
        *map.entry(reason).or_default() += 1;
    };
    // what the sink counted, read into the report as it goes
    let tally = |report: &mut RerunReport| {
        report.documents = counters.index.get_received();
        report.unchanged = counters
            .parse
            .unchanged
            .load(std::sync::atomic::Ordering::Relaxed);
        report.not_signals = counters.analyze.rejected();
    };
    while let Ok(batch) = rx.recv() {
        waiting.extend(batch.into_iter().map(|done| (done.seq, done)));
        while let Some(done) = waiting.remove(&next) {
            next += 1;
            report.records += 1;
            report.bytes_read = report.bytes_read.max(done.bytes);
            if let Some(day) = done.day {
                report.replayed += 1;
                report.first_day = Some(report.first_day.map_or(day, |d| d.min(day)));
                report.last_day = Some(report.last_day.map_or(day, |d| d.max(day)));
            }
            if let Some(name) = done.unknown_source {
                report.unknown_sources.insert(name);
            }
            if done.parsed {
                report.pages += 1;
            }
            match done.outcome {
                Outcome::Skipped(reason) => bump(&mut report.skipped, reason),
                Outcome::Failed(reason) => bump(&mut report.failures, reason),
                Outcome::Worked {
                    url,
                    source,
                    worked,
                } => sink.accept(&url, &source, worked)?,
            }
            if last_progress.elapsed() >= PROGRESS_EVERY {
                tally(report);
                report.seconds = started.elapsed().as_secs_f64();
                progress(report);
                last_progress = Instant::now();
            }
        }
    }
    if !waiting.is_empty() {
        return Err(PipelineError::Stage(format!(
            "rerun: {} results never came back in sequence (a worker stopped)",
            waiting.len()
        )));
    }
    report.signals = sink.finish()?;
    tally(report);
    report.bytes_read = report.bytes_total.max(report.bytes_read);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The output directory

fn sibling(out: &Path, suffix: &str) -> Result<PathBuf, PipelineError> {
    let name = out
        .file_name()
        .ok_or_else(|| refuse(out, "--out must name a directory".into()))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(parent.join(format!(".{}.{suffix}", name.to_string_lossy())))
}

/// Is this directory a previous rerun's output (its manifest is JSON naming a rerun; lenient
/// about the rest, so an output of an older version can still be replaced)?
pub fn is_rerun_output(dir: &Path) -> bool {
    std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get("jiance_rerun").is_some())
}

/// Check `out` may be (re)built and make an empty staging directory beside it.
fn prepare_out(out: &Path, archive: &Path) -> Result<PathBuf, PipelineError> {
    recover_swap(out)?;
    if out.exists() {
        if !out.is_dir() {
            return Err(refuse(out, "--out exists and is not a directory".into()));
        }
        if let (Ok(o), Ok(a)) = (out.canonicalize(), archive.canonicalize())
            && a.starts_with(&o)
        {
            return Err(refuse(
                out,
                format!(
                    "refusing to rerun into a directory that holds the archive ({}); choose another --out",
                    archive.display()
                ),
            ));
        }
        let empty = std::fs::read_dir(out)
            .map_err(io_err(out))?
            .next()
            .is_none();
        if !empty && !is_rerun_output(out) {
            return Err(refuse(
                out,
                format!(
                    "refusing to write into a non-empty directory that is not a previous rerun's \
                     output (it has no {MANIFEST}); choose an empty or new directory for --out"
                ),
            ));
        }
    }
    let staging = sibling(out, "rerun-staging")?;
    if staging.exists() {
        // A rerun a crash interrupted: start over.
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io_err(&staging))?;
    Ok(staging)
}

/// Finish a swap a crash interrupted between its two renames: `out` missing, the new output
/// complete in staging (its manifest is written last) or the old one set aside.
fn recover_swap(out: &Path) -> Result<(), PipelineError> {
    let (staging, old) = (sibling(out, "rerun-staging")?, sibling(out, "rerun-old")?);
    fsx::recover_swap(out, &staging, &old, |d| d.join(MANIFEST).is_file()).map_err(io_err(out))?;
    Ok(())
}

/// Put the finished staging directory in `out`'s place (the old output, if any, is removed).
fn swap_out(staging: &Path, out: &Path) -> Result<(), PipelineError> {
    fsx::swap_dir(staging, out, &sibling(out, "rerun-old")?).map_err(io_err(out))
}

// ---------------------------------------------------------------------------------------------
// diff-alerts

/// One alert whose level, action or scope differs between two data directories.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Relevelled {
    pub old: Alert,
    pub new: Alert,
}

/// What a rule change does to the alerts: matched by alert id.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AlertDiff {
    /// In the new data only.
    pub added: Vec<Alert>,
    /// In the old data only.
    pub dropped: Vec<Alert>,
    /// In both, with another level, action or scope.
    pub relevelled: Vec<Relevelled>,
    /// In both with the same level, action and scope.
    pub unchanged: usize,
}

impl AlertDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.dropped.is_empty() && self.relevelled.is_empty()
    }
}

/// Compare two alert lists (each in its own rank order, which the result keeps).
pub fn diff_alerts(old: &[Alert], new: &[Alert]) -> AlertDiff {
    let old_by: HashMap<&str, &Alert> = old.iter().map(|a| (a.id.as_str(), a)).collect();
    let new_ids: BTreeSet<&str> = new.iter().map(|a| a.id.as_str()).collect();
    let mut d = AlertDiff::default();
    for a in new {
        match old_by.get(a.id.as_str()) {
            None => d.added.push(a.clone()),
            Some(o) if o.level != a.level || o.action != a.action || o.scope != a.scope => {
                d.relevelled.push(Relevelled {
                    old: (*o).clone(),
                    new: a.clone(),
                })
            }
            Some(_) => d.unchanged += 1,
        }
    }
    d.dropped = old
        .iter()
        .filter(|a| !new_ids.contains(a.id.as_str()))
        .cloned()
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{ClusterIndex, cluster_text};
    use crate::crawl::archive::{ArchiveWriter, Exchange};
    use crate::model::{Action, AlertStatus, Document, Scope};
    use chrono::TimeZone;

    const SOURCES: &str = r#"
[[source]]
name = "mall"
kind = "html"
channel = "platform"
weight = 0.5
start = ["http://www.mall.test/search?q=数码&page=1", "http://mall.test/search?q=家电&page=1"]
[source.list]
links = "a.item"
next = "a.next"
[source.detail]
title = "h1"
text = "div.desc"

[[source]]
name = "board"
kind = "html"
channel = "complaint"
weight = 0.8
start = ["http://127.0.0.1:4101/list?page=1"]
[source.list]
links = "td.t a"
[source.detail]
title = "h2.c-title"
text = ".c-content p"
published = ".c-time"

[[source]]
name = "board-api"
kind = "json"
channel = "complaint"
weight = 0.8
start = ["http://127.0.0.1:4101/api/complaints?page=1"]
[source.api]
items = "data.items"
page_param = "page"
[source.api.fields]
title = "title"
text = "content"
url = "url"

[[source]]
name = "gov"
kind = "html"
channel = "regulator"
start = ["http://gov.test/notices/index.html"]
[source.list]
links = "a.n"
pattern = "index_{page}.html"
[source.detail]
title = "h1"
text = "p"

[[source]]
name = "news"
kind = "feed"
channel = "media"
weight = 0.6
start = ["https://news.test/rss.xml"]
[source.detail]
title = "h1.t"
text = "div.body p"
published = ".time"
"#;

    fn sources() -> Vec<SourceConfig> {
        crate::config::parse_sources(SOURCES, "s.toml").unwrap()
    }

    fn name_role(m: &SourceMatcher, url: &str, ct: Option<&str>) -> Option<(String, PageRole)> {
        let s = sources();
        m.classify(url, ct).map(|(i, r)| (s[i].name.clone(), r))
    }

    #[test]
    fn foreign_records_are_matched_to_a_source_and_role_by_url() {
        let m = SourceMatcher::new(&sources());
        let is = |url: &str, name: &str, role: PageRole| {
            assert_eq!(
                name_role(&m, url, Some("text/html")),
                Some((name.to_string(), role)),
                "{url}"
            );
        };
        // Start paths (with paging parameters) are list / API pages; `www.` does not matter.
        is(
            "http://mall.test/search?q=数码&page=2",
            "mall",
            PageRole::List,
        );
        is(
            "http://www.mall.test/item/123.html",
            "mall",
            PageRole::Detail,
        );
        is("http://127.0.0.1:4101/list?page=7", "board", PageRole::List);
        is(
            "http://127.0.0.1:4101/api/complaints?page=3",
            "board-api",
            PageRole::Api,
        );
        // A JSON source has no detail pages: the board's pages on the shared host are the HTML
        // source's.
        is(
            "http://127.0.0.1:4101/complaint/88.html",
            "board",
            PageRole::Detail,
        );
        // A query parameter the start URL does not use makes it another page.
        is("http://127.0.0.1:4101/list?id=5", "board", PageRole::Detail);
        // The list pattern's pages, and the start page itself.
        is(
            "http://gov.test/notices/index_4.html",
            "gov",
            PageRole::List,
        );
        is("http://gov.test/notices/index.html", "gov", PageRole::List);
        is(
            "http://gov.test/notices/2026/0301.html",
            "gov",
            PageRole::Detail,
        );
        // http and https of one host are one site; the feed is a feed page.
        is("http://news.test/rss.xml", "news", PageRole::Feed);
        is("https://news.test/2026/03/a.html", "news", PageRole::Detail);
        assert_eq!(
            name_role(
                &m,
                "https://news.test/other-feed",
                Some("application/rss+xml")
            ),
            Some(("news".to_string(), PageRole::Feed))
        );
        assert_eq!(
            name_role(&m, "http://mall.test/robots.txt", None),
            Some(("mall".to_string(), PageRole::Robots))
        );
        // Another port or host belongs to nobody.
        assert_eq!(
            name_role(&m, "http://127.0.0.1:4102/complaint/1.html", None),
            None
        );
        assert_eq!(name_role(&m, "http://elsewhere.test/a.html", None), None);
        assert_eq!(name_role(&m, "not a url", None), None);
    }

    fn doc(id: &str, title: &str, text: &str) -> Document {
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 2, 0, 0)
            .single()
            .unwrap();
        Document {
            id: id.into(),
            source: "news".into(),
            channel: crate::model::Channel::Media,
            kind: None,
            url: format!("http://news.test/{id}.html"),
            title: title.into(),
            text: text.into(),
            published_at: Some(t),
            fetched_at: t,
            fields: BTreeMap::new(),
            rows: vec![],
            region_hint: None,
            weight: 0.6,
        }
    }

    /// The sink clusters with [`cluster_text`]; it must give what `Analyzer::analyze` gives with
    /// a shared index, for long texts, short texts (title + text) and reposts.
    #[test]
    fn sink_clustering_agrees_with_the_analyzer() {
        let analyzer = Analyzer::load(None, None).unwrap();
        let story = "3月4日晚8时许，杭州市拱墅区某小区地下车库内一辆正在充电的电动自行车突然起火，火势迅速蔓延至旁边停放的三辆电动车。物业保安发现后立即使用灭火器扑救。据初步调查，起火车辆的锂电池系车主自行从网上购买的非原厂电池。";
        let docs = [
            doc("a", "电动自行车充电起火", story),
            doc(
                "b",
                "小区车库电动车起火",
                &format!("本报讯 {story}来源：都市快报"),
            ),
            doc("c", "儿童水杯杯身大面积掉漆", "用了一周就掉漆了，担心含铅"),
            doc("d", "儿童水杯杯身大面积掉漆", "用了一周就掉漆了，担心含铅"),
            doc("f", "掉漆", "太短"),
            doc(
                "e",
                "移动电源鼓包",
                "网购的移动电源充电时外壳发烫鼓包，商家拒绝退货，已向平台投诉。",
            ),
        ];
        let mut shared = ClusterIndex::new();
        let live: Vec<String> = docs
            .iter()
            .map(|d| analyzer.analyze(d, &mut shared).cluster)
            .collect();
        // the sink's two ways: the sketch a worker made, or the text sketched in the sink
        let (mut by_sketch, mut by_text) = (ClusterIndex::new(), ClusterIndex::new());
        let (replay, sketched): (Vec<String>, Vec<String>) = docs
            .iter()
            .map(|d| {
                let (ex, sketch) = analyzer.analyze_unclustered(d);
                assert!(ex.cluster.is_empty(), "the sink assigns it");
                let sketch = sketch.expect("an uncut text is sketched");
                (
                    by_text.assign(&d.id, &cluster_text(d)).1,
                    by_sketch.assign_sketch(&d.id, &sketch),
                )
            })
            .unzip();
        assert_eq!(live, replay);
        assert_eq!(live, sketched);
        assert_eq!(live[1], "a", "the repost joins the story");
        assert_eq!(live[3], "c", "short texts cluster by title and text");
        assert_eq!(live[4], "f", "too little text: its own cluster");
    }

    fn page(title: &str, body: &str) -> Vec<u8> {
        format!(
            "<html><head><meta charset=\"utf-8\"></head><body><h1 class=\"t\">{title}</h1>\
             <span class=\"time\">2026-03-02 10:00</span><div class=\"body\"><p>{body}</p></div></body></html>"
        )
        .into_bytes()
    }

    /// Our archive: (source, role, url, body, day of March 2026).
    fn write_archive(dir: &Path, pages: &[(&str, PageRole, &str, Vec<u8>, u32)]) {
        let mut w = ArchiveWriter::open(dir, u64::MAX).unwrap();
        let headers = vec![(
            "content-type".to_string(),
            "text/html; charset=utf-8".to_string(),
        )];
        for (i, (source, role, url, body, day)) in pages.iter().enumerate() {
            w.write(&Exchange {
                source,
                role: *role,
                url,
                request_headers: &[],
                status: Some(200),
                response_headers: &headers,
                body,
                fetched_at: chrono::Utc
                    .with_ymd_and_hms(2026, 3, *day, 4, i as u32, 0)
                    .single()
                    .unwrap(),
                error: None,
                render: false,
            })
            .unwrap();
        }
    }

    /// A plain (uncompressed) WARC/1.0 file as another crawler writes it: no metadata records.
    fn foreign_warc(path: &Path, pages: &[(&str, Vec<u8>)]) {
        let mut out = Vec::new();
        out.extend_from_slice(b"WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:0>\r\nContent-Length: 0\r\n\r\n\r\n\r\n");
        for (i, (url, body)) in pages.iter().enumerate() {
            let mut block = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            block.extend_from_slice(body);
            out.extend_from_slice(
                format!(
                    "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2026-03-05T02:0{i}:00Z\r\nWARC-Record-ID: <urn:uuid:f{i}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
                    block.len()
                )
                .as_bytes(),
            );
            out.extend_from_slice(&block);
            out.extend_from_slice(b"\r\n\r\n");
        }
        std::fs::write(path, out).unwrap();
    }

    fn opts(archive: &Path, out: &Path) -> RerunOptions {
        RerunOptions {
            archive: archive.to_path_buf(),
            out: out.to_path_buf(),
            sources: Some(sources()),
            workers: 2,
            ..RerunOptions::default()
        }
    }

    /// `--generic`: a foreign archive's pages that no source claims are read by generic
    /// article extraction instead of being counted unmatched (issue 17).
    #[test]
    fn unclaimed_pages_of_a_foreign_archive_are_read_generically_on_request() {
        let root = tempfile::tempdir().unwrap();
        let archive = root.path().join("warc");
        std::fs::create_dir_all(&archive).unwrap();
        let article = page(
            "某地通报电暖器抽查结果",
            "某市市场监督管理局近日通报，抽查电暖器二十批次，其中三批次不合格，不合格项目为输入功率和发热，存在过热起火隐患，已责令企业整改并下架相关产品。",
        );
        foreign_warc(
            &archive.join("other.warc"),
            &[("http://elsewhere.test/2026/03/05/77.html", article)],
        );
        let plain = rerun(&opts(&archive, &root.path().join("a")), &|_| {}).unwrap();
        assert_eq!(plain.documents, 0);
        assert_eq!(plain.failures.get("unmatched-url"), Some(&1));
        let mut o = opts(&archive, &root.path().join("b"));
        o.generic = true;
        let generic = rerun(&o, &|_| {}).unwrap();
        assert_eq!(generic.documents, 1, "{:?}", generic.failures);
        assert!(generic.failures.is_empty(), "{:?}", generic.failures);
        assert!(generic.signals >= 1);
    }

    fn partitions(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir.join("signals"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn reruns_our_archive_and_a_foreign_warc_deterministically() {
        let root = tempfile::tempdir().unwrap();
        let archive = root.path().join("archive");
        std::fs::create_dir(&archive).unwrap();
        let fire = "楼道内一辆电动自行车充电时起火，浓烟蔓延，三名住户被困，消防到场后扑灭。";
        write_archive(
            &archive,
            &[
                (
                    "news",
                    PageRole::Feed,
                    "https://news.test/rss.xml",
                    b"<rss/>".to_vec(),
                    1,
                ),
                (
                    "news",
                    PageRole::Detail,
                    "https://news.test/a/1.html",
                    page("小区电动自行车充电起火", fire),
                    1,
                ),
                (
                    "news",
                    PageRole::Detail,
                    "https://news.test/a/2.html",
                    page(
                        "移动电源鼓包",
                        "网购的移动电源充电时外壳发烫鼓包，商家拒绝退货。",
                    ),
                    2,
                ),
                // The same page archived again unchanged: not analysed twice.
                (
                    "news",
                    PageRole::Detail,
                    "https://news.test/a/1.html",
                    page("小区电动自行车充电起火", fire),
                    3,
                ),
                // A page with nothing in it.
                (
                    "news",
                    PageRole::Detail,
                    "https://news.test/a/3.html",
                    b"<html><body></body></html>".to_vec(),
                    3,
                ),
                // A source the config no longer has, on a host nobody owns.
                (
                    "gone",
                    PageRole::Detail,
                    "http://gone.test/x.html",
                    page("不该出现", "没有配置的来源。"),
                    4,
                ),
            ],
        );
        foreign_warc(
            &archive.join("zz-other-tool.warc"),
            &[
                (
                    "https://news.test/b/9.html",
                    page(
                        "儿童水杯掉漆",
                        "给孩子买的儿童水杯用了一周杯身大面积掉漆，担心含铅。",
                    ),
                ),
                (
                    "http://nobody.test/1.html",
                    page("无主页面", "没有来源认领这个网址。"),
                ),
            ],
        );
        let out = root.path().join("out");
        let calls = std::cell::Cell::new(0);
        let r = rerun(&opts(&archive, &out), &|_| calls.set(calls.get() + 1)).unwrap();
        assert!(calls.get() >= 2);
        assert_eq!(r.records, 8);
        assert_eq!(r.replayed, 8);
        assert_eq!(r.pages, 5, "three of ours, one repeat, one foreign");
        assert_eq!(r.documents, 3);
        assert_eq!(r.unchanged, 1);
        assert_eq!(r.skipped.get("role:feed"), Some(&1));
        assert_eq!(r.failures.get("unmatched-url"), Some(&1));
        assert_eq!(r.failures.get("unknown-source"), Some(&1));
        assert!(
            r.failures.keys().any(|k| k.starts_with("parse:")),
            "{:?}",
            r.failures
        );
        assert!(r.unknown_sources.contains("gone"));
        assert_eq!(r.last_day, NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(r.as_of, r.last_day);
        assert_eq!(r.bytes_read, r.bytes_total);
        assert!(r.signals >= 1);
        let data = DataDir::new(&out);
        let store = crate::store::Store::open(&data.state()).unwrap();
        assert_eq!(store.document_count().unwrap(), 3);
        assert!(is_rerun_output(&out));
        let first = partitions(&out);
        assert!(!first.is_empty());
        drop(store);

        // Again into the same (rerun) directory: replaced, byte for byte the same partitions.
        let again = rerun(&opts(&archive, &out), &|_| {}).unwrap();
        assert_eq!(again.documents, r.documents);
        assert_eq!(again.signals, r.signals);
        assert_eq!(partitions(&out), first);
        assert!(!sibling(&out, "rerun-staging").unwrap().exists());
        assert!(!sibling(&out, "rerun-old").unwrap().exists());

        // Dates: only March 2 (Beijing) → one document; scored as of --until.
        let out2 = root.path().join("out2");
        let mut o = opts(&archive, &out2);
        o.from = NaiveDate::from_ymd_opt(2026, 3, 2);
        o.until = NaiveDate::from_ymd_opt(2026, 3, 2);
        let dated = rerun(&o, &|_| {}).unwrap();
        assert_eq!(dated.documents, 1);
        assert_eq!(dated.skipped.get("before-from"), Some(&2));
        assert_eq!(dated.skipped.get("after-until"), Some(&5));
        assert_eq!(dated.as_of, o.until);
    }

    /// A temporary directory holding `archive/` with one news article.
    fn one_page_archive() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let archive = root.path().join("archive");
        std::fs::create_dir(&archive).unwrap();
        write_archive(
            &archive,
            &[(
                "news",
                PageRole::Detail,
                "https://news.test/a/1.html",
                page("标题", "正文内容足够长，不会被当成空页面。"),
                1,
            )],
        );
        (root, archive)
    }

    #[test]
    fn refuses_a_non_empty_out_that_is_not_a_rerun_output() {
        let (root, archive) = one_page_archive();
        let out = root.path().join("precious");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "keep me").unwrap();
        let e = rerun(&opts(&archive, &out), &|_| {})
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not a previous rerun") && e.contains(MANIFEST),
            "{e}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "keep me"
        );
        // A directory holding the archive is never an output.
        let e = rerun(&opts(&archive, root.path()), &|_| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds the archive"), "{e}");
        // An empty directory is fine.
        let empty = root.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert_eq!(
            rerun(&opts(&archive, &empty), &|_| {}).unwrap().documents,
            1
        );
    }

    /// Regression (issue 16, 5): input that is not WARC at all exited 0 and replaced a previous
    /// good output with an empty one. It is now an error naming the input, and the previous
    /// output stays.
    #[test]
    fn input_with_no_readable_record_fails_and_keeps_the_previous_output() {
        let (root, archive) = one_page_archive();
        let out = root.path().join("out");
        assert_eq!(rerun(&opts(&archive, &out), &|_| {}).unwrap().documents, 1);
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();

        let junk = root.path().join("junk");
        std::fs::create_dir(&junk).unwrap();
        std::fs::write(junk.join("notes.warc.gz"), "这不是 WARC 文件\nplain text\n").unwrap();
        let e = rerun(&opts(&junk, &out), &|_| {}).unwrap_err().to_string();
        assert!(
            e.contains("no WARC record could be read") && e.contains("junk"),
            "{e}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(MANIFEST)).unwrap(),
            manifest,
            "the previous output is untouched"
        );
        assert!(!root.path().join(".out.rerun-staging").exists());
    }

    fn alert(id: &str, level: u8, action: Action) -> Alert {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        Alert {
            id: id.into(),
            category: "电动自行车".into(),
            hazards: vec!["火灾".into()],
            scope: Scope::Regional,
            regions: vec!["浙江省".into()],
            level,
            action,
            score: f64::from(level),
            breakdown: vec![],
            evidence: vec![],
            first_seen: day,
            updated: day,
            status: AlertStatus::New,
            summary: String::new(),
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }

    #[test]
    fn diff_alerts_finds_added_dropped_and_relevelled() {
        let old = vec![
            alert("a", 3, Action::Sample),
            alert("b", 2, Action::Notify),
            alert("c", 2, Action::Notify),
            alert("d", 2, Action::Notify),
        ];
        let mut scoped = alert("d", 2, Action::Notify);
        scoped.scope = Scope::Systemic;
        let mut rescored = alert("c", 2, Action::Notify);
        rescored.score = 9.0;
        let new = vec![
            alert("a", 2, Action::Notify),
            rescored,
            scoped,
            alert("e", 1, Action::Notify),
        ];
        let d = diff_alerts(&old, &new);
        assert_eq!(
            d.added.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["e"]
        );
        assert_eq!(
            d.dropped.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        let re: Vec<&str> = d.relevelled.iter().map(|r| r.new.id.as_str()).collect();
        assert_eq!(re, ["a", "d"]);
        assert_eq!(d.relevelled[0].old.level, 3);
        assert_eq!(d.unchanged, 1, "a score change alone is not a re-levelling");
        assert!(diff_alerts(&old, &old).is_empty());
    }

    /// kill -9 between the swap's two renames: the next rerun finds `out` missing and puts the
    /// finished output back before it starts, so no rerun output is ever lost.
    #[test]
    fn a_swap_cut_between_its_renames_is_finished_on_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let archive = dir.path().join("archive");
        std::fs::create_dir_all(&archive).unwrap();
        // The new output was complete in staging, the old one set aside, then the crash.
        let staging = sibling(&out, "rerun-staging").unwrap();
        let old = sibling(&out, "rerun-old").unwrap();
        for (d, tag) in [(&staging, "new"), (&old, "old")] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join(MANIFEST), r#"{"jiance_rerun": "test"}"#).unwrap();
            std::fs::write(d.join("tag"), tag).unwrap();
        }
        recover_swap(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("tag")).unwrap(), "new");
        assert!(!old.exists() && !staging.exists());
        // Cut before the new output was complete: the old one comes back.
        std::fs::rename(&out, &old).unwrap();
        std::fs::create_dir_all(&staging).unwrap();
        recover_swap(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("tag")).unwrap(), "new");
        // and prepare_out then accepts it as a previous rerun's output.
        assert!(prepare_out(&out, &archive).is_ok());
    }
}
