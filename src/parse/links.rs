//! Article links and the next page of a list page read with no selectors (an html source without
//! `[source.list]`). A link leads to an article when it stays on the site and its URL has an
//! article's shape — a date (`/2026/03/05/`, `/202603/t20260305_123.html`,
//! `/art/2026/3/5/art_1229_123.html`) or a long numeric id ending the path — or, failing a
//! shape, when its text reads like a headline (at least 8 characters of CJK text or 5 words)
//! and its path is a page, not a section. The next page is the link whose text says so
//! (下一页, 下页, next, ›, ») or `rel="next"`, else `index_N+1.html` after `index.html` /
//! `index_N.html`.

use std::sync::OnceLock;

use regex::Regex;
use scraper::Html;
use url::Url;

use super::html::element_text;
use super::page::resolve_url as resolve;

/// What a list page leads to.
pub(super) struct ListLinks {
    pub details: Vec<String>,
    pub next: Option<String>,
}

fn article_shape() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)
            (?:/|_|\b)(?:19|20)\d{2}[-/_]?(?:0?[1-9]|1[0-2])[-/_]?(?:0?[1-9]|[12]\d|3[01])?(?:/|_|\b).*\d
            | /t(?:19|20)\d{6}_\d+
            | /art_\d+_\d+
            | [/_-]\d{5,}(?:\.s?html?|\.jhtml|\.aspx?|/)?$",
        )
        .ok()
    })
    .as_ref()
}

fn next_text(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    matches!(
        t.as_str(),
        "下一页"
            | "下页"
            | "下一页>"
            | "下一页 >"
            | "next"
            | "next page"
            | "next ›"
            | "›"
            | "»"
            | ">"
            | ">>"
    )
}

/// Characters of CJK text, or words of other text: how much a link's text reads like a headline.
fn headline_like(text: &str) -> bool {
    let cjk = text
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    cjk >= 8 || text.split_whitespace().count() >= 5
}

/// A path that is a page (a file name with an extension, or deep enough), not a section root.
fn page_path(u: &Url) -> bool {
    let path = u.path();
    let last = path.rsplit('/').next().unwrap_or("");
    (last.contains('.') && !last.starts_with("index.")) || path.matches('/').count() >= 3
}

/// Article links and the next page of `doc`, fetched from `base`.
pub(super) fn list_links(doc: &Html, base: &Url) -> ListLinks {
    let Ok(a) = super::page::compiled("a[href]") else {
        return ListLinks {
            details: Vec::new(),
            next: None,
        };
    };
    let shape = article_shape();
    let mut details = Vec::new();
    let mut next = None;
    let mut seen = std::collections::HashSet::new();
    for e in doc.select(&a) {
        let Some(u) = e.value().attr("href").and_then(|h| resolve(base, h)) else {
            continue;
        };
        let text = element_text(e);
        if next.is_none() && (e.value().attr("rel") == Some("next") || next_text(&text)) {
            if u.as_str() != base.as_str() {
                next = Some(u.to_string());
            }
            continue;
        }
        if u.host_str() != base.host_str() || u.as_str() == base.as_str() || u.fragment().is_some()
        {
            continue;
        }
        let by_shape = shape.is_some_and(|re| re.is_match(u.path()));
        let by_text = headline_like(&text) && page_path(&u);
        if (by_shape || by_text) && seen.insert(u.to_string()) {
            details.push(u.to_string());
        }
    }
    if next.is_none() {
        next = index_next(base);
    }
    ListLinks { details, next }
}

/// `…/index.html` → `…/index_1.html`, `…/index_N.html` → `…/index_N+1.html` (the paging of
/// government CMSes that print no "next" link a crawler can read).
fn index_next(base: &Url) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE
        .get_or_init(|| Regex::new(r"/index(?:_(\d+))?\.(s?html?)$").ok())
        .as_ref()?;
    let path = base.path();
    let c = re.captures(path)?;
    let n = match c.get(1) {
        Some(m) => m.as_str().parse::<u32>().ok()? + 1,
        None => 1,
    };
    let start = c.get(0)?.start();
    let mut u = base.clone();
    u.set_path(&format!("{}/index_{n}.{}", &path[..start], &c[2]));
    u.set_query(None);
    Some(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r##"<html><body>
<div class="nav"><a href="/">首页</a><a href="/col/col123/index.html">通知公告</a><a href="/zwgk/">政务公开</a></div>
<ul class="list">
<li><a href="/art/2026/3/5/art_1229_5501.html">关于2026年电热毯产品质量省级监督抽查情况的通告</a><span>2026-03-05</span></li>
<li><a href="./202603/t20260304_88123.html">省市场监管局召回部分儿童推车</a></li>
<li><a href="http://amr.example.gov.cn/xwdt/content_7783121.htm">燃气灶具专项检查工作推进会召开</a></li>
<li><a href="/gzdt/jiandu/chaxun.html">关于开展电动自行车充电器质量安全专项整治的通知</a></li>
</ul>
<div class="page"><a href="index_1.html">下一页</a><a href="index_9.html">尾页</a></div>
<div class="links"><a href="http://www.other.example.cn/2026/03/05/1.html">友情链接：某某网站的一篇文章标题很长</a>
<a href="/about.html">关于我们</a><a href="#top">返回顶部</a></div>
</body></html>"##;

    #[test]
    fn article_links_are_found_by_shape_and_headline_and_next_by_its_text() {
        let base = Url::parse("http://amr.example.gov.cn/col/col123/index.html").unwrap();
        let l = list_links(&Html::parse_document(LIST), &base);
        assert_eq!(
            l.details,
            [
                "http://amr.example.gov.cn/art/2026/3/5/art_1229_5501.html",
                "http://amr.example.gov.cn/col/col123/202603/t20260304_88123.html",
                "http://amr.example.gov.cn/xwdt/content_7783121.htm",
                "http://amr.example.gov.cn/gzdt/jiandu/chaxun.html",
            ]
        );
        assert_eq!(
            l.next.as_deref(),
            Some("http://amr.example.gov.cn/col/col123/index_1.html")
        );
    }

    #[test]
    fn government_index_pages_page_by_number() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            index_next(&u("http://x.gov.cn/tzgg/index.html")).as_deref(),
            Some("http://x.gov.cn/tzgg/index_1.html")
        );
        assert_eq!(
            index_next(&u("http://x.gov.cn/tzgg/index_4.shtml?x=1")).as_deref(),
            Some("http://x.gov.cn/tzgg/index_5.shtml")
        );
        assert_eq!(index_next(&u("http://x.gov.cn/tzgg/list.html")), None);
        // a page without a next link or an index pattern has no next page
        let base = u("http://x.gov.cn/tzgg/list.html");
        let l = list_links(
            &Html::parse_document(
                "<a href='/a/2026/03/05/123.html'>某某新闻标题的文字够长了吧</a>",
            ),
            &base,
        );
        assert_eq!(l.next, None);
        assert_eq!(l.details, ["http://x.gov.cn/a/2026/03/05/123.html"]);
    }
}
