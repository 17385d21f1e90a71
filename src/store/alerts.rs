//! Alerts and sampling: the current alerts and sampling requests of the last scoring run, each
//! alert's history of changes (which also feeds the live event stream), the monitoring centre's
//! acknowledgements, inspection results of sampled batches, and the sampling history that keeps
//! the next requests from sampling the same parties again.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Actor, Result, Store, audit, parse_time};
use crate::model::{Alert, SamplingRequest, Timestamp};

pub(super) const SCHEMA: &str = r#"
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
"#;

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

impl Store {
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
