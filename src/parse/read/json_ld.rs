//! The JSON-LD reader: what a page declares about itself in JSON-LD, read with no configuration —
//! a `Product` gives the product, brand, model, price, shop and maker; a news article its
//! headline, date and body. It fills only what the readers before it left empty.

use serde_json::Value;

use crate::model::{Document, field};

use super::super::dates::parse_date;
use super::super::page::Page;
use super::super::path::{scalar, without_markup};
use super::super::script;

/// Fills `doc` from the page's JSON-LD where still empty. The script data is scanned for it only
/// when the page mentions `ld+json` or the data is already at hand (read for the source's
/// script paths), so a page without either costs nothing more.
pub(in crate::parse) fn read(page: &Page, doc: &mut Document) {
    let data = match page.data_at_hand() {
        Some(data) => data,
        None if page.body().contains("ld+json") => page.data(),
        None => return,
    };
    fill(doc, data);
}

/// A `Product` gives the product, brand, model, price, shop and maker; a news article its
/// headline, date and body.
fn fill(doc: &mut Document, data: &Value) {
    let text_of = |v: Option<&Value>| -> Option<String> {
        let v = v?;
        let s = match v {
            Value::Object(o) => o.get("name").and_then(scalar),
            Value::Array(a) => a.first().and_then(|x| match x {
                Value::Object(o) => o.get("name").and_then(scalar),
                other => scalar(other),
            }),
            other => scalar(other),
        }?;
        let s = without_markup(&s);
        (!s.is_empty()).then_some(s)
    };
    const NEWS: [&str; 5] = [
        "NewsArticle",
        "Article",
        "ReportageNews",
        "BlogPosting",
        "AnalysisNewsArticle",
    ];
    if let Some(a) = script::ld_of(data, &NEWS) {
        if doc.title.is_empty()
            && let Some(h) = text_of(a.get("headline"))
        {
            doc.title = h;
        }
        if doc.published_at.is_none() {
            doc.published_at = text_of(a.get("datePublished")).and_then(|d| parse_date(&d));
        }
        if doc.text.is_empty()
            && let Some(b) = text_of(a.get("articleBody"))
        {
            doc.text = b;
        }
    }
    if let Some(p) = script::ld_of(data, &["Product", "ProductModel", "IndividualProduct"]) {
        let offer = match p.get("offers") {
            Some(Value::Array(a)) => a.first(),
            other => other,
        };
        let offer = |key: &str| offer.and_then(|o| o.get(key));
        let found = [
            (field::PRODUCT, text_of(p.get("name"))),
            (field::BRAND, text_of(p.get("brand"))),
            (
                field::MODEL,
                text_of(p.get("model")).or_else(|| text_of(p.get("mpn"))),
            ),
            (
                field::PRICE,
                text_of(offer("price")).or_else(|| text_of(offer("lowPrice"))),
            ),
            (field::SHOP, text_of(offer("seller"))),
            (field::ENTERPRISE, text_of(p.get("manufacturer"))),
        ];
        for (name, v) in found {
            if let Some(v) = v {
                doc.fields.entry(name.to_string()).or_insert(v);
            }
        }
        if doc.title.is_empty()
            && let Some(n) = text_of(p.get("name"))
        {
            doc.title = n;
        }
        if doc.text.is_empty()
            && let Some(d) = text_of(p.get("description"))
        {
            doc.text = d;
        }
    }
}
