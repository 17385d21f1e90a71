//! `[[source]]`: one place risk information comes from, declared as data.
//!
//! A source names its kind (how its pages are structured), its channel, weight and politeness, and
//! the selectors or field paths that turn its pages into documents. Adding a source of a known kind
//! is one such block; no rebuild.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, line_in_block};
use crate::model::{Channel, DocKind};

/// How a source's pages are structured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// List pages → detail pages, by CSS selectors.
    Html,
    /// A JSON API with field paths and page paging.
    Json,
    /// An RSS / Atom feed whose entries link to article pages (parsed with `detail`).
    Feed,
    /// A sitemap (`<urlset>`) or sitemap index (`<sitemapindex>`), plain or gzipped, whose
    /// `<loc>` pages are parsed with `detail`; a page whose `<lastmod>` is newer than its last
    /// fetch is fetched again.
    Sitemap,
    /// Any site, in one line: each start page is read for what it is — a feed (RSS, Atom,
    /// RDF, JSON Feed), a sitemap, or an HTML page whose article links are found by their shape
    /// and whose paging by 下一页 / next / `index_N.html` — and every article by generic
    /// extraction (or by `[source.detail]` where given). No `[source.list]` or `[source.api]`.
    Auto,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Unique id, used in the archive, the index and signals.
    pub name: String,
    pub kind: SourceKind,
    pub channel: Channel,
    /// How much one document of this source counts in scoring (1.0 = a regulator notice).
    #[serde(default = "one")]
    pub weight: f32,
    /// Default region of a local site (province, city or county name).
    #[serde(default)]
    pub region: Option<String>,
    /// Platform name, for e-commerce sources (set as the `platform` field of every document).
    #[serde(default)]
    pub platform: Option<String>,
    /// Who publishes what this source reads: scoring counts independent publishers, so a site's
    /// HTML pages, feed and API — several sources — corroborate an alert once. Default: the site
    /// of the first start URL (see [`SourceConfig::publisher`]).
    #[serde(default)]
    pub publisher: Option<String>,
    /// Document kind of everything this source yields; inferred from the text when absent.
    #[serde(default)]
    pub doc_kind: Option<DocKind>,
    /// Start URLs: list pages, feeds or API endpoints.
    pub start: Vec<String>,
    /// How often `jiance run` crawls it ("30m", "6h").
    #[serde(default = "default_schedule", with = "super::humantime_serde_compat")]
    pub schedule: Duration,
    /// Most list / API pages followed per crawl.
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub politeness: Politeness,
    /// Freshness: the source is reported stale (`source-stale`) when its last successful pass is
    /// older than this many schedules (default 3).
    #[serde(default = "default_stale_after")]
    pub stale_after: f64,
    /// html: how to read list pages; without it, article links are found by URL shape and
    /// headline text, and paging by "下一页" links or `index_N.html`.
    #[serde(default)]
    pub list: Option<ListSelectors>,
    /// html, feed and sitemap: how to read detail / article pages; without it (or with
    /// `text = "auto"`), by generic article extraction.
    #[serde(default)]
    pub detail: Option<DetailSelectors>,
    /// json: how to read API pages.
    #[serde(default)]
    pub api: Option<ApiFields>,
    /// `"chromium"`: the source's HTML list and detail pages are loaded again in headless
    /// Chromium after the plain fetch and read as the browser built them (pages that are empty
    /// until their scripts run). Both the response and the rendered DOM are archived. Sources
    /// without it never start a browser.
    #[serde(default)]
    pub render: Option<Render>,
}

/// How a source's pages are rendered before they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Render {
    /// Headless Chromium (`crawl.chromium`, the Debian package by default).
    Chromium,
}

fn one() -> f32 {
    1.0
}
fn default_schedule() -> Duration {
    Duration::from_secs(3600)
}
fn default_max_pages() -> usize {
    50
}
fn default_stale_after() -> f64 {
    3.0
}

/// Per-source overrides of the global crawl settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Politeness {
    /// Requests per second per host.
    pub rps: Option<f64>,
    /// Concurrent requests per host.
    pub concurrency: Option<usize>,
    /// Obey robots.txt (default: the global setting).
    pub robots: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSelectors {
    /// CSS selector of links to detail pages (their `href`); may be left out when `script`
    /// gives the page's items.
    #[serde(default)]
    pub links: String,
    /// CSS selector of the "next page" link (its `href`).
    #[serde(default)]
    pub next: Option<String>,
    /// Pagination by URL pattern when a page has no "next" link: a URL (absolute or relative to the
    /// list page) with `{page}` where the page number goes (`/notices/index_{page}.html`). The page
    /// after the one whose URL matches with number n is n + 1; paging stops at a page without links.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Items in the page's script data (`g_page_config`, `__NEXT_DATA__`, JSON-LD …): each
    /// becomes a document, as an API item does.
    #[serde(default)]
    pub script: Option<ScriptItems>,
}

