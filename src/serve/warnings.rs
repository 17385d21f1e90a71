//! Risk warnings and consumer tips (issue 47 item 5): `POST /api/alerts/{id}/warning` drafts one
//! for an alert by `warnings.toml`, `PUT /api/warnings/{id}` edits it, `POST
//! /api/warnings/{id}/approve` approves it, and only approved texts are published on `GET
//! /api/warnings` and `GET /feeds/warnings.atom`. Drafting, editing and approving need an analyst
//! (see [`super::auth`]); an approval also needs a named user (`jiance users add`), never a
//! configured token or an anonymous reader, so every published text names who approved it.

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::atom::{ATOM_NS, base_url, xml_escape};
use super::auth::Principal;
use super::reply::{blocking, store_error};
use super::request::{json_content, parse_body, path_id};
use super::{ApiError, AppState};
use crate::model::Warning;

type Body = Result<axum::body::Bytes, BytesRejection>;

/// The longest title and body an edit may set, in characters.
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 5000;

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::FORBIDDEN,
        message: message.into(),
    }
}

/// `POST /api/alerts/{id}/warning`: draft the alert's warning or tip (201), or give back the one
/// it has (200): a draft is edited, never drafted twice.
pub(super) async fn draft(
    State(st): State<AppState>,
    Extension(who): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let rules = st.warnings.clone();
    let (w, new) = blocking(move || {
        let Some(alert) = store.alert(&id).map_err(store_error)? else {
            return Err(ApiError::not_found(format!("no alert {id:?}")));
        };
        let d = rules.draft(&alert);
        let w = Warning {
            id: Warning::id_for(&alert.id),
            alert_id: alert.id.clone(),
            kind: d.kind,
            category: alert.category.clone(),
            hazards: d.hazards,
            title: d.title,
            body: d.body,
            drafted_by: who.name.clone(),
            drafted_at: chrono::Utc::now(),
            edited_by: None,
            edited_at: None,
            approved_by: None,
            approved_at: None,
        };
        store.draft_warning(&w, &who.actor()).map_err(store_error)
    })
    .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(w)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListParams {
    /// `published` (the default): approved texts only; `all`: drafts too.
    status: Option<String>,
}

/// `GET /api/warnings`: the published warnings, newest approval first (`?status=all`: drafts
/// too, for the analysts).
pub(super) async fn list(
    State(st): State<AppState>,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let published = match params.status.as_deref() {
        // an empty value is no value (forms send every field; the document allows it)
        None | Some("") | Some("published") => true,
        Some("all") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "status: {other:?} is not published or all"
            )));
        }
    };
    let store = st.store.clone();
    let items = blocking(move || store.warnings(published).map_err(store_error)).await?;
    Ok(Json(
        serde_json::json!({ "total": items.len(), "warnings": items }),
    ))
}

/// `GET /api/warnings/{id}`: one warning, draft or approved.
pub(super) async fn one(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Warning>, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    blocking(move || {
        store
            .warning(&id)
            .map_err(store_error)?
            .map(Json)
            .ok_or_else(|| ApiError::not_found(format!("no warning {id:?}")))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditBody {
    title: String,
    body: String,
}

/// `PUT /api/warnings/{id}`: replace the title and text; an approval is withdrawn (what was
/// approved is what is published).
pub(super) async fn edit(
    State(st): State<AppState>,
    Extension(who): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Warning>, ApiError> {
    let id = path_id(id)?;
    json_content(&headers, &body)?;
    let b: EditBody = parse_body(body, None)?;
    let (title, text) = (b.title.trim().to_string(), b.body.trim().to_string());
    if title.is_empty() || text.is_empty() {
        return Err(ApiError::bad_request("title and body must not be empty"));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(ApiError::bad_request(format!(
            "title: longer than {MAX_TITLE} characters"
        )));
    }
    if text.chars().count() > MAX_BODY {
        return Err(ApiError::bad_request(format!(
            "body: longer than {MAX_BODY} characters"
        )));
    }
    let store = st.store.clone();
    blocking(move || {
        store
            .edit_warning(&id, &title, &text, &who.actor(), chrono::Utc::now())
            .map_err(store_error)?
            .map(Json)
            .ok_or_else(|| ApiError::not_found(format!("no warning {id:?}")))
    })
    .await
}

/// Whether a principal is a person: a named user, not a configured token (named after its role)
/// nor an anonymous reader.
fn named(p: &Principal) -> bool {
    p.name != p.role.as_str() && p.name != "anonymous"
}

/// `POST /api/warnings/{id}/approve`: publish it in the caller's name (a named user only).
pub(super) async fn approve(
    State(st): State<AppState>,
    Extension(who): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Warning>, ApiError> {
    let id = path_id(id)?;
    if !named(&who) {
        return Err(forbidden(
            "a warning is published only in a person's name: approve with a named user's token (jiance users add)",
        ));
    }
    let store = st.store.clone();
    blocking(move || {
        store
            .approve_warning(&id, &who.actor(), chrono::Utc::now())
            .map_err(store_error)?
            .map(Json)
            .ok_or_else(|| ApiError::not_found(format!("no warning {id:?}")))
    })
    .await
}

/// `GET /feeds/warnings.atom`: the approved warnings and tips as an Atom 1.0 feed, each entry
/// naming its approver.
pub(super) async fn feed(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let store = st.store.clone();
    let items = blocking(move || store.warnings(true).map_err(store_error)).await?;
    let body = render(&items, &base_url(&headers));
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    ))
}

/// The feed document of the published warnings.
pub(super) fn render(items: &[Warning], base: &str) -> String {
    let updated = items
        .iter()
        .filter_map(|w| w.approved_at)
        .max()
        .unwrap_or_default();
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!("<feed xmlns=\"{ATOM_NS}\" xml:lang=\"zh-CN\">\n"));
    x.push_str("  <id>urn:jiance:warnings</id>\n");
    x.push_str("  <title>jiance 风险警示与消费提示 Risk warnings and consumer tips</title>\n");
    x.push_str(&format!("  <updated>{}</updated>\n", updated.to_rfc3339()));
    x.push_str("  <author><name>jiance</name></author>\n");
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&format!("{base}/feeds/warnings.atom"))
    ));
    for w in items {
        let (Some(by), Some(at)) = (&w.approved_by, w.approved_at) else {
            continue;
        };
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>urn:jiance:warning:{}</id>\n",
            xml_escape(&w.id)
        ));
        x.push_str(&format!("    <title>{}</title>\n", xml_escape(&w.title)));
        x.push_str(&format!("    <updated>{}</updated>\n", at.to_rfc3339()));
        x.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            xml_escape(by)
        ));
        x.push_str(&format!(
            "    <category term=\"{}\" label=\"{}\"/>\n",
            w.kind.as_str(),
            w.kind.label()
        ));
        x.push_str(&format!(
            "    <link rel=\"related\" href=\"{}\"/>\n",
            xml_escape(&format!("{base}/#/alerts/{}", w.alert_id))
        ));
        x.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            xml_escape(&w.body)
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}
