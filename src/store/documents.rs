//! Documents as the store keeps them: each document's metadata, its content fingerprint and
//! owner (what tells a re-fetched page unchanged), its stored extraction, and its signals (the
//! `signals` table), written together in one transaction so a re-fetch never leaves stale or
//! doubled signals. The market stage's record of a document is written in the same transaction
//! (`super::market`).

use rusqlite::{OptionalExtension, params};

use super::{Result, Store, market};
use crate::model::{Document, Extraction, Signal};

pub(super) const SCHEMA: &str = r#"
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
"#;

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

impl Store {
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
            if let Some(row) = stmt.query_row([id], document_row).optional()? {
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

    pub fn document_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Signal rows stored (a document's signals replace its earlier ones).
    pub fn signal_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM signals", [], |r| r.get(0))?;
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
    super::inspections::put_in(tx, doc, ex)?;
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

/// A `documents` row read by a query that selects, in this order, id, source, kind, url, title,
/// published, cluster, is_signal and reason (more columns may follow).
pub(super) fn document_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentRow> {
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
}
