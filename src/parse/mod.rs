//! Parse: page bytes → text → `Document`s, and for the crawler the links a page leads to.
//!
//! Owns charset detection ([`charset`]) and everything that reads a page with a source's
//! selectors or field paths. Data flows in from crawl (`Fetched`, already archived) and out to
//! analyze (`Document`); [`discover`] is called by the crawler after a page is archived. Nothing
//! here panics on a page: a selector that finds nothing yields an empty field, a page that yields
//! no title or text is an error naming its URL.

pub mod attachment;
mod boilerplate;
pub mod charset;
mod dates;
mod docx;
mod feed;
pub(crate) use feed::HTML_ENTITIES;
pub mod generic;
mod html;
mod json;
mod links;
mod ole;
pub mod script;
pub mod sitemap;
mod table;
mod xmltree;

use std::collections::BTreeMap;

use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

pub use charset::decode;
pub use dates::parse_date;

use crate::config::{SourceConfig, SourceKind};
pub use crate::model::Discovered;
use crate::model::{Document, Fetched, PageRole, doc_id, field};
use json::*;

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{url}: {message}")]
    Page {
        url: String,
        reason: &'static str,
        message: String,
    },
}

impl ParseError {
    fn new(url: &str, reason: &'static str, message: impl Into<String>) -> Self {
        ParseError::Page {
            url: url.to_string(),
            reason,
            message: message.into(),
        }
    }

    /// Short stable reason for counters (`bad-json`, `bad-feed`, `no-title`, `bad-selector` …).
    pub fn reason(&self) -> &'static str {
        match self {
            ParseError::Page { reason, .. } => reason,
        }
    }
}

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

/// Links on a list, feed or API page.
pub fn discover(f: &Fetched, source: &SourceConfig) -> Result<Discovered, ParseError> {
    let base = Url::parse(&f.url)
        .map_err(|e| ParseError::new(&f.url, "bad-url", format!("bad page URL: {e}")))?;
    match f.role {
        // an auto source's page is read for what it is
        PageRole::List if source.kind == SourceKind::Auto => match shape(f) {
            Shape::Feed => feed_links(f, &base),
            Shape::Sitemap => sitemap::discover(f, &base),
            Shape::Html => Ok(shape_links(&Html::parse_document(&decode(f)), &base)),
        },
        PageRole::List => {
            let doc = Html::parse_document(&decode(f));
            let Some(list) = source.list.as_ref() else {
                return Ok(shape_links(&doc, &base));
            };
            // a list of script items may have no detail links at all
            let details = if list.links.is_empty() {
                Vec::new()
            } else {
                let links = selector(&f.url, &list.links)?;
                unique(
                    doc.select(&links)
                        .filter_map(|e| resolve(&base, e.value().attr("href"))),
                )
            };
            // items in the page's script data are documents of the page itself (as an API
            // page's are): paging goes on while a page has them
            let inline_items = list.script.as_ref().map_or(0, |sc| {
                let data = script::page_data(&decode(f));
                items(&data, &sc.items, false).map_or(0, <[Value]>::len)
            });
            let mut out = Discovered {
                details,
                inline_items,
                ..Default::default()
            };
            if let Some(next) = &list.next {
                let sel = selector(&f.url, next)?;
                out.next = doc
                    .select(&sel)
                    .filter_map(|e| resolve(&base, e.value().attr("href")))
                    .take(1)
                    .collect();
            }
            if let (true, Some(pattern), false) = (
                out.next.is_empty(),
                &list.pattern,
                out.details.is_empty() && out.inline_items == 0,
            ) {
                out.next.extend(next_by_pattern(&base, pattern));
            }
            Ok(out)
        }
        // Sitemaps are fetched in the feed role: a page that only leads to article pages.
        PageRole::Feed if source.kind == SourceKind::Sitemap => sitemap::discover(f, &base),
        PageRole::Feed => feed_links(f, &base),
        PageRole::Api => {
            let api = api_fields(f, source)?;
            let (json, xml) = json_body(f)?;
            let items = items(&json, &api.items, xml)
                .map_err(|m| ParseError::new(&f.url, "bad-json", m))?;
            let mut out = Discovered::default();
            // an index page (a list of weekly reports) leads to further pages read like it
            if let Some(path) = &api.follow {
                let mut urls = Vec::new();
                collect(&json, path, &mut urls);
                out.next.extend(unique(
                    urls.into_iter()
                        .filter_map(scalar)
                        .filter_map(|u| resolve_url(&base, &u).map(String::from)),
                ));
            }
            if let (Some(param), false) = (&api.page_param, items.is_empty()) {
                out.next.push(next_page(&base, param).to_string());
            }
            if let (Some(path), false) = (&api.cursor, items.is_empty()) {
                let cursor = lookup(&json, path)
                    .and_then(scalar)
                    .filter(|c| !c.is_empty());
                if let Some(c) = cursor {
                    let param = api.cursor_param.as_deref().unwrap_or("cursor");
                    out.next.push(with_param(&base, param, &c).to_string());
                }
            }
            Ok(out)
        }
        PageRole::Detail | PageRole::Robots | PageRole::Attachment => Ok(Discovered::default()),
    }
}

