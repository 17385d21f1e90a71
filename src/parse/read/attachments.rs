//! The attachments reader: a detail page's attached files ([`Fetched::attachments`]: xlsx, docx,
//! PDF, CSV) add their table rows to the page's document, so a notice yields its failed products
//! once whether they stand in its HTML table, in an attached file, or in both (a row already
//! there is not added again). It adds rows only; a file that gives none is reported, never the
//! page's failure.

use std::collections::BTreeMap;

use crate::model::{Document, Fetched, field};

use super::super::attachment::{self, AttachmentError};

/// Adds the rows of `f`'s attachments to `doc`; why any attachment gave no rows.
pub(in crate::parse) fn read(f: &Fetched, doc: &mut Document) -> Vec<AttachmentError> {
    let mut errors = Vec::new();
    for a in &f.attachments {
        match attachment::read(a) {
            Ok(rows) => {
                for row in rows {
                    if !doc.rows.iter().any(|r| same_row(r, &row)) {
                        doc.rows.push(row);
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    errors
}

/// Two rows name the same failed product: equal in every key both have but where they came
/// from (whitespace aside).
fn same_row(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    let keys = |r: &BTreeMap<String, String>| {
        r.iter()
            .filter(|(k, _)| k.as_str() != field::FROM)
            .map(|(k, v)| (k.clone(), norm(v)))
            .collect::<BTreeMap<_, _>>()
    };
    let (ka, kb) = (keys(a), keys(b));
    let shared = ka.keys().filter(|k| kb.contains_key(*k)).count();
    shared >= 2 && ka.iter().all(|(k, v)| kb.get(k).is_none_or(|w| w == v))
}
