//! The composition over NATS JetStream (`[queue] kind = "nats"`, see [`crate::queue`]): the same
//! parts as the in-process service — the crawler, [`work_page`], the one [`Sink`] — as three
//! worker roles that may run in separate processes on separate machines, plus the coordinator
//! that starts a pass and waits until everything it led to is committed.
//!
//! ```text
//! coordinator ─CrawlJob per host─► JIANCE_FETCH ─► fetch workers (crawler, WARC, KV crawl state)
//!   ─ToAnalyze─► JIANCE_FETCHED ─► analyze workers (parse + analyse)
//!   ─ToSink────► JIANCE_WORKED ──► the sink (index + store, commit, mark seen in KV, then ack)
//! ```
//!
//! A fetch job is acknowledged once every page it fetched is stored in the next stream and its
//! list validators are written; an analyze delivery once its result is stored in the next
//! stream; a sink delivery once its batch is committed. A killed worker's unacknowledged
//! messages come back after `ack_wait` to whichever worker asks next.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::analyze::Analyzer;
use crate::config::{CrawlSettings, SourceConfig};
use crate::crawl::Crawler;
use crate::crawl::archive::ArchiveWriter;
use crate::index::Index;
use crate::model::{Document, Extraction, Fetched};
use crate::queue::{Delivery, KvState, Nats, PassTally, Stage};
use crate::store::{Once, Store};
use crate::telemetry::Counters;

use super::sink::{COMMIT_INTERVAL, Sink};
use super::work::{Reading, Worked, work_page};
use super::{FETCHED_CAPACITY, PipelineError};

/// One crawl job: the sources of one host for one pass. One fetch worker holds it while it
/// crawls, so one worker at a time is polite to the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrawlJob {
    pub pass: String,
    pub host: String,
    pub sources: Vec<String>,
}

/// What fetch workers send to analyze workers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ToAnalyze {
    Page(Fetched),
    /// A source's pass tally, for the sink's health records.
    Tally(PassTally),
}

/// What reaches the sink.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ToSink {
    Page {
        url: String,
        source: String,
        docs: Vec<(Document, Extraction)>,
        failure: Option<String>,
        attachment_errors: Vec<String>,
    },
    Tally(PassTally),
    /// A message terminated after its last delivery, or one that cannot be read.
    Poison(Poison),
}

