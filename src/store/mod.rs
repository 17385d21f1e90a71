//! Embedded state in SQLite (`state.sqlite`): crawl seen-set and validators, document metadata,
//! near-duplicate clusters, signals, alerts, sampling requests and sampling history, and for the
//! market stage the records of listings and notices and the on-sale findings (`market.rs`).
//!
//! Every write is keyed (URL, document id, alert id) and idempotent, so a crash and a replay never
//! count anything twice: a document's signals are replaced in one transaction with its metadata.
//! WAL mode with `synchronous=NORMAL` survives a process kill (kill -9) without losing committed
//! transactions. The connection sits behind a mutex; every call is short.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use crate::model::{Alert, Document, Extraction, SamplingRequest, Signal, Timestamp};

pub mod audit;
pub mod columnar;
mod crawl_state;
mod inspections;
mod market;
mod parquet_check;
mod parties;
pub mod review;
pub mod signal_read;
pub mod signals;
mod warnings;
mod watch;
pub use audit::{Actor, AuditEntry};
pub use crawl_state::{APPLIED_KEPT_DAYS, Once, ParkedUrl, SourceHealth, SourcePassTally};
pub use inspections::InspectionQuery;
pub use market::{RECORD_KINDS, RECORD_TEXT};
pub use review::{TriageRow, UserRow, token_digest};
pub use watch::{
    AlertEvent, DocumentEvent, Mode, NewMessage, NotifySummary, OutboxRow, StoredRule, WatchRule,
    Webhook,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("state database {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("state database: bad stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// State kept on a server (the crawl state in a NATS key-value bucket).
    #[error("shared crawl state: {0}")]
    Remote(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

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

/// A document as the store lists it (the index holds the full text).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocumentRow {
    pub id: String,
    pub source: String,
    pub kind: String,
    pub url: String,
    pub title: String,
    pub published: Option<String>,
    pub cluster: String,
    pub is_signal: bool,
    pub reason: Option<String>,
}

const SCHEMA: &str = r#"
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
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    cluster TEXT NOT NULL,
    is_signal INTEGER NOT NULL,
    reason TEXT,
    fingerprint TEXT NOT NULL DEFAULT '',
    extraction TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signals (
    doc_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    day TEXT NOT NULL,
    category TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX IF NOT EXISTS signals_day ON signals(day);
CREATE TABLE IF NOT EXISTS clusters (
    doc_id TEXT PRIMARY KEY,
    sketch BLOB NOT NULL,
    cluster TEXT NOT NULL,
    fields BLOB NOT NULL DEFAULT x''
);
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    rank INTEGER NOT NULL,
    json TEXT NOT NULL,
    acknowledged INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sampling_requests (
    alert_id TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sampling_history (
    party TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    sampled_on TEXT NOT NULL,
    PRIMARY KEY (party, alert_id, sampled_on)
);
CREATE TABLE IF NOT EXISTS alert_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL,
    level INTEGER NOT NULL,
    score REAL NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_history_alert ON alert_history(alert_id, seq);
CREATE TABLE IF NOT EXISTS acknowledgements (
    alert_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inspection_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    batch TEXT NOT NULL,
    party TEXT NOT NULL,
    item TEXT NOT NULL,
    passed INTEGER NOT NULL,
    note TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inspection_results_alert ON inspection_results(alert_id, id);
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
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applied (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applied_at ON applied(at);
"#;

/// What the store keeps of a document to tell whether it changed and whose it is.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDoc {
    pub fingerprint: String,
    /// The source that owns it.
    pub source: String,
}

impl StoredDoc {
    /// Is there nothing new in `doc` against this stored one (see [`Store::unchanged`])?
    pub fn unchanged(&self, doc: &Document) -> bool {
        owns_before(&self.source, &doc.source)
            || (self.source == doc.source
                && self.fingerprint == fingerprint(doc).unwrap_or_default())
    }
}

/// A document's content fingerprint: what the source said (title, text, date, fields, rows), not
/// when it was fetched, so a re-fetched unchanged page is recognised.
pub fn fingerprint(doc: &Document) -> Result<String> {
    let content = serde_json::to_string(&(
        &doc.title,
        &doc.text,
        &doc.published_at,
        &doc.fields,
        &doc.rows,
        &doc.url,
    ))?;
    Ok(crate::model::doc_id(&content))
}

/// One change of one alert, as the alert's history and the live event stream show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlertChange {
    /// Increasing over the whole store: the event id of the live stream.
    pub seq: i64,
    pub alert_id: String,
    pub at: Timestamp,
    /// `new`, `escalated`, `deescalated`, `updated` (same level, other evidence or score), `closed`
    /// (no longer raised by scoring), `acknowledged`, `inspection`.
    pub change: String,
    pub level: u8,
    pub score: f64,
    pub note: String,
}

/// The monitoring centre's acknowledgement of an alert (cleared when the alert escalates).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Acknowledgement {
    pub alert_id: String,
    pub at: Timestamp,
    pub note: String,
}

/// One inspected batch of a sampling request: pass or fail.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InspectionResult {
    pub alert_id: String,
    /// The batch's label (sample number).
    pub batch: String,
    /// The shop, brand or enterprise the batch came from (recorded in the sampling history).
    pub party: String,
    /// Test item that decided the result, when given.
    pub item: String,
    pub passed: bool,
    pub note: String,
    pub inspected_on: NaiveDate,
}

/// Capacity of the change notification channel; a slow listener that lags re-reads the store.
const CHANGE_CHANNEL: usize = 64;

/// Handle to `state.sqlite`; cheap to clone, shareable across threads.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<rusqlite::Connection>>,
    /// Wakes listeners (the SSE stream) with the newest [`AlertChange::seq`] after each write of
    /// alert changes. The table is the truth; the channel only says "look again".
    changes: tokio::sync::broadcast::Sender<i64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        let conn = rusqlite::Connection::open(path)?;
        // The busy timeout comes first: switching to WAL takes a lock, and without a timeout a
        // second process opening the same file at that moment (a sink worker and `jiance status`)
        // fails at once with "database is locked" instead of waiting its turn.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        add_cluster_fields(&conn)?;
        conn.execute_batch(market::SCHEMA)?;
        conn.execute_batch(inspections::SCHEMA)?;
        conn.execute_batch(review::REVIEW_SCHEMA)?;
        conn.execute_batch(watch::SCHEMA)?;
        conn.execute_batch(audit::SCHEMA)?;
        conn.execute_batch(warnings::SCHEMA)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            changes: tokio::sync::broadcast::channel(CHANGE_CHANNEL).0,
        })
    }

    /// Let SQLite cache up to `mib` MiB of pages (its default is 2 MiB). A rerun writes batches
    /// of 20,000 documents in one transaction: with the default cache, pages spilled to the
    /// log mid-transaction and were read back for the next insert.
    pub fn set_cache_mib(&self, mib: u32) -> Result<()> {
        let kib = i64::from(mib) * 1024;
        self.conn().pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// Write this store as a scratch copy that is thrown away if the process dies: one
    /// connection holds the file for its whole life (no file lock or shared-memory lock taken per
    /// statement, which cost a rerun's sink a fifth of its time), pages are written once into the
    /// database file instead of to the log and again at each checkpoint, and nothing is synced
    /// until [`Store::sync`]. Only for a store built in a staging directory that a crash
    /// discards, as a rerun's is; no other connection may open the file meanwhile.
    pub fn set_scratch(&self) -> Result<()> {
        let conn = self.conn();
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        // the rollback journal kept in memory: a failed transaction still rolls back
        conn.pragma_update(None, "journal_mode", "MEMORY")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        Ok(())
    }

    /// Make everything written so far durable and the file an ordinary store again (what
    /// [`Store::set_scratch`] set aside): back to the write-ahead log, then the file synced.
    pub fn sync(&self) -> Result<()> {
        let conn = self.conn();
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        if let Some(path) = conn.path().filter(|p| !p.is_empty()) {
            std::fs::File::open(path)
                .and_then(|f| f.sync_all())
                .map_err(|source| StoreError::Io {
                    path: path.to_string(),
                    source,
                })?;
        }
        Ok(())
    }

    fn conn(&self) -> MutexGuard<'_, rusqlite::Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

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

    /// Document metadata and its signals, replacing any earlier version of the same document
    /// in one transaction (so a re-fetched page never leaves stale or doubled signals).
    pub fn put_document(&self, doc: &Document, ex: &Extraction, signals: &[Signal]) -> Result<()> {
        self.put_batch(&[(doc, ex, signals)], &[])
    }

    /// Store documents with their signals and mark their pages processed, in one transaction:
    /// the sink calls this right after the index commit that holds the same documents, so a
    /// crash leaves either both or a page that is fetched again — never a stored document the
    /// index lacks (which a re-fetch would find unchanged and skip).
    pub fn put_batch(
        &self,
        docs: &[(&Document, &Extraction, &[Signal])],
        processed: &[(String, String)],
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (doc, ex, signals) in docs {
            put_document_in(&tx, doc, ex, signals)?;
        }
        for (url, source) in processed {
            tx.prepare_cached(
                "INSERT INTO pages (url, source, status, record_id, processed) VALUES (?1, ?2, 200, '', 1)
                 ON CONFLICT(url) DO UPDATE SET processed = 1",
            )?
            .execute(params![url, source])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Documents stored but missing from the index (left by a crash of an older version between
    /// its store write and its index commit): forget their fingerprints and mark their pages
    /// unprocessed, so the next crawl fetches and analyses them again instead of skipping them
    /// as unchanged.
    pub fn forget_unindexed(&self, ids: &[String]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE pages SET processed = 0 WHERE url IN (SELECT url FROM documents WHERE id = ?1)",
                [id],
            )?;
            tx.execute("UPDATE documents SET fingerprint = '' WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every signal, ordered by time then document (a stable order for scoring).
    pub fn signals(&self) -> Result<Vec<Signal>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT json FROM signals ORDER BY day, doc_id, seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }

    /// Metadata of these documents, in the given order (alert evidence); unknown ids are skipped.
    pub fn documents(&self, ids: &[String]) -> Result<Vec<DocumentRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, source, kind, url, title, published, cluster, is_signal, reason FROM documents WHERE id = ?1",
        )?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(row) = stmt
                .query_row([id], |r| {
                    Ok(DocumentRow {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        kind: r.get(2)?,
                        url: r.get(3)?,
                        title: r.get(4)?,
                        published: r.get(5)?,
                        cluster: r.get(6)?,
                        is_signal: r.get(7)?,
                        reason: r.get(8)?,
                    })
                })
                .optional()?
            {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Is there nothing new in this document: stored with exactly this content ([`fingerprint`])
    /// by the same source, or owned by a source that comes first ([`owns_before`])?
    pub fn unchanged(&self, doc: &Document) -> Result<bool> {
        Ok(self
            .stored(&doc.id)?
            .is_some_and(|stored| stored.unchanged(doc)))
    }

    /// The stored fingerprint and owner of a document, if it is stored.
    pub fn stored(&self, id: &str) -> Result<Option<StoredDoc>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT fingerprint, source FROM documents WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(StoredDoc {
                    fingerprint: r.get(0)?,
                    source: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// The source a stored document belongs to.
    pub fn owner(&self, id: &str) -> Result<Option<String>> {
        Ok(self.stored(id)?.map(|s| s.source))
    }

    /// Every document id, in id order.
    pub fn document_ids(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id FROM documents ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The stored extraction of a document.
    pub fn extraction(&self, id: &str) -> Result<Option<Extraction>> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT extraction FROM documents WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(Into::into)
    }

    /// Near-duplicate cluster entries (doc id, shingle sketch, cluster id, the fields that tell
    /// a story from a template's other uses), in insertion order.
    pub fn clusters(&self) -> Result<Vec<ClusterRow>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT doc_id, sketch, cluster, fields FROM clusters ORDER BY rowid")?;
        let rows = stmt.query_map([], cluster_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The `limit` most recently stored cluster entries, oldest first: what a windowed
    /// near-duplicate index starts from.
    pub fn latest_clusters(&self, limit: usize) -> Result<Vec<ClusterRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT doc_id, sketch, cluster, fields FROM clusters ORDER BY rowid DESC LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt
            .query_map([limit], cluster_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.reverse();
        Ok(rows)
    }

    /// The stored cluster entry of one document, if any.
    pub fn cluster_of(&self, doc_id: &str) -> Result<Option<ClusterRow>> {
        // asked for every document the sink accepts: the statement is kept, not prepared per call
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT doc_id, sketch, cluster, fields FROM clusters WHERE doc_id = ?1",
            )?
            .query_row([doc_id], cluster_row)
            .optional()?)
    }

    pub fn put_clusters(&self, entries: &[ClusterRow]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            // one statement for the batch (the sink writes every document's entry), not one
            // prepared again per row
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO clusters (doc_id, sketch, cluster, fields) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let (mut blob, mut fblob): (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
            for (doc_id, sketch, cluster, fields) in entries {
                blob.clear();
                blob.extend(sketch.iter().flat_map(|h| h.to_le_bytes()));
                fblob.clear();
                fblob.extend(fields.iter().flat_map(|h| h.to_le_bytes()));
                insert.execute(params![doc_id, blob, cluster, fblob])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Replace the current alerts and sampling requests with a scoring run's. An alert keeps its
    /// earliest `first_seen` and its acknowledgement across runs, unless it escalates (then it
    /// needs attention again). Each alert's change against the previous run (new, escalated,
    /// deescalated, updated, closed) is appended to its history; an unchanged alert adds nothing.
    pub fn put_alerts(&self, alerts: &[Alert], sampling: &[SamplingRequest]) -> Result<()> {
        let now = chrono::Utc::now().to_rfc3339();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut previous: std::collections::HashMap<String, Alert> = Default::default();
        {
            let mut stmt = tx.prepare("SELECT json FROM alerts")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                let a: Alert = serde_json::from_str(&row?)?;
                previous.insert(a.id.clone(), a);
            }
        }
        let mut kept = Vec::with_capacity(alerts.len());
        let mut changes: Vec<(String, &'static str, u8, f64, String)> = Vec::new();
        for a in alerts {
            let acknowledged: bool = tx
                .query_row(
                    "SELECT acknowledged FROM alerts WHERE id = ?1",
                    [&a.id],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(false);
            let mut a = a.clone();
            let mut ack = acknowledged;
            match previous.remove(&a.id) {
                None => changes.push((a.id.clone(), "new", a.level, a.score, a.summary.clone())),
                Some(prev) => {
                    a.first_seen = a.first_seen.min(prev.first_seen);
                    let change = if a.level > prev.level {
                        ack = false;
                        Some("escalated")
                    } else if a.level < prev.level {
                        Some("deescalated")
                    } else if a.evidence.len() != prev.evidence.len()
                        || a.action != prev.action
                        || a.regions != prev.regions
                    {
                        Some("updated")
                    } else {
                        None
                    };
                    if let Some(c) = change {
                        let note = format!(
                            "等级 {} → {}，证据 {} → {} 篇",
                            prev.level,
                            a.level,
                            prev.evidence.len(),
                            a.evidence.len()
                        );
                        changes.push((a.id.clone(), c, a.level, a.score, note));
                    }
                }
            }
            kept.push((a, ack));
        }
        let mut closed: Vec<Alert> = previous.into_values().collect();
        closed.sort_by(|a, b| a.id.cmp(&b.id));
        tx.execute("DELETE FROM alerts", [])?;
        for (rank, (a, ack)) in kept.iter().enumerate() {
            tx.execute(
                "INSERT INTO alerts (id, rank, json, acknowledged) VALUES (?1, ?2, ?3, ?4)",
                params![a.id, rank as i64, serde_json::to_string(a)?, ack],
            )?;
            if !ack {
                tx.execute("DELETE FROM acknowledgements WHERE alert_id = ?1", [&a.id])?;
            }
        }
        tx.execute("DELETE FROM sampling_requests", [])?;
        for s in sampling {
            tx.execute(
                "INSERT OR REPLACE INTO sampling_requests (alert_id, json) VALUES (?1, ?2)",
                params![s.alert_id, serde_json::to_string(s)?],
            )?;
        }
        let mut last = None;
        for (id, change, level, score, note) in &changes {
            last = Some(insert_change(&tx, id, &now, change, *level, *score, note)?);
        }
        for a in &closed {
            let note = format!("评分不再提示此风险（原等级 {}）", a.level);
            last = Some(insert_change(
                &tx, &a.id, &now, "closed", a.level, a.score, &note,
            )?);
        }
        tx.commit()?;
        drop(conn);
        if let Some(seq) = last {
            // No listener is not an error.
            let _ = self.changes.send(seq);
        }
        Ok(())
    }

    /// Alerts in the order the last scoring run ranked them.
    pub fn alerts(&self) -> Result<Vec<Alert>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT json FROM alerts ORDER BY rank")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }

    pub fn alert(&self, id: &str) -> Result<Option<Alert>> {
        let json: Option<String> = self
            .conn()
            .query_row("SELECT json FROM alerts WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        json.map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(Into::into)
    }

    /// Mark an alert acknowledged by the monitoring centre; false when there is no such alert.
    pub fn acknowledge(&self, id: &str, by: &Actor) -> Result<bool> {
        Ok(self.acknowledge_with(id, "", by)?.is_some())
    }

    /// Acknowledge an alert with a note (who, what was done); None when there is no such alert.
    /// Acknowledging again replaces the note. Recorded in the alert's history and, with `by`,
    /// in the audit log.
    pub fn acknowledge_with(
        &self,
        id: &str,
        note: &str,
        by: &Actor,
    ) -> Result<Option<Acknowledgement>> {
        let at = chrono::Utc::now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let row: Option<String> = tx
            .query_row("SELECT json FROM alerts WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        let Some(json) = row else {
            return Ok(None);
        };
        let alert: Alert = serde_json::from_str(&json)?;
        tx.execute("UPDATE alerts SET acknowledged = 1 WHERE id = ?1", [id])?;
        tx.execute(
            "INSERT OR REPLACE INTO acknowledgements (alert_id, at, note) VALUES (?1, ?2, ?3)",
            params![id, at.to_rfc3339(), note],
        )?;
        let seq = insert_change(
            &tx,
            id,
            &at.to_rfc3339(),
            "acknowledged",
            alert.level,
            alert.score,
            note,
        )?;
        audit::record(&tx, by, "acknowledge", &format!("alert:{id}"), note)?;
        tx.commit()?;
        drop(conn);
        let _ = self.changes.send(seq);
        Ok(Some(Acknowledgement {
            alert_id: id.to_string(),
            at,
            note: note.to_string(),
        }))
    }

    /// Current acknowledgements by alert id.
    pub fn acknowledgements(&self) -> Result<std::collections::HashMap<String, Acknowledgement>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT k.alert_id, k.at, k.note FROM acknowledgements k JOIN alerts a ON a.id = k.alert_id WHERE a.acknowledged = 1",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (alert_id, at, note) = row?;
            out.insert(
                alert_id.clone(),
                Acknowledgement {
                    alert_id,
                    at: parse_time(&at),
                    note,
                },
            );
        }
        Ok(out)
    }

    /// Record inspected batches of an alert's sampling request in one transaction, add their
    /// parties to the sampling history (so the next requests exclude them), and note the outcome
    /// in the alert's history and, with `by`, in the audit log. None when there is no such alert.
    pub fn put_inspection_results(
        &self,
        alert_id: &str,
        results: &[InspectionResult],
        by: &Actor,
    ) -> Result<Option<AlertChange>> {
        let at = chrono::Utc::now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let row: Option<String> = tx
            .query_row("SELECT json FROM alerts WHERE id = ?1", [alert_id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(json) = row else {
            return Ok(None);
        };
        let alert: Alert = serde_json::from_str(&json)?;
        for r in results {
            tx.execute(
                "INSERT INTO inspection_results (alert_id, batch, party, item, passed, note, inspected_on, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![alert_id, r.batch, r.party, r.item, r.passed, r.note, r.inspected_on.to_string(), at.to_rfc3339()],
            )?;
            if !r.party.is_empty() {
                tx.execute(
                    "INSERT OR IGNORE INTO sampling_history (party, alert_id, sampled_on) VALUES (?1, ?2, ?3)",
                    params![r.party, alert_id, r.inspected_on.to_string()],
                )?;
            }
        }
        let failed = results.iter().filter(|r| !r.passed).count();
        let note = format!("抽检 {} 批次，不合格 {} 批次", results.len(), failed);
        let seq = insert_change(
            &tx,
            alert_id,
            &at.to_rfc3339(),
            "inspection",
            alert.level,
            alert.score,
            &note,
        )?;
        audit::record(
            &tx,
            by,
            "inspection-results",
            &format!("alert:{alert_id}"),
            &note,
        )?;
        tx.commit()?;
        drop(conn);
        let _ = self.changes.send(seq);
        Ok(Some(AlertChange {
            seq,
            alert_id: alert_id.to_string(),
            at,
            change: "inspection".into(),
            level: alert.level,
            score: alert.score,
            note,
        }))
    }

    /// Inspection results recorded for an alert, in the order they were recorded.
    pub fn inspection_results(&self, alert_id: &str) -> Result<Vec<InspectionResult>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT batch, party, item, passed, note, inspected_on FROM inspection_results WHERE alert_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([alert_id], |r| {
            Ok(InspectionResult {
                alert_id: alert_id.to_string(),
                batch: r.get(0)?,
                party: r.get(1)?,
                item: r.get(2)?,
                passed: r.get(3)?,
                note: r.get(4)?,
                inspected_on: NaiveDate::parse_from_str(&r.get::<_, String>(5)?, "%Y-%m-%d")
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One alert's history, oldest first.
    pub fn alert_history(&self, alert_id: &str) -> Result<Vec<AlertChange>> {
        self.changes_where("alert_id = ?1", &alert_id, i64::MAX)
    }

    /// Changes after `seq` (oldest first, at most `limit`): what a stream listener has not seen.
    pub fn changes_since(&self, seq: i64, limit: usize) -> Result<Vec<AlertChange>> {
        self.changes_where("seq > ?1", &seq, i64::try_from(limit).unwrap_or(i64::MAX))
    }

    /// The newest change's sequence number (0 when none).
    pub fn last_change(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM alert_history", [], |r| {
                r.get(0)
            })?)
    }

    /// Wake-ups after alert changes are written (the value is the newest sequence number).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<i64> {
        self.changes.subscribe()
    }

    fn changes_where(
        &self,
        cond: &str,
        arg: &dyn rusqlite::ToSql,
        limit: i64,
    ) -> Result<Vec<AlertChange>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT seq, alert_id, at, change, level, score, note FROM alert_history WHERE {cond} ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![arg, limit], |r| {
            Ok(AlertChange {
                seq: r.get(0)?,
                alert_id: r.get(1)?,
                at: parse_time(&r.get::<_, String>(2)?),
                change: r.get(3)?,
                level: r.get::<_, i64>(4)?.clamp(0, 255) as u8,
                score: r.get(5)?,
                note: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn sampling_requests(&self) -> Result<Vec<SamplingRequest>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT s.json FROM sampling_requests s LEFT JOIN alerts a ON a.id = s.alert_id ORDER BY a.rank",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }

    pub fn sampling_request(&self, alert_id: &str) -> Result<Option<SamplingRequest>> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT json FROM sampling_requests WHERE alert_id = ?1",
                [alert_id],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(Into::into)
    }

    /// Record that these parties (shops, brands, enterprises) were sampled for an alert.
    pub fn record_sampling(&self, alert_id: &str, parties: &[String], on: NaiveDate) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for p in parties {
            tx.execute(
                "INSERT OR IGNORE INTO sampling_history (party, alert_id, sampled_on) VALUES (?1, ?2, ?3)",
                params![p, alert_id, on.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Shops, brands and enterprises sampled on or after `since`.
    pub fn sampled_parties(&self, since: NaiveDate) -> Result<HashSet<String>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT DISTINCT party FROM sampling_history WHERE sampled_on >= ?1")?;
        let rows = stmt.query_map([since.to_string()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn document_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    pub fn signal_document_count(&self) -> Result<u64> {
        let n: i64 =
            self.conn()
                .query_row("SELECT COUNT(DISTINCT doc_id) FROM signals", [], |r| {
                    r.get(0)
                })?;
        Ok(n.max(0) as u64)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Every meta entry whose key starts with `prefix`, by key.
    pub fn meta_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
        )?;
        let rows = stmt
            .query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
        Ok(rows)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }
}

fn insert_change(
    tx: &rusqlite::Transaction<'_>,
    alert_id: &str,
    at: &str,
    change: &str,
    level: u8,
    score: f64,
    note: &str,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO alert_history (alert_id, at, change, level, score, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![alert_id, at, change, level, score, note],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Times are written by this module as RFC 3339; anything else reads as the epoch.
fn parse_time(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

/// Whether a document held by source `owner` stays with it when source `other` brings the same
/// document (same canonical URL, so the same id): the source whose name sorts first owns it.
/// A site crawled through two faces (its HTML pages and its JSON API) reaches the same items
/// in an order that depends on timing; ownership must not, or a cluster's sources — and an
/// alert's level — would change from run to run.
pub fn owns_before(owner: &str, other: &str) -> bool {
    owner < other
}

/// One document and its signals, replacing any earlier version, inside a transaction.
fn put_document_in(
    tx: &rusqlite::Transaction<'_>,
    doc: &Document,
    ex: &Extraction,
    signals: &[Signal],
) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO documents (id, source, kind, url, title, published, cluster, is_signal, reason, extraction, fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
            doc.id,
            doc.source,
            ex.kind.as_str(),
            doc.url,
            doc.title,
            doc.published_at.map(|t| t.to_rfc3339()),
            ex.cluster,
            ex.is_signal,
            ex.reason,
            serde_json::to_string(ex)?,
            fingerprint(doc)?
        ])?;
    market::put_record_in(tx, doc, ex)?;
    inspections::put_in(tx, doc, ex)?;
    tx.prepare_cached("DELETE FROM signals WHERE doc_id = ?1")?
        .execute([&doc.id])?;
    for (seq, s) in signals.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO signals (doc_id, seq, day, category, json) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            s.doc_id,
            seq as i64,
            s.day().to_string(),
            s.category,
            serde_json::to_string(s)?
        ])?;
    }
    Ok(())
}

/// A near-duplicate cluster entry: document id, sketch, cluster id and the document's fields
/// (the analyzer's stored form; empty when it names none or was stored before fields existed).
pub type ClusterRow = (String, Vec<u32>, String, Vec<u32>);

/// A `clusters` row: document id, sketch and fields (little-endian u32s) and cluster id.
fn cluster_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClusterRow> {
    let words = |blob: Vec<u8>| -> Vec<u32> {
        blob.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    Ok((
        r.get::<_, String>(0)?,
        words(r.get(1)?),
        r.get::<_, String>(2)?,
        words(r.get(3)?),
    ))
}

/// A store made before issue 44 has no `fields` column in `clusters`: it is added (empty, as its
/// entries name no fields), in SQLite's one transactional statement.
fn add_cluster_fields(conn: &rusqlite::Connection) -> Result<()> {
    let has = conn
        .prepare("SELECT 1 FROM pragma_table_info('clusters') WHERE name = 'fields'")?
        .exists([])?;
    if !has {
        conn.execute_batch("ALTER TABLE clusters ADD COLUMN fields BLOB NOT NULL DEFAULT x''")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::{TimeZone, Utc};

    fn doc(id: &str) -> Document {
        Document {
            id: id.into(),
            source: "s".into(),
            channel: Channel::Complaint,
            kind: Some(DocKind::Complaint),
            url: format!("http://x/{id}"),
            title: "充电宝鼓包".into(),
            text: "充电宝充电时鼓包冒烟".into(),
            published_at: Some(Utc.with_ymd_and_hms(2026, 3, 5, 8, 0, 0).unwrap()),
            fetched_at: Utc::now(),
            fields: Default::default(),
            rows: vec![],
            region_hint: None,
            weight: 0.8,
        }
    }

    fn ex(id: &str) -> Extraction {
        Extraction {
            categories: vec!["移动电源".into()],
            is_signal: true,
            ..Extraction::empty(id, DocKind::Complaint)
        }
    }

    fn sig(id: &str, hazard: &str) -> Signal {
        Signal {
            doc_id: id.into(),
            time: Utc.with_ymd_and_hms(2026, 3, 5, 8, 0, 0).unwrap(),
            category: "移动电源".into(),
            hazard: hazard.into(),
            severity: 4,
            province: Some("广东省".into()),
            city: None,
            source: "s".into(),
            channel: Channel::Complaint,
            kind: DocKind::Complaint,
            weight: 0.8,
            cluster: id.into(),
            parties: Parties::default(),
            product: None,
        }
    }

    fn alert(id: &str, first: NaiveDate) -> Alert {
        Alert {
            id: id.into(),
            category: "移动电源".into(),
            hazards: vec!["爆炸".into()],
            scope: Scope::Systemic,
            regions: vec!["全国".into()],
            level: 4,
            action: Action::Sample,
            score: 9.0,
            breakdown: vec![],
            evidence: vec!["a".into()],
            first_seen: first,
            updated: first,
            status: AlertStatus::New,
            summary: String::new(),
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }

    /// The product noun of an unclassified signal is kept in the store; a row stored before
    /// signals had one reads as None.
    #[test]
    fn a_signals_product_noun_is_stored_and_old_rows_read_without_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let mut s = sig("a", "烫伤/烧伤");
        s.category = "未归类".into();
        s.product = Some("暖宫贴".into());
        store
            .put_document(&doc("a"), &ex("a"), &[s.clone()])
            .unwrap();
        // as an earlier version wrote it: no `product` key
        let mut old = serde_json::to_value(sig("b", "爆炸")).unwrap();
        old.as_object_mut().unwrap().remove("product");
        store
            .conn()
            .execute(
                "INSERT INTO signals (doc_id, seq, day, category, json) VALUES ('b', 0, '2026-03-05', '移动电源', ?1)",
                [old.to_string()],
            )
            .unwrap();
        let back = store.signals().unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0], s);
        assert_eq!(back[1].product, None);
        assert_eq!(back[1].doc_id, "b");
    }

    #[test]
    fn replacing_a_document_replaces_its_signals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        store
            .put_document(&doc("a"), &ex("a"), &[sig("a", "爆炸"), sig("a", "火灾")])
            .unwrap();
        store
            .put_document(&doc("a"), &ex("a"), &[sig("a", "爆炸")])
            .unwrap();
        store.put_document(&doc("b"), &ex("b"), &[]).unwrap();
        let s = store.signals().unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].hazard, "爆炸");
        assert_eq!(store.document_count().unwrap(), 2);
        assert_eq!(store.signal_document_count().unwrap(), 1);
        assert_eq!(
            store.extraction("a").unwrap().unwrap().categories,
            vec!["移动电源"]
        );
    }

    #[test]
    fn a_scratch_store_rolls_back_and_is_an_ordinary_store_once_synced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = Store::open(&path).unwrap();
        store.set_scratch().unwrap();
        store.put_document(&doc("a"), &ex("a"), &[]).unwrap();
        // a failed transaction still rolls back: the journal is in memory, not gone
        {
            let mut conn = store.conn();
            let tx = conn.transaction().unwrap();
            tx.execute("DELETE FROM documents", []).unwrap();
            tx.rollback().unwrap();
        }
        assert_eq!(store.document_count().unwrap(), 1);
        store.put_document(&doc("b"), &ex("b"), &[]).unwrap();
        store.sync().unwrap();
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        let again = Store::open(&path).unwrap();
        assert_eq!(again.document_count().unwrap(), 2);
        // and a second connection can read it, as `jiance serve` does on a rerun's output
        let other = Store::open(&path).unwrap();
        assert_eq!(other.document_count().unwrap(), 2);
    }

    #[test]
    fn pages_keep_success_across_later_failures() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let mut rec = PageRecord {
            url: "http://x/1".into(),
            source: "s".into(),
            status: 200,
            record_id: "r1".into(),
            etag: Some("\"e1\"".into()),
            last_modified: None,
            fetched_at: Some(Utc::now()),
        };
        store.record_page(&rec).unwrap();
        assert!(
            !store.page_seen("http://x/1").unwrap(),
            "fetched but not yet committed"
        );
        store
            .mark_processed(&[("http://x/1".into(), "s".into())])
            .unwrap();
        assert!(store.page_seen("http://x/1").unwrap());
        store.record_page(&rec).unwrap();
        assert!(
            store.page_seen("http://x/1").unwrap(),
            "a re-fetch keeps the processed mark"
        );
        rec.status = 500;
        rec.record_id = "r2".into();
        store.record_page(&rec).unwrap();
        let back = store.page("http://x/1").unwrap().unwrap();
        assert_eq!(back.status, 200);
        assert_eq!(back.etag.as_deref(), Some("\"e1\""));
        rec.status = 304;
        rec.etag = None;
        store.record_page(&rec).unwrap();
        assert_eq!(store.page("http://x/1").unwrap().unwrap().record_id, "r1");
        assert!(!store.page_seen("http://x/2").unwrap());
        store.record_alias("http://x/old", "http://x/1").unwrap();
        assert!(
            store.page_seen("http://x/old").unwrap(),
            "a redirect is seen when its target is"
        );
        rec.url = "http://x/2".into();
        rec.status = 404;
        store.record_page(&rec).unwrap();
        assert!(!store.page_seen("http://x/2").unwrap());
    }

    #[test]
    fn alerts_keep_first_seen_and_ack_and_rank() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = Store::open(&path).unwrap();
        let d1 = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let d2 = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        store
            .put_alerts(&[alert("x", d1), alert("y", d1)], &[])
            .unwrap();
        assert!(
            store
                .acknowledge("x", &Actor::new("t", "operator"))
                .unwrap()
        );
        assert!(
            !store
                .acknowledge("nope", &Actor::new("t", "operator"))
                .unwrap()
        );
        store
            .put_alerts(&[alert("y", d2), alert("x", d2)], &[])
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let all = store.alerts().unwrap();
        assert_eq!(
            all.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["y", "x"]
        );
        assert!(all.iter().all(|a| a.first_seen == d1));
    }

    #[test]
    fn sampling_history_filters_by_date() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let old = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let new = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        store.record_sampling("a", &["甲店".into()], old).unwrap();
        store
            .record_sampling("a", &["乙牌".into(), "乙牌".into()], new)
            .unwrap();
        let since = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let got = store.sampled_parties(since).unwrap();
        assert!(got.contains("乙牌") && !got.contains("甲店"));
    }

    #[test]
    fn clusters_round_trip_sketches() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let entries = vec![
            (
                "a".to_string(),
                vec![u32::MAX, 0, 7],
                "a".to_string(),
                vec![1, 0, 9],
            ),
            ("b".into(), vec![], "a".into(), vec![]),
        ];
        store.put_clusters(&entries).unwrap();
        assert_eq!(store.clusters().unwrap(), entries);
    }

    /// A store written before issue 44 (no `fields` column) opens, its entries naming no fields.
    #[test]
    fn a_store_without_cluster_fields_gets_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE clusters (doc_id TEXT PRIMARY KEY, sketch BLOB NOT NULL, cluster TEXT NOT NULL);
                 INSERT INTO clusters VALUES ('a', x'01000000', 'a');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.clusters().unwrap(),
            vec![("a".to_string(), vec![1], "a".to_string(), vec![])]
        );
        drop(store);
        // and opening again finds the column there
        assert_eq!(Store::open(&path).unwrap().clusters().unwrap().len(), 1);
    }

    fn leveled(id: &str, level: u8, evidence: usize) -> Alert {
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        Alert {
            id: id.into(),
            category: "移动电源".into(),
            hazards: vec!["火灾".into()],
            scope: Scope::Regional,
            regions: vec!["广东省".into()],
            level,
            action: Action::Sample,
            score: f64::from(level) * 3.0,
            breakdown: vec![],
            evidence: (0..evidence).map(|i| format!("d{i}")).collect(),
            first_seen: day,
            updated: day,
            status: AlertStatus::New,
            summary: "广东省移动电源鼓包起火投诉增多".into(),
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }

    fn changes(store: &Store, id: &str) -> Vec<String> {
        store
            .alert_history(id)
            .unwrap()
            .into_iter()
            .map(|c| c.change)
            .collect()
    }

    #[test]
    fn scoring_runs_record_changes_and_wake_listeners() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let mut wake = store.subscribe();
        store
            .put_alerts(&[leveled("A", 2, 3), leveled("B", 3, 2)], &[])
            .unwrap();
        assert_eq!(changes(&store, "A"), ["new"]);
        let seq = wake.try_recv().unwrap();
        assert_eq!(seq, store.last_change().unwrap());
        // Unchanged: nothing recorded, nobody woken.
        store
            .put_alerts(&[leveled("A", 2, 3), leveled("B", 3, 2)], &[])
            .unwrap();
        assert_eq!(changes(&store, "A"), ["new"]);
        assert!(wake.try_recv().is_err());
        // Acknowledged, then escalated: the acknowledgement is cleared.
        let ack = store
            .acknowledge_with("A", "已派员核查", &Actor::new("t", "operator"))
            .unwrap()
            .unwrap();
        assert_eq!(ack.note, "已派员核查");
        assert!(
            store
                .acknowledge_with("nope", "", &Actor::new("t", "operator"))
                .unwrap()
                .is_none()
        );
        assert!(store.acknowledgements().unwrap().contains_key("A"));
        store
            .put_alerts(&[leveled("A", 3, 5), leveled("B", 2, 2)], &[])
            .unwrap();
        assert_eq!(changes(&store, "A"), ["new", "acknowledged", "escalated"]);
        assert_eq!(changes(&store, "B"), ["new", "deescalated"]);
        assert!(store.acknowledgements().unwrap().is_empty());
        // More evidence at the same level is an update; a vanished alert is closed.
        store.put_alerts(&[leveled("A", 3, 7)], &[]).unwrap();
        assert_eq!(changes(&store, "A").last().unwrap(), "updated");
        assert_eq!(changes(&store, "B").last().unwrap(), "closed");
        let all = store.changes_since(0, 100).unwrap();
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(
            store.changes_since(all[2].seq, 100).unwrap().len(),
            all.len() - 3
        );
        assert_eq!(store.changes_since(0, 2).unwrap().len(), 2);
    }

    #[test]
    fn inspection_results_go_into_the_sampling_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store.put_alerts(&[leveled("A", 4, 3)], &[]).unwrap();
        let on = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        let result = |batch: &str, party: &str, passed: bool| InspectionResult {
            alert_id: "A".into(),
            batch: batch.into(),
            party: party.into(),
            item: "过充保护".into(),
            passed,
            note: String::new(),
            inspected_on: on,
        };
        let rows = vec![
            result("S-01", "深圳某某科技有限公司", false),
            result("S-02", "", true),
        ];
        let change = store
            .put_inspection_results("A", &rows, &Actor::new("t", "operator"))
            .unwrap()
            .unwrap();
        assert_eq!(change.change, "inspection");
        assert!(change.note.contains("不合格 1"), "{}", change.note);
        assert_eq!(store.inspection_results("A").unwrap(), rows);
        let sampled = store.sampled_parties(on).unwrap();
        assert_eq!(sampled.len(), 1, "blank parties are not recorded");
        assert!(sampled.contains("深圳某某科技有限公司"));
        assert!(
            store
                .put_inspection_results("nope", &rows, &Actor::new("t", "operator"))
                .unwrap()
                .is_none()
        );
        assert!(store.inspection_results("nope").unwrap().is_empty());
    }
}
