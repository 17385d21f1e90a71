//! The documents that name a party (an enterprise, brand or shop), for the parties' histories
//! (`review::parties`). Read from the documents table: a text match on the extraction narrows
//! the rows before any is decoded, since most documents name no party.

use super::{DocumentRow, Result, Store};
use crate::model::Parties;

impl Store {
    /// Every stored document whose extraction names an enterprise, brand or shop, with those
    /// parties, in document id order.
    pub fn party_documents(&self) -> Result<Vec<(DocumentRow, Parties)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, source, kind, url, title, published, cluster, is_signal, reason, extraction
             FROM documents
             WHERE extraction LIKE '%\"brands\":[\"%' OR extraction LIKE '%\"enterprises\":[\"%'
                OR extraction LIKE '%\"shops\":[\"%'
             ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((super::documents::document_row(r)?, r.get::<_, String>(9)?))
        })?;
        #[derive(serde::Deserialize)]
        struct Only {
            #[serde(default)]
            parties: Parties,
        }
        let mut out = Vec::new();
        for row in rows {
            let (doc, json) = row?;
            // a row another version wrote that no longer reads is left out, not the whole list
            let only: Only = match serde_json::from_str(&json) {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!(doc = %doc.id, error = %e, "stored extraction does not read; its parties are left out");
                    continue;
                }
            };
            if !only.parties.brands.is_empty()
                || !only.parties.enterprises.is_empty()
                || !only.parties.shops.is_empty()
            {
                out.push((doc, only.parties));
            }
        }
        Ok(out)
    }
}
