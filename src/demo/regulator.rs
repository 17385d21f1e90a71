//! Regulators' sites: 国家市场监督管理总局 (recall notices and national sampling-inspection
//! notices, two columns) and 浙江省市场监督管理局 (provincial inspection notices). Failed products
//! of an inspection are an HTML `<table>` (序号, 产品名称, 标称生产企业, 所在省份, 不合格项目), or,
//! for the notices the scenario marks, a linked attachment beside the page (`art….xlsx`,
//! `art….pdf`, written by [`super::files`]); an all-pass notice has no table. The two sites lay
//! their pages out differently.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::layout::{self, esc};
use super::scenario::portal_name;
use super::{Attached, DemoDoc, Detail, InspectionRow, Site, SiteState, files};
use crate::model::DocKind;

pub fn router(site: Site) -> Router<Arc<SiteState>> {
    match site {
        Site::Samr => Router::new()
            .route("/", get(samr_home))
            .route("/zhxx/recall/list", get(samr_recalls))
            .route("/zhxx/ccjg/list", get(samr_inspections))
            .route("/zhxx/recall/{file}", get(notice))
            .route("/zhxx/ccjg/{file}", get(notice)),
        _ => Router::new()
            .route("/", get(zj_list))
            .route("/tzgg/list", get(zj_list))
            .route("/art/{y}/{m}/{d}/{file}", get(notice)),
    }
}

fn render(site: Site, title: &str, main: &str) -> Response {
    let nav: &[(&str, &str)] = match site {
        Site::Samr => &[
            ("/", "首页"),
            ("/zhxx/recall/list", "缺陷产品召回"),
            ("/zhxx/ccjg/list", "抽查结果"),
        ],
        _ => &[("/", "首页"), ("/tzgg/list", "通知公告")],
    };
    layout::html(layout::page("utf-8", portal_name(site), title, nav, main))
}

async fn samr_home(State(st): State<Arc<SiteState>>) -> Response {
    render(
        st.site,
        "首页",
        "<ul class=\"columns\"><li><a href=\"zhxx/recall/list\">缺陷产品召回</a></li><li><a href=\"zhxx/ccjg/list\">产品质量监督抽查</a></li></ul>",
    )
}

/// A list page of the notices of `kinds`.
fn list_page(
    st: &SiteState,
    kinds: &[DocKind],
    params: &HashMap<String, String>,
    column: &str,
    self_path: &str,
) -> Response {
    let page = layout::page_param(params);
    let all: Vec<&DemoDoc> = st.docs().filter(|d| kinds.contains(&d.kind)).collect();
    let (shown, pages) = layout::paginate(&all, page, layout::PER_PAGE);
    let items: String = shown
        .iter()
        .map(|d| match st.site {
            Site::Samr => format!(
                "<li><a href=\"{}\" title=\"{t}\">{t}</a><span>{}</span></li>\n",
                esc(&d.path),
                layout::date_dash(d.published),
                t = esc(&d.title)
            ),
            _ => format!(
                "<tr><td><a class=\"bt\" href=\"{}\">{}</a></td><td class=\"rq\">{}</td></tr>\n",
                esc(&d.path),
                esc(&d.title),
                layout::date_cn(d.published)
            ),
        })
        .collect();
    let pager = layout::pager("page", page, pages, |n| format!("{self_path}?page={n}"));
    let main = match st.site {
        Site::Samr => format!(
            "<div class=\"Three_list\"><h2>{}</h2>\n<ul class=\"notice-list\">\n{items}</ul>\n{pager}</div>",
            esc(column)
        ),
        _ => format!(
            "<div class=\"lmnr\"><h2>{}</h2>\n<table class=\"xxgk-list\">\n{items}</table>\n{pager}</div>",
            esc(column)
        ),
    };
    render(st.site, column, &main)
}

async fn samr_recalls(
    State(st): State<Arc<SiteState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    list_page(
        &st,
        &[DocKind::Recall],
        &params,
        "缺陷产品召回",
        "/zhxx/recall/list",
    )
}

async fn samr_inspections(
    State(st): State<Arc<SiteState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    list_page(
        &st,
        &[DocKind::Inspection],
        &params,
        "产品质量监督抽查",
        "/zhxx/ccjg/list",
    )
}

async fn zj_list(
    State(st): State<Arc<SiteState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    list_page(
        &st,
        &[DocKind::Inspection, DocKind::Notice],
        &params,
        "通知公告",
        "/tzgg/list",
    )
}