/// Links of a list page without selectors: article links by URL shape and headline text, and
/// paging only where the page had articles (see `links`).
fn shape_links(doc: &Html, base: &Url) -> Discovered {
    let l = links::list_links(doc, base);
    Discovered {
        next: if l.details.is_empty() {
            Vec::new()
        } else {
            l.next.into_iter().collect()
        },
        details: l.details,
        ..Default::default()
    }
}

/// Entry links of a feed. Decoded by our charset rules and read as UTF-8; malformed feeds are
/// repaired (see `feed`), and what was repaired is reported for the crawler to count.
fn feed_links(f: &Fetched, base: &Url) -> Result<Discovered, ParseError> {
    let (links, repairs) = feed::entry_links(&charset::feed_text(f)).map_err(|e| {
        ParseError::new(
            &f.url,
            "bad-feed",
            format!("not a readable RSS/Atom feed: {e}"),
        )
    })?;
    Ok(Discovered {
        details: unique(links.iter().filter_map(|l| resolve(base, Some(l)))),
        repairs,
        ..Default::default()
    })
}

/// What a page of an auto source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Feed,
    Sitemap,
    Html,
}

/// Tells a feed or sitemap from an HTML page by its first element (after any BOM, XML
/// declaration, comments and doctype) — what the body is, not what its Content-Type says, which
/// real servers get wrong both ways (feeds as `text/html`, pages as `text/xml`). A JSON body is
/// a JSON Feed when it names its version URL.
fn shape(f: &Fetched) -> Shape {
    let head = &f.body[..f.body.len().min(4096)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    loop {
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|e| e + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|e| e + 3)
        } else if rest.starts_with("<!doctype") {
            // an HTML doctype says HTML; an XML one (rare) is skipped like the others
            if rest.starts_with("<!doctype html") {
                return Shape::Html;
            }
            rest.find('>').map(|e| e + 1)
        } else {
            break;
        };
        let Some(skip) = skip else {
            return Shape::Html;
        };
        rest = rest[skip..].trim_start();
    }
    let element = |name: &str| {
        rest.strip_prefix('<')
            .and_then(|r| r.strip_prefix(name))
            .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/'))
    };
    if ["rss", "feed", "rdf:rdf"].into_iter().any(element) {
        Shape::Feed
    } else if ["urlset", "sitemapindex"].into_iter().any(element) {
        Shape::Sitemap
    } else if rest.starts_with('{') && rest.contains("jsonfeed.org/version") {
        Shape::Feed
    } else {
        Shape::Html
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

/// Documents on a detail or API page; a detail page's attachments ([`Fetched::attachments`])
/// add their table rows to its document, so a notice yields its failed products once whether
/// they stand in its HTML table, in an attached file, or in both (a row already there is not
/// added again).
pub fn parse_page(f: &Fetched, source: &SourceConfig) -> Result<Parsed, ParseError> {
    let mut out = Parsed {
        docs: match f.role {
            PageRole::Detail => vec![parse_detail(f, source)?],
            PageRole::Api => parse_api(f, source)?,
            PageRole::List => match source.list.as_ref().and_then(|l| l.script.as_ref()) {
                Some(sc) => script_items(f, source, sc)?,
                None => Vec::new(),
            },
            _ => Vec::new(),
        },
        ..Parsed::default()
    };
    if let (PageRole::Detail, Some(doc)) = (f.role, out.docs.first_mut()) {
        for a in &f.attachments {
            match attachment::read(a) {
                Ok(rows) => {
                    for row in rows {
                        if !doc.rows.iter().any(|r| same_row(r, &row)) {
                            doc.rows.push(row);
                        }
                    }
                }
                Err(e) => out.attachment_errors.push(e),
            }
        }
    }
    for d in &mut out.docs {
        cap_text(d);
    }
    Ok(out)
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

fn base_document(f: &Fetched, source: &SourceConfig, id: String, url: String) -> Document {
    let mut fields = BTreeMap::new();
    if let Some(p) = &source.platform {
        fields.insert(field::PLATFORM.to_string(), p.clone());
    }
    fields.insert(field::PUBLISHER.to_string(), source.publisher());
    Document {
        id,
        source: source.name.clone(),
        channel: source.channel,
        kind: source.doc_kind,
        url,
        title: String::new(),
        text: String::new(),
        published_at: None,
        fetched_at: f.fetched_at,
        fields,
        rows: Vec::new(),
        region_hint: source.region.clone(),
        weight: source.weight,
    }
}

/// What generic extraction makes of a page fetched for no source (`jiance fetch URL`): a media
/// document of the page's site.
pub fn generic_page(f: &Fetched) -> Result<Document, ParseError> {
    let site = Url::parse(&f.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let source = SourceConfig::for_page(&f.source, &site);
    let body = readable(f)?;
    let mut doc = generic_from(f, &source, &body, None)?;
    cap_text(&mut doc);
    Ok(doc)
}

/// A detail page read by generic article extraction: its title, text and publication time from
/// the page decoded (`body`) and, where the caller has it, parsed; or an error counted by why
/// there was no article.
fn generic_from(
    f: &Fetched,
    source: &SourceConfig,
    body: &str,
    page: Option<&Html>,
) -> Result<Document, ParseError> {
    let a = generic::article_in(body, &f.url, page).map_err(|reason| {
        ParseError::new(
            &f.url,
            reason,
            match reason {
                "too-large" => "too many elements for generic article extraction",
                _ => {
                    "generic extraction found no article (a listing, a login wall, an empty shell?)"
                }
            },
        )
    })?;
    let mut doc = base_document(f, source, doc_id(&f.url), f.url.clone());
    doc.title = a.title;
    doc.text = a.text;
    doc.published_at = a.published;
    Ok(doc)
}

/// The page's text, decoded once. A page whose bytes decode to no likely text is refused rather
/// than analysed as mojibake: the detector took it for Chinese, but neither GBK nor Big5 gives
/// text anyone wrote (EUC-TW, which no decoder here reads, or bytes that are no text). Counted
/// as `bad-charset`.
fn readable(f: &Fetched) -> Result<String, ParseError> {
    let s = charset::sniff(&f.body, f.header("content-type"));
    if s.from == "implausible" {
        return Err(ParseError::new(
            &f.url,
            "bad-charset",
            format!(
                "undeclared encoding: the bytes are not UTF-8 and read as {} they are no likely \
                 Chinese text (an encoding such as EUC-TW, or no text at all); not analysed",
                s.encoding.name()
            ),
        ));
    }
    Ok(charset::decode_as(&f.body, s.encoding))
}

fn parse_detail(f: &Fetched, source: &SourceConfig) -> Result<Document, ParseError> {
    let body = readable(f)?;
    let Some(sel) = source.detail.as_ref() else {
        return generic_or_ld(f, source, &body);
    };
    let auto = sel.text.is_auto();
    let page = Html::parse_document(&body);
    // The crawler hands over canonical URLs, so the id is stable across fetches.
    let mut doc = if auto {
        generic_from(f, source, &body, Some(&page))?
    } else {
        base_document(f, source, doc_id(&f.url), f.url.clone())
    };
    if !sel.title.is_auto() {
        let title = first_text(&page, &f.url, sel.title.as_slice())?;
        if !title.is_empty() || !auto {
            doc.title = title;
        }
    }
    if !auto {
        doc.text = all_text(&page, &f.url, sel.text.as_slice())?;
    }
    // script data: the source's paths, then JSON-LD where the page has it (read by a scan of
    // the raw text, so pages without either cost nothing more)
    if !sel.script.is_empty() || body.contains("ld+json") {
        let data = script::page_data(&body);
        fill_from_script(&mut doc, &sel.script, &data);
        fill_from_ld(&mut doc, &data);
    }
    if doc.title.is_empty() && doc.text.is_empty() {
        return Err(ParseError::new(
            &f.url,
            "empty-page",
            "neither title nor text selectors matched",
        ));
    }
    if let Some(p) = sel.published.as_ref().filter(|p| !p.is_auto()) {
        let raw = first_text(&page, &f.url, p.as_slice())?;
        // the selector's date wins; without one, generic extraction's (if any) stays
        if let Some(t) = parse_date(&raw) {
            doc.published_at = Some(t);
        }
    }
    for (name, css) in &sel.fields {
        let value = first_text(&page, &f.url, std::slice::from_ref(css))?;
        if !value.is_empty() {
            doc.fields.insert(name.clone(), value);
        }
    }
    if let Some(table) = &sel.table {
        let rows = selector(&f.url, &table.rows)?;
        let columns: Vec<(String, Selector)> = table
            .columns
            .iter()
            .map(|(k, css)| selector(&f.url, css).map(|s| (k.clone(), s)))
            .collect::<Result<_, _>>()?;
        for row in page.select(&rows) {
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
    Ok(doc)
}

/// The page after `page` by a `{page}` URL pattern: the pattern resolved against the page, matched
/// with the number as a wildcard; a page that does not match is page 1 (the start URL).
fn next_by_pattern(page: &Url, pattern: &str) -> Option<String> {
    let (before, after) = pattern.split_once("{page}")?;
    let abs_before = page.join(before).ok()?.to_string();
    // `join` may add a trailing slash or normalise; compare on the resolved prefix.
    let url = page.as_str();
    let current = url
        .strip_prefix(abs_before.as_str())
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let tail = &rest[digits.len()..];
            (tail == after && !digits.is_empty())
                .then(|| digits.parse::<u64>().ok())
                .flatten()
        })
        .unwrap_or(1);
    let next = format!("{before}{}{after}", current + 1);
    page.join(&next).ok().map(|u| u.to_string())
}

/// The same URL with `param` set to `value` (other parameters kept).
fn with_param(url: &Url, param: &str, value: &str) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != param)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .chain(std::iter::once((param.to_string(), value.to_string())))
        .collect();
    let mut next = url.clone();
    next.query_pairs_mut().clear().extend_pairs(pairs);
    next
}

/// The same URL with `param` incremented (absent counts as 1, so the next page is 2).
fn next_page(url: &Url, param: &str) -> Url {
    let current = url
        .query_pairs()
        .find(|(k, _)| k == param)
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(1);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != param)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .chain(std::iter::once((
            param.to_string(),
            (current + 1).to_string(),
        )))
        .collect();
    let mut next = url.clone();
    next.query_pairs_mut().clear().extend_pairs(pairs);
    next
}

