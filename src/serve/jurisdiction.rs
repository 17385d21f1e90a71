//! The package per jurisdiction (属地, issue 47): what a regulator of a place where an alert's or
//! an on-sale finding's enterprises or shops are is handed. `GET /api/alerts/{id}/jurisdictions`
//! and `GET /api/onsale/{id}/jurisdictions` (JSON, or `format=csv`: one row per party and
//! document), `GET /print/jurisdictions/{id}` and `GET /print/onsale/{id}/jurisdictions`, a
//! printable page with one package per jurisdiction — the alert or finding, the parties there,
//! the documents that concern them, a line to sign. The jurisdictions themselves are the alert's
//! (`score::route`) or the finding's (`market::onsale`); this module only lays them out.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};

use super::reply::{blocking, csv_download, print_html, store_error};
use super::request::{Params, path_id};
use super::sampling::esc;
use super::{ApiError, AppState};
use crate::model::{Alert, Jurisdiction, OnSaleFinding};
use crate::store::{DocumentRow, Store};

/// The CSV header: one row per party and document.
pub const CSV_HEADER: [&str; 13] = [
    "预警 alert",
    "属地 jurisdiction",
    "省份 province",
    "城市 city",
    "角色 role",
    "当事方 party",
    "文档 document",
    "标题 title",
    "链接 url",
    "发布 published",
    "联系单位 contact",
    "邮箱 email",
    "电话 phone",
];

/// What is handed on: an alert or an on-sale finding, as its packages show it.
pub struct Subject {
    /// `预警 alert` or `在售 finding`: the CSV's first column and the page's label.
    pub label: &'static str,
    pub id: String,
    pub summary: String,
    /// The line of facts under the summary (品类、危害… for an alert; 平台、店铺… for a finding).
    pub facts: Vec<(&'static str, String)>,
    /// Where the problem happened, to notify when no party is placed.
    pub regions: String,
    pub jurisdictions: Vec<Jurisdiction>,
}

impl From<Alert> for Subject {
    fn from(a: Alert) -> Subject {
        Subject {
            label: "预警 alert",
            facts: vec![
                ("品类", a.category.clone()),
                ("危害", a.hazards.join("、")),
                ("风险等级", a.level.to_string()),
                ("事发地", a.regions.join("")),
                ("预警编号", a.id.clone()),
            ],
            regions: a.regions.join(""),
            id: a.id,
            summary: a.summary,
            jurisdictions: a.jurisdictions,
        }
    }
}

impl From<OnSaleFinding> for Subject {
    fn from(f: OnSaleFinding) -> Subject {
        let l = &f.listing;
        Subject {
            label: "在售 finding",
            facts: vec![
                ("商品", l.title.clone()),
                ("平台", l.platform.clone()),
                ("店铺", l.shop.clone()),
                ("依据", f.flagged.basis.label().to_string()),
                ("链接", l.url.clone()),
                ("编号", f.id.clone()),
            ],
            regions: l.province.clone().unwrap_or_else(|| l.shop_region.clone()),
            id: f.id,
            summary: f.summary,
            jurisdictions: f.jurisdictions,
        }
    }
}

/// The stored metadata of a subject's jurisdictions' documents.
fn documents(store: &Store, subject: &Subject) -> Result<Vec<DocumentRow>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for j in &subject.jurisdictions {
        for d in &j.documents {
            if !ids.contains(d) {
                ids.push(d.clone());
            }
        }
    }
    store.documents(&ids).map_err(store_error)
}

/// An alert and its documents' metadata.
/// A subject with the documents its packages cite.
type Loaded = Result<(Subject, Vec<DocumentRow>), ApiError>;

fn load(store: &Store, id: &str) -> Loaded {
    let Some(alert) = store.alert(id).map_err(store_error)? else {
        return Err(ApiError::not_found(format!("no alert {id:?}")));
    };
    let subject = Subject::from(alert);
    let docs = documents(store, &subject)?;
    Ok((subject, docs))
}

/// An on-sale finding of the last matching run and its documents' metadata.
fn load_finding(store: &Store, id: &str) -> Loaded {
    let Some(finding) = store
        .onsale()
        .map_err(store_error)?
        .into_iter()
        .find(|f| f.id == id)
    else {
        return Err(ApiError::not_found(format!("no on-sale finding {id:?}")));
    };
    let subject = Subject::from(finding);
    let docs = documents(store, &subject)?;
    Ok((subject, docs))
}

fn doc<'a>(docs: &'a [DocumentRow], id: &str) -> Option<&'a DocumentRow> {
    docs.iter().find(|d| d.id == id)
}