/// The failed-products table; `header_class` marks the header row for the provincial layout.
fn table(site: Site, rows: &[InspectionRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let cells = |r: &InspectionRow| {
        [&r.product, &r.enterprise, &r.province, &r.items]
            .map(|s| format!("<td>{}</td>", esc(s)))
            .concat()
    };
    let body: String = rows
        .iter()
        .enumerate()
        .map(|(i, r)| format!("<tr><td>{}</td>{}</tr>\n", i + 1, cells(r)))
        .collect();
    let head = ["序号", "产品名称", "标称生产企业", "所在省份", "不合格项目"];
    match site {
        Site::Samr => format!(
            "<table class=\"ccjg\">\n<thead><tr>{}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>",
            head.map(|h| format!("<th>{h}</th>")).concat()
        ),
        _ => format!(
            "<table class=\"bhg\" border=\"1\">\n<tr class=\"th\">{}</tr>\n{body}</table>",
            head.map(|h| format!("<td>{h}</td>")).concat()
        ),
    }
}

/// The link paragraph standing for the table on a notice whose table is an attachment.
fn attachment_link(d: &DemoDoc, kind: Attached) -> String {
    let file = d.path.rsplit('/').next().unwrap_or("");
    let href = file.replace(".html", &format!(".{}", kind.extension()));
    format!(
        "<p>附件：<a href=\"{}\">不合格产品及企业名单.{}</a></p>",
        esc(&href),
        kind.extension()
    )
}

/// A notice's attachment (`art….xlsx` / `art….pdf` beside `art….html`).
fn attachment(st: &SiteState, path: &str) -> Option<Response> {
    let (stem, ext) = path.rsplit_once('.')?;
    let d = st.doc_at(&format!("{stem}.html"))?;
    let Detail::Inspection {
        rows,
        attachment: Some(kind),
        ..
    } = &d.detail
    else {
        return None;
    };
    if ext != kind.extension() {
        return None;
    }
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.product.clone(),
                r.enterprise.clone(),
                r.province.clone(),
                r.items.clone(),
            ]
        })
        .collect();
    let title = format!("{}不合格产品及企业名单", d.title);
    let (ct, body) = match kind {
        Attached::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            files::xlsx(&title, &cells).ok()?,
        ),
        Attached::Pdf => (
            "application/pdf",
            files::pdf(&title, &files::pdf_lines(&cells), &files::PDF_COLUMNS),
        ),
    };
    Some(([(axum::http::header::CONTENT_TYPE, ct)], body).into_response())
}

async fn notice(State(st): State<Arc<SiteState>>, uri: Uri) -> Response {
    if !uri.path().ends_with(".html") {
        return match attachment(&st, uri.path()) {
            Some(r) => r,
            None => layout::not_found().await,
        };
    }
    let Some(d) = st.doc_at(uri.path()) else {
        return layout::not_found().await;
    };
    let mut extra = String::new();
    let mut publisher = portal_name(st.site).to_string();
    match &d.detail {
        Detail::Recall {
            enterprise,
            product,
            model,
            quantity,
        } => {
            extra = format!(
                "<table class=\"recall-info\">\n<tr><th>召回企业</th><td class=\"enterprise\">{}</td></tr>\n\
                 <tr><th>召回产品</th><td class=\"product\">{}</td></tr>\n<tr><th>型号</th><td class=\"model\">{}</td></tr>\n\
                 <tr><th>召回数量</th><td class=\"quantity\">{}</td></tr>\n</table>",
                esc(enterprise),
                esc(product),
                esc(model),
                esc(quantity)
            );
        }
        Detail::Inspection {
            publisher: p,
            rows,
            attachment,
        } => {
            publisher = p.clone();
            extra = match attachment {
                Some(kind) if !rows.is_empty() => attachment_link(d, *kind),
                _ => table(st.site, rows),
            };
        }
        _ => {}
    }
    let body = layout::paragraphs(&d.body);
    let title = esc(&d.title);
    let publisher = esc(&publisher);
    let main = match st.site {
        Site::Samr => format!(
            "<div class=\"Three_xilan\">\n<div class=\"Three_xilan_01\"><h3 class=\"notice-title\">{title}</h3>\n\
             <div class=\"Three_xilan_02\">发布时间：<span class=\"pubtime\">{}</span>　来源：<span class=\"ly\">{publisher}</span></div></div>\n\
             <div class=\"Three_xilan_07 TRS_Editor\">\n{body}\n{extra}\n</div>\n</div>",
            layout::date_cn(d.published)
        ),
        _ => format!(
            "<div class=\"main-content\">\n<div class=\"article-title\" id=\"title\">{title}</div>\n\
             <div class=\"article-meta\">发布日期：<span id=\"fbrq\">{}</span>　信息来源：{publisher}</div>\n\
             <div class=\"article-body\" id=\"zoom\">\n{body}\n{extra}\n<p class=\"lk\">{publisher}</p>\n<p class=\"lk\">{}</p>\n</div>\n</div>",
            layout::date_dash(d.published),
            layout::date_cn(d.published)
        ),
    };
    render(st.site, &d.title, &main)
}
