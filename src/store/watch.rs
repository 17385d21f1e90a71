//! Watch rules and the notification outbox, in `state.sqlite` (tables of their own, created by
//! [`SCHEMA`] when the store opens).
//!
//! A rule is kept as JSON with the positions of the alert history and of the documents table at
//! its creation, so it only ever matches what came after it. The matcher (`crate::notify`) reads
//! the alert history and the documents table from cursors kept here and writes what matched into
//! the outbox *in the same transaction as the cursors move*: a kill -9 either keeps both or
//! neither, and an outbox key (rule, item, event) is inserted once, so a replay adds nothing.
//! Delivery then moves each outbox row `pending` → `sent` or, after its last attempt, `failed`,
//! logging every attempt (`notify_attempts`, the source of the failure counters). A send that
//! succeeded but whose outcome a kill prevented from being recorded is sent again: delivery is
//! at least once, and every message carries its outbox key for the receiver to deduplicate.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use super::{DocumentRow, Result, Store};
use crate::model::{Extraction, Timestamp};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS watch_rules (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    from_alert_seq INTEGER NOT NULL,
    from_doc_row INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_cursors (
    feed TEXT PRIMARY KEY,
    pos INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    rule_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    day TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    last_error TEXT,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS notify_outbox_state ON notify_outbox(state, next_at);
CREATE TABLE IF NOT EXISTS notify_attempts (
    outbox_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (outbox_id, attempt)
);
"#;

/// When a rule's matches go out: one message per match, or one per day and channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Immediate,
    /// A daily digest (Beijing days) of the day's matches.
    Digest,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Immediate => "immediate",
            Mode::Digest => "digest",
        }
    }
}

/// Where a webhook goes and the secret its signature is made with.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

/// A user's watch rule: every criterion given must hold (an empty rule is refused by the
/// matcher's validation).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WatchRule {
    pub id: String,
    pub owner: String,
    /// A label the owner chose (shown in messages); may be empty.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub enterprise: Option<String>,
    /// A search query in the dashboard's query language, over titles and texts.
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    /// A province (浙江 or 浙江省).
    #[serde(default)]
    pub province: Option<String>,
    /// Only items with a level at least this (alerts); items without a level never match.
    #[serde(default)]
    pub min_level: Option<u8>,
    #[serde(default)]
    pub webhook: Option<Webhook>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub mode: Mode,
    pub created_at: Timestamp,
}

/// A rule with the positions it starts after.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRule {
    pub rule: WatchRule,
    pub from_alert_seq: i64,
    pub from_doc_row: i64,
}

/// One message waiting, sent or given up, as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutboxRow {
    pub id: i64,
    /// The idempotency key: rule, item and event (or rule, channel and day for a digest).
    pub key: String,
    pub rule_id: String,
    /// `webhook` or `email`.
    pub channel: String,
    /// JSON: `{"url", "secret"}` for a webhook, `{"to"}` for an e-mail.
    #[serde(skip)]
    pub target: String,
    /// `held` (waiting for its digest), `pending`, `sent`, `failed`, `digested`, `cancelled`.
    pub state: String,
    /// Beijing day of the match (the digest it belongs to).
    pub day: String,
    pub payload: String,
    pub attempts: u32,
    pub next_at: Timestamp,
    pub last_error: Option<String>,
}

/// A new message for the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub key: String,
    pub rule_id: String,
    pub channel: String,
    pub target: String,
    /// `held` for a digest rule's match, `pending` for one sent at once.
    pub state: &'static str,
    pub day: NaiveDate,
    pub payload: String,
}

/// An alert change from the history, with the alert as it stands now (gone when closed since).
#[derive(Debug, Clone)]
pub struct AlertEvent {
    pub seq: i64,
    pub change: String,
    pub alert: Option<crate::model::Alert>,
}

/// A stored document, in store order, with what analysis read from it.
#[derive(Debug, Clone)]
pub struct DocumentEvent {
    pub row: i64,
    pub doc: DocumentRow,
    pub extraction: Option<Extraction>,
}

/// The outbox at a glance: messages by channel and state, failed attempts by channel and
/// reason (counters: attempts are never deleted), and the latest messages given up.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct NotifySummary {
    pub rules: i64,
    pub by_state: Vec<(String, String, i64)>,
    pub failed_attempts: Vec<(String, String, i64)>,
    pub failed: Vec<OutboxRow>,
}

