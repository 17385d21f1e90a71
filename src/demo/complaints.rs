//! 消费投诉平台: a 12315-style complaint board. The same complaints are served twice: as HTML list
//! and detail pages, and as a JSON API (`/api/complaints?page=N` → `{"data":{"items":[…]}}`, an
//! empty `items` after the last page). API items carry the detail page's absolute URL, so both
//! faces of one complaint name the same page.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::layout::{self, esc};
use super::{DemoDoc, Detail, SiteState};

const NAME: &str = "消费投诉平台";
/// Complaints per list and API page.
pub const PER_PAGE: usize = 20;

pub fn router() -> Router<Arc<SiteState>> {
    Router::new()
        .route("/", get(list))
        .route("/list", get(list))
        .route("/complaint/{file}", get(detail))
        .route("/api/complaints", get(api))
}

fn render(title: &str, main: &str) -> Response {
    layout::html(layout::page(
        "utf-8",
        NAME,
        title,
        &[("/list", "投诉列表"), ("/api/complaints", "开放接口")],
        main,
    ))
}

async fn list(
    State(st): State<Arc<SiteState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let page = layout::page_param(&params);
    let all: Vec<&DemoDoc> = st.docs().collect();
    let (shown, pages) = layout::paginate(&all, page, PER_PAGE);
    let rows: String = shown
        .iter()
        .filter_map(|d| match &d.detail {
            Detail::Complaint { id, region, status, .. } => Some(format!(
                "<tr><td class=\"no\">{}</td><td class=\"t\"><a href=\"{}\">{}</a></td><td class=\"area\">{}</td><td class=\"state\">{}</td><td class=\"date\">{}</td></tr>\n",
                esc(id),
                esc(&d.path),
                esc(&d.title),
                esc(region),
                esc(status),
                layout::date_dash(d.published)
            )),
            _ => None,
        })
        .collect();
    let pager = layout::pager("pages", page, pages, |n| format!("/list?page={n}"));
    let main = format!(
        "<h2>最新投诉</h2>\n<table class=\"tslist\">\n<tr><th>编号</th><th>投诉标题</th><th>所在地区</th><th>处理状态</th><th>投诉日期</th></tr>\n{rows}</table>\n{pager}"
    );
    render("投诉列表", &main)
}

async fn detail(State(st): State<Arc<SiteState>>, uri: Uri) -> Response {
    let Some(d) = st.doc_at(uri.path()) else {
        return layout::not_found().await;
    };
    let Detail::Complaint {
        id,
        target,
        product,
        region,
        status,
    } = &d.detail
    else {
        return layout::not_found().await;
    };
    let main = format!(
        "<div class=\"complaint-detail\">\n<h2 class=\"c-title\">{title}</h2>\n<table class=\"c-meta\">\n\
         <tr><th>投诉编号</th><td class=\"c-no\">{id}</td></tr>\n\
         <tr><th>投诉对象</th><td class=\"c-target\">{target}</td></tr>\n\
         <tr><th>涉及产品</th><td class=\"c-product\">{product}</td></tr>\n\
         <tr><th>所在地区</th><td class=\"c-region\">{region}</td></tr>\n\
         <tr><th>投诉时间</th><td class=\"c-time\">{time}</td></tr>\n\
         <tr><th>处理状态</th><td class=\"c-status\">{status}</td></tr>\n</table>\n\
         <div class=\"c-content\"><h3>投诉内容</h3>\n{body}\n</div>\n</div>",
        title = esc(&d.title),
        id = esc(id),
        target = esc(target),
        product = esc(product),
        region = esc(region),
        time = layout::date_dash_time(d.published, d.time),
        status = esc(status),
        body = layout::paragraphs(&d.body),
    );
    render(&d.title, &main)
}

async fn api(
    State(st): State<Arc<SiteState>>,
    headers: axum::http::HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let base = st.base_for(&headers);
    let page = layout::page_param(&params);
    let all: Vec<&DemoDoc> = st.docs().collect();
    let (shown, _) = layout::paginate(&all, page, PER_PAGE);
    let items: Vec<serde_json::Value> = shown
        .iter()
        .filter_map(|d| match &d.detail {
            Detail::Complaint {
                id,
                target,
                product,
                region,
                status,
            } => Some(json!({
                "id": id,
                "title": d.title,
                "content": d.body.join("\n"),
                "target": target,
                "product": product,
                "region": region,
                "status": status,
                "created": layout::date_dash_time(d.published, d.time),
                "url": format!("{base}{}", d.path),
            })),
            _ => None,
        })
        .collect();
    Json(json!({
        "code": 0,
        "msg": "ok",
        "data": { "page": page, "page_size": PER_PAGE, "total": all.len(), "items": items }
    }))
    .into_response()
}