impl ToSink {
    /// What the work made of the page `url` of `source`, as it travels to the sink. Sketches do
    /// not travel: the sink sketches what came over NATS.
    pub fn page(url: String, source: String, worked: Worked) -> ToSink {
        ToSink::Page {
            url,
            source,
            docs: worked.docs.into_iter().map(|(d, e, _)| (d, e)).collect(),
            failure: worked.failure,
            attachment_errors: worked
                .attachment_errors
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Poison {
    /// The stream it was taken from (`fetch`, `fetched`, `worked`).
    pub stage: String,
    /// `panic`, `redelivered` (its workers died or timed out on it), `decode`.
    pub reason: String,
    pub subject: String,
    /// The page URL or job host, when known.
    pub what: String,
}

/// The store key counting poison messages of a stage and reason.
pub fn poison_key(stage: &str, reason: &str) -> String {
    format!("poison.{stage}.{reason}")
}

/// Poison messages counted so far, by `(stage, reason)` ([`poison_key`]).
pub fn poison_counts(store: &Store) -> Result<BTreeMap<(String, String), u64>, PipelineError> {
    let mut out = BTreeMap::new();
    for (k, v) in store.meta_with_prefix("poison.")? {
        let mut parts = k.splitn(3, '.').skip(1);
        if let (Some(stage), Some(reason)) = (parts.next(), parts.next()) {
            out.insert(
                (stage.to_string(), reason.to_string()),
                v.parse().unwrap_or(0),
            );
        }
    }
    Ok(out)
}

/// How often slow work tells the server it is alive: a third of `ack_wait`.
fn progress_every(nats: &Nats) -> Duration {
    nats.settings().ack_wait / 3
}

/// The host a source's crawl job is addressed by: its first start URL's politeness key (the
/// fetcher's `host:port`), so the job's owner is the one worker polite to that host.
fn host_of(source: &SourceConfig) -> String {
    source
        .start
        .first()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| crate::util::canon::host_key(&u))
        .unwrap_or_else(|| "none".to_string())
}

/// Start a pass: one crawl job per host of the enabled `sources`. Returns the jobs published.
pub async fn publish_pass(nats: &Nats, sources: &[SourceConfig]) -> Result<usize, PipelineError> {
    let pass = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f").to_string();
    let mut by_host: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in sources.iter().filter(|s| s.is_enabled()) {
        by_host.entry(host_of(s)).or_default().push(s.name.clone());
    }
    for (host, sources) in &by_host {
        let job = CrawlJob {
            pass: pass.clone(),
            host: host.clone(),
            sources: sources.clone(),
        };
        let id = format!("pass-{pass}-{host}");
        nats.publish(nats.subject(Stage::Fetch, Some(host)), &id, &job)
            .await?;
    }
    info!(pass = %pass, jobs = by_host.len(), "pass published");
    Ok(by_host.len())
}

/// Wait until all three streams are empty: every job crawled, every page worked, every result
/// committed by the sink. Two empty looks in a row, `poll` apart.
pub async fn wait_drained(nats: &Nats, poll: Duration) -> Result<(), PipelineError> {
    let mut empty = 0;
    let mut said = std::time::Instant::now();
    loop {
        let backlog = match nats.backlog().await {
            Ok(b) => b,
            // a busy server answering late is no reason to abandon the pass
            Err(e) if e.is_timeout() => {
                tracing::warn!(error = %e, "asking for the backlog timed out; asking again");
                tokio::time::sleep(poll).await;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if backlog == [0, 0, 0] {
            empty += 1;
            if empty >= 2 {
                return Ok(());
            }
        } else {
            empty = 0;
            // A pass that does not move may lack workers of a role: say what waits where.
            if said.elapsed() >= Duration::from_secs(30) {
                said = std::time::Instant::now();
                info!(
                    crawl_jobs = backlog[0],
                    pages = backlog[1],
                    results = backlog[2],
                    "waiting for the pass (messages left per stream; no progress means no worker of that role)"
                );
            }
        }
        tokio::time::sleep(poll).await;
    }
}

/// Report a message as poison to the sink, then terminate it.
async fn poison(nats: &Nats, d: &Delivery, stage: Stage, reason: &str, what: &str) {
    let p = Poison {
        stage: stage.name().to_string(),
        reason: reason.to_string(),
        subject: d.msg.subject.to_string(),
        what: what.to_string(),
    };
    warn!(
        stage = stage.name(),
        reason,
        what,
        deliveries = d.delivered,
        "poison message terminated"
    );
    let id = format!("poison-{}-{}", stage.name(), d.sequence);
    match nats
        .publish(nats.subject(Stage::Worked, None), &id, &ToSink::Poison(p))
        .await
    {
        // reported: now it may go
        Ok(_) => {
            if let Err(e) = nats.term(d).await {
                warn!("{e}");
            }
        }
        // not reported: left to come back
        Err(e) => warn!("poison report: {e}"),
    }
}

/// The message's own `Nats-Msg-Id`, which the messages it leads to derive theirs from.
fn msg_id(d: &Delivery) -> String {
    d.msg
        .headers
        .as_ref()
        .and_then(|h| h.get("Nats-Msg-Id"))
        .map_or_else(|| format!("seq-{}", d.sequence), |v| v.as_str().to_string())
}

/// A fetched page's deduplication id: the same response (URL, body, attachments) fetched again
/// inside the server's window is dropped there.
fn page_id(f: &Fetched) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    for p in std::iter::once(f).chain(&f.attachments) {
        h.update(p.url.as_bytes());
        h.update([0x1f]);
        h.update((p.body.len() as u64).to_le_bytes());
        h.update(&p.body);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("page-{hex}")
}

/// The fetch role: take crawl jobs, crawl each host's sources with the crawl state in the
/// shared bucket, archive into `archive`, send pages on. Runs until `stop`.
pub async fn fetch_worker(
    nats: Nats,
    settings: &CrawlSettings,
    sources: &[SourceConfig],
    archive: ArchiveWriter,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
) -> Result<(), PipelineError> {
    let state = Arc::new(KvState::new(
        nats.crawl_bucket().clone(),
        tokio::runtime::Handle::current(),
    ));
    let crawler = Arc::new(
        Crawler::with_state(
            settings,
            archive,
            state.clone(),
            counters.clone(),
            Arc::new(crate::parse::Links),
        )?
        .hold_until_committed(),
    );
    let by_name = by_name(sources);
    dispatch(
        &nats,
        Stage::Fetch,
        nats.settings().fetch_jobs,
        &stop,
        |d| {
            let (nats, crawler, state, by_name, counters) = (
                nats.clone(),
                crawler.clone(),
                state.clone(),
                by_name.clone(),
                counters.clone(),
            );
            async move { crawl_job(&nats, &crawler, &state, &by_name, &counters, d).await }
        },
    )
    .await
}

fn by_name(sources: &[SourceConfig]) -> Arc<HashMap<String, SourceConfig>> {
    Arc::new(
        sources
            .iter()
            .map(|s| (s.name.clone(), s.clone()))
            .collect(),
    )
}

/// Take the deliveries of `stage` and run `handle` on each as a task, at most `slots` at once,
/// until `stop`; then wait for the tasks running (a kill instead leaves their messages to come
/// back). Crawl jobs are asked for one at a time, when a slot is free: a job pulled ahead would
/// wait out its `ack_wait` behind long crawls and go to a second worker. Pages come in batches of
/// `slots`.
async fn dispatch<F, Fut>(
    nats: &Nats,
    stage: Stage,
    slots: usize,
    stop: &AtomicBool,
    handle: F,
) -> Result<(), PipelineError>
where
    F: Fn(Delivery) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    const WAIT: Duration = Duration::from_secs(1);
    let slots = slots.max(1);
    let permits = Arc::new(tokio::sync::Semaphore::new(slots));
    let mut running = tokio::task::JoinSet::new();
    while !stop.load(Ordering::Relaxed) {
        // One free slot at least, then every other free one: pull as many as can start now.
        let Ok(mut free) = permits.clone().acquire_owned().await else {
            break;
        };
        while let Ok(more) = permits.clone().try_acquire_owned() {
            free.merge(more);
        }
        let batch = match nats.pull(stage, free.num_permits(), WAIT).await {
            Ok(b) => b,
            Err(e) => {
                warn!("{e}");
                tokio::time::sleep(WAIT).await;
                continue;
            }
        };
        for d in batch {
            let Some(permit) = free.split(1) else {
                break;
            };
            let task = handle(d);
            running.spawn(async move {
                task.await;
                drop(permit);
            });
        }
        drop(free);
        while running.try_join_next().is_some() {}
    }
    while running.join_next().await.is_some() {}
    Ok(())
}

async fn crawl_job(
    nats: &Nats,
    crawler: &Crawler,
    state: &KvState,
    by_name: &HashMap<String, SourceConfig>,
    counters: &Counters,
    d: Delivery,
) {
    counters.queue.received();
    if d.poison(nats.settings().max_deliver) {
        return poison(nats, &d, Stage::Fetch, "redelivered", &d.msg.subject).await;
    }
    let job: CrawlJob = match nats.decode(&d).await {
        Ok(j) => j,
        Err(e) => {
            warn!("{e}");
            return poison(nats, &d, Stage::Fetch, "decode", &d.msg.subject).await;
        }
    };
    let sources: Vec<SourceConfig> = job
        .sources
        .iter()
        .filter_map(|n| {
            let s = by_name.get(n);
            if s.is_none() {
                warn!(source = %n, host = %job.host, "crawl job names a source this worker's config lacks");
                counters.crawl.reject("unknown-source");
            }
            s.cloned()
        })
        .collect();
    info!(host = %job.host, pass = %job.pass, sources = sources.len(), delivery = d.delivered, "crawl job");
    let (tx, mut rx) = mpsc::channel::<Fetched>(FETCHED_CAPACITY);
    let publish = async {
        let subject = nats.subject(Stage::Fetched, None);
        while let Some(f) = rx.recv().await {
            let id = page_id(&f);
            nats.publish(subject.clone(), &id, &ToAnalyze::Page(f))
                .await?;
        }
        Ok::<(), crate::queue::QueueError>(())
    };
    let (report, published) = d
        .with_progress(progress_every(nats), async {
            tokio::join!(crawler.crawl(&sources, tx), publish)
        })
        .await;
    if let Err(e) = published {
        // The pages not sent are fetched again when the job comes back.
        warn!(host = %job.host, "crawl job not finished: {e}");
        return d.retry(Duration::from_secs(1)).await;
    }
    // Every page is stored in the next stream: only now the list validators and finished
    // sources may be written (a 304 next pass must not hide a page that was never sent).
    if let Err(e) = report.held.record(state) {
        warn!(host = %job.host, "crawl state: {e}");
        return d.retry(Duration::from_secs(1)).await;
    }
    let subject = nats.subject(Stage::Fetched, None);
    for t in state.take_tallies(&job.sources) {
        let id = format!("tally-{}-{}", job.pass, t.source);
        if let Err(e) = nats
            .publish(subject.clone(), &id, &ToAnalyze::Tally(t))
            .await
        {
            warn!("pass tally not sent: {e}");
        }
    }
    match nats.ack(&d).await {
        Ok(()) => counters.queue.emitted(1),
        Err(e) => warn!("{e}"),
    }
}

/// What an analyze worker does with one page (the default: [`work_page`] by the page's source;
/// tests inject failures).
pub type PageWork = dyn Fn(&Fetched, &SourceConfig) -> Worked + Send + Sync;

/// The default per-page work of analyze workers: documents are analysed whether or not the
/// sink has them (it alone can tell, and it passes repeats over).
pub fn page_work(analyzer: Arc<Analyzer>, counters: Arc<Counters>) -> Arc<PageWork> {
    Arc::new(move |f: &Fetched, source: &SourceConfig| {
        work_page(f, Reading::Source(source), &analyzer, &counters, &|_| true)
    })
}

/// The analyze role: take fetched pages, work them on `threads` blocking threads, send the
/// results to the sink. Runs until `stop`.
pub async fn analyze_worker(
    nats: Nats,
    sources: &[SourceConfig],
    work: Arc<PageWork>,
    threads: usize,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
) -> Result<(), PipelineError> {
    let by_name = by_name(sources);
    let threads = threads.max(1);
    // More messages in flight than threads, so one page's transport (decode, publish, ack:
    // round trips to the server) overlaps another's parsing; the threads bound the CPU work.
    let cpu = Arc::new(tokio::sync::Semaphore::new(threads));
    dispatch(
        &nats,
        Stage::Fetched,
        threads * IN_FLIGHT_PER_THREAD,
        &stop,
        |d| {
            let (nats, by_name, work, counters, cpu) = (
                nats.clone(),
                by_name.clone(),
                work.clone(),
                counters.clone(),
                cpu.clone(),
            );
            async move { analyze_one(&nats, &by_name, work, &cpu, &counters, d).await }
        },
    )
    .await
}

/// Messages an analyze worker holds per thread of work (see [`analyze_worker`]).
const IN_FLIGHT_PER_THREAD: usize = 4;

async fn analyze_one(
    nats: &Nats,
    by_name: &HashMap<String, SourceConfig>,
    work: Arc<PageWork>,
    cpu: &tokio::sync::Semaphore,
    counters: &Counters,
    d: Delivery,
) {
    counters.queue.received();
    let max_deliver = nats.settings().max_deliver;
    if d.poison(max_deliver) {
        return poison(nats, &d, Stage::Fetched, "redelivered", &d.msg.subject).await;
    }
    let out = match nats.decode::<ToAnalyze>(&d).await {
        Err(e) => {
            warn!("{e}");
            return poison(nats, &d, Stage::Fetched, "decode", &d.msg.subject).await;
        }
        Ok(ToAnalyze::Tally(t)) => ToSink::Tally(t),
        Ok(ToAnalyze::Page(f)) => {
            let Some(source) = by_name.get(&f.source).cloned() else {
                warn!(url = %f.url, source = %f.source, "page from a source this worker's config lacks");
                counters.parse.reject("unknown-source");
                return poison(nats, &d, Stage::Fetched, "unknown-source", &f.url).await;
            };
            let (url, source_name) = (f.url.clone(), f.source.clone());
            let worked = d
                .with_progress(progress_every(nats), async {
                    // waiting for a thread counts as slow work: progress acks keep the message
                    let _thread = cpu.acquire().await;
                    tokio::task::spawn_blocking(move || work(&f, &source)).await
                })
                .await
                .unwrap_or_else(|e| Worked {
                    // the work's own panics are caught inside it; this is the thread's
                    failure: Some(format!("panic: {e}")),
                    ..Worked::default()
                });
            if worked
                .failure
                .as_deref()
                .is_some_and(|f| f.starts_with("panic"))
            {
                // Maybe this worker, maybe the page: another delivery tells, up to the limit.
                if d.delivered + 1 >= max_deliver {
                    return poison(nats, &d, Stage::Fetched, "panic", &url).await;
                }
                return d.retry(Duration::from_millis(500)).await;
            }
            ToSink::page(url, source_name, worked)
        }
    };
    let id = format!("w-{}", msg_id(&d));
    match nats
        .publish(nats.subject(Stage::Worked, None), &id, &out)
        .await
    {
        Ok(_) => match nats.ack(&d).await {
            Ok(()) => counters.queue.emitted(1),
            Err(e) => warn!("{e}"),
        },
        Err(e) => {
            warn!("result not sent, the page comes back: {e}");
            d.retry(Duration::from_secs(1)).await;
        }
    }
}

/// The sink role: the one writer of `index` and `store`. Takes worked pages, commits in batches
/// (every `commit_every` documents or [`COMMIT_INTERVAL`]), then marks the committed pages seen
/// in the shared crawl state and only then acknowledges their messages. Runs on a blocking
/// thread of `rt` until `stop`; returns the signals committed.
pub fn sink_worker(
    nats: &Nats,
    rt: &tokio::runtime::Handle,
    index: &Index,
    store: &Store,
    counters: &Counters,
    commit_every: usize,
    stop: &AtomicBool,
) -> Result<u64, PipelineError> {
    // Timers are made on this thread: it may be one the runtime does not own.
    let _entered = rt.enter();
    let mut sink = Sink::open(
        index,
        Some(store),
        counters,
        commit_every,
        Some(COMMIT_INTERVAL),
    )?;
    let batch = commit_every.clamp(1, 256);
    // Deliveries pulled but not yet handled: at most one batch, handled at once.
    let mut pulled: VecDeque<Delivery> = VecDeque::new();
    // Deliveries taken since the last commit, and the pages they carried.
    let mut held: Vec<Delivery> = Vec::new();
    let mut pages: Vec<(String, String)> = Vec::new();
    let max_deliver = nats.settings().max_deliver;
    while !stop.load(Ordering::Relaxed) {
        if pulled.is_empty() {
            let wait = sink.due_in().unwrap_or(Duration::from_secs(1));
            pulled.extend(rt.block_on(nats.pull(Stage::Worked, batch, wait))?);
        }
        let Some(d) = pulled.pop_front() else {
            // Nothing came within the wait, which was the time left to the next commit.
            if sink.due_in().is_some() {
                sink.commit()?;
            }
            settle(nats, rt, counters, &mut held, &mut pages);
            continue;
        };
        counters.queue.received();
        // Effects on the store beyond the documents happen once per message, however often
        // it is delivered (a crash between them and the acknowledgement).
        let once_id = format!("{}:{}", d.sequence, msg_id(&d));
        // The sink's own poison is counted here, as nowhere else can.
        let own_poison = |reason: &str| -> Result<(), PipelineError> {
            let p = Poison {
                stage: Stage::Worked.name().to_string(),
                reason: reason.to_string(),
                subject: d.msg.subject.to_string(),
                what: String::new(),
            };
            count_poison(store, counters, &once_id, &p)?;
            if let Err(e) = rt.block_on(nats.term(&d)) {
                warn!("{e}");
            }
            Ok(())
        };
        if d.poison(max_deliver) {
            // the sink itself died on it every time
            own_poison("redelivered")?;
            continue;
        }
        match rt.block_on(nats.decode::<ToSink>(&d)) {
            Err(e) => {
                warn!("{e}");
                own_poison("decode")?;
                continue;
            }
            Ok(ToSink::Page {
                url,
                source,
                docs,
                failure,
                attachment_errors,
            }) => {
                let errors: Vec<&str> = attachment_errors.iter().map(String::as_str).collect();
                if !errors.is_empty() {
                    let failures = Once::SourceFailures {
                        source: &source,
                        reasons: &errors,
                    };
                    store.apply_once(&once_id, &[failures])?;
                }
                pages.push((url.clone(), source.clone()));
                sink.accept(
                    &url,
                    &source,
                    Worked {
                        docs: docs.into_iter().map(|(d, e)| (d, e, None)).collect(),
                        failure,
                        attachment_errors: Vec::new(),
                    },
                )?;
            }
            Ok(ToSink::Tally(t)) => {
                let pass = Once::SourcePass {
                    source: &t.source,
                    tally: &t.tally,
                    at: t.at,
                    stale_after_secs: t.stale_after_secs,
                };
                store.apply_once(&once_id, &[pass])?;
            }
            Ok(ToSink::Poison(p)) => count_poison(store, counters, &once_id, &p)?,
        }
        held.push(d);
        // Nothing waiting means everything taken so far is committed.
        if sink.due_in().is_none() {
            settle(nats, rt, counters, &mut held, &mut pages);
        }
    }
    let signals = sink.finish()?;
    settle(nats, rt, counters, &mut held, &mut pages);
    Ok(signals)
}

fn count_poison(
    store: &Store,
    counters: &Counters,
    once_id: &str,
    p: &Poison,
) -> Result<(), PipelineError> {
    let key = poison_key(&p.stage, &p.reason);
    if store.apply_once(once_id, &[Once::AddToMeta { key: &key, by: 1 }])? {
        counters.queue.reject(&format!("poison-{}", p.reason));
    }
    Ok(())
}

/// After a commit: mark the committed pages seen for the fetch workers, then acknowledge their
/// messages. A failure leaves the messages to come back; the sink passes their documents over
/// as unchanged.
fn settle(
    nats: &Nats,
    rt: &tokio::runtime::Handle,
    counters: &Counters,
    held: &mut Vec<Delivery>,
    pages: &mut Vec<(String, String)>,
) {
    if held.is_empty() {
        return;
    }
    if let Err(e) = rt.block_on(crate::queue::mark_processed(nats.crawl_bucket(), pages)) {
        warn!("crawl state: {e}; the pages come back");
        held.clear();
        pages.clear();
        return;
    }
    for acked in rt.block_on(nats.ack_all(held)) {
        match acked {
            Ok(()) => counters.queue.emitted(1),
            Err(e) => warn!("{e}"),
        }
    }
    held.clear();
    pages.clear();
}

/// Which roles a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles {
    pub fetch: bool,
    pub analyze: bool,
    pub sink: bool,
}

impl Roles {
    pub const ALL: Roles = Roles {
        fetch: true,
        analyze: true,
        sink: true,
    };

    /// `fetch,analyze,sink`, `all` or `none`.
    pub fn parse(s: &str) -> Result<Roles, String> {
        let mut r = Roles::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "all" => r = Roles::ALL,
                "none" => {}
                "fetch" => r.fetch = true,
                "analyze" => r.analyze = true,
                "sink" => r.sink = true,
                other => {
                    return Err(format!(
                        "unknown role {other:?}: expected fetch, analyze, sink, all or none"
                    ));
                }
            }
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_refuse_unknown_names() {
        assert_eq!(Roles::parse("all").unwrap(), Roles::ALL);
        assert_eq!(Roles::parse("none").unwrap(), Roles::default());
        let r = Roles::parse("fetch, sink").unwrap();
        assert!(r.fetch && r.sink && !r.analyze);
        assert!(
            Roles::parse("fetch,indexer")
                .unwrap_err()
                .contains("indexer")
        );
    }

    #[test]
    fn a_page_fetched_twice_alike_has_one_id_and_a_changed_one_another() {
        let p = |body: &str| {
            Fetched::page(
                "s",
                "http://127.0.0.1:9/a",
                crate::model::PageRole::Detail,
                body.as_bytes().to_vec(),
            )
        };
        assert_eq!(page_id(&p("x")), page_id(&p("x")));
        assert_ne!(page_id(&p("x")), page_id(&p("y")));
        let mut with_file = p("x");
        with_file.attachments.push(p("file"));
        assert_ne!(page_id(&with_file), page_id(&p("x")));
    }

    #[test]
    fn a_job_is_addressed_by_its_first_start_urls_host_and_port() {
        let s = SourceConfig::for_page("media", "127.0.0.1");
        let mut s2 = s.clone();
        s2.start = vec!["http://127.0.0.1:8081/list".into()];
        assert_eq!(host_of(&s2), "127.0.0.1:8081");
    }
}
