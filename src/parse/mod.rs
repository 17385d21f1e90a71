//! Parse: page bytes → text → `Document`s, and for the crawler the links a page leads to.
//!
//! Data flows in from crawl (`Fetched`, already archived) and out to analyze (`Document`);
//! [`discover`] is called by the crawler after a page is archived. Nothing here panics on a
//! page: a selector that finds nothing yields an empty field, a page that yields no title or
//! text is an error naming its URL.
//!
//! **A page is read by a chain of readers** (`read/`), in the order [`parse_page`] gives — the
//! one place that says it. Each reader reads one kind of what a page carries and fills only
//! what the readers before it left empty; none calls another or back into this file (they
//! share `page`, `path` and `items`, below them). The same chain serves `run`, `rerun`,
//! `reindex` and the NATS analyze worker (through `pipeline::work::work_page`) and `jiance
//! fetch` (through [`parse`] and [`generic_page`]).
//!
//! A detail page: **declared selectors** (`[source.detail]`) → **generic article** extraction
//! (where the source declares no text: no `[source.detail]`, or `text = "auto"`) → the source's
//! **script-data** paths → **JSON-LD** → the source's own fields (platform, publisher) →
//! **attachments**, which add rows. Why this order:
//! - What the source declares is its maintainer's word for that site; nothing read after it
//!   replaces it (a selector's title beats generic extraction's, its date any other).
//! - Generic extraction's title and text come before script data and JSON-LD: the article as
//!   printed on the page is what readers see; script data and JSON-LD fill what it lacks (a
//!   product page's maker, a date).
//! - Script data (paths the source names) before JSON-LD (read without configuration): the
//!   named path is the more deliberate of the two.
//! - A page generic extraction finds no article in is still read when the source declares
//!   nothing and JSON-LD gives its title or text (a product page); with declared selectors
//!   and `text = "auto"` the source promised an article, and its absence stays an error.
//!   Too many elements (`too-large`) is an error at once.
//! - A page with declared selectors that gives neither title nor text is an error
//!   (`empty-page`); an article generic extraction found is taken as it is.
//!
//! An API page has its reader (`read::api`), a list page whose items stand in its script data
//! its own (`read::list_script`); feeds and sitemaps lead to detail pages and give no documents
//! themselves. Adding a kind of page is one reader file and a line here.

pub mod attachment;
mod attachment_error;
mod boilerplate;
pub mod charset;
mod dates;
mod discover;
mod docx;
mod feed;
pub(crate) use feed::HTML_ENTITIES;
pub mod generic;
mod html;
mod items;
mod links;
mod ole;
mod page;
mod path;
mod read;
pub mod script;
pub mod sitemap;
pub mod table;
mod xmltree;

use url::Url;

pub use charset::decode;
pub use dates::parse_date;
pub use discover::discover;
pub use page::ParseError;

use crate::config::SourceConfig;
pub use crate::model::Discovered;
use crate::model::{Document, Fetched, PageRole};
use page::Page;

/// The parser as the crawler's link reader: [`discover`] and [`attachment::links`].
pub struct Links;

impl crate::crawl::LinkReader for Links {
    fn discover(&self, page: &Fetched, source: &SourceConfig) -> Result<Discovered, String> {
        discover(page, source).map_err(|e| format!("{}: {e}", e.reason()))
    }
    fn attachments(&self, page: &Fetched) -> Vec<String> {
        attachment::links(page)
    }
}

/// Documents on a detail or API page. Attachments that gave no rows are logged; the pipeline
/// counts them through [`parse_page`].
pub fn parse(f: &Fetched, source: &SourceConfig) -> Result<Vec<Document>, ParseError> {
    let parsed = parse_page(f, source)?;
    for e in &parsed.attachment_errors {
        tracing::info!(page = %f.url, reason = e.reason(), "attachment: {e}");
    }
    Ok(parsed.docs)
}

