//! Inspection results as records (issue 47), kept beside the signals: the records analysis read
//! from an inspection notice ([`crate::model::InspectionRecord`]), one row per record keyed by
//! (document, place among its records), written in the transaction that stores the document and
//! its signals ([`put_in`], from `put_document_in`). A re-fetched or re-analysed notice replaces
//! its rows there, so a crash keeps both or neither and a replay counts nothing twice.

use chrono::NaiveDate;
use rusqlite::params;

use super::{Result, Store};
use crate::model::{Document, Extraction, InspectionRecord, StoredInspection};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS inspection_records (
    doc_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    day TEXT NOT NULL,
    category TEXT,
    json TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX IF NOT EXISTS inspection_records_day ON inspection_records(day);
"#;

/// Replace a document's records, inside the transaction that stores it. A record's day is the
/// notice's date, else the document's day.
pub(super) fn put_in(
    tx: &rusqlite::Transaction<'_>,
    doc: &Document,
    ex: &Extraction,
) -> Result<()> {
    tx.prepare_cached("DELETE FROM inspection_records WHERE doc_id = ?1")?
        .execute([&doc.id])?;
    for (seq, r) in ex.inspections.iter().enumerate() {
        let day = r.date.unwrap_or_else(|| doc.day());
        tx.prepare_cached(
            "INSERT INTO inspection_records (doc_id, seq, day, category, json) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            doc.id,
            seq as i64,
            day.to_string(),
            r.category,
            serde_json::to_string(r)?
        ])?;
    }
    Ok(())
}

/// Which records to list: of one category (`""`: the records over several products), from a
/// day on, up to a day.
#[derive(Debug, Clone, Default)]
pub struct InspectionQuery {
    pub category: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Store {
    /// Stored inspection records, newest day first, then by document and place. A row whose JSON
    /// no longer reads (written by another version) is skipped and logged, the rest listed.
    pub fn inspections(&self, q: &InspectionQuery) -> Result<Vec<StoredInspection>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT r.doc_id, r.seq, r.day, r.json, COALESCE(d.title, ''), COALESCE(d.url, '')
             FROM inspection_records r LEFT JOIN documents d ON d.id = r.doc_id
             WHERE (?1 IS NULL OR COALESCE(r.category, '') = ?1)
               AND (?2 IS NULL OR r.day >= ?2) AND (?3 IS NULL OR r.day <= ?3)
             ORDER BY r.day DESC, r.doc_id, r.seq",
        )?;
        let rows = stmt.query_map(
            params![
                q.category,
                q.since.map(|d| d.to_string()),
                q.until.map(|d| d.to_string())
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (doc_id, seq, day, json, title, url) = row?;
            let mut record: InspectionRecord = match serde_json::from_str(&json) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(doc_id, seq, error = %e, "inspection record: unreadable, skipped");
                    continue;
                }
            };
            // the day the row is filed under stands for a notice without a date of its own
            if record.date.is_none() {
                record.date = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok();
            }
            out.push(StoredInspection {
                doc_id,
                seq: u32::try_from(seq).unwrap_or(u32::MAX),
                title,
                url,
                record,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, DocKind, RecordFrom};

    fn notice(id: &str, day: &str, records: Vec<InspectionRecord>) -> (Document, Extraction) {
        let t = chrono::DateTime::parse_from_rfc3339(&format!("{day}T04:00:00Z"))
            .unwrap()
            .to_utc();
        let doc = Document {
            id: id.into(),
            source: "test".into(),
            channel: Channel::Regulator,
            kind: Some(DocKind::Inspection),
            url: format!("https://example.org/{id}"),
            title: format!("抽查通报 {id}"),
            text: "抽查通报".into(),
            published_at: Some(t),
            fetched_at: t,
            fields: Default::default(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        };
        let ex = Extraction {
            inspections: records,
            ..Extraction::empty(id, DocKind::Inspection)
        };
        (doc, ex)
    }

    fn record(
        category: Option<&str>,
        sampled: Option<u64>,
        failed: Option<u64>,
    ) -> InspectionRecord {
        InspectionRecord {
            category: category.map(str::to_string),
            product: None,
            sampled,
            failed,
            enterprises: None,
            failed_items: Vec::new(),
            parties: Vec::new(),
            regulator: None,
            date: None,
            from: RecordFrom::Text,
        }
    }

    #[test]
    fn records_are_replaced_with_their_document_and_listed_by_category_and_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let (d1, e1) = notice(
            "n1",
            "2026-03-02",
            vec![
                record(Some("电热毯"), Some(20), Some(3)),
                record(None, Some(50), Some(4)),
            ],
        );
        let (d2, e2) = notice(
            "n2",
            "2026-04-10",
            vec![record(Some("电热毯"), Some(10), None)],
        );
        store.put_document(&d1, &e1, &[]).unwrap();
        store.put_document(&d1, &e1, &[]).unwrap();
        store.put_document(&d2, &e2, &[]).unwrap();
        let all = store.inspections(&InspectionQuery::default()).unwrap();
        assert_eq!(all.len(), 3, "a second store of n1 replaces its rows");
        assert_eq!(all[0].doc_id, "n2");
        let blankets = InspectionQuery {
            category: Some("电热毯".into()),
            since: NaiveDate::from_ymd_opt(2026, 3, 1),
            until: NaiveDate::from_ymd_opt(2026, 3, 31),
        };
        let got = store.inspections(&blankets).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].record.sampled, Some(20));
        assert_eq!(got[0].title, "抽查通报 n1");
        assert_eq!(got[0].record.date, NaiveDate::from_ymd_opt(2026, 3, 2));
        let notice_wide = InspectionQuery {
            category: Some(String::new()),
            ..InspectionQuery::default()
        };
        assert_eq!(
            store.inspections(&notice_wide).unwrap()[0].record.sampled,
            Some(50)
        );
        // a re-analysed notice with fewer records keeps only those
        let (d1, e1) = notice("n1", "2026-03-02", vec![]);
        store.put_document(&d1, &e1, &[]).unwrap();
        assert_eq!(
            store
                .inspections(&InspectionQuery::default())
                .unwrap()
                .len(),
            1
        );
    }
}
