//! Link discovery: what a list, feed, sitemap or API page leads to — detail pages, the next
//! page, further pages of an index — called by the crawler after the page is archived (through
//! `parse::Links`). A list page is read by the source's `[source.list]` selectors, or without
//! them by URL shape (`links`); an auto source's page for what its body is (feed, sitemap or
//! HTML); an API page pages on by parameter, cursor or followed URLs while it has items.

use scraper::Html;
use serde_json::Value;
use url::Url;

use super::charset::{self, decode};
use super::items::{api_fields, json_body};
use super::page::{ParseError, resolve, resolve_url, selector, unique};
use super::path::{collect, items, lookup, scalar};
use super::{feed, links, script, sitemap};
use crate::config::{SourceConfig, SourceKind};
use crate::model::{Discovered, Fetched, PageRole};

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