/// A source's selector, compiled ([`compiled`]), or an error naming the page and the CSS.
fn selector(url: &str, css: &str) -> Result<Selector, ParseError> {
    compiled(css).map_err(|e| {
        ParseError::new(
            url,
            "bad-selector",
            format!("bad CSS selector {css:?}: {e}"),
        )
    })
}

/// `css` compiled, or why it does not compile. Every selector of the parser — the sources' and
/// our own constant ones — is kept compiled per thread by its text: compiled again on every
/// page, they were 2 % of a rerun's CPU.
fn compiled(css: &str) -> Result<Selector, String> {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Selector>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    /// Selectors a thread keeps compiled; past it the cache starts again (configs name far fewer).
    const KEPT: usize = 4096;
    if let Some(s) = COMPILED.with(|c| c.borrow().get(css).cloned()) {
        return Ok(s);
    }
    let s = Selector::parse(css).map_err(|e| crate::config::selector_error(&e))?;
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= KEPT {
            c.clear();
        }
        c.insert(css.to_string(), s.clone());
    });
    Ok(s)
}

fn first_text(page: &Html, url: &str, sels: &[String]) -> Result<String, ParseError> {
    for css in sels {
        let s = selector(url, css)?;
        if let Some(e) = page.select(&s).next() {
            let t = html::element_text(e);
            if !t.is_empty() {
                return Ok(t);
            }
        }
    }
    Ok(String::new())
}

fn all_text(page: &Html, url: &str, sels: &[String]) -> Result<String, ParseError> {
    let mut parts = Vec::new();
    for css in sels {
        let s = selector(url, css)?;
        parts.extend(
            page.select(&s)
                .map(html::element_text)
                .filter(|t| !t.is_empty()),
        );
    }
    Ok(parts.join("\n"))
}

fn resolve(base: &Url, href: Option<&str>) -> Option<String> {
    resolve_url(base, href?).map(String::from)
}

/// A link's absolute http(s) URL; `None` for script, mail and unparsable links.
fn resolve_url(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with("javascript:") || href.starts_with("mailto:") {
        return None;
    }
    let u = base.join(href).ok()?;
    matches!(u.scheme(), "http" | "https").then_some(u)
}

fn unique(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    it.filter(|u| seen.insert(u.clone())).collect()
}

#[cfg(test)]
mod tests;
