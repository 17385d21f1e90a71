//! The page a reader reads, and the tools every reader shares: the parse error, the page's text
//! decoded once (a page of no likely text refused), its HTML tree and script data each parsed
//! at most once and only when a reader asks, the document a page starts as, compiled selectors
//! and the text they select, and link resolution. Readers and link discovery import from here
//! (and from `path`), never from `parse/mod.rs`: data flows up to the chain, not back.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

use super::{charset, html, script};
use crate::config::SourceConfig;
use crate::model::{Document, Fetched, doc_id, field};

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
    pub(super) fn new(url: &str, reason: &'static str, message: impl Into<String>) -> Self {
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

/// A detail page as its readers see it: the fetched page and its source, its text decoded once,
/// and its HTML tree and script data, each parsed the first time a reader asks for it (a page
/// read by generic extraction alone never builds our tree; one without script paths or JSON-LD
/// never scans its scripts).
pub(super) struct Page<'a> {
    pub fetched: &'a Fetched,
    pub source: &'a SourceConfig,
    body: String,
    html: OnceCell<Html>,
    data: OnceCell<Value>,
}

impl<'a> Page<'a> {
    /// The page decoded. A page whose bytes decode to no likely text is refused rather than
    /// analysed as mojibake: the detector took it for Chinese, but neither GBK nor Big5 gives
    /// text anyone wrote (EUC-TW, which no decoder here reads, or bytes that are no text).
    /// Counted as `bad-charset`.
    pub fn new(f: &'a Fetched, source: &'a SourceConfig) -> Result<Self, ParseError> {
        let s = charset::sniff(&f.body, f.header("content-type"));
        if s.from == "implausible" {
            return Err(ParseError::new(
                &f.url,
                "bad-charset",
                format!(
                    "undeclared encoding: the bytes are not UTF-8 and read as {} they are no \
                     likely Chinese text (an encoding such as EUC-TW, or no text at all); not \
                     analysed",
                    s.encoding.name()
                ),
            ));
        }
        Ok(Page {
            fetched: f,
            source,
            body: charset::decode_as(&f.body, s.encoding),
            html: OnceCell::new(),
            data: OnceCell::new(),
        })
    }

    pub fn url(&self) -> &str {
        &self.fetched.url
    }

    /// The page's text, decoded.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The page's HTML tree, parsed on first use.
    pub fn html(&self) -> &Html {
        self.html.get_or_init(|| Html::parse_document(&self.body))
    }

    /// The cell of the HTML tree, for generic extraction: it parses the page itself and reads
    /// ours only for what its own parse did not give, so it must not force ours.
    pub fn html_cell(&self) -> &OnceCell<Html> {
        &self.html
    }

    /// The page's script data (see `script`), read on first use.
    pub fn data(&self) -> &Value {
        self.data.get_or_init(|| script::page_data(&self.body))
    }

    /// The script data if a reader has already read it.
    pub fn data_at_hand(&self) -> Option<&Value> {
        self.data.get()
    }

    /// The document this page starts as: no title, text or date yet, and its source's fields.
    /// The crawler hands over canonical URLs, so the id is stable across fetches.
    pub fn document(&self) -> Document {
        base_document(
            self.fetched,
            self.source,
            doc_id(&self.fetched.url),
            self.fetched.url.clone(),
        )
    }
}

/// A document of `source` fetched in `f`: the source's channel, kind, weight and region, and its
/// platform and publisher as fields; no title, text or date.
pub(super) fn base_document(
    f: &Fetched,
    source: &SourceConfig,
    id: String,
    url: String,
) -> Document {
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

/// A source's selector, compiled ([`compiled`]), or an error naming the page and the CSS.
pub(super) fn selector(url: &str, css: &str) -> Result<Selector, ParseError> {
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
pub(super) fn compiled(css: &str) -> Result<Selector, String> {
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

/// The text of the first element any of `sels` selects that has text, tried in order; empty
/// when none does. The page is parsed only when there is a selector to try.
pub(super) fn first_text(page: &Page, sels: &[String]) -> Result<String, ParseError> {
    for css in sels {
        let s = selector(page.url(), css)?;
        if let Some(e) = page.html().select(&s).next() {
            let t = html::element_text(e);
            if !t.is_empty() {
                return Ok(t);
            }
        }
    }
    Ok(String::new())
}

/// The texts of every element `sels` select, in selector then page order, joined by newlines.
pub(super) fn all_text(page: &Page, sels: &[String]) -> Result<String, ParseError> {
    let mut parts = Vec::new();
    for css in sels {
        let s = selector(page.url(), css)?;
        parts.extend(
            page.html()
                .select(&s)
                .map(html::element_text)
                .filter(|t| !t.is_empty()),
        );
    }
    Ok(parts.join("\n"))
}

pub(super) fn resolve(base: &Url, href: Option<&str>) -> Option<String> {
    resolve_url(base, href?).map(String::from)
}

/// A link's absolute http(s) URL; `None` for script, mail and unparsable links.
pub(super) fn resolve_url(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with("javascript:") || href.starts_with("mailto:") {
        return None;
    }
    let u = base.join(href).ok()?;
    matches!(u.scheme(), "http" | "https").then_some(u)
}

pub(super) fn unique(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    it.filter(|u| seen.insert(u.clone())).collect()
}
