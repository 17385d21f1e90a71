//! The service loop of `jiance run`: sources crawled on their own `schedule` interval, plus the
//! config's `[[schedule]]` jobs (crawl, rerun, report, prune, score) at their cron times.
//!
//! When a job is due is decided by one pure function, [`due`], from the job's persisted state
//! ([`JobState`], in the store's meta table) and an injected `now`:
//! - a job is due when one of its cron times falls after its *anchor* (its last run, failed or
//!   not) and at or before `now`; however many times were missed while the process was down, it
//!   runs **once**;
//! - a fresh job (no run yet) does **not** run at start: its anchor is the moment the service
//!   first saw it (`since`, persisted), so it waits for its next cron time — and if the service
//!   is down over that time, it runs once on the next start like any missed run. Starting the
//!   service at 15:00 does not start a nightly full-archive rerun at 15:00;
//! - the last-run time is written only after the job ended (success: `ok`, failure: `failed` with
//!   its error), so a job killed mid-way has no record and runs again on the next start; a
//!   failed job waits for its next cron time;
//! - cron times are read at a fixed offset (Asia/Shanghai = +08:00, no daylight saving time).
//!
//! Crawls and scoring run in the loop one after the other (one writer of the cluster index and the
//! signal partitions); rerun (a child `jiance rerun` process, so a batch cannot take the service
//! down), report and prune run in the background, each at most once at a time. Sources named by a
//! `crawl` job (or all of them, when a crawl job names none) are crawled only by their schedule;
//! the others keep their `schedule` interval.

use std::collections::{BTreeSet, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tracing::{error, info, warn};

use crate::config::{CronSpec, Job, Scheduled, SourceConfig};
use crate::model::china_day;

use super::{Engine, PipelineError};

/// Longest sleep of the loop: sources' intervals and the rescore interval are checked this often.
const TICK: Duration = Duration::from_secs(30);
/// Missed cron times counted at most (a per-second expression over a long outage stops here).
const MISSED_CAP: usize = 10_000;

/// What the store remembers of one scheduled job.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobState {
    /// When the service first saw the job (the anchor of a job that never ran).
    pub since: Option<DateTime<Utc>>,
    /// Start of the last run that succeeded.
    pub last_ok: Option<DateTime<Utc>>,
    /// Start of the last run that failed.
    pub last_failed: Option<DateTime<Utc>>,
}

impl JobState {
    /// The moment after which cron times count as not yet run.
    pub fn anchor(&self) -> Option<DateTime<Utc>> {
        [self.since, self.last_ok, self.last_failed]
            .into_iter()
            .flatten()
            .max()
    }
}

/// When a job runs next.
#[derive(Debug, Clone, PartialEq)]
pub enum Due {
    /// Run now: `missed` cron times (capped at 10,000) passed since the anchor, the first at
    /// `first`. However many, the job runs once.
    Now { first: DateTime<Utc>, missed: usize },
    /// Not before this time.
    At(DateTime<Utc>),
    /// The expression has no future time (a year in the past).
    Never,
}

/// Whether a job is due at `now`, given its state (pure; the clock is `now`). A job with no
/// anchor at all is treated as first seen at `now`: it waits for its next time.
pub fn due(cron: &CronSpec, state: &JobState, now: DateTime<Utc>) -> Due {
    let anchor = state.anchor().unwrap_or(now).min(now);
    let mut times = cron
        .schedule
        .after(&anchor.with_timezone(&cron.offset))
        .map(|t| t.with_timezone(&Utc));
    let Some(first) = times.next() else {
        return Due::Never;
    };
    if first > now {
        return Due::At(first);
    }
    let missed = 1 + times.take_while(|t| *t <= now).take(MISSED_CAP - 1).count();
    Due::Now { first, missed }
}

fn key(name: &str, field: &str) -> String {
    format!("schedule:{name}:{field}")
}

fn read_time(engine: &Engine, k: &str) -> Option<DateTime<Utc>> {
    // A store error reads as "never ran" (the job runs, which is the safe side), but is said.
    let value = match engine.store.meta(k) {
        Ok(v) => v?,
        Err(e) => {
            warn!(key = k, error = %e, "cannot read the last run time; treating it as never run");
            return None;
        }
    };
    match DateTime::parse_from_rfc3339(&value) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(e) => {
            warn!(key = k, value = %value, error = %e, "unreadable last run time; treating it as never run");
            None
        }
    }
}

/// What `jiance status` shows of one scheduled job: its persisted state, and the error of its
/// last run when that run failed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ScheduleStatus {
    pub name: String,
    pub since: Option<DateTime<Utc>>,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_failed: Option<DateTime<Utc>>,
    /// Set only when the last run failed (an older failure's error is history).
    pub error: Option<String>,
}

