//! Three news portals (separate servers, so separate hosts and sources), each with an RSS 2.0 feed
//! at `/rss.xml`, an index page and article pages in its own house layout. Reposts of one story
//! appear on several portals with small edits (made by the scenario).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{FixedOffset, TimeZone};

use super::layout::{self, esc};
use super::scenario::portal_name;
use super::{DemoDoc, Detail, Site, SiteState};

pub fn router() -> Router<Arc<SiteState>> {
    Router::new()
        .route("/", get(index))
        .route("/rss.xml", get(rss))
        .route("/news/{month}/{file}", get(article))
        .route("/msxw/{day}/{file}", get(article))
        .route("/content/{file}", get(article))
}

fn render(site: Site, title: &str, main: &str) -> Response {
    layout::html(layout::page(
        "utf-8",
        portal_name(site),
        title,
        &[("/", "首页"), ("/rss.xml", "RSS订阅")],
        main,
    ))
}

async fn index(
    State(st): State<Arc<SiteState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let page = layout::page_param(&params);
    let all: Vec<&DemoDoc> = st.docs().collect();
    let (shown, pages) = layout::paginate(&all, page, 20);
    let items: String = shown
        .iter()
        .map(|d| {
            format!(
                "<li><a href=\"{}\">{}</a> <span class=\"date\">{}</span></li>\n",
                esc(&d.path),
                esc(&d.title),
                layout::date_dash(d.published)
            )
        })
        .collect();
    let pager = layout::pager("pager", page, pages, |n| format!("/?page={n}"));
    render(
        st.site,
        "最新资讯",
        &format!("<ul class=\"news-list\">\n{items}</ul>\n{pager}"),
    )
}

fn xml(s: &str) -> String {
    esc(s)
}

/// RFC 2822 time of a document, read as China time (UTC+8).
fn rfc2822(d: &DemoDoc) -> String {
    let naive = d.published.and_time(d.time);
    FixedOffset::east_opt(8 * 3600)
        .and_then(|tz| tz.from_local_datetime(&naive).single())
        .map(|t| t.to_rfc2822())
        .unwrap_or_default()
}

async fn rss(State(st): State<Arc<SiteState>>, headers: axum::http::HeaderMap) -> Response {
    let name = portal_name(st.site);
    let base = st.base_for(&headers);
    let items: String = st
        .docs()
        .map(|d| {
            let link = format!("{base}{}", d.path);
            let summary = d.body.first().map(|p| p.chars().take(80).collect::<String>()).unwrap_or_default();
            format!(
                "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n<pubDate>{}</pubDate>\n<description>{}</description>\n</item>\n",
                xml(&d.title),
                xml(&link),
                xml(&link),
                rfc2822(d),
                xml(&summary)
            )
        })
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n<title>{n}</title>\n<link>{b}/</link>\n\
         <description>{n}最新消费资讯</description>\n<language>zh-cn</language>\n{items}</channel>\n</rss>\n",
        n = xml(name),
        b = xml(&base),
    );
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn article(State(st): State<Arc<SiteState>>, uri: Uri) -> Response {
    let Some(d) = st.doc_at(uri.path()) else {
        return layout::not_found().await;
    };
    let (source, author) = match &d.detail {
        Detail::Article {
            source_line,
            author,
        } => (source_line.as_str(), author.as_str()),
        _ => ("", ""),
    };
    let title = esc(&d.title);
    let body = layout::paragraphs(&d.body);
    let (source, author) = (esc(source), esc(author));
    // Each portal lays its articles out differently.
    let main = match st.site {
        Site::News1 => format!(
            "<div class=\"article\">\n<h1 class=\"article-title\">{title}</h1>\n<div class=\"article-info\">\
             <span class=\"time\">{}</span> <span class=\"source\">{source}</span> <span class=\"author\">{author}</span></div>\n\
             <div class=\"article-content\">\n{body}\n</div>\n<div class=\"editor\">责任编辑：{author}</div>\n</div>",
            layout::date_cn_time(d.published, d.time)
        ),
        Site::News2 => format!(
            "<div id=\"main\">\n<div class=\"tit\"><h2>{title}</h2></div>\n<div class=\"info\">{source}　\
             <span id=\"pubtime\">{}</span></div>\n<div id=\"zoom\">\n{body}\n</div>\n</div>",
            layout::date_dash_time(d.published, d.time)
        ),
        _ => format!(
            "<article class=\"post\">\n<header><h1 class=\"post-title\">{title}</h1>\n<p class=\"post-meta\">\
             <time class=\"pubdate\">{}</time> <span class=\"from\">{source}</span></p></header>\n\
             <section class=\"post-body\">\n{body}\n</section>\n</article>",
            layout::date_cn(d.published)
        ),
    };
    render(st.site, &d.title, &main)
}
