//! The audit log: who changed what, and when. Every write a person makes — acknowledging an
//! alert, moving an alert or case through triage, labelling a document, recording inspection
//! results, adding or removing a watch rule — appends one row here inside the transaction of the
//! write itself, so a write is never stored without its row nor a row without its write (a crash
//! loses both or neither, as WAL commits do). Rows are never changed or removed.

use chrono::Utc;
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
"#;

/// Who makes a write: a user's name and role as the server knew them (a configured token's
/// holder is named after its role), or the operating-system user of a command line (`cli`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: String,
    pub role: String,
}

impl Actor {
    pub fn new(user: impl Into<String>, role: impl Into<String>) -> Actor {
        Actor {
            user: user.into(),
            role: role.into(),
        }
    }

    /// The person running a command line on this machine (`$USER`, else `cli`), role `cli`.
    pub fn command_line() -> Actor {
        let user = std::env::var("USER")
            .ok()
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "cli".into());
        Actor::new(user, "cli")
    }
}

/// One audited write, newest first in [`Store::audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub user: String,
    pub role: String,
    /// `acknowledge`, `triage`, `label`, `inspection-results`, `watch-rule-add`,
    /// `watch-rule-remove`.
    pub action: String,
    /// What was written: `alert:ID`, `case:ID`, `document:ID`, `watch-rule:ID`.
    pub target: String,
    /// One line on the change (the new state, the label, the batches and failures, the note).
    pub detail: String,
}

/// Append an audit row inside the write's own transaction.
pub(super) fn record(
    tx: &Transaction<'_>,
    by: &Actor,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, user, role, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            Utc::now().to_rfc3339(),
            by.user,
            by.role,
            action,
            target,
            detail
        ],
    )?;
    Ok(())
}

impl Store {
    /// The audit log, newest first: `limit` rows after skipping `offset`, and how many there are.
    pub fn audit(&self, limit: usize, offset: usize) -> Result<(u64, Vec<AuditEntry>)> {
        let conn = self.conn();
        let total: i64 = conn.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))?;
        let mut stmt = conn.prepare(
            "SELECT seq, at, user, role, action, target, detail FROM audit ORDER BY seq DESC LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(
            params![
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            |r| {
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    user: r.get(2)?,
                    role: r.get(3)?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    detail: r.get(6)?,
                })
            },
        )?;
        let entries = rows.collect::<std::result::Result<Vec<_>, _>>()?;
        Ok((u64::try_from(total).unwrap_or(0), entries))
    }

    /// Append an audit row for a write made outside one of the store's audited methods.
    pub fn record_audit(&self, by: &Actor, action: &str, target: &str, detail: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        record(&tx, by, action, target, detail)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_log_pages_newest_first_and_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        {
            let store = Store::open(&path).unwrap();
            for i in 0..5 {
                store
                    .record_audit(
                        &Actor::new(format!("u{i}"), "analyst"),
                        "label",
                        &format!("document:d{i}"),
                        "not-relevant",
                    )
                    .unwrap();
            }
        }
        let store = Store::open(&path).unwrap();
        let (total, page) = store.audit(2, 1).unwrap();
        assert_eq!(total, 5);
        let users: Vec<&str> = page.iter().map(|e| e.user.as_str()).collect();
        assert_eq!(users, ["u3", "u2"]);
        assert!(page[0].seq > page[1].seq);
        assert!(chrono::DateTime::parse_from_rfc3339(&page[0].at).is_ok());
    }
}