/// Fixed-width UTC times, so that SQLite compares them as text in time order.
fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    let next: String = r.get(9)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        key: r.get(1)?,
        rule_id: r.get(2)?,
        channel: r.get(3)?,
        target: r.get(4)?,
        state: r.get(5)?,
        day: r.get(6)?,
        payload: r.get(7)?,
        attempts: r.get(8)?,
        next_at: super::parse_time(&next),
        last_error: r.get(10)?,
    })
}

const OUTBOX_COLUMNS: &str =
    "id, key, rule_id, channel, target, state, day, payload, attempts, next_at, last_error";

impl Store {
    /// Keep a new rule; it matches only alert changes and documents stored after this call.
    pub fn add_watch_rule(&self, rule: &WatchRule, by: &super::Actor) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let seq: i64 =
            tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM alert_history", [], |r| {
                r.get(0)
            })?;
        let row: i64 = tx.query_row("SELECT COALESCE(MAX(rowid), 0) FROM documents", [], |r| {
            r.get(0)
        })?;
        tx.execute(
            "INSERT INTO watch_rules (id, owner, json, created_at, from_alert_seq, from_doc_row)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                rule.id,
                rule.owner,
                serde_json::to_string(rule)?,
                time(&rule.created_at),
                seq,
                row
            ],
        )?;
        super::audit::record(
            &tx,
            by,
            "watch-rule-add",
            &format!("watch-rule:{}", rule.id),
            &format!("owner {}", rule.owner),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The newest alert-history seq and document row: where a feed with no rules to match
    /// may jump to.
    pub fn notify_heads(&self) -> Result<(i64, i64)> {
        let conn = self.conn();
        let seq = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM alert_history", [], |r| {
            r.get(0)
        })?;
        let row = conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM documents", [], |r| {
            r.get(0)
        })?;
        Ok((seq, row))
    }

    /// Every rule, oldest first.
    pub fn watch_rules(&self) -> Result<Vec<StoredRule>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT json, from_alert_seq, from_doc_row FROM watch_rules ORDER BY created_at, id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (json, from_alert_seq, from_doc_row) in rows {
            out.push(StoredRule {
                rule: serde_json::from_str(&json)?,
                from_alert_seq,
                from_doc_row,
            });
        }
        Ok(out)
    }

    /// Remove a rule and cancel what it still had to send; false when there was no such rule.
    pub fn remove_watch_rule(&self, id: &str, by: &super::Actor) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute("DELETE FROM watch_rules WHERE id = ?1", [id])?;
        tx.execute(
            "UPDATE notify_outbox SET state = 'cancelled', done_at = ?2
             WHERE rule_id = ?1 AND state IN ('held', 'pending')",
            params![id, time(&Utc::now())],
        )?;
        if n > 0 {
            super::audit::record(
                &tx,
                by,
                "watch-rule-remove",
                &format!("watch-rule:{id}"),
                "",
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// Where the matcher stopped reading a feed (`alerts`, `documents`, …); 0 before the first
    /// pass.
    pub fn notify_cursor(&self, feed: &str) -> Result<i64> {
        Ok(self
            .conn()
            .query_row(
                "SELECT pos FROM notify_cursors WHERE feed = ?1",
                [feed],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Alert changes after `seq`, oldest first, at most `limit`.
    pub fn alert_events_after(&self, seq: i64, limit: usize) -> Result<Vec<AlertEvent>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT h.seq, h.change, a.json FROM alert_history h
             LEFT JOIN alerts a ON a.id = h.alert_id
             WHERE h.seq > ?1 ORDER BY h.seq LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![seq, limit as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (seq, change, json) in rows {
            out.push(AlertEvent {
                seq,
                change,
                alert: json.map(|j| serde_json::from_str(&j)).transpose()?,
            });
        }
        Ok(out)
    }

    /// Documents stored after row `row` (SQLite's rowid: a new document always takes a higher
    /// one, and nothing deletes documents), oldest first, at most `limit`.
    pub fn document_events_after(&self, row: i64, limit: usize) -> Result<Vec<DocumentEvent>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT rowid, id, source, kind, url, title, published, cluster, is_signal, reason, extraction
             FROM documents WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![row, limit as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    DocumentRow {
                        id: r.get(1)?,
                        source: r.get(2)?,
                        kind: r.get(3)?,
                        url: r.get(4)?,
                        title: r.get(5)?,
                        published: r.get(6)?,
                        cluster: r.get(7)?,
                        is_signal: r.get(8)?,
                        reason: r.get(9)?,
                    },
                    r.get::<_, String>(10)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(row, doc, ex)| DocumentEvent {
                row,
                doc,
                // an unreadable extraction matches nothing rather than stopping the feed
                extraction: serde_json::from_str(&ex).ok(),
            })
            .collect())
    }

    /// Put matched messages into the outbox and move the feeds' cursors, in one transaction.
    /// A key already there is left as it is. Returns the messages added.
    pub fn enqueue_notifications(
        &self,
        messages: &[NewMessage],
        cursors: &[(&str, i64)],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let now = time(&now);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut added = 0;
        for m in messages {
            added += tx.execute(
                "INSERT OR IGNORE INTO notify_outbox
                 (key, rule_id, channel, target, state, day, payload, created_at, next_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![
                    m.key,
                    m.rule_id,
                    m.channel,
                    m.target,
                    m.state,
                    m.day.to_string(),
                    m.payload,
                    now
                ],
            )?;
        }
        for (feed, pos) in cursors {
            tx.execute(
                "INSERT INTO notify_cursors (feed, pos) VALUES (?1, ?2)
                 ON CONFLICT(feed) DO UPDATE SET pos = MAX(pos, excluded.pos)",
                params![feed, pos],
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Matches held for digests of days before `before` (Beijing days), oldest first.
    pub fn held_before(&self, before: NaiveDate) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM notify_outbox
             WHERE state = 'held' AND day < ?1 ORDER BY rule_id, channel, day, id"
        ))?;
        let rows = stmt
            .query_map([before.to_string()], outbox_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Turn held matches into one digest message, in one transaction (the digest's key makes a
    /// second build of the same digest a no-op).
    pub fn make_digest(&self, digest: &NewMessage, held: &[i64], now: DateTime<Utc>) -> Result<()> {
        let now = time(&now);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO notify_outbox
             (key, rule_id, channel, target, state, day, payload, created_at, next_at)
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7, ?7)",
            params![
                digest.key,
                digest.rule_id,
                digest.channel,
                digest.target,
                digest.day.to_string(),
                digest.payload,
                now
            ],
        )?;
        for id in held {
            tx.execute(
                "UPDATE notify_outbox SET state = 'digested', done_at = ?2 WHERE id = ?1 AND state = 'held'",
                params![id, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Messages due for a (first or next) attempt at `now`, oldest first.
    pub fn due_notifications(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM notify_outbox
             WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![time(&now), limit as i64], outbox_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Record one attempt's outcome: `retry_at` None and `ok` false gives the message up.
    pub fn record_attempt(
        &self,
        id: i64,
        ok: bool,
        reason: &str,
        detail: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let now = Utc::now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let attempts: u32 = tx.query_row(
            "SELECT attempts FROM notify_outbox WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let attempt = attempts + 1;
        tx.execute(
            "INSERT OR REPLACE INTO notify_attempts (outbox_id, attempt, at, ok, reason, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, attempt, time(&now), ok, reason, detail],
        )?;
        let (state, next, error, done) = match (ok, retry_at) {
            (true, _) => ("sent", now, None, Some(time(&now))),
            (false, Some(at)) => ("pending", at, Some(reason), None),
            (false, None) => ("failed", now, Some(reason), Some(time(&now))),
        };
        tx.execute(
            "UPDATE notify_outbox SET attempts = ?2, state = ?3, next_at = ?4, last_error = ?5, done_at = ?6
             WHERE id = ?1",
            params![id, attempt, state, time(&next), error, done],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every outbox message of a rule (newest first), for tests and the CLI.
    pub fn outbox(&self, rule_id: Option<&str>) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM notify_outbox
             WHERE ?1 IS NULL OR rule_id = ?1 ORDER BY id DESC"
        ))?;
        let rows = stmt
            .query_map([rule_id], outbox_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Counts for `jiance status` and `/metrics`.
    pub fn notify_summary(&self) -> Result<NotifySummary> {
        let conn = self.conn();
        let rules: i64 = conn.query_row("SELECT COUNT(*) FROM watch_rules", [], |r| r.get(0))?;
        let by_state = conn
            .prepare(
                "SELECT channel, state, COUNT(*) FROM notify_outbox GROUP BY channel, state ORDER BY channel, state",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let failed_attempts = conn
            .prepare(
                "SELECT o.channel, a.reason, COUNT(*) FROM notify_attempts a
                 JOIN notify_outbox o ON o.id = a.outbox_id
                 WHERE a.ok = 0 GROUP BY o.channel, a.reason ORDER BY o.channel, a.reason",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let failed = conn
            .prepare(&format!(
                "SELECT {OUTBOX_COLUMNS} FROM notify_outbox WHERE state = 'failed'
                 ORDER BY done_at DESC, id DESC LIMIT 20"
            ))?
            .query_map([], outbox_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(NotifySummary {
            rules,
            by_state,
            failed_attempts,
            failed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str) -> WatchRule {
        WatchRule {
            id: id.into(),
            owner: "wang".into(),
            name: String::new(),
            brand: Some("暖阳".into()),
            model: None,
            enterprise: None,
            query: None,
            category: None,
            province: None,
            min_level: None,
            webhook: None,
            email: Some("a@example.org".into()),
            mode: Mode::Immediate,
            created_at: Utc::now(),
        }
    }

    fn message(key: &str, state: &'static str, day: &str) -> NewMessage {
        NewMessage {
            key: key.into(),
            rule_id: "w1".into(),
            channel: "email".into(),
            target: "{}".into(),
            state,
            day: day.parse().unwrap(),
            payload: "{}".into(),
        }
    }

    #[test]
    fn outbox_keys_cursors_attempts_and_digests() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store
            .add_watch_rule(&rule("w1"), &crate::store::Actor::new("t", "operator"))
            .unwrap();
        assert_eq!(store.watch_rules().unwrap().len(), 1);
        let m = message("w1:a", "pending", "2026-03-01");
        assert_eq!(
            store
                .enqueue_notifications(std::slice::from_ref(&m), &[("alerts", 7)], Utc::now())
                .unwrap(),
            1
        );
        // the same key again adds nothing; a cursor never moves back
        assert_eq!(
            store
                .enqueue_notifications(&[m], &[("alerts", 3)], Utc::now())
                .unwrap(),
            0
        );
        assert_eq!(store.notify_cursor("alerts").unwrap(), 7);
        let now = Utc::now();
        let due = store.due_notifications(now, 10).unwrap();
        assert_eq!(due.len(), 1);
        let id = due[0].id;
        store
            .record_attempt(
                id,
                false,
                "http-500",
                "",
                Some(now + chrono::Duration::hours(1)),
            )
            .unwrap();
        assert!(store.due_notifications(now, 10).unwrap().is_empty());
        store
            .record_attempt(id, false, "http-500", "", None)
            .unwrap();
        let s = store.notify_summary().unwrap();
        assert_eq!(s.failed.len(), 1);
        assert_eq!(
            s.failed_attempts,
            vec![("email".into(), "http-500".into(), 2)]
        );
        // held matches of a finished day become one digest
        store
            .enqueue_notifications(
                &[
                    message("w1:b", "held", "2026-03-01"),
                    message("w1:c", "held", "2026-03-02"),
                ],
                &[],
                Utc::now(),
            )
            .unwrap();
        let held = store.held_before("2026-03-02".parse().unwrap()).unwrap();
        assert_eq!(held.len(), 1);
        let digest = message("w1:email:digest:2026-03-01", "pending", "2026-03-01");
        store.make_digest(&digest, &[held[0].id], now).unwrap();
        store.make_digest(&digest, &[held[0].id], now).unwrap();
        assert!(
            store
                .held_before("2026-03-02".parse().unwrap())
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.due_notifications(now, 10).unwrap().len(), 1);
        assert!(
            store
                .remove_watch_rule("w1", &crate::store::Actor::new("t", "operator"))
                .unwrap()
        );
        assert!(store.due_notifications(now, 10).unwrap().is_empty());
        assert!(
            !store
                .remove_watch_rule("w1", &crate::store::Actor::new("t", "operator"))
                .unwrap()
        );
    }
}
