//! Embedded state in SQLite (`state.sqlite`): crawl seen-set and validators, document metadata,
//! near-duplicate clusters, signals, alerts, sampling requests and sampling history.
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

mod crawl_state;
pub use crawl_state::{ParkedUrl, SourceHealth, SourcePassTally};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("state database: bad stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What the crawler remembers of a fetched URL.
#[derive(Debug, Clone, Default, PartialEq)]
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
    cluster TEXT NOT NULL
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
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

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

/// Handle to `state.sqlite`; cheap to clone, shareable across threads.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<rusqlite::Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        let conn = rusqlite::Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (url, source) in urls {
            tx.execute(
                "INSERT INTO pages (url, source, status, record_id, processed) VALUES (?1, ?2, 200, '', 1)
                 ON CONFLICT(url) DO UPDATE SET processed = 1",
                params![url, source],
            )?;
        }
        tx.commit()?;
        Ok(())
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO documents (id, source, kind, url, title, published, cluster, is_signal, reason, extraction, fingerprint)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
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
            ],
        )?;
        tx.execute("DELETE FROM signals WHERE doc_id = ?1", [&doc.id])?;
        for (seq, s) in signals.iter().enumerate() {
            tx.execute(
                "INSERT INTO signals (doc_id, seq, day, category, json) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![s.doc_id, seq as i64, s.day().to_string(), s.category, serde_json::to_string(s)?],
            )?;
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

    /// Is this document stored with exactly this content ([`fingerprint`])?
    pub fn unchanged(&self, doc: &Document) -> Result<bool> {
        let stored: Option<String> = self
            .conn()
            .query_row(
                "SELECT fingerprint FROM documents WHERE id = ?1",
                [&doc.id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(stored.is_some_and(|s| s == fingerprint(doc).unwrap_or_default()))
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

    /// Near-duplicate cluster entries (doc id, shingle sketch, cluster id), in insertion order.
    pub fn clusters(&self) -> Result<Vec<(String, Vec<u32>, String)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT doc_id, sketch, cluster FROM clusters ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| {
            let blob: Vec<u8> = r.get(1)?;
            let sketch = blob
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            Ok((r.get::<_, String>(0)?, sketch, r.get::<_, String>(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn put_clusters(&self, entries: &[(String, Vec<u32>, String)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (doc_id, sketch, cluster) in entries {
            let blob: Vec<u8> = sketch.iter().flat_map(|h| h.to_le_bytes()).collect();
            tx.execute(
                "INSERT OR REPLACE INTO clusters (doc_id, sketch, cluster) VALUES (?1, ?2, ?3)",
                params![doc_id, blob, cluster],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replace the current alerts and sampling requests with a scoring run's. An alert keeps its
    /// earliest `first_seen` and its acknowledgement across runs.
    pub fn put_alerts(&self, alerts: &[Alert], sampling: &[SamplingRequest]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut kept = Vec::with_capacity(alerts.len());
        for a in alerts {
            let old: Option<(String, bool)> = tx
                .query_row(
                    "SELECT json, acknowledged FROM alerts WHERE id = ?1",
                    [&a.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let mut a = a.clone();
            let mut ack = false;
            if let Some((json, acknowledged)) = old {
                let prev: Alert = serde_json::from_str(&json)?;
                a.first_seen = a.first_seen.min(prev.first_seen);
                ack = acknowledged;
            }
            kept.push((a, ack));
        }
        tx.execute("DELETE FROM alerts", [])?;
        for (rank, (a, ack)) in kept.iter().enumerate() {
            tx.execute(
                "INSERT INTO alerts (id, rank, json, acknowledged) VALUES (?1, ?2, ?3, ?4)",
                params![a.id, rank as i64, serde_json::to_string(a)?, ack],
            )?;
        }
        tx.execute("DELETE FROM sampling_requests", [])?;
        for s in sampling {
            tx.execute(
                "INSERT OR REPLACE INTO sampling_requests (alert_id, json) VALUES (?1, ?2)",
                params![s.alert_id, serde_json::to_string(s)?],
            )?;
        }
        tx.commit()?;
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
    pub fn acknowledge(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .execute("UPDATE alerts SET acknowledged = 1 WHERE id = ?1", [id])?
            > 0)
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

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }
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
            doc_id: id.into(),
            kind: DocKind::Complaint,
            categories: vec!["移动电源".into()],
            hazards: vec![],
            regions: vec![],
            parties: Parties::default(),
            standards: vec![],
            vulnerable: vec![],
            findings: vec![],
            is_signal: true,
            reason: None,
            cluster: id.into(),
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
        }
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
        assert!(store.acknowledge("x").unwrap());
        assert!(!store.acknowledge("nope").unwrap());
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
            ("a".to_string(), vec![u32::MAX, 0, 7], "a".to_string()),
            ("b".into(), vec![], "a".into()),
        ];
        store.put_clusters(&entries).unwrap();
        assert_eq!(store.clusters().unwrap(), entries);
    }
}
