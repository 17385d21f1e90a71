//! `GET /api/parties` and `GET /api/parties/{kind}/{key}`: enterprises, brands and shops with
//! their history and the repeat offenders (issue 47 item 3), built by `review::parties` from the
//! store on each request.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::reply::{blocking, store_error};
use super::{ApiError, AppState};
use crate::review::{PartyHistory, PartyKind};

/// The most parties one list answer holds.
const MAX_PARTIES: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListParams {
    /// `true`: repeat offenders only.
    repeat: Option<String>,
    /// enterprise, brand or shop.
    kind: Option<String>,
    /// Text one of the party's names holds.
    q: Option<String>,
}

fn kind_of(s: &str) -> Result<PartyKind, ApiError> {
    PartyKind::parse(s).ok_or_else(|| {
        ApiError::bad_request(format!("kind: {s:?} is not enterprise, brand or shop"))
    })
}

async fn all(st: &AppState) -> Result<Vec<PartyHistory>, ApiError> {
    let (store, market, rules) = (st.store.clone(), st.market.clone(), st.parties.clone());
    blocking(move || {
        crate::review::parties::from_store(&store, &market, &rules).map_err(store_error)
    })
    .await
}

/// `GET /api/parties`: the parties, repeat offenders first (`repeat=true`: only them).
pub(super) async fn list(
    State(st): State<AppState>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let repeat = match p.repeat.as_deref() {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "repeat: {other:?} is not true or false"
            )));
        }
    };
    let kind = match p.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(kind_of(k)?),
    };
    let q = p.q.unwrap_or_default();
    let parties: Vec<PartyHistory> = all(&st)
        .await?
        .into_iter()
        .filter(|h| !repeat || !h.repeat.is_empty())
        .filter(|h| kind.is_none_or(|k| h.kind == k))
        .filter(|h| q.is_empty() || h.key.contains(&q) || h.names.iter().any(|n| n.contains(&q)))
        .collect();
    let total = parties.len();
    let shown: Vec<&PartyHistory> = parties.iter().take(MAX_PARTIES).collect();
    Ok(Json(
        serde_json::json!({ "total": total, "parties": shown }),
    ))
}

/// `GET /api/parties/{kind}/{key}`: one party's history, by its canonical name.
pub(super) async fn one(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<PartyHistory>, ApiError> {
    let Path((kind, key)) =
        path.map_err(|e| ApiError::bad_request(format!("bad path: {}", e.body_text())))?;
    let kind = kind_of(&kind)?;
    all(&st)
        .await?
        .into_iter()
        .find(|h| h.kind == kind && h.key == key)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no {} {key:?}", kind.as_str())))
}
