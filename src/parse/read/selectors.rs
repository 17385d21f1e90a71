//! The selectors reader: what the source declares in `[source.detail]` — CSS selectors for the
//! title, text and publication date, structured fields, and a table of rows (an inspection
//! notice's failed products). A selector given as `"auto"` is left to generic extraction. It is
//! first in the chain, so a value it finds is never replaced by a reader after it.

use std::collections::BTreeMap;

use scraper::Selector;

use crate::config::DetailSelectors;
use crate::model::Document;

use super::super::dates::parse_date;
use super::super::html;
use super::super::page::{Page, ParseError, all_text, first_text, selector};

/// Fills `doc` by the source's selectors. A selector that matches nothing leaves its field
/// empty; one that does not compile is an error naming the page (`bad-selector`).
pub(in crate::parse) fn read(
    page: &Page,
    sel: &DetailSelectors,
    doc: &mut Document,
) -> Result<(), ParseError> {
    if !sel.title.is_auto() {
        doc.title = first_text(page, sel.title.as_slice())?;
    }
    if !sel.text.is_auto() {
        doc.text = all_text(page, sel.text.as_slice())?;
    }
    if let Some(p) = sel.published.as_ref().filter(|p| !p.is_auto()) {
        let raw = first_text(page, p.as_slice())?;
        doc.published_at = parse_date(&raw);
    }
    for (name, css) in &sel.fields {
        let value = first_text(page, std::slice::from_ref(css))?;
        if !value.is_empty() {
            doc.fields.insert(name.clone(), value);
        }
    }
    if let Some(table) = &sel.table {
        let rows = selector(page.url(), &table.rows)?;
        let columns: Vec<(String, Selector)> = table
            .columns
            .iter()
            .map(|(k, css)| selector(page.url(), css).map(|s| (k.clone(), s)))
            .collect::<Result<_, _>>()?;
        for row in page.html().select(&rows) {
            let mut values = BTreeMap::new();
            for (name, s) in &columns {
                if let Some(cell) = row.select(s).next() {
                    let v = html::element_text(cell);
                    if !v.is_empty() {
                        values.insert(name.clone(), v);
                    }
                }
            }
            if !values.is_empty() {
                doc.rows.push(values);
            }
        }
    }
    Ok(())
}
