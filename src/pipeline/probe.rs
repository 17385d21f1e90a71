//! One page, fetched the way the crawler would and shown whole: the tool a person uses while
//! writing a source's selectors (`jiance fetch URL [--source NAME]`), and the summary of crawl
//! health (`jiance status`).
//!
//! The fetch goes through the same [`Fetcher`] (robots.txt, rate limit, retries, body cap) and is
//! archived like any other; nothing is recorded in a store, so probing never changes what the
//! crawler will fetch next.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::config::{CrawlSettings, Politeness, SourceConfig};
use crate::crawl::archive::ArchiveWriter;
use crate::crawl::fetch::{CrawlError, FetchRequest, Fetcher};
use crate::crawl::{canonicalize, start_role};
use crate::model::{Document, Fetched, PageRole, Timestamp};
use crate::store::{ParkedUrl, SourceHealth};
use crate::telemetry::Counters;

/// What one probe saw. Serialised as the JSON `jiance fetch` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// The URL asked for, canonicalised.
    pub url: String,
    /// Where the last response came from (after redirects).
    pub final_url: Option<String>,
    pub status: Option<u16>,
    /// Failure reason (`http-404`, `timeout`, `robots-disallowed` …), as the crawler records it.
    pub error: Option<String>,
    pub role: &'static str,
    pub source: Option<String>,
    pub content_type: Option<String>,
    /// Encoding the page decodes with, and where that came from (bom, header, xml-declaration,
    /// meta, utf-8, utf-8-bytes, detected, implausible).
    pub charset: String,
    pub charset_from: String,
    /// The declaration the page's bytes overrode ("meta: GBK"), if any.
    pub charset_overrode: Option<String>,
    pub bytes: usize,
    /// WARC-Record-ID of the response in the probe's archive.
    pub record_id: Option<String>,
    /// `<title>` of an HTML page.
    pub title: Option<String>,
    /// The first 300 characters of the decoded page.
    pub preview: String,
    /// The documents the source would produce from this page (detail and API pages); with no
    /// source, the one generic article extraction makes of a detail page.
    pub documents: Vec<Document>,
    /// The links the source would follow from this page (list, feed, sitemap and API pages).
    pub details: Vec<String>,
    pub next: Vec<String>,
    /// Why parse or link discovery failed, if it did.
    pub parse_error: Option<String>,
}

impl Probe {
    /// Nothing seen yet of `url`.
    fn empty(url: String, role: PageRole, source: Option<&SourceConfig>) -> Probe {
        Probe {
            url,
            final_url: None,
            status: None,
            error: None,
            role: role.as_str(),
            source: source.map(|s| s.name.clone()),
            content_type: None,
            charset: String::new(),
            charset_from: String::new(),
            charset_overrode: None,
            bytes: 0,
            record_id: None,
            title: None,
            preview: String::new(),
            documents: Vec::new(),
            details: Vec::new(),
            next: Vec::new(),
            parse_error: None,
        }
    }
}

/// Fetch `url` politely into an archive at `archive_dir`, then decode it and, with a source,
/// parse it as that source would. `role` defaults to the source's start role for one of its
/// start URLs and to `Detail` otherwise.
pub async fn probe(
    settings: &CrawlSettings,
    source: Option<&SourceConfig>,
    url: &str,
    role: Option<PageRole>,
    archive_dir: &Path,
) -> Result<Probe, CrawlError> {
    let canonical =
        canonicalize(url).map_err(|e| CrawlError::Settings(format!("bad URL {url:?}: {e}")))?;
    let role = role.unwrap_or_else(|| match source {
        Some(s)
            if s.start
                .iter()
                .any(|u| canonicalize(u).is_ok_and(|c| c == canonical)) =>
        {
            start_role(s.kind)
        }
        _ => PageRole::Detail,
    });
    let archive = ArchiveWriter::open(archive_dir, settings.archive_rotate_bytes).map_err(|e| {
        CrawlError::Settings(format!(
            "cannot open archive {}: {e}",
            archive_dir.display()
        ))
    })?;
    let fetcher = Fetcher::new(settings, archive, Arc::new(Counters::default()))?;
    let default_politeness = Politeness::default();
    let outcome = fetcher
        .fetch(&FetchRequest {
            source: source.map_or("probe", |s| s.name.as_str()),
            role,
            url: &canonical,
            politeness: source.map_or(&default_politeness, |s| &s.politeness),
            etag: None,
            last_modified: None,
            render: source.is_some_and(|s| s.render.is_some()),
        })
        .await;
    let mut p = Probe::empty(canonical, role, source);
    p.error = outcome.error.clone();
    let Some(page) = outcome.fetched else {
        return Ok(p);
    };
    inspect(&mut p, &page, source, role);
    Ok(p)
}

