//! The API reader: an API page's items (`[source.api]`: the array at `items`, each item's fields
//! by path) as documents, one per item. The body is JSON, JSONP or XML (see `items`).

use crate::config::SourceConfig;
use crate::model::{Document, Fetched};

use super::super::items::{api_fields, item_documents, json_body};
use super::super::page::ParseError;
use super::super::path::items;

/// The documents of an API page.
pub(in crate::parse) fn read(
    f: &Fetched,
    source: &SourceConfig,
) -> Result<Vec<Document>, ParseError> {
    let api = api_fields(f, source)?;
    let (json, xml) = json_body(f)?;
    let items =
        items(&json, &api.items, xml).map_err(|m| ParseError::new(&f.url, "bad-json", m))?;
    item_documents(f, source, items, &api.fields)
}
