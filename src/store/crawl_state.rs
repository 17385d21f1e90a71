//! The crawler's long-lived state: the seen-set (each fetched URL with its status and validators,
//! and the URLs that redirected to it), parked URLs (failed after every retry, waiting for a
//! later schedule) and each source's health record (cumulative counters, last success, and the
//! staleness threshold it is judged by).
//!
//! Written by `crawl` at the end of each source pass (or by the NATS sink, once per message:
//! [`Store::apply_once`]); read by `crawl` (which parked URLs are due), `jiance status` and
//! `/metrics`. Each pass is also counted per source and Beijing-time day (`source_days`), from
//! which [`Store::source_outages`] tells scoring the days a source was down.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store};
use crate::model::Timestamp;

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    status INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT,
    processed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    target TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parked (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    parked_at TEXT NOT NULL,
    retry_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS parked_source ON parked(source, retry_at);
CREATE TABLE IF NOT EXISTS source_health (
    source TEXT PRIMARY KEY,
    first_attempt TEXT NOT NULL,
    last_attempt TEXT NOT NULL,
    last_success TEXT,
    stale_after_secs INTEGER NOT NULL,
    fetched INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    parked_total INTEGER NOT NULL DEFAULT 0,
    failed TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS source_days (
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    passes INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    PRIMARY KEY (source, day)
);
CREATE TABLE IF NOT EXISTS applied (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applied_at ON applied(at);
"#;

/// What the crawler remembers of a fetched URL.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PageRecord {
    pub url: String,
    pub source: String,
    pub status: u16,
    pub record_id: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: Option<Timestamp>,
}

impl Store {
    /// Was this (canonical) URL fetched with a 2xx status AND its documents durably stored and
    /// indexed ([`Store::mark_processed`])? A page fetched but lost to a crash before its
    /// documents were committed is not seen, so the next pass fetches it again.
    pub fn page_seen(&self, url: &str) -> Result<bool> {
        let conn = self.conn();
        let done =
            |row: Option<(i64, bool)>| matches!(row, Some((s, true)) if (200..300).contains(&s));
        let direct: Option<(i64, bool)> = conn
            .query_row(
                "SELECT status, processed FROM pages WHERE url = ?1",
                [url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if done(direct) {
            return Ok(true);
        }
        // A URL that redirected is seen when the page it led to is.
        let via_alias: Option<(i64, bool)> = conn
            .query_row(
                "SELECT t.status, t.processed FROM aliases a JOIN pages t ON t.url = a.target WHERE a.url = ?1",
                [url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(done(via_alias))
    }

    /// Remember that `url` redirected to `target`, so a seen-check of `url` follows it.
    pub fn record_alias(&self, url: &str, target: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO aliases (url, target) VALUES (?1, ?2)",
            params![url, target],
        )?;
        Ok(())
    }

    /// Mark pages whose documents are committed to the store and the index (called by the sink
    /// after each index commit). Unknown URLs are recorded as processed too, so a page whose
    /// crawl record was lost is still not fetched twice.
    pub fn mark_processed(&self, urls: &[(String, String)]) -> Result<()> {
        self.put_batch(&[], urls)
    }

    pub fn page(&self, url: &str) -> Result<Option<PageRecord>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT url, source, status, record_id, etag, last_modified, fetched_at FROM pages WHERE url = ?1",
                [url],
                |r| {
                    Ok(PageRecord {
                        url: r.get(0)?,
                        source: r.get(1)?,
                        status: r.get::<_, i64>(2)?.clamp(0, i64::from(u16::MAX)) as u16,
                        record_id: r.get(3)?,
                        etag: r.get(4)?,
                        last_modified: r.get(5)?,
                        fetched_at: r
                            .get::<_, Option<String>>(6)?
                            .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
                            .map(|d| d.with_timezone(&chrono::Utc)),
                    })
                },
            )
            .optional()?)
    }

    /// Remember a fetched URL. A later non-2xx answer never erases an earlier success's
    /// validators, so a passing outage does not make the next pass re-fetch everything.
    pub fn record_page(&self, rec: &PageRecord) -> Result<()> {
        let ok = (200..300).contains(&rec.status) || rec.status == 304;
        let conn = self.conn();
        if ok {
            conn.execute(
                "INSERT INTO pages (url, source, status, record_id, etag, last_modified, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(url) DO UPDATE SET source = excluded.source,
                   status = CASE WHEN excluded.status = 304 THEN pages.status ELSE excluded.status END,
                   record_id = CASE WHEN excluded.status = 304 THEN pages.record_id ELSE excluded.record_id END,
                   etag = COALESCE(excluded.etag, pages.etag),
                   last_modified = COALESCE(excluded.last_modified, pages.last_modified),
                   fetched_at = excluded.fetched_at",
                params![
                    rec.url,
                    rec.source,
                    rec.status,
                    rec.record_id,
                    rec.etag,
                    rec.last_modified,
                    rec.fetched_at.map(|t| t.to_rfc3339())
                ],
            )?;
        } else {
            conn.execute(
                "INSERT INTO pages (url, source, status, record_id, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at
                   WHERE pages.status NOT BETWEEN 200 AND 299",
                params![rec.url, rec.source, rec.status, rec.record_id, rec.fetched_at.map(|t| t.to_rfc3339())],
            )?;
        }
        Ok(())
    }
}

/// A URL that failed after all retries, waiting until `retry_at`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParkedUrl {
    pub url: String,
    pub source: String,
    /// The last failure's reason (`http-500`, `timeout`, `disconnect` …).
    pub reason: String,
    /// Passes that ended in failure for this URL.
    pub attempts: u32,
    pub parked_at: Timestamp,
    pub retry_at: Timestamp,
}

/// Days a message id stays in the `applied` table ([`Store::apply_once`]).
pub const APPLIED_KEPT_DAYS: i64 = 7;

/// An effect of a queue message on the store that must happen once however often the message is
/// delivered ([`Store::apply_once`]).
#[derive(Debug, Clone)]
pub enum Once<'a> {
    /// A source's pass tally.
    SourcePass {
        source: &'a str,
        tally: &'a SourcePassTally,
        at: Timestamp,
        stale_after_secs: u64,
    },
    /// Failures of a page's attachments.
    SourceFailures {
        source: &'a str,
        reasons: &'a [&'a str],
    },
    /// Add `by` to the counter kept in meta under `key`.
    AddToMeta { key: &'a str, by: u64 },
}

