//! Shared page helpers of the demo sites: the HTML page shell, escaping, paging, dates, robots.txt
//! and the two ways a page leaves the server (UTF-8 with a charset header, or GBK bytes without).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, NaiveTime};

use super::{Site, SiteState};

/// Items per list page.
pub const PER_PAGE: usize = 10;

/// HTML-escape text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `<p>` per paragraph, escaped.
pub fn paragraphs(body: &[String]) -> String {
    body.iter()
        .map(|p| format!("<p>{}</p>", esc(p)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A whole HTML page: `charset` goes into the meta tag, `site` into the header bar, `nav` is a
/// list of (href, label) links, `main` is already-escaped HTML.
pub fn page(charset: &str, site: &str, title: &str, nav: &[(&str, &str)], main: &str) -> String {
    let links: String = nav
        .iter()
        .map(|(href, label)| format!("<a href=\"{}\">{}</a>", esc(href), esc(label)))
        .collect::<Vec<_>>()
        .join(" | ");
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"{charset}\">\n<title>{t} - {s}</title>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n</head>\n<body>\n\
         <div class=\"header\"><span class=\"logo\">{s}</span><div class=\"nav\">{links}</div></div>\n\
         <div class=\"container\">\n{main}\n</div>\n\
         <div class=\"footer\">版权所有 {s}　本站内容仅供演示</div>\n</body>\n</html>\n",
        t = esc(title),
        s = esc(site),
    )
}

/// A UTF-8 HTML response with its charset in the header.
pub fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// A GBK HTML response whose header names no charset (the page's meta tag does).
pub fn gbk_html(body: &str) -> Response {
    let (bytes, _, _) = encoding_rs::GBK.encode(body);
    ([(header::CONTENT_TYPE, "text/html")], bytes.into_owned()).into_response()
}

/// The 1-based page number from a `page` query parameter; absent or unreadable means 1.
pub fn page_param(q: &HashMap<String, String>) -> usize {
    q.get("page")
        .and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|&p| p >= 1)
        .unwrap_or(1)
}

/// The items of 1-based page `page` (empty past the end) and the number of pages.
pub fn paginate<T>(items: &[T], page: usize, per_page: usize) -> (&[T], usize) {
    let pages = items.len().div_ceil(per_page.max(1)).max(1);
    let start = page.saturating_sub(1).saturating_mul(per_page);
    let slice = items.get(start..).unwrap_or(&[]);
    (slice.get(..per_page.min(slice.len())).unwrap_or(&[]), pages)
}

/// Pager with 上一页 / 下一页 links; `href` gives a page's (relative) link.
pub fn pager(class: &str, page: usize, pages: usize, href: impl Fn(usize) -> String) -> String {
    let mut out = format!("<div class=\"{class}\">");
    if page > 1 {
        out.push_str(&format!(
            "<a class=\"prev\" href=\"{}\">上一页</a> ",
            esc(&href(page - 1))
        ));
    }
    out.push_str(&format!(
        "<span class=\"cur\">第{page}页 / 共{pages}页</span>"
    ));
    if page < pages {
        out.push_str(&format!(
            " <a class=\"next\" href=\"{}\">下一页</a>",
            esc(&href(page + 1))
        ));
    }
    out.push_str("</div>");
    out
}

/// "2026-03-05".
pub fn date_dash(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// "2026-03-05 14:20".
pub fn date_dash_time(d: NaiveDate, t: NaiveTime) -> String {
    format!("{} {}", date_dash(d), t.format("%H:%M"))
}

/// "2026年3月5日".
pub fn date_cn(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// "2026年3月5日 14:20".
pub fn date_cn_time(d: NaiveDate, t: NaiveTime) -> String {
    format!("{} {}", date_cn(d), t.format("%H:%M"))
}

/// Percent-encode a query value.
pub fn qs(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// robots.txt: everything the crawler needs is allowed; private areas are not.
pub async fn robots(State(st): State<Arc<SiteState>>) -> Response {
    let private = match st.site {
        Site::Mall => "Disallow: /cart\nDisallow: /user/\n",
        Site::Complaints => "Disallow: /admin/\nDisallow: /user/\n",
        _ => "Disallow: /admin/\n",
    };
    let body = format!(
        "User-agent: *\nAllow: /\n{private}\n# {}\n",
        super::scenario::portal_name(st.site)
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        html(page(
            "utf-8",
            "404",
            "页面不存在",
            &[("/", "首页")],
            "<p>您访问的页面不存在。</p>",
        )),
    )
        .into_response()
}
