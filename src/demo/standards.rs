//! 标准公告网: announcements of new and revised national standards (number, title, 发布日期,
//! 实施日期). They are context for scoring, never risk signals by themselves.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;

use super::layout::{self, esc};
use super::{DemoDoc, Detail, SiteState};

const NAME: &str = "标准公告网";

pub fn router() -> Router<Arc<SiteState>> {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/gg/list") }),
        )
        .route("/gg/list", get(list))
        .route("/gg/{file}", get(detail))
}

fn render(title: &str, main: &str) -> Response {
    layout::html(layout::page(
        "utf-8",
        NAME,
        title,
        &[("/gg/list", "标准公告")],
        main,
    ))
}

async fn list(
    State(st): State<Arc<SiteState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let page = layout::page_param(&params);
    let all: Vec<&DemoDoc> = st.docs().collect();
    let (shown, pages) = layout::paginate(&all, page, layout::PER_PAGE);
    let items: String = shown
        .iter()
        .map(|d| {
            format!(
                "<li><a class=\"std-link\" href=\"{}\">{}</a><span class=\"date\">{}</span></li>\n",
                esc(d.path.trim_start_matches("/gg/")),
                esc(&d.title),
                layout::date_dash(d.published)
            )
        })
        .collect();
    let pager = layout::pager("pagination", page, pages, |n| format!("list?page={n}"));
    render(
        "标准公告",
        &format!("<h2>国家标准发布公告</h2>\n<ul class=\"std-list\">\n{items}</ul>\n{pager}"),
    )
}

async fn detail(State(st): State<Arc<SiteState>>, uri: Uri) -> Response {
    let Some(d) = st.doc_at(uri.path()) else {
        return layout::not_found().await;
    };
    let Detail::Standard {
        number,
        nature,
        issued,
        effective,
    } = &d.detail
    else {
        return layout::not_found().await;
    };
    let name = d
        .title
        .split_once('《')
        .and_then(|(_, r)| r.split_once('》'))
        .map(|(n, _)| n)
        .unwrap_or(&d.title);
    let main = format!(
        "<div class=\"std-detail\">\n<h1 class=\"std-title\">{title}</h1>\n<table class=\"std-info\">\n\
         <tr><th>标准号</th><td class=\"std-no\">{number}</td></tr>\n<tr><th>标准名称</th><td class=\"std-name\">{name}</td></tr>\n\
         <tr><th>制修订</th><td class=\"std-nature\">{nature}</td></tr>\n<tr><th>发布日期</th><td class=\"issue-date\">{issued}</td></tr>\n\
         <tr><th>实施日期</th><td class=\"impl-date\">{effective}</td></tr>\n</table>\n<div class=\"std-content\">\n{body}\n</div>\n</div>",
        title = esc(&d.title),
        number = esc(number),
        name = esc(name),
        nature = esc(nature),
        issued = layout::date_dash(*issued),
        effective = layout::date_dash(*effective),
        body = layout::paragraphs(&d.body),
    );
    render(&d.title, &main)
}