/// What one pass over a source did, added to its health record.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourcePassTally {
    /// Pages fetched to a final 2xx / 3xx / 4xx / 5xx response other than 304.
    pub fetched: u64,
    pub not_modified: u64,
    /// Failures by reason.
    pub failed: BTreeMap<String, u64>,
    pub bytes: u64,
    /// URLs newly parked (or parked again) in this pass.
    pub parked: u64,
    /// At least one start / list / feed / API page answered 2xx or 304.
    pub success: bool,
}

/// A source's health record: counters since the state database was created, and freshness.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SourceHealth {
    pub source: String,
    pub first_attempt: Timestamp,
    pub last_attempt: Timestamp,
    pub last_success: Option<Timestamp>,
    /// `stale_after` × schedule, in seconds, as configured at the last pass.
    pub stale_after_secs: u64,
    pub fetched: u64,
    pub not_modified: u64,
    pub bytes: u64,
    /// URLs parked over all passes (a URL parked twice counts twice).
    pub parked_total: u64,
    /// URLs parked now.
    pub parked_now: u64,
    pub failed: BTreeMap<String, u64>,
}

impl SourceHealth {
    /// Stale: no success for longer than the threshold, counted from the last success or, for a
    /// source that never succeeded, from its first attempt.
    pub fn is_stale(&self, now: Timestamp) -> bool {
        let since = self.last_success.unwrap_or(self.first_attempt);
        let limit = i64::try_from(self.stale_after_secs)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .unwrap_or(chrono::Duration::MAX);
        now - since > limit
    }
}

/// Days a source was down, for scoring: failing (passes, none successful) or stale.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SourceOutage {
    pub source: String,
    /// First and last day down (Beijing time, inclusive).
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// `failing` (every pass of those days failed) or `stale` (no success for longer than its
    /// threshold, up to now).
    pub reason: String,
}

