//! Parse: page bytes → text → `Document`s (and, for the crawler, the links a page leads to).
//!
//! Owns charset detection (header, BOM, meta tag, then chardetng) and everything that reads a page
//! with a source's selectors or field paths. Data flows in from crawl (`Fetched`) and out to analyze
//! (`Document`); `discover` is called by the crawler after a page is archived.

use crate::config::SourceConfig;
use crate::model::{Document, Fetched, PageRole};

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{url}: {message}")]
    Page { url: String, message: String },
}

impl ParseError {
    /// Short stable reason for counters.
    pub fn reason(&self) -> &'static str {
        "parse"
    }
}

/// Links a fetched page leads to, with the role each should be fetched as.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Discovered {
    /// Detail / article pages (absolute URLs).
    pub details: Vec<String>,
    /// Further list / API pages (absolute URLs) of the same role as the page itself.
    pub next: Vec<String>,
}

/// Decode a response body to text: charset from the Content-Type header, a BOM, an HTML meta tag,
/// then detection. Never fails: undecodable bytes become U+FFFD.
pub fn decode(f: &Fetched) -> String {
    todo!("{f:?}")
}

/// Links on a list, feed or API page (`role` is the role the page was fetched as).
pub fn discover(f: &Fetched, source: &SourceConfig) -> Result<Discovered, ParseError> {
    todo!("{f:?}{source:?}")
}

/// Documents on a detail or API page.
pub fn parse(f: &Fetched, source: &SourceConfig) -> Result<Vec<Document>, ParseError> {
    let _ = PageRole::Detail;
    todo!("{f:?}{source:?}")
}
