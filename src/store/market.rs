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
        // The rows are read under the lock and decoded after it: decoding is most of the time,
        // and scoring reads the store meanwhile (`Engine::score`).
        let mut raw: Vec<(String, String)> = Vec::new();
        {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT r.json, d.extraction FROM records r JOIN documents d ON d.id = r.doc_id
                 WHERE r.kind = ?1 ORDER BY r.doc_id",
            )?;
            for kind in kinds {
                let rows = stmt.query_map([kind.as_str()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?;
                for row in rows {
                    raw.push(row?);
                }
            }
        }
        // decoded on a few threads, joined in order
        let threads = crate::util::par::threads(4);
        let shares = crate::util::par::map_shares(&raw, threads, 256, |share| {
            share
                .iter()
                .map(|(doc, ex)| Ok((serde_json::from_str(doc)?, serde_json::from_str(ex)?)))
                .collect::<Result<Vec<(Document, Extraction)>>>()
        });
        let mut out = Vec::with_capacity(raw.len());
        for share in shares {
            out.extend(share?);
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
        // Rows are encoded on a few threads (a rerun of a large archive stores hundreds of
        // thousands of findings), then inserted in order.
        let seen = &seen;
        let threads = crate::util::par::threads(4);
        let shares = crate::util::par::map_shares(findings, threads, 256, |share| {
            share
                .iter()
                .map(|f| {
                    // an earlier first day replaces the finding's own; otherwise it is stored as is
                    let earlier = seen.get(&f.id).copied().filter(|d| *d < f.first_seen);
                    let json = match earlier {
                        Some(first_seen) => serde_json::to_string(&OnSaleFinding {
                            first_seen,
                            ..f.clone()
                        })?,
                        None => serde_json::to_string(f)?,
                    };
                    Ok((earlier.unwrap_or(f.first_seen).to_string(), json))
                })
                .collect::<Result<Vec<(String, String)>>>()
        });
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO onsale (id, confidence, first_seen, json) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut rows = findings.iter();
        for share in shares {
            // the share first: zip stops on it without taking a finding of the next share
            for ((first_seen, json), f) in share?.into_iter().zip(rows.by_ref()) {
                insert.execute(params![f.id, f.confidence, first_seen, json])?;
            }
        }
        drop(insert);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, FlagBasis, Flagged, Listing};

    fn finding(n: usize, first_seen: NaiveDate) -> OnSaleFinding {
        OnSaleFinding {
            id: format!("f{n:04}"),
            listing: Listing {
                doc_id: format!("l{n}"),
                title: format!("商品{n}"),
                ..Listing::default()
            },
            flagged: Flagged {
                doc_id: "recall".into(),
                row: n,
                basis: FlagBasis::Recall,
                url: String::new(),
                title: String::new(),
                product: String::new(),
                categories: vec![],
                brand: String::new(),
                model: format!("M{n}"),
                batch: String::new(),
                enterprise: String::new(),
                day: first_seen,
                also_in: vec![],
                notices: 1,
            },
            matched: vec!["model".into()],
            confidence: 1.0 - n as f64 / 10_000.0,
            action: Action::Notify,
            notify: String::new(),
            summary: String::new(),
            reason: String::new(),
            first_seen,
            jurisdictions: Vec::new(),
        }
    }

    /// Findings encoded on several threads are stored whole, each under its own id, and a
    /// finding stored before keeps its earlier first day.
    #[test]
    fn on_sale_findings_are_replaced_keeping_their_first_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let (d1, d2) = (
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
        );
        let first: Vec<OnSaleFinding> = (0..300).map(|n| finding(n, d1)).collect();
        store.put_onsale(&first).unwrap();
        let got = store.onsale().unwrap();
        let ids = |v: &[OnSaleFinding]| v.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&got), ids(&first));
        assert!(
            got.iter()
                .zip(&first)
                .all(|(g, f)| g.flagged.model == f.flagged.model)
        );
        // again a week later, with 1500 findings: the first 300 keep their day
        let second: Vec<OnSaleFinding> = (0..1500).map(|n| finding(n, d2)).collect();
        store.put_onsale(&second).unwrap();
        let got = store.onsale().unwrap();
        assert_eq!(got.len(), 1500);
        for (g, want) in got.iter().zip(&second) {
            assert_eq!(g.id, want.id);
            assert_eq!(g.flagged.model, want.flagged.model, "{}", g.id);
            let day = if g.flagged.row < 300 { d1 } else { d2 };
            assert_eq!(g.first_seen, day, "{}", g.id);
        }
    }
}