fn ts(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Park `url` after a failed pass: `attempts` goes up by one and the caller's `retry_at`
    /// (computed from the attempt count it was given by [`Store::parked_attempts`]) is stored.
    pub fn park(
        &self,
        url: &str,
        source: &str,
        reason: &str,
        now: Timestamp,
        retry_at: Timestamp,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO parked (url, source, reason, attempts, parked_at, retry_at)
             VALUES (?1, ?2, ?3, 1, ?4, ?5)
             ON CONFLICT(url) DO UPDATE SET source = excluded.source, reason = excluded.reason,
               attempts = parked.attempts + 1, parked_at = excluded.parked_at,
               retry_at = excluded.retry_at",
            params![url, source, reason, now.to_rfc3339(), retry_at.to_rfc3339()],
        )?;
        Ok(())
    }

    /// How many passes `url` has failed in so far (0 when not parked).
    pub fn parked_attempts(&self, url: &str) -> Result<u32> {
        let n: Option<i64> = self
            .conn()
            .query_row("SELECT attempts FROM parked WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(u32::try_from(n.unwrap_or(0)).unwrap_or(u32::MAX))
    }

    /// Forget a parked URL (it was fetched).
    pub fn unpark(&self, url: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM parked WHERE url = ?1", [url])?;
        Ok(())
    }

    /// Parked URLs, all or one source's, soonest retry first.
    pub fn parked(&self, source: Option<&str>) -> Result<Vec<ParkedUrl>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT url, source, reason, attempts, parked_at, retry_at FROM parked
             WHERE ?1 IS NULL OR source = ?1 ORDER BY retry_at, url",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (url, source, reason, attempts, parked_at, retry_at) = row?;
            // A timestamp that does not parse (hand-edited database) makes the URL due now.
            let epoch = DateTime::<Utc>::UNIX_EPOCH;
            out.push(ParkedUrl {
                url,
                source,
                reason,
                attempts: u32::try_from(attempts).unwrap_or(0),
                parked_at: ts(&parked_at).unwrap_or(epoch),
                retry_at: ts(&retry_at).unwrap_or(epoch),
            });
        }
        Ok(out)
    }

    /// Is `url` parked with a retry time still in the future?
    pub fn parked_until(&self, url: &str, now: Timestamp) -> Result<Option<Timestamp>> {
        let at: Option<String> = self
            .conn()
            .query_row("SELECT retry_at FROM parked WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(at.and_then(|s| ts(&s)).filter(|t| *t > now))
    }

    /// Add one pass's tally to the source's health record.
    pub fn record_source_pass(
        &self,
        source: &str,
        tally: &SourcePassTally,
        now: Timestamp,
        stale_after_secs: u64,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        source_pass_tx(&tx, source, tally, now, stale_after_secs)?;
        tx.commit()?;
        Ok(())
    }

    /// Add failures found after the crawl (an attachment the parse stage could not read:
    /// `bad-attachment`, `no-text` …) to the source's health record.
    pub fn add_source_failures(&self, source: &str, reasons: &[&str]) -> Result<()> {
        if reasons.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        source_failures_tx(&tx, source, reasons)?;
        tx.commit()?;
        Ok(())
    }

    /// Apply `effects` once for the message `id`, in one transaction with the record that it was
    /// applied: a message delivered again (its acknowledgement lost to a crash) changes nothing.
    /// Returns false when `id` was applied before. Records older than [`APPLIED_KEPT_DAYS`] are
    /// dropped, far beyond any redelivery.
    pub fn apply_once(&self, id: &str, effects: &[Once<'_>]) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = Utc::now();
        let fresh = tx.execute(
            "INSERT OR IGNORE INTO applied (id, at) VALUES (?1, ?2)",
            params![id, now.to_rfc3339()],
        )? == 1;
        if fresh {
            for e in effects {
                match e {
                    Once::SourcePass {
                        source,
                        tally,
                        at,
                        stale_after_secs,
                    } => source_pass_tx(&tx, source, tally, *at, *stale_after_secs)?,
                    Once::SourceFailures { source, reasons } => {
                        if !reasons.is_empty() {
                            source_failures_tx(&tx, source, reasons)?;
                        }
                    }
                    Once::AddToMeta { key, by } => {
                        let n: u64 = tx
                            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
                                r.get::<_, String>(0)
                            })
                            .optional()?
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        tx.execute(
                            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                            params![key, n.saturating_add(*by).to_string()],
                        )?;
                    }
                }
            }
        }
        let cutoff = now - chrono::Duration::days(APPLIED_KEPT_DAYS);
        tx.execute("DELETE FROM applied WHERE at < ?1", [cutoff.to_rfc3339()])?;
        tx.commit()?;
        Ok(fresh)
    }

    /// The days each source was down, oldest first per source: runs of days whose passes all
    /// failed (days without a pass inside a run belong to it: nothing came then either), and, for
    /// a source stale at `now`, the days from its last success (or first attempt) to `now`.
    pub fn source_outages(&self, now: Timestamp) -> Result<Vec<SourceOutage>> {
        let mut days: BTreeMap<String, Vec<(chrono::NaiveDate, bool)>> = BTreeMap::new();
        {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT source, day, passes, successes FROM source_days ORDER BY source, day",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?;
            for row in rows {
                let (source, day, passes, ok) = row?;
                if let Ok(d) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    && passes > 0
                {
                    days.entry(source).or_default().push((d, ok > 0));
                }
            }
        }
        let mut out = Vec::new();
        for (source, list) in &days {
            let mut run: Option<(chrono::NaiveDate, chrono::NaiveDate)> = None;
            for &(d, ok) in list {
                match (ok, run) {
                    (false, None) => run = Some((d, d)),
                    (false, Some((a, _))) => run = Some((a, d)),
                    (true, Some((a, b))) => {
                        out.push(SourceOutage {
                            source: source.clone(),
                            from: a,
                            to: b,
                            reason: "failing".into(),
                        });
                        run = None;
                    }
                    (true, None) => {}
                }
            }
            if let Some((a, b)) = run {
                out.push(SourceOutage {
                    source: source.clone(),
                    from: a,
                    to: b,
                    reason: "failing".into(),
                });
            }
        }
        for h in self.source_health()? {
            if !h.is_stale(now) {
                continue;
            }
            let since = h.last_success.unwrap_or(h.first_attempt);
            let from = crate::model::china_day(since)
                .succ_opt()
                .unwrap_or_default();
            let to = crate::model::china_day(now);
            if from <= to {
                out.push(SourceOutage {
                    source: h.source.clone(),
                    from,
                    to,
                    reason: "stale".into(),
                });
            }
        }
        Ok(out)
    }

    /// The publishers (a signal's `source`) of a source's documents that made signals.
    pub fn publishers_of(&self, source: &str) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT DISTINCT json_extract(s.json, '$.source') FROM signals s
             JOIN documents d ON d.id = s.doc_id WHERE d.source = ?1",
        )?;
        let rows = stmt.query_map([source], |r| r.get::<_, Option<String>>(0))?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(p) = row? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Every source's health record, by name.
    pub fn source_health(&self) -> Result<Vec<SourceHealth>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT h.source, h.first_attempt, h.last_attempt, h.last_success, h.stale_after_secs,
                    h.fetched, h.not_modified, h.bytes, h.parked_total, h.failed,
                    (SELECT COUNT(*) FROM parked p WHERE p.source = h.source)
             FROM source_health h ORDER BY h.source",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
                [
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, i64>(10)?,
                ],
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (source, first, last, success, stale, [f, nm, b, pt, pn], failed) = row?;
            let epoch = DateTime::<Utc>::UNIX_EPOCH;
            out.push(SourceHealth {
                source,
                first_attempt: ts(&first).unwrap_or(epoch),
                last_attempt: ts(&last).unwrap_or(epoch),
                last_success: success.as_deref().and_then(ts),
                stale_after_secs: count(stale),
                fetched: count(f),
                not_modified: count(nm),
                bytes: count(b),
                parked_total: count(pt),
                parked_now: count(pn),
                failed: serde_json::from_str(&failed)?,
            });
        }
        Ok(out)
    }
}

