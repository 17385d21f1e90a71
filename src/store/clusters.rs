//! Near-duplicate clusters: each document's shingle sketch, its cluster id and the fields that
//! tell a story from a template's other uses, in the order they were stored (what a windowed
//! near-duplicate index starts from).

use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS clusters (
    doc_id TEXT PRIMARY KEY,
    sketch BLOB NOT NULL,
    cluster TEXT NOT NULL,
    fields BLOB NOT NULL DEFAULT x''
);
"#;

impl Store {
    /// Near-duplicate cluster entries (doc id, shingle sketch, cluster id, the fields that tell
    /// a story from a template's other uses), in insertion order.
    pub fn clusters(&self) -> Result<Vec<ClusterRow>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT doc_id, sketch, cluster, fields FROM clusters ORDER BY rowid")?;
        let rows = stmt.query_map([], cluster_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The `limit` most recently stored cluster entries, oldest first: what a windowed
    /// near-duplicate index starts from.
    pub fn latest_clusters(&self, limit: usize) -> Result<Vec<ClusterRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT doc_id, sketch, cluster, fields FROM clusters ORDER BY rowid DESC LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt
            .query_map([limit], cluster_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.reverse();
        Ok(rows)
    }

    /// The stored cluster entry of one document, if any.
    pub fn cluster_of(&self, doc_id: &str) -> Result<Option<ClusterRow>> {
        // asked for every document the sink accepts: the statement is kept, not prepared per call
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT doc_id, sketch, cluster, fields FROM clusters WHERE doc_id = ?1",
            )?
            .query_row([doc_id], cluster_row)
            .optional()?)
    }

    pub fn put_clusters(&self, entries: &[ClusterRow]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            // one statement for the batch (the sink writes every document's entry), not one
            // prepared again per row
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO clusters (doc_id, sketch, cluster, fields) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let (mut blob, mut fblob): (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
            for (doc_id, sketch, cluster, fields) in entries {
                blob.clear();
                blob.extend(sketch.iter().flat_map(|h| h.to_le_bytes()));
                fblob.clear();
                fblob.extend(fields.iter().flat_map(|h| h.to_le_bytes()));
                insert.execute(params![doc_id, blob, cluster, fblob])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// A near-duplicate cluster entry: document id, sketch, cluster id and the document's fields
/// (the analyzer's stored form; empty when it names none or was stored before fields existed).
pub type ClusterRow = (String, Vec<u32>, String, Vec<u32>);

/// A `clusters` row: document id, sketch and fields (little-endian u32s) and cluster id.
fn cluster_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClusterRow> {
    let words = |blob: Vec<u8>| -> Vec<u32> {
        blob.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    Ok((
        r.get::<_, String>(0)?,
        words(r.get(1)?),
        r.get::<_, String>(2)?,
        words(r.get(3)?),
    ))
}

/// A store made before issue 44 has no `fields` column in `clusters`: it is added (empty, as its
/// entries name no fields), in SQLite's one transactional statement.
pub(super) fn add_cluster_fields(conn: &rusqlite::Connection) -> Result<()> {
    let has = conn
        .prepare("SELECT 1 FROM pragma_table_info('clusters') WHERE name = 'fields'")?
        .exists([])?;
    if !has {
        conn.execute_batch("ALTER TABLE clusters ADD COLUMN fields BLOB NOT NULL DEFAULT x''")?;
    }
    Ok(())
}
