//! Embedded state in SQLite (`state.sqlite`): crawl seen-set and validators, document metadata,
//! near-duplicate clusters, signals, alerts, sampling requests and sampling history, and for the
//! market stage the records of listings and notices and the on-sale findings (`market.rs`).
//!
//! One file per table family, each with its tables' schema and its `impl Store` block:
//! `crawl_state.rs` (pages, aliases, parked URLs, source health), `documents.rs` (documents and
//! their signals), `clusters.rs` (near-duplicate clusters), `alerts.rs` (alerts, their history and
//! acknowledgements, sampling requests, inspection results, sampling history), `review.rs`,
//! `watch.rs`, `market.rs`, `audit.rs`. This file holds the handle, opening and the `meta` table.
//!
//! Every write is keyed (URL, document id, alert id) and idempotent, so a crash and a replay never
//! count anything twice: a document's signals are replaced in one transaction with its metadata.
//! WAL mode with `synchronous=NORMAL` survives a process kill (kill -9) without losing committed
//! transactions. The connection sits behind a mutex; every call is short.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{OptionalExtension, params};

use crate::model::Timestamp;

mod alerts;
pub mod audit;
mod clusters;
pub mod columnar;
mod crawl_state;
mod documents;
mod inspections;
mod market;
mod pages;
mod parquet_check;
mod parties;
pub mod review;
pub mod signal_read;
pub mod signals;
mod warnings;
mod watch;
pub use alerts::{Acknowledgement, AlertChange, InspectionResult};
pub use audit::{Actor, AuditEntry};
pub use clusters::ClusterRow;
pub use crawl_state::{
    APPLIED_KEPT_DAYS, Once, PageRecord, ParkedUrl, SourceHealth, SourcePassTally,
};
pub use documents::{DocumentRow, StoredDoc, fingerprint, owns_before};
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

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

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
        conn.execute_batch(crawl_state::SCHEMA)?;
        conn.execute_batch(documents::SCHEMA)?;
        conn.execute_batch(clusters::SCHEMA)?;
        clusters::add_cluster_fields(&conn)?;
        conn.execute_batch(alerts::SCHEMA)?;
        conn.execute_batch(SCHEMA)?;
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

/// Times are written by this module as RFC 3339; anything else reads as the epoch.
fn parse_time(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::NaiveDate;
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
