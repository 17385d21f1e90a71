//! The list-script reader: a list page whose items stand in its script data
//! (`[source.list.script]`: a shop's search page, `g_page_config.mods.itemlist.data.auctions`),
//! each item a document as an API item is, and with `[source.list.script.reviews]` each item's
//! reviews fanned out into documents of their own.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::{ScriptItems, SourceConfig};
use crate::model::{Document, Fetched, doc_id, field};

use super::super::charset::decode;
use super::super::dates::parse_date;
use super::super::items::item_documents;
use super::super::page::ParseError;
use super::super::path::{field_value, items, lookup, without_markup};
use super::super::script;

/// The items of a list page's script data (see `script`), each a document as an API item is.
pub(in crate::parse) fn read(
    f: &Fetched,
    source: &SourceConfig,
    sc: &ScriptItems,
) -> Result<Vec<Document>, ParseError> {
    let data = script::page_data(&decode(f));
    if lookup(&data, &sc.items).is_none() {
        return Err(ParseError::new(
            &f.url,
            "no-script-data",
            format!(
                "no script data at {:?} (variables on the page: {})",
                sc.items,
                data.as_object()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
                    .filter(|k| !k.is_empty())
                    .unwrap_or_else(|| "none".into())
            ),
        ));
    }
    let items =
        items(&data, &sc.items, false).map_err(|m| ParseError::new(&f.url, "bad-json", m))?;
    let docs = item_documents(f, source, items, &sc.fields)?;
    let Some(rv) = &sc.reviews else {
        return Ok(docs);
    };
    let mut out = Vec::with_capacity(docs.len());
    for (item, doc) in items.iter().zip(docs) {
        let reviews = lookup(item, &rv.items).and_then(Value::as_array);
        let fanned: Vec<Document> = reviews
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(j, r)| review_document(&doc, j, r, &rv.fields))
            .collect();
        out.push(doc);
        out.extend(fanned);
    }
    Ok(out)
}

/// One review of a script item as a document of its own: the item's fields and title, the
/// review's text, date and fields. Its identity is the item's with the review's id (or, without
/// one, its text: positions shift as reviews are added); `None` for a review with no text.
fn review_document(
    item: &Document,
    j: usize,
    review: &Value,
    fields: &BTreeMap<String, String>,
) -> Option<Document> {
    let get = |key: &str| {
        fields
            .get(key)
            .and_then(|path| field_value(review, path))
            .map(|v| without_markup(&v))
            .filter(|v| !v.is_empty())
    };
    let text = get("text")?;
    let native = get("id");
    let key = format!(
        "{}\u{1f}review\u{1f}{}",
        item.url,
        native.as_deref().unwrap_or(&text)
    );
    let mut doc = item.clone();
    doc.id = doc_id(&key);
    // an item without a page of its own is already a fragment of the list page's URL
    let sep = if item.url.contains('#') { '-' } else { '#' };
    doc.url = match &native {
        Some(n) => format!("{}{sep}review-{n}", item.url),
        None => format!("{}{sep}review-{j}", item.url),
    };
    if let Some(t) = get("title") {
        doc.title = t;
    }
    doc.text = text;
    doc.published_at = get("published")
        .and_then(|p| parse_date(&p))
        .or(item.published_at);
    for (name, path) in fields {
        if matches!(name.as_str(), "id" | "url" | "title" | "text" | "published") {
            continue;
        }
        if let Some(v) = field_value(review, path) {
            doc.fields.insert(name.clone(), without_markup(&v));
        }
    }
    if let Some(r) = doc.field(field::REGION) {
        doc.region_hint = Some(r.to_string());
    }
    Some(doc)
}
