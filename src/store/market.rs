//! What the market stage needs kept beside a document, and what it finds (issue 20).
//!
//! `records`: the structured part of listings, recalls, inspection notices, other notices and
//! standards — the document with its fields and table rows and the head of its text — written in
//! the same transaction as the document itself ([`put_record_in`], from `put_document_in`), so a
//! crash keeps both or neither and a re-fetch replaces both. The index keeps text and facets, not
//! a listing's shop, price and sales or a notice's rows, which on-sale matching and sampling
//! purchases read.
//!
//! `onsale`: the on-sale findings of the last matching run, replaced as a whole in one
//! transaction; a finding keeps the day it was first seen across runs (its id is derived from the
//! notice, product and listing, so a replay finds the same ids and counts nothing twice).

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::params;

use super::{Result, Store};
use crate::model::{DocKind, Document, Extraction, OnSaleFinding};

/// The kinds of document whose record is kept.
pub const RECORD_KINDS: [DocKind; 5] = [
    DocKind::Listing,
    DocKind::Recall,
    DocKind::Inspection,
    DocKind::Notice,
    DocKind::Standard,
];

/// Bytes of a document's text kept in its record (a recall names its models early; a listing's
/// description and claims are at its head).
pub const RECORD_TEXT: usize = 4096;

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS records (
    doc_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_kind ON records(kind);
CREATE TABLE IF NOT EXISTS onsale (
    id TEXT PRIMARY KEY,
    confidence REAL NOT NULL,
    first_seen TEXT NOT NULL,
    json TEXT NOT NULL
);
"#;

/// Keep (or drop) the record of a document, inside the transaction that stores it.
pub(super) fn put_record_in(
    tx: &rusqlite::Transaction<'_>,
    doc: &Document,
    ex: &Extraction,
) -> Result<()> {
    tx.prepare_cached("DELETE FROM records WHERE doc_id = ?1")?
        .execute([&doc.id])?;
    if !RECORD_KINDS.contains(&ex.kind) {
        return Ok(());
    }
    let mut kept = doc.clone();
    if let Some(cut) = crate::model::cut_text(&kept.text, RECORD_TEXT) {
        kept.text.truncate(cut.kept as usize);
    }
    tx.prepare_cached("INSERT INTO records (doc_id, kind, json) VALUES (?1, ?2, ?3)")?
        .execute(params![
            doc.id,
            ex.kind.as_str(),
            serde_json::to_string(&kept)?
        ])?;
    Ok(())
}

impl Store {
    /// The kept records of documents of these kinds with their extractions, in document id order.
    pub fn records(&self, kinds: &[DocKind]) -> Result<Vec<(Document, Extraction)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT r.json, d.extraction FROM records r JOIN documents d ON d.id = r.doc_id
             WHERE r.kind = ?1 ORDER BY r.doc_id",
        )?;
        let mut out = Vec::new();
        for kind in kinds {
            let rows = stmt.query_map([kind.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (doc, ex) = row?;
                out.push((serde_json::from_str(&doc)?, serde_json::from_str(&ex)?));
            }
        }
        Ok(out)
    }

    /// Replace the on-sale findings with a matching run's, in one transaction. A finding found
    /// before keeps its earlier `first_seen`.
    pub fn put_onsale(&self, findings: &[OnSaleFinding]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut seen: HashMap<String, NaiveDate> = HashMap::new();
        {
            let mut stmt = tx.prepare("SELECT id, first_seen FROM onsale")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, day) = row?;
                if let Ok(d) = day.parse::<NaiveDate>() {
                    seen.insert(id, d);
                }
            }
        }
        tx.execute("DELETE FROM onsale", [])?;
        {
            // one statement for every row: preparing it again per row was most of a rerun's
            // on-sale step (21 k findings: 0.5 s)
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO onsale (id, confidence, first_seen, json) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for f in findings {
                let earlier = seen.get(&f.id).filter(|d| **d < f.first_seen);
                let json = match earlier {
                    Some(d) => serde_json::to_string(&OnSaleFinding {
                        first_seen: *d,
                        ..f.clone()
                    })?,
                    None => serde_json::to_string(f)?,
                };
                let first_seen = earlier.copied().unwrap_or(f.first_seen);
                insert.execute(params![f.id, f.confidence, first_seen.to_string(), json])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored on-sale findings, most certain first (then by id, a stable order).
    pub fn onsale(&self) -> Result<Vec<OnSaleFinding>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT json FROM onsale ORDER BY confidence DESC, id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }
}
