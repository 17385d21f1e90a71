//! Drafted risk warnings and consumer tips (`warnings` in `state.sqlite`, created by [`SCHEMA`]
//! when the store opens): one row per alert, kept as JSON with its approval beside it. Every
//! draft, edit and approval is one transaction with its audit entry, so a kill -9 keeps both or
//! neither; an approval is only ever set with a name, and an edit clears it (the text approved is
//! the text published).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Actor, Result, Store};
use crate::model::Warning;

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS warnings (
    id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    json TEXT NOT NULL,
    approved_at TEXT
);
CREATE INDEX IF NOT EXISTS warnings_approved ON warnings(approved_at);
"#;

impl Store {
    /// Stores a new draft, or gives back the one the alert already has (a draft is edited in
    /// place, never drafted twice).
    pub fn draft_warning(&self, w: &Warning, by: &Actor) -> Result<(Warning, bool)> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let old: Option<String> = tx
            .query_row("SELECT json FROM warnings WHERE id = ?1", [&w.id], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(json) = old {
            return Ok((serde_json::from_str(&json)?, false));
        }
        tx.execute(
            "INSERT INTO warnings (id, alert_id, json, approved_at) VALUES (?1, ?2, ?3, NULL)",
            params![w.id, w.alert_id, serde_json::to_string(w)?],
        )?;
        super::audit::record(
            &tx,
            by,
            "warning-draft",
            &format!("warning:{}", w.id),
            &w.title,
        )?;
        tx.commit()?;
        Ok((w.clone(), true))
    }

    /// Replaces a warning's title and body; the approval, if any, is withdrawn.
    pub fn edit_warning(
        &self,
        id: &str,
        title: &str,
        body: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Option<Warning>> {
        self.change_warning(id, by, "warning-edit", |w| {
            w.title = title.to_string();
            w.body = body.to_string();
            w.edited_by = Some(by.user.clone());
            w.edited_at = Some(at);
            w.approved_by = None;
            w.approved_at = None;
        })
    }

    /// Approves a warning in the name of `by`: from now on it is published.
    pub fn approve_warning(
        &self,
        id: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Option<Warning>> {
        self.change_warning(id, by, "warning-approve", |w| {
            w.approved_by = Some(by.user.clone());
            w.approved_at = Some(at);
        })
    }

    fn change_warning(
        &self,
        id: &str,
        by: &Actor,
        action: &str,
        change: impl FnOnce(&mut Warning),
    ) -> Result<Option<Warning>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let json: Option<String> = tx
            .query_row("SELECT json FROM warnings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(json) = json else {
            return Ok(None);
        };
        let mut w: Warning = serde_json::from_str(&json)?;
        change(&mut w);
        tx.execute(
            "UPDATE warnings SET json = ?2, approved_at = ?3 WHERE id = ?1",
            params![
                id,
                serde_json::to_string(&w)?,
                w.approved_at.map(|t| t.to_rfc3339())
            ],
        )?;
        super::audit::record(&tx, by, action, &format!("warning:{id}"), &w.title)?;
        tx.commit()?;
        Ok(Some(w))
    }

    /// One warning, draft or approved.
    pub fn warning(&self, id: &str) -> Result<Option<Warning>> {
        let conn = self.conn();
        let json: Option<String> = conn
            .query_row("SELECT json FROM warnings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    /// The warnings, newest approval first (`published`: approved ones only), else drafts too,
    /// by id.
    pub fn warnings(&self, published: bool) -> Result<Vec<Warning>> {
        let conn = self.conn();
        let sql = if published {
            "SELECT json FROM warnings WHERE approved_at IS NOT NULL ORDER BY approved_at DESC, id"
        } else {
            "SELECT json FROM warnings ORDER BY approved_at IS NULL DESC, approved_at DESC, id"
        };
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?)?);
        }
        Ok(out)
    }
}