/// Items read from a page's script data (see `parse::script`): the array at `items`, a dotted
/// path that starts with the variable's name (`g_page_config.mods.itemlist.data.auctions`; `ld`
/// for JSON-LD), and each item's fields by dotted paths relative to it — `title`, `text`, `url`,
/// `id`, `published` as for an API item, any other name (price, shop, sales) a structured field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptItems {
    pub items: String,
    pub fields: BTreeMap<String, String>,
    /// Each item's reviews (`[source.list.script.reviews]`): an array inside the item, each
    /// element a document of its own.
    #[serde(default)]
    pub reviews: Option<ScriptReviews>,
}

/// Reviews an item carries in its script data (`comments`, `rateList`), fanned out: each is a
/// document with the item's structured fields (shop, brand, price), its own `text`, `id`,
/// `published` and other fields by dotted paths relative to the review, and the item's title
/// unless a `title` path gives one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptReviews {
    /// Dotted path from the item to its array of reviews.
    pub items: String,
    pub fields: BTreeMap<String, String>,
}

/// A field selector: one CSS selector, or several whose texts are joined by newlines.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Selectors {
    One(String),
    Many(Vec<String>),
}

impl Selectors {
    /// No selector: the field comes from elsewhere (script data) or stays empty.
    pub fn none() -> Self {
        Selectors::Many(Vec::new())
    }

    pub fn as_slice(&self) -> &[String] {
        match self {
            Selectors::One(s) => std::slice::from_ref(s),
            Selectors::Many(v) => v,
        }
    }