/// The state of every job the store has seen, by name (from the meta table, so it also works
/// on a data directory whose service is stopped).
pub fn schedule_states(store: &crate::store::Store) -> Result<Vec<ScheduleStatus>, PipelineError> {
    let mut by_name: std::collections::BTreeMap<String, ScheduleStatus> = Default::default();
    let mut errors: Vec<(String, String)> = Vec::new();
    for (k, v) in store.meta_with_prefix("schedule:")? {
        // The name may itself hold ':'; the field is the last part.
        let Some((name, field)) = k
            .strip_prefix("schedule:")
            .and_then(|rest| rest.rsplit_once(':'))
        else {
            continue;
        };
        let st = by_name
            .entry(name.to_string())
            .or_insert_with(|| ScheduleStatus {
                name: name.to_string(),
                ..Default::default()
            });
        let time = || {
            DateTime::parse_from_rfc3339(&v)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        };
        match field {
            "since" => st.since = time(),
            "ok" => st.last_ok = time(),
            "failed" => st.last_failed = time(),
            "error" => errors.push((name.to_string(), v.clone())),
            _ => {}
        }
    }
    for (name, e) in errors {
        if let Some(st) = by_name.get_mut(&name)
            && st.last_failed.is_some()
            && st.last_failed > st.last_ok
        {
            st.error = Some(e);
        }
    }
    Ok(by_name.into_values().collect())
}

/// A job's state as persisted in the store's meta table.
pub fn job_state(engine: &Engine, name: &str) -> JobState {
    JobState {
        since: read_time(engine, &key(name, "since")),
        last_ok: read_time(engine, &key(name, "ok")),
        last_failed: read_time(engine, &key(name, "failed")),
    }
}

/// Record how a run that started at `started` ended.
pub fn record_run(
    engine: &Engine,
    name: &str,
    started: DateTime<Utc>,
    result: &Result<String, String>,
) -> Result<(), PipelineError> {
    match result {
        Ok(summary) => {
            engine
                .store
                .set_meta(&key(name, "ok"), &started.to_rfc3339())?;
            info!(job = name, %summary, "scheduled job done");
        }
        Err(e) => {
            engine
                .store
                .set_meta(&key(name, "failed"), &started.to_rfc3339())?;
            engine.store.set_meta(&key(name, "error"), e)?;
            error!(job = name, error = %e, "scheduled job failed; retried at its next time");
        }
    }
    Ok(())
}

/// `{date}` in a path pattern replaced by the Beijing date of `now`.
pub fn fill_date(pattern: &str, now: DateTime<Utc>) -> String {
    pattern.replace("{date}", &china_day(now).to_string())
}

/// The `jiance rerun` command line of a rerun job (program, arguments). Archive, rules and
/// dictionaries default to the service's own.
pub fn rerun_command(
    exe: &Path,
    job: &Job,
    defaults: &JobDefaults,
    now: DateTime<Utc>,
) -> Option<(PathBuf, Vec<OsString>)> {
    let Job::Rerun {
        archive,
        out,
        rules,
        dictionaries,
        from,
        until,
    } = job
    else {
        return None;
    };
    let mut args: Vec<OsString> = vec!["rerun".into(), "--archive".into()];
    args.push(
        archive
            .clone()
            .unwrap_or_else(|| defaults.data_dir.join("archive"))
            .into(),
    );
    if let Some(f) = from {
        args.extend(["--from".into(), f.to_string().into()]);
    }
    if let Some(u) = until {
        args.extend(["--until".into(), u.to_string().into()]);
    }
    if let Some(r) = rules.as_ref().or(defaults.rules_dir.as_ref()) {
        args.extend(["--rules".into(), r.clone().into_os_string()]);
    }
    if let Some(d) = dictionaries.as_ref().or(defaults.dictionaries_dir.as_ref()) {
        args.extend(["--dictionaries".into(), d.clone().into_os_string()]);
    }
    args.extend(["--out".into(), fill_date(out, now).into()]);
    Some((exe.to_path_buf(), args))
}

/// What jobs fall back to when their block leaves a path out: the service's own.
#[derive(Debug, Clone)]
pub struct JobDefaults {
    pub data_dir: PathBuf,
    pub rules_dir: Option<PathBuf>,
    pub dictionaries_dir: Option<PathBuf>,
}

/// One WARC file as prune sees it.
#[derive(Debug, Clone)]
pub struct WarcFile {
    pub path: PathBuf,
    pub modified: DateTime<Utc>,
    /// Newest record date read from the file (`None`: none readable).
    pub newest_record: Option<DateTime<Utc>>,
}

/// The files prune may remove: every record older than `cutoff` (by the record dates, and by the
/// file's modification time, which is never older than its last record), and never the newest
/// file of the directory (it may be the one being written). Pure.
pub fn select_prunable(files: &[WarcFile], cutoff: DateTime<Utc>) -> Vec<PathBuf> {
    let newest = files
        .iter()
        .max_by_key(|f| (f.modified, f.path.clone()))
        .map(|f| f.path.clone());
    files
        .iter()
        .filter(|f| Some(&f.path) != newest.as_ref())
        .filter(|f| f.modified < cutoff)
        .filter(|f| f.newest_record.is_none_or(|t| t < cutoff))
        .map(|f| f.path.clone())
        .collect()
}

/// What a prune removed.
#[derive(Debug, Clone, Default)]
pub struct PruneReport {
    pub removed: Vec<PathBuf>,
    pub bytes: u64,
    pub kept: usize,
}

