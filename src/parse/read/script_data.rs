//! The script-data reader of a detail page: the source's paths into the page's script data
//! (`[source.detail.script]`: `title = "_DATA_Detail.item.title"`, `shop = "pageConfig.shop"`).
//! It fills only what the readers before it left empty: the title, text, date and fields.

use std::collections::BTreeMap;

use crate::model::Document;

use super::super::dates::parse_date;
use super::super::page::Page;
use super::super::path::{lookup, scalar, without_markup};

/// Fills `doc` from the source's script `paths`: `title`, `text`, `published` where still empty,
/// any other name as a structured field where no reader before named it. A page whose source
/// gives no paths is not scanned for script data here.
pub(in crate::parse) fn read(page: &Page, paths: &BTreeMap<String, String>, doc: &mut Document) {
    if paths.is_empty() {
        return;
    }
    let data = page.data();
    for (name, path) in paths {
        let Some(v) = lookup(data, path)
            .and_then(scalar)
            .map(|v| without_markup(&v))
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        match name.as_str() {
            "title" if doc.title.is_empty() => doc.title = v,
            "text" if doc.text.is_empty() => doc.text = v,
            "published" => {
                if doc.published_at.is_none() {
                    doc.published_at = parse_date(&v);
                }
            }
            "title" | "text" => {}
            _ => {
                doc.fields.entry(name.clone()).or_insert(v);
            }
        }
    }
}