    /// `"auto"`: found by generic article extraction instead of a selector.
    pub fn is_auto(&self) -> bool {
        matches!(self.as_slice(), [one] if one.trim() == "auto")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailSelectors {
    /// May be left out when `script` gives the title.
    #[serde(default = "Selectors::none")]
    pub title: Selectors,
    /// May be left out when `script` gives the text (or there is none, as on a product page).
    #[serde(default = "Selectors::none")]
    pub text: Selectors,
    /// Publication date text (2026-03-05, 2026年3月5日, with or without a time).
    #[serde(default)]
    pub published: Option<Selectors>,
    /// Structured fields: field name → selector (text of the first match).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// A table of structured rows (e.g. failed products of an inspection notice).
    #[serde(default)]
    pub table: Option<TableSelectors>,
    /// Fields from the page's script data: field name → dotted path starting with the
    /// variable's name (`title = "_DATA_Detail.item.title"`, `shop = "pageConfig.product.shop"`);
    /// `title`, `text` and `published` fill the document's own where its selectors found none.
    #[serde(default)]
    pub script: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSelectors {
    /// Selector of row elements.
    pub rows: String,
    /// Column name → selector relative to the row.
    pub columns: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiFields {
    /// Dotted path to the array of items (`data.items`); empty for a top-level array.
    pub items: String,
    /// Query parameter incremented for paging (`page`); paging stops at an empty page.
    #[serde(default)]
    pub page_param: Option<String>,
    /// Cursor paging: dotted path in the response to the next cursor (`data.next_cursor`); paging
    /// stops when it is missing, empty or null, or the page has no items.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Query parameter the cursor is sent in (default `cursor`).
    #[serde(default)]
    pub cursor_param: Option<String>,
    /// Dotted path to URLs of further pages read like this one (an index of weekly reports
    /// linking to each week's report; `*` steps over every child); at most `max_pages` in all.
    #[serde(default)]
    pub follow: Option<String>,
    /// Item field paths: `id`, `title`, `text`, `published`, `url`, `region` (the item's own
    /// place, instead of the source's) and any structured field. A name on an array reads it in
    /// every element (`Hazards.Name`); `a+b` joins several paths (`Description+Hazards.Name`).
    pub fields: BTreeMap<String, String>,
}

impl SourceConfig {
    /// Whether this source's pages of `role` are read into documents: detail and API pages, and
    /// list pages whose items live in their scripts (`[source.list.script]`).
    pub fn carries_documents(&self, role: crate::model::PageRole) -> bool {
        role.carries_documents()
            || (role == crate::model::PageRole::List
                && self.list.as_ref().is_some_and(|l| l.script.is_some()))
    }

    /// A stand-in for a page fetched with no source (`jiance fetch URL`): a media feed source
    /// of that site, with no selectors, so its detail pages go through generic extraction.
    pub fn for_page(name: &str, site: &str) -> SourceConfig {
        SourceConfig {
            name: name.to_string(),
            kind: SourceKind::Feed,
            channel: Channel::Media,
            weight: one(),
            region: None,
            platform: None,
            publisher: (!site.is_empty()).then(|| site.to_string()),
            doc_kind: None,
            start: Vec::new(),
            schedule: default_schedule(),
            max_pages: default_max_pages(),
            enabled: None,
            politeness: Politeness::default(),
            stale_after: default_stale_after(),
            list: None,
            detail: None,
            api: None,
            render: None,
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    /// The publisher signals of this source are counted under: `publisher` when set, else the
    /// site of the first start URL — its host (and port) without a leading `www.`, `m.`, `api.`,
    /// `wap.` or `mobile.` label, so `www.x.cn/list` and `api.x.cn/v1` are one site — else the
    /// source name.
    pub fn publisher(&self) -> String {
        if let Some(p) = self.publisher.as_deref().map(str::trim)
            && !p.is_empty()
        {
            return p.to_string();
        }
        let site = self
            .start
            .first()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| {
                let host = u.host_str()?.to_ascii_lowercase();
                let host = match host.split_once('.') {
                    Some(("www" | "m" | "api" | "wap" | "mobile", rest)) if rest.contains('.') => {
                        rest.to_string()
                    }
                    _ => host,
                };
                Some(match u.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                })
            });
        site.unwrap_or_else(|| self.name.clone())
    }

    /// Every CSS selector the source declares, with the key it is written under.
    fn selectors(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        if let Some(l) = &self.list {
            if !l.links.is_empty() || l.script.is_none() {
                out.push(("links", &l.links));
            }
            out.extend(l.next.iter().map(|n| ("next", n.as_str())));
        }
        if let Some(d) = &self.detail {
            out.extend(d.title.as_slice().iter().map(|s| ("title", s.as_str())));
            out.extend(d.text.as_slice().iter().map(|s| ("text", s.as_str())));
            out.extend(
                d.published
                    .iter()
                    .flat_map(|p| p.as_slice())
                    .map(|s| ("published", s.as_str())),
            );
            out.extend(d.fields.iter().map(|(k, s)| (k.as_str(), s.as_str())));
            if let Some(t) = &d.table {
                out.push(("rows", &t.rows));
                out.extend(t.columns.iter().map(|(k, s)| (k.as_str(), s.as_str())));
            }
        }
        out
    }

    /// Semantic checks serde cannot make; `n` is the block's index in `text`.
    pub fn validate(&self, file: &str, text: &str, n: usize) -> Vec<ConfigError> {
        let at = Block { file, text, n };
        let mut errs = Vec::new();
        self.check_values(&at, &mut errs);
        self.check_tables(&at, &mut errs);
        self.check_paging(&at, &mut errs);
        self.check_api(&at, &mut errs);
        self.check_script_paths(&at, &mut errs);
        errs
    }

    /// An error of this source at the line of `key` in its block.
    fn error(&self, at: &Block<'_>, key: &str, msg: String) -> ConfigError {
        ConfigError::new(
            at.file,
            line_in_block(at.text, "source", at.n, key),
            format!("source {:?}: {msg}", self.name),
        )
    }

    /// The name, weight, start URLs, rate, staleness and CSS selectors each hold a usable value.
    fn check_values(&self, at: &Block<'_>, errs: &mut Vec<ConfigError>) {
        let mut err = |key: &str, msg: String| errs.push(self.error(at, key, msg));
        if self.name.trim().is_empty() {
            err("name", "name must not be empty".into());
        }
        if !(self.weight.is_finite() && self.weight > 0.0) {
            err(
                "weight",
                format!("weight must be positive, got {}", self.weight),
            );
        }
        if self.start.is_empty() {
            err("start", "needs at least one start URL".into());
        }
        for u in &self.start {
            match url::Url::parse(u) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                Ok(parsed) => err(
                    "start",
                    format!(
                        "start URL {u:?} has scheme {:?}; only http and https",
                        parsed.scheme()
                    ),
                ),
                Err(e) => err("start", format!("bad start URL {u:?}: {e}")),
            }
        }
        if let Some(rps) = self.politeness.rps
            && !(rps.is_finite() && rps > 0.0)
        {
            err("rps", format!("politeness.rps must be positive, got {rps}"));
        }
        if !(self.stale_after.is_finite() && self.stale_after >= 1.0) {
            err(
                "stale_after",
                format!(
                    "stale_after must be at least 1 (schedules), got {}",
                    self.stale_after
                ),
            );
        }
        for (key, sel) in self.selectors() {
            if let Err(e) = scraper::Selector::parse(sel) {
                err(
                    key,
                    format!("bad CSS selector {sel:?} for {key}: {}", selector_error(&e)),
                );
            }
        }
    }

    /// The tables fit the kind, and the detail and list tables read something.
    fn check_tables(&self, at: &Block<'_>, errs: &mut Vec<ConfigError>) {
        let mut err = |key: &str, msg: String| errs.push(self.error(at, key, msg));
        match self.kind {
            // an html source without [source.list] finds article links by their shape
            // (parse::links), and without [source.detail] reads articles generically
            // html, feed and sitemap sources without [source.detail] read their detail pages
            // by generic article extraction (parse::generic)
            SourceKind::Json if self.api.is_none() => {
                err("kind", "json sources need a [source.api] table".into())
            }
            SourceKind::Auto if self.list.is_some() => err(
                "list",
                "auto sources find article links without selectors; use kind = \"html\" to give \
                 them in [source.list]"
                    .into(),
            ),
            SourceKind::Auto if self.api.is_some() => err(
                "api",
                "auto sources read pages, not JSON APIs; use kind = \"json\" for [source.api]"
                    .into(),
            ),
            _ => {}
        }
        if let Some(d) = &self.detail
            && d.title.as_slice().is_empty()
            && d.text.as_slice().is_empty()
            && !d.script.contains_key("title")
            && !d.script.contains_key("text")
        {
            err(
                "detail",
                "[source.detail] reads nothing: give title or text selectors (or \"auto\"), or \
                 title / text paths in [source.detail.script]"
                    .into(),
            );
        }
        if let Some(sc) = self.list.as_ref().and_then(|l| l.script.as_ref())
            && !sc.fields.contains_key("title")
            && !sc.fields.contains_key("text")
        {
            err(
                "items",
                "[source.list.script] items need a title or text path among their fields".into(),
            );
        }
    }

    /// Script reviews say what the review says, a list pattern has its page, and an API pages
    /// one way.
    fn check_paging(&self, at: &Block<'_>, errs: &mut Vec<ConfigError>) {
        let (file, text, n) = (at.file, at.text, at.n);
        if let Some(r) = self
            .list
            .as_ref()
            .and_then(|l| l.script.as_ref())
            .and_then(|sc| sc.reviews.as_ref())
            && !r.fields.contains_key("text")
        {
            errs.push(ConfigError::new(
                file,
                line_in_table(text, n, "source.list.script.reviews", "items"),
                format!(
                    "source {:?}: [source.list.script.reviews] needs a text path among its \
                     fields (what the review says)",
                    self.name
                ),
            ));
        }
        if let Some(p) = self.list.as_ref().and_then(|l| l.pattern.as_ref())
            && !p.contains("{page}")
        {
            errs.push(ConfigError::new(
                file,
                line_in_block(text, "source", n, "pattern"),
                format!(
                    "source {:?}: list.pattern {p:?} has no {{page}} placeholder",
                    self.name
                ),
            ));
        }
        if let Some(a) = &self.api
            && a.page_param.is_some()
            && a.cursor.is_some()
        {
            errs.push(ConfigError::new(
                file,
                line_in_block(text, "source", n, "cursor"),
                format!(
                    "source {:?}: api has both page_param and cursor; choose one way of paging",
                    self.name
                ),
            ));
        }
    }

    /// The API's paths are dotted paths, and its fields give a title or a text.
    fn check_api(&self, at: &Block<'_>, errs: &mut Vec<ConfigError>) {
        let (file, text, n) = (at.file, at.text, at.n);
        let Some(a) = &self.api else {
            return;
        };
        // dotted paths: names and array indices, no empty step, no brackets
        let paths = std::iter::once(("items", a.items.as_str(), true))
            .chain(a.cursor.as_deref().map(|c| ("cursor", c, false)))
            .chain(a.follow.as_deref().map(|c| ("follow", c, false)))
            .chain(
                a.fields
                    .iter()
                    // `a+b`: each joined path is checked on its own
                    .flat_map(|(k, v)| v.split('+').map(move |p| (k.as_str(), p.trim(), false))),
            );
        for (key, path, may_be_empty) in paths {
            if let Some(why) = bad_path(path, may_be_empty) {
                let line_key = if ["items", "cursor", "follow"].contains(&key) {
                    key
                } else {
                    "fields"
                };
                errs.push(ConfigError::new(
                    file,
                    line_in_block(text, "source", n, line_key),
                    format!(
                        "source {:?}: api path {path:?} for {key}: {why} (write dotted names, e.g. \"data.items\"; numbers index arrays)",
                        self.name
                    ),
                ));
            }
        }
        // a product listing has titles and no text; a complaint board may have both
        if !a.fields.contains_key("title") && !a.fields.contains_key("text") {
            errs.push(ConfigError::new(
                file,
                line_in_block(text, "source", n, "fields"),
                format!(
                    "source {:?}: api.fields needs \"title\" or \"text\"",
                    self.name
                ),
            ));
        }
    }

    /// Script data paths are dotted as API paths are; `a+b` joins paths, each checked on its
    /// own; an error names the line of the key it is written under.
    fn check_script_paths<'a>(&'a self, at: &Block<'_>, errs: &mut Vec<ConfigError>) {
        let joined = |table: &'static str, fields: &'a BTreeMap<String, String>| {
            fields
                .iter()
                .flat_map(move |(k, v)| v.split('+').map(move |p| (table, k.as_str(), p.trim())))
        };
        let script = self.list.iter().filter_map(|l| l.script.as_ref());
        let script_paths = script
            .clone()
            .flat_map(|sc| {
                std::iter::once(("source.list.script", "items", sc.items.as_str()))
                    .chain(joined("source.list.script.fields", &sc.fields))
            })
            .chain(script.filter_map(|sc| sc.reviews.as_ref()).flat_map(|r| {
                std::iter::once(("source.list.script.reviews", "items", r.items.as_str()))
                    .chain(joined("source.list.script.reviews.fields", &r.fields))
            }))
            .chain(
                self.detail
                    .iter()
                    .flat_map(|d| joined("source.detail.script", &d.script)),
            );
        for (table, key, path) in script_paths {
            if let Some(why) = bad_path(path, false) {
                errs.push(ConfigError::new(
                    at.file,
                    line_in_table(at.text, at.n, table, key),
                    format!(
                        "source {:?}: script path {path:?}: {why} (write the variable's name and \
                         dotted names, e.g. \"g_page_config.mods.itemlist.data.auctions\")",
                        self.name
                    ),
                ));
            }
        }
    }
}

/// Where a source's block stands: its file's label and text, and its index among the file's
/// `[[source]]` blocks.
struct Block<'t> {
    file: &'t str,
    text: &'t str,
    n: usize,
}

/// A CSS selector error in words: scraper's own message for some errors is "Unexpected error
/// occurred. Please report this to the developer" followed by a debug dump.
pub fn selector_error(e: &scraper::error::SelectorErrorKind) -> String {
    use scraper::error::SelectorErrorKind as K;
    match e {
        K::UnexpectedSelectorParseError(kind) => {
            // "DanglingCombinator" → "dangling combinator"; a payload stays as written
            let debug = format!("{kind:?}");
            let (name, payload) = match debug.split_once('(') {
                Some((n, p)) => (n.to_string(), Some(p.trim_end_matches(')').to_string())),
                None => (debug.clone(), None),
            };
            let mut words = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_uppercase() && i > 0 {
                    words.push(' ');
                }
                words.extend(c.to_lowercase());
            }
            match payload {
                Some(p) => format!("{words} ({p})"),
                None => words,
            }
        }
        other => other.to_string().to_lowercase(),
    }
}

