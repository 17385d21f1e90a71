//! Which configured source, and in which page role, fetched a URL: for WARC records another
//! tool wrote, which carry no metadata record of ours (`jiance rerun`, `jiance reindex`).

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{SourceConfig, SourceKind};
use crate::crawl::start_role;
use crate::model::PageRole;

/// Finds the configured source and page role of a URL from a WARC another tool wrote.
///
/// A source owns the host (and explicit port) of its start URLs, `www.` ignored. On that host:
/// a URL with the path of a start URL (and no query parameters the start URL or the source's
/// paging does not use), or matching the list `{page}` pattern, is fetched in the source's start
/// role (list, feed, API); an XML document of a feed or sitemap source is a feed page;
/// `/robots.txt` is robots; anything else is a detail page of the non-JSON source whose start
/// URLs share the longest leading path with it (JSON sources have no detail pages), ties going
/// to the source declared first.
#[derive(Debug, Clone)]
pub struct SourceMatcher {
    entries: Vec<MatchEntry>,
}

#[derive(Debug, Clone)]
struct MatchEntry {
    /// Index into the sources given to [`SourceMatcher::new`].
    source: usize,
    kind: SourceKind,
    host: String,
    /// (path, allowed query keys or None for any) of each start URL.
    starts: Vec<(String, Option<BTreeSet<String>>)>,
    /// List pattern split at `{page}`, resolved against each start URL.
    patterns: Vec<(String, String)>,
}

fn site_key(u: &url::Url) -> Option<String> {
    let host = u.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

fn common_segments(a: &str, b: &str) -> usize {
    a.split('/')
        .filter(|s| !s.is_empty())
        .zip(b.split('/').filter(|s| !s.is_empty()))
        .take_while(|(x, y)| x == y)
        .count()
}

impl SourceMatcher {
    pub fn new(sources: &[SourceConfig]) -> SourceMatcher {
        let mut entries = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            let mut by_host: BTreeMap<String, MatchEntry> = BTreeMap::new();
            for start in &s.start {
                let Ok(u) = url::Url::parse(start) else {
                    continue;
                };
                let Some(host) = site_key(&u) else { continue };
                let e = by_host.entry(host.clone()).or_insert_with(|| MatchEntry {
                    source: i,
                    kind: s.kind,
                    host,
                    starts: Vec::new(),
                    patterns: Vec::new(),
                });
                let keys: Option<BTreeSet<String>> = (u.query().is_some()).then(|| {
                    let mut keys: BTreeSet<String> =
                        u.query_pairs().map(|(k, _)| k.into_owned()).collect();
                    if let Some(api) = &s.api {
                        keys.extend(api.page_param.iter().cloned());
                        if api.cursor.is_some() {
                            keys.insert(
                                api.cursor_param
                                    .clone()
                                    .unwrap_or_else(|| "cursor".to_string()),
                            );
                        }
                    }
                    keys
                });
                e.starts.push((u.path().to_string(), keys));
                if let Some(pattern) = s.list.as_ref().and_then(|l| l.pattern.as_ref())
                    && let Some((before, after)) = pattern.split_once("{page}")
                    && let Ok(abs) = u.join(before)
                {
                    e.patterns.push((abs.to_string(), after.to_string()));
                }
            }
            entries.extend(by_host.into_values());
        }
        SourceMatcher { entries }
    }

    /// The source (index into the configured list) and role of a response, or `None` when no
    /// source owns its host.
    pub fn classify(&self, url: &str, content_type: Option<&str>) -> Option<(usize, PageRole)> {
        let u = url::Url::parse(url).ok()?;
        let host = site_key(&u)?;
        let on_host: Vec<&MatchEntry> = self.entries.iter().filter(|e| e.host == host).collect();
        if on_host.is_empty() {
            return None;
        }
        if u.path() == "/robots.txt" {
            return Some((on_host[0].source, PageRole::Robots));
        }
        let keys: BTreeSet<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let plain = {
            let mut p = u.clone();
            p.set_fragment(None);
            p.to_string()
        };
        for e in &on_host {
            let start = e.starts.iter().any(|(path, allowed)| {
                path == u.path()
                    && allowed
                        .as_ref()
                        .is_none_or(|allowed| keys.is_subset(allowed))
            });
            let by_pattern = e.patterns.iter().any(|(before, after)| {
                plain.strip_prefix(before.as_str()).is_some_and(|rest| {
                    let digits = rest.chars().take_while(char::is_ascii_digit).count();
                    digits > 0 && rest.get(digits..) == Some(after.as_str())
                })
            });
            if start || by_pattern {
                return Some((e.source, start_role(e.kind)));
            }
        }
        let xml = content_type.is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("xml") || c.contains("rss") || c.contains("atom")
        });
        if xml
            && let Some(e) = on_host.iter().find(|e| {
                matches!(
                    e.kind,
                    SourceKind::Feed | SourceKind::Sitemap | SourceKind::Auto
                )
            })
        {
            // an auto source reads a list-role page for what it is
            let role = if e.kind == SourceKind::Auto {
                PageRole::List
            } else {
                PageRole::Feed
            };
            return Some((e.source, role));
        }
        let mut best: Option<(usize, usize)> = None; // (common segments, source)
        for e in on_host.iter().filter(|e| e.kind != SourceKind::Json) {
            let common = e
                .starts
                .iter()
                .map(|(p, _)| common_segments(p, u.path()))
                .max()
                .unwrap_or(0);
            if best.is_none_or(|(c, s)| common > c || (common == c && e.source < s)) {
                best = Some((common, e.source));
            }
        }
        best.map(|(_, s)| (s, PageRole::Detail))
    }
}
