//! `/api/watch-rules`: list (viewer), create and delete (operator, in the audit log) watch rules. The rule is
//! checked by `crate::notify::build_rule` (its search query by the index's parser) and kept by
//! the store; `jiance run` matches and delivers. Webhook secrets are shown once, in the answer
//! to the POST that made (or was given) them, and hidden in every list.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;

use super::auth::Principal;
use super::reply::{blocking, store_error};
use super::request::{Params, json_content, parse_body};
use super::{ApiError, AppState};
use crate::notify::{RuleInput, build_rule, redacted};

pub(super) async fn list(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    let owner = p.get("owner").map(str::to_string);
    let store = st.store.clone();
    let rules = blocking(move || store.watch_rules().map_err(store_error)).await?;
    let rules: Vec<_> = rules
        .into_iter()
        .map(|r| redacted(&r.rule))
        .filter(|r| owner.as_deref().is_none_or(|o| r.owner == o))
        .collect();
    Ok(Json(serde_json::json!({ "rules": rules })))
}

pub(super) async fn create(
    State(st): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    json_content(&headers, &body)?;
    let input: RuleInput = parse_body(body, None)?;
    let store = st.store.clone();
    let index = st.index.clone();
    let rule = blocking(move || {
        let check = |q: &str| match &index {
            Some(i) => i.check_query(q).map_err(|e| e.to_string()),
            None => Ok(()),
        };
        let rule = build_rule(&input, chrono::Utc::now(), &check)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        store
            .add_watch_rule(&rule, &who.actor())
            .map_err(store_error)?;
        Ok(rule)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "rule": rule })),
    ))
}

pub(super) async fn delete(
    State(st): State<AppState>,
    Extension(who): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Path(id) = id.map_err(|e| {
        ApiError::bad_request(format!("bad rule id in the path: {}", e.body_text()))
    })?;
    let store = st.store.clone();
    let removed = {
        let id = id.clone();
        let by = who.actor();
        blocking(move || store.remove_watch_rule(&id, &by).map_err(store_error)).await?
    };
    if !removed {
        return Err(ApiError::not_found(format!("no watch rule {id:?}")));
    }
    Ok(Json(serde_json::json!({ "removed": id })))
}