/// Why a dotted JSON path is malformed, if it is: `items` may be empty (a top-level array).
/// The line of `key` inside the table `[table]` of the `n`th `[[source]]` block of `text`; the
/// table's own line when the key is not written in it (a nested table), the block's first line
/// when the table is not written either (an inline table).
fn line_in_table(text: &str, n: usize, table: &str, key: &str) -> usize {
    let start = line_in_block(text, "source", n, "");
    let header = format!("[{table}]");
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = (start.max(1) - 1..lines.len())
        .take_while(|&i| i < start || !lines[i].trim().starts_with("[[source]]"))
        .find(|&i| lines[i].trim() == header)
    else {
        return start;
    };
    lines
        .iter()
        .enumerate()
        .skip(at + 1)
        .take_while(|(_, l)| !l.trim().starts_with('['))
        .find(|(_, l)| l.split('=').next().unwrap_or("").trim() == key)
        .map_or(at + 1, |(i, _)| i + 1)
}

fn bad_path(path: &str, may_be_empty: bool) -> Option<&'static str> {
    if path.is_empty() {
        return (!may_be_empty).then_some("empty path");
    }
    if path.split('.').any(str::is_empty) {
        return Some("empty step (two dots, or a dot at an end)");
    }
    if path.contains(['[', ']', ' ', '"', '\'']) {
        return Some("brackets, quotes and spaces are not part of a dotted path");
    }
    None
}