/// What a page gave: its documents, and why any of its attachments gave no rows.
#[derive(Debug, Default)]
pub struct Parsed {
    pub docs: Vec<Document>,
    pub attachment_errors: Vec<attachment::AttachmentError>,
}

/// Documents on a detail, API or script-list page, read by the chain of readers (see the module
/// documentation for the order and why).
pub fn parse_page(f: &Fetched, source: &SourceConfig) -> Result<Parsed, ParseError> {
    let mut out = Parsed::default();
    match f.role {
        PageRole::Detail => {
            let page = Page::new(f, source)?;
            let mut doc = read_detail(&page)?;
            out.attachment_errors = read::attachments::read(f, &mut doc);
            out.docs.push(doc);
        }
        PageRole::Api => out.docs = read::api::read(f, source)?,
        PageRole::List => {
            if let Some(sc) = source.list.as_ref().and_then(|l| l.script.as_ref()) {
                out.docs = read::list_script::read(f, source, sc)?;
            }
        }
        _ => {}
    }
    for d in &mut out.docs {
        cap_text(d);
    }
    Ok(out)
}

/// A detail page's document: its readers in order, each filling what is still empty.
fn read_detail(page: &Page) -> Result<Document, ParseError> {
    let sel = page.source.detail.as_ref();
    let mut doc = page.document();
    // the source's own fields stand back for any a reader finds on the page
    let defaults = std::mem::take(&mut doc.fields);
    // Selectors first. Loading the config refuses a selector that does not compile, so this
    // reader's one error (`bad-selector`) never comes from a loaded source, and reading it
    // before generic extraction changes no page's outcome.
    if let Some(sel) = sel {
        read::selectors::read(page, sel, &mut doc)?;
    }
    let mut no_article = None;
    if sel.is_none_or(|s| s.text.is_auto()) {
        match read::article::read(page, &mut doc) {
            Ok(()) => {}
            Err(e) if sel.is_none() && e.reason() == "no-article" => no_article = Some(e),
            Err(e) => return Err(e),
        }
    }
    if let Some(sel) = sel {
        read::script_data::read(page, &sel.script, &mut doc);
    }
    read::json_ld::read(page, &mut doc);
    let empty = doc.title.is_empty() && doc.text.is_empty();
    match no_article {
        Some(e) if empty => return Err(e),
        None if empty && sel.is_some() => {
            return Err(ParseError::new(
                page.url(),
                "empty-page",
                "neither title nor text selectors matched",
            ));
        }
        _ => {}
    }
    for (k, v) in defaults {
        doc.fields.entry(k).or_insert(v);
    }
    Ok(doc)
}

/// Longest text (bytes) a document keeps: what is indexed and stored. Real pages are far
/// shorter; a page of megabytes (a log dump, a bomb cut at the body cap) keeps its head.
pub const MAX_DOCUMENT_TEXT: usize = 1024 * 1024;

/// Cut a document's text to [`MAX_DOCUMENT_TEXT`], recording the cut in its fields.
fn cap_text(d: &mut Document) {
    if let Some(cut) = crate::model::cut_text(&d.text, MAX_DOCUMENT_TEXT) {
        tracing::warn!(url = %d.url, kept = cut.kept, total = cut.total, "document text cut");
        d.text.truncate(cut.kept as usize);
        d.fields.insert(
            crate::model::field::TEXT_CUT.to_string(),
            format!("{}/{}", cut.kept, cut.total),
        );
    }
}

/// What generic extraction makes of a page fetched for no source (`jiance fetch URL`): a media
/// document of the page's site. The chain is the generic-article reader alone: a page of no
/// source has no declarations to read, and is read as its article.
pub fn generic_page(f: &Fetched) -> Result<Document, ParseError> {
    let site = Url::parse(&f.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let source = SourceConfig::for_page(&f.source, &site);
    let page = Page::new(f, &source)?;
    let mut doc = page.document();
    read::article::read(&page, &mut doc)?;
    cap_text(&mut doc);
    Ok(doc)
}

#[cfg(test)]
mod tests;