/// A source's failure counts by reason, as its health record holds them (none yet: empty).
fn source_pass_tx(
    tx: &rusqlite::Transaction,
    source: &str,
    tally: &SourcePassTally,
    now: Timestamp,
    stale_after_secs: u64,
) -> Result<()> {
    let mut failed = failed_counts(tx, source)?;
    for (k, v) in &tally.failed {
        *failed.entry(k.clone()).or_default() += v;
    }
    let now_s = now.to_rfc3339();
    let success = tally.success.then(|| now_s.clone());
    let big = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.execute(
        "INSERT INTO source_health (source, first_attempt, last_attempt, last_success,
           stale_after_secs, fetched, not_modified, bytes, parked_total, failed)
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(source) DO UPDATE SET last_attempt = excluded.last_attempt,
           last_success = COALESCE(excluded.last_success, source_health.last_success),
           stale_after_secs = excluded.stale_after_secs,
           fetched = source_health.fetched + excluded.fetched,
           not_modified = source_health.not_modified + excluded.not_modified,
           bytes = source_health.bytes + excluded.bytes,
           parked_total = source_health.parked_total + excluded.parked_total,
           failed = excluded.failed",
        params![
            source,
            now_s,
            success,
            big(stale_after_secs),
            big(tally.fetched),
            big(tally.not_modified),
            big(tally.bytes),
            big(tally.parked),
            serde_json::to_string(&failed)?
        ],
    )?;
    // The pass by day, so scoring can tell the days a source was down.
    tx.execute(
        "INSERT INTO source_days (source, day, passes, successes) VALUES (?1, ?2, 1, ?3)
         ON CONFLICT(source, day) DO UPDATE SET passes = source_days.passes + 1,
           successes = source_days.successes + excluded.successes",
        params![
            source,
            crate::model::china_day(now).to_string(),
            i64::from(tally.success)
        ],
    )?;
    Ok(())
}