/// A saved page (`jiance fetch page.html`) read as [`probe`] reads a fetched one: decoded by
/// the charset rules (no Content-Type: a saved page carries only its own declarations), then
/// parsed as `source`'s, or by generic extraction without one.
pub fn probe_saved(
    path: &Path,
    body: Vec<u8>,
    source: Option<&SourceConfig>,
    role: Option<PageRole>,
) -> Probe {
    let role = role.unwrap_or(PageRole::Detail);
    let url = url::Url::from_file_path(path)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("file://{}", path.display()));
    let page = Fetched::page(
        source.map_or("saved", |s| s.name.as_str()),
        &url,
        role,
        body,
    );
    let mut p = Probe::empty(url, role, source);
    inspect(&mut p, &page, source, role);
    p
}

/// What a page decodes to and what its source (or generic extraction) makes of it.
fn inspect(p: &mut Probe, page: &Fetched, source: Option<&SourceConfig>, role: PageRole) {
    p.final_url = Some(page.url.clone());
    p.status = Some(page.status);
    p.content_type = page.header("content-type").map(str::to_string);
    p.bytes = page.body.len();
    p.record_id = Some(page.record_id.clone()).filter(|r| !r.is_empty());
    let sniffed = crate::parse::charset::sniff(&page.body, p.content_type.as_deref());
    p.charset = sniffed.encoding.name().to_string();
    p.charset_from = sniffed.from.to_string();
    p.charset_overrode = sniffed
        .overrode
        .map(|(from, enc)| format!("{from}: {}", enc.name()));
    let text = crate::parse::decode(page);
    p.preview = text.chars().take(300).collect();
    if let Ok(sel) = scraper::Selector::parse("title") {
        let doc = scraper::Html::parse_document(&text);
        p.title = doc
            .select(&sel)
            .next()
            .map(|t| t.text().collect::<String>().trim().to_string())
            .filter(|t| !t.is_empty());
    }
    if !(200..300).contains(&page.status) {
        return;
    }
    let Some(src) = source else {
        // no source: the document generic article extraction makes of the page
        if role == PageRole::Detail {
            match crate::parse::generic_page(page) {
                Ok(d) => p.documents.push(d),
                Err(e) => p.parse_error = Some(e.to_string()),
            }
        }
        return;
    };
    if role != PageRole::Detail {
        match crate::parse::discover(page, src) {
            Ok(d) => {
                p.details = d.details;
                p.next = d.next;
            }
            Err(e) => p.parse_error = Some(e.to_string()),
        }
    }
    if src.carries_documents(role) {
        match crate::parse::parse(page, src) {
            Ok(docs) => p.documents = docs,
            Err(e) => p.parse_error = Some(e.to_string()),
        }
    }
}

