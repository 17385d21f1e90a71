//! Items: an API page's body read as one value tree (JSON, the argument of a JSONP call, or XML
//! through `xmltree`), and the items of such a tree or of a page's script data turned into
//! documents by field paths. Shared by the API and list-script readers and by link discovery
//! (which pages an API on while its pages have items).

use std::collections::BTreeMap;

use serde_json::Value;
use url::Url;

use super::charset::decode;
use super::dates::parse_date;
use super::page::{ParseError, base_document};
use super::path::{field_value, without_markup};
use super::{script, xmltree};
use crate::config::{ApiFields, SourceConfig, SourceKind};
use crate::model::{Document, Fetched, doc_id, field};

/// The source's `[source.api]`, or an error: a page in the API role of a source without one.
pub(super) fn api_fields<'a>(
    f: &Fetched,
    source: &'a SourceConfig,
) -> Result<&'a ApiFields, ParseError> {
    match (&source.api, source.kind) {
        (Some(api), SourceKind::Json) => Ok(api),
        _ => Err(ParseError::new(
            &f.url,
            "no-api-fields",
            "source has no [source.api]",
        )),
    }
}

/// An API page's body as a JSON value, and whether it was XML (read by [`xmltree`] into the same
/// tree, so one path language serves both).
pub(super) fn json_body(f: &Fetched) -> Result<(Value, bool), ParseError> {
    let text = decode(f);
    // an HTML page where data was expected (an error or "busy" page) is an error, not XML
    // without the items
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(14)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<html") || head.starts_with("<!doctype html") {
        return Err(ParseError::new(
            &f.url,
            "bad-json",
            "body is an HTML page, not JSON or XML",
        ));
    }
    if xmltree::looks_like_xml(&text) {
        return xmltree::to_value(&text).map(|v| (v, true)).ok_or_else(|| {
            ParseError::new(&f.url, "bad-xml", "body starts like XML but has no element")
        });
    }
    match serde_json::from_str(&text) {
        Ok(v) => Ok((v, false)),
        // review and price APIs of shops answer JSONP (`cb123({"comments": [...]});`): the
        // call's argument is the data, whatever the callback is named this time
        Err(e) => jsonp(&text)
            .map(|v| (v, false))
            .ok_or_else(|| ParseError::new(&f.url, "bad-json", format!("body is not JSON: {e}"))),
    }
}

/// The argument of a JSONP body (`name({…})`, `name([…]);`), read as JSON or, failing that, as a
/// JavaScript literal (see `script`); `None` for anything else.
fn jsonp(text: &str) -> Option<Value> {
    let t = text.trim_start_matches('\u{feff}').trim();
    let t = t.trim_end_matches(';').trim_end();
    let open = t.find('(')?;
    let name = t[..open].trim();
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if !is_name || !t.ends_with(')') {
        return None;
    }
    let arg = t[open + 1..t.len() - 1].trim();
    if let Ok(v) = serde_json::from_str::<Value>(arg) {
        return Some(v);
    }
    match script::page_data(t) {
        Value::Object(m) if m.len() == 1 => m.into_iter().next().map(|(_, v)| v),
        _ => None,
    }
}

/// Items of an API page or of script data to documents, by field paths relative to each item.
pub(super) fn item_documents(
    f: &Fetched,
    source: &SourceConfig,
    items: &[Value],
    fields: &BTreeMap<String, String>,
) -> Result<Vec<Document>, ParseError> {
    let base = Url::parse(&f.url).ok();
    let mut docs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let get = |key: &str| {
            fields
                .get(key)
                .and_then(|path| field_value(item, path))
                .map(|v| without_markup(&v))
        };
        let native = get("id");
        let item_url = get("url").and_then(|u| match &base {
            Some(b) => b
                .join(&u)
                .ok()
                .and_then(|u| crate::util::canon::canonicalize(u.as_str()).ok()),
            None => crate::util::canon::canonicalize(&u).ok(),
        });
        // Identity: the item's own page when it names one (so the same complaint read from the
        // board's HTML and from its API is one document), else the API's id (so the same item on
        // page 2 today and page 3 tomorrow is one document), else its position.
        let (key, url) = match (item_url, &native) {
            (Some(u), _) => (u.clone(), u),
            (None, Some(n)) => (
                format!("{}\u{1f}{n}", source.name),
                format!("{}#{n}", f.url),
            ),
            (None, None) => {
                let u = format!("{}#{i}", f.url);
                (u.clone(), u)
            }
        };
        let mut doc = base_document(f, source, doc_id(&key), url);
        doc.title = get("title").unwrap_or_default();
        doc.text = get("text").unwrap_or_default();
        if doc.title.is_empty() && doc.text.is_empty() {
            return Err(ParseError::new(
                &f.url,
                "empty-item",
                format!("item {i} has neither title nor text"),
            ));
        }
        doc.published_at = get("published").and_then(|p| parse_date(&p));
        for (name, path) in fields {
            if matches!(name.as_str(), "id" | "url" | "title" | "text" | "published") {
                continue;
            }
            if let Some(v) = field_value(item, path) {
                doc.fields.insert(name.clone(), without_markup(&v));
            }
        }
        // an aggregator's items name their own country (`region`): it places them, not the
        // source's default
        if let Some(r) = doc.field(field::REGION) {
            doc.region_hint = Some(r.to_string());
        }
        docs.push(doc);
    }
    Ok(docs)
}