/// Remove the WARC files of `dir` whose records are all older than `older_than_days` before
/// `now`; each removal is logged.
pub fn prune_archive(
    dir: &Path,
    older_than_days: u32,
    now: DateTime<Utc>,
) -> Result<PruneReport, PipelineError> {
    let io = |source| PipelineError::Io {
        path: dir.display().to_string(),
        source,
    };
    let cutoff = now
        .checked_sub_signed(chrono::Duration::days(i64::from(older_than_days.max(1))))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !(name.ends_with(".warc") || name.ends_with(".warc.gz")) || !path.is_file() {
            continue;
        }
        let Ok(modified) = path.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        let modified: DateTime<Utc> = modified.into();
        // Only files old enough by their time stamp are read for their record dates.
        let newest_record = if modified < cutoff {
            match crate::crawl::archive::read_file(&path) {
                Ok(reader) => {
                    // A file with an unreadable record is kept: its dates are not all known.
                    let mut newest = None;
                    let mut unreadable = 0u64;
                    for r in reader {
                        match r {
                            Ok(f) => newest = newest.max(Some(f.fetched_at)),
                            Err(_) => unreadable += 1,
                        }
                    }
                    if unreadable > 0 {
                        warn!(file = %path.display(), unreadable, "prune: records that cannot be read; kept");
                        continue;
                    }
                    newest
                }
                Err(e) => {
                    warn!(file = %path.display(), error = %e, "prune: cannot read; kept");
                    continue;
                }
            }
        } else {
            None
        };
        files.push(WarcFile {
            path,
            modified,
            newest_record,
        });
    }
    let chosen = select_prunable(&files, cutoff);
    let mut report = PruneReport {
        kept: files.len() - chosen.len(),
        ..Default::default()
    };
    for path in chosen {
        let size = path.metadata().map(|m| m.len()).unwrap_or(0);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                info!(file = %path.display(), bytes = size, "prune: removed archive file");
                report.bytes += size;
                report.removed.push(path);
            }
            Err(e) => warn!(file = %path.display(), error = %e, "prune: cannot remove"),
        }
    }
    Ok(report)
}

/// Sources crawled by their `schedule` interval: those no crawl job covers.
fn interval_sources(sources: &[SourceConfig], jobs: &[Scheduled]) -> Vec<SourceConfig> {
    let mut covered: HashSet<&str> = HashSet::new();
    for j in jobs {
        match &j.job {
            Job::Crawl { sources: None } => return Vec::new(),
            Job::Crawl {
                sources: Some(names),
            } => covered.extend(names.iter().map(String::as_str)),
            _ => {}
        }
    }
    sources
        .iter()
        .filter(|s| !covered.contains(s.name.as_str()))
        .cloned()
        .collect()
}

/// `jiance run`: the service loop with schedules.
pub struct Scheduler {
    pub engine: Arc<Engine>,
    pub sources: Vec<SourceConfig>,
    pub jobs: Vec<Scheduled>,
    pub score_every: Duration,
    pub defaults: JobDefaults,
    /// The program started for rerun jobs (this binary).
    pub exe: PathBuf,
}

impl Scheduler {
    fn sources_due(&self, sources: &[SourceConfig], now: DateTime<Utc>) -> Vec<SourceConfig> {
        sources
            .iter()
            .filter(|s| s.is_enabled())
            .filter(
                |s| match read_time(&self.engine, &format!("crawled:{}", s.name)) {
                    // A crawl time in the future (the clock was wrong, or moved back) makes the
                    // source due now, rather than silently idle until that time passes.
                    Some(t) if t > now => {
                        warn!(source = %s.name, last = %t, "last crawl is dated in the future; crawling now");
                        true
                    }
                    Some(t) => (now - t).to_std().unwrap_or_default() >= s.schedule,
                    None => true,
                },
            )
            .cloned()
            .collect()
    }

