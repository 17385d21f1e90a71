//! What analysts decide, kept crash-safe beside the alerts: named users and their token hashes,
//! the triage state of alerts and cases with every change, the dismissals that suppress alerts,
//! the cases of the last scoring run, and labels on documents.
//!
//! The store keeps these as rows and JSON; their meaning (states, transitions, suppression, case
//! building) belongs to `review`, a stage above, which hands its types in as serde values.

use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Result, Store};

pub(super) const REVIEW_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS triage (
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (subject, id)
);
CREATE TABLE IF NOT EXISTS triage_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS triage_history_id ON triage_history(subject, id, seq);
CREATE TABLE IF NOT EXISTS dismissals (
    alert_id TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    rank INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_cases (
    alert_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_documents (
    case_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    json TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (case_id, doc_id)
);
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS labels_doc ON labels(doc_id, id);
"#;

/// A named user as the store keeps it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct UserRow {
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A triage state as the store keeps it; `state` is `new` for an item nobody has touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TriageRow {
    pub state: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// The hex SHA-256 of a token: what the store keeps and looks up.
pub fn token_digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Add a user with a role and the digest of their token; false when the name is taken.
    pub fn add_user(&self, name: &str, role: &str, token_sha256: &str) -> Result<bool> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO users (name, role, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, role, token_sha256, Utc::now().to_rfc3339()],
        )?;
        Ok(n == 1)
    }

    pub fn users(&self) -> Result<Vec<UserRow>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT name, role, created_at, revoked_at FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(UserRow {
                name: r.get(0)?,
                role: r.get(1)?,
                created_at: r.get(2)?,
                revoked_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Revoke a user's token; false when there is no such active user.
    pub fn revoke_user(&self, name: &str) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE users SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, Utc::now().to_rfc3339()],
        )?;
        Ok(n == 1)
    }

    /// The active user holding the token of this digest: (name, role).
    pub fn user_by_token(&self, token_sha256: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT name, role FROM users WHERE token_sha256 = ?1 AND revoked_at IS NULL",
                [token_sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The triage state of an alert or case (`subject` is `alert` or `case`).
    pub fn triage(&self, subject: &str, id: &str) -> Result<TriageRow> {
        Ok(self
            .conn()
            .query_row(
                "SELECT state, reason, by, at FROM triage WHERE subject = ?1 AND id = ?2",
                params![subject, id],
                |r| {
                    Ok(TriageRow {
                        state: r.get(0)?,
                        reason: r.get(1)?,
                        by: r.get(2)?,
                        at: r.get(3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or(TriageRow {
                state: "new".into(),
                reason: String::new(),
                by: String::new(),
                at: String::new(),
            }))
    }

    /// Every triage state that is not `new`, keyed by (subject, id).
    pub fn triage_all(&self) -> Result<std::collections::HashMap<(String, String), TriageRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT subject, id, state, reason, by, at FROM triage")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                TriageRow {
                    state: r.get(2)?,
                    reason: r.get(3)?,
                    by: r.get(4)?,
                    at: r.get(5)?,
                },
            ))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Move an alert or case from `from` to `row.state`, in one transaction with its history
    /// entry and, for an alert, its dismissal (`Some` sets it; a move to `review` drops it).
    /// Returns the state found instead when it is not `from` (someone else moved it first).
    // One transaction's inputs, each the caller's own value; a struct for the two callers
    // would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn set_triage<H: Serialize, D: Serialize>(
        &self,
        subject: &str,
        id: &str,
        from: &str,
        row: &TriageRow,
        history: &H,
        dismissal: Option<&D>,
        by: &super::Actor,
    ) -> Result<std::result::Result<(), String>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let current: String = tx
            .query_row(
                "SELECT state FROM triage WHERE subject = ?1 AND id = ?2",
                params![subject, id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| "new".into());
        if current != from {
            return Ok(Err(current));
        }
        tx.execute(
            "INSERT OR REPLACE INTO triage (subject, id, state, reason, by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![subject, id, row.state, row.reason, row.by, row.at],
        )?;
        tx.execute(
            "INSERT INTO triage_history (subject, id, json) VALUES (?1, ?2, ?3)",
            params![subject, id, serde_json::to_string(history)?],
        )?;
        if subject == "alert" {
            if let Some(d) = dismissal {
                tx.execute(
                    "INSERT OR REPLACE INTO dismissals (alert_id, json) VALUES (?1, ?2)",
                    params![id, serde_json::to_string(d)?],
                )?;
            } else if row.state == "review" {
                tx.execute("DELETE FROM dismissals WHERE alert_id = ?1", [id])?;
            }
        }
        let detail = if row.reason.is_empty() {
            format!("{from} → {}", row.state)
        } else {
            format!("{from} → {}: {}", row.state, row.reason)
        };
        super::audit::record(&tx, by, "triage", &format!("{subject}:{id}"), &detail)?;
        tx.commit()?;
        Ok(Ok(()))
    }

    /// The triage history of an alert or case, oldest first.
    pub fn triage_history<H: DeserializeOwned>(&self, subject: &str, id: &str) -> Result<Vec<H>> {
        json_rows(
            self,
            "SELECT json FROM triage_history WHERE subject = ?1 AND id = ?2 ORDER BY seq",
            params![subject, id],
        )
    }

    /// The dismissals in force, as the review stage wrote them.
    pub fn dismissals<D: DeserializeOwned>(&self) -> Result<Vec<D>> {
        json_rows(self, "SELECT json FROM dismissals ORDER BY alert_id", [])
    }

    /// Replace the cases (in rank order) and the alerts' pointers to them.
    pub fn put_cases<C: Serialize>(
        &self,
        cases: &[(String, C)],
        alert_cases: &std::collections::HashMap<String, String>,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM cases", [])?;
        for (rank, (id, c)) in cases.iter().enumerate() {
            tx.execute(
                "INSERT INTO cases (id, rank, json) VALUES (?1, ?2, ?3)",
                params![id, rank as i64, serde_json::to_string(c)?],
            )?;
        }
        tx.execute("DELETE FROM alert_cases", [])?;
        for (a, c) in alert_cases {
            tx.execute(
                "INSERT INTO alert_cases (alert_id, case_id) VALUES (?1, ?2)",
                params![a, c],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn cases<C: DeserializeOwned>(&self) -> Result<Vec<C>> {
        json_rows(self, "SELECT json FROM cases ORDER BY rank", [])
    }

    pub fn case<C: DeserializeOwned>(&self, id: &str) -> Result<Option<C>> {
        Ok(json_rows(self, "SELECT json FROM cases WHERE id = ?1", [id])?.pop())
    }

    /// Attach a document to a case by hand: `evidence` is how its timeline shows it, kept so
    /// every later build of the case holds it again; and the stored case itself, `case`, updated
    /// in the same transaction, with the audit log's line for it. False when it was attached
    /// already.
    pub fn attach_document<E: Serialize, C: Serialize>(
        &self,
        case_id: &str,
        doc_id: &str,
        evidence: &E,
        case: &C,
        by: &super::Actor,
    ) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO case_documents (case_id, doc_id, json, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                case_id,
                doc_id,
                serde_json::to_string(evidence)?,
                by.user,
                chrono::Utc::now().to_rfc3339()
            ],
        )? > 0;
        if added {
            tx.execute(
                "UPDATE cases SET json = ?2 WHERE id = ?1",
                params![case_id, serde_json::to_string(case)?],
            )?;
            super::audit::record(
                &tx,
                by,
                "attach",
                &format!("case:{case_id}"),
                &format!("document:{doc_id}"),
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Documents attached to cases by hand: (case id, evidence), oldest first.
    pub fn case_documents<E: DeserializeOwned>(&self) -> Result<Vec<(String, E)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT case_id, json FROM case_documents ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (case, json) = row?;
            out.push((case, serde_json::from_str(&json)?));
        }
        Ok(out)
    }

    /// The case an alert points to.
    pub fn case_of_alert(&self, alert_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT case_id FROM alert_cases WHERE alert_id = ?1",
                [alert_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Store a label; `make` gets the new label's id and returns it as stored JSON. `detail` is
    /// the audit log's line for it (kind and value).
    pub fn add_label<L: Serialize>(
        &self,
        doc_id: &str,
        make: impl FnOnce(i64) -> L,
        by: &super::Actor,
        detail: &str,
    ) -> Result<L> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO labels (doc_id, json) VALUES (?1, '{}')",
            [doc_id],
        )?;
        let id = tx.last_insert_rowid();
        let label = make(id);
        tx.execute(
            "UPDATE labels SET json = ?2 WHERE id = ?1",
            params![id, serde_json::to_string(&label)?],
        )?;
        super::audit::record(&tx, by, "label", &format!("document:{doc_id}"), detail)?;
        tx.commit()?;
        Ok(label)
    }

    /// Labels of one document, or all of them, oldest first.
    pub fn labels<L: DeserializeOwned>(&self, doc_id: Option<&str>) -> Result<Vec<L>> {
        match doc_id {
            Some(d) => json_rows(
                self,
                "SELECT json FROM labels WHERE doc_id = ?1 ORDER BY id",
                [d],
            ),
            None => json_rows(self, "SELECT json FROM labels ORDER BY id", []),
        }
    }
}

fn json_rows<T: DeserializeOwned, P: rusqlite::Params>(
    store: &Store,
    sql: &str,
    params: P,
) -> Result<Vec<T>> {
    let conn = store.conn();
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(serde_json::from_str(&row?)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_triage_and_labels_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        {
            let s = Store::open(&path).unwrap();
            assert!(s.add_user("王芳", "analyst", &token_digest("t1")).unwrap());
            assert!(!s.add_user("王芳", "viewer", &token_digest("t2")).unwrap());
            let row = TriageRow {
                state: "review".into(),
                reason: String::new(),
                by: "王芳".into(),
                at: "2026-11-01T00:00:00Z".into(),
            };
            let h = serde_json::json!({"to": "review"});
            assert_eq!(
                s.set_triage::<_, ()>(
                    "alert",
                    "A",
                    "new",
                    &row,
                    &h,
                    None,
                    &crate::store::Actor::new("王芳", "analyst")
                )
                .unwrap(),
                Ok(())
            );
            // a second move from `new` loses: the state moved on
            assert_eq!(
                s.set_triage::<_, ()>(
                    "alert",
                    "A",
                    "new",
                    &row,
                    &h,
                    None,
                    &crate::store::Actor::new("王芳", "analyst")
                )
                .unwrap(),
                Err("review".into())
            );
            let l: serde_json::Value = s
                .add_label(
                    "d1",
                    |id| serde_json::json!({"id": id}),
                    &crate::store::Actor::new("王芳", "analyst"),
                    "not-relevant",
                )
                .unwrap();
            assert_eq!(l["id"], 1);
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.user_by_token(&token_digest("t1")).unwrap(),
            Some(("王芳".into(), "analyst".into()))
        );
        assert!(s.revoke_user("王芳").unwrap());
        assert_eq!(s.user_by_token(&token_digest("t1")).unwrap(), None);
        assert_eq!(s.triage("alert", "A").unwrap().state, "review");
        assert_eq!(s.triage("alert", "B").unwrap().state, "new");
        assert_eq!(
            s.triage_history::<serde_json::Value>("alert", "A")
                .unwrap()
                .len(),
            1
        );
        assert_eq!(s.labels::<serde_json::Value>(Some("d1")).unwrap().len(), 1);
    }
}