/// The packages of an alert or finding as CSV bytes (UTF-8 with a byte-order mark); the first
/// column is named for what it is.
pub fn csv(subject: &Subject, docs: &[DocumentRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    let mut header = CSV_HEADER;
    header[0] = subject.label;
    w.write_record(header)?;
    for j in &subject.jurisdictions {
        for p in &j.parties {
            for d in &p.documents {
                let meta = doc(docs, d);
                w.write_record([
                    subject.id.as_str(),
                    &j.name(),
                    &j.province,
                    j.city.as_deref().unwrap_or(""),
                    p.role.label(),
                    &p.name,
                    d,
                    meta.map_or("", |m| m.title.as_str()),
                    meta.map_or("", |m| m.url.as_str()),
                    meta.and_then(|m| m.published.as_deref()).unwrap_or(""),
                    j.contact.as_ref().map_or("", |c| c.unit.as_str()),
                    j.contact.as_ref().map_or("", |c| c.email.as_str()),
                    j.contact.as_ref().map_or("", |c| c.phone.as_str()),
                ])?;
            }
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// One jurisdiction's package: the alert or finding, its parties there, their documents, a line
/// to sign.
fn package(subject: &Subject, j: &Jurisdiction, docs: &[DocumentRow]) -> String {
    let parties: String = j
        .parties
        .iter()
        .map(|p| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                p.role.label(),
                esc(&p.name),
                p.documents.len()
            )
        })
        .collect();
    let documents: String = j
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let meta = doc(docs, d);
            format!(
                "<tr><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td><td>{}</td></tr>",
                i + 1,
                esc(meta.map_or("", |m| m.title.as_str())),
                esc(meta.map_or("", |m| m.url.as_str())),
                esc(meta.and_then(|m| m.published.as_deref()).unwrap_or("")),
                esc(d)
            )
        })
        .collect();
    let to = match &j.contact {
        Some(c) => format!(
            "<p>送达：<b>{}</b>　{}　{}</p>",
            esc(&c.unit),
            esc(&c.email),
            esc(&c.phone)
        ),
        None => String::new(),
    };
    format!(
        "<section class=\"package\"><h1>属地通报 · {name}市场监督管理部门</h1>{to}\
         <p>{summary}</p>\
         <p>{facts}</p>\
         <h2>本地当事方</h2><table class=\"grid\"><thead><tr><th>角色</th><th>名称</th><th>涉及文档数</th></tr></thead>\
         <tbody>{parties}</tbody></table>\
         <h2>相关证据</h2><table class=\"grid\"><thead><tr><th>序号</th><th>标题及链接</th><th>发布</th><th>文档编号</th></tr></thead>\
         <tbody>{documents}</tbody></table>\
         <p class=\"sign-line\">经办人：＿＿＿＿＿＿　签收单位：＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日</p></section>",
        name = esc(&j.name()),
        summary = esc(&subject.summary),
        facts = subject
            .facts
            .iter()
            .map(|(k, v)| format!("{k}：{}", esc(v)))
            .collect::<Vec<_>>()
            .join("　"),
    )
}

/// The printable page of an alert's or finding's packages, one per jurisdiction; a page saying
/// so when it has none.
pub fn print_page(subject: &Subject, docs: &[DocumentRow]) -> String {
    let head = format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>属地通报 {}</title>\
         <link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body class=\"print-page\">",
        esc(subject.facts.first().map_or("", |f| f.1.as_str()))
    );
    if subject.jurisdictions.is_empty() {
        return format!(
            "{head}<h1>属地通报</h1><p>{} {} 的证据未给出企业或店铺所在地，请通报事发地{}属地监管部门。</p></body></html>",
            esc(subject.label),
            esc(&subject.id),
            esc(&subject.regions)
        );
    }
    let body: String = subject
        .jurisdictions
        .iter()
        .map(|j| package(subject, j, docs))
        .collect();
    format!("{head}{body}</body></html>")
}

pub(super) async fn jurisdictions(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    packages_of(st, id, raw, load).await
}

/// `GET /api/onsale/{id}/jurisdictions`: a finding's packages, as an alert's.
pub(super) async fn finding_jurisdictions(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    packages_of(st, id, raw, load_finding).await
}

/// The packages of the subject `load` reads for the path's id, as JSON or CSV.
async fn packages_of(
    st: AppState,
    id: Result<Path<String>, PathRejection>,
    raw: Option<String>,
    load: fn(&Store, &str) -> Loaded,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let p = Params::from_query(raw.as_deref())?;
    let csv_wanted = p.wants_csv()?;
    let store = st.store.clone();
    let (subject, docs) = blocking(move || load(&store, &id)).await?;
    reply(subject, docs, csv_wanted)
}

fn reply(subject: Subject, docs: Vec<DocumentRow>, csv_wanted: bool) -> Result<Response, ApiError> {
    if csv_wanted {
        let bytes = csv(&subject, &docs).map_err(ApiError::internal)?;
        return Ok(csv_download(bytes, "jurisdictions.csv"));
    }
    Ok(axum::Json(subject.jurisdictions).into_response())
}

pub(super) async fn print(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let (subject, docs) = blocking(move || load(&store, &id)).await?;
    Ok(print_html(print_page(&subject, &docs)))
}

/// `GET /print/onsale/{id}/jurisdictions`: a finding's packages as a printable page.
pub(super) async fn print_finding(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let (subject, docs) = blocking(move || load_finding(&store, &id)).await?;
    Ok(print_html(print_page(&subject, &docs)))
}
