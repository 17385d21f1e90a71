//! The package per jurisdiction (属地, issue 47): what a regulator of a place where an alert's
//! enterprises or shops are is handed. `GET /api/alerts/{id}/jurisdictions` (JSON, or
//! `format=csv`: one row per party and document) and `GET /print/jurisdictions/{id}`, a printable
//! page with one package per jurisdiction — the alert, the parties there, the documents that
//! concern them, a line to sign. The jurisdictions themselves are the alert's
//! (`score::route`); this module only lays them out.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};

use super::reply::{blocking, csv_download, print_html, store_error};
use super::request::{Params, path_id};
use super::sampling::esc;
use super::{ApiError, AppState};
use crate::model::{Alert, Jurisdiction};
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

/// An alert and the stored metadata of its jurisdictions' documents.
fn load(store: &Store, id: &str) -> Result<(Alert, Vec<DocumentRow>), ApiError> {
    let Some(alert) = store.alert(id).map_err(store_error)? else {
        return Err(ApiError::not_found(format!("no alert {id:?}")));
    };
    let mut ids: Vec<String> = Vec::new();
    for j in &alert.jurisdictions {
        for d in &j.documents {
            if !ids.contains(d) {
                ids.push(d.clone());
            }
        }
    }
    let docs = store.documents(&ids).map_err(store_error)?;
    Ok((alert, docs))
}

fn doc<'a>(docs: &'a [DocumentRow], id: &str) -> Option<&'a DocumentRow> {
    docs.iter().find(|d| d.id == id)
}

/// The packages of an alert as CSV bytes (UTF-8 with a byte-order mark).
pub fn csv(alert: &Alert, docs: &[DocumentRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    w.write_record(CSV_HEADER)?;
    for j in &alert.jurisdictions {
        for p in &j.parties {
            for d in &p.documents {
                let meta = doc(docs, d);
                w.write_record([
                    alert.id.as_str(),
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

/// One jurisdiction's package: the alert, its parties there, their documents, a line to sign.
fn package(alert: &Alert, j: &Jurisdiction, docs: &[DocumentRow]) -> String {
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
         <p>品类：{cat}　危害：{hazards}　风险等级：{level}　事发地：{regions}　预警编号：{id}</p>\
         <h2>本地当事方</h2><table class=\"grid\"><thead><tr><th>角色</th><th>名称</th><th>涉及文档数</th></tr></thead>\
         <tbody>{parties}</tbody></table>\
         <h2>相关证据</h2><table class=\"grid\"><thead><tr><th>序号</th><th>标题及链接</th><th>发布</th><th>文档编号</th></tr></thead>\
         <tbody>{documents}</tbody></table>\
         <p class=\"sign-line\">经办人：＿＿＿＿＿＿　签收单位：＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日</p></section>",
        name = esc(&j.name()),
        summary = esc(&alert.summary),
        cat = esc(&alert.category),
        hazards = esc(&alert.hazards.join("、")),
        level = alert.level,
        regions = esc(&alert.regions.join("")),
        id = esc(&alert.id),
    )
}

/// The printable page of an alert's packages, one per jurisdiction; a page saying so when it
/// has none.
pub fn print_page(alert: &Alert, docs: &[DocumentRow]) -> String {
    let head = format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>属地通报 {}</title>\
         <link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body class=\"print-page\">",
        esc(&alert.category)
    );
    if alert.jurisdictions.is_empty() {
        return format!(
            "{head}<h1>属地通报</h1><p>预警 {} 的证据未给出企业或店铺所在地，请通报事发地{}属地监管部门。</p></body></html>",
            esc(&alert.id),
            esc(&alert.regions.join(""))
        );
    }
    let body: String = alert
        .jurisdictions
        .iter()
        .map(|j| package(alert, j, docs))
        .collect();
    format!("{head}{body}</body></html>")
}

pub(super) async fn jurisdictions(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let p = Params::from_query(raw.as_deref())?;
    let csv_wanted = p.wants_csv()?;
    let store = st.store.clone();
    let (alert, docs) = blocking(move || load(&store, &id)).await?;
    if csv_wanted {
        let bytes = csv(&alert, &docs).map_err(ApiError::internal)?;
        return Ok(csv_download(bytes, "jurisdictions.csv"));
    }
    Ok(axum::Json(alert.jurisdictions).into_response())
}

pub(super) async fn print(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let (alert, docs) = blocking(move || load(&store, &id)).await?;
    Ok(print_html(print_page(&alert, &docs)))
}
