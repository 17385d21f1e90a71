//! The generic-article reader: a page's title, main text and publication time by generic
//! article extraction (`generic`), for a source that declares no selectors for them
//! (no `[source.detail]`, or `text = "auto"`) and for a page fetched for no source.

use crate::model::Document;

use super::super::generic;
use super::super::page::{Page, ParseError};

/// Fills `doc`'s title, text and date where still empty; or an error counted by why there was
/// no article (`no-article`, `too-large`), leaving `doc` as it was.
pub(in crate::parse) fn read(page: &Page, doc: &mut Document) -> Result<(), ParseError> {
    let a = generic::article_in(page.body(), page.url(), page.html_cell()).map_err(|reason| {
        ParseError::new(
            page.url(),
            reason,
            match reason {
                "too-large" => "too many elements for generic article extraction",
                _ => {
                    "generic extraction found no article (a listing, a login wall, an empty shell?)"
                }
            },
        )
    })?;
    if doc.title.is_empty() {
        doc.title = a.title;
    }
    if doc.text.is_empty() {
        doc.text = a.text;
    }
    if doc.published_at.is_none() {
        doc.published_at = a.published;
    }
    Ok(())
}