/// How long ago, for people: "3 min", "5 h", "2 d".
fn ago(now: Timestamp, t: Timestamp) -> String {
    let s = (now - t).num_seconds().max(0);
    match s {
        0..120 => format!("{s} s"),
        120..7200 => format!("{} min", s / 60),
        7200..172_800 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

/// `jiance status`: one line per source (freshness, counters, failures by reason, parked), then
/// the parked URLs soonest first.
pub fn status_text(health: &[SourceHealth], parked: &[ParkedUrl], now: Timestamp) -> String {
    let mut out = String::new();
    if health.is_empty() {
        out.push_str("no crawl recorded in this data directory yet\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<24} {:<12} {:<14} {:>8} {:>6} {:>10} {:>7}  failed",
        "source", "state", "last success", "fetched", "304", "bytes", "parked"
    );
    for h in health {
        let state = if h.is_stale(now) {
            "source-stale"
        } else {
            "ok"
        };
        let last = h
            .last_success
            .map_or_else(|| "never".to_string(), |t| format!("{} ago", ago(now, t)));
        let failed: Vec<String> = h.failed.iter().map(|(r, n)| format!("{r}={n}")).collect();
        let _ = writeln!(
            out,
            "{:<24} {:<12} {:<14} {:>8} {:>6} {:>10} {:>7}  {}",
            h.source,
            state,
            last,
            h.fetched,
            h.not_modified,
            h.bytes,
            h.parked_now,
            if failed.is_empty() {
                "-".to_string()
            } else {
                failed.join(" ")
            }
        );
    }
    if !parked.is_empty() {
        let _ = writeln!(out, "\nparked ({}):", parked.len());
        for p in parked.iter().take(50) {
            let when = if p.retry_at <= now {
                "due now".to_string()
            } else {
                format!("retry in {}", ago(p.retry_at, now))
            };
            let _ = writeln!(
                out,
                "  {}  {}  {} (attempt {}, {when})",
                p.source, p.url, p.reason, p.attempts
            );
        }
        if parked.len() > 50 {
            let _ = writeln!(out, "  … and {} more", parked.len() - 50);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_sources;
    use crate::crawl::fetch::tests::{serve, test_settings};
    use axum::Router;
    use axum::http::header;
    use axum::routing::get;

    #[tokio::test]
    async fn probe_shows_charset_documents_and_links() {
        let (gbk, _, _) = encoding_rs::GBK.encode(
            "<html><head><title>投诉详情</title></head><h1>燃气灶熄火保护失灵</h1><div class=\"text\">杭州市消费者反映燃气灶熄火后仍有燃气泄漏。</div><a class=\"d\" href=\"/d/2\">下一条</a></html>",
        );
        let body = gbk.into_owned();
        let app = Router::new()
            .route(
                "/d/1",
                get(move || async move { ([(header::CONTENT_TYPE, "text/html; charset=GBK")], body) }),
            )
            .route(
                "/article",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        "<html><head><title>儿童推车召回 - 某网</title></head><body><div class=\"nav\"><a href=\"/\">首页</a></div><article><h1>儿童推车召回</h1><p>某公司决定召回部分儿童推车，因折叠锁定装置可能失效，存在儿童跌落受伤的风险，涉及数量一千二百台。</p><p>消费者可联系经销商免费更换锁定装置。</p></article><div class=\"footer\">版权所有</div></body></html>",
                    )
                }),
            )
            .route(
                "/migrated",
                get(|| async {
                    // a CMS moved to UTF-8 kept its templates' GB2312 meta
                    (
                        [(header::CONTENT_TYPE, "text/html")],
                        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><title>电动自行车抽查结果通告</title></head><body>正文</body></html>",
                    )
                }),
            )
            .route(
                "/list/1",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        "<a class=\"d\" href=\"/d/1?utm_source=x\">1</a><a rel=\"next\" href=\"/list/2\">下一页</a>",
                    )
                }),
            );
        let base = serve(app).await;
        let src = parse_sources(
            &format!(
                r#"
[[source]]
name = "complaints"
kind = "html"
channel = "complaint"
start = ["{base}/list/1"]
[source.list]
links = "a.d"
next = "a[rel=next]"
[source.detail]
title = "h1"
text = "div.text"
"#
            ),
            "t.toml",
        )
        .unwrap()
        .remove(0);
        let dir = tempfile::tempdir().unwrap();
        let s = test_settings();

        // No source: the decoded page and its charset.
        let p = probe(&s, None, &format!("{base}/d/1#x"), None, dir.path())
            .await
            .unwrap();
        assert_eq!(p.url, format!("{base}/d/1"));
        assert_eq!(
            (p.status, p.charset.as_str(), p.charset_from.as_str()),
            (Some(200), "GBK", "header")
        );
        assert_eq!(p.title.as_deref(), Some("投诉详情"));
        assert!(p.preview.contains("燃气灶熄火保护失灵"));
        assert!(p.documents.is_empty());
        assert_eq!(p.charset_overrode, None);

        // No source, an article: the document generic extraction makes of it
        let p = probe(&s, None, &format!("{base}/article"), None, dir.path())
            .await
            .unwrap();
        assert_eq!(p.documents.len(), 1, "{:?}", p.parse_error);
        assert!(p.documents[0].text.contains("折叠锁定装置可能失效"));
        assert!(!p.documents[0].text.contains("版权所有"));

        // UTF-8 bytes under a GB2312 meta: read as UTF-8, and the override said
        let p = probe(&s, None, &format!("{base}/migrated"), None, dir.path())
            .await
            .unwrap();
        assert_eq!(
            (p.charset.as_str(), p.charset_from.as_str()),
            ("UTF-8", "utf-8-bytes")
        );
        assert_eq!(p.charset_overrode.as_deref(), Some("meta: GBK"));
        assert_eq!(p.title.as_deref(), Some("电动自行车抽查结果通告"));

        // With the source: its document.
        let p = probe(&s, Some(&src), &format!("{base}/d/1"), None, dir.path())
            .await
            .unwrap();
        assert_eq!(p.role, "detail");
        assert_eq!(p.documents.len(), 1);
        assert_eq!(p.documents[0].title, "燃气灶熄火保护失灵");
        assert!(p.documents[0].text.contains("燃气泄漏"));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["documents"][0]["source"], "complaints");

        // A start URL is probed as a list page: its links, canonicalised later by the crawler.
        let p = probe(&s, Some(&src), &format!("{base}/list/1"), None, dir.path())
            .await
            .unwrap();
        assert_eq!(p.role, "list");
        assert_eq!(p.details, vec![format!("{base}/d/1?utm_source=x")]);
        assert_eq!(p.next, vec![format!("{base}/list/2")]);

        // A failure is shown with the crawler's reason, not an error.
        let p = probe(&s, None, &format!("{base}/nothing"), None, dir.path())
            .await
            .unwrap();
        assert_eq!(p.error.as_deref(), Some("http-404"));
        // Everything probed is archived.
        let n = crate::crawl::archive::read_dir(dir.path())
            .unwrap()
            .filter(|r| r.as_ref().is_ok_and(|f| f.role != PageRole::Robots))
            .count();
        assert_eq!(n, 6);
    }

    #[test]
    fn status_lists_sources_staleness_and_parked() {
        use std::collections::BTreeMap;
        let now = chrono::Utc::now();
        let h = |name: &str, hours: Option<i64>| SourceHealth {
            source: name.into(),
            first_attempt: now - chrono::Duration::days(3),
            last_attempt: now,
            last_success: hours.map(|h| now - chrono::Duration::hours(h)),
            stale_after_secs: 6 * 3600,
            fetched: 42,
            not_modified: 5,
            bytes: 9000,
            parked_total: 2,
            parked_now: 1,
            failed: BTreeMap::from([("http-503".to_string(), 3)]),
        };
        let parked = vec![ParkedUrl {
            url: "http://gov.test/n/9".into(),
            source: "gov".into(),
            reason: "http-503".into(),
            attempts: 2,
            parked_at: now,
            retry_at: now + chrono::Duration::hours(2),
        }];
        let t = status_text(
            &[h("gov", Some(2)), h("forum", Some(30)), h("mall", None)],
            &parked,
            now,
        );
        let line = |name: &str| t.lines().find(|l| l.starts_with(name)).unwrap().to_string();
        assert!(line("gov ").contains(" ok "), "{t}");
        assert!(line("gov ").contains("2 h ago"));
        assert!(line("gov ").contains("http-503=3"));
        assert!(line("forum").contains("source-stale"));
        assert!(line("mall").contains("source-stale") && line("mall").contains("never"));
        assert!(
            t.contains("http://gov.test/n/9  http-503 (attempt 2, retry in 2 h)")
                || t.contains("retry in 119 min"),
            "{t}"
        );
        assert_eq!(
            status_text(&[], &[], now),
            "no crawl recorded in this data directory yet\n"
        );
    }
}