    fn crawl_sources(&self, job: &Job) -> Vec<SourceConfig> {
        match job {
            Job::Crawl { sources: None } => self
                .sources
                .iter()
                .filter(|s| s.is_enabled())
                .cloned()
                .collect(),
            Job::Crawl {
                sources: Some(names),
            } => self
                .sources
                .iter()
                .filter(|s| names.contains(&s.name))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Record when the service first saw each job that has never run (the anchor of its first
    /// due time).
    pub fn register(&self, now: DateTime<Utc>) -> Result<(), PipelineError> {
        for j in &self.jobs {
            if job_state(&self.engine, &j.name).anchor().is_none() {
                self.engine
                    .store
                    .set_meta(&key(&j.name, "since"), &now.to_rfc3339())?;
            }
        }
        Ok(())
    }

    /// Run until `stop` turns true.
    pub async fn run(
        &self,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), PipelineError> {
        self.register(Utc::now())?;
        let mut state = LoopState::new();
        loop {
            let next_wake = self.tick(Utc::now(), &mut state).await?;
            let wait = (next_wake - Utc::now())
                .to_std()
                .unwrap_or_default()
                .clamp(Duration::from_millis(200), TICK);
            tokio::select! {
                _ = stop.changed() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            if *stop.borrow() {
                // A rerun child is killed with its task; with no record it runs again next start.
                state.background.abort_all();
                return Ok(());
            }
        }
    }

    /// One turn of the loop at `now`: crawl what is due, rescore, start due batch jobs in the
    /// background. Returns when the loop should look again (at the latest one [`TICK`] on).
    pub async fn tick(
        &self,
        now: DateTime<Utc>,
        state: &mut LoopState,
    ) -> Result<DateTime<Utc>, PipelineError> {
        let by_interval = interval_sources(&self.sources, &self.jobs);
        let running = state.running.clone();
        let mut next_wake = now + chrono::Duration::from_std(TICK).unwrap_or_default();
        let mut due_jobs: Vec<&Scheduled> = Vec::new();
        for j in &self.jobs {
            if running.lock().is_ok_and(|r| r.contains(&j.name)) {
                continue;
            }
            match due(&j.cron, &job_state(&self.engine, &j.name), now) {
                Due::Now { first, missed } => {
                    if missed > 1 {
                        info!(job = %j.name, missed, %first, "missed runs while down: running once");
                    }
                    due_jobs.push(j);
                }
                Due::At(t) => next_wake = next_wake.min(t),
                Due::Never => {}
            }
        }

        // Crawls: interval sources and due crawl jobs in one pass, then a rescore.
        let mut crawl: Vec<SourceConfig> = self.sources_due(&by_interval, now);
        let interval_names: Vec<String> = crawl.iter().map(|s| s.name.clone()).collect();
        let crawl_jobs: Vec<&Scheduled> = due_jobs
            .iter()
            .copied()
            .filter(|j| matches!(j.job, Job::Crawl { .. }))
            .collect();
        let mut names: BTreeSet<String> = interval_names.iter().cloned().collect();
        for j in &crawl_jobs {
            for s in self.crawl_sources(&j.job) {
                if names.insert(s.name.clone()) {
                    crawl.push(s);
                }
            }
        }
        let mut rescore = state
            .last_score
            .is_none_or(|t| t.elapsed() >= self.score_every);
        if !crawl.is_empty() {
            info!(sources = ?names, "crawl pass");
            let result = self.engine.crawl_once(&crawl).await;
            let outcome = match &result {
                Ok(r) => Ok(format!(
                    "{} pages, {} documents, {} signals",
                    r.pages, r.documents, r.signals
                )),
                Err(e) => Err(e.to_string()),
            };
            match &outcome {
                Ok(summary) => {
                    info!(%summary, "crawl pass done");
                    for n in &interval_names {
                        self.engine
                            .store
                            .set_meta(&format!("crawled:{n}"), &now.to_rfc3339())?;
                    }
                }
                Err(e) if crawl_jobs.is_empty() => {
                    error!(error = %e, "crawl pass failed; retried at the next tick")
                }
                Err(_) => {}
            }
            for j in &crawl_jobs {
                record_run(&self.engine, &j.name, now, &outcome)?;
            }
            rescore = true;
        }
        for j in due_jobs.iter().filter(|j| matches!(j.job, Job::Score)) {
            let result = self
                .engine
                .score(china_day(now))
                .map(|s| format!("{} signals, {} alerts", s.signals, s.alerts.len()))
                .map_err(|e| e.to_string());
            record_run(&self.engine, &j.name, now, &result)?;
            rescore = false;
            state.last_score = Some(Instant::now());
        }
        if rescore {
            if let Err(e) = self.engine.score(china_day(now)) {
                error!(error = %e, "rescore failed");
            }
            state.last_score = Some(Instant::now());
        }

        // Batch jobs in the background, each at most once at a time.
        for j in due_jobs.iter().filter(|j| {
            matches!(
                j.job,
                Job::Rerun { .. } | Job::Report { .. } | Job::Prune { .. }
            )
        }) {
            if let Ok(mut r) = running.lock() {
                r.insert(j.name.clone());
            }
            let (engine, job, running) = (self.engine.clone(), (*j).clone(), running.clone());
            let (defaults, exe) = (self.defaults.clone(), self.exe.clone());
            state.background.spawn(async move {
                info!(job = %job.name, kind = job.job.kind(), "scheduled job starts");
                let result = run_batch_job(&job.job, &defaults, &exe, now).await;
                if let Err(e) = record_run(&engine, &job.name, now, &result) {
                    error!(job = %job.name, error = %e, "cannot record the job's run");
                }
                if let Ok(mut r) = running.lock() {
                    r.remove(&job.name);
                }
            });
        }
        while let Some(done) = state.background.try_join_next() {
            if let Err(e) = done {
                error!(error = %e, "a scheduled job's task ended abnormally");
            }
        }
        // The jobs that ran have new records: wake at the earliest next time (jobs still running
        // in the background are looked at again within one TICK).
        for j in &due_jobs {
            if let Due::At(t) = due(&j.cron, &job_state(&self.engine, &j.name), now) {
                next_wake = next_wake.min(t);
            }
        }
        Ok(next_wake)
    }
}

/// What the loop keeps between turns.
#[derive(Default)]
pub struct LoopState {
    /// Names of the batch jobs running now.
    pub running: Arc<Mutex<HashSet<String>>>,
    pub background: tokio::task::JoinSet<()>,
    /// When the loop last scored (`None`: not yet; the first turn scores).
    pub last_score: Option<Instant>,
}

impl LoopState {
    pub fn new() -> LoopState {
        LoopState::default()
    }
}

/// Run a rerun, report or prune job; `Ok` carries a one-line summary, `Err` the error.
pub async fn run_batch_job(
    job: &Job,
    defaults: &JobDefaults,
    exe: &Path,
    now: DateTime<Utc>,
) -> Result<String, String> {
    match job {
        Job::Rerun { .. } => {
            let (program, args) =
                rerun_command(exe, job, defaults, now).ok_or("not a rerun job")?;
            let out = tokio::process::Command::new(&program)
                .args(&args)
                .kill_on_drop(true)
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
            if out.status.success() {
                let stdout = String::from_utf8_lossy(&out.stdout);
                Ok(stdout.lines().last().unwrap_or("rerun done").to_string())
            } else {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                Err(format!(
                    "rerun exited with {}: {}",
                    out.status,
                    tail.join(" | ")
                ))
            }
        }
        Job::Report { .. } => {
            let (job, defaults) = (job.clone(), defaults.clone());
            tokio::task::spawn_blocking(move || {
                crate::report::run_scheduled(
                    &job,
                    &defaults.data_dir,
                    defaults.rules_dir.as_deref(),
                    now,
                )
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
        }
        Job::Prune {
            archive,
            older_than_days,
        } => {
            let dir = archive
                .clone()
                .unwrap_or_else(|| defaults.data_dir.join("archive"));
            let days = *older_than_days;
            let r = tokio::task::spawn_blocking(move || prune_archive(&dir, days, now))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "removed {} archive files ({} bytes), kept {}",
                r.removed.len(),
                r.bytes,
                r.kept
            ))
        }
        Job::Crawl { .. } | Job::Score => Err(format!("{} runs in the service loop", job.kind())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_cron;
    use chrono::TimeZone;

    fn spec(expr: &str) -> CronSpec {
        CronSpec {
            expr: expr.into(),
            schedule: parse_cron(expr).unwrap(),
            offset: crate::config::parse_timezone("Asia/Shanghai").unwrap(),
        }
    }

    /// A Beijing wall-clock time as UTC.
    fn bj(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn ok_at(t: DateTime<Utc>) -> JobState {
        JobState {
            last_ok: Some(t),
            ..Default::default()
        }
    }

    #[test]
    fn a_daily_job_runs_after_its_time_and_not_before() {
        let c = spec("30 2 * * *");
        let state = ok_at(bj(2026, 11, 20, 2, 30));
        assert_eq!(
            due(&c, &state, bj(2026, 11, 21, 2, 29)),
            Due::At(bj(2026, 11, 21, 2, 30))
        );
        assert_eq!(
            due(&c, &state, bj(2026, 11, 21, 2, 30)),
            Due::Now {
                first: bj(2026, 11, 21, 2, 30),
                missed: 1
            }
        );
        // Times are Beijing wall-clock times: 02:30 +08:00 is 18:30 UTC the day before.
        assert_eq!(
            bj(2026, 11, 21, 2, 30),
            Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).unwrap()
        );
    }

    #[test]
    fn several_missed_times_give_one_run_then_the_next_time() {
        let c = spec("0 * * * *");
        // Down from 01:10 to 09:40: eight hourly times missed.
        let state = ok_at(bj(2026, 11, 20, 1, 0));
        let now = bj(2026, 11, 20, 9, 40);
        match due(&c, &state, now) {
            Due::Now { first, missed } => {
                assert_eq!(first, bj(2026, 11, 20, 2, 0));
                assert_eq!(missed, 8);
            }
            other => panic!("{other:?}"),
        }
        // The one run starts at `now` and is recorded: nothing more is due until 10:00.
        let after = ok_at(now);
        assert_eq!(due(&c, &after, now), Due::At(bj(2026, 11, 20, 10, 0)));
        assert_eq!(
            due(&c, &after, bj(2026, 11, 20, 9, 59)),
            Due::At(bj(2026, 11, 20, 10, 0))
        );
    }

    #[test]
    fn a_fresh_job_waits_for_its_next_time_but_a_missed_first_time_runs() {
        let c = spec("0 3 * * *");
        let start = bj(2026, 11, 20, 15, 0);
        // Never seen: treated as seen now.
        assert_eq!(
            due(&c, &JobState::default(), start),
            Due::At(bj(2026, 11, 21, 3, 0))
        );
        // Seen at 15:00 (persisted), down over 03:00, back at 08:00: runs once.
        let seen = JobState {
            since: Some(start),
            ..Default::default()
        };
        assert!(matches!(
            due(&c, &seen, bj(2026, 11, 21, 8, 0)),
            Due::Now { missed: 1, .. }
        ));
    }

    #[test]
    fn a_failed_run_waits_for_the_next_time_and_a_killed_one_runs_again() {
        let c = spec("0 3 * * *");
        let ran = bj(2026, 11, 21, 3, 0);
        let failed = JobState {
            last_ok: Some(bj(2026, 11, 20, 3, 0)),
            last_failed: Some(ran),
            ..Default::default()
        };
        assert_eq!(
            due(&c, &failed, bj(2026, 11, 21, 3, 5)),
            Due::At(bj(2026, 11, 22, 3, 0))
        );
        // Killed mid-way: nothing recorded for 03:00, so the restart at 03:05 runs it.
        let killed = ok_at(bj(2026, 11, 20, 3, 0));
        assert!(matches!(
            due(&c, &killed, bj(2026, 11, 21, 3, 5)),
            Due::Now { missed: 1, .. }
        ));
        assert_eq!(failed.anchor(), Some(ran));
    }

    #[test]
    fn weekly_and_fixed_offset_times_have_no_daylight_saving_shift() {
        // Mondays 07:00 Beijing, across the March and October dates other zones shift on.
        let c = spec("0 7 * * Mon");
        let mut t = bj(2026, 3, 1, 0, 0);
        let mut seen = Vec::new();
        for _ in 0..40 {
            match due(&c, &ok_at(t), t + chrono::Duration::days(7)) {
                Due::Now { first, .. } => {
                    seen.push(first);
                    t = first;
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(
            seen.windows(2)
                .all(|w| w[1] - w[0] == chrono::Duration::days(7))
        );
        assert!(seen.iter().all(|t| {
            let local = t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
            local.format("%a %H:%M").to_string() == "Mon 07:00"
        }));
    }

    #[test]
    fn a_past_year_is_never_due() {
        // `jiance check` refuses such an expression, but one valid when the service started
        // (year 2026) runs out while it runs; the crate's own parser builds it here.
        let c = CronSpec {
            schedule: "0 0 1 1 * * 2020".parse().unwrap(),
            ..spec("0 0 1 1 * *")
        };
        assert_eq!(
            due(&c, &JobState::default(), bj(2026, 1, 1, 0, 0)),
            Due::Never
        );
    }

    #[test]
    fn missed_times_are_capped() {
        let c = spec("* * * * * *");
        match due(&c, &ok_at(bj(2026, 1, 1, 0, 0)), bj(2026, 1, 2, 0, 0)) {
            Due::Now { missed, .. } => assert_eq!(missed, MISSED_CAP),
            other => panic!("{other:?}"),
        }
    }

    fn file(name: &str, modified_days_ago: i64, newest_days_ago: Option<i64>) -> WarcFile {
        let now = bj(2026, 11, 22, 12, 0);
        WarcFile {
            path: PathBuf::from(name),
            modified: now - chrono::Duration::days(modified_days_ago),
            newest_record: newest_days_ago.map(|d| now - chrono::Duration::days(d)),
        }
    }

    #[test]
    fn prune_takes_only_whole_old_files_and_never_the_newest() {
        let cutoff = bj(2026, 11, 22, 12, 0) - chrono::Duration::days(30);
        let files = vec![
            file("a.warc.gz", 100, Some(100)),
            // Old by time stamp but holding a recent record (a copied-in file).
            file("b.warc.gz", 90, Some(3)),
            // Young file.
            file("c.warc.gz", 10, Some(10)),
            // Nothing readable but old: the time stamp decides.
            file("d.warc", 60, None),
            // Exactly at the cutoff is kept.
            file("e.warc.gz", 30, Some(30)),
        ];
        let chosen = select_prunable(&files, cutoff);
        let names: Vec<_> = chosen.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(names, ["a.warc.gz", "d.warc"]);
        // The newest file is kept even when it is old (it may be open for writing).
        let only_old = vec![
            file("x.warc.gz", 100, Some(100)),
            file("y.warc.gz", 90, Some(90)),
        ];
        let names: Vec<_> = select_prunable(&only_old, cutoff)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(names, ["x.warc.gz"]);
    }

    fn exchange(url: &str, at: DateTime<Utc>) -> crate::crawl::archive::Exchange<'_> {
        crate::crawl::archive::Exchange {
            source: "s",
            role: crate::model::PageRole::Detail,
            url,
            request_headers: &[],
            status: Some(200),
            response_headers: &[],
            body: "<p>网购的电热水壶底座漏电</p>".as_bytes(),
            fetched_at: at,
            error: None,
            render: false,
        }
    }

    #[test]
    fn prune_archive_removes_old_files_from_disk() {
        use crate::crawl::archive::ArchiveWriter;
        let dir = tempfile::tempdir().unwrap();
        let mut w = ArchiveWriter::open(dir.path(), 1 << 20).unwrap();
        let old_path = w.current_path().to_path_buf();
        let old = Utc::now() - chrono::Duration::days(50);
        w.write(&exchange("http://127.0.0.1:9/a", old)).unwrap();
        drop(w);
        // Age the file's time stamp like a file written 50 days ago.
        let f = std::fs::File::options()
            .write(true)
            .open(&old_path)
            .unwrap();
        f.set_modified(old.into()).unwrap();
        drop(f);
        std::thread::sleep(Duration::from_millis(1100));
        let mut w2 = ArchiveWriter::open(dir.path(), 1 << 20).unwrap();
        let new_path = w2.current_path().to_path_buf();
        w2.write(&exchange("http://127.0.0.1:9/b", Utc::now()))
            .unwrap();
        drop(w2);
        let r = prune_archive(dir.path(), 30, Utc::now()).unwrap();
        assert_eq!(r.removed, std::slice::from_ref(&old_path));
        assert_eq!(r.kept, 1);
        assert!(!old_path.exists() && new_path.exists());
    }

    /// A file whose records cannot all be read is kept (its dates are not all known), and a
    /// huge `older_than_days` is no overflow.
    #[test]
    fn prune_keeps_a_file_with_unreadable_records() {
        use crate::crawl::archive::ArchiveWriter;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let mut w = ArchiveWriter::open(dir.path(), 1 << 20).unwrap();
        let path = w.current_path().to_path_buf();
        let old = Utc::now() - chrono::Duration::days(50);
        w.write(&exchange("http://127.0.0.1:9/a", old)).unwrap();
        drop(w);
        let mut f = std::fs::File::options().append(true).open(&path).unwrap();
        f.write_all(b"\x1f\x8b\x08 this is not a gzip member")
            .unwrap();
        f.set_modified(old.into()).unwrap();
        drop(f);
        std::thread::sleep(Duration::from_millis(1100));
        let mut w2 = ArchiveWriter::open(dir.path(), 1 << 20).unwrap();
        w2.write(&exchange("http://127.0.0.1:9/b", Utc::now()))
            .unwrap();
        drop(w2);
        let r = prune_archive(dir.path(), 30, Utc::now()).unwrap();
        assert!(r.removed.is_empty(), "{:?}", r.removed);
        assert!(path.exists());
        let r = prune_archive(dir.path(), u32::MAX, Utc::now()).unwrap();
        assert!(r.removed.is_empty());
    }

    #[test]
    fn the_rerun_command_line() {
        let job = Job::Rerun {
            archive: None,
            out: "/srv/rerun/{date}".into(),
            rules: Some("/etc/jiance/rules-next".into()),
            dictionaries: None,
            from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
            until: None,
        };
        let defaults = JobDefaults {
            data_dir: "/var/lib/jiance".into(),
            rules_dir: Some("/etc/jiance/rules".into()),
            dictionaries_dir: Some("/etc/jiance/dict".into()),
        };
        // 2026-11-21 20:00 UTC is 2026-11-22 in Beijing.
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 20, 0, 0).unwrap();
        let (prog, args) =
            rerun_command(Path::new("/usr/bin/jiance"), &job, &defaults, now).unwrap();
        assert_eq!(prog, PathBuf::from("/usr/bin/jiance"));
        let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into()).collect();
        assert_eq!(
            args,
            [
                "rerun",
                "--archive",
                "/var/lib/jiance/archive",
                "--from",
                "2026-01-01",
                "--rules",
                "/etc/jiance/rules-next",
                "--dictionaries",
                "/etc/jiance/dict",
                "--out",
                "/srv/rerun/2026-11-22"
            ]
        );
    }

    #[tokio::test]
    async fn a_failing_rerun_child_is_an_error_with_its_status() {
        let job = Job::Rerun {
            archive: Some("/nonexistent".into()),
            out: "/tmp/x".into(),
            rules: None,
            dictionaries: None,
            from: None,
            until: None,
        };
        let defaults = JobDefaults {
            data_dir: "/nonexistent".into(),
            rules_dir: None,
            dictionaries_dir: None,
        };
        let err = run_batch_job(&job, &defaults, Path::new("/bin/false"), Utc::now())
            .await
            .unwrap_err();
        assert!(err.contains("rerun exited with"), "{err}");
        let err = run_batch_job(
            &job,
            &defaults,
            Path::new("/nonexistent/jiance"),
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(err.contains("cannot start"), "{err}");
    }

    fn signal(doc: &str, time: DateTime<Utc>) -> crate::model::Signal {
        crate::model::Signal {
            doc_id: doc.into(),
            time,
            category: "电动自行车".into(),
            hazard: "火灾".into(),
            severity: 3,
            province: Some("浙江省".into()),
            city: Some("杭州市".into()),
            source: "12315".into(),
            channel: crate::model::Channel::Complaint,
            kind: crate::model::DocKind::Complaint,
            weight: 1.0,
            cluster: doc.into(),
            parties: Default::default(),
            product: None,
        }
    }

    async fn settle(state: &mut LoopState) {
        while let Some(done) = state.background.join_next().await {
            done.unwrap();
        }
    }

    /// The loop with an injected clock: a missed report runs once and writes its file, a failing
    /// rerun is recorded and waits for its next time, and the next week's time runs both again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_loop_runs_missed_jobs_once_and_records_them() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let engine = Arc::new(
            Engine::open(
                super::super::DataDir::new(&data),
                &super::super::RuleDirs::default(),
                Default::default(),
            )
            .unwrap(),
        );
        crate::store::signals::write_partitions(
            &data.join("signals"),
            &[
                signal("a", bj(2026, 11, 10, 9, 0)),
                signal("b", bj(2026, 11, 12, 9, 0)),
                signal("c", bj(2026, 11, 17, 9, 0)),
            ],
        )
        .unwrap();
        let text = format!(
            r#"
[[schedule]]
name = "weekly"
cron = "0 7 * * Mon"
job = "report"
by = ["category"]
every = "week"
out = "{}/week-{{period}}.csv"

[[schedule]]
name = "nightly"
cron = "30 2 * * *"
job = "rerun"
out = "{}/rerun-{{date}}"
"#,
            dir.path().join("reports").display(),
            dir.path().display()
        );
        #[derive(serde::Deserialize)]
        struct F {
            schedule: Vec<crate::config::ScheduleConfig>,
        }
        let blocks: F = toml::from_str(&text).unwrap();
        let (jobs, errs) = crate::config::validate_schedules(&blocks.schedule, &[], "t", &text);
        assert!(errs.is_empty(), "{errs:?}");
        let sched = Scheduler {
            engine: engine.clone(),
            sources: vec![],
            jobs,
            score_every: Duration::from_secs(3600),
            defaults: JobDefaults {
                data_dir: data.clone(),
                rules_dir: None,
                dictionaries_dir: None,
            },
            exe: PathBuf::from("/bin/false"),
        };
        let mut state = LoopState::new();
        // No rescore in this test: it would rewrite the partitions from the (empty) store.
        state.last_score = Some(Instant::now());

        // Installed Monday 11-09 at noon; nothing is due then.
        sched.register(bj(2026, 11, 9, 12, 0)).unwrap();
        let wake = sched
            .tick(bj(2026, 11, 9, 12, 0), &mut state)
            .await
            .unwrap();
        assert!(wake <= bj(2026, 11, 9, 12, 0) + chrono::Duration::seconds(30));
        settle(&mut state).await;
        assert_eq!(job_state(&engine, "weekly").last_ok, None);
        assert_eq!(job_state(&engine, "nightly").last_failed, None);

        // Down until Friday 11-20: one Monday and ten nights missed; each job runs once.
        let friday = bj(2026, 11, 20, 12, 0);
        sched.tick(friday, &mut state).await.unwrap();
        settle(&mut state).await;
        let report = dir.path().join("reports/week-2026-11-09.csv");
        let csv = std::fs::read_to_string(&report).unwrap();
        assert!(csv.contains("2026-11-09,电动自行车,2,2,2"), "{csv}");
        assert_eq!(job_state(&engine, "weekly").last_ok, Some(friday));
        let nightly = job_state(&engine, "nightly");
        assert_eq!((nightly.last_ok, nightly.last_failed), (None, Some(friday)));
        let err = engine
            .store
            .meta("schedule:nightly:error")
            .unwrap()
            .unwrap();
        assert!(err.contains("rerun exited"), "{err}");

        // An hour later nothing runs again: not the report, not the failed rerun.
        std::fs::remove_file(&report).unwrap();
        sched
            .tick(friday + chrono::Duration::hours(1), &mut state)
            .await
            .unwrap();
        settle(&mut state).await;
        assert!(!report.exists());
        assert_eq!(job_state(&engine, "nightly").last_failed, Some(friday));

        // Monday 11-23 07:00: the next week's report, and the rerun tried again.
        let monday = bj(2026, 11, 23, 7, 0);
        sched.tick(monday, &mut state).await.unwrap();
        settle(&mut state).await;
        let next = std::fs::read_to_string(dir.path().join("reports/week-2026-11-16.csv")).unwrap();
        assert!(next.contains("2026-11-16,电动自行车,1,1,1"), "{next}");
        assert_eq!(job_state(&engine, "nightly").last_failed, Some(monday));
    }

    /// `jiance status` reads job states straight from the store: the error shows only while the
    /// last run is the failed one.
    #[test]
    fn schedule_states_read_back_and_keep_only_a_current_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("state.sqlite")).unwrap();
        let t = |h: u32| Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).unwrap();
        store
            .set_meta(&key("weekly", "since"), &t(1).to_rfc3339())
            .unwrap();
        store
            .set_meta(&key("weekly", "failed"), &t(2).to_rfc3339())
            .unwrap();
        store
            .set_meta(&key("weekly", "error"), "disk full")
            .unwrap();
        store
            .set_meta(&key("nightly:a", "ok"), &t(3).to_rfc3339())
            .unwrap();
        store.set_meta("crawled:news", &t(4).to_rfc3339()).unwrap();
        let states = schedule_states(&store).unwrap();
        assert_eq!(states.len(), 2, "{states:?}");
        assert_eq!(states[0].name, "nightly:a");
        assert_eq!(states[0].last_ok, Some(t(3)));
        assert_eq!(states[1].name, "weekly");
        assert_eq!(states[1].since, Some(t(1)));
        assert_eq!(states[1].error.as_deref(), Some("disk full"));
        // A later success makes the old error history.
        store
            .set_meta(&key("weekly", "ok"), &t(5).to_rfc3339())
            .unwrap();
        let states = schedule_states(&store).unwrap();
        assert_eq!(states[1].last_ok, Some(t(5)));
        assert_eq!(states[1].error, None);
    }
}