fn source_failures_tx(tx: &rusqlite::Transaction, source: &str, reasons: &[&str]) -> Result<()> {
    let mut failed = failed_counts(tx, source)?;
    for r in reasons {
        *failed.entry(r.to_string()).or_default() += 1;
    }
    // A first pass's pages are parsed before the crawler writes the source's record: start it,
    // never stale (the crawler's record sets the real period), so nothing is lost.
    let now = chrono::Utc::now().to_rfc3339();
    tx.execute(
        "INSERT INTO source_health (source, first_attempt, last_attempt, last_success,
           stale_after_secs, fetched, not_modified, bytes, parked_total, failed)
         VALUES (?1, ?2, ?2, NULL, ?3, 0, 0, 0, 0, ?4)
         ON CONFLICT(source) DO UPDATE SET failed = excluded.failed",
        params![source, now, i64::MAX, serde_json::to_string(&failed)?],
    )?;
    Ok(())
}

fn failed_counts(tx: &rusqlite::Transaction, source: &str) -> Result<BTreeMap<String, u64>> {
    let failed: Option<String> = tx
        .query_row(
            "SELECT failed FROM source_health WHERE source = ?1",
            [source],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match failed {
        Some(f) => serde_json::from_str(&f)?,
        None => BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parking_counts_attempts_and_unparks() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let now = Utc::now();
        let later = now + chrono::Duration::hours(1);
        assert_eq!(s.parked_attempts("http://a/1").unwrap(), 0);
        s.park("http://a/1", "a", "http-500", now, later).unwrap();
        s.park("http://a/1", "a", "timeout", now, later).unwrap();
        s.park("http://b/1", "b", "disconnect", now, now).unwrap();
        assert_eq!(s.parked_attempts("http://a/1").unwrap(), 2);
        let a = s.parked(Some("a")).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!((a[0].reason.as_str(), a[0].attempts), ("timeout", 2));
        assert_eq!(s.parked(None).unwrap().len(), 2);
        assert!(s.parked_until("http://a/1", now).unwrap().is_some());
        assert!(s.parked_until("http://b/1", now).unwrap().is_none());
        s.unpark("http://a/1").unwrap();
        assert!(s.parked(Some("a")).unwrap().is_empty());
    }

    #[test]
    fn a_message_applied_again_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let tally = SourcePassTally {
            fetched: 4,
            success: true,
            ..Default::default()
        };
        let now = Utc::now();
        let effects = |reasons: &'static [&'static str]| {
            [
                Once::SourcePass {
                    source: "gov",
                    tally: &tally,
                    at: now,
                    stale_after_secs: 3600,
                },
                Once::SourceFailures {
                    source: "gov",
                    reasons,
                },
                Once::AddToMeta {
                    key: "poison.fetched.panic",
                    by: 1,
                },
            ]
        };
        assert!(
            s.apply_once("7:tally-1-gov", &effects(&["no-text"]))
                .unwrap()
        );
        // Delivered again: nothing added.
        assert!(
            !s.apply_once("7:tally-1-gov", &effects(&["no-text"]))
                .unwrap()
        );
        let h = &s.source_health().unwrap()[0];
        assert_eq!(h.fetched, 4);
        assert_eq!(h.failed.get("no-text"), Some(&1));
        assert_eq!(
            s.meta("poison.fetched.panic").unwrap().as_deref(),
            Some("1")
        );
        // Another message adds.
        assert!(s.apply_once("8:tally-2-gov", &effects(&[])).unwrap());
        let h = &s.source_health().unwrap()[0];
        assert_eq!((h.fetched, h.failed.get("no-text")), (8, Some(&1)));
        assert_eq!(
            s.meta("poison.fetched.panic").unwrap().as_deref(),
            Some("2")
        );
        // Records past the kept days are dropped on the next apply.
        let old = (now - chrono::Duration::days(APPLIED_KEPT_DAYS + 1)).to_rfc3339();
        s.conn()
            .execute(
                "UPDATE applied SET at = ?1 WHERE id = '7:tally-1-gov'",
                [old],
            )
            .unwrap();
        s.apply_once("9:x", &[]).unwrap();
        let left: i64 = s
            .conn()
            .query_row("SELECT COUNT(*) FROM applied", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 2);
    }

    #[test]
    fn source_health_accumulates_and_judges_staleness() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let t0 = Utc::now();
        let ok = SourcePassTally {
            fetched: 3,
            bytes: 100,
            success: true,
            failed: BTreeMap::from([("http-404".to_string(), 1)]),
            ..Default::default()
        };
        s.record_source_pass("gov", &ok, t0, 3600).unwrap();
        let bad = SourcePassTally {
            failed: BTreeMap::from([("http-404".to_string(), 2), ("timeout".to_string(), 1)]),
            parked: 1,
            ..Default::default()
        };
        let t1 = t0 + chrono::Duration::minutes(30);
        s.record_source_pass("gov", &bad, t1, 3600).unwrap();
        s.park("http://gov/x", "gov", "timeout", t1, t1).unwrap();
        let h = s.source_health().unwrap().remove(0);
        assert_eq!(
            (h.fetched, h.bytes, h.parked_total, h.parked_now),
            (3, 100, 1, 1)
        );
        assert_eq!(h.failed.get("http-404"), Some(&3));
        assert_eq!(h.last_success.map(|t| t.timestamp()), Some(t0.timestamp()));
        assert_eq!(h.last_attempt.timestamp(), t1.timestamp());
        assert!(!h.is_stale(t0 + chrono::Duration::minutes(59)));
        assert!(h.is_stale(t0 + chrono::Duration::minutes(61)));
    }

    #[test]
    fn failing_days_and_staleness_become_outages() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let ok = SourcePassTally {
            success: true,
            ..Default::default()
        };
        let bad = SourcePassTally::default();
        // Noon in Beijing on 2026-03-d.
        let at = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 3, d)
                .unwrap()
                .and_hms_opt(4, 0, 0)
                .unwrap()
                .and_utc()
        };
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        s.record_source_pass("tousu", &ok, at(1), 86_400 * 3)
            .unwrap();
        // Failing on the 2nd and 4th (nothing on the 3rd), a failed and a good pass on the 5th.
        for d in [2, 4, 5] {
            s.record_source_pass("tousu", &bad, at(d), 86_400 * 3)
                .unwrap();
        }
        s.record_source_pass("tousu", &ok, at(5), 86_400 * 3)
            .unwrap();
        // Another source failing since the 8th, stale by the 12th.
        s.record_source_pass("gov", &ok, at(7), 86_400 * 2).unwrap();
        for d in 8..=10 {
            s.record_source_pass("gov", &bad, at(d), 86_400 * 2)
                .unwrap();
        }
        let got = s.source_outages(at(12)).unwrap();
        let brief: Vec<(&str, chrono::NaiveDate, chrono::NaiveDate, &str)> = got
            .iter()
            .map(|o| (o.source.as_str(), o.from, o.to, o.reason.as_str()))
            .collect();
        assert_eq!(
            brief,
            vec![
                ("gov", day(8), day(10), "failing"),
                ("tousu", day(2), day(4), "failing"),
                ("gov", day(8), day(12), "stale"),
                // Its last success (the 5th) is more than three days before the 12th.
                ("tousu", day(6), day(12), "stale"),
            ]
        );
    }
}
